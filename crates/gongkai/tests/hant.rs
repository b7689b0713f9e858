//! The 繁體 portal: the 简/繁 switch is remembered in a cookie, public pages are
//! converted (text only — URLs, numbers and 索引号 intact), the back office and
//! the API never are, and the switch only redirects to local paths.

mod common;

use common::*;
use reqwest::StatusCode;

async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.expect("get");
    let status = res.status();
    (status, res.text().await.expect("text"))
}

#[tokio::test]
async fn traditional_portal_through_the_switch() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    gongkai::demo::load(&store).await.expect("demo loads");
    let base = start(store.clone()).await;

    // Without the cookie the portal is Simplified.
    let plain = client();
    let (status, html) = get(&plain, &format!("{base}/org/yuantan/xxgk?year=2023")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("政府信息公开"));
    assert!(!html.contains("政府信息公開"));
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("href=\"/script?to=hant\""), "the switch is visible");

    // Switching sets the cookie and goes back.
    let c = client();
    let res = c.get(format!("{base}/script?to=hant&back=/org/yuantan/xxgk")).send().await.expect("switch");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/org/yuantan/xxgk");
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie").to_string();
    assert!(cookie.starts_with("gk_script=hant;") && cookie.contains("Max-Age=31536000") && cookie.contains("SameSite=Lax"), "{cookie}");

    let (status, html) = get(&c, &format!("{base}/org/yuantan/xxgk?year=2023")).await;
    assert_eq!(status, StatusCode::OK);
    // Character-level conversion (OpenCC s2t): legal titles such as
    // 《政府信息公开条例》 keep their wording, only the script changes.
    assert!(html.contains("政府信息公開"), "text converted");
    assert!(!html.contains("政府信息公开"));
    assert!(html.contains("href=\"/org/yuantan/xxgk?cat="), "URLs intact");
    assert!(html.contains("<strong class=\"total\">66</strong>"), "numbers intact");
    assert!(html.contains("<html lang=\"zh-Hant\">"));
    assert!(html.contains("href=\"/static/site.css\""));

    // The same page again comes from the cache and is identical.
    let (_, again) = get(&c, &format!("{base}/org/yuantan/xxgk?year=2023")).await;
    assert_eq!(again, html);

    // An item page keeps its 索引号 exactly.
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let published = store
        .list_items(&gongkai_store::ItemQuery {
            org_ids: vec![yuantan.id],
            statuses: vec![gongkai_domain::model::ItemStatus::Published],
            limit: 5,
            ..Default::default()
        })
        .await
        .expect("items");
    let item = published.items.iter().find(|i| i.index_no.is_some()).expect("an item with 索引号");
    let index_no = item.index_no.clone().unwrap_or_default();
    let (status, page) = get(&c, &format!("{base}/item/{}", item.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("<td class=\"index-no\">{index_no}</td>")), "索引号 {index_no} unchanged");
    assert!(page.contains("索引號"));

    // The back office and the API are never converted.
    let (status, login) = get(&c, &format!("{base}/admin/login")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!login.contains("zh-Hant"));
    assert!(login.contains("登录"));
    let (status, api) = get(&c, &format!("{base}/api/v1/organisations")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(api.contains(&yuantan.name), "API stays Simplified");

    // Every public page of the demo renders in Traditional.
    let mut paths = vec!["/".to_string(), "/track".to_string(), "/search".to_string(), "/search?q=%E5%B9%B4%E5%BA%A6%E5%A0%B1%E5%91%8A&org=yuantan".to_string()];
    for slug in ["qingcheng", "yuantan", "feilaixia", "minzheng"] {
        for p in ["", "/xxgk", "/xxgk?year=2023", "/guide", "/reports", "/contact", "/apply"] {
            paths.push(format!("/org/{slug}{p}"));
        }
    }
    paths.extend(["/org/yuantan/reports/2023".to_string(), "/org/yuantan/reports/2025".to_string()]);
    for path in &paths {
        let (status, html) = get(&c, &format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("lang=\"zh-Hant\""), "{path} not converted");
    }

    // A search typed in Traditional script (年度報告) finds the Simplified reports.
    let (_, found) = get(&c, &format!("{base}/search?q=%E5%B9%B4%E5%BA%A6%E5%A0%B1%E5%91%8A&org=yuantan")).await;
    assert!(found.contains("<mark>") && !found.contains("沒有找到相關信息"), "{found}");

    // Official terms keep their wording: only the script changes.
    let (_, apply) = get(&c, &format!("{base}/org/yuantan/apply")).await;
    assert!(apply.contains("統一社會信用代碼"), "official term kept");
    assert!(apply.contains("name=\"_csrf\" value=\""), "form fields intact");

    // Switching back clears the cookie.
    let res = c.get(format!("{base}/script?to=hans&back=/org/yuantan")).send().await.expect("switch back");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/org/yuantan");
    assert!(res.headers()["set-cookie"].to_str().expect("cookie").contains("Max-Age=0"));
    let (_, html) = get(&c, &format!("{base}/org/yuantan/xxgk?year=2023")).await;
    assert!(html.contains("政府信息公开") && html.contains("lang=\"zh-CN\""));

    // Only local paths are followed; otherwise the Referer (same host) or `/`.
    for back in ["https://evil.example/", "//evil.example/", "/\\evil.example"] {
        let res = plain.get(format!("{base}/script")).query(&[("to", "hant"), ("back", back)]).send().await.expect("switch");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/", "{back}");
    }
    let res = plain
        .get(format!("{base}/script?to=hant"))
        .header("referer", format!("{base}/org/yuantan/guide"))
        .send()
        .await
        .expect("switch");
    assert_eq!(res.headers()["location"], "/org/yuantan/guide");
    let res = plain.get(format!("{base}/script?to=hant")).header("referer", "https://evil.example/x").send().await.expect("switch");
    assert_eq!(res.headers()["location"], "/");
    let (status, _) = get(&plain, &format!("{base}/script?to=klingon")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
