//! The disclosure catalog of the organisation.

use super::*;

pub(super) async fn catalog_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    catalog_view(&state, &staff, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

pub(super) async fn catalog_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let counts: HashMap<i64, i64> = state.store.published_counts_by_catalog(staff.user.org_id, None).await?.into_iter().collect();
    let tree: Vec<Value> = flatten_catalog(&nodes)
        .into_iter()
        .map(|(depth, n)| {
            context! {
                id => n.id, name => n.name, depth, prefix => "　".repeat(depth), sort_order => n.sort_order,
                parent_id => n.parent_id, kind => n.kind.as_str(), count => counts.get(&n.id).copied().unwrap_or(0),
            }
        })
        .collect();
    render::page_with_status(status, "admin_catalog.html", context! { staff => staff.ctx(), site_name => state.config.site_name, tree, msg, err })
}

#[derive(Deserialize)]
pub(super) struct CatalogForm {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) parent_id: String,
    #[serde(default)]
    pub(super) sort_order: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

pub(super) fn parse_catalog_form(form: &CatalogForm, nodes: &[CatalogNode], editing: Option<i64>) -> Result<(String, Option<i64>, i64), String> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err("栏目名称不能为空".into());
    }
    if name.chars().count() > 50 {
        return Err("栏目名称不能超过 50 字".into());
    }
    let parent = match form.parent_id.trim() {
        "" => None,
        s => {
            let id: i64 = s.parse().map_err(|_| "上级栏目无效".to_string())?;
            if !nodes.iter().any(|n| n.id == id) {
                return Err("上级栏目不存在".into());
            }
            if let Some(me) = editing {
                if crate::portal::descendants(nodes, me).contains(&id) {
                    return Err("不能把栏目移到它自己或它的下级栏目之下".into());
                }
            }
            Some(id)
        }
    };
    let sort_order = match form.sort_order.trim() {
        "" => 100,
        s => s.parse::<i64>().ok().filter(|v| (0..=100_000).contains(v)).ok_or_else(|| "排序号应为 0—100000 的整数".to_string())?,
    };
    Ok((name.to_string(), parent, sort_order))
}

pub(super) async fn catalog_add(State(state): State<AppState>, staff: Staff, Form(form): Form<CatalogForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let (name, parent, order) = match parse_catalog_form(&form, &nodes, None) {
        Ok(v) => v,
        Err(m) => return catalog_view(&state, &staff, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match staff.audited(&state, "catalog.add", "catalog:{id}", &name).create_catalog_node(staff.user.org_id, parent, &name, order, CatalogKind::Normal).await {
        Ok(_) => {
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E6%B7%BB%E5%8A%A0%E6%A0%8F%E7%9B%AE").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

pub(super) async fn catalog_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CatalogForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let id = parse_path_id(&id)?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    if !nodes.iter().any(|n| n.id == id) {
        return Err(AppError::NotFound);
    }
    let (name, parent, order) = match parse_catalog_form(&form, &nodes, Some(id)) {
        Ok(v) => v,
        Err(m) => return catalog_view(&state, &staff, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match staff.audited(&state, "catalog.update", &format!("catalog:{id}"), &name).update_catalog_node(id, &name, order, parent).await {
        Ok(()) => {
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E4%BF%9D%E5%AD%98").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

pub(super) async fn catalog_delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let id = parse_path_id(&id)?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let Some(node) = nodes.iter().find(|n| n.id == id) else { return Err(AppError::NotFound) };
    if node.kind != CatalogKind::Normal {
        return catalog_view(&state, &staff, None, Some("“信息公开指南”“信息公开年报”“通知公告”是法定或门户首页使用的栏目，不能删除"), StatusCode::CONFLICT).await;
    }
    match staff.audited(&state, "catalog.delete", &format!("catalog:{id}"), &node.name).delete_catalog_node(id).await {
        Ok(()) => {
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E5%88%A0%E9%99%A4").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

// ---- users ----
