//! Feeds of published items: RSS 2.0 and Atom per organisation and per
//! catalog category, and a sitemap of the portal's main pages and every
//! published item. Also the small helpers the machine-read channels share:
//! absolute URLs, XML escaping and cheap conditional GETs (ETag → 304).

use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use gongkai_domain::model::{CatalogNode, Item, ItemStatus, Organisation};
use gongkai_store::ItemQuery;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::portal::descendants;
use crate::util::{cst, parse_id};
use crate::AppState;

/// Entries per feed.
const FEED_ENTRIES: i64 = 50;
/// Most URLs one sitemap may list (the sitemap protocol's limit).
const SITEMAP_MAX: usize = 50_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/feed.rss", get(rss))
        .route("/org/{slug}/feed.atom", get(atom))
        .route("/sitemap.xml", get(sitemap))
}

/// Escape text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The portal's absolute address: the configured `public_url`, else the
/// request's `Host` (only if it looks like a host name), else `http://localhost`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let configured = state.config.public_url.trim().trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 253 && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A body with an ETag (SHA-256 of the bytes); answers 304 when the client
/// already has it. `max_age` in seconds.
pub fn cached(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>, max_age: u32) -> Response {
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*" || t.trim().strip_prefix("W/") == Some(etag.as_str())));
    let mut res = if matches { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let h = res.headers_mut();
    if !matches {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    res
}

/// Midnight China time of a date, as UTC.
fn day_start(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    cst().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

#[derive(Deserialize)]
struct FeedQuery {
    cat: Option<String>,
}

struct Feed {
    org: Organisation,
    category: Option<CatalogNode>,
    items: Vec<Item>,
    catalog: Vec<CatalogNode>,
}

async fn load_feed(state: &AppState, slug: &str, cat: Option<&str>) -> Result<Feed, AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let catalog = state.store.catalog(org.id).await?;
    let category = match parse_id(cat, "栏目")? {
        Some(id) => Some(catalog.iter().find(|n| n.id == id).cloned().ok_or(AppError::NotFound)?),
        None => None,
    };
    let catalog_ids = category.as_ref().map(|c| descendants(&catalog, c.id)).unwrap_or_default();
    let items = state
        .store
        .list_items(&ItemQuery { org_ids: vec![org.id], catalog_ids, statuses: vec![ItemStatus::Published], limit: FEED_ENTRIES, ..Default::default() })
        .await?
        .items;
    Ok(Feed { org, category, items, catalog })
}

fn feed_title(f: &Feed) -> String {
    match &f.category {
        Some(c) => format!("{} - {}", f.org.name, c.name),
        None => format!("{} 政府信息公开", f.org.name),
    }
}

fn column_url(base: &str, f: &Feed) -> String {
    match &f.category {
        Some(c) => format!("{base}/org/{}/xxgk?cat={}", f.org.slug, c.id),
        None => format!("{base}/org/{}/xxgk", f.org.slug),
    }
}

fn category_name<'a>(f: &'a Feed, item: &Item) -> &'a str {
    f.catalog.iter().find(|n| n.id == item.fields.catalog_id).map(|n| n.name.as_str()).unwrap_or("")
}

fn summary(item: &Item) -> String {
    let mut s = String::new();
    if let Some(no) = &item.index_no {
        let _ = write!(s, "索引号：{no}　");
    }
    if let Some(doc) = &item.fields.doc_number {
        let _ = write!(s, "文号：{doc}　");
    }
    let _ = write!(s, "发布机构：{}", item.fields.publisher);
    if !item.fields.summary.is_empty() {
        let _ = write!(s, "\n{}", item.fields.summary);
    }
    s
}

async fn rss(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<FeedQuery>, headers: HeaderMap) -> Result<Response, AppError> {
    let f = load_feed(&state, &slug, q.cat.as_deref()).await?;
    let base = base_url(&state, &headers);
    let self_url = match &f.category {
        Some(c) => format!("{base}/org/{}/feed.rss?cat={}", f.org.slug, c.id),
        None => format!("{base}/org/{}/feed.rss", f.org.slug),
    };
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    let _ = writeln!(x, "<title>{}</title>", xml_escape(&feed_title(&f)));
    let _ = writeln!(x, "<link>{}</link>", xml_escape(&column_url(&base, &f)));
    let _ = writeln!(x, "<description>{}</description>", xml_escape(&format!("{}主动公开的政府信息", f.org.name)));
    x.push_str("<language>zh-CN</language>\n");
    let _ = writeln!(x, "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>", xml_escape(&self_url));
    if let Some(latest) = f.items.iter().filter_map(|i| i.publish_date).max() {
        let _ = writeln!(x, "<lastBuildDate>{}</lastBuildDate>", day_start(latest).with_timezone(&cst()).to_rfc2822());
    }
    for item in &f.items {
        let url = format!("{base}/item/{}", item.id);
        x.push_str("<item>\n");
        let _ = writeln!(x, "<title>{}</title>", xml_escape(&item.fields.title));
        let _ = writeln!(x, "<link>{}</link>", xml_escape(&url));
        let _ = writeln!(x, "<guid isPermaLink=\"true\">{}</guid>", xml_escape(&url));
        if let Some(d) = item.publish_date {
            let _ = writeln!(x, "<pubDate>{}</pubDate>", day_start(d).with_timezone(&cst()).to_rfc2822());
        }
        let cat = category_name(&f, item);
        if !cat.is_empty() {
            let _ = writeln!(x, "<category>{}</category>", xml_escape(cat));
        }
        let _ = writeln!(x, "<description>{}</description>", xml_escape(&summary(item)));
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    Ok(cached(&headers, "application/rss+xml; charset=utf-8", x.into_bytes(), 300))
}

async fn atom(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<FeedQuery>, headers: HeaderMap) -> Result<Response, AppError> {
    let f = load_feed(&state, &slug, q.cat.as_deref()).await?;
    let base = base_url(&state, &headers);
    let self_url = match &f.category {
        Some(c) => format!("{base}/org/{}/feed.atom?cat={}", f.org.slug, c.id),
        None => format!("{base}/org/{}/feed.atom", f.org.slug),
    };
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let updated = f.items.iter().map(|i| i.updated_at).max().unwrap_or_else(|| day_start(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()));
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    let _ = writeln!(x, "<title>{}</title>", xml_escape(&feed_title(&f)));
    let _ = writeln!(x, "<id>{}</id>", xml_escape(&self_url));
    let _ = writeln!(x, "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>", xml_escape(&self_url));
    let _ = writeln!(x, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&column_url(&base, &f)));
    let _ = writeln!(x, "<updated>{}</updated>", rfc(updated));
    let _ = writeln!(x, "<author><name>{}</name></author>", xml_escape(&f.org.name));
    for item in &f.items {
        let url = format!("{base}/item/{}", item.id);
        x.push_str("<entry>\n");
        let _ = writeln!(x, "<title>{}</title>", xml_escape(&item.fields.title));
        let _ = writeln!(x, "<id>{}</id>", xml_escape(&url));
        let _ = writeln!(x, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&url));
        if let Some(d) = item.publish_date {
            let _ = writeln!(x, "<published>{}</published>", rfc(day_start(d)));
        }
        let _ = writeln!(x, "<updated>{}</updated>", rfc(item.updated_at));
        let cat = category_name(&f, item);
        if !cat.is_empty() {
            let _ = writeln!(x, "<category term=\"{}\"/>", xml_escape(cat));
        }
        let _ = writeln!(x, "<summary>{}</summary>", xml_escape(&summary(item)));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Ok(cached(&headers, "application/atom+xml; charset=utf-8", x.into_bytes(), 300))
}

async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    let orgs = state.store.orgs().await?;
    let mut urls: Vec<(String, Option<NaiveDate>)> = vec![(format!("{base}/"), None)];
    for o in &orgs {
        for page in ["", "/xxgk", "/guide", "/reports", "/consult", "/apply", "/contact"] {
            urls.push((format!("{base}/org/{}{page}", o.slug), None));
        }
    }
    if !orgs.is_empty() {
        let items = state
            .store
            .list_items(&ItemQuery { org_ids: orgs.iter().map(|o| o.id).collect(), statuses: vec![ItemStatus::Published], limit: SITEMAP_MAX as i64, ..Default::default() })
            .await?
            .items;
        for i in items {
            urls.push((format!("{base}/item/{}", i.id), Some(i.updated_at.with_timezone(&cst()).date_naive())));
        }
    }
    urls.truncate(SITEMAP_MAX);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, lastmod) in urls {
        match lastmod {
            Some(d) => {
                let _ = writeln!(x, "<url><loc>{}</loc><lastmod>{d}</lastmod></url>", xml_escape(&loc));
            }
            None => {
                let _ = writeln!(x, "<url><loc>{}</loc></url>", xml_escape(&loc));
            }
        }
    }
    x.push_str("</urlset>\n");
    Ok(cached(&headers, "application/xml; charset=utf-8", x.into_bytes(), 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
    }

    #[test]
    fn etag_answers_304() {
        let res = cached(&HeaderMap::new(), "text/plain; charset=utf-8", b"abc".to_vec(), 60);
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()[header::ETAG].clone();
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(cached(&h, "text/plain; charset=utf-8", b"abc".to_vec(), 60).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(cached(&h, "text/plain; charset=utf-8", b"abd".to_vec(), 60).status(), StatusCode::OK);
    }
}
