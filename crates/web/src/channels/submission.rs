//! Submission to the upper-level portal (报送): producing packages of
//! published items (on publish when configured, or in batches from the back
//! office and the command line), sending them to the configured installation
//! with a log of what was sent and whether it was accepted, and — on the
//! receiving installation — the import endpoint and the back-office import.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use gongkai_domain::model::{ItemStatus, Organisation, Role};
use gongkai_store::{ChannelSettings, ItemQuery, NewReceivedAttachment, NewReceivedItem, NewReceivedPackage, NewSubmission, Store, StoreError, Submission};
use minijinja::context;
use serde::Deserialize;

use crate::auth::Staff;
use crate::error::AppError;
use crate::channels::package::{self, PackageError, Written};
use crate::security::tokens_equal;
use crate::util::url_encode;
use crate::{render, AppState};

/// Largest package accepted by the import endpoint.
pub const MAX_PACKAGE_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orgs/{slug}/submissions", post(api_import).layer(axum::extract::DefaultBodyLimit::max(MAX_PACKAGE_BYTES)))
        .route("/admin/submissions", get(page))
        .route("/admin/submissions/send", post(send_batch))
        .route("/admin/submissions/export", post(export_batch))
        .route("/admin/submissions/import", post(import_upload).layer(axum::extract::DefaultBodyLimit::max(MAX_PACKAGE_BYTES)))
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Published items of the organisation not yet in an accepted package.
pub async fn pending_items(store: &Store, org_id: i64) -> Result<Vec<i64>, StoreError> {
    let sent: HashSet<i64> = store.submissions(org_id, 0).await?.into_iter().filter(|s| s.status == "accepted").flat_map(|s| s.item_ids).collect();
    let all = store.list_items(&ItemQuery { org_ids: vec![org_id], statuses: vec![ItemStatus::Published], ..Default::default() }).await?;
    let mut ids: Vec<i64> = all.items.iter().map(|i| i.id).filter(|id| !sent.contains(id)).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Build a package of the given published items of `org`.
pub async fn build(store: &Store, org: &Organisation, item_ids: &[i64], site: &str) -> Result<Written, AppError> {
    let catalog = store.catalog(org.id).await?;
    let mut items = Vec::new();
    for id in item_ids {
        let item = store.item(*id).await?.ok_or(AppError::NotFound)?;
        if item.org_id != org.id || item.status != ItemStatus::Published {
            return Err(AppError::BadRequest(format!("信息“{}”未发布或不属于本机关，不能报送", item.fields.title)));
        }
        let mut files = Vec::new();
        for a in store.attachments(item.id).await? {
            let bytes = store.attachment_content(a.id).await?.ok_or(AppError::NotFound)?;
            files.push((a, bytes));
        }
        items.push(package::package_item(&item, catalog.iter().find(|n| n.id == item.fields.catalog_id), site, &files));
    }
    if items.is_empty() {
        return Err(AppError::BadRequest("没有需要报送的信息".into()));
    }
    let now = Utc::now();
    package::write(&package::new_package_id(&org.org_code, now), &package::source_of(org, site), &items, now).map_err(|e| AppError::Internal(e.to_string()))
}

/// Send a written package to the configured upper-level installation and
/// log the outcome. Without a configured address the package is only logged
/// as produced.
pub async fn send(store: &Store, org: &Organisation, settings: &ChannelSettings, written: &Written, item_ids: &[i64], cause: &str) -> Result<Submission, AppError> {
    let target = settings.submit_url.trim().to_string();
    let mut log = store
        .create_submission(&NewSubmission {
            org_id: org.id,
            package_id: written.package_id.clone(),
            item_ids: item_ids.to_vec(),
            sha256: written.sha256.clone(),
            size: written.bytes.len() as i64,
            target: target.clone(),
            cause: cause.into(),
            at: Utc::now(),
        })
        .await?;
    if target.is_empty() {
        return Ok(log);
    }
    let (status, response) = post_package(&target, &settings.submit_token, written.bytes.clone()).await;
    store.set_submission_status(log.id, status, &response).await?;
    log.status = status.into();
    log.response = response;
    Ok(log)
}

/// POST the package; (`accepted` | `rejected` | `failed`, message). Only a receiver on a
/// public address, or a host the operator listed in `outbound_hosts`, is contacted. What
/// the receiver answers is not repeated back except the `message` of a JSON answer (as a
/// gongkai receiver gives), shortened and stripped of control characters.
async fn post_package(url: &str, token: &str, body: Vec<u8>) -> (&'static str, String) {
    let (client, url) = match crate::outbound::checked_client(url, Duration::from_secs(30)).await {
        Ok(x) => x,
        Err(e) => return ("failed", format!("未发送：{e}")),
    };
    let res = client.post(url).bearer_auth(token).header(header::CONTENT_TYPE, "application/json").body(body).send().await;
    match res {
        Err(e) if e.is_timeout() => ("failed", "发送失败：接收方 30 秒内没有应答".to_string()),
        Err(e) if e.is_connect() => ("failed", "发送失败：无法连接接收方".to_string()),
        Err(_) => ("failed", "发送失败：连接中断".to_string()),
        Ok(r) => {
            let code = r.status();
            // Read at most 64 KiB of the answer.
            let mut text = Vec::new();
            let mut r = r;
            while let Ok(Some(chunk)) = r.chunk().await {
                text.extend_from_slice(&chunk);
                if text.len() > 64 * 1024 {
                    break;
                }
            }
            let message = serde_json::from_slice::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(|m| m.chars().filter(|c| !c.is_control()).take(200).collect::<String>()));
            match (code.is_success(), message) {
                (true, Some(m)) => ("accepted", m),
                (true, None) => ("accepted", format!("HTTP {}", code.as_u16())),
                (false, Some(m)) => ("rejected", format!("HTTP {}：{m}", code.as_u16())),
                (false, None) if code.is_redirection() => ("rejected", format!("HTTP {}：接收方要求转到其他地址，为安全起见不跟随，请核对报送地址", code.as_u16())),
                (false, None) => ("rejected", format!("HTTP {}", code.as_u16())),
            }
        }
    }
}

/// After an item is published: send it up when the organisation asked for
/// that. Returns a note for the staff member, if any. Never fails the publication.
pub async fn after_publish(state: &AppState, org: &Organisation, item_id: i64) -> Option<String> {
    let settings = match state.store.channel_settings(org.id).await {
        Ok(s) => s,
        Err(e) => return Some(format!("报送设置读取失败：{e}")),
    };
    if !settings.submit_on_publish || settings.submit_url.trim().is_empty() {
        return None;
    }
    let site = state.config.public_url.trim().to_string();
    let result = async {
        let written = build(&state.store, org, &[item_id], &site).await?;
        send(&state.store, org, &settings, &written, &[item_id], "publish").await
    }
    .await;
    Some(match result {
        Ok(s) if s.status == "accepted" => "已报送上级平台".to_string(),
        Ok(s) => format!("报送上级平台未成功（{}），可在“报送”页面重新报送", s.response),
        Err(e) => format!("报送上级平台未成功：{e}"),
    })
}

/// Validate a package and record its items for `org` (all or nothing).
pub async fn import(store: &Store, org: &Organisation, bytes: &[u8]) -> Result<(package::Package, usize), ImportError> {
    let p = package::read(bytes)?;
    let items = p
        .items
        .iter()
        .map(|i| {
            let mut meta = i.clone();
            for a in &mut meta.attachments {
                a.content_base64 = String::new();
            }
            NewReceivedItem {
                index_no: i.index_no.clone(),
                title: i.title.clone(),
                publish_date: chrono::NaiveDate::parse_from_str(&i.publish_date, "%Y-%m-%d").unwrap_or_default(),
                url: i.url.clone(),
                item_json: serde_json::to_string(&meta).unwrap_or_default(),
                attachments: i
                    .attachments
                    .iter()
                    .map(|a| NewReceivedAttachment { filename: a.filename.clone(), content_type: a.content_type.clone(), sha256: a.sha256.to_ascii_lowercase(), content: package::decode(a) })
                    .collect(),
            }
        })
        .collect();
    let n = store
        .import_package(&NewReceivedPackage {
            org_id: org.id,
            package_id: p.package_id.clone(),
            source_name: p.source.name.clone(),
            source_code: p.source.org_code.clone(),
            sha256: p.sha256.clone(),
            items,
            at: Utc::now(),
        })
        .await?;
    Ok((p, n))
}

/// The answer of the import endpoint.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SubmissionAnswer {
    /// Whether the package was imported.
    pub accepted: bool,
    /// What happened, in Chinese.
    pub message: String,
    /// Items imported.
    pub items: usize,
}

fn api_answer(status: StatusCode, accepted: bool, message: String, items: usize) -> Response {
    (status, Json(SubmissionAnswer { accepted, message, items })).into_response()
}

/// 接收下级机关报送的信息（报送包）.
///
/// `POST /api/v1/orgs/{slug}/submissions` with `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/submissions", tag = "信息渠道",
    params(("slug" = String, Path, description = "接收机关的标识")),
    request_body(content = crate::openapi::PackageEnvelope, content_type = "application/json", description = "报送包（gongkai-submission 第 1 版）"),
    security(("submission_token" = [])),
    responses(
        (status = 200, description = "已导入", body = SubmissionAnswer),
        (status = 401, description = "报送令牌无效", body = SubmissionAnswer),
        (status = 404, description = "接收机关不存在", body = SubmissionAnswer),
        (status = 409, description = "与已有信息冲突", body = SubmissionAnswer),
        (status = 413, description = "报送包过大", body = crate::api::ErrorBody),
        (status = 422, description = "报送包有误，未作任何更改", body = SubmissionAnswer),
        (status = 429, description = "令牌错误次数过多，请稍后再试", body = crate::api::ErrorBody),
    ))]
async fn api_import(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    crate::auth::ConnectInfoOpt(client): crate::auth::ConnectInfoOpt,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let Some(org) = state.store.org_by_slug(&slug).await? else {
        return Ok(api_answer(StatusCode::NOT_FOUND, false, format!("接收机关“{slug}”不存在"), 0));
    };
    let settings = state.store.channel_settings(org.id).await?;
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("").trim();
    if settings.import_token_hash.is_empty() || token.is_empty() || !tokens_equal(&package::sha256_hex(token.as_bytes()), &settings.import_token_hash) {
        state.limiter.hit(&format!("import:{slug}:{client}"), 20, Duration::from_secs(900))?;
        return Ok(api_answer(StatusCode::UNAUTHORIZED, false, "报送令牌无效：请向接收机关索取报送令牌".into(), 0));
    }
    let audit = |success: bool, detail: String| gongkai_store::NewAuditEntry {
        at: Utc::now(),
        actor_id: None,
        actor_name: "报送接口".into(),
        org_id: Some(org.id),
        action: "submission.import".into(),
        target: format!("org:{}", org.id),
        detail,
        client: client.clone(),
        success,
    };
    match import(&state.store, &org, &body).await {
        Ok((p, n)) => {
            state.store.append_audit(&audit(true, format!("{} {} 条，来自 {}", p.package_id, n, p.source.name))).await?;
            Ok(api_answer(StatusCode::OK, true, format!("已接收{}报送的 {n} 条信息", p.source.name), n))
        }
        Err(ImportError::Package(e)) => {
            state.store.append_audit(&audit(false, e.to_string())).await?;
            Ok(api_answer(StatusCode::UNPROCESSABLE_ENTITY, false, e.to_string(), 0))
        }
        Err(ImportError::Store(StoreError::Conflict { message, .. })) => Ok(api_answer(StatusCode::CONFLICT, false, message, 0)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

// ---- back office ----

fn require_sender(staff: &Staff) -> Result<(), AppError> {
    if staff.is(Role::Admin) || staff.is(Role::Reviewer) {
        Ok(())
    } else {
        Err(AppError::Forbidden("报送需要审核人或管理员角色".into()))
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    msg: Option<String>,
    err: Option<String>,
}

async fn page(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    submissions_page(&state, &staff, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

async fn submissions_page(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let org_id = staff.user.org_id;
    let settings = state.store.channel_settings(org_id).await?;
    let log: Vec<_> = state
        .store
        .submissions(org_id, 100)
        .await?
        .into_iter()
        .map(|s| {
            context! {
                package_id => s.package_id, items => s.item_ids.len(), sha256 => s.sha256, size => s.size, target => s.target,
                status => s.status.clone(), status_label => status_label(&s.status), response => s.response,
                cause => match s.cause.as_str() { "publish" => "发布时自动报送", "cli" => "命令行", _ => "后台批量" },
                at => crate::applications::cases::local_date(s.created_at),
            }
        })
        .collect();
    let pending = pending_items(&state.store, org_id).await?;
    let received = state.store.received_items(org_id, 100, 0).await?;
    let packages: Vec<_> = state
        .store
        .received_packages(org_id)
        .await?
        .into_iter()
        .map(|p| context! { package_id => p.package_id, source => p.source_name, items => p.item_count, at => crate::applications::cases::local_date(p.received_at) })
        .collect();
    render::page_with_status(
        status,
        "admin_submissions.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err, log, pending => pending.len(), packages,
            target => settings.submit_url, on_publish => settings.submit_on_publish, accepts => !settings.import_token_hash.is_empty(),
            received => received.items.iter().map(|r| context! { title => r.title, index_no => r.index_no, source => r.source_name, publish_date => r.publish_date.to_string(), url => r.url, attachments => r.attachments }).collect::<Vec<_>>(),
            received_total => received.total,
        },
    )
}

fn status_label(s: &str) -> &'static str {
    match s {
        "accepted" => "已接收",
        "rejected" => "被拒收",
        "failed" => "发送失败",
        _ => "已生成",
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn send_batch(State(state): State<AppState>, staff: Staff, headers: HeaderMap, axum::Form(form): axum::Form<CsrfOnly>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    require_sender(&staff)?;
    let settings = state.store.channel_settings(staff.org.id).await?;
    if settings.submit_url.trim().is_empty() {
        return submissions_page(&state, &staff, None, Some("尚未设置上级平台的报送地址，请管理员在“渠道设置”中填写；也可以导出报送包交上级导入。"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let ids = pending_items(&state.store, staff.org.id).await?;
    if ids.is_empty() {
        return submissions_page(&state, &staff, Some("所有已发布的信息都已报送并被接收。"), None, StatusCode::OK).await;
    }
    let site = crate::portal::feeds::base_url(&state, &headers);
    let written = build(&state.store, &staff.org, &ids, &site).await?;
    let log = send(&state.store, &staff.org, &settings, &written, &ids, "batch").await?;
    staff.audit(&state, "submission.send", &format!("submission:{}", log.id), &format!("{} {} 条 {}", log.package_id, ids.len(), log.status), log.status == "accepted").await?;
    let text = format!("报送包 {}（{} 条）：{}。{}", log.package_id, ids.len(), status_label(&log.status), log.response);
    let key = if log.status == "accepted" { "msg" } else { "err" };
    Ok(Redirect::to(&format!("/admin/submissions?{key}={}", url_encode(&text))).into_response())
}

/// Download a package of the items not yet accepted (for hand delivery).
async fn export_batch(State(state): State<AppState>, staff: Staff, headers: HeaderMap, axum::Form(form): axum::Form<CsrfOnly>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    require_sender(&staff)?;
    let ids = pending_items(&state.store, staff.org.id).await?;
    if ids.is_empty() {
        return submissions_page(&state, &staff, Some("所有已发布的信息都已报送并被接收。"), None, StatusCode::OK).await;
    }
    let site = crate::portal::feeds::base_url(&state, &headers);
    let written = build(&state.store, &staff.org, &ids, &site).await?;
    let mut settings = state.store.channel_settings(staff.org.id).await?;
    // Logged as produced: nothing is sent.
    settings.submit_url = String::new();
    send(&state.store, &staff.org, &settings, &written, &ids, "batch").await?;
    staff.audit(&state, "submission.export", &format!("org:{}", staff.org.id), &format!("{} {} 条", written.package_id, ids.len()), true).await?;
    let mut res = written.bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.json\"", written.package_id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Import a package file uploaded by staff of the receiving organisation.
async fn import_upload(State(state): State<AppState>, staff: Staff, mut multipart: Multipart) -> Result<Response, AppError> {
    let mut csrf = String::new();
    let mut file: Option<Vec<u8>> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return submissions_page(&state, &staff, None, Some("上传的文件读取失败或超过大小限制"), StatusCode::BAD_REQUEST).await,
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => match field.bytes().await {
                Ok(b) => file = Some(b.to_vec()),
                Err(_) => return submissions_page(&state, &staff, None, Some("上传的文件读取失败或超过大小限制"), StatusCode::BAD_REQUEST).await,
            },
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    require_sender(&staff)?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return submissions_page(&state, &staff, None, Some("请选择要导入的报送包文件"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match import(&state.store, &staff.org, &bytes).await {
        Ok((p, n)) => {
            staff.audit(&state, "submission.import", &format!("org:{}", staff.org.id), &format!("{} {n} 条，来自 {}", p.package_id, p.source.name), true).await?;
            let text = format!("已导入{}报送的 {n} 条信息（报送包 {}）", p.source.name, p.package_id);
            Ok(Redirect::to(&format!("/admin/submissions?msg={}", url_encode(&text))).into_response())
        }
        Err(ImportError::Package(e)) => {
            staff.audit(&state, "submission.import", &format!("org:{}", staff.org.id), &e.to_string(), false).await?;
            submissions_page(&state, &staff, None, Some(&format!("导入失败，未作任何更改：{e}")), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ImportError::Store(StoreError::Conflict { message, .. })) => submissions_page(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
