//! Operations (issue 14): health and readiness probes, Prometheus metrics on
//! their own listener, HTTPS served with rustls (certificate reload, HTTP→HTTPS
//! redirect), submission packages sent to an https:// receiver, `gongkai doctor`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use gongkai::config::Config;
use gongkai_store::Store;
use reqwest::StatusCode;

/// Start the application through the same listener code as `gongkai serve`.
async fn serve(store: &Store, config: Config) -> gongkai::listen::Bound {
    let state = gongkai_web::AppState::new(store.clone(), gongkai_web::WebConfig::default()).await.expect("state");
    let app = gongkai_web::router(state.clone());
    gongkai::listen::bind(&config, app, state, Duration::from_millis(100)).await.expect("bind")
}

fn run(bound: gongkai::listen::Bound) {
    tokio::spawn(async move { bound.serve(std::future::pending()).await.expect("serve") });
}

/// A line of the exposition text starting with `prefix`, as its value.
fn metric(text: &str, prefix: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(prefix)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok())
}

async fn apply(base: &str) {
    let form = [
        ("name", "王小明"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", "2023年本镇农村人居环境整治资金的使用情况"),
        ("form_electronic", "1"),
        ("delivery", "email"),
        ("email", "wang@example.cn"),
    ];
    // Stored, then POST → redirect → GET to the receipt.
    let res = apply_online(&client(), base, "town", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
}

async fn health_metrics_readiness(store: &Store) {
    org(store, "town", "11441802007183516B").await;
    let backups = tempfile::tempdir().expect("tempdir");
    let config = Config {
        listen: "127.0.0.1:0".into(),
        metrics_listen: Some("127.0.0.1:0".into()),
        backup_dir: Some(backups.path().to_path_buf()),
        ..Default::default()
    };
    let bound = serve(store, config).await;
    let base = format!("http://{}", bound.main);
    let metrics_url = format!("http://{}/metrics", bound.metrics.expect("metrics listener"));
    run(bound);
    let c = client();

    let res = c.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.expect("text"), "ok\n");
    let res = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(res.status(), StatusCode::OK);
    let ready: serde_json::Value = res.json().await.expect("json");
    assert_eq!(ready["ready"], true, "{ready}");
    assert_eq!(ready["migrations"], "ok", "{ready}");

    apply(&base).await;
    assert_eq!(c.get(format!("{base}/no-such-page-at-all")).send().await.expect("404").status(), StatusCode::NOT_FOUND);
    // Metrics are not on the public listener.
    assert_eq!(c.get(format!("{base}/metrics")).send().await.expect("metrics on main").status(), StatusCode::NOT_FOUND);

    let text = c.get(&metrics_url).send().await.expect("metrics").text().await.expect("text");
    assert!(metric(&text, "gongkai_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}").is_some_and(|n| n >= 1.0), "{text}");
    assert!(metric(&text, "gongkai_http_requests_total{route=\"/org/{slug}/apply\",method=\"POST\",status=\"303\"}").is_some_and(|n| n >= 1.0), "{text}");
    assert!(metric(&text, "gongkai_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}").is_some_and(|n| n >= 1.0), "{text}");
    assert!(metric(&text, "gongkai_http_request_duration_seconds_count{route=\"/readyz\"}").is_some_and(|n| n >= 1.0), "{text}");
    assert!(text.contains("gongkai_http_request_duration_seconds_bucket{route=\"/readyz\",le=\"+Inf\"}"), "{text}");
    assert!(metric(&text, "gongkai_db_pool_max_connections").is_some_and(|n| n >= 1.0), "{text}");
    assert!(metric(&text, "gongkai_db_pool_connections{state=\"idle\"}").is_some(), "{text}");
    assert_eq!(metric(&text, "gongkai_db_up"), Some(1.0), "{text}");
    assert!(metric(&text, "gongkai_search_index_lag").is_some_and(|n| n >= 0.0), "{text}");
    // The application just received is open and not yet due.
    assert_eq!(metric(&text, "gongkai_cases{clock=\"open\"}"), Some(1.0), "{text}");
    assert_eq!(metric(&text, "gongkai_cases{clock=\"overdue\"}"), Some(0.0), "{text}");
    assert_eq!(metric(&text, "gongkai_backup_age_seconds"), Some(-1.0), "no backup yet: {text}");
    // Routes are templates: no applicant data, no tracking code, no concrete ids.
    assert!(!text.contains("王小明") && !text.contains("wang@") && !text.contains("no-such-page"), "{text}");

    std::fs::write(backups.path().join("gongkai-backup-20260101T000000Z.tar"), b"x").expect("write");
    let text = c.get(&metrics_url).send().await.expect("metrics").text().await.expect("text");
    assert!(metric(&text, "gongkai_backup_age_seconds").is_some_and(|a| (0.0..60.0).contains(&a)), "{text}");

    // The database goes away: not ready, with the reason in Chinese; still alive.
    store.close().await;
    let res = c.get(format!("{base}/readyz")).send().await.expect("readyz");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.expect("text").contains("数据库无法访问"));
    assert_eq!(c.get(format!("{base}/healthz")).send().await.expect("healthz").status(), StatusCode::OK);
}

/// A self-signed certificate for localhost/127.0.0.1 valid for `days` from now
/// (negative: already expired), written as PEM files.
fn certificate(dir: &Path, name: &str, days: i64) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("params");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(if days < 0 { 30 } else { 1 });
    params.not_after = now + time::Duration::days(days);
    let cert = params.self_signed(&key).expect("self-signed");
    let cert_path = dir.join(format!("{name}.crt"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert.pem()).expect("cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    (cert_path, key_path, cert.pem())
}

fn tls_client(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("ca"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn https_with_reload_and_redirect(store: &Store) {
    org(store, "town", "11441802007183516B").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key, first_pem) = certificate(dir.path(), "site", 90);
    let config = Config {
        listen: "127.0.0.1:0".into(),
        tls_cert: Some(cert.clone()),
        tls_key: Some(key.clone()),
        http_redirect_listen: Some("127.0.0.1:0".into()),
        ..Default::default()
    };
    let bound = serve(store, config).await;
    assert!(bound.https);
    let port = bound.main.port();
    let redirect = bound.redirect.expect("redirect listener");
    assert!(bound.banner().contains(&format!("https://127.0.0.1:{port}/")), "{}", bound.banner());
    run(bound);
    let base = format!("https://localhost:{port}");

    let first = tls_client(&first_pem);
    let res = first.get(format!("{base}/healthz")).send().await.expect("https healthz");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    let page = first.get(format!("{base}/org/town")).send().await.expect("portal");
    assert_eq!(page.status(), StatusCode::OK);
    // Plain HTTP to the TLS port is not served.
    assert!(client().get(format!("http://127.0.0.1:{port}/healthz")).send().await.map(|r| !r.status().is_success()).unwrap_or(true));

    // HTTP → HTTPS: same host, the HTTPS port, path and query kept; forms keep their method.
    let plain = client();
    let res = plain.get(format!("http://localhost:{}/org/town/apply?x=1", redirect.port())).send().await.expect("redirect");
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.headers()["location"], format!("https://localhost:{port}/org/town/apply?x=1").as_str());
    let res = plain.post(format!("http://localhost:{}/admin/login", redirect.port())).send().await.expect("redirect post");
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);

    // A renewed certificate is picked up without a restart; a broken file is ignored.
    let (_, _, second_pem) = {
        let renewed = tempfile::tempdir().expect("tempdir");
        let (c2, k2, pem) = certificate(renewed.path(), "site", 365);
        let second = tls_client(&pem);
        assert!(second.get(format!("{base}/healthz")).send().await.is_err(), "old certificate still served");
        std::fs::write(&key, b"-----BEGIN PRIVATE KEY-----\nbroken\n").expect("half-written key");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(tls_client(&first_pem).get(format!("{base}/healthz")).send().await.expect("old cert kept").status(), StatusCode::OK);
        std::fs::copy(&c2, &cert).expect("copy cert");
        std::fs::copy(&k2, &key).expect("copy key");
        (c2, k2, pem)
    };
    let second = tls_client(&second_pem);
    let mut ok = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if second.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status() == StatusCode::OK) {
            ok = true;
            break;
        }
    }
    assert!(ok, "renewed certificate not served within 5 s");
}

gongkai_store::on_both_backends!(health_metrics_readiness, https_with_reload_and_redirect);

/// A submission package goes to an `https://` receiver whose certificate a
/// private CA issued (trusted through `outbound_ca_file`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_sent_to_https_receiver() {
    use gongkai_domain::model::Role;
    let (receiver, _a) = gongkai_store::test_support::fresh_sqlite().await;
    let (sender, _b) = match gongkai_store::test_support::fresh_postgres().await {
        Some(x) => x,
        None => gongkai_store::test_support::fresh_sqlite().await,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key, pem) = certificate(dir.path(), "district", 90);
    gongkai_web::outbound::set_extra_roots(pem.as_bytes(), "district.crt").expect("ca");
    // The receiver runs on loopback: listed, as an operator lists an intranet platform.
    gongkai_web::outbound::set_allowed_hosts("localhost");

    let district = org(&receiver, "district", "11441802007183268M").await;
    user(&receiver, &district, "d_admin", &[Role::Admin]).await;
    let bound = serve(&receiver, Config { listen: "127.0.0.1:0".into(), tls_cert: Some(cert), tls_key: Some(key), ..Default::default() }).await;
    let up = format!("https://localhost:{}", bound.main.port());
    run(bound);
    // The district's import token, from its back office over HTTPS.
    let d = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("ca"))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = d.get(format!("{up}/admin/login")).send().await.expect("login page").text().await.expect("text");
    let token = csrf(&page);
    let res = d.post(format!("{up}/admin/login")).form(&[("username", "d_admin"), ("password", PASSWORD), ("_csrf", token.as_str())]).send().await.expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = csrf(&d.get(format!("{up}/admin/channels")).send().await.expect("channels").text().await.expect("text"));
    let html = d.post(format!("{up}/admin/channels/import-token")).form(&[("_csrf", token.as_str())]).send().await.expect("token").text().await.expect("text");
    let marker = "<code class=\"password\">";
    let import_token = html[html.find(marker).expect("token shown") + marker.len()..].split('<').next().expect("token").to_string();

    let town = org(&sender, "town", "11441802007183516B").await;
    let boss = user(&sender, &town, "t_admin", &[Role::Admin, Role::Reviewer, Role::Editor]).await;
    let item = published(&sender, &town, boss.id, "关于秋季防火的通知", "2024-09-27").await;
    let mut settings = sender.channel_settings(town.id).await.expect("settings");
    settings.submit_url = format!("{up}/api/v1/orgs/district/submissions");
    settings.submit_token = import_token;
    sender.put_channel_settings(&settings).await.expect("put settings");
    let written = gongkai_web::submission::build(&sender, &town, &[item], "https://town.example.cn").await.expect("package");
    let log = gongkai_web::submission::send(&sender, &town, &settings, &written, &[item], "manual").await.expect("send");
    assert_eq!(log.status, "accepted", "{}", log.response);
    let got = receiver.received_items(district.id, 0, 0).await.expect("received").items;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].title, "关于秋季防火的通知");
}

fn doctor(data: &Path, env: &[(&str, &std::ffi::OsStr)]) -> (bool, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.arg("doctor").arg("--data-dir").arg(data).env_remove("GONGKAI_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run doctor");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// `gongkai doctor` on an SQLite installation: each problem named in Chinese with
/// what to do, and the exit status follows the worst finding.
#[cfg(unix)]
#[test]
fn doctor_checks_an_installation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (ok, text) = doctor(&data, &[]);
    assert!(!ok, "{text}");
    assert!(text.contains("[问题] 数据目录") && text.contains("gongkai migrate"), "{text}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai")).arg("migrate").arg("--data-dir").arg(&data).env_remove("GONGKAI_CONFIG").output().expect("migrate");
    assert!(out.status.success());
    chmod(&data, 0o755);
    let (ok, text) = doctor(&data, &[]);
    assert!(!ok, "{text}");
    assert!(text.contains("其他用户可以访问") && text.contains("chmod 750"), "{text}");
    chmod(&data, 0o750);
    let (ok, text) = doctor(&data, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("[正常] 数据库持久性：journal_mode=wal，synchronous=2"), "{text}");
    assert!(text.contains("[正常] 数据库迁移：已是最新"), "{text}");
    assert!(text.contains("[注意] 备份") && text.contains("还没有备份"), "{text}");
    assert!(text.contains("磁盘空间") && text.contains("GiB"), "{text}");
    // An audit key others can read (copied by hand, say) is found before the server refuses to start.
    assert!(text.contains("[正常] 审计密钥"), "{text}");
    let audit_key = data.join("keys/audit-mac.key");
    chmod(&audit_key, 0o640);
    let (ok, text) = doctor(&data, &[]);
    assert!(!ok && text.contains("[问题] 审计密钥") && text.contains("chmod 600"), "{text}");
    chmod(&audit_key, 0o600);
    // No virus scanner is a note; a configured one that does not answer is a problem,
    // since every upload is refused until it answers.
    assert!(text.contains("[注意] 病毒扫描") && text.contains("未配置 clamav"), "{text}");
    let missing = dir.path().join("no-clamd.sock");
    let (ok, text) = doctor(&data, &[("GONGKAI_CLAMAV", missing.as_os_str())]);
    assert!(!ok && text.contains("[问题] 病毒扫描") && text.contains("无法连接 ClamAV"), "{text}");

    // A certificate about to expire, then an expired one, then a readable key.
    let certs = tempfile::tempdir().expect("tempdir");
    let (cert, key, _) = certificate(certs.path(), "soon", 10);
    let env = [("GONGKAI_TLS_CERT", cert.as_os_str()), ("GONGKAI_TLS_KEY", key.as_os_str())];
    let (ok, text) = doctor(&data, &env);
    assert!(ok, "{text}");
    assert!(text.contains("[注意] TLS 证书") && text.contains("到期"), "{text}");
    assert!(text.contains("[正常] 密钥文件"), "{text}");
    let (cert, key, _) = certificate(certs.path(), "old", -1);
    let env = [("GONGKAI_TLS_CERT", cert.as_os_str()), ("GONGKAI_TLS_KEY", key.as_os_str())];
    let (ok, text) = doctor(&data, &env);
    assert!(!ok, "{text}");
    assert!(text.contains("[问题] TLS 证书") && text.contains("过期"), "{text}");
    chmod(&key, 0o644);
    let (_, text) = doctor(&data, &env);
    assert!(text.contains("[问题] 密钥文件") && text.contains("chmod 600"), "{text}");
    // A certificate with someone else's key.
    let (cert, _, _) = certificate(certs.path(), "a", 90);
    let (_, key, _) = certificate(certs.path(), "b", 90);
    let env = [("GONGKAI_TLS_CERT", cert.as_os_str()), ("GONGKAI_TLS_KEY", key.as_os_str())];
    let (ok, text) = doctor(&data, &env);
    assert!(!ok && text.contains("不配对"), "{text}");

    // A backup ten days old: the scheduled backup is not running.
    let backups = data.join("backups");
    std::fs::create_dir_all(&backups).expect("mkdir");
    let old = backups.join("gongkai-backup-20250101T000000Z.tar");
    let file = std::fs::File::create(&old).expect("create");
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(10 * 24 * 3600)).expect("mtime");
    let (ok, text) = doctor(&data, &[]);
    assert!(!ok, "{text}");
    assert!(text.contains("[问题] 备份") && text.contains("定时备份可能没有运行"), "{text}");
}

/// The same checks against PostgreSQL read its durability settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reads_postgres_durability() {
    let Some((store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config { data_dir: dir.path().to_path_buf(), database_url: Some(db.url().to_string()), ..Default::default() };
    let findings = gongkai::doctor::check(&config).await;
    let line = findings.iter().find(|f| f.topic == "数据库持久性").expect("durability finding");
    assert_eq!(line.level, gongkai::doctor::Level::Ok, "{findings:?}");
    assert!(line.message.contains("fsync=on") && line.message.contains("synchronous_commit="), "{findings:?}");
    assert!(findings.iter().any(|f| f.topic == "数据库" && f.message.contains("PostgreSQL")), "{findings:?}");
    store.close().await;
}
