//! Every finding code: one test that triggers it; the clean fixtures raise none.

mod common;
use common::*;
use gongkai_checker::{check_text, CheckOptions, Severity};

const ALL_CODES: &[&str] = &[
    "SECTION_MISSING", "SECTION_ORDER", "SECTION_EMPTY", "SECTION_NUMBERING", "SECTION_HEADING_VARIANT",
    "TITLE_MISSING", "SIGNATURE_MISSING", "FORMAT_VERSION_MISMATCH", "TABLE_MISSING", "TABLE_INCOMPLETE",
    "ROW_MISSING", "ROW_WIDTH", "VALUE_INVALID", "CELLS_RUN_TOGETHER", "LABEL_MISPRINT", "ARITH_C1",
    "ARITH_C2", "ARITH_C3", "ARITH_C4", "CARRYOVER_C5", "SIMILAR_TO_PREVIOUS", "TABLES_SAME_AS_PREVIOUS",
    "PREVIOUS_NOT_CONSECUTIVE", "S2_CONTINUITY", "NARRATIVE_SUM", "NARRATIVE_TABLE_MISMATCH", "NARRATIVE_TOTAL_TOO_SMALL", "DATE_LATE",
    "DATE_YEAR_MISMATCH", "DATE_MISSING_NIAN", "DATE_FUTURE", "DEBRIS_MARKUP", "DEBRIS_REPLACEMENT_CHAR",
    "DEBRIS_LOST_CHARS", "DEBRIS_PINYIN", "SCRIPT_MIXED", "SCRIPT_TRADITIONAL", "FEE_NOT_REPORTED",
    "INPUT_TRUNCATED", "TABLE_AMBIGUOUS", "BLANK_CELLS", "TEXT_TRUNCATED", "SECTION_NOT_REACHED",
];

/// A previous-year report that is consistent with the clean 2023 report and worded differently.
fn clean_previous() -> String {
    let p = CLEAN_2021.replace("2023", "2022").replace("2024年1月20日", "2023年1月18日");
    let p = replace(&p, "行政规范性文件	2	1	15", "行政规范性文件	1	0	14");
    let p = replace(
        &p,
        "2022年，示例县交通运输局认真落实《条例》要求，围绕群众关心的出行、道路建设和运输服务事项推进政务公开。",
        "本年度本局把公开工作同农村公路养护、客运站改造和货运安全检查结合起来，按季度梳理公开清单。",
    );
    let p = replace(&p, "一是政策解读形式较为单一；二是依申请公开答复文书还需进一步规范。下一步将丰富图解、视频等解读形式，组织业务培训，提升答复质量。", "基层站所信息报送不及时，栏目更新存在滞后。今后建立周报制度，由办公室每周检查栏目更新并通报。");
    let p = replace(&p, "（三）政府信息管理。坚持先审后发，对拟公开信息逐条进行保密审查。", "（三）政府信息管理。修订本局信息发布审核办法，明确三级审核流程。");
    let p = replace(&p, "（四）平台建设。在县政府门户网站政府信息公开专栏及时更新本局栏目。", "（四）平台建设。整合原有两个政务新媒体账号，统一由办公室运维。");
    let p = replace(&p, "（五）监督保障。将政务公开纳入年度工作考核，定期开展自查。", "（五）监督保障。聘请社会监督员两名，收集群众意见。");
    let p = replace(&p, "（一）主动公开。全年主动公开政府信息152条，其中机构职能3条，政策文件20条，工作动态129条。", "（一）主动公开。通过门户网站发布通知公告、项目信息和办事指南。");
    let p = replace(&p, "（二）依申请公开。全年共收到政府信息公开申请13件，均在法定期限内答复。", "（二）依申请公开。申请主要涉及征地补偿和道路规划。");
    let p = replace(&p, "本年度未发出收费通知，未收取信息处理费。", "全年未收取信息处理费。");
    // Different figures, carry-over of 1 (自然人) into 2023.
    let p = replace(&p, "一、本年新收政府信息公开申请数量	10	2	0	0	1	0	13", "一、本年新收政府信息公开申请数量	8	0	0	0	0	0	8");
    let p = replace(&p, "二、上年结转政府信息公开申请数量	1	0	0	0	0	0	1", "二、上年结转政府信息公开申请数量	0	0	0	0	0	0	0");
    let p = replace(&p, "（一）予以公开	5	1	0	0	1	0	7", "（一）予以公开	4	0	0	0	0	0	4");
    let p = replace(&p, "1.本机关不掌握相关政府信息	2	1	0	0	0	0	3", "1.本机关不掌握相关政府信息	0	0	0	0	0	0	0");
    let p = replace(&p, "（七）总计	10	2	0	0	1	0	13", "（七）总计	7	0	0	0	0	0	7");
    replace(&p, "1	0	0	0	1	0	0	0	1	1	0	0	0	0	0", "0	0	0	0	0	0	0	0	0	0	0	0	0	0	0")
}

fn with_previous(text: &str, prev: &str) -> gongkai_checker::CheckReport {
    check_text(text, &CheckOptions { previous: Some(prev.to_string()), today: None })
}

#[test]
fn clean_reports_raise_nothing() {
    for (name, text) in [("2021", CLEAN_2021), ("2019", CLEAN_2019)] {
        let r = check(text);
        assert!(r.findings.is_empty(), "{name}: {:#?}", r.findings);
        for code in ALL_CODES {
            assert!(!has(&r, code), "{name}: {code} raised on a clean report");
        }
    }
    // With a consistent, differently worded previous year: no comparison findings either.
    let prev = clean_previous();
    assert!(check(&prev).findings.is_empty(), "{:#?}", check(&prev).findings);
    let r = with_previous(CLEAN_2021, &prev);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    // With "today" after publication: no DATE_FUTURE.
    let d = chrono::NaiveDate::from_ymd_opt(2024, 6, 1);
    let r = check_text(CLEAN_2021, &CheckOptions { previous: None, today: d });
    assert!(r.findings.is_empty());
}

#[test]
fn clean_report_tables_read() {
    let r = check(CLEAN_2021);
    assert_eq!(r.agency.as_deref(), Some("示例县交通运输局"));
    assert_eq!(r.year, Some(2023));
    assert_eq!(r.published.as_deref(), Some("2024-01-20"));
    assert_eq!(r.format_version, Some("2021"));
    assert_eq!(r.sections.len(), 6);
    assert_eq!(r.tables.section3.len(), 25);
    assert_eq!(row(&r, "（七）总计").unwrap(), vec![Some(10), Some(2), Some(0), Some(0), Some(1), Some(0), Some(13)]);
    assert_eq!(r.tables.section4.len(), 15);
    assert_eq!(r.tables.section2.rows.len(), 6);
    let json = serde_json::to_value(&r).unwrap();
    for key in ["agency", "year", "published", "format_version", "sections", "tables", "findings"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["tables"]["section3"][4]["label"], "不予公开/1.属于国家秘密");
    assert_eq!(json["tables"]["section3"][4]["values"].as_array().unwrap().len(), 7);
    let r = check(CLEAN_2019);
    assert_eq!(r.format_version, Some("2019"));
    assert_eq!(r.tables.section3.len(), 23);
    assert!(r.tables.section3_row("（六）其他处理").is_some());
    assert_eq!(r.tables.section2.rows.len(), 8);
}

fn trig(text: &str, code: &str) -> gongkai_checker::CheckReport {
    let r = check(text);
    assert!(has(&r, code), "{code} not raised; got {:#?}", r.findings);
    r
}

const S5: &str = "五、存在的主要问题及改进情况\n一是政策解读形式较为单一；二是依申请公开答复文书还需进一步规范。下一步将丰富图解、视频等解读形式，组织业务培训，提升答复质量。\n";
const S6: &str = "六、其他需要报告的事项\n本年度未发出收费通知，未收取信息处理费。\n";

#[test]
fn section_findings() {
    let r = trig(&replace(CLEAN_2021, S5, ""), "SECTION_MISSING");
    assert_eq!(r.with_code("SECTION_MISSING").next().unwrap().location.section, Some(5));
    let swapped = replace(CLEAN_2021, &format!("{S5}{S6}"), &format!("{S6}{S5}"));
    trig(&swapped, "SECTION_ORDER");
    let empty = replace(CLEAN_2021, S5, "五、存在的主要问题及改进情况\n");
    let r = trig(&empty, "SECTION_EMPTY");
    assert_eq!(r.with_code("SECTION_EMPTY").next().unwrap().severity, Severity::Error);
    trig(&replace(CLEAN_2021, "五、存在的主要问题及改进情况", "七、存在的主要问题及改进情况"), "SECTION_NUMBERING");
    trig(&replace(CLEAN_2021, "五、存在的主要问题及改进情况", "五、存在问题及改进措施"), "SECTION_HEADING_VARIANT");
}

#[test]
fn title_and_signature() {
    trig(&replace(CLEAN_2021, "示例县交通运输局\n2023年政府信息公开工作年度报告\n", ""), "TITLE_MISSING");
    trig(&replace(CLEAN_2021, "示例县交通运输局\n2024年1月20日\n", ""), "SIGNATURE_MISSING");
}

#[test]
fn format_version() {
    // A 2023 report with the 2019 trial tables.
    let r = trig(&CLEAN_2019.replace("2020", "2023").replace("2021年1月20日", "2024年1月20日"), "FORMAT_VERSION_MISMATCH");
    assert!(r.findings.iter().filter(|f| f.code == "FORMAT_VERSION_MISMATCH").count() >= 2);
    // A 2020 report with the 2021 tables.
    trig(&CLEAN_2021.replace("2023", "2020").replace("2024年1月20日", "2021年1月20日"), "FORMAT_VERSION_MISMATCH");
}

#[test]
fn table_findings() {
    let s4 = "1	0	0	0	1	0	0	0	1	1	0	0	0	0	0";
    let r = trig(&replace(CLEAN_2021, &format!("{s4}\n"), "本年度共发生行政复议1件。\n"), "TABLE_MISSING");
    assert_eq!(r.with_code("TABLE_MISSING").next().unwrap().location.section, Some(4));
    trig(&replace(CLEAN_2021, s4, "1	0	0	0	1	0	0	0	1	1	0	0	0	0"), "TABLE_INCOMPLETE");
    let r = trig(&replace(CLEAN_2021, "2.重复申请	0	0	0	0	0	0	0\n", ""), "ROW_MISSING");
    assert_eq!(r.with_code("ROW_MISSING").next().unwrap().location.row.as_deref(), Some("不予处理/2.重复申请"));
    trig(&replace(CLEAN_2021, "2.重复申请	0	0	0	0	0	0	0", "2.重复申请	0	0	0	0	0	0"), "ROW_WIDTH");
    trig(&replace(CLEAN_2021, "行政强制	2", "行政强制	2.5"), "VALUE_INVALID");
    trig(&replace(CLEAN_2021, "7.属于行政执法案卷	0	0	0	0	0	0	0", "7.属于行政执法案卷	-1	0	0	0	0	0	-1"), "VALUE_INVALID");
    let r = trig(&replace(CLEAN_2021, "（一）予以公开	5	1	0	0	1	0	7", "（一）予以公开	5100107"), "CELLS_RUN_TOGETHER");
    assert_eq!(row(&r, "（一）予以公开").unwrap()[6], Some(7));
    assert!(!r.has_errors(), "{:#?}", r.findings);
    trig(&replace(CLEAN_2021, "2.其他法律行政法规禁止公开", "2.其他法律行政止公开"), "LABEL_MISPRINT");
}

#[test]
fn arithmetic() {
    let r = trig(
        &replace(CLEAN_2021, "四、结转下年度继续办理	1	0	0	0	0	0	1", "四、结转下年度继续办理	2	0	0	0	0	0	2"),
        "ARITH_C1",
    );
    let f = r.with_code("ARITH_C1").next().unwrap();
    assert_eq!(f.location.column.as_deref(), Some("自然人"));
    assert!(f.message.contains("12") && f.message.contains("11"), "{}", f.message);
    let r = trig(&replace(CLEAN_2021, "行政许可	120", "行政许可	120").replace("一、本年新收政府信息公开申请数量	10	2	0	0	1	0	13", "一、本年新收政府信息公开申请数量	10	2	0	0	1	0	14"), "ARITH_C2");
    let f = r.with_code("ARITH_C2").next().unwrap();
    assert!(f.message.contains("14") && f.message.contains("13"));
    let r = trig(&replace(CLEAN_2021, "（一）予以公开	5	1	0	0	1	0	7", "（一）予以公开	6	1	0	0	1	0	8"), "ARITH_C3");
    let f = r.with_code("ARITH_C3").next().unwrap();
    assert!(f.message.contains("11"), "{}", f.message); // sum 11 vs total 10
    let r = trig(
        &replace(CLEAN_2021, "1	0	0	0	1	0	0	0	1	1	0	0	0	0	0", "1	0	0	0	2	0	0	0	1	1	0	0	0	0	0"),
        "ARITH_C4",
    );
    assert_eq!(r.with_code("ARITH_C4").next().unwrap().location.row.as_deref(), Some("行政复议"));
}

#[test]
fn previous_year() {
    let prev = clean_previous();
    let bad = replace(&prev, "四、结转下年度继续办理	1	0	0	0	0	0	1", "四、结转下年度继续办理	3	0	0	0	0	0	3");
    let bad = replace(&bad, "（七）总计	7	0	0	0	0	0	7", "（七）总计	5	0	0	0	0	0	5");
    let bad = replace(&bad, "（一）予以公开	4	0	0	0	0	0	4", "（一）予以公开	2	0	0	0	0	0	2");
    let r = with_previous(CLEAN_2021, &bad);
    assert!(has(&r, "CARRYOVER_C5"), "{:#?}", r.findings);
    // Same text one year on: 雷同, same tables, 现行有效 continuity off by one.
    let copy = CLEAN_2021.replace("2023", "2022").replace("2024年1月20日", "2023年1月20日");
    let r = with_previous(CLEAN_2021, &copy);
    assert!(has(&r, "SIMILAR_TO_PREVIOUS"), "{:#?}", r.findings);
    assert!(has(&r, "TABLES_SAME_AS_PREVIOUS"));
    assert!(has(&r, "S2_CONTINUITY"));
    let old = prev.replace("2022", "2021");
    let r = with_previous(CLEAN_2021, &old);
    assert!(has(&r, "PREVIOUS_NOT_CONSECUTIVE"));
}

#[test]
fn narrative() {
    let r = trig(&replace(CLEAN_2021, "政府信息152条", "政府信息150条"), "NARRATIVE_SUM");
    assert_eq!(r.breakdowns.len(), 1);
    assert!(!r.breakdowns[0].consistent);
    trig(&replace(CLEAN_2021, "收到政府信息公开申请13件", "收到政府信息公开申请17件"), "NARRATIVE_TABLE_MISMATCH");
    trig(&replace(CLEAN_2021, "行政规范性文件	2	1	15", "行政规范性文件	160	1	173"), "NARRATIVE_TOTAL_TOO_SMALL");
}

#[test]
fn dates() {
    let r = trig(&replace(CLEAN_2021, "2024年1月20日", "2024年2月20日"), "DATE_LATE");
    assert_eq!(r.with_code("DATE_LATE").next().unwrap().severity, Severity::Error);
    trig(&replace(CLEAN_2021, "自2023年1月1日起至2023年12月31日止", "自2022年1月1日起至2022年12月31日止"), "DATE_YEAR_MISMATCH");
    trig(&replace(CLEAN_2021, "2024年1月20日", "2023年11月20日"), "DATE_YEAR_MISMATCH");
    trig(&replace(CLEAN_2021, "定期开展自查。", "于20231月5日开展自查。"), "DATE_MISSING_NIAN");
    let r = check_text(CLEAN_2021, &CheckOptions { previous: None, today: chrono::NaiveDate::from_ymd_opt(2024, 1, 10) });
    assert!(has(&r, "DATE_FUTURE"));
}

#[test]
fn debris() {
    trig(&replace(CLEAN_2021, "定期开展自查。", "定期开展自查。</span>"), "DEBRIS_MARKUP");
    trig(&replace(CLEAN_2021, "定期开展自查。", "定期开展自&nbsp;查。"), "DEBRIS_MARKUP");
    trig(&replace(CLEAN_2021, "定期开展自查。", "定期开展\u{FFFD}查。"), "DEBRIS_REPLACEMENT_CHAR");
    trig(&replace(CLEAN_2021, "定期开展自查。", "定期开展??查。"), "DEBRIS_LOST_CHARS");
    trig(&replace(CLEAN_2021, "推进政务公开。", "推进政务公开(gōng kāi)。"), "DEBRIS_PINYIN");
}

fn s2t(s: &str) -> String {
    ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t).unwrap().convert(s)
}

#[test]
fn scripts() {
    // Whole report in Traditional script: read exactly like the Simplified one.
    let trad = s2t(CLEAN_2021);
    assert_ne!(trad, CLEAN_2021);
    let r = check(&trad);
    assert_eq!(codes(&r), vec!["SCRIPT_TRADITIONAL"], "{:#?}", r.findings);
    assert_eq!(r.tables, check(CLEAN_2021).tables);
    assert_eq!(r.agency.as_deref(), Some("示例县交通运输局"));
    // Half converted.
    let cut = CLEAN_2021.find("二、主动公开").unwrap();
    let mixed = format!("{}{}", s2t(&CLEAN_2021[..cut]), &CLEAN_2021[cut..]);
    trig(&mixed, "SCRIPT_MIXED");
}

#[test]
fn fee_and_truncation() {
    trig(&replace(CLEAN_2021, "本年度未发出收费通知，未收取信息处理费。", "无其他需要报告的事项。"), "FEE_NOT_REPORTED");
    let mut big = CLEAN_2021.to_string();
    while big.len() <= gongkai_checker::MAX_TEXT_CHARS {
        big.push_str("本局持续推进政务公开工作，加强队伍建设。\n");
    }
    trig(&big, "INPUT_TRUNCATED");
}

#[test]
fn every_code_is_tested() {
    // Guard: the list above names each code the crate can emit (grep of the source).
    let src = [
        include_str!("../src/checks.rs"),
        include_str!("../src/checks/check_tables.rs"),
        include_str!("../src/checks/narrative.rs"),
        include_str!("../src/checks/dates.rs"),
        include_str!("../src/checks/previous.rs"),
        include_str!("../src/input.rs"),
        include_str!("../src/damage.rs"),
        include_str!("../src/repair.rs"),
        include_str!("../src/codes.rs"),
    ]
    .concat();
    for code in ALL_CODES {
        assert!(src.contains(&format!("\"{code}\"")), "{code} not in source");
    }
    let mut emitted = Vec::new();
    for part in src.split('"').skip(1).step_by(2) {
        if part.len() > 4 && part.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()) && part.contains('_') && !part.starts_with("GONGKAI_") {
            emitted.push(part.to_string());
        }
    }
    for e in emitted {
        assert!(ALL_CODES.contains(&e.as_str()), "code {e} has no test entry");
    }
    // Every code has a Chinese name and advice, and a row in the README table.
    let readme = include_str!("../README.md");
    for code in ALL_CODES {
        let info = gongkai_checker::code_info(code).unwrap_or_else(|| panic!("{code} has no name"));
        assert!(!info.name.is_empty() && !info.advice.is_empty());
        assert!(readme.contains(&format!("| {code} |")) || readme.contains(&format!("{code} …")), "{code} not in README");
        assert!(readme.contains(info.name), "{code}: name {} not in README", info.name);
    }
}
