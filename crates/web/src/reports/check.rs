//! The back-office report checker (年报体检): paste a report's text or upload
//! its file, and see the findings beside the numbered text.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use gongkai_checker::{CheckOptions, CheckReport, Severity};
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

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    render::page("admin_report_check.html", context! { staff => staff.ctx(), site_name => state.config.site_name })
}

pub(crate) struct Submitted {
    pub(crate) csrf: String,
    pub(crate) text: String,
    pub(crate) file: Option<(String, Vec<u8>)>,
}

pub(crate) async fn read_form(mut multipart: Multipart) -> Result<Submitted, String> {
    let mut out = Submitted { csrf: String::new(), text: String::new(), file: None };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(format!("上传数据不完整：{}", e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().unwrap_or("").to_string();
        let mut field = field;
        let mut data = Vec::new();
        let limit = if name == "file" { MAX_FILE_BYTES } else { MAX_TEXT_BYTES };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if data.len() + chunk.len() > limit {
                        return Err(format!("内容过大：上限 {} MB", limit / 1024 / 1024));
                    }
                    data.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(format!("上传数据不完整：{}", e.body_text())),
            }
        }
        match name.as_str() {
            "_csrf" => out.csrf = String::from_utf8_lossy(&data).into_owned(),
            "text" => out.text = String::from_utf8_lossy(&data).into_owned(),
            "file" if !data.is_empty() => out.file = Some((filename, data)),
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
                code => f.code, severity => severity_code(f.severity), severity_label => f.severity.label(),
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
    let (text, report, source) = match &form.file {
        Some((name, bytes)) => match gongkai_checker::decode_bytes(bytes, Some(name)) {
            Ok(decoded) => {
                let mut report = gongkai_checker::check_text(&decoded.text, &opts);
                if let Some(note) = decoded.note {
                    report.findings.insert(0, note);
                }
                (decoded.text, report, name.clone())
            }
            Err(e) => return fail(format!("无法读取“{name}”：{e}"), StatusCode::UNPROCESSABLE_ENTITY),
        },
        None if form.text.trim().is_empty() => return fail("请粘贴年度报告全文，或选择要上传的文件".into(), StatusCode::UNPROCESSABLE_ENTITY),
        None => {
            let report = gongkai_checker::check_text(&form.text, &opts);
            (form.text.clone(), report, "粘贴的文本".to_string())
        }
    };
    staff.audit(&state, "report.check", "report", &source, true).await?;
    render::page(
        "admin_report_check.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, result => result_ctx(&report, &text), source, text => form.text },
    )
}
