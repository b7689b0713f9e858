//! The public portal: server-rendered, no JavaScript needed. Only published
//! items are ever shown; a withdrawn item answers 410.

pub mod care;
pub mod download;
pub mod feeds;
pub mod item;
pub mod search;
pub mod site;

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use gongkai_domain::model::{CatalogKind, CatalogNode, Item, ItemStatus, Organisation, Validity};
use gongkai_store::{ItemOrder, ItemQuery};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::error::AppError;
use crate::util::{parse_id, parse_page, parse_year, Paging};
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/static/site.css", get(css))
        .route("/org/{slug}", get(org_home))
        .route("/org/{slug}/xxgk", get(column))
        .route("/org/{slug}/guide", get(guide))
        .route("/org/{slug}/reports", get(reports))
        .route("/org/{slug}/contact", get(contact))
        .route("/item/{id}", get(item::item_page))
        .route("/attachments/{id}", get(attachment))
        .merge(site::routes())
        .merge(item::routes())
}

const PER_PAGE: i64 = 20;

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/site.css"),
    )
        .into_response()
}

/// Organisation summary for templates.
pub fn org_ctx(org: &Organisation) -> Value {
    context! {
        id => org.id, slug => org.slug, name => org.name, org_code => org.org_code,
        level => org.level.label(), parent_id => org.parent_id, description => org.description,
        office => context! {
            name => org.office.name, address => org.office.address, hours => org.office.hours,
            phone => org.office.phone, fax => org.office.fax, email => org.office.email, website => org.office.website,
        },
    }
}

/// An item row for listings.
pub fn item_row(item: &Item, catalog: &HashMap<i64, CatalogNode>, orgs: &HashMap<i64, Organisation>) -> Value {
    context! {
        id => item.id,
        title => item.fields.title,
        index_no => item.index_no,
        publish_date => item.publish_date.map(|d| d.to_string()),
        formed_date => item.fields.formed_date.to_string(),
        catalog => catalog.get(&item.fields.catalog_id).map(|c| c.name.clone()),
        org => orgs.get(&item.org_id).map(|o| o.name.clone()),
        org_slug => orgs.get(&item.org_id).map(|o| o.slug.clone()),
        status => item.status.as_str(),
        status_label => item.status.label(),
        validity => item.validity.as_str(),
        validity_label => item.validity.label(),
    }
}

async fn all_orgs(state: &AppState) -> Result<HashMap<i64, Organisation>, AppError> {
    Ok(state.store.orgs().await?.into_iter().map(|o| (o.id, o)).collect())
}

async fn catalog_map(state: &AppState, org_ids: &[i64]) -> Result<HashMap<i64, CatalogNode>, AppError> {
    Ok(state.store.catalogs(org_ids).await?.into_iter().map(|n| (n.id, n)).collect())
}

async fn org_by_slug(state: &AppState, slug: &str) -> Result<Organisation, AppError> {
    state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)
}

pub(crate) fn published() -> Vec<ItemStatus> {
    vec![ItemStatus::Published]
}

async fn home(State(state): State<AppState>) -> Result<Response, AppError> {
    let orgs = all_orgs(&state).await?;
    let mut list: Vec<&Organisation> = orgs.values().collect();
    list.sort_by_key(|o| o.id);
    let ids: Vec<i64> = list.iter().map(|o| o.id).collect();
    if ids.is_empty() {
        return render::page("portal_home.html", context! { site_name => state.config.site_name, roots => Vec::<Value>::new(), latest => Vec::<Value>::new(), notices => Vec::<Value>::new() });
    }
    let catalogs = catalog_map(&state, &ids).await?;
    let latest = state
        .store
        .list_items(&ItemQuery { org_ids: ids.clone(), statuses: published(), limit: 12, skip_total: true, ..Default::default() })
        .await?;
    let notice_ids: Vec<i64> = catalogs.values().filter(|c| c.kind == CatalogKind::Notice).map(|c| c.id).collect();
    let notices = if notice_ids.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .newest_items_in_catalogs(&notice_ids, ItemStatus::Published, 8)
            .await?
    };
    // Organisation tree: roots with their children.
    let roots: Vec<Value> = list
        .iter()
        .filter(|o| o.parent_id.is_none_or(|p| !orgs.contains_key(&p)))
        .map(|root| {
            let children: Vec<Value> = list.iter().filter(|c| c.parent_id == Some(root.id)).map(|c| org_ctx(c)).collect();
            context! { org => org_ctx(root), children => children }
        })
        .collect();
    render::page(
        "portal_home.html",
        context! {
            site_name => state.config.site_name,
            roots,
            latest => latest.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            notices => notices.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
        },
    )
}

/// Catalog nodes flattened depth-first with their depth, for tree display.
pub fn flatten_catalog(nodes: &[CatalogNode]) -> Vec<(usize, &CatalogNode)> {
    fn walk<'a>(nodes: &'a [CatalogNode], parent: Option<i64>, depth: usize, out: &mut Vec<(usize, &'a CatalogNode)>) {
        let mut children: Vec<&CatalogNode> = nodes.iter().filter(|n| n.parent_id == parent).collect();
        children.sort_by_key(|n| (n.sort_order, n.id));
        for c in children {
            out.push((depth, c));
            if depth < 16 {
                walk(nodes, Some(c.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(nodes, None, 0, &mut out);
    out
}

/// The catalog as a nested tree for the column's navigation: each node with
/// its published count (its own and below), whether it is selected, and
/// whether it is open (it or a node below it is selected).
pub fn catalog_tree(nodes: &[CatalogNode], parent: Option<i64>, counts: &HashMap<i64, i64>, selected: Option<i64>, depth: usize) -> Vec<Value> {
    let mut children: Vec<&CatalogNode> = nodes.iter().filter(|n| n.parent_id == parent && n.kind != CatalogKind::Guide).collect();
    children.sort_by_key(|n| (n.sort_order, n.id));
    children
        .into_iter()
        .map(|n| {
            let below = descendants(nodes, n.id);
            let count: i64 = below.iter().map(|id| counts.get(id).copied().unwrap_or(0)).sum();
            let kids = if depth < 16 { catalog_tree(nodes, Some(n.id), counts, selected, depth + 1) } else { Vec::new() };
            let open = selected.is_some_and(|s| below.contains(&s));
            context! { id => n.id, name => n.name, count, depth, selected => Some(n.id) == selected, open, children => kids, report => n.kind == CatalogKind::AnnualReport }
        })
        .collect()
}

/// A node and all nodes below it.
pub fn descendants(nodes: &[CatalogNode], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        out.extend(nodes.iter().filter(|n| n.parent_id == Some(cur)).map(|n| n.id));
        i += 1;
        if out.len() > 10_000 {
            break;
        }
    }
    out
}

async fn org_home(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let orgs = all_orgs(&state).await?;
    let nodes = state.store.catalog(org.id).await?;
    let catalogs: HashMap<i64, CatalogNode> = nodes.iter().map(|n| (n.id, n.clone())).collect();
    let mut sections = Vec::new();
    for (depth, node) in flatten_catalog(&nodes) {
        if depth > 0 || node.kind == CatalogKind::Guide {
            continue;
        }
        let items = state
            .store
            .list_items(&ItemQuery {
                org_ids: vec![org.id],
                catalog_ids: descendants(&nodes, node.id),
                statuses: published(),
                limit: 5,
                ..Default::default()
            })
            .await?;
        if items.total > 0 {
            sections.push(context! {
                id => node.id, name => node.name, total => items.total,
                items => items.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            });
        }
    }
    let children: Vec<Value> = orgs.values().filter(|o| o.parent_id == Some(org.id)).map(org_ctx).collect();
    let parent = org.parent_id.and_then(|p| orgs.get(&p)).map(org_ctx);
    render::page(
        "portal_org.html",
        context! { site_name => state.config.site_name, org => org_ctx(&org), sections, children, parent },
    )
}

#[derive(Deserialize)]
struct ColumnQuery {
    cat: Option<String>,
    year: Option<String>,
    page: Option<String>,
    scope: Option<String>,
    stat: Option<String>,
}

async fn column(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<ColumnQuery>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let page = parse_page(q.page.as_deref())?;
    let year = parse_year(q.year.as_deref())?;
    let cat = parse_id(q.cat.as_deref(), "栏目")?;
    let include_children = q.scope.as_deref() == Some("all");
    let org_ids = if include_children { state.store.org_subtree_ids(org.id).await? } else { vec![org.id] };
    let orgs = all_orgs(&state).await?;
    let nodes = state.store.catalog(org.id).await?;
    let mut catalog_ids = Vec::new();
    let mut current = None;
    if let Some(cat) = cat {
        let node = nodes.iter().find(|n| n.id == cat).ok_or(AppError::NotFound)?;
        catalog_ids = descendants(&nodes, node.id);
        current = Some(context! { id => node.id, name => node.name });
    }
    if let Some(code) = q.stat.as_deref().filter(|s| !s.is_empty()) {
        if gongkai_domain::catalog::statutory_category(code).is_none() {
            return Err(AppError::BadRequest(format!("法定公开类别“{code}”不存在")));
        }
    }
    let all_catalogs = catalog_map(&state, &org_ids).await?;
    let per_page = PER_PAGE;
    let query = ItemQuery {
        org_ids: org_ids.clone(),
        catalog_ids: catalog_ids.clone(),
        statuses: published(),
        publish_year: year,
        statutory_category: q.stat.clone().filter(|s| !s.is_empty()),
        order: ItemOrder::PublishDateDesc,
        limit: per_page,
        offset: (page - 1) * per_page,
        ..Default::default()
    };
    let result = state.store.list_items(&query).await?;
    let paging = Paging::new(page, per_page, result.total);
    // Catalog tree with published counts for the selected year (own organisation).
    let counts: HashMap<i64, i64> = state.store.published_counts_by_catalog(org.id, year).await?.into_iter().collect();
    let tree = catalog_tree(&nodes, None, &counts, cat, 0);
    let has_reports = nodes.iter().any(|n| n.kind == CatalogKind::AnnualReport);
    let own_total: i64 = counts.values().sum();
    let years = state.store.publish_years(&org_ids).await?;
    let has_children = orgs.values().any(|o| o.parent_id == Some(org.id));
    let stat_categories: Vec<Value> = gongkai_domain::catalog::statutory_categories_for(org.level)
        .map(|c| context! { code => c.code, label => c.label, selected => q.stat.as_deref() == Some(c.code) })
        .collect();
    render::page(
        "portal_column.html",
        context! {
            site_name => state.config.site_name,
            org => org_ctx(&org),
            tree, own_total, current, years, year, paging, has_reports,
            include_children, has_children, stat_categories,
            stat => q.stat.clone().filter(|s| !s.is_empty()),
            items => result.items.iter().map(|i| item_row(i, &all_catalogs, &orgs)).collect::<Vec<_>>(),
        },
    )
}

async fn guide(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let nodes = state.store.catalog(org.id).await?;
    let tree: Vec<Value> = flatten_catalog(&nodes).into_iter().map(|(depth, n)| context! { name => n.name, depth }).collect();
    // The latest published guide item, if staff published one, is linked too.
    let guide_ids: Vec<i64> = nodes.iter().filter(|n| n.kind == CatalogKind::Guide).map(|n| n.id).collect();
    let latest_guide = if guide_ids.is_empty() {
        None
    } else {
        state
            .store
            .list_items(&ItemQuery { org_ids: vec![org.id], catalog_ids: guide_ids, statuses: published(), limit: 1, ..Default::default() })
            .await?
            .items
            .into_iter()
            .next()
            .map(|i| context! { id => i.id, title => i.fields.title, publish_date => i.publish_date.map(|d| d.to_string()) })
    };
    let stat_categories: Vec<&str> = gongkai_domain::catalog::statutory_categories_for(org.level).map(|c| c.label).collect();
    render::page(
        "portal_guide.html",
        context! { site_name => state.config.site_name, org => org_ctx(&org), tree, latest_guide, stat_categories },
    )
}

async fn reports(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    let orgs = all_orgs(&state).await?;
    let nodes = state.store.catalog(org.id).await?;
    let catalogs: HashMap<i64, CatalogNode> = nodes.iter().map(|n| (n.id, n.clone())).collect();
    let report_ids: Vec<i64> = nodes.iter().filter(|n| n.kind == CatalogKind::AnnualReport).map(|n| n.id).collect();
    let items = if report_ids.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .list_items(&ItemQuery { org_ids: vec![org.id], catalog_ids: report_ids, statuses: published(), limit: 100, ..Default::default() })
            .await?
            .items
    };
    // Reports written in gongkai link to their own page; older ones stay as items.
    let stored = state.store.reports(&[org.id]).await?;
    let report_items: Vec<i64> = stored.iter().filter_map(|r| r.item_id).collect();
    let mut years: Vec<i32> = stored.iter().filter(|r| r.published_on.is_some()).map(|r| r.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut reports: Vec<(i32, Value)> = years
        .iter()
        .filter_map(|y| crate::reports::records::latest_published(&stored, *y))
        .map(|r| (r.year, context! { year => r.year, title => r.content.title, revision => r.revision, published_on => r.published_on.map(|d| d.to_string()) }))
        .collect();
    // Past reports imported from their published files, in the same list by year (a year
    // published in gongkai shows that report).
    for p in state.store.past_reports(&[org.id]).await? {
        if !years.contains(&p.year) {
            reports.push((p.year, context! {
                year => p.year, title => p.figures.title(&org.name, p.year), imported => true,
                published_on => p.figures.published.map(|d| d.to_string()),
                url => crate::reports::past::public_url(&org.slug, p.year),
                source_url => crate::reports::past::portal::source_url(&org.slug, p.year),
            }));
        }
    }
    reports.sort_by(|a, b| b.0.cmp(&a.0));
    let reports: Vec<Value> = reports.into_iter().map(|(_, v)| v).collect();
    let items: Vec<Value> = items.iter().filter(|i| !report_items.contains(&i.id)).map(|i| item_row(i, &catalogs, &orgs)).collect();
    render::page("portal_reports.html", context! { site_name => state.config.site_name, org => org_ctx(&org), items, reports })
}

async fn contact(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let org = org_by_slug(&state, &slug).await?;
    render::page("portal_contact.html", context! { site_name => state.config.site_name, org => org_ctx(&org) })
}

/// Load an item for public display: published only; withdrawn → 410.
pub async fn public_item(state: &AppState, id: i64) -> Result<Item, AppError> {
    let item = state.store.item(id).await?.ok_or(AppError::NotFound)?;
    match item.status {
        ItemStatus::Published => Ok(item),
        ItemStatus::Withdrawn => Err(AppError::Gone {
            title: item.fields.title.clone(),
            reason: item.withdraw_reason.clone().unwrap_or_default(),
        }),
        _ => Err(AppError::NotFound),
    }
}

/// The full metadata of an item for templates (portal and back office).
pub fn item_detail(item: &Item, org: &Organisation, catalog: Option<&CatalogNode>) -> Value {
    let f = &item.fields;
    let stat = f.statutory_category.as_deref().and_then(gongkai_domain::catalog::statutory_category).map(|c| c.label);
    let keywords: Vec<&str> = f.keywords.split(['，', ',', ' ', '、']).map(str::trim).filter(|k| !k.is_empty()).collect();
    context! {
        id => item.id,
        index_no => item.index_no,
        title => f.title,
        summary => f.summary,
        body_html => Value::from_safe_string(f.body_html.clone()),
        publisher => f.publisher,
        formed_date => f.formed_date.to_string(),
        publish_date => item.publish_date.map(|d| d.to_string()),
        doc_number => f.doc_number,
        topic => f.topic,
        genre => f.genre,
        keywords => keywords.join("，"),
        disclosure_mode => f.disclosure_mode.label(),
        doc_type => f.doc_type.as_str(),
        doc_type_label => f.doc_type.label(),
        statutory => stat,
        validity => item.validity.as_str(),
        validity_label => item.validity.label(),
        validity_date => item.validity_date.map(|d| d.to_string()),
        validity_note => item.validity_note,
        not_valid => item.validity != Validity::Valid,
        status => item.status.as_str(),
        status_label => item.status.label(),
        catalog => catalog.map(|c| c.name.clone()),
        catalog_id => f.catalog_id,
        org => org_ctx(org),
        withdraw_reason => item.withdraw_reason,
    }
}

pub fn attachment_ctx(a: &gongkai_domain::model::Attachment) -> Value {
    context! {
        id => a.id, filename => a.filename, content_type => a.content_type,
        title => if a.display_title.trim().is_empty() { a.filename.as_str() } else { a.display_title.as_str() },
        display_title => a.display_title,
        size => a.size, size_label => human_size(a.size), sha256 => a.sha256,
    }
}

fn human_size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1024.0 / 1024.0)
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} 字节")
    }
}

/// Serve attachment bytes as a download (never rendered inline).
pub fn attachment_response(a: &gongkai_domain::model::Attachment, bytes: Vec<u8>) -> Response {
    let ascii: String = a.filename.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::util::url_encode(&a.filename));
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = header::HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = header::HeaderValue::from_str(&format!("\"{}\"", a.sha256)) {
        h.insert(header::ETAG, v);
    }
    res
}

async fn attachment(State(state): State<AppState>, Path(id): Path<String>, headers: axum::http::HeaderMap) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    // The attachment is public only while its item is published.
    public_item(&state, a.item_id).await?;
    download::serve(&state, &a, &headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent: Option<i64>, order: i64) -> CatalogNode {
        CatalogNode { id, org_id: 1, parent_id: parent, name: format!("n{id}"), sort_order: order, kind: CatalogKind::Normal }
    }

    #[test]
    fn catalog_flattening_and_descendants() {
        let nodes = vec![node(1, None, 2), node(2, None, 1), node(3, Some(1), 0), node(4, Some(3), 0)];
        let flat: Vec<(usize, i64)> = flatten_catalog(&nodes).into_iter().map(|(d, n)| (d, n.id)).collect();
        assert_eq!(flat, vec![(0, 2), (0, 1), (1, 3), (2, 4)]);
        let mut d = descendants(&nodes, 1);
        d.sort();
        assert_eq!(d, vec![1, 3, 4]);
    }
}
