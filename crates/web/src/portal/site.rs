//! Site-level identity of the installation, as government websites show it
//! (《政府网站发展指引》): the site name and logo, the 党政机关网站标识 slot,
//! 主办单位/承办单位, 网站标识码, ICP 备案号, 公安机关备案号 and contact, plus the
//! page metadata tags inspection crawlers read (`SiteName`, `SiteDomain`,
//! `SiteIDCode`). Values come from the `site_settings` table (edited by an
//! administrator of a top-level organisation at `/admin/site`), falling back
//! to the configuration (`site_name`, `public_url`).
//!
//! Every request runs inside a task-local scope holding these settings, so
//! any template (including the error page) reads them with `site()` without
//! each handler passing them along. Also the 网站地图 (`/sitemap`).

use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::Utc;
use gongkai_domain::model::{CatalogKind, Role};
use minijinja::{context, Value};

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::url_encode;
use crate::{render, AppState};

/// Editable keys: (key, label, hint). The order is the form's order.
pub const KEYS: &[(&str, &str, &str)] = &[
    ("site_name", "网站名称", "页头和浏览器标题显示的名称；留空则用配置文件的 site_name"),
    ("logo_url", "网站标志图片地址", "本站路径，如 /static/logo.svg；留空则只显示文字"),
    ("badge_url", "党政机关网站标识图片地址", "开办时取得的“党政机关”标识图片（本站路径）"),
    ("badge_link", "党政机关网站标识链接", "标识的核验地址"),
    ("sponsor", "主办单位", ""),
    ("organizer", "承办单位", "与主办单位不同时填写"),
    ("id_code", "网站标识码", "如 4418020001"),
    ("icp", "ICP 备案号", "如 粤ICP备xxxxxxxx号"),
    ("police_record", "公安机关备案号", "如 粤公网安备 44180202000000号"),
    ("phone", "联系电话", ""),
    ("email", "联系邮箱", ""),
    ("address", "联系地址", ""),
    ("led_max_age_days", "电子显示屏公告天数", "只滚动最近多少天内发布的公告（默认 30）"),
    ("led_resolution", "电子显示屏分辨率", "LED 控制器的像素宽×高，如 384x192；留空则适应屏幕"),
];

/// Days of notices the LED screen shows when no setting is stored.
pub const DEFAULT_LED_MAX_AGE_DAYS: i64 = 30;

tokio::task_local! {
    static SITE: Value;
}

/// The site settings as stored, with the configuration's defaults.
#[derive(Debug, Clone, Default)]
pub struct SiteSettings {
    pub values: HashMap<String, String>,
}

impl SiteSettings {
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// Days of notices on the LED screen (1–3650).
    pub fn led_max_age_days(&self) -> i64 {
        self.get("led_max_age_days").trim().parse::<i64>().ok().filter(|d| (1..=3650).contains(d)).unwrap_or(DEFAULT_LED_MAX_AGE_DAYS)
    }

    /// The LED controller's resolution in pixels, if configured.
    pub fn led_resolution(&self) -> Option<(u32, u32)> {
        parse_resolution(self.get("led_resolution"))
    }
}

/// `384x192` (also `×` or `*`) → (384, 192); each side 16–8192.
pub fn parse_resolution(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let (w, h) = s.split_once(['x', 'X', '×', '*'])?;
    let w: u32 = w.trim().parse().ok()?;
    let h: u32 = h.trim().parse().ok()?;
    ((16..=8192).contains(&w) && (16..=8192).contains(&h)).then_some((w, h))
}

/// Check one submitted value; the error is a Chinese message.
pub fn validate(key: &str, value: &str) -> Result<(), String> {
    let v = value.trim();
    if v.chars().count() > 300 {
        return Err(format!("“{}”不超过 300 字", label(key)));
    }
    match key {
        "logo_url" | "badge_url" if !v.is_empty() && !(v.starts_with('/') && !v.starts_with("//")) => {
            Err(format!("“{}”须是本站路径（以 / 开头），页面的内容安全策略不允许其他网站的图片", label(key)))
        }
        "badge_link" if !v.is_empty() && !(v.starts_with("https://") || v.starts_with("http://")) => Err("党政机关网站标识链接须以 https:// 或 http:// 开头".into()),
        "id_code" if !v.is_empty() && !v.chars().all(|c| c.is_ascii_alphanumeric()) => Err("网站标识码只能由字母和数字组成".into()),
        "led_max_age_days" if !v.is_empty() && v.parse::<i64>().ok().filter(|d| (1..=3650).contains(d)).is_none() => {
            Err("电子显示屏公告天数须是 1 到 3650 之间的整数".into())
        }
        "led_resolution" if !v.is_empty() && parse_resolution(v).is_none() => Err("电子显示屏分辨率请写成“宽x高”，如 384x192（16–8192 像素）".into()),
        _ => Ok(()),
    }
}

fn label(key: &str) -> &'static str {
    KEYS.iter().find(|(k, _, _)| *k == key).map(|(_, l, _)| *l).unwrap_or("设置")
}

/// Load the settings, with `site_name` from the configuration when not stored.
pub async fn load(state: &AppState) -> Result<SiteSettings, AppError> {
    let mut values: HashMap<String, String> = state.store.site_settings().await?.into_iter().collect();
    values.entry("site_name".into()).or_insert_with(|| state.config.site_name.clone());
    Ok(SiteSettings { values })
}

/// Host part of a URL (`https://gk.example.cn/x` → `gk.example.cn`).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

fn has_cookie(headers: &HeaderMap, pair: &str) -> bool {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).any(|c| c.trim() == pair)
}

/// The template value of the settings for one request.
fn to_value(state: &AppState, s: &SiteSettings, headers: &HeaderMap, path: &str) -> Value {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let (domain, base) = if state.config.public_url.trim().is_empty() {
        (host.to_string(), if host.is_empty() { String::new() } else { format!("http://{host}") })
    } else {
        let url = state.config.public_url.trim().trim_end_matches('/');
        (url_host(url).to_string(), url.to_string())
    };
    let mut map: std::collections::BTreeMap<String, Value> = KEYS.iter().map(|(k, _, _)| (k.to_string(), Value::from(s.get(k)))).collect();
    map.insert("name".into(), Value::from(s.get("site_name")));
    map.insert("domain".into(), Value::from(domain));
    map.insert("base_url".into(), Value::from(base.clone()));
    map.insert("url".into(), Value::from(format!("{base}{path}")));
    map.insert("path".into(), Value::from(path));
    map.insert("back".into(), Value::from(url_encode(path)));
    map.insert("care".into(), Value::from(has_cookie(headers, "gk_care=1")));
    map.insert("hant".into(), Value::from(has_cookie(headers, "gk_script=hant")));
    Value::from(map)
}

/// Middleware: run the request with the site settings in scope for `site()`.
pub async fn scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/static/") || path.ends_with(".css") || path.ends_with(".json") || path.ends_with(".txt") {
        return next.run(req).await;
    }
    let settings = match load(&state).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "site settings unavailable; using the configuration");
            SiteSettings { values: HashMap::from([("site_name".to_string(), state.config.site_name.clone())]) }
        }
    };
    let local = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let value = to_value(&state, &settings, req.headers(), &local);
    SITE.scope(value, next.run(req)).await
}

/// Template function `site()`: the current request's settings (empty outside a request).
pub fn current() -> Value {
    SITE.try_with(Value::clone).unwrap_or_else(|_| Value::from(std::collections::BTreeMap::<String, Value>::new()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sitemap", get(sitemap))
        .route("/static/logo.svg", get(logo))
        .route("/admin/site", get(admin_page).post(admin_save))
}

/// A neutral built-in logo (the red 公开 seal), for installations without their own.
async fn logo() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../static/logo.svg"),
    )
        .into_response()
}

/// 网站地图: every organisation with its column, catalog tree, guide, reports,
/// application and contact pages, plus the site-wide pages.
async fn sitemap(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut orgs = state.store.orgs().await?;
    orgs.sort_by_key(|o| o.id);
    let mut list = Vec::new();
    for org in &orgs {
        let nodes = state.store.catalog(org.id).await?;
        let tree: Vec<Value> = super::flatten_catalog(&nodes)
            .into_iter()
            .filter(|(_, n)| n.kind != CatalogKind::Guide)
            .map(|(depth, n)| context! { id => n.id, name => n.name, depth })
            .collect();
        list.push(context! { org => super::org_ctx(org), tree });
    }
    render::page("portal_sitemap.html", context! { site_name => state.config.site_name, orgs => list })
}

fn may_edit_site(staff: &Staff) -> bool {
    staff.is(Role::Admin) && staff.org.parent_id.is_none()
}

async fn admin_view(state: &AppState, staff: &Staff, values: &HashMap<String, String>, msg: Option<&str>, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let fields: Vec<Value> = KEYS
        .iter()
        .map(|(k, l, h)| context! { key => k, label => l, hint => h, value => values.get(*k).cloned().unwrap_or_default() })
        .collect();
    render::page_with_status(
        status,
        "admin_site.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, fields, msg, errors, public_url => state.config.public_url },
    )
}

#[derive(serde::Deserialize)]
struct MsgQuery {
    msg: Option<String>,
}

async fn admin_page(State(state): State<AppState>, staff: Staff, axum::extract::Query(q): axum::extract::Query<MsgQuery>) -> Result<Response, AppError> {
    if !may_edit_site(&staff) {
        return Err(AppError::Forbidden("网站设置只能由最上级机关的管理员修改".into()));
    }
    let values: HashMap<String, String> = state.store.site_settings().await?.into_iter().collect();
    admin_view(&state, &staff, &values, q.msg.as_deref(), &[], StatusCode::OK).await
}

async fn admin_save(State(state): State<AppState>, staff: Staff, Form(form): Form<HashMap<String, String>>) -> Result<Response, AppError> {
    staff.check_csrf(form.get("_csrf").map(String::as_str).unwrap_or(""))?;
    if !may_edit_site(&staff) {
        return Err(AppError::Forbidden("网站设置只能由最上级机关的管理员修改".into()));
    }
    let mut values = HashMap::new();
    let mut errors = Vec::new();
    for (key, _, _) in KEYS {
        let v = form.get(*key).map(|v| v.trim().to_string()).unwrap_or_default();
        if let Err(e) = validate(key, &v) {
            errors.push(e);
        }
        values.insert(key.to_string(), v);
    }
    if !errors.is_empty() {
        return admin_view(&state, &staff, &values, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let pairs: Vec<(&str, &str)> = KEYS.iter().map(|(k, _, _)| (*k, values.get(*k).map(String::as_str).unwrap_or(""))).collect();
    staff.audited(&state, "site.settings", "site", "").set_site_settings(&pairs, Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/site?msg={}", url_encode("已保存"))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_and_values_are_checked() {
        assert_eq!(parse_resolution("384x192"), Some((384, 192)));
        assert_eq!(parse_resolution(" 1920 × 1080 "), Some((1920, 1080)));
        assert_eq!(parse_resolution("8x8"), None);
        assert_eq!(parse_resolution("宽x高"), None);
        assert!(validate("logo_url", "https://example.com/a.png").is_err());
        assert!(validate("logo_url", "/static/logo.svg").is_ok());
        assert!(validate("led_max_age_days", "0").is_err());
        assert!(validate("led_max_age_days", "45").is_ok());
        assert!(validate("id_code", "4418020001").is_ok());
        assert!(validate("id_code", "44-18").is_err());
        let s = SiteSettings { values: HashMap::from([("led_max_age_days".to_string(), "abc".to_string())]) };
        assert_eq!(s.led_max_age_days(), DEFAULT_LED_MAX_AGE_DAYS);
        assert_eq!(url_host("https://gk.example.cn/x?y"), "gk.example.cn");
    }
}
