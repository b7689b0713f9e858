//! 签发设置: per organisation, which steps need the office head's sign-off, how many
//! review levels items go through, and the 文书编号 pattern. Administrators only.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::model::Role;
use gongkai_domain::signoff::{step_code, DocNumberPattern, ReviewLevel, SignoffPolicy, SIGNABLE_STEPS};
use gongkai_store::office::OfficeSettings;
use minijinja::context;
use serde::Deserialize;

use crate::auth::Staff;
use crate::error::AppError;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/office-settings", get(page).post(save))
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

fn render_page(state: &AppState, staff: &Staff, s: &OfficeSettings, pattern_text: &str, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let steps: Vec<_> = SIGNABLE_STEPS
        .iter()
        .map(|k| context! { code => step_code(*k), label => k.label(), checked => s.signoff.requires(*k) })
        .collect();
    let year = chrono::Datelike::year(&crate::util::today());
    let example = DocNumberPattern::parse(pattern_text).map(|p| p.render(year, 1)).unwrap_or_default();
    render::page_with_status(
        status,
        "admin_office_settings.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err,
            steps, review_levels => s.review_levels, pattern => pattern_text, example,
            three_levels => ReviewLevel::sequence(3).map(|l| l.iter().map(|x| x.label()).collect::<Vec<_>>().join("、")).unwrap_or_default(),
        },
    )
}

async fn page(State(state): State<AppState>, staff: Staff, Query(q): Query<MsgQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let s = state.store.office_settings(staff.user.org_id).await?;
    let pattern = s.doc_number_pattern.as_str().to_string();
    render_page(&state, &staff, &s, &pattern, q.msg.as_deref(), None, StatusCode::OK)
}

async fn save(State(state): State<AppState>, staff: Staff, Form(form): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    let csrf = form.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    staff.check_csrf(csrf)?;
    staff.require(Role::Admin)?;
    let current = state.store.office_settings(staff.user.org_id).await?;
    let codes: Vec<&str> = form.iter().filter(|(k, _)| k == "signoff").map(|(_, v)| v.as_str()).collect();
    let pattern_text = form.iter().find(|(k, _)| k == "doc_number_pattern").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let levels = form.iter().find(|(k, _)| k == "review_levels").map(|(_, v)| v.as_str()).unwrap_or("1");
    let fail = |m: String| render_page(&state, &staff, &current, &pattern_text, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY);
    let signoff = match SignoffPolicy::parse(&codes.join(",")) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let review_levels: u8 = match levels {
        "1" => 1,
        "3" => 3,
        _ => return fail("审核级次只能是一级（审核）或三级（初审、复审、终审）".into()),
    };
    let doc_number_pattern = match DocNumberPattern::parse(&pattern_text) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let new = OfficeSettings { org_id: staff.user.org_id, signoff, review_levels, doc_number_pattern };
    let labels: Vec<&str> = new.signoff.steps.iter().map(|k| k.label()).collect();
    let detail = format!("签发：{}；审核级次：{}；文书编号：{}", if labels.is_empty() { "无".to_string() } else { labels.join("、") }, new.review_levels, new.doc_number_pattern.as_str());
    staff.audited(&state, "office.settings", &format!("org:{}", staff.user.org_id), &detail).put_office_settings(&new, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/office-settings?msg={}", crate::util::url_encode("已保存签发设置"))).into_response())
}
