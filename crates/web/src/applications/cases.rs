//! Applications in the back office: the case list with each case's reply
//! clock, the case page (history, how the due date was computed, the next
//! lawful steps), staff registration of applications received offline, the
//! logged view of full personal data, and the staff JSON API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{
    receipt_date, Application, Approver, Channel, ClockConfig, ConsultParty, ConsultationAnswer, DeliveryMethod, Outcome, ReceiptDates, State as CaseState, Step,
};
use gongkai_domain::fees::{FeeBasis, FeeMethod, FeeSchedule};
use gongkai_domain::model::Role;
use gongkai_store::{ApplicationQuery, StoredApplication, StoredStep};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::applications::apply::{delivery_label, form_label, mask_middle, mask_name, new_tracking_code, ApplyForm, Arrival};
use crate::auth::Staff;
use crate::error::AppError;
use crate::util::{parse_page, today, Paging};
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/applications", get(list).post(register))
        .route("/admin/applications/new", get(register_page))
        .route("/admin/applications/{id}", get(view))
        .route("/admin/applications/{id}/step", post(step))
        .route("/admin/applications/{id}/reveal", post(reveal))
        .route("/admin/applications/{id}/merge", post(merge))
        .route("/api/v1/staff/applications", get(api_list))
}

/// Date in China Standard Time of a timestamp.
pub fn local_date(t: DateTime<Utc>) -> String {
    let cst = crate::util::cst();
    t.with_timezone(&cst).format("%Y-%m-%d").to_string()
}

fn local_time(t: DateTime<Utc>) -> String {
    let cst = crate::util::cst();
    t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string()
}

/// Rebuild the case from its recorded steps.
pub fn replay(state: &AppState, app: &StoredApplication, steps: &[StoredStep]) -> Result<Application, AppError> {
    let list: Vec<Step> = steps.iter().map(|s| s.step.clone()).collect();
    Application::replay(app.applicant, app.channel, app.received, &list, &state.calendar(), &ClockConfig::default())
        .map_err(|(i, e)| AppError::Internal(format!("application {} step {} no longer replays: {e}", app.id, i + 1)))
}

/// May this user see and work on applications of `org_id`?
fn check_access(staff: &Staff, org_id: i64) -> Result<(), AppError> {
    if staff.can_access_org(org_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden("该申请不属于您所在的机关".into()))
    }
}

fn clock_row(state: &AppState, app: &StoredApplication, case: &Application, today: NaiveDate) -> Value {
    let clock = case.clock(&state.calendar(), &ClockConfig::default(), today);
    context! {
        id => app.id, code => app.tracking_code, received => app.received.to_string(),
        applicant => mask_name(&app.applicant_name), kind => app.applicant.label(),
        description => app.description.chars().take(40).collect::<String>(),
        state => case.state.as_str(), state_label => case.state.label(), open => case.state.is_open(),
        due => clock.due.map(|d| d.to_string()), left => clock.working_days_left, overdue => clock.overdue,
        overdue_days => clock.working_days_left.map(|l| -l), provisional => clock.provisional,
        status => clock.status.label(),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<String>,
    filter: Option<String>,
}

async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let today = today();
    let due_soon_days = state.config.reminder_working_days;
    let all = state.store.applications_with_steps(&[staff.user.org_id]).await?;
    let mut rows = Vec::new();
    let (mut overdue, mut soon) = (Vec::new(), Vec::new());
    for (app, steps) in all.iter().rev() {
        let case = replay(&state, app, steps)?;
        let row = clock_row(&state, app, &case, today);
        if case.state.is_open() {
            let clock = case.clock(&state.calendar(), &ClockConfig::default(), today);
            match clock.working_days_left {
                Some(l) if l < 0 => overdue.push(row.clone()),
                Some(l) if l <= due_soon_days => soon.push(row.clone()),
                _ => {}
            }
        }
        let keep = match q.filter.as_deref() {
            Some("open") => case.state.is_open(),
            Some("closed") => !case.state.is_open(),
            _ => true,
        };
        if keep {
            rows.push(row);
        }
    }
    let page = parse_page(q.page.as_deref())?;
    let paging = Paging::new(page, 30, rows.len() as i64);
    let start = ((paging.page - 1) * 30) as usize;
    let shown: Vec<Value> = rows.into_iter().skip(start).take(30).collect();
    render::page(
        "admin_applications.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, rows => shown, overdue, soon, paging, filter => q.filter, due_soon_days },
    )
}

async fn register_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    register_form(&state, &staff, &RegisterForm::default(), &[], StatusCode::OK)
}

fn register_form(state: &AppState, staff: &Staff, form: &RegisterForm, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let channels: Vec<Value> = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Online)
        .map(|c| context! { code => c.as_str(), label => c.label(), rule => c.receipt_rule(), selected => c.as_str() == form.channel })
        .collect();
    render::page_with_status(
        status,
        "admin_application_new.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, form => Value::from_serialize(form), choices => crate::applications::apply::choices_ctx(), channels, errors, today => today().to_string() },
    )
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
struct RegisterForm {
    #[serde(flatten)]
    base: ApplyForm,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    submitted_on: String,
    #[serde(default)]
    signed_for: String,
    #[serde(default)]
    confirmed: String,
}

fn opt_date(s: &str, label: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!("{label}“{s}”格式有误，应为 年-月-日"));
            None
        }
    }
}

/// Staff register an application received in person, by post, fax, e-mail or orally.
async fn register(State(state): State<AppState>, staff: Staff, Form(form): Form<RegisterForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.base.csrf)?;
    let mut errors = Vec::new();
    let intake = form.base.validate().map_err(|e| errors.extend(e)).ok();
    let channel = Channel::parse(form.channel.trim()).filter(|c| *c != Channel::Online);
    if channel.is_none() {
        errors.push("请选择收到申请的渠道".into());
    }
    let dates = ReceiptDates {
        submitted: opt_date(&form.submitted_on, "提交日期", &mut errors),
        signed_for: opt_date(&form.signed_for, "签收日期", &mut errors),
        confirmed: opt_date(&form.confirmed, "确认日期", &mut errors),
    };
    let today = today();
    for d in [dates.submitted, dates.signed_for, dates.confirmed].into_iter().flatten() {
        if d > today {
            errors.push(format!("日期 {d} 晚于今天"));
        }
    }
    let received = match channel {
        Some(c) if errors.is_empty() => match receipt_date(c, &dates) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        },
        _ => None,
    };
    let (Some(intake), Some(channel), Some(received), true) = (intake, channel, received, errors.is_empty()) else {
        return register_form(&state, &staff, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    // Registered twice (or already submitted online) within 24 hours: no second case.
    if let Some(existing) = crate::applications::apply::find_resubmission(&state, staff.user.org_id, &intake, Utc::now()).await? {
        staff.audit(&state, "application.register", &format!("application:{}", existing.id), "24 小时内相同申请，未重复登记", false).await?;
        let msg = format!("该申请人 24 小时内已提交相同的申请（查询码 {}），未重复登记", existing.tracking_code);
        return Ok(Redirect::to(&format!("/admin/applications/{}?msg={}", existing.id, crate::util::url_encode(&msg))).into_response());
    }
    let (code, secret) = new_tracking_code(received.format("%Y").to_string().parse().unwrap_or(2026));
    let tracking = code.clone();
    let stored = staff
        .audited(&state, "application.register", "application:{id}", &tracking)
        .create_application(&intake.to_new_application(
            &Arrival { org_id: staff.user.org_id, channel, submitted_on: dates.submitted.unwrap_or(received), received, registered_by: Some(staff.user.id) },
            code,
            &secret,
        ))
        .await?;
    // Staff are told, and the applicant gets the receipt if they gave an e-mail address.
    crate::notify::application_received(&state, &stored).await;
    // The secret goes to the next page in a cookie, never in the URL, and is shown once.
    let mut res = Redirect::to(&format!("/admin/applications/{}?msg={}", stored.id, crate::util::url_encode("已登记"))).into_response();
    if let Some(v) = secret_cookie(&state, stored.id, &secret) {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
struct ViewQuery {
    msg: Option<String>,
}

async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<(StoredApplication, Vec<StoredStep>, Application), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let app = state.store.application(id).await?.ok_or(AppError::NotFound)?;
    check_access(staff, app.org_id)?;
    let steps = state.store.application_steps(app.id).await?;
    let case = replay(state, &app, &steps)?;
    Ok((app, steps, case))
}

/// Carries the secret of a just-registered application to its case page, once.
const SECRET_COOKIE: &str = "gk_reg";

/// The cookie that shows `secret` once on the case page of application `id` (a secret
/// never travels in a URL).
pub(crate) fn secret_cookie(state: &AppState, id: i64, secret: &str) -> Option<axum::http::HeaderValue> {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    axum::http::HeaderValue::from_str(&format!("{SECRET_COOKIE}={id}.{secret}; Path=/admin/applications; HttpOnly; SameSite=Strict; Max-Age=600{secure}")).ok()
}

async fn view(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<ViewQuery>, headers: axum::http::HeaderMap) -> Result<Response, AppError> {
    let (app, steps, case) = load(&state, &staff, &id).await?;
    let fresh = crate::auth::cookie(&headers, SECRET_COOKIE).and_then(|c| c.split_once('.')).filter(|(id, _)| *id == app.id.to_string()).map(|(_, s)| s.to_string());
    let Some(secret) = fresh else {
        return case_page(&state, &staff, &app, &steps, &case, q.msg.as_deref(), None, false, StatusCode::OK).await;
    };
    let msg = format!("已登记。查询码 {}，查询密码 {}（请告知申请人，只显示这一次）", app.tracking_code, secret);
    let mut res = case_page(&state, &staff, &app, &steps, &case, Some(&msg), None, false, StatusCode::OK).await?;
    res.headers_mut().append(axum::http::header::SET_COOKIE, axum::http::HeaderValue::from_static("gk_reg=; Path=/admin/applications; HttpOnly; SameSite=Strict; Max-Age=0"));
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

pub fn step_summary(step: &Step) -> String {
    match step {
        Step::Accept { .. } => "受理并指定承办人".into(),
        Step::RequestCorrection { defects, deadline, .. } => format!("补正事项：{}；补正期限 {deadline}", defects.join("；")),
        Step::ReceiveCorrection { late_reason, .. } => late_reason.as_ref().map(|r| format!("逾期补正，理由：{r}")).unwrap_or_default(),
        Step::Consult { party, addressee, .. } => format!("征求{}意见：{addressee}", party.label()),
        Step::ConsultationAnswered { answer, .. } => match answer {
            ConsultationAnswer::Consented => "同意公开".into(),
            ConsultationAnswer::Objected { reasons } => format!("不同意公开：{reasons}"),
            ConsultationAnswer::NoAnswer => "逾期未答复".into(),
        },
        Step::Extend { working_days, .. } => format!("延期 {working_days} 个工作日"),
        Step::SetReasonablePeriod { reasons, new_due, .. } => format!("合理期限至 {new_due}：{reasons}"),
        Step::IssueFeeNotice { method, amount_fen, .. } => format!("{}，{}", method.label(), gongkai_domain::fees::format_yuan(*amount_fen)),
        Step::PayFee { amount_fen, receipt_no, .. } => format!("{}，票据号 {receipt_no}", gongkai_domain::fees::format_yuan(*amount_fen)),
        Step::Reply { outcome, basis, .. } => format!("{}（依据：{basis}）", outcome.label()),
        Step::Deliver { method, proof, .. } => format!("{}：{proof}", method.label()),
        Step::Withdraw { reason, .. } => reason.clone(),
        _ => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn case_page(
    state: &AppState,
    staff: &Staff,
    app: &StoredApplication,
    steps: &[StoredStep],
    case: &Application,
    msg: Option<&str>,
    err: Option<&str>,
    revealed: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let today = today();
    let clock = case.clock(&state.calendar(), &ClockConfig::default(), today);
    let history: Vec<Value> = steps
        .iter()
        .map(|s| context! { seq => s.seq, at => local_time(s.at), date => s.step.date().to_string(), kind => s.step.kind().label(), actor => s.actor_name, state => s.state.label(), summary => step_summary(&s.step), note => s.note })
        .collect();
    let allowed: Vec<&str> = case.allowed_steps().iter().map(|k| step_code(*k)).collect();
    let outcomes: Vec<Value> = Outcome::ALL.iter().filter(|o| o.needs_own_step().is_none()).map(|o| context! { code => o.as_str(), label => o.label(), basis => o.default_basis() }).collect();
    let handlers: Vec<Value> = state.store.users(&[app.org_id]).await?.iter().filter(|u| !u.disabled).map(|u| context! { id => u.id, name => u.display_name, me => u.id == staff.user.id }).collect();
    let applicant = if revealed {
        context! { name => app.applicant_name, id_doc_number => app.id_doc_number, phone => app.phone, email => app.email, postal_address => app.postal_address }
    } else {
        context! { name => mask_name(&app.applicant_name), id_doc_number => mask_middle(&app.id_doc_number), phone => mask_middle(&app.phone), email => mask_email(&app.email), postal_address => if app.postal_address.is_empty() { String::new() } else { "（已隐藏）".to_string() } }
    };
    let handles = case.handler_id == Some(staff.user.id);
    let may_reveal = handles
        || (staff.is(Role::Admin) && (app.org_id == staff.user.org_id || state.store.has_reveal_grant(app.org_id, staff.user.org_id, &staff.user.roles).await?));
    let letters = crate::applications::letters::letters_ctx(&state.store.letters(app.id).await?);
    // The applicant's earlier applications this natural month (for per-piece fees).
    let earlier_this_month = (state.store.count_applications_in_month(app.org_id, &app.id_doc_number, app.received).await? - 1).max(0);
    let policy = state.store.office_settings(app.org_id).await?.signoff;
    let merged: Vec<Value> = state.store.merged_into(app.id).await?.iter().map(|a| context! { code => a.tracking_code, received => a.received.to_string() }).collect();
    let merged_into = match app.merged_into {
        Some(id) => state.store.application(id).await?.map(|a| context! { id => a.id, code => a.tracking_code }),
        None => None,
    };
    let held_steps: Vec<&str> = policy.steps.iter().filter(|k| crate::applications::letters::letter_kind_for(**k).is_some()).map(|k| step_code(*k)).collect();
    let letter_kinds: Vec<Value> = crate::applications::letters::available(steps).iter().map(|(k, _)| context! { code => k.as_str(), label => k.label() }).collect();
    render::page_with_status(
        status,
        "admin_application.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err,
            app => context! {
                id => app.id, code => app.tracking_code, kind => app.applicant.label(), channel => app.channel.label(),
                submitted_on => app.submitted_on.to_string(), received => app.received.to_string(), description => app.description,
                forms => app.forms.split(',').map(form_label).collect::<Vec<_>>().join("、"), delivery => delivery_label(&app.delivery),
                id_doc_type => gongkai_domain::id_check::IdDocumentKind::parse(&app.id_doc_type).map(|k| k.label()).unwrap_or("其他"),
            },
            applicant, revealed, may_reveal,
            case => context! { state => case.state.as_str(), state_label => case.state.label(), open => case.state.is_open(), outcome => case.outcome.map(|o| o.label()) },
            clock => context! { due => clock.due.map(|d| d.to_string()), left => clock.working_days_left, overdue => clock.overdue, provisional => clock.provisional, status => clock.status.label(), explanation => clock.explanation },
            correction_due => (case.state == CaseState::Received || case.state == CaseState::Accepted).then(|| case.correction_notice_due(&state.calendar()).to_string()),
            history, allowed, outcomes, handlers, seq => steps.len(), today => today.to_string(),
            remedies => gongkai_domain::application::REMEDIES_NOTICE,
            letters, letter_kinds, earlier_this_month, held_steps, merged, merged_into,
            may_merge => app.merged_into.is_none() && app.steps == 0,
        },
    )
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((user, domain)) => format!("{}***@{domain}", user.chars().next().map(String::from).unwrap_or_default()),
        None => mask_middle(email),
    }
}

/// Stable codes for step kinds in forms: the domain's one list.
pub use gongkai_domain::signoff::step_code;

/// Every field any step form may carry.
#[derive(Deserialize, Default)]
struct StepForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    seq: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    handler_id: String,
    #[serde(default)]
    defects: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    late_reason: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    addressee: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    working_days: String,
    #[serde(default)]
    new_due: String,
    #[serde(default)]
    applicant_notified: Option<String>,
    #[serde(default)]
    fee_method: String,
    #[serde(default)]
    amount_yuan: String,
    #[serde(default)]
    fee_count: String,
    #[serde(default)]
    already_this_month: String,
    #[serde(default)]
    notice_received: String,
    #[serde(default)]
    receipt_no: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    remedies_stated: Option<String>,
    #[serde(default)]
    override_reason: String,
    #[serde(default)]
    delivery_method: String,
    #[serde(default)]
    proof: String,
    #[serde(default)]
    note: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn req_date(s: &str, label: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| if s.trim().is_empty() { format!("请填写{label}") } else { format!("{label}“{}”格式有误，应为 年-月-日", s.trim()) })
}

fn req_text(s: &str, label: &str, max: usize) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err(format!("请填写{label}"))
    } else if t.chars().count() > max {
        Err(format!("{label}不能超过 {max} 字"))
    } else {
        Ok(t.to_string())
    }
}

/// Amount in 元 (up to two decimals) → fen.
fn parse_yuan(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_end_matches('元');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = !int.is_empty() && int.chars().all(|c| c.is_ascii_digit()) && frac.len() <= 2 && frac.chars().all(|c| c.is_ascii_digit()) && int.len() <= 9;
    if !ok {
        return Err(format!("金额“{}”格式有误，应为元，最多两位小数", s.trim()));
    }
    let int: i64 = int.parse().map_err(|_| "金额过大".to_string())?;
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Ok(int * 100 + frac)
}

/// Turn the submitted form into the domain step it describes.
fn parse_step(f: &StepForm, staff: &Staff) -> Result<Step, String> {
    let date = req_date(&f.date, "日期")?;
    if date > today() {
        return Err("日期不能晚于今天".into());
    }
    let notified = f.applicant_notified.is_some();
    Ok(match f.kind.as_str() {
        "accept" => Step::Accept { date, handler_id: f.handler_id.trim().parse().map_err(|_| "请选择承办人".to_string())? },
        "request_correction" => {
            let defects: Vec<String> = f.defects.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            if defects.is_empty() {
                return Err("请逐条列明需要补正的事项（每行一项）".into());
            }
            Step::RequestCorrection { date, defects, deadline: req_date(&f.deadline, "补正期限")? }
        }
        "receive_correction" => Step::ReceiveCorrection { date, late_reason: (!f.late_reason.trim().is_empty()).then(|| f.late_reason.trim().to_string()) },
        "correction_lapsed" => Step::CorrectionLapsed { date },
        "start_processing" => Step::StartProcessing { date },
        "consult" => Step::Consult {
            date,
            party: match f.party.as_str() {
                "third_party" => ConsultParty::ThirdParty,
                "other_agency" => ConsultParty::OtherAgency,
                _ => return Err("请选择征求意见的对象".into()),
            },
            addressee: req_text(&f.addressee, "征求意见对象名称", 200)?,
        },
        "consultation_answered" => Step::ConsultationAnswered {
            date,
            answer: match f.answer.as_str() {
                "consented" => ConsultationAnswer::Consented,
                "objected" => ConsultationAnswer::Objected { reasons: req_text(&f.reasons, "不同意公开的理由", 2000)? },
                "no_answer" => ConsultationAnswer::NoAnswer,
                _ => return Err("请选择答复结果".into()),
            },
        },
        "extend" => Step::Extend {
            date,
            working_days: f.working_days.trim().parse().map_err(|_| "延长的工作日数应为 1—20 的整数".to_string())?,
            approver: Approver { user_id: staff.user.id, is_office_head: staff.is(Role::OfficeHead) },
            applicant_notified: notified,
        },
        "set_reasonable_period" => Step::SetReasonablePeriod { date, reasons: req_text(&f.reasons, "理由", 2000)?, new_due: req_date(&f.new_due, "答复期限")?, applicant_notified: notified },
        "issue_fee_notice" => {
            // The amount is computed from the count by the schedule, never typed.
            let method = FeeMethod::parse(f.fee_method.trim()).ok_or_else(|| "请选择计费方式".to_string())?;
            let count: u32 = f.fee_count.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| "请填写件数或页数（正整数）".to_string())?;
            let basis = match method {
                FeeMethod::PerPiece => FeeBasis::PerPiece {
                    count,
                    already_this_month: match f.already_this_month.trim() {
                        "" => 0,
                        s => s.parse().map_err(|_| "本自然月此前已申请件数应为非负整数".to_string())?,
                    },
                },
                FeeMethod::PerPage => FeeBasis::PerPage { count },
            };
            let quote = FeeSchedule::default().quote(basis).map_err(|e| e.to_string())?;
            if quote.is_free() {
                return Err(format!("按《{}》的标准，本次未超过免费额度，不得收取信息处理费。\n{}", FeeSchedule::default().document, quote.explain()));
            }
            Step::IssueFeeNotice { date, method, amount_fen: quote.total_fen, notice_received: req_date(&f.notice_received, "申请人收到收费通知的日期")? }
        }
        "pay_fee" => Step::PayFee { date, amount_fen: parse_yuan(&f.amount_yuan)?, receipt_no: req_text(&f.receipt_no, "票据号", 100)? },
        "fee_lapsed" => Step::FeeLapsed { date },
        "reply" => Step::Reply {
            date,
            outcome: Outcome::parse(f.outcome.trim()).ok_or_else(|| "请选择答复结果".to_string())?,
            basis: f.basis.trim().to_string(),
            remedies_stated: f.remedies_stated.is_some(),
            override_reason: (!f.override_reason.trim().is_empty()).then(|| f.override_reason.trim().to_string()),
        },
        "deliver" => Step::Deliver {
            date,
            method: match f.delivery_method.as_str() {
                "post" => DeliveryMethod::Post,
                "collection" => DeliveryMethod::Collection,
                "email" => DeliveryMethod::Email,
                "online" => DeliveryMethod::Online,
                "fax" => DeliveryMethod::Fax,
                _ => return Err("请选择送达方式".into()),
            },
            proof: req_text(&f.proof, "送达凭证（如邮件编号、签收人）", 200)?,
        },
        "close" => Step::Close { date },
        "withdraw" => Step::Withdraw { date, reason: req_text(&f.reasons, "撤回说明", 1000)? },
        other => return Err(format!("办理步骤“{other}”不存在")),
    })
}

async fn step(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<StepForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let (app, steps, mut case) = load(&state, &staff, &id).await?;
    if app.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能办理本机关的申请".into()));
    }
    if !(staff.is(Role::Editor) || staff.is(Role::Reviewer) || staff.is(Role::Admin) || staff.is(Role::OfficeHead)) {
        return Err(AppError::Forbidden("没有办理申请的权限".into()));
    }
    let expected: i64 = form.seq.trim().parse().unwrap_or(-1);
    if expected != steps.len() as i64 {
        return case_page(&state, &staff, &app, &steps, &case, None, Some("该申请已有新的办理记录，请核对后重新操作"), false, StatusCode::CONFLICT).await;
    }
    let step = match parse_step(&form, &staff) {
        Ok(s) => s,
        Err(m) => return case_page(&state, &staff, &app, &steps, &case, None, Some(&m), false, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    if let Step::Accept { handler_id, .. } = &step {
        let ok = state.store.user(*handler_id).await?.is_some_and(|u| u.org_id == app.org_id && !u.disabled);
        if !ok {
            return case_page(&state, &staff, &app, &steps, &case, None, Some("承办人必须是本机关的在用账号"), false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    // A step whose letter needs the office head's sign-off is not recorded now: its
    // letter is drafted holding it, and issuing the signed-off letter records it.
    let settings = state.store.office_settings(app.org_id).await?;
    let letter_kind = crate::applications::letters::letter_kind_for(step.kind());
    if let (true, Some(kind)) = (settings.signoff.requires(step.kind()), letter_kind) {
        // Checked as it will be recorded (an extension approved by the signer).
        let as_issued = gongkai_domain::signoff::step_on_issue(&step, step.date(), Some(staff.user.id));
        if let Err(e) = case.clone().apply(&as_issued, &state.calendar(), &ClockConfig::default()) {
            staff.audit(&state, &format!("application.{}", form.kind), &format!("application:{}", app.id), &e.to_string(), false).await?;
            return case_page(&state, &staff, &app, &steps, &case, None, Some(&e.to_string()), false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let draft = match crate::applications::letters::draft_text(&state, &app, &steps, kind, Some(as_issued.clone()), None).await? {
            Ok(d) => d,
            Err(m) => return case_page(&state, &staff, &app, &steps, &case, None, Some(&m), false, StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let letter = staff
            .audited(&state, "letter.draft", "letter:{id}", &format!("{}（待签发后记录“{}”）", draft.title, step.kind().label()))
            .create_held_letter(app.id, kind.as_str(), &draft.title, &gongkai_letters::to_html(&draft), &step, staff.user.id, Utc::now())
            .await?;
        let msg = format!("已起草{}。须经公开工作机构负责人签发后出具，出具时记录“{}”", kind.label(), step.kind().label());
        return Ok(Redirect::to(&format!("/admin/letters/{}?msg={}", letter.id, crate::util::url_encode(&msg))).into_response());
    }
    if let Err(e) = case.apply(&step, &state.calendar(), &ClockConfig::default()) {
        staff.audit(&state, &format!("application.{}", form.kind), &format!("application:{}", app.id), &e.to_string(), false).await?;
        return case_page(&state, &staff, &app, &steps, &replay(&state, &app, &steps)?, None, Some(&e.to_string()), false, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let note = form.note.trim().chars().take(1000).collect::<String>();
    let store = staff.audited(&state, &format!("application.{}", form.kind), &format!("application:{}", app.id), &step_summary(&step));
    match store.append_application_step(app.id, expected, &step, case.state, case.handler_id, Some(staff.user.id), &note, Utc::now()).await {
        Ok(_) => {
            let msg = format!("已记录：{}", step.kind().label());
            Ok(Redirect::to(&format!("/admin/applications/{}?msg={}", app.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(gongkai_store::StoreError::Conflict { message, .. }) => {
            let steps = state.store.application_steps(app.id).await?;
            let case = replay(&state, &app, &steps)?;
            case_page(&state, &staff, &app, &steps, &case, None, Some(&message), false, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    keep_code: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Merge this application, a duplicate, into another one (by its 查询码): same
/// organisation and applicant, the duplicate not yet worked on. Audited either way.
async fn merge(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<MergeForm>) -> Result<Response, AppError> {
    use gongkai_domain::duplicates::{check_merge, MergeSide};
    staff.check_csrf(&form.csrf)?;
    let (dup, steps, case) = load(&state, &staff, &id).await?;
    if !(staff.is(Role::Editor) || staff.is(Role::Reviewer) || staff.is(Role::Admin) || staff.is(Role::OfficeHead)) {
        return Err(AppError::Forbidden("没有办理申请的权限".into()));
    }
    let code = form.keep_code.trim().to_uppercase();
    let target = format!("application:{}", dup.id);
    let keep = if code.is_empty() { None } else { state.store.application_by_tracking_code(&code).await?.map(|(a, _)| a) };
    let Some(keep) = keep else {
        let m = if code.is_empty() { "请填写要保留的申请的查询码".to_string() } else { format!("查询码“{code}”不存在") };
        return case_page(&state, &staff, &dup, &steps, &case, None, Some(&m), false, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    fn side(a: &StoredApplication) -> MergeSide<'_> {
        MergeSide { id: a.id, org_id: a.org_id, applicant_name: &a.applicant_name, id_doc_number: &a.id_doc_number, steps: a.steps, merged_into: a.merged_into }
    }
    if let Err(e) = check_merge(&side(&dup), &side(&keep)) {
        staff.audit(&state, "application.merge", &target, &format!("并入 {}：{e}", keep.tracking_code), false).await?;
        let status = if matches!(e, gongkai_domain::duplicates::MergeError::DifferentOrganisations) { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
        return case_page(&state, &staff, &dup, &steps, &case, None, Some(&e.to_string()), false, status).await;
    }
    match staff.audited(&state, "application.merge", &target, &format!("{} 并入 {}", dup.tracking_code, keep.tracking_code)).merge_application(dup.id, keep.id, staff.user.id, Utc::now()).await {
        Ok(_) => {
            let msg = format!("已将重复申请 {} 并入本申请，该申请不再单独计数", dup.tracking_code);
            Ok(Redirect::to(&format!("/admin/applications/{}?msg={}", keep.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(gongkai_store::StoreError::Conflict { message, .. }) => case_page(&state, &staff, &dup, &steps, &case, None, Some(&message), false, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

async fn reveal(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<crate::auth::CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let (app, steps, case) = load(&state, &staff, &id).await?;
    if !(staff.is(Role::Admin) || case.handler_id == Some(staff.user.id)) {
        staff.audit(&state, "application.reveal", &format!("application:{}", app.id), "无权查看", false).await?;
        return Err(AppError::Forbidden("只有承办人和系统管理员可以查看申请人的完整信息".into()));
    }
    // A supervising organisation sees the case but not its applicant: the full data stays
    // with the organisation that handles the application, unless that organisation's
    // security administrator granted one of this user's roles at their organisation.
    let mut detail = "查看申请人完整信息";
    if app.org_id != staff.user.org_id && case.handler_id != Some(staff.user.id) {
        if !state.store.has_reveal_grant(app.org_id, staff.user.org_id, &staff.user.roles).await? {
            staff.audit(&state, "application.reveal", &format!("application:{}", app.id), "上级机关无权查看（受理机关未授权）", false).await?;
            return Err(AppError::Forbidden("申请人的完整信息只能由受理该申请的机关查看；该机关的安全管理员可以授权上级机关查看".into()));
        }
        detail = "依受理机关的授权查看申请人完整信息";
    }
    // Every full view of personal data is logged.
    staff.audit(&state, "application.reveal", &format!("application:{}", app.id), detail, true).await?;
    case_page(&state, &staff, &app, &steps, &case, None, None, true, StatusCode::OK).await
}

/// Staff JSON: the organisation's applications with each case's current due
/// date and how it was computed. Personal data is masked.
/// One step of a case in the staff API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StaffStepOut {
    pub seq: i64,
    pub kind: String,
    pub date: NaiveDate,
    pub state_after: String,
    pub actor: String,
}

/// One case in the staff API (the applicant's name masked).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StaffApplicationOut {
    pub id: i64,
    pub tracking_code: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub channel: String,
    pub received: NaiveDate,
    pub state: String,
    pub state_label: String,
    pub outcome: Option<String>,
    pub handler_id: Option<i64>,
    pub due: Option<NaiveDate>,
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    pub provisional: bool,
    pub due_explanation: String,
    pub steps: Vec<StaffStepOut>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StaffApplicationList {
    pub organisation: String,
    pub today: NaiveDate,
    /// This page, newest received first.
    pub page: i64,
    pub per_page: i64,
    /// Cases in all pages.
    pub total: i64,
    pub applications: Vec<StaffApplicationOut>,
}

#[derive(Deserialize)]
struct ApiListQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// Most cases one page of the staff API holds.
const API_MAX_PER_PAGE: i64 = 200;

/// 本机关的依申请公开案件及答复期限（工作人员，需登录；按收到日期从新到旧分页）.
#[utoipa::path(get, path = "/api/v1/staff/applications", tag = "工作人员",
    security(("session" = [])),
    params(
        ("page" = Option<i64>, Query, minimum = 1, maximum = 1000000, description = "页码"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 200, description = "每页条数（默认 50）"),
    ),
    responses(
        (status = 200, description = "案件列表", body = StaffApplicationList),
        (status = 400, description = "参数有误", body = crate::api::ErrorBody),
        (status = 401, description = "未登录或登录已过期", body = crate::api::ErrorBody),
    ))]
async fn api_list(State(state): State<AppState>, staff: Staff, Query(q): Query<ApiListQuery>) -> crate::api::ApiResult<StaffApplicationList> {
    crate::api::reject_blank(&[("page", &q.page), ("per_page", &q.per_page)])?;
    let page = crate::util::parse_page(q.page.as_deref())?;
    let per_page = crate::api::parse_per_page(q.per_page.as_deref(), 50, API_MAX_PER_PAGE)?;
    let today = today();
    // One page of headers, then only their steps: memory stays bounded however many
    // cases the organisation has.
    let query = ApplicationQuery { org_ids: vec![staff.user.org_id], limit: per_page, offset: (page - 1) * per_page, ..Default::default() };
    let headers = state.store.applications(&query).await?;
    let mut steps = state.store.steps_of_applications(&headers.items).await?;
    let mut out = Vec::with_capacity(headers.items.len());
    for app in &headers.items {
        let steps = steps.remove(&app.id).unwrap_or_default();
        let case = replay(&state, app, &steps)?;
        let clock = case.clock(&state.calendar(), &ClockConfig::default(), today);
        out.push(StaffApplicationOut {
            id: app.id,
            tracking_code: app.tracking_code.clone(),
            applicant_kind: app.applicant.label().to_owned(),
            applicant_name: mask_name(&app.applicant_name),
            channel: app.channel.as_str().to_owned(),
            received: app.received,
            state: case.state.as_str().to_owned(),
            state_label: case.state.label().to_owned(),
            outcome: case.outcome.map(|o| o.as_str().to_owned()),
            handler_id: case.handler_id,
            due: clock.due,
            working_days_left: clock.working_days_left,
            overdue: clock.overdue,
            provisional: clock.provisional,
            due_explanation: clock.explanation.clone(),
            steps: steps
                .iter()
                .map(|s| StaffStepOut { seq: s.seq, kind: step_code(s.step.kind()).to_owned(), date: s.step.date(), state_after: s.state.as_str().to_owned(), actor: s.actor_name.clone() })
                .collect(),
        });
    }
    Ok(Json(StaffApplicationList { organisation: staff.org.slug.clone(), today, page, per_page, total: headers.total, applications: out }))
}
