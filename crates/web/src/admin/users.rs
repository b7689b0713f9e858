//! Staff accounts and roles.

use super::*;

pub(super) async fn users_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
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
                is_self => u.id == staff.user.id,
            }
        })
        .collect();
    let scope_orgs: Vec<Value> = staff.scope.iter().filter_map(|id| orgs.get(id)).map(|o| context! { id => o.id, name => o.name }).collect();
    render::page_with_status(
        status,
        "admin_users.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, users => rows, scope_orgs, msg, err,
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
    staff.require(Role::Admin)?;
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
    let roles = form.roles();
    if roles.is_empty() {
        problems.push("至少选择一个角色".to_string());
    }
    if !problems.is_empty() {
        return users_view(&state, &staff, None, Some(&problems.join("；")), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let password = random_password();
    let hash = auth::hash_password(&password)?;
    let new = NewUser { username: username.into(), display_name: display.into(), org_id: org_id.unwrap_or(staff.user.org_id), roles };
    match state.store.create_user(&new, &hash, Utc::now()).await {
        Ok(user) => {
            // The initial password is issued by an administrator: replaced at first sign-in.
            state.store.issue_password(user.id, &hash).await?;
            staff.audit(&state, "user.create", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("账号已创建，请把初始密码当面交给本人，并提醒登录后修改"), None, Some((&user.username, &password)), StatusCode::OK).await
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => users_view(&state, &staff, None, Some(&message), None, StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

pub(super) async fn user_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let id = parse_path_id(&id)?;
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    if !staff.scope.contains(&user.org_id) {
        return Err(AppError::Forbidden("该账号不在您的管理范围内".into()));
    }
    let is_self = user.id == staff.user.id;
    match form.op.as_str() {
        "roles" => {
            let roles = form.roles();
            if roles.is_empty() {
                return users_view(&state, &staff, None, Some("至少选择一个角色"), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            if is_self && !roles.contains(&Role::Admin) {
                return users_view(&state, &staff, None, Some("不能取消自己的管理员角色"), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            state.store.set_user_roles(user.id, &roles).await?;
            // A role change takes effect at once: the user's sessions end (issue 12).
            if !is_self {
                state.store.delete_user_sessions(user.id).await?;
            }
            staff.audit(&state, "user.roles", &format!("user:{}", user.id), &roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","), true).await?;
            users_view(&state, &staff, Some("角色已更新"), None, None, StatusCode::OK).await
        }
        "disable" | "enable" => {
            if is_self {
                return users_view(&state, &staff, None, Some("不能停用自己的账号"), None, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            let disable = form.op == "disable";
            state.store.set_user_disabled(user.id, disable).await?;
            if disable {
                state.store.delete_user_sessions(user.id).await?;
            }
            staff.audit(&state, &format!("user.{}", form.op), &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some(if disable { "账号已停用，其登录状态已失效" } else { "账号已启用" }), None, None, StatusCode::OK).await
        }
        "reset_password" => {
            let password = random_password();
            // Issued by an administrator: its holder must replace it at the next sign-in.
            state.store.issue_password(user.id, &auth::hash_password(&password)?).await?;
            state.store.reset_login_failures(user.id).await?;
            state.store.delete_user_sessions(user.id).await?;
            staff.audit(&state, "user.reset_password", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("密码已重置，请把新密码当面交给本人"), None, Some((&user.username, &password)), StatusCode::OK).await
        }
        "reset_mfa" => {
            // A lost authenticator: two-step sign-in starts over at the next sign-in.
            state.store.disable_mfa(user.id).await?;
            state.store.delete_user_sessions(user.id).await?;
            staff.audit(&state, "user.reset_mfa", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("已重置该账号的两步验证，其登录状态已失效；本人下次登录后须重新设置"), None, None, StatusCode::OK).await
        }
        "unlock" => {
            state.store.reset_login_failures(user.id).await?;
            staff.audit(&state, "user.unlock", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("账号已解锁"), None, None, StatusCode::OK).await
        }
        other => Err(AppError::BadRequest(format!("操作“{other}”不存在"))),
    }
}

// ---- organisation settings ----
