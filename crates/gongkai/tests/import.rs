//! Import of existing content (issue 14 part 1) on both backends: manifests (CSV in GB18030,
//! XLSX) and saved copies of old 政府信息公开 columns written by the test in common layouts
//! (table-style metadata in UTF-8, dt/dd list-style in GBK, relative, root-relative and
//! absolute attachment links, a broken link, a broken page). A dry run lists the items and
//! every problem; a run with problems stores nothing; a real run creates published items
//! with their original dates and 索引号, audited as imported; a second run creates nothing;
//! the search finds an imported item. And the real binary (`gongkai import`).

mod common;

use std::path::Path;

use chrono::{NaiveDate, Utc};
use common::{client, org, start, user};
use gongkai_domain::model::{ItemStatus, Organisation, Role, User};
use gongkai_store::{AuditContext, ItemQuery, Store};
use gongkai_web::import::{self, manifest, mapping, site, Action, ImportError, Importer};
use gongkai_web::malware_scan::Scanner;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

fn by(u: &User) -> Importer {
    Importer { user_id: u.id, actor_id: Some(u.id), actor_name: u.display_name.clone(), client: "test".into(), ctx: AuditContext::default() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

async fn all_items(store: &Store, org: &Organisation) -> Vec<gongkai_domain::model::Item> {
    store.list_items(&ItemQuery { org_ids: vec![org.id], ..Default::default() }).await.expect("items").items
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

/// The files folder and a GB18030 CSV manifest of three items (one without 索引号).
fn manifest_fixture(dir: &Path) -> Vec<u8> {
    write(&dir.join("正文/春耕.html"), "<p style='color:red'>各村：请做好<b>春耕</b>备耕工作。</p><script>x()</script>".as_bytes());
    write(&dir.join("附件/春耕方案.pdf"), PDF);
    write(&dir.join("附件/示意图.png"), PNG);
    let csv = "标题,索引号,文号,发布机构,成文日期,发布日期,栏目,主题分类,有效性,正文,附件\n\
        关于做好春耕备耕工作的通知,11441802007183516B/2019-00007,源府〔2019〕3号,测试town镇人民政府,2019年2月25日,2019-03-01,通知公告,农业,有效,正文/春耕.html,附件/春耕方案.pdf；附件/示意图.png\n\
        2018年防汛工作总结,11441802007183516B/2018-00021,,,2018/11/2,2018/11/5,总结报告计划,水利,,全年未发生重大险情。,\n\
        镇政府机构概况,,,,,2020年1月6日,机构概况,,,镇政府设党政综合办公室等机构。,\n";
    encoding_rs::GB18030.encode(csv).0.into_owned()
}

async fn manifest_dry_run_then_twice(store: &Store) {
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = manifest_fixture(dir.path());
    // Dry run: three to create, no problems, nothing stored.
    let (drafts, problems) = manifest::read("清单.csv", &data, Some(dir.path())).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.to_create(), 3, "{}", plan.report());
    let report = plan.report();
    assert!(report.contains("清单第 2 行") && report.contains("关于做好春耕备耕工作的通知") && report.contains("附件 2 个"), "{report}");
    assert!(all_items(store, &org).await.is_empty());
    // Real run.
    let ids = import::apply(store, &org, &plan, by(&editor), Utc::now()).await.expect("apply");
    assert_eq!(ids.len(), 3);
    let items = all_items(store, &org).await;
    assert_eq!(items.len(), 3);
    let spring = items.iter().find(|i| i.fields.title == "关于做好春耕备耕工作的通知").expect("spring");
    assert_eq!(spring.status, ItemStatus::Published);
    assert_eq!(spring.index_no.as_deref(), Some("11441802007183516B/2019-00007"));
    assert_eq!(spring.publish_date, Some(date("2019-03-01")));
    assert_eq!(spring.fields.formed_date, date("2019-02-25"));
    assert_eq!(spring.fields.doc_number.as_deref(), Some("源府〔2019〕3号"));
    assert_eq!(spring.fields.topic, "农业");
    assert!(spring.fields.body_html.contains("<b>春耕</b>") && !spring.fields.body_html.contains("script") && !spring.fields.body_html.contains("style"), "{}", spring.fields.body_html);
    let atts = store.attachments(spring.id).await.expect("attachments");
    assert_eq!(atts.iter().map(|a| a.filename.as_str()).collect::<Vec<_>>(), vec!["春耕方案.pdf", "示意图.png"]);
    assert_eq!(atts[0].content_type, "application/pdf");
    let summary = items.iter().find(|i| i.fields.title == "2018年防汛工作总结").expect("summary");
    assert_eq!(summary.fields.publisher, org.name, "publisher defaults to the organisation");
    // No 索引号 given: numbered like a publication on its own 发布日期.
    let profile = items.iter().find(|i| i.fields.title == "镇政府机构概况").expect("profile");
    assert!(profile.index_no.as_deref().is_some_and(|n| n.contains("2020")), "{:?}", profile.index_no);
    assert_eq!(profile.publish_date, Some(date("2020-01-06")));
    // Events say imported, and the audit log has one item.import entry.
    let events = store.item_events(spring.id).await.expect("events");
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["import"]);
    let audit = store.audit_entries(50, 0).await.expect("audit").items;
    assert_eq!(audit.iter().filter(|e| e.action == "item.import").count(), 1);
    assert!(!audit.iter().any(|e| e.action == "item.publish"));
    // Per-year counts follow.
    let years = store.publish_years(&[org.id]).await.expect("years");
    for y in [2018, 2019, 2020] {
        assert!(years.contains(&y), "{years:?}");
    }
    // Second run: everything already there.
    let (drafts, problems) = manifest::read("清单.csv", &data, Some(dir.path())).expect("manifest");
    let again = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    assert_eq!(again.to_create(), 0);
    assert!(again.items.iter().all(|p| matches!(p.action, Action::Skip(_))));
    assert!(again.report().contains("已存在，跳过"), "{}", again.report());
    assert!(import::apply(store, &org, &again, by(&editor), Utc::now()).await.expect("apply").is_empty());
    assert_eq!(all_items(store, &org).await.len(), 3);
    // The portal's search finds an imported item.
    let base = start(store.clone()).await;
    let res = client().get(format!("{base}/api/v1/search?q=%E6%98%A5%E8%80%95")).send().await.expect("search");
    let json: serde_json::Value = res.json().await.expect("json");
    let found: Vec<i64> = json["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_i64()).collect();
    assert_eq!(found, vec![spring.id], "{json}");
}

async fn xlsx_manifest(store: &Store) {
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["名称", "发文字号", "公开日期", "所属栏目", "内容"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    for (c, v) in ["镇领导分工调整", "源府〔2021〕9号", "2021年7月1日", "领导分工", "镇长主持全面工作。"].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).expect("cell");
    }
    let data = book.save_to_buffer().expect("xlsx");
    let (drafts, problems) = manifest::read("清单.xlsx", &data, None).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    import::apply(store, &org, &plan, by(&editor), Utc::now()).await.expect("apply");
    let items = all_items(store, &org).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].publish_date, Some(date("2021-07-01")));
    assert_eq!(items[0].fields.doc_number.as_deref(), Some("源府〔2021〕9号"));
    assert!(items[0].fields.body_html.contains("镇长主持全面工作。"), "{}", items[0].fields.body_html);
}

async fn bad_manifests(store: &Store) {
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    // Wrong column.
    let e = manifest::read("a.csv", "标题,发布时刻,栏目\n甲,2020-01-01,通知公告\n".as_bytes(), None).expect_err("header");
    assert!(e.to_string().contains("第 1 行第 2 列“发布时刻”不是可识别的列名"), "{e}");
    // Missing column.
    let e = manifest::read("a.csv", "标题,栏目\n甲,通知公告\n".as_bytes(), None).expect_err("missing");
    assert!(e.to_string().contains("缺少必需的列“发布日期”"), "{e}");
    // Neither UTF-8 nor GB18030 nor XLSX.
    let e = manifest::read("a.csv", b"\xff\xfe\x00\x81\x30", None).expect_err("encoding");
    assert!(e.to_string().contains("既不是 UTF-8 也不是 GB18030"), "{e}");
    // A bad date, an unknown column and a missing attachment: each named; nothing imported.
    let csv = "标题,发布日期,栏目,附件\n好的一条,2020-01-01,通知公告,\n坏日期,2020-02-30,通知公告,\n没有的栏目,2020-03-01,不存在的栏目,\n缺附件,2020-03-02,通知公告,没有.pdf\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let (drafts, problems) = manifest::read("a.csv", csv.as_bytes(), Some(dir.path())).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    let all = plan.problems.join("\n");
    assert_eq!(plan.problems.len(), 3, "{all}");
    assert!(all.contains("清单第 3 行：“发布日期”列的日期“2020-02-30”无法识别"), "{all}");
    assert!(all.contains("清单第 4 行：栏目“不存在的栏目”无法对应"), "{all}");
    assert!(all.contains("清单第 5 行：“附件”列：附件文件“没有.pdf”不存在"), "{all}");
    let e = import::apply(store, &org, &plan, by(&editor), Utc::now()).await.expect_err("blocked");
    assert!(matches!(e, ImportError::Blocked(3)), "{e}");
    assert!(all_items(store, &org).await.is_empty(), "nothing half-imported");
    // A 文号 used twice in one manifest, or already used by another item: named in the dry run.
    let csv = "标题,文号,发布日期,栏目\n甲,源府〔2020〕1号,2020-01-01,通知公告\n乙,源府〔2020〕1号,2020-01-02,通知公告\n";
    let (drafts, problems) = manifest::read("b.csv", csv.as_bytes(), None).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    assert_eq!(plan.problems, vec!["清单第 3 行：文号“源府〔2020〕1号”与清单第 2 行重复".to_string()]);
    let (drafts, problems) = manifest::read("c.csv", "标题,文号,发布日期,栏目\n甲,源府〔2020〕1号,2020-01-01,通知公告\n".as_bytes(), None).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    import::apply(store, &org, &plan, by(&editor), Utc::now()).await.expect("apply");
    let (drafts, problems) = manifest::read("d.csv", "标题,文号,发布日期,栏目\n丙,源府〔2020〕1号,2020-03-01,通知公告\n".as_bytes(), None).expect("manifest");
    let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), &Scanner::Off).await.expect("plan");
    assert_eq!(plan.problems, vec!["清单第 2 行：文号“源府〔2020〕1号”在本机关已被其他信息使用".to_string()]);
}

const HOST: &str = "www.town.gov.cn";

/// A `wget --mirror` style copy: a notice column (table-style UTF-8 pages) and a policy column
/// (dt/dd list-style GBK pages), with a broken link and a broken page.
fn site_fixture(root: &Path) {
    let site = root.join(HOST);
    write(&site.join("tzgg/index.html"), "<html><head><meta charset='utf-8'><title>通知公告_测试镇人民政府</title></head><body><ul><li><a href='t1.html'>春耕</a></li><li><a href='t2.html'>防汛</a></li></ul></body></html>".as_bytes());
    write(
        &site.join("tzgg/t1.html"),
        format!(
            "<html><head><meta charset='utf-8'><title>关于做好春耕备耕工作的通知_测试镇</title><meta name='ArticleTitle' content='关于做好春耕备耕工作的通知'><meta name='PubDate' content='2019-03-01 09:30'></head><body>\
             <div class='nav'>首页 &gt; 通知公告</div><table class='xxgk'><tr><th>索 引 号：</th><td>11441802007183516B/2019-00007</td><th>主题分类：</th><td>农业</td></tr>\
             <tr><th>发布机构：</th><td>测试镇人民政府</td><th>成文日期：</th><td>2019年02月25日</td></tr><tr><th>文　　号：</th><td>源府〔2019〕3号</td><th>发布日期：</th><td>2019年03月01日</td></tr></table>\
             <div class='TRS_Editor'><p style='font-family:仿宋'>各村：请做好春耕备耕工作。</p><p>附件：<a href='fj/方案.pdf'>方案</a> <a href='http://{HOST}/uploads/%E7%A4%BA%E6%84%8F%E5%9B%BE.png'>示意图</a></p></div>\
             <a href='https://other.example.com/x.pdf'>外站</a></body></html>"
        )
        .as_bytes(),
    );
    write(&site.join("tzgg/fj/方案.pdf"), PDF);
    write(&site.join("uploads/示意图.png"), PNG);
    write(
        &site.join("tzgg/t2.html"),
        "<html><head><meta charset='utf-8'><title>防汛通知</title></head><body><table><tr><td>索引号</td><td>11441802007183516B/2019-00008</td></tr><tr><td>发布日期</td><td>2019-05-01</td></tr></table>\
         <div class='content'><p>做好防汛。</p><a href='fj/没有这个文件.pdf'>附件</a></div></body></html>"
            .as_bytes(),
    );
    write(
        &site.join("zcwj/d1.htm"),
        &gbk(
            "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'><meta name='ColumnName' content='政策文件'><title>镇村规划管理办法</title></head><body>\
             <dl><dt>索引号：</dt><dd>11441802007183516B/2018-00003</dd><dt>发文机关：</dt><dd>测试镇人民政府</dd><dt>成文日期：</dt><dd>2018-06-01</dd>\
             <dt>发布日期：</dt><dd>2018-06-08</dd><dt>发文字号：</dt><dd>源府规〔2018〕1号</dd><dt>有效性：</dt><dd>已废止</dd></dl>\
             <div id='zoom'><p>第一条　为加强镇村规划管理，制定本办法。</p><p><a href='/uploads/办法.pdf'>办法全文</a></p></div></body></html>",
        ),
    );
    write(&site.join("uploads/办法.pdf"), PDF);
    // Broken page: cut off after the 索引号, no 发布日期.
    write(&site.join("zcwj/d2.htm"), &gbk("<html><head><meta charset='gbk'><meta name='ColumnName' content='政策文件'><title>残缺页面</title></head><body><dl><dt>索引号：</dt><dd>11441802007183516B/2018-00004</dd>"));
}

async fn site_copy(store: &Store) {
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    site_fixture(dir.path());
    let copy = site::read(dir.path(), &[]).expect("copy");
    assert_eq!(copy.columns, vec!["政策文件".to_string(), "通知公告".to_string()]);
    // Suggested mapping from the names.
    let catalog = store.catalog(org.id).await.expect("catalog");
    let suggestion = mapping::suggestion_file(&catalog, &copy.columns);
    assert!(suggestion.contains("通知公告\t通知公告"), "{suggestion}");
    assert!(suggestion.contains("政策文件\t规章文件"), "{suggestion}");
    let map = mapping::parse("对应表.tsv", suggestion.as_bytes()).expect("mapping");
    // Dry run: two items, the broken link and the broken page reported; the run is refused.
    let plan = import::resolve(store, &org, copy.drafts, copy.problems, &|c| map.get(c).cloned(), &Scanner::Off).await.expect("plan");
    let all = plan.problems.join("\n");
    assert_eq!(plan.problems.len(), 2, "{all}");
    assert!(all.contains("页面“www.town.gov.cn/tzgg/t2.html”：附件链接“fj/没有这个文件.pdf”指向的文件不存在（断链）"), "{all}");
    assert!(all.contains("页面“www.town.gov.cn/zcwj/d2.htm”：找不到发布日期"), "{all}");
    assert_eq!(plan.to_create(), 2, "{}", plan.report());
    assert!(matches!(import::apply(store, &org, &plan, by(&editor), Utc::now()).await, Err(ImportError::Blocked(2))));
    assert!(all_items(store, &org).await.is_empty(), "nothing half-imported");
    // Fixed copy: imported, then imported again with nothing new.
    std::fs::remove_file(dir.path().join(HOST).join("tzgg/t2.html")).expect("rm");
    std::fs::remove_file(dir.path().join(HOST).join("zcwj/d2.htm")).expect("rm");
    for round in 0..2 {
        let copy = site::read(dir.path(), &[]).expect("copy");
        let plan = import::resolve(store, &org, copy.drafts, copy.problems, &|c| map.get(c).cloned(), &Scanner::Off).await.expect("plan");
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let ids = import::apply(store, &org, &plan, by(&editor), Utc::now()).await.expect("apply");
        assert_eq!(ids.len(), if round == 0 { 2 } else { 0 });
    }
    let items = all_items(store, &org).await;
    assert_eq!(items.len(), 2);
    let notice = items.iter().find(|i| i.fields.title == "关于做好春耕备耕工作的通知").expect("notice");
    assert_eq!(notice.index_no.as_deref(), Some("11441802007183516B/2019-00007"));
    assert_eq!(notice.publish_date, Some(date("2019-03-01")));
    assert_eq!(notice.fields.formed_date, date("2019-02-25"));
    assert_eq!(notice.fields.doc_number.as_deref(), Some("源府〔2019〕3号"));
    assert!(notice.fields.body_html.contains("各村：请做好春耕备耕工作。") && !notice.fields.body_html.contains("font-family"), "{}", notice.fields.body_html);
    assert!(!notice.fields.body_html.contains("首页"), "only the content container: {}", notice.fields.body_html);
    let names: Vec<String> = store.attachments(notice.id).await.expect("att").into_iter().map(|a| a.filename).collect();
    assert_eq!(names, vec!["方案.pdf", "示意图.png"]);
    let policy = items.iter().find(|i| i.fields.title == "镇村规划管理办法").expect("policy (GBK page)");
    assert_eq!(policy.index_no.as_deref(), Some("11441802007183516B/2018-00003"));
    assert_eq!(policy.validity, gongkai_domain::model::Validity::Repealed);
    assert_eq!(policy.fields.doc_number.as_deref(), Some("源府规〔2018〕1号"));
    assert!(policy.fields.body_html.contains("为加强镇村规划管理"), "{}", policy.fields.body_html);
    let cat = catalog.iter().find(|n| n.id == policy.fields.catalog_id).expect("node");
    assert_eq!(cat.name, "规章文件");
    assert_eq!(store.attachments(policy.id).await.expect("att").len(), 1);
}

/// A hidden input's value in a page, unescaped.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} in {html}"));
    html[start..].split('"').next().expect("value").replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&#x2b;", "+").replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The files folder of [`manifest_fixture`] as a zip.
fn zip_of(dir: &Path) -> Vec<u8> {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for rel in ["正文/春耕.html", "附件/春耕方案.pdf", "附件/示意图.png"] {
        w.start_file(rel, zip::write::SimpleFileOptions::default()).expect("zip entry");
        w.write_all(&std::fs::read(dir.join(rel)).expect("read")).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

/// The back-office page: upload, dry run, confirm; a bad manifest names its row.
async fn back_office_page(store: &Store) {
    let org = org(store, "town", "11441802007183516B").await;
    user(store, &org, "editor1", &[Role::Editor]).await;
    user(store, &org, "reviewer1", &[Role::Reviewer]).await;
    let base = start(store.clone()).await;
    let url = format!("{base}/admin/import");
    let (ed, status, _) = common::login(&base, "editor1", common::PASSWORD).await;
    assert_eq!(status, reqwest::StatusCode::SEE_OTHER);
    let page = ed.get(&url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("导入已有公开信息"), "{page}");
    let token = common::csrf(&page);
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = manifest_fixture(dir.path());
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("manifest", reqwest::multipart::Part::bytes(csv).file_name("清单.csv"))
        .part("files", reqwest::multipart::Part::bytes(zip_of(dir.path())).file_name("文件.zip"));
    let r = ed.post(&url).multipart(form).send().await.expect("dry run");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let body = r.text().await.expect("text");
    assert!(body.contains("将新建 3 条，跳过已存在 0 条，问题 0 个") && body.contains("关于做好春耕备耕工作的通知"), "{body}");
    assert!(all_items(store, &org).await.is_empty(), "the dry run stores nothing");
    let mut confirm = reqwest::multipart::Form::new();
    for name in ["_csrf", "confirm", "manifest_name", "manifest_b64", "files_b64"] {
        confirm = confirm.text(name, hidden(&body, name));
    }
    let r = ed.post(&url).multipart(confirm).send().await.expect("confirm");
    let body = r.text().await.expect("text");
    assert!(body.contains("已导入 3 条信息"), "{body}");
    let items = all_items(store, &org).await;
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.status == ItemStatus::Published));
    let audit = store.audit_entries(50, 0).await.expect("audit").items;
    let entry = audit.iter().find(|e| e.action == "item.import").expect("audited");
    assert_eq!(entry.actor_name, "editor1");
    // A bad manifest: refused, the row and column named, nothing more stored.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("manifest", reqwest::multipart::Part::bytes("标题,发布日期,栏目\n新的一条,2021/2/29,通知公告\n".as_bytes().to_vec()).file_name("坏.csv"));
    let r = ed.post(&url).multipart(form).send().await.expect("bad");
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("text");
    assert!(body.contains("清单第 2 行：“发布日期”列的日期“2021/2/29”无法识别") && !body.contains("确认导入"), "{body}");
    assert_eq!(all_items(store, &org).await.len(), 3);
    // A reviewer may not import.
    let (rv, _, _) = common::login(&base, "reviewer1", common::PASSWORD).await;
    let page = rv.get(&url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("只有编辑或管理员可以导入已有公开信息"), "{page}");
}

gongkai_store::on_both_backends!(manifest_dry_run_then_twice, xlsx_manifest, bad_manifests, site_copy, back_office_page);

/// The real binary: dry run, refused run, real run and a repeat, with Chinese output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_from_the_command_line() {
    let data = tempfile::tempdir().expect("tempdir");
    let db = data.path().join("cli.db");
    let url = format!("sqlite:{}", db.display());
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let o = org(&store, "town", "11441802007183516B").await;
    user(&store, &o, "editor1", &[Role::Editor]).await;
    store.close().await;
    let files = tempfile::tempdir().expect("files");
    let manifest_path = files.path().join("清单.csv");
    std::fs::write(&manifest_path, manifest_fixture(files.path())).expect("write");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .arg("--data-dir")
            .arg(data.path())
            .arg("--database-url")
            .arg(&url)
            .env_remove("GONGKAI_CONFIG")
            .output()
            .expect("run gongkai")
    };
    let m = manifest_path.to_string_lossy().into_owned();
    let f = files.path().to_string_lossy().into_owned();
    let out = run(&["import", "manifest", "--org", "town", "--files", &f, "--dry-run", &m]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("将新建 3 条信息") && stdout.contains("试运行：未做任何改动"), "{stdout}");
    let out = run(&["import", "manifest", "--org", "town", "--files", &f, &m]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("已导入 3 条信息"), "{stdout}");
    let out = run(&["import", "manifest", "--org", "town", "--files", &f, &m]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("跳过 3 条已存在的信息") && stdout.contains("已导入 0 条信息"), "{stdout}");
    // A manifest with a bad date: non-zero exit, the row named, nothing imported.
    let bad = files.path().join("坏清单.csv");
    std::fs::write(&bad, "标题,发布日期,栏目\n新的一条,2021年13月1日,通知公告\n").expect("write");
    let out = run(&["import", "manifest", "--org", "town", &bad.to_string_lossy()]);
    assert!(!out.status.success());
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("清单第 2 行") && text.contains("未导入任何信息"), "{text}");
    // A site copy: the suggested mapping, then the import.
    let site_dir = tempfile::tempdir().expect("site");
    site_fixture(site_dir.path());
    std::fs::remove_file(site_dir.path().join(HOST).join("tzgg/t2.html")).expect("rm");
    std::fs::remove_file(site_dir.path().join(HOST).join("zcwj/d2.htm")).expect("rm");
    let s = site_dir.path().to_string_lossy().into_owned();
    let out = run(&["import", "site", "--org", "town", "--suggest-mapping", &s]);
    let suggestion = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && suggestion.contains("通知公告\t通知公告"), "{suggestion}{}", String::from_utf8_lossy(&out.stderr));
    let map_path = files.path().join("对应表.tsv");
    std::fs::write(&map_path, &suggestion).expect("write");
    let out = run(&["import", "site", "--org", "town", "--mapping", &map_path.to_string_lossy(), &s]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // The notice is already there from the manifest (same 索引号): skipped.
    assert!(out.status.success() && stdout.contains("已导入 1 条信息") && stdout.contains("已存在，跳过"), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
}
