//! E-mail notifications (issue 14). Events queue messages in the outbox (a
//! quick insert inside the request, never a network call); a background sender
//! delivers them over SMTP (STARTTLS, implicit TLS or, on a trusted local
//! relay, plain) with retries and backoff. Staff hear of new applications and
//! consultations and get a daily digest of cases due soon and overdue and of
//! items waiting for review; applicants who gave an e-mail address get their
//! receipt and each issued letter (DOCX attached), including the reply.
//! Messages are in Chinese; staff messages carry no applicant data, only the
//! 查询码 and a link into the back office.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, Timelike, Utc};
use gongkai_domain::application::{Application, ClockConfig};
use gongkai_domain::model::{ItemStatus, Role};
use gongkai_store::{Consultation, Letter, NewMessage, OutboxMessage, StoredApplication, Store};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::context;
use serde::Deserialize;

use crate::auth::Staff;
use crate::error::AppError;
use crate::{render, AppState};

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// STARTTLS required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a trusted network.
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s.trim() {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }
}

/// SMTP settings of the installation.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    /// The sender, e.g. `清城区政务公开 <gk@example.gov.cn>`.
    pub from: String,
    /// Extra CA certificates (PEM) to trust for the SMTP server.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// First retry after this long; each further retry waits five times longer.
    pub retry_base: Duration,
    /// Attempts before a message is given up as failed.
    pub max_attempts: i64,
    /// Local hour (China Standard Time) after which the daily digest is queued.
    pub digest_hour: u32,
}

static ENABLED: OnceLock<bool> = OnceLock::new();

/// Whether this process sends e-mail (set once at start-up by [`start`]).
pub fn enabled() -> bool {
    ENABLED.get().copied().unwrap_or(false)
}

/// Start the sender and the digest scheduler; from now on events queue messages.
pub fn start(state: &AppState, settings: MailSettings, every: Duration) -> Result<(), String> {
    let from: Mailbox = settings.from.parse().map_err(|e| format!("发件人地址“{}”无效：{e}", settings.from))?;
    let transport = transport(&settings)?;
    let _ = ENABLED.set(true);
    let store = state.store.clone();
    let s = settings.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = send_due(&store, &transport, &from, &s).await {
                tracing::warn!(error = %e, "outbox: cannot read due messages");
            }
            tokio::time::sleep(every).await;
        }
    });
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            let now = Utc::now().with_timezone(&crate::util::cst());
            if now.hour() >= settings.digest_hour {
                if let Err(e) = queue_digests(&state, now.date_naive()).await {
                    tracing::warn!(error = %e, "digest: cannot queue");
                }
            }
            tokio::time::sleep(Duration::from_secs(300).min(every * 60)).await;
        }
    });
    Ok(())
}

fn transport(s: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = || -> Result<TlsParameters, String> {
        let mut b = TlsParameters::builder(s.host.clone());
        if let Some(pem) = &s.extra_ca_pem {
            let cert = lettre::transport::smtp::client::Certificate::from_pem(pem).map_err(|e| format!("CA 证书无效：{e}"))?;
            b = b.add_root_certificate(cert);
        }
        b.build_rustls().map_err(|e| format!("无法建立 TLS 参数：{e}"))
    };
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host).port(s.port).timeout(Some(Duration::from_secs(30)));
    let builder = match s.security {
        Security::StartTls => builder.tls(Tls::Required(tls()?)),
        Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
        Security::None => builder.tls(Tls::None),
    };
    let builder = if s.username.is_empty() { builder } else { builder.credentials(Credentials::new(s.username.clone(), s.password.clone())) };
    Ok(builder.build())
}

fn build_message(from: &Mailbox, m: &OutboxMessage) -> Result<Message, String> {
    let to: Mailbox = m.recipient.parse().map_err(|e| format!("收件人地址无效：{e}"))?;
    let text = Body::new_with_encoding(m.body.clone(), ContentTransferEncoding::Base64).map_err(|_| "正文无法编码".to_string())?;
    let body = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text);
    let builder = Message::builder().from(from.clone()).to(to).subject(m.subject.clone());
    let built = match (&m.attachment_name, &m.attachment_type, &m.attachment) {
        (Some(name), Some(ty), Some(bytes)) => {
            let ct = ContentType::parse(ty).unwrap_or(ContentType::parse("application/octet-stream").map_err(|e| e.to_string())?);
            builder.multipart(MultiPart::mixed().singlepart(body).singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct)))
        }
        _ => builder.singlepart(body),
    };
    built.map_err(|e| format!("邮件无法生成：{e}"))
}

/// Deliver every due message once; returns how many were sent.
pub async fn send_due(store: &Store, transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox, s: &MailSettings) -> Result<usize, gongkai_store::StoreError> {
    let mut sent = 0;
    for m in store.due_messages(Utc::now(), 50).await? {
        let result = match build_message(from, &m) {
            Ok(msg) => transport.send(msg).await.map(|_| ()).map_err(|e| format!("发送失败：{e}")),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                store.mark_message_sent(m.id, Utc::now()).await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let retry_at = (attempts < s.max_attempts).then(|| {
                    let wait = s.retry_base.saturating_mul(5u32.saturating_pow(attempts.clamp(0, 8) as u32 - 1));
                    Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(12))
                });
                tracing::warn!(message = m.id, attempts, error = %e, "outbox: delivery failed");
                store.mark_message_failed(m.id, &e, retry_at).await?;
            }
        }
    }
    Ok(sent)
}

async fn queue(state: &AppState, m: NewMessage) {
    if let Err(e) = state.store.enqueue_message(&m, Utc::now()).await {
        tracing::error!(kind = %m.kind, error = %e, "outbox: cannot queue message");
    }
}

fn admin_link(state: &AppState, path: &str) -> String {
    let base = state.config.public_url.trim_end_matches('/');
    if base.is_empty() {
        format!("（登录后台后打开 {path}）")
    } else {
        format!("{base}{path}")
    }
}

/// Hook: an application was received (online). Never fails the request.
pub async fn application_received(state: &AppState, app: &StoredApplication) {
    if !enabled() {
        return;
    }
    let Ok(Some(org)) = state.store.org(app.org_id).await else { return };
    for p in state.store.notification_recipients(org.id).await.unwrap_or_default().into_iter().filter(|p| p.new_cases) {
        queue(
            state,
            NewMessage {
                org_id: Some(org.id),
                kind: "application.staff".into(),
                recipient: p.email,
                subject: format!("【新申请】{}收到政府信息公开申请 {}", org.name, app.tracking_code),
                body: format!(
                    "{}于 {} 收到一件政府信息公开申请。\n\n查询码：{}\n收到日期：{}\n\n请登录后台办理：{}\n\n（本邮件由系统自动发送，不含申请人个人信息。）\n",
                    org.name,
                    app.received,
                    app.tracking_code,
                    app.received,
                    admin_link(state, &format!("/admin/applications/{}", app.id))
                ),
                ..Default::default()
            },
        )
        .await;
    }
    if app.email.trim().is_empty() {
        return;
    }
    let clock = Application::new(app.applicant, app.channel, app.received).clock(&state.calendar(), &ClockConfig::default(), crate::util::today());
    let due = clock.due.map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day())).unwrap_or_else(|| "依法计算".into());
    queue(
        state,
        NewMessage {
            org_id: Some(org.id),
            kind: "application.receipt".into(),
            recipient: app.email.trim().into(),
            subject: format!("您的政府信息公开申请已收到（查询码 {}）", app.tracking_code),
            body: format!(
                "{}：\n\n{}已于 {} 收到您的政府信息公开申请。\n\n查询码：{}\n答复期限：{}（20个工作日，依法延长或中止的除外）\n\n您可以凭查询码和提交时显示的查询密码在门户“查询办理进度”中查看进展。答复文书出具后将同时发送到本邮箱。\n\n{}\n",
                app.applicant_name,
                org.name,
                app.received,
                app.tracking_code,
                due,
                gongkai_letters::office_contact_line(&org.office)
            ),
            ..Default::default()
        },
    )
    .await;
}

/// Hook: an online consultation (网上咨询) was received.
pub async fn consultation_received(state: &AppState, c: &Consultation) {
    if !enabled() {
        return;
    }
    let Ok(Some(org)) = state.store.org(c.org_id).await else { return };
    for p in state.store.notification_recipients(org.id).await.unwrap_or_default().into_iter().filter(|p| p.new_cases) {
        queue(
            state,
            NewMessage {
                org_id: Some(org.id),
                kind: "consultation.staff".into(),
                recipient: p.email,
                subject: format!("【网上咨询】{}收到新的咨询（第 {} 号）", org.name, c.id),
                body: format!(
                    "{}于 {} 收到一条网上咨询，应在 {} 前答复。\n\n请登录后台办理：{}\n",
                    org.name,
                    c.received,
                    c.due,
                    admin_link(state, &format!("/admin/consultations/{}", c.id))
                ),
                ..Default::default()
            },
        )
        .await;
    }
}

/// Hook: a letter that must be signed off (签发) was drafted: the organisation's office
/// heads who take review notices are told (no applicant data in the mail).
pub async fn letter_awaiting_signoff(state: &AppState, letter: &Letter, app: &StoredApplication) {
    if !enabled() {
        return;
    }
    let Ok(Some(org)) = state.store.org(app.org_id).await else { return };
    for p in state.store.notification_recipients(org.id).await.unwrap_or_default().into_iter().filter(|p| p.review) {
        let Ok(Some(user)) = state.store.user(p.user_id).await else { continue };
        if !user.has_role(gongkai_domain::model::Role::OfficeHead) {
            continue;
        }
        queue(
            state,
            NewMessage {
                org_id: Some(org.id),
                kind: "letter.signoff".into(),
                recipient: p.email,
                subject: format!("【待签发】{}（查询码 {}）", letter.title, app.tracking_code),
                body: format!(
                    "{}有一份文书待您签发：《{}》（申请查询码 {}）。\n\n请登录后台签发：{}\n\n（本邮件由系统自动发送，不含申请人个人信息。）\n",
                    org.name,
                    letter.title,
                    app.tracking_code,
                    admin_link(state, &format!("/admin/letters/{}", letter.id))
                ),
                ..Default::default()
            },
        )
        .await;
    }
}

/// Hook: a letter was issued; the applicant gets it as a DOCX attachment.
pub async fn letter_issued(state: &AppState, letter: &Letter) {
    if !enabled() {
        return;
    }
    let Ok(Some(app)) = state.store.application(letter.application_id).await else { return };
    if app.email.trim().is_empty() {
        return;
    }
    let Ok(Some(org)) = state.store.org(app.org_id).await else { return };
    let date = letter.issued_at.map(|t| t.with_timezone(&crate::util::cst()).date_naive()).unwrap_or_else(crate::util::today);
    let paragraphs = gongkai_letters::paragraphs_from_html(&letter.body_html);
    let docx = match gongkai_letters::to_docx(&letter.title, &paragraphs, &org.name, date, &org.office) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(letter = letter.id, error = %e, "outbox: cannot render letter");
            return;
        }
    };
    let reply = letter.kind == "reply";
    let subject = if reply {
        format!("政府信息公开申请答复（查询码 {}）：{}", app.tracking_code, letter.title)
    } else {
        format!("政府信息公开申请文书（查询码 {}）：{}", app.tracking_code, letter.title)
    };
    queue(
        state,
        NewMessage {
            org_id: Some(org.id),
            kind: if reply { "letter.reply".into() } else { "letter".into() },
            recipient: app.email.trim().into(),
            subject,
            body: format!(
                "{}：\n\n{}就您的政府信息公开申请（查询码 {}）出具了《{}》，见附件。\n\n{}\n",
                app.applicant_name,
                org.name,
                app.tracking_code,
                letter.title,
                gongkai_letters::office_contact_line(&org.office)
            ),
            attachment: Some((format!("{}.docx", letter.title), "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(), docx)),
            ..Default::default()
        },
    )
    .await;
}

/// Queue today's digest for every staff member who wants one and has something
/// to hear about (queued once a day). Returns how many were queued.
pub async fn queue_digests(state: &AppState, today: chrono::NaiveDate) -> Result<usize, AppError> {
    let calendar = state.calendar();
    let mut queued = 0;
    for org in state.store.orgs().await? {
        let recipients = state.store.notification_recipients(org.id).await?;
        if recipients.is_empty() {
            continue;
        }
        let mut due_soon = Vec::new();
        let mut overdue = Vec::new();
        for (app, steps) in state.store.open_applications_with_steps(&[org.id]).await? {
            let Ok(case) = crate::applications::cases::replay(state, &app, &steps) else { continue };
            if !case.state.is_open() {
                continue;
            }
            let clock = case.clock(&calendar, &ClockConfig::default(), today);
            let (Some(due), Some(left)) = (clock.due, clock.working_days_left) else { continue };
            if clock.overdue {
                overdue.push(format!("  {} 应于 {due} 答复，已超期 {} 个工作日", app.tracking_code, -left));
            } else if left <= state.config.reminder_working_days {
                due_soon.push(format!("  {} 应于 {due} 前答复，还剩 {left} 个工作日", app.tracking_code));
            }
        }
        let review: Vec<String> = state
            .store
            .list_items(&gongkai_store::ItemQuery { org_ids: vec![org.id], statuses: vec![ItemStatus::Submitted], limit: 50, ..Default::default() })
            .await?
            .items
            .iter()
            .map(|i| format!("  {}", i.fields.title))
            .collect();
        let users = state.store.users(&[org.id]).await?;
        for p in recipients {
            let Some(user) = users.iter().find(|u| u.id == p.user_id) else { continue };
            let mut sections = Vec::new();
            if p.digest && !overdue.is_empty() {
                sections.push(format!("已超期的申请（{} 件）：\n{}", overdue.len(), overdue.join("\n")));
            }
            if p.digest && !due_soon.is_empty() {
                sections.push(format!("{} 个工作日内到期的申请（{} 件）：\n{}", state.config.reminder_working_days, due_soon.len(), due_soon.join("\n")));
            }
            let reviewer = user.roles.contains(&Role::Reviewer) || user.roles.contains(&Role::Admin);
            if p.review && reviewer && !review.is_empty() {
                sections.push(format!("等待审核的信息（{} 条）：\n{}", review.len(), review.join("\n")));
            }
            if sections.is_empty() {
                continue;
            }
            let m = NewMessage {
                org_id: Some(org.id),
                kind: "digest".into(),
                recipient: p.email.clone(),
                subject: format!("【每日提醒】{} {}：{} 件超期、{} 件即将到期、{} 条待审核", org.name, today, overdue.len(), due_soon.len(), if reviewer && p.review { review.len() } else { 0 }),
                body: format!("{}，您好：\n\n{}\n\n请登录后台处理：{}\n", user.display_name, sections.join("\n\n"), admin_link(state, "/admin")),
                attachment: None,
                dedup_key: Some(format!("digest:{}:{today}", p.user_id)),
            };
            if state.store.enqueue_message(&m, Utc::now()).await?.is_some() {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

// ---- back office: the outbox and one's own preferences ----

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}/retry", post(retry))
        .route("/admin/notifications", get(prefs_page).post(save_prefs))
}

fn status_label(s: &str) -> &'static str {
    match s {
        "sent" => "已发送",
        "failed" => "发送失败（已停止重试）",
        _ => "等待发送",
    }
}

async fn outbox_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let cst = crate::util::cst();
    let rows: Vec<minijinja::Value> = state
        .store
        .outbox(&staff.scope, 200)
        .await?
        .iter()
        .map(|m| {
            context! {
                id => m.id, kind => m.kind, recipient => m.recipient, subject => m.subject,
                status => m.status, status_label => status_label(&m.status), attempts => m.attempts, last_error => m.last_error,
                created => m.created_at.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string(),
                next => m.next_attempt_at.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string(),
                sent => m.sent_at.map(|t| t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string()),
                attachment => m.attachment_name,
            }
        })
        .collect();
    render::page("admin_outbox.html", context! { staff => staff.ctx(), site_name => state.config.site_name, rows, enabled => enabled() })
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn retry(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    staff.check_csrf(&form.csrf)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let m = state.store.outbox_message(id).await?.ok_or(AppError::NotFound)?;
    if !m.org_id.is_some_and(|o| staff.can_access_org(o)) {
        return Err(AppError::Forbidden("该邮件不属于您所在的机关".into()));
    }
    staff.audited(&state, "outbox.retry", &format!("outbox:{id}"), &m.subject).retry_message(id, Utc::now()).await?;
    Ok(Redirect::to("/admin/outbox").into_response())
}

async fn prefs_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let p = state.store.notification_prefs(staff.user.id).await?;
    render::page("admin_notifications.html", context! { staff => staff.ctx(), site_name => state.config.site_name, p, enabled => enabled(), error => Option::<String>::None, saved => false })
}

#[derive(Deserialize)]
struct PrefsForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    email: String,
    new_cases: Option<String>,
    digest: Option<String>,
    review: Option<String>,
}

async fn save_prefs(State(state): State<AppState>, staff: Staff, Form(form): Form<PrefsForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let email = form.email.trim().to_string();
    let p = gongkai_store::NotificationPrefs { user_id: staff.user.id, email: email.clone(), new_cases: form.new_cases.is_some(), digest: form.digest.is_some(), review: form.review.is_some() };
    if !email.is_empty() && (email.len() > 200 || email.parse::<lettre::Address>().is_err()) {
        return render::page_with_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "admin_notifications.html",
            context! { staff => staff.ctx(), site_name => state.config.site_name, p, enabled => enabled(), error => format!("电子邮箱“{email}”格式不正确，例如 name@example.gov.cn"), saved => false },
        );
    }
    state.store.put_notification_prefs(&p).await?;
    render::page("admin_notifications.html", context! { staff => staff.ctx(), site_name => state.config.site_name, p, enabled => enabled(), error => Option::<String>::None, saved => true })
}
