//! E-mail notifications (issue 14) against a real SMTP server on loopback (a
//! small SMTP sink started by the test): staff hear of a new application, the
//! applicant gets the receipt and the issued letter with its DOCX, a rejected
//! recipient is retried then shown as failed in the back office, and the daily
//! digest is queued once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// An SMTP server accepting everything except recipients starting with `bounce`.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    smtp_sink_with(None).await
}

/// The same, speaking TLS from the first byte (SMTPS) when given a configuration.
async fn smtp_sink_with(tls: Option<Arc<rustls::ServerConfig>>) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let store = store.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let stream: Box<dyn Stream> = match tls {
                    Some(config) => match tokio_rustls::TlsAcceptor::from(config).accept(stream).await {
                        Ok(s) => Box::new(s),
                        Err(_) => return,
                    },
                    None => Box::new(stream),
                };
                let (r, mut w) = tokio::io::split(stream);
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("HELO") || upper.starts_with("MAIL FROM") || upper.starts_with("RSET") || upper.starts_with("NOOP") {
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO") {
                        if upper.contains("<BOUNCE") {
                            b"550 5.1.1 mailbox unavailable\r\n"
                        } else {
                            to.push(line[8..].trim().trim_start_matches(':').trim().trim_matches(|c| c == '<' || c == '>').to_string());
                            b"250 OK\r\n"
                        }
                    } else if upper.starts_with("DATA") {
                        let _ = w.write_all(b"354 go ahead\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                            data.push('\n');
                        }
                        store.lock().expect("lock").push(Mail { to: std::mem::take(&mut to), data });
                        b"250 OK queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"502 not implemented\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, mails)
}

/// The decoded Subject header.
fn subject(m: &Mail) -> String {
    let mut header = String::new();
    let mut inside = false;
    for line in m.data.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with("Subject:") {
            inside = true;
            header.push_str(&line["Subject:".len()..]);
        } else if inside && (line.starts_with(' ') || line.starts_with('\t')) {
            header.push_str(line);
        } else {
            inside = false;
        }
    }
    let mut out = String::new();
    for word in header.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let b = base64::engine::general_purpose::STANDARD.decode(&word[10..word.len() - 2]).expect("b64 subject");
            out.push_str(&String::from_utf8_lossy(&b));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Every base64 part of the message, decoded.
fn parts(m: &Mail) -> Vec<Vec<u8>> {
    let lines: Vec<&str> = m.data.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].eq_ignore_ascii_case("Content-Transfer-Encoding: base64") {
            while i < lines.len() && !lines[i].is_empty() {
                i += 1;
            }
            let mut b64 = String::new();
            i += 1;
            while i < lines.len() && !lines[i].is_empty() && !lines[i].starts_with("--") {
                b64.push_str(lines[i].trim());
                i += 1;
            }
            out.push(base64::engine::general_purpose::STANDARD.decode(b64).expect("b64 part"));
        }
        i += 1;
    }
    out
}

fn text(m: &Mail) -> String {
    parts(m).iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>().join("\n")
}

async fn wait_for(mails: &Arc<Mutex<Vec<Mail>>>, n: usize) -> Vec<Mail> {
    for _ in 0..200 {
        {
            let got = mails.lock().expect("lock");
            if got.len() >= n {
                return got.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} mails, got {:?}", mails.lock().expect("lock").iter().map(|m| m.to.clone()).collect::<Vec<_>>());
}

async fn apply(base: &str, email: &str) -> String {
    let anon = client();
    // A different request each time: the same one again within 24 hours is a repeat, not a new case.
    let description = format!("2023年本镇农村人居环境整治资金的使用情况（答复寄 {email}）");
    let form = [
        ("name", "王小明"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", description.as_str()),
        ("form_electronic", "1"),
        ("delivery", "email"),
        ("email", email),
    ];
    // POST → redirect → GET: the receipt is a page of its own.
    let res = apply_online(&anon, base, "town", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let receipt = res.headers().get("location").and_then(|l| l.to_str().ok()).expect("receipt location").to_owned();
    let res = anon.get(format!("{base}{receipt}")).send().await.expect("receipt");
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.expect("receipt")
}

async fn notifications(store: &Store) {
    let (port, mails) = smtp_sink().await;
    let town = org(store, "town", "11441802007183516B").await;
    let clerk = user(store, &town, "clerk", &[Role::Editor]).await;
    user(store, &town, "head", &[Role::Reviewer, Role::Admin]).await;
    let state = gongkai_web::AppState::new(store.clone(), gongkai_web::WebConfig { apply_submissions_per_hour: 1000, public_url: "https://gk.example.cn".into(), ..Default::default() })
        .await
        .expect("state");
    let settings = gongkai_web::notify::MailSettings {
        host: "127.0.0.1".into(),
        port,
        security: gongkai_web::notify::Security::None,
        username: String::new(),
        password: String::new(),
        from: "源潭镇政务公开 <gk@yuantan.example.gov.cn>".into(),
        extra_ca_pem: None,
        retry_base: Duration::from_millis(100),
        max_attempts: 2,
        digest_hour: 0,
    };
    gongkai_web::notify::start(&state, settings, Duration::from_millis(100)).expect("start mail");
    let app = gongkai_web::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.expect("serve") });

    // Each staff member sets their own address; a wrong one is refused in Chinese.
    let (head, _, _) = login(&base, "head", PASSWORD).await;
    let token = page_csrf(&head, &format!("{base}/admin/notifications")).await;
    let res = head.post(format!("{base}/admin/notifications")).form(&[("_csrf", token.as_str()), ("email", "not-an-address"), ("new_cases", "1")]).send().await.expect("prefs");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("格式不正确"));
    let res = head.post(format!("{base}/admin/notifications")).form(&[("_csrf", token.as_str()), ("email", "head@yuantan.example.gov.cn"), ("digest", "1"), ("review", "1")]).send().await.expect("prefs");
    assert_eq!(res.status(), StatusCode::OK);
    let (c, _, _) = login(&base, "clerk", PASSWORD).await;
    let token = page_csrf(&c, &format!("{base}/admin/notifications")).await;
    let res = c.post(format!("{base}/admin/notifications")).form(&[("_csrf", token.as_str()), ("email", "clerk@yuantan.example.gov.cn"), ("new_cases", "1")]).send().await.expect("prefs");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(store.notification_prefs(clerk.id).await.expect("prefs").email, "clerk@yuantan.example.gov.cn");

    // An application: the clerk (new cases on) hears of it, the head (off) does not; the applicant gets the receipt.
    apply(&base, "wang@example.cn").await;
    let got = wait_for(&mails, 2).await;
    let staff = got.iter().find(|m| m.to == ["clerk@yuantan.example.gov.cn"]).expect("staff mail");
    let receipt = got.iter().find(|m| m.to == ["wang@example.cn"]).expect("receipt");
    let stored = store.applications(&gongkai_store::ApplicationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("apps").items.remove(0);
    assert!(subject(staff).contains("新申请") && subject(staff).contains(&stored.tracking_code), "{}", subject(staff));
    assert!(text(staff).contains("https://gk.example.cn/admin/applications/"), "{}", text(staff));
    assert!(!text(staff).contains("王小明") && !text(staff).contains("13800138000"), "staff mail carries personal data");
    assert!(subject(receipt).contains("已收到") && subject(receipt).contains(&stored.tracking_code), "{}", subject(receipt));
    assert!(text(receipt).contains("王小明") && text(receipt).contains("答复期限"), "{}", text(receipt));
    assert!(!got.iter().any(|m| m.to == ["head@yuantan.example.gov.cn"]));

    // A letter issued in the back office reaches the applicant with the DOCX
    // (this organisation issues replies without the office head's sign-off).
    let mut settings = store.office_settings(town.id).await.expect("settings");
    settings.signoff.steps.clear();
    store.put_office_settings(&settings, chrono::Utc::now()).await.expect("settings");
    let letter = store.create_letter(stored.id, "reply", None, "政府信息公开申请答复书", "<p>经查，您申请的信息予以公开。</p>", None, chrono::Utc::now()).await.expect("letter");
    let (h2, _, _) = login(&base, "head", PASSWORD).await;
    let token = page_csrf(&h2, &format!("{base}/admin/letters/{}", letter.id)).await;
    let res = h2.post(format!("{base}/admin/letters/{}", letter.id)).form(&[("_csrf", token.as_str()), ("op", "issue")]).send().await.expect("issue");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let got = wait_for(&mails, 3).await;
    let reply = got.iter().find(|m| subject(m).contains("答复")).expect("reply mail");
    assert_eq!(reply.to, ["wang@example.cn"]);
    assert!(reply.data.contains("Content-Disposition: attachment"), "{}", reply.data);
    let docx = parts(reply).into_iter().find(|p| p.starts_with(b"PK")).expect("docx attachment");
    assert!(docx.len() > 1000);

    // A case registered by staff (a letter or a visit) sends the same receipt and staff notice.
    let token = page_csrf(&c, &format!("{base}/admin/applications/new")).await;
    let form = [
        ("_csrf", token.as_str()),
        ("channel", "in_person"),
        ("submitted_on", "2026-12-01"),
        ("applicant_type", "natural"),
        ("name", "李四"),
        ("id_doc_type", "id_card"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", "本镇2026年道路硬化工程的验收资料"),
        ("form_paper", "1"),
        ("delivery", "email"),
        ("email", "lisi@example.cn"),
    ];
    let res = c.post(format!("{base}/admin/applications")).form(&form).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    let got = wait_for(&mails, 5).await;
    assert!(got.iter().any(|m| m.to == ["lisi@example.cn"] && subject(m).contains("已收到")), "receipt of a registered case");
    // A letter that must be signed off tells the office heads who take review notices.
    let officehead = user(store, &town, "officehead", &[Role::OfficeHead, Role::Reviewer]).await;
    let mut prefs = gongkai_store::NotificationPrefs::defaults(officehead.id);
    prefs.email = "officehead@yuantan.example.gov.cn".into();
    store.put_notification_prefs(&prefs).await.expect("prefs");
    let pending = store.create_letter(stored.id, "reply", None, "政府信息公开申请答复书（第二版）", "<p>经查，予以公开。</p>", None, chrono::Utc::now()).await.expect("letter");
    gongkai_web::notify::letter_awaiting_signoff(&state, &pending, &stored).await;
    let got = wait_for(&mails, 6).await;
    let sign = got.iter().find(|m| subject(m).contains("待签发")).expect("sign-off notice");
    assert_eq!(sign.to, ["officehead@yuantan.example.gov.cn"], "only office heads are asked to sign off");
    assert!(text(sign).contains(&format!("/admin/letters/{}", pending.id)) && !text(sign).contains("王小明"), "{}", text(sign));

    // A recipient the server refuses: retried, then shown as failed, and can be retried by hand.
    apply(&base, "bounce@example.cn").await;
    let mut failed = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let list = store.outbox(&[town.id], 0).await.expect("outbox");
        if let Some(m) = list.iter().find(|m| m.recipient == "bounce@example.cn" && m.status == "failed") {
            failed = Some(m.clone());
            break;
        }
    }
    let failed = failed.expect("bounce given up after retries");
    assert_eq!(failed.attempts, 2);
    assert!(failed.last_error.contains("550") || failed.last_error.contains("发送失败"), "{}", failed.last_error);
    let page = h2.get(format!("{base}/admin/outbox")).send().await.expect("outbox page").text().await.expect("text");
    assert!(page.contains("bounce@example.cn") && page.contains("发送失败") && page.contains("立即重试"), "{page}");
    let token = csrf(&page);
    let res = h2.post(format!("{base}/admin/outbox/{}/retry", failed.id)).form(&[("_csrf", token.as_str())]).send().await.expect("retry");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let m = store.outbox_message(failed.id).await.expect("msg").expect("exists");
    assert!(m.status == "pending" || m.attempts > 2, "{m:?}");

    // The daily digest, forty days on: the open applications are overdue; queued once per day.
    let later = chrono::Utc::now().date_naive() + chrono::Duration::days(40);
    let before = mails.lock().expect("lock").len();
    // Two staff take the digest (the head, and the office head added above).
    assert_eq!(gongkai_web::notify::queue_digests(&state, later).await.expect("digest"), 2);
    assert_eq!(gongkai_web::notify::queue_digests(&state, later).await.expect("digest"), 0);
    let got = wait_for(&mails, before + 2).await;
    let digest = got.iter().find(|m| subject(m).contains("每日提醒") && m.to == ["head@yuantan.example.gov.cn"]).expect("digest mail");
    assert!(text(digest).contains("已超期的申请") && text(digest).contains(&stored.tracking_code), "{}", text(digest));
}

gongkai_store::on_both_backends!(notifications);

/// SMTP over TLS (port 465 style) to a server whose certificate a private CA issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipt_over_smtps() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params").self_signed(&key).expect("cert");
    std::fs::write(dir.path().join("smtp.crt"), cert.pem()).expect("write");
    std::fs::write(dir.path().join("smtp.key"), key.serialize_pem()).expect("write");
    let (config, _) = gongkai::tls::server_config(&dir.path().join("smtp.crt"), &dir.path().join("smtp.key")).expect("tls config");
    let (port, mails) = smtp_sink_with(Some(config)).await;
    org(&store, "town", "11441802007183516B").await;
    let state = gongkai_web::AppState::new(store.clone(), gongkai_web::WebConfig::default()).await.expect("state");
    let settings = gongkai_web::notify::MailSettings {
        host: "localhost".into(),
        port,
        security: gongkai_web::notify::Security::Tls,
        username: String::new(),
        password: String::new(),
        from: "gk@yuantan.example.gov.cn".into(),
        extra_ca_pem: Some(cert.pem().into_bytes()),
        retry_base: Duration::from_millis(100),
        max_attempts: 3,
        digest_hour: 23,
    };
    gongkai_web::notify::start(&state, settings, Duration::from_millis(100)).expect("start mail");
    let app = gongkai_web::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.expect("serve") });
    apply(&base, "li@example.cn").await;
    let got = wait_for(&mails, 1).await;
    assert_eq!(got[0].to, ["li@example.cn"]);
    assert!(subject(&got[0]).contains("已收到"), "{}", subject(&got[0]));
    store.close().await;
}
