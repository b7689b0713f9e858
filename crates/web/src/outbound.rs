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

/// Hosts outbound calls may reach although they resolve to loopback, private or other
/// non-public addresses (`outbound_hosts`); empty: only public addresses are reachable.
static ALLOWED_HOSTS: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Why an outbound call is not made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DestinationError {
    #[error("地址“{0}”无效：应为 http:// 或 https:// 开头的完整网址")]
    Invalid(String),
    #[error("无法解析主机名“{host}”：{message}")]
    Resolve { host: String, message: String },
    #[error("“{host}”指向本机、内网或保留地址（{ip}），为防止借报送访问内部系统，不予连接；如确需报送到内网平台，请由运维人员在配置项 outbound_hosts 中加入该主机")]
    NotPublic { host: String, ip: std::net::IpAddr },
}

/// Set the hosts (names or IP addresses, comma- or space-separated) that outbound calls
/// may reach on non-public addresses. Replaces the previous list.
pub fn set_allowed_hosts(list: &str) {
    let hosts = list.split([',', ' ', '\n', '\t']).map(|h| h.trim().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
    match ALLOWED_HOSTS.write() {
        Ok(mut g) => *g = hosts,
        Err(p) => *p.into_inner() = hosts,
    }
}

fn host_allowed(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    match ALLOWED_HOSTS.read() {
        Ok(g) => g.contains(&host),
        Err(p) => p.into_inner().contains(&host),
    }
}

/// Is `ip` an address on the public internet (not loopback, private, link-local, shared,
/// documentation, benchmarking, multicast, reserved or unspecified)?
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared (CGN)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 protocol assignments
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                || o[0] >= 240) // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64, may reach IPv4 private space
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0)) // IPv4-compatible
        }
    }
}

/// A client for one outbound call to `url`, after checking where it goes: the host must
/// resolve only to public addresses unless it is listed in `outbound_hosts`. The checked
/// address is pinned in the client (a second DNS answer cannot point elsewhere) and
/// redirects are not followed (they could lead inside).
pub async fn checked_client(url: &str, timeout: std::time::Duration) -> Result<(reqwest::Client, reqwest::Url), DestinationError> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| DestinationError::Invalid(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(DestinationError::Invalid(url.to_owned()));
    }
    let host = match parsed.host() {
        Some(h) => h.to_string(),
        None => return Err(DestinationError::Invalid(url.to_owned())),
    };
    let builder = client_builder().timeout(timeout).redirect(reqwest::redirect::Policy::none());
    let build = |b: reqwest::ClientBuilder| b.build().map_err(|e| DestinationError::Resolve { host: host.clone(), message: e.to_string() });
    if host_allowed(&host) {
        return Ok((build(builder)?, parsed));
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let addrs: Vec<std::net::SocketAddr> = match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![std::net::SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare.as_str(), port))
            .await
            .map_err(|e| DestinationError::Resolve { host: host.clone(), message: e.to_string() })?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(DestinationError::Resolve { host, message: "没有地址".into() });
    }
    if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(DestinationError::NotPublic { host, ip: bad.ip() });
    }
    let builder = if bare.parse::<std::net::IpAddr>().is_ok() { builder } else { builder.resolve_to_addrs(&bare, &addrs) };
    Ok((build(builder)?, parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.1.1", "192.0.0.8", "198.18.0.1",
            "240.0.0.1", "255.255.255.255", "224.0.0.1", "::1", "::", "fc00::1", "fd12::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
            "64:ff9b::a00:1", "2001:db8::1", "::127.0.0.1",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
        for public in ["8.8.8.8", "114.114.114.114", "223.5.5.5", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[tokio::test]
    async fn loopback_and_metadata_addresses_are_refused_unless_listed() {
        let timeout = std::time::Duration::from_secs(1);
        for url in ["http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://localhost:8080/"] {
            match checked_client(url, timeout).await {
                Err(DestinationError::NotPublic { .. }) => {}
                Err(e) => panic!("{url}: {e}"),
                Ok(_) => panic!("{url} must be refused"),
            }
        }
        assert!(matches!(checked_client("ftp://example.cn/", timeout).await, Err(DestinationError::Invalid(_))));
        assert!(matches!(checked_client("not a url", timeout).await, Err(DestinationError::Invalid(_))));
        // An IP literal that is public needs no DNS.
        assert!(checked_client("https://223.5.5.5/", timeout).await.is_ok());
    }
}
