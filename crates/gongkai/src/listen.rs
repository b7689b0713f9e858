//! The listeners of `gongkai serve`: the application over plain HTTP or HTTPS
//! (rustls), an optional plain-HTTP listener redirecting to HTTPS, and an
//! optional separate listener for Prometheus metrics.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;

use crate::config::Config;

type Task = Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>;
/// The application listener's serving task, started with the shutdown signal.
type MainTask = Box<dyn FnOnce(Pin<Box<dyn Future<Output = ()> + Send>>) -> Task + Send>;

/// Bound listeners, ready to serve.
pub struct Bound {
    /// Address of the application listener.
    pub main: SocketAddr,
    /// Whether the application listener speaks TLS.
    pub https: bool,
    pub redirect: Option<SocketAddr>,
    pub metrics: Option<SocketAddr>,
    main_task: MainTask,
    side_tasks: Vec<Task>,
}

async fn bind_tcp(addr: &str, what: &str) -> Result<tokio::net::TcpListener> {
    let addr: SocketAddr = addr.parse().with_context(|| format!("{what}监听地址无效：{addr}"))?;
    tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听{what} {addr}（端口可能已被占用）"))
}

/// Bind every configured listener. `reload_every` is how often the TLS files
/// are checked for a renewed certificate.
pub async fn bind(config: &Config, app: Router, state: gongkai_web::AppState, reload_every: Duration) -> Result<Bound> {
    let listener = bind_tcp(&config.listen, "").await?;
    let main = listener.local_addr()?;
    let mut side_tasks: Vec<Task> = Vec::new();
    let cap = crate::http_server::effective_cap(config.max_connections);
    if cap < config.max_connections {
        tracing::warn!(configured = config.max_connections, cap, "max_connections lowered to what the open-file limit allows");
    }
    let header_timeout = Duration::from_secs(config.header_read_timeout_secs.max(1));
    let listener = crate::http_server::CappedListener::new(listener, cap);
    let (https, main_task): (bool, MainTask) = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let (tls, resolver) = crate::tls::server_config(cert, key).context("无法启用 HTTPS")?;
            crate::tls::spawn_reloader(resolver, cert.clone(), key.clone(), reload_every);
            let listener = crate::tls::TlsListener::new(listener, tls)?;
            let app = app.layer(axum::middleware::from_fn(crate::tls::hsts));
            (true, Box::new(move |shutdown| Box::pin(crate::http_server::serve(listener, app, header_timeout, shutdown))))
        }
        _ => (false, Box::new(move |shutdown| Box::pin(crate::http_server::serve(listener, app, header_timeout, shutdown)))),
    };
    let mut redirect = None;
    if let Some(addr) = &config.http_redirect_listen {
        let l = bind_tcp(addr, "（HTTP 转 HTTPS）").await?;
        redirect = Some(l.local_addr()?);
        let router = crate::tls::redirect_router(main.port());
        let l = crate::http_server::CappedListener::new(l, cap);
        side_tasks.push(Box::pin(crate::http_server::serve(l, router, header_timeout, std::future::pending())));
    }
    let mut metrics = None;
    if let Some(addr) = &config.metrics_listen {
        let l = bind_tcp(addr, "（监控指标）").await?;
        metrics = Some(l.local_addr()?);
        let router = gongkai_web::health::metrics_router(state, gongkai_web::health::MetricsConfig { backup_dir: Some(config.backup_dir()) });
        side_tasks.push(Box::pin(async move { axum::serve(l, router).await }));
    }
    Ok(Bound { main, https, redirect, metrics, main_task, side_tasks })
}

impl Bound {
    /// Serve until `shutdown` completes (the side listeners stop with the process).
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        for task in self.side_tasks {
            tokio::spawn(async move {
                if let Err(e) = task.await {
                    tracing::error!(error = %e, "side listener stopped");
                }
            });
        }
        (self.main_task)(Box::pin(shutdown)).await.context("服务运行出错")
    }

    /// The line printed at start-up.
    pub fn banner(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let m = self.main;
        let mut s = format!("gongkai 已启动：门户 {scheme}://{m}/ 　后台 {scheme}://{m}/admin 　接口 {scheme}://{m}/api/v1/openapi.json");
        if let Some(r) = self.redirect {
            s.push_str(&format!("\n　HTTP 转 HTTPS：http://{r}/"));
        }
        if let Some(x) = self.metrics {
            s.push_str(&format!("\n　监控指标：http://{x}/metrics"));
        }
        s
    }
}
