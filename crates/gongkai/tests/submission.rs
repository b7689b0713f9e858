//! Submission packages (报送) between two installations — two servers, two
//! databases: the receiving district issues an import token; the town sends
//! its published items (with an attachment) in a batch and on publication;
//! the district records them with their checksums. Malformed, tampered,
//! unauthorised and repeated packages are refused in Chinese and change
//! nothing. On SQLite and on PostgreSQL.

mod common;

use chrono::Utc;
use common::*;
use gongkai_domain::model::{DisclosureMode, DocType, ItemFields, ItemStatus, Role};
use gongkai_store::{NewItemEvent, Store};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

async fn received_count(store: &Store, org_id: i64) -> i64 {
    store.received_items(org_id, 0, 0).await.expect("received").total
}

async fn round_trip(sender: Store, receiver: Store) {
    // Both installations run on loopback: listed, as an operator lists an intranet platform
    // (an unlisted loopback receiver is refused: tests/attack_outbound.rs).
    gongkai_web::outbound::set_allowed_hosts("127.0.0.1");
    // ---- The receiving installation: the district. ----
    let district = org(&receiver, "district", "11441802007183268M").await;
    user(&receiver, &district, "d_admin", &[Role::Admin]).await;
    let up = start(receiver.clone()).await;
    let (d_admin, _, _) = login(&up, "d_admin", PASSWORD).await;
    let token = page_csrf(&d_admin, &format!("{up}/admin/channels")).await;
    let res = d_admin.post(format!("{up}/admin/channels/import-token")).form(&[("_csrf", token.as_str())]).send().await.expect("token");
    let html = res.text().await.expect("text");
    let marker = "<code class=\"password\">";
    let import_token = html[html.find(marker).expect("token shown") + marker.len()..].split('<').next().expect("token").to_string();
    let import_url = format!("{up}/api/v1/orgs/district/submissions");

    // ---- The sending installation: the town. ----
    let town = org(&sender, "town", "11441802007183516B").await;
    let boss = user(&sender, &town, "t_admin", &[Role::Admin, Role::Reviewer, Role::Editor]).await;
    let writer = user(&sender, &town, "t_editor", &[Role::Editor]).await;
    let first = published(&sender, &town, boss.id, "关于秋季防火的通知", "2024-09-27").await;
    let second = published(&sender, &town, boss.id, "关于国庆假期值班安排的通知", "2024-09-30").await;
    let attachment = "值班表：张三、李四".as_bytes();
    sender.add_attachment(second, "值班表.txt", "text/plain", attachment, Utc::now()).await.expect("attachment");
    let down = start(sender.clone()).await;
    let (t_admin, _, _) = login(&down, "t_admin", PASSWORD).await;

    // Sending without a configured address: a clear message, nothing logged as sent.
    let token = page_csrf(&t_admin, &format!("{down}/admin/submissions")).await;
    let res = t_admin.post(format!("{down}/admin/submissions/send")).form(&[("_csrf", token.as_str())]).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("尚未设置上级平台的报送地址"));

    // Configure, first with a wrong token: the district refuses and the log says so.
    let token = page_csrf(&t_admin, &format!("{down}/admin/channels")).await;
    let settings = |t: &'static str| vec![("led_line_chars", "24"), ("led_speed", "normal"), ("reply_days", "5"), ("submit_token", t)];
    let mut form = settings("wrong-token");
    form.push(("_csrf", token.as_str()));
    form.push(("submit_url", import_url.as_str()));
    let res = t_admin.post(format!("{down}/admin/channels")).form(&form).send().await.expect("settings");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = page_csrf(&t_admin, &format!("{down}/admin/submissions")).await;
    let res = t_admin.post(format!("{down}/admin/submissions/send")).form(&[("_csrf", token.as_str())]).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let log = sender.submissions(town.id, 0).await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "rejected");
    assert!(log[0].response.contains("报送令牌无效"), "{}", log[0].response);
    assert_eq!(received_count(&receiver, district.id).await, 0);

    // The right token, and automatic submission on publish.
    let mut form: Vec<(&str, &str)> = vec![("led_line_chars", "24"), ("led_speed", "normal"), ("reply_days", "5"), ("submit_token", import_token.as_str()), ("submit_on_publish", "1")];
    let token = page_csrf(&t_admin, &format!("{down}/admin/channels")).await;
    form.push(("_csrf", token.as_str()));
    form.push(("submit_url", import_url.as_str()));
    let res = t_admin.post(format!("{down}/admin/channels")).form(&form).send().await.expect("settings");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = page_csrf(&t_admin, &format!("{down}/admin/submissions")).await;
    let res = t_admin.post(format!("{down}/admin/submissions/send")).form(&[("_csrf", token.as_str())]).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().expect("loc").to_string();
    assert!(loc.contains("msg="), "accepted: {loc}");
    let log = sender.submissions(town.id, 0).await.expect("log");
    assert_eq!(log[0].status, "accepted", "{}", log[0].response);
    let mut ids = log[0].item_ids.clone();
    ids.sort_unstable();
    assert_eq!(ids, vec![first, second]);

    // The district has both items and the attachment, byte for byte.
    assert_eq!(received_count(&receiver, district.id).await, 2);
    let got = receiver.received_items(district.id, 0, 0).await.expect("received").items;
    let item = got.iter().find(|r| r.title == "关于国庆假期值班安排的通知").expect("second item");
    assert_eq!(item.source_code, "11441802007183516B");
    assert!(item.url.ends_with(&format!("/item/{second}")), "{}", item.url);
    let files = receiver.received_attachments(item.id).await.expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].2, attachment);
    assert_eq!(files[0].1, hex::encode(Sha256::digest(attachment)));
    let page = d_admin.get(format!("{up}/admin/submissions")).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("关于秋季防火的通知") && page.contains("测试town镇人民政府"), "{page}");

    // Nothing is pending any more.
    assert!(gongkai_web::submission::pending_items(&sender, town.id).await.expect("pending").is_empty());

    // Publishing through the back office sends the new item up at once.
    let catalog = sender.catalog(town.id).await.expect("catalog");
    let notice = catalog.iter().find(|n| n.name == "通知公告").expect("notices").id;
    let ev = |a: &str| NewItemEvent { actor_id: writer.id, action: a.into(), comment: String::new(), at: Utc::now() };
    let fields = ItemFields {
        catalog_id: notice,
        title: "关于冬季用电安全的提示".into(),
        summary: String::new(),
        body_html: "<p>注意用电安全。</p>".into(),
        publisher: town.name.clone(),
        formed_date: (Utc::now() + chrono::Duration::hours(8)).date_naive(),
        doc_number: None,
        topic: String::new(),
        genre: String::new(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    let draft = sender.create_item(town.id, writer.id, &fields, &ev("create")).await.expect("create");
    sender.transition_item(draft.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev("submit")).await.expect("submit");
    sender.transition_item(draft.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev("approve")).await.expect("approve");
    let token = page_csrf(&t_admin, &format!("{down}/admin/items/{}", draft.id)).await;
    let res = t_admin.post(format!("{down}/admin/items/{}/action", draft.id)).form(&[("_csrf", token.as_str()), ("action", "publish"), ("comment", "")]).send().await.expect("publish");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().expect("loc").to_string();
    assert!(loc.contains(&gongkai_web_url_encode("已报送上级平台")), "{loc}");
    assert_eq!(received_count(&receiver, district.id).await, 3);

    // ---- Bad packages at the district's endpoint: refused, nothing changed. ----
    let written = gongkai_web::submission::build(&sender, &town, &[first], "http://town.example").await.expect("build");
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, token: String| {
        let http = http.clone();
        let url = import_url.clone();
        async move {
            let res = http.post(url).bearer_auth(token).header("content-type", "application/json").body(body).send().await.expect("post");
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.expect("json"))
        }
    };
    // Tampered title: the items checksum no longer matches.
    let tampered = String::from_utf8(written.bytes.clone()).expect("utf8").replace("关于秋季防火的通知", "关于秋季防火的通告");
    let (status, body) = post(tampered.into_bytes(), import_token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["accepted"], false);
    assert!(body["message"].as_str().expect("message").contains("校验值不符"), "{body}");
    // Not JSON at all / not a package.
    let (status, body) = post(b"PK\x03\x04 not json".to_vec(), import_token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().expect("message").contains("不是有效的 JSON"), "{body}");
    let (status, body) = post(br#"{"format":"other","version":1}"#.to_vec(), import_token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().expect("message").contains("报送包"), "{body}");
    // Wrong token.
    let (status, body) = post(written.bytes.clone(), "nope".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["message"].as_str().expect("message").contains("令牌无效"));
    assert_eq!(received_count(&receiver, district.id).await, 3);
    // A good package is accepted once; the same package again is a conflict.
    let (status, body) = post(written.bytes.clone(), import_token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(written.bytes.clone(), import_token.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().expect("message").contains("已经导入过"));
    // The re-sent item replaced its earlier copy: still three items.
    assert_eq!(received_count(&receiver, district.id).await, 3);

    // Staff of the district can also upload a package file; a broken one changes nothing.
    let token = page_csrf(&d_admin, &format!("{up}/admin/submissions")).await;
    let part = reqwest::multipart::Form::new().text("_csrf", token.clone()).part("file", reqwest::multipart::Part::bytes(b"{\"format\":".to_vec()).file_name("bad.json"));
    let res = d_admin.post(format!("{up}/admin/submissions/import")).multipart(part).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("导入失败，未作任何更改"));
    let again = gongkai_web::submission::build(&sender, &town, &[second], "").await.expect("build");
    let part = reqwest::multipart::Form::new().text("_csrf", token).part("file", reqwest::multipart::Part::bytes(again.bytes).file_name("package.json"));
    let res = d_admin.post(format!("{up}/admin/submissions/import")).multipart(part).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(received_count(&receiver, district.id).await, 3);
    assert_eq!(receiver.received_packages(district.id).await.expect("packages").len(), 4);
}

fn gongkai_web_url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_round_trip_sqlite() {
    let (sender, _a) = gongkai_store::test_support::fresh_sqlite().await;
    let (receiver, _b) = gongkai_store::test_support::fresh_sqlite().await;
    round_trip(sender, receiver).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_round_trip_postgres() {
    let Some((sender, _a)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let Some((receiver, _b)) = gongkai_store::test_support::fresh_postgres().await else { return };
    round_trip(sender, receiver).await;
}
