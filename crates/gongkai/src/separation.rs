//! 三员分立 (separation of the three administrators, 等保 2.0 level 3) at the installation
//! level: `serve` refuses to start while one account holds two of the system, security and
//! audit administrator roles (unless `single_person_mode`), the first start creates an
//! account for each, and `gongkai doctor` reports the state.

use anyhow::{anyhow, bail, Result};
use chrono::Utc;
use gongkai_domain::model::{merged_administrator_roles, Organisation, Role, User};
use gongkai_store::{NewUser, Store};

use crate::config::Config;

/// The role codes for messages: `admin（系统管理员）、…`.
pub fn role_codes() -> String {
    Role::ALL.iter().map(|r| format!("{}（{}）", r.as_str(), r.label())).collect::<Vec<_>>().join("、")
}

/// Accounts (enabled or not) holding more than one of the three administrator roles,
/// each with the administrator roles it holds.
pub async fn merged_accounts(store: &Store) -> Result<Vec<(User, Vec<Role>)>> {
    Ok(store
        .users(&[])
        .await?
        .into_iter()
        .filter_map(|u| {
            let merged = merged_administrator_roles(&u.roles);
            (!merged.is_empty()).then_some((u, merged))
        })
        .collect())
}

/// The administrator roles no enabled account holds.
pub async fn missing_administrators(store: &Store) -> Result<Vec<Role>> {
    let users = store.users(&[]).await?;
    Ok(Role::ADMINISTRATORS.into_iter().filter(|r| !users.iter().any(|u| !u.disabled && u.has_role(*r))).collect())
}

fn describe(merged: &[(User, Vec<Role>)]) -> String {
    merged
        .iter()
        .map(|(u, roles)| format!("{} 同时是{}", u.username, roles.iter().map(|r| format!("“{}”", r.label())).collect::<Vec<_>>().join("和")))
        .collect::<Vec<_>>()
        .join("；")
}

/// The refusal (Err) or the warnings `serve` starts with. Refused: an account holds two
/// of the three administrator roles and `single_person_mode` is off.
pub async fn check_at_start(store: &Store, config: &Config) -> Result<Vec<String>> {
    let merged = merged_accounts(store).await?;
    let mut warnings = Vec::new();
    if !merged.is_empty() {
        if !config.single_person_mode {
            bail!(
                "三员分立：{}。系统管理员、安全管理员和审计管理员须由不同的账号担任，服务拒绝启动。\
                 请用 gongkai user set-roles 用户名 --role … 调整角色；只有一名工作人员的机关可在配置中设置 single_person_mode = true。",
                describe(&merged)
            );
        }
        warnings.push(format!("三员分立未实行（single_person_mode = true）：{}。审计日志不能起到相互监督的作用，有第二名工作人员时应分设账号。", describe(&merged)));
    }
    let missing = missing_administrators(store).await?;
    if !missing.is_empty() && store.count_users().await? > 0 {
        let names: Vec<String> = missing.iter().map(|r| format!("“{}”", r.label())).collect();
        let example = missing.first().map(|r| format!("gongkai user add 用户名 --name 姓名 --org 机关标识 --role {}", r.as_str())).unwrap_or_default();
        warnings.push(format!("没有启用的账号担任{}：相应的工作（如查看审计日志、授予管理员角色）无人能做。请用 {example} 建立账号。", names.join("、")));
    }
    Ok(warnings)
}

/// Refuse `roles` for one account when they hold two administrator roles outside
/// single-person mode.
pub fn check_roles(roles: &[Role], config: &Config) -> Result<()> {
    let merged = merged_administrator_roles(roles);
    if !merged.is_empty() && !config.single_person_mode {
        bail!(
            "三员分立：同一账号不能同时担任{}（只有一名工作人员的机关可在配置中设置 single_person_mode = true）",
            merged.iter().map(|r| format!("“{}”", r.label())).collect::<Vec<_>>().join("和")
        );
    }
    Ok(())
}

/// An account created at first start, with its issued password.
pub struct BootstrapAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub roles: Vec<Role>,
    pub password: String,
}

/// First start: the system, security and audit administrators as three accounts, or —
/// in single-person mode — one account `admin` holding all three. Each password is
/// issued (replaced at first sign-in).
pub async fn bootstrap_accounts(store: &Store, org: &Organisation, config: &Config) -> Result<Vec<BootstrapAccount>> {
    let plan: Vec<(&'static str, &'static str, Vec<Role>)> = if config.single_person_mode {
        vec![("admin", "管理员", Role::ADMINISTRATORS.to_vec())]
    } else {
        vec![
            ("admin", "系统管理员", vec![Role::Admin]),
            ("secadmin", "安全管理员", vec![Role::SecurityAdmin]),
            ("auditor", "审计管理员", vec![Role::AuditAdmin]),
        ]
    };
    let mut out = Vec::new();
    for (username, display_name, roles) in plan {
        let password = gongkai_web::random_password();
        let hash = gongkai_web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
        let user = store.create_user(&NewUser { username: username.into(), display_name: display_name.into(), org_id: org.id, roles: roles.clone() }, &hash, Utc::now()).await?;
        // A printed password may have been seen by others: it is replaced at first sign-in.
        store.issue_password(user.id, &hash).await?;
        out.push(BootstrapAccount { username, display_name, roles, password });
    }
    Ok(out)
}

/// `gongkai user set-roles`: replace an account's roles (三员分立 checked), end its
/// sessions and record the change in the audit log.
pub async fn set_roles(store: &Store, config: &Config, username: &str, roles: &[Role]) -> Result<()> {
    check_roles(roles, config)?;
    let (user, _) = store.user_by_username(username).await?.ok_or_else(|| anyhow!("账号“{username}”不存在"))?;
    let codes = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
    let entry = gongkai_store::NewAuditEntry {
        at: Utc::now(),
        actor_id: None,
        actor_name: "命令行".into(),
        org_id: Some(user.org_id),
        action: "user.roles".into(),
        target: format!("user:{}", user.id),
        detail: codes,
        client: "cli".into(),
        success: true,
    };
    store.audited(entry, gongkai_store::AuditContext::default()).set_user_roles(user.id, roles).await?;
    store.delete_user_sessions(user.id).await?;
    println!("账号 {username} 的角色已改为：{}；其登录状态已失效。", roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"));
    Ok(())
}
