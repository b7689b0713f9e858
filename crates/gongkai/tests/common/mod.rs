//! Shared helpers for tests that drive the real HTTP server.
#![allow(dead_code)]

pub mod nginx;

use std::net::SocketAddr;

use gongkai_domain::index_number::DEFAULT_PATTERN;
use gongkai_domain::model::{DisclosureOffice, OrgLevel, Organisation, Role, User};
use gongkai_store::{NewOrganisation, NewUser, Store};
use reqwest::redirect::Policy;

/// Start the application on an ephemeral port of 127.0.0.1 over real TCP.
pub async fn start(store: Store) -> String {
    start_with(store, gongkai_web::WebConfig { max_upload_bytes: 64 * 1024, ..Default::default() }).await
}

/// Like [`start`], with this configuration.
#[allow(dead_code)]
pub async fn start_with(store: Store, config: gongkai_web::WebConfig) -> String {
    let state = gongkai_web::AppState::new(store, config).await.expect("state");
    let app = gongkai_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    format!("http://{addr}")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

/// The value of the first hidden `_csrf` field in a page.
pub fn csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("page has no _csrf field: {}", html.chars().take(1500).collect::<String>()));
    html[start..].split('"').next().expect("csrf value").to_string()
}

pub const PASSWORD: &str = "Xk7#mQ2v-Lp9";

pub async fn org(store: &Store, slug: &str, code: &str) -> Organisation {
    gongkai_web::ops::provision_org(
        store,
        &NewOrganisation {
            slug: slug.into(),
            name: format!("测试{slug}镇人民政府"),
            org_code: code.into(),
            level: OrgLevel::Township,
            parent_id: None,
            office: DisclosureOffice { name: "党政综合办公室".into(), phone: "0763-1234567".into(), ..Default::default() },
            index_pattern: DEFAULT_PATTERN.into(),
            description: String::new(),
        },
    )
    .await
    .expect("org")
}

pub async fn user(store: &Store, org: &Organisation, username: &str, roles: &[Role]) -> User {
    let hash = gongkai_web::hash_password(PASSWORD).expect("hash");
    store
        .create_user(&NewUser { username: username.into(), display_name: username.into(), org_id: org.id, roles: roles.to_vec() }, &hash, chrono::Utc::now())
        .await
        .expect("user")
}

/// Log in and return a client holding the session.
pub async fn login(base: &str, username: &str, password: &str) -> (reqwest::Client, reqwest::StatusCode, String) {
    login_with(client(), base, username, password).await
}

/// Log in with this client (e.g. one trusting a test certificate).
pub async fn login_with(c: reqwest::Client, base: &str, username: &str, password: &str) -> (reqwest::Client, reqwest::StatusCode, String) {
    let page = c.get(format!("{base}/admin/login")).send().await.expect("login page").text().await.expect("text");
    let token = csrf(&page);
    let res = c
        .post(format!("{base}/admin/login"))
        .form(&[("username", username), ("password", password), ("_csrf", token.as_str()), ("next", "/admin")])
        .send()
        .await
        .expect("login");
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    (c, status, body)
}

/// GET a back-office page and return its session CSRF token.
pub async fn page_csrf(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.expect("get").text().await.expect("text");
    csrf(&html)
}

/// Submit organisation `slug`'s online application form as a natural person with an ID card,
/// with `fields` (name, number, phone, description, forms, delivery, …) and a fresh CSRF token.
pub async fn apply_online(c: &reqwest::Client, base: &str, slug: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let url = format!("{base}/org/{slug}/apply");
    let token = page_csrf(c, &url).await;
    let mut form = vec![("_csrf", token.as_str()), ("applicant_type", "natural"), ("id_doc_type", "id_card")];
    form.extend_from_slice(fields);
    c.post(&url).form(&form).send().await.expect("submit")
}

/// Log in and return the raw session cookie value from the response.
pub async fn login_cookie(base: &str, username: &str, password: &str) -> String {
    let c = client();
    let page = c.get(format!("{base}/admin/login")).send().await.expect("login page").text().await.expect("text");
    let token = csrf(&page);
    let res = c
        .post(format!("{base}/admin/login"))
        .form(&[("username", username), ("password", password), ("_csrf", token.as_str())])
        .send()
        .await
        .expect("login");
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gk_session=").map(|rest| rest.split(';').next().unwrap_or("").to_string()))
        .expect("session cookie")
}

/// Create and publish an item directly through the store.
pub async fn published(store: &Store, org: &Organisation, author: i64, title: &str, day: &str) -> i64 {
    let catalog = store.catalog(org.id).await.expect("catalog");
    let node = catalog.iter().find(|n| n.name == "通知公告").expect("notices");
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
    let fields = gongkai_domain::model::ItemFields {
        catalog_id: node.id,
        title: title.into(),
        summary: "摘要".into(),
        body_html: "<p>正文第一段。</p>".into(),
        publisher: org.name.clone(),
        formed_date: date,
        doc_number: None,
        topic: "综合政务".into(),
        genre: "通知".into(),
        keywords: String::new(),
        disclosure_mode: gongkai_domain::model::DisclosureMode::Proactive,
        doc_type: gongkai_domain::model::DocType::Other,
        statutory_category: None,
    };
    let ev = |a: &str| gongkai_store::NewItemEvent { actor_id: author, action: a.into(), comment: String::new(), at: chrono::Utc::now() };
    let item = store.create_item(org.id, author, &fields, &ev("create")).await.expect("create");
    store.transition_item(item.id, gongkai_domain::model::ItemStatus::Draft, gongkai_domain::model::ItemStatus::Submitted, None, &ev("submit")).await.expect("submit");
    let approved = store.transition_item(item.id, gongkai_domain::model::ItemStatus::Submitted, gongkai_domain::model::ItemStatus::Approved, None, &ev("approve")).await.expect("approve");
    gongkai_web::ops::publish(store, &approved, date, author, "", chrono::Utc::now()).await.expect("publish");
    item.id
}
