//! Issue 15, items 6, 7 and 9 against the running server, on SQLite and PostgreSQL:
//! 正文 imported from a (WPS-saved) DOCX with a table, published and shown on the portal;
//! non-DOCX files and ZIP bombs refused with nothing saved; attachments with display titles
//! in the create form; pasted Word HTML and the rows/cells table form; the 主题/体裁
//! vocabularies; the audit log's Chinese labels, filters and CSV/XLSX export; the district
//! roll-up workbook; an Art. 44 suggestion turned into a draft and into the report narrative.

mod common;

use std::io::Read;

use common::*;
use gongkai_domain::application::{ApplicantKind, Channel};
use gongkai_domain::model::Role;
use gongkai_store::{NewApplication, Store};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

const WPS_STYLES: &str = r#"<w:style w:type="paragraph" w:default="1" w:styleId="1"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 1"/><w:basedOn w:val="1"/></w:style>"#;

fn docx_with_table() -> Vec<u8> {
    let body = r#"<w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/></w:rPr><w:t>2024年农村危房改造补助对象公示</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t>经村委会评议、镇政府审核，现将补助对象公示如下。</w:t></w:r></w:p>
<w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>村（居）</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>户主</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>源潭村</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>张某某</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>李某某</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
    gongkai_web::body::docx::build_test_docx(body, WPS_STYLES)
}

fn fields(csrf: &str, catalog: &str, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.to_string()),
        ("catalog_id", catalog.to_string()),
        ("title", title.to_string()),
        ("summary", "公示补助对象。".to_string()),
        ("body", String::new()),
        ("publisher", "测试镇人民政府".to_string()),
        ("formed_date", "2024-03-01".to_string()),
        ("topic", "城乡建设、环境保护".to_string()),
        ("genre", "公示".to_string()),
        ("disclosure_mode", "proactive".to_string()),
        ("doc_type", "other".to_string()),
    ]
}

fn multipart(fields: Vec<(&'static str, String)>, files: Vec<(&'static str, &str, Vec<u8>)>) -> Form {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    for (k, name, bytes) in files {
        form = form.part(k, Part::bytes(bytes).file_name(name.to_string()));
    }
    form
}

fn id_from_location(res: &reqwest::Response) -> i64 {
    let loc = res.headers().get("location").expect("redirect").to_str().expect("ascii");
    loc.trim_start_matches("/admin/items/").split('?').next().expect("id").parse().expect("numeric id")
}

async fn item_count(store: &Store, org_id: i64) -> i64 {
    store.list_items(&gongkai_store::ItemQuery { org_ids: vec![org_id], limit: 1000, ..Default::default() }).await.expect("items").total
}

async fn action(c: &reqwest::Client, base: &str, id: i64, action: &str) -> StatusCode {
    let token = page_csrf(c, &format!("{base}/admin/items/{id}")).await;
    c.post(format!("{base}/admin/items/{id}/action")).form(&[("_csrf", token.as_str()), ("action", action), ("comment", ""), ("secrecy_opinion", "经审查，不涉及国家秘密"), ("disclosure_opinion", "属于主动公开范围，同意公开")]).send().await.expect("action").status()
}

/// The text of every shared string and inline string of an XLSX, in order.
fn xlsx_strings(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx is a zip");
    let mut out = String::new();
    if let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") {
        f.read_to_string(&mut out).expect("read");
    }
    out
}

async fn items_scenario(store: Store) {
    let town = org(&store, "town", "11441802007183516B").await;
    user(&store, &town, "editor1", &[Role::Editor]).await;
    user(&store, &town, "reviewer1", &[Role::Reviewer]).await;
    user(&store, &town, "admin1", &[Role::Admin]).await;
    user(&store, &town, "auditor1", &[Role::AuditAdmin]).await;
    let catalog = store.catalog(town.id).await.expect("catalog");
    let notice = catalog.iter().find(|n| n.name == "通知公告").expect("notice column").id.to_string();
    let base = start(store.clone()).await;
    let (editor, _, _) = login(&base, "editor1", PASSWORD).await;

    // The form: multipart, DOCX import, table form, vocabularies, attachment slots.
    let page = editor.get(format!("{base}/admin/items/new")).send().await.expect("form").text().await.expect("text");
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("name=\"body_docx\"") && page.contains("name=\"table_rows\"") && page.contains("name=\"attachment_title_1\""));
    assert!(page.contains("<option value=\"城乡建设、环境保护\"") && page.contains("<option value=\"命令（令）\""), "vocabularies offered");
    let token = csrf(&page);

    // A DOCX that is not a DOCX, a legacy .doc and a ZIP bomb: a Chinese message, nothing saved.
    let before = item_count(&store, town.id).await;
    for (name, bytes, expect) in [
        ("名单.docx", b"%PDF-1.7 this is a pdf".to_vec(), "不是 Word 文档"),
        ("名单.doc", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], "另存为"),
        ("炸弹.docx", gongkai_web::body::docx::build_test_zip_bomb(40 * 1024 * 1024), "压缩炸弹"),
    ] {
        assert!(bytes.len() < 60 * 1024, "fits the test server's upload limit");
        let res = editor
            .post(format!("{base}/admin/items"))
            .multipart(multipart(fields(&token, &notice, "不应保存的信息"), vec![("body_docx", name, bytes)]))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
        let html = res.text().await.expect("text");
        assert!(html.contains(expect), "{name}: {html}");
        assert!(html.contains("不应保存的信息"), "the form keeps what was typed");
    }
    // A forbidden attachment type in the create form: refused, nothing saved.
    let res = editor
        .post(format!("{base}/admin/items"))
        .multipart(multipart(fields(&token, &notice, "不应保存的信息"), vec![("attachment_1", "病毒.exe", b"MZ\x90\x00".to_vec())]))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("类型不允许上传"));
    // A 主题分类 outside the vocabulary.
    let mut bad = fields(&token, &notice, "不应保存的信息");
    bad[7].1 = "自编分类".into();
    let res = editor.post(format!("{base}/admin/items")).multipart(multipart(bad, vec![])).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("不在本机关的分类词表中"));
    assert_eq!(item_count(&store, town.id).await, before, "nothing saved by bad input");

    // The DOCX imported as 正文, with two attachments and their display titles, in one form.
    let res = editor
        .post(format!("{base}/admin/items"))
        .multipart(multipart(
            fields(&token, &notice, "2024年农村危房改造补助对象公示"),
            vec![
                ("body_docx", "公示.docx", docx_with_table()),
                ("attachment_1", "scan-001.pdf", b"%PDF-1.7\n% scanned".to_vec()),
                ("attachment_2", "名单.pdf", b"%PDF-1.7\n% list".to_vec()),
            ],
        )
        .text("attachment_title_1", "公示名单（盖章扫描件）"))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from_location(&res);
    let item = store.item(id).await.expect("item").expect("saved");
    let body = &item.fields.body_html;
    assert!(body.contains("<h2>2024年农村危房改造补助对象公示</h2>"), "{body}");
    assert!(body.contains("<thead><tr><th>序号</th><th>村（居）</th><th>户主</th></tr></thead>"), "{body}");
    assert!(body.contains("<td rowspan=\"2\">源潭村</td>"), "{body}");
    assert!(!body.contains("仿宋") && !body.contains("style"), "{body}");
    assert_eq!(item.fields.topic, "城乡建设、环境保护");
    let attachments = store.attachments(id).await.expect("attachments");
    assert_eq!(attachments.iter().map(|a| (a.filename.as_str(), a.display_title.as_str())).collect::<Vec<_>>(), vec![("scan-001.pdf", "公示名单（盖章扫描件）"), ("名单.pdf", "")]);

    // Published, it shows on the portal with its table and the attachment's display title.
    let (reviewer, _, _) = login(&base, "reviewer1", PASSWORD).await;
    assert_eq!(action(&editor, &base, id, "submit").await, StatusCode::SEE_OTHER);
    assert_eq!(action(&reviewer, &base, id, "approve").await, StatusCode::SEE_OTHER);
    assert_eq!(action(&reviewer, &base, id, "publish").await, StatusCode::SEE_OTHER);
    let portal = client().get(format!("{base}/item/{id}")).send().await.expect("portal");
    assert_eq!(portal.status(), StatusCode::OK);
    let html = portal.text().await.expect("text");
    assert!(html.contains("<td rowspan=\"2\">源潭村</td>") && html.contains("<th>户主</th>"), "{html}");
    assert!(html.contains(">公示名单（盖章扫描件）</a>") && html.contains(">名单.pdf</a>"), "{html}");
    assert!(!html.contains("<script"), "the portal stays JavaScript-free");

    // Pasted Word HTML is cleaned; the rows/cells form appends a table.
    let token = page_csrf(&editor, &format!("{base}/admin/items/new")).await;
    let mut form = fields(&token, &notice, "关于公布补助标准的通知");
    form[4].1 = "<p class=MsoNormal style='mso-line-height-rule:exactly'><span style='font-family:仿宋_GB2312'>补助标准如下：<o:p></o:p></span></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>".into();
    form.push(("table_caption", "补助标准".into()));
    form.push(("table_rows", "类别\t标准（元/户）\n一般户\t20000\n特困户\t35000".into()));
    form.push(("table_header", "on".into()));
    let res = editor.post(format!("{base}/admin/items")).form(&form).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pasted = store.item(id_from_location(&res)).await.expect("item").expect("saved");
    assert_eq!(
        pasted.fields.body_html,
        "<p>补助标准如下：</p>\n<table><caption>补助标准</caption><thead><tr><th scope=\"col\">类别</th><th scope=\"col\">标准（元/户）</th></tr></thead><tbody><tr><td>一般户</td><td>20000</td></tr><tr><td>特困户</td><td>35000</td></tr></tbody></table>"
    );

    // Administrators edit the vocabularies; the form follows.
    let (admin, _, _) = login(&base, "admin1", PASSWORD).await;
    let token = page_csrf(&admin, &format!("{base}/admin/vocabularies")).await;
    let res = admin
        .post(format!("{base}/admin/vocabularies"))
        .form(&[("_csrf", token.as_str()), ("topics", "综合政务\n乡村振兴\n"), ("genres", "通知\n公示\n")])
        .send()
        .await
        .expect("save");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = editor.get(format!("{base}/admin/items/new")).send().await.expect("form").text().await.expect("text");
    assert!(page.contains("<option value=\"乡村振兴\"") && !page.contains("<option value=\"国防\""));
    let token = csrf(&page);
    let res = editor.post(format!("{base}/admin/items")).multipart(multipart(fields(&token, &notice, "旧分类"), vec![])).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "城乡建设、环境保护 is no longer in the list");
    // The published item keeps its old value as an option when edited.
    let res = editor.get(format!("{base}/admin/items/{}/edit", pasted.id)).send().await.expect("edit").text().await.expect("text");
    assert!(res.contains("城乡建设、环境保护（不在分类词表中）"), "{res}");

    // The audit log (the audit administrator's) reads in Chinese with object names, filters and exports.
    let (auditor, _, _) = login(&base, "auditor1", PASSWORD).await;
    let page = auditor.get(format!("{base}/admin/audit?action=item.create")).send().await.expect("audit").text().await.expect("text");
    assert!(page.contains("新建信息") && page.contains("信息《2024年农村危房改造补助对象公示》"), "{page}");
    assert!(!page.contains(&format!("item:{id}")) && !page.contains("登录</td>"), "{page}");
    let page = auditor.get(format!("{base}/admin/audit?actor=reviewer1&action=item.")).send().await.expect("audit").text().await.expect("text");
    assert!(page.contains("信息：发布") && page.contains("信息：审核通过"), "{page}");
    assert!(!page.contains("新建信息</span>"), "{page}");
    let page = auditor.get(format!("{base}/admin/audit?actor=nobody")).send().await.expect("audit").text().await.expect("text");
    assert!(page.contains("没有符合条件的记录"));
    let res = auditor.get(format!("{base}/admin/audit?from=2026-13-01")).send().await.expect("audit");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.expect("text").contains("开始日期"));
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("cst")).date_naive();
    let res = auditor.get(format!("{base}/admin/audit/export?format=csv&action=item.create&from={today}&to={today}")).send().await.expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().expect("ascii").contains(".csv"));
    let csv = res.text().await.expect("text");
    assert!(csv.starts_with("\u{feff}序号,时间,操作人,机关,操作"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "two items created: {csv}");
    assert!(csv.contains("新建信息") && csv.contains("信息《关于公布补助标准的通知》"));
    let res = auditor.get(format!("{base}/admin/audit/export?format=xlsx&actor=editor1")).send().await.expect("xlsx");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"));
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("新建信息") && strings.contains("上传附件") && !strings.contains("修改分类词表"), "{strings}");
    // Editors and the system administrator may not read the audit log.
    assert_eq!(editor.get(format!("{base}/admin/audit/export?format=csv")).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.get(format!("{base}/admin/audit/export?format=csv")).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
}

fn application(org_id: i64, code: &str, who: &str, description: &str, day: &str) -> NewApplication {
    let received = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
    NewApplication {
        org_id,
        tracking_code: code.into(),
        secret_hash: format!("hash-of-{code}"),
        applicant: ApplicantKind::NaturalPerson,
        applicant_name: format!("申请人{who}"),
        id_doc_type: "resident_id".into(),
        id_doc_number: format!("4418021990010{who}"),
        phone: "13800000000".into(),
        email: String::new(),
        postal_address: String::new(),
        description: description.into(),
        forms: "electronic".into(),
        delivery: "email".into(),
        channel: Channel::Online,
        submitted_on: received,
        received,
        registered_by: None,
        at: chrono::Utc::now(),
    }
}

async fn art44_scenario(store: Store) {
    let town = org(&store, "town", "11441802007183516B").await;
    user(&store, &town, "editor1", &[Role::Editor]).await;
    let today = chrono::Utc::now().date_naive();
    let day = |back: i64| (today - chrono::Duration::days(back)).to_string();
    for (code, who, text, back) in [
        ("GK-A1", "11", "申请公开本镇2024年农村危房改造补助对象名单", 40),
        ("GK-A2", "22", "请提供本镇2024年度农村危房改造补助对象名单及补助金额", 20),
        ("GK-A3", "33", "本镇2024年农村危房改造补助名单", 5),
        ("GK-B1", "44", "申请公开镇区河道采砂许可文件", 10),
    ] {
        store.create_application(&application(town.id, code, who, text, &day(back))).await.expect("application");
    }
    let base = start(store.clone()).await;
    let (editor, _, _) = login(&base, "editor1", PASSWORD).await;
    let page = editor.get(format!("{base}/admin/art44")).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("待评估（1 组）"), "{page}");
    assert!(page.contains("GK-A1") && page.contains("GK-A2") && page.contains("GK-A3") && !page.contains("GK-B1"), "{page}");
    assert!(!page.contains("申请人11"), "applicants' names stay out of the page");
    let ids: String = page.split("name=\"ids\" value=\"").nth(1).expect("ids").split('"').next().expect("value").to_string();
    let token = csrf(&page);
    let notice = store.catalog(town.id).await.expect("catalog").into_iter().find(|n| n.name == "通知公告").expect("notice").id.to_string();
    // A forged group (not a current suggestion) changes nothing.
    let res = editor
        .post(format!("{base}/admin/art44/draft"))
        .form(&[("_csrf", token.as_str()), ("ids", "1,4"), ("catalog_id", notice.as_str()), ("title", "伪造")])
        .send()
        .await
        .expect("post");
    assert!(res.headers()["location"].to_str().expect("ascii").contains("err="));
    assert_eq!(item_count(&store, town.id).await, 0);
    // One click: the draft item, linked to the three applications.
    let res = editor
        .post(format!("{base}/admin/art44/draft"))
        .form(&[("_csrf", token.as_str()), ("ids", ids.as_str()), ("catalog_id", notice.as_str()), ("title", "本镇2024年农村危房改造补助对象名单")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from_location(&res);
    let item = store.item(id).await.expect("item").expect("draft");
    assert_eq!(item.status, gongkai_domain::model::ItemStatus::Draft);
    assert_eq!(item.fields.title, "本镇2024年农村危房改造补助对象名单");
    let decisions = store.art44_decisions(&[town.id]).await.expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].item_id, Some(id));
    assert_eq!(decisions[0].application_ids.len(), 3);
    // Done once: the group is no longer suggested, and a second click changes nothing.
    let page = editor.get(format!("{base}/admin/art44")).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("待评估（0 组）") && page.contains("纳入主动公开"), "{page}");
    let res = editor
        .post(format!("{base}/admin/art44/draft"))
        .form(&[("_csrf", token.as_str()), ("ids", ids.as_str()), ("catalog_id", notice.as_str())])
        .send()
        .await
        .expect("post");
    assert!(res.headers()["location"].to_str().expect("ascii").contains("err="));
    assert_eq!(item_count(&store, town.id).await, 1);
    // The annual report's narrative draft states the assessment.
    let year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("cst")));
    let report = gongkai_web::reports::records::generate(&store, &gongkai_domain::calendar::Calendar::official(), &town, year).await.expect("report");
    assert!(report.section1.contains("共1组（涉及申请3件），依据《条例》第四十四条将其中1组纳入主动公开范围，相关信息正在办理主动公开"), "{}", report.section1);
}

async fn rollup_scenario(store: Store) {
    let accounts = gongkai::demo::load(&store).await.expect("demo loads");
    let feilaixia = store.org_by_slug("feilaixia").await.expect("org").expect("feilaixia");
    let qc = accounts.iter().find(|a| a.username == "qc_admin").expect("district admin");
    let qc_id = store.user_by_username("qc_admin").await.expect("user").expect("qc_admin").0.id;
    // 飞来峡镇 is still drafting its 2023 report: its figures are in progress.
    let draft = gongkai_web::reports::records::generate(&store, &gongkai_domain::calendar::Calendar::official(), &feilaixia, 2023).await.expect("draft");
    store.create_report(feilaixia.id, 2023, &draft, "", qc_id, chrono::Utc::now()).await.expect("draft saved");
    let base = start(store.clone()).await;
    let (c, _, _) = login(&base, "qc_admin", &qc.password).await;
    let page = c.get(format!("{base}/admin/reports/rollup?year=2023")).send().await.expect("rollup").text().await.expect("text");
    assert!(page.contains("进行中") && page.contains("/admin/reports/rollup/export.xlsx?year=2023"), "{page}");
    let res = c.get(format!("{base}/admin/reports/rollup/export.xlsx?year=2023")).send().await.expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().expect("ascii").contains("spreadsheetml"));
    let bytes = res.bytes().await.expect("bytes");
    let strings = xlsx_strings(&bytes);
    let at = |s: &str| strings.find(s).unwrap_or_else(|| panic!("{s} missing in {strings}"));
    // Units in directory order; the draft's figures marked as in progress.
    assert!(at("清远市清城区源潭镇人民政府") < at("清远市清城区飞来峡镇人民政府"));
    assert!(strings.contains("进行中（草稿或待审核，数字未定）"));
    // Combined categories in catalog order, not code-point order.
    let names: Vec<&str> = gongkai::demo_data::SEED_2023_BREAKDOWN.iter().map(|(n, _)| *n).collect();
    let positions: Vec<usize> = names.iter().map(|n| at(&format!("<t>{n}</t>"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{names:?} in {strings}");
    let mut sorted = names.clone();
    sorted.sort();
    assert_ne!(sorted, names, "the seed's catalog order differs from code-point order, so the check means something");
}

#[tokio::test]
async fn items_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    items_scenario(store).await;
}

#[tokio::test]
async fn items_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    items_scenario(store).await;
}

#[tokio::test]
async fn art44_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    art44_scenario(store).await;
}

#[tokio::test]
async fn art44_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    art44_scenario(store).await;
}

#[tokio::test]
async fn rollup_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    rollup_scenario(store).await;
}

#[tokio::test]
async fn rollup_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    rollup_scenario(store).await;
}
