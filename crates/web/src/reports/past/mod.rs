//! Past annual reports (往年年度报告) imported from their published files: a town that adopts
//! gongkai brings in the reports it published before, so that its first generated report has
//! last year's figures to be checked against (C5 carry-over, C7 现行有效, 雷同), and the
//! portal's 年报 column lists every year.
//!
//! - [`read`]: the checker reads the file; unfit files are refused ([`read::ImportError`]).
//! - this module: the import itself (shared with `gongkai report import`) and the back-office
//!   page `/admin/reports/import` (upload → preview → confirm, 替换 for a year already imported).
//! - [`portal`]: the public page of an imported report and its source file.

pub mod portal;
pub mod read;

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use gongkai_domain::model::{Organisation, Role};
use gongkai_store::{NewPastReport, PastReport, Store};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::today;
use crate::{render, AppState};
pub use read::{ImportError, ReadReport};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/reports/import", get(page).post(submit))
        .merge(portal::routes())
}

/// Import `read` as `org`'s report of its year, through `store` (an [`Store::audited`]
/// handle records the audit entry in the same transaction). Refused when gongkai already has
/// a published report of that year, or when the year was imported before and `replace` was
/// not confirmed; nothing is stored then.
pub async fn import(
    store: &Store,
    org: &Organisation,
    read: &ReadReport,
    imported_by: Option<i64>,
    imported_by_name: &str,
    replace: bool,
) -> Result<PastReport, ImportError> {
    let generated = store.reports(&[org.id]).await?;
    if crate::reports::records::latest_published(&generated, read.year).is_some() {
        return Err(ImportError::Generated { year: read.year });
    }
    let new = NewPastReport {
        org_id: org.id,
        year: read.year,
        file_name: &read.file_name,
        content_type: read.content_type,
        bytes: &read.bytes,
        input_kind: read.input_kind,
        text: &read.text,
        figures: &read.figures,
        findings: &read.findings,
        imported_by,
        imported_by_name,
        at: chrono::Utc::now(),
    };
    Ok(store.put_past_report(&new, replace).await?)
}

/// The audit detail of an import: organisation, year, file and its digest.
pub fn audit_detail(org: &Organisation, read: &ReadReport, replace: bool) -> String {
    use sha2::{Digest, Sha256};
    format!(
        "{}{}年度报告，文件“{}”（{} 字节，SHA-256 {}）{}",
        org.name,
        read.year,
        read.file_name,
        read.bytes.len(),
        hex::encode(Sha256::digest(&read.bytes)),
        if replace { "，替换原导入" } else { "" }
    )
}

/// The public page of an imported report.
pub fn public_url(org_slug: &str, year: i32) -> String {
    format!("/org/{org_slug}/past-reports/{year}")
}

// ---------------------------------------------------------------------------------------------
// Back office
// ---------------------------------------------------------------------------------------------

fn can_import(staff: &Staff) -> bool {
    staff.is(Role::Editor) || staff.is(Role::Admin)
}

/// The organisations the user may import for: their own, and for administrators the
/// organisations below it.
async fn orgs_in_scope(state: &AppState, staff: &Staff) -> Result<Vec<Organisation>, AppError> {
    let mut orgs: Vec<Organisation> = state.store.orgs().await?.into_iter().filter(|o| staff.can_access_org(o.id)).collect();
    orgs.sort_by_key(|o| (o.id != staff.org.id, o.id));
    Ok(orgs)
}

#[derive(Deserialize)]
struct PageQuery {
    imported: Option<String>,
    org: Option<String>,
}

async fn page(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let done = match (q.imported.as_deref().and_then(|y| y.parse::<i32>().ok()), q.org.as_deref().and_then(|o| o.parse::<i64>().ok())) {
        (Some(year), Some(org_id)) if staff.can_access_org(org_id) => Some((org_id, year)),
        _ => None,
    };
    view(&state, &staff, Form::default(), None, None, done, StatusCode::OK).await
}

/// What the form holds between the steps.
#[derive(Default)]
struct Form {
    csrf: String,
    org_id: Option<i64>,
    year: String,
    replace: bool,
    confirm: bool,
    file: Option<(String, Vec<u8>)>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, String> {
    let mut out = Form::default();
    let mut encoded: Option<String> = None;
    let mut encoded_name = String::new();
    let limit = |name: &str| match name {
        "file" => read::MAX_FILE_BYTES,
        "content" => read::MAX_FILE_BYTES / 3 * 4 + 4,
        _ => 4096,
    };
    loop {
        let part = crate::upload::next_part(&mut multipart, limit)
            .await
            .map_err(|e| e.message(|_| format!("上传的文件过大：上限 {} MB", read::MAX_FILE_BYTES / 1024 / 1024)))?;
        let Some(crate::upload::Part { name, filename, data }) = part else { break };
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "_csrf" => out.csrf = text(),
            "org_id" => out.org_id = text().parse().ok(),
            "year" => out.year = text(),
            "replace" => out.replace = text() == "1",
            "confirm" => out.confirm = text() == "1",
            "file_name" => encoded_name = text(),
            "content" => encoded = Some(text()),
            "file" if !data.is_empty() => out.file = Some((filename, data)),
            _ => {}
        }
    }
    if out.file.is_none() {
        if let Some(b64) = encoded.filter(|s| !s.is_empty()) {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|_| "预览后提交的文件内容已损坏，请重新上传".to_string())?;
            out.file = Some((encoded_name, bytes));
        }
    }
    Ok(out)
}

fn severity_label(s: &str) -> &'static str {
    match s {
        "error" => "错误",
        "warning" => "警告",
        _ => "提示",
    }
}

fn cell_text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// What the checker read, for the preview.
fn preview_ctx(org: &Organisation, read: &ReadReport, existing: Option<&PastReport>) -> Value {
    let f = &read.figures;
    let carried_out = gongkai_domain::report_format::format(f.format)
        .section3_row_with_role(gongkai_domain::report_format::RowRole::CarriedOut)
        .map(|r| r.id);
    context! {
        org_id => org.id, org_name => org.name, year => read.year, file_name => read.file_name,
        size => read.bytes.len(), input_kind => read.input_kind,
        content => base64::engine::general_purpose::STANDARD.encode(&read.bytes),
        title => f.title(&org.name, read.year), agency => f.agency, published => f.published.map(|d| d.to_string()),
        agency_differs => f.agency.as_deref().is_some_and(|a| !a.is_empty() && a != org.name),
        format_name => f.format.display_name(),
        section2 => f.section2.iter().map(|r| context! { block => r.block, label => r.label, values => r.values.iter().map(|v| cell_text(*v)).collect::<Vec<_>>() }).collect::<Vec<_>>(),
        section3 => f.section3.iter().map(|r| context! {
            label => r.id, key => Some(r.id.as_str()) == carried_out,
            values => r.values.iter().map(|v| cell_text(*v)).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        section4 => f.section4.iter().map(|v| cell_text(*v)).collect::<Vec<_>>(),
        findings => read.findings.iter().map(|x| context! { severity => x.severity, severity_label => severity_label(&x.severity), code => x.code, message => x.message }).collect::<Vec<_>>(),
        existing => existing.map(|e| context! { file_name => e.file_name, imported_at => e.imported_at.format("%Y-%m-%d %H:%M").to_string(), by => e.imported_by_name }),
    }
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    staff: &Staff,
    form: Form,
    err: Option<String>,
    preview: Option<Value>,
    done: Option<(i64, i32)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let orgs = orgs_in_scope(state, staff).await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let imported = state.store.past_reports(&ids).await?;
    let name_of = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| (o.name.clone(), o.slug.clone())).unwrap_or_default();
    let list: Vec<Value> = imported
        .iter()
        .rev()
        .map(|p| {
            let (org_name, slug) = name_of(p.org_id);
            context! {
                org_name, year => p.year, file_name => p.file_name, by => p.imported_by_name,
                at => p.imported_at.format("%Y-%m-%d").to_string(), url => public_url(&slug, p.year),
                errors => p.findings.iter().filter(|f| f.severity == "error").count(),
                warnings => p.findings.iter().filter(|f| f.severity == "warning").count(),
            }
        })
        .collect();
    let done = done.and_then(|(org_id, year)| {
        imported.iter().find(|p| p.org_id == org_id && p.year == year).map(|p| {
            let (org_name, slug) = name_of(p.org_id);
            context! { org_name, year, file_name => p.file_name, url => public_url(&slug, year) }
        })
    });
    render::page_with_status(
        status,
        "admin_report_import.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, err, preview, done, list,
            orgs => orgs.iter().map(|o| context! { id => o.id, name => o.name, selected => Some(o.id) == form.org_id }).collect::<Vec<_>>(),
            year => form.year, replace => form.replace, can_import => can_import(staff),
            last_year => chrono::Datelike::year(&today()) - 1,
        },
    )
}

async fn submit(State(state): State<AppState>, staff: Staff, multipart: Multipart) -> Result<Response, AppError> {
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(m) => return view(&state, &staff, Form::default(), Some(m), None, None, StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    staff.check_csrf(&form.csrf)?;
    if !can_import(&staff) {
        return Err(AppError::Forbidden("只有编辑或管理员可以导入往年年度报告".into()));
    }
    let org_id = form.org_id.unwrap_or(staff.org.id);
    if !staff.can_access_org(org_id) {
        return Err(AppError::Forbidden("不能为其他机关导入年度报告".into()));
    }
    let org = state.store.org(org_id).await?.ok_or(AppError::NotFound)?;
    let chosen = match crate::util::parse_year(Some(&form.year)) {
        Ok(y) => y,
        Err(e) => return view(&state, &staff, form, Some(e.to_string()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let Some((file_name, bytes)) = form.file.clone() else {
        let msg = "请选择要导入的年度报告文件（TXT、HTML、DOCX 或 PDF，文件不能为空）".to_string();
        return view(&state, &staff, form, Some(msg), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let file_name = clean_file_name(&file_name);
    // The preview carries the file back in base64 (a third larger) within the request limit.
    let limit = (state.config.max_upload_bytes / 4 * 3).min(read::MAX_FILE_BYTES);
    if bytes.len() > limit {
        let e = ImportError::TooLarge { file: file_name, size: bytes.len(), limit: limit.div_ceil(1024 * 1024) };
        return view(&state, &staff, form, Some(e.to_string()), None, None, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    // The original file is offered for download on the portal: scanned like any attachment.
    if let Err(e) = crate::upload::scan(&state.config.clamav, &file_name, &bytes).await {
        let status = e.status();
        return view(&state, &staff, form, Some(e.to_string()), None, None, status).await;
    }
    // Reading a PDF can take seconds: off the request threads.
    let name = file_name.clone();
    let read = tokio::task::spawn_blocking(move || read::read(&name, bytes, chosen, today()))
        .await
        .map_err(|e| AppError::Internal(format!("reading a past report failed: {e}")))?;
    let read = match read {
        Ok(r) => r,
        Err(e) => return view(&state, &staff, form, Some(e.to_string()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let existing = state.store.past_report(org.id, read.year).await?;
    if !form.confirm {
        let preview = preview_ctx(&org, &read, existing.as_ref());
        return view(&state, &staff, form, None, Some(preview), None, StatusCode::OK).await;
    }
    let store = staff.audited(&state, "report.past_import", "past_report:{id}", &audit_detail(&org, &read, form.replace));
    match import(&store, &org, &read, Some(staff.user.id), &staff.user.display_name, form.replace).await {
        Ok(p) => Ok(Redirect::to(&format!("/admin/reports/import?imported={}&org={}", p.year, p.org_id)).into_response()),
        Err(e @ (ImportError::Exists(_) | ImportError::Generated { .. })) => {
            let preview = preview_ctx(&org, &read, existing.as_ref());
            view(&state, &staff, form, Some(e.to_string()), Some(preview), None, StatusCode::CONFLICT).await
        }
        Err(ImportError::Store(e)) => Err(e.into()),
        Err(e) => view(&state, &staff, form, Some(e.to_string()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The file's own name without any directory a browser may send, at most 200 characters;
/// "报告" when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "报告".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(clean_file_name("C:\\报告\\2023年报.pdf"), "2023年报.pdf");
        assert_eq!(clean_file_name("../a/b.docx"), "b.docx");
        assert_eq!(clean_file_name("  "), "报告");
    }
}
