//! Past annual reports imported as the baseline (issue 14 part 2), end to end against the
//! running server on both backends: an unreadable file refused in Chinese with nothing
//! stored, a 2023 report previewed and imported with its source file, re-import refused
//! without 替换, the 2024 report's continuity checks (C5 carry-over, C7 现行有效) naming the
//! imported figures, no warnings once the figures match, the portal's 年报 column listing the
//! imported and the generated report together, the source page and download. And the same
//! rules from the command line (`gongkai report import`).

mod common;

use base64::Engine as _;
use common::{client, csrf, login, org, start, user, PASSWORD};
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

/// A report about `year` in the 2021 format, as a town publishes it: 结转下年度继续办理
/// `carried` (all from 自然人) and 行政规范性文件 现行有效 `in_force`.
fn report_text(agency: &str, year: i32, carried: u64, in_force: u64) -> String {
    let zero = "\t0\t0\t0\t0\t0\t0\t0\n";
    let mut s = format!(
        "{agency}\n{year}年政府信息公开工作年度报告\n本报告依据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。\n\
         一、总体情况\n{year}年，我镇坚持以公开为常态、不公开为例外，围绕乡村振兴、民生保障等群众关注的事项做好政府信息公开。\n\
         二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n行政规范性文件\t2\t1\t{in_force}\n\
         第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t5\n第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t1\n行政强制\t0\n\
         第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t0\n\
         三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n\
         自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
    );
    let natural = 5 + carried;
    s.push_str(&format!("一、本年新收政府信息公开申请数量\t{natural}\t1\t0\t0\t0\t0\t{}\n", natural + 1));
    s.push_str(&format!("二、上年结转政府信息公开申请数量{zero}"));
    s.push_str("三、本年度办理结果\t（一）予以公开\t5\t1\t0\t0\t0\t0\t6\n");
    for label in [
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（三）不予公开\t1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
        "（四）无法提供\t1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
        "（五）不予处理\t1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
        "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
    ] {
        s.push_str(&format!("{label}{zero}"));
    }
    s.push_str("（七）总计\t5\t1\t0\t0\t0\t0\t6\n");
    s.push_str(&format!("四、结转下年度继续办理\t{carried}\t0\t0\t0\t0\t0\t{carried}\n"));
    s.push_str("四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n未经复议直接起诉\t复议后起诉\n");
    s.push_str("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n");
    s.push_str("0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n");
    s.push_str(&format!(
        "五、存在的主要问题及改进情况\n一是政策解读的形式还比较单一；二是部分栏目更新不够及时。下一步将加强培训，规范发布流程。\n\
         六、其他需要报告的事项\n本年度未发出收费通知，未收取信息处理费。\n{agency}\n{}年1月20日\n",
        year + 1
    ));
    s
}

/// Bytes that are no report in any reader: not a PDF, not text.
fn noise() -> Vec<u8> {
    (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8 ^ 0x9c).collect()
}

fn upload(token: &str, year: &str, name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("_csrf", token.to_string())
        .text("year", year.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

/// The value of hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} field"));
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// The confirm form of a preview page, as the browser would send it.
fn confirm_form(preview: &str, replace: bool) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for name in ["_csrf", "confirm", "org_id", "year", "file_name", "content"] {
        form = form.text(name, hidden(preview, name));
    }
    if replace {
        form = form.text("replace", "1");
    }
    form
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
        out.push((name, if piece.contains("type=\"checkbox\"") { "on".into() } else { attr("value").unwrap_or_default() }));
    }
    out
}

async fn past_report_is_the_next_years_baseline(store: &Store) {
    let town = org(store, "lianjiang", "11441802MB2C55555X").await;
    user(store, &town, "pr_editor", &[Role::Editor]).await;
    user(store, &town, "pr_reviewer", &[Role::Reviewer]).await;
    let base = start(store.clone()).await;
    let (ed, status, _) = login(&base, "pr_editor", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let import_url = format!("{base}/admin/reports/import");
    let page = ed.get(&import_url).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("导入往年年度报告") && page.contains("尚未导入往年报告"), "{page}");
    let token = csrf(&page);

    // An unreadable file is refused in Chinese, naming the file; nothing is stored.
    let r = ed.post(&import_url).multipart(upload(&token, "2023", "2023年度报告.pdf", noise())).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("text");
    assert!(body.contains("文件“2023年度报告.pdf”") && body.contains("未导入任何内容"), "{body}");
    assert!(store.past_reports(&[town.id]).await.expect("list").is_empty());

    // The 2023 report: the preview shows what was read and stores nothing.
    let text = report_text(&town.name, 2023, 3, 12);
    let r = ed.post(&import_url).multipart(upload(&token, "", "2023年度报告.txt", text.clone().into_bytes())).send().await.expect("preview");
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.expect("text");
    assert!(preview.contains("预览：测试lianjiang镇人民政府2023年政府信息公开工作年度报告"), "{preview}");
    assert!(preview.contains("★四、结转下年度继续办理") && preview.contains("确认导入"), "{preview}");
    assert!(store.past_reports(&[town.id]).await.expect("list").is_empty(), "a preview stores nothing");
    let b64 = hidden(&preview, "content");
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&b64).expect("b64"), text.as_bytes());

    // Confirmed: stored with its source file, audited in the same transaction.
    let r = ed.post(&import_url).multipart(confirm_form(&preview, false)).send().await.expect("confirm");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let done = ed.get(format!("{base}{}", r.headers()["location"].to_str().expect("location"))).send().await.expect("done").text().await.expect("text");
    assert!(done.contains("已导入测试lianjiang镇人民政府2023年度报告"), "{done}");
    let past = store.past_report(town.id, 2023).await.expect("load").expect("imported");
    assert_eq!((past.file_name.as_str(), past.content_type.as_str(), past.input_kind.as_str()), ("2023年度报告.txt", "text/plain", "text"));
    assert_eq!(past.figures.carried_out()[6], Some(3));
    assert_eq!(past.figures.section2_cell("行政规范性文件", 2), Some(12.0));
    assert_eq!(store.past_report_source(past.id).await.expect("source").as_deref(), Some(text.as_bytes()));
    let audit = store.audit_entries(50, 0).await.expect("audit");
    let entry = audit.items.iter().find(|e| e.action == "report.past_import").expect("import audited");
    assert_eq!(entry.target, format!("past_report:{}", past.id));
    assert!(entry.detail.contains("2023年度报告") && entry.detail.contains("2023年度报告.txt"), "{}", entry.detail);

    // Re-importing the year is refused without 替换.
    let r = ed.post(&import_url).multipart(upload(&token, "2023", "again.txt", report_text(&town.name, 2023, 0, 0).into_bytes())).send().await.expect("preview");
    let again = r.text().await.expect("text");
    assert!(again.contains("2023年度已导入过往年报告（文件“2023年度报告.txt”") && again.contains("name=\"replace\""), "{again}");
    let r = ed.post(&import_url).multipart(confirm_form(&again, false)).send().await.expect("confirm");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("text").contains("如需替换，请确认替换"));
    assert_eq!(store.past_report(town.id, 2023).await.expect("load").expect("kept").sha256, past.sha256, "nothing replaced");

    // The 2024 report is checked against the imported figures.
    let list = ed.get(format!("{base}/admin/reports")).send().await.expect("list").text().await.expect("text");
    let r = ed.post(format!("{base}/admin/reports")).form(&[("_csrf", csrf(&list).as_str()), ("year", "2024")]).send().await.expect("create");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let report_url = format!("{base}{}", r.headers()["location"].to_str().expect("location"));
    let page = ed.get(&report_url).send().await.expect("report").text().await.expect("text");
    assert!(page.contains("“总计”列：上年结转0与2023年度报告的结转下年度继续办理3不一致"), "{page}");
    assert!(page.contains("“行政规范性文件”现行有效件数为0，按上年现行有效12件"), "{page}");
    assert!(page.contains("对照的2023年度报告是导入的往年报告") && page.contains("/org/lianjiang/past-reports/2023/source"), "{page}");

    // Replaced by a report whose figures match: no continuity warning.
    let r = ed.post(&import_url).multipart(confirm_form(&again, true)).send().await.expect("replace");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let replaced = store.past_report(town.id, 2023).await.expect("load").expect("replaced");
    assert_eq!((replaced.file_name.as_str(), replaced.figures.carried_out()[6]), ("again.txt", Some(0)));
    assert_eq!(store.past_reports(&[town.id]).await.expect("list").len(), 1, "one per year");
    let page = ed.get(&report_url).send().await.expect("report").text().await.expect("text");
    assert!(!page.contains("结转下年度继续办理3") && !page.contains("按上年现行有效"), "{page}");
    assert!(!page.contains("上年结转0与2023年度报告"), "{page}");

    // Publish 2024: the 年报 column lists the generated and the imported report by year.
    let r = ed.post(format!("{report_url}/submit")).form(&[("_csrf", token.as_str())]).send().await.expect("submit");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let (rv, _, _) = login(&base, "pr_reviewer", PASSWORD).await;
    let page = rv.get(&report_url).send().await.expect("page").text().await.expect("text");
    let r = rv.post(format!("{report_url}/publish")).form(&publish_form(&page)).send().await.expect("publish");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let anon = client();
    let col = anon.get(format!("{base}/org/lianjiang/reports")).send().await.expect("col").text().await.expect("text");
    let (generated, imported) = (col.find("/org/lianjiang/reports/2024\""), col.find("/org/lianjiang/past-reports/2023\""));
    assert!(generated.is_some() && imported.is_some() && generated < imported, "newest first: {col}");
    assert!(col.contains("测试lianjiang镇人民政府2023年政府信息公开工作年度报告"), "{col}");
    let shown = anon.get(format!("{base}/org/lianjiang/past-reports/2023")).send().await.expect("page");
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.expect("text");
    assert!(html.contains("往年报告，由已发布的原文件导入") && html.contains("四、结转下年度继续办理"), "{html}");
    let file = anon.get(format!("{base}/org/lianjiang/past-reports/2023/source")).send().await.expect("source");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "text/plain");
    assert!(file.headers()["content-disposition"].to_str().unwrap_or("").starts_with("attachment"));
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), report_text(&town.name, 2023, 0, 0).as_bytes());
    assert_eq!(anon.get(format!("{base}/org/lianjiang/past-reports/2019")).send().await.expect("404").status(), StatusCode::NOT_FOUND);

    // A year published in gongkai cannot be imported over; a reviewer cannot import.
    let r = ed.post(&import_url).multipart(upload(&token, "2024", "2024.txt", report_text(&town.name, 2024, 0, 0).into_bytes())).send().await.expect("preview");
    let preview = r.text().await.expect("text");
    let r = ed.post(&import_url).multipart(confirm_form(&preview, true)).send().await.expect("confirm");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("text").contains("2024年度报告已在本平台发布"));
    let rv_token = common::page_csrf(&rv, &import_url).await;
    let r = rv.post(&import_url).multipart(upload(&rv_token, "2023", "x.txt", text.into_bytes())).send().await.expect("reviewer");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.past_reports(&[town.id]).await.expect("list").len(), 1);
}

gongkai_store::on_both_backends!(past_report_is_the_next_years_baseline);

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

fn gongkai(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("GONGKAI_CONFIG")
        .env_remove("GONGKAI_DATABASE_URL")
        .output()
        .expect("run gongkai")
}

#[test]
fn report_import_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("gongkai.db").display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let name = runtime.block_on(async {
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let town = org(&store, "shijiao", "11441802MB2C66666X").await;
        store.close().await;
        town.name
    });
    let file = dir.path().join("石角镇2023年报.txt");
    std::fs::write(&file, report_text(&name, 2023, 3, 12)).expect("write");
    let path = file.to_str().expect("path");
    let err = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();

    let o = gongkai(dir.path(), &["report", "import", "--org", "shijiao", "--year", "2023", path]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("已导入 测试shijiao镇人民政府 2023年度报告") && err(&o).contains("结转下年度继续办理：3、0、0、0、0、0、3"), "{}", err(&o));

    // Again without --replace: refused, non-zero exit.
    let o = gongkai(dir.path(), &["report", "import", "--org", "shijiao", "--year", "2023", path]);
    assert!(!o.status.success());
    assert!(err(&o).contains("2023年度已导入过往年报告") && err(&o).contains("--replace"), "{}", err(&o));
    let o = gongkai(dir.path(), &["report", "import", "--org", "shijiao", path, "--replace"]);
    assert!(o.status.success(), "{}", err(&o));

    // Unreadable: named in Chinese, nothing stored.
    let bad = dir.path().join("bad.pdf");
    std::fs::write(&bad, noise()).expect("write");
    let o = gongkai(dir.path(), &["report", "import", "--org", "shijiao", "--year", "2022", bad.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(err(&o).contains("“bad.pdf”") && err(&o).contains("未导入任何内容"), "{}", err(&o));

    // The next year's report generated from the command line is checked against it.
    let out = dir.path().join("2024.json");
    let o = gongkai(dir.path(), &["report", "generate", "--org", "shijiao", "--year", "2024", "--format", "json", "-o", out.to_str().expect("path")]);
    assert!(err(&o).contains("与2023年度报告的结转下年度继续办理3不一致"), "{}", err(&o));

    runtime.block_on(async {
        let store = Store::connect(&url).await.expect("connect");
        let town = store.org_by_slug("shijiao").await.expect("org").expect("town");
        let all = store.past_reports(&[town.id]).await.expect("list");
        assert_eq!(all.iter().map(|p| (p.year, p.imported_by_name.as_str())).collect::<Vec<_>>(), vec![(2023, "命令行")]);
        let audit = store.audit_entries(50, 0).await.expect("audit");
        assert_eq!(audit.items.iter().filter(|e| e.action == "report.past_import").count(), 2, "each import audited once");
        store.close().await;
    });
}
