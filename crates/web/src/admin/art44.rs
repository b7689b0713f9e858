//! Art. 44 suggestions (《条例》第四十四条): groups of applications to this organisation asking
//! for the same information, with one click to create the draft item that publishes it
//! proactively (linked to the applications) or to record that it is not suitable; the
//! outcomes feed the annual report's narrative.

use std::collections::{HashMap, HashSet};

use chrono::Datelike;
use gongkai_domain::art44::{self, Art44Config, Art44Figures, Request, Suggestion};
use gongkai_store::writing::Art44Outcome;
use gongkai_store::{ApplicationQuery, Store};
use sha2::{Digest, Sha256};

use super::*;

/// The applications of an organisation as the suggestion needs them. The applicant is
/// reduced to a hash of the identity document (or name) and never leaves this function.
async fn requests(store: &Store, org_id: i64) -> Result<Vec<Request>, AppError> {
    let apps = store.applications(&ApplicationQuery { org_ids: vec![org_id], limit: 0, ..Default::default() }).await?;
    Ok(apps
        .items
        .into_iter()
        .map(|a| {
            let who = if a.id_doc_number.trim().is_empty() { a.applicant_name.trim().to_string() } else { format!("{}|{}", a.id_doc_type, a.id_doc_number.trim()) };
            Request { id: a.id, org_id: a.org_id, received: a.received, description: a.description, applicant_key: hex::encode(Sha256::digest(who.as_bytes())) }
        })
        .collect())
}

#[derive(Deserialize, Default)]
pub(super) struct Art44Query {
    window: Option<String>,
    min: Option<String>,
    msg: Option<String>,
    err: Option<String>,
}

/// The organisation's saved settings, or the defaults.
async fn saved_config(store: &Store, org_id: i64) -> Result<Art44Config, AppError> {
    let mut c = Art44Config::default();
    if let Some((window, min)) = store.art44_settings(org_id).await? {
        c.window_days = window;
        c.min_applicants = usize::try_from(min).unwrap_or(c.min_applicants);
    }
    Ok(c)
}

/// The settings of a request: the saved ones, overridden by the page's fields.
fn config_from(base: Art44Config, window: Option<&str>, min: Option<&str>) -> Result<Art44Config, AppError> {
    let mut c = base;
    if let Some(w) = window.map(str::trim).filter(|w| !w.is_empty()) {
        c.window_days = w.parse::<i64>().ok().filter(|d| (1..=3660).contains(d)).ok_or_else(|| AppError::BadRequest("时间窗口应为 1 至 3660 天".into()))?;
    }
    if let Some(m) = min.map(str::trim).filter(|m| !m.is_empty()) {
        c.min_applicants = m.parse::<usize>().ok().filter(|n| (2..=100).contains(n)).ok_or_else(|| AppError::BadRequest("申请人数应为 2 至 100".into()))?;
    }
    Ok(c)
}

async fn current_suggestions(state: &AppState, org_id: i64, config: &Art44Config) -> Result<Vec<Suggestion>, AppError> {
    let decided: HashSet<i64> = state.store.art44_decisions(&[org_id]).await?.into_iter().flat_map(|d| d.application_ids).collect();
    Ok(art44::suggest(&requests(&state.store, org_id).await?, &decided, config))
}

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub(super) async fn art44_page(State(state): State<AppState>, staff: Staff, Query(q): Query<Art44Query>) -> Result<Response, AppError> {
    let saved = saved_config(&state.store, staff.org.id).await?;
    let config = config_from(saved, q.window.as_deref(), q.min.as_deref())?;
    let org_id = staff.org.id;
    let apps: HashMap<i64, gongkai_store::StoredApplication> =
        state.store.applications(&ApplicationQuery { org_ids: vec![org_id], limit: 0, ..Default::default() }).await?.items.into_iter().map(|a| (a.id, a)).collect();
    let suggestions = current_suggestions(&state, org_id, &config).await?;
    let catalog: Vec<Value> = flatten_catalog(&state.store.catalog(org_id).await?)
        .into_iter()
        .map(|(depth, n)| context! { id => n.id, name => n.name, prefix => "　".repeat(depth) })
        .collect();
    let app_ctx = |id: &i64| {
        apps.get(id).map(|a| {
            context! { id => a.id, code => a.tracking_code, received => a.received.to_string(), description => a.description, state => a.state.label() }
        })
    };
    let groups: Vec<Value> = suggestions
        .iter()
        .map(|s| {
            context! {
                ids => ids_text(&s.application_ids), count => s.application_ids.len(), applicants => s.applicants,
                first => s.first_received.to_string(), last => s.last_received.to_string(),
                similarity => format!("{:.0}%", s.min_similarity * 100.0), title => s.proposed_title,
                applications => s.application_ids.iter().filter_map(app_ctx).collect::<Vec<_>>(),
            }
        })
        .collect();
    let mut decisions = Vec::new();
    for d in state.store.art44_decisions(&[org_id]).await?.iter().rev() {
        let item = match d.item_id {
            Some(id) => state.store.item(id).await?,
            None => None,
        };
        decisions.push(context! {
            at => d.decided_at.with_timezone(&crate::util::cst()).format("%Y-%m-%d").to_string(),
            drafted => d.outcome == Art44Outcome::Drafted, reason => d.reason,
            item_id => d.item_id, item_title => item.as_ref().map(|i| i.fields.title.clone()),
            item_status => item.as_ref().map(|i| i.status.label()),
            applications => d.application_ids.iter().filter_map(app_ctx).collect::<Vec<_>>(),
        });
    }
    render::page(
        "admin_art44.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, groups, decisions, catalog,
            window => config.window_days, min => config.min_applicants,
            saved_window => saved.window_days, saved_min => saved.min_applicants,
            is_admin => staff.is(Role::Admin),
            can_draft => workflow::check_edit(ItemStatus::Draft, &staff.user).is_ok(),
            msg => q.msg, err => q.err,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    ids: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    catalog_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    window: String,
    #[serde(default)]
    min: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn back(err: &str) -> Response {
    Redirect::to(&format!("/admin/art44?err={}", crate::util::url_encode(err))).into_response()
}

/// The posted group, if it is still a current suggestion of the user's organisation.
async fn posted_group(state: &AppState, staff: &Staff, form: &DecisionForm) -> Result<Option<Suggestion>, AppError> {
    let mut ids: Vec<i64> = form.ids.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    ids.sort_unstable();
    let config = config_from(saved_config(&state.store, staff.org.id).await?, Some(&form.window), Some(&form.min))?;
    Ok(current_suggestions(state, staff.org.id, &config).await?.into_iter().find(|s| s.application_ids == ids))
}

pub(super) async fn art44_draft(State(state): State<AppState>, staff: Staff, Form(form): Form<DecisionForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let Some(group) = posted_group(&state, &staff, &form).await? else {
        return Ok(back("这组申请已处理或已变化，请按当前页面重新操作"));
    };
    let nodes = state.store.catalog(staff.org.id).await?;
    let Some(catalog_id) = form.catalog_id.trim().parse::<i64>().ok().filter(|id| nodes.iter().any(|n| n.id == *id)) else {
        return Ok(back("请选择信息发布的栏目"));
    };
    let title = form.title.trim();
    let title = if title.is_empty() { group.proposed_title.as_str() } else { title };
    let fields = ItemFields {
        catalog_id,
        title: title.to_string(),
        summary: "因多个申请人申请公开相同政府信息，依据《中华人民共和国政府信息公开条例》第四十四条纳入主动公开范围。".into(),
        body_html: String::new(),
        publisher: staff.org.name.clone(),
        formed_date: today(),
        doc_number: None,
        topic: String::new(),
        genre: String::new(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    if let Some(e) = validate::validate_item(&fields, today()).first() {
        return Ok(back(&e.message));
    }
    let codes: Vec<String> = {
        let mut out = Vec::new();
        for id in &group.application_ids {
            if let Some(a) = state.store.application(*id).await? {
                out.push(a.tracking_code);
            }
        }
        out
    };
    let note = format!("依《条例》第四十四条，由{}件相同内容的申请（查询码 {}）转为主动公开", group.application_ids.len(), codes.join("、"));
    let item = state.store.create_item(staff.org.id, staff.user.id, &fields, &event(&staff, "create", &note)).await.map_err(AppError::from)?;
    let store = staff.audited(&state, "art44.draft", &format!("item:{}", item.id), &format!("申请 {}", ids_text(&group.application_ids)));
    if let Err(e) = store.record_art44(staff.org.id, Art44Outcome::Drafted, Some(item.id), "", &group.application_ids, staff.user.id, Utc::now()).await {
        // Someone decided on the same applications meanwhile: the draft stays for staff to delete or use.
        return Ok(back(&AppError::from(e).to_string()));
    }
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("已根据第四十四条建议新建草稿，请补充正文后提交审核"))).into_response())
}

pub(super) async fn art44_dismiss(State(state): State<AppState>, staff: Staff, Form(form): Form<DecisionForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Ok(back("请填写不宜主动公开的理由（不超过 500 字）"));
    }
    let Some(group) = posted_group(&state, &staff, &form).await? else {
        return Ok(back("这组申请已处理或已变化，请按当前页面重新操作"));
    };
    staff
        .audited(&state, "art44.dismiss", &format!("org:{}", staff.org.id), &format!("申请 {}：{reason}", ids_text(&group.application_ids)))
        .record_art44(staff.org.id, Art44Outcome::Dismissed, None, reason, &group.application_ids, staff.user.id, Utc::now())
        .await
        .map_err(AppError::from)?;
    Ok(Redirect::to(&format!("/admin/art44?msg={}", crate::util::url_encode("已记录评估结果"))).into_response())
}

#[derive(Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    window: String,
    #[serde(default)]
    min: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Save the window and minimum number of applicants as the organisation's defaults.
pub(super) async fn art44_settings(State(state): State<AppState>, staff: Staff, Form(form): Form<SettingsForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let c = match config_from(Art44Config::default(), Some(&form.window), Some(&form.min)) {
        Ok(c) => c,
        Err(AppError::BadRequest(m)) => return Ok(back(&m)),
        Err(e) => return Err(e),
    };
    staff
        .audited(&state, "art44.settings", &format!("org:{}", staff.org.id), &format!("时间窗口 {} 天，至少 {} 位申请人", c.window_days, c.min_applicants))
        .set_art44_settings(staff.org.id, c.window_days, c.min_applicants as i64)
        .await?;
    Ok(Redirect::to(&format!("/admin/art44?msg={}", crate::util::url_encode("已保存为本机关的默认设置"))).into_response())
}

/// The Art. 44 figures of the organisations' year for the annual report, by organisation:
/// decisions taken in the year, and how many of the drafted items are published by now.
/// An organisation without decisions in the year has no entry.
pub(crate) async fn report_figures(store: &Store, org_ids: &[i64], year: i32) -> Result<HashMap<i64, Art44Figures>, AppError> {
    let cst = crate::util::cst();
    let mut figures: HashMap<i64, Art44Figures> = HashMap::new();
    for d in store.art44_decisions(org_ids).await? {
        if d.decided_at.with_timezone(&cst).year() != year {
            continue;
        }
        let f = figures.entry(d.org_id).or_default();
        f.groups_assessed += 1;
        f.applications += d.application_ids.len() as u64;
        if d.outcome == Art44Outcome::Drafted {
            f.groups_drafted += 1;
            if let Some(id) = d.item_id {
                if store.item(id).await?.is_some_and(|i| i.status == ItemStatus::Published) {
                    f.items_published += 1;
                }
            }
        }
    }
    Ok(figures)
}
