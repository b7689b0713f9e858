//! The seed report and the three real reports in ../shared (skipped, saying so, when absent).

mod common;
use common::*;
use gongkai_checker::{check_bytes, CheckOptions};
use std::fs;

#[test]
fn seed_report() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("seed");
    let Ok(entries) = fs::read_dir(&dir) else {
        eprintln!("SKIPPED: {} is absent", dir.display());
        return;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let bytes = fs::read(e.path()).unwrap();
        let r = check_bytes(&bytes, e.path().to_str(), &CheckOptions::default()).unwrap();
        n += 1;
        // Sections 二、三、四 are headings without content: errors.
        let empty: Vec<u8> = r.with_code("SECTION_EMPTY").filter_map(|f| f.location.section).collect();
        assert_eq!(empty, vec![2, 3, 4], "{}", r.to_text());
        assert!(r.with_code("SECTION_EMPTY").all(|f| f.severity == gongkai_checker::Severity::Error));
        for s in &r.sections {
            assert_eq!(s.empty, [2, 3, 4].contains(&s.number));
        }
        // Markup debris found.
        assert!(has(&r, "DEBRIS_MARKUP"), "{}", r.to_text());
        // The 66-item breakdown is found and consistent.
        let b = r.breakdowns.iter().find(|b| b.total == 66).expect("66-item breakdown");
        assert!(b.consistent);
        assert_eq!(b.parts.iter().sum::<i64>(), 66);
        assert!(!has(&r, "NARRATIVE_SUM"));
        // Published 2024-01-17, within the deadline.
        assert_eq!(r.published.as_deref(), Some("2024-01-17"));
        assert!(!has(&r, "DATE_LATE"));
        assert_eq!(r.year, Some(2023));
        assert!(has(&r, "SCRIPT_TRADITIONAL"));
        assert!(r.agency.as_deref().is_some_and(|a| a.contains("源潭镇")));
    }
    assert!(n > 0, "no seed report found");
}

fn label_for(key: &str) -> Option<String> {
    Some(
        match key {
            "本年新收" => "一、本年新收政府信息公开申请数量",
            "上年结转" => "二、上年结转政府信息公开申请数量",
            "予以公开" => "（一）予以公开",
            "部分公开" => "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "总计" => "（七）总计",
            "结转下年度" => "四、结转下年度继续办理",
            "其他处理" => "（六）其他处理",
            _ => return None,
        }
        .to_string(),
    )
}

#[test]
fn real_reports() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("data/real-reports");
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} is absent", dir.display());
        return;
    }
    for id in ["048", "049", "050"] {
        let text = fs::read_to_string(dir.join(format!("{id}.txt"))).unwrap();
        let exp: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join(format!("{id}.expected.json"))).unwrap()).unwrap();
        let r = check(&text);
        assert_eq!(r.year, exp["report_year"].as_i64().map(|y| y as i32), "{id}");
        assert_eq!(r.sections.len(), 6, "{id}");
        // Section 三.
        for (key, vals) in exp["section3"].as_object().unwrap() {
            let want: Vec<Option<i64>> = vals.as_array().unwrap().iter().map(|v| v.as_i64()).collect();
            let got = match label_for(key) {
                Some(l) => row(&r, &l),
                None => {
                    let (group, tail) = key.split_once('_').unwrap();
                    r.tables
                        .section3
                        .iter()
                        .find(|x| {
                            x.label.starts_with(&format!("{group}/"))
                                && x.label.rsplit('/').next().unwrap_or("").replace(['“', '”'], "").contains(tail)
                        })
                        .map(|x| x.values.iter().map(|v| v.as_i64()).collect())
                }
            };
            assert_eq!(got.as_ref(), Some(&want), "{id} section3 {key}");
        }
        // Section 四.
        let want4: Vec<Option<i64>> = exp["section4"].as_array().unwrap().iter().map(|v| v.as_i64()).collect();
        let got4: Vec<Option<i64>> = r.tables.section4.iter().map(|v| v.as_i64()).collect();
        assert_eq!(got4, want4, "{id} section4");
        // Section 二.
        let s2 = &exp["section2"];
        for label in ["规章", "行政规范性文件"] {
            let want: Vec<f64> = ["本年制发件数", "本年废止件数", "现行有效件数"].iter().map(|k| s2[label][k].as_f64().unwrap()).collect();
            let got: Vec<f64> = r.tables.section2_row(label).unwrap().iter().map(|v| v.or_zero()).collect();
            assert_eq!(got, want, "{id} section2 {label}");
        }
        for (label, key) in [("行政许可", "行政许可"), ("行政处罚", "行政处罚"), ("行政强制", "行政强制"), ("行政事业性收费", "行政事业性收费_万元")] {
            let got = r.tables.section2_row(label).unwrap()[0].or_zero();
            assert_eq!(got, s2[key].as_f64().unwrap(), "{id} section2 {label}");
        }
        // Known defects.
        match id {
            "048" => {
                assert!(!r.has_errors(), "{}", r.to_text());
                assert!(!has(&r, "NARRATIVE_TABLE_MISMATCH") && !has(&r, "NARRATIVE_SUM"));
            }
            "049" => {
                let c4: Vec<&str> = r.with_code("ARITH_C4").filter_map(|f| f.location.row.as_deref()).collect();
                assert_eq!(c4, vec!["行政复议", "行政诉讼/复议后起诉"], "{}", r.to_text());
                assert!(r.with_code("ARITH_C4").any(|f| f.message.contains("11")));
                assert!(has(&r, "FORMAT_VERSION_MISMATCH"));
                assert!(has(&r, "LABEL_MISPRINT"));
                assert!(!has(&r, "NARRATIVE_TABLE_MISMATCH"));
            }
            "050" => {
                let f = r.with_code("NARRATIVE_TABLE_MISMATCH").next().expect("17 vs 95");
                assert!(f.message.contains("17") && f.message.contains("95"));
                assert!(has(&r, "FORMAT_VERSION_MISMATCH"));
                assert!(has(&r, "LABEL_MISPRINT"));
                assert!(!has(&r, "ARITH_C4") && !has(&r, "ARITH_C1") && !has(&r, "ARITH_C3"));
            }
            _ => unreachable!(),
        }
    }
}
