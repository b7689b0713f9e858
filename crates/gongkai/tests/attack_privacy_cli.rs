//! `gongkai privacy scan` over what was published before the guard existed:
//! every finding listed masked with its back-office link, a non-zero exit
//! while any is unacknowledged, the full values never printed.

use std::process::Command;

#[test]
fn privacy_scan_lists_published_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("gongkai.db");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        // Sealed with the data directory's keys, which the command run below loads.
        let keys = gongkai_store::data_keys::DataKeys::load_or_create(dir.path(), None, None).expect("data keys");
        let store = gongkai_store::Store::connect(&format!("sqlite:{}", db.display())).await.expect("connect").with_data_keys(keys);
        store.migrate().await.expect("migrate");
        gongkai::demo::load(&store).await.expect("demo");
        // An item published straight through the store, as before the guard.
        let org = store.org_by_slug("yuantan").await.expect("org").expect("demo org");
        let user = store.users(&[org.id]).await.expect("users").into_iter().next().expect("a user");
        let catalog = store.catalog(org.id).await.expect("catalog");
        let node = catalog.iter().find(|n| n.name == "通知公告").expect("notices");
        let date = chrono::NaiveDate::from_ymd_opt(2024, 5, 6).expect("date");
        let fields = gongkai_domain::model::ItemFields {
            catalog_id: node.id,
            title: "困难群众救助名单公示".into(),
            summary: String::new(),
            body_html: "<p>救助对象赵建国，身份证号11010519491231002X，手机13912345678。</p>".into(),
            publisher: org.name.clone(),
            formed_date: date,
            doc_number: None,
            topic: "综合政务".into(),
            genre: "公示".into(),
            keywords: String::new(),
            disclosure_mode: gongkai_domain::model::DisclosureMode::Proactive,
            doc_type: gongkai_domain::model::DocType::Other,
            statutory_category: None,
        };
        let ev = |a: &str| gongkai_store::NewItemEvent { actor_id: user.id, action: a.into(), comment: String::new(), at: chrono::Utc::now() };
        let item = store.create_item(org.id, user.id, &fields, &ev("create")).await.expect("create");
        use gongkai_domain::model::ItemStatus::*;
        store.transition_item(item.id, Draft, Submitted, None, &ev("submit")).await.expect("submit");
        let approved = store.transition_item(item.id, Submitted, Approved, None, &ev("approve")).await.expect("approve");
        gongkai_web::ops::publish(&store, &approved, date, user.id, "", chrono::Utc::now()).await.expect("publish");
        store.close().await;
    });
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["privacy", "scan", "--data-dir"])
        .arg(dir.path())
        .env_remove("GONGKAI_CONFIG")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "unacknowledged findings must fail the command: {stdout}");
    assert!(stderr.contains("公民个人信息待处理"), "{stderr}");
    assert!(stdout.contains("困难群众救助名单公示") && stdout.contains("/admin/privacy/review?subject=item:"), "{stdout}");
    assert!(stdout.contains("居民身份证号") && stdout.contains("1101**********002X") && stdout.contains("139****5678"), "{stdout}");
    assert!(!stdout.contains("11010519491231002X") && !stdout.contains("13912345678"), "full values printed");
    // An unknown organisation is named.
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai")).args(["privacy", "scan", "--org", "nosuch", "--data-dir"]).arg(dir.path()).env_remove("GONGKAI_CONFIG").output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("机关“nosuch”不存在"));
}
