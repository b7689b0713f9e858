//! The read-only JSON API `/api/v1` for organisations, catalogs and
//! published items, with its OpenAPI document.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongkai_domain::model::{CatalogNode, Item, ItemStatus, Organisation};
use gongkai_store::{ItemOrder, ItemQuery};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::util::{parse_id, parse_page, parse_year};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/organisations", get(organisations))
        .route("/api/v1/organisations/{slug}", get(organisation))
        .route("/api/v1/organisations/{slug}/catalog", get(catalog))
        .route("/api/v1/organisations/{slug}/items", get(items))
        .route("/api/v1/items/{id}", get(item))
        .route("/api/v1/{*rest}", get(api_not_found))
}

/// API errors answer JSON: `{"error": {"status": 400, "message": "…"}}`.
pub struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<gongkai_store::StoreError> for ApiError {
    fn from(e: gongkai_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            AppError::LoginRequired { .. } => StatusCode::UNAUTHORIZED,
            other => other.status(),
        };
        if let AppError::Internal(detail) = &self.0 {
            tracing::error!(%detail, "internal error (api)");
        }
        let message = match &self.0 {
            AppError::Gone { title, reason } => format!("《{title}》已撤回，不再公开。撤回理由：{reason}"),
            other => other.to_string(),
        };
        (status, Json(json!({ "error": { "status": status.as_u16(), "message": message } }))).into_response()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn api_not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

fn org_json(o: &Organisation) -> Value {
    json!({
        "id": o.id, "slug": o.slug, "name": o.name, "org_code": o.org_code,
        "level": o.level.as_str(), "level_label": o.level.label(), "parent_id": o.parent_id,
        "description": o.description,
        "disclosure_office": {
            "name": o.office.name, "address": o.office.address, "hours": o.office.hours,
            "phone": o.office.phone, "fax": o.office.fax, "email": o.office.email, "website": o.office.website,
        },
        "links": { "portal": format!("/org/{}", o.slug), "items": format!("/api/v1/organisations/{}/items", o.slug) },
    })
}

fn item_json(i: &Item, full: bool) -> Value {
    let f = &i.fields;
    let mut v = json!({
        "id": i.id, "org_id": i.org_id, "index_no": i.index_no, "title": f.title, "summary": f.summary,
        "publisher": f.publisher, "formed_date": f.formed_date, "publish_date": i.publish_date,
        "doc_number": f.doc_number, "topic": f.topic, "genre": f.genre, "keywords": f.keywords,
        "disclosure_mode": f.disclosure_mode.as_str(), "doc_type": f.doc_type.as_str(),
        "statutory_category": f.statutory_category, "catalog_id": f.catalog_id,
        "validity": i.validity.as_str(), "validity_label": i.validity.label(), "validity_date": i.validity_date,
        "url": format!("/item/{}", i.id),
    });
    if full {
        v["body_html"] = json!(f.body_html);
    }
    v
}

async fn org_by_slug(state: &AppState, slug: &str) -> Result<Organisation, ApiError> {
    Ok(state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?)
}

async fn organisations(State(state): State<AppState>) -> ApiResult {
    let orgs = state.store.orgs().await?;
    Ok(Json(json!({ "organisations": orgs.iter().map(org_json).collect::<Vec<_>>() })))
}

async fn organisation(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult {
    let org = org_by_slug(&state, &slug).await?;
    let children: Vec<Value> = state.store.orgs().await?.iter().filter(|o| o.parent_id == Some(org.id)).map(org_json).collect();
    let mut v = org_json(&org);
    v["children"] = json!(children);
    Ok(Json(v))
}

fn node_json(n: &CatalogNode, counts: &std::collections::HashMap<i64, i64>) -> Value {
    json!({ "id": n.id, "parent_id": n.parent_id, "name": n.name, "sort_order": n.sort_order, "kind": n.kind.as_str(), "published": counts.get(&n.id).copied().unwrap_or(0) })
}

async fn catalog(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult {
    let org = org_by_slug(&state, &slug).await?;
    let nodes = state.store.catalog(org.id).await?;
    let counts = state.store.published_counts_by_catalog(org.id, None).await?.into_iter().collect();
    Ok(Json(json!({ "organisation": org.slug, "catalog": nodes.iter().map(|n| node_json(n, &counts)).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
struct ItemsQuery {
    catalog: Option<String>,
    year: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

async fn items(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<ItemsQuery>) -> ApiResult {
    let org = org_by_slug(&state, &slug).await?;
    let page = parse_page(q.page.as_deref())?;
    let year = parse_year(q.year.as_deref())?;
    let per_page = match q.per_page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 20,
        Some(s) => s.parse::<i64>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| AppError::BadRequest(format!("每页条数 per_page“{s}”无效：应为 1—100 的整数")))?,
    };
    let mut catalog_ids = Vec::new();
    if let Some(cat) = parse_id(q.catalog.as_deref(), "栏目 catalog")? {
        let nodes = state.store.catalog(org.id).await?;
        if !nodes.iter().any(|n| n.id == cat) {
            return Err(AppError::BadRequest(format!("栏目 catalog“{cat}”不属于该机关")).into());
        }
        catalog_ids = crate::portal::descendants(&nodes, cat);
    }
    let result = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![org.id],
            catalog_ids,
            statuses: vec![ItemStatus::Published],
            publish_year: year,
            order: ItemOrder::PublishDateDesc,
            limit: per_page,
            offset: (page - 1) * per_page,
            ..Default::default()
        })
        .await?;
    Ok(Json(json!({
        "organisation": org.slug, "page": page, "per_page": per_page, "total": result.total,
        "items": result.items.iter().map(|i| item_json(i, false)).collect::<Vec<_>>(),
    })))
}

async fn item(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id: i64 = id.parse().map_err(|_| AppError::BadRequest(format!("信息编号 id“{id}”无效：应为正整数")))?;
    let item = crate::portal::public_item(&state, id).await?;
    let attachments: Vec<Value> = state
        .store
        .attachments(item.id)
        .await?
        .iter()
        .map(|a| json!({ "id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256, "url": format!("/attachments/{}", a.id) }))
        .collect();
    let mut v = item_json(&item, true);
    v["attachments"] = json!(attachments);
    Ok(Json(v))
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

/// The document with every path, including search's.
pub fn openapi_document() -> Value {
    let mut doc = base_document();
    doc["paths"]["/api/v1/search"] = crate::portal::search::openapi_path();
    doc
}

/// The OpenAPI 3.1 document of the API, without search.
fn base_document() -> Value {
    let error = json!({ "description": "错误（中文说明）", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let slug = json!({ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" }, "description": "机关标识" });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "gongkai 政府信息公开 API", "version": "1.0.0", "description": "只读接口：机关、公开目录和已发布的政府信息。草稿、待审核和已撤回的信息不会出现。" },
        "paths": {
            "/api/v1/organisations": { "get": { "summary": "机关列表", "responses": { "200": { "description": "机关列表", "content": { "application/json": { "schema": { "type": "object", "properties": { "organisations": { "type": "array", "items": { "$ref": "#/components/schemas/Organisation" } } } } } } } } } },
            "/api/v1/organisations/{slug}": { "get": { "summary": "机关详情（含下级机关）", "parameters": [slug], "responses": { "200": { "description": "机关", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Organisation" } } } }, "404": error } } },
            "/api/v1/organisations/{slug}/catalog": { "get": { "summary": "公开目录（栏目树）", "parameters": [slug], "responses": { "200": { "description": "栏目列表", "content": { "application/json": { "schema": { "type": "object", "properties": { "organisation": { "type": "string" }, "catalog": { "type": "array", "items": { "$ref": "#/components/schemas/CatalogNode" } } } } } } }, "404": error } } },
            "/api/v1/organisations/{slug}/items": { "get": {
                "summary": "已发布的政府信息列表",
                "parameters": [slug,
                    { "name": "catalog", "in": "query", "schema": { "type": "integer", "minimum": 1 }, "description": "栏目编号（含下级栏目）" },
                    { "name": "year", "in": "query", "schema": { "type": "integer", "minimum": 2000, "maximum": 2100 }, "description": "发布年份" },
                    { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
                    { "name": "per_page", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100 } }],
                "responses": { "200": { "description": "分页列表", "content": { "application/json": { "schema": { "type": "object", "properties": { "organisation": { "type": "string" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }, "total": { "type": "integer" }, "items": { "type": "array", "items": { "$ref": "#/components/schemas/Item" } } } } } } }, "400": error, "404": error } } },
            "/api/v1/items/{id}": { "get": { "summary": "政府信息详情（含正文和附件）", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "信息", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Item" } } } }, "400": error, "404": error, "410": error } } },
        },
        "components": { "schemas": {
            "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "properties": { "status": { "type": "integer" }, "message": { "type": "string" } } } } },
            "Organisation": { "type": "object", "properties": {
                "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string", "description": "机关名称" },
                "org_code": { "type": "string", "description": "统一社会信用代码或组织机构代码" }, "level": { "type": "string" }, "level_label": { "type": "string" },
                "parent_id": { "type": ["integer", "null"] }, "description": { "type": "string" },
                "disclosure_office": { "type": "object", "description": "政府信息公开工作机构（条例第十二条）", "properties": { "name": { "type": "string" }, "address": { "type": "string" }, "hours": { "type": "string" }, "phone": { "type": "string" }, "fax": { "type": "string" }, "email": { "type": "string" }, "website": { "type": "string" } } } } },
            "CatalogNode": { "type": "object", "properties": { "id": { "type": "integer" }, "parent_id": { "type": ["integer", "null"] }, "name": { "type": "string" }, "sort_order": { "type": "integer" }, "kind": { "type": "string", "enum": ["normal", "guide", "annual_report", "notice"] }, "published": { "type": "integer" } } },
            "Item": { "type": "object", "properties": {
                "id": { "type": "integer" }, "org_id": { "type": "integer" }, "index_no": { "type": ["string", "null"], "description": "索引号" },
                "title": { "type": "string", "description": "名称" }, "summary": { "type": "string", "description": "内容概述" },
                "publisher": { "type": "string", "description": "发布机构" }, "formed_date": { "type": "string", "format": "date", "description": "成文日期" },
                "publish_date": { "type": ["string", "null"], "format": "date", "description": "发布日期" }, "doc_number": { "type": ["string", "null"], "description": "文号" },
                "topic": { "type": "string", "description": "主题分类" }, "genre": { "type": "string", "description": "体裁分类" }, "keywords": { "type": "string" },
                "disclosure_mode": { "type": "string", "enum": ["proactive", "on_request"] }, "doc_type": { "type": "string", "enum": ["regulation", "normative_document", "other"] },
                "statutory_category": { "type": ["string", "null"] }, "catalog_id": { "type": "integer" },
                "validity": { "type": "string", "enum": ["valid", "amended", "repealed", "expired"] }, "validity_label": { "type": "string" }, "validity_date": { "type": ["string", "null"], "format": "date" },
                "url": { "type": "string" }, "body_html": { "type": "string" },
                "attachments": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "integer" }, "filename": { "type": "string" }, "content_type": { "type": "string" }, "size": { "type": "integer" }, "sha256": { "type": "string" }, "url": { "type": "string" } } } } } },
        } },
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_route() {
        let doc = super::openapi_document();
        let paths = doc["paths"].as_object().expect("paths");
        for p in ["/api/v1/organisations", "/api/v1/organisations/{slug}", "/api/v1/organisations/{slug}/catalog", "/api/v1/organisations/{slug}/items", "/api/v1/items/{id}", "/api/v1/search"] {
            assert!(paths.contains_key(p), "{p}");
        }
    }
}
