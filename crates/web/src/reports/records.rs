//! Gathering what an annual report is generated from, shared by the back office, the command
//! line and the demo loader: the organisation's published items with their catalog columns,
//! entered section 二 figures, applications (replayed), appeals and fees.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use gongkai_domain::annual_report::{
    self, deadline, portal_name, AnnualReport, DeadlineRule, EnteredFigures, PublishedRecord, ReportInputs, ReportOrg,
};
use gongkai_domain::appeal::AppealRecord;
use gongkai_domain::application::{Application, CaseRecord, ClockConfig, Step};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::model::{CatalogNode, Organisation};
use gongkai_store::{PastReport, ReportCase, Store, StoredReport};

use crate::error::AppError;

/// The top-level column of every catalog node (a node's own name when it is top-level).
fn top_level_names(nodes: &[CatalogNode]) -> HashMap<i64, String> {
    let by_id: HashMap<i64, &CatalogNode> = nodes.iter().map(|n| (n.id, n)).collect();
    nodes
        .iter()
        .map(|n| {
            let mut top = n;
            let mut guard = 0;
            while let Some(parent) = top.parent_id.and_then(|p| by_id.get(&p)) {
                top = parent;
                guard += 1;
                if guard > 64 {
                    break;
                }
            }
            (n.id, top.name.clone())
        })
        .collect()
}

/// Everything the report of `org` about `year` is generated from.
pub async fn inputs(store: &Store, calendar: &Calendar, org: &Organisation, year: i32) -> Result<ReportInputs, AppError> {
    let mut all = inputs_many(store, calendar, std::slice::from_ref(org), year).await?;
    all.pop().ok_or_else(|| AppError::Internal(format!("no report inputs for organisation {}", org.id)))
}

/// Organisations whose records are read together: a province's reports then take a few
/// queries per batch instead of several per organisation.
pub const BATCH: usize = 200;

/// The freshly generated reports of these organisations about `year`, in the same order,
/// with their drafted narratives: the records of up to [`BATCH`] organisations are read
/// together, so a province's reports take a few queries per batch, not per organisation.
pub async fn generate_many(store: &Store, calendar: &Calendar, orgs: &[Organisation], year: i32) -> Result<Vec<AnnualReport>, AppError> {
    let mut reports = Vec::with_capacity(orgs.len());
    for batch in orgs.chunks(BATCH) {
        for inputs in inputs_many(store, calendar, batch, year).await? {
            reports.push(annual_report::generate(&inputs, calendar));
        }
    }
    Ok(reports)
}

/// What the reports of these organisations about `year` are generated from, in the same
/// order, read together (a few queries for all of them).
async fn inputs_many(store: &Store, calendar: &Calendar, orgs: &[Organisation], year: i32) -> Result<Vec<ReportInputs>, AppError> {
    let mut parents: HashMap<i64, String> = HashMap::new();
    for p in orgs.iter().filter_map(|o| o.parent_id) {
        if !parents.contains_key(&p) {
            if let Some(parent) = store.org(p).await? {
                parents.insert(p, parent.name);
            }
        }
    }
    let mut all = Vec::with_capacity(orgs.len());
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let mut nodes: HashMap<i64, Vec<CatalogNode>> = HashMap::new();
    for n in store.catalogs(&ids).await? {
        nodes.entry(n.org_id).or_default().push(n);
    }
    let mut items: HashMap<i64, Vec<_>> = HashMap::new();
    for i in store.published_item_facts(&ids, year).await? {
        items.entry(i.org_id).or_default().push(i);
    }
    let mut entered: HashMap<i64, EnteredFigures> = HashMap::new();
    for (org_id, f) in store.report_figures_of(&ids, year).await? {
        entered.entry(org_id).or_default().insert(f.key, f.cell);
    }
    let mut cases: HashMap<i64, Vec<ReportCase>> = HashMap::new();
    for c in store.report_cases(&ids, year).await? {
        cases.entry(c.org_id).or_default().push(c);
    }
    let mut appeals: HashMap<i64, Vec<AppealRecord>> = HashMap::new();
    for a in store.appeals(&ids).await? {
        appeals.entry(a.org_id).or_default().push(AppealRecord { kind: a.kind, filed_on: a.filed_on, result: a.result, decided_on: a.decided_on });
    }
    let mut art44 = crate::admin::art44::report_figures(store, &ids, year).await?;
    for org in orgs {
        let nodes = nodes.remove(&org.id).unwrap_or_default();
        let tops = top_level_names(&nodes);
        let mut roots: Vec<&CatalogNode> = nodes.iter().filter(|n| n.parent_id.is_none()).collect();
        roots.sort_by_key(|n| (n.sort_order, n.id));
        let kinds: HashMap<i64, _> = nodes.iter().map(|n| (n.id, n.kind)).collect();
        let items = items
            .remove(&org.id)
            .unwrap_or_default()
            .into_iter()
            .map(|i| PublishedRecord {
                category: tops.get(&i.catalog_id).cloned().unwrap_or_else(|| "其他".into()),
                kind: kinds.get(&i.catalog_id).copied().unwrap_or(gongkai_domain::model::CatalogKind::Normal),
                doc_type: i.doc_type,
                formed: i.formed_date,
                published: i.publish_date,
                validity: i.validity,
                validity_date: i.validity_date,
            })
            .collect();
        let year_cases = replay_cases(cases.remove(&org.id).unwrap_or_default(), calendar, year)?;
        all.push(ReportInputs {
            year,
            organisation: report_org(org),
            portal_name: portal_name(&org.name, org.parent_id.and_then(|p| parents.get(&p)).map(String::as_str)),
            categories: roots.iter().map(|n| n.name.clone()).collect(),
            items,
            entered: entered.remove(&org.id).unwrap_or_default(),
            cases: year_cases.records,
            late_replies: year_cases.late_replies,
            appeals: appeals.remove(&org.id).unwrap_or_default(),
            fee_notices: year_cases.fee_notices,
            fees_noticed_fen: year_cases.fees_noticed_fen,
            fees_collected_fen: year_cases.fees_collected_fen,
            art44: art44.remove(&org.id).unwrap_or_default(),
        });
    }
    Ok(all)
}

/// What an organisation's cases give its report of a year.
#[derive(Default)]
struct YearCases {
    records: Vec<CaseRecord>,
    late_replies: u64,
    fee_notices: u64,
    fees_noticed_fen: i64,
    fees_collected_fen: i64,
}

/// Replay each case's steps (the due dates are derived from them, never stored) into the
/// record the statistics count, with the late replies and fees of the year.
fn replay_cases(cases: Vec<ReportCase>, calendar: &Calendar, year: i32) -> Result<YearCases, AppError> {
    let mut out = YearCases { records: Vec::with_capacity(cases.len()), ..Default::default() };
    let config = ClockConfig::default();
    for case in cases {
        let replayed = Application::replay(case.applicant, case.channel, case.received, &case.steps, calendar, &config)
            .map_err(|(i, e)| AppError::Internal(format!("application {} step {} no longer replays: {e}", case.id, i + 1)))?;
        let record = replayed.case_record();
        if record.decision.is_some_and(|(_, decided)| decided.year() == year) && replayed.decided_late(calendar, &config) {
            out.late_replies += 1;
        }
        out.records.push(record);
        for s in &case.steps {
            match s {
                Step::IssueFeeNotice { date, amount_fen, .. } if date.year() == year => {
                    out.fee_notices += 1;
                    out.fees_noticed_fen += amount_fen;
                }
                Step::PayFee { date, amount_fen, .. } if date.year() == year => out.fees_collected_fen += amount_fen,
                _ => {}
            }
        }
    }
    Ok(out)
}

pub fn report_org(org: &Organisation) -> ReportOrg {
    ReportOrg { id: org.id, name: org.name.clone(), code: org.org_code.clone(), level: org.level }
}

/// A freshly generated report of `org` about `year`, with its drafted narrative.
pub async fn generate(store: &Store, calendar: &Calendar, org: &Organisation, year: i32) -> Result<AnnualReport, AppError> {
    let inputs = inputs(store, calendar, org, year).await?;
    Ok(annual_report::generate(&inputs, calendar))
}

/// The organisation's deadline rule: its own setting, else the default for its level.
pub async fn deadline_rule(store: &Store, org: &Organisation) -> Result<DeadlineRule, AppError> {
    Ok(match store.report_deadline(org.id).await? {
        Some(s) => DeadlineRule::parse(&s).unwrap_or_else(|_| DeadlineRule::default_for(org.level)),
        None => DeadlineRule::default_for(org.level),
    })
}

/// The publication deadline of `org`'s report about `year`.
pub async fn deadline_of(store: &Store, org: &Organisation, year: i32) -> Result<NaiveDate, AppError> {
    Ok(deadline(year, deadline_rule(store, org).await?))
}

/// The latest published revision of each year, from a list of revisions of one organisation.
pub fn latest_published(reports: &[StoredReport], year: i32) -> Option<&StoredReport> {
    reports
        .iter()
        .filter(|r| r.year == year && r.published_on.is_some())
        .max_by_key(|r| r.revision)
}

/// When the report of `year` was first published (any revision), if it has been.
pub fn first_published(reports: &[StoredReport], year: i32) -> Option<NaiveDate> {
    reports.iter().filter(|r| r.year == year).filter_map(|r| r.published_on).min()
}

/// The years a report can be drafted about on `today`: up to last year, and from 1 December
/// also the current year (a preview that can be saved; it cannot be sent for review or
/// published before the year ends).
pub fn draftable_until(today: NaiveDate) -> i32 {
    if today.month() == 12 {
        today.year()
    } else {
        today.year() - 1
    }
}

/// What a year's report is compared with for continuity (C5, C7) and similarity (雷同).
#[derive(Debug, Clone)]
pub struct Baseline {
    pub report: AnnualReport,
    /// Set when the baseline is a past report imported from its published file.
    pub imported: Option<PastReport>,
}

/// The baseline of `org_id`'s report about `year`: the report of the year before published in
/// gongkai, else the past report imported for that year (converted from the figures read).
pub async fn baseline(store: &Store, org_id: i64, year: i32) -> Result<Option<Baseline>, AppError> {
    let reports = store.reports(&[org_id]).await?;
    if let Some(r) = latest_published(&reports, year - 1) {
        return Ok(Some(Baseline { report: r.content.clone(), imported: None }));
    }
    let Some(past) = store.past_report(org_id, year - 1).await? else { return Ok(None) };
    let org = store.org(org_id).await?.ok_or(AppError::NotFound)?;
    Ok(Some(Baseline { report: past.figures.to_report(report_org(&org), past.year), imported: Some(past) }))
}

/// The report of the year before, for continuity and similarity checks: the published one,
/// else the imported past report ([`baseline`]).
pub async fn previous_report(store: &Store, org_id: i64, year: i32) -> Result<Option<AnnualReport>, AppError> {
    Ok(baseline(store, org_id, year).await?.map(|b| b.report))
}

/// Whether the records have changed since `published` was published in a way that changes
/// its tables or figures (the year lock). Returns a Chinese description of what changed.
pub fn figures_changed(published: &AnnualReport, current: &AnnualReport) -> Vec<String> {
    let mut out = Vec::new();
    if published.section2 != current.section2 {
        out.push("第二部分（主动公开）数据".to_string());
    }
    if published.section3 != current.section3 {
        out.push("第三部分（依申请公开）数据".to_string());
    }
    if published.section4 != current.section4 {
        out.push("第四部分（复议诉讼）数据".to_string());
    }
    if published.figures.items_published != current.figures.items_published
        || published.figures.categories != current.figures.categories
    {
        out.push(format!(
            "本年公开信息条数（已发布报告{}条，现有记录{}条）",
            published.figures.items_published, current.figures.items_published
        ));
    }
    if published.figures.fee_notices != current.figures.fee_notices
        || published.figures.fees_collected_fen != current.figures.fees_collected_fen
    {
        out.push("信息处理费数据".to_string());
    }
    out
}

/// The organisation's 信息公开年报 column, where published reports go.
pub async fn annual_report_node(store: &Store, org: &Organisation) -> Result<CatalogNode, AppError> {
    store
        .catalog(org.id)
        .await?
        .into_iter()
        .find(|n| n.kind == gongkai_domain::model::CatalogKind::AnnualReport)
        .ok_or_else(|| AppError::BadRequest("本机关目录中没有“信息公开年报”栏目，请管理员先在“目录管理”中设置".into()))
}

/// The item that carries a published report revision in the 年报 column: the report itself
/// (tables included) as its 正文, with a link to the report page for charts and downloads.
pub fn item_fields(
    org: &Organisation,
    report: &AnnualReport,
    catalog_id: i64,
    published_on: NaiveDate,
    revision: i64,
    correction_note: &str,
) -> gongkai_domain::model::ItemFields {
    use gongkai_domain::model::{DisclosureMode, DocType, ItemFields};
    use gongkai_report_export::{html_fragment, Script};
    let mut body = String::new();
    if revision > 1 {
        body.push_str(&format!("<p><strong>更正说明：</strong>{}</p>", ammonia::clean_text(correction_note)));
    }
    body.push_str(&format!(
        "<p>完整报告（含图解）及 Word、Excel、JSON 等格式下载：<a href=\"/org/{}/reports/{}\">查看年度报告</a></p>",
        org.slug, report.year
    ));
    body.push_str(&html_fragment(report, Script::Hans));
    let f = &report.figures;
    ItemFields {
        catalog_id,
        title: if revision > 1 { format!("{}（更正版）", report.title) } else { report.title.clone() },
        summary: format!(
            "报告{}年政府信息公开工作情况：主动公开政府信息{}条，收到政府信息公开申请{}件，行政复议{}件，行政诉讼{}件。",
            report.year,
            f.items_published,
            report.applications_received(),
            report.section4_total(0),
            report.section4_total(1) + report.section4_total(2)
        ),
        body_html: crate::util::sanitise_body(&body),
        publisher: org.name.clone(),
        formed_date: published_on,
        doc_number: None,
        topic: "综合政务".into(),
        genre: "报告".into(),
        keywords: format!("信息公开，年度报告，{}年", report.year),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    }
}
