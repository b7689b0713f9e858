//! Drives the real HTTP server through draft → review → publish → visible on
//! the portal and in the API → withdraw → 410, with the permission checks
//! and bad input along the way — on SQLite and on PostgreSQL.

mod common;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

fn item_form<'a>(csrf: &'a str, catalog: &'a str, title: &'a str, formed: &'a str, doc: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("catalog_id", catalog),
        ("title", title),
        ("summary", "关于做好防汛工作的通知。"),
        ("body", "第一段正文。\n\n第二段<script>alert(1)</script>正文。"),
        ("publisher", "测试镇人民政府"),
        ("formed_date", formed),
        ("doc_number", doc),
        ("topic", "综合政务"),
        ("genre", "通知"),
        ("keywords", "防汛，通知"),
        ("disclosure_mode", "proactive"),
        ("doc_type", "other"),
        ("statutory_category", "art20-12"),
    ]
}

fn id_from_location(res: &reqwest::Response) -> i64 {
    let loc = res.headers().get("location").expect("redirect").to_str().expect("ascii");
    loc.trim_start_matches("/admin/items/").split('?').next().expect("id").parse().expect("numeric id")
}

async fn action(c: &reqwest::Client, base: &str, id: i64, action: &str, comment: &str) -> (StatusCode, String) {
    let token = page_csrf(c, &format!("{base}/admin/items/{id}")).await;
    let res = c
        .post(format!("{base}/admin/items/{id}/action"))
        // An approval records the 保密审查 and 公开属性审查 opinions (issue 15).
        .form(&[("_csrf", token.as_str()), ("action", action), ("comment", comment), ("secrecy_opinion", "经审查，不涉及国家秘密"), ("disclosure_opinion", "属于主动公开范围，同意公开")])
        .send()
        .await
        .expect("action");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn scenario(store: Store) {
    let town = org(&store, "town", "11441802007183516B").await;
    let other = org(&store, "other", "11441802007183698F").await;
    user(&store, &town, "editor1", &[Role::Editor]).await;
    user(&store, &town, "reviewer1", &[Role::Reviewer]).await;
    user(&store, &town, "both1", &[Role::Editor, Role::Reviewer]).await;
    user(&store, &other, "outsider", &[Role::Editor, Role::Reviewer, Role::Admin]).await;
    let catalog = store.catalog(town.id).await.expect("catalog");
    let notice = catalog.iter().find(|n| n.name == "通知公告").expect("notice column").id.to_string();
    let base = start(store.clone()).await;
    let anon = client();

    // Security headers on every response.
    let res = anon.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(res.status(), StatusCode::OK);
    for h in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
        assert!(res.headers().contains_key(h), "missing {h}");
    }

    // Anonymous users cannot reach the back office.
    let res = anon.get(format!("{base}/admin")).send().await.expect("admin");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().expect("loc").starts_with("/admin/login"));

    let (editor, status, _) = login(&base, "editor1", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Bad input: missing 名称, 成文日期 in the future → 422 naming the fields, nothing saved.
    let token = page_csrf(&editor, &format!("{base}/admin/items/new")).await;
    let res = editor.post(format!("{base}/admin/items")).form(&item_form(&token, &notice, "", "2999-01-01", "")).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("text");
    assert!(html.contains("名称不能为空"), "{html}");
    assert!(html.contains("成文日期不能晚于今天"));
    let before = store.list_items(&gongkai_store::ItemQuery { org_ids: vec![town.id], limit: 10, ..Default::default() }).await.expect("list");
    assert_eq!(before.total, 0);

    // CSRF: a state-changing request without the token is refused.
    let res = editor.post(format!("{base}/admin/items")).form(&item_form("", &notice, "无令牌", "2023-09-27", "")).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Draft.
    let res = editor
        .post(format!("{base}/admin/items"))
        .form(&item_form(&token, &notice, "关于做好2023年汛期防御工作的通知", "2023-09-27", "测试府〔2023〕12号"))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from_location(&res);

    // The 正文 was sanitised.
    let item = store.item(id).await.expect("item").expect("exists");
    assert!(!item.fields.body_html.contains("<script"));

    // Duplicate 文号 in another bracket style → 422 naming 文号.
    let res = editor
        .post(format!("{base}/admin/items"))
        .form(&item_form(&token, &notice, "另一条", "2023-09-28", "测试府[2023]12号"))
        .send()
        .await
        .expect("dup");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("文号"));

    // Drafts never leak: portal, API, listing.
    assert_eq!(anon.get(format!("{base}/item/{id}")).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    assert_eq!(anon.get(format!("{base}/api/v1/items/{id}")).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    let listing = anon.get(format!("{base}/org/town/xxgk")).send().await.expect("list").text().await.expect("text");
    assert!(!listing.contains("汛期防御"));

    // An attachment on the draft is not reachable anonymously.
    let token = page_csrf(&editor, &format!("{base}/admin/items/{id}")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%test\n".to_vec()).file_name("防汛方案.pdf"));
    let res = editor.post(format!("{base}/admin/items/{id}/attachments")).multipart(form).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let att = store.attachments(id).await.expect("attachments");
    assert_eq!(att.len(), 1);
    let att_id = att[0].id;
    assert_eq!(anon.get(format!("{base}/attachments/{att_id}")).send().await.expect("get").status(), StatusCode::NOT_FOUND);

    // A forbidden type and a too-large file are refused with clear messages.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(b"MZ\x90\x00 not a document".to_vec()).file_name("setup.pdf"));
    let res = editor.post(format!("{base}/admin/items/{id}/attachments")).multipart(form).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.text().await.expect("text").contains("类型不允许"));
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(65 * 1024, b'x');
    let form = reqwest::multipart::Form::new().text("_csrf", token.clone()).part("file", reqwest::multipart::Part::bytes(big).file_name("大文件.pdf"));
    let res = editor.post(format!("{base}/admin/items/{id}/attachments")).multipart(form).send().await.expect("upload");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.expect("text").contains("过大"));
    // Active content inside an accepted type is refused too, and nothing is stored:
    // a DOCX with a macro project, one whose template is fetched from elsewhere when
    // opened, and a PDF that runs a program.
    let docx = |extra: &str, data: &[u8]| -> Vec<u8> {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opts).expect("file");
        z.write_all(b"<Types/>").expect("write");
        z.start_file("word/document.xml", opts).expect("file");
        z.write_all(b"<w:document/>").expect("write");
        z.start_file(extra, opts).expect("file");
        z.write_all(data).expect("write");
        z.finish().expect("finish");
        buf.into_inner()
    };
    let template = br#"<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.5/x.dotm" TargetMode="External"/></Relationships>"#;
    for (name, bytes, why) in [
        ("工资表.docx", docx("word/vbaProject.bin", b"\x00"), "宏"),
        ("通知.docx", docx("word/_rels/settings.xml.rels", template), "外部文件"),
        ("方案.pdf", b"%PDF-1.4\n<< /S /Launch /F (cmd.exe) >>".to_vec(), "启动外部程序"),
    ] {
        let form = reqwest::multipart::Form::new().text("_csrf", token.clone()).part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        let res = editor.post(format!("{base}/admin/items/{id}/attachments")).multipart(form).send().await.expect("upload");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let page = res.text().await.expect("text");
        assert!(page.contains(why) && page.contains("不能上传"), "{name}: {page}");
    }
    assert_eq!(store.attachments(id).await.expect("attachments").len(), 1, "nothing stored");

    // Submit; the editor may not approve.
    assert_eq!(action(&editor, &base, id, "submit", "").await.0, StatusCode::SEE_OTHER);
    let (status, body) = action(&editor, &base, id, "approve", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Another organisation's administrator cannot see or act on it.
    let (outsider, _, _) = login(&base, "outsider", PASSWORD).await;
    assert_eq!(outsider.get(format!("{base}/admin/items/{id}")).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    assert_eq!(outsider.get(format!("{base}/admin/attachments/{att_id}")).send().await.expect("get").status(), StatusCode::FORBIDDEN);

    // Review: returning needs a comment; approve; publish.
    let (reviewer, _, _) = login(&base, "reviewer1", PASSWORD).await;
    let (status, body) = action(&reviewer, &base, id, "return", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("意见"));
    assert_eq!(action(&reviewer, &base, id, "approve", "同意").await.0, StatusCode::SEE_OTHER);
    // Still not public until published.
    assert_eq!(anon.get(format!("{base}/item/{id}")).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    assert_eq!(action(&reviewer, &base, id, "publish", "").await.0, StatusCode::SEE_OTHER);

    // Visible on the portal, with the metadata box and the 索引号.
    let item = store.item(id).await.expect("item").expect("exists");
    let index_no = item.index_no.clone().expect("index number assigned");
    assert!(index_no.starts_with("11441802007183516B/"), "{index_no}");
    let page = anon.get(format!("{base}/item/{id}")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("text");
    assert!(html.contains("关于做好2023年汛期防御工作的通知"));
    assert!(html.contains(&index_no));
    assert!(html.contains("成文日期") && html.contains("2023-09-27"));
    let listing = anon.get(format!("{base}/org/town/xxgk")).send().await.expect("list").text().await.expect("text");
    assert!(listing.contains("汛期防御"));
    assert_eq!(anon.get(format!("{base}/attachments/{att_id}")).send().await.expect("get").status(), StatusCode::OK);

    // And in the API.
    let res = anon.get(format!("{base}/api/v1/items/{id}")).send().await.expect("api");
    assert_eq!(res.status(), StatusCode::OK);
    let json: serde_json::Value = res.json().await.expect("json");
    assert_eq!(json["index_no"], index_no.as_str());
    assert_eq!(json["attachments"].as_array().map(Vec::len), Some(1));
    let json: serde_json::Value = anon.get(format!("{base}/api/v1/organisations/town/items")).send().await.expect("api").json().await.expect("json");
    assert_eq!(json["total"], 1);
    let res = anon.get(format!("{base}/api/v1/organisations/town/items?year=abc")).send().await.expect("api");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let json: serde_json::Value = res.json().await.expect("json");
    assert!(json["error"]["message"].as_str().expect("message").contains("年份"));

    // Validity marking shows on the original page.
    let token = page_csrf(&reviewer, &format!("{base}/admin/items/{id}")).await;
    let res = reviewer
        .post(format!("{base}/admin/items/{id}/validity"))
        .form(&[("_csrf", token.as_str()), ("validity", "repealed"), ("validity_date", "2024-01-01"), ("note", "已被新文件废止")])
        .send()
        .await
        .expect("validity");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = anon.get(format!("{base}/item/{id}")).send().await.expect("get").text().await.expect("text");
    assert!(html.contains("本文件已废止"), "{html}");

    // Withdraw needs a reason; then the URL answers 410, in the API too, and the attachment is gone.
    assert_eq!(action(&reviewer, &base, id, "withdraw", "").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(action(&reviewer, &base, id, "withdraw", "内容有误，更正后重新发布").await.0, StatusCode::SEE_OTHER);
    let res = anon.get(format!("{base}/item/{id}")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.expect("text").contains("内容有误"));
    assert_eq!(anon.get(format!("{base}/api/v1/items/{id}")).send().await.expect("get").status(), StatusCode::GONE);
    assert_eq!(anon.get(format!("{base}/attachments/{att_id}")).send().await.expect("get").status(), StatusCode::GONE);
    let json: serde_json::Value = anon.get(format!("{base}/api/v1/organisations/town/items")).send().await.expect("api").json().await.expect("json");
    assert_eq!(json["total"], 0);

    // Nobody approves their own draft, even holding both roles.
    let (both, _, _) = login(&base, "both1", PASSWORD).await;
    let token = page_csrf(&both, &format!("{base}/admin/items/new")).await;
    let res = both.post(format!("{base}/admin/items")).form(&item_form(&token, &notice, "自审测试", "2023-10-08", "")).send().await.expect("create");
    let own = id_from_location(&res);
    assert_eq!(action(&both, &base, own, "submit", "").await.0, StatusCode::SEE_OTHER);
    let (status, body) = action(&both, &base, own, "approve", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("自己"), "{body}");

    // The history records every step with who and when.
    let events = store.item_events(id).await.expect("events");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "submit", "approve", "publish", "validity", "withdraw"]);

    // Lock-out: 5 failures, then even the right password is refused.
    for _ in 0..5 {
        let (_, status, _) = login(&base, "editor1", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, status, body) = login(&base, "editor1", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("锁定"), "{body}");

    // Logout invalidates the session server-side: replaying the old cookie fails.
    let cookie = login_cookie(&base, "reviewer1", PASSWORD).await;
    let replay = client();
    let with_cookie = |c: &reqwest::Client| c.get(format!("{base}/admin")).header("cookie", format!("gk_session={cookie}"));
    assert_eq!(with_cookie(&replay).send().await.expect("get").status(), StatusCode::OK);
    let html = with_cookie(&replay).send().await.expect("get").text().await.expect("text");
    let token = csrf(&html);
    let res = replay
        .post(format!("{base}/admin/logout"))
        .header("cookie", format!("gk_session={cookie}"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(with_cookie(&client()).send().await.expect("get").status(), StatusCode::SEE_OTHER);

    // A disabled account's sessions end at once.
    let (admin, _, _) = login(&base, "outsider", PASSWORD).await;
    let cookie = login_cookie(&base, "both1", PASSWORD).await;
    let both_id = store.user_by_username("both1").await.expect("user").expect("both1").0.id;
    // `outsider` administers another organisation: it may not disable a town account.
    let token = page_csrf(&admin, &format!("{base}/admin/users")).await;
    let res = admin.post(format!("{base}/admin/users/{both_id}")).form(&[("_csrf", token.as_str()), ("op", "disable")]).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    store.set_user_disabled(both_id, true).await.expect("disable");
    let res = client().get(format!("{base}/admin")).header("cookie", format!("gk_session={cookie}")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The audit chain holds.
    assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
}

#[tokio::test]
async fn workflow_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    scenario(store).await;
}

#[tokio::test]
async fn workflow_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    scenario(store).await;
}
