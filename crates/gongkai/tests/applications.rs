//! Applications for disclosure end to end over HTTP, on SQLite and PostgreSQL:
//! an applicant submits online and tracks the case; staff register a case
//! received in person and work it through correction, third-party
//! consultation, an extension approved by the office head and a 部分公开
//! reply — with the due date asserted at every step on real dates that cross
//! the 2024 国庆 break — and a second case across the 2025 春节 break.

mod common;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;
use serde_json::Value;

async fn staff_case(c: &reqwest::Client, base: &str, id: i64) -> Value {
    let all: Value = c.get(format!("{base}/api/v1/staff/applications")).send().await.expect("api").json().await.expect("json");
    all["applications"].as_array().expect("list").iter().find(|a| a["id"] == id).cloned().expect("case listed")
}

async fn step(c: &reqwest::Client, base: &str, id: i64, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let html = c.get(format!("{base}/admin/applications/{id}")).send().await.expect("case").text().await.expect("text");
    let token = csrf(&html);
    let seq_marker = "name=\"seq\" value=\"";
    let seq = html.find(seq_marker).map(|i| html[i + seq_marker.len()..].split('"').next().unwrap_or("0").to_string()).unwrap_or_else(|| "0".into());
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str()), ("seq", seq.as_str())];
    form.extend_from_slice(fields);
    let res = c.post(format!("{base}/admin/applications/{id}/step")).form(&form).send().await.expect("step");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

fn id_from_location(res: &reqwest::Response) -> i64 {
    let loc = res.headers().get("location").expect("redirect").to_str().expect("ascii");
    loc.trim_start_matches("/admin/applications/").split('?').next().expect("id").parse().expect("numeric id")
}

async fn scenario(store: Store) {
    let town = org(&store, "town", "11441802007183516B").await;
    user(&store, &town, "clerk", &[Role::Editor]).await;
    user(&store, &town, "head", &[Role::Reviewer, Role::OfficeHead]).await;
    // This scenario records each step directly on historic dates: the organisation
    // requires no sign-off (the sign-off flow is covered in tests/office.rs).
    let mut settings = gongkai_store::office::OfficeSettings::defaults(town.id);
    settings.signoff.steps.clear();
    store.put_office_settings(&settings, chrono::Utc::now()).await.expect("settings");
    let base = start(store.clone()).await;

    // ---- An applicant applies online, without an account. ----
    let anon = client();
    let page = anon.get(format!("{base}/org/town/apply")).send().await.expect("form").text().await.expect("text");
    let token = csrf(&page);
    let mut form = vec![
        ("_csrf", token.as_str()),
        ("applicant_type", "natural"),
        ("name", "王小明"),
        ("id_doc_type", "id_card"),
        ("id_doc_number", "110105194912310021"),
        ("phone", "13800138000"),
        ("description", "2023年本镇农村人居环境整治资金的使用情况"),
        ("form_electronic", "1"),
        ("delivery", "email"),
    ];
    // A wrong check digit is refused with a clear message and nothing is saved.
    let res = anon.post(format!("{base}/org/town/apply")).form(&form).send().await.expect("submit");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("text");
    assert!(html.contains("身份证") && html.contains("校验"), "{html}");
    assert!(html.contains("电子邮箱"), "email delivery needs an email: {html}");
    let token = csrf(&html);
    form[0] = ("_csrf", token.as_str());
    form[4] = ("id_doc_number", "11010519491231002X");
    form.push(("email", "wang@example.cn"));
    let res = anon.post(format!("{base}/org/town/apply")).form(&form).send().await.expect("submit");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST → redirect → GET");
    assert_eq!(res.headers()["location"], "/org/town/apply/receipt");
    let res = anon.get(format!("{base}/org/town/apply/receipt")).send().await.expect("receipt");
    let status = res.status();
    let receipt = res.text().await.expect("text");
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let _ = receipt.len();
    let grab = |label: &str| -> String {
        let i = receipt.find(label).unwrap_or_else(|| panic!("receipt lacks {label}"));
        let rest = &receipt[i..];
        let start = rest.find("<code class=\"password\">").expect("code") + "<code class=\"password\">".len();
        rest[start..].split('<').next().expect("value").to_string()
    };
    let code = grab("<dt>查询码</dt>");
    let secret = grab("<dt>查询密码</dt>");
    assert!(receipt.contains("王**"), "the name is masked on the receipt");
    assert!(!receipt.contains("11010519491231002X"));

    // Tracking: a wrong secret is refused; the right one shows the status and nothing else.
    let track = |c: &reqwest::Client, code: String, secret: String| {
        let c = c.clone();
        let base = base.clone();
        async move {
            let page = c.get(format!("{base}/track")).send().await.expect("track").text().await.expect("text");
            let token = csrf(&page);
            c.post(format!("{base}/track")).form(&[("_csrf", token.as_str()), ("code", code.as_str()), ("secret", secret.as_str())]).send().await.expect("track")
        }
    };
    let res = track(&anon, code.clone(), "WRONG".into()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = track(&anon, code.to_lowercase(), secret.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("text");
    assert!(html.contains("已收到") || html.contains("收到"), "{html}");
    assert!(!html.contains("13800138000") && !html.contains("王小明"), "tracking page shows personal data");

    // ---- Staff register an application received in person on 2024-09-20. ----
    let (clerk, _, _) = login(&base, "clerk", PASSWORD).await;
    let html = clerk.get(format!("{base}/admin/applications/new")).send().await.expect("new").text().await.expect("text");
    let token = csrf(&html);
    let register = |submitted: &'static str, token: String| {
        vec![
            ("_csrf".to_string(), token),
            ("channel".into(), "in_person".into()),
            ("submitted_on".into(), submitted.into()),
            ("applicant_type".into(), "organisation".into()),
            ("org_type".into(), "legal_service".into()),
            ("name".into(), "某某律师事务所".into()),
            ("id_doc_type".into(), "uscc".into()),
            ("id_doc_number".into(), "91350100M000100Y43".into()),
            ("phone".into(), "0763-1234567".into()),
            ("description".into(), "2024年镇级征地补偿款发放明细".into()),
            ("form_paper".into(), "1".into()),
            ("delivery".into(), "post".into()),
            ("postal_address".into(), "清远市清城区某路8号".into()),
        ]
    };
    let res = clerk.post(format!("{base}/admin/applications")).form(&register("2024-09-20", token.clone())).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from_location(&res);
    let due = |c: reqwest::Client, id: i64| {
        let base = base.clone();
        async move { staff_case(&c, &base, id).await }
    };
    let case = due(clerk.clone(), id).await;
    assert_eq!(case["received"], "2024-09-20");
    assert_eq!(case["due"], "2024-10-23", "20 working days, 国庆 skipped, 调休 9-29 and 10-12 counted");

    // An unlawful step is refused and nothing changes.
    let (status, body) = step(&clerk, &base, id, &[("kind", "reply"), ("date", "2024-09-23"), ("outcome", "disclosed"), ("basis", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(due(clerk.clone(), id).await["steps"].as_array().map(Vec::len), Some(0));

    let clerk_id = store.user_by_username("clerk").await.expect("user").expect("clerk").0.id.to_string();
    let (status, body) = step(&clerk, &base, id, &[("kind", "accept"), ("date", "2024-09-23"), ("handler_id", clerk_id.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(due(clerk.clone(), id).await["due"], "2024-10-23");

    // Correction: the clock stops until the correction arrives, then restarts from that day.
    let (status, body) = step(&clerk, &base, id, &[("kind", "request_correction"), ("date", "2024-09-24"), ("defects", "请说明所需补偿款所属的项目名称\n请说明所需信息的时间范围"), ("deadline", "2024-10-15")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(due(clerk.clone(), id).await["due"], Value::Null);
    let (status, body) = step(&clerk, &base, id, &[("kind", "receive_correction"), ("date", "2024-10-09")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(due(clerk.clone(), id).await["due"], "2024-11-05", "restarted from 2024-10-09");
    // The correction received, the case is in progress: starting again is not a lawful step.
    let (status, _) = step(&clerk, &base, id, &[("kind", "start_processing"), ("date", "2024-10-10")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Third-party consultation pauses the clock.
    let (status, body) = step(&clerk, &base, id, &[("kind", "consult"), ("date", "2024-10-14"), ("party", "third_party"), ("addressee", "某建设工程有限公司")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = step(&clerk, &base, id, &[("kind", "consultation_answered"), ("date", "2024-10-28"), ("answer", "objected"), ("reasons", "涉及本公司商业秘密")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after_consult = due(clerk.clone(), id).await;
    assert_eq!(after_consult["due"], "2024-11-19", "10 paused working days (10-15 … 10-28) added");

    // An extension needs the office head.
    let (status, body) = step(&clerk, &base, id, &[("kind", "extend"), ("date", "2024-11-01"), ("working_days", "10"), ("applicant_notified", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("负责人"), "{body}");
    let (head, _, _) = login(&base, "head", PASSWORD).await;
    let (status, body) = step(&head, &base, id, &[("kind", "extend"), ("date", "2024-11-01"), ("working_days", "10"), ("applicant_notified", "1")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(due(clerk.clone(), id).await["due"], "2024-12-03", "extended by 10 working days");

    // Reply: an outcome without a legal basis is refused; 部分公开 with its basis is recorded.
    let (status, _) = step(&clerk, &base, id, &[("kind", "reply"), ("date", "2024-11-15"), ("outcome", "partly_disclosed"), ("basis", ""), ("remedies_stated", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = step(&clerk, &base, id, &[("kind", "reply"), ("date", "2024-11-15"), ("outcome", "partly_disclosed"), ("basis", "《中华人民共和国政府信息公开条例》第三十七条"), ("remedies_stated", "1"), ("override_reason", "")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // The reply letter: drafted from the case, edited, issued (then frozen), as valid DOCX.
    let html = clerk.get(format!("{base}/admin/applications/{id}")).send().await.expect("case").text().await.expect("text");
    let token = csrf(&html);
    let res = clerk
        .post(format!("{base}/admin/applications/{id}/letters"))
        .form(&[("_csrf", token.as_str()), ("kind", "reply"), ("extra", "其中涉及第三方商业秘密的部分不予公开。")])
        .send()
        .await
        .expect("draft letter");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let letter_url = res.headers()["location"].to_str().expect("loc").to_string();
    let page = clerk.get(format!("{base}{letter_url}")).send().await.expect("letter").text().await.expect("text");
    assert!(page.contains("第三十七条") && page.contains("60日") && page.contains("6个月"), "reply letter lacks basis or remedies");
    // The letter page masks the applicant's name like the case page; the edit box holds a placeholder.
    assert!(!page.contains("某某律师事务所"), "full applicant name on the letter page");
    assert!(page.contains("某******") && page.contains("【申请人姓名】"), "masked name and placeholder");
    let token = csrf(&page);
    let text_marker = "name=\"text\" rows=\"16\" required>";
    let text = page[page.find(text_marker).expect("editor") + text_marker.len()..].split("</textarea>").next().expect("text").to_string();
    let edited = format!("{}\n经核实，可以公开部分已随本告知书提供。", text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
    let res = clerk.post(format!("{base}{letter_url}")).form(&[("_csrf", token.as_str()), ("op", "save"), ("title", "政府信息公开申请答复告知书"), ("text", edited.as_str())]).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = clerk.post(format!("{base}{letter_url}")).form(&[("_csrf", token.as_str()), ("op", "issue")]).send().await.expect("issue");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = clerk.post(format!("{base}{letter_url}")).form(&[("_csrf", token.as_str()), ("op", "save"), ("title", "改"), ("text", "改")]).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::CONFLICT, "an issued letter is frozen");
    let docx = clerk.get(format!("{base}{letter_url}/docx")).send().await.expect("docx");
    assert_eq!(docx.status(), StatusCode::OK);
    let bytes = docx.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("DOCX is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").expect("document.xml"), &mut xml).expect("utf-8");
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("document.xml is not well-formed: {e}"),
        }
    }
    assert!(xml.contains("可以公开部分已随本告知书提供"), "the edit is in the DOCX");
    assert!(xml.contains("某某律师事务所") && !xml.contains("【申请人姓名】"), "saving put the full name back into the letter");
    let audit = store.audit_entries(500, 0).await.expect("audit");
    for action in ["letter.view", "letter.download"] {
        assert!(audit.items.iter().any(|e| e.action == action && e.success), "{action} audited");
    }
    zip.by_name("[Content_Types].xml").expect("content types");
    let res = clerk.post(format!("{base}{letter_url}")).form(&[("_csrf", token.as_str()), ("op", "new_version")]).send().await.expect("new version");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(clerk.get(format!("{base}{}", res.headers()["location"].to_str().expect("loc"))).send().await.expect("v2").text().await.expect("text").contains("第 2 版"));

    let (status, body) = step(&clerk, &base, id, &[("kind", "deliver"), ("date", "2024-11-18"), ("delivery_method", "post"), ("proof", "EMS 1234567890")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = step(&clerk, &base, id, &[("kind", "close"), ("date", "2024-11-20")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let closed = due(clerk.clone(), id).await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["outcome"], "partly_disclosed");
    assert!(closed["due_explanation"].as_str().expect("explanation").contains("国庆") || closed["due_explanation"].as_str().unwrap_or("").contains("2024"));

    // Lists mask personal data; the full view is for the handler and is logged.
    let html = clerk.get(format!("{base}/admin/applications/{id}")).send().await.expect("case").text().await.expect("text");
    assert!(!html.contains("91350100M000100Y43"), "full ID number shown without reveal");
    let token = csrf(&html);
    let res = clerk.post(format!("{base}/admin/applications/{id}/reveal")).form(&[("_csrf", token.as_str())]).send().await.expect("reveal");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("91350100M000100Y43"));
    let audit = store.audit_entries(200, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "application.reveal" && e.success));

    // ---- A case across 春节 2025, withdrawn by the applicant. ----
    // (Another request of the same firm: an identical one within 24 hours would be a duplicate.)
    let mut second = register("2025-01-20", token.clone());
    second[9].1 = "2025年镇级农村公路养护资金使用情况".into();
    let res = clerk.post(format!("{base}/admin/applications")).form(&second).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id2 = id_from_location(&res);
    assert_eq!(due(clerk.clone(), id2).await["due"], "2025-02-21", "春节 1-28…2-4 skipped, 1-26 and 2-8 counted");
    // A case whose period runs into 2027, a year without an official holiday notice yet:
    // 元旦 (1 January, fixed by the statute every year) is still not a working day, and the
    // date is marked provisional.
    let mut third = register("2026-12-07", token.clone());
    third[9].1 = "2026年镇级河道保洁经费使用情况".into();
    let res = clerk.post(format!("{base}/admin/applications")).form(&third).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id3 = id_from_location(&res);
    let case3 = due(clerk.clone(), id3).await;
    assert_eq!(case3["due"], "2027-01-05", "20 working days from 2026-12-07 with 2027-01-01 skipped: {case3}");
    assert_eq!(case3["provisional"], true, "{case3}");
    // A fee: computed from the page count; none under the free threshold.
    let clerk_ref = clerk_id.as_str();
    let (status, body) = step(&clerk, &base, id2, &[("kind", "accept"), ("date", "2025-01-21"), ("handler_id", clerk_ref)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = step(&clerk, &base, id2, &[("kind", "start_processing"), ("date", "2025-01-22")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let fee = |pages: &'static str| vec![("kind", "issue_fee_notice"), ("date", "2025-02-06"), ("fee_method", "per_page"), ("fee_count", pages), ("notice_received", "2025-02-07")];
    let (status, body) = step(&clerk, &base, id2, &fee("30")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("不得收取信息处理费"), "{body}");
    let (status, body) = step(&clerk, &base, id2, &fee("250")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let html = clerk.get(format!("{base}/admin/applications/{id2}")).send().await.expect("case").text().await.expect("text");
    assert!(html.contains("4700元"), "fee amount recorded");
    let (status, body) = step(&clerk, &base, id2, &[("kind", "withdraw"), ("date", "2025-02-10"), ("reasons", "申请人书面撤回")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(due(clerk.clone(), id2).await["outcome"], "other_other", "withdrawal counts as 其他处理 3");

    // The register behind section 四, and the year's statistics from the records.
    let html = clerk.get(format!("{base}/admin/appeals")).send().await.expect("appeals").text().await.expect("text");
    let token = csrf(&html);
    let id_s = id.to_string();
    for (result, decided) in [("upheld", "2024-12-20"), ("pending", "")] {
        let res = clerk
            .post(format!("{base}/admin/appeals"))
            .form(&[("_csrf", token.as_str()), ("kind", "reconsideration"), ("body", "清远市清城区人民政府"), ("filed_on", "2024-12-02"), ("application_id", id_s.as_str()), ("result", result), ("decided_on", decided)])
            .send()
            .await
            .expect("appeal");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // A decided case without its date is refused.
    let res = clerk
        .post(format!("{base}/admin/appeals"))
        .form(&[("_csrf", token.as_str()), ("kind", "litigation_direct"), ("body", "清城区人民法院"), ("filed_on", "2024-12-02"), ("result", "corrected"), ("decided_on", "")])
        .send()
        .await
        .expect("appeal");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stats = clerk.get(format!("{base}/admin/statistics?year=2024")).send().await.expect("stats").text().await.expect("text");
    // The report's own table layout: every group label above its numbered rows.
    for group in ["三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理", "行政复议", "未经复议直接起诉"] {
        assert!(stats.contains(group), "group label {group}");
    }
    let stats = stats.replace(" class=\"num\"", "");
    assert!(!stats.contains("统计核对未通过"), "{stats}");
    assert!(stats.contains("<tr><td>1</td><td>0</td><td>0</td><td>1</td><td>2</td><td>0</td>"), "section 四 row");
    // 2024: one application received (法律服务机构) and answered 部分公开.
    let row = |label: &str| -> String {
        let i = stats.find(label).unwrap_or_else(|| panic!("no row {label}"));
        stats[i..].split("</tr>").next().unwrap_or("").to_string()
    };
    assert!(row("一、本年新收政府信息公开申请数量").contains("<td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td>"));
    assert!(row("（二）部分公开").contains("<td>1</td><td>0</td><td>1</td>"));

    // The staff API pages: newest received first, each case once, a total for all pages.
    let all: Value = clerk.get(format!("{base}/api/v1/staff/applications")).send().await.expect("api").json().await.expect("json");
    let total = all["total"].as_i64().expect("total");
    assert!(total >= 2, "{all}");
    assert_eq!(all["per_page"], 50);
    let mut seen = Vec::new();
    for page in 1..=total {
        let one: Value = clerk.get(format!("{base}/api/v1/staff/applications?page={page}&per_page=1")).send().await.expect("api").json().await.expect("json");
        assert_eq!(one["total"], total);
        let list = one["applications"].as_array().expect("list");
        assert_eq!(list.len(), 1, "{one}");
        seen.push((list[0]["received"].as_str().expect("received").to_string(), list[0]["id"].as_i64().expect("id")));
    }
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no case twice");
    let beyond: Value = clerk.get(format!("{base}/api/v1/staff/applications?page={}&per_page=1", total + 1)).send().await.expect("api").json().await.expect("json");
    assert_eq!(beyond["applications"].as_array().map(Vec::len), Some(0));
    for bad in ["per_page=0", "per_page=201", "page=0", "per_page=x", "page="] {
        let res = clerk.get(format!("{base}/api/v1/staff/applications?{bad}")).send().await.expect("api");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = res.json().await.expect("json error");
        assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("无效") || m.contains("不能为空")), "{bad}: {body}");
    }

    // Another organisation's staff cannot see the cases.
    let other = org(&store, "other", "11441802007183698F").await;
    user(&store, &other, "outsider", &[Role::Admin]).await;
    let (outsider, _, _) = login(&base, "outsider", PASSWORD).await;
    assert_eq!(outsider.get(format!("{base}/admin/applications/{id}")).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    let list: Value = outsider.get(format!("{base}/api/v1/staff/applications")).send().await.expect("api").json().await.expect("json");
    assert_eq!(list["applications"].as_array().map(Vec::len), Some(0));
    // Anonymous users get no staff API: 401 with the API's JSON error.
    let res = client().get(format!("{base}/api/v1/staff/applications")).send().await.expect("api");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["status"], 401);
}

#[tokio::test]
async fn applications_on_sqlite() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    scenario(store).await;
}

#[tokio::test]
async fn applications_on_postgres() {
    let Some((store, _db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    scenario(store).await;
}
