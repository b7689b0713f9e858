//! Two `gongkai serve` OS processes on one PostgreSQL database and one
//! S3-compatible object store, behind nginx running the configuration of docs/nginx.md (TLS, redirect, trusted proxy),
//! as a district deployment runs them: a staff session works whichever process
//! answers, an attachment uploaded through one is downloaded from the other,
//! and what is published or withdrawn through the proxy is visible on both
//! processes directly, their page caches included, within about a second.
//!
//! Needs `GONGKAI_TEST_DATABASE_URL`, nginx and moto's S3 server (PyPI);
//! without them it says NOT RUN (under `CI=true` a missing tool is a failure).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use gongkai_domain::model::Role;
use reqwest::StatusCode;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The test certificate nginx serves (set once the test has made it), trusted by
/// `status_of` for addresses through the proxy.
static PROXY_CERT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn wait_up(url: &str) {
    let c = any_client();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(res) = c.get(url).send().await {
            if res.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{url} did not answer within 120 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn serve(db_url: &str, data_dir: &std::path::Path, s3: &str) -> (Proc, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", db_url])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("GONGKAI_CONFIG")
        .env("GONGKAI_LOG", "warn")
        // As docs/nginx.md configures gongkai behind nginx.
        .env("GONGKAI_SECURE_COOKIES", "true")
        .env("GONGKAI_TRUSTED_PROXIES", "127.0.0.1")
        .env("GONGKAI_ATTACHMENT_STORE", "s3")
        .env("GONGKAI_S3_ENDPOINT", s3)
        .env("GONGKAI_S3_BUCKET", "district")
        .env("GONGKAI_S3_ACCESS_KEY_ID", "gongkai-test")
        .env("GONGKAI_S3_SECRET_ACCESS_KEY", "gongkai-test-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn gongkai");
    (Proc(child), format!("http://127.0.0.1:{port}"))
}

/// A client for the processes (plain HTTP) and the proxy (HTTPS with the test certificate).
fn any_client() -> reqwest::Client {
    match PROXY_CERT.get() {
        Some(pem) => common::nginx::client(pem),
        None => client(),
    }
}

async fn status_of(url: &str) -> StatusCode {
    any_client().get(url).send().await.expect("get").status()
}

async fn eventually(url: &str, want: StatusCode, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = status_of(url).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {url} still answers {got}, expected {want}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn action(c: &reqwest::Client, base: &str, id: i64, action: &str, comment: &str) {
    let token = page_csrf(c, &format!("{base}/admin/items/{id}")).await;
    let res = c
        .post(format!("{base}/admin/items/{id}/action"))
        // Approval records the 保密审查 and 公开属性审查 opinions.
        .form(&[("_csrf", token.as_str()), ("action", action), ("comment", comment), ("secrecy_opinion", "经审查，不涉及国家秘密"), ("disclosure_opinion", "属于主动公开范围，同意公开")])
        .send()
        .await
        .expect("action");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_behind_nginx() {
    let Some(_) = common::nginx::binary() else {
        assert!(std::env::var("CI").is_err(), "nginx is required under CI (apt-get install nginx-light)");
        eprintln!("NOT RUN: multi-process test needs nginx (apt-get install nginx-light)");
        return;
    };
    if std::process::Command::new("python3").args(["-c", "import moto.server"]).status().map(|s| !s.success()).unwrap_or(true) {
        assert!(std::env::var("CI").is_err(), "moto[server] is required under CI (pip install 'moto[server]')");
        eprintln!("NOT RUN: multi-process test needs an S3 server (pip install 'moto[server]')");
        return;
    }
    let Some((store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let s3_port = free_port();
    let s3_child = Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &s3_port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn moto");
    let _s3 = Proc(s3_child);
    let s3 = format!("http://127.0.0.1:{s3_port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(&s3).await.is_err() {
        assert!(Instant::now() < deadline, "S3 server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    gongkai_store::blobs::ObjectStore::new(&gongkai_store::blobs::S3Config {
        endpoint: s3.clone(),
        bucket: "district".into(),
        region: "us-east-1".into(),
        access_key_id: "gongkai-test".into(),
        secret_access_key: "gongkai-test-secret".into(),
        path_style: true,
    })
    .expect("object store")
    .create_bucket()
    .await
    .expect("bucket");
    let org = org(&store, "town", "11441802007183516B").await;
    user(&store, &org, "editor1", &[Role::Editor]).await;
    user(&store, &org, "reviewer1", &[Role::Reviewer]).await;
    let catalog = store.catalog(org.id).await.expect("catalog");
    let notices = catalog.iter().find(|n| n.name == "通知公告").expect("notices").id.to_string();
    store.close().await;

    let dirs = tempfile::tempdir().expect("tempdir");
    let (_a, base_a) = serve(db.url(), &dirs.path().join("a"), &s3);
    let (_b, base_b) = serve(db.url(), &dirs.path().join("b"), &s3);
    wait_up(&format!("{base_a}/org/town")).await;
    wait_up(&format!("{base_b}/org/town")).await;

    // nginx in front of both with the configuration of docs/nginx.md (TLS, HTTP→HTTPS
    // redirect), round robin, plus a header telling which process answered.
    let (http_port, https_port) = (free_port(), free_port());
    let tls = dirs.path().join("tls");
    std::fs::create_dir_all(&tls).expect("tls dir");
    let cert_pem = common::nginx::certificate(&tls);
    let _ = PROXY_CERT.set(cert_pem.clone());
    let upstream = |b: &str| b.trim_start_matches("http://").to_string();
    let block = common::nginx::server_blocks(&[upstream(&base_a), upstream(&base_b)], http_port, https_port, &tls, "add_header X-Upstream $upstream_addr always;");
    let _nginx = common::nginx::start(&block, &dirs.path().join("nginx"));
    let proxy = format!("https://localhost:{https_port}");
    wait_up(&format!("{proxy}/org/town")).await;

    // A staff session is honoured by whichever process answers.
    let (editor, status, _) = login_with(common::nginx::client(&cert_pem), &proxy, "editor1", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "login through the proxy");
    let mut upstreams = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let res = editor.get(format!("{proxy}/admin")).send().await.expect("dashboard");
        assert_eq!(res.status(), StatusCode::OK, "the session is valid on every process");
        if let Some(u) = res.headers().get("x-upstream").and_then(|v| v.to_str().ok()) {
            upstreams.insert(u.to_string());
        }
    }
    assert_eq!(upstreams.len(), 2, "both processes answered: {upstreams:?}");

    // Drafted, reviewed and published through the proxy.
    let token = page_csrf(&editor, &format!("{proxy}/admin/items/new")).await;
    let res = editor
        .post(format!("{proxy}/admin/items"))
        .form(&[
            ("_csrf", token.as_str()),
            ("catalog_id", notices.as_str()),
            ("title", "关于冬季道路结冰期间安全出行的提示"),
            ("summary", "冬季道路结冰，请注意出行安全。"),
            ("body", "请广大群众减少夜间出行。"),
            ("publisher", "测试town镇人民政府"),
            ("formed_date", "2026-11-20"),
            ("topic", "综合政务"),
            ("genre", "通知"),
            ("keywords", "出行"),
            ("disclosure_mode", "proactive"),
            ("doc_type", "other"),
            ("statutory_category", "art20-12"),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "draft saved");
    let loc = res.headers()["location"].to_str().expect("location").to_owned();
    let id: i64 = loc.trim_start_matches("/admin/items/").split('?').next().expect("id").parse().expect("id");
    // An attachment uploaded through the proxy lands in the shared object store.
    let pdf: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let token = page_csrf(&editor, &format!("{proxy}/admin/items/{id}")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .part("file", reqwest::multipart::Part::bytes(pdf.clone()).file_name("提示.pdf").mime_str("application/pdf").expect("mime"));
    let res = editor.post(format!("{proxy}/admin/items/{id}/attachments")).multipart(form).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "attachment uploaded");
    let (reviewer, _, _) = login_with(common::nginx::client(&cert_pem), &proxy, "reviewer1", PASSWORD).await;
    // Both processes render (and cache) the not-yet-published page as absent.
    assert_eq!(status_of(&format!("{base_a}/item/{id}")).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&format!("{base_b}/item/{id}")).await, StatusCode::NOT_FOUND);
    let column = client().get(format!("{base_b}/org/town/xxgk")).send().await.expect("column").text().await.expect("html");
    assert!(!column.contains("道路结冰"));
    action(&editor, &proxy, id, "submit", "").await;
    action(&reviewer, &proxy, id, "approve", "").await;
    action(&reviewer, &proxy, id, "publish", "").await;
    for base in [&base_a, &base_b] {
        eventually(&format!("{base}/item/{id}"), StatusCode::OK, "published item").await;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let column = client().get(format!("{base_b}/org/town/xxgk")).send().await.expect("column").text().await.expect("html");
        if column.contains("道路结冰") {
            break;
        }
        assert!(Instant::now() < deadline, "process B's cached column never listed the new item");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The attachment is served by both processes from the object store.
    let api: serde_json::Value = client().get(format!("{base_a}/api/v1/items/{id}")).send().await.expect("api").json().await.expect("json");
    let att = api["attachments"][0]["id"].as_i64().unwrap_or_else(|| panic!("attachment in {api}"));
    for base in [&base_a, &base_b] {
        let res = client().get(format!("{base}/attachments/{att}")).send().await.expect("download");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), &pdf[..]);
    }

    // Withdrawn through the proxy: gone on both processes.
    action(&reviewer, &proxy, id, "withdraw", "信息有误").await;
    for base in [&base_a, &base_b] {
        eventually(&format!("{base}/item/{id}"), StatusCode::GONE, "withdrawn item").await;
    }
    eventually(&format!("{proxy}/item/{id}"), StatusCode::GONE, "withdrawn item through the proxy").await;
}
