//! The clean report in every flattening and container: the same tables, no errors.

mod common;
use common::*;
use gongkai_checker::{check_bytes, CheckOptions, CheckReport};
use std::io::Write;

fn is_table_line(l: &str) -> bool {
    l.contains('\t')
}

fn same_tables(r: &CheckReport, name: &str) {
    let clean = check(CLEAN_2021);
    let s3 = |r: &CheckReport| r.tables.section3.iter().map(|x| (x.label.clone(), x.values.clone())).collect::<Vec<_>>();
    assert_eq!(s3(r), s3(&clean), "{name}: section3\n{}", r.to_text());
    assert_eq!(r.tables.section4, clean.tables.section4, "{name}: section4");
    assert_eq!(r.tables.section2.rows.len(), 6, "{name}: section2\n{}", r.to_text());
    for (a, b) in r.tables.section2.rows.iter().zip(&clean.tables.section2.rows) {
        assert_eq!((a.label.as_str(), &a.values), (b.label.as_str(), &b.values), "{name}");
    }
    assert!(!r.has_errors(), "{name}: {}", r.to_text());
}

fn transform(f: impl Fn(&str) -> String) -> String {
    CLEAN_2021.lines().map(|l| if is_table_line(l) { f(l) } else { l.to_string() }).collect::<Vec<_>>().join("\n")
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
}

#[test]
fn space_separated() {
    let t = transform(|l| l.replace('\t', " "));
    same_tables(&check(&t), "spaces");
}

#[test]
fn one_cell_per_line() {
    let t = transform(|l| l.split('\t').collect::<Vec<_>>().join("\n"));
    same_tables(&check(&t), "cell per line");
}

#[test]
fn markdown() {
    let t = transform(|l| {
        let cells: Vec<&str> = l.split('\t').collect();
        let sep = vec!["---"; cells.len()].join("|");
        if cells.iter().any(|c| numeric(c)) {
            format!("| {} |", cells.join(" | "))
        } else {
            format!("| {} |\n|{sep}|", cells.join(" | "))
        }
    });
    same_tables(&check(&t), "markdown");
}

#[test]
fn values_before_labels_and_split_labels() {
    // PDF style: for section 三 rows, values first, then the label; long labels split in two.
    let mut out = Vec::new();
    let mut in_s3 = false;
    for l in CLEAN_2021.lines() {
        if l.starts_with("三、收到") {
            in_s3 = true;
        }
        if l.starts_with("四、政府信息公开行政复议") {
            in_s3 = false;
        }
        let cells: Vec<&str> = l.split('\t').collect();
        let nums: Vec<&str> = cells.iter().copied().filter(|c| numeric(c)).collect();
        if in_s3 && nums.len() == 7 {
            let label: Vec<&str> = cells.iter().copied().filter(|c| !numeric(c)).collect();
            let label = label.join(" ");
            let chars: Vec<char> = label.chars().collect();
            if chars.len() > 24 {
                let (a, b) = chars.split_at(14);
                out.push(a.iter().collect::<String>());
                out.push(nums.join(" "));
                out.push(b.iter().collect::<String>());
            } else {
                out.push(nums.join(" "));
                out.push(label);
            }
        } else {
            out.push(l.replace('\t', " "));
        }
        // a page marker now and then
        if l.starts_with("2.重复申请") {
            out.push("- 3 -".to_string());
        }
    }
    same_tables(&check(&out.join("\n")), "values before labels");
}

#[test]
fn cells_run_together_in_label() {
    let t = transform(|l| {
        let cells: Vec<&str> = l.split('\t').collect();
        match cells.iter().position(|c| numeric(c)) {
            Some(p) if p > 0 => format!("{}{}", cells[..p].join(" "), cells[p..].join(" ")),
            _ => l.replace('\t', " "),
        }
    });
    same_tables(&check(&t), "label touching number");
}

fn html_page() -> String {
    let mut body = String::new();
    let mut rows = String::new();
    let spans = [("（三）不予公开", 8), ("（四）无法提供", 3), ("（五）不予处理", 5), ("（六）其他处理", 3)];
    for l in CLEAN_2021.lines() {
        if is_table_line(l) {
            let cells: Vec<&str> = l.split('\t').collect();
            rows.push_str("<tr>");
            for (i, c) in cells.iter().enumerate() {
                let span = spans.iter().find(|(g, _)| i == 0 && c == g).map(|(_, n)| *n);
                match span {
                    Some(n) => rows.push_str(&format!("<td rowspan=\"{n}\"><p><span>{c}</span></p></td>")),
                    None => rows.push_str(&format!("<td>{c}</td>")),
                }
            }
            rows.push_str("</tr>\n");
        } else {
            if !rows.is_empty() {
                body.push_str(&format!("<table border=\"1\"><tbody>{rows}</tbody></table>\n"));
                rows.clear();
            }
            body.push_str(&format!("<p style=\"text-indent:2em\">{l}</p>\n"));
        }
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>年报</title><script>var x='<p>一、总体情况</p>';</script></head>\
         <body><div class=\"nav\"><a href=\"/\">首页</a> &gt; <a>政府信息公开</a> &gt; 年度报告</div>\
         <div class=\"meta\">发布日期：2024-01-20 来源：示例县交通运输局</div>\
         <table width=\"100%\"><tr><td><div class=\"article\">{body}</div></td></tr></table>\
         <div class=\"footer\">版权所有：示例县人民政府 网站标识码：0000000000</div></body></html>"
    )
}

#[test]
fn html_with_site_navigation_and_rowspan() {
    let html = html_page();
    let r = check_bytes(html.as_bytes(), Some("report.html"), &CheckOptions::default()).unwrap();
    assert_eq!(r.input_kind, Some("html"));
    same_tables(&r, "html");
    assert_eq!(r.published.as_deref(), Some("2024-01-20"));
    assert_eq!(r.year, Some(2023));
    // Without a file name: sniffed.
    let r = check_bytes(html.as_bytes(), None, &CheckOptions::default()).unwrap();
    assert_eq!(r.input_kind, Some("html"));
}

#[test]
fn gbk_and_gb18030() {
    for enc in [encoding_rs::GBK, encoding_rs::GB18030] {
        let (bytes, _, _) = enc.encode(CLEAN_2021);
        let r = check_bytes(&bytes, Some("r.txt"), &CheckOptions::default()).unwrap();
        same_tables(&r, "gbk");
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
    }
    // GBK HTML page with a meta charset.
    let html = html_page().replace("utf-8", "gbk");
    let (bytes, _, _) = encoding_rs::GBK.encode(&html);
    let r = check_bytes(&bytes, None, &CheckOptions::default()).unwrap();
    same_tables(&r, "gbk html");
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn make_docx(text: &str) -> Vec<u8> {
    let mut body = String::new();
    let mut rows = String::new();
    for l in text.lines() {
        if is_table_line(l) {
            rows.push_str("<w:tr>");
            for c in l.split('\t') {
                rows.push_str(&format!("<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>", xml_escape(c)));
            }
            rows.push_str("</w:tr>");
        } else {
            if !rows.is_empty() {
                body.push_str(&format!("<w:tbl>{rows}</w:tbl>"));
                rows.clear();
            }
            body.push_str(&format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", xml_escape(l)));
        }
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn docx() {
    let bytes = make_docx(CLEAN_2021);
    let r = check_bytes(&bytes, Some("report.docx"), &CheckOptions::default()).unwrap();
    assert_eq!(r.input_kind, Some("docx"));
    same_tables(&r, "docx");
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

#[test]
fn traditional_one_cell_per_line() {
    let t = transform(|l| l.split('\t').collect::<Vec<_>>().join("\n"));
    let trad = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t).unwrap().convert(&t);
    let r = check(&trad);
    same_tables(&r, "traditional");
}
