//! The HTML fragment and document.

mod common;

use gongkai_report_export::{export, html_document, html_fragment, ExportFormat, Script};

const HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

#[test]
fn fragment_is_an_article_with_the_six_headings_and_no_inline_style_or_script() {
    let r = common::sample();
    let html = html_fragment(&r, Script::Hans);
    assert!(html.starts_with("<article class=\"annual-report\" lang=\"zh-Hans\">"));
    assert!(html.trim_end().ends_with("</article>"));
    assert!(html.contains(&format!("<h1 class=\"report-title\">{}</h1>", r.title)));
    let mut last = 0;
    for h in HEADINGS {
        let at = html.find(&format!(">{h}</h2>")).unwrap_or_else(|| panic!("heading {h}"));
        assert!(at > last, "{h} out of order");
        last = at;
    }
    assert!(!html.contains("style="), "no style attributes under CSP");
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<style"));
    assert_eq!(html.matches("<table").count(), 3);
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(html.contains("<h3>（一）主动公开</h3>"));
    assert!(html.contains("<p class=\"report-signer\">清远市清城区源潭镇人民政府</p>"));
    assert!(html.contains("<p class=\"report-date\">2024年1月20日</p>"));
    // Narrative paragraphs are escaped text.
    assert!(html.contains("<p>2023年，我镇通过清城区人民政府门户网站公开政府信息66条"));
}

#[test]
fn fragment_escapes_markup_in_text() {
    let mut r = common::sample();
    r.section6 = "收费<script>alert(1)</script>情况 & \"说明\"".into();
    r.title = "<b>标题</b>".into();
    let html = html_fragment(&r, Script::Hans);
    assert!(!html.contains("<script>"));
    assert!(html.contains("收费&lt;script&gt;alert(1)&lt;/script&gt;情况 &amp; &quot;说明&quot;"));
    assert!(html.contains("&lt;b&gt;标题&lt;/b&gt;"));
}

#[test]
fn document_is_standalone_with_its_own_styles() {
    let r = common::sample();
    let doc = html_document(&r, Script::Hans);
    assert!(doc.starts_with("<!doctype html>\n<html lang=\"zh-Hans\">"));
    assert!(doc.contains("<meta charset=\"utf-8\">"));
    assert!(doc.contains(&format!("<title>{}</title>", r.title)));
    assert!(doc.contains("<style>") && doc.contains("border-collapse:collapse"));
    assert!(doc.contains("@media print"));
    assert!(doc.contains(&html_fragment(&r, Script::Hans)));
    assert_eq!(
        export(&r, ExportFormat::Html, Script::Hans).expect("html"),
        doc.into_bytes()
    );
}

#[test]
fn traditional_script_converts_text_but_not_numbers_or_markup() {
    let r = common::sample();
    let doc = html_document(&r, Script::Hant);
    assert!(doc.starts_with("<!doctype html>\n<html lang=\"zh-Hant\">"));
    assert!(doc.contains("<article class=\"annual-report\" lang=\"zh-Hant\">"));
    assert!(doc.contains("清遠市清城區源潭鎮人民政府2023年政府信息公開工作年度報告"));
    for h in ["一、總體情況", "三、收到和處理政府信息公開申請情況", "四、政府信息公開行政複議、行政訴訟情況"] {
        assert!(doc.contains(&format!(">{h}</h2>")), "{h}");
    }
    assert!(doc.contains("（本列數據的勾稽關係爲：第一項加第二項之和，等於第三項加第四項之和）"));
    assert!(doc.contains("<p class=\"report-date\">2024年1月20日</p>"));
    assert!(doc.contains("<td colspan=\"3\" class=\"num\">12.35</td>"));
    assert!(doc.contains("class=\"report-table report-table-s3\""));
    // The conversion is character-level: 信息 stays 信息 (s2twp would write 資訊).
    assert!(!doc.contains("資訊"));
    assert!(!doc.contains("公开"));
}
