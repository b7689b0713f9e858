//! Every public and back-office page renders for every role on the demo data
//! (never a 500), wrong roles are refused, and the deadline watch shows the
//! overdue draft.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn every_page_renders_for_every_role() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let accounts = gongkai::demo::load(&store).await.expect("demo loads");
    let base = start(store.clone()).await;
    let anon = client();

    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let published = store
        .list_items(&gongkai_store::ItemQuery { org_ids: vec![yuantan.id], statuses: vec![gongkai_domain::model::ItemStatus::Published], limit: 500, ..Default::default() })
        .await
        .expect("items");
    // 66 items of 2023, 33 of other years, and the 2026 flood plan's 政策解读 (demo_site).
    assert_eq!(published.total, 66 + 33 + 1);
    let drafts = store.unpublished_items(&[yuantan.id]).await.expect("drafts");
    assert!(!drafts.is_empty());

    // Public pages and the API.
    let mut public = vec![
        "/".to_string(),
        "/static/site.css".into(),
        "/api/v1/openapi.json".into(),
        "/api/v1/organisations".into(),
        "/track".into(),
        "/org/yuantan/reports/2023".into(),
        "/org/yuantan/reports/2024?revision=1".into(),
        "/org/yuantan/reports/2025/download?format=xlsx&script=hant".into(),
        "/org/yuantan/reports/2025/chart/trend.svg".into(),
    ];
    for slug in ["qingcheng", "yuantan", "feilaixia", "minzheng"] {
        for p in ["", "/xxgk", "/xxgk?year=2023", "/xxgk?scope=all&page=2", "/xxgk?stat=art20-1", "/guide", "/reports", "/contact", "/apply"] {
            public.push(format!("/org/{slug}{p}"));
        }
        public.push(format!("/api/v1/organisations/{slug}"));
        public.push(format!("/api/v1/organisations/{slug}/catalog"));
        public.push(format!("/api/v1/organisations/{slug}/items?year=2024"));
    }
    for item in published.items.iter().step_by(7) {
        public.push(format!("/item/{}", item.id));
    }
    for path in &public {
        let res = anon.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    // Bad query values get a clear 400, unknown pages 404.
    for (path, status) in [
        ("/org/yuantan/xxgk?page=abc", StatusCode::BAD_REQUEST),
        ("/org/yuantan/xxgk?year=20233", StatusCode::BAD_REQUEST),
        ("/org/yuantan/xxgk?cat=999999", StatusCode::NOT_FOUND),
        ("/org/nowhere", StatusCode::NOT_FOUND),
        ("/item/abc", StatusCode::NOT_FOUND),
        ("/api/v1/items/abc", StatusCode::BAD_REQUEST),
        ("/api/v1/nothing", StatusCode::NOT_FOUND),
    ] {
        let res = anon.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(res.status(), status, "{path}");
    }
    // A body that is not a form gets a Chinese page, not the framework's English text.
    let res = anon.post(format!("{base}/track")).header("content-type", "application/json").body("{}").send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.text().await.expect("text").contains("请通过页面上的表单提交"));

    // Drafts are unreachable anonymously, by page and by API.
    for d in &drafts {
        assert_eq!(anon.get(format!("{base}/item/{}", d.id)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
        assert_eq!(anon.get(format!("{base}/api/v1/items/{}", d.id)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    }

    let admin_only = ["/admin/catalog", "/admin/org", "/admin/orgs"];
    let reviewer_pages = ["/admin/review"];
    let everyone = [
        "/admin",
        "/admin/items",
        "/admin/items?status=draft",
        "/admin/calendar?start=2023-09-27&days=20",
        "/admin/password",
        "/admin/applications",
        "/admin/applications?filter=open",
        "/admin/applications/new",
        "/admin/appeals",
        "/admin/statistics",
        "/admin/statistics?year=2025",
        "/admin/report-check",
        "/admin/reports",
        "/admin/reports/figures",
        "/admin/reports/figures?year=2023",
        "/admin/reports/import",
        "/admin/reports/figures/template.csv",
        "/admin/reports/rollup",
        "/admin/art44",
        "/admin/reports/rollup/export.xlsx?year=2023",
        "/api/v1/staff/applications",
    ];
    for account in &accounts {
        let (c, status, body) = login(&base, &account.username, &account.password).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}: {body}", account.username);
        let is_admin = account.roles.contains("系统管理员");
        let is_security_admin = account.roles.contains("安全管理员");
        let is_audit_admin = account.roles.contains("审计管理员");
        let is_reviewer = account.roles.contains("审核人");
        let is_editor = account.roles.contains("编辑");
        // 三员分立: a security or audit administrator alone does no disclosure work.
        let business = is_admin || is_reviewer || is_editor || account.roles.contains("公开工作机构负责人");
        for path in everyone {
            let expected = match path {
                _ if business => StatusCode::OK,
                "/admin" => StatusCode::SEE_OTHER,
                "/admin/password" => StatusCode::OK,
                _ => StatusCode::FORBIDDEN,
            };
            assert_eq!(c.get(format!("{base}{path}")).send().await.expect("get").status(), expected, "{} {path}", account.username);
        }
        for path in admin_only {
            let expected = if is_admin { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(c.get(format!("{base}{path}")).send().await.expect("get").status(), expected, "{} {path}", account.username);
        }
        for (path, allowed) in [("/admin/users", is_admin || is_security_admin), ("/admin/reveal-grants", is_security_admin), ("/admin/audit", is_audit_admin)] {
            let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(c.get(format!("{base}{path}")).send().await.expect("get").status(), expected, "{} {path}", account.username);
        }
        for path in reviewer_pages {
            let expected = if is_admin || is_reviewer { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(c.get(format!("{base}{path}")).send().await.expect("get").status(), expected, "{} {path}", account.username);
        }
        let expected = if is_admin || is_editor { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(c.get(format!("{base}/admin/items/new")).send().await.expect("get").status(), expected, "{} new", account.username);
        if account.org.contains("源潭镇") && business {
            for d in &drafts {
                assert_eq!(c.get(format!("{base}/admin/items/{}", d.id)).send().await.expect("get").status(), StatusCode::OK);
            }
            assert_eq!(c.get(format!("{base}/admin/items/{}", published.items[0].id)).send().await.expect("get").status(), StatusCode::OK);
        } else if !account.org.contains("人民政府") || account.org.contains("飞来峡") {
            // Another organisation's staff cannot open the town's drafts.
            assert_eq!(c.get(format!("{base}/admin/items/{}", drafts[0].id)).send().await.expect("get").status(), StatusCode::FORBIDDEN);
        }
    }

    // The town editor's dashboard shows the overdue draft (formed 2026-10-20).
    let editor = accounts.iter().find(|a| a.username == "yt_editor").expect("editor");
    let (c, _, _) = login(&base, &editor.username, &editor.password).await;
    let html = c.get(format!("{base}/admin")).send().await.expect("dashboard").text().await.expect("text");
    assert!(html.contains("已超期未公开"));
    let overdue = drafts.iter().find(|d| d.fields.formed_date.to_string() == "2026-10-20").expect("overdue draft");
    assert!(html.contains(&overdue.fields.title), "dashboard lacks the overdue draft");

    // The calendar explanation page explains the known case.
    let html = c.get(format!("{base}/admin/calendar?start=2023-09-27&days=20")).send().await.expect("calendar").text().await.expect("text");
    assert!(html.contains("2023-10-31"));
    assert!(html.contains("国庆"));

    // An administrator adds 2027's calendar; dates in 2027 stop being provisional.
    let admin = accounts.iter().find(|a| a.username == "yt_admin").expect("admin");
    let (c, _, _) = login(&base, &admin.username, &admin.password).await;
    let token = page_csrf(&c, &format!("{base}/admin/calendar")).await;
    let bad = c.post(format!("{base}/admin/calendar")).form(&[("_csrf", token.as_str()), ("year", "2027"), ("json", "{not json")]).send().await.expect("post");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.expect("text").contains("节假日数据有误"));
    let json = r#"{"holidays": [["2027-01-01", "2027-01-03", "元旦"], ["2027-02-05", "2027-02-11", "春节"]], "workdays": [["2027-02-13", "春节"]]}"#;
    let ok = c.post(format!("{base}/admin/calendar")).form(&[("_csrf", token.as_str()), ("year", "2027"), ("json", json)]).send().await.expect("post");
    assert_eq!(ok.status(), StatusCode::OK);
    let html = c.get(format!("{base}/admin/calendar?start=2027-02-04&days=1")).send().await.expect("calendar").text().await.expect("text");
    assert!(html.contains("2027-02-12"), "春节 2027 skipped");
    assert!(!html.contains("（暂定）"));
    assert_eq!(store.calendar_years().await.expect("years").len(), 1);

    // A malformed 索引号 pattern is refused with a clear message, nothing saved.
    let token = page_csrf(&c, &format!("{base}/admin/org")).await;
    let form = [
        ("_csrf", token.as_str()),
        ("name", "清远市清城区源潭镇人民政府"),
        ("slug", "yuantan"),
        ("org_code", "11441802007183516B"),
        ("level", "township"),
        ("index_pattern", "{org_code}/{year}-{serial"),
        ("office_name", "源潭镇党政综合办公室"),
    ];
    let res = c.post(format!("{base}/admin/org")).form(&form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("索引号规则"));
    let org = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    assert_eq!(org.index_pattern, gongkai_domain::index_number::DEFAULT_PATTERN);
    // An invalid 机构代码 (wrong check character) is refused too.
    let mut bad_code = form;
    bad_code[5] = ("index_pattern", "{org_code}/{year}-{serial:5}");
    bad_code[3] = ("org_code", "11441802007183516C");
    let res = c.post(format!("{base}/admin/org")).form(&bad_code).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("机构代码"));
}

#[tokio::test]
async fn report_checker_page_shows_findings_beside_the_text() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let town = org(&store, "town", "11441802007183516B").await;
    user(&store, &town, "clerk", &[gongkai_domain::model::Role::Editor]).await;
    let base = start(store).await;
    // Anonymous users are sent to the login page.
    assert_eq!(client().get(format!("{base}/admin/report-check")).send().await.expect("get").status(), StatusCode::SEE_OTHER);
    let (c, _, _) = login(&base, "clerk", PASSWORD).await;
    let token = page_csrf(&c, &format!("{base}/admin/report-check")).await;
    let report = "测试镇2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我镇公开政府信息10条，其中通知公告4条，工作动态5条。\n?。?/span>2)通过公开栏进行公开；\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n存在不足。\n六、其他需要报告的事项\n无。\n测试镇人民政府\n2024年1月17日\n";
    let form = reqwest::multipart::Form::new().text("_csrf", token.clone()).text("text", report.to_string());
    let res = c.post(format!("{base}/admin/report-check")).multipart(form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("text");
    assert!(html.contains("问题清单"));
    assert!(html.contains("sev-error"), "no error finding for the empty sections");
    assert!(html.contains("id=\"L4\" class=\"flagged\""), "the debris line is not marked");
    // The same report uploaded as a GBK-encoded text file.
    let (gbk, _, _) = encoding_rs::GBK.encode(report);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(gbk.into_owned()).file_name("report.txt"));
    let html = c.post(format!("{base}/admin/report-check")).multipart(form).send().await.expect("post").text().await.expect("text");
    assert!(html.contains("sev-error"));
    assert!(html.contains("测试镇人民政府"));
    // Nothing submitted: a clear message.
    let form = reqwest::multipart::Form::new().text("_csrf", token.clone()).text("text", "  ");
    let res = c.post(format!("{base}/admin/report-check")).multipart(form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("请粘贴年度报告全文"));
    // Without the CSRF token: refused.
    let form = reqwest::multipart::Form::new().text("text", report.to_string());
    assert_eq!(c.post(format!("{base}/admin/report-check")).multipart(form).send().await.expect("post").status(), StatusCode::FORBIDDEN);
}
