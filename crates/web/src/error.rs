//! Errors at the HTTP edge: every error becomes a clear Chinese page (or a
//! JSON body for the API), never a stack trace or SQL.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gongkai_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("页面不存在")]
    NotFound,
    /// A withdrawn item: 410 with the reason.
    #[error("该信息已撤回")]
    Gone { title: String, reason: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed but refused input (422), e.g. printing an unpublished item.
    #[error("{0}")]
    Unprocessable(String),
    /// Not logged in: redirect to the login page.
    #[error("请先登录")]
    LoginRequired { next: String },
    /// Two-step sign-in must be set up before anything else: redirect to its settings.
    #[error("请先设置两步验证")]
    MfaSetupRequired,
    /// The password must be replaced before anything else: redirect to the form.
    #[error("请先修改密码")]
    PasswordChangeRequired { reason: &'static str },
    #[error("表单已过期或来源不可信，请返回刷新页面后重试")]
    Csrf,
    #[error("操作过于频繁，请稍后再试")]
    TooManyRequests,
    #[error("{message}")]
    Conflict { field: &'static str, message: String },
    #[error("服务器内部错误")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict { field, message } => AppError::Conflict { field, message },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {e:#}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone { .. } => StatusCode::GONE,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::LoginRequired { .. } | AppError::PasswordChangeRequired { .. } | AppError::MfaSetupRequired => StatusCode::SEE_OTHER,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired { next } = &self {
            let location = format!("/admin/login?next={}", crate::util::url_encode(next));
            return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
        }
        if let AppError::MfaSetupRequired = &self {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin/mfa?due=required")]).into_response();
        }
        if let AppError::PasswordChangeRequired { reason } = &self {
            let location = format!("/admin/password?due={reason}");
            return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
        }
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let (title, message) = match &self {
            AppError::Gone { title, reason } => (
                "该信息已撤回".to_string(),
                format!("《{title}》已于发布后撤回，不再公开。撤回理由：{reason}"),
            ),
            other => (status_title(status).to_string(), other.to_string()),
        };
        crate::render::error_page(status, &title, &message)
    }
}

fn status_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        403 => "没有权限",
        404 => "页面不存在",
        409 => "数据冲突",
        410 => "该信息已撤回",
        413 => "文件过大",
        422 => "填写有误",
        429 => "操作过于频繁",
        _ => "服务器错误",
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A handler that panicked answers a plain 500 page; the panic is logged.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    tracing::error!(%detail, "handler panicked");
    crate::render::error_page(StatusCode::INTERNAL_SERVER_ERROR, "服务器错误", "服务器内部错误，请稍后再试。")
}

/// The framework's own rejections (a body that is not a well-formed form, a
/// wrong content type, a body over the size limit) answer in plain English
/// text; give users a clear Chinese page instead, keeping the status.
pub async fn explain_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // JSON endpoints answer every error as JSON, never as a page.
    let json = is_json_endpoint(req.uri().path());
    let res = next.run(req).await;
    if json {
        return json_errors(res);
    }
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return res;
    }
    let message = match status.as_u16() {
        413 => "提交的内容超过了允许的大小",
        415 => "提交的数据类型不正确，请通过页面上的表单提交",
        _ => "提交的数据格式有误，请返回页面重新填写后提交",
    };
    crate::render::error_page(status, status_title(status), message)
}

/// The API under `/api/` and the `.json` feeds.
fn is_json_endpoint(path: &str) -> bool {
    path.starts_with("/api/") || path.ends_with(".json")
}

/// An error answer of a JSON endpoint that is not JSON (a framework
/// rejection such as a repeated query parameter, an error page, the
/// redirect to the login page) becomes the API's JSON error body.
fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let to_login = status == StatusCode::SEE_OTHER
        && res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/admin/login"));
    if to_login {
        return json_error(StatusCode::UNAUTHORIZED, "请先登录：此接口需要工作人员登录");
    }
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let message = match status.as_u16() {
        400 => "请求参数有误：请检查参数的格式，每个参数只能出现一次",
        404 => "接口或资源不存在",
        405 => "不支持该请求方法",
        413 => "提交的内容超过了允许的大小",
        415 => "提交的数据类型不正确，应为 application/json",
        _ => status_title(status),
    };
    json_error(status, message)
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(crate::api::ErrorBody::new(status, message))).into_response()
}
