//! Annual-report storage on both backends: revisions and their workflow, atomic publication
//! into the 年报 column, entered figures and the per-organisation deadline.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::annual_report::{generate, AnnualReport, Cell, ReportInputs, ReportOrg, ReportStatus};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::model::{CatalogKind, DisclosureMode, DocType, ItemFields, ItemStatus, OrgLevel, Role};
use gongkai_domain::report_format::CellKind;
use gongkai_store::on_both_backends;
use gongkai_store::{NewItemEvent, NewUser, Store, StoreError};

on_both_backends!(revisions_and_workflow, publish_is_atomic, figures_and_deadline, past_reports_one_per_year);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("timestamp").with_timezone(&Utc)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

struct Fixture {
    org: i64,
    editor: i64,
    reviewer: i64,
    node: i64,
}

async fn fixture(store: &Store) -> Fixture {
    let org = gongkai_store::test_support::township(store, "yuantan", "清远市清城区源潭镇人民政府", "11441802007").await;
    let mut users = Vec::new();
    for (name, role) in [("editor", Role::Editor), ("reviewer", Role::Reviewer)] {
        let u = store
            .create_user(
                &NewUser { username: name.into(), display_name: name.into(), org_id: org, roles: vec![role] },
                "$argon2id$hash",
                t("2024-01-01T00:00:00Z"),
            )
            .await
            .expect("user");
        users.push(u.id);
    }
    let node = store.create_catalog_node(org, None, "信息公开年报", 1, CatalogKind::AnnualReport).await.expect("node").id;
    Fixture { org, editor: users[0], reviewer: users[1], node }
}

fn report(org: i64, year: i32) -> AnnualReport {
    generate(
        &ReportInputs {
            year,
            organisation: ReportOrg { id: org, name: "清远市清城区源潭镇人民政府".into(), code: String::new(), level: OrgLevel::Township },
            portal_name: "区政府门户网站".into(),
            categories: Vec::new(),
            items: Vec::new(),
            entered: Default::default(),
            cases: Vec::new(),
            late_replies: 0,
            appeals: Vec::new(),
            fee_notices: 0,
            fees_noticed_fen: 0,
            fees_collected_fen: 0,
            art44: Default::default(),
        },
        &Calendar::official(),
    )
}

fn item_fields(node: i64, title: &str) -> ItemFields {
    ItemFields {
        catalog_id: node,
        title: title.into(),
        summary: String::new(),
        body_html: "<p>年度报告</p>".into(),
        publisher: "清远市清城区源潭镇人民政府".into(),
        formed_date: d(2024, 1, 17),
        doc_number: None,
        topic: "综合政务".into(),
        genre: "报告".into(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    }
}

fn render(serial: u64) -> String {
    format!("11441802007/2024-{serial:05}")
}

fn event(actor: i64) -> NewItemEvent {
    NewItemEvent { actor_id: actor, action: "publish".into(), comment: "年度报告发布".into(), at: t("2024-01-17T09:00:00Z") }
}

async fn revisions_and_workflow(store: &Store) {
    let f = fixture(store).await;
    let now = t("2024-01-05T08:00:00Z");
    let r1 = store.create_report(f.org, 2023, &report(f.org, 2023), "", f.editor, now).await.expect("create");
    assert_eq!((r1.revision, r1.status, r1.year), (1, ReportStatus::Draft, 2023));
    // A second draft of the same year is refused while the first is unpublished.
    let again = store.create_report(f.org, 2023, &report(f.org, 2023), "", f.editor, now).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "status", .. })), "{again:?}");
    let mut content = r1.content.clone();
    content.section5 = "工作人员修改的内容。".into();
    let r1 = store.update_report_draft(r1.id, &content, now).await.expect("update");
    assert_eq!(r1.content.section5, "工作人员修改的内容。");
    let r1 = store.set_report_status(r1.id, ReportStatus::Draft, ReportStatus::InReview, Some(f.editor), now).await.expect("submit");
    assert_eq!((r1.status, r1.submitted_by), (ReportStatus::InReview, Some(f.editor)));
    // Under review the content is frozen; a stale status change is a conflict.
    assert!(matches!(store.update_report_draft(r1.id, &content, now).await, Err(StoreError::Conflict { .. })));
    assert!(matches!(
        store.set_report_status(r1.id, ReportStatus::Draft, ReportStatus::InReview, Some(f.editor), now).await,
        Err(StoreError::Conflict { .. })
    ));
    let r1 = store.set_report_status(r1.id, ReportStatus::InReview, ReportStatus::Draft, None, now).await.expect("return");
    assert_eq!((r1.status, r1.submitted_by), (ReportStatus::Draft, Some(f.editor)));
    assert!(matches!(store.report(9_999).await, Ok(None)));
    assert!(matches!(store.update_report_draft(9_999, &content, now).await, Err(StoreError::NotFound(_))));
}

async fn publish_is_atomic(store: &Store) {
    let f = fixture(store).await;
    let now = t("2024-01-10T08:00:00Z");
    let r = store.create_report(f.org, 2023, &report(f.org, 2023), "", f.editor, now).await.expect("create");
    // Publishing a draft (not under review) changes nothing.
    let early = store
        .publish_report(r.id, &r.content, d(2024, 1, 17), f.reviewer, &[], &item_fields(f.node, "年报"), &render, &event(f.reviewer))
        .await;
    assert!(matches!(early, Err(StoreError::Conflict { .. })), "{early:?}");
    store.set_report_status(r.id, ReportStatus::Draft, ReportStatus::InReview, Some(f.editor), now).await.expect("submit");
    // A catalog node of another organisation makes the item insert fail: the report stays under review.
    let bad = store
        .publish_report(r.id, &r.content, d(2024, 1, 17), f.reviewer, &[], &item_fields(9_999, "年报"), &render, &event(f.reviewer))
        .await;
    assert!(bad.is_err());
    assert_eq!(store.report(r.id).await.expect("load").map(|x| x.status), Some(ReportStatus::InReview));
    let mut content = r.content.clone();
    content.date = Some(d(2024, 1, 17));
    let (published, item) = store
        .publish_report(
            r.id,
            &content,
            d(2024, 1, 17),
            f.reviewer,
            &["已确认提醒".to_string()],
            &item_fields(f.node, &content.title),
            &render,
            &event(f.reviewer),
        )
        .await
        .expect("publish");
    assert_eq!(published.status, ReportStatus::Published);
    assert_eq!(published.published_on, Some(d(2024, 1, 17)));
    assert_eq!(published.item_id, Some(item.id));
    assert_eq!(published.acknowledged, vec!["已确认提醒".to_string()]);
    assert_eq!(published.content.date, Some(d(2024, 1, 17)));
    assert_eq!(item.status, ItemStatus::Published);
    assert_eq!(item.index_no.as_deref(), Some("11441802007/2024-00001"));
    assert_eq!(item.publish_date, Some(d(2024, 1, 17)));
    assert_eq!(store.item_events(item.id).await.expect("events").len(), 1);
    // A correction is the next revision; both stay.
    let r2 = store.create_report(f.org, 2023, &content, "更正第三部分数据", f.editor, now).await.expect("revise");
    assert_eq!((r2.revision, r2.status, r2.correction_note.as_str()), (2, ReportStatus::Draft, "更正第三部分数据"));
    let all = store.reports(&[f.org]).await.expect("list");
    assert_eq!(all.iter().map(|x| (x.revision, x.status)).collect::<Vec<_>>(), vec![(1, ReportStatus::Published), (2, ReportStatus::Draft)]);
    assert!(store.reports(&[]).await.expect("empty").is_empty());
}

async fn figures_and_deadline(store: &Store) {
    let f = fixture(store).await;
    let now = t("2024-01-05T08:00:00Z");
    assert!(store.report_figures(f.org, 2023).await.expect("none").is_empty());
    let figures = vec![
        ("5/行政许可/本年处理决定数量".to_string(), Cell::count(12)),
        ("8/行政事业性收费/本年收费金额（单位：万元）".to_string(), Cell::parse(CellKind::Amount, "3.25").expect("amount")),
    ];
    store.put_report_figures(f.org, 2023, &figures, f.editor, now).await.expect("put");
    let back = store.report_figures(f.org, 2023).await.expect("read");
    assert_eq!(back.iter().map(|x| (x.key.clone(), x.cell)).collect::<Vec<_>>(), figures);
    // Replacing is all or nothing: a missing user fails and keeps the old figures.
    let bad = store.put_report_figures(f.org, 2023, &[("5/行政许可/本年处理决定数量".into(), Cell::count(1))], 9_999, now).await;
    assert!(bad.is_err());
    assert_eq!(store.report_figures(f.org, 2023).await.expect("kept").len(), 2);
    assert!(store.report_figures(f.org, 2022).await.expect("other year").is_empty());
    assert_eq!(store.report_deadline(f.org).await.expect("none"), None);
    store.set_report_deadline(f.org, Some("01-26")).await.expect("set");
    assert_eq!(store.report_deadline(f.org).await.expect("set").as_deref(), Some("01-26"));
    store.set_report_deadline(f.org, None).await.expect("clear");
    assert_eq!(store.report_deadline(f.org).await.expect("cleared"), None);
}

fn past_figures(carried: u64) -> gongkai_domain::annual_report::ImportedFigures {
    use gongkai_domain::annual_report::{ImportedFigures, ImportedSection3Row};
    ImportedFigures {
        format: gongkai_domain::report_format::FormatVersion::V2021,
        agency: Some("清远市清城区源潭镇人民政府".into()),
        published: Some(d(2024, 1, 17)),
        section2: Vec::new(),
        section3: vec![ImportedSection3Row { id: "四、结转下年度继续办理".into(), values: vec![Some(carried), Some(0), Some(0), Some(0), Some(0), Some(0), Some(carried)] }],
        section4: Vec::new(),
        narrative: Default::default(),
    }
}

/// Imported past reports: one per organisation and year with their file; a second import of
/// the year is a conflict naming the first, `replace` replaces it; the audit entry is written
/// with the import and not with a refused one.
async fn past_reports_one_per_year(store: &Store) {
    use gongkai_store::NewPastReport;
    let f = fixture(store).await;
    let first = past_figures(3);
    fn new<'a>(org_id: i64, by: i64, file_name: &'a str, bytes: &'a [u8], figures: &'a gongkai_domain::annual_report::ImportedFigures) -> NewPastReport<'a> {
        NewPastReport {
            org_id,
            year: 2023,
            file_name,
            content_type: "text/plain",
            bytes,
            input_kind: "text",
            text: "报告全文",
            figures,
            findings: &[],
            imported_by: Some(by),
            imported_by_name: "editor",
            at: t("2024-05-01T08:00:00Z"),
        }
    }
    let entry = || gongkai_store::NewAuditEntry {
        at: t("2024-05-01T08:00:00Z"),
        actor_id: Some(f.editor),
        actor_name: "editor".into(),
        org_id: Some(f.org),
        action: "report.past_import".into(),
        target: "past_report:{id}".into(),
        detail: String::new(),
        client: "test".into(),
        success: true,
    };
    let audited = || store.audited(entry(), gongkai_store::AuditContext::default());
    let stored = audited().put_past_report(&new(f.org, f.editor, "2023.txt", b"first", &first), false).await.expect("import");
    assert_eq!((stored.year, stored.size, stored.figures.carried_out()[6]), (2023, 5, Some(3)));
    assert_eq!(stored.sha256, "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e");
    assert_eq!(store.past_report_source(stored.id).await.expect("source").as_deref(), Some(&b"first"[..]));
    assert_eq!(store.past_report_text(stored.id).await.expect("text").as_deref(), Some("报告全文"));
    let second = past_figures(0);
    match audited().put_past_report(&new(f.org, f.editor, "again.txt", b"second", &second), false).await {
        Err(StoreError::Conflict { field: "year", message }) => assert!(message.contains("“2023.txt”"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let entries = store.audit_entries(10, 0).await.expect("audit").items;
    assert_eq!(entries.len(), 1, "a refused import is not recorded as done");
    assert_eq!(entries[0].target, format!("past_report:{}", stored.id));
    let replaced = audited().put_past_report(&new(f.org, f.editor, "again.txt", b"second", &second), true).await.expect("replace");
    assert_eq!((replaced.file_name.as_str(), replaced.figures.carried_out()[6]), ("again.txt", Some(0)));
    let all = store.past_reports(&[f.org]).await.expect("list");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, replaced.id);
    assert_eq!(store.audit_entries(10, 0).await.expect("audit").items.len(), 2);
    assert!(store.past_report(f.org, 2022).await.expect("none").is_none());
}
