//! Online consultation (网上咨询): the public question form and Q&A list,
//! the back-office list with due-soon and overdue consultations, assigning,
//! answering, publishing, monthly statistics, and turning a question into an
//! application for disclosure. The rules live in
//! `gongkai_domain::consultation`.
//!
//! Each question gets a 查询码 and a secret like an application; with them the
//! asker reads the answer, also a private one, at `/org/{slug}/consult/track`.
//! The form posts and redirects to a GET confirmation (the code and secret
//! travel in a path-scoped cookie, never the URL), so a refresh creates nothing.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::application::{receipt_date, Channel, ReceiptDates};
use gongkai_domain::consultation::{self as rules, ConsultAction, DeadlineStatus, QuestionInput, StatRecord};
use gongkai_store::{Consultation, ConsultationQuery, NewConsultation};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::applications::apply::{mask_name, new_tracking_code, ApplyForm, Arrival};
use crate::auth::{cookie, random_token, ConnectInfoOpt, Staff};
use crate::error::AppError;
use crate::portal::org_ctx;
use crate::security::tokens_equal;
use crate::util::{parse_page, today, url_encode, Paging};
use crate::{render, AppState};

/// Largest form body accepted for a question (the text limit is checked separately).
const MAX_FORM_BYTES: usize = 64 * 1024;
const FORM_COOKIE: &str = "gk_consult";
/// `查询码.secret` of the question just submitted, scoped to the organisation's consult pages.
const DONE_COOKIE: &str = "gk_consult_done";
const PER_PAGE: i64 = 10;
/// Open consultations with this many working days left or fewer are listed as due soon.
pub const DUE_SOON_WORKING_DAYS: i64 = 2;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/consult", get(public_page).post(submit).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)))
        .route("/org/{slug}/consult/done", get(done_page))
        .route("/org/{slug}/consult/track", get(track_page).post(track))
        .route("/admin/consultations", get(admin_list))
        .route("/admin/consultations/stats", get(admin_stats))
        .route("/admin/consultations/{id}", get(admin_view))
        .route("/admin/consultations/{id}/assign", post(assign))
        .route("/admin/consultations/{id}/answer", post(answer))
        .route("/admin/consultations/{id}/publish", post(publish))
        .route("/admin/consultations/{id}/convert", get(convert_page).post(convert))
}

#[derive(Deserialize, Default, serde::Serialize)]
struct QuestionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    private: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<String>,
}

/// One published Q&A for the public list (no contact details; name masked).
fn public_row(c: &Consultation) -> Value {
    context! {
        id => c.id, subject => crate::privacy_guard::mask_public(&c.subject), question => crate::privacy_guard::mask_public(&c.question),
        asker => if c.name.is_empty() { "网民".to_string() } else { mask_name(&c.name) },
        received => c.received.to_string(), answered_on => c.answered_on.map(|d| d.to_string()),
        answer_dept => c.answer_dept, answer => crate::privacy_guard::mask_public(&c.answer),
    }
}

fn with_cookie(state: &AppState, mut res: Response, token: &str) -> Response {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    if let Ok(v) = header::HeaderValue::from_str(&format!("{FORM_COOKIE}={token}; Path=/org; HttpOnly; SameSite=Strict; Max-Age=7200{secure}")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn render_public(state: &AppState, slug: &str, page: i64, form: &QuestionForm, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.channel_settings(org.id).await?;
    let list = state
        .store
        .consultations(&ConsultationQuery { org_ids: vec![org.id], published_only: true, limit: PER_PAGE, offset: (page - 1) * PER_PAGE, ..Default::default() })
        .await?;
    let token = random_token();
    let res = render::page_with_status(
        status,
        "portal_consult.html",
        context! {
            site_name => state.config.site_name, org => org_ctx(&org), csrf => token, errors,
            form => Value::from_serialize(form), settings => context! {
                require_name => settings.consult.require_name, require_contact => settings.consult.require_contact,
                days => settings.consult.reply_working_days,
            },
            max_chars => rules::MAX_QUESTION_CHARS,
            rows => list.items.iter().map(public_row).collect::<Vec<_>>(),
            paging => Paging::new(page, PER_PAGE, list.total),
        },
    )?;
    Ok(with_cookie(state, res, &token))
}

async fn public_page(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let page = parse_page(q.page.as_deref())?;
    render_public(&state, &slug, page, &QuestionForm::default(), &[], StatusCode::OK).await
}

async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfoOpt(client): ConnectInfoOpt,
    headers: HeaderMap,
    Form(form): Form<QuestionForm>,
) -> Result<Response, AppError> {
    if !tokens_equal(cookie(&headers, FORM_COOKIE).unwrap_or(""), &form.csrf) {
        return Err(AppError::Csrf);
    }
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.channel_settings(org.id).await?;
    let input = QuestionInput {
        name: form.name.clone(),
        contact: form.contact.clone(),
        subject: form.subject.clone(),
        question: form.question.clone(),
        private: form.private.is_some(),
    };
    let question = match rules::validate_question(&input, &settings.consult) {
        Ok(q) => q,
        Err(errors) => return render_public(&state, &slug, 1, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    // Bursts from one client are refused before anything is stored.
    state.limiter.hit(&format!("consult:{client}"), state.config.consult_submissions_per_hour, Duration::from_secs(3600))?;
    state.limiter.hit_overall(state.config.submissions_per_hour_all)?;
    let received = today();
    let due = rules::reply_due(&state.calendar(), received, settings.consult.reply_working_days);
    // The consultation and its audit entry are stored in one transaction.
    let store = state.store.audited(
        gongkai_store::NewAuditEntry {
            at: Utc::now(),
            actor_id: None,
            actor_name: "咨询人（网上）".into(),
            org_id: Some(org.id),
            action: "consultation.submit".into(),
            target: "consultation:{id}".into(),
            detail: question.subject.clone(),
            client,
            success: true,
        },
        gongkai_store::AuditContext::default(),
    );
    let stored = store
        .create_consultation(&NewConsultation {
            org_id: org.id,
            name: question.name,
            contact: question.contact,
            subject: question.subject,
            question: question.question,
            private: question.private,
            received,
            due: due.due,
            at: Utc::now(),
        })
        .await?;
    // A 查询码 and secret, as for applications (a collision is astronomically rare).
    let mut attempt = 0;
    let (code, secret) = loop {
        let (code, secret) = new_tracking_code(chrono::Datelike::year(&received));
        let code = format!("ZX{code}");
        match state.store.set_consultation_code(stored.id, &code, &crate::applications::apply::secret_hash(&secret)).await {
            Ok(()) => break (code, secret),
            Err(gongkai_store::StoreError::Conflict { field: "tracking_code", .. }) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    crate::notify::consultation_received(&state, &stored).await;
    let mut res = Redirect::to(&format!("/org/{}/consult/done", org.slug)).into_response();
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    if let Ok(v) = header::HeaderValue::from_str(&format!("{DONE_COOKIE}={code}.{secret}; Path=/org/{}/consult; HttpOnly; SameSite=Strict; Max-Age=7200{secure}", org.slug)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// The confirmation after a question (GET: a refresh creates nothing).
async fn done_page(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let (code, secret) = cookie(&headers, DONE_COOKIE).and_then(|c| c.split_once('.')).map(|(c, s)| (c.to_string(), s.to_string())).unwrap_or_default();
    let found = if code.is_empty() { None } else { state.store.consultation_by_code(&code).await? };
    let Some((c, hash)) = found.filter(|(c, h)| c.org_id == org.id && tokens_equal(h, &crate::applications::apply::secret_hash(&secret))) else {
        return render::page_with_status(StatusCode::NOT_FOUND, "portal_consult_done.html", context! { site_name => state.config.site_name, org => org_ctx(&org), expired => true });
    };
    let _ = hash;
    let settings = state.store.channel_settings(org.id).await?;
    let due = rules::reply_due(&state.calendar(), c.received, settings.consult.reply_working_days);
    render::page(
        "portal_consult_done.html",
        context! {
            site_name => state.config.site_name, org => org_ctx(&org), code, secret, subject => c.subject,
            received => c.received.to_string(), due => c.due.to_string(), provisional => due.provisional,
            private => c.private, days => settings.consult.reply_working_days,
        },
    )
}

fn render_track(state: &AppState, org: &gongkai_domain::model::Organisation, error: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let token = random_token();
    let res = render::page_with_status(status, "portal_consult_track.html", context! { site_name => state.config.site_name, org => org_ctx(org), csrf => token, error })?;
    Ok(with_cookie(state, res, &token))
}

async fn track_page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    render_track(&state, &org, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct TrackForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The question and its answer (also a private one) for whoever holds the code and secret.
async fn track(State(state): State<AppState>, Path(slug): Path<String>, ConnectInfoOpt(client): ConnectInfoOpt, headers: HeaderMap, Form(form): Form<TrackForm>) -> Result<Response, AppError> {
    if !tokens_equal(cookie(&headers, FORM_COOKIE).unwrap_or(""), &form.csrf) {
        return Err(AppError::Csrf);
    }
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let code = form.code.trim().to_uppercase();
    if code.is_empty() || form.secret.trim().is_empty() {
        return render_track(&state, &org, Some("请填写查询码和查询密码"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let found = state.store.consultation_by_code(&code).await?;
    let ok = found.as_ref().is_some_and(|(c, hash)| c.org_id == org.id && tokens_equal(hash, &crate::applications::apply::secret_hash(&form.secret)));
    let Some((c, _)) = found.filter(|_| ok) else {
        // Wrong guesses are rate-limited per client address.
        state.limiter.hit(&format!("consult-track:{client}"), 10, Duration::from_secs(15 * 60))?;
        return render_track(&state, &org, Some("查询码或查询密码不正确"), StatusCode::UNAUTHORIZED);
    };
    let mut res = render::page(
        "portal_consult_answer.html",
        context! {
            site_name => state.config.site_name, org => org_ctx(&org), code,
            subject => c.subject, question => c.question, received => c.received.to_string(), due => c.due.to_string(),
            state_label => c.state.label(), private => c.private,
            answered => c.answered_on.is_some(), answered_on => c.answered_on.map(|d| d.to_string()),
            answer => c.answer, answer_dept => c.answer_dept,
        },
    )?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

// ---- back office ----

fn check_access(staff: &Staff, c: &Consultation) -> Result<(), AppError> {
    if staff.can_access_org(c.org_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden("该咨询不属于您所在的机关".into()))
    }
}

fn status_of(state: &AppState, c: &Consultation) -> DeadlineStatus {
    rules::deadline_status(&state.calendar(), c.state, c.due, c.answered_on, today(), DUE_SOON_WORKING_DAYS)
}

fn admin_row(state: &AppState, c: &Consultation) -> Value {
    let status = status_of(state, c);
    context! {
        id => c.id, subject => c.subject, received => c.received.to_string(), due => c.due.to_string(),
        state => c.state.as_str(), state_label => c.state.label(), private => c.private, published => c.published,
        assignee => c.assignee_name, deadline => status.label(), overdue => status.is_overdue(), soon => status.is_due_soon(),
        answered_on => c.answered_on.map(|d| d.to_string()),
    }
}

/// Due-soon and overdue consultations of the user's organisation (for the dashboard).
pub async fn deadline_lists(state: &AppState, org_id: i64) -> Result<(Vec<Value>, Vec<Value>), AppError> {
    let open = state.store.consultations(&ConsultationQuery { org_ids: vec![org_id], open_only: true, ..Default::default() }).await?;
    let (mut overdue, mut soon) = (Vec::new(), Vec::new());
    for c in &open.items {
        let status = status_of(state, c);
        if status.is_overdue() {
            overdue.push(admin_row(state, c));
        } else if status.is_due_soon() {
            soon.push(admin_row(state, c));
        }
    }
    Ok((overdue, soon))
}

#[derive(Deserialize, Default)]
struct AdminListQuery {
    filter: Option<String>,
    page: Option<String>,
    msg: Option<String>,
}

async fn admin_list(State(state): State<AppState>, staff: Staff, Query(q): Query<AdminListQuery>) -> Result<Response, AppError> {
    let page = parse_page(q.page.as_deref())?;
    let per_page = 30;
    let open_only = q.filter.as_deref() == Some("open");
    let list = state
        .store
        .consultations(&ConsultationQuery { org_ids: vec![staff.user.org_id], open_only, limit: per_page, offset: (page - 1) * per_page, ..Default::default() })
        .await?;
    let (overdue, soon) = deadline_lists(&state, staff.user.org_id).await?;
    render::page(
        "admin_consultations.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg => q.msg,
            rows => list.items.iter().map(|c| admin_row(&state, c)).collect::<Vec<_>>(),
            overdue, soon, paging => Paging::new(page, per_page, list.total), filter => q.filter,
        },
    )
}

async fn admin_stats(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let all = state.store.consultations(&ConsultationQuery { org_ids: vec![staff.user.org_id], ..Default::default() }).await?;
    let records: Vec<StatRecord> =
        all.items.iter().map(|c| StatRecord { received: c.received, state: c.state, due: c.due, answered_on: c.answered_on, published: c.published }).collect();
    let months = rules::monthly_stats(&records, today());
    render::page("admin_consultation_stats.html", context! { staff => staff.ctx(), site_name => state.config.site_name, months })
}

async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Consultation, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let c = state.store.consultation(id).await?.ok_or(AppError::NotFound)?;
    check_access(staff, &c)?;
    Ok(c)
}

async fn view_page(state: &AppState, staff: &Staff, c: &Consultation, msg: Option<&str>, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let users: Vec<Value> = state
        .store
        .users(&[c.org_id])
        .await?
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| context! { id => u.id, name => u.display_name, selected => Some(u.id) == c.assignee_id })
        .collect();
    let org = state.store.org(c.org_id).await?.ok_or(AppError::NotFound)?;
    let deadline = status_of(state, c);
    let due = rules::reply_due(&state.calendar(), c.received, state.store.channel_settings(c.org_id).await?.consult.reply_working_days);
    render::page_with_status(
        status,
        "admin_consultation.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, errors, users,
            c => context! {
                id => c.id, name => c.name, contact => c.contact, subject => c.subject, question => c.question, private => c.private,
                state => c.state.as_str(), state_label => c.state.label(), open => c.state.is_open(),
                received => c.received.to_string(), due => c.due.to_string(), deadline => deadline.label(), overdue => deadline.is_overdue(),
                assignee => c.assignee_name, answer => c.answer, answer_dept => c.answer_dept,
                answered_on => c.answered_on.map(|d| d.to_string()), published => c.published, application_id => c.application_id,
            },
            explanation => due.explain(),
            default_dept => if org.office.name.is_empty() { org.name.clone() } else { org.office.name.clone() },
        },
    )
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

async fn admin_view(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<MsgQuery>) -> Result<Response, AppError> {
    let c = load(&state, &staff, &id).await?;
    view_page(&state, &staff, &c, q.msg.as_deref(), &[], StatusCode::OK).await
}

fn back(id: i64, msg: &str) -> Response {
    Redirect::to(&format!("/admin/consultations/{id}?msg={}", url_encode(msg))).into_response()
}

fn refuse(e: rules::ConsultError) -> AppError {
    AppError::Conflict { field: "status", message: e.to_string() }
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    assignee: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn assign(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<AssignForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let c = load(&state, &staff, &id).await?;
    rules::apply(c.state, c.private, ConsultAction::Assign).map_err(refuse)?;
    let assignee: i64 = form.assignee.trim().parse().map_err(|_| AppError::BadRequest("请选择承办人".into()))?;
    let user = state.store.user(assignee).await?.filter(|u| u.org_id == c.org_id && !u.disabled).ok_or_else(|| AppError::BadRequest("承办人须为本机关的在用账号".into()))?;
    staff.audited(&state, "consultation.assign", &format!("consultation:{}", c.id), &user.display_name).assign_consultation(c.id, user.id, Utc::now()).await?;
    Ok(back(c.id, &format!("已分派给{}", user.display_name)))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    publish: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn answer(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<AnswerForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let c = load(&state, &staff, &id).await?;
    rules::apply(c.state, c.private, ConsultAction::Answer).map_err(refuse)?;
    let errors = rules::validate_answer(&form.answer, &form.department);
    if !errors.is_empty() {
        return view_page(&state, &staff, &c, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let publish = form.publish.is_some() && !c.private && crate::privacy_guard::may_publish_answer(&state, &staff, &c, form.answer.trim()).await?;
    staff
        .audited(&state, "consultation.answer", &format!("consultation:{}", c.id), if publish { "答复并公开" } else { "答复" })
        .answer_consultation(c.id, form.answer.trim(), form.department.trim(), today(), staff.user.id, publish, Utc::now())
        .await?;
    Ok(back(c.id, if publish { "已答复，问答已公开" } else { "已答复" }))
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    publish: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn publish(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<PublishForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let c = load(&state, &staff, &id).await?;
    let on = form.publish == "1";
    rules::apply(c.state, c.private, if on { ConsultAction::Publish } else { ConsultAction::Unpublish }).map_err(refuse)?;
    if c.private {
        return Err(refuse(rules::ConsultError::PublishPrivate));
    }
    if let Some(r) = crate::privacy_guard::gate_consultation(&state, &staff, c.id, on).await? { return Ok(r); }
    staff
        .audited(&state, if on { "consultation.publish" } else { "consultation.unpublish" }, &format!("consultation:{}", c.id), "")
        .set_consultation_published(c.id, on, Utc::now())
        .await?;
    Ok(back(c.id, if on { "问答已公开" } else { "已取消公开" }))
}

/// The application form pre-filled from the consultation.
fn convert_form(c: &Consultation) -> ApplyForm {
    let is_email = c.contact.contains('@');
    ApplyForm {
        applicant_type: "natural".into(),
        name: c.name.clone(),
        id_doc_type: "id_card".into(),
        phone: if is_email { String::new() } else { c.contact.clone() },
        email: if is_email { c.contact.clone() } else { String::new() },
        description: format!("{}：{}", c.subject, c.question).chars().take(2000).collect(),
        form_electronic: Some("1".into()),
        delivery: if is_email { "email".into() } else { "collection".into() },
        ..Default::default()
    }
}

fn render_convert(state: &AppState, staff: &Staff, c: &Consultation, form: &ApplyForm, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    render::page_with_status(
        status,
        "admin_consultation_convert.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, errors,
            c => context! { id => c.id, subject => c.subject, received => c.received.to_string() },
            form => Value::from_serialize(form), choices => crate::applications::apply::choices_ctx(),
        },
    )
}

async fn convert_page(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let c = load(&state, &staff, &id).await?;
    rules::apply(c.state, c.private, ConsultAction::Convert).map_err(refuse)?;
    render_convert(&state, &staff, &c, &convert_form(&c), &[], StatusCode::OK)
}

/// Turn the question into an application for disclosure received online:
/// submitted on the day of the question, received (confirmed) today.
async fn convert(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ApplyForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let c = load(&state, &staff, &id).await?;
    rules::apply(c.state, c.private, ConsultAction::Convert).map_err(refuse)?;
    let intake = match form.validate() {
        Ok(i) => i,
        Err(errors) => return render_convert(&state, &staff, &c, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let today = today();
    let received = receipt_date(Channel::Online, &ReceiptDates { submitted: Some(c.received), signed_for: None, confirmed: Some(today) })
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let arrival = Arrival { org_id: c.org_id, channel: Channel::Online, submitted_on: c.received, received, registered_by: Some(staff.user.id) };
    let (code, secret) = new_tracking_code(received.format("%Y").to_string().parse().unwrap_or(2026));
    let app = state.store.create_application(&intake.to_new_application(&arrival, code, &secret)).await?;
    staff
        .audited(&state, "consultation.convert", &format!("consultation:{}", c.id), &format!("application:{} {}", app.id, app.tracking_code))
        .convert_consultation(c.id, app.id, Utc::now())
        .await?;
    crate::notify::application_received(&state, &app).await;
    // The 查询密码 is shown once on the case page through a cookie, never in the URL.
    let mut res = Redirect::to(&format!("/admin/applications/{}", app.id)).into_response();
    if let Some(v) = crate::applications::cases::secret_cookie(&state, app.id, &secret) {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}
