//! The rendered-page cache of this server process, and conditional GET.
//!
//! Public pages are the same for every visitor who chose the same script
//! (简/繁) and mode (standard/关怀版) on the same day, so each is rendered once
//! and then served from memory until the site changes. "The site changes" is
//! read from the database, not from this process: every node polls the
//! [`SiteVersion`] (the search change log's last sequence number, written with
//! every item change, plus a generation counter bumped after every other staff
//! change) and empties its cache when it moves, so a publish or withdraw on any
//! node is visible on every node within a poll interval. A staff change made on
//! this node empties the cache at once.
//!
//! Every cached page carries a strong `ETag` (the SHA-256 of its bytes) and a
//! `Last-Modified`; a matching `If-None-Match` or `If-Modified-Since` gets a
//! bodiless 304. `Cache-Control` lets browsers and proxies keep a copy but
//! makes them revalidate, which is cheap, so nobody shows a withdrawn item.
//!
//! Never cached: anything but GET/HEAD, the back office, the JSON API (its
//! clients expect what the database holds now), a request carrying a staff
//! session, search (each search first applies the change log, and analytics
//! count it),
//! attachments (served with their own validators), and any response that is
//! not a plain 200, that sets a cookie (forms carry a per-visitor token) or
//! that brings its own `Cache-Control` or `ETag` (the LED feed).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gongkai_store::{SiteVersion, Store};
use sha2::{Digest, Sha256};

use crate::auth::{cookie, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::AppState;

/// Largest page kept.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Longest request target (path and query) that is cached; longer ones are
/// rendered every time so that crafted URLs cannot fill the cache.
const MAX_KEY_TARGET: usize = 512;
/// How often each node reads the site version from the database.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Sent with every cached page: keep, but revalidate before each use.
const CACHE_CONTROL: &str = "public, no-cache";
/// Paths never cached.
const EXCLUDED_PREFIXES: &[&str] =
    &["/admin", "/api", "/attachments", "/search", "/script", "/care", "/apply", "/track"];

/// One cached page.
struct Entry {
    content_type: HeaderValue,
    content_language: Option<HeaderValue>,
    etag: HeaderValue,
    last_modified: HeaderValue,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    map: HashMap<String, Arc<Entry>>,
    /// Insertion order, for eviction when over budget.
    order: VecDeque<String>,
    bytes: usize,
}

/// The cache of one server process.
pub struct PageCache {
    inner: Mutex<Inner>,
    budget: usize,
    change_seq: AtomicI64,
    generation: AtomicI64,
}

impl PageCache {
    /// A cache holding at most `budget` bytes of pages (0 disables it).
    pub fn new(budget: usize) -> Self {
        PageCache { inner: Mutex::new(Inner::default()), budget, change_seq: AtomicI64::new(-1), generation: AtomicI64::new(-1) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map inconsistent in a
        // way that matters: at worst an entry is missing from `order`.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn version(&self) -> SiteVersion {
        SiteVersion { change_seq: self.change_seq.load(Ordering::Acquire), generation: self.generation.load(Ordering::Acquire) }
    }

    /// Adopt the database's version; empty the cache if it moved.
    pub fn observe(&self, v: SiteVersion) {
        if self.version() != v {
            let mut inner = self.lock();
            self.change_seq.store(v.change_seq, Ordering::Release);
            self.generation.store(v.generation, Ordering::Release);
            *inner = Inner::default();
        }
    }

    /// Empty the cache now (after a change made through this node).
    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }

    /// Number of pages held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        self.lock().map.get(key).cloned()
    }

    fn put(&self, key: String, entry: Entry, rendered_at: SiteVersion) {
        let size = entry.body.len() + key.len();
        if size > self.budget {
            return;
        }
        let mut inner = self.lock();
        // A change observed while the page was being rendered may make it stale.
        if self.version() != rendered_at {
            return;
        }
        if let Some(old) = inner.map.insert(key.clone(), Arc::new(entry)) {
            inner.bytes -= old.body.len() + key.len();
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some(oldest) = inner.order.pop_front() else { break };
            if let Some(e) = inner.map.remove(&oldest) {
                inner.bytes -= e.body.len() + oldest.len();
            }
        }
    }

    /// Poll the database's site version in the background for as long as the
    /// cache lives.
    pub fn spawn_follower(self: &Arc<Self>, store: Store) {
        let weak: Weak<PageCache> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(cache) = weak.upgrade() else { break };
                match store.site_version().await {
                    Ok(v) => cache.observe(v),
                    Err(e) => {
                        // Without the version we cannot know the pages are current.
                        cache.clear();
                        tracing::warn!(error = %e, "page cache: reading the site version failed");
                    }
                }
                drop(cache);
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        });
    }
}

/// The cache key of a request, or `None` when it must not be cached.
fn key_of(req: &Request) -> Option<String> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let path = req.uri().path();
    let excluded = |p: &str| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'));
    if EXCLUDED_PREFIXES.iter().any(|p| excluded(p)) {
        return None;
    }
    // Forms, receipts and tracking pages belong to one visitor.
    if path.starts_with("/org/") && ["/apply", "/consult", "/track"].iter().any(|seg| path.contains(seg)) {
        return None;
    }
    let headers = req.headers();
    if [SESSION_COOKIE, SECURE_SESSION_COOKIE].iter().any(|name| cookie(headers, name).is_some_and(|v| !v.is_empty())) {
        return None;
    }
    // A page may depend on any cookie but the two the key holds (a receipt's
    // 查询码 and secret travel in one): such requests are never cached.
    if carries_other_cookies(headers) {
        return None;
    }
    let target = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(path);
    if target.len() > MAX_KEY_TARGET {
        return None;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let script = cookie(headers, crate::hant::COOKIE).unwrap_or("");
    let care = cookie(headers, crate::portal::care::COOKIE).unwrap_or("");
    // Pages that list "recent" things change with the date.
    Some(format!("{}\n{host}\n{target}\n{script}\n{care}", crate::util::today()))
}

/// Whether the request sends a cookie other than the script and care choices.
fn carries_other_cookies(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('=').map(|(k, v)| (k.trim(), v.trim())))
        .any(|(k, v)| !v.is_empty() && k != crate::hant::COOKIE && k != crate::portal::care::COOKIE)
}

/// Whether the request's validators match the entry.
fn not_modified(headers: &HeaderMap, entry: &Entry) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let tag = entry.etag.to_str().unwrap_or("");
        return inm.split(',').map(str::trim).any(|t| t == "*" || t == tag || t.strip_prefix("W/") == Some(tag));
    }
    headers.get(header::IF_MODIFIED_SINCE).is_some_and(|v| v.as_bytes() == entry.last_modified.as_bytes())
}

fn respond(headers: &HeaderMap, entry: &Entry) -> Response {
    let mut res = if not_modified(headers, entry) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(entry.body.clone()));
        r.headers_mut().insert(header::CONTENT_TYPE, entry.content_type.clone());
        if let Some(lang) = &entry.content_language {
            r.headers_mut().insert(header::CONTENT_LANGUAGE, lang.clone());
        }
        r
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, entry.etag.clone());
    h.insert(header::LAST_MODIFIED, entry.last_modified.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

fn cacheable_type(ct: &HeaderValue) -> bool {
    let ct = ct.to_str().unwrap_or("");
    ["text/html", "application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/json", "text/plain", "image/svg+xml"]
        .iter()
        .any(|t| ct.starts_with(t))
}

/// Whether a successful request changed something the portal may show.
fn changes_site(method: &Method, path: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    (path.starts_with("/admin/") && !matches!(path, "/admin/login" | "/admin/logout" | "/admin/password"))
        || path.starts_with("/api/")
}

/// The middleware.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.page_cache.clone();
    let Some(key) = key_of(&req) else {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let res = next.run(req).await;
        if changes_site(&method, &path) && (res.status().is_success() || res.status().is_redirection()) {
            cache.clear();
            if let Err(e) = state.store.bump_site_generation().await {
                tracing::warn!(error = %e, "page cache: recording a site change failed");
            }
            if let Ok(v) = state.store.site_version().await {
                cache.observe(v);
            }
        }
        return res;
    };
    let headers = req.headers().clone();
    // A HEAD answer has no body to keep; it is served from, but never put into, the cache.
    let is_get = req.method() == Method::GET;
    if let Some(entry) = cache.get(&key) {
        return respond(&headers, &entry);
    }
    let rendered_at = cache.version();
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().contains_key(header::SET_COOKIE) {
        return res;
    }
    let Some(content_type) = res.headers().get(header::CONTENT_TYPE).filter(|ct| cacheable_type(ct)).cloned() else {
        return res;
    };
    // A handler that sets its own validators or caching policy (the LED feed,
    // downloads, no-store pages) keeps them.
    if res.headers().contains_key(header::CACHE_CONTROL) || res.headers().contains_key(header::ETAG) {
        return res;
    }
    // Only bodies of known, modest size are kept; others pass through untouched.
    match res.body().size_hint().exact() {
        Some(n) if is_get && n as usize <= MAX_PAGE_BYTES => {}
        _ => return res,
    }
    let content_language = res.headers().get(header::CONTENT_LANGUAGE).cloned();
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page cache: reading a rendered page failed");
            return crate::error::AppError::Internal("读取页面内容失败".into()).into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let last_modified = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let (Ok(etag), Ok(last_modified)) = (HeaderValue::from_str(&etag), HeaderValue::from_str(&last_modified)) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let entry = Entry { content_type, content_language, etag, last_modified, body: bytes };
    let mut out = respond(&headers, &entry);
    // Keep the handler's other headers (e.g. Link, X-Robots-Tag) on this answer.
    for (name, value) in parts.headers.iter() {
        if !out.headers().contains_key(name) && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    if cache.budget > 0 {
        cache.put(key, entry, rendered_at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &'static str) -> Entry {
        Entry {
            content_type: HeaderValue::from_static("text/html"),
            content_language: None,
            etag: HeaderValue::from_static("\"abc\""),
            last_modified: HeaderValue::from_static("Mon, 07 Dec 2026 04:00:00 GMT"),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn eviction_keeps_the_budget() {
        let c = PageCache::new(40);
        let v = c.version();
        c.put("a".into(), entry("0123456789"), v);
        c.put("b".into(), entry("0123456789"), v);
        c.put("c".into(), entry("0123456789"), v);
        c.put("d".into(), entry("0123456789"), v);
        assert!(c.lock().bytes <= 40);
        assert!(c.get("a").is_none(), "oldest evicted first");
        assert!(c.get("d").is_some());
    }

    #[test]
    fn a_version_change_empties_the_cache_and_refuses_stale_renders() {
        let c = PageCache::new(1 << 20);
        let before = c.version();
        c.put("a".into(), entry("x"), before);
        assert_eq!(c.len(), 1);
        c.observe(SiteVersion { change_seq: 5, generation: 1 });
        assert!(c.is_empty());
        // A page rendered before the change must not be kept after it.
        c.put("b".into(), entry("y"), before);
        assert!(c.is_empty());
        c.observe(SiteVersion { change_seq: 5, generation: 1 });
        c.put("b".into(), entry("y"), c.version());
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn validators() {
        let e = entry("x");
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"zzz\", \"abc\""));
        assert!(not_modified(&h, &e));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"zzz\""));
        assert!(!not_modified(&h, &e));
        let mut h = HeaderMap::new();
        h.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("Mon, 07 Dec 2026 04:00:00 GMT"));
        assert!(not_modified(&h, &e));
    }

    #[test]
    fn personal_pages_are_not_cached() {
        let req = |path: &str, cookie: Option<&'static str>| {
            let mut b = Request::builder().uri(path);
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(Body::empty()).expect("request")
        };
        assert!(key_of(&req("/item/3", None)).is_some());
        assert!(key_of(&req("/item/3", Some("gk_script=hant; gk_care=1"))).is_some());
        assert!(key_of(&req("/item/3", Some("gk_receipt=CODE.SECRET"))).is_none());
        assert!(key_of(&req("/org/town/apply/receipt?again=1", None)).is_none());
        assert!(key_of(&req("/org/town/consult/done", None)).is_none());
        assert!(key_of(&req("/org/town/consult/track", None)).is_none());
        assert!(key_of(&req("/admin", None)).is_none());
    }

    #[test]
    fn site_changes() {
        assert!(changes_site(&Method::POST, "/admin/items/3/action"));
        assert!(!changes_site(&Method::POST, "/admin/login"));
        assert!(!changes_site(&Method::GET, "/admin/items"));
        assert!(!changes_site(&Method::POST, "/org/yuantan/apply"));
        assert!(changes_site(&Method::POST, "/api/v1/orgs/x/submissions"));
    }
}
