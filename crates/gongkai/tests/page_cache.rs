//! The rendered-page cache and conditional GET, against real servers: two
//! nodes on one database (SQLite and PostgreSQL) see each other's publish,
//! withdraw and settings changes within the poll interval; validators answer
//! 304; staff sessions, forms and the back office are never cached.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

async fn node(store: Store) -> (String, gongkai_web::AppState) {
    let config = gongkai_web::WebConfig { max_upload_bytes: 64 * 1024, ..Default::default() };
    let state = gongkai_web::AppState::new(store, config).await.expect("state");
    let app = gongkai_web::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    (format!("http://{addr}"), state)
}

async fn get(url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = client().get(url).send().await.expect("get");
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("text"))
}

/// Poll `url` until `ok` holds for its status and body, for at most five seconds.
async fn eventually(url: &str, what: &str, ok: impl Fn(StatusCode, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, body) = get(url).await;
        if ok(status, &body) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: still {status} after 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn post_action(c: &reqwest::Client, base: &str, id: i64, action: &str, comment: &str) {
    let token = page_csrf(c, &format!("{base}/admin/items/{id}")).await;
    let res = c
        .post(format!("{base}/admin/items/{id}/action"))
        .form(&[("_csrf", token.as_str()), ("action", action), ("comment", comment)])
        .send()
        .await
        .expect("action");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
}

async fn two_nodes(url: &str) {
    let store_a = Store::connect(url).await.expect("store a");
    let store_b = Store::connect(url).await.expect("store b");
    let org = org(&store_a, "cachetown", "11441802007183516B").await;
    let editor = user(&store_a, &org, "editor1", &[Role::Editor]).await;
    user(&store_a, &org, "reviewer1", &[Role::Reviewer]).await;
    user(&store_a, &org, "admin1", &[Role::Admin]).await;
    let id = published(&store_a, &org, editor.id, "关于开展秋季森林防火检查的通知", "2026-11-02").await;

    let (base_a, state_a) = node(store_a.clone()).await;
    let (base_b, state_b) = node(store_b.clone()).await;
    let item_b = format!("{base_b}/item/{id}");

    // Rendered once, then served from B's cache with the same validators.
    let (status, h1, body1) = get(&item_b).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body1.contains("秋季森林防火检查"), "{body1}");
    let etag = h1.get("etag").expect("etag on a public page").to_str().expect("etag").to_owned();
    assert!(h1.get("last-modified").is_some(), "last-modified");
    assert_eq!(h1.get("cache-control").and_then(|v| v.to_str().ok()), Some("public, no-cache"));
    assert!(state_b.page_cache.len() >= 1, "the page is kept");
    let (_, h2, body2) = get(&item_b).await;
    assert_eq!(body1, body2);
    assert_eq!(h2.get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    // Security headers are on cached answers too.
    assert!(h2.get("content-security-policy").is_some());

    // Conditional GET: a matching validator gets a bodiless 304, another one the page.
    let res = client().get(&item_b).header("if-none-match", &etag).send().await.expect("conditional");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers().get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    assert!(res.bytes().await.expect("body").is_empty());
    let res = client().get(&item_b).header("if-none-match", "\"something-else\"").send().await.expect("conditional");
    assert_eq!(res.status(), StatusCode::OK);
    let lm = h1.get("last-modified").and_then(|v| v.to_str().ok()).expect("lm").to_owned();
    let res = client().get(&item_b).header("if-modified-since", &lm).send().await.expect("conditional");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    // The Traditional-script page is a separate entry, not the Simplified one.
    let res = client().get(&item_b).header("cookie", "gk_script=hant").send().await.expect("hant");
    let hant = res.text().await.expect("text");
    assert!(hant.contains("秋季森林防火檢查"), "{hant}");
    let (_, _, again) = get(&item_b).await;
    assert!(again.contains("秋季森林防火检查"));

    // Withdrawn through A's back office: gone on A at once, on B within the poll interval.
    let (reviewer, _, _) = login(&base_a, "reviewer1", PASSWORD).await;
    post_action(&reviewer, &base_a, id, "withdraw", "内容有误").await;
    let (status, _, _) = get(&format!("{base_a}/item/{id}")).await;
    assert_eq!(status, StatusCode::GONE, "node A shows its own change at once");
    eventually(&item_b, "withdrawn item on node B", |s, _| s == StatusCode::GONE).await;

    // A change that is not an item (the organisation's settings) reaches B's cached pages too.
    let org_b = format!("{base_b}/org/cachetown");
    let (status, _, before) = get(&org_b).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("缓存测试新名称"));
    let before_version = store_a.site_version().await.expect("version");
    let (admin, _, _) = login(&base_a, "admin1", PASSWORD).await;
    let page = admin.get(format!("{base_a}/admin/org")).send().await.expect("org page").text().await.expect("html");
    let mut form = form_fields(&page, "/admin/org");
    for (k, v) in form.iter_mut() {
        if k == "name" {
            *v = "缓存测试新名称镇人民政府".into();
        }
    }
    let res = admin.post(format!("{base_a}/admin/org")).form(&form).send().await.expect("org update");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(status.is_redirection() || status.is_success(), "{status}: {form:?} {}", text.split("class=\"error").nth(1).unwrap_or(&text).chars().take(600).collect::<String>());
    let after_version = store_a.site_version().await.expect("version");
    assert!(after_version.generation > before_version.generation, "a staff change bumps the site generation");
    eventually(&org_b, "renamed organisation on node B", |s, b| s == StatusCode::OK && b.contains("缓存测试新名称")).await;

    // Never cached: the back office, a request with a staff session, forms that set a cookie.
    let res = admin.get(format!("{base_a}/org/cachetown")).send().await.expect("staff view");
    assert!(res.headers().get("etag").is_none(), "pages seen with a staff session are not cached");
    let res = admin.get(format!("{base_a}/admin")).send().await.expect("dashboard");
    assert!(res.headers().get("etag").is_none());
    let res = client().get(format!("{base_a}/org/cachetown/apply")).send().await.expect("apply form");
    assert!(res.headers().get("etag").is_none(), "a form with a per-visitor token is not cached");
    drop(state_a);
    store_a.close().await;
    store_b.close().await;
}

/// The name/value pairs of the form posting to `action`: inputs, selects
/// (their selected option) and textareas.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("action=\"{action}\"")).expect("form");
    let end = html[start..].find("</form>").map(|e| start + e).expect("form end");
    let form = &html[start..end];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(tag[i..].split('"').next()?.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">"))
    };
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            if let Some(name) = attr(tag, "name") {
                let checked = tag.contains(" checked");
                if !(matches!(kind.as_str(), "checkbox" | "radio") && !checked) && kind != "submit" && kind != "file" {
                    out.push((name, attr(tag, "value").unwrap_or_default()));
                }
            }
        } else if tag.starts_with("<textarea") {
            if let Some(name) = attr(tag, "name") {
                let body_end = rest.find("</textarea>").unwrap_or(tag_end);
                let text = rest[tag_end + 1..body_end].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
                out.push((name, text));
            }
        } else if tag.starts_with("<select") {
            if let Some(name) = attr(tag, "name") {
                let sel_end = rest.find("</select>").unwrap_or(tag_end);
                let options = &rest[..sel_end];
                let value = options
                    .split("<option")
                    .skip(1)
                    .find(|o| o.contains(" selected"))
                    .or_else(|| options.split("<option").nth(1))
                    .and_then(|o| attr(o, "value"))
                    .unwrap_or_default();
                out.push((name, value));
            }
        }
        rest = &rest[tag_end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    out
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
