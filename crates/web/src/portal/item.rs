//! The public item page with the tools a government site offers: 打印 (a
//! print view plus a print style sheet), 字号 大/中/小 (links, no JavaScript),
//! 上一篇/下一篇 within the column, and 相关解读 — the link between a policy
//! document and its interpretation, shown on both. Staff maintain the links
//! at `/admin/items/{id}/interpretations`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::model::{Item, ItemStatus, Role};
use gongkai_store::{ItemOrder, ItemQuery};
use minijinja::{context, Value};
use serde::Deserialize;

use super::{attachment_ctx, item_detail, org_ctx, public_item, published};
use crate::auth::Staff;
use crate::error::AppError;
use crate::util::url_encode;
use crate::{render, AppState};

/// Items of one column considered for 上一篇/下一篇.
const NEIGHBOUR_WINDOW: i64 = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/items/{id}/interpretations", get(admin_page).post(admin_add))
        .route("/admin/items/{id}/interpretations/remove", post(admin_remove))
}

#[derive(Deserialize, Default)]
pub struct ItemQueryParams {
    /// 字号: `l`, `m` or `s`.
    fs: Option<String>,
    /// `1`: the print view.
    print: Option<String>,
}

/// `PubDate` as inspection tools read it: `YYYY-MM-DD HH:MM` (Beijing time;
/// the time is the last change when that happened on the publication day).
pub fn pub_date(item: &Item) -> String {
    let Some(day) = item.publish_date else { return String::new() };
    let local = item.updated_at.with_timezone(&crate::util::cst());
    if local.date_naive() == day {
        local.format("%Y-%m-%d %H:%M").to_string()
    } else {
        format!("{day} 00:00")
    }
}

/// Text of sanitised HTML: tags dropped, the common entities decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// A short plain-text description of an item for the `Description` tag.
fn description(item: &Item) -> String {
    let source = if item.fields.summary.trim().is_empty() { strip_tags(&item.fields.body_html) } else { item.fields.summary.clone() };
    let text: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(120).collect()
}

async fn link_ctx(state: &AppState, id: i64) -> Result<Option<Value>, AppError> {
    Ok(match state.store.item(id).await? {
        Some(i) if i.status == ItemStatus::Published => {
            Some(context! { id => i.id, title => i.fields.title, publish_date => i.publish_date.map(|d| d.to_string()) })
        }
        _ => None,
    })
}

/// The published interpretations of an item and the published policies it interprets.
pub async fn relations(state: &AppState, item_id: i64) -> Result<(Vec<Value>, Vec<Value>), AppError> {
    let mut interpretations = Vec::new();
    let mut policies = Vec::new();
    for (policy, interp) in state.store.interpretation_links(item_id).await? {
        if policy == item_id {
            if let Some(v) = link_ctx(state, interp).await? {
                interpretations.push(v);
            }
        } else if let Some(v) = link_ctx(state, policy).await? {
            policies.push(v);
        }
    }
    Ok((interpretations, policies))
}

pub async fn item_page(State(state): State<AppState>, Path(id): Path<String>, Query(q): Query<ItemQueryParams>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let item = public_item(&state, id).await?;
    let org = state.store.org(item.org_id).await?.ok_or(AppError::NotFound)?;
    let catalog = state.store.catalog_node(item.fields.catalog_id).await?;
    let attachments = state.store.attachments(item.id).await?;
    // 上一篇/下一篇 in the column's order (newest first).
    let column = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![org.id],
            catalog_ids: vec![item.fields.catalog_id],
            statuses: published(),
            order: ItemOrder::PublishDateDesc,
            limit: NEIGHBOUR_WINDOW,
            ..Default::default()
        })
        .await?
        .items;
    let pos = column.iter().position(|i| i.id == item.id);
    let neighbour = |i: Option<&Item>| i.map(|i| context! { id => i.id, title => i.fields.title });
    let prev = pos.and_then(|p| p.checked_sub(1)).and_then(|p| column.get(p));
    let next = pos.and_then(|p| column.get(p + 1));
    let (interpretations, policies) = relations(&state, item.id).await?;
    let font = match q.fs.as_deref() {
        Some("l") => "l",
        Some("s") => "s",
        _ => "m",
    };
    let print = q.print.as_deref() == Some("1");
    render::page(
        "portal_item.html",
        context! {
            site_name => state.config.site_name,
            org => org_ctx(&org),
            item => item_detail(&item, &org, catalog.as_ref()),
            attachments => attachments.iter().map(attachment_ctx).collect::<Vec<_>>(),
            prev => neighbour(prev), next => neighbour(next),
            interpretations, policies, font, print,
            pub_date => pub_date(&item),
            description => description(&item),
        },
    )
}

// ---- back office: maintaining the 解读 relation ----

fn may_edit(staff: &Staff) -> bool {
    staff.is(Role::Admin) || staff.is(Role::Editor) || staff.is(Role::Reviewer)
}

async fn own_item(state: &AppState, staff: &Staff, id: &str) -> Result<Item, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let item = state.store.item(id).await?.ok_or(AppError::NotFound)?;
    if item.org_id != staff.org.id {
        return Err(AppError::NotFound);
    }
    Ok(item)
}

async fn admin_view(state: &AppState, staff: &Staff, item: &Item, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let mut links = Vec::new();
    for (policy, interp) in state.store.interpretation_links(item.id).await? {
        let other = if policy == item.id { interp } else { policy };
        if let Some(o) = state.store.item(other).await? {
            links.push(context! {
                policy, interpretation => interp, other => o.id, title => o.fields.title, status_label => o.status.label(),
                role => if policy == item.id { "本信息的解读" } else { "本信息解读的政策文件" },
            });
        }
    }
    render::page_with_status(
        status,
        "admin_interpretations.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err, links, may_edit => may_edit(staff),
            item => context! { id => item.id, title => item.fields.title, index_no => item.index_no, status_label => item.status.label() },
        },
    )
}

#[derive(Deserialize)]
struct MsgQuery {
    msg: Option<String>,
}

async fn admin_page(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<MsgQuery>) -> Result<Response, AppError> {
    let item = own_item(&state, &staff, &id).await?;
    admin_view(&state, &staff, &item, q.msg.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    other: String,
    /// `interpretation`: the other item interprets this one; `policy`: this one interprets the other.
    #[serde(default)]
    role: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The other item, by id or 索引号, of the same organisation.
async fn find_other(state: &AppState, staff: &Staff, key: &str) -> Result<Option<Item>, AppError> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>() {
        if let Some(i) = state.store.item(id).await? {
            return Ok((i.org_id == staff.org.id).then_some(i));
        }
    }
    let all = state.store.list_items(&ItemQuery { org_ids: vec![staff.org.id], limit: 100_000, ..Default::default() }).await?.items;
    Ok(all.into_iter().find(|i| i.index_no.as_deref() == Some(key)))
}

async fn admin_add(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<LinkForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !may_edit(&staff) {
        return Err(AppError::Forbidden("维护解读关系需要编辑、审核人或管理员角色".into()));
    }
    let item = own_item(&state, &staff, &id).await?;
    if form.other.trim().is_empty() {
        return admin_view(&state, &staff, &item, None, Some("请填写另一条信息的编号或索引号"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let Some(other) = find_other(&state, &staff, &form.other).await? else {
        return admin_view(&state, &staff, &item, None, Some("本机关没有这个编号或索引号的信息"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if other.id == item.id {
        return admin_view(&state, &staff, &item, None, Some("一条信息不能作为自己的解读"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (policy, interp) = match form.role.as_str() {
        "policy" => (other.id, item.id),
        "interpretation" => (item.id, other.id),
        _ => return admin_view(&state, &staff, &item, None, Some("请选择两条信息的关系"), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    staff.audited(&state, "item.interpretation.add", &format!("item:{policy}"), &format!("interpretation:{interp}")).add_interpretation(policy, interp, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/items/{}/interpretations?msg={}", item.id, url_encode("已关联"))).into_response())
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    policy: String,
    #[serde(default)]
    interpretation: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn admin_remove(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<RemoveForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    if !may_edit(&staff) {
        return Err(AppError::Forbidden("维护解读关系需要编辑、审核人或管理员角色".into()));
    }
    let item = own_item(&state, &staff, &id).await?;
    let policy: i64 = form.policy.parse().map_err(|_| AppError::BadRequest("解读关系参数有误".into()))?;
    let interp: i64 = form.interpretation.parse().map_err(|_| AppError::BadRequest("解读关系参数有误".into()))?;
    if policy != item.id && interp != item.id {
        return Err(AppError::NotFound);
    }
    staff.audited(&state, "item.interpretation.remove", &format!("item:{policy}"), &format!("interpretation:{interp}")).remove_interpretation(policy, interp).await?;
    Ok(Redirect::to(&format!("/admin/items/{}/interpretations?msg={}", item.id, url_encode("已取消关联"))).into_response())
}
