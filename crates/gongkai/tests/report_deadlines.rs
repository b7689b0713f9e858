//! The annual report against its publication deadline (issue 15 item 5), against the running
//! server on SQLite and PostgreSQL: a report published on time carries no deadline warning, a
//! correction is measured against its own publication (no "已逾期 310 天"), and from
//! 1 December the current year can be drafted as a preview that is saved but not published.

mod common;

use chrono::{Datelike, Utc};
use common::{csrf, login, start};
use gongkai_store::Store;
use reqwest::StatusCode;

async fn deadlines(store: &Store) {
    let accounts = gongkai::demo::load(store).await.expect("demo loads");
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let reports = store.reports(&[yuantan.id]).await.expect("reports");
    let r2025 = reports.iter().find(|r| r.year == 2025).expect("2025 report");
    assert_eq!(r2025.published_on.map(|d| d.to_string()).as_deref(), Some("2026-01-19"));

    let base = start(store.clone()).await;
    let password = |name: &str| accounts.iter().find(|a| a.username == name).expect("account").password.clone();
    let (ed, status, _) = login(&base, "yt_editor", &password("yt_editor")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Published on 2026-01-19, deadline 2026-01-31: on time, no warning, however late we look.
    let url = format!("{base}/admin/reports/{}", r2025.id);
    let page = ed.get(&url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("已于2026年1月19日按期发布"), "{page}");
    for false_alarm in ["已超过发布期限", "将记为逾期发布", "已逾期"] {
        assert!(!page.contains(false_alarm), "{false_alarm} on a report published on time");
    }

    // A correction draft is measured against its own publication, not the 2026-01-31 deadline.
    let token = csrf(&page);
    let r = ed.post(format!("{url}/revise")).form(&[("_csrf", token.as_str()), ("comment", "更正第二部分一处笔误")]).send().await.expect("revise");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let url2 = format!("{base}{}", r.headers()["location"].to_str().expect("location"));
    let page = ed.get(&url2).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("更正稿：原报告已于2026年1月19日发布"), "{page}");
    for false_alarm in ["已超过发布期限", "将记为逾期发布", "已逾期"] {
        assert!(!page.contains(false_alarm), "{false_alarm} on a correction draft");
    }

    // The current year: from 1 December a preview draft can be created and saved (never
    // published before the year ends); before December it is refused.
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let current = today.year();
    let list = ed.get(format!("{base}/admin/reports")).send().await.expect("list").text().await.expect("text");
    let token = csrf(&list);
    let r = ed.post(format!("{base}/admin/reports")).form(&[("_csrf", token.as_str()), ("year", &current.to_string())]).send().await.expect("post");
    if today.month() == 12 {
        assert!(list.contains(&format!("生成{current}年度报告预览草稿")), "{list}");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let url3 = format!("{base}{}", r.headers()["location"].to_str().expect("location"));
        let page = ed.get(&url3).send().await.expect("page").text().await.expect("text");
        assert!(page.contains("预览草稿"), "{page}");
        let id: i64 = url3.rsplit('/').next().and_then(|s| s.parse().ok()).expect("id");
        assert!(store.report(id).await.expect("load").is_some(), "the preview is saved");
        let r = ed.post(format!("{url3}/submit")).form(&[("_csrf", token.as_str())]).send().await.expect("submit");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an open year cannot go to review");
    } else {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!list.contains(&format!("生成{current}年度报告")));
    }
    // A year after the current one is never draftable.
    let r = ed.post(format!("{base}/admin/reports")).form(&[("_csrf", token.as_str()), ("year", &(current + 1).to_string())]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

gongkai_store::on_both_backends!(deadlines);
