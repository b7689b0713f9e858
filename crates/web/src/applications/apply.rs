//! Applications for disclosure on the public portal: the online form (no
//! account needed), the printable receipt with the 查询码 and its secret, and
//! the applicant's tracking page.
//!
//! No double entry: the form posts, then redirects to the receipt (POST →
//! redirect → GET), so refreshing the receipt creates nothing; the receipt
//! reads the 查询码 and secret from a short-lived cookie scoped to the form's
//! path (never from the URL). An application identical to one from the same
//! applicant within 24 hours shows the existing receipt instead of a new case.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::application::{receipt_date, ApplicantKind, Channel, ClockConfig, OrgType, ReceiptDates};
use gongkai_domain::id_check::{validate_id_document, IdDocumentKind};
use gongkai_store::NewApplication;
use minijinja::{context, Value};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{cookie, random_token, ConnectInfoOpt};
use crate::error::AppError;
use crate::portal::org_ctx;
use crate::security::tokens_equal;
use crate::util::today;
use crate::{render, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/apply", get(form_page).post(submit))
        .route("/org/{slug}/apply/receipt", get(receipt_page))
        .route("/track", get(track_page).post(track))
}

const FORM_COOKIE: &str = "gk_form";
/// The receipt just shown: `查询码.secret` (the secret only in the browser that
/// submitted), scoped to `/org/{slug}/apply`, two hours.
const RECEIPT_COOKIE: &str = "gk_receipt";

/// Forms of provision the applicant may ask for (Art. 29 ¶2(3)).
pub const FORMS: &[(&str, &str)] = &[("paper", "纸质文本"), ("email", "电子邮件"), ("electronic", "电子数据（光盘、U盘等）"), ("on_site", "当场阅览、抄录")];
/// Ways to obtain it.
pub const DELIVERIES: &[(&str, &str)] = &[("post", "邮寄"), ("collection", "自行领取"), ("email", "电子邮件"), ("online", "在线获取")];

pub fn form_label(code: &str) -> &str {
    FORMS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

pub fn delivery_label(code: &str) -> &str {
    DELIVERIES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// SHA-256 hex of a tracking secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// A 查询码 such as `2026-7KQ3M9PX` and an 8-character secret, from an
/// alphabet without look-alike characters.
pub fn new_tracking_code(year: i32) -> (String, String) {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let mut pick = |n: usize| (0..n).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>();
    (format!("{year}-{}", pick(8)), pick(8))
}

/// The online form as submitted.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    pub applicant_type: String,
    #[serde(default)]
    pub org_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_doc_type: String,
    #[serde(default)]
    pub id_doc_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub postal_address: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub form_paper: Option<String>,
    #[serde(default)]
    pub form_email: Option<String>,
    #[serde(default)]
    pub form_electronic: Option<String>,
    #[serde(default)]
    pub form_on_site: Option<String>,
    #[serde(default)]
    pub delivery: String,
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

/// Validated intake data (shared with staff registration).
#[derive(Clone)]
pub struct Intake {
    pub applicant: ApplicantKind,
    pub name: String,
    pub id_doc_type: IdDocumentKind,
    pub id_doc_number: String,
    pub phone: String,
    pub email: String,
    pub postal_address: String,
    pub description: String,
    pub forms: Vec<&'static str>,
    pub delivery: &'static str,
}

/// How and when an application arrived, and who registered it.
pub struct Arrival {
    pub org_id: i64,
    pub channel: Channel,
    pub submitted_on: chrono::NaiveDate,
    pub received: chrono::NaiveDate,
    pub registered_by: Option<i64>,
}

impl Intake {
    /// The record to store, with a fresh 查询码 and the hash of its secret.
    pub fn to_new_application(&self, arrival: &Arrival, tracking_code: String, secret: &str) -> NewApplication {
        NewApplication {
            org_id: arrival.org_id,
            tracking_code,
            secret_hash: secret_hash(secret),
            applicant: self.applicant,
            applicant_name: self.name.clone(),
            id_doc_type: self.id_doc_type.as_str().into(),
            id_doc_number: self.id_doc_number.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            postal_address: self.postal_address.clone(),
            description: self.description.clone(),
            forms: self.forms.join(","),
            delivery: self.delivery.into(),
            channel: arrival.channel,
            submitted_on: arrival.submitted_on,
            received: arrival.received,
            registered_by: arrival.registered_by,
            at: Utc::now(),
        }
    }
}

impl ApplyForm {
    /// Check every field (Art. 29, rule D1); all problems at once, in Chinese.
    pub fn validate(&self) -> Result<Intake, Vec<String>> {
        let mut errors = Vec::new();
        let applicant = match self.applicant_type.as_str() {
            "natural" => Some(ApplicantKind::NaturalPerson),
            "organisation" => match OrgType::parse(self.org_type.trim()) {
                Some(t) => Some(ApplicantKind::Organisation(t)),
                None => {
                    errors.push("请选择法人或其他组织的类型（商业企业、科研机构、社会公益组织、法律服务机构或其他）".to_string());
                    None
                }
            },
            _ => {
                errors.push("请选择申请人类型：自然人，或法人或其他组织".to_string());
                None
            }
        };
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(if self.applicant_type == "organisation" { "名称不能为空".into() } else { "姓名不能为空".into() });
        } else if name.chars().count() > 100 {
            errors.push("姓名或名称不能超过 100 字".into());
        }
        let id_doc_type = IdDocumentKind::parse(self.id_doc_type.trim());
        match id_doc_type {
            None => errors.push("请选择身份证明类型".into()),
            Some(kind) => {
                if let Some(e) = validate_id_document(kind, self.id_doc_number.trim(), today()) {
                    errors.push(e.message);
                }
            }
        }
        let phone = self.phone.trim();
        let email = self.email.trim();
        if phone.is_empty() && email.is_empty() {
            errors.push("联系电话和电子邮箱至少填写一项".into());
        }
        if !phone.is_empty() && (phone.chars().count() > 30 || !phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))) {
            errors.push(format!("联系电话“{phone}”格式有误"));
        }
        if !email.is_empty() && (email.chars().count() > 100 || !email.contains('@') || !email.contains('.')) {
            errors.push(format!("电子邮箱“{email}”格式有误"));
        }
        let description = self.description.trim();
        if description.is_empty() {
            errors.push("请填写所需政府信息的名称、文号或者便于查询的其他特征性描述".into());
        } else if description.chars().count() > 2000 {
            errors.push("所需信息的描述不能超过 2000 字".into());
        }
        let mut forms = Vec::new();
        for (flag, code) in [(&self.form_paper, "paper"), (&self.form_email, "email"), (&self.form_electronic, "electronic"), (&self.form_on_site, "on_site")] {
            if flag.is_some() {
                forms.push(code);
            }
        }
        if forms.is_empty() {
            errors.push("请至少选择一种信息的提供形式".into());
        }
        let delivery = DELIVERIES.iter().find(|(c, _)| *c == self.delivery.trim()).map(|(c, _)| *c);
        if delivery.is_none() {
            errors.push("请选择获取信息的方式".into());
        }
        let postal_address = self.postal_address.trim();
        if delivery == Some("post") && postal_address.is_empty() {
            errors.push("选择邮寄时须填写邮寄地址".into());
        }
        if postal_address.chars().count() > 200 {
            errors.push("邮寄地址不能超过 200 字".into());
        }
        if delivery == Some("email") && email.is_empty() {
            errors.push("选择电子邮件获取时须填写电子邮箱".into());
        }
        match (applicant, id_doc_type, delivery) {
            (Some(applicant), Some(id_doc_type), Some(delivery)) if errors.is_empty() => Ok(Intake {
                applicant,
                name: name.into(),
                id_doc_type,
                id_doc_number: self.id_doc_number.trim().to_uppercase(),
                phone: phone.into(),
                email: email.into(),
                // Collect only what is needed: the address only for delivery by post.
                postal_address: if delivery == "post" { postal_address.into() } else { String::new() },
                description: description.into(),
                forms,
                delivery,
            }),
            _ => Err(errors),
        }
    }
}

fn form_ctx(form: &ApplyForm) -> Value {
    Value::from_serialize(form)
}

/// Choices for the intake form (shared with staff registration).
pub fn choices_ctx() -> Value {
    choices()
}

fn choices() -> Value {
    context! {
        org_types => [OrgType::Commercial, OrgType::Research, OrgType::PublicInterest, OrgType::LegalService, OrgType::Other].iter().map(|t| context! { code => t.as_str(), label => t.label() }).collect::<Vec<_>>(),
        id_types => IdDocumentKind::ALL.iter().map(|k| context! { code => k.as_str(), label => k.label() }).collect::<Vec<_>>(),
        forms => FORMS.iter().map(|(c, l)| context! { code => c, label => l }).collect::<Vec<_>>(),
        deliveries => DELIVERIES.iter().map(|(c, l)| context! { code => c, label => l }).collect::<Vec<_>>(),
    }
}

fn with_form_cookie(state: &AppState, mut res: Response, token: &str) -> Response {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    if let Ok(v) = header::HeaderValue::from_str(&format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200{secure}")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn render_form(state: &AppState, slug: &str, form: &ApplyForm, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let token = random_token();
    let res = render::page_with_status(
        status,
        "portal_apply.html",
        context! { site_name => state.config.site_name, org => org_ctx(&org), form => form_ctx(form), errors, choices => choices(), csrf => token },
    )?;
    Ok(with_form_cookie(state, res, &token))
}

async fn form_page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let form = ApplyForm { applicant_type: "natural".into(), id_doc_type: "id_card".into(), delivery: "email".into(), form_email: Some("1".into()), ..Default::default() };
    render_form(&state, &slug, &form, &[], StatusCode::OK).await
}

async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfoOpt(client): ConnectInfoOpt,
    headers: HeaderMap,
    Form(form): Form<ApplyForm>,
) -> Result<Response, AppError> {
    if !tokens_equal(cookie(&headers, FORM_COOKIE).unwrap_or(""), &form.csrf) {
        return Err(AppError::Csrf);
    }
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let intake = match form.validate() {
        Ok(i) => i,
        Err(errors) => return render_form(&state, &slug, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    // The same applicant asking the same again within 24 hours: show that receipt.
    let now = Utc::now();
    if let Some(existing) = find_resubmission(&state, org.id, &intake, now).await? {
        let res = Redirect::to(&format!("/org/{}/apply/receipt?again=1", org.slug)).into_response();
        // Keep the secret if this browser submitted the first one.
        let known = cookie(&headers, RECEIPT_COOKIE).and_then(|c| c.split_once('.')).filter(|(code, _)| *code == existing.tracking_code).map(|(_, s)| s.to_string());
        return Ok(with_receipt_cookie(&state, res, &org.slug, &existing.tracking_code, known.as_deref().unwrap_or("")));
    }
    state.limiter.hit(&format!("apply:{client}"), state.config.apply_submissions_per_hour, Duration::from_secs(3600))?;
    state.limiter.hit_overall(state.config.submissions_per_hour_all)?;
    let today = today();
    // Online: the system acknowledges at once, so both sides confirm today (Art. 31).
    let received = receipt_date(Channel::Online, &ReceiptDates { submitted: Some(today), signed_for: None, confirmed: Some(today) })
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let arrival = Arrival { org_id: org.id, channel: Channel::Online, submitted_on: today, received, registered_by: None };
    // A 查询码 collision is astronomically rare; try again with a fresh one.
    let mut attempt = 0;
    let (stored, secret) = loop {
        let (code, secret) = new_tracking_code(received.format("%Y").to_string().parse().unwrap_or(2026));
        // The application and its audit entry are stored in one transaction.
        let store = state.store.audited(
            gongkai_store::NewAuditEntry {
                at: Utc::now(),
                actor_id: None,
                actor_name: "申请人（网上）".into(),
                org_id: Some(org.id),
                action: "application.submit".into(),
                target: "application:{id}".into(),
                detail: code.clone(),
                client: client.clone(),
                success: true,
            },
            gongkai_store::AuditContext::default(),
        );
        match store.create_application(&intake.to_new_application(&arrival, code, &secret)).await {
            Ok(a) => break (a, secret),
            Err(gongkai_store::StoreError::Conflict { field: "tracking_code", .. }) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    crate::notify::application_received(&state, &stored).await;
    let res = Redirect::to(&format!("/org/{}/apply/receipt", org.slug)).into_response();
    Ok(with_receipt_cookie(&state, res, &org.slug, &stored.tracking_code, &secret))
}

/// An application of the organisation from the same applicant asking for the same
/// information within the last 24 hours (`gongkai_domain::duplicates`).
pub async fn find_resubmission(state: &AppState, org_id: i64, intake: &Intake, now: chrono::DateTime<Utc>) -> Result<Option<gongkai_store::StoredApplication>, AppError> {
    use gongkai_domain::duplicates::{is_resubmission, Fingerprint, DUPLICATE_WINDOW_HOURS};
    let since = now - chrono::Duration::hours(DUPLICATE_WINDOW_HOURS);
    let new = Fingerprint { org_id, applicant_name: &intake.name, id_doc_number: &intake.id_doc_number, description: &intake.description, at: now };
    let found = state.store.recent_applications_of(org_id, &intake.id_doc_number, since).await?.into_iter().find(|a| {
        let earlier = Fingerprint { org_id: a.org_id, applicant_name: &a.applicant_name, id_doc_number: &a.id_doc_number, description: &a.description, at: a.created_at };
        is_resubmission(&earlier, &new)
    });
    match found {
        Some(a) => Ok(state.store.application(a.id).await?),
        None => Ok(None),
    }
}

fn with_receipt_cookie(state: &AppState, mut res: Response, slug: &str, code: &str, secret: &str) -> Response {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    if let Ok(v) = header::HeaderValue::from_str(&format!("{RECEIPT_COOKIE}={code}.{secret}; Path=/org/{slug}/apply; HttpOnly; SameSite=Strict; Max-Age=7200{secure}")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize, Default)]
struct ReceiptQuery {
    again: Option<String>,
}

/// The receipt after a submission (GET: refreshing it changes nothing).
async fn receipt_page(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap, axum::extract::Query(q): axum::extract::Query<ReceiptQuery>) -> Result<Response, AppError> {
    let org = state.store.org_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let (code, secret) = cookie(&headers, RECEIPT_COOKIE).and_then(|c| c.split_once('.')).map(|(c, s)| (c.to_string(), s.to_string())).unwrap_or_default();
    let found = if code.is_empty() { None } else { state.store.application_by_tracking_code(&code).await? };
    let Some((stored, hash)) = found.filter(|(a, _)| a.org_id == org.id) else {
        return render::page_with_status(StatusCode::NOT_FOUND, "portal_receipt.html", context! { site_name => state.config.site_name, org => org_ctx(&org), expired => true });
    };
    // The secret is shown only to the browser that holds it, and only if it is right.
    let secret = (!secret.is_empty() && tokens_equal(&hash, &secret_hash(&secret))).then_some(secret);
    let steps = state.store.application_steps(stored.id).await?;
    let case = crate::applications::cases::replay(&state, &stored, &steps)?;
    let clock = case.clock(&state.calendar(), &ClockConfig::default(), today());
    render::page(
        "portal_receipt.html",
        context! {
            site_name => state.config.site_name, org => org_ctx(&org),
            code => stored.tracking_code, secret, received => stored.received.to_string(),
            due => clock.due.map(|d| d.to_string()), provisional => clock.provisional,
            description => stored.description, applicant => stored.applicant.label(),
            name => mask_name(&stored.applicant_name),
            forms => stored.forms.split(',').map(form_label).collect::<Vec<_>>().join("、"),
            delivery => delivery_label(&stored.delivery),
            again => q.again.is_some(),
        },
    )
}

/// `张三丰` → `张**`: names on pages the applicant prints are masked.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `440102199001011234` → `4401**********1234`; short values are fully masked.
pub fn mask_middle(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let keep = if chars.len() >= 11 { 4 } else { 2 };
    chars.iter().enumerate().map(|(i, c)| if i < keep || i >= chars.len() - keep { *c } else { '*' }).collect()
}

async fn track_page(State(state): State<AppState>) -> Result<Response, AppError> {
    let token = random_token();
    let res = render::page("portal_track.html", context! { site_name => state.config.site_name, csrf => token })?;
    Ok(with_form_cookie(&state, res, &token))
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

async fn track(State(state): State<AppState>, ConnectInfoOpt(client): ConnectInfoOpt, headers: HeaderMap, Form(form): Form<TrackForm>) -> Result<Response, AppError> {
    if !tokens_equal(cookie(&headers, FORM_COOKIE).unwrap_or(""), &form.csrf) {
        return Err(AppError::Csrf);
    }
    let fail = |state: &AppState, msg: &str, status: StatusCode| -> Result<Response, AppError> {
        let token = random_token();
        let res = render::page_with_status(status, "portal_track.html", context! { site_name => state.config.site_name, csrf => token, error => msg })?;
        Ok(with_form_cookie(state, res, &token))
    };
    let code = form.code.trim().to_uppercase();
    if code.is_empty() || form.secret.trim().is_empty() {
        return fail(&state, "请填写查询码和查询密码", StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Wrong secrets are rate-limited per client address.
    let found = state.store.application_by_tracking_code(&code).await?;
    let ok = found.as_ref().is_some_and(|(_, hash)| tokens_equal(hash, &secret_hash(&form.secret)));
    if !ok {
        state.limiter.hit(&format!("track:{client}"), 10, Duration::from_secs(15 * 60))?;
        return fail(&state, "查询码或查询密码不正确", StatusCode::UNAUTHORIZED);
    }
    let Some((app, _)) = found else { return Err(AppError::NotFound) };
    let org = state.store.org(app.org_id).await?.ok_or(AppError::NotFound)?;
    let steps = state.store.application_steps(app.id).await?;
    let case = crate::applications::cases::replay(&state, &app, &steps)?;
    let clock = case.clock(&state.calendar(), &ClockConfig::default(), today());
    let letters: Vec<Value> = state
        .store
        .letters(app.id)
        .await?
        .into_iter()
        .filter(|l| l.issued_at.is_some())
        .map(|l| context! { title => l.title, issued => l.issued_at.map(crate::applications::cases::local_date), body_html => Value::from_safe_string(l.body_html) })
        .collect();
    render::page(
        "portal_track_result.html",
        context! {
            site_name => state.config.site_name, org => org_ctx(&org),
            code => app.tracking_code, received => app.received.to_string(),
            state_label => case.state.label(), open => case.state.is_open(),
            due => clock.due.map(|d| d.to_string()), provisional => clock.provisional,
            outcome => case.outcome.map(|o| o.label()),
            letters,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_middle("440102199001011234"), "4401**********1234");
        assert_eq!(mask_middle("13800138000"), "1380***8000");
        assert_eq!(mask_middle("12345"), "*****");
    }

    #[test]
    fn tracking_codes_are_distinct_and_readable() {
        let (a, s) = new_tracking_code(2026);
        let (b, _) = new_tracking_code(2026);
        assert_ne!(a, b);
        assert!(a.starts_with("2026-") && a.len() == 13);
        assert_eq!(s.len(), 8);
        let random = &a[5..];
        for part in [random, s.as_str()] {
            assert!(part.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{part}");
            assert!(!part.contains(['0', 'O', '1', 'I']), "look-alike characters in {part}");
        }
    }

    fn valid_form() -> ApplyForm {
        ApplyForm {
            applicant_type: "natural".into(),
            name: "王小明".into(),
            id_doc_type: "id_card".into(),
            id_doc_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            description: "2023年源潭镇农村人居环境整治资金使用情况".into(),
            form_email: Some("1".into()),
            delivery: "post".into(),
            postal_address: "清远市清城区某路1号".into(),
            ..Default::default()
        }
    }

    #[test]
    fn intake_validation() {
        assert!(valid_form().validate().is_ok());
        let mut f = valid_form();
        f.id_doc_number = "110105194912310021".into();
        let errs = f.validate().err().expect("bad check digit");
        assert!(errs.iter().any(|e| e.contains("身份证")), "{errs:?}");
        let mut f = valid_form();
        f.postal_address = String::new();
        assert!(f.validate().err().expect("post needs address").iter().any(|e| e.contains("邮寄地址")));
        let mut f = valid_form();
        f.phone = String::new();
        assert!(f.validate().err().expect("contact").iter().any(|e| e.contains("至少填写一项")));
        let mut f = valid_form();
        f.applicant_type = "organisation".into();
        f.org_type = "commercial".into();
        f.id_doc_type = "uscc".into();
        f.id_doc_number = "91350100M000100Y43".into();
        assert!(f.validate().is_ok());
        f.id_doc_number = "91350100M000100Y44".into();
        assert!(f.validate().is_err());
        // The address is dropped unless delivery is by post.
        let mut f = valid_form();
        f.delivery = "collection".into();
        assert_eq!(f.validate().ok().map(|i| i.postal_address), Some(String::new()));
    }
}
