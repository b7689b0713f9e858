//! The LED screen feed for the town hall: the latest notices and the current
//! key work (重点工作, curated by staff), broken into lines of the configured
//! length. A display page that scrolls with a CSS animation (no JavaScript;
//! the duration comes from a per-organisation style sheet), and plain-text
//! and JSON endpoints for LED controllers, cheap to poll: an ETag answers
//! `If-None-Match` with 304 and `Cache-Control` lets proxies help.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use gongkai_domain::model::{CatalogKind, ItemStatus, Organisation};
use gongkai_store::{ChannelSettings, ItemQuery};
use minijinja::context;
use serde::Serialize;

use crate::error::AppError;
use crate::portal::feeds::cached;
use crate::{render, AppState};

/// Notices shown.
const NOTICES: i64 = 10;
/// Speeds staff may choose: (code, label, seconds per line).
pub const SPEEDS: &[(&str, &str, f32)] = &[("slow", "慢", 4.0), ("normal", "中", 2.5), ("fast", "快", 1.5)];
/// Seconds a poller may reuse an answer.
const MAX_AGE: u32 = 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/led", get(display))
        .route("/org/{slug}/led.css", get(style))
        .route("/org/{slug}/led.txt", get(text))
        .route("/org/{slug}/led.json", get(json))
}

/// Break `text` into lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
    if chars.is_empty() {
        return Vec::new();
    }
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = LedEntry)]
struct Entry {
    kind: &'static str,
    text: String,
    date: Option<String>,
    lines: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = LedFeed)]
struct Feed {
    org: String,
    line_chars: i64,
    speed: String,
    entries: Vec<Entry>,
    lines: Vec<String>,
}

async fn load(state: &AppState, slug: &str) -> Result<(Organisation, ChannelSettings, Feed), AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.channel_settings(org.id).await?;
    let width = usize::try_from(settings.led_line_chars).unwrap_or(24).clamp(8, 200);
    let notice_ids: Vec<i64> = state.store.catalog(org.id).await?.iter().filter(|n| n.kind == CatalogKind::Notice).map(|n| n.id).collect();
    let notices = state
        .store
        .list_items(&ItemQuery { org_ids: vec![org.id], catalog_ids: notice_ids, statuses: vec![ItemStatus::Published], limit: NOTICES, ..Default::default() })
        .await?
        .items;
    let mut entries = Vec::new();
    for n in notices {
        let text = format!("【公告】{}", n.fields.title);
        entries.push(Entry { kind: "notice", lines: wrap(&text, width), text, date: n.publish_date.map(|d| d.to_string()) });
    }
    for k in state.store.key_work(org.id).await? {
        let text = format!("【重点工作】{}", k.line);
        entries.push(Entry { kind: "key_work", lines: wrap(&text, width), text, date: None });
    }
    let lines = entries.iter().flat_map(|e| e.lines.clone()).collect();
    let feed = Feed { org: org.name.clone(), line_chars: width as i64, speed: settings.led_speed.clone(), entries, lines };
    Ok((org, settings, feed))
}

async fn text(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let (_, _, feed) = load(&state, &slug).await?;
    let mut body = feed.lines.join("\n");
    body.push('\n');
    Ok(cached(&headers, "text/plain; charset=utf-8", body.into_bytes(), MAX_AGE))
}

/// LED 屏信息源：近期公告和重点工作，已按每行字数断行.
#[utoipa::path(get, path = "/org/{slug}/led.json", tag = "信息渠道",
    params(("slug" = String, Path, description = "机关标识")),
    responses((status = 200, description = "LED 屏内容（带 ETag，可用 If-None-Match 得到 304）", body = Feed), (status = 304, description = "内容未变"), (status = 404, description = "机关不存在", body = crate::api::ErrorBody)))]
async fn json(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let (_, _, feed) = load(&state, &slug).await?;
    let body = serde_json::to_vec(&feed).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(cached(&headers, "application/json", body, MAX_AGE))
}

/// Per-organisation style: screen width in characters and the scroll duration.
async fn style(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let (_, settings, feed) = load(&state, &slug).await?;
    let per_line = SPEEDS.iter().find(|(c, _, _)| *c == settings.led_speed).map(|s| s.2).unwrap_or(2.5);
    let seconds = (feed.lines.len().max(1) as f32 * per_line).max(5.0);
    let css = format!(".led-screen {{ width: {}em; }}\n.led-roll {{ animation-duration: {seconds:.1}s; }}\n", feed.line_chars);
    Ok(cached(&headers, "text/css; charset=utf-8", css.into_bytes(), MAX_AGE))
}

async fn display(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let (org, _, feed) = load(&state, &slug).await?;
    let html = render::environment()
        .get_template("portal_led.html")?
        .render(context! { org => crate::portal::org_ctx(&org), lines => feed.lines, site_name => state.config.site_name })?;
    Ok(cached(&headers, "text/html; charset=utf-8", html.into_bytes(), MAX_AGE))
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrapping_counts_characters() {
        assert_eq!(super::wrap("一二三四五六七", 3), vec!["一二三", "四五六", "七"]);
        assert!(super::wrap("", 3).is_empty());
        assert_eq!(super::wrap("ab\ncd", 10), vec!["abcd"]);
    }
}
