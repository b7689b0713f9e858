//! Attack suite, personal-data guard (issue 12 (a)), against the running
//! server on SQLite and PostgreSQL: an item whose body and attachment hold a
//! 身份证号, a mobile number and a home address is not published until a
//! reviewer acknowledges each finding with a reason; the findings are shown
//! masked at their place; an editor cannot acknowledge; refusals and
//! acknowledgements are audited; an editor cannot publish a consultation
//! answer; the public Q&A list masks personal data; the back-office scan lists
//! published content holding personal data.

mod common;

use common::*;
use gongkai_domain::model::{ItemStatus, Role};
use gongkai_store::{NewConsultation, NewItemEvent, Store};
use reqwest::StatusCode;

const ID: &str = "11010519491231002X";
const PHONE: &str = "13912345678";

fn hidden_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker).map(|(i, _)| html[i + marker.len()..].split('"').next().unwrap_or("").to_string()).collect()
}

async fn item_with_personal_data(store: &Store, org: &gongkai_domain::model::Organisation, author: i64) -> i64 {
    let catalog = store.catalog(org.id).await.expect("catalog");
    let node = catalog.iter().find(|n| n.name == "通知公告").expect("notices");
    let fields = gongkai_domain::model::ItemFields {
        catalog_id: node.id,
        title: "关于低保对象的公示".into(),
        summary: "公示".into(),
        body_html: format!("<p>申请人张晓明，身份证号{ID}，联系电话{PHONE}，住址：测试县城关镇人民路12号3幢2单元501室。</p>"),
        publisher: org.name.clone(),
        formed_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date"),
        doc_number: None,
        topic: "综合政务".into(),
        genre: "公示".into(),
        keywords: String::new(),
        disclosure_mode: gongkai_domain::model::DisclosureMode::Proactive,
        doc_type: gongkai_domain::model::DocType::Other,
        statutory_category: None,
    };
    let ev = |a: &str| NewItemEvent { actor_id: author, action: a.into(), comment: String::new(), at: chrono::Utc::now() };
    let item = store.create_item(org.id, author, &fields, &ev("create")).await.expect("create");
    store.add_attachment(item.id, "名单.txt", "text/plain", "序号\t姓名\t银行卡号\n1\t李红\t6222021234567890128\n".as_bytes(), chrono::Utc::now()).await.expect("attach");
    store.transition_item(item.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev("submit")).await.expect("submit");
    store.transition_item(item.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev("approve")).await.expect("approve");
    item.id
}

async fn personal_data_is_not_published_unchecked(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &town, "editor", &[Role::Editor]).await;
    user(store, &town, "reviewer", &[Role::Reviewer]).await;
    let id = item_with_personal_data(store, &town, editor.id).await;

    // The reviewer tries to publish: refused, sent to the findings.
    let (rev, _, _) = login(&base, "reviewer", PASSWORD).await;
    let token = page_csrf(&rev, &format!("{base}/admin/items/{id}")).await;
    let publish = |c: reqwest::Client, token: String| {
        let base = base.clone();
        async move { c.post(format!("{base}/admin/items/{id}/action")).form(&[("_csrf", token.as_str()), ("action", "publish"), ("comment", "")]).send().await.expect("publish") }
    };
    let res = publish(rev.clone(), token.clone()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.starts_with(&format!("/admin/privacy/review?subject=item:{id}")), "{to}");
    assert_eq!(store.item(id).await.expect("item").expect("exists").status, ItemStatus::Approved, "not published");

    // Each finding at its place, masked; the full values never appear.
    let review = rev.get(format!("{base}{to}")).send().await.expect("review").text().await.expect("text");
    for label in ["居民身份证号", "手机号码", "详细住址", "姓名", "银行卡号", "附件“名单.txt”", "正文"] {
        assert!(review.contains(label), "{label} missing: {review}");
    }
    assert!(review.contains("1101**********002X") && review.contains("139****5678"), "{review}");
    assert!(!review.contains(ID) && !review.contains(PHONE) && !review.contains("6222021234567890128"), "review page shows the values");

    // An editor may look but not acknowledge.
    let (ed, _, _) = login(&base, "editor", PASSWORD).await;
    let ed_page = ed.get(format!("{base}{to}")).send().await.expect("review").text().await.expect("text");
    assert!(!ed_page.contains("确认可以公开</button>"));
    let hashes = hidden_values(&review, "hash");
    let kinds = hidden_values(&review, "kind");
    assert!(hashes.len() >= 6, "{hashes:?}");
    let ed_token = csrf(&ed_page);
    let subject = format!("item:{id}");
    let res = ed
        .post(format!("{base}/admin/privacy/ack"))
        .form(&[("_csrf", ed_token.as_str()), ("subject", subject.as_str()), ("kind", kinds[0].as_str()), ("hash", hashes[0].as_str()), ("reason", "无所谓")])
        .send()
        .await
        .expect("ack");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A reason is required.
    let res = rev
        .post(format!("{base}/admin/privacy/ack"))
        .form(&[("_csrf", token.as_str()), ("subject", subject.as_str()), ("kind", kinds[0].as_str()), ("hash", hashes[0].as_str()), ("reason", " ")])
        .send()
        .await
        .expect("ack");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Acknowledging all but one still blocks.
    for (k, h) in kinds.iter().zip(&hashes).skip(1) {
        let res = rev
            .post(format!("{base}/admin/privacy/ack"))
            .form(&[("_csrf", token.as_str()), ("subject", subject.as_str()), ("kind", k.as_str()), ("hash", h.as_str()), ("reason", "经本人书面同意公示")])
            .send()
            .await
            .expect("ack");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = publish(rev.clone(), token.clone()).await;
    assert!(res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("/admin/privacy/review"));
    let res = rev
        .post(format!("{base}/admin/privacy/ack"))
        .form(&[("_csrf", token.as_str()), ("subject", subject.as_str()), ("kind", kinds[0].as_str()), ("hash", hashes[0].as_str()), ("reason", "经本人书面同意公示")])
        .send()
        .await
        .expect("ack");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = publish(rev.clone(), token.clone()).await;
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default(), format!("/admin/items/{id}?msg=%E5%B7%B2%E5%8F%91%E5%B8%83"));
    assert_eq!(store.item(id).await.expect("item").expect("exists").status, ItemStatus::Published);

    // Audited: the refusals, each acknowledgement (masked, with its reason) and the editor's attempt.
    let log = store.audit_entries(0, 0).await.expect("audit").items;
    assert!(log.iter().filter(|e| e.action == "privacy.blocked" && !e.success).count() >= 2);
    assert_eq!(log.iter().filter(|e| e.action == "privacy.acknowledge" && e.success).count(), hashes.len());
    assert!(log.iter().any(|e| e.action == "privacy.acknowledge" && !e.success && e.actor_name == "editor"));
    assert!(log.iter().all(|e| !e.detail.contains(ID) && !e.detail.contains(PHONE)), "audit log holds personal data");

    // The back-office scan lists the published item with its acknowledged findings.
    let scan = rev.get(format!("{base}/admin/privacy")).send().await.expect("scan").text().await.expect("text");
    assert!(scan.contains("关于低保对象的公示") && scan.contains(&format!("subject=item:{id}")), "{scan}");
}

async fn consultations_need_a_reviewer_and_are_masked(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "clerk", &[Role::Editor]).await;
    user(store, &town, "reviewer", &[Role::Reviewer]).await;
    let today = chrono::Utc::now().date_naive();
    let c = store
        .create_consultation(&NewConsultation {
            org_id: town.id,
            name: "王五".into(),
            contact: String::new(),
            subject: "低保咨询".into(),
            question: format!("我的身份证号是{ID}，电话{PHONE}，请问低保怎么办？"),
            private: false,
            received: today,
            due: today,
            at: chrono::Utc::now(),
        })
        .await
        .expect("consultation");

    // The clerk answers and asks to publish: the answer is saved, not published.
    let (clerk, _, _) = login(&base, "clerk", PASSWORD).await;
    let token = page_csrf(&clerk, &format!("{base}/admin/consultations/{}", c.id)).await;
    let res = clerk
        .post(format!("{base}/admin/consultations/{}/answer", c.id))
        .form(&[("_csrf", token.as_str()), ("answer", "请到镇便民服务中心办理。"), ("department", "社会事务办"), ("publish", "1")])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!store.consultation(c.id).await.expect("load").expect("exists").published);
    let res = clerk.post(format!("{base}/admin/consultations/{}/publish", c.id)).form(&[("_csrf", token.as_str()), ("publish", "1")]).send().await.expect("publish");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The reviewer is sent to the findings of the question first.
    let (rev, _, _) = login(&base, "reviewer", PASSWORD).await;
    let rtoken = page_csrf(&rev, &format!("{base}/admin/consultations/{}", c.id)).await;
    let res = rev.post(format!("{base}/admin/consultations/{}/publish", c.id)).form(&[("_csrf", rtoken.as_str()), ("publish", "1")]).send().await.expect("publish");
    let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.starts_with(&format!("/admin/privacy/review?subject=consultation:{}", c.id)), "{to}");
    assert!(!store.consultation(c.id).await.expect("load").expect("exists").published);

    // Once published (after acknowledgement), the public list shows the question masked.
    let review = rev.get(format!("{base}{to}")).send().await.expect("review").text().await.expect("text");
    let subject = format!("consultation:{}", c.id);
    for (k, h) in hidden_values(&review, "kind").iter().zip(hidden_values(&review, "hash")) {
        let res = rev
            .post(format!("{base}/admin/privacy/ack"))
            .form(&[("_csrf", rtoken.as_str()), ("subject", subject.as_str()), ("kind", k.as_str()), ("hash", h.as_str()), ("reason", "公开时自动遮蔽")])
            .send()
            .await
            .expect("ack");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = rev.post(format!("{base}/admin/consultations/{}/publish", c.id)).form(&[("_csrf", rtoken.as_str()), ("publish", "1")]).send().await.expect("publish");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(store.consultation(c.id).await.expect("load").expect("exists").published);
    let public = client().get(format!("{base}/org/town/consult")).send().await.expect("public").text().await.expect("text");
    assert!(public.contains("低保怎么办") && public.contains("1101**********002X") && public.contains("139****5678"), "{public}");
    assert!(!public.contains(ID) && !public.contains(PHONE), "personal data on the public page");
}

/// A supervising organisation's administrator sees a town's cases (masked) but cannot reveal
/// the applicant's full data; the attempt is audited.
async fn a_district_cannot_reveal_a_towns_applicant(store: &Store) {
    let base = start(store.clone()).await;
    let district = org(store, "district", "11441802007183268M").await;
    let town = gongkai_web::ops::provision_org(
        store,
        &gongkai_store::NewOrganisation {
            slug: "town".into(),
            name: "测试镇人民政府".into(),
            org_code: "11441802007183516B".into(),
            level: gongkai_domain::model::OrgLevel::Township,
            parent_id: Some(district.id),
            office: Default::default(),
            index_pattern: gongkai_domain::index_number::DEFAULT_PATTERN.into(),
            description: String::new(),
        },
    )
    .await
    .expect("town");
    user(store, &district, "districtadmin", &[Role::Admin]).await;
    user(store, &town, "townadmin", &[Role::Admin]).await;
    user(store, &town, "townsec", &[Role::SecurityAdmin]).await;
    let sibling = gongkai_web::ops::provision_org(
        store,
        &gongkai_store::NewOrganisation {
            slug: "sibling".into(),
            name: "测试另一镇人民政府".into(),
            org_code: "11441802007183698F".into(),
            level: gongkai_domain::model::OrgLevel::Township,
            parent_id: Some(district.id),
            office: Default::default(),
            index_pattern: gongkai_domain::index_number::DEFAULT_PATTERN.into(),
            description: String::new(),
        },
    )
    .await
    .expect("sibling");

    let form = [
        ("name", "赵六"),
        ("id_doc_number", ID),
        ("phone", PHONE),
        ("description", "本镇2023年道路养护经费的使用情况"),
        ("form_electronic", "1"),
        ("delivery", "online"),
    ];
    let res = apply_online(&client(), &base, "town", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = store.applications(&gongkai_store::ApplicationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("list").items[0].id;

    let (dc, _, _) = login(&base, "districtadmin", PASSWORD).await;
    let page = dc.get(format!("{base}/admin/applications/{id}")).send().await.expect("case");
    assert_eq!(page.status(), StatusCode::OK, "the district supervises the town's cases");
    let html = page.text().await.expect("text");
    assert!(!html.contains(ID) && !html.contains(PHONE), "masked for the district");
    let res = dc.post(format!("{base}/admin/applications/{id}/reveal")).form(&[("_csrf", csrf(&html).as_str())]).send().await.expect("reveal");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body = res.text().await.expect("text");
    assert!(body.contains("受理该申请的机关") && !body.contains(ID), "{body}");
    let audit = store.audit_entries(200, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "application.reveal" && !e.success), "refusal audited");

    // The town's own administrator may.
    let (tc, _, _) = login(&base, "townadmin", PASSWORD).await;
    let token = page_csrf(&tc, &format!("{base}/admin/applications/{id}")).await;
    let res = tc.post(format!("{base}/admin/applications/{id}/reveal")).form(&[("_csrf", token.as_str())]).send().await.expect("reveal");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "the reveal page is never cached");
    assert!(res.text().await.expect("text").contains(ID));

    // Reveal grants: the town's security administrator alone grants the district's system
    // administrators the right; only a supervising organisation can be granted.
    let grant = |c: reqwest::Client, op: &'static str, grantee: i64| {
        let base = base.clone();
        async move {
            let token = page_csrf(&c, &format!("{base}/admin/reveal-grants")).await;
            let grantee = grantee.to_string();
            c.post(format!("{base}/admin/reveal-grants")).form(&[("_csrf", token.as_str()), ("op", op), ("grantee_org_id", grantee.as_str()), ("role", "admin")]).send().await.expect("grant")
        }
    };
    assert_eq!(tc.get(format!("{base}/admin/reveal-grants")).send().await.expect("grants").status(), StatusCode::FORBIDDEN, "not the system administrator's");
    let (sc, _, _) = login(&base, "townsec", PASSWORD).await;
    let page = sc.get(format!("{base}/admin/reveal-grants")).send().await.expect("grants").text().await.expect("text");
    assert!(page.contains("尚未授权") && page.contains(&district.name) && !page.contains("测试另一镇人民政府"), "{page}");
    let res = grant(sc.clone(), "grant", sibling.id).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a sibling is no supervisor");
    assert!(store.reveal_grants(town.id).await.expect("grants").is_empty());
    let res = grant(sc.clone(), "grant", district.id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let grants = store.reveal_grants(town.id).await.expect("grants");
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].grantee_org_id, grants[0].role), (district.id, Role::Admin));
    let audit = store.audit_entries(300, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "reveal_grant.grant" && e.success && e.actor_name == "townsec" && e.target == format!("org:{}", town.id)), "grant audited");

    // With the grant the district reveals, and the view is audited as a granted one.
    let token = page_csrf(&dc, &format!("{base}/admin/applications/{id}")).await;
    let res = dc.post(format!("{base}/admin/applications/{id}/reveal")).form(&[("_csrf", token.as_str())]).send().await.expect("reveal");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains(ID));
    let audit = store.audit_entries(300, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "application.reveal" && e.success && e.actor_name == "districtadmin" && e.detail.contains("授权")), "granted reveal audited");

    // Revoked: refused again, and audited.
    let res = grant(sc.clone(), "revoke", district.id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(store.reveal_grants(town.id).await.expect("grants").is_empty());
    let token = page_csrf(&dc, &format!("{base}/admin/applications/{id}")).await;
    let res = dc.post(format!("{base}/admin/applications/{id}/reveal")).form(&[("_csrf", token.as_str())]).send().await.expect("reveal");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!res.text().await.expect("text").contains(ID));
    let audit = store.audit_entries(400, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "reveal_grant.revoke" && e.success && e.actor_name == "townsec"), "revocation audited");
    assert_eq!(audit.items.iter().filter(|e| e.action == "application.reveal" && !e.success && e.actor_name == "districtadmin").count(), 2, "both refusals audited");
}

gongkai_store::on_both_backends!(personal_data_is_not_published_unchecked, consultations_need_a_reviewer_and_are_masked, a_district_cannot_reveal_a_towns_applicant);

/// Issue 12 item 2: after an online application the database file — checkpointed, so
/// the WAL's pages are in it — holds neither the applicant's ID number nor the phone:
/// only their SM4 ciphertext. Staff still see them in clear (SQLite: a file to read).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_file_holds_no_clear_id_number_after_an_online_application() {
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    let base = start(store.clone()).await;
    let town = org(&store, "town", "11441802007183516B").await;
    let form = [
        ("name", "王小明"),
        ("id_doc_number", ID),
        ("phone", PHONE),
        ("description", "本镇2023年农村人居环境整治资金的使用情况"),
        ("form_electronic", "1"),
        ("delivery", "online"),
    ];
    let res = apply_online(&client(), &base, "town", &form).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let stored = store.applications(&gongkai_store::ApplicationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("list").items;
    assert_eq!(stored.len(), 1, "the application was stored");
    assert_eq!((stored[0].id_doc_number.as_str(), stored[0].phone.as_str()), (ID, PHONE), "read back in clear");

    store.checkpoint(true).await.expect("checkpoint");
    let path = db.url().strip_prefix("sqlite:").expect("sqlite url");
    let mut bytes = std::fs::read(path).expect("database file");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains("本镇2023年农村人居环境整治资金"), "the file read is the one written to");
    assert!(!contains(ID), "the ID number lies in clear in the database file");
    assert!(!contains(PHONE), "the phone number lies in clear in the database file");
    store.close().await;
}
