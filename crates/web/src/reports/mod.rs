//! The annual report in the back office and on the portal: generate a draft from the records,
//! edit the narrative, enter or import the section 二 figures from other systems, validate,
//! submit, review and publish into the 年报 column, correct with a dated revision, export in
//! five formats and two scripts, the district roll-up, and the public report pages.

pub mod check;
pub mod past;
pub mod records;
mod rollup;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate, Utc};
use gongkai_domain::annual_report::validate::{validate, Finding, Severity, ValidationContext};
use gongkai_domain::annual_report::workflow::{allowed, check, ProgressStatus};
use gongkai_domain::annual_report::{
    combine, entered_cells, parse_figures_table, refresh_figures, similarity, AnnualReport, Cell, DeadlineRule,
    DeadlineStanding, ReportAction, ReportStatus, FIGURES_HEADER,
};
use gongkai_domain::model::{Organisation, Role};
use gongkai_domain::report_format::format_for_year;
use gongkai_report_export::{charts, export, html_fragment, layout, ExportFormat, Script};
use gongkai_store::{NewItemEvent, StoredReport};
use minijinja::{context, Value};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::{parse_year, today};
use crate::{ops, render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/reports", get(list).post(create))
        .route("/admin/reports/deadline", post(set_deadline))
        .route("/admin/reports/figures", get(figures_page).post(figures_save))
        .route("/admin/reports/figures/import", post(figures_import))
        .route("/admin/reports/figures/template.csv", get(figures_template))
        .route("/admin/reports/rollup", get(rollup::rollup))
        .route("/admin/reports/rollup/export.xlsx", get(rollup::rollup_export))
        .route("/admin/reports/{id}", get(edit))
        .route("/admin/reports/{id}/save", post(save))
        .route("/admin/reports/{id}/refresh", post(refresh))
        .route("/admin/reports/{id}/submit", post(submit))
        .route("/admin/reports/{id}/return", post(return_))
        .route("/admin/reports/{id}/publish", post(publish))
        .route("/admin/reports/{id}/revise", post(revise))
        .route("/admin/reports/{id}/export", get(admin_export))
        .route("/org/{slug}/reports/{year}", get(public_report))
        .route("/org/{slug}/reports/{year}/download", get(public_download))
        .route("/org/{slug}/reports/{year}/chart/{name}", get(public_chart))
        .merge(past::routes())
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn parse_report_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn load_for(state: &AppState, staff: &Staff, id: &str) -> Result<StoredReport, AppError> {
    let report = state.store.report(parse_report_id(id)?).await?.ok_or(AppError::NotFound)?;
    if !staff.can_access_org(report.org_id) {
        return Err(AppError::Forbidden("该年度报告不属于您所在的机关".into()));
    }
    Ok(report)
}

async fn org_of(state: &AppState, org_id: i64) -> Result<Organisation, AppError> {
    state.store.org(org_id).await?.ok_or(AppError::NotFound)
}

fn workflow_error(e: gongkai_domain::annual_report::ReportWorkflowError) -> AppError {
    AppError::Forbidden(e.to_string())
}

fn date_cn(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The validation context of a report: last year's report (published, else imported),
/// today, its deadline. Also the similarity to last year and the imported baseline, if any.
async fn findings_for(state: &AppState, org: &Organisation, report: &AnnualReport) -> Result<(Vec<Finding>, Option<f64>, Option<gongkai_store::PastReport>), AppError> {
    let baseline = records::baseline(&state.store, org.id, report.year).await?;
    let previous = baseline.as_ref().map(|b| &b.report);
    let deadline = records::deadline_of(&state.store, org, report.year).await?;
    let first_published = records::first_published(&state.store.reports(&[org.id]).await?, report.year);
    let ctx = ValidationContext { previous, today: today(), deadline, first_published };
    let sim = previous.map(|p| similarity(&report.narrative_text(), &p.narrative_text()));
    Ok((validate(report, &ctx), sim, baseline.and_then(|b| b.imported)))
}

fn findings_ctx(findings: &[Finding]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            context! {
                code => f.code, severity => match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                severity_label => f.severity.label(), section => f.section, message => f.message,
            }
        })
        .collect()
}

/// A digest of the warnings shown when publishing, so that an acknowledgement given for one
/// list is not taken for another.
fn warnings_digest(findings: &[Finding]) -> String {
    let mut h = Sha256::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Warning) {
        h.update(f.code.as_bytes());
        h.update(f.message.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

fn download(bytes: Vec<u8>, format: ExportFormat, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"annual-report.{ext}\"; filename*=UTF-8''{name}",
        ext = format.extension(),
        name = crate::util::url_encode(filename)
    );
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.mime()));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
    script: Option<String>,
    revision: Option<String>,
}

fn export_args(q: &ExportQuery) -> Result<(ExportFormat, Script), AppError> {
    let format = ExportFormat::parse(q.format.as_deref().unwrap_or("html")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let script = Script::parse(q.script.as_deref().unwrap_or("hans")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((format, script))
}

fn export_file(report: &AnnualReport, format: ExportFormat, script: Script) -> Result<Response, AppError> {
    let bytes = export(report, format, script).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}.{}", script.convert(&report.title), format.extension());
    Ok(download(bytes, format, &name))
}

fn formats_ctx() -> Vec<Value> {
    ExportFormat::ALL.iter().map(|f| context! { code => f.extension(), label => f.label() }).collect()
}

/// The tables of a report as grids for a template (used by the roll-up).
fn grids_ctx(report: &AnnualReport) -> Vec<Value> {
    layout::grids(report, Script::Hans)
        .iter()
        .map(|g| {
            let rows: Vec<Value> = g
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let cells: Vec<Value> = row
                        .iter()
                        .map(|c| context! { text => c.text, rowspan => c.rowspan, colspan => c.colspan, header => c.header, vertical => c.vertical })
                        .collect();
                    context! { head => i < g.header_rows, cells }
                })
                .collect();
            context! { section => g.kind.section(), rows }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Back office: list, create, deadline
// ---------------------------------------------------------------------------------------------

/// The years a report can be written about: from the first year with records up to last
/// year, and from 1 December the current year too (a preview draft).
fn report_years(first: Option<i32>, today: NaiveDate) -> Vec<i32> {
    let last = records::draftable_until(today);
    let first = first.unwrap_or(last).min(last).max(last - 9);
    (first..=last).rev().collect()
}

async fn list(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    list_view(&state, &staff, None, StatusCode::OK).await
}

async fn list_view(state: &AppState, staff: &Staff, err: Option<String>, status: StatusCode) -> Result<Response, AppError> {
    let org = &staff.org;
    let reports = state.store.reports(&[org.id]).await?;
    let publish_years = state.store.publish_years(&[org.id]).await?;
    let first = publish_years.iter().copied().chain(reports.iter().map(|r| r.year)).min();
    let today = today();
    let rule = records::deadline_rule(&state.store, org).await?;
    let calendar = state.calendar();
    let mut years = Vec::new();
    let mut locks = Vec::new();
    for year in report_years(first, today) {
        let revs: Vec<&StoredReport> = reports.iter().filter(|r| r.year == year).collect();
        let latest = revs.iter().max_by_key(|r| r.revision).copied();
        let first_published = revs.iter().filter_map(|r| r.published_on).min();
        let deadline = gongkai_domain::annual_report::deadline(year, rule);
        let progress = ProgressStatus::of(latest.map(|r| r.status), first_published, deadline, today);
        let days_left = (deadline - today).num_days();
        if let Some(published) = records::latest_published(&reports, year) {
            if staff.is(Role::Admin) {
                let current = records::generate(&state.store, &calendar, org, year).await?;
                let changed = records::figures_changed(&published.content, &current);
                if !changed.is_empty() {
                    locks.push(context! { year, id => published.id, changed });
                }
            }
        }
        years.push(context! {
            year, deadline => date_cn(deadline), days_left, progress => progress.as_str(), progress_label => progress.label(),
            preview => year >= today.year(),
            revisions => revs.iter().map(|r| context! {
                id => r.id, revision => r.revision, status => r.status.label(),
                published_on => r.published_on.map(date_cn), note => r.correction_note,
            }).collect::<Vec<_>>(),
            open => latest.filter(|r| r.status != ReportStatus::Published).map(|r| r.id),
            can_create => latest.is_none_or(|r| r.status == ReportStatus::Published) && first_published.is_none(),
        });
    }
    let has_children = state.store.orgs().await?.iter().any(|o| o.parent_id == Some(org.id));
    render::page_with_status(
        status,
        "admin_reports.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, years, locks, err, has_children,
            deadline_rule => rule.as_string(), default_rule => DeadlineRule::default_for(org.level).as_string(),
            can_edit => staff.is(Role::Editor) || staff.is(Role::Admin), is_admin => staff.is(Role::Admin),
        },
    )
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    year: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn create(State(state): State<AppState>, staff: Staff, Form(form): Form<CreateForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !(staff.is(Role::Editor) || staff.is(Role::Admin)) {
        return Err(AppError::Forbidden("只有编辑或管理员可以起草年度报告".into()));
    }
    let year = match parse_year(Some(form.year.trim())) {
        Ok(Some(y)) if y <= records::draftable_until(today()) && y >= 2008 => y,
        _ => return list_view(&state, &staff, Some(format!("“{}”不是可以编写年度报告的年份（2008年至{}年；本年度的报告从12月1日起可以起草预览）", form.year.trim(), records::draftable_until(today()))), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let org = staff.org.clone();
    let published_exists = state.store.reports(&[org.id]).await?.iter().any(|r| r.year == year);
    if published_exists {
        return list_view(&state, &staff, Some(format!("{year}年度报告已存在；已发布的报告请使用“更正”")), StatusCode::CONFLICT).await;
    }
    let report = records::generate(&state.store, &state.calendar(), &org, year).await?;
    let store = staff.audited(&state, "report.create", "report:{id}", &format!("{year}年度报告草稿"));
    let stored = store.create_report(org.id, year, &report, "", staff.user.id, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", stored.id)).into_response())
}

#[derive(Deserialize)]
struct DeadlineForm {
    #[serde(default)]
    deadline: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn set_deadline(State(state): State<AppState>, staff: Staff, Form(form): Form<DeadlineForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let raw = form.deadline.trim();
    let store = staff.audited(&state, "report.deadline", &format!("org:{}", staff.org.id), raw);
    if raw.is_empty() {
        store.set_report_deadline(staff.org.id, None).await?;
    } else {
        match DeadlineRule::parse(raw) {
            Ok(rule) => store.set_report_deadline(staff.org.id, Some(&rule.as_string())).await?,
            Err(m) => return list_view(&state, &staff, Some(m), StatusCode::UNPROCESSABLE_ENTITY).await,
        }
    }
    Ok(Redirect::to("/admin/reports").into_response())
}

// ---------------------------------------------------------------------------------------------
// Back office: the report page and its workflow
// ---------------------------------------------------------------------------------------------

async fn edit(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let report = load_for(&state, &staff, &id).await?;
    edit_view(&state, &staff, &report, None, None, StatusCode::OK).await
}

async fn edit_view(
    state: &AppState,
    staff: &Staff,
    stored: &StoredReport,
    err: Option<String>,
    draft: Option<&AnnualReport>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let org = org_of(state, stored.org_id).await?;
    let content = draft.unwrap_or(&stored.content);
    let (findings, sim, imported) = findings_for(state, &org, content).await?;
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings: Vec<Value> = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .enumerate()
        .map(|(i, f)| context! { i, message => f.message, code => f.code })
        .collect();
    let actions: Vec<&str> = allowed(stored.status, &staff.user, stored.submitted_by)
        .into_iter()
        .map(|a| match a {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Return => "return",
            ReportAction::Publish => "publish",
            ReportAction::Revise => "revise",
        })
        .collect();
    let later_revision = state
        .store
        .reports(&[stored.org_id])
        .await?
        .iter()
        .any(|r| r.year == stored.year && r.revision > stored.revision);
    let deadline = records::deadline_of(&state.store, &org, stored.year).await?;
    let year_reports = state.store.reports(&[stored.org_id]).await?;
    let standing = DeadlineStanding::of(stored.year, deadline, stored.published_on, records::first_published(&year_reports, stored.year), today());
    let fmt = format_for_year(stored.year);
    render::page_with_status(
        status,
        "admin_report.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, err,
            id => stored.id, year => stored.year, revision => stored.revision, status => stored.status.as_str(),
            status_label => stored.status.label(), correction_note => stored.correction_note,
            published_on => stored.published_on.map(date_cn), item_id => stored.item_id,
            acknowledged => stored.acknowledged, org_name => org.name, org_slug => org.slug,
            deadline => date_cn(deadline), standing => standing.label(), standing_warning => standing.is_warning(),
            format_name => fmt.display_name(),
            title => content.title, preamble => content.preamble, section1 => content.section1,
            section5 => content.section5, section6 => content.section6,
            preview => Value::from_safe_string(html_fragment(content, Script::Hans)),
            findings => findings_ctx(&findings), error_count => errors, warnings,
            digest => warnings_digest(&findings),
            similarity => sim.map(|s| format!("{:.0}%", s * 100.0)),
            baseline => imported.map(|p| context! { year => p.year, file_name => p.file_name, url => past::public_url(&org.slug, p.year), source_url => past::portal::source_url(&org.slug, p.year) }),
            actions, later_revision, formats => formats_ctx(),
            submitted_by_me => stored.submitted_by == Some(staff.user.id),
        },
    )
}

#[derive(Deserialize)]
struct NarrativeForm {
    #[serde(default)]
    preamble: String,
    #[serde(default)]
    section1: String,
    #[serde(default)]
    section5: String,
    #[serde(default)]
    section6: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Longest narrative section accepted, in characters.
const MAX_SECTION_CHARS: usize = 50_000;

fn normalise_text(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()
}

async fn save(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<NarrativeForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let stored = load_for(&state, &staff, &id).await?;
    check(stored.status, ReportAction::Edit, &staff.user, stored.submitted_by, "").map_err(workflow_error)?;
    let mut content = stored.content.clone();
    content.preamble = normalise_text(&form.preamble);
    content.section1 = normalise_text(&form.section1);
    content.section5 = normalise_text(&form.section5);
    content.section6 = normalise_text(&form.section6);
    for (name, text) in [("前言", &content.preamble), ("一、总体情况", &content.section1), ("五、存在的主要问题及改进情况", &content.section5), ("六、其他需要报告的事项", &content.section6)] {
        if text.chars().count() > MAX_SECTION_CHARS {
            let msg = format!("“{name}”过长（{}字，上限{}字），未保存", text.chars().count(), MAX_SECTION_CHARS);
            return edit_view(&state, &staff, &stored, Some(msg), Some(&content), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    let saved = staff.audited(&state, "report.save", &format!("report:{}", stored.id), "保存正文").update_report_draft(stored.id, &content, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", saved.id)).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    comment: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn refresh(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let stored = load_for(&state, &staff, &id).await?;
    check(stored.status, ReportAction::Edit, &staff.user, stored.submitted_by, "").map_err(workflow_error)?;
    let org = org_of(&state, stored.org_id).await?;
    let calendar = state.calendar();
    let inputs = records::inputs(&state.store, &calendar, &org, stored.year).await?;
    let content = refresh_figures(&stored.content, &inputs, &calendar);
    staff.audited(&state, "report.refresh", &format!("report:{}", stored.id), "按记录重新统计").update_report_draft(stored.id, &content, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", stored.id)).into_response())
}

async fn submit(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let stored = load_for(&state, &staff, &id).await?;
    check(stored.status, ReportAction::Submit, &staff.user, stored.submitted_by, "").map_err(workflow_error)?;
    let org = org_of(&state, stored.org_id).await?;
    let (findings, _, _) = findings_for(&state, &org, &stored.content).await?;
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return edit_view(&state, &staff, &stored, Some("报告还有错误，改正后才能送审".into()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff
        .audited(&state, "report.submit", &format!("report:{}", stored.id), "送审")
        .set_report_status(stored.id, ReportStatus::Draft, ReportStatus::InReview, Some(staff.user.id), Utc::now())
        .await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", stored.id)).into_response())
}

async fn return_(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let stored = load_for(&state, &staff, &id).await?;
    if let Err(e) = check(stored.status, ReportAction::Return, &staff.user, stored.submitted_by, &form.comment) {
        return edit_view(&state, &staff, &stored, Some(e.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff
        .audited(&state, "report.return", &format!("report:{}", stored.id), form.comment.trim())
        .set_report_status(stored.id, ReportStatus::InReview, ReportStatus::Draft, None, Utc::now())
        .await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", stored.id)).into_response())
}

async fn publish(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<HashMap<String, String>>) -> Result<Response, AppError> {
    staff.check_csrf(form.get("_csrf").map_or("", String::as_str))?;
    let stored = load_for(&state, &staff, &id).await?;
    check(stored.status, ReportAction::Publish, &staff.user, stored.submitted_by, "").map_err(workflow_error)?;
    if let Some(r) = crate::privacy_guard::gate(&state, &staff, crate::privacy_guard::Subject::Report(stored.id)).await? { return Ok(r); }
    let org = org_of(&state, stored.org_id).await?;
    let published_on = today();
    let mut content = stored.content.clone();
    content.date = Some(published_on);
    let (findings, _, _) = findings_for(&state, &org, &content).await?;
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return edit_view(&state, &staff, &stored, Some("报告还有错误，不能发布".into()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let warnings: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Warning).collect();
    let digest_ok = form.get("digest").map(String::as_str) == Some(warnings_digest(&findings).as_str());
    let all_acked = (0..warnings.len()).all(|i| form.get(&format!("ack_{i}")).is_some_and(|v| v == "on"));
    if !digest_ok || !all_acked {
        let msg = if digest_ok { "请逐条确认提醒事项后再发布" } else { "提醒事项已有变化，请重新确认后再发布" };
        return edit_view(&state, &staff, &stored, Some(msg.into()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let node = records::annual_report_node(&state.store, &org).await?;
    let render_index = ops::index_renderer(&org, published_on)?;
    let fields = records::item_fields(&org, &content, node.id, published_on, stored.revision, &stored.correction_note);
    let acknowledged: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
    let event = NewItemEvent { actor_id: staff.user.id, action: "publish".into(), comment: format!("发布{}年度报告", content.year), at: Utc::now() };
    let store = staff.audited(&state, "report.publish", &format!("report:{}", stored.id), &format!("item:{{id}}；确认提醒{}条", acknowledged.len()));
    let (published, _item) = store.publish_report(stored.id, &content, published_on, staff.user.id, &acknowledged, &fields, &render_index, &event).await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", published.id)).into_response())
}

async fn revise(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let stored = load_for(&state, &staff, &id).await?;
    if let Err(e) = check(stored.status, ReportAction::Revise, &staff.user, stored.submitted_by, &form.comment) {
        return edit_view(&state, &staff, &stored, Some(e.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let org = org_of(&state, stored.org_id).await?;
    let calendar = state.calendar();
    let inputs = records::inputs(&state.store, &calendar, &org, stored.year).await?;
    let mut content = refresh_figures(&stored.content, &inputs, &calendar);
    content.date = None;
    let store = staff.audited(&state, "report.revise", "report:{id}", form.comment.trim());
    let next = store.create_report(org.id, stored.year, &content, form.comment.trim(), staff.user.id, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/reports/{}", next.id)).into_response())
}

async fn admin_export(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<ExportQuery>) -> Result<Response, AppError> {
    let stored = load_for(&state, &staff, &id).await?;
    let (format, script) = export_args(&q)?;
    export_file(&stored.content, format, script)
}

// ---------------------------------------------------------------------------------------------
// Back office: section 二 figures from other systems
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

fn figures_year(raw: Option<&str>) -> Result<i32, AppError> {
    Ok(parse_year(raw)?.unwrap_or(today().year() - 1))
}

async fn figures_page(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let year = figures_year(q.year.as_deref())?;
    figures_view(&state, &staff, year, Vec::new(), None, HashMap::new(), StatusCode::OK).await
}

async fn figures_view(
    state: &AppState,
    staff: &Staff,
    year: i32,
    errors: Vec<String>,
    saved: Option<usize>,
    typed: HashMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let stored: HashMap<String, Cell> =
        state.store.report_figures(staff.org.id, year).await?.into_iter().map(|f| (f.key, f.cell)).collect();
    let fields: Vec<Value> = entered_cells(format_for_year(year))
        .into_iter()
        .enumerate()
        .map(|(i, (key, item, row, column, kind))| {
            let name = format!("v{i}");
            let value = typed.get(&name).cloned().unwrap_or_else(|| stored.get(&key).map(|c| c.display()).unwrap_or_default());
            context! {
                name, item, row, column, value, entered => stored.contains_key(&key),
                amount => kind == gongkai_domain::report_format::CellKind::Amount,
            }
        })
        .collect();
    render::page_with_status(
        status,
        "admin_report_figures.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, year, prev => year - 1, next => year + 1,
            fields, import_errors => errors, saved, header => FIGURES_HEADER.join(","),
            can_edit => staff.is(Role::Editor) || staff.is(Role::Admin),
        },
    )
}

async fn figures_save(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>, Form(form): Form<HashMap<String, String>>) -> Result<Response, AppError> {
    staff.check_csrf(form.get("_csrf").map_or("", String::as_str))?;
    if !(staff.is(Role::Editor) || staff.is(Role::Admin)) {
        return Err(AppError::Forbidden("只有编辑或管理员可以填写年度报告数据".into()));
    }
    let year = figures_year(form.get("year").map(String::as_str).or(q.year.as_deref()))?;
    let mut errors = Vec::new();
    let mut figures = Vec::new();
    for (i, (key, _, row, column, kind)) in entered_cells(format_for_year(year)).into_iter().enumerate() {
        let raw = form.get(&format!("v{i}")).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            continue;
        }
        match Cell::parse(kind, raw) {
            Ok(c) => figures.push((key, c)),
            Err(e) => errors.push(format!("“{row} / {column}”：{e}")),
        }
    }
    if !errors.is_empty() {
        return figures_view(&state, &staff, year, errors, None, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff
        .audited(&state, "report.figures", &format!("org:{}", staff.org.id), &format!("{year}年，{}项", figures.len()))
        .put_report_figures(staff.org.id, year, &figures, staff.user.id, Utc::now())
        .await?;
    figures_view(&state, &staff, year, Vec::new(), Some(figures.len()), HashMap::new(), StatusCode::OK).await
}

/// Rows of a CSV (UTF-8, with or without BOM, or GB18030) or of the first sheet of an XLSX file.
fn table_rows(filename: &str, data: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let is_zip = data.starts_with(b"PK\x03\x04");
    if is_zip || filename.to_lowercase().ends_with(".xlsx") {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(data.to_vec())).map_err(|e| format!("无法读取 Excel 文件：{e}"))?;
        let sheet = book.worksheet_range_at(0).ok_or("Excel 文件中没有工作表")?.map_err(|e| format!("无法读取 Excel 工作表：{e}"))?;
        return Ok(sheet
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    let text = match std::str::from_utf8(data) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(data);
            if bad {
                return Err("文件既不是 UTF-8 也不是 GB18030 编码的 CSV，也不是 Excel（.xlsx）文件".into());
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("第{}行不是有效的 CSV：{e}", i + 1))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

async fn figures_import(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>, multipart: Multipart) -> Result<Response, AppError> {
    let year = figures_year(q.year.as_deref())?;
    let upload = match crate::reports::check::read_form(multipart).await {
        Ok(u) => u,
        Err(m) => return figures_view(&state, &staff, year, vec![m], None, HashMap::new(), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    staff.check_csrf(&upload.csrf)?;
    if !(staff.is(Role::Editor) || staff.is(Role::Admin)) {
        return Err(AppError::Forbidden("只有编辑或管理员可以导入年度报告数据".into()));
    }
    let Some((filename, data)) = upload.file else {
        return figures_view(&state, &staff, year, vec!["请选择要导入的 CSV 或 Excel 文件（文件不能为空）".into()], None, HashMap::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let rows = match table_rows(&filename, &data) {
        Ok(r) => r,
        Err(m) => return figures_view(&state, &staff, year, vec![m], None, HashMap::new(), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let imported = match parse_figures_table(format_for_year(year), &rows) {
        Ok(v) => v,
        Err(errors) => {
            let mut all = vec![format!("文件“{filename}”未导入，请改正以下问题后重新导入：")];
            all.extend(errors);
            return figures_view(&state, &staff, year, all, None, HashMap::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    // Figures not in the file stay as they were.
    let mut merged: Vec<(String, Cell)> = state
        .store
        .report_figures(staff.org.id, year)
        .await?
        .into_iter()
        .filter(|f| !imported.iter().any(|(k, _)| *k == f.key))
        .map(|f| (f.key, f.cell))
        .collect();
    merged.extend(imported.iter().cloned());
    staff
        .audited(&state, "report.figures.import", &format!("org:{}", staff.org.id), &format!("{year}年，{filename}，{}项", imported.len()))
        .put_report_figures(staff.org.id, year, &merged, staff.user.id, Utc::now())
        .await?;
    figures_view(&state, &staff, year, Vec::new(), Some(imported.len()), HashMap::new(), StatusCode::OK).await
}

async fn figures_template(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let year = figures_year(q.year.as_deref())?;
    let stored: HashMap<String, Cell> =
        state.store.report_figures(staff.org.id, year).await?.into_iter().map(|f| (f.key, f.cell)).collect();
    let mut out = String::from("\u{feff}");
    out.push_str(&FIGURES_HEADER.join(","));
    out.push_str("\r\n");
    for (key, _, row, column, _) in entered_cells(format_for_year(year)) {
        out.push_str(&format!("{row},{column},{}\r\n", stored.get(&key).map(|c| c.display()).unwrap_or_default()));
    }
    let mut resp = (StatusCode::OK, Bytes::from(out)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"report-figures-{year}.csv\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Back office: district roll-up
// ---------------------------------------------------------------------------------------------

// The roll-up handlers live in `rollup.rs`.

// ---------------------------------------------------------------------------------------------
// Portal
// ---------------------------------------------------------------------------------------------

async fn public_revision(state: &AppState, slug: &str, year: &str, revision: Option<&str>) -> Result<(Organisation, StoredReport, Vec<StoredReport>), AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let year: i32 = year.parse().map_err(|_| AppError::NotFound)?;
    let all: Vec<StoredReport> =
        state.store.reports(&[org.id]).await?.into_iter().filter(|r| r.year == year && r.published_on.is_some()).collect();
    let chosen = match revision.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => {
            let n: i64 = raw.parse().map_err(|_| AppError::BadRequest(format!("“{raw}”不是有效的版本号")))?;
            all.iter().find(|r| r.revision == n).cloned()
        }
        None => all.iter().max_by_key(|r| r.revision).cloned(),
    }
    .ok_or(AppError::NotFound)?;
    Ok((org, chosen, all))
}

async fn public_report(State(state): State<AppState>, Path((slug, year)): Path<(String, String)>, Query(q): Query<ExportQuery>) -> Result<Response, AppError> {
    let (org, report, all) = public_revision(&state, &slug, &year, q.revision.as_deref()).await?;
    let latest = all.iter().map(|r| r.revision).max().unwrap_or(report.revision);
    render::page(
        "portal_report.html",
        context! {
            site_name => state.config.site_name, org => crate::portal::org_ctx(&org),
            title => report.content.title, year => report.year, revision => report.revision, latest,
            published_on => report.published_on.map(date_cn), correction_note => report.correction_note,
            body => Value::from_safe_string(html_fragment(&report.content, Script::Hans)),
            revisions => all.iter().map(|r| context! { revision => r.revision, published_on => r.published_on.map(date_cn), note => r.correction_note }).collect::<Vec<_>>(),
            formats => formats_ctx(),
        },
    )
}

async fn public_download(State(state): State<AppState>, Path((slug, year)): Path<(String, String)>, Query(q): Query<ExportQuery>) -> Result<Response, AppError> {
    let (format, script) = export_args(&q)?;
    let (_, report, _) = public_revision(&state, &slug, &year, q.revision.as_deref()).await?;
    export_file(&report.content, format, script)
}

async fn public_chart(State(state): State<AppState>, Path((slug, year, name)): Path<(String, String, String)>, Query(q): Query<ExportQuery>) -> Result<Response, AppError> {
    let script = Script::parse(q.script.as_deref().unwrap_or("hans")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (org, report, _) = public_revision(&state, &slug, &year, q.revision.as_deref()).await?;
    let svg = match name.trim_end_matches(".svg") {
        "categories" => charts::categories(&report.content, script),
        "outcomes" => charts::outcomes(&report.content, script),
        "trend" => {
            let all = state.store.reports(&[org.id]).await?;
            let mut years: Vec<i32> = all.iter().filter(|r| r.published_on.is_some() && r.year <= report.year).map(|r| r.year).collect();
            years.sort_unstable();
            years.dedup();
            let series: Vec<AnnualReport> =
                years.iter().filter_map(|y| records::latest_published(&all, *y).map(|r| r.content.clone())).collect();
            charts::trend(&series, script)
        }
        other => return Err(AppError::BadRequest(format!("没有名为“{other}”的图解，可选：categories、outcomes、trend"))),
    };
    let mut resp = (StatusCode::OK, svg).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml; charset=utf-8"));
    Ok(resp)
}
