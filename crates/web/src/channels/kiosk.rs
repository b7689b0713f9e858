//! Touch-screen kiosk mode for the town hall: large type and touch targets,
//! navigation by catalog, topic and year by tapping (no keyboard), no links
//! leaving the kiosk and no downloads. The start page fills a portrait
//! screen: latest notices, the catalog's columns, key work, how to apply and
//! a QR code to the phone portal. The idle return is the one script of the
//! public side (`/static/kiosk.js`): any touch resets it, and a visible
//! countdown comes before it returns — nobody reading is thrown out. Without
//! JavaScript the kiosk simply stays where the reader left it. Always in the
//! 关怀版 style.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use axum::routing::get;
use axum::Router;
use gongkai_domain::model::{CatalogKind, CatalogNode, ItemStatus, Organisation};
use gongkai_store::{ItemOrder, ItemQuery};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::error::AppError;
use crate::portal::{descendants, flatten_catalog, org_ctx, public_item};
use crate::util::{parse_id, parse_page, parse_year, Paging};
use crate::{render, AppState};

/// Seconds without a tap before the kiosk returns to its start page.
pub const IDLE_SECONDS: u32 = 120;
const PER_PAGE: i64 = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kiosk", get(home))
        .route("/org/{slug}/kiosk", get(org_home))
        .route("/org/{slug}/kiosk/list", get(list))
        .route("/org/{slug}/kiosk/item/{id}", get(item))
        .route("/static/kiosk.js", get(script))
}

/// Seconds of the visible countdown before the kiosk returns.
pub const COUNTDOWN_SECONDS: u32 = 20;

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/kiosk.js"),
    )
        .into_response()
}

fn base(state: &AppState, home: &str) -> Value {
    context! { site_name => state.config.site_name, idle => IDLE_SECONDS, countdown => COUNTDOWN_SECONDS, home => home }
}

/// Latest published notices of the organisations, newest first.
async fn notices(state: &AppState, orgs: &[Organisation], limit: i64) -> Result<Vec<Value>, AppError> {
    let mut notice_ids = Vec::new();
    for o in orgs {
        notice_ids.extend(state.store.catalog(o.id).await?.iter().filter(|n| n.kind == CatalogKind::Notice).map(|n| n.id));
    }
    if notice_ids.is_empty() {
        return Ok(Vec::new());
    }
    let items = state
        .store
        .list_items(&ItemQuery {
            org_ids: orgs.iter().map(|o| o.id).collect(),
            catalog_ids: notice_ids,
            statuses: vec![ItemStatus::Published],
            order: ItemOrder::PublishDateDesc,
            limit,
            ..Default::default()
        })
        .await?
        .items;
    let slugs: HashMap<i64, (String, String)> = orgs.iter().map(|o| (o.id, (o.slug.clone(), o.name.clone()))).collect();
    Ok(items
        .iter()
        .map(|i| {
            let (slug, name) = slugs.get(&i.org_id).cloned().unwrap_or_default();
            context! { id => i.id, title => i.fields.title, date => i.publish_date.map(|d| d.to_string()), slug, org => name }
        })
        .collect())
}

/// Key work lines of the organisations.
async fn key_work(state: &AppState, orgs: &[Organisation]) -> Result<Vec<Value>, AppError> {
    let mut out = Vec::new();
    for o in orgs {
        for k in state.store.key_work(o.id).await? {
            out.push(context! { line => k.line, org => o.name });
        }
    }
    Ok(out)
}

/// The QR code (inline SVG data URL) to a portal page, for reading on a phone.
fn qr(state: &AppState, headers: &HeaderMap, path: &str) -> Result<Value, AppError> {
    let url = format!("{}{path}", crate::portal::feeds::base_url(state, headers));
    let svg = crate::channels::boards::qr_svg(&url)?;
    let data = format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg.as_bytes()));
    Ok(context! { url, data })
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let mut orgs = state.store.orgs().await?;
    orgs.sort_by_key(|o| o.id);
    let latest = notices(&state, &orgs, 6).await?;
    let work = key_work(&state, &orgs).await?;
    render::page(
        "kiosk_home.html",
        context! {
            k => base(&state, "/kiosk"), orgs => orgs.iter().map(org_ctx).collect::<Vec<_>>(),
            latest, work, qr => qr(&state, &headers, "/")?,
        },
    )
}

async fn org_by_slug(state: &AppState, slug: &str) -> Result<Organisation, AppError> {
    state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)
}

async fn org_home(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let nodes = state.store.catalog(org.id).await?;
    let counts: HashMap<i64, i64> = state.store.published_counts_by_catalog(org.id, None).await?.into_iter().collect();
    let categories: Vec<Value> = flatten_catalog(&nodes)
        .into_iter()
        .filter(|(depth, n)| *depth == 0 && n.kind != CatalogKind::Guide)
        .map(|(_, n)| {
            let count: i64 = descendants(&nodes, n.id).iter().map(|id| counts.get(id).copied().unwrap_or(0)).sum();
            context! { id => n.id, name => n.name, count }
        })
        .filter(|v| v.get_attr("count").ok().and_then(|c| i64::try_from(c).ok()).unwrap_or(0) > 0)
        .collect();
    let published = state.store.list_items(&ItemQuery { org_ids: vec![org.id], statuses: vec![ItemStatus::Published], ..Default::default() }).await?;
    let mut topics: BTreeMap<String, i64> = BTreeMap::new();
    for i in &published.items {
        let t = i.fields.topic.trim();
        if !t.is_empty() {
            *topics.entry(t.to_string()).or_default() += 1;
        }
    }
    let years = state.store.publish_years(&[org.id]).await?;
    let latest = notices(&state, std::slice::from_ref(&org), 5).await?;
    let work = key_work(&state, std::slice::from_ref(&org)).await?;
    render::page(
        "kiosk_org.html",
        context! {
            k => base(&state, &format!("/org/{}/kiosk", org.slug)), org => org_ctx(&org), categories,
            topics => topics.into_iter().map(|(name, count)| context! { q => crate::util::url_encode(&name), name, count }).collect::<Vec<_>>(), years,
            latest, work, qr => qr(&state, &headers, &format!("/org/{}", org.slug))?,
        },
    )
}

#[derive(Deserialize)]
struct ListQuery {
    cat: Option<String>,
    year: Option<String>,
    topic: Option<String>,
    page: Option<String>,
}

async fn list(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let nodes = state.store.catalog(org.id).await?;
    let page = parse_page(q.page.as_deref())?;
    let year = parse_year(q.year.as_deref())?;
    let cat = parse_id(q.cat.as_deref(), "栏目")?;
    let node: Option<&CatalogNode> = match cat {
        Some(id) => Some(nodes.iter().find(|n| n.id == id).ok_or(AppError::NotFound)?),
        None => None,
    };
    let topic = q.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    let query = ItemQuery {
        org_ids: vec![org.id],
        catalog_ids: node.map(|n| descendants(&nodes, n.id)).unwrap_or_default(),
        statuses: vec![ItemStatus::Published],
        publish_year: year,
        order: ItemOrder::PublishDateDesc,
        ..Default::default()
    };
    // Topic is a free-text field: filter here (a town has hundreds of items, not millions).
    let all = state.store.list_items(&query).await?.items;
    let filtered: Vec<_> = all.into_iter().filter(|i| topic.as_deref().is_none_or(|t| i.fields.topic.trim() == t)).collect();
    let paging = Paging::new(page, PER_PAGE, filtered.len() as i64);
    let start = ((paging.page - 1) * PER_PAGE) as usize;
    let rows: Vec<Value> = filtered
        .iter()
        .skip(start)
        .take(PER_PAGE as usize)
        .map(|i| context! { id => i.id, title => i.fields.title, date => i.publish_date.map(|d| d.to_string()), index_no => i.index_no })
        .collect();
    // Years to narrow by tapping, for the same category/topic.
    let years = state.store.publish_years(&[org.id]).await?;
    let mut params = Vec::new();
    if let Some(n) = node {
        params.push(format!("cat={}", n.id));
    }
    if let Some(t) = &topic {
        params.push(format!("topic={}", crate::util::url_encode(t)));
    }
    let keep = params.join("&");
    let mut heading = node.map(|n| n.name.clone()).or_else(|| topic.clone()).unwrap_or_else(|| "全部信息".into());
    if let Some(y) = year {
        heading = format!("{heading} · {y} 年");
    }
    render::page(
        "kiosk_list.html",
        context! {
            k => base(&state, &format!("/org/{}/kiosk", org.slug)), org => org_ctx(&org), rows, paging, years, year, heading, keep,
            year_param => year.map(|y| format!("&year={y}")).unwrap_or_default(),
        },
    )
}

/// Paragraphs that only point to downloads ("…格式下载：<a>…</a>") make no
/// sense at a kiosk; they are left out.
fn without_download_paragraphs(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<p") {
        let Some(len) = rest[start..].find("</p>") else { break };
        let para = &rest[start..start + len + 4];
        out.push_str(&rest[..start]);
        if !(para.contains("<a ") && para.contains("下载")) {
            out.push_str(para);
        }
        rest = &rest[start + len + 4..];
    }
    out.push_str(rest);
    out
}

/// 正文 for the kiosk: the same sanitised HTML without links (nothing leaves
/// the kiosk) and without paragraphs offering downloads.
fn without_links(html: &str) -> String {
    let html = without_download_paragraphs(html);
    let html = html.as_str();
    let tags: std::collections::HashSet<&str> =
        ["p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "span", "div"].into_iter().collect();
    ammonia::Builder::default().tags(tags).clean(html).to_string()
}

async fn item(State(state): State<AppState>, Path((slug, id)): Path<(String, String)>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let item = public_item(&state, id).await?;
    if item.org_id != org.id {
        return Err(AppError::NotFound);
    }
    let catalog = state.store.catalog_node(item.fields.catalog_id).await?;
    let mut detail = crate::portal::item_detail(&item, &org, catalog.as_ref());
    let body = Value::from_safe_string(without_links(&item.fields.body_html));
    let attachments: Vec<String> = state.store.attachments(item.id).await?.into_iter().map(|a| a.filename).collect();
    detail = context! { body_html => body, ..detail };
    render::page(
        "kiosk_item.html",
        context! { k => base(&state, &format!("/org/{}/kiosk", org.slug)), org => org_ctx(&org), item => detail, attachments, cat => item.fields.catalog_id },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_are_removed_text_kept() {
        let out = super::without_links("<p>见<a href=\"https://example.com\">某网站</a></p>");
        assert_eq!(out, "<p>见某网站</p>");
    }

    #[test]
    fn download_paragraphs_are_dropped() {
        let out = super::without_links("<p>完整报告及 Word、Excel 等格式下载：<a href=\"/org/x/reports/2025\">查看</a></p><p>正文</p><p>下载量统计</p>");
        assert_eq!(out, "<p>正文</p><p>下载量统计</p>");
    }
}
