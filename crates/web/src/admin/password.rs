//! Changing one's own password.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct PasswordQuery {
    due: Option<String>,
}

/// Why the form is shown before anything else, in Chinese.
fn due_notice(state: &AppState, due: Option<&str>) -> Option<String> {
    match due {
        Some("issued") => Some("您正在使用管理员设置的密码，请先设置只有您自己知道的新密码".into()),
        Some("expired") => Some(format!("您的密码已使用超过{}天，请先修改密码", state.config.password_policy.max_age_days)),
        _ => None,
    }
}

pub(super) async fn password_page(State(state): State<AppState>, staff: Staff, Query(q): Query<PasswordQuery>) -> Result<Response, AppError> {
    let notice = due_notice(&state, q.due.as_deref());
    render::page(
        "admin_password.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, errors => Vec::<String>::new(), notice, rules => state.config.password_policy.describe() },
    )
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    pub(super) current: String,
    #[serde(default)]
    pub(super) new: String,
    #[serde(default)]
    pub(super) confirm: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

pub(super) async fn password_change(State(state): State<AppState>, staff: Staff, headers: axum::http::HeaderMap, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let rules = state.config.password_policy.describe();
    let fail = |m: String, status| render::page_with_status(status, "admin_password.html", context! { staff => staff.ctx(), site_name => state.config.site_name, errors => vec![m], rules => rules.clone() });
    let Some((_, auth)) = state.store.user_by_username(&staff.user.username).await? else { return Err(AppError::NotFound) };
    if !auth::verify_password(&form.current, &auth.password_hash) {
        staff.audit(&state, "password.change", &format!("user:{}", staff.user.id), "当前密码错误", false).await?;
        return fail("当前密码不正确".into(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if form.new != form.confirm {
        return fail("两次输入的新密码不一致".into(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let context = auth::password_context(&state, &staff.user).await?;
    if let Some(e) = validate::validate_password(&form.new, &state.config.password_policy, &context) {
        return fail(e.message, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if auth::is_recent_password(&state, staff.user.id, &form.new).await? {
        staff.audit(&state, "password.change", &format!("user:{}", staff.user.id), "与最近用过的密码相同", false).await?;
        return fail(format!("新密码不能与最近{}次用过的密码相同", state.config.password_policy.history), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = auth::hash_password(&form.new)?;
    staff.audited(&state, "password.change", &format!("user:{}", staff.user.id), "").set_password(staff.user.id, &hash).await?;
    // Other sessions of this user end; this one stays.
    let current = auth::session_token(&state.config, &headers).map(auth::token_hash).unwrap_or_default();
    state.store.delete_other_sessions(staff.user.id, &current).await?;
    Ok(Redirect::to("/admin?msg=%E5%AF%86%E7%A0%81%E5%B7%B2%E4%BF%AE%E6%94%B9").into_response())
}
