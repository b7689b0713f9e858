//! Back-office settings of the channels (admin): consultation fields and
//! reply period, LED line length and speed, notice boards, submission to the
//! upper-level portal and the token for receiving packages; and the key-work
//! lines (重点工作) staff curate for the LED screen.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::consultation::validate_reply_days;
use gongkai_domain::model::Role;
use minijinja::context;
use serde::Deserialize;

use crate::auth::{CsrfForm, Staff};
use crate::error::AppError;
use crate::util::url_encode;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/channels", get(page).post(save))
        .route("/admin/channels/import-token", post(new_import_token))
        .route("/admin/keywork", get(keywork_page).post(keywork_add))
        .route("/admin/keywork/{id}/delete", post(keywork_delete))
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

async fn page(State(state): State<AppState>, staff: Staff, Query(q): Query<MsgQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    view(&state, &staff, q.msg.as_deref(), &[], None, StatusCode::OK).await
}

async fn view(state: &AppState, staff: &Staff, msg: Option<&str>, errors: &[String], token: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let s = state.store.channel_settings(staff.org.id).await?;
    render::page_with_status(
        status,
        "admin_channels.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, errors, new_token => token,
            s => context! {
                require_name => s.consult.require_name, require_contact => s.consult.require_contact, reply_days => s.consult.reply_working_days,
                led_line_chars => s.led_line_chars, led_speed => s.led_speed, boards => s.boards.join("\n"),
                submit_url => s.submit_url, has_submit_token => !s.submit_token.is_empty(), submit_on_publish => s.submit_on_publish,
                accepts => !s.import_token_hash.is_empty(),
            },
            speeds => crate::channels::led::SPEEDS.iter().map(|(c, l, _)| context! { code => c, label => l }).collect::<Vec<_>>(),
            import_url => format!("/api/v1/orgs/{}/submissions", staff.org.slug),
        },
    )
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    require_name: Option<String>,
    #[serde(default)]
    require_contact: Option<String>,
    #[serde(default)]
    reply_days: String,
    #[serde(default)]
    led_line_chars: String,
    #[serde(default)]
    led_speed: String,
    #[serde(default)]
    boards: String,
    #[serde(default)]
    submit_url: String,
    #[serde(default)]
    submit_token: String,
    #[serde(default)]
    submit_on_publish: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn save(State(state): State<AppState>, staff: Staff, Form(form): Form<SettingsForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let mut s = state.store.channel_settings(staff.org.id).await?;
    let mut errors = Vec::new();
    match form.reply_days.trim().parse::<u32>() {
        Ok(d) => match validate_reply_days(d) {
            Some(e) => errors.push(e),
            None => s.consult.reply_working_days = d,
        },
        Err(_) => errors.push("答复期限应为整数个工作日".into()),
    }
    s.consult.require_name = form.require_name.is_some();
    s.consult.require_contact = form.require_contact.is_some();
    match form.led_line_chars.trim().parse::<i64>() {
        Ok(n) if (8..=200).contains(&n) => s.led_line_chars = n,
        _ => errors.push("每行字数应为 8—200 之间的整数".into()),
    }
    if crate::channels::led::SPEEDS.iter().any(|(c, _, _)| *c == form.led_speed) {
        s.led_speed = form.led_speed.clone();
    } else {
        errors.push("请选择滚动速度".into());
    }
    let boards: Vec<String> = form.boards.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if boards.len() > 50 || boards.iter().any(|b| b.chars().count() > 40) {
        errors.push("公开栏最多 50 个，每个名称不超过 40 字".into());
    } else {
        s.boards = boards;
    }
    let url = form.submit_url.trim();
    let scheme_ok = url.is_empty() || url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.len() > 500 {
        errors.push("上级平台报送地址应以 http:// 或 https:// 开头".into());
    } else {
        s.submit_url = url.to_string();
    }
    // An empty token field keeps the stored token.
    if !form.submit_token.trim().is_empty() {
        s.submit_token = form.submit_token.trim().to_string();
    }
    s.submit_on_publish = form.submit_on_publish.is_some();
    if s.submit_on_publish && s.submit_url.is_empty() {
        errors.push("选择“发布时自动报送”须先填写上级平台报送地址".into());
    }
    if !errors.is_empty() {
        return view(&state, &staff, None, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff.audited(&state, "channels.settings", &format!("org:{}", staff.org.id), "").put_channel_settings(&s).await?;
    Ok(Redirect::to(&format!("/admin/channels?msg={}", url_encode("渠道设置已保存"))).into_response())
}

/// Issue a new token for receiving packages (shown once; only its hash is kept).
async fn new_import_token(State(state): State<AppState>, staff: Staff, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let token = crate::auth::random_token();
    let mut s = state.store.channel_settings(staff.org.id).await?;
    s.import_token_hash = crate::channels::package::sha256_hex(token.as_bytes());
    staff.audited(&state, "channels.import_token", &format!("org:{}", staff.org.id), "").put_channel_settings(&s).await?;
    view(&state, &staff, Some("已生成新的报送令牌，旧令牌随即失效"), &[], Some(&token), StatusCode::OK).await
}

async fn keywork_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MsgQuery>) -> Result<Response, AppError> {
    keywork_view(&state, &staff, q.msg.as_deref(), None, StatusCode::OK).await
}

async fn keywork_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let lines = state.store.key_work(staff.org.id).await?;
    render::page_with_status(
        status,
        "admin_keywork.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, msg, err, lines, may_edit => may_edit(staff) },
    )
}

fn may_edit(staff: &Staff) -> bool {
    staff.is(Role::Admin) || staff.is(Role::Editor) || staff.is(Role::Reviewer)
}

#[derive(Deserialize)]
struct KeyWorkForm {
    #[serde(default)]
    line: String,
    #[serde(default)]
    sort_order: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn keywork_add(State(state): State<AppState>, staff: Staff, Form(form): Form<KeyWorkForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !may_edit(&staff) {
        return Err(AppError::Forbidden("维护重点工作需要编辑、审核人或管理员角色".into()));
    }
    let line = form.line.trim();
    if line.is_empty() {
        return keywork_view(&state, &staff, None, Some("重点工作内容不能为空"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if line.chars().count() > 200 {
        return keywork_view(&state, &staff, None, Some("每条重点工作不超过 200 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let order = form.sort_order.trim().parse::<i64>().unwrap_or(0).clamp(-10_000, 10_000);
    staff.audited(&state, "keywork.add", &format!("org:{}", staff.org.id), line).add_key_work(staff.org.id, line, order, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/keywork?msg={}", url_encode("已添加"))).into_response())
}

async fn keywork_delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !may_edit(&staff) {
        return Err(AppError::Forbidden("维护重点工作需要编辑、审核人或管理员角色".into()));
    }
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    staff.audited(&state, "keywork.delete", &format!("keywork:{id}"), "").delete_key_work(staff.org.id, id).await?;
    Ok(Redirect::to(&format!("/admin/keywork?msg={}", url_encode("已删除"))).into_response())
}
