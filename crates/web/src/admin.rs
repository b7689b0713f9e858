//! The back office (Simplified Chinese, server-rendered): dashboard, item
//! editor with attachments, review queue, catalog, users, organisation
//! settings, working-day calendar and audit log.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::catalog::statutory_categories_for;
use gongkai_domain::index_number::IndexPattern;
use gongkai_domain::model::{
    CatalogKind, CatalogNode, DisclosureMode, DisclosureOffice, DocType, Item, ItemFields, ItemStatus, OrgLevel, Organisation, Role, Validity,
};
use gongkai_domain::validate::{self, FieldError};
use gongkai_domain::workflow::{self, Action};
use gongkai_store::{ItemOrder, ItemQuery, NewItemEvent, NewOrganisation, NewUser};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::auth::{self, CsrfForm, Staff};
use crate::error::AppError;
use crate::ops;
use crate::portal::{attachment_ctx, attachment_response, flatten_catalog, item_detail, item_row, org_ctx};
use crate::util::{parse_page, today, Paging};
use crate::{render, upload, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(auth::login_page).post(auth::login_submit))
        .route("/admin/logout", post(auth::logout))
        .route("/admin", get(dashboard))
        .route("/admin/items", get(items_list).post(item_create))
        .route("/admin/items/new", get(item_new))
        .route("/admin/items/{id}", get(item_view))
        .route("/admin/items/{id}/edit", get(item_edit).post(item_update))
        .route("/admin/items/{id}/action", post(item_action))
        .route("/admin/items/{id}/validity", post(item_validity))
        .route("/admin/items/{id}/attachments", post(attachment_upload))
        .route("/admin/attachments/{id}", get(attachment_download))
        .route("/admin/attachments/{id}/delete", post(attachment_delete))
        .route("/admin/review", get(review_queue))
        .route("/admin/catalog", get(catalog_page).post(catalog_add))
        .route("/admin/catalog/{id}", post(catalog_update))
        .route("/admin/catalog/{id}/delete", post(catalog_delete))
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/{id}", post(user_update))
        .route("/admin/org", get(org_page).post(org_update))
        .route("/admin/orgs", get(orgs_page).post(org_create))
        .route("/admin/calendar", get(calendar_page).post(calendar_add))
        .route("/admin/audit", get(audit_page))
        .route("/admin/password", get(password_page).post(password_change))
}

fn parse_path_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn event(staff: &Staff, action: &str, comment: &str) -> NewItemEvent {
    NewItemEvent { actor_id: staff.user.id, action: action.into(), comment: comment.into(), at: Utc::now() }
}

/// Load an item the user may see (own organisation; admins also below).
async fn staff_item(state: &AppState, staff: &Staff, id: i64) -> Result<Item, AppError> {
    let item = state.store.item(id).await?.ok_or(AppError::NotFound)?;
    if !staff.can_access_org(item.org_id) {
        return Err(AppError::Forbidden("该信息不属于您所在的机关".into()));
    }
    Ok(item)
}

/// A deadline row for the dashboard.
fn deadline_ctx(calendar: &Calendar, item: &Item, today: NaiveDate) -> (i64, Value) {
    let due = ops::publication_due(calendar, item.fields.formed_date);
    let left = calendar.working_days_between(today, due.due);
    let overdue = due.due < today;
    (
        left,
        context! {
            id => item.id, title => item.fields.title, formed_date => item.fields.formed_date.to_string(),
            due => due.due.to_string(), provisional => due.provisional, left, overdue, overdue_days => -left,
            status_label => item.status.label(),
        },
    )
}

async fn dashboard(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let org_ids = vec![staff.user.org_id];
    let mine = state
        .store
        .list_items(&ItemQuery {
            org_ids: org_ids.clone(),
            statuses: vec![ItemStatus::Draft, ItemStatus::Returned],
            author_id: Some(staff.user.id),
            order: ItemOrder::UpdatedDesc,
            limit: 50,
            ..Default::default()
        })
        .await?;
    let mut review = Vec::new();
    if staff.is(Role::Reviewer) || staff.is(Role::Admin) {
        let queue = state
            .store
            .list_items(&ItemQuery {
                org_ids: org_ids.clone(),
                statuses: vec![ItemStatus::Submitted, ItemStatus::Approved],
                order: ItemOrder::UpdatedDesc,
                limit: 50,
                ..Default::default()
            })
            .await?;
        review = queue.items.into_iter().filter(|i| !workflow::allowed_actions(i.status, &staff.user, i.author_id).is_empty()).collect();
    }
    let calendar = state.calendar();
    let today = today();
    let mut due_soon = Vec::new();
    let mut overdue = Vec::new();
    for item in state.store.unpublished_items(&org_ids).await? {
        let (left, row) = deadline_ctx(&calendar, &item, today);
        if item.fields.formed_date > today {
            continue;
        }
        if left < 0 {
            overdue.push(row);
        } else if left <= state.config.reminder_working_days {
            due_soon.push(row);
        }
    }
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    let report = report_card(&state, &staff, &calendar, today).await?;
    let (consult_overdue, consult_soon) = crate::consult::deadline_lists(&state, staff.user.org_id).await?;
    render::page(
        "admin_dashboard.html",
        context! {
            staff => staff.ctx(),
            site_name => state.config.site_name,
            today => today.to_string(),
            provisional_today => calendar.is_provisional(today),
            mine => mine.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            review => review.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            due_soon, overdue,
            needs_org_code => staff.org.org_code.trim().is_empty(),
            due_soon_days => state.config.reminder_working_days,
            report,
            consult_overdue, consult_soon,
        },
    )
}

/// Last year's annual report on the dashboard: status, deadline and days left; for
/// administrators also whether the records changed since it was published (the year lock).
async fn report_card(state: &AppState, staff: &Staff, calendar: &gongkai_domain::calendar::Calendar, today: chrono::NaiveDate) -> Result<Value, AppError> {
    use gongkai_domain::annual_report::ProgressStatus;
    let year = chrono::Datelike::year(&today) - 1;
    let reports = state.store.reports(&[staff.org.id]).await?;
    let revs: Vec<_> = reports.iter().filter(|r| r.year == year).collect();
    let latest = revs.iter().max_by_key(|r| r.revision).map(|r| r.status);
    let first_published = revs.iter().filter_map(|r| r.published_on).min();
    let deadline = crate::report_ops::deadline_of(&state.store, &staff.org, year).await?;
    let progress = ProgressStatus::of(latest, first_published, deadline, today);
    let mut changed = Vec::new();
    if staff.is(Role::Admin) {
        if let Some(p) = crate::report_ops::latest_published(&reports, year) {
            let current = crate::report_ops::generate(&state.store, calendar, &staff.org, year).await?;
            changed = crate::report_ops::figures_changed(&p.content, &current);
        }
    }
    Ok(context! {
        year, deadline => deadline.format("%Y年%-m月%-d日").to_string(), days_left => (deadline - today).num_days(),
        progress => progress.as_str(), progress_label => progress.label(), changed,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    page: Option<String>,
}

async fn items_list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let page = parse_page(q.page.as_deref())?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ItemStatus::parse(s).ok_or_else(|| AppError::BadRequest(format!("状态“{s}”不存在")))?),
    };
    let per_page = 30;
    let result = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![staff.user.org_id],
            statuses: status.into_iter().collect(),
            order: ItemOrder::UpdatedDesc,
            limit: per_page,
            offset: (page - 1) * per_page,
            ..Default::default()
        })
        .await?;
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    let statuses: Vec<Value> = ItemStatus::ALL
        .iter()
        .map(|s| context! { code => s.as_str(), label => s.label(), selected => Some(*s) == status })
        .collect();
    render::page(
        "admin_items.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            items => result.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            paging => Paging::new(page, per_page, result.total), statuses,
            status => status.map(|s| s.as_str()),
        },
    )
}

async fn review_queue(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    if !(staff.is(Role::Reviewer) || staff.is(Role::Admin)) {
        return Err(AppError::Forbidden("审核队列仅对审核人和管理员开放".into()));
    }
    let result = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![staff.user.org_id],
            statuses: vec![ItemStatus::Submitted, ItemStatus::Approved],
            order: ItemOrder::UpdatedDesc,
            limit: 200,
            ..Default::default()
        })
        .await?;
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    render::page(
        "admin_items.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, review_mode => true,
            items => result.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            paging => Paging::new(1, 200, result.total),
        },
    )
}

/// The raw item form as submitted (all text, parsed and validated below).
#[derive(Deserialize, Default, Clone, serde::Serialize)]
struct ItemForm {
    #[serde(default)]
    catalog_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    formed_date: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    genre: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    disclosure_mode: String,
    #[serde(default)]
    doc_type: String,
    #[serde(default)]
    statutory_category: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn field_error(field: &'static str, label: &'static str, message: String) -> FieldError {
    FieldError { field, label, message }
}

/// Parse and validate the form into item fields, or every problem found.
fn parse_item_form(form: &ItemForm, catalog: &[CatalogNode]) -> Result<ItemFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let catalog_id = match form.catalog_id.trim().parse::<i64>() {
        Ok(id) if catalog.iter().any(|n| n.id == id) => id,
        _ => {
            errors.push(field_error("catalog_id", "所属栏目", "请选择所属栏目".into()));
            0
        }
    };
    let formed_date = match NaiveDate::parse_from_str(form.formed_date.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            let msg = if form.formed_date.trim().is_empty() { "成文日期不能为空".to_string() } else { format!("成文日期“{}”格式有误，应为 年-月-日，例如 2023-09-27", form.formed_date.trim()) };
            errors.push(field_error("formed_date", "成文日期", msg));
            today()
        }
    };
    let disclosure_mode = DisclosureMode::parse(form.disclosure_mode.trim()).unwrap_or_else(|| {
        errors.push(field_error("disclosure_mode", "公开方式", "请选择公开方式".into()));
        DisclosureMode::Proactive
    });
    let doc_type = DocType::parse(form.doc_type.trim()).unwrap_or_else(|| {
        errors.push(field_error("doc_type", "文件类型", "请选择文件类型".into()));
        DocType::Other
    });
    let keywords: Vec<&str> = form.keywords.split(['，', ',', ' ', '、', ';', '；']).map(str::trim).filter(|k| !k.is_empty()).collect();
    let doc_number = form.doc_number.trim();
    let stat = form.statutory_category.trim();
    let fields = ItemFields {
        catalog_id,
        title: form.title.trim().to_string(),
        summary: form.summary.trim().to_string(),
        body_html: crate::util::sanitise_body(&form.body),
        publisher: form.publisher.trim().to_string(),
        formed_date,
        doc_number: (!doc_number.is_empty()).then(|| doc_number.to_string()),
        topic: form.topic.trim().to_string(),
        genre: form.genre.trim().to_string(),
        keywords: keywords.join("，"),
        disclosure_mode,
        doc_type,
        statutory_category: (!stat.is_empty()).then(|| stat.to_string()),
    };
    for e in validate::validate_item(&fields, today()) {
        // One message per field: the form's own parse error comes first.
        if !errors.iter().any(|x: &FieldError| x.field == e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

fn form_from_item(item: &Item) -> ItemForm {
    let f = &item.fields;
    ItemForm {
        catalog_id: f.catalog_id.to_string(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        body: f.body_html.clone(),
        publisher: f.publisher.clone(),
        formed_date: f.formed_date.to_string(),
        doc_number: f.doc_number.clone().unwrap_or_default(),
        topic: f.topic.clone(),
        genre: f.genre.clone(),
        keywords: f.keywords.clone(),
        disclosure_mode: f.disclosure_mode.as_str().into(),
        doc_type: f.doc_type.as_str().into(),
        statutory_category: f.statutory_category.clone().unwrap_or_default(),
        csrf: String::new(),
    }
}

async fn render_item_form(
    state: &AppState,
    staff: &Staff,
    item_id: Option<i64>,
    form: &ItemForm,
    errors: &[FieldError],
    status: StatusCode,
) -> Result<Response, AppError> {
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let selected: i64 = form.catalog_id.parse().unwrap_or(0);
    let catalog: Vec<Value> = flatten_catalog(&nodes)
        .into_iter()
        .map(|(depth, n)| context! { id => n.id, name => n.name, depth, prefix => "　".repeat(depth), selected => n.id == selected })
        .collect();
    let stat: Vec<Value> = statutory_categories_for(staff.org.level)
        .map(|c| context! { code => c.code, label => c.label, selected => c.code == form.statutory_category })
        .collect();
    let doc_types: Vec<Value> = DocType::ALL.iter().map(|d| context! { code => d.as_str(), label => d.label(), selected => d.as_str() == form.doc_type }).collect();
    let error_map: HashMap<&str, &str> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
    render::page_with_status(
        status,
        "admin_item_form.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            item_id, form => Value::from_serialize(form), catalog, stat, doc_types,
            errors => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>(),
            field_errors => error_map,
            today => today().to_string(),
        },
    )
}

async fn item_new(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let form = ItemForm {
        publisher: staff.org.name.clone(),
        formed_date: today().to_string(),
        disclosure_mode: "proactive".into(),
        doc_type: "other".into(),
        ..Default::default()
    };
    render_item_form(&state, &staff, None, &form, &[], StatusCode::OK).await
}

/// Map a storage conflict on an item form to a field error.
fn conflict_to_field(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Conflict { field, message } => {
            let label = match field {
                "doc_number" => "文号",
                "catalog_id" => "所属栏目",
                _ => "状态",
            };
            Ok(vec![FieldError { field, label, message }])
        }
        other => Err(other),
    }
}

async fn item_create(State(state): State<AppState>, staff: Staff, Form(form): Form<ItemForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let fields = match parse_item_form(&form, &nodes) {
        Ok(f) => f,
        Err(errors) => return render_item_form(&state, &staff, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match state.store.create_item(staff.user.org_id, staff.user.id, &fields, &event(&staff, "create", "")).await {
        Ok(item) => {
            staff.audit(&state, "item.create", &format!("item:{}", item.id), &item.fields.title, true).await?;
            Ok(Redirect::to(&format!("/admin/items/{}", item.id)).into_response())
        }
        Err(e) => {
            let errors = conflict_to_field(e.into())?;
            render_item_form(&state, &staff, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn item_edit(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能编辑本机关的信息".into()));
    }
    workflow::check_edit(item.status, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    render_item_form(&state, &staff, Some(item.id), &form_from_item(&item), &[], StatusCode::OK).await
}

async fn item_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ItemForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能编辑本机关的信息".into()));
    }
    workflow::check_edit(item.status, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let fields = match parse_item_form(&form, &nodes) {
        Ok(f) => f,
        Err(errors) => return render_item_form(&state, &staff, Some(item.id), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match state.store.update_item_fields(item.id, &fields, &event(&staff, "edit", "")).await {
        Ok(_) => {
            staff.audit(&state, "item.edit", &format!("item:{}", item.id), &fields.title, true).await?;
            Ok(Redirect::to(&format!("/admin/items/{}", item.id)).into_response())
        }
        Err(e) => {
            let errors = conflict_to_field(e.into())?;
            render_item_form(&state, &staff, Some(item.id), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize, Default)]
struct MessageQuery {
    msg: Option<String>,
    err: Option<String>,
}

async fn item_view(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    item_view_page(&state, &staff, &item, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

async fn item_view_page(state: &AppState, staff: &Staff, item: &Item, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let org = state.store.org(item.org_id).await?.ok_or(AppError::NotFound)?;
    let catalog = state.store.catalog_node(item.fields.catalog_id).await?;
    let events = state.store.item_events(item.id).await?;
    let attachments = state.store.attachments(item.id).await?;
    let actions: Vec<Value> = workflow::allowed_actions(item.status, &staff.user, item.author_id)
        .into_iter()
        .map(|a| context! { code => a.as_str(), label => a.label(), needs_comment => matches!(a, Action::Return | Action::Withdraw) })
        .collect();
    let calendar = state.calendar();
    let due = ops::publication_due(&calendar, item.fields.formed_date);
    let late = item.publish_date.map(|p| p > due.due);
    let history: Vec<Value> = events
        .iter()
        .map(|e| {
            let label = Action::parse(&e.action).map(|a| a.label()).unwrap_or(match e.action.as_str() {
                "create" => "新建",
                "edit" => "修改",
                "validity" => "标注有效性",
                _ => "其他",
            });
            context! {
                at => e.at.with_timezone(&crate::util::cst()).format("%Y-%m-%d %H:%M").to_string(),
                actor => e.actor_name, action => label, comment => e.comment, to => e.to_status.label(),
            }
        })
        .collect();
    let validities: Vec<Value> = Validity::ALL.iter().map(|v| context! { code => v.as_str(), label => v.label(), selected => *v == item.validity }).collect();
    let editable = item.org_id == staff.user.org_id && workflow::check_edit(item.status, &staff.user).is_ok();
    render::page_with_status(
        status,
        "admin_item.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            item => item_detail(item, &org, catalog.as_ref()),
            attachments => attachments.iter().map(attachment_ctx).collect::<Vec<_>>(),
            actions, history, editable, validities,
            can_mark_validity => workflow::check_validity_change(item.status, &staff.user).is_ok(),
            due => due.due.to_string(), due_provisional => due.provisional, due_explain => due.explain(), late,
            max_upload_mb => state.config.max_upload_bytes / (1024 * 1024),
            msg, err,
        },
    )
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn item_action(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ActionForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能处理本机关的信息".into()));
    }
    let action = Action::parse(form.action.trim()).ok_or_else(|| AppError::BadRequest(format!("操作“{}”不存在", form.action)))?;
    let comment = form.comment.trim();
    if comment.chars().count() > 1000 {
        return item_view_page(&state, &staff, &item, None, Some("意见不能超过 1000 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let to = match workflow::transition(item.status, action, &staff.user, item.author_id, comment) {
        Ok(to) => to,
        Err(e) => {
            let status = if matches!(action, Action::Return | Action::Withdraw) && comment.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::FORBIDDEN };
            staff.audit(&state, &format!("item.{}", action.as_str()), &format!("item:{}", item.id), &e.to_string(), false).await?;
            return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), status).await;
        }
    };
    let result = if action == Action::Publish {
        ops::publish(&state.store, &item, today(), staff.user.id, comment, Utc::now()).await
    } else {
        let reason = (to == ItemStatus::Withdrawn).then_some(comment);
        state.store.transition_item(item.id, item.status, to, reason, &event(&staff, action.as_str(), comment)).await.map_err(AppError::from)
    };
    match result {
        Ok(_) => {
            staff.audit(&state, &format!("item.{}", action.as_str()), &format!("item:{}", item.id), comment, true).await?;
            let mut msg = format!("已{}", action.label());
            if action == Action::Publish {
                if let Some(note) = crate::submission::after_publish(&state, &staff.org, item.id).await {
                    msg = format!("{msg}；{note}");
                }
            }
            Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(AppError::BadRequest(m)) | Err(AppError::Conflict { message: m, .. }) => {
            item_view_page(&state, &staff, &item, None, Some(&m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ValidityForm {
    #[serde(default)]
    validity: String,
    #[serde(default)]
    validity_date: String,
    #[serde(default)]
    note: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn item_validity(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ValidityForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if let Err(e) = workflow::check_validity_change(item.status, &staff.user) {
        return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), StatusCode::FORBIDDEN).await;
    }
    let Some(validity) = Validity::parse(form.validity.trim()) else {
        return item_view_page(&state, &staff, &item, None, Some("请选择有效性"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let date = match form.validity_date.trim() {
        "" if validity == Validity::Valid => None,
        "" => return item_view_page(&state, &staff, &item, None, Some("标注为已修改、已废止或已失效时，必须填写日期"), StatusCode::UNPROCESSABLE_ENTITY).await,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return item_view_page(&state, &staff, &item, None, Some("有效性日期格式有误，应为 年-月-日"), StatusCode::UNPROCESSABLE_ENTITY).await,
        },
    };
    let note = form.note.trim();
    if note.chars().count() > 500 {
        return item_view_page(&state, &staff, &item, None, Some("有效性说明不能超过 500 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.store.set_item_validity(item.id, validity, date, note, &event(&staff, "validity", &format!("{} {}", validity.label(), note))).await?;
    staff.audit(&state, "item.validity", &format!("item:{}", item.id), validity.label(), true).await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("已更新有效性"))).into_response())
}

async fn attachment_upload(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, multipart: Multipart) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    let upload = match upload::read_upload(multipart, state.config.max_upload_bytes).await {
        Ok(u) => u,
        Err(upload::UploadError::Csrf) => return Err(AppError::Csrf),
        Err(e) => return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), e.status()).await,
    };
    staff.check_csrf(&upload.csrf)?;
    if item.org_id != staff.user.org_id || workflow::check_edit(item.status, &staff.user).is_err() {
        return Err(AppError::Forbidden("只有草稿或退回状态的信息可以添加附件，且需要编辑权限".into()));
    }
    let a = state.store.add_attachment(item.id, &upload.filename, &upload.content_type, &upload.bytes, Utc::now()).await?;
    staff.audit(&state, "attachment.add", &format!("item:{}", item.id), &format!("{} sha256={}", a.filename, a.sha256), true).await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("附件已上传"))).into_response())
}

async fn attachment_download(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_path_id(&id)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    staff_item(&state, &staff, a.item_id).await?;
    let bytes = state.store.attachment_content(id).await?.ok_or(AppError::NotFound)?;
    Ok(attachment_response(&a, bytes))
}

async fn attachment_delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id = parse_path_id(&id)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    let item = staff_item(&state, &staff, a.item_id).await?;
    if item.org_id != staff.user.org_id || workflow::check_edit(item.status, &staff.user).is_err() {
        return Err(AppError::Forbidden("只有草稿或退回状态的信息可以删除附件，且需要编辑权限".into()));
    }
    state.store.delete_attachment(id, chrono::Utc::now()).await?;
    staff.audit(&state, "attachment.delete", &format!("item:{}", item.id), &a.filename, true).await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("附件已删除"))).into_response())
}

// ---- catalog ----

async fn catalog_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    catalog_view(&state, &staff, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

async fn catalog_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
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
struct CatalogForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    sort_order: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn parse_catalog_form(form: &CatalogForm, nodes: &[CatalogNode], editing: Option<i64>) -> Result<(String, Option<i64>, i64), String> {
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

async fn catalog_add(State(state): State<AppState>, staff: Staff, Form(form): Form<CatalogForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let (name, parent, order) = match parse_catalog_form(&form, &nodes, None) {
        Ok(v) => v,
        Err(m) => return catalog_view(&state, &staff, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match state.store.create_catalog_node(staff.user.org_id, parent, &name, order, CatalogKind::Normal).await {
        Ok(node) => {
            staff.audit(&state, "catalog.add", &format!("catalog:{}", node.id), &name, true).await?;
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E6%B7%BB%E5%8A%A0%E6%A0%8F%E7%9B%AE").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

async fn catalog_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CatalogForm>) -> Result<Response, AppError> {
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
    match state.store.update_catalog_node(id, &name, order, parent).await {
        Ok(()) => {
            staff.audit(&state, "catalog.update", &format!("catalog:{id}"), &name, true).await?;
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E4%BF%9D%E5%AD%98").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

async fn catalog_delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let id = parse_path_id(&id)?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let Some(node) = nodes.iter().find(|n| n.id == id) else { return Err(AppError::NotFound) };
    if node.kind != CatalogKind::Normal {
        return catalog_view(&state, &staff, None, Some("“信息公开指南”“信息公开年报”“通知公告”是法定或门户首页使用的栏目，不能删除"), StatusCode::CONFLICT).await;
    }
    match state.store.delete_catalog_node(id).await {
        Ok(()) => {
            staff.audit(&state, "catalog.delete", &format!("catalog:{id}"), &node.name, true).await?;
            Ok(Redirect::to("/admin/catalog?msg=%E5%B7%B2%E5%88%A0%E9%99%A4").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => catalog_view(&state, &staff, None, Some(&message), StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

// ---- users ----

async fn users_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    users_view(&state, &staff, q.msg.as_deref(), q.err.as_deref(), None, StatusCode::OK).await
}

async fn users_view(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, new_password: Option<(&str, &str)>, status: StatusCode) -> Result<Response, AppError> {
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
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    role_admin: Option<String>,
    #[serde(default)]
    role_editor: Option<String>,
    #[serde(default)]
    role_reviewer: Option<String>,
    #[serde(default)]
    role_office_head: Option<String>,
    #[serde(default)]
    op: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
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

async fn user_create(State(state): State<AppState>, staff: Staff, Form(form): Form<UserForm>) -> Result<Response, AppError> {
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
            staff.audit(&state, "user.create", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("账号已创建，请把初始密码当面交给本人，并提醒登录后修改"), None, Some((&user.username, &password)), StatusCode::OK).await
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => users_view(&state, &staff, None, Some(&message), None, StatusCode::CONFLICT).await,
            other => Err(other),
        },
    }
}

async fn user_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<UserForm>) -> Result<Response, AppError> {
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
            state.store.set_password(user.id, &auth::hash_password(&password)?).await?;
            state.store.reset_login_failures(user.id).await?;
            state.store.delete_user_sessions(user.id).await?;
            staff.audit(&state, "user.reset_password", &format!("user:{}", user.id), &user.username, true).await?;
            users_view(&state, &staff, Some("密码已重置，请把新密码当面交给本人"), None, Some((&user.username, &password)), StatusCode::OK).await
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

#[derive(Deserialize, Default, serde::Serialize, Clone)]
struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    index_pattern: String,
    #[serde(default)]
    office_name: String,
    #[serde(default)]
    office_address: String,
    #[serde(default)]
    office_hours: String,
    #[serde(default)]
    office_phone: String,
    #[serde(default)]
    office_fax: String,
    #[serde(default)]
    office_email: String,
    #[serde(default)]
    office_website: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

impl OrgForm {
    fn from_org(o: &Organisation) -> OrgForm {
        OrgForm {
            name: o.name.clone(),
            slug: o.slug.clone(),
            org_code: o.org_code.clone(),
            level: o.level.as_str().into(),
            description: o.description.clone(),
            index_pattern: o.index_pattern.clone(),
            office_name: o.office.name.clone(),
            office_address: o.office.address.clone(),
            office_hours: o.office.hours.clone(),
            office_phone: o.office.phone.clone(),
            office_fax: o.office.fax.clone(),
            office_email: o.office.email.clone(),
            office_website: o.office.website.clone(),
            csrf: String::new(),
        }
    }

    /// Validate into an organisation record (id and parent from `base`).
    fn parse(&self, base_id: i64, parent_id: Option<i64>) -> Result<Organisation, Vec<String>> {
        let mut errors = Vec::new();
        let mut push = |e: Option<FieldError>| {
            if let Some(e) = e {
                errors.push(e.message);
            }
        };
        push(validate::validate_required("name", "机关名称", &self.name, 100));
        push(validate::validate_slug(self.slug.trim()));
        if !self.org_code.trim().is_empty() {
            push(validate::validate_org_code(self.org_code.trim()));
        }
        push(validate::validate_required("office_name", "公开工作机构名称", &self.office_name, 100));
        for (label, v, max) in [
            ("办公地址", &self.office_address, 200usize),
            ("办公时间", &self.office_hours, 200),
            ("联系电话", &self.office_phone, 50),
            ("传真号码", &self.office_fax, 50),
            ("电子邮箱", &self.office_email, 100),
            ("网址", &self.office_website, 200),
            ("机关职能简介", &self.description, 2000),
        ] {
            if v.trim().chars().count() > max {
                errors.push(format!("{label}不能超过 {max} 字"));
            }
        }
        let email = self.office_email.trim();
        if !email.is_empty() && (!email.contains('@') || !email.contains('.')) {
            errors.push(format!("电子邮箱“{email}”格式有误"));
        }
        let pattern = self.index_pattern.trim();
        if let Err(e) = IndexPattern::parse(pattern) {
            errors.push(format!("索引号规则有误：{e}"));
        }
        let level = OrgLevel::parse(self.level.trim());
        if level.is_none() {
            errors.push("请选择机关层级".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Organisation {
            id: base_id,
            slug: self.slug.trim().into(),
            name: self.name.trim().into(),
            org_code: self.org_code.trim().to_uppercase(),
            level: level.unwrap_or(OrgLevel::Other),
            parent_id,
            office: DisclosureOffice {
                name: self.office_name.trim().into(),
                address: self.office_address.trim().into(),
                hours: self.office_hours.trim().into(),
                phone: self.office_phone.trim().into(),
                fax: self.office_fax.trim().into(),
                email: email.into(),
                website: self.office_website.trim().into(),
            },
            index_pattern: pattern.into(),
            description: self.description.trim().into(),
        })
    }
}

fn levels(selected: &str) -> Vec<Value> {
    OrgLevel::ALL.iter().map(|l| context! { code => l.as_str(), label => l.label(), selected => l.as_str() == selected }).collect()
}

async fn org_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let form = OrgForm::from_org(&staff.org);
    render::page(
        "admin_org.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, form => Value::from_serialize(&form), levels => levels(&form.level), msg => q.msg, errors => Vec::<String>::new(), example => IndexPattern::parse(&staff.org.index_pattern).ok().map(|p| p.render(&staff.org.org_code, today(), 1)) },
    )
}

async fn org_update(State(state): State<AppState>, staff: Staff, Form(form): Form<OrgForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let render_errors = |errors: Vec<String>, status| {
        render::page_with_status(
            status,
            "admin_org.html",
            context! { staff => staff.ctx(), site_name => state.config.site_name, form => Value::from_serialize(&form), levels => levels(&form.level), errors },
        )
    };
    let org = match form.parse(staff.org.id, staff.org.parent_id) {
        Ok(o) => o,
        Err(errors) => return render_errors(errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match state.store.update_org(&org).await {
        Ok(()) => {
            staff.audit(&state, "org.update", &format!("org:{}", org.id), &org.name, true).await?;
            Ok(Redirect::to("/admin/org?msg=%E5%B7%B2%E4%BF%9D%E5%AD%98").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => render_errors(vec![message], StatusCode::CONFLICT),
            other => Err(other),
        },
    }
}

async fn orgs_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    orgs_view(&state, &staff, &OrgForm { level: "township".into(), index_pattern: gongkai_domain::index_number::DEFAULT_PATTERN.into(), ..Default::default() }, q.msg.as_deref(), &[], StatusCode::OK).await
}

async fn orgs_view(state: &AppState, staff: &Staff, form: &OrgForm, msg: Option<&str>, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let all = state.store.orgs().await?;
    let rows: Vec<Value> = all.iter().filter(|o| staff.scope.contains(&o.id)).map(org_ctx).collect();
    render::page_with_status(
        status,
        "admin_orgs.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, orgs => rows, form => Value::from_serialize(form), levels => levels(&form.level), msg, errors },
    )
}

async fn org_create(State(state): State<AppState>, staff: Staff, Form(form): Form<OrgForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let org = match form.parse(0, Some(staff.org.id)) {
        Ok(o) => o,
        Err(errors) => return orgs_view(&state, &staff, &form, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let new = NewOrganisation {
        slug: org.slug,
        name: org.name,
        org_code: org.org_code,
        level: org.level,
        parent_id: Some(staff.org.id),
        office: org.office,
        index_pattern: org.index_pattern,
        description: org.description,
    };
    match ops::provision_org(&state.store, &new).await {
        Ok(created) => {
            staff.audit(&state, "org.create", &format!("org:{}", created.id), &created.name, true).await?;
            Ok(Redirect::to("/admin/orgs?msg=%E5%B7%B2%E5%88%9B%E5%BB%BA%E4%B8%8B%E7%BA%A7%E6%9C%BA%E5%85%B3").into_response())
        }
        Err(AppError::Conflict { message, .. }) => orgs_view(&state, &staff, &form, None, &[message], StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

// ---- working-day calendar ----

#[derive(Deserialize)]
struct CalendarQuery {
    start: Option<String>,
    days: Option<String>,
}

async fn calendar_page(State(state): State<AppState>, staff: Staff, Query(q): Query<CalendarQuery>) -> Result<Response, AppError> {
    calendar_view(&state, &staff, q.start.as_deref(), q.days.as_deref(), None, &[], "", StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn calendar_view(
    state: &AppState,
    staff: &Staff,
    start: Option<&str>,
    days: Option<&str>,
    msg: Option<&str>,
    errors: &[String],
    json: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let calendar = state.calendar();
    let stored = state.store.calendar_years().await?;
    let official = calendar.official_years();
    let mut years: Vec<Value> = official.iter().map(|y| context! { year => y, source => "国务院办公厅通知（内置）" }).collect();
    for s in &stored {
        years.push(context! { year => s.year, source => format!("管理员添加（{}）", s.added_at.format("%Y-%m-%d")) });
    }
    let mut explain = None;
    let mut explain_error = None;
    if let Some(start) = start.filter(|s| !s.trim().is_empty()) {
        let n = days.unwrap_or("20").trim();
        match (NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d"), n.parse::<u32>()) {
            (Ok(d), Ok(n)) if n <= 1000 => {
                let due = calendar.add_working_days(d, n);
                explain = Some(context! { due => due.due.to_string(), provisional => due.provisional, text => due.explain() });
            }
            (Err(_), _) => explain_error = Some("起算日期格式有误，应为 年-月-日".to_string()),
            _ => explain_error = Some("工作日数应为 0—1000 的整数".to_string()),
        }
    }
    render::page_with_status(
        status,
        "admin_calendar.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, years,
            start => start.unwrap_or(""), days => days.unwrap_or("20"), explain, explain_error,
            msg, errors, json,
        },
    )
}

#[derive(Deserialize)]
struct CalendarForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    json: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn calendar_add(State(state): State<AppState>, staff: Staff, Form(form): Form<CalendarForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let problem = (|| {
        let Some(year) = form.year.trim().parse::<i32>().ok().filter(|y| (2019..=2100).contains(y)) else {
            return Err("年份应为 2019—2100 的四位数字".to_string());
        };
        if state.calendar().official_years().contains(&year) {
            return Err(format!("{year} 年已有内置的官方节假日安排，无需添加"));
        }
        if form.json.len() > 100_000 {
            return Err("节假日数据过长".to_string());
        }
        let data = Calendar::parse_year(&form.json).map_err(|e| format!("节假日数据有误：{e}"))?;
        let mut updated = state.calendar();
        updated.add_year(year, data).map_err(|e| format!("节假日数据有误：{e}"))?;
        Ok((year, updated))
    })();
    let (year, updated) = match problem {
        Ok(v) => v,
        Err(m) => return calendar_view(&state, &staff, None, None, None, &[m], &form.json, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    state
        .store
        .put_calendar_year(&gongkai_store::StoredCalendarYear { year, json: form.json.clone(), added_by: staff.user.id, added_at: Utc::now() })
        .await?;
    match state.calendar.write() {
        Ok(mut c) => *c = updated,
        Err(p) => *p.into_inner() = updated,
    }
    staff.audit(&state, "calendar.add_year", &format!("calendar:{year}"), "", true).await?;
    calendar_view(&state, &staff, None, None, Some(&format!("已添加 {year} 年节假日安排，相关期限将按新安排计算")), &[], "", StatusCode::OK).await
}

// ---- audit log ----

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

async fn audit_page(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
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

async fn password_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    render::page("admin_password.html", context! { staff => staff.ctx(), site_name => state.config.site_name, errors => Vec::<String>::new() })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn password_change(State(state): State<AppState>, staff: Staff, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
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
    Ok(Redirect::to("/admin?msg=%E5%AF%86%E7%A0%81%E5%B7%B2%E4%BF%AE%E6%94%B9").into_response())
}

