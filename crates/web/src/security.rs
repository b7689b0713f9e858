//! Security headers, cross-site request refusal and simple rate limiting.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use gongkai_store::{AuditContext, NewAuditEntry};

use crate::error::AppError;
use crate::AppState;

/// The id of a request: sent back as `X-Request-Id` and recorded in the audit log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The user agent of a request, shortened for the audit log.
pub fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect()
}

/// Back-office and staff API responses hold personal data: never cached.
fn is_back_office(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path.starts_with("/api/v1/staff")
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response (error pages included: this
/// is the outermost layer), `Cache-Control: no-store` to every back-office
/// response, a request id, refuses state-changing requests that a browser
/// marks as cross-site, and audits every refused request (401/403).
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let id = crate::auth::random_token()[..16].to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let back_office = is_back_office(req.uri().path());
    let method = req.method().clone();
    let path = req.uri().path().chars().take(200).collect::<String>();
    let ua = user_agent(req.headers());
    let session = crate::auth::session_token(&state.config, req.headers()).map(str::to_string);
    let client = crate::auth::client_addr(req.extensions());
    let mut res = if is_state_changing(req.method()) && is_cross_site(&req) {
        AppError::Csrf.into_response()
    } else {
        next.run(req).await
    };
    if matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        audit_refusal(&state, res.status(), &method, &path, session.as_deref(), &client, &ua, &id).await;
    }
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    if back_office {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    res
}

/// Characters no form field or JSON value may hold: C0 controls other than
/// tab, line feed and carriage return, DEL, and C1 controls. (NUL gave HTTP
/// 500 on PostgreSQL and was stored silently on SQLite.)
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn decode_form_component(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                match u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a JSON text holds a forbidden control character, raw or escaped (`\u0000`).
pub(crate) fn json_has_control(text: &str) -> bool {
    if text.chars().any(is_forbidden_control) {
        return true;
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            if b[i + 1] == b'u' && i + 6 <= b.len() {
                if let Some(c) = std::str::from_utf8(&b[i + 2..i + 6]).ok().and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32) {
                    if is_forbidden_control(c) {
                        return true;
                    }
                }
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    false
}

/// Refuse form, query and JSON input holding NUL or other control characters
/// with a Chinese message (422), the same on both backends.
pub async fn reject_control_chars(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let refuse = || crate::render::error_page(StatusCode::UNPROCESSABLE_ENTITY, "填写有误", "提交的内容含有不可见的控制字符（如空字符），请删除后重新提交");
    if let Some(q) = req.uri().query() {
        if decode_form_component(q.as_bytes()).chars().any(is_forbidden_control) {
            return refuse();
        }
    }
    // Submission packages are checked by their own reader, which answers in the
    // endpoint's documented shape (`channels::package::read`).
    if is_package_import(req.uri().path()) {
        return next.run(req).await;
    }
    let ctype = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let form = ctype.starts_with("application/x-www-form-urlencoded");
    let json = ctype.starts_with("application/json");
    if !(form || json) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limit = state.config.max_upload_bytes + 1024 * 1024;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return crate::render::error_page(StatusCode::PAYLOAD_TOO_LARGE, "文件过大", "提交的内容超过了允许的大小"),
    };
    let bad = if form { decode_form_component(&bytes).chars().any(is_forbidden_control) } else { json_has_control(&String::from_utf8_lossy(&bytes)) };
    if bad {
        return refuse();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// `POST /api/v1/orgs/{slug}/submissions`.
fn is_package_import(path: &str) -> bool {
    path.strip_prefix("/api/v1/orgs/").and_then(|rest| rest.split_once('/')).is_some_and(|(_, tail)| tail == "submissions")
}

/// Record a refused request with whoever holds the session (if anyone).
#[allow(clippy::too_many_arguments)]
async fn audit_refusal(state: &AppState, status: StatusCode, method: &Method, path: &str, session: Option<&str>, client: &str, ua: &str, request_id: &str) {
    let mut user = None;
    if let Some(token) = session {
        if let Ok(Some(s)) = state.store.session(&crate::auth::token_hash(token)).await {
            user = state.store.user(s.user_id).await.ok().flatten();
        }
    }
    let entry = NewAuditEntry {
        at: Utc::now(),
        actor_id: user.as_ref().map(|u| u.id),
        actor_name: user.as_ref().map(|u| u.display_name.clone()).unwrap_or_else(|| "匿名".into()),
        org_id: user.as_ref().map(|u| u.org_id),
        action: "request.refused".into(),
        target: format!("{method} {path}"),
        detail: format!("HTTP {}", status.as_u16()),
        client: client.into(),
        success: false,
    };
    let ctx = AuditContext {
        role: user.as_ref().map(|u| u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")).unwrap_or_default(),
        user_agent: ua.into(),
        request_id: request_id.into(),
    };
    if let Err(e) = state.store.append_audit_ctx(&entry, &ctx).await {
        tracing::error!(error = %e, "could not audit a refused request");
    }
}

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A request is cross-site when the browser says so (`Sec-Fetch-Site`) or its
/// `Origin` names another host than the one addressed.
fn is_cross_site(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site == "cross-site" {
            return true;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin == "null" {
            return true;
        }
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if !host.is_empty() && origin_host != host {
            return true;
        }
    }
    false
}

/// A fixed-window counter per key (client address, or address + purpose).
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Count one event for `key`; Err(TooManyRequests) once more than `max`
    /// happen within `window`.
    /// Count one online submission (application or consultation) against the hourly cap
    /// for all clients together; `max` 0 means no cap.
    pub fn hit_overall(&self, max: u32) -> Result<(), AppError> {
        if max == 0 {
            return Ok(());
        }
        self.hit("submissions:all", max, Duration::from_secs(3600))
    }

    pub fn hit(&self, key: &str, max: u32, window: Duration) -> Result<(), AppError> {
        let now = Instant::now();
        let mut map = match self.windows.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > max {
            Err(AppError::TooManyRequests)
        } else {
            Ok(())
        }
    }
}

/// Constant-time comparison of two tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_max() {
        let l = RateLimiter::default();
        for _ in 0..3 {
            assert!(l.hit("k", 3, Duration::from_secs(60)).is_ok());
        }
        assert!(l.hit("k", 3, Duration::from_secs(60)).is_err());
        assert!(l.hit("other", 3, Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn control_characters_found_in_forms_and_json() {
        assert!(decode_form_component(b"a=1&b=x%00y").chars().any(is_forbidden_control));
        assert!(decode_form_component(b"b=%1F").chars().any(is_forbidden_control));
        assert!(!decode_form_component(b"b=%E4%B8%AD%0D%0A%09+x").chars().any(is_forbidden_control));
        assert!(!decode_form_component(b"b=100%").chars().any(is_forbidden_control));
        assert!(json_has_control(r#"{"a":"x\u0000"}"#));
        assert!(!json_has_control(r#"{"a":"x\\u0000 \n"}"#));
        assert!(!json_has_control(r#"{"a":"中文\t"}"#));
    }

    #[test]
    fn token_compare() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("", ""));
    }
}
