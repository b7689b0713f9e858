//! The OpenAPI document of every JSON endpoint, generated with utoipa from
//! the handlers' own annotations and response types (so it cannot drift from
//! what they answer): the public API (`api`), search, the staff applications
//! list, the submission-package import and the LED feed. Every operation
//! also documents the answers any request can get: 400 for malformed or
//! repeated query parameters (those with parameters) and 500, both as the
//! JSON error body.

use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::api::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gongkai 政府信息公开 API",
        version = "1.0.0",
        description = "机关、公开目录、已发布的政府信息和全文检索（只读，无需登录）；LED 屏信息源；工作人员的依申请公开案件列表（需登录）；向上级平台报送信息的接收接口（需报送令牌）。草稿、待审核和已撤回的信息不会出现。所有错误都以 JSON 答复：{\"error\": {\"status\": 状态码, \"message\": \"中文说明\"}}。"
    ),
    paths(
        crate::api::organisations,
        crate::api::organisation,
        crate::api::catalog,
        crate::api::items,
        crate::api::item,
        crate::portal::search::api_search,
        crate::channels::led::json,
        crate::applications::cases::api_list,
        crate::channels::submission::api_import,
        crate::api::openapi,
    ),
    components(schemas(ErrorBody, PackageEnvelope)),
    modifiers(&CommonAnswers)
)]
struct ApiDoc;

/// The submission package (报送包) posted to the import endpoint, as written
/// by `gongkai submission export` and the back office.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PackageEnvelope {
    /// Always `gongkai-submission`.
    #[schema(example = "gongkai-submission")]
    pub format: String,
    #[schema(example = 1)]
    pub version: u32,
    pub package_id: String,
    /// RFC 3339 time the package was made.
    pub created_at: String,
    pub source: crate::channels::package::Source,
    pub item_count: u64,
    /// SHA-256 (hex) of the `items` array exactly as written.
    pub items_sha256: String,
    pub items: Vec<crate::channels::package::PackageItem>,
}

struct CommonAnswers;

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}

/// Text without C0 controls (other than tab, line feed, carriage return), DEL or
/// C1 controls — what `security::is_forbidden_control` lets through.
const NO_CONTROL_CHARS: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

impl Modify for CommonAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("gk_session"))));
        components.add_security_scheme("submission_token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        for item in doc.paths.paths.values_mut() {
            let ops: [&mut Option<Operation>; 8] =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.head, &mut item.patch, &mut item.trace];
            for op in ops.into_iter().flatten() {
                let has_query = op.parameters.as_ref().is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)));
                let has_path = op.parameters.as_ref().is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path)));
                // Text parameters may not carry control characters (they are refused
                // before any handler runs): say so in the contract.
                for p in op.parameters.iter_mut().flatten() {
                    if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(obj))) = p.schema.as_mut() {
                        let is_text = match &obj.schema_type {
                            utoipa::openapi::schema::SchemaType::Type(t) => *t == utoipa::openapi::schema::Type::String,
                            utoipa::openapi::schema::SchemaType::Array(ts) => ts.contains(&utoipa::openapi::schema::Type::String),
                            utoipa::openapi::schema::SchemaType::AnyValue => false,
                        };
                        if is_text && obj.pattern.is_none() {
                            obj.pattern = Some(NO_CONTROL_CHARS.into());
                        }
                    }
                }
                let responses = &mut op.responses.responses;
                if (has_query || has_path) && !responses.contains_key("400") {
                    responses.insert("400".into(), error_response("请求参数有误（格式不对、参数重复或取值不在范围内）"));
                }
                // Every request is screened for NUL and other control characters first.
                if !responses.contains_key("422") {
                    responses.insert("422".into(), error_response("请求中含有不可见的控制字符（如空字符），或提交的内容无法处理"));
                }
                if !responses.contains_key("500") {
                    responses.insert("500".into(), error_response("服务器内部错误"));
                }
            }
        }
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as JSON.
pub fn document_json() -> serde_json::Value {
    serde_json::to_value(document()).unwrap_or_else(|e| serde_json::json!({ "error": { "status": 500, "message": e.to_string() } }))
}
