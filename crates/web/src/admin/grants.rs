//! Reveal grants (issue 12): an organisation's security administrator (安全管理员) grants
//! holders of a named role at a supervising organisation the right to see the full personal
//! data of this organisation's applicants, and withdraws it. Both are audited in the same
//! transaction as the change.

use super::*;

#[derive(Deserialize)]
pub(super) struct GrantForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    grantee_org_id: String,
    #[serde(default)]
    role: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The organisations above `org` (nearest first).
async fn supervisors(state: &AppState, org: &Organisation) -> Result<Vec<Organisation>, AppError> {
    let mut out: Vec<Organisation> = Vec::new();
    let mut next = org.parent_id;
    while let Some(id) = next {
        let Some(o) = state.store.org(id).await? else { break };
        if out.iter().any(|x| x.id == o.id) || out.len() >= 16 {
            break;
        }
        next = o.parent_id;
        out.push(o);
    }
    Ok(out)
}

/// The roles a grant may name: those whose holders open the cases of subordinate
/// organisations (a grant to any other role could never be used).
fn grantable_roles() -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| r.supervises_subordinate_cases()).collect()
}

pub(super) async fn grants_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::SecurityAdmin)?;
    grants_view(&state, &staff, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

async fn grants_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let sups = supervisors(state, &staff.org).await?;
    let names: HashMap<i64, String> = state.store.orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
    let grants: Vec<Value> = state
        .store
        .reveal_grants(staff.org.id)
        .await?
        .iter()
        .map(|g| {
            context! {
                grantee_org_id => g.grantee_org_id, grantee => names.get(&g.grantee_org_id).cloned().unwrap_or_default(),
                role => g.role.as_str(), role_label => g.role.label(),
                granted_at => g.granted_at.with_timezone(&crate::util::cst()).format("%Y-%m-%d %H:%M").to_string(),
            }
        })
        .collect();
    render::page_with_status(
        status,
        "admin_reveal_grants.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err, grants,
            supervisors => sups.iter().map(|o| context! { id => o.id, name => o.name }).collect::<Vec<_>>(),
            roles => grantable_roles().iter().map(|r| context! { code => r.as_str(), label => r.label() }).collect::<Vec<_>>(),
        },
    )
}

pub(super) async fn grants_submit(State(state): State<AppState>, staff: Staff, Form(form): Form<GrantForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::SecurityAdmin)?;
    let sups = supervisors(&state, &staff.org).await?;
    let grantee = form.grantee_org_id.trim().parse::<i64>().ok().and_then(|id| sups.iter().find(|o| o.id == id));
    let Some(grantee) = grantee else {
        return grants_view(&state, &staff, None, Some("请选择本机关的上级机关"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let Some(role) = Role::parse(form.role.trim()).filter(|r| grantable_roles().contains(r)) else {
        return grants_view(&state, &staff, None, Some("请选择可以授权的角色"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let target = format!("org:{}", staff.org.id);
    let detail = format!("{}的{}", grantee.name, role.label());
    match form.op.as_str() {
        "grant" => {
            staff.audited(&state, "reveal_grant.grant", &target, &detail).grant_reveal(staff.org.id, grantee.id, role, staff.user.id, Utc::now()).await?;
            grants_view(&state, &staff, Some(&format!("已授权{detail}查看本机关申请人的完整信息（每次查看都记入审计日志）")), None, StatusCode::OK).await
        }
        "revoke" => {
            staff.audited(&state, "reveal_grant.revoke", &target, &detail).revoke_reveal(staff.org.id, grantee.id, role).await?;
            grants_view(&state, &staff, Some(&format!("已撤销{detail}的查看授权")), None, StatusCode::OK).await
        }
        other => Err(AppError::BadRequest(format!("操作“{other}”不存在"))),
    }
}
