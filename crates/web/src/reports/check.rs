//! The back-office report checker (年报体检): paste a report's text or upload
//! its file, and see the findings beside the numbered text. Several files can be uploaded at
//! once: each is checked (an unreadable one does not stop the others) and the supervisor's
//! workbook (汇总表, the same as `gongkai report check --xlsx`) is offered for download.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use axum::http::{header, HeaderValue};
use gongkai_checker::{CheckOptions, CheckReport, Severity, SummaryItem};
use minijinja::{context, Value};

use crate::auth::Staff;
use crate::error::AppError;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/report-check", get(page).post(check))
}

/// Largest pasted text accepted, in bytes.
const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// Largest uploaded report accepted, in bytes.
const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Most files checked in one submission.
const MAX_FILES: usize = 100;

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    render::page("admin_report_check.html", context! { staff => staff.ctx(), site_name => state.config.site_name })
}

pub(crate) struct Submitted {
    pub(crate) csrf: String,
    pub(crate) text: String,
    pub(crate) file: Option<(String, Vec<u8>)>,
    /// Every uploaded file, in order (`file` is the first).
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// "xlsx": answer with the summary workbook instead of the page.
    pub(crate) download: String,
}

pub(crate) async fn read_form(mut multipart: Multipart) -> Result<Submitted, String> {
    let mut out = Submitted { csrf: String::new(), text: String::new(), file: None, files: Vec::new(), download: String::new() };
    let limit = |name: &str| if name == "file" { MAX_FILE_BYTES } else { MAX_TEXT_BYTES };
    loop {
        let part = crate::upload::next_part(&mut multipart, limit)
            .await
            .map_err(|e| e.message(|name| format!("内容过大：上限 {} MB", limit(name) / 1024 / 1024)))?;
        let Some(crate::upload::Part { name, filename, data }) = part else { break };
        match name.as_str() {
            "_csrf" => out.csrf = String::from_utf8_lossy(&data).into_owned(),
            "text" => out.text = String::from_utf8_lossy(&data).into_owned(),
            "download" => out.download = String::from_utf8_lossy(&data).into_owned(),
            "file" if !data.is_empty() => {
                if out.files.len() >= MAX_FILES {
                    return Err(format!("一次最多检查 {MAX_FILES} 个文件"));
                }
                if out.file.is_none() {
                    out.file = Some((filename.clone(), data.clone()));
                }
                out.files.push((filename, data));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Findings and the numbered text, lines with findings marked.
fn result_ctx(report: &CheckReport, text: &str) -> Value {
    let flagged: std::collections::HashSet<usize> = report.findings.iter().filter_map(|f| f.location.line).collect();
    let lines: Vec<Value> = text
        .lines()
        .take(20_000)
        .enumerate()
        .map(|(i, l)| context! { n => i + 1, text => l, flagged => flagged.contains(&(i + 1)) })
        .collect();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let loc = &f.location;
            let mut where_ = Vec::new();
            if let Some(s) = loc.section {
                where_.push(format!("第{s}部分"));
            }
            if let Some(r) = &loc.row {
                where_.push(r.clone());
            }
            if let Some(c) = &loc.column {
                where_.push(c.clone());
            }
            context! {
                code => f.code, name => f.name(), advice => f.advice(), severity => severity_code(f.severity), severity_label => f.severity.label(),
                message => f.message, line => loc.line, location => where_.join(" · "),
            }
        })
        .collect();
    let section3: Vec<Value> = report
        .tables
        .section3
        .iter()
        .map(|r| context! { label => r.label, values => r.values.iter().map(|v| v.as_i64().map(|n| n.to_string()).unwrap_or_else(|| "—".into())).collect::<Vec<_>>() })
        .collect();
    context! {
        agency => report.agency, year => report.year, published => report.published,
        format_version => report.format_version,
        errors => report.count(Severity::Error), warnings => report.count(Severity::Warning), infos => report.count(Severity::Info),
        findings, lines, section3,
        sections => report.sections.iter().map(|s| context! { number => s.number, heading => s.heading, empty => s.empty }).collect::<Vec<_>>(),
    }
}

/// Checks one uploaded file: its text and report, or a Chinese message.
fn check_file(name: &str, bytes: &[u8], opts: &CheckOptions) -> Result<(String, CheckReport), String> {
    match gongkai_checker::decode_bytes(bytes, Some(name)) {
        Ok(decoded) => {
            let mut report = gongkai_checker::check_text(&decoded.text, opts);
            if let Some(note) = decoded.note {
                report.findings.insert(0, note);
            }
            report.input_kind = Some(decoded.kind.as_str());
            Ok((decoded.text, report))
        }
        Err(e) => Err(format!("无法读取“{name}”：{e}")),
    }
}

/// The summary workbook as a download.
fn workbook_response(items: &[SummaryItem]) -> Result<Response, AppError> {
    let bytes = gongkai_checker::summary_workbook(items).map_err(|e| AppError::Internal(format!("汇总表生成失败：{e}")))?;
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"report-check.xlsx\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5%E4%BD%93%E6%A3%80%E6%B1%87%E6%80%BB.xlsx"),
    );
    Ok(res)
}

/// The workbook as a data: link, so the result page offers it without a second upload.
fn workbook_link(items: &[SummaryItem]) -> Option<String> {
    use base64::Engine as _;
    let bytes = gongkai_checker::summary_workbook(items).ok()?;
    Some(format!(
        "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// One row of the batch table.
fn batch_row(item: &SummaryItem) -> Value {
    match &item.result {
        Ok(r) => {
            let cc = r.cell_counts();
            let findings: Vec<Value> = r
                .findings
                .iter()
                .map(|f| context! { code => f.code, name => f.name(), advice => f.advice(), severity => severity_code(f.severity), severity_label => f.severity.label(), message => f.message, line => f.location.line })
                .collect();
            context! {
                file => item.file, ok => true, agency => r.agency, year => r.year, format_version => r.format_version,
                errors => r.count(Severity::Error), warnings => r.count(Severity::Warning), infos => r.count(Severity::Info),
                read => cc.read, ambiguous => cc.ambiguous, unread => cc.unread, expected => cc.expected, findings,
            }
        }
        Err(e) => context! { file => item.file, ok => false, error => e },
    }
}

async fn check(State(state): State<AppState>, staff: Staff, multipart: Multipart) -> Result<Response, AppError> {
    let fail = |msg: String, status: StatusCode| {
        render::page_with_status(status, "admin_report_check.html", context! { staff => staff.ctx(), site_name => state.config.site_name, err => msg })
    };
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(m) => return fail(m, StatusCode::PAYLOAD_TOO_LARGE),
    };
    staff.check_csrf(&form.csrf)?;
    let opts = CheckOptions { previous: None, today: Some(crate::util::today()) };
    let want_workbook = form.download == "xlsx";
    if form.files.len() > 1 || (want_workbook && !form.files.is_empty()) {
        // Several files: each checked on its own; the batch table and the workbook.
        let items: Vec<SummaryItem> = form
            .files
            .iter()
            .map(|(name, bytes)| SummaryItem { file: name.clone(), result: check_file(name, bytes, &opts).map(|(_, r)| r) })
            .collect();
        staff.audit(&state, "report.check", "report", &format!("{} 个文件", items.len()), true).await?;
        if want_workbook {
            return workbook_response(&items);
        }
        let rows: Vec<Value> = items.iter().map(batch_row).collect();
        let unreadable = items.iter().filter(|i| i.result.is_err()).count();
        return render::page(
            "admin_report_check.html",
            context! { staff => staff.ctx(), site_name => state.config.site_name, batch => rows, unreadable, workbook => workbook_link(&items), text => form.text },
        );
    }
    let (text, report, source) = match &form.file {
        Some((name, bytes)) => match check_file(name, bytes, &opts) {
            Ok((text, report)) => (text, report, name.clone()),
            Err(m) => return fail(m, StatusCode::UNPROCESSABLE_ENTITY),
        },
        None if form.text.trim().is_empty() => return fail("请粘贴年度报告全文，或选择要上传的文件".into(), StatusCode::UNPROCESSABLE_ENTITY),
        None => {
            let report = gongkai_checker::check_text(&form.text, &opts);
            (form.text.clone(), report, "粘贴的文本".to_string())
        }
    };
    staff.audit(&state, "report.check", "report", &source, true).await?;
    let items = vec![SummaryItem { file: source.clone(), result: Ok(report.clone()) }];
    if want_workbook {
        return workbook_response(&items);
    }
    render::page(
        "admin_report_check.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, result => result_ctx(&report, &text), source, text => form.text, workbook => workbook_link(&items) },
    )
}
