//! The read-only JSON API `/api/v1` for organisations, catalogs and
//! published items, with its OpenAPI document.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongkai_domain::model::{CatalogNode, Item, ItemStatus, Organisation};
use gongkai_store::{ItemOrder, ItemQuery};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

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
        (status, Json(ErrorBody::new(status, message))).into_response()
    }
}

/// The JSON body of every error answer of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong, in Chinese.
    pub message: String,
}

impl ErrorBody {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody { error: ErrorDetail { status: status.as_u16(), message: message.into() } }
    }
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

async fn api_not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// 政府信息公开工作机构 (条例第十二条).
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureOffice {
    pub name: String,
    pub address: String,
    pub hours: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub website: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgLinks {
    /// The organisation's portal page.
    pub portal: String,
    /// Its published items in this API.
    pub items: String,
}

/// An organisation (机关).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: i64,
    /// 机关标识, used in URLs.
    pub slug: String,
    /// 机关名称.
    pub name: String,
    /// 统一社会信用代码或组织机构代码.
    pub org_code: String,
    pub level: String,
    pub level_label: String,
    pub parent_id: Option<i64>,
    pub description: String,
    pub disclosure_office: DisclosureOffice,
    pub links: OrgLinks,
    /// 下级机关 (only in the single-organisation answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<OrganisationOut>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationList {
    pub organisations: Vec<OrganisationOut>,
}

/// A column of the catalog (公开目录栏目).
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogNodeOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i64,
    #[schema(example = "normal")]
    pub kind: String,
    /// Published items in the column itself.
    pub published: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogOut {
    pub organisation: String,
    pub catalog: Vec<CatalogNodeOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

/// A published information item (政府信息).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub org_id: i64,
    /// 索引号.
    pub index_no: Option<String>,
    /// 名称.
    pub title: String,
    /// 内容概述.
    pub summary: String,
    /// 发布机构.
    pub publisher: String,
    /// 成文日期.
    pub formed_date: NaiveDate,
    /// 发布日期.
    pub publish_date: Option<NaiveDate>,
    /// 文号.
    pub doc_number: Option<String>,
    /// 主题分类.
    pub topic: String,
    /// 体裁分类.
    pub genre: String,
    pub keywords: String,
    /// `proactive` (主动公开) or `on_request` (依申请公开).
    pub disclosure_mode: String,
    /// `regulation`, `normative_document` or `other`.
    pub doc_type: String,
    pub statutory_category: Option<String>,
    pub catalog_id: i64,
    /// `valid`, `amended`, `repealed` or `expired` (有效性).
    pub validity: String,
    pub validity_label: String,
    pub validity_date: Option<NaiveDate>,
    pub url: String,
    /// 正文 (sanitised HTML; only in the single-item answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// Only in the single-item answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentOut>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemsPage {
    pub organisation: String,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub items: Vec<ItemOut>,
}

fn org_out(o: &Organisation) -> OrganisationOut {
    OrganisationOut {
        id: o.id,
        slug: o.slug.clone(),
        name: o.name.clone(),
        org_code: o.org_code.clone(),
        level: o.level.as_str().to_owned(),
        level_label: o.level.label().to_owned(),
        parent_id: o.parent_id,
        description: o.description.clone(),
        disclosure_office: DisclosureOffice {
            name: o.office.name.clone(),
            address: o.office.address.clone(),
            hours: o.office.hours.clone(),
            phone: o.office.phone.clone(),
            fax: o.office.fax.clone(),
            email: o.office.email.clone(),
            website: o.office.website.clone(),
        },
        links: OrgLinks { portal: format!("/org/{}", o.slug), items: format!("/api/v1/organisations/{}/items", o.slug) },
        children: None,
    }
}

fn item_out(i: &Item) -> ItemOut {
    let f = &i.fields;
    ItemOut {
        id: i.id,
        org_id: i.org_id,
        index_no: i.index_no.clone(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        publisher: f.publisher.clone(),
        formed_date: f.formed_date,
        publish_date: i.publish_date,
        doc_number: f.doc_number.clone(),
        topic: f.topic.clone(),
        genre: f.genre.clone(),
        keywords: f.keywords.clone(),
        disclosure_mode: f.disclosure_mode.as_str().to_owned(),
        doc_type: f.doc_type.as_str().to_owned(),
        statutory_category: f.statutory_category.clone(),
        catalog_id: f.catalog_id,
        validity: i.validity.as_str().to_owned(),
        validity_label: i.validity.label().to_owned(),
        validity_date: i.validity_date,
        url: format!("/item/{}", i.id),
        body_html: None,
        attachments: None,
    }
}

/// An API query parameter given without a value (`?year=`) is refused: the
/// document types every parameter, and an empty value is none of them. (The
/// portal's forms send empty values for filters left unset; the pages
/// accept them.)
/// The `per_page` parameter: `default` when absent, otherwise an integer 1..=`max`.
pub(crate) fn parse_per_page(value: Option<&str>, default: i64, max: i64) -> Result<i64, AppError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("每页条数 per_page“{s}”无效：应为 1—{max} 的整数"))),
    }
}

pub(crate) fn reject_blank(params: &[(&str, &Option<String>)]) -> Result<(), AppError> {
    match params.iter().find(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty())) {
        Some((name, _)) => Err(AppError::BadRequest(format!("参数 {name} 不能为空：不需要时请省略该参数"))),
        None => Ok(()),
    }
}

async fn org_by_slug(state: &AppState, slug: &str) -> Result<Organisation, ApiError> {
    Ok(state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?)
}

/// 机关列表.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "公开信息",
    responses((status = 200, description = "全部机关", body = OrganisationList)))]
async fn organisations(State(state): State<AppState>) -> ApiResult<OrganisationList> {
    let orgs = state.store.orgs().await?;
    Ok(Json(OrganisationList { organisations: orgs.iter().map(org_out).collect() }))
}

/// 机关详情（含下级机关）.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}", tag = "公开信息",
    params(("slug" = String, Path, description = "机关标识")),
    responses((status = 200, description = "机关", body = OrganisationOut), (status = 404, description = "机关不存在", body = ErrorBody)))]
async fn organisation(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<OrganisationOut> {
    let org = org_by_slug(&state, &slug).await?;
    let children: Vec<OrganisationOut> = state.store.orgs().await?.iter().filter(|o| o.parent_id == Some(org.id)).map(org_out).collect();
    let mut v = org_out(&org);
    v.children = Some(children);
    Ok(Json(v))
}

/// 公开目录（栏目树）.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}/catalog", tag = "公开信息",
    params(("slug" = String, Path, description = "机关标识")),
    responses((status = 200, description = "栏目列表", body = CatalogOut), (status = 404, description = "机关不存在", body = ErrorBody)))]
async fn catalog(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<CatalogOut> {
    let org = org_by_slug(&state, &slug).await?;
    let nodes = state.store.catalog(org.id).await?;
    let counts: std::collections::HashMap<i64, i64> = state.store.published_counts_by_catalog(org.id, None).await?.into_iter().collect();
    let catalog = nodes
        .iter()
        .map(|n: &CatalogNode| CatalogNodeOut {
            id: n.id,
            parent_id: n.parent_id,
            name: n.name.clone(),
            sort_order: n.sort_order,
            kind: n.kind.as_str().to_owned(),
            published: counts.get(&n.id).copied().unwrap_or(0),
        })
        .collect();
    Ok(Json(CatalogOut { organisation: org.slug, catalog }))
}

#[derive(Deserialize)]
struct ItemsQuery {
    catalog: Option<String>,
    year: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// 已发布的政府信息列表（按发布日期从新到旧）.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}/items", tag = "公开信息",
    params(
        ("slug" = String, Path, description = "机关标识"),
        ("catalog" = Option<i64>, Query, minimum = 1, description = "栏目编号（含下级栏目）；不属于该机关的栏目没有结果"),
        ("year" = Option<i32>, Query, minimum = 2000, maximum = 2100, description = "发布年份"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 1000000, description = "页码"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 100, description = "每页条数（默认 20）"),
    ),
    responses((status = 200, description = "分页列表", body = ItemsPage), (status = 400, description = "参数有误", body = ErrorBody), (status = 404, description = "机关不存在", body = ErrorBody)))]
async fn items(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<ItemsQuery>) -> ApiResult<ItemsPage> {
    reject_blank(&[("catalog", &q.catalog), ("year", &q.year), ("page", &q.page), ("per_page", &q.per_page)])?;
    let org = org_by_slug(&state, &slug).await?;
    let page = parse_page(q.page.as_deref())?;
    let year = parse_year(q.year.as_deref())?;
    let per_page = parse_per_page(q.per_page.as_deref(), 20, 100)?;
    let mut catalog_ids = Vec::new();
    if let Some(cat) = parse_id(q.catalog.as_deref(), "栏目 catalog")? {
        let nodes = state.store.catalog(org.id).await?;
        if !nodes.iter().any(|n| n.id == cat) {
            // A column of another organisation holds none of this one's items.
            return Ok(Json(ItemsPage { organisation: org.slug, page, per_page, total: 0, items: Vec::new() }));
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
    Ok(Json(ItemsPage { organisation: org.slug, page, per_page, total: result.total, items: result.items.iter().map(item_out).collect() }))
}

/// 政府信息详情（含正文和附件）.
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "公开信息",
    params(("id" = i64, Path, minimum = 1, description = "信息编号")),
    responses(
        (status = 200, description = "信息", body = ItemOut),
        (status = 400, description = "编号不是正整数", body = ErrorBody),
        (status = 404, description = "信息不存在或未发布", body = ErrorBody),
        (status = 410, description = "信息已撤回（附撤回理由）", body = ErrorBody),
    ))]
async fn item(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<ItemOut> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::BadRequest(format!("信息编号 id“{id}”无效：应为正整数")))?;
    if id < 1 {
        return Err(AppError::NotFound.into());
    }
    let item = crate::portal::public_item(&state, id).await?;
    let attachments: Vec<AttachmentOut> = state
        .store
        .attachments(item.id)
        .await?
        .iter()
        .map(|a| AttachmentOut {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            url: format!("/attachments/{}", a.id),
        })
        .collect();
    let mut v = item_out(&item);
    v.body_html = Some(item.fields.body_html.clone());
    v.attachments = Some(attachments);
    Ok(Json(v))
}

/// 本接口的 OpenAPI 文档（由处理函数的类型生成）.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "文档",
    responses((status = 200, description = "OpenAPI 3.1 文档", content_type = "application/json", body = Object)))]
async fn openapi() -> Json<Value> {
    Json(crate::openapi::document_json())
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_route() {
        let doc = crate::openapi::document_json();
        let paths = doc["paths"].as_object().expect("paths");
        for p in [
            "/api/v1/openapi.json",
            "/api/v1/organisations",
            "/api/v1/organisations/{slug}",
            "/api/v1/organisations/{slug}/catalog",
            "/api/v1/organisations/{slug}/items",
            "/api/v1/items/{id}",
            "/api/v1/search",
            "/api/v1/staff/applications",
            "/api/v1/orgs/{slug}/submissions",
            "/org/{slug}/led.json",
        ] {
            assert!(paths.contains_key(p), "{p}");
        }
        // Every operation documents its error answers with the error schema.
        for (path, ops) in paths {
            for (method, op) in ops.as_object().expect("ops") {
                let responses = op["responses"].as_object().expect("responses");
                let errors: Vec<&String> = responses.keys().filter(|k| k.starts_with('4') || k.starts_with('5')).collect();
                assert!(!errors.is_empty() || path == "/api/v1/openapi.json" || path == "/api/v1/organisations", "{method} {path} documents no error");
                for code in errors {
                    let schema = &responses[code.as_str()]["content"]["application/json"]["schema"]["$ref"];
                    assert!(schema.as_str().is_some_and(|r| r.ends_with("/ErrorBody") || r.ends_with("/SubmissionAnswer")), "{method} {path} {code}: {schema}");
                }
            }
        }
    }
}
