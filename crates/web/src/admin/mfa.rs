//! Two-step sign-in (两步验证): the code page between an accepted password and a session,
//! and each staff member's own settings — setting up an authenticator app, recovery codes,
//! turning it off where the role allows.

use axum::http::{header, HeaderMap};
use gongkai_domain::mfa;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::*;

/// How many wrong codes a challenge takes before the password must be entered again.
const MAX_ATTEMPTS: i64 = 5;

/// Whether the user's roles require two-step sign-in under this configuration.
pub(crate) fn required_for(state: &AppState, user: &gongkai_domain::model::User) -> bool {
    user.roles.iter().any(|r| state.config.mfa_required_roles.contains(r))
}

fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(mfa::normalise_recovery_code(code).as_bytes()))
}

/// Ten new recovery codes: (shown once, their hashes to store).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let mut rng = rand::rngs::OsRng;
    let codes: Vec<String> = (0..mfa::RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 10];
            rng.fill_bytes(&mut b);
            mfa::recovery_code(&b)
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

fn unix_now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

// ------------------------------------------------------------------ sign-in

fn code_form(state: &AppState, error: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let token = auth::random_token();
    let mut res = render::page_with_status(status, "admin_login_mfa.html", context! { site_name => state.config.site_name, error, csrf => token })?;
    res.headers_mut().append(header::SET_COOKIE, auth::set_cookie(state, auth::LOGIN_CSRF_COOKIE, &token, 600));
    Ok(res)
}

pub(super) async fn login_code_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if auth::cookie(&headers, auth::MFA_CHALLENGE_COOKIE).is_none() {
        return Ok(Redirect::to("/admin/login").into_response());
    }
    code_form(&state, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub(super) async fn login_code_submit(
    State(state): State<AppState>,
    auth::ConnectInfoOpt(client): auth::ConnectInfoOpt,
    request_id: Option<axum::Extension<crate::security::RequestId>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let expected = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or("");
    if !crate::security::tokens_equal(expected, &form.csrf) {
        return Err(AppError::Csrf);
    }
    state.limiter.hit(&format!("login:{client}"), 30, std::time::Duration::from_secs(15 * 60))?;
    // Back to the password form with a message; the challenge cookie is dropped.
    let again = |msg: &str| -> Result<Response, AppError> {
        let mut res = auth::login_form(&state, None, Some(msg), "", StatusCode::UNAUTHORIZED)?;
        res.headers_mut().append(header::SET_COOKIE, auth::challenge_cookie(&state, "", 0));
        Ok(res)
    };
    let Some(token) = auth::cookie(&headers, auth::MFA_CHALLENGE_COOKIE) else { return again("登录已过期，请重新输入用户名和密码") };
    let hash = auth::token_hash(token);
    let Some(challenge) = state.store.attempt_login_challenge(&hash).await? else { return again("登录已过期，请重新输入用户名和密码") };
    let now = Utc::now();
    if challenge.expires_at <= now {
        state.store.delete_login_challenge(&hash).await?;
        return again("两步验证超时（5 分钟），请重新登录");
    }
    let Some(user) = state.store.user(challenge.user_id).await? else { return again("登录已过期，请重新输入用户名和密码") };
    let ctx = gongkai_store::AuditContext {
        role: user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
        user_agent: crate::security::user_agent(&headers),
        request_id: request_id.map(|r| r.0 .0.clone()).unwrap_or_default(),
    };
    let audit = |success: bool, detail: &str| gongkai_store::NewAuditEntry {
        at: now,
        actor_id: Some(user.id),
        actor_name: user.display_name.clone(),
        org_id: Some(user.org_id),
        action: "login_mfa".into(),
        target: "session".into(),
        detail: detail.into(),
        client: client.clone(),
        success,
    };
    let mfa_state = state.store.mfa_state(user.id).await?;
    let accepted = match mfa_state.secret.as_deref().map(mfa::decode_secret) {
        Some(Ok(_)) if mfa::is_recovery_code(&form.code) => {
            if state.store.use_recovery_code(user.id, &recovery_hash(&form.code), now).await? {
                Some("使用恢复码")
            } else {
                None
            }
        }
        Some(Ok(secret)) => match mfa::matching_step(&secret, &form.code, unix_now()) {
            Some(step) if state.store.use_totp_step(user.id, i64::try_from(step).unwrap_or(i64::MAX)).await? => Some(""),
            _ => None,
        },
        // Turned off meanwhile (by an administrator): the password was enough after all.
        None => Some("两步验证已停用"),
        Some(Err(_)) => return Err(AppError::Internal(format!("user {} has an unreadable TOTP secret", user.id))),
    };
    match accepted {
        Some(detail) if !user.disabled => {
            state.store.delete_login_challenge(&hash).await?;
            let mut res = auth::start_session(&state, &user, &challenge.next_path, &ctx, &client, detail).await?;
            res.headers_mut().append(header::SET_COOKIE, auth::challenge_cookie(&state, "", 0));
            Ok(res)
        }
        _ => {
            state.store.append_audit_ctx(&audit(false, "验证码错误"), &ctx).await?;
            if challenge.attempts >= MAX_ATTEMPTS {
                // Too many wrong codes: the password counts as a failed sign-in and must be
                // entered again.
                state.store.delete_login_challenge(&hash).await?;
                let cfg = &state.config;
                state
                    .store
                    .record_login_failure(user.id, now, cfg.lockout_threshold, chrono::Duration::minutes(cfg.lockout_window_minutes), chrono::Duration::minutes(cfg.lockout_minutes))
                    .await?;
                return again("验证码连续错误次数过多，请重新登录");
            }
            code_form(&state, Some("验证码不正确或已使用过，请输入验证器应用中当前显示的 6 位数字，或一个未用过的恢复码"), StatusCode::UNAUTHORIZED)
        }
    }
}

// ------------------------------------------------------------------ settings

#[derive(Deserialize, Default)]
pub(super) struct SettingsQuery {
    due: Option<String>,
}

async fn settings_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, codes: Option<Vec<String>>, status: StatusCode) -> Result<Response, AppError> {
    let st = state.store.mfa_state(staff.user.id).await?;
    let required = required_for(state, &staff.user);
    // Not enrolled: a secret to set up (kept until confirmed, so a reload shows the same one).
    let setup = if st.secret.is_none() {
        let secret = match st.pending {
            Some(p) => p,
            None => {
                let mut b = [0u8; mfa::SECRET_BYTES];
                rand::rngs::OsRng.fill_bytes(&mut b);
                let p = mfa::encode_secret(&b);
                state.store.set_pending_mfa(staff.user.id, &p).await?;
                p
            }
        };
        let issuer = state.config.site_name.clone();
        let uri = format!(
            "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
            crate::util::url_encode(&issuer),
            crate::util::url_encode(&staff.user.username),
            crate::util::url_encode(&issuer)
        );
        let grouped: String = secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
        Some(context! { secret => grouped, qr => Value::from_safe_string(crate::channels::boards::qr_svg(&uri)?), uri })
    } else {
        None
    };
    render::page_with_status(
        status,
        "admin_mfa.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err,
            enabled => st.secret.is_some(), required, recovery_left => st.recovery_left, setup, codes,
        },
    )
}

pub(super) async fn settings_page(State(state): State<AppState>, staff: Staff, Query(q): Query<SettingsQuery>) -> Result<Response, AppError> {
    let notice = (q.due.as_deref() == Some("required")).then_some("您的角色须使用两步验证：请先用手机上的验证器应用完成设置，然后才能使用后台");
    settings_view(&state, &staff, None, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub(super) async fn settings_submit(State(state): State<AppState>, staff: Staff, Form(form): Form<SettingsForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let target = format!("user:{}", staff.user.id);
    let st = state.store.mfa_state(staff.user.id).await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match form.op.as_str() {
        "confirm" => {
            let Some(pending) = st.pending.filter(|_| st.secret.is_none()) else {
                return settings_view(&state, &staff, None, Some("两步验证已经启用"), None, StatusCode::CONFLICT).await;
            };
            let secret = mfa::decode_secret(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
            let Some(step) = mfa::matching_step(&secret, &form.code, unix_now()) else {
                staff.audit(&state, "mfa.enable", &target, "验证码不正确", false).await?;
                return settings_view(&state, &staff, None, Some("验证码不正确：请核对手机时间是否准确，并输入验证器应用中当前显示的 6 位数字"), None, unprocessable).await;
            };
            let (codes, hashes) = new_recovery_codes();
            staff.audited(&state, "mfa.enable", &target, "").confirm_mfa(staff.user.id, &pending, i64::try_from(step).unwrap_or(i64::MAX), &hashes).await?;
            settings_view(&state, &staff, Some("两步验证已启用。请把下面的恢复码抄下或打印后妥善保管：手机丢失时，每个恢复码可代替验证码使用一次"), None, Some(codes), StatusCode::OK).await
        }
        "recovery" => {
            if st.secret.is_none() {
                return settings_view(&state, &staff, None, Some("请先启用两步验证"), None, unprocessable).await;
            }
            let (codes, hashes) = new_recovery_codes();
            staff.audited(&state, "mfa.recovery_codes", &target, "重新生成恢复码").replace_recovery_codes(staff.user.id, &hashes).await?;
            settings_view(&state, &staff, Some("已生成新的恢复码，原有的恢复码全部作废"), None, Some(codes), StatusCode::OK).await
        }
        "disable" => {
            if required_for(&state, &staff.user) {
                return settings_view(&state, &staff, None, Some("您的角色须使用两步验证，不能停用；更换手机时请先用恢复码登录，再由安全管理员重置"), None, StatusCode::FORBIDDEN).await;
            }
            let Some((_, auth_row)) = state.store.user_by_username(&staff.user.username).await? else { return Err(AppError::NotFound) };
            if !auth::verify_password(&form.password, &auth_row.password_hash) {
                staff.audit(&state, "mfa.disable", &target, "密码错误", false).await?;
                return settings_view(&state, &staff, None, Some("密码不正确"), None, unprocessable).await;
            }
            staff.audited(&state, "mfa.disable", &target, "").disable_mfa(staff.user.id).await?;
            settings_view(&state, &staff, Some("两步验证已停用"), None, None, StatusCode::OK).await
        }
        other => Err(AppError::BadRequest(format!("操作“{other}”不存在"))),
    }
}
