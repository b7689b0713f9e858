//! HTTPS served directly with rustls: the certificate chain and private key
//! are read from PEM files and reloaded when the files change (a renewed
//! certificate takes effect without a restart); a plain-HTTP listener can
//! redirect every request to HTTPS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rustls::crypto::ring::sign::any_supported_type;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;

use crate::http_server::{Capped, CappedListener};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Why the certificate or key cannot be used; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("无法读取证书文件 {0}：{1}")]
    ReadCert(PathBuf, String),
    #[error("证书文件 {0} 中没有 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）")]
    NoCert(PathBuf),
    #[error("无法读取私钥文件 {0}：{1}（应为 PEM 格式的 PKCS#8、RSA 或 EC 私钥）")]
    ReadKey(PathBuf, String),
    #[error("私钥文件 {0} 的密钥类型不受支持：{1}")]
    BadKey(PathBuf, String),
    #[error("私钥 {key} 与证书 {cert} 不配对：{message}")]
    Mismatch { cert: PathBuf, key: PathBuf, message: String },
}

/// The certificate chain in a PEM file.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| TlsError::ReadCert(path.to_path_buf(), e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::ReadCert(path.to_path_buf(), e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCert(path.to_path_buf()));
    }
    Ok(certs)
}

/// Load and check a certificate chain with its private key.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let certs = read_certs(cert)?;
    let der = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::ReadKey(key.to_path_buf(), e.to_string()))?;
    let signing = any_supported_type(&der).map_err(|e| TlsError::BadKey(key.to_path_buf(), e.to_string()))?;
    let certified = CertifiedKey::new(certs, signing);
    certified.keys_match().map_err(|e| TlsError::Mismatch { cert: cert.to_path_buf(), key: key.to_path_buf(), message: e.to_string() })?;
    Ok(certified)
}

/// Serves whatever certificate was loaded last.
#[derive(Debug)]
pub struct ReloadingResolver {
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for ReloadingResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        })
    }
}

impl ReloadingResolver {
    fn set(&self, key: CertifiedKey) {
        let mut g = match self.current.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Arc::new(key);
    }
}

/// The rustls server configuration over a reloading certificate, and the
/// resolver to watch the files with.
pub fn server_config(cert: &Path, key: &Path) -> Result<(Arc<rustls::ServerConfig>, Arc<ReloadingResolver>), TlsError> {
    let resolver = Arc::new(ReloadingResolver { current: RwLock::new(Arc::new(load_certified_key(cert, key)?)) });
    // ring rather than aws-lc-rs: builds without cmake/clang on office servers and CI.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::BadKey(key.to_path_buf(), e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
    // The server speaks HTTP/1.1 only (crate::http_server): offering h2 would make
    // browsers choose a protocol the server then cannot answer.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), resolver))
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Check the files every `every`; when either changed and the pair loads,
/// switch to it (new connections get the new certificate). A pair that does not
/// load is logged and the previous certificate stays in use.
pub fn spawn_reloader(resolver: Arc<ReloadingResolver>, cert: PathBuf, key: PathBuf, every: Duration) {
    tokio::spawn(async move {
        let mut seen = (stamp(&cert), stamp(&key));
        loop {
            tokio::time::sleep(every).await;
            let now = (stamp(&cert), stamp(&key));
            if now == seen {
                continue;
            }
            match load_certified_key(&cert, &key) {
                Ok(k) => {
                    resolver.set(k);
                    seen = now;
                    tracing::info!(cert = %cert.display(), "已重新载入 TLS 证书");
                }
                // Half-written files during a renewal: retry on the next tick.
                Err(e) => tracing::warn!(error = %e, "TLS 证书文件已变化但无法载入，继续使用原证书"),
            }
        }
    });
}

/// A listener yielding TLS streams. Handshakes run in their own tasks, so a
/// slow or hostile client never holds up the others.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<Capped<TcpStream>>, SocketAddr)>,
    local: SocketAddr,
}

/// Time allowed for a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl TlsListener {
    /// TLS over `tcp`, whose connection cap also covers connections still in their handshake.
    pub fn new(mut tcp: CappedListener, config: Arc<rustls::ServerConfig>) -> std::io::Result<TlsListener> {
        let local = axum::serve::Listener::local_addr(&tcp)?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (stream, addr) = tokio::select! {
                    r = axum::serve::Listener::accept(&mut tcp) => r,
                    _ = tx.closed() => return,
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<Capped<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(x) => x,
            // The accept task only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// A router that redirects every plain-HTTP request to the same path on the
/// HTTPS port (301 for GET/HEAD, 308 otherwise so a form post is not turned into a GET).
pub fn redirect_router(https_port: u16) -> axum::Router {
    axum::Router::new().fallback(move |req: Request| async move { redirect(&req, https_port) })
}

fn redirect(req: &Request, https_port: u16) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).and_then(|h| h.parse::<axum::http::uri::Authority>().ok());
    let Some(host) = host else {
        return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "请求缺少有效的 Host 头，无法转到 HTTPS 地址。\n").into_response();
    };
    let authority = if https_port == 443 { host.host().to_string() } else if host.host().contains(':') { format!("[{}]:{https_port}", host.host()) } else { format!("{}:{https_port}", host.host()) };
    let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let target = format!("https://{authority}{path}");
    let Ok(uri) = target.parse::<Uri>() else {
        return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "请求地址无效。\n").into_response();
    };
    let status = if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) { StatusCode::MOVED_PERMANENTLY } else { StatusCode::PERMANENT_REDIRECT };
    let mut res = status.into_response();
    if let Ok(v) = HeaderValue::from_str(&uri.to_string()) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Middleware for the HTTPS listener: browsers keep to HTTPS for a year.
pub async fn hsts(req: Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    res
}

/// Validity of the first certificate in a PEM file: (not before, not after).
pub fn certificate_validity(path: &Path) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), TlsError> {
    let certs = read_certs(path)?;
    let (_, cert) = x509_parser::parse_x509_certificate(certs[0].as_ref()).map_err(|e| TlsError::ReadCert(path.to_path_buf(), e.to_string()))?;
    let v = cert.validity();
    let conv = |t: x509_parser::time::ASN1Time| chrono::DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default();
    Ok((conv(v.not_before), conv(v.not_after)))
}
