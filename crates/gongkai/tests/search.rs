//! Full-text search through the real HTTP server: Simplified and Traditional
//! script find each other, 文号 in any bracket style, attachment text,
//! filters; publishing, abolishing and withdrawing show at once and a
//! withdrawn or unpublished item is never returned; the index rebuilt from
//! the database equals the one kept up incrementally; two nodes on one
//! database stay in step; bad input gets Chinese 400s; analytics count
//! queries and clicks without personal data — on SQLite and PostgreSQL.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use common::*;
use gongkai_domain::model::{DisclosureMode, DocType, Item, ItemFields, ItemStatus, Organisation, Role, User, Validity};
use gongkai_search::SearchService;
use gongkai_store::{NewItemEvent, Store};
use reqwest::StatusCode;
use serde_json::Value;

fn ev(actor: &User, action: &str) -> NewItemEvent {
    NewItemEvent { actor_id: actor.id, action: action.into(), comment: String::new(), at: Utc::now() }
}

fn fields(catalog_id: i64, title: &str, body_html: &str, doc_number: Option<&str>) -> ItemFields {
    ItemFields {
        catalog_id,
        title: title.into(),
        summary: String::new(),
        body_html: body_html.into(),
        publisher: "测试镇人民政府".into(),
        formed_date: NaiveDate::from_ymd_opt(2023, 9, 1).expect("date"),
        doc_number: doc_number.map(Into::into),
        topic: String::new(),
        genre: String::new(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    }
}

/// A docx with one paragraph.
fn docx(text: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).expect("zip");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>"#).expect("zip");
    zip.start_file("word/document.xml", opts).expect("zip");
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    zip.write_all(xml.as_bytes()).expect("zip");
    zip.finish().expect("zip").into_inner()
}

struct Setup {
    org: Organisation,
    editor: User,
    reviewer: User,
    catalog: i64,
}

async fn setup(store: &Store) -> Setup {
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    let reviewer = user(store, &org, "reviewer1", &[Role::Reviewer]).await;
    let catalog = store.catalog(org.id).await.expect("catalog").iter().find(|n| n.name == "通知公告").expect("notice column").id;
    Setup { org, editor, reviewer, catalog }
}

/// Create, approve and publish an item (attachments added while a draft).
async fn publish(store: &Store, s: &Setup, f: ItemFields, attachments: &[(&str, Vec<u8>)]) -> Item {
    let item = store.create_item(s.org.id, s.editor.id, &f, &ev(&s.editor, "create")).await.expect("create");
    for (name, bytes) in attachments {
        store.add_attachment(item.id, name, "application/octet-stream", bytes, Utc::now()).await.expect("attachment");
    }
    store.transition_item(item.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(&s.editor, "submit")).await.expect("submit");
    let item = store.transition_item(item.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev(&s.reviewer, "approve")).await.expect("approve");
    gongkai_web::ops::publish(store, &item, NaiveDate::from_ymd_opt(2023, 9, 5).expect("date"), s.reviewer.id, "", Utc::now()).await.expect("publish")
}

async fn api(base: &str, query: &str) -> (StatusCode, Value) {
    let res = client().get(format!("{base}/api/v1/search?{query}")).send().await.expect("api");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

/// Sorted ids the API finds for `q` (plus extra parameters).
async fn found(base: &str, q: &str, extra: &str) -> Vec<i64> {
    let (status, json) = api(base, &format!("q={}&per_page=50{extra}", enc(q))).await;
    assert_eq!(status, StatusCode::OK, "{q}: {json}");
    let mut ids: Vec<i64> = json["items"].as_array().expect("items").iter().map(|i| i["id"].as_i64().expect("id")).collect();
    ids.sort();
    ids
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn cross_script_and_consistency(store: &Store) {
    let s = setup(store).await;
    let base = start(store.clone()).await;
    let report = publish(store, &s, fields(s.catalog, "2023年政府信息公开工作年度报告", "<p>本报告依据《中华人民共和国政府信息公开条例》编制。</p>", Some("清城府〔2023〕12号")), &[]).await;
    let notice = publish(
        store,
        &s,
        fields(s.catalog, "關於做好年度報告工作的通知", "<p>各村（社區）：請按時報送。</p>", None),
        &[("方案.docx", docx("水利工程维修养护实施方案"))],
    )
    .await;
    let other = publish(store, &s, fields(s.catalog, "另一份文件", "<p>无关内容。</p>", Some("清城府〔2023〕13号")), &[]).await;
    // A draft is never found, whatever it contains.
    store.create_item(s.org.id, s.editor.id, &fields(s.catalog, "年度报告草稿", "<p>政府信息公开</p>", None), &ev(&s.editor, "create")).await.expect("draft");

    // 政府信息公开 ↔ 政府信息公開, 年度报告 ↔ 年度報告.
    assert_eq!(found(&base, "政府信息公開", "").await, vec![report.id]);
    assert_eq!(found(&base, "政府信息公开", "").await, vec![report.id]);
    assert_eq!(found(&base, "年度報告", "").await, vec![report.id, notice.id]);
    assert_eq!(found(&base, "年度报告", "").await, vec![report.id, notice.id]);
    assert_eq!(found(&base, "社区", "").await, vec![notice.id]);
    // 文号 in any bracket style, and in Traditional script.
    for v in ["清城府〔2023〕12号", "清城府[2023]12号", "清城府(2023)12号", "清城府（2023）12號", "清城府 [2023] 12号"] {
        assert_eq!(found(&base, v, "").await, vec![report.id], "{v}");
    }
    assert_eq!(found(&base, "清城府[2023]13号", "").await, vec![other.id]);
    // 索引号.
    let index_no = report.index_no.clone().expect("index number");
    assert_eq!(found(&base, &index_no, "").await.first(), Some(&report.id));
    // Attachment text (DOCX).
    assert_eq!(found(&base, "维修养护", "").await, vec![notice.id]);

    // Highlighted, escaped snippets on the page, with click-counting links.
    let res = client().get(format!("{base}/search?q={}", enc("年度報告"))).send().await.expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("<mark>年度报告</mark>"), "{html}");
    assert!(html.contains(&format!("/search/click?q={}&amp;item={}", enc("年度報告"), report.id)), "{html}");
    assert!(html.contains("共找到 <strong class=\"total\">2</strong> 条"), "{html}");

    // Abolishing shows at once; filters by validity.
    store
        .set_item_validity(report.id, Validity::Repealed, NaiveDate::from_ymd_opt(2024, 1, 1), "已废止", &ev(&s.reviewer, "validity"))
        .await
        .expect("validity");
    assert_eq!(found(&base, "年度报告", "&validity=repealed").await, vec![report.id]);
    assert_eq!(found(&base, "年度报告", "&validity=valid").await, vec![notice.id]);
    assert_eq!(found(&base, "年度报告", "&org=town&year=2023&type=other").await, vec![report.id, notice.id]);
    assert_eq!(found(&base, "年度报告", "&year=2022").await, Vec::<i64>::new());

    // Withdrawing removes it at once, from the API and the page.
    store
        .transition_item(report.id, ItemStatus::Published, ItemStatus::Withdrawn, Some("内容有误"), &ev(&s.reviewer, "withdraw"))
        .await
        .expect("withdraw");
    assert_eq!(found(&base, "年度报告", "").await, vec![notice.id]);
    assert_eq!(found(&base, "清城府〔2023〕12号", "").await, Vec::<i64>::new());
    let html = client().get(format!("{base}/search?q={}", enc("政府信息公开"))).send().await.expect("page").text().await.expect("html");
    assert!(!html.contains("2023年政府信息公开工作年度报告"), "{html}");
    assert!(html.contains("没有找到相关信息"), "{html}");
}

async fn rebuild_equals_incremental(store: &Store) {
    let s = setup(store).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let live = SearchService::open(store.clone(), Some(dir.path().join("idx"))).await.expect("open");
    let a = publish(store, &s, fields(s.catalog, "防汛工作通知", "<p>做好防汛。</p>", Some("清城府〔2023〕1号")), &[]).await;
    let b = publish(store, &s, fields(s.catalog, "年度報告", "<p>年度报告正文</p>", None), &[("附件.docx", docx("附件文字"))]).await;
    let c = publish(store, &s, fields(s.catalog, "招聘公告", "<p>招聘</p>", None), &[]).await;
    store.set_item_validity(a.id, Validity::Expired, None, "", &ev(&s.reviewer, "validity")).await.expect("validity");
    store.transition_item(c.id, ItemStatus::Published, ItemStatus::Withdrawn, Some("撤回"), &ev(&s.reviewer, "withdraw")).await.expect("withdraw");
    live.sync().await.expect("sync");
    let incremental = live.index().dump().expect("dump");
    assert_eq!(incremental.keys().copied().collect::<Vec<_>>(), vec![a.id, b.id]);
    assert!(incremental[&a.id].contains("expired"), "{}", incremental[&a.id]);
    assert!(incremental[&b.id].contains("附件文字"), "{}", incremental[&b.id]);

    // A fresh index rebuilt from the database holds exactly the same documents.
    let rebuilt = SearchService::open(store.clone(), None).await.expect("rebuilt");
    assert_eq!(rebuilt.index().dump().expect("dump"), incremental);
    assert_eq!(rebuilt.applied_seq().await, live.applied_seq().await);

    // Reopening the directory continues where it stopped; deleting it rebuilds.
    drop(live);
    let d = publish(store, &s, fields(s.catalog, "新的通知", "<p>新内容</p>", None), &[]).await;
    let reopened = SearchService::open(store.clone(), Some(dir.path().join("idx"))).await.expect("reopen");
    let after = reopened.index().dump().expect("dump");
    assert_eq!(after.keys().copied().collect::<Vec<_>>(), vec![a.id, b.id, d.id]);
    drop(reopened);
    std::fs::remove_dir_all(dir.path().join("idx")).expect("delete index");
    let again = SearchService::open(store.clone(), Some(dir.path().join("idx"))).await.expect("rebuild on open");
    assert_eq!(again.index().dump().expect("dump"), after);
    let fresh = SearchService::open(store.clone(), None).await.expect("fresh");
    assert_eq!(fresh.index().dump().expect("dump"), after);
}

async fn bad_input(store: &Store) {
    setup(store).await;
    let base = start(store.clone()).await;
    let long = "公".repeat(101);
    for (query, needle) in [
        ("", "请提供检索词"),
        (&format!("q={}", enc(&long)) as &str, "检索词过长"),
        ("q=a&sort=popular", "排序方式"),
        ("q=a&sort=", "sort 不能为空"),
        ("q=a&year=abc", "年份"),
        ("q=a&type=law", "文件类型"),
        ("q=a&validity=maybe", "有效性"),
        ("q=a&per_page=500", "每页条数"),
        ("q=a&page=0", "页码"),
        ("q=a&page=1000", "前 1000 条"),
        ("q=a&q=b", "每个参数只能出现一次"),
    ] {
        let (status, json) = api(&base, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
        let msg = json["error"]["message"].as_str().expect("message");
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    // What the document allows is accepted: a query without words, a column
    // of another organisation or without one, answer (empty) results; an
    // unknown organisation is a missing resource.
    for query in ["q=%EF%BC%8C%E3%80%82", "q=a&catalog=3", "q=a&org=town&catalog=999999", "q=a&catalog=999999"] {
        let (status, json) = api(&base, query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {json}");
        assert_eq!(json["total"], 0, "{query}: {json}");
    }
    let (status, json) = api(&base, "q=a&org=nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert_eq!(json["error"]["status"], 404);
    // The page: 400 with the form and a Chinese message; an empty query shows the form.
    for (query, needle) in [("q=a&year=abc", "年份"), ("q=%EF%BC%8C", "请输入检索词"), ("q=a&sort=x", "排序方式")] {
        let res = client().get(format!("{base}/search?{query}")).send().await.expect("page");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let html = res.text().await.expect("html");
        assert!(html.contains(needle) && html.contains("name=\"q\""), "{query}: {html}");
    }
    let res = client().get(format!("{base}/search")).send().await.expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("html").contains("检索说明"));
    // Clicks need a published item.
    let res = client().get(format!("{base}/search/click?q=a&item=abc")).send().await.expect("click");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = client().get(format!("{base}/search/click?q=a&item=999999")).send().await.expect("click");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The search box is on portal pages; the endpoint is in the OpenAPI document.
    let home = client().get(format!("{base}/org/town")).send().await.expect("home").text().await.expect("html");
    assert!(home.contains("action=\"/search\""), "{home}");
    let doc: Value = client().get(format!("{base}/api/v1/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    assert!(doc["paths"]["/api/v1/search"]["get"]["parameters"].is_array());
}

async fn analytics(store: &Store) {
    let s = setup(store).await;
    let admin = user(store, &s.org, "admin1", &[Role::Admin]).await;
    let _ = admin;
    let base = start(store.clone()).await;
    let item = publish(store, &s, fields(s.catalog, "低保申请办理指南", "<p>最低生活保障。</p>", None), &[]).await;
    let anon = client();
    for q in ["低保", "低保", "低保 13800138000", "火星移民政策"] {
        assert_eq!(anon.get(format!("{base}/search?q={}", enc(q))).send().await.expect("search").status(), StatusCode::OK);
    }
    // Paging does not count again.
    anon.get(format!("{base}/search?q={}&page=2", enc("低保"))).send().await.expect("search");
    let res = anon.get(format!("{base}/search/click?q={}&item={}", enc("低保"), item.id)).send().await.expect("click");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/item/{}", item.id).as_str());

    let today = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("cst")).date_naive();
    let stats = store.search_stats(today, today, 10).await.expect("stats");
    assert_eq!(stats.total_searches, 4);
    // Both words must occur: the masked number finds nothing.
    assert_eq!(stats.total_zero, 2);
    assert_eq!(stats.total_clicks, 1);
    assert_eq!(stats.top[0].query, "低保");
    assert_eq!(stats.top[0].searches, 2);
    assert!(stats.zero.iter().any(|q| q.query == "火星移民政策"), "{:?}", stats.zero);
    assert!(stats.top.iter().any(|q| q.query == "低保 ＊"), "{:?}", stats.top);
    assert_eq!((stats.clicks[0].item_id, stats.clicks[0].clicks), (item.id, 1));

    // The back-office page: table and server-rendered chart, linked from the navigation.
    let (staff, status, _) = login(&base, "admin1", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = staff.get(format!("{base}/admin/search-stats?period=day&date={today}")).send().await.expect("stats").text().await.expect("html");
    assert!(html.contains("href=\"/admin/search-stats\""), "{html}");
    assert!(html.contains("<svg") && html.contains("<rect"), "{html}");
    assert!(html.contains("火星移民政策") && html.contains("低保申请办理指南"), "{html}");
    assert!(!html.contains("13800138000") && !html.contains("127.0.0.1"), "{html}");
    for period in ["week", "month"] {
        let res = staff.get(format!("{base}/admin/search-stats?period={period}")).send().await.expect("stats");
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = staff.get(format!("{base}/admin/search-stats?period=year")).send().await.expect("stats");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = staff.get(format!("{base}/admin/search-stats?date=2024-13-01")).send().await.expect("stats");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Not for the public.
    let res = client().get(format!("{base}/admin/search-stats")).send().await.expect("stats");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

gongkai_store::on_both_backends!(cross_script_and_consistency, rebuild_equals_incremental, bad_input, analytics);

/// A node: the application with its own index directory.
async fn node(store: Store, dir: &std::path::Path) -> (String, gongkai_web::AppState) {
    let config = gongkai_web::WebConfig { max_upload_bytes: 64 * 1024, search_index_dir: Some(dir.to_path_buf()), ..Default::default() };
    let state = gongkai_web::AppState::new(store, config).await.expect("state");
    let app = gongkai_web::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    (format!("http://{addr}"), state)
}

async fn http_action(c: &reqwest::Client, base: &str, id: i64, action: &str, comment: &str) {
    let token = page_csrf(c, &format!("{base}/admin/items/{id}")).await;
    let res = c
        .post(format!("{base}/admin/items/{id}/action"))
        // An approval records the 保密审查 and 公开属性审查 opinions (issue 15).
        .form(&[("_csrf", token.as_str()), ("action", action), ("comment", comment), ("secrecy_opinion", "经审查，不涉及国家秘密"), ("disclosure_opinion", "属于主动公开范围，同意公开")])
        .send()
        .await
        .expect("action");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
}

/// Two nodes on one database, each with its own index: what is published or
/// withdrawn through node A's back office is found, or gone, on node B.
async fn two_nodes(url: &str) {
    let store_a = Store::connect(url).await.expect("store a");
    let store_b = Store::connect(url).await.expect("store b");
    let s = setup(&store_a).await;
    let dirs = tempfile::tempdir().expect("tempdir");
    let (base_a, _state_a) = node(store_a.clone(), &dirs.path().join("a")).await;
    let (base_b, state_b) = node(store_b.clone(), &dirs.path().join("b")).await;

    let (editor, _, _) = login(&base_a, "editor1", PASSWORD).await;
    let (reviewer, _, _) = login(&base_a, "reviewer1", PASSWORD).await;
    let token = page_csrf(&editor, &format!("{base_a}/admin/items/new")).await;
    let catalog = s.catalog.to_string();
    let res = editor
        .post(format!("{base_a}/admin/items"))
        .form(&[
            ("_csrf", token.as_str()),
            ("catalog_id", catalog.as_str()),
            ("title", "关于森林防火期野外用火管理的通告"),
            ("summary", "森林防火期内禁止野外用火。"),
            ("body", "森林防火期为每年九月至次年四月。"),
            ("publisher", "测试镇人民政府"),
            ("formed_date", "2023-09-27"),
            ("doc_number", "测府〔2023〕8号"),
            ("topic", "综合政务"),
            ("genre", "通告"),
            ("keywords", "森林防火"),
            ("disclosure_mode", "proactive"),
            ("doc_type", "other"),
            ("statutory_category", "art20-12"),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().expect("location").to_owned();
    let id: i64 = loc.trim_start_matches("/admin/items/").split('?').next().expect("id").parse().expect("id");
    assert_eq!(found(&base_b, "森林防火", "").await, Vec::<i64>::new());
    http_action(&editor, &base_a, id, "submit", "").await;
    http_action(&reviewer, &base_a, id, "approve", "").await;
    assert_eq!(found(&base_b, "森林防火", "").await, Vec::<i64>::new(), "approved is not published");
    http_action(&reviewer, &base_a, id, "publish", "").await;

    // Published on A → found on B, in 繁體 too, and by 文号.
    assert_eq!(found(&base_b, "森林防火", "").await, vec![id]);
    assert_eq!(found(&base_b, "森林防火期 野外用火", "").await, vec![id]);
    assert_eq!(found(&base_b, "測府[2023]8號", "").await, vec![id]);

    // B's background follower also applies A's changes without any search on B.
    let before = state_b.search.applied_seq().await;
    let token = page_csrf(&reviewer, &format!("{base_a}/admin/items/{id}")).await;
    let res = reviewer
        .post(format!("{base_a}/admin/items/{id}/validity"))
        .form(&[("_csrf", token.as_str()), ("validity", "repealed"), ("validity_date", "2024-01-01"), ("note", "已废止")])
        .send()
        .await
        .expect("validity");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let deadline = Instant::now() + Duration::from_secs(30);
    while state_b.search.applied_seq().await == before {
        assert!(Instant::now() < deadline, "node B did not follow the change log");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found(&base_b, "森林防火", "&validity=repealed").await, vec![id]);

    // Withdrawn on A → gone on B, from the API and the page.
    http_action(&reviewer, &base_a, id, "withdraw", "内容有误").await;
    assert_eq!(found(&base_b, "森林防火", "").await, Vec::<i64>::new());
    let html = client().get(format!("{base_b}/search?q={}", enc("森林防火"))).send().await.expect("page").text().await.expect("html");
    assert!(!html.contains("野外用火管理的通告"), "{html}");
    store_a.close().await;
    store_b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_sqlite() {
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    store.close().await;
    two_nodes(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_postgres() {
    let Some((store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    store.close().await;
    two_nodes(db.url()).await;
}

/// The demo's published items are all searchable.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_is_searchable() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    gongkai::demo::load(&store).await.expect("demo");
    let published = store.published_item_ids().await.expect("ids").len();
    let base = start(store.clone()).await;
    let (_, json) = api(&base, &format!("q={}", enc("政府信息公开"))).await;
    assert!(json["total"].as_u64().unwrap_or(0) >= 1, "{json}");
    let svc = SearchService::open(store.clone(), None).await.expect("open");
    assert_eq!(svc.index().num_docs() as usize, published);
    assert!(published >= 100, "{published}");
}

/// `gongkai index rebuild` rebuilds the index directory from the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cli_index_rebuild() {
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    let s = setup(&store).await;
    let item = publish(&store, &s, fields(s.catalog, "关于秋季征兵的通告", "<p>征兵</p>", None), &[]).await;
    store.close().await;
    let data = tempfile::tempdir().expect("tempdir");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--database-url", db.url(), "--data-dir"])
            .arg(data.path())
            .args(["index", "rebuild"])
            .env_remove("GONGKAI_CONFIG")
            .output()
            .expect("run gongkai")
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("检索索引已重建：1 条"), "{stdout}");
    assert!(data.path().join("search-index").join("meta.json").is_file());
    // The rebuilt directory is what a server opens.
    let store = Store::connect(db.url()).await.expect("store");
    let svc = SearchService::open(store.clone(), Some(data.path().join("search-index"))).await.expect("open");
    let r = svc.search(gongkai_search::SearchRequest { text: "征兵".into(), ..Default::default() }).await.expect("search");
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![item.id]);
    // While a process holds the directory, a rebuild is refused with a clear message.
    let out = run();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("正被另一个进程"), "{}", String::from_utf8_lossy(&out.stderr));
    drop(svc);
    store.close().await;
}
