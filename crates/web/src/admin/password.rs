//! Changing one's own password.

use super::*;

pub(super) async fn password_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    render::page("admin_password.html", context! { staff => staff.ctx(), site_name => state.config.site_name, errors => Vec::<String>::new() })
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
    let fail = |m: String, status| render::page_with_status(status, "admin_password.html", context! { staff => staff.ctx(), site_name => state.config.site_name, errors => vec![m] });
    let Some((_, auth)) = state.store.user_by_username(&staff.user.username).await? else { return Err(AppError::NotFound) };
    if !auth::verify_password(&form.current, &auth.password_hash) {
        staff.audit(&state, "password.change", &format!("user:{}", staff.user.id), "当前密码错误", false).await?;
        return fail("当前密码不正确".into(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if form.new != form.confirm {
        return fail("两次输入的新密码不一致".into(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if let Some(e) = validate::validate_password(&form.new, &state.config.password_policy, &staff.user.username) {
        return fail(e.message, StatusCode::UNPROCESSABLE_ENTITY);
    }
    state.store.set_password(staff.user.id, &auth::hash_password(&form.new)?).await?;
    staff.audit(&state, "password.change", &format!("user:{}", staff.user.id), "", true).await?;
    // Other sessions of this user end; this one stays.
    let current = auth::cookie(&headers, auth::SESSION_COOKIE).map(auth::token_hash).unwrap_or_default();
    state.store.delete_other_sessions(staff.user.id, &current).await?;
    Ok(Redirect::to("/admin?msg=%E5%AF%86%E7%A0%81%E5%B7%B2%E4%BF%AE%E6%94%B9").into_response())
}
