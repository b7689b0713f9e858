//! The limits a public server needs (issue 12, availability and abuse): a slow or idle
//! client that never finishes its request head is disconnected; no more connections are
//! served at once than configured; rate limits key on the client behind a trusted reverse
//! proxy (and only a trusted proxy's `X-Forwarded-For` is believed); an overall hourly cap
//! on submissions holds however many addresses a flood comes from.

mod common;

use std::time::Duration;

use common::*;
use gongkai::config::Config;
use gongkai_store::Store;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Start the application through the same listener code as `gongkai serve`.
async fn serve(store: &Store, config: Config, web: gongkai_web::WebConfig) -> std::net::SocketAddr {
    let state = gongkai_web::AppState::new(store.clone(), web).await.expect("state");
    let app = gongkai_web::router(state.clone());
    let bound = gongkai::listen::bind(&config, app, state, Duration::from_secs(60)).await.expect("bind");
    let addr = bound.main;
    tokio::spawn(async move { bound.serve(std::future::pending()).await.expect("serve") });
    addr
}

/// Read until the peer closes the connection or `limit` passes; `None` on timeout.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_not_finished_in_time_is_disconnected() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    org(&store, "town", "11441802007183516B").await;
    let config = Config { listen: "127.0.0.1:0".into(), header_read_timeout_secs: 1, ..Default::default() };
    let addr = serve(&store, config, gongkai_web::WebConfig::default()).await;

    // A slowloris: the request head is started and never finished.
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n").await.expect("write");
    let closed = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "a connection whose request head never ends must be closed");
    assert!(closed.is_some_and(|b| !String::from_utf8_lossy(&b).contains("200 OK")), "no page for an unfinished head");

    // A connection that sends nothing at all is closed too.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    assert!(read_until_closed(&mut idle, Duration::from_secs(10)).await.is_some(), "an idle connection must be closed");

    // A client that sends its request in time is served.
    let res = client().get(format!("http://{addr}/healthz")).send().await.expect("healthz");
    assert_eq!(res.status(), StatusCode::OK);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_connections_are_served_at_once_than_configured() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    org(&store, "town", "11441802007183516B").await;
    let config = Config { listen: "127.0.0.1:0".into(), max_connections: 2, header_read_timeout_secs: 30, ..Default::default() };
    let addr = serve(&store, config, gongkai_web::WebConfig::default()).await;

    // Two connections hold both places.
    let first = TcpStream::connect(addr).await.expect("connect");
    let mut second = TcpStream::connect(addr).await.expect("connect");
    second.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("write");
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), second.read(&mut buf)).await.expect("second served").expect("read");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));

    // A third waits in the kernel's queue: connected, but not served.
    let mut third = TcpStream::connect(addr).await.expect("connect");
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("write");
    assert!(
        tokio::time::timeout(Duration::from_millis(800), third.read(&mut buf)).await.is_err(),
        "a third connection must not be served while two are open"
    );

    // When one place is freed, the waiting connection is served.
    drop(first);
    let answer = read_until_closed(&mut third, Duration::from_secs(10)).await.expect("third served after a place was freed");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    drop(second);
    store.close().await;
}

/// Submit one online application, claiming to come from `forwarded_for`.
async fn apply_from(base: &str, forwarded_for: &str, n: usize) -> (StatusCode, String) {
    let anon = client();
    let page = anon
        .get(format!("{base}/org/town/apply"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("text");
    let token = csrf(&page);
    let description = format!("第{n}项：2023年本镇农村人居环境整治资金的使用情况");
    let form = [
        ("_csrf", token.as_str()),
        ("applicant_type", "natural"),
        ("name", "王小明"),
        ("id_doc_type", "id_card"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", description.as_str()),
        ("form_electronic", "1"),
        ("delivery", "online"),
    ];
    let res = anon.post(format!("{base}/org/town/apply")).header("x-forwarded-for", forwarded_for).form(&form).send().await.expect("submit");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn forwarded_for_counts_only_from_a_trusted_proxy(store: Store) {
    org(&store, "town", "11441802007183516B").await;
    let config = Config { listen: "127.0.0.1:0".into(), ..Default::default() };

    // Behind a trusted proxy (the tests connect from 127.0.0.1): each citizen has their own limit.
    let web = gongkai_web::WebConfig {
        apply_submissions_per_hour: 2,
        trusted_proxies: gongkai_web::client_ip::TrustedProxies::parse("127.0.0.1, ::1").expect("proxies"),
        ..Default::default()
    };
    let base = format!("http://{}", serve(&store, config.clone(), web).await);
    let mut n = 0;
    for _ in 0..2 {
        n += 1;
        let (status, body) = apply_from(&base, "198.51.100.7", n).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    n += 1;
    let (status, body) = apply_from(&base, "198.51.100.7", n).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the third application from one citizen is refused");
    assert!(body.contains("过于频繁") || body.contains("稍后"), "a Chinese message: {body}");
    // Another citizen behind the same proxy is not locked out by the first.
    n += 1;
    let (status, body) = apply_from(&base, "203.0.113.20", n).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // The proxy's own entry and anything a client wrote further left are not the client:
    // the right-most untrusted hop is, so a spoofed left part changes nothing.
    n += 1;
    let (status, _) = apply_from(&base, "10.9.9.9, 198.51.100.7", n).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a forged left-hand entry must not escape the limit");

    // Without trusted proxies the header is ignored: every submission counts against the socket address.
    let web = gongkai_web::WebConfig { apply_submissions_per_hour: 2, ..Default::default() };
    let base = format!("http://{}", serve(&store, config.clone(), web).await);
    for ip in ["192.0.2.1", "192.0.2.2"] {
        n += 1;
        let (status, body) = apply_from(&base, ip, n).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    n += 1;
    let (status, _) = apply_from(&base, "192.0.2.3", n).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "an untrusted X-Forwarded-For must not reset the limit");

    // The overall cap holds whatever address each submission comes from.
    let web = gongkai_web::WebConfig {
        apply_submissions_per_hour: 100,
        submissions_per_hour_all: 3,
        trusted_proxies: gongkai_web::client_ip::TrustedProxies::parse("127.0.0.1, ::1").expect("proxies"),
        ..Default::default()
    };
    let base = format!("http://{}", serve(&store, config, web).await);
    for i in 0..3 {
        n += 1;
        let (status, body) = apply_from(&base, &format!("100.64.0.{}", i + 1), n).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    n += 1;
    let (status, body) = apply_from(&base, "100.64.0.99", n).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the overall hourly cap must hold across addresses");
    assert!(body.contains("稍后"), "a Chinese message: {body}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_counts_only_from_a_trusted_proxy_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    forwarded_for_counts_only_from_a_trusted_proxy(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_counts_only_from_a_trusted_proxy_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    forwarded_for_counts_only_from_a_trusted_proxy(store).await;
}
