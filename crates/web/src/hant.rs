//! The Traditional-script (繁體) portal.
//!
//! A visitor picks the script with `/script?to=hant|hans`, which stores the
//! choice in the `gk_script` cookie. The [`convert`] middleware then rewrites
//! every public HTML page from Simplified to Traditional: only the text between
//! tags and a few human-readable attribute values are converted — never tag
//! names, URLs, form values, entities or numbers. Converted pages are cached by
//! the SHA-256 of the Simplified body, so an unchanged page is converted once
//! and a changed page can never be served stale.
//!
//! The conversion is character-level (OpenCC `s2t`), not Taiwan vocabulary
//! (`s2twp`): the latter rewrites words — 信息→資訊, 代码→程式碼 — which would
//! misquote legal titles such as 《政府信息公开条例》 and official terms such as
//! 统一社会信用代码.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Query, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;

/// The cookie that remembers the chosen script.
pub const COOKIE: &str = "gk_script";
/// Largest body that is converted; larger (or unsized) bodies pass unchanged.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// Number of converted pages kept.
const CACHE_ENTRIES: usize = 512;
/// Total bytes of converted pages kept.
const CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Paths that are never converted (back office, API, files, the switch).
const EXCLUDED: &[&str] = &["/admin", "/api", "/static", "/attachments", "/script", "/care"];

pub fn routes() -> Router<AppState> {
    Router::new().route("/script", get(switch))
}

#[derive(Deserialize)]
struct SwitchQuery {
    to: Option<String>,
    back: Option<String>,
}

/// `GET /script?to=hant|hans&back=/local/path`: remember the script and go back.
async fn switch(Query(q): Query<SwitchQuery>, headers: HeaderMap) -> Response {
    let cookie = match q.to.as_deref() {
        Some("hant") => format!("{COOKIE}=hant; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000"),
        Some("hans") => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        _ => return (StatusCode::BAD_REQUEST, "参数 to 只能是 hant 或 hans").into_response(),
    };
    let back = match q.back.as_deref() {
        Some(b) => safe_local(b),
        None => referer_path(&headers),
    }
    .unwrap_or_else(|| "/".to_string());
    let location = HeaderValue::from_str(&back).unwrap_or_else(|_| HeaderValue::from_static("/"));
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, location);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Where a switch goes back to: `back` if local, else the local `Referer`, else `/`.
pub fn back_path(back: Option<&str>, headers: &HeaderMap) -> String {
    match back {
        Some(b) => safe_local(b),
        None => referer_path(headers),
    }
    .filter(|p| !p.starts_with("/care"))
    .unwrap_or_else(|| "/".to_string())
}

/// `back` if it is a path on this site (starts with one `/`), else `None`.
fn safe_local(back: &str) -> Option<String> {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.starts_with("/script")
        && !back.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| back.to_string())
}

/// The path of the `Referer` when it names the host addressed.
fn referer_path(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("https://").or_else(|| referer.strip_prefix("http://"))?;
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if !authority.eq_ignore_ascii_case(host) {
        return None;
    }
    let path = path.split('#').next().unwrap_or("/");
    let path = if path.starts_with('?') { format!("/{path}") } else { path.to_string() };
    safe_local(&path)
}

/// Whether the request carries `gk_script=hant`.
fn wants_hant(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == "gk_script=hant")
}

fn is_public_page(path: &str) -> bool {
    !EXCLUDED.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

/// Middleware: serve public HTML pages in Traditional script when asked to.
pub async fn convert(req: Request, next: Next) -> Response {
    let public = matches!(*req.method(), Method::GET | Method::HEAD) && is_public_page(req.uri().path());
    let hant = public && wants_hant(req.headers());
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    // A download (an imported report's original HTML file) is passed on as it is.
    let download = res.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("attachment"));
    if !public || !is_html || download || res.status() != StatusCode::OK {
        return res;
    }
    // The same URL answers in either script: caches must key on the cookie.
    res.headers_mut().append(header::VARY, HeaderValue::from_static("cookie"));
    // Only bodies whose size is known and within the cap are buffered, so a
    // large or streamed body always passes through untouched.
    let fits = res.body().size_hint().upper().is_some_and(|n| n <= MAX_BODY as u64);
    if !hant || !fits {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "页面读取失败").into_response(),
    };
    let out = converted(bytes);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// The Traditional body for a Simplified one, from the cache when possible.
fn converted(simplified: Bytes) -> Bytes {
    let Some(cv) = converter() else { return simplified };
    let Ok(text) = std::str::from_utf8(&simplified) else { return simplified };
    let key: [u8; 32] = Sha256::digest(&simplified).into();
    if let Some(hit) = cache_get(&key) {
        return hit;
    }
    let out = Bytes::from(convert_html(text, &|s: &str| cv.convert(s)));
    cache_put(key, out.clone());
    out
}

fn converter() -> Option<&'static OpenCC> {
    static CV: OnceLock<Option<OpenCC>> = OnceLock::new();
    CV.get_or_init(|| match OpenCC::from_config(BuiltinConfig::S2t) {
        Ok(cv) => Some(cv),
        Err(e) => {
            tracing::error!("cannot build the Simplified→Traditional converter: {e}");
            None
        }
    })
    .as_ref()
}

#[derive(Default)]
struct Cache {
    map: HashMap<[u8; 32], Bytes>,
    order: VecDeque<[u8; 32]>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache::default()))
}

fn cache_get(key: &[u8; 32]) -> Option<Bytes> {
    let guard = cache().lock().unwrap_or_else(|p| p.into_inner());
    guard.map.get(key).cloned()
}

fn cache_put(key: [u8; 32], value: Bytes) {
    let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
    if c.map.contains_key(&key) {
        return;
    }
    c.bytes += value.len();
    c.map.insert(key, value);
    c.order.push_back(key);
    while c.map.len() > CACHE_ENTRIES || (c.bytes > CACHE_BYTES && c.map.len() > 1) {
        let Some(old) = c.order.pop_front() else { break };
        if let Some(v) = c.map.remove(&old) {
            c.bytes -= v.len();
        }
    }
}

/// Attributes whose values are human-readable text (`content`: the page metadata tags).
const TEXT_ATTRS: &[&str] = &["title", "alt", "placeholder", "aria-label", "content"];
/// Elements whose content is never converted.
const OPAQUE: &[&str] = &["script", "style", "textarea"];

/// Convert a well-formed HTML document: text between tags and the values of
/// [`TEXT_ATTRS`] (and `content` of `<meta name="description">`) go through
/// `cv`; everything else is copied byte for byte. `<html>` gets
/// `lang="zh-Hant"`. Never panics, whatever the input.
pub fn convert_html(html: &str, cv: &dyn Fn(&str) -> String) -> String {
    let lower = html.to_ascii_lowercase();
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 64);
    let mut i = 0;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        let end = if html[i..].starts_with("<!--") {
            html[i + 4..].find("-->").map_or(b.len(), |p| i + 4 + p + 3)
        } else if matches!(next, b'!' | b'?' | b'/') {
            html[i..].find('>').map_or(b.len(), |p| i + p + 1)
        } else if next.is_ascii_alphabetic() {
            0 // a start tag, handled below
        } else {
            i += 1; // a lone '<' in text
            continue;
        };
        out.push_str(&convert_text(&html[text_start..i], cv));
        if end != 0 {
            out.push_str(&html[i..end]);
            i = end;
            text_start = i;
            continue;
        }
        let Some((tag_end, name)) = start_tag(html, i, &mut out, cv) else {
            out.push_str(&html[i..]);
            return out;
        };
        i = tag_end;
        if OPAQUE.contains(&name.as_str()) && !html[..tag_end].ends_with("/>") {
            let close = format!("</{name}");
            let raw_end = lower[i..].find(&close).map_or(b.len(), |p| i + p);
            out.push_str(&html[i..raw_end]);
            i = raw_end;
        }
        text_start = i;
    }
    out.push_str(&convert_text(&html[text_start..], cv));
    out
}

/// Copy the start tag at `start` into `out`, converting the readable attribute
/// values. Returns the index after `>` and the lower-case tag name, or `None`
/// when the tag never ends.
fn start_tag(html: &str, start: usize, out: &mut String, cv: &dyn Fn(&str) -> String) -> Option<(usize, String)> {
    let b = html.as_bytes();
    let mut p = start + 1;
    while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'-' || b[p] == b':') {
        p += 1;
    }
    let name = html[start + 1..p].to_ascii_lowercase();
    let name_end = p;
    // (attribute name, value start, value end)
    let mut attrs: Vec<(String, usize, usize)> = Vec::new();
    let end = loop {
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        match b.get(p)? {
            b'>' => break p + 1,
            b'/' => {
                p += 1;
                continue;
            }
            _ => {}
        }
        let an = p;
        while p < b.len() && !b[p].is_ascii_whitespace() && !matches!(b[p], b'=' | b'>' | b'/') {
            p += 1;
        }
        if p == an {
            p += 1; // a stray character
            continue;
        }
        let attr = html[an..p].to_ascii_lowercase();
        let mut q = p;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        if b.get(q) != Some(&b'=') {
            continue; // a boolean attribute
        }
        q += 1;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        match b.get(q)? {
            &quote @ (b'"' | b'\'') => {
                let close = html[q + 1..].find(quote as char)? + q + 1;
                attrs.push((attr, q + 1, close));
                p = close + 1;
            }
            _ => {
                let vs = q;
                while q < b.len() && !b[q].is_ascii_whitespace() && b[q] != b'>' {
                    q += 1;
                }
                attrs.push((attr, vs, q));
                p = q;
            }
        }
    };
    let is_description = name == "meta"
        && attrs.iter().any(|(a, s, e)| a == "name" && html[*s..*e].trim().eq_ignore_ascii_case("description"));
    let mut copied = start;
    if name == "html" && !attrs.iter().any(|(a, _, _)| a == "lang") {
        out.push_str(&html[start..name_end]);
        out.push_str(" lang=\"zh-Hant\"");
        copied = name_end;
    }
    for (attr, s, e) in &attrs {
        let replacement = if name == "html" && attr == "lang" {
            "zh-Hant".to_string()
        } else if TEXT_ATTRS.contains(&attr.as_str()) || (is_description && attr == "content") {
            convert_text(&html[*s..*e], cv)
        } else {
            continue;
        };
        out.push_str(&html[copied..*s]);
        out.push_str(&replacement);
        copied = *e;
    }
    out.push_str(&html[copied..end]);
    Some((end, name))
}

/// Convert a run of text, leaving character references (`&amp;`, `&#12345;`)
/// and pure-ASCII runs exactly as they are.
fn convert_text(text: &str, cv: &dyn Fn(&str) -> String) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let ref_len = after
            .find(';')
            .filter(|&n| n > 0 && n <= 32 && after[..n].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'#'));
        match ref_len {
            Some(n) => {
                out.push_str(&cv(&rest[..amp]));
                out.push_str(&rest[amp..amp + 1 + n + 1]);
                rest = &rest[amp + 1 + n + 1..];
            }
            None => {
                out.push_str(&cv(&rest[..=amp]));
                rest = &rest[amp + 1..];
            }
        }
    }
    out.push_str(&cv(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hant(html: &str) -> String {
        let cv = converter().expect("converter");
        convert_html(html, &|s: &str| cv.convert(s))
    }

    #[test]
    fn text_is_converted() {
        let out = hant("<p>政府信息公开年度报告</p>");
        assert!(out.contains("年度報告"), "{out}");
        assert!(out.starts_with("<p>") && out.ends_with("</p>"), "{out}");
    }

    #[test]
    fn href_and_value_are_untouched() {
        let html = r#"<a href="/org/x?q=信息公开&amp;y=2023">信息公开</a><input name="关键词" value="信息公开" placeholder="请输入关键词">"#;
        let out = hant(html);
        assert!(out.contains(r#"href="/org/x?q=信息公开&amp;y=2023""#), "{out}");
        assert!(out.contains(r#"name="关键词" value="信息公开""#), "{out}");
        assert!(!out.contains("请输入"), "{out}");
        assert!(!out.contains(">信息公开<"), "{out}");
    }

    #[test]
    fn title_and_description_are_converted() {
        let out = hant(r#"<a title="联系我们" href="/c">x</a><meta name="description" content="申请公开"><meta name="keywords" content="申请公开">"#);
        assert!(out.contains(r#"title="聯繫我們""#) || out.contains(r#"title="聯絡我們""#), "{out}");
        assert!(out.contains(r#"name="description" content="申請公開""#), "{out}");
        // Government-site metadata (keywords included) follows the page's script.
        assert!(out.contains(r#"name="keywords" content="申請公開""#), "{out}");
    }

    #[test]
    fn script_style_and_comments_are_opaque() {
        let html = "<script>var s = '简体 <b>后台</b>';</script><style>p::after{content:'简体'}</style><!-- 简体 --><p>简体</p>";
        let out = hant(html);
        assert!(out.starts_with("<script>var s = '简体 <b>后台</b>';</script><style>p::after{content:'简体'}</style><!-- 简体 --><p>"), "{out}");
        assert!(out.ends_with("<p>簡體</p>"), "{out}");
    }

    #[test]
    fn entities_and_numbers_are_untouched() {
        let out = hant("<p>发&nbsp;布&#21457;&#x53d1;&amp;共 66 条 2023-00012</p>");
        assert_eq!(out, "<p>發&nbsp;布&#21457;&#x53d1;&amp;共 66 條 2023-00012</p>");
    }

    #[test]
    fn html_lang_is_set() {
        assert_eq!(hant(r#"<!DOCTYPE html><html lang="zh-CN"><body>书</body></html>"#), r#"<!DOCTYPE html><html lang="zh-Hant"><body>書</body></html>"#);
        assert_eq!(hant("<html><body>书</body></html>"), r#"<html lang="zh-Hant"><body>書</body></html>"#);
    }

    #[test]
    fn malformed_input_never_panics() {
        for s in ["<", "<a", "<a href=\"x", "<p>书<", "<!--", "</", "<a b=>书", "书 < 书 > 书", "<script>书", "<a title='书>", "&", "&#;书&"] {
            let _ = hant(s);
        }
        assert_eq!(hant("a < b 书"), "a < b 書");
    }

    #[test]
    fn local_paths_only() {
        assert_eq!(safe_local("/org/x?y=1").as_deref(), Some("/org/x?y=1"));
        assert_eq!(safe_local("//evil.example/"), None);
        assert_eq!(safe_local("https://evil.example/"), None);
        assert_eq!(safe_local("/\\evil.example"), None);
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("gk.example"));
        h.insert(header::REFERER, HeaderValue::from_static("https://gk.example/org/a/xxgk?year=2023#top"));
        assert_eq!(referer_path(&h).as_deref(), Some("/org/a/xxgk?year=2023"));
        h.insert(header::REFERER, HeaderValue::from_static("https://evil.example/org/a"));
        assert_eq!(referer_path(&h), None);
    }

    #[test]
    fn public_paths() {
        assert!(is_public_page("/org/yuantan"));
        assert!(is_public_page("/"));
        assert!(is_public_page("/apiary"));
        assert!(!is_public_page("/admin"));
        assert!(!is_public_page("/admin/login"));
        assert!(!is_public_page("/api/v1/organisations"));
        assert!(!is_public_page("/static/site.css"));
    }
}
