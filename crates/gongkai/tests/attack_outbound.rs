//! Attack suite, outbound calls (issue 12 (6)): an administrator who sets the submission
//! address (报送地址) to the server's own loopback, a cloud metadata address or a private
//! range cannot make gongkai call it; nothing is sent and the log says why in Chinese.
//! The receiver's answer is not echoed back beyond a JSON `message`. Its own test binary,
//! because the list of allowed hosts is process-wide.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

/// A loopback "internal service" that counts connections and answers with a secret.
async fn internal_service() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            "INTERNAL-SECRET-7f3a: root password is hunter2"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://{addr}/internal"), hits)
}

async fn send_to(base: &str, admin: &reqwest::Client, url: &str) -> StatusCode {
    let token = page_csrf(admin, &format!("{base}/admin/channels")).await;
    let form = [("led_line_chars", "24"), ("led_speed", "normal"), ("reply_days", "5"), ("submit_token", "t"), ("_csrf", token.as_str()), ("submit_url", url)];
    let res = admin.post(format!("{base}/admin/channels")).form(&form).send().await.expect("settings");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = page_csrf(admin, &format!("{base}/admin/submissions")).await;
    admin.post(format!("{base}/admin/submissions/send")).form(&[("_csrf", token.as_str())]).send().await.expect("send").status()
}

async fn outbound_calls_cannot_reach_inside(store: &Store) {
    gongkai_web::outbound::set_allowed_hosts("");
    let town = org(store, "town", "11441802007183516B").await;
    let boss = user(store, &town, "t_admin", &[Role::Admin, Role::Reviewer, Role::Editor]).await;
    published(store, &town, boss.id, "关于秋季防火的通知", "2024-09-27").await;
    let base = start(store.clone()).await;
    let (admin, _, _) = login(&base, "t_admin", PASSWORD).await;
    let (internal, hits) = internal_service().await;
    let port = internal.trim_start_matches("http://127.0.0.1:").split('/').next().expect("port").to_string();

    for url in [
        internal.clone(),
        format!("http://localhost:{port}/internal"),
        format!("http://[::ffff:127.0.0.1]:{port}/internal"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/".to_string(),
    ] {
        assert_eq!(send_to(&base, &admin, &url).await, StatusCode::SEE_OTHER, "{url}");
        let log = store.submissions(town.id, 0).await.expect("log");
        assert_eq!(log[0].status, "failed", "{url}: {}", log[0].response);
        assert!(log[0].response.contains("内网") && log[0].response.contains("outbound_hosts"), "{url}: {}", log[0].response);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the internal service was called");

    // Listed by the operator, the host is reached; its non-JSON answer is not echoed.
    gongkai_web::outbound::set_allowed_hosts("127.0.0.1");
    send_to(&base, &admin, &internal).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let log = store.submissions(town.id, 0).await.expect("log");
    assert!(!log[0].response.contains("INTERNAL-SECRET"), "the answer was echoed: {}", log[0].response);
    let page = admin.get(format!("{base}/admin/submissions")).send().await.expect("page").text().await.expect("text");
    assert!(!page.contains("INTERNAL-SECRET"), "the answer was echoed on the page");
    gongkai_web::outbound::set_allowed_hosts("");
}

/// One test, both backends in turn: the allowed-hosts list is process-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outbound_calls_cannot_reach_inside_on_both_backends() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    outbound_calls_cannot_reach_inside(&store).await;
    store.close().await;
    if let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await {
        outbound_calls_cannot_reach_inside(&store).await;
        store.close().await;
    }
}
