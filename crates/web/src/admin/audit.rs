//! The audit log with chain verification.

use super::*;

#[derive(Deserialize)]
pub(super) struct PageQuery {
    pub(super) page: Option<String>,
}

pub(super) async fn audit_page(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let page = parse_page(q.page.as_deref())?;
    let per_page = 50;
    let result = state.store.audit_entries(per_page, (page - 1) * per_page).await?;
    let broken = state.store.verify_audit_chain().await?;
    let cst = crate::util::cst();
    let rows: Vec<Value> = result
        .items
        .iter()
        .filter(|e| e.org_id.is_none_or(|o| staff.scope.contains(&o)))
        .map(|e| {
            context! {
                id => e.id, at => e.at.with_timezone(&cst).format("%Y-%m-%d %H:%M:%S").to_string(),
                actor => e.actor_name, action => e.action, target => e.target, detail => e.detail,
                client => e.client, success => e.success, hash => e.hash.chars().take(12).collect::<String>(),
            }
        })
        .collect();
    render::page(
        "admin_audit.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, rows, paging => Paging::new(page, per_page, result.total), broken },
    )
}

// ---- own password ----
