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

mod audit;
mod calendar;
mod catalog;
mod dashboard;
mod grants;
mod items;
mod mfa;
mod item_submit;
mod orgs;
mod password;
pub(crate) mod reviews;
mod users;
mod vocab;
pub(crate) mod art44;

use audit::*;
use calendar::*;
use catalog::*;
use dashboard::*;
use grants::*;
use items::*;
use item_submit::*;
use orgs::*;
use password::*;
use users::*;
use vocab::*;
use art44::*;

pub use users::random_password;
pub(crate) use dashboard::todo_count;
pub(crate) use audit::{file_response, XLSX_MIME};

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
        .route("/admin/reveal-grants", get(grants_page).post(grants_submit))
        .route("/admin/org", get(org_page).post(org_update))
        .route("/admin/orgs", get(orgs_page).post(org_create))
        .route("/admin/calendar", get(calendar_page).post(calendar_add))
        .route("/admin/audit", get(audit_page))
        .route("/admin/password", get(password_page).post(password_change))
        // Two-step sign-in (issue 12, accounts).
        .route("/admin/login/mfa", get(mfa::login_code_page).post(mfa::login_code_submit))
        .route("/admin/mfa", get(mfa::settings_page).post(mfa::settings_submit))
        // Writing items, vocabularies, audit export and Art. 44 suggestions (issue 15, items 6, 7, 9).
        .route("/admin/attachments/{id}/title", post(attachment_title))
        .route("/admin/vocabularies", get(vocab_page).post(vocab_save))
        .route("/admin/audit/export", get(audit_export))
        .route("/admin/art44", get(art44_page))
        .route("/admin/art44/draft", post(art44_draft))
        .route("/admin/art44/dismiss", post(art44_dismiss))
        .route("/admin/art44/settings", post(art44_settings))
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
