//! The invented damaged samples of `tests/data/wild-forms/` (a copy of the project's
//! `shared/data/wild-forms/`, see its README) are read as their README says.

mod common;
use common::*;
use gongkai_checker::{CheckReport, Severity, Value};

fn wild(name: &str) -> CheckReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wild-forms").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&text)
}

fn ints(v: &[i64]) -> Vec<Option<i64>> {
    v.iter().map(|x| Some(*x)).collect()
}

fn s2(r: &CheckReport, label: &str) -> Vec<Value> {
    r.tables.section2_row(label).unwrap_or_else(|| panic!("{label} not read: {}", r.to_text())).to_vec()
}

/// Errors that would be false readings (the samples are consistent where they have figures).
fn no_false_errors(r: &CheckReport) {
    for f in &r.findings {
        assert!(
            !matches!(f.code, "ARITH_C1" | "ARITH_C2" | "ARITH_C3" | "ARITH_C4" | "ROW_WIDTH" | "VALUE_INVALID" | "SECTION_EMPTY" | "TABLE_MISSING" | "TABLE_INCOMPLETE"),
            "false error {}: {}\n{}",
            f.code,
            f.message,
            r.to_text()
        );
    }
}

#[test]
fn a_one_line() {
    let r = wild("A.txt");
    let nums: Vec<u8> = r.sections.iter().map(|s| s.number).collect();
    assert_eq!(nums, vec![1, 2, 3, 4, 5, 6], "{}", r.to_text());
    assert!(!has(&r, "SECTION_MISSING"));
    assert_eq!(s2(&r, "规章"), vec![Value::Int(0); 3]);
    assert_eq!(row(&r, "一、本年新收政府信息公开申请数量"), Some(ints(&[1, 0, 0, 0, 0, 0, 1])));
    assert_eq!(r.tables.section4, vec![Value::Int(0); 15]);
    assert_eq!((r.agency.as_deref(), r.year), (Some("青禾县云溪镇人民政府"), Some(2023)));
    no_false_errors(&r);
}

#[test]
fn b_run_together() {
    let r = wild("B.txt");
    assert_eq!(row(&r, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), Some(ints(&[2, 0, 0, 0, 0, 0, 2])));
    assert_eq!(row(&r, "不予公开/1.属于国家秘密"), Some(ints(&[0; 7])));
    assert_eq!(row(&r, "不予公开/2.其他法律行政法规禁止公开"), Some(ints(&[0; 7])));
    // 121000013: both readings listed, none guessed.
    let amb: Vec<_> = r.with_code("TABLE_AMBIGUOUS").collect();
    assert_eq!(amb.len(), 1, "{}", r.to_text());
    assert!(amb[0].message.contains("12、1、0、0、0、0、13") && amb[0].message.contains("1、2、10、0、0、0、13"), "{}", amb[0].message);
    let v = r.tables.section3_row("（一）予以公开").unwrap();
    assert!(v[0].is_blank() && v[1].is_blank() && v[2].is_blank() && v[6] == Value::Int(13));
    no_false_errors(&r);
}

#[test]
fn b_in_a_whole_report_the_column_identities_decide() {
    // The clean report with 予以公开 = 12,1,0,0,0,0,13 written without separators: only the
    // reading 12,1,… satisfies C1 and C3, so the checker settles it.
    let t = CLEAN_2021
        .replace("一、本年新收政府信息公开申请数量\t10\t2\t0\t0\t1\t0\t13", "一、本年新收政府信息公开申请数量\t17\t2\t0\t0\t0\t0\t19")
        .replace("三、本年度办理结果\t（一）予以公开\t5\t1\t0\t0\t1\t0\t7", "三、本年度办理结果\n（一）予以公开121000013")
        .replace("（七）总计\t10\t2\t0\t0\t1\t0\t13", "（七）总计\t17\t2\t0\t0\t0\t0\t19");
    let r = check(&t);
    assert_eq!(row(&r, "（一）予以公开"), Some(ints(&[12, 1, 0, 0, 0, 0, 13])), "{}", r.to_text());
    assert!(!has(&r, "TABLE_AMBIGUOUS"));
    assert!(has(&r, "CELLS_RUN_TOGETHER"));
}

#[test]
fn c_lone_pipes() {
    let r = wild("C.txt");
    assert_eq!(s2(&r, "规章"), vec![Value::Int(0), Value::Int(0), Value::Int(3)]);
    no_false_errors(&r);
}

#[test]
fn d_padding_and_blanks() {
    let r = wild("D.txt");
    assert_eq!(s2(&r, "行政许可"), vec![Value::Int(37)]);
    assert_eq!(row(&r, "一、本年新收政府信息公开申请数量"), Some(ints(&[6, 1, 0, 0, 0, 0, 7])));
    no_false_errors(&r);
    let r = wild("D2.txt");
    let v = r.tables.section3_row("（二）部分公开（区分处理的，只计这一情形，不计其他情形）").unwrap();
    assert_eq!(v[0], Value::Int(3));
    assert_eq!(r.with_code("BLANK_CELLS").count(), 1, "{}", r.to_text());
    no_false_errors(&r);
}

#[test]
fn e_cut_mid_table() {
    let r = wild("E.txt");
    assert_eq!(row(&r, "一、本年新收政府信息公开申请数量"), Some(ints(&[2, 0, 0, 0, 0, 0, 2])));
    let v = r.tables.section3_row("二、上年结转政府信息公开申请数量").unwrap();
    assert_eq!(&v[..3], &[Value::Int(0); 3]);
    assert_eq!(r.with_code("TEXT_TRUNCATED").count(), 1);
    assert!(!r.findings.iter().any(|f| f.code == "ROW_MISSING"), "{}", r.to_text());
    no_false_errors(&r);
    let r = wild("E2.txt");
    assert_eq!(s2(&r, "行政许可"), vec![Value::Int(12), Value::Int(-3), Value::Int(40)]);
    assert_eq!(r.format_version, Some("2019"));
    no_false_errors(&r);
}

#[test]
fn f_pinyin() {
    let r = wild("F.txt");
    assert!(has(&r, "DEBRIS_PINYIN"));
    assert_eq!(s2(&r, "规章"), vec![Value::Int(0); 3]);
    assert_eq!(r.year, Some(2023));
    assert!(r.agency.as_deref().is_some_and(|a| a.contains("云溪镇")), "{:?}", r.agency);
    no_false_errors(&r);
}

#[test]
fn g_truncated() {
    let r = wild("G.txt");
    let t: Vec<_> = r.with_code("TEXT_TRUNCATED").collect();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].location.line, Some(12));
    assert!(!has(&r, "SECTION_MISSING"));
    assert_eq!(r.with_code("SECTION_NOT_REACHED").count(), 3);
    assert!(r.with_code("SECTION_NOT_REACHED").all(|f| f.severity == Severity::Info));
    assert!(!r.has_errors(), "{}", r.to_text());
}

#[test]
fn h_older_headings() {
    let r = wild("H.txt");
    assert_eq!(r.sections.first().map(|s| s.number), Some(1));
    assert!(r.with_code("SECTION_HEADING_VARIANT").any(|f| f.message.contains("旧格式")));
    assert_eq!(r.year, Some(2019));
}

#[test]
fn i_headings_and_titles() {
    let r = wild("I1.txt");
    assert!(r.sections.iter().any(|s| s.number == 2), "{}", r.to_text());
    assert_eq!(s2(&r, "规章"), vec![Value::Int(0); 3]);
    let r = wild("I2.txt");
    assert_eq!(r.year, Some(2023));
    let r = wild("I3.txt");
    assert_eq!((r.agency.as_deref(), r.year), (Some("青禾县云溪镇人民政府"), Some(2023)));
    assert!(!has(&r, "TITLE_MISSING"));
}

#[test]
fn j_units() {
    let r = wild("J.txt");
    assert_eq!(s2(&r, "行政事业性收费"), vec![Value::Dec(1.25)]);
    no_false_errors(&r);
}

#[test]
fn k_kangxi() {
    let r = wild("K.txt");
    let nums: Vec<u8> = r.sections.iter().map(|s| s.number).collect();
    assert_eq!(nums, vec![1, 2]);
    assert_eq!((r.agency.as_deref(), r.year), (Some("青禾县云溪镇人民政府"), Some(2023)));
    assert!(!r.has_errors(), "{}", r.to_text());
}

#[test]
fn l_wrapped_label() {
    let r = wild("L.txt");
    assert_eq!(
        row(&r, "其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        Some(ints(&[1, 0, 0, 0, 0, 0, 1]))
    );
    no_false_errors(&r);
}
