//! Full-text search: the portal page `/search` (no JavaScript needed), the
//! click redirect `/search/click` that counts which results people open, the
//! JSON endpoint `/api/v1/search`, and the staff analytics page
//! `/admin/search-stats`. Analytics keep only the normalised query text
//! (long digit runs masked), the day, counts, result counts and clicked item
//! ids — never an address, a cookie or anything else about the person.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use gongkai_domain::model::{CatalogNode, DocType, Item, Organisation, Validity};
use gongkai_search::text::query_for_stats;
use gongkai_search::{SearchError, SearchRequest, SearchResults, Sort};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::auth::Staff;
use crate::error::AppError;
use crate::portal::{descendants, flatten_catalog, org_ctx};
use crate::util::{parse_id, parse_page, parse_year, today, url_encode, Paging};
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/search/click", get(click))
        .route("/api/v1/search", get(api_search))
        .route("/admin/search-stats", get(stats_page))
}

/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 100;
/// Results a page on the portal.
const PER_PAGE: usize = 10;
/// No page beyond the first this many results is served.
const MAX_RESULTS: usize = 1000;

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::EmptyQuery => AppError::BadRequest(e.to_string()),
            SearchError::Store(s) => s.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Query-string parameters of the page and the API (all optional text, so
/// that bad values get a Chinese message rather than a framework rejection).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    q: Option<String>,
    org: Option<String>,
    #[serde(alias = "catalog")]
    cat: Option<String>,
    year: Option<String>,
    #[serde(rename = "type", alias = "doc_type")]
    doc_type: Option<String>,
    validity: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// Checked parameters.
struct Checked {
    text: String,
    org: Option<Organisation>,
    cat: Option<i64>,
    year: Option<i32>,
    doc_type: Option<DocType>,
    validity: Option<Validity>,
    sort: Sort,
    page: i64,
    per_page: usize,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

async fn check(state: &AppState, p: &Params, per_page_allowed: bool) -> Result<Checked, AppError> {
    let text = opt(&p.q).unwrap_or_default().to_owned();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!("检索词过长：最多 {MAX_QUERY_CHARS} 个字，请精简后再试")));
    }
    let org = match opt(&p.org) {
        None => None,
        Some(slug) => match state.store.org_by_slug(slug).await? {
            Some(o) => Some(o),
            // The API answers an unknown organisation as a missing resource.
            None if per_page_allowed => return Err(AppError::NotFound),
            None => return Err(AppError::BadRequest(format!("机关“{slug}”不存在"))),
        },
    };
    let cat = parse_id(opt(&p.cat), "栏目")?;
    let year = parse_year(opt(&p.year))?;
    let doc_type = match opt(&p.doc_type) {
        None => None,
        Some(code) => Some(DocType::parse(code).ok_or_else(|| {
            AppError::BadRequest(format!("文件类型“{code}”无效，可选：regulation（规章）、normative_document（行政规范性文件）、other（其他）"))
        })?),
    };
    let validity = match opt(&p.validity) {
        None => None,
        Some(code) => Some(Validity::parse(code).ok_or_else(|| {
            AppError::BadRequest(format!("有效性“{code}”无效，可选：valid（有效）、amended（已修改）、repealed（已废止）、expired（已失效）"))
        })?),
    };
    let sort = match opt(&p.sort) {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Newest,
        Some(other) => return Err(AppError::BadRequest(format!("排序方式“{other}”无效，可选：relevance（相关度）、date（发布日期）"))),
    };
    let per_page = match opt(&p.per_page) {
        None => PER_PAGE,
        Some(s) if per_page_allowed => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("每页条数 per_page“{s}”无效：应为 1—50 的整数")))?,
        Some(_) => PER_PAGE,
    };
    let page = parse_page(opt(&p.page))?;
    if (page as usize).saturating_mul(per_page) > MAX_RESULTS + per_page {
        return Err(AppError::BadRequest(format!("最多只能查看前 {MAX_RESULTS} 条结果，请增加检索词或筛选条件缩小范围")));
    }
    Ok(Checked { text, org, cat, year, doc_type, validity, sort, page, per_page })
}

async fn run(state: &AppState, c: &Checked) -> Result<SearchResults, AppError> {
    let mut org_ids = Vec::new();
    let mut catalog_ids = Vec::new();
    if let Some(org) = &c.org {
        // An organisation's search covers the organisations below it.
        org_ids = state.store.org_subtree_ids(org.id).await?;
    }
    if let Some(cat) = c.cat {
        // A column's search covers its sub-columns. A column that is not the
        // chosen organisation's (or no organisation's) holds no results.
        let owners: Vec<i64> = match &c.org {
            Some(org) => vec![org.id],
            None => state.store.orgs().await?.iter().map(|o| o.id).collect(),
        };
        for owner in owners {
            let nodes = state.store.catalog(owner).await?;
            if nodes.iter().any(|n| n.id == cat) {
                catalog_ids = descendants(&nodes, cat);
                break;
            }
        }
        if catalog_ids.is_empty() {
            return Ok(SearchResults::default());
        }
    }
    let request = SearchRequest {
        text: c.text.clone(),
        org_ids,
        catalog_ids,
        year: c.year,
        doc_type: c.doc_type.map(|t| t.as_str().to_owned()),
        validity: c.validity.map(|v| v.as_str().to_owned()),
        sort: c.sort,
        offset: (c.page as usize - 1) * c.per_page,
        limit: c.per_page,
        ..Default::default()
    };
    Ok(state.search.search(request).await?)
}

/// Items of the hits, by id (hits whose item vanished meanwhile are skipped).
/// The items of a page of hits, by id, in one query.
async fn hit_items(state: &AppState, results: &SearchResults) -> Result<HashMap<i64, Item>, AppError> {
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    Ok(state.store.items_by_ids(&ids).await?.into_iter().map(|i| (i.id, i)).collect())
}

/// The organisations of these items, by id (not every organisation of a province).
async fn item_orgs(state: &AppState, items: &HashMap<i64, Item>) -> Result<HashMap<i64, Organisation>, AppError> {
    let mut ids: Vec<i64> = items.values().map(|i| i.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(state.store.orgs_by_ids(&ids).await?.into_iter().map(|o| (o.id, o)).collect())
}

/// The query string of a search (without `page`), for links.
fn query_string(c: &Checked, with_filters: bool) -> String {
    let mut parts = vec![format!("q={}", url_encode(&c.text))];
    if with_filters {
        if let Some(o) = &c.org {
            parts.push(format!("org={}", url_encode(&o.slug)));
        }
        if let Some(cat) = c.cat {
            parts.push(format!("cat={cat}"));
        }
        if let Some(y) = c.year {
            parts.push(format!("year={y}"));
        }
        if let Some(t) = c.doc_type {
            parts.push(format!("type={}", t.as_str()));
        }
        if let Some(v) = c.validity {
            parts.push(format!("validity={}", v.as_str()));
        }
    }
    if c.sort == Sort::Newest {
        parts.push("sort=date".into());
    }
    parts.join("&")
}

async fn form_ctx(state: &AppState, c: Option<&Checked>) -> Result<Value, AppError> {
    let orgs = state.store.orgs().await?;
    let by_id: HashMap<i64, &Organisation> = orgs.iter().map(|o| (o.id, o)).collect();
    let depth = |o: &Organisation| {
        let mut d = 0;
        let mut p = o.parent_id;
        while let Some(id) = p {
            d += 1;
            p = by_id.get(&id).and_then(|o| o.parent_id);
            if d > 8 {
                break;
            }
        }
        d
    };
    let selected_org = c.and_then(|c| c.org.as_ref()).map(|o| o.id);
    let org_options: Vec<Value> = orgs
        .iter()
        .map(|o| context! { slug => o.slug, name => o.name, indent => "　".repeat(depth(o)), selected => Some(o.id) == selected_org })
        .collect();
    let catalog_options: Vec<Value> = match c.and_then(|c| c.org.as_ref()) {
        Some(org) => {
            let nodes: Vec<CatalogNode> = state.store.catalog(org.id).await?;
            flatten_catalog(&nodes)
                .into_iter()
                .map(|(d, n)| context! { id => n.id, name => n.name, indent => "　".repeat(d), selected => c.and_then(|c| c.cat) == Some(n.id) })
                .collect()
        }
        None => Vec::new(),
    };
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let years = state.store.publish_years(&ids).await?;
    let doc_types: Vec<Value> = DocType::ALL
        .iter()
        .map(|t| context! { code => t.as_str(), label => t.label(), selected => c.and_then(|c| c.doc_type) == Some(*t) })
        .collect();
    let validities: Vec<Value> = Validity::ALL
        .iter()
        .map(|v| context! { code => v.as_str(), label => v.label(), selected => c.and_then(|c| c.validity) == Some(*v) })
        .collect();
    Ok(context! {
        org_options, catalog_options, years, doc_types, validities,
        year => c.and_then(|c| c.year),
        sort_date => c.is_some_and(|c| c.sort == Sort::Newest),
    })
}

async fn search_page(State(state): State<AppState>, Query(p): Query<Params>) -> Result<Response, AppError> {
    let raw_q = opt(&p.q).unwrap_or_default().to_owned();
    let checked = match check(&state, &p, false).await {
        Ok(c) => c,
        Err(AppError::BadRequest(message)) => return error_page(&state, &raw_q, &message).await,
        Err(e) => return Err(e),
    };
    let form = form_ctx(&state, Some(&checked)).await?;
    let org = checked.org.as_ref().map(org_ctx);
    if checked.text.is_empty() {
        return render::page("portal_search.html", context! { site_name => state.config.site_name, org, q => "", form, searched => false });
    }
    let results = match run(&state, &checked).await {
        Ok(r) => r,
        Err(AppError::BadRequest(message)) => return error_page(&state, &checked.text, &message).await,
        Err(e) => return Err(e),
    };
    if checked.page == 1 {
        let key = query_for_stats(&checked.text);
        if !key.is_empty() {
            if let Err(e) = state.store.record_search(today(), &key, results.total as i64).await {
                tracing::warn!(error = %e, "search analytics not recorded");
            }
        }
    }
    let items = hit_items(&state, &results).await?;
    let orgs = item_orgs(&state, &items).await?;
    let q_enc = url_encode(&checked.text);
    let hits: Vec<Value> = results
        .hits
        .iter()
        .filter_map(|h| {
            let item = items.get(&h.id)?;
            Some(context! {
                id => h.id,
                href => format!("/search/click?q={q_enc}&item={}", h.id),
                title_html => Value::from_safe_string(h.title_html.clone()),
                snippet_html => Value::from_safe_string(h.snippet_html.clone()),
                publish_date => item.publish_date.map(|d| d.to_string()),
                index_no => item.index_no,
                doc_number => item.fields.doc_number,
                org => orgs.get(&item.org_id).map(|o| o.name.clone()),
                validity => item.validity.as_str(),
                validity_label => item.validity.label(),
            })
        })
        .collect();
    let paging = Paging::new(checked.page, checked.per_page as i64, (results.total.min(MAX_RESULTS)) as i64);
    let has_filters = checked.org.is_some() || checked.year.is_some() || checked.doc_type.is_some() || checked.validity.is_some();
    render::page(
        "portal_search.html",
        context! {
            site_name => state.config.site_name, org, form, searched => true,
            q => checked.text, total => results.total, timed_out => results.timed_out, hits, paging,
            base => format!("/search?{}&", query_string(&checked, true)),
            has_filters,
            without_filters => format!("/search?{}", query_string(&checked, false)),
            words => checked.text.split_whitespace().count(),
        },
    )
}

/// The search page with the form and a message, answering 400.
async fn error_page(state: &AppState, q: &str, message: &str) -> Result<Response, AppError> {
    let form = form_ctx(state, None).await?;
    render::page_with_status(
        StatusCode::BAD_REQUEST,
        "portal_search.html",
        context! { site_name => state.config.site_name, q, form, searched => false, error => message },
    )
}

#[derive(Deserialize)]
struct ClickParams {
    q: Option<String>,
    item: Option<String>,
}

/// `GET /search/click?q=…&item=ID`: count the click, then go to the item.
async fn click(State(state): State<AppState>, Query(p): Query<ClickParams>) -> Result<Response, AppError> {
    let id = parse_id(opt(&p.item), "信息编号")?.ok_or_else(|| AppError::BadRequest("缺少信息编号 item".into()))?;
    // Only published items are counted (and only they can be shown).
    let item = crate::portal::public_item(&state, id).await?;
    let key = query_for_stats(opt(&p.q).unwrap_or_default());
    if !key.is_empty() {
        if let Err(e) = state.store.record_search_click(today(), &key, item.id).await {
            tracing::warn!(error = %e, "search click not recorded");
        }
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, format!("/item/{}", item.id))]).into_response())
}

/// The organisation of a search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitOrganisation {
    pub slug: String,
    pub name: String,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    pub id: i64,
    /// The title as published.
    pub title: String,
    /// The title as escaped HTML, matched words in `<mark>`.
    pub title_html: String,
    /// An escaped HTML extract of the text, matched words in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
    pub url: String,
    pub publish_date: Option<NaiveDate>,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    pub organisation: Option<HitOrganisation>,
    pub catalog_id: i64,
    pub doc_type: String,
    pub validity: String,
    pub validity_label: String,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub q: String,
    pub page: i64,
    pub per_page: i64,
    /// Matching items (counted up to the time budget when `partial`).
    pub total: i64,
    /// `relevance` or `date`.
    pub sort: String,
    /// A phrase search ran out of its time budget: results are incomplete.
    pub partial: bool,
    pub items: Vec<SearchHitOut>,
}

/// 全文检索已发布的政府信息（简繁体通用）.
///
/// 检索标题、概述、正文、关键词、文号、索引号和附件文字。繁体与简体互通；文号可用任何括号形式，
/// 也可只输入文号的一部分（如 源潭府办〔2023〕 找出该办 2023 年的全部文件）；用引号括起的词语按短语匹配。
/// 按相关度排序时，标题命中、整句命中、较新的和当年的信息靠前。没有可检索文字的检索词得到空结果。
#[utoipa::path(get, path = "/api/v1/search", tag = "公开信息",
    params(
        ("q" = String, Query, max_length = 100, description = "检索词（最多 100 字）"),
        ("org" = Option<String>, Query, pattern = "^\\S+$", description = "机关标识（含下级机关）"),
        ("catalog" = Option<i64>, Query, minimum = 1, description = "栏目编号（含下级栏目）"),
        ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100, description = "发布年份"),
        ("doc_type" = Option<String>, Query, description = "文件类型：regulation、normative_document、other", pattern = "^(regulation|normative_document|other)$"),
        ("validity" = Option<String>, Query, description = "有效性：valid、amended、repealed、expired", pattern = "^(valid|amended|repealed|expired)$"),
        ("sort" = Option<String>, Query, description = "排序：relevance（相关度，默认）或 date（发布日期）", pattern = "^(relevance|date)$"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 20, description = "页码（最多查看前 1000 条）"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 50, description = "每页条数（默认 10）"),
    ),
    responses(
        (status = 200, description = "检索结果", body = SearchResponse),
        (status = 400, description = "参数有误（缺少 q、检索词过长、取值不在范围内、参数重复）", body = crate::api::ErrorBody),
        (status = 404, description = "机关不存在", body = crate::api::ErrorBody),
    ))]
async fn api_search(State(state): State<AppState>, Query(p): Query<Params>) -> Result<Json<SearchResponse>, ApiError> {
    match p.q.as_deref() {
        None => return Err(AppError::BadRequest("请提供检索词 q".into()).into()),
        Some(q) if q.chars().count() > MAX_QUERY_CHARS => {
            return Err(AppError::BadRequest(format!("检索词过长：最多 {MAX_QUERY_CHARS} 个字，请精简后再试")).into())
        }
        Some(_) => {}
    }
    crate::api::reject_blank(&[
        ("org", &p.org),
        ("catalog", &p.cat),
        ("year", &p.year),
        ("doc_type", &p.doc_type),
        ("validity", &p.validity),
        ("sort", &p.sort),
        ("page", &p.page),
        ("per_page", &p.per_page),
    ])?;
    let c = check(&state, &p, true).await?;
    let results = if c.text.is_empty() {
        SearchResults::default()
    } else {
        match run(&state, &c).await {
            // Nothing to search for (only punctuation): no results.
            Err(AppError::BadRequest(m)) if m == SearchError::EmptyQuery.to_string() => SearchResults::default(),
            other => other?,
        }
    };
    let items = hit_items(&state, &results).await?;
    let orgs = item_orgs(&state, &items).await?;
    let list: Vec<SearchHitOut> = results
        .hits
        .iter()
        .filter_map(|h| {
            let i = items.get(&h.id)?;
            let o = orgs.get(&i.org_id);
            Some(SearchHitOut {
                id: i.id,
                title: i.fields.title.clone(),
                title_html: h.title_html.clone(),
                snippet_html: h.snippet_html.clone(),
                score: h.score,
                url: format!("/item/{}", i.id),
                publish_date: i.publish_date,
                index_no: i.index_no.clone(),
                doc_number: i.fields.doc_number.clone(),
                organisation: o.map(|o| HitOrganisation { slug: o.slug.clone(), name: o.name.clone() }),
                catalog_id: i.fields.catalog_id,
                doc_type: i.fields.doc_type.as_str().to_owned(),
                validity: i.validity.as_str().to_owned(),
                validity_label: i.validity.label().to_owned(),
            })
        })
        .collect();
    Ok(Json(SearchResponse {
        q: c.text,
        page: c.page,
        per_page: c.per_page as i64,
        total: results.total as i64,
        sort: if c.sort == Sort::Newest { "date" } else { "relevance" }.into(),
        partial: results.timed_out,
        items: list,
    }))
}

#[derive(Deserialize)]
struct StatsParams {
    period: Option<String>,
    date: Option<String>,
}

/// A horizontal SVG bar chart (server-rendered, attributes only: the CSP
/// forbids inline styles).
fn bar_chart(title: &str, bars: &[(String, i64)]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (200.0, 420.0, 24.0);
    let height = 30.0 + row_h * bars.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        w = label_w + bar_w + 60.0,
        t = esc(title)
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let w = (*n as f64 / max as f64 * bar_w).max(1.0);
        let short: String = label.chars().take(14).collect();
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"#222\">{l}</text><rect x=\"{x}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" fill=\"#1f5fa8\"></rect><text x=\"{nx:.1}\" y=\"{ty}\" font-size=\"13\" fill=\"#222\">{n}</text>",
            lx = label_w - 8.0,
            ty = y + 15.0,
            l = esc(&short),
            x = label_w,
            h = row_h - 6.0,
            nx = label_w + w + 6.0,
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn stats_page(State(state): State<AppState>, staff: Staff, Query(p): Query<StatsParams>) -> Result<Response, AppError> {
    let period = opt(&p.period).unwrap_or("week");
    let date = match opt(&p.date) {
        None => today(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::BadRequest(format!("日期“{s}”格式有误，应为 YYYY-MM-DD，例如 2024-03-01")))?,
    };
    let (from, label) = match period {
        "day" => (date, format!("{date}")),
        "week" => (date - chrono::Duration::days(6), format!("{} 至 {date}（7 天）", date - chrono::Duration::days(6))),
        "month" => {
            let first = date.with_day(1).unwrap_or(date);
            (first, format!("{}年{}月", date.year(), date.month()))
        }
        other => return Err(AppError::BadRequest(format!("统计周期“{other}”无效，可选：day（日）、week（周）、month（月）"))),
    };
    let to = if period == "month" {
        let next = if date.month() == 12 { NaiveDate::from_ymd_opt(date.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1) };
        next.map(|n| n - chrono::Duration::days(1)).unwrap_or(date)
    } else {
        date
    };
    let stats = state.store.search_stats(from, to, 20).await?;
    let mut titles = HashMap::new();
    for c in &stats.clicks {
        if let std::collections::hash_map::Entry::Vacant(e) = titles.entry(c.item_id) {
            e.insert(state.store.item(c.item_id).await?.map(|i| i.fields.title).unwrap_or_else(|| format!("（信息 {}）", c.item_id)));
        }
    }
    let top_chart = bar_chart("检索次数最多的检索词", &stats.top.iter().take(10).map(|q| (q.query.clone(), q.searches)).collect::<Vec<_>>());
    let day_chart = if period == "day" {
        String::new()
    } else {
        bar_chart("每日检索次数", &stats.days.iter().map(|d| (d.day.clone(), d.searches)).collect::<Vec<_>>())
    };
    let clicks: Vec<Value> = stats
        .clicks
        .iter()
        .map(|c| context! { query => c.query, item_id => c.item_id, title => titles.get(&c.item_id), clicks => c.clicks })
        .collect();
    render::page(
        "admin_search_stats.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            period, date => date.to_string(), label,
            prev => match period { "day" => date - chrono::Duration::days(1), "week" => date - chrono::Duration::days(7), _ => from - chrono::Duration::days(1) }.to_string(),
            next => match period { "day" => date + chrono::Duration::days(1), "week" => date + chrono::Duration::days(7), _ => to + chrono::Duration::days(1) }.to_string(),
            total_searches => stats.total_searches, total_zero => stats.total_zero, total_clicks => stats.total_clicks,
            top => stats.top.iter().map(|q| context! { query => q.query, href => format!("/search?q={}", url_encode(&q.query)), searches => q.searches, zero_results => q.zero_results, last_results => q.last_results }).collect::<Vec<_>>(),
            zero => stats.zero, clicks,
            top_chart => Value::from_safe_string(top_chart),
            day_chart => Value::from_safe_string(day_chart),
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn chart_escapes_labels() {
        let svg = super::bar_chart("t", &[("<script>".into(), 3), ("公开".into(), 1)]);
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
