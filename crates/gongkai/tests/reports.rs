//! The annual report end to end against the running server: draft from the records, figures
//! entered and imported (bad input refused with Chinese messages, nothing saved), narrative
//! checked against the tables, submit, four-eyes publication with acknowledged warnings,
//! the 年报 column, public page and downloads in both scripts, correction, the year lock, the
//! roll-up; and the demo town's 2023 report against the seed's figures.

mod common;

use chrono::{Datelike, NaiveDate, Utc};
use common::{client, csrf, login, org, start, user, PASSWORD};
use gongkai_domain::model::{DisclosureMode, DocType, ItemFields, ItemStatus, Role};
use gongkai_store::{NewItemEvent, Store};
use reqwest::StatusCode;

/// Last year in China Standard Time (what the server calls today).
fn last_year() -> i32 {
    (Utc::now() + chrono::Duration::hours(8)).date_naive().year() - 1
}

async fn published_item(store: &Store, org_id: i64, author: i64, reviewer: i64, catalog: &str, title: &str, date: NaiveDate) -> i64 {
    let node = store.catalog(org_id).await.expect("catalog").into_iter().find(|n| n.name == catalog).expect("node");
    let fields = ItemFields {
        catalog_id: node.id,
        title: title.into(),
        summary: String::new(),
        body_html: "<p>正文</p>".into(),
        publisher: "测试".into(),
        formed_date: date,
        doc_number: None,
        topic: "综合政务".into(),
        genre: "通知".into(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    let ev = |a: i64, action: &str| NewItemEvent { actor_id: a, action: action.into(), comment: String::new(), at: Utc::now() };
    let item = store.create_item(org_id, author, &fields, &ev(author, "create")).await.expect("create");
    store.transition_item(item.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(author, "submit")).await.expect("submit");
    let approved = store.transition_item(item.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev(reviewer, "approve")).await.expect("approve");
    gongkai_web::ops::publish(store, &approved, date, reviewer, "", Utc::now()).await.expect("publish");
    item.id
}

fn report_id(location: &str) -> i64 {
    location.rsplit('/').next().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a report url: {location}"))
}

/// Hidden inputs and checkbox names of the publish form.
fn publish_form(html: &str) -> Vec<(String, String)> {
    let start = html.find("/publish\"").expect("publish form");
    let form = &html[start..html[start..].find("</form>").map_or(html.len(), |e| start + e)];
    let mut out = Vec::new();
    for piece in form.split("<input").skip(1) {
        let attr = |name: &str| {
            let m = format!("{name}=\"");
            piece.find(&m).map(|i| piece[i + m.len()..].split('"').next().unwrap_or("").to_string())
        };
        let name = attr("name").unwrap_or_default();
        if piece.contains("type=\"checkbox\"") {
            out.push((name, "on".into()));
        } else {
            out.push((name, attr("value").unwrap_or_default()));
        }
    }
    out
}

async fn scenario(store: Store) {
    let year = last_year();
    let town = org(&store, "hetang", "11441802MB2C12345X").await;
    let editor = user(&store, &town, "rp_editor", &[Role::Editor]).await;
    let reviewer = user(&store, &town, "rp_reviewer", &[Role::Reviewer]).await;
    user(&store, &town, "rp_admin", &[Role::Admin]).await;
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(year, m, day).expect("date");
    for (i, catalog) in ["通知公告", "通知公告", "镇动态信息"].iter().enumerate() {
        published_item(&store, town.id, editor.id, reviewer.id, catalog, &format!("测试信息{i}"), d(3, 1 + i as u32)).await;
    }
    let base = start(store.clone()).await;

    let (ed, status, _) = login(&base, "rp_editor", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list = ed.get(format!("{base}/admin/reports")).send().await.expect("list").text().await.expect("text");
    assert!(list.contains(&format!("生成{year}年度报告草稿")), "{list}");
    let token = csrf(&list);
    // A year that has not ended cannot be drafted (the current year only from 1 December, see
    // report_deadlines.rs).
    let r = ed.post(format!("{base}/admin/reports")).form(&[("_csrf", token.as_str()), ("year", &(year + 2).to_string())]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("不是可以编写年度报告的年份"));
    let r = ed.post(format!("{base}/admin/reports")).form(&[("_csrf", token.as_str()), ("year", &year.to_string())]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let url = format!("{base}{}", r.headers()["location"].to_str().expect("location"));
    let id = report_id(&url);
    let page = ed.get(&url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains(&format!("{year}年，我镇通过政府信息公开专栏公开政府信息3条，其中镇动态信息1条、通知公告2条。")) || page.contains("公开政府信息3条"), "{page}");
    assert!(page.contains("尚未填写，按0计"), "unentered figures are flagged");
    assert!(!page.contains("finding-error"), "a fresh draft has no errors");

    // Section 二 figures: a bad value is refused with a Chinese message and nothing is saved.
    let fig_url = format!("{base}/admin/reports/figures?year={year}");
    let fig = ed.get(&fig_url).send().await.expect("figures").text().await.expect("text");
    let t = csrf(&fig);
    let r = ed.post(&fig_url).form(&[("_csrf", t.as_str()), ("year", &year.to_string()), ("v0", "12"), ("v1", "三")]).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("text");
    assert!(body.contains("“三”不是数字") && body.contains("均未保存"), "{body}");
    assert!(store.report_figures(town.id, year).await.expect("figures").is_empty());
    // An import with a wrong cell reports it and imports nothing.
    let import_url = format!("{base}/admin/reports/figures/import?year={year}");
    let csv = "信息内容,统计项,数值\n行政许可,本年处理决定数量,12\n行政处罚,本年处理决定数量,1.5\n行政确认,本年处理决定数量,1\n";
    let form = reqwest::multipart::Form::new()
        .text("_csrf", t.clone())
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("figures.csv"));
    let r = ed.post(&import_url).multipart(form).send().await.expect("import");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("text");
    assert!(body.contains("第3行“数值”列") && body.contains("第4行") && body.contains("未导入"), "{body}");
    assert!(store.report_figures(town.id, year).await.expect("figures").is_empty());
    let csv = "\u{feff}信息内容,统计项,数值\r\n行政许可,本年处理决定数量,12\r\n行政处罚,本年处理决定数量,3\r\n行政强制,本年处理决定数量,0\r\n行政事业性收费,本年收费金额（单位：万元）,2.5\r\n";
    let form = reqwest::multipart::Form::new()
        .text("_csrf", t.clone())
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("figures.csv"));
    let r = ed.post(&import_url).multipart(form).send().await.expect("import");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("text").contains("已保存 4 项数据"));
    assert_eq!(store.report_figures(town.id, year).await.expect("figures").len(), 4);

    // Refresh the tables from the records; then a narrative figure that disagrees is an error.
    let r = ed.post(format!("{url}/refresh")).form(&[("_csrf", t.as_str())]).send().await.expect("refresh");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let report = store.report(id).await.expect("load").expect("report");
    assert_eq!(report.content.section2_cell(5, "行政许可", 0).map(|c| c.value), Some(12));
    assert_eq!(report.content.section2_cell(8, "行政事业性收费", 0).map(|c| c.display()).as_deref(), Some("2.5"));
    let s1 = report.content.section1.replace("公开政府信息3条", "公开政府信息9条");
    let narrative = |s1: &str| -> Vec<(String, String)> {
        vec![
            ("_csrf".into(), t.clone()),
            ("preamble".into(), report.content.preamble.clone()),
            ("section1".into(), s1.to_string()),
            ("section5".into(), "本年度信息发布总体及时。下一年度将继续规范发布流程。".into()),
            ("section6".into(), report.content.section6.clone()),
        ]
    };
    let r = ed.post(format!("{url}/save")).form(&narrative(&s1)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = ed.get(&url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("本年公开政府信息条数为9，与统计数据3不一致"), "{page}");
    let r = ed.post(format!("{url}/submit")).form(&[("_csrf", t.as_str())]).send().await.expect("submit");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "errors block submission");
    let r = ed.post(format!("{url}/save")).form(&narrative(&report.content.section1)).send().await.expect("save");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = ed.post(format!("{url}/submit")).form(&[("_csrf", t.as_str())]).send().await.expect("submit");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The editor may not publish.
    let r = ed.post(format!("{url}/publish")).form(&[("_csrf", t.as_str())]).send().await.expect("publish");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The reviewer publishes; warnings must be acknowledged one by one.
    let (rv, _, _) = login(&base, "rp_reviewer", PASSWORD).await;
    let page = rv.get(&url).send().await.expect("page").text().await.expect("text");
    let fields = publish_form(&page);
    let without_acks: Vec<(String, String)> = fields.iter().filter(|(k, _)| !k.starts_with("ack_")).cloned().collect();
    if fields.len() > without_acks.len() {
        let r = rv.post(format!("{url}/publish")).form(&without_acks).send().await.expect("publish");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.expect("text").contains("请逐条确认提醒事项"));
    }
    let r = rv.post(format!("{url}/publish")).form(&fields).send().await.expect("publish");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let published = store.report(id).await.expect("load").expect("report");
    assert!(published.published_on.is_some());
    let item = store.item(published.item_id.expect("item")).await.expect("item").expect("item");
    assert_eq!(item.status, ItemStatus::Published);
    assert!(item.index_no.is_some());
    assert!(item.fields.body_html.contains("<table"), "the item carries the tables");

    // The portal: the 年报 column, the report page, downloads in both scripts.
    let anon = client();
    let col = anon.get(format!("{base}/org/hetang/reports")).send().await.expect("col").text().await.expect("text");
    assert!(col.contains(&format!("/org/hetang/reports/{year}")));
    let page = anon.get(format!("{base}/org/hetang/reports/{year}")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("text");
    for h in ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"] {
        assert!(html.contains(h), "{h}");
    }
    assert!(html.contains("<svg"), "charts are embedded");
    let dl = |format: &str, script: &str| anon.get(format!("{base}/org/hetang/reports/{year}/download?format={format}&script={script}")).send();
    let docx = dl("docx", "hans").await.expect("docx");
    assert_eq!(docx.status(), StatusCode::OK);
    assert!(docx.headers()["content-disposition"].to_str().unwrap_or("").contains("attachment"));
    assert!(docx.bytes().await.expect("bytes").starts_with(b"PK\x03\x04"));
    assert!(dl("xlsx", "hant").await.expect("xlsx").bytes().await.expect("bytes").starts_with(b"PK\x03\x04"));
    let json: serde_json::Value = dl("json", "hans").await.expect("json").json().await.expect("json body");
    assert_eq!(json["year"], serde_json::json!(year));
    let md = dl("md", "hant").await.expect("md").text().await.expect("md");
    assert!(md.contains("報告") && md.contains("公開"), "Traditional markdown");
    let bad = dl("pdf", "hans").await.expect("pdf");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let msg = bad.text().await.expect("text");
    assert!(msg.contains("docx") && msg.contains("xlsx") && msg.contains("json"), "{msg}");
    let svg = anon.get(format!("{base}/org/hetang/reports/{year}/chart/categories.svg")).send().await.expect("svg");
    assert_eq!(svg.headers()["content-type"].to_str().unwrap_or(""), "image/svg+xml; charset=utf-8");
    assert_eq!(anon.get(format!("{base}/org/hetang/reports/1999")).send().await.expect("404").status(), StatusCode::NOT_FOUND);

    // Year lock: a later change to that year's records is flagged to the administrator.
    published_item(&store, town.id, editor.id, reviewer.id, "通知公告", "补录信息", d(6, 1)).await;
    let (adm, _, _) = login(&base, "rp_admin", PASSWORD).await;
    let dash = adm.get(format!("{base}/admin")).send().await.expect("dash").text().await.expect("text");
    assert!(dash.contains("已与现有记录不一致"), "year lock on the dashboard");
    let list = adm.get(format!("{base}/admin/reports")).send().await.expect("list").text().await.expect("text");
    assert!(list.contains("年度锁定提醒") && list.contains("已发布报告3条，现有记录4条"), "{list}");

    // A correction is a new revision; both stay public once published.
    let r = ed.post(format!("{url}/revise")).form(&[("_csrf", t.as_str()), ("comment", " ")]).send().await.expect("revise");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = ed.post(format!("{url}/revise")).form(&[("_csrf", t.as_str()), ("comment", "补录一条通知公告")]).send().await.expect("revise");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let url2 = format!("{base}{}", r.headers()["location"].to_str().expect("location"));
    let rev2 = store.report(report_id(&url2)).await.expect("load").expect("report");
    assert_eq!((rev2.revision, rev2.content.figures.items_published), (2, 4));
    assert!(store.reports(&[town.id]).await.expect("all").iter().any(|r| r.revision == 1 && r.published_on.is_some()));
    // Admin export of the draft works too.
    let x = ed.get(format!("{url2}/export?format=md&script=hans")).send().await.expect("export");
    assert_eq!(x.status(), StatusCode::OK);
    // Another organisation's staff cannot see the report.
    let other = org(&store, "other", "11441802MB2C99999X").await;
    user(&store, &other, "rp_other", &[Role::Editor, Role::Reviewer]).await;
    let (ot, _, _) = login(&base, "rp_other", PASSWORD).await;
    assert_eq!(ot.get(&url).send().await.expect("other").status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn report_workflow_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    scenario(store).await;
}

#[tokio::test]
async fn report_workflow_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    scenario(store).await;
}

use gongkai::demo_data::SEED_2023_BREAKDOWN as SEED_2023;

#[tokio::test]
async fn demo_town_2023_report_states_the_seed_figures() {
    use gongkai_report_export::{export, ExportFormat, Script};
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let accounts = gongkai::demo::load(&store).await.expect("demo loads");
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let reports = store.reports(&[yuantan.id]).await.expect("reports");
    assert_eq!(reports.iter().map(|r| (r.year, r.published_on.map(|d| d.to_string()))).collect::<Vec<_>>(), vec![
        (2023, Some("2024-01-17".into())),
        (2024, Some("2025-01-20".into())),
        (2025, Some("2026-01-19".into())),
    ]);
    let r = &reports[0].content;
    assert_eq!(r.title, "清远市清城区源潭镇人民政府2023年政府信息公开工作年度报告");
    assert_eq!(r.figures.items_published, 66);
    assert_eq!(r.figures.categories.iter().map(|c| (c.name.as_str(), c.count)).collect::<Vec<_>>(), SEED_2023.to_vec());
    assert_eq!(r.applications_received(), 0);
    assert!(r.section3.iter().all(|row| row.cells == [0; 7]), "no applications in 2023");
    assert_eq!(r.section4, [0; 15], "no reconsiderations or lawsuits");
    assert_eq!((r.figures.fee_notices, r.figures.fees_collected_fen), (0, 0));
    assert_eq!(r.signature, "清远市清城区源潭镇人民政府");
    // The narrative states the seed's figures, in both scripts; the three tables are filled in.
    let cats = SEED_2023.iter().map(|(c, n)| format!("{c}{n}条")).collect::<Vec<_>>().join("、");
    let sentence = format!("2023年，我镇通过区政府门户网站公开政府信息66条，其中{cats}。");
    for (script, sentence, tables) in [
        (Script::Hans, sentence.clone(), ["三、收到和处理政府信息公开申请情况", "本年新收政府信息公开申请数量", "结果维持"]),
        (Script::Hant, Script::Hant.convert(&sentence), ["三、收到和處理政府信息公開申請情況", "本年新收政府信息公開申請數量", "結果維持"]),
    ] {
        let html = String::from_utf8(export(r, ExportFormat::Html, script).expect("html")).expect("utf-8");
        assert!(html.contains(&sentence), "{script:?}: {sentence}");
        assert!(html.contains("收到政府信息公开申请0件") || html.contains("收到政府信息公開申請0件"));
        assert!(html.contains("未收取信息處理費") || html.contains("未收取信息处理费"));
        for t in tables {
            assert!(html.contains(t), "{script:?}: {t}");
        }
        assert!(html.matches("<table").count() >= 3, "sections 二、三、四 have their tables");
    }
    // The independent report checker reads the published report back without errors.
    let html = export(r, ExportFormat::Html, Script::Hans).expect("html");
    let checked = gongkai_checker::check_bytes(&html, Some("report.html"), &gongkai_checker::CheckOptions::default()).expect("check");
    let errors: Vec<_> = checked.findings.iter().filter(|f| f.severity == gongkai_checker::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The district sees every town's status and the combined tables.
    let qc = accounts.iter().find(|a| a.username == "qc_admin").expect("district admin");
    let base = start(store.clone()).await;
    let (c, _, _) = login(&base, "qc_admin", &qc.password).await;
    let page = c.get(format!("{base}/admin/reports/rollup?year=2023")).send().await.expect("rollup").text().await.expect("text");
    assert!(page.contains("清远市清城区源潭镇人民政府") && page.contains("清远市清城区飞来峡镇人民政府"), "{page}");
    assert!(page.contains("已发布") && page.contains("已逾期未发布"), "{page}");
    assert!(page.contains("主动公开信息合计 66 条"), "{page}");
}
