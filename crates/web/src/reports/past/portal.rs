//! The public side of an imported past report: a page with the text the checker read from
//! the published file (rendered as escaped paragraphs, never the file's own markup), and the
//! original file as a download with its media type.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use gongkai_domain::model::Organisation;
use gongkai_store::PastReport;
use minijinja::context;

use crate::error::AppError;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/past-reports/{year}", get(page))
        .route("/org/{slug}/past-reports/{year}/source", get(source))
}

/// The download of an imported report's source file.
pub fn source_url(org_slug: &str, year: i32) -> String {
    format!("/org/{org_slug}/past-reports/{year}/source")
}

async fn load(state: &AppState, slug: &str, year: &str) -> Result<(Organisation, PastReport), AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let year: i32 = year.parse().map_err(|_| AppError::NotFound)?;
    let past = state.store.past_report(org.id, year).await?.ok_or(AppError::NotFound)?;
    Ok((org, past))
}

async fn page(State(state): State<AppState>, Path((slug, year)): Path<(String, String)>) -> Result<Response, AppError> {
    let (org, past) = load(&state, &slug, &year).await?;
    let text = state.store.past_report_text(past.id).await?.unwrap_or_default();
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(20_000).collect();
    render::page(
        "portal_past_report.html",
        context! {
            site_name => state.config.site_name, org => crate::portal::org_ctx(&org),
            title => past.figures.title(&org.name, past.year), year => past.year,
            published_on => past.figures.published.map(|d| d.format("%Y年%-m月%-d日").to_string()),
            file_name => past.file_name, size_kb => (past.size + 1023) / 1024, source_url => source_url(&org.slug, past.year),
            lines,
        },
    )
}

async fn source(State(state): State<AppState>, Path((slug, year)): Path<(String, String)>) -> Result<Response, AppError> {
    let (_, past) = load(&state, &slug, &year).await?;
    let bytes = state.store.past_report_source(past.id).await?.ok_or(AppError::NotFound)?;
    Ok(file_response(&past, bytes))
}

/// The file as an attachment: its media type, its name (ASCII fallback and UTF-8), its
/// SHA-256 as the ETag, and a caching policy of its own so the page cache never keeps it
/// (which would drop the Content-Disposition and could show an HTML original inline).
fn file_response(past: &PastReport, bytes: Vec<u8>) -> Response {
    let ascii: String =
        past.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let disposition =
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::util::url_encode(&past.file_name));
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&past.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", past.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
