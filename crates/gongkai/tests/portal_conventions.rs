//! Government-site conventions on the portal (issue 16): the metadata tags
//! inspection crawlers read on the home, column and item pages; the footer
//! block from the site settings an administrator edits; the 网站地图; the item
//! tools (打印, 字号), 上一篇/下一篇 and the 解读 relation shown on both items;
//! the catalog as the standard tree; the error page inside the site frame; the
//! current mode in the header — on SQLite and PostgreSQL.

mod common;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.expect("get");
    let status = res.status();
    (status, res.text().await.expect("text"))
}

/// The `content` of `<meta name="NAME" content="…">`, if present.
fn meta(html: &str, name: &str) -> Option<String> {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

async fn conventions(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let admin = user(store, &town, "boss", &[Role::Admin, Role::Editor, Role::Reviewer]).await;
    let older = published(store, &town, admin.id, "关于秋季防火的通知", "2024-09-27").await;
    let policy = published(store, &town, admin.id, "关于印发防汛工作方案的通知", "2024-09-30").await;
    let newer = published(store, &town, admin.id, "防汛工作方案政策解读", "2024-10-08").await;
    let base = start(store.clone()).await;
    let anon = client();

    // ---- site settings: edited by the top-level administrator ----
    let (c, status, _) = login(&base, "boss", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = get(&c, &format!("{base}/admin/site")).await.1;
    assert!(page.contains("网站标识码") && page.contains("公安机关备案号"), "{page}");
    let token = csrf(&page);
    let form = [
        ("_csrf", token.as_str()),
        ("site_name", "测试区政府信息公开平台"),
        ("sponsor", "测试区人民政府办公室"),
        ("organizer", "测试区政务服务数据管理局"),
        ("id_code", "4418020099"),
        ("icp", "粤ICP备00000000号"),
        ("police_record", "粤公网安备 44180202000000号"),
        ("logo_url", "/static/logo.svg"),
        ("led_max_age_days", "abc"),
    ];
    let res = c.post(format!("{base}/admin/site")).form(&form).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("电子显示屏公告天数须是 1 到 3650 之间的整数"));
    let mut form = form.to_vec();
    form.pop();
    let res = c.post(format!("{base}/admin/site")).form(&form).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A department's administrator may not change the site.
    let dept = gongkai_web::ops::provision_org(
        store,
        &gongkai_store::NewOrganisation {
            slug: "dept".into(),
            name: "测试town镇某办".into(),
            org_code: "11441802007183517C".into(),
            level: gongkai_domain::model::OrgLevel::Township,
            parent_id: Some(town.id),
            office: Default::default(),
            index_pattern: gongkai_domain::index_number::DEFAULT_PATTERN.into(),
            description: String::new(),
        },
    )
    .await
    .expect("dept");
    let _ = user(store, &dept, "deptadmin", &[Role::Admin, Role::Editor]).await;
    let (dc, _, _) = login(&base, "deptadmin", PASSWORD).await;
    assert_eq!(get(&dc, &format!("{base}/admin/site")).await.0, StatusCode::FORBIDDEN);

    // ---- metadata tags on home, column and item pages ----
    let (status, home) = get(&anon, &format!("{base}/")).await;
    assert_eq!(status, StatusCode::OK);
    let host = base.trim_start_matches("http://");
    assert_eq!(meta(&home, "SiteName").as_deref(), Some("测试区政府信息公开平台"));
    assert_eq!(meta(&home, "SiteDomain").as_deref(), Some(host));
    assert_eq!(meta(&home, "SiteIDCode").as_deref(), Some("4418020099"));
    assert_eq!(meta(&home, "ColumnName").as_deref(), Some("首页"));
    assert_eq!(meta(&home, "ColumnType").as_deref(), Some("首页"));
    assert!(meta(&home, "ArticleTitle").is_none(), "no article tags on the home page");

    let catalog = store.catalog(town.id).await.expect("catalog");
    let notices = catalog.iter().find(|n| n.name == "通知公告").expect("notices").id;
    let (_, column) = get(&anon, &format!("{base}/org/town/xxgk?cat={notices}")).await;
    assert_eq!(meta(&column, "SiteIDCode").as_deref(), Some("4418020099"));
    assert_eq!(meta(&column, "ColumnName").as_deref(), Some("通知公告"));
    assert_eq!(meta(&column, "ColumnType").as_deref(), Some("政务公开"));
    assert!(meta(&column, "ColumnDescription").is_some_and(|d| d.contains("测试town镇人民政府")));
    assert_eq!(meta(&column, "Url").as_deref(), Some(format!("{base}/org/town/xxgk?cat={notices}").as_str()));

    let (_, item) = get(&anon, &format!("{base}/item/{policy}")).await;
    assert_eq!(meta(&item, "SiteName").as_deref(), Some("测试区政府信息公开平台"));
    assert_eq!(meta(&item, "ColumnName").as_deref(), Some("通知公告"));
    assert_eq!(meta(&item, "ArticleTitle").as_deref(), Some("关于印发防汛工作方案的通知"));
    let pub_date = meta(&item, "PubDate").expect("PubDate");
    assert!(pub_date.starts_with("2024-09-30 ") && pub_date.len() == 16, "{pub_date}");
    assert_eq!(meta(&item, "ContentSource").as_deref(), Some("测试town镇人民政府"));
    assert_eq!(meta(&item, "Description").as_deref(), Some("摘要"));
    assert!(meta(&item, "Keywords").is_some());
    assert_eq!(meta(&item, "Url").as_deref(), Some(format!("{base}/item/{policy}").as_str()));

    // ---- header and footer block ----
    for html in [&home, &column, &item] {
        assert!(html.contains("<img class=\"logo\" src=\"/static/logo.svg\""), "logo");
        assert!(html.contains("当前：<strong>标准版</strong> · <strong>简体</strong>"), "mode shown");
        for part in ["主办单位", "测试区人民政府办公室", "承办单位", "网站标识码", "4418020099", "粤ICP备00000000号", "公安机关备案号", "href=\"/sitemap\"", "关怀版"] {
            assert!(html.contains(part), "footer lacks {part}");
        }
        assert!(!html.contains("<script"), "the portal needs no JavaScript");
    }
    let logo = anon.get(format!("{base}/static/logo.svg")).send().await.expect("logo");
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    // 关怀版 is shown as the current mode once chosen.
    let care = client();
    care.get(format!("{base}/care?on=1&back=/")).send().await.expect("care");
    let care_home = get(&care, &format!("{base}/")).await.1;
    assert!(care_home.contains("当前：<strong>关怀版</strong>") && care_home.contains("class=\"portal care\"") && care_home.contains("返回标准版"));

    // ---- 网站地图 ----
    let (status, map) = get(&anon, &format!("{base}/sitemap")).await;
    assert_eq!(status, StatusCode::OK);
    for part in ["网站地图", "/org/town/xxgk", "/org/town/guide", "/org/town/reports", "/org/town/apply", &format!("/org/town/xxgk?cat={notices}")] {
        assert!(map.contains(part), "site map lacks {part}");
    }

    // ---- catalog as the standard tree ----
    for part in ["政府信息公开指南", "法定主动公开内容", "依申请公开", "公开制度", "政府信息公开年报", "aria-current=\"page\">通知公告"] {
        assert!(column.contains(part), "catalog tree lacks {part}");
    }

    // ---- item tools, 上一篇/下一篇 ----
    assert!(item.contains(&format!("href=\"/item/{policy}?fs=l\"")) && item.contains(&format!("href=\"/item/{policy}?print=1&amp;fs=m\"")), "tools");
    assert!(item.contains(&format!("上一篇：<a href=\"/item/{newer}\" rel=\"prev\">")) && item.contains(&format!("下一篇：<a href=\"/item/{older}\" rel=\"next\">")), "prev/next");
    let large = get(&anon, &format!("{base}/item/{policy}?fs=l")).await.1;
    assert!(large.contains("class=\"portal font-l\"") && large.contains(&format!("href=\"/item/{policy}?fs=l\" aria-current=\"true\"")));
    let print = get(&anon, &format!("{base}/item/{policy}?print=1")).await.1;
    assert!(print.contains("print-view") && print.contains("这是打印版"));
    let first = get(&anon, &format!("{base}/item/{newer}")).await.1;
    assert!(first.contains("上一篇：<span class=\"meta\">没有了</span>"));

    // ---- 解读 relation, maintained by staff, shown on both items ----
    let page = get(&c, &format!("{base}/admin/items/{policy}/interpretations")).await.1;
    assert!(page.contains("尚未关联解读"), "{page}");
    let token = csrf(&page);
    let res = c
        .post(format!("{base}/admin/items/{policy}/interpretations"))
        .form(&[("_csrf", token.as_str()), ("role", "interpretation"), ("other", &policy.to_string())])
        .send()
        .await
        .expect("self");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("不能作为自己的解读"));
    let res = c
        .post(format!("{base}/admin/items/{policy}/interpretations"))
        .form(&[("_csrf", token.as_str()), ("role", "interpretation"), ("other", "999999")])
        .send()
        .await
        .expect("unknown");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = c
        .post(format!("{base}/admin/items/{policy}/interpretations"))
        .form(&[("_csrf", token.as_str()), ("role", "interpretation"), ("other", &newer.to_string())])
        .send()
        .await
        .expect("link");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let on_policy = get(&anon, &format!("{base}/item/{policy}")).await.1;
    assert!(on_policy.contains("相关解读") && on_policy.contains(&format!("<span class=\"tag\">解读</span> <a href=\"/item/{newer}\">防汛工作方案政策解读</a>")), "{on_policy}");
    let on_interp = get(&anon, &format!("{base}/item/{newer}")).await.1;
    assert!(on_interp.contains(&format!("<span class=\"tag\">政策原文</span> <a href=\"/item/{policy}\">关于印发防汛工作方案的通知</a>")), "{on_interp}");
    let other_item = get(&anon, &format!("{base}/item/{older}")).await.1;
    assert!(!other_item.contains("相关解读"));
    // Staff of another organisation cannot see or change the link.
    assert_eq!(get(&dc, &format!("{base}/admin/items/{policy}/interpretations")).await.0, StatusCode::NOT_FOUND);
    // Removing it removes it from both pages.
    let page = get(&c, &format!("{base}/admin/items/{newer}/interpretations")).await.1;
    assert!(page.contains("本信息解读的政策文件"), "{page}");
    let res = c
        .post(format!("{base}/admin/items/{newer}/interpretations/remove"))
        .form(&[("_csrf", csrf(&page).as_str()), ("policy", &policy.to_string()), ("interpretation", &newer.to_string())])
        .send()
        .await
        .expect("remove");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!get(&anon, &format!("{base}/item/{policy}")).await.1.contains("相关解读"));

    // ---- error page inside the site frame, the message said once ----
    let (status, missing) = get(&anon, &format!("{base}/no-such-page")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing.matches("<h1>页面不存在</h1>").count(), 1, "{missing}");
    assert!(!missing.contains("<p class=\"notice\">页面不存在</p>"), "the title is not repeated as the message: {missing}");
    assert!(missing.contains("<header class=\"site\">") && missing.contains("<footer class=\"site\">") && missing.contains("4418020099") && missing.contains("href=\"/sitemap\""), "{missing}");
    assert_eq!(meta(&missing, "SiteName").as_deref(), Some("测试区政府信息公开平台"));
    let (status, bad) = get(&anon, &format!("{base}/org/town/xxgk?year=abc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("<footer class=\"site\">"));

    // ---- the guide names the site's address instead of "尚未填写" ----
    let guide = get(&anon, &format!("{base}/org/town/guide")).await.1;
    assert!(guide.contains(&format!("<dt>网址</dt><dd><a href=\"{base}/org/town\">")), "{guide}");
}

gongkai_store::on_both_backends!(conventions);
