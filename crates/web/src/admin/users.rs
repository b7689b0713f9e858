//! Staff accounts and roles.

use super::*;

/// 三员分立 on this page: the system administrator keeps accounts (creating them with
/// business roles, disabling, resetting passwords, unlocking) and the business roles of
/// accounts that hold no administrator role; the security administrator assigns every role,
/// grants and withdraws the three administrator roles, resets two-step sign-in, and keeps
/// the accounts of administrators. Nobody changes their own roles.
const ACCOUNT_KEEPERS: [Role; 2] = [Role::Admin, Role::SecurityAdmin];

/// Whether `staff` may keep (disable, reset, unlock) the account `user`: the security
/// administrator for administrators' accounts, the system administrator for the others.
fn may_keep_account(staff: &Staff, user: &gongkai_domain::model::User) -> bool {
    if user.roles.iter().any(|r| r.is_administrator()) {
        staff.is(Role::SecurityAdmin)
    } else {
        staff.is(Role::Admin)
    }
}

/// Whether `staff` may change the roles of an account from `old` to `new` (never their own).
fn may_set_roles(staff: &Staff, old: &[Role], new: &[Role]) -> Result<(), AppError> {
    if staff.is(Role::SecurityAdmin) {
        return Ok(());
    }
    if staff.is(Role::Admin) {
        if old.iter().chain(new).any(|r| r.is_administrator()) {
            return Err(AppError::Forbidden("三员分立：系统管理员、安全管理员、审计管理员角色只能由安全管理员授予或取消".into()));
        }
        return Ok(());
    }
    Err(AppError::Forbidden("此操作需要“系统管理员”或“安全管理员”角色".into()))
}

/// Refuse roles that make one account two of the three administrators (unless the
/// installation runs in single-person mode).
fn merged_roles_message(state: &AppState, roles: &[Role]) -> Option<String> {
    let merged = gongkai_domain::model::merged_administrator_roles(roles);
    (!merged.is_empty() && !state.config.single_person_mode).then(|| {
        format!("三员分立：同一账号不能同时担任{}", merged.iter().map(|r| format!("“{}”", r.label())).collect::<Vec<_>>().join("和"))
    })
}

pub(super) async fn users_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require_any(&ACCOUNT_KEEPERS)?;
    users_view(&state, &staff, q.msg.as_deref(), q.err.as_deref(), None, StatusCode::OK).await
}

pub(super) async fn users_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, new_password: Option<(&str, &str)>, status: StatusCode) -> Result<Response, AppError> {
    let users = state.store.users(&staff.scope).await?;
    let orgs: HashMap<i64, Organisation> = state.store.orgs().await?.into_iter().map(|o| (o.id, o)).collect();
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            context! {
                id => u.id, username => u.username, display_name => u.display_name, disabled => u.disabled,
                org => orgs.get(&u.org_id).map(|o| o.name.clone()),
                roles => u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
                is_admin => u.has_role(Role::Admin), is_editor => u.has_role(Role::Editor), is_reviewer => u.has_role(Role::Reviewer), is_office_head => u.has_role(Role::OfficeHead),
                is_security_admin => u.has_role(Role::SecurityAdmin), is_audit_admin => u.has_role(Role::AuditAdmin),
                is_self => u.id == staff.user.id,
                may_keep => u.id != staff.user.id && may_keep_account(staff, u),
                may_set_roles => u.id != staff.user.id && (staff.is(Role::SecurityAdmin) || (staff.is(Role::Admin) && !u.roles.iter().any(|r| r.is_administrator()))),
            }
        })
        .collect();
    let scope_orgs: Vec<Value> = staff.scope.iter().filter_map(|id| orgs.get(id)).map(|o| context! { id => o.id, name => o.name }).collect();
    render::page_with_status(
        status,
        "admin_users.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, users => rows, scope_orgs, msg, err,
            may_create => staff.is(Role::Admin), grants_admin_roles => staff.is(Role::SecurityAdmin), may_reset_mfa => staff.is(Role::SecurityAdmin),
            new_password => new_password.map(|(u, p)| context! { username => u, password => p }),
        },
    )
}

#[derive(Deserialize)]
pub(super) struct UserForm {
    #[serde(default)]
    pub(super) username: String,
    #[serde(default)]
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) org_id: String,
    #[serde(default)]
    pub(super) role_admin: Option<String>,
    #[serde(default)]
    pub(super) role_editor: Option<String>,
    #[serde(default)]
    pub(super) role_reviewer: Option<String>,
    #[serde(default)]
    pub(super) role_office_head: Option<String>,
    #[serde(default)]
    pub(super) role_security_admin: Option<String>,
    #[serde(default)]
    pub(super) role_audit_admin: Option<String>,
    #[serde(default)]
    pub(super) op: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

impl UserForm {
    fn roles(&self) -> Vec<Role> {
        let mut roles = Vec::new();
        if self.role_admin.is_some() {
            roles.push(Role::Admin);
        }
        if self.role_editor.is_some() {
            roles.push(Role::Editor);
        }
        if self.role_reviewer.is_some() {
            roles.push(Role::Reviewer);
        }
        if self.role_office_head.is_some() {
            roles.push(Role::OfficeHead);
        }
        if self.role_security_admin.is_some() {
            roles.push(Role::SecurityAdmin);
        }
        if self.role_audit_admin.is_some() {
            roles.push(Role::AuditAdmin);
        }
        roles
    }
}

/// A random password that meets the default policy (shown once).
pub fn random_password() -> String {
    use rand::Rng;
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    let mut out = String::new();
    for i in 0..16 {
        let set = match i % 4 {
            0 | 1 => LOWER,
            2 => UPPER,
            _ => DIGIT,
        };
        out.push(set[rng.gen_range(0..set.len())] as char);
        if i == 7 {
            out.push('-');
        }
    }
    out
}

pub(super) async fn user_create(State(state): State<AppState>, staff: Staff, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    // Accounts are the system administrator's; their administrator roles come from the
    // security administrator afterwards.
    staff.require(Role::Admin)?;
    let roles = form.roles();
    may_set_roles(&staff, &[], &roles)?;
    let username = form.username.trim();
    let display = form.display_name.trim();
    let mut problems = Vec::new();
    if let Some(e) = validate::validate_username(username) {
        problems.push(e.message);
    }
    if display.is_empty() || display.chars().count() > 32 {
        problems.push("姓名不能为空，且不超过 32 字".to_string());
    }
    let org_id = form.org_id.trim().parse::<i64>().ok().filter(|id| staff.scope.contains(id));
    if org_id.is_none() {
        problems.push("请选择所属机关".to_string());
    }
    if let Some(m) = merged_roles_message(&state, &roles) {
        problems.push(m);
    }
    if !problems.is_empty() {
        return users_view(&state, &staff, None, Some(&problems.join("；")), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let password = random_password();
    let hash = auth::hash_password(&password)?;
    let new = NewUser { username: username.into(), display_name: display.into(), org_id: org_id.unwrap_or(staff.user.org_id), roles };
    match staff.audited(&state, "user.create", "user:{id}", &new.username).create_user(&new, &hash, Utc::now()).await {
        Ok(user) => {
            // The initial password is issued by an administrator: replaced at first sign-in.
            state.store.issue_password(user.id, &hash).await?;
            let msg = if user.roles.is_empty() { "账号已创建（尚无角色，待安全管理员授予），请把初始密码当面交给本人，并提醒登录后修改" } else { "账号已创建，请把初始密码当面交给本人，并提醒登录后修改" };
            users_view(&state, &staff, Some(msg), None, Some((&user.username, &password)), StatusCode::OK).await
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => users_view(&state, &staff, None, Some(&message), None, StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

pub(super) async fn user_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require_any(&ACCOUNT_KEEPERS)?;
    let id = parse_path_id(&id)?;
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    if !staff.scope.contains(&user.org_id) {
        return Err(AppError::Forbidden("该账号不在您的管理范围内".into()));
    }
    let is_self = user.id == staff.user.id;
    match form.op.as_str() {
        "roles" => {
            // Nobody changes their own roles: another administrator must (三员分立).
            if is_self {
                return Err(AppError::Forbidden("不能修改自己的角色，请由其他有权限的管理员修改".into()));
            }
            let roles = form.roles();
            may_set_roles(&staff, &user.roles, &roles)?;
            if roles.is_empty() {
                return users_view(&state, &staff, None, Some("至少选择一个角色"), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            if let Some(m) = merged_roles_message(&state, &roles) {
                return users_view(&state, &staff, None, Some(&m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            let codes = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
            staff.audited(&state, "user.roles", &format!("user:{}", user.id), &codes).set_user_roles(user.id, &roles).await?;
            // A role change takes effect at once: the user's sessions end.
            state.store.delete_user_sessions(user.id).await?;
            users_view(&state, &staff, Some("角色已更新，该账号的登录状态已失效"), None, None, StatusCode::OK).await
        }
        "disable" | "enable" | "reset_password" | "unlock" if !is_self && !may_keep_account(&staff, &user) => Err(AppError::Forbidden(
            if user.roles.iter().any(|r| r.is_administrator()) { "三员分立：管理员的账号由安全管理员管理".into() } else { "此操作需要“系统管理员”角色".into() },
        )),
        "disable" | "enable" => {
            if is_self {
                return users_view(&state, &staff, None, Some("不能停用自己的账号"), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            let disable = form.op == "disable";
            staff.audited(&state, &format!("user.{}", form.op), &format!("user:{}", user.id), &user.username).set_user_disabled(user.id, disable).await?;
            if disable {
                state.store.delete_user_sessions(user.id).await?;
            }
            users_view(&state, &staff, Some(if disable { "账号已停用，其登录状态已失效" } else { "账号已启用" }), None, None, StatusCode::OK).await
        }
        "reset_password" => {
            let password = random_password();
            // Issued by an administrator: its holder must replace it at the next sign-in.
            let hash = auth::hash_password(&password)?;
            staff.audited(&state, "user.reset_password", &format!("user:{}", user.id), &user.username).issue_password(user.id, &hash).await?;
            state.store.reset_login_failures(user.id).await?;
            state.store.delete_user_sessions(user.id).await?;
            users_view(&state, &staff, Some("密码已重置，请把新密码当面交给本人"), None, Some((&user.username, &password)), StatusCode::OK).await
        }
        "reset_mfa" if !staff.is(Role::SecurityAdmin) => Err(AppError::Forbidden("重置两步验证需要“安全管理员”角色".into())),
        "reset_mfa" if is_self => users_view(&state, &staff, None, Some("不能重置自己的两步验证"), None, StatusCode::UNPROCESSABLE_ENTITY).await,
        "reset_mfa" => {
            // A lost authenticator: two-step sign-in starts over at the next sign-in.
            staff.audited(&state, "user.reset_mfa", &format!("user:{}", user.id), &user.username).disable_mfa(user.id).await?;
            state.store.delete_user_sessions(user.id).await?;
            users_view(&state, &staff, Some("已重置该账号的两步验证，其登录状态已失效；本人下次登录后须重新设置"), None, None, StatusCode::OK).await
        }
        "unlock" => {
            staff.audited(&state, "user.unlock", &format!("user:{}", user.id), &user.username).reset_login_failures(user.id).await?;
            users_view(&state, &staff, Some("账号已解锁"), None, None, StatusCode::OK).await
        }
        other => Err(AppError::BadRequest(format!("操作“{other}”不存在"))),
    }
}

// ---- organisation settings ----
