//! The SVG charts: standalone, accessible, with the numbers printed.

mod common;

use gongkai_report_export::{charts, Script};
use quick_xml::events::Event;

/// The text content of every `<text>` element; panics if the SVG is not well-formed XML.
fn texts(svg: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == b"text" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"text" => in_text = false,
            Ok(Event::Text(t)) if in_text => out.push(t.decode().expect("text").into_owned()),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("SVG not well-formed: {e}\n{svg}"),
        }
    }
    out
}

fn assert_accessible(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title id=") && svg.contains("<desc id="));
    assert!(!svg.contains("style=") && !svg.contains("<script"));
}

#[test]
fn categories_chart_labels_every_published_column_with_its_count() {
    let r = common::sample();
    let svg = charts::categories(&r, Script::Hans);
    assert_accessible(&svg);
    let t = texts(&svg);
    for (name, n) in [("通知公告", "30"), ("政策文件", "12"), ("政务动态", "10")] {
        assert!(t.iter().any(|x| x == name), "{name}");
        assert!(t.iter().any(|x| x == n), "{n}");
    }
    assert!(!t.iter().any(|x| x == "规划计划"), "columns with nothing published are left out");
    assert!(svg.contains("共主动公开政府信息66条"));
    let hant = charts::categories(&r, Script::Hant);
    assert!(texts(&hant).iter().any(|x| x == "通知公告"));
    assert!(hant.contains("政務動態"));
}

#[test]
fn outcomes_chart_shows_result_rows_with_applications() {
    let r = common::sample();
    let svg = charts::outcomes(&r, Script::Hans);
    assert_accessible(&svg);
    let t = texts(&svg);
    assert!(t.contains(&"（一）予以公开".to_string()));
    assert!(t.contains(&"（二）部分公开".to_string()));
    assert!(t.contains(&"不予公开：4.保护第三方合法权益".to_string()));
    assert!(t.contains(&"3".to_string()));
    assert_eq!(svg.matches("<rect").count(), 1 + 4, "background and four bars");
    assert!(!t.iter().any(|x| x.contains("总计")));
}

#[test]
fn outcomes_chart_says_so_when_there_were_no_applications() {
    let svg = charts::outcomes(&common::blank(2024), Script::Hans);
    assert_accessible(&svg);
    assert!(texts(&svg).contains(&"本年度无政府信息公开申请".to_string()));
    let hant = charts::outcomes(&common::blank(2024), Script::Hant);
    assert!(texts(&hant).contains(&"本年度無政府信息公開申請".to_string()));
}

#[test]
fn trend_chart_has_one_group_per_year_in_order() {
    let mut earlier = common::sample();
    earlier.year = 2022;
    earlier.figures.items_published = 41;
    let reports = [common::sample(), earlier, common::sample_2019()];
    let svg = charts::trend(&reports, Script::Hans);
    assert_accessible(&svg);
    let t = texts(&svg);
    let years: Vec<&String> = t.iter().filter(|x| x.ends_with('年') && x.len() == 7).collect();
    assert_eq!(years, ["2020年", "2022年", "2023年"]);
    for n in ["66", "41", "6", "3", "1"] {
        assert!(t.iter().any(|x| x == n), "{n}");
    }
    assert!(svg.contains("2023年：主动公开信息66条，收到申请6件，行政复议和诉讼1件"));
    assert!(svg.contains("2020—2023年政府信息公开工作情况"));
    let empty = charts::trend(&[], Script::Hans);
    assert_accessible(&empty);
    assert!(texts(&empty).contains(&"暂无年度报告".to_string()));
}
