//! Generation and validation together: reports generated from records pass every check, and
//! each check fires on the defect it names.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::annual_report::validate::{validate, Finding, Severity, ValidationContext};
use crate::appeal::{AppealKind, AppealRecord, AppealResult};
use crate::application::{ApplicantKind, CaseRecord, OrgType, Outcome};
use crate::calendar::Calendar;
use crate::model::{CatalogKind, DocType, OrgLevel, Validity};
use crate::report_format::{CellKind, RowRole};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

/// The seed's 2023 breakdown (its section 一 lists these 11 columns and counts).
pub(crate) const SEED_2023: [(&str, u64); 11] = [
    ("机构概况", 1),
    ("领导分工", 1),
    ("内设机构", 1),
    ("规章文件", 3),
    ("总结报告计划", 3),
    ("资金信息", 3),
    ("镇动态信息", 34),
    ("通知公告", 16),
    ("人事任免信息", 2),
    ("信息公开指南", 1),
    ("信息公开年报", 1),
];

fn town() -> ReportOrg {
    ReportOrg { id: 1, name: "清远市清城区源潭镇人民政府".into(), code: String::new(), level: OrgLevel::Township }
}

fn item(category: &str, published: NaiveDate) -> PublishedRecord {
    PublishedRecord {
        category: category.into(),
        kind: match category {
            "信息公开指南" => CatalogKind::Guide,
            "信息公开年报" => CatalogKind::AnnualReport,
            _ => CatalogKind::Normal,
        },
        doc_type: DocType::Other,
        formed: published,
        published,
        validity: Validity::Valid,
        validity_date: None,
    }
}

fn seed_inputs() -> ReportInputs {
    let mut items = Vec::new();
    for (i, (category, n)) in SEED_2023.iter().enumerate() {
        for k in 0..*n {
            items.push(item(category, d(2023, 1 + (i as u32 % 12), 1 + (k as u32 % 28))));
        }
    }
    // Items of other years do not count.
    items.push(item("通知公告", d(2022, 12, 30)));
    items.push(item("通知公告", d(2024, 1, 2)));
    ReportInputs {
        year: 2023,
        organisation: town(),
        portal_name: portal_name("清远市清城区源潭镇人民政府", Some("清远市清城区人民政府")),
        categories: SEED_2023.iter().map(|(c, _)| c.to_string()).collect(),
        items,
        entered: EnteredFigures::new(),
        cases: Vec::new(),
        late_replies: 0,
        appeals: Vec::new(),
        fee_notices: 0,
        fees_noticed_fen: 0,
        fees_collected_fen: 0,
        art44: Default::default(),
    }
}

fn ctx(today: NaiveDate) -> ValidationContext<'static> {
    ValidationContext { previous: None, today, deadline: d(2024, 1, 31), first_published: None }
}

fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| f.severity == Severity::Error).collect()
}

#[test]
fn seed_town_2023_states_the_seed_figures() {
    let r = generate(&seed_inputs(), &Calendar::official());
    assert_eq!(r.title, "清远市清城区源潭镇人民政府2023年政府信息公开工作年度报告");
    assert_eq!(r.figures.items_published, 66);
    assert!(r.section1.contains(
        "2023年，我镇通过区政府门户网站公开政府信息66条，其中机构概况1条、领导分工1条、内设机构1条、规章文件3条、\
         总结报告计划3条、资金信息3条、镇动态信息34条、通知公告16条、人事任免信息2条、信息公开指南1条、信息公开年报1条。"
    ), "{}", r.section1);
    assert!(r.section1.contains("2023年，我镇收到政府信息公开申请0件。"));
    assert!(r.section1.contains("未发生因政府信息公开引起的行政复议、行政诉讼案件"));
    assert!(r.section6.contains("未收取信息处理费"));
    assert!(r.section3.iter().all(|row| row.cells == [0; 7]));
    assert_eq!(r.section4, [0; 15]);
    assert_eq!(r.section3.len(), 25);
    let findings = validate(&r, &ctx(d(2024, 1, 10)));
    assert!(errors(&findings).is_empty(), "{findings:?}");
    // The section 二 figures from other systems were not entered: a warning each (4 cells).
    assert_eq!(findings.iter().filter(|f| f.code == "UNENTERED").count(), 4);
    assert!(findings.iter().any(|f| f.code == "DRAFT_PROMPT"));
}

#[test]
fn each_check_fires() {
    let base = generate(&seed_inputs(), &Calendar::official());
    let codes = |r: &AnnualReport, today: NaiveDate| -> Vec<&'static str> {
        validate(r, &ctx(today)).into_iter().map(|f| f.code).collect()
    };
    let today = d(2024, 1, 10);

    let mut r = base.clone();
    if let Some(row) = r.section3.iter_mut().find(|x| x.role == RowRole::Received) {
        row.cells = [1, 0, 0, 0, 0, 0, 1];
    }
    let c = codes(&r, today);
    assert!(c.contains(&"C1") && !c.contains(&"C2"), "{c:?}");

    let mut r = base.clone();
    r.section3[2].cells[6] = 5;
    let c = codes(&r, today);
    assert!(c.contains(&"C2") && c.contains(&"C3"), "{c:?}");

    let mut r = base.clone();
    r.section4[0] = 1;
    assert!(codes(&r, today).contains(&"C4"));

    let mut r = base.clone();
    r.section1 = r.section1.replace("公开政府信息66条", "公开政府信息65条");
    let f = validate(&r, &ctx(today));
    let m = f.iter().find(|f| f.code == "NARRATIVE_FIGURE").map(|f| f.message.clone()).unwrap_or_default();
    assert!(m.contains("65") && m.contains("66"), "{m}");

    let mut r = base.clone();
    r.section1 = r.section1.replace("通知公告16条", "通知公告15条");
    assert!(codes(&r, today).contains(&"NARRATIVE_FIGURE"));

    let mut r = base.clone();
    r.section5 = "?。?</span>2）通过公开栏进行公开".into();
    assert!(codes(&r, today).contains(&"MARKUP"));

    let mut r = base.clone();
    r.section6 = "  \n ".into();
    assert!(codes(&r, today).contains(&"EMPTY_SECTION"));

    let mut r = base.clone();
    r.signature = "源潭镇".into();
    assert!(codes(&r, today).contains(&"SIGNATURE"));

    assert!(codes(&base, d(2023, 12, 1)).contains(&"YEAR_OPEN"));
    assert!(codes(&base, d(2024, 2, 1)).contains(&"C10_LATE"));
    // Published on time (or a correction of a published report): no deadline warning, even
    // when looked at long after the deadline.
    let published = ValidationContext { first_published: Some(d(2024, 1, 20)), ..ctx(d(2024, 11, 26)) };
    assert!(!validate(&base, &published).iter().any(|f| f.code == "C10_LATE"));
    let late = ValidationContext { first_published: Some(d(2024, 2, 3)), ..ctx(d(2024, 11, 26)) };
    assert!(!validate(&base, &late).iter().any(|f| f.code == "C10_LATE"), "a correction is not measured against the deadline");

    let mut r = base.clone();
    r.section5.push_str("2019年以来……");
    assert!(codes(&r, today).contains(&"YEAR_MENTION"));

    let mut r = base.clone();
    r.format = crate::report_format::FormatVersion::Trial2019;
    assert!(codes(&r, today).contains(&"FORMAT"));

    let mut r = base.clone();
    r.section2[0].rows[0].cells[0].value = -1;
    assert!(codes(&r, today).contains(&"C6"));
}

#[test]
fn continuity_and_similarity_against_last_year() {
    let cal = Calendar::official();
    let mut prev_inputs = seed_inputs();
    prev_inputs.year = 2022;
    prev_inputs.cases = vec![CaseRecord { applicant: ApplicantKind::NaturalPerson, received: d(2022, 12, 20), decision: None }];
    let prev = generate(&prev_inputs, &cal);
    assert_eq!(prev.section3_role(RowRole::CarriedOut).map(|r| r.cells[6]), Some(1));
    // This year's records agree: the case was decided in January.
    let mut inputs = seed_inputs();
    inputs.cases = vec![CaseRecord {
        applicant: ApplicantKind::NaturalPerson,
        received: d(2022, 12, 20),
        decision: Some((Outcome::Disclosed, d(2023, 1, 9))),
    }];
    let r = generate(&inputs, &cal);
    let c = ValidationContext { previous: Some(&prev), today: d(2024, 1, 10), deadline: d(2024, 1, 31), first_published: None };
    let f = validate(&r, &c);
    assert!(!f.iter().any(|f| f.code == "C5"), "{f:?}");
    // Drafts from the same records are alike: the 雷同 warning shows.
    assert!(f.iter().any(|f| f.code == "C10_SIMILAR"), "{f:?}");
    // A report that forgot the carried-over case breaks C5.
    let r2 = generate(&seed_inputs(), &cal);
    let f = validate(&r2, &c);
    assert!(f.iter().any(|f| f.code == "C5" && f.severity == Severity::Warning));
}

#[test]
fn section2_from_catalog_and_entered_figures() {
    let mut inputs = seed_inputs();
    let doc = |formed: NaiveDate, validity: Validity, validity_date: Option<NaiveDate>| PublishedRecord {
        category: "规章文件".into(),
        kind: CatalogKind::Normal,
        doc_type: DocType::NormativeDocument,
        formed,
        published: formed,
        validity,
        validity_date,
    };
    inputs.items.push(doc(d(2021, 3, 1), Validity::Valid, None));
    inputs.items.push(doc(d(2022, 3, 1), Validity::Repealed, Some(d(2023, 6, 1))));
    inputs.items.push(doc(d(2023, 3, 1), Validity::Valid, None));
    inputs.items.push(doc(d(2023, 5, 1), Validity::Expired, Some(d(2024, 6, 1))));
    inputs.entered.insert(entered_key(5, "行政许可", "本年处理决定数量"), Cell::count(12));
    inputs.entered.insert(
        entered_key(8, "行政事业性收费", "本年收费金额（单位：万元）"),
        Cell::parse(CellKind::Amount, "3.25").unwrap_or(Cell::zero(CellKind::Amount)),
    );
    let r = generate(&inputs, &Calendar::official());
    let cell = |item, row, col| r.section2_cell(item, row, col).map(|c| c.display());
    assert_eq!(cell(1, "行政规范性文件", 0).as_deref(), Some("2"));
    assert_eq!(cell(1, "行政规范性文件", 1).as_deref(), Some("1"));
    assert_eq!(cell(1, "行政规范性文件", 2).as_deref(), Some("3"));
    assert_eq!(cell(1, "规章", 2).as_deref(), Some("0"));
    assert_eq!(cell(5, "行政许可", 0).as_deref(), Some("12"));
    assert_eq!(cell(8, "行政事业性收费", 0).as_deref(), Some("3.25"));
    assert_eq!(r.figures.unentered.len(), 2);
    assert!(r.section1.contains("本年制发行政规范性文件2件、废止1件，现行有效行政规范性文件3件。"));
    // The drafted narrative quotes 规范性文件 figures the check does not misread.
    assert!(errors(&validate(&r, &ctx(d(2024, 1, 10)))).is_empty());
    assert_eq!(entered_kind(r.format, "8/行政事业性收费/本年收费金额（单位：万元）"), Some(CellKind::Amount));
    assert_eq!(entered_kind(r.format, "1/规章/本年制发件数"), None);
    assert_eq!(entered_cells(r.format).len(), 4);
}

#[test]
fn refresh_keeps_the_narrative() {
    let cal = Calendar::official();
    let mut r = generate(&seed_inputs(), &cal);
    r.section5 = "工作人员撰写的内容。".into();
    let mut inputs = seed_inputs();
    inputs.cases.push(CaseRecord { applicant: ApplicantKind::NaturalPerson, received: d(2023, 5, 5), decision: None });
    let refreshed = refresh_figures(&r, &inputs, &cal);
    assert_eq!(refreshed.section5, "工作人员撰写的内容。");
    assert_eq!(refreshed.applications_received(), 1);
    // The old narrative now disagrees with the tables, and validation says so.
    let f = validate(&refreshed, &ctx(d(2024, 1, 10)));
    assert!(f.iter().any(|f| f.code == "NARRATIVE_FIGURE" && f.message.contains("新收")), "{f:?}");
}

#[test]
fn fees_are_reported_in_section6() {
    let mut inputs = seed_inputs();
    inputs.fee_notices = 2;
    inputs.fees_noticed_fen = 15_000;
    inputs.fees_collected_fen = 10_000;
    let r = generate(&inputs, &Calendar::official());
    assert!(r.section6.contains("发出信息处理费收费通知2件，金额共计150元，实际收取信息处理费100元"), "{}", r.section6);
    let mut r2 = r.clone();
    r2.section6 = "无其他需要报告的事项。".into();
    assert!(validate(&r2, &ctx(d(2024, 1, 10))).iter().any(|f| f.code == "C11"));
}

#[test]
fn roll_up_sums_children() {
    let cal = Calendar::official();
    let a = generate(&seed_inputs(), &cal);
    let mut inputs = seed_inputs();
    inputs.organisation.name = "清远市清城区民政局".into();
    inputs.cases.push(CaseRecord {
        applicant: ApplicantKind::Organisation(OrgType::Commercial),
        received: d(2023, 3, 1),
        decision: Some((Outcome::Disclosed, d(2023, 3, 20))),
    });
    inputs.appeals.push(AppealRecord {
        kind: AppealKind::Reconsideration,
        filed_on: d(2023, 6, 1),
        result: AppealResult::Upheld,
        decided_on: Some(d(2023, 8, 1)),
    });
    let b = generate(&inputs, &cal);
    let district = ReportOrg { id: 9, name: "清远市清城区人民政府".into(), code: String::new(), level: OrgLevel::CountyGovernment };
    let (sum, skipped) = combine(district, 2023, &[&a, &b]);
    assert!(skipped.is_empty());
    assert_eq!(sum.figures.items_published, 132);
    assert_eq!(sum.applications_received(), 1);
    assert_eq!(sum.section3_role(RowRole::Received).map(|r| r.cells[1]), Some(1));
    assert_eq!(sum.section4_total(0), 1);
    assert_eq!(sum.figures.categories.iter().map(|c| c.count).sum::<u64>(), 132);
    let f = validate(&sum, &ctx(d(2024, 1, 10)));
    assert!(!f.iter().any(|f| matches!(f.code, "C1" | "C2" | "C3" | "C4")), "{f:?}");
}

fn arb_outcome() -> impl Strategy<Value = Outcome> {
    proptest::sample::select(Outcome::ALL.to_vec())
}

fn arb_case() -> impl Strategy<Value = CaseRecord> {
    (0usize..6, 0i64..1200, proptest::option::of((arb_outcome(), 0i64..200))).prop_map(|(kind, offset, decision)| {
        let received = d(2022, 1, 1) + chrono::Duration::days(offset);
        CaseRecord {
            applicant: ApplicantKind::ALL[kind],
            received,
            decision: decision.map(|(o, days)| (o, received + chrono::Duration::days(days))),
        }
    })
}

fn arb_appeal() -> impl Strategy<Value = AppealRecord> {
    (0usize..3, 0i64..1000, 0usize..4, proptest::option::of(0i64..300)).prop_map(|(k, offset, res, decided)| {
        let filed_on = d(2022, 1, 1) + chrono::Duration::days(offset);
        let result = [AppealResult::Upheld, AppealResult::Corrected, AppealResult::Other, AppealResult::Pending][res];
        AppealRecord {
            kind: [AppealKind::Reconsideration, AppealKind::LitigationDirect, AppealKind::LitigationAfterReconsideration][k],
            filed_on,
            result,
            decided_on: if result == AppealResult::Pending { None } else { decided.map(|x| filed_on + chrono::Duration::days(x)) },
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Reports generated from any records pass every blocking check, and the tables add up.
    #[test]
    fn generated_reports_pass_validation(
        cases in proptest::collection::vec(arb_case(), 0..60),
        appeals in proptest::collection::vec(arb_appeal(), 0..10),
        extra_items in proptest::collection::vec((0usize..11, 0i64..900), 0..80),
        year in 2022i32..=2024,
        fees in (0u64..4, 0i64..100_000, 0i64..100_000),
    ) {
        let mut inputs = seed_inputs();
        inputs.year = year;
        inputs.cases = cases;
        inputs.appeals = appeals;
        inputs.fee_notices = fees.0;
        inputs.fees_noticed_fen = fees.1;
        inputs.fees_collected_fen = fees.2;
        for (c, offset) in extra_items {
            inputs.items.push(item(SEED_2023[c].0, d(2022, 1, 1) + chrono::Duration::days(offset)));
        }
        let cal = Calendar::official();
        let r = generate(&inputs, &cal);
        let findings = validate(&r, &ValidationContext { previous: None, today: d(year + 1, 1, 10), deadline: d(year + 1, 1, 31), first_published: None });
        prop_assert!(errors(&findings).is_empty(), "{:?}", findings);
        // Section 三 identity for the whole table (C1 restated).
        let row = |role| r.section3_role(role).map_or(0, |x| x.cells[6]);
        prop_assert_eq!(row(RowRole::Received) + row(RowRole::CarriedIn), row(RowRole::ResultTotal) + row(RowRole::CarriedOut));
        // Category counts add up to the total.
        prop_assert_eq!(r.figures.categories.iter().map(|c| c.count).sum::<u64>(), r.figures.items_published);
        // Next year's carried-in equals this year's carried-out (C5 holds by construction).
        let mut next_inputs = inputs.clone();
        next_inputs.year = year + 1;
        let next = generate(&next_inputs, &cal);
        let next_findings = validate(&next, &ValidationContext { previous: Some(&r), today: d(year + 2, 1, 10), deadline: d(year + 2, 1, 31), first_published: None });
        prop_assert!(!next_findings.iter().any(|f| f.code == "C5"), "{:?}", next_findings);
        // The report survives a JSON round trip unchanged.
        let json = serde_json::to_string(&r).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: AnnualReport = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, r);
    }
}

#[test]
fn figures_tables_import_all_or_nothing() {
    use crate::annual_report::generate::parse_figures_table;
    use crate::report_format::FormatVersion;
    let rows = |v: &[&[&str]]| -> Vec<Vec<String>> { v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect() };
    let ok = parse_figures_table(
        FormatVersion::V2021,
        &rows(&[
            &["\u{feff}信息内容", "统计项", "数值"],
            &["行政许可", "本年处理决定数量", "12"],
            &["", "", ""],
            &["行政事业性收费", "本年收费金额（单位：万元）", "3.25"],
        ]),
    );
    assert_eq!(ok.map(|v| v.len()), Ok(2));
    let bad = parse_figures_table(
        FormatVersion::V2021,
        &rows(&[
            &["信息内容", "统计项", "数值"],
            &["行政许可", "本年处理决定数量", "十二"],
            &["行政处罚", "本年处理决定数量", "1.5"],
            &["行政确认", "本年处理决定数量", "1"],
            &["行政强制", "本年处理决定数量", "2"],
            &["行政强制", "本年处理决定数量", "3"],
            &["行政强制", "本年处理决定数量", "3", "x"],
        ]),
    )
    .expect_err("errors");
    assert_eq!(bad.len(), 5, "{bad:?}");
    assert!(bad[0].starts_with("第2行“数值”列：") && bad[0].contains("十二"), "{bad:?}");
    assert!(bad[1].contains("第3行") && bad[1].contains("整数"));
    assert!(bad[2].contains("第4行") && bad[2].contains("行政确认"));
    assert!(bad[3].contains("第6行") && bad[3].contains("重复"));
    assert!(bad[4].contains("第7行") && bad[4].contains("第4列"));
    let header = parse_figures_table(FormatVersion::V2021, &rows(&[&["项目", "数值"]])).expect_err("header");
    assert!(header[0].contains("第1行应为表头"));
    assert!(parse_figures_table(FormatVersion::V2021, &[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Items that cannot count in the year change nothing in its report: the storage may read
    /// only those [`PublishedRecord::may_count_in`] the year, as a province's reports do.
    #[test]
    fn only_items_that_may_count_change_a_report(
        specs in proptest::collection::vec((0i64..3000, 0i64..40, 0usize..3, 0usize..4, proptest::option::of(0i64..3000), 0usize..12), 0..120),
        year in 2019i32..=2026,
    ) {
        let first = d(2018, 1, 1);
        let items: Vec<PublishedRecord> = specs.iter().map(|(formed, lag, doc, validity, changed, category)| {
            let (category, _) = SEED_2023[*category % SEED_2023.len()];
            let formed = first + chrono::Duration::days(*formed);
            let mut it = item(category, formed + chrono::Duration::days(*lag));
            it.formed = formed;
            it.doc_type = DocType::ALL[*doc];
            it.validity = [Validity::Valid, Validity::Amended, Validity::Repealed, Validity::Expired][*validity];
            it.validity_date = changed.map(|c| first + chrono::Duration::days(c));
            it
        }).collect();
        let mut all = seed_inputs();
        all.year = year;
        all.items = items;
        let mut counted = all.clone();
        counted.items.retain(|i| i.may_count_in(year));
        let cal = Calendar::official();
        prop_assert_eq!(generate(&all, &cal), generate(&counted, &cal));
    }
}
