//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the
//! database answers and is fully migrated, the search index follows it), and
//! Prometheus metrics served by a router of its own, meant for a separate
//! listen address that only the monitoring system can reach.
//!
//! Request figures are labelled by route *template* (`/items/{id}`), never by
//! the concrete path, so that tracking codes and other personal data in paths
//! never reach the monitoring system.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongkai_domain::application::ClockConfig;

use crate::AppState;

/// Upper bounds (seconds) of the request-latency histogram buckets.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Route label of requests no route matched (404s, scanners).
const UNMATCHED: &str = "unmatched";

#[derive(Default)]
struct RouteStats {
    /// Requests by (method, status).
    counts: BTreeMap<(String, u16), u64>,
    /// Cumulative-at-render bucket counts (non-cumulative here).
    buckets: [u64; BUCKETS.len()],
    sum_seconds: f64,
    count: u64,
}

/// Request figures of this process, by route.
#[derive(Default)]
pub struct RequestMetrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

impl RequestMetrics {
    /// Record one finished request.
    pub fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut routes = match self.routes.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let stats = routes.entry(route.to_string()).or_default();
        *stats.counts.entry((method.to_string(), status)).or_insert(0) += 1;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            stats.buckets[i] += 1;
        }
        stats.sum_seconds += seconds;
        stats.count += 1;
    }

    fn render(&self, out: &mut String) {
        let routes = match self.routes.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        out.push_str("# HELP gongkai_http_requests_total HTTP requests by route template, method and status.\n");
        out.push_str("# TYPE gongkai_http_requests_total counter\n");
        for (route, s) in routes.iter() {
            for ((method, status), n) in &s.counts {
                let _ = writeln!(out, "gongkai_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}", label(route), label(method));
            }
        }
        out.push_str("# HELP gongkai_http_request_duration_seconds Time to produce the response, by route template.\n");
        out.push_str("# TYPE gongkai_http_request_duration_seconds histogram\n");
        for (route, s) in routes.iter() {
            let route = label(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                cumulative += n;
                let _ = writeln!(out, "gongkai_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "gongkai_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "gongkai_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", s.sum_seconds);
            let _ = writeln!(out, "gongkai_http_request_duration_seconds_count{{route=\"{route}\"}} {}", s.count);
        }
    }
}

/// The process-wide request figures (one registry per process, as Prometheus
/// clients conventionally keep).
pub fn request_metrics() -> &'static RequestMetrics {
    static METRICS: OnceLock<RequestMetrics> = OnceLock::new();
    METRICS.get_or_init(RequestMetrics::default)
}

/// Escape a Prometheus label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware: time every request and count it under its route template.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| UNMATCHED.to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    request_metrics().record(&route, &method, status, seconds);
    tracing::debug!(target: "gongkai::http", route = %route, method = %method, status, ms = seconds * 1000.0, "request");
    response
}

/// `/healthz` and `/readyz` on the main listener (load balancers and systemd
/// watchdogs reach them there).
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

#[derive(serde::Serialize)]
struct Readiness {
    ready: bool,
    database: String,
    migrations: String,
    search_index_lag: Option<i64>,
}

/// Ready when the database answers, every migration this build knows is
/// applied, and the search index exists. 503 with the reason otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    let mut ready = true;
    let database = match tokio::time::timeout(std::time::Duration::from_secs(5), state.store.ping()).await {
        Ok(Ok(())) => "ok".to_string(),
        Ok(Err(e)) => {
            ready = false;
            tracing::warn!(error = %e, "readiness: database unreachable");
            "数据库无法访问".to_string()
        }
        Err(_) => {
            ready = false;
            "数据库在 5 秒内未响应".to_string()
        }
    };
    let migrations = if ready {
        match state.store.pending_migrations().await {
            Ok(p) if p.is_empty() => "ok".to_string(),
            Ok(p) => {
                ready = false;
                format!("尚有 {} 个数据库迁移未执行：{}", p.len(), p.join("、"))
            }
            Err(e) => {
                ready = false;
                format!("无法读取迁移记录：{e}")
            }
        }
    } else {
        "未检查".to_string()
    };
    let search_index_lag = if ready { search_lag(&state).await } else { None };
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(Readiness { ready, database, migrations, search_index_lag })).into_response()
}

/// Changes in the database's search log this node has not applied yet.
async fn search_lag(state: &AppState) -> Option<i64> {
    let bounds = state.store.search_change_bounds().await.ok()?;
    let applied = state.search.applied_seq().await;
    Some(bounds.map(|(_, hi)| (hi - applied).max(0)).unwrap_or(0))
}

/// What the metrics listener needs beyond the application state.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// Where scheduled and manual backups are written; the newest archive's
    /// age is exported (`None`: no backup age metric).
    pub backup_dir: Option<PathBuf>,
}

/// The router of the separate metrics listener: `/metrics` only.
pub fn metrics_router(state: AppState, config: MetricsConfig) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state((state, std::sync::Arc::new(config)))
}

async fn metrics(State((state, config)): State<(AppState, std::sync::Arc<MetricsConfig>)>) -> Response {
    let mut out = String::with_capacity(16 * 1024);
    request_metrics().render(&mut out);

    let pool = state.store.pool_status();
    out.push_str("# HELP gongkai_db_pool_connections Database pool connections by state.\n# TYPE gongkai_db_pool_connections gauge\n");
    let _ = writeln!(out, "gongkai_db_pool_connections{{state=\"idle\"}} {}", pool.idle);
    let _ = writeln!(out, "gongkai_db_pool_connections{{state=\"in_use\"}} {}", pool.size.saturating_sub(pool.idle));
    out.push_str("# HELP gongkai_db_pool_max_connections Largest size of the database pool.\n# TYPE gongkai_db_pool_max_connections gauge\n");
    let _ = writeln!(out, "gongkai_db_pool_max_connections {}", pool.max);

    let db_up = state.store.ping().await.is_ok();
    out.push_str("# HELP gongkai_db_up Whether the database answered this scrape.\n# TYPE gongkai_db_up gauge\n");
    let _ = writeln!(out, "gongkai_db_up {}", u8::from(db_up));

    if let Some(lag) = search_lag(&state).await {
        out.push_str("# HELP gongkai_search_index_lag Search-log changes not yet applied to this node's index.\n# TYPE gongkai_search_index_lag gauge\n");
        let _ = writeln!(out, "gongkai_search_index_lag {lag}");
    }

    match case_deadlines(&state).await {
        Ok(c) => {
            out.push_str("# HELP gongkai_cases Open applications for disclosure by reply-clock state.\n# TYPE gongkai_cases gauge\n");
            let _ = writeln!(out, "gongkai_cases{{clock=\"open\"}} {}", c.open);
            let _ = writeln!(out, "gongkai_cases{{clock=\"due_soon\"}} {}", c.due_soon);
            let _ = writeln!(out, "gongkai_cases{{clock=\"overdue\"}} {}", c.overdue);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot compute case deadlines"),
    }

    if let Some(dir) = &config.backup_dir {
        out.push_str("# HELP gongkai_backup_age_seconds Age of the newest backup archive (-1: none yet).\n# TYPE gongkai_backup_age_seconds gauge\n");
        let age = newest_backup_age(dir).map(|d| d.as_secs() as i64).unwrap_or(-1);
        let _ = writeln!(out, "gongkai_backup_age_seconds {age}");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], out).into_response()
}

/// Open cases and how many of them are due soon or overdue.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CaseDeadlines {
    pub open: u64,
    pub due_soon: u64,
    pub overdue: u64,
}

/// Count open applications of every organisation by their reply clocks today;
/// "due soon" uses the configured reminder window.
pub async fn case_deadlines(state: &AppState) -> Result<CaseDeadlines, crate::AppError> {
    let org_ids: Vec<i64> = state.store.orgs().await?.into_iter().map(|o| o.id).collect();
    let calendar = state.calendar();
    let today = crate::util::today();
    let mut out = CaseDeadlines::default();
    for (app, steps) in state.store.open_applications_with_steps(&org_ids).await? {
        let case = match crate::applications::cases::replay(state, &app, &steps) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(application = app.id, error = %e, "metrics: case does not replay");
                continue;
            }
        };
        if !case.state.is_open() {
            continue;
        }
        out.open += 1;
        let clock = case.clock(&calendar, &ClockConfig::default(), today);
        if clock.overdue {
            out.overdue += 1;
        } else if clock.working_days_left.is_some_and(|l| l <= state.config.reminder_working_days) {
            out.due_soon += 1;
        }
    }
    Ok(out)
}

/// Age of the newest `gongkai-backup-*` archive in `dir`.
pub fn newest_backup_age(dir: &std::path::Path) -> Option<std::time::Duration> {
    let newest = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gongkai-backup-"))
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()?;
    Some(SystemTime::now().duration_since(newest).unwrap_or_default())
}
