//! The outbound HTTP client (submission packages to the superior platform and
//! other receivers): rustls with the public web roots, plus any certificate
//! authorities the operator adds for `https://` receivers on a government
//! intranet whose certificates a private CA issued (`outbound_ca_file`).

use std::sync::OnceLock;

static EXTRA_ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();

/// Why the extra CA file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("CA 证书文件 {path} 无效：{message}")]
pub struct CaFileError {
    pub path: String,
    pub message: String,
}

/// Trust the PEM certificates in `pem` for outbound connections, besides the
/// public roots. Takes effect once per process (the first call wins).
pub fn set_extra_roots(pem: &[u8], path: &str) -> Result<usize, CaFileError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| CaFileError { path: path.into(), message: e.to_string() })?;
    if certs.is_empty() {
        return Err(CaFileError { path: path.into(), message: "文件中没有 PEM 格式的证书".into() });
    }
    let n = certs.len();
    let _ = EXTRA_ROOTS.set(certs);
    Ok(n)
}

/// A client builder using rustls with the configured roots.
pub fn client_builder() -> reqwest::ClientBuilder {
    let mut b = reqwest::Client::builder().use_rustls_tls().https_only(false);
    for c in EXTRA_ROOTS.get().into_iter().flatten() {
        b = b.add_root_certificate(c.clone());
    }
    b
}
