//! The client's address behind a reverse proxy. The socket's peer is the client unless
//! it is one of the configured trusted proxies; then `X-Forwarded-For` is read from the
//! right, skipping trusted proxies, and the first other address is the client. A header
//! from anyone else is ignored, so a client cannot choose its own address (and so escape
//! its rate limits or put a false address in the audit log).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// One trusted address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    net: IpAddr,
    prefix: u8,
}

impl Range {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => mask(u32::from(n).into(), u32::from(a).into(), self.prefix, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => mask(u128::from(n), u128::from(a), self.prefix, 128),
            _ => false,
        }
    }
}

fn mask(net: u128, addr: u128, prefix: u8, bits: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = u32::from(bits - prefix);
    (net >> shift) == (addr >> shift)
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The configured trusted proxies (`trusted_proxies`: addresses or CIDR ranges, comma- or
/// space-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Range>);

impl TrustedProxies {
    /// Parse the configuration value; the error names the bad entry, in Chinese.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for part in text.split([',', ' ', '\n', '\t']).map(str::trim).filter(|p| !p.is_empty()) {
            let (addr, prefix) = match part.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (part, None),
            };
            let net: IpAddr = addr.parse().map_err(|_| format!("“{part}”不是 IP 地址或网段（例如 127.0.0.1、10.0.0.0/8）"))?;
            let net = canonical(net);
            let bits = if net.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => bits,
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(|| format!("“{part}”的前缀长度无效（应为 0—{bits}）"))?,
            };
            out.push(Range { net, prefix });
        }
        Ok(TrustedProxies(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    /// The client's address given the socket peer and the `X-Forwarded-For` values.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        let hops: Vec<IpAddr> = forwarded_for.iter().flat_map(|v| v.split(',')).filter_map(|h| parse_hop(h.trim())).collect();
        let mut client = canonical(peer);
        for hop in hops.into_iter().rev() {
            client = canonical(hop);
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(sa) = hop.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    hop.strip_prefix('[').and_then(|h| h.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

/// Middleware: replace the peer address by the client's, for every later layer and handler.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let proxies = &state.config.trusted_proxies;
    if !proxies.is_empty() {
        if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
            let values: Vec<&str> = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
            let client = proxies.client(peer.ip(), &values);
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").expect("parse");
        assert_eq!(t.client(ip("203.0.113.9"), &["1.1.1.1"]), ip("203.0.113.9"));
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &["1.1.1.1"]), ip("127.0.0.1"));
    }

    #[test]
    fn trusted_proxies_name_the_client_from_the_right() {
        let t = TrustedProxies::parse("127.0.0.1 10.0.0.0/8").expect("parse");
        // A client-supplied first entry is not believed: the proxy appended the real one.
        assert_eq!(t.client(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7"]), ip("198.51.100.7"));
        // Chains of trusted proxies are skipped.
        assert_eq!(t.client(ip("10.1.2.3"), &["198.51.100.7, 10.9.9.9"]), ip("198.51.100.7"));
        // Several header lines count as one list.
        assert_eq!(t.client(ip("10.1.2.3"), &["198.51.100.7", "10.9.9.9"]), ip("198.51.100.7"));
        // Ports and brackets.
        assert_eq!(t.client(ip("127.0.0.1"), &["198.51.100.7:5555"]), ip("198.51.100.7"));
        assert_eq!(t.client(ip("127.0.0.1"), &["[2001:db8::1]:443"]), ip("2001:db8::1"));
        // No usable header: the proxy itself.
        assert_eq!(t.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert_eq!(t.client(ip("127.0.0.1"), &["garbage"]), ip("127.0.0.1"));
        // Everything trusted: the leftmost.
        assert_eq!(t.client(ip("127.0.0.1"), &["10.0.0.5, 10.0.0.6"]), ip("10.0.0.5"));
        // IPv4-mapped peers match IPv4 ranges.
        assert_eq!(t.client(ip("::ffff:127.0.0.1"), &["198.51.100.7"]), ip("198.51.100.7"));
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        let e = TrustedProxies::parse("127.0.0.1, nginx").expect_err("bad");
        assert!(e.contains("nginx"), "{e}");
        let e = TrustedProxies::parse("10.0.0.0/33").expect_err("bad");
        assert!(e.contains("前缀"), "{e}");
        assert!(TrustedProxies::parse("::/0").expect("v6").trusts(ip("2001:db8::5")));
        assert!(TrustedProxies::parse("0.0.0.0/0").expect("all").trusts(ip("8.8.8.8")));
    }
}
