//! The elderly-friendly style (关怀版): larger type, higher contrast and
//! bigger touch targets. Visitors switch with `/care?on=1|0`, remembered in
//! the `gk_care` cookie like the 简/繁 switch; every portal page links
//! `/static/care.css`, which carries the style only for those who chose it,
//! so no page needs rewriting. The kiosk always uses it.

use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::AppState;

pub const COOKIE: &str = "gk_care";
/// The 关怀版 style sheet.
pub const CARE_CSS: &str = include_str!("../../static/care.css");

pub fn routes() -> Router<AppState> {
    Router::new().route("/care", get(switch)).route("/static/care.css", get(css)).route("/static/care-on.css", get(css_always))
}

/// Whether the request carries `gk_care=1`.
pub fn wants_care(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).any(|c| c.trim() == "gk_care=1")
}

fn css_response(body: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("cookie"));
    res
}

async fn css(headers: HeaderMap) -> Response {
    css_response(if wants_care(&headers) { CARE_CSS } else { "/* 标准版 */\n" })
}

async fn css_always() -> Response {
    let mut res = css_response(CARE_CSS);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res.headers_mut().remove(header::VARY);
    res
}

#[derive(Deserialize)]
struct SwitchQuery {
    on: Option<String>,
    back: Option<String>,
}

/// `GET /care?on=1|0&back=/local/path`: remember the choice and go back.
async fn switch(Query(q): Query<SwitchQuery>, headers: HeaderMap) -> Response {
    let cookie = match q.on.as_deref() {
        Some("1") => format!("{COOKIE}=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000"),
        Some("0") => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        _ => return (StatusCode::BAD_REQUEST, "参数 on 只能是 1（关怀版）或 0（标准版）").into_response(),
    };
    let back = crate::hant::back_path(q.back.as_deref(), &headers);
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&back).unwrap_or_else(|_| HeaderValue::from_static("/")));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
