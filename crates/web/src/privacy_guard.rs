//! The personal-data guard at every door to the public (issue 12 (a)).
//!
//! Before an item (title, body and the text of its DOCX/PDF/XLSX/text
//! attachments), a consultation answer or an annual report is published, the
//! text is scanned with [`gongkai_domain::privacy::scan`]. Each finding is shown
//! at its place on `/admin/privacy/review?subject=…`; publishing is refused
//! until the text is corrected or a reviewer (审核人) of the owning
//! organisation acknowledges the finding with a reason (audited).
//! `/admin/privacy` scans everything already published in the user's scope (a
//! district administrator: all units below) and links to each finding.
//!
//! Acknowledgements store a keyed hash of the value, never the value.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::model::{Item, ItemStatus, Role};
use gongkai_domain::privacy::{self, Finding, FindingKind};
use gongkai_store::{ConsultationQuery, ItemOrder, ItemQuery, NewPrivacyAck, Store};
use minijinja::{context, Value};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Staff;
use crate::error::AppError;
use crate::{render, AppState};

/// Routes of the personal-data guard (back office).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/privacy", get(scan_page))
        .route("/admin/privacy/review", get(review_page))
        .route("/admin/privacy/ack", post(acknowledge))
}

/// What is about to be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Item(i64),
    Consultation(i64),
    Report(i64),
}

impl Subject {
    pub fn key(self) -> String {
        match self {
            Subject::Item(id) => format!("item:{id}"),
            Subject::Consultation(id) => format!("consultation:{id}"),
            Subject::Report(id) => format!("report:{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<Subject> {
        let (kind, id) = s.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "item" => Some(Subject::Item(id)),
            "consultation" => Some(Subject::Consultation(id)),
            "report" => Some(Subject::Report(id)),
            _ => None,
        }
    }

    /// Back-office page of the subject.
    fn admin_link(self) -> String {
        match self {
            Subject::Item(id) => format!("/admin/items/{id}"),
            Subject::Consultation(id) => format!("/admin/consultations/{id}"),
            Subject::Report(id) => format!("/admin/reports/{id}"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Subject::Item(_) => "信息",
            Subject::Consultation(_) => "咨询答复",
            Subject::Report(_) => "年度报告",
        }
    }
}

/// One piece of text of a subject: `标题`, `正文`, `附件“通知.docx”`.
#[derive(Debug, Clone)]
pub struct Section {
    pub label: String,
    pub text: String,
    /// Why the text could not be read (the reviewer must then look at it).
    pub unreadable: Option<String>,
}

/// A subject with its owner, title and text.
pub struct Scanned {
    pub subject: Subject,
    pub org_id: i64,
    pub title: String,
    pub sections: Vec<Section>,
}

/// A finding with where it is and whether it was acknowledged.
pub struct Located {
    pub section: usize,
    pub finding: Finding,
    pub line: usize,
    pub hash: String,
    pub acknowledged: Option<String>,
}

/// Keyed hash of a finding (SHA-256 over the subject, kind and normalised
/// value): the acknowledgement table never holds the value.
fn finding_hash(subject: Subject, f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(b"gongkai-privacy-ack\0");
    h.update(subject.key().as_bytes());
    h.update([0]);
    h.update(f.kind.as_str().as_bytes());
    h.update([0]);
    h.update(f.normalised().as_bytes());
    hex::encode(h.finalize())
}

/// The text of an attachment, by its type; `Err` with a Chinese reason when unreadable,
/// `Ok(None)` for files without text (images).
pub fn attachment_text(filename: &str, content_type: &str, bytes: &[u8]) -> Result<Option<String>, String> {
    let lower = filename.to_lowercase();
    if lower.ends_with(".xlsx") || content_type.contains("spreadsheetml") {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| format!("无法读取 Excel 文件：{e}"))?;
        let mut out = String::new();
        for (_, range) in book.worksheets() {
            for row in range.rows() {
                let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
        }
        return Ok(Some(out));
    }
    let textual = [".docx", ".pdf", ".txt", ".csv", ".htm", ".html", ".md"].iter().any(|e| lower.ends_with(e))
        || content_type.starts_with("text/")
        || content_type.contains("pdf")
        || content_type.contains("wordprocessingml");
    if !textual {
        return Ok(None);
    }
    gongkai_checker::decode_bytes(bytes, Some(filename)).map(|d| Some(d.text)).map_err(|e| e.to_string())
}

fn section(label: impl Into<String>, text: impl Into<String>) -> Section {
    Section { label: label.into(), text: text.into(), unreadable: None }
}

async fn item_sections(store: &Store, item: &Item) -> Result<Vec<Section>, AppError> {
    let mut out = vec![section("标题", item.fields.title.clone()), section("正文", gongkai_checker::html_to_text(&item.fields.body_html))];
    for a in store.attachments(item.id).await? {
        let Some(bytes) = store.attachment_content(a.id).await? else { continue };
        let label = format!("附件“{}”", a.filename);
        match attachment_text(&a.filename, &a.content_type, &bytes) {
            Ok(Some(text)) => out.push(section(label, text)),
            Ok(None) => {}
            Err(why) => out.push(Section { label, text: String::new(), unreadable: Some(why) }),
        }
    }
    Ok(out)
}

fn json_strings(v: &serde_json::Value, path: &str, out: &mut Vec<Section>) {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => out.push(section(format!("报告内容（{path}）"), s.clone())),
        serde_json::Value::Array(xs) => xs.iter().enumerate().for_each(|(i, x)| json_strings(x, &format!("{path}[{}]", i + 1), out)),
        serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| json_strings(x, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out)),
        _ => {}
    }
}

/// Load a subject and its text. `Ok(None)` when it does not exist.
pub async fn load(store: &Store, subject: Subject) -> Result<Option<Scanned>, AppError> {
    Ok(match subject {
        Subject::Item(id) => match store.item(id).await? {
            Some(item) => Some(Scanned { subject, org_id: item.org_id, title: item.fields.title.clone(), sections: item_sections(store, &item).await? }),
            None => None,
        },
        Subject::Consultation(id) => store.consultation(id).await?.map(|c| Scanned {
            subject,
            org_id: c.org_id,
            title: c.subject.clone(),
            sections: vec![section("咨询标题", c.subject.clone()), section("咨询内容", c.question.clone()), section("答复", c.answer.clone())],
        }),
        Subject::Report(id) => match store.report(id).await? {
            Some(r) => {
                let mut sections = Vec::new();
                let json = serde_json::to_value(&r.content).map_err(|e| AppError::Internal(format!("report json: {e}")))?;
                json_strings(&json, "", &mut sections);
                Some(Scanned { subject, org_id: r.org_id, title: format!("{}年度报告", r.year), sections })
            }
            None => None,
        },
    })
}

/// Scan a loaded subject and mark the acknowledged findings.
pub async fn findings(store: &Store, scanned: &Scanned) -> Result<Vec<Located>, AppError> {
    let acks = store.privacy_acks(&scanned.subject.key()).await?;
    let mut out = Vec::new();
    for (i, s) in scanned.sections.iter().enumerate() {
        for f in privacy::scan(&s.text) {
            let hash = finding_hash(scanned.subject, &f);
            let acknowledged = acks.iter().find(|a| a.kind == f.kind.as_str() && a.value_hash == hash).map(|a| a.reason.clone());
            let line = s.text.chars().take(f.start).filter(|c| *c == '\n').count() + 1;
            out.push(Located { section: i, finding: f, line, hash, acknowledged });
        }
    }
    Ok(out)
}

/// The publish gate: `Ok(None)` when nothing unacknowledged was found, else a
/// redirect to the review page (the refusal is audited). Call it right before
/// publishing.
pub async fn gate(state: &AppState, staff: &Staff, subject: Subject) -> Result<Option<Response>, AppError> {
    let Some(scanned) = load(&state.store, subject).await? else { return Ok(None) };
    let open: Vec<Located> = findings(&state.store, &scanned).await?.into_iter().filter(|l| l.acknowledged.is_none()).collect();
    let unreadable = scanned.sections.iter().filter(|s| s.unreadable.is_some()).count();
    if open.is_empty() {
        return Ok(None);
    }
    let kinds: Vec<&str> = open.iter().map(|l| l.finding.kind.label()).collect();
    staff
        .audit(state, "privacy.blocked", &subject.key(), &format!("发现{}处个人信息未处理（{}）；无法读取的附件{}个", open.len(), dedup(kinds).join("、"), unreadable), false)
        .await?;
    Ok(Some(Redirect::to(&format!("/admin/privacy/review?subject={}&blocked=1", subject.key())).into_response()))
}

/// Publishing a consultation answer needs a reviewer (审核人) and a text free of
/// unacknowledged personal data. Unpublishing is always allowed.
pub async fn gate_consultation(state: &AppState, staff: &Staff, id: i64, on: bool) -> Result<Option<Response>, AppError> {
    if !on {
        return Ok(None);
    }
    let subject = Subject::Consultation(id);
    if !staff.is(Role::Reviewer) {
        staff.audit(state, "consultation.publish", &subject.key(), "公开咨询问答需要审核人", false).await?;
        return Err(AppError::Forbidden("公开咨询问答需要“审核人”角色：请答复后交由审核人审核公开".into()));
    }
    gate(state, staff, subject).await
}

/// Whether an answer being saved with “答复并公开” may be published at once:
/// only by a reviewer and only when the question and the new answer hold no
/// unacknowledged personal data. Otherwise the answer is saved unpublished
/// (the refusal is audited) and publishing goes through [`gate_consultation`].
pub async fn may_publish_answer(state: &AppState, staff: &Staff, c: &gongkai_store::Consultation, answer: &str) -> Result<bool, AppError> {
    let subject = Subject::Consultation(c.id);
    if !staff.is(Role::Reviewer) {
        staff.audit(state, "consultation.publish", &subject.key(), "公开咨询问答需要审核人，已仅保存答复", false).await?;
        return Ok(false);
    }
    let scanned = Scanned {
        subject,
        org_id: c.org_id,
        title: c.subject.clone(),
        sections: vec![section("咨询标题", c.subject.clone()), section("咨询内容", c.question.clone()), section("答复", answer.to_string())],
    };
    let open = findings(&state.store, &scanned).await?.iter().filter(|l| l.acknowledged.is_none()).count();
    if open > 0 {
        staff.audit(state, "privacy.blocked", &subject.key(), &format!("发现{open}处个人信息未处理，已仅保存答复"), false).await?;
    }
    Ok(open == 0)
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Mask personal data in text shown to the public (consultation questions and answers).
pub fn mask_public(text: &str) -> String {
    privacy::mask_text(text)
}

#[derive(Deserialize)]
struct ReviewQuery {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    blocked: Option<String>,
    #[serde(default)]
    msg: Option<String>,
}

fn may_see(staff: &Staff, org_id: i64) -> bool {
    staff.can_access_org(org_id)
}

async fn review_page(State(state): State<AppState>, staff: Staff, Query(q): Query<ReviewQuery>) -> Result<Response, AppError> {
    let subject = Subject::parse(&q.subject).ok_or_else(|| AppError::BadRequest("要检查的对象格式有误".into()))?;
    let scanned = load(&state.store, subject).await?.ok_or(AppError::NotFound)?;
    if !may_see(&staff, scanned.org_id) {
        staff.audit(&state, "privacy.review", &subject.key(), "无权查看", false).await?;
        return Err(AppError::Forbidden("该对象不属于您所在的机关".into()));
    }
    render_review(&state, &staff, &scanned, q.blocked.is_some(), q.msg.as_deref(), StatusCode::OK).await
}

async fn render_review(state: &AppState, staff: &Staff, scanned: &Scanned, blocked: bool, msg: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let located = findings(&state.store, scanned).await?;
    let can_ack = staff.is(Role::Reviewer) && scanned.org_id == staff.user.org_id;
    let rows: Vec<Value> = located
        .iter()
        .map(|l| {
            let s = &scanned.sections[l.section];
            context! {
                section => s.label, line => l.line, position => l.finding.start + 1,
                kind => l.finding.kind.as_str(), kind_label => l.finding.kind.label(),
                masked => l.finding.masked(), excerpt => l.finding.excerpt(&s.text, 16),
                hash => l.hash, acknowledged => l.acknowledged,
            }
        })
        .collect();
    let unreadable: Vec<Value> = scanned.sections.iter().filter_map(|s| s.unreadable.as_ref().map(|w| context! { label => s.label, why => w })).collect();
    let open = located.iter().filter(|l| l.acknowledged.is_none()).count();
    render::page_with_status(
        status,
        "admin_privacy_review.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            subject => scanned.subject.key(), subject_label => scanned.subject.label(), title => scanned.title,
            link => scanned.subject.admin_link(), rows, unreadable, open, blocked, msg, can_ack,
        },
    )
}

#[derive(Deserialize)]
struct AckForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    hash: String,
    #[serde(default)]
    reason: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn acknowledge(State(state): State<AppState>, staff: Staff, Form(form): Form<AckForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let subject = Subject::parse(&form.subject).ok_or_else(|| AppError::BadRequest("要检查的对象格式有误".into()))?;
    let scanned = load(&state.store, subject).await?.ok_or(AppError::NotFound)?;
    if !staff.is(Role::Reviewer) || scanned.org_id != staff.user.org_id {
        staff.audit(&state, "privacy.acknowledge", &subject.key(), "无审核权限", false).await?;
        return Err(AppError::Forbidden("只有本机关的审核人可以确认个人信息可以公开".into()));
    }
    let kind = FindingKind::parse(&form.kind).ok_or_else(|| AppError::BadRequest("个人信息类型有误".into()))?;
    let located = findings(&state.store, &scanned).await?;
    let Some(found) = located.iter().find(|l| l.finding.kind == kind && l.hash == form.hash) else {
        return render_review(&state, &staff, &scanned, false, Some("该处个人信息已不在文本中，无需确认"), StatusCode::CONFLICT).await;
    };
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return render_review(&state, &staff, &scanned, false, Some("请填写确认理由（不超过 500 字），例如“机关办公电话，依法公开”"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let masked = found.finding.masked();
    staff
        .audited(&state, "privacy.acknowledge", &subject.key(), &format!("{} {}：{}", kind.label(), masked, reason))
        .add_privacy_ack(&NewPrivacyAck {
            org_id: scanned.org_id,
            subject: subject.key(),
            kind: kind.as_str().into(),
            value_hash: found.hash.clone(),
            masked: masked.clone(),
            reason: reason.into(),
            user_id: staff.user.id,
            at: Utc::now(),
        })
        .await?;
    Ok(Redirect::to(&format!("/admin/privacy/review?subject={}&msg={}", subject.key(), crate::util::url_encode("已确认该处可以公开"))).into_response())
}

/// Everything published in the given organisations, scanned.
pub async fn scan_published(store: &Store, org_ids: &[i64]) -> Result<Vec<(Scanned, Vec<Located>)>, AppError> {
    let mut out = Vec::new();
    let mut subjects = Vec::new();
    let items = store
        .list_items(&ItemQuery { org_ids: org_ids.to_vec(), statuses: vec![ItemStatus::Published], order: ItemOrder::default(), limit: 0, ..Default::default() })
        .await?;
    subjects.extend(items.items.iter().map(|i| Subject::Item(i.id)));
    let consultations = store.consultations(&ConsultationQuery { org_ids: org_ids.to_vec(), published_only: true, limit: 0, ..Default::default() }).await?;
    subjects.extend(consultations.items.iter().map(|c| Subject::Consultation(c.id)));
    for r in store.reports(org_ids).await? {
        if r.published_on.is_some() {
            subjects.push(Subject::Report(r.id));
        }
    }
    for subject in subjects {
        if let Some(scanned) = load(store, subject).await? {
            let found = findings(store, &scanned).await?;
            if !found.is_empty() || scanned.sections.iter().any(|s| s.unreadable.is_some()) {
                out.push((scanned, found));
            }
        }
    }
    Ok(out)
}

async fn scan_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let scope: Vec<i64> = if staff.is(Role::Admin) { staff.scope.clone() } else { vec![staff.user.org_id] };
    let results = scan_published(&state.store, &scope).await?;
    let orgs = state.store.orgs().await?;
    let org_name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
    let rows: Vec<Value> = results
        .iter()
        .map(|(s, found)| {
            let open = found.iter().filter(|l| l.acknowledged.is_none()).count();
            let kinds = dedup(found.iter().filter(|l| l.acknowledged.is_none()).map(|l| l.finding.kind.label()).collect());
            context! {
                subject => s.subject.key(), label => s.subject.label(), title => s.title, org => org_name(s.org_id),
                link => s.subject.admin_link(), open, acknowledged => found.len() - open, kinds => kinds.join("、"),
                unreadable => s.sections.iter().filter(|x| x.unreadable.is_some()).count(),
            }
        })
        .collect();
    staff.audit(&state, "privacy.scan", "published", &format!("{}个机关，{}个对象有发现", scope.len(), rows.len()), true).await?;
    render::page("admin_privacy.html", context! { staff => staff.ctx(), site_name => state.config.site_name, rows, orgs => scope.len() })
}
