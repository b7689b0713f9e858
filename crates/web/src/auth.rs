//! Staff authentication: Argon2id password hashes, server-side sessions in
//! the database (only a hash of the token is stored), HttpOnly SameSite
//! cookies, per-form CSRF tokens, lock-out after repeated failures.

use std::net::SocketAddr;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use gongkai_domain::model::{Organisation, Role, User};
use gongkai_store::{NewAuditEntry, Session};
use minijinja::context;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::security::tokens_equal;
use crate::{render, AppState};

pub const SESSION_COOKIE: &str = "gk_session";
/// The session cookie's name over HTTPS: the `__Host-` prefix makes browsers accept it
/// only if it is Secure, has Path=/ and no Domain, so a sibling host cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-gk_session";

/// The session cookie's name under this configuration.
pub fn session_cookie_name(config: &crate::WebConfig) -> &'static str {
    if config.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token the request carries, under this configuration's cookie name only.
pub fn session_token<'a>(config: &crate::WebConfig, headers: &'a HeaderMap) -> Option<&'a str> {
    cookie(headers, session_cookie_name(config))
}
pub(crate) const LOGIN_CSRF_COOKIE: &str = "gk_login";

/// Hash a password with Argon2id (default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hash: {e}")))
}

/// Check a password against a stored hash; false for a malformed hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A fresh random token (256 bits, hex).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Read one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("gk_invalid=1"))
}

/// The client address as a string (for audit records and rate limits).
pub fn client_addr(parts_ext: &axum::http::Extensions) -> String {
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A logged-in staff member, resolved from the session cookie.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub org: Organisation,
    pub csrf: String,
    /// Organisations this user may administer (own org, plus descendants for admins).
    pub scope: Vec<i64>,
    pub client: String,
    /// The "我的待办" count shown in the back-office header (`None` if it could not be computed).
    pub todo: Option<usize>,
    /// For the audit log: the browser's user agent and this request's id.
    pub user_agent: String,
    pub request_id: String,
}

impl Staff {
    pub fn is(&self, role: Role) -> bool {
        self.user.has_role(role)
    }

    /// Refuse unless the user holds `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.is(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("此操作需要“{}”角色", role.label())))
        }
    }

    /// Refuse unless the user holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.iter().any(|r| self.is(*r)) {
            Ok(())
        } else {
            let names: Vec<String> = roles.iter().map(|r| format!("“{}”", r.label())).collect();
            Err(AppError::Forbidden(format!("此操作需要{}角色", names.join("或"))))
        }
    }

    /// Whether the user does disclosure work: the system administrator or a business role.
    /// A security or audit administrator alone does none (三员分立).
    pub fn does_business(&self) -> bool {
        does_business(&self.user)
    }

    /// Refuse a state-changing form whose CSRF token does not match.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if tokens_equal(&self.csrf, token) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    /// Whether the user may work on records of `org_id`: their own
    /// organisation; administrators also the organisations below it.
    pub fn can_access_org(&self, org_id: i64) -> bool {
        org_id == self.user.org_id || (self.is(Role::Admin) && self.scope.contains(&org_id))
    }

    /// An audit entry for an action of this user, now.
    fn audit_entry(&self, action: &str, target: &str, detail: &str, success: bool) -> NewAuditEntry {
        NewAuditEntry {
            at: Utc::now(),
            actor_id: Some(self.user.id),
            actor_name: self.user.display_name.clone(),
            org_id: Some(self.user.org_id),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
            client: self.client.clone(),
            success,
        }
    }

    /// Append an audit record for an action of this user.
    pub async fn audit(&self, state: &AppState, action: &str, target: &str, detail: &str, success: bool) -> Result<(), AppError> {
        state.store.append_audit_ctx(&self.audit_entry(action, target, detail, success), &self.audit_ctx()).await?;
        Ok(())
    }

    /// The store, with an audit entry for an action of this user that the next write
    /// records in its own transaction (`{id}` in `target` becomes the new record's id).
    pub fn audited(&self, state: &AppState, action: &str, target: &str, detail: &str) -> gongkai_store::Store {
        state.store.audited(
            self.audit_entry(action, target, detail, true),
            self.audit_ctx(),
        )
    }

    /// The audit context of this request: roles, user agent, request id.
    pub fn audit_ctx(&self) -> gongkai_store::AuditContext {
        gongkai_store::AuditContext {
            role: self.user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
            user_agent: self.user_agent.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// Common template context for back-office pages.
    pub fn ctx(&self) -> minijinja::Value {
        let roles: Vec<&str> = self.user.roles.iter().map(|r| r.as_str()).collect();
        let role_labels: Vec<&str> = self.user.roles.iter().map(|r| r.label()).collect();
        context! {
            user => context! { id => self.user.id, name => self.user.display_name, username => self.user.username, roles => roles, role_labels => role_labels.join("、"), is_admin => self.is(Role::Admin), is_security_admin => self.is(Role::SecurityAdmin), is_audit_admin => self.is(Role::AuditAdmin), business => self.does_business(), is_editor => self.is(Role::Editor), is_reviewer => self.is(Role::Reviewer) },
            org => context! { id => self.org.id, name => self.org.name, slug => self.org.slug, parent_id => self.org.parent_id },
            csrf => self.csrf,
            todo => self.todo,
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/admin".into());
        let login = || AppError::LoginRequired { next: next.clone() };
        let token = session_token(&state.config, &parts.headers).ok_or_else(login)?;
        let hash = token_hash(token);
        let session = state.store.session(&hash).await?.ok_or_else(login)?;
        let now = Utc::now();
        let idle = chrono::Duration::minutes(state.config.session_idle_minutes);
        if now > session.expires_at || now - session.last_seen_at > idle {
            state.store.delete_session(&hash).await?;
            return Err(login());
        }
        let user = state.store.user(session.user_id).await?.ok_or_else(login)?;
        if user.disabled {
            state.store.delete_user_sessions(user.id).await?;
            return Err(login());
        }
        if now - session.last_seen_at > chrono::Duration::seconds(30) {
            state.store.touch_session(&hash, now).await?;
        }
        // A password an administrator issued, or one past its age, must be replaced before
        // anything else can be done (the form itself and signing out stay open).
        let path = parts.uri.path();
        if !matches!(path, "/admin/password" | "/admin/logout") {
            if let Some(reason) = password_change_due(state, user.id, now).await? {
                return Err(AppError::PasswordChangeRequired { reason });
            }
            // A role that requires two-step sign-in sets it up first.
            if path != "/admin/mfa" && user.roles.iter().any(|r| state.config.mfa_required_roles.contains(r)) && state.store.mfa_state(user.id).await?.secret.is_none() {
                return Err(AppError::MfaSetupRequired);
            }
        }
        // 三员分立: a security or audit administrator without a business role reaches only
        // their own pages; every other page, form and staff API refuses them.
        if !does_business(&user) && !administrator_path(parts.uri.path()) {
            return Err(AppError::Forbidden("安全管理员和审计管理员不办理政府信息公开业务，只能使用本角色的功能".into()));
        }
        let org = state.store.org(user.org_id).await?.ok_or(AppError::Internal("user without organisation".into()))?;
        // Administrators work on their organisation and those below it (each within their
        // own role: records of subordinate organisations stay with the system administrator).
        let scope = if user.roles.iter().any(|r| r.is_administrator()) { state.store.org_subtree_ids(org.id).await? } else { vec![org.id] };
        let request_id = parts.extensions.get::<crate::security::RequestId>().map(|r| r.0.clone()).unwrap_or_default();
        let mut staff = Staff {
            user,
            org,
            csrf: session.csrf_token,
            scope,
            client: client_addr(&parts.extensions),
            todo: None,
            user_agent: crate::security::user_agent(&parts.headers),
            request_id,
        };
        // The header's "我的待办" count, for pages (the JSON API has no header); a failure
        // here must not take the page down.
        let path_is_api = parts.uri.path().starts_with("/api/");
        staff.todo = if path_is_api || !staff.does_business() {
            None
        } else {
            match crate::admin::todo_count(state, &staff).await {
                Ok(n) => Some(n),
                Err(e) => {
                    tracing::warn!(error = %e, "我的待办 count failed");
                    None
                }
            }
        };
        Ok(staff)
    }
}

/// Whether `user` does disclosure work: the system administrator or a business role.
fn does_business(user: &User) -> bool {
    user.roles.iter().any(|r| *r == Role::Admin || !r.is_administrator())
}

/// The back-office paths open to a security or audit administrator without a business
/// role: the dashboard, their own account (password, two-step sign-in, signing out), the
/// audit log (the audit administrator's), user roles and reveal grants (the security
/// administrator's; each handler checks the role itself).
fn administrator_path(path: &str) -> bool {
    const EXACT: [&str; 4] = ["/admin", "/admin/password", "/admin/logout", "/admin/mfa"];
    const PREFIXES: [&str; 4] = ["/admin/mfa/", "/admin/audit", "/admin/users", "/admin/reveal-grants"];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// Why the user must set a new password now, if they must: `issued` (an administrator
/// issued the current one) or `expired` (older than the policy's age).
pub async fn password_change_due(state: &AppState, user_id: i64, now: chrono::DateTime<Utc>) -> Result<Option<&'static str>, AppError> {
    let Some(status) = state.store.password_status(user_id).await? else { return Ok(None) };
    if status.must_change {
        return Ok(Some("issued"));
    }
    let max_age = state.config.password_policy.max_age_days;
    if max_age > 0 && now - status.changed_at > chrono::Duration::days(i64::from(max_age)) {
        return Ok(Some("expired"));
    }
    Ok(None)
}

/// The words a staff member's password must not be built from: their user name and name,
/// their organisation and the organisations above it, and the site's name.
pub async fn password_context(state: &AppState, user: &gongkai_domain::model::User) -> Result<gongkai_domain::password::PasswordContext, AppError> {
    let mut names: Vec<String> = vec![user.display_name.clone(), state.config.site_name.clone()];
    let mut next = Some(user.org_id);
    let mut guard = 0;
    while let Some(id) = next {
        guard += 1;
        let Some(org) = state.store.org(id).await? else { break };
        names.push(org.name.clone());
        next = org.parent_id.filter(|_| guard < 16);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(gongkai_domain::password::PasswordContext::new(&user.username, &refs))
}

/// Whether `password` is the current password or one of the policy's recent ones.
pub async fn is_recent_password(state: &AppState, user_id: i64, password: &str) -> Result<bool, AppError> {
    let hashes = state.store.recent_password_hashes(user_id, state.config.password_policy.history).await?;
    Ok(hashes.iter().any(|h| verify_password(password, h)))
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only local back-office paths are accepted as a post-login destination.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin") && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/admin".to_string(),
    }
}

pub async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Result<Response, AppError> {
    login_form(&state, q.next.as_deref(), None, "", StatusCode::OK)
}

pub(crate) fn login_form(state: &AppState, next: Option<&str>, error: Option<&str>, username: &str, status: StatusCode) -> Result<Response, AppError> {
    let token = random_token();
    let mut res = render::page_with_status(
        status,
        "admin_login.html",
        context! { site_name => state.config.site_name, next => safe_next(next), error, username, csrf => token },
    )?;
    res.headers_mut().append(header::SET_COOKIE, set_cookie(state, LOGIN_CSRF_COOKIE, &token, 3600));
    Ok(res)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ConnectInfoOpt(client): ConnectInfoOpt,
    request_id: Option<axum::Extension<crate::security::RequestId>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let mut ctx = gongkai_store::AuditContext {
        role: String::new(),
        user_agent: crate::security::user_agent(&headers),
        request_id: request_id.map(|r| r.0 .0.clone()).unwrap_or_default(),
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !tokens_equal(expected, &form.csrf) {
        return Err(AppError::Csrf);
    }
    state.limiter.hit(&format!("login:{client}"), 30, Duration::from_secs(15 * 60))?;
    let username = form.username.trim();
    let next = form.next.as_deref();
    let fail = |msg: &str| login_form(&state, next, Some(msg), username, StatusCode::UNAUTHORIZED);
    if username.is_empty() || form.password.is_empty() {
        return fail("请填写用户名和密码");
    }
    // One message for an unknown user, a wrong password, a disabled and a locked
    // account, so that answers do not tell which user names exist (issue 12).
    let uniform = format!(
        "用户名或密码错误。{} 分钟内连续失败 {} 次的账号将锁定 {} 分钟，锁定期间即使密码正确也无法登录",
        state.config.lockout_window_minutes, state.config.lockout_threshold, state.config.lockout_minutes
    );
    let now = Utc::now();
    let audit = |action: &str, user: Option<&User>, success: bool, detail: String| NewAuditEntry {
        at: now,
        actor_id: user.map(|u| u.id),
        actor_name: user.map(|u| u.display_name.clone()).unwrap_or_else(|| username.chars().take(32).collect()),
        org_id: user.map(|u| u.org_id),
        action: action.into(),
        target: "session".into(),
        detail,
        client: client.clone(),
        success,
    };
    let found = state.store.user_by_username(username).await?;
    if let Some((u, _)) = &found {
        ctx.role = u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
    }
    let Some((user, auth)) = found else {
        // Spend the same time as a real check so that user names cannot be probed.
        let _ = verify_password(&form.password, DUMMY_HASH);
        state.store.append_audit_ctx(&audit("login_failed", None, false, "用户名不存在".into()), &ctx).await?;
        return fail(&uniform);
    };
    if user.disabled {
        let _ = verify_password(&form.password, DUMMY_HASH);
        state.store.append_audit_ctx(&audit("login_failed", Some(&user), false, "账号已停用".into()), &ctx).await?;
        return fail(&uniform);
    }
    if auth.locked_until.is_some_and(|u| u > now) {
        // Spend the time of a real check: a locked account answers like any failure.
        let _ = verify_password(&form.password, DUMMY_HASH);
        state.store.append_audit_ctx(&audit("login_locked", Some(&user), false, "账号锁定期间尝试登录".into()), &ctx).await?;
        return fail(&uniform);
    }
    if !verify_password(&form.password, &auth.password_hash) {
        let cfg = &state.config;
        // The failure count and its audit entry in one commit, as the other refusals make
        // one commit (their entry): the answer's timing does not tell whether the user exists.
        let after = state
            .store
            .audited(audit("login_failed", Some(&user), false, "密码错误".into()), ctx.clone())
            .record_login_failure(
                user.id,
                now,
                cfg.lockout_threshold,
                chrono::Duration::minutes(cfg.lockout_window_minutes),
                chrono::Duration::minutes(cfg.lockout_minutes),
            )
            .await?;
        // The attempt that locks the account (it was not locked, see above) is recorded as such as well.
        if after.locked_until.is_some_and(|u| u > now) {
            state.store.append_audit_ctx(&audit("account_locked", Some(&user), false, format!("连续失败 {} 次", after.failed_logins)), &ctx).await?;
        }
        return fail(&uniform);
    }
    // With two-step sign-in the password alone opens no session: a short-lived challenge
    // (its cookie only sent back to the login pages) waits for the code.
    if state.store.mfa_state(user.id).await?.secret.is_some() {
        let token = random_token();
        state.store.create_login_challenge(&token_hash(&token), user.id, &safe_next(next), now + chrono::Duration::minutes(5)).await?;
        state.store.append_audit_ctx(&audit("login_password", Some(&user), true, "密码正确，等待两步验证".into()), &ctx).await?;
        let mut res = Redirect::to("/admin/login/mfa").into_response();
        res.headers_mut().append(header::SET_COOKIE, challenge_cookie(&state, &token, 300));
        return Ok(res);
    }
    start_session(&state, &user, &safe_next(next), &ctx, &client, "").await
}

/// The cookie carrying a two-step challenge (only to the login pages, 5 minutes).
pub(crate) fn challenge_cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let v = format!("{MFA_CHALLENGE_COOKIE}={value}; Path=/admin/login; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("gk_invalid=1"))
}

/// The name of the two-step challenge cookie.
pub(crate) const MFA_CHALLENGE_COOKIE: &str = "gk_mfa";

/// Open a session for `user` (every factor checked): clear the failure counter, store the
/// session, audit the sign-in and send the cookie with a redirect to `next`.
pub(crate) async fn start_session(state: &AppState, user: &User, next: &str, ctx: &gongkai_store::AuditContext, client: &str, detail: &str) -> Result<Response, AppError> {
    let now = Utc::now();
    state.store.reset_login_failures(user.id).await?;
    // The per-address throttle is not reset by a success: one valid account must
    // not let an address keep guessing the passwords of others.
    let token = random_token();
    let max_age = state.config.session_max_hours * 3600;
    state
        .store
        .create_session(&Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::hours(state.config.session_max_hours),
        })
        .await?;
    let entry = NewAuditEntry {
        at: now,
        actor_id: Some(user.id),
        actor_name: user.display_name.clone(),
        org_id: Some(user.org_id),
        action: "login".into(),
        target: "session".into(),
        detail: detail.into(),
        client: client.into(),
        success: true,
    };
    state.store.append_audit_ctx(&entry, ctx).await?;
    let mut res = Redirect::to(next).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(state, session_cookie_name(&state.config), &token, max_age));
    res.headers_mut().append(header::SET_COOKIE, set_cookie(state, LOGIN_CSRF_COOKIE, "", 0));
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

pub async fn logout(State(state): State<AppState>, staff: Staff, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if let Some(token) = session_token(&state.config, &headers) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    staff.audit(&state, "logout", "session", "", true).await?;
    let mut res = Redirect::to("/admin/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(&state, session_cookie_name(&state.config), "", 0));
    Ok(res)
}

/// The client address, or "unknown" when the server was started without
/// connection info.
pub struct ConnectInfoOpt(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ConnectInfoOpt {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ConnectInfoOpt(client_addr(&parts.extensions)))
    }
}

/// A valid Argon2id hash of a random string, used to equalise timing.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0lMKhb6r6m7Yb4Y0j+Qm3oJr5YgLqQy3f3Fv8lq7Y8c";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("Gongkai-测试-2026").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Gongkai-测试-2026", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", DUMMY_HASH));
    }

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/admin/items/3")), "/admin/items/3");
        assert_eq!(safe_next(Some("https://evil.example/")), "/admin");
        assert_eq!(safe_next(Some("//evil")), "/admin");
        assert_eq!(safe_next(None), "/admin");
    }

    #[test]
    fn cookie_parsing() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; gk_session=abc; b=2"));
        assert_eq!(cookie(&h, "gk_session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
