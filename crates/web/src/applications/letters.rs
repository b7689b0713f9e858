//! Letters of an application in the back office: drafted from the case by
//! `gongkai-letters`, editable before issue, signed off (签发) by the office
//! head where the organisation requires it, issued with a 文书编号 (which also
//! records the decision held on the draft), frozen once issued (a change makes
//! a new version), printable, and downloadable as DOCX.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::application::{ClockConfig, Step, StepKind};
use gongkai_domain::signoff::{self, LetterStatus};
use gongkai_letters::{LetterContext, LetterKind};
use gongkai_store::office::{HeldStep, IssueLetter};
use gongkai_store::{Letter, StoredApplication, StoredStep};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::auth::Staff;
use gongkai_domain::model::Role;
use crate::error::AppError;
use crate::util::today;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/applications/{id}/letters", post(create))
        .route("/admin/letters/{id}", get(view).post(update))
        .route("/admin/letters/{id}/docx", get(docx))
}

/// The step kinds a letter kind is drafted from; `None` = the application itself.
fn source_steps(kind: LetterKind) -> Option<&'static [StepKind]> {
    match kind {
        LetterKind::Receipt => None,
        LetterKind::Correction => Some(&[StepKind::RequestCorrection]),
        LetterKind::Extension => Some(&[StepKind::Extend]),
        LetterKind::Consultation => Some(&[StepKind::Consult]),
        LetterKind::FeeNotice => Some(&[StepKind::IssueFeeNotice]),
        LetterKind::Reply => Some(&[StepKind::Reply, StepKind::CorrectionLapsed, StepKind::FeeLapsed]),
    }
}

/// The letter a step produces, when it needs one.
pub fn letter_kind_for(step: StepKind) -> Option<LetterKind> {
    match step {
        StepKind::Reply => Some(LetterKind::Reply),
        StepKind::Extend => Some(LetterKind::Extension),
        StepKind::IssueFeeNotice => Some(LetterKind::FeeNotice),
        StepKind::RequestCorrection => Some(LetterKind::Correction),
        StepKind::Consult => Some(LetterKind::Consultation),
        _ => None,
    }
}

/// The decision step a letter kind belongs to (for the sign-off policy).
fn decision_step(kind: LetterKind) -> Option<StepKind> {
    match kind {
        LetterKind::Receipt => None,
        LetterKind::Correction => Some(StepKind::RequestCorrection),
        LetterKind::Extension => Some(StepKind::Extend),
        LetterKind::Consultation => Some(StepKind::Consult),
        LetterKind::FeeNotice => Some(StepKind::IssueFeeNotice),
        LetterKind::Reply => Some(StepKind::Reply),
    }
}

/// Whether a letter of this kind needs the office head's sign-off in the organisation.
pub async fn needs_signoff(state: &AppState, org_id: i64, kind: &str) -> Result<bool, AppError> {
    let policy = state.store.office_settings(org_id).await?.signoff;
    Ok(LetterKind::parse(kind).and_then(decision_step).is_some_and(|k| policy.requires(k)))
}

/// Letter kinds that can be drafted for this history, with the step each belongs to.
pub fn available(steps: &[StoredStep]) -> Vec<(LetterKind, Option<&StoredStep>)> {
    LetterKind::ALL
        .iter()
        .filter_map(|k| match source_steps(*k) {
            None => Some((*k, None)),
            Some(kinds) => steps.iter().rev().find(|s| kinds.contains(&s.step.kind())).map(|s| (*k, Some(s))),
        })
        .collect()
}

fn kind_label(kind: &str) -> &'static str {
    LetterKind::parse(kind).map(|k| k.label()).unwrap_or("文书")
}

/// Letters for the case page.
pub fn letters_ctx(letters: &[Letter]) -> Vec<Value> {
    letters
        .iter()
        .map(|l| {
            let status = LetterStatus::of(l.signed_off_at.is_some(), l.issued_at.is_some());
            context! {
                id => l.id, kind => kind_label(&l.kind), title => l.title, version => l.version,
                issued => l.issued_at.map(crate::applications::cases::local_date), step_seq => l.step_seq,
                doc_number => l.doc_number, status => status.as_str(), status_label => status.label(),
                held => l.pending_step.as_ref().map(|s| s.kind().label()),
            }
        })
        .collect()
}

/// Draft the text of a letter of `kind` for the case, from `step` (the recorded or
/// the held step). `Err(message)` when the letter cannot be drafted.
pub async fn draft_text(state: &AppState, app: &StoredApplication, steps: &[StoredStep], kind: LetterKind, step: Option<Step>, extra: Option<String>) -> Result<Result<gongkai_letters::LetterDraft, String>, AppError> {
    let org = state.store.org(app.org_id).await?.ok_or(AppError::NotFound)?;
    let case = crate::applications::cases::replay(state, app, steps)?;
    let clock = case.clock(&state.calendar(), &ClockConfig::default(), today());
    let ctx = LetterContext {
        org_name: org.name.clone(),
        office: org.office.clone(),
        tracking_code: app.tracking_code.clone(),
        applicant_name: app.applicant_name.clone(),
        applicant_kind: app.applicant,
        description: app.description.clone(),
        submitted_on: app.submitted_on,
        received: app.received,
        reply_due: clock.due,
        issue_date: today(),
        step,
        extra,
    };
    Ok(gongkai_letters::draft(kind, &ctx).map_err(|e| format!("无法生成{}：{e}", kind.label())))
}

async fn load_app(state: &AppState, staff: &Staff, id: i64) -> Result<(StoredApplication, Vec<StoredStep>), AppError> {
    let app = state.store.application(id).await?.ok_or(AppError::NotFound)?;
    if !staff.can_access_org(app.org_id) {
        return Err(AppError::Forbidden("该申请不属于您所在的机关".into()));
    }
    let steps = state.store.application_steps(app.id).await?;
    Ok((app, steps))
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    extra: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn create(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CreateForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (app, steps) = load_app(&state, &staff, id).await?;
    if app.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能为本机关的申请出具文书".into()));
    }
    let back = |m: &str| Redirect::to(&format!("/admin/applications/{}?msg={}", app.id, crate::util::url_encode(m))).into_response();
    let Some(kind) = LetterKind::parse(form.kind.trim()) else { return Ok(back("请选择文书种类")) };
    let Some((_, source)) = available(&steps).into_iter().find(|(k, _)| *k == kind) else {
        return Ok(back(&format!("尚未办理相应步骤，不能出具{}", kind.label())));
    };
    let extra = form.extra.trim();
    if extra.chars().count() > 2000 {
        return Ok(back("补充说明不能超过 2000 字"));
    }
    let draft = match draft_text(&state, &app, &steps, kind, source.map(|s| s.step.clone()), (!extra.is_empty()).then(|| extra.to_string())).await? {
        Ok(d) => d,
        Err(m) => return Ok(back(&m)),
    };
    let letter = staff
        .audited(&state, "letter.draft", "letter:{id}", &draft.title)
        .create_letter(app.id, kind.as_str(), source.map(|s| s.seq), &draft.title, &gongkai_letters::to_html(&draft), Some(staff.user.id), Utc::now())
        .await?;
    if needs_signoff(&state, app.org_id, &letter.kind).await? {
        crate::notify::letter_awaiting_signoff(&state, &letter, &app).await;
    }
    Ok(Redirect::to(&format!("/admin/letters/{}", letter.id)).into_response())
}

async fn load_letter(state: &AppState, staff: &Staff, id: &str) -> Result<(Letter, StoredApplication, gongkai_domain::model::Organisation), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let letter = state.store.letter(id).await?.ok_or(AppError::NotFound)?;
    let app = state.store.application(letter.application_id).await?.ok_or(AppError::NotFound)?;
    if !staff.can_access_org(app.org_id) {
        return Err(AppError::Forbidden("该文书不属于您所在的机关".into()));
    }
    let org = state.store.org(app.org_id).await?.ok_or(AppError::NotFound)?;
    Ok((letter, app, org))
}

/// The date printed on a letter: its issue date, or today for a draft.
fn letter_date(letter: &Letter) -> chrono::NaiveDate {
    letter
        .issued_at
        .map(|t| t.with_timezone(&crate::util::cst()).date_naive())
        .unwrap_or_else(today)
}

/// What staff see and edit in place of the applicant's name: the letter page never shows
/// the full name (like the case page), and saving puts the name back.
pub const NAME_PLACEHOLDER: &str = "【申请人姓名】";

/// The letter text with the applicant's name replaced by [`NAME_PLACEHOLDER`] (names of
/// one character, and texts that already hold the placeholder, are left as they are, so
/// the replacement can always be undone exactly).
pub fn hide_name(text: &str, name: &str) -> String {
    let name = name.trim();
    if name.chars().count() < 2 || text.contains(NAME_PLACEHOLDER) {
        return text.to_owned();
    }
    text.replace(name, NAME_PLACEHOLDER)
}

/// Undo [`hide_name`] on text coming back from the edit form.
pub fn restore_name(text: &str, name: &str) -> String {
    let name = name.trim();
    if name.chars().count() < 2 {
        return text.to_owned();
    }
    text.replace(NAME_PLACEHOLDER, name)
}

#[allow(clippy::too_many_arguments)]
async fn letter_page(state: &AppState, staff: &Staff, letter: &Letter, app: &StoredApplication, org: &gongkai_domain::model::Organisation, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    // The applicant's name is masked in the preview and a placeholder in the edit box.
    let masked = crate::applications::apply::mask_name(&app.applicant_name);
    let paragraphs: Vec<String> = gongkai_letters::paragraphs_from_html(&letter.body_html).iter().map(|p| hide_name(p, &app.applicant_name)).collect();
    let preview: Vec<String> = paragraphs.iter().map(|p| p.replace(NAME_PLACEHOLDER, &masked)).collect();
    let fragment = gongkai_letters::LetterDocument::new(&letter.title, &preview, &org.name, letter_date(letter), &org.office)
        .with_doc_number(letter.doc_number.as_deref())
        .html_fragment();
    let letter_status = LetterStatus::of(letter.signed_off_at.is_some(), letter.issued_at.is_some());
    let needs = needs_signoff(state, app.org_id, &letter.kind).await?;
    let signer = match letter.signed_off_by {
        Some(id) => state.store.signer_name(id).await?,
        None => None,
    };
    let held = letter.pending_step.as_ref().map(|s| format!("{}（{}）", s.kind().label(), crate::applications::cases::step_summary(s)));
    render::page_with_status(
        status,
        "admin_letter.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err,
            letter => context! {
                id => letter.id, kind => kind_label(&letter.kind), title => letter.title, version => letter.version,
                issued => letter.issued_at.map(crate::applications::cases::local_date), doc_number => letter.doc_number,
                status => letter_status.as_str(), status_label => letter_status.label(), needs_signoff => needs, held,
                signed_off => letter.signed_off_at.map(crate::applications::cases::local_date), signer,
            },
            may_sign => staff.is(Role::OfficeHead),
            text => paragraphs.join("\n\n"), name_placeholder => NAME_PLACEHOLDER,
            fragment => Value::from_safe_string(fragment),
            app => context! { id => app.id, code => app.tracking_code },
        },
    )
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

async fn view(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, axum::extract::Query(q): axum::extract::Query<MsgQuery>) -> Result<Response, AppError> {
    let (letter, app, org) = load_letter(&state, &staff, &id).await?;
    // A letter is the applicant's personal data: every view is on the record.
    staff.audit(&state, "letter.view", &format!("letter:{}", letter.id), &letter.title, true).await?;
    letter_page(&state, &staff, &letter, &app, &org, q.msg.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct UpdateForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn paragraphs_to_html(text: &str) -> String {
    let paragraphs: Vec<String> = text.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect();
    gongkai_letters::to_html(&gongkai_letters::LetterDraft { kind: LetterKind::Receipt, title: String::new(), paragraphs })
}

async fn update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<UpdateForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let (letter, app, org) = load_letter(&state, &staff, &id).await?;
    if app.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能处理本机关的文书".into()));
    }
    let go = |id: i64, m: &str| Redirect::to(&format!("/admin/letters/{id}?msg={}", crate::util::url_encode(m))).into_response();
    match form.op.as_str() {
        "save" => {
            let title = form.title.trim();
            if title.is_empty() || title.chars().count() > 100 || form.text.trim().is_empty() || form.text.len() > 200_000 {
                return letter_page(&state, &staff, &letter, &app, &org, None, Some("标题（不超过 100 字）和正文不能为空"), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            let text = restore_name(&form.text, &app.applicant_name);
            match staff.audited(&state, "letter.edit", &format!("letter:{}", letter.id), title).update_letter_draft(letter.id, title, &paragraphs_to_html(&text)).await {
                Ok(l) => {
                    Ok(go(l.id, "已保存"))
                }
                Err(gongkai_store::StoreError::Conflict { message, .. }) => letter_page(&state, &staff, &letter, &app, &org, None, Some(&message), StatusCode::CONFLICT).await,
                Err(e) => Err(e.into()),
            }
        }
        "signoff" => {
            let status = LetterStatus::of(letter.signed_off_at.is_some(), letter.issued_at.is_some());
            if let Err(e) = signoff::check_signoff(&staff.user, status) {
                staff.audit(&state, "letter.signoff", &format!("letter:{}", letter.id), &e.to_string(), false).await?;
                let code = if matches!(e, signoff::SignoffError::NotOfficeHead | signoff::SignoffError::Disabled) { StatusCode::FORBIDDEN } else { StatusCode::CONFLICT };
                return letter_page(&state, &staff, &letter, &app, &org, None, Some(&e.to_string()), code).await;
            }
            match staff.audited(&state, "letter.signoff", &format!("letter:{}", letter.id), &letter.title).sign_off_letter(letter.id, staff.user.id, Utc::now()).await {
                Ok(l) => {
                    Ok(go(l.id, "已签发，可以出具"))
                }
                Err(gongkai_store::StoreError::Conflict { message, .. }) => letter_page(&state, &staff, &letter, &app, &org, None, Some(&message), StatusCode::CONFLICT).await,
                Err(e) => Err(e.into()),
            }
        }
        "issue" => issue(&state, &staff, &letter, &app, &org).await,
        "new_version" => {
            let l = staff
                .audited(&state, "letter.new_version", "letter:{id}", &letter.title)
                .create_letter(app.id, &letter.kind, letter.step_seq, &letter.title, &letter.body_html, Some(staff.user.id), Utc::now())
                .await?;
            Ok(go(l.id, &format!("已生成第 {} 版草稿", l.version)))
        }
        other => Err(AppError::BadRequest(format!("操作“{other}”不存在"))),
    }
}

/// Issue a letter: refused before sign-off where required; the held step (if any) is
/// checked again against the case as it is now, dated today and, for an extension,
/// approved by the signer; then recorded together with the 文书编号 in one transaction.
async fn issue(state: &AppState, staff: &Staff, letter: &Letter, app: &StoredApplication, org: &gongkai_domain::model::Organisation) -> Result<Response, AppError> {
    let settings = state.store.office_settings(app.org_id).await?;
    let needs = needs_signoff(state, app.org_id, &letter.kind).await?;
    let status = LetterStatus::of(letter.signed_off_at.is_some(), letter.issued_at.is_some());
    if let Err(e) = signoff::check_issue(status, needs) {
        staff.audit(state, "letter.issue", &format!("letter:{}", letter.id), &e.to_string(), false).await?;
        return letter_page(state, staff, letter, app, org, None, Some(&e.to_string()), StatusCode::CONFLICT).await;
    }
    let today = today();
    let held = match &letter.pending_step {
        None => None,
        Some(pending) => {
            let steps = state.store.application_steps(app.id).await?;
            let mut case = crate::applications::cases::replay(state, app, &steps)?;
            let step = signoff::step_on_issue(pending, today, letter.signed_off_by);
            if let Err(e) = case.apply(&step, &state.calendar(), &ClockConfig::default()) {
                let m = format!("不能出具：{e}");
                staff.audit(state, "letter.issue", &format!("letter:{}", letter.id), &m, false).await?;
                return letter_page(state, staff, letter, app, org, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Some(HeldStep { expected_seq: steps.len() as i64, step, state_after: case.state, handler_id: case.handler_id, note: String::new() })
        }
    };
    let req = IssueLetter {
        letter_id: letter.id,
        issued_by: staff.user.id,
        at: Utc::now(),
        require_signoff: needs,
        org_id: app.org_id,
        year: chrono::Datelike::year(&today),
        pattern: settings.doc_number_pattern.clone(),
        step: held.clone(),
    };
    match state.store.issue_letter_numbered(&req).await {
        Ok(l) => {
            let detail = format!("{} {}", l.doc_number.clone().unwrap_or_default(), l.title);
            staff.audit(state, "letter.issue", &format!("letter:{}", l.id), &detail, true).await?;
            crate::notify::letter_issued(state, &l).await;
            if let Some(h) = &held {
                staff.audit(state, &format!("application.{}", signoff::step_code(h.step.kind())), &format!("application:{}", app.id), &crate::applications::cases::step_summary(&h.step), true).await?;
            }
            let mut msg = format!("已出具，文书编号 {}，文书已锁定", l.doc_number.clone().unwrap_or_default());
            if let Some(h) = &held {
                msg.push_str(&format!("；已记录办理步骤“{}”", h.step.kind().label()));
            }
            Ok(Redirect::to(&format!("/admin/letters/{}?msg={}", l.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(gongkai_store::StoreError::Conflict { message, .. }) => letter_page(state, staff, letter, app, org, None, Some(&message), StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

async fn docx(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let (letter, _app, org) = load_letter(&state, &staff, &id).await?;
    // The document to send carries the full name; each download is on the record.
    staff.audit(&state, "letter.download", &format!("letter:{}", letter.id), &letter.title, true).await?;
    let paragraphs = gongkai_letters::paragraphs_from_html(&letter.body_html);
    // The 文书编号 goes under the letterhead, as GB/T 9704 places it.
    let bytes = gongkai_letters::LetterDocument::new(&letter.title, &paragraphs, &org.name, letter_date(&letter), &org.office)
        .with_doc_number(letter.doc_number.as_deref())
        .docx()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}-第{}版.docx", letter.title, letter.version);
    let disposition = format!("attachment; filename=\"letter-{}.docx\"; filename*=UTF-8''{}", letter.id, crate::util::url_encode(&name));
    let mut res = bytes.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    if let Ok(v) = header::HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_hidden_and_restored_exactly() {
        let text = "王小明：\n您于2024年3月1日提出的申请……王小明可来领取。";
        let hidden = hide_name(text, "王小明");
        assert!(!hidden.contains("王小明"));
        assert_eq!(hidden.matches(NAME_PLACEHOLDER).count(), 2);
        assert_eq!(restore_name(&hidden, "王小明"), text);
        // One-character names and texts already holding the placeholder stay as they are.
        assert_eq!(hide_name("王：你好", "王"), "王：你好");
        let odd = format!("{NAME_PLACEHOLDER}王小明");
        assert_eq!(hide_name(&odd, "王小明"), odd);
    }
}
