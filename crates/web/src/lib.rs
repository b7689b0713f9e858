#![recursion_limit = "512"]
//! gongkai-web: the HTTP layer — public portal, back office and JSON API.
//!
//! Data flows one way: a handler parses and validates the request, asks the
//! domain crate whether the step is lawful, and only then calls the store.

use std::sync::{Arc, RwLock};

use axum::Router;
use gongkai_domain::calendar::Calendar;
use gongkai_store::Store;

// Grouped by capability: the public portal, the back office, applications for
// disclosure, the channels beyond the portal, and annual reports; the rest is
// shared by all of them.
mod admin;
mod api;
mod applications;
mod auth;
pub mod client_ip;
pub mod body;
pub mod channels;
mod error;
mod hant;
pub mod health;
pub mod import;
pub mod malware_scan;
pub mod notify;
// OpenAPI document of the JSON endpoints (issue 16 item 8).
mod openapi;
pub mod ops;
pub mod outbound;
pub mod page_cache;
mod portal;
pub mod privacy_guard;
mod render;
pub mod reports;
mod security;
mod upload;
mod upload_inspect;
mod util;

pub use admin::random_password;
pub use auth::hash_password;
pub use channels::{package, submission};
pub use util::sanitise_body;
pub use error::AppError;

/// Today in China (the date the portal and the notice boards use).
pub fn util_today() -> chrono::NaiveDate {
    util::today()
}

/// Whether a site setting (portal conventions) is acceptable; see `/admin/site`.
pub fn site_setting_valid(key: &str, value: &str) -> bool {
    portal::site::KEYS.iter().any(|(k, _, _)| *k == key) && portal::site::validate(key, value).is_ok()
}

/// Settings of the web layer (filled from the configuration file, the
/// environment and flags by the binary).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Name of the installation shown in page headers.
    pub site_name: String,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Staff sessions end after this many idle minutes.
    pub session_idle_minutes: i64,
    /// Staff sessions end after this many hours in any case.
    pub session_max_hours: i64,
    /// Failed logins within the window that lock an account.
    pub lockout_threshold: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Password rules for staff accounts.
    pub password_policy: gongkai_domain::validate::PasswordPolicy,
    /// Cases and items due within this many working days are listed as due soon.
    pub reminder_working_days: i64,
    /// Online applications accepted per client address per hour.
    pub apply_submissions_per_hour: u32,
    /// Online consultations (网上咨询) accepted per client address per hour.
    pub consult_submissions_per_hour: u32,
    /// Public address of the portal, e.g. `https://gk.example.cn` (used in
    /// feeds and submission packages when no request names the host).
    pub public_url: String,
    /// Memory for this node's rendered-page cache, in MiB (0 turns it off).
    pub page_cache_mb: usize,
    /// Roles whose holders must use two-step sign-in (TOTP) before using the back office.
    pub mfa_required_roles: Vec<gongkai_domain::model::Role>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: client_ip::TrustedProxies,
    /// Online applications and consultations accepted per hour from all addresses
    /// together (0: no overall cap).
    pub submissions_per_hour_all: u32,
    /// Directory of this node's search index (`None`: kept in memory and
    /// rebuilt from the database at every start).
    pub search_index_dir: Option<std::path::PathBuf>,
    /// ClamAV daemon every upload is streamed to before it is stored (off by default).
    pub clamav: malware_scan::Scanner,
    /// 三员分立 waived: one account may hold several of the three administrator roles
    /// (an organisation with a single person for them; see `single_person_mode`).
    pub single_person_mode: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "政府信息公开平台".into(),
            max_upload_bytes: 20 * 1024 * 1024,
            session_idle_minutes: 15,
            session_max_hours: 8,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            secure_cookies: false,
            password_policy: Default::default(),
            reminder_working_days: 5,
            apply_submissions_per_hour: 10,
            consult_submissions_per_hour: 10,
            public_url: String::new(),
            page_cache_mb: 64,
            trusted_proxies: client_ip::TrustedProxies::default(),
            mfa_required_roles: Vec::new(),
            submissions_per_hour_all: 0,
            search_index_dir: None,
            clamav: malware_scan::Scanner::Off,
            single_person_mode: false,
        }
    }
}

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub calendar: Arc<RwLock<Calendar>>,
    pub config: Arc<WebConfig>,
    limiter: Arc<security::RateLimiter>,
    /// This node's search index, following the database's change log.
    pub search: Arc<gongkai_search::SearchService>,
    /// This node's rendered public pages, following the site version.
    pub page_cache: Arc<page_cache::PageCache>,
}

impl AppState {
    /// Build the state: the official calendar plus the years administrators
    /// added, loaded from the store.
    pub async fn new(store: Store, config: WebConfig) -> Result<AppState, AppError> {
        let mut calendar = Calendar::official();
        for year in store.calendar_years().await? {
            match Calendar::parse_year(&year.json) {
                Ok(data) => {
                    if let Err(e) = calendar.add_year(year.year, data) {
                        tracing::warn!(year = year.year, error = %e, "ignoring stored calendar year");
                    }
                }
                Err(e) => tracing::warn!(year = year.year, error = %e, "ignoring unreadable stored calendar year"),
            }
        }
        let search = gongkai_search::SearchService::open(store.clone(), config.search_index_dir.clone()).await?;
        search.spawn_follower(std::time::Duration::from_secs(1));
        let page_cache = Arc::new(page_cache::PageCache::new(config.page_cache_mb * 1024 * 1024));
        page_cache.observe(store.site_version().await?);
        page_cache.spawn_follower(store.clone());
        spawn_checkpointer(store.clone());
        Ok(AppState {
            page_cache,
            search,
            store,
            calendar: Arc::new(RwLock::new(calendar)),
            config: Arc::new(config),
            limiter: Arc::new(security::RateLimiter::default()),
        })
    }

    /// A copy of the current working-day calendar.
    pub fn calendar(&self) -> Calendar {
        match self.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_upload_bytes + 1024 * 1024;
    Router::new()
        .merge(portal::routes())
        .merge(admin::routes())
        .merge(api::routes())
        .merge(reports::check::routes())
        .merge(applications::routes())
        .merge(hant::routes())
        .merge(reports::routes())
        .merge(import::admin::routes())
        .merge(channels::routes())
        .merge(portal::feeds::routes())
        .merge(portal::care::routes())
        .merge(portal::search::routes())
        // Security (issue 12): the personal-data guard.
        .merge(privacy_guard::routes())
        // Operations (issue 14): health and readiness probes; every request timed by route.
        .merge(health::routes())
        .merge(notify::routes())
        .fallback(error::not_found)
        // Portal conventions (issue 16): the site identity in scope of every page.
        .layer(axum::middleware::from_fn_with_state(state.clone(), portal::site::scope))
        .layer(axum::middleware::from_fn(health::track))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(hant::convert))
        .layer(axum::middleware::from_fn_with_state(state.clone(), page_cache::layer))
        // Security (issue 12): NUL and control characters refused on both backends.
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::reject_control_chars))
        .layer(axum::middleware::from_fn(error::explain_rejections))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panic_response))
        // Security (issue 12): outermost, so that error pages (413, 415, 500) carry the headers too.
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        // Security (issue 12): the client's address behind trusted reverse proxies, for all of the above.
        .layer(axum::middleware::from_fn_with_state(state.clone(), client_ip::resolve))
        .with_state(state)
}

/// Run SQLite's WAL checkpoint in the background (connections never checkpoint
/// while committing, so a request never waits for one): a passive checkpoint
/// every second, and a truncating one when the WAL has grown past ~16 MiB or
/// once a minute, which keeps the file small without blocking anyone for long.
fn spawn_checkpointer(store: Store) {
    if store.backend() != gongkai_store::Backend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            ticks += 1;
            match store.checkpoint(ticks % 60 == 0).await {
                Ok(frames) if frames > 4096 => {
                    if let Err(e) = store.checkpoint(true).await {
                        tracing::debug!(error = %e, "WAL truncation deferred");
                    }
                }
                Ok(_) => {}
                Err(e) if store.is_closed() => {
                    tracing::debug!(error = %e, "store closed; checkpointing stops");
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
            }
        }
    });
}
