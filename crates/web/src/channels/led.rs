//! The LED screen feed for the town hall: the notices published within the
//! configured age (site setting `led_max_age_days`, default 30 days) and the
//! current key work (重点工作, curated by staff), broken into lines of at most
//! the configured length at word boundaries (jieba), never mid-word. The
//! display scales to the screen (vw/vh) or to the LED controller's configured
//! resolution (site setting `led_resolution`). A display page that scrolls
//! with a CSS animation (the duration comes from a per-organisation style
//! sheet; a tiny script reloads the page only when the feed's ETag changes,
//! instead of a refresh timer), and plain-text
//! and JSON endpoints for LED controllers, cheap to poll: an ETag answers
//! `If-None-Match` with 304 and `Cache-Control` lets proxies help.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use gongkai_domain::model::{CatalogKind, ItemStatus, Organisation};
use gongkai_store::{ChannelSettings, ItemOrder, ItemQuery};
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
        .route("/static/led.js", get(script))
}

/// Closing punctuation that must not begin a line.
const NO_START: &str = "，。、；：？！）》」』】〕”’,.;:?!)%";
/// Opening punctuation that must not end a line.
const NO_END: &str = "（《「『【〔“‘(";

/// Break `text` into lines of at most `width` characters at word boundaries
/// (jieba segmentation): a word moves to the next line rather than being cut,
/// closing punctuation never starts a line and opening punctuation never ends
/// one; only a word longer than a whole line is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = gongkai_search::tokenizer::jieba().cut(&clean, false).into_iter().map(|t| t.word).collect();
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let len = |line: &Vec<String>| line.iter().map(|w| w.chars().count()).sum::<usize>();
    for word in words {
        let n = word.chars().count();
        let current = lines.last_mut().expect("one line at least");
        if len(current) + n <= width {
            current.push(word.to_string());
            continue;
        }
        if n > width {
            // A word longer than a line: fill the current line, then cut.
            let mut chars: Vec<char> = word.chars().collect();
            let room = width - len(current);
            let rest = chars.split_off(room.min(chars.len()));
            if !chars.is_empty() {
                current.push(chars.into_iter().collect());
            }
            for chunk in rest.chunks(width) {
                lines.push(vec![chunk.iter().collect()]);
            }
            continue;
        }
        let mut next: Vec<String> = Vec::new();
        // Closing punctuation stays with the word before it.
        if word.chars().next().is_some_and(|c| NO_START.contains(c)) && current.len() > 1 {
            if let Some(prev) = current.pop() {
                next.push(prev);
            }
        }
        // Opening punctuation moves down with the word after it.
        while current.len() > 1 && current.last().and_then(|w| w.chars().last()).is_some_and(|c| NO_END.contains(c)) {
            if let Some(prev) = current.pop() {
                next.insert(0, prev);
            }
        }
        next.push(word.to_string());
        if len(&next) > width {
            // Keeping the group together does not fit: start the word alone.
            let word = next.pop().unwrap_or_default();
            current.extend(next);
            next = vec![word];
        }
        lines.push(next);
    }
    lines.into_iter().map(|l| l.concat()).filter(|l| !l.is_empty()).collect()
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
    /// Notices older than this many days are left out.
    max_age_days: i64,
    /// The LED controller's resolution in pixels, when configured.
    resolution: Option<(u32, u32)>,
    speed: String,
    entries: Vec<Entry>,
    lines: Vec<String>,
}

async fn load(state: &AppState, slug: &str) -> Result<(Organisation, ChannelSettings, Feed), AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.channel_settings(org.id).await?;
    let width = usize::try_from(settings.led_line_chars).unwrap_or(24).clamp(8, 200);
    let notice_ids: Vec<i64> = state.store.catalog(org.id).await?.iter().filter(|n| n.kind == CatalogKind::Notice).map(|n| n.id).collect();
    let site = crate::portal::site::load(state).await?;
    let oldest = crate::util::today() - chrono::Duration::days(site.led_max_age_days() - 1);
    let notices: Vec<_> = if notice_ids.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .list_items(&ItemQuery {
                org_ids: vec![org.id],
                catalog_ids: notice_ids,
                statuses: vec![ItemStatus::Published],
                order: ItemOrder::PublishDateDesc,
                limit: NOTICES * 5,
                ..Default::default()
            })
            .await?
            .items
            .into_iter()
            .filter(|i| i.publish_date.is_some_and(|d| d >= oldest))
            .take(NOTICES as usize)
            .collect()
    };
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
    let feed = Feed {
        org: org.name.clone(),
        line_chars: width as i64,
        max_age_days: site.led_max_age_days(),
        resolution: site.led_resolution(),
        speed: settings.led_speed.clone(),
        entries,
        lines,
    };
    Ok((org, settings, feed))
}

/// The display page's reload-on-change script (no page refresh timer).
async fn script() -> Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/led.js"),
    )
        .into_response()
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
    let css = led_css(feed.line_chars, seconds, feed.resolution);
    Ok(cached(&headers, "text/css; charset=utf-8", css.into_bytes(), MAX_AGE))
}

/// Lines visible at once on the screen.
const VISIBLE_LINES: f32 = 6.0;

/// The screen's style: lines of `chars` characters scaled to fill the
/// viewport's width (vw) without exceeding its height (vh), or, with a
/// configured controller resolution, a fixed box of that many pixels.
pub fn led_css(chars: i64, seconds: f32, resolution: Option<(u32, u32)>) -> String {
    let chars = chars.max(1) as f32;
    // Title line (0.6 of a line) plus the visible lines, each 1.4 em high.
    let rows = VISIBLE_LINES * 1.4 + 1.2;
    let mut css = match resolution {
        Some((w, h)) => {
            let font = (w as f32 / (chars + 0.5)).min(h as f32 / rows).floor().max(8.0);
            format!(
                "body.led {{ width: {w}px; height: {h}px; overflow: hidden; }}\n.led-title {{ font-size: {t}px; }}\n.led-screen {{ width: {chars}em; max-width: 100%; font-size: {font}px; height: {lines}em; }}\n",
                t = (font * 0.6).floor(),
                lines = VISIBLE_LINES * 1.4,
            )
        }
        None => format!(
            ".led-screen {{ width: {chars}em; max-width: 100%; font-size: min(calc(96vw / {w}), calc(96vh / {rows:.1})); height: {lines}em; }}\n.led-title {{ font-size: min(calc(96vw / {w} * .6), calc(96vh / {rows:.1} * .6)); }}\n",
            w = chars + 0.5,
            lines = VISIBLE_LINES * 1.4,
        ),
    };
    css.push_str(&format!(".led-roll {{ animation-duration: {seconds:.1}s; }}\n"));
    css
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
    use super::wrap;

    #[test]
    fn wrapping_keeps_words_whole() {
        assert!(wrap("", 3).is_empty());
        assert_eq!(wrap("ab\ncd", 10), vec!["abcd"]);
        // "医疗保险" is never cut into "医疗/保险" across lines when it fits on one.
        let lines = wrap("【公告】关于做好城乡居民医疗保险参保缴费工作的通知", 12);
        for l in &lines {
            assert!(l.chars().count() <= 12, "{l}");
        }
        assert_eq!(lines.concat(), "【公告】关于做好城乡居民医疗保险参保缴费工作的通知");
        assert!(lines.iter().any(|l| l.contains("医疗保险")) || lines.iter().any(|l| l.contains("医疗") && l.contains("保险")), "{lines:?}");
        assert!(!lines.iter().any(|l| l.ends_with("医疗") || l.ends_with("医")), "{lines:?}");
    }

    #[test]
    fn punctuation_and_long_words() {
        for l in wrap("关于秋季防火的通知，请各村做好准备。", 8) {
            assert!(!l.starts_with('，') && !l.starts_with('。'), "{l}");
            assert!(l.chars().count() <= 8);
        }
        for l in wrap("请阅读《源潭镇防汛工作方案》全文", 9) {
            assert!(!l.ends_with('《'), "{l}");
        }
        // A word longer than the line is cut, nothing is lost.
        let lines = wrap("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10);
        assert_eq!(lines.concat(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        assert!(lines.iter().all(|l| l.chars().count() <= 10));
    }

    #[test]
    fn style_scales_to_screen_or_resolution() {
        let css = super::led_css(24, 30.0, None);
        assert!(css.contains("vw") && css.contains("vh") && css.contains("width: 24em"), "{css}");
        let fixed = super::led_css(16, 30.0, Some((384, 192)));
        assert!(fixed.contains("width: 384px; height: 192px") && !fixed.contains("vw"), "{fixed}");
    }
}
