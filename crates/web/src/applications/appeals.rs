//! The reconsideration and litigation register (行政复议、行政诉讼), and the
//! year's statistics drawn from the records: section 三 (applications),
//! section 四 (appeals) and the information-processing fees for section 六.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate, Utc};
use gongkai_domain::appeal::{AppealKind, AppealResult};
use gongkai_domain::application::section3_statistics;
use gongkai_store::NewAppeal;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::{parse_year, today};
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/appeals", get(page).post(create))
        .route("/admin/appeals/{id}", post(update))
        .route("/admin/statistics", get(statistics))
}

fn kinds(selected: &str) -> Vec<Value> {
    AppealKind::ALL.iter().map(|k| context! { code => k.as_str(), label => k.label(), selected => k.as_str() == selected }).collect()
}

fn results(selected: &str) -> Vec<Value> {
    AppealResult::ALL.iter().map(|r| context! { code => r.as_str(), label => r.label(), selected => r.as_str() == selected }).collect()
}

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    view(&state, &staff, None, StatusCode::OK).await
}

async fn view(state: &AppState, staff: &Staff, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let appeals = state.store.appeals(&[staff.user.org_id]).await?;
    let apps = state.store.applications_with_steps(&[staff.user.org_id]).await?;
    let code_of = |id: Option<i64>| id.and_then(|i| apps.iter().find(|(a, _)| a.id == i).map(|(a, _)| a.tracking_code.clone()));
    let rows: Vec<Value> = appeals
        .iter()
        .map(|a| {
            context! {
                id => a.id, kind => a.kind.label(), body => a.body, filed_on => a.filed_on.to_string(),
                result => a.result.as_str(), result_label => a.result.label(), decided_on => a.decided_on.map(|d| d.to_string()),
                note => a.note, application => code_of(a.application_id), application_id => a.application_id,
                results => results(a.result.as_str()),
            }
        })
        .collect();
    let cases: Vec<Value> = apps.iter().map(|(a, _)| context! { id => a.id, code => a.tracking_code }).collect();
    render::page_with_status(
        status,
        "admin_appeals.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, rows, cases, kinds => kinds(""), results => results("pending"), err, today => today().to_string() },
    )
}

#[derive(Deserialize)]
struct AppealForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    application_id: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    note: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn parse_decision(result: &str, decided_on: &str, filed: Option<NaiveDate>) -> Result<(AppealResult, Option<NaiveDate>), String> {
    let result = AppealResult::parse(result.trim()).ok_or("请选择结果")?;
    let decided = match decided_on.trim() {
        "" => None,
        s => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("审结日期“{s}”格式有误"))?),
    };
    match (result, decided) {
        (AppealResult::Pending, Some(_)) => Err("尚未审结的案件不应填写审结日期".into()),
        (AppealResult::Pending, None) => Ok((result, None)),
        (_, None) => Err("已审结的案件须填写审结日期".into()),
        (_, Some(d)) if filed.is_some_and(|f| d < f) => Err("审结日期不能早于立案（申请）日期".into()),
        (_, Some(d)) if d > today() => Err("审结日期不能晚于今天".into()),
        (_, Some(d)) => Ok((result, Some(d))),
    }
}

fn parse_new(form: &AppealForm, staff: &Staff) -> Result<NewAppeal, String> {
    let kind = AppealKind::parse(form.kind.trim()).ok_or("请选择类型")?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 100 {
        return Err("请填写复议机关或人民法院名称（不超过 100 字）".into());
    }
    let filed_on = NaiveDate::parse_from_str(form.filed_on.trim(), "%Y-%m-%d").map_err(|_| "申请（起诉）日期格式有误，应为 年-月-日".to_string())?;
    if filed_on > today() {
        return Err("申请（起诉）日期不能晚于今天".into());
    }
    let (result, decided_on) = parse_decision(&form.result, &form.decided_on, Some(filed_on))?;
    let application_id = match form.application_id.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| "关联申请无效".to_string())?),
    };
    Ok(NewAppeal {
        org_id: staff.user.org_id,
        application_id,
        kind,
        body: body.into(),
        filed_on,
        result,
        decided_on,
        note: form.note.trim().chars().take(1000).collect(),
        created_by: staff.user.id,
        at: Utc::now(),
    })
}

async fn create(State(state): State<AppState>, staff: Staff, Form(form): Form<AppealForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let new = match parse_new(&form, &staff) {
        Ok(n) => n,
        Err(m) => return view(&state, &staff, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match staff.audited(&state, "appeal.create", "appeal:{id}", new.kind.label()).create_appeal(&new).await {
        Ok(_) => {
            Ok(Redirect::to("/admin/appeals").into_response())
        }
        Err(gongkai_store::StoreError::NotFound(_)) => view(&state, &staff, Some("关联的申请不存在或不属于本机关"), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

async fn update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<AppealForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let appeal = state.store.appeal(id).await?.ok_or(AppError::NotFound)?;
    if appeal.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("该记录不属于本机关".into()));
    }
    let (result, decided_on) = match parse_decision(&form.result, &form.decided_on, Some(appeal.filed_on)) {
        Ok(v) => v,
        Err(m) => return view(&state, &staff, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    staff.audited(&state, "appeal.update", &format!("appeal:{id}"), result.label()).update_appeal_result(id, result, decided_on, form.note.trim(), Utc::now()).await?;
    Ok(Redirect::to("/admin/appeals").into_response())
}

#[derive(Deserialize)]
struct StatsQuery {
    year: Option<String>,
}

/// The year's figures as the annual report will print them.
async fn statistics(State(state): State<AppState>, staff: Staff, Query(q): Query<StatsQuery>) -> Result<Response, AppError> {
    let year = parse_year(q.year.as_deref())?.unwrap_or(today().year() - 1);
    // The same gathering the annual report uses, so the two never disagree.
    let inputs = crate::reports::records::inputs(&state.store, &state.calendar(), &staff.org, year).await?;
    let s3 = section3_statistics(&inputs.cases, year);
    let problems = s3.check();
    // Sections 三 and 四 in the report's own layout, with every group label and merge.
    let report = gongkai_domain::annual_report::generate(&inputs, &state.calendar());
    let tables = |grid| Value::from_safe_string(gongkai_report_export::grid_html(&grid));
    let section3_table = tables(gongkai_report_export::layout::section3_grid(&report, gongkai_report_export::Script::Hans));
    let section4_table = tables(gongkai_report_export::layout::section4_grid(&report, gongkai_report_export::Script::Hans));
    let (notices, noticed_fen, paid_fen) = (inputs.fee_notices, inputs.fees_noticed_fen, inputs.fees_collected_fen);
    render::page(
        "admin_statistics.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, year, prev => year - 1, next => year + 1,
            problems, section3_table, section4_table,
            fees => context! { notices, noticed => gongkai_domain::fees::format_yuan(noticed_fen), paid => gongkai_domain::fees::format_yuan(paid_fen) },
        },
    )
}
