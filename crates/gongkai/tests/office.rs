//! The back office a town office runs on (issue 15), end to end over HTTP on
//! SQLite and PostgreSQL: each role's dashboard shows the demo's overdue
//! applications and a 我的待办 count in the header; a reply needs the office
//! head's sign-off (refused for other roles and before sign-off), and issuing
//! numbers the letter and records the reply; resubmitting the application form
//! or refreshing the receipt creates no second case, and a duplicate can be
//! merged within an organisation only; a private consultation's answer is read
//! with its 查询码 and secret; item approval records the 保密审查 and 公开属性审查
//! opinions through three review levels by three different reviewers.

mod common;

use common::*;
use gongkai_domain::application::{ApplicantKind, Channel, ClockConfig};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::model::Role;
use gongkai_store::{ApplicationQuery, NewApplication, Store};
use reqwest::StatusCode;

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").expect("redirect").to_str().expect("ascii").to_string()
}

/// The number in `我的待办 <span class="count">N</span>` of the header.
fn header_todo(html: &str) -> i64 {
    let i = html.find("class=\"todo-count\"").unwrap_or_else(|| panic!("no 我的待办 in the header: {html}"));
    let rest = &html[i..];
    let start = rest.find("<span class=\"count\">").expect("count") + "<span class=\"count\">".len();
    rest[start..].split('<').next().expect("n").parse().expect("number")
}

async fn count_apps(store: &Store, org_id: i64) -> i64 {
    store.applications(&ApplicationQuery { org_ids: vec![org_id], ..Default::default() }).await.expect("list").total
}

// ---------------------------------------------------------------------------------------------

async fn dashboards_show_the_demo_overdue_cases(store: &Store) {
    let accounts = gongkai::demo::load(store).await.expect("demo loads");
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    // The demo's overdue applications as of today, computed from the records.
    let cal = Calendar::official();
    let mut overdue_codes = Vec::new();
    for (app, steps) in store.applications_with_steps(&[yuantan.id]).await.expect("apps") {
        let list: Vec<_> = steps.iter().map(|s| s.step.clone()).collect();
        let case = gongkai_domain::application::Application::replay(app.applicant, app.channel, app.received, &list, &cal, &ClockConfig::default()).expect("replays");
        if case.state.is_open() && case.clock(&cal, &ClockConfig::default(), today()).overdue {
            overdue_codes.push(app.tracking_code.clone());
        }
    }
    assert!(overdue_codes.len() >= 2, "the demo has overdue applications: {overdue_codes:?}");
    let base = start(store.clone()).await;
    let password = |u: &str| accounts.iter().find(|a| a.username == u).map(|a| a.password.clone()).expect("demo account");
    for username in ["yt_editor", "yt_reviewer", "yt_head", "yt_admin"] {
        let (c, status, body) = login(&base, username, &password(username)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{username}: {body}");
        let res = c.get(format!("{base}/admin")).send().await.expect("dashboard");
        assert_eq!(res.status(), StatusCode::OK, "{username}");
        let html = res.text().await.expect("text");
        assert!(html.contains("依申请公开已超期"), "{username}: {html}");
        for code in &overdue_codes {
            assert!(html.contains(code.as_str()), "{username}'s dashboard lists overdue case {code}");
        }
        assert!(html.contains("已超期"), "{username}");
        let todo = header_todo(&html);
        if username != "yt_reviewer" {
            // The editor handles the demo cases; the head and the administrator watch them all.
            assert!(todo >= overdue_codes.len() as i64, "{username}: 我的待办 {todo}");
        }
        // Every back-office page carries the count.
        let other = c.get(format!("{base}/admin/applications")).send().await.expect("list").text().await.expect("text");
        assert_eq!(header_todo(&other), todo, "{username}: the same count on every page");
        assert!(html.contains("超期情况") && html.contains("源潭镇"), "{username}: the organisation's overdue counts");
    }
    // The district administrator sees each subordinate unit's overdue counts.
    let (c, _, _) = login(&base, "qc_admin", &password("qc_admin")).await;
    let html = c.get(format!("{base}/admin")).send().await.expect("dashboard").text().await.expect("text");
    let row = html.split("<tr").find(|r| r.contains("源潭镇人民政府")).unwrap_or_else(|| panic!("源潭镇 listed among subordinate units: {html}"));
    assert!(row.contains("class=\"overdue\""), "源潭镇 is marked overdue: {row}");
    assert!(html.contains("个有超期事项"), "{html}");
}

// ---------------------------------------------------------------------------------------------

async fn register_case(clerk: &reqwest::Client, base: &str, description: &str) -> i64 {
    let html = clerk.get(format!("{base}/admin/applications/new")).send().await.expect("new").text().await.expect("text");
    let token = csrf(&html);
    let day = today().to_string();
    let form = [
        ("_csrf", token.as_str()),
        ("channel", "in_person"),
        ("submitted_on", day.as_str()),
        ("applicant_type", "natural"),
        ("name", "赵六"),
        ("id_doc_type", "id_card"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", description),
        ("form_paper", "1"),
        ("delivery", "collection"),
    ];
    let res = clerk.post(format!("{base}/admin/applications")).form(&form).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    loc.trim_start_matches("/admin/applications/").split('?').next().expect("id").parse().expect("id")
}

async fn step(c: &reqwest::Client, base: &str, id: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    let html = c.get(format!("{base}/admin/applications/{id}")).send().await.expect("case").text().await.expect("text");
    let token = csrf(&html);
    let marker = "name=\"seq\" value=\"";
    let seq = html.find(marker).map(|i| html[i + marker.len()..].split('"').next().unwrap_or("0").to_string()).unwrap_or_else(|| "0".into());
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str()), ("seq", seq.as_str())];
    form.extend_from_slice(fields);
    c.post(format!("{base}/admin/applications/{id}/step")).form(&form).send().await.expect("step")
}

async fn letter_op(c: &reqwest::Client, base: &str, letter_url: &str, op: &str) -> (StatusCode, String) {
    let token = page_csrf(c, &format!("{base}{letter_url}")).await;
    let res = c.post(format!("{base}{letter_url}")).form(&[("_csrf", token.as_str()), ("op", op)]).send().await.expect("op");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn case_state(c: &reqwest::Client, base: &str, id: i64) -> String {
    let all: serde_json::Value = c.get(format!("{base}/api/v1/staff/applications")).send().await.expect("api").json().await.expect("json");
    let case = all["applications"].as_array().expect("list").iter().find(|a| a["id"] == id).cloned().expect("listed");
    case["state"].as_str().expect("state").to_string()
}

async fn reply_needs_sign_off(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let clerk_user = user(store, &town, "clerk", &[Role::Editor]).await;
    user(store, &town, "head", &[Role::Reviewer, Role::OfficeHead]).await;
    user(store, &town, "boss", &[Role::Admin, Role::Reviewer]).await;
    let base = start(store.clone()).await;
    let (clerk, _, _) = login(&base, "clerk", PASSWORD).await;
    let (head, _, _) = login(&base, "head", PASSWORD).await;
    let (boss, _, _) = login(&base, "boss", PASSWORD).await;
    let day = today().to_string();
    let clerk_id = clerk_user.id.to_string();

    let id = register_case(&clerk, &base, "本镇2026年道路养护资金使用情况").await;
    assert_eq!(step(&clerk, &base, id, &[("kind", "accept"), ("date", &day), ("handler_id", &clerk_id)]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(step(&clerk, &base, id, &[("kind", "start_processing"), ("date", &day)]).await.status(), StatusCode::SEE_OTHER);

    // The reply is drafted as a letter first; the case is not yet replied.
    let res = step(&clerk, &base, id, &[("kind", "reply"), ("date", &day), ("outcome", "disclosed"), ("basis", "《中华人民共和国政府信息公开条例》第三十六条第（二）项"), ("remedies_stated", "1")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let letter_url = location(&res).split('?').next().expect("url").to_string();
    assert!(letter_url.starts_with("/admin/letters/"), "{letter_url}");
    assert_eq!(case_state(&clerk, &base, id).await, "in_progress", "nothing recorded before sign-off");

    // Issued before sign-off: refused, nothing changes.
    let (status, html) = letter_op(&clerk, &base, &letter_url, "issue").await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("须经公开工作机构负责人签发后才能出具"), "{html}");
    assert_eq!(case_state(&clerk, &base, id).await, "in_progress");
    // Signed off by someone without the right (the clerk; an administrator): refused.
    for c in [&clerk, &boss] {
        let (status, html) = letter_op(c, &base, &letter_url, "signoff").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("签发须由公开工作机构负责人进行"), "{html}");
    }
    // The office head sees it waiting on the dashboard and in the header count.
    let dash = head.get(format!("{base}/admin")).send().await.expect("dash").text().await.expect("text");
    assert!(dash.contains("待我签发的文书") && dash.contains(&letter_url), "{dash}");
    assert!(header_todo(&dash) >= 1);
    let (status, html) = letter_op(&head, &base, &letter_url, "signoff").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (status, _) = letter_op(&head, &base, &letter_url, "signoff").await;
    assert_eq!(status, StatusCode::CONFLICT, "signed off once");

    // Issued: numbered, frozen, and the reply is recorded on the case.
    let (status, html) = letter_op(&clerk, &base, &letter_url, "issue").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let page = clerk.get(format!("{base}{letter_url}")).send().await.expect("letter").text().await.expect("text");
    let year = chrono::Datelike::year(&today());
    assert!(page.contains(&format!("〔{year}〕第1号")), "文书编号 on the letter: {page}");
    assert!(page.contains("head") && page.contains("签发"), "the signer is shown: {page}");
    assert_eq!(case_state(&clerk, &base, id).await, "replied");
    let docx = clerk.get(format!("{base}{letter_url}/docx")).send().await.expect("docx").bytes().await.expect("bytes");
    assert!(docx.starts_with(b"PK"), "a DOCX");

    // The next letter of the organisation gets the next number (an extension this time).
    let id2 = register_case(&clerk, &base, "本镇2026年农村饮水工程验收材料").await;
    step(&clerk, &base, id2, &[("kind", "accept"), ("date", &day), ("handler_id", &clerk_id)]).await;
    step(&clerk, &base, id2, &[("kind", "start_processing"), ("date", &day)]).await;
    let res = step(&clerk, &base, id2, &[("kind", "extend"), ("date", &day), ("working_days", "10"), ("applicant_notified", "1")]).await;
    if res.status() != StatusCode::SEE_OTHER {
        panic!("{}", res.text().await.unwrap_or_default().split("role=\"alert\"").nth(1).unwrap_or("").chars().take(400).collect::<String>());
    }
    let url2 = location(&res).split('?').next().expect("url").to_string();
    assert_eq!(letter_op(&head, &base, &url2, "signoff").await.0, StatusCode::SEE_OTHER);
    assert_eq!(letter_op(&clerk, &base, &url2, "issue").await.0, StatusCode::SEE_OTHER);
    let page = clerk.get(format!("{base}{url2}")).send().await.expect("letter").text().await.expect("text");
    assert!(page.contains(&format!("〔{year}〕第2号")), "{page}");
    let steps = store.application_steps(id2).await.expect("steps");
    match &steps.last().expect("step").step {
        gongkai_domain::application::Step::Extend { approver, .. } => assert!(approver.is_office_head, "approved by the signer"),
        other => panic!("{other:?}"),
    }

    // Every sign-off and refusal is in the audit log.
    let audit = store.audit_entries(500, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "letter.signoff" && e.success));
    assert!(audit.items.iter().filter(|e| e.action == "letter.signoff" && !e.success).count() >= 2);
    assert!(audit.items.iter().any(|e| e.action == "letter.issue" && !e.success));
}

// ---------------------------------------------------------------------------------------------

async fn apply_form(c: &reqwest::Client, base: &str, description: &str) -> reqwest::Response {
    let form = [
        ("name", "王小明"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("email", "wang@example.cn"),
        ("description", description),
        ("form_email", "1"),
        ("delivery", "email"),
    ];
    apply_online(c, base, "town", &form).await
}

fn receipt_value(receipt: &str, label: &str) -> Option<String> {
    let i = receipt.find(label)?;
    let rest = &receipt[i..];
    let dd = &rest[..rest.find("</dd>")?];
    let start = dd.find("<code class=\"password\">")? + "<code class=\"password\">".len();
    Some(dd[start..].split('<').next()?.to_string())
}

async fn no_double_entry(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let other_org = org(store, "other", "11441802007183517X").await;
    user(store, &town, "clerk", &[Role::Editor]).await;
    let base = start(store.clone()).await;
    let anon = client();

    let res = apply_form(&anon, &base, "2025年本村集体土地征收补偿方案").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/org/town/apply/receipt", "no personal data or secret in the URL");
    let first = anon.get(format!("{base}/org/town/apply/receipt")).send().await.expect("receipt").text().await.expect("text");
    let code = receipt_value(&first, "<dt>查询码</dt>").expect("code");
    let secret = receipt_value(&first, "<dt>查询密码</dt>").expect("secret shown to the applicant");
    // Refreshing the receipt creates nothing and shows the same receipt.
    for _ in 0..2 {
        let again = anon.get(format!("{base}/org/town/apply/receipt")).send().await.expect("receipt").text().await.expect("text");
        assert_eq!(receipt_value(&again, "<dt>查询码</dt>").as_deref(), Some(code.as_str()));
    }
    assert_eq!(count_apps(store, town.id).await, 1);
    // Submitting the same form again (same applicant, same request, within 24 hours):
    // the existing receipt, no new case, no second clock.
    let res = apply_form(&anon, &base, " 2025年本村集体土地征收补偿方案。").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/org/town/apply/receipt?again=1");
    let again = anon.get(format!("{base}/org/town/apply/receipt?again=1")).send().await.expect("receipt").text().await.expect("text");
    assert!(again.contains("没有重复登记"), "{again}");
    assert_eq!(receipt_value(&again, "<dt>查询码</dt>").as_deref(), Some(code.as_str()));
    assert_eq!(receipt_value(&again, "<dt>查询密码</dt>").as_deref(), Some(secret.as_str()), "same browser keeps its secret");
    // From another browser: the receipt without the secret.
    let stranger = client();
    let res = apply_form(&stranger, &base, "2025年本村集体土地征收补偿方案").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let theirs = stranger.get(format!("{base}/org/town/apply/receipt?again=1")).send().await.expect("receipt").text().await.expect("text");
    assert_eq!(receipt_value(&theirs, "<dt>查询码</dt>").as_deref(), Some(code.as_str()));
    assert!(receipt_value(&theirs, "<dt>查询密码</dt>").is_none() && theirs.contains("已在首次提交时显示"), "{theirs}");
    assert_eq!(count_apps(store, town.id).await, 1, "still one case");
    // A different request of the same applicant is a new case.
    assert_eq!(apply_form(&anon, &base, "2025年本村低保名单").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(count_apps(store, town.id).await, 2);
    // Without a cookie the receipt page shows nothing.
    let res = client().get(format!("{base}/org/town/apply/receipt")).send().await.expect("receipt");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Staff merge a duplicate that slipped in (registered on paper before): audited;
    // refused across organisations.
    let new_app = |org_id: i64, code: &str, desc: &str| NewApplication {
        org_id,
        tracking_code: code.into(),
        secret_hash: "x".into(),
        applicant: ApplicantKind::NaturalPerson,
        applicant_name: "王小明".into(),
        id_doc_type: "id_card".into(),
        id_doc_number: "11010519491231002X".into(),
        phone: String::new(),
        email: String::new(),
        postal_address: String::new(),
        description: desc.into(),
        forms: "paper".into(),
        delivery: "collection".into(),
        channel: Channel::Fax,
        submitted_on: today(),
        received: today(),
        registered_by: None,
        at: chrono::Utc::now() - chrono::Duration::days(3),
    };
    let dup = store.create_application(&new_app(town.id, "2026-DUPL1234", "土地征收补偿方案（信件）")).await.expect("dup");
    let foreign = store.create_application(&new_app(other_org.id, "2026-OTHR1234", "土地征收补偿方案")).await.expect("foreign");
    let (clerk, _, _) = login(&base, "clerk", PASSWORD).await;
    let merge = |keep: String, id: i64| {
        let clerk = clerk.clone();
        let base = base.clone();
        async move {
            let token = page_csrf(&clerk, &format!("{base}/admin/applications/{id}")).await;
            let res = clerk.post(format!("{base}/admin/applications/{id}/merge")).form(&[("_csrf", token.as_str()), ("keep_code", keep.as_str())]).send().await.expect("merge");
            let status = res.status();
            (status, res.text().await.unwrap_or_default())
        }
    };
    let (status, html) = merge(foreign.tracking_code.clone(), dup.id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("不同机关，不能合并"), "{html}");
    assert_eq!(count_apps(store, town.id).await, 3, "nothing changed");
    let (status, html) = merge(code.clone(), dup.id).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(count_apps(store, town.id).await, 2, "the merged duplicate is not a case of its own");
    let merged = store.application(dup.id).await.expect("app").expect("kept in the database");
    assert!(merged.merged_into.is_some());
    let audit = store.audit_entries(200, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "application.merge" && e.success));
    assert!(audit.items.iter().any(|e| e.action == "application.merge" && !e.success));
}

// ---------------------------------------------------------------------------------------------

async fn private_consultation_answer_read_with_code(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let clerk = user(store, &town, "clerk", &[Role::Editor]).await;
    let base = start(store.clone()).await;
    let anon = client();
    let page = anon.get(format!("{base}/org/town/consult")).send().await.expect("page").text().await.expect("text");
    let token = csrf(&page);
    let res = anon
        .post(format!("{base}/org/town/consult"))
        .form(&[("_csrf", token.as_str()), ("subject", "我的低保审批进度"), ("question", "我上月提交的低保申请审批到哪一步了？"), ("private", "1"), ("name", "李四")])
        .send()
        .await
        .expect("ask");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/org/town/consult/done");
    let done = anon.get(format!("{base}/org/town/consult/done")).send().await.expect("done").text().await.expect("text");
    let code = receipt_value(&done, "<dt>查询码</dt>").expect("code");
    let secret = receipt_value(&done, "<dt>查询密码</dt>").expect("secret");
    assert!(code.starts_with("ZX"), "{code}");
    // A refresh creates nothing.
    anon.get(format!("{base}/org/town/consult/done")).send().await.expect("done");
    let list = store.consultations(&gongkai_store::ConsultationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("list");
    assert_eq!(list.total, 1);
    let id = list.items[0].id;
    store.assign_consultation(id, clerk.id, chrono::Utc::now()).await.expect("assign");
    store.answer_consultation(id, "您的申请已通过村级评议，正在镇审核阶段。", "源潭镇社会事务办", today(), clerk.id, true, chrono::Utc::now()).await.expect("answer");

    let ask_answer = |code: String, secret: String| {
        let base = base.clone();
        async move {
            let c = client();
            let page = c.get(format!("{base}/org/town/consult/track")).send().await.expect("track").text().await.expect("text");
            let token = csrf(&page);
            let res = c.post(format!("{base}/org/town/consult/track")).form(&[("_csrf", token.as_str()), ("code", code.as_str()), ("secret", secret.as_str())]).send().await.expect("track");
            let status = res.status();
            (status, res.text().await.unwrap_or_default())
        }
    };
    let (status, html) = ask_answer(code.clone(), "WRONGSECRET".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!html.contains("正在镇审核阶段"));
    let (status, html) = ask_answer(code.to_lowercase(), secret.clone()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("正在镇审核阶段") && html.contains("不公开"), "{html}");
    // Never on the public list.
    let public = anon.get(format!("{base}/org/town/consult")).send().await.expect("list").text().await.expect("text");
    assert!(!public.contains("正在镇审核阶段"));
}

// ---------------------------------------------------------------------------------------------

async fn item_review_opinions_three_levels(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &town, "editor", &[Role::Editor]).await;
    for r in ["r1", "r2", "r3"] {
        user(store, &town, r, &[Role::Reviewer]).await;
    }
    let mut settings = gongkai_store::office::OfficeSettings::defaults(town.id);
    settings.review_levels = 3;
    store.put_office_settings(&settings, chrono::Utc::now()).await.expect("settings");
    let base = start(store.clone()).await;
    // A submitted item, created through the store.
    let node = store.catalog(town.id).await.expect("catalog").into_iter().find(|n| n.name == "通知公告").expect("notices");
    let fields = gongkai_domain::model::ItemFields {
        catalog_id: node.id,
        title: "关于开展冬季森林防火工作的通知".into(),
        summary: String::new(),
        body_html: "<p>正文。</p>".into(),
        publisher: town.name.clone(),
        formed_date: today(),
        doc_number: None,
        topic: "综合政务".into(),
        genre: "通知".into(),
        keywords: String::new(),
        disclosure_mode: gongkai_domain::model::DisclosureMode::Proactive,
        doc_type: gongkai_domain::model::DocType::Other,
        statutory_category: None,
    };
    let ev = |a: &str| gongkai_store::NewItemEvent { actor_id: editor.id, action: a.into(), comment: String::new(), at: chrono::Utc::now() };
    let item = store.create_item(town.id, editor.id, &fields, &ev("create")).await.expect("create");
    store.transition_item(item.id, gongkai_domain::model::ItemStatus::Draft, gongkai_domain::model::ItemStatus::Submitted, None, &ev("submit")).await.expect("submit");
    let approve = |c: reqwest::Client, secrecy: &'static str| {
        let base = base.clone();
        async move {
            let token = page_csrf(&c, &format!("{base}/admin/items/{}", item.id)).await;
            let res = c
                .post(format!("{base}/admin/items/{}/action", item.id))
                .form(&[("_csrf", token.as_str()), ("action", "approve"), ("comment", ""), ("secrecy_opinion", secrecy), ("disclosure_opinion", "属于主动公开范围")])
                .send()
                .await
                .expect("approve");
            let status = res.status();
            (status, res.text().await.unwrap_or_default())
        }
    };
    let status_now = || async { store.item(item.id).await.expect("item").expect("exists").status };
    let (r1, _, _) = login(&base, "r1", PASSWORD).await;
    let (r2, _, _) = login(&base, "r2", PASSWORD).await;
    let (r3, _, _) = login(&base, "r3", PASSWORD).await;
    // Without the 保密审查 opinion: refused, nothing recorded.
    let (status, html) = approve(r1.clone(), " ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写保密审查意见"), "{html}");
    assert!(store.item_reviews(item.id).await.expect("reviews").is_empty());
    // 初审 by r1; r1 may not also take 复审; 复审 by r2; 终审 by r3 approves.
    assert_eq!(approve(r1.clone(), "经审查，不涉及国家秘密").await.0, StatusCode::SEE_OTHER);
    assert_eq!(status_now().await, gongkai_domain::model::ItemStatus::Submitted, "waits for 复审");
    let (status, html) = approve(r1.clone(), "不涉密").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("须由其他审核人进行下一级审核"), "{html}");
    assert_eq!(approve(r2.clone(), "不涉密").await.0, StatusCode::SEE_OTHER);
    assert_eq!(status_now().await, gongkai_domain::model::ItemStatus::Submitted);
    assert_eq!(approve(r3.clone(), "不涉密").await.0, StatusCode::SEE_OTHER);
    assert_eq!(status_now().await, gongkai_domain::model::ItemStatus::Approved);
    let page = r3.get(format!("{base}/admin/items/{}", item.id)).send().await.expect("item").text().await.expect("text");
    for level in ["初审", "复审", "终审"] {
        assert!(page.contains(level), "{level} on the item page");
    }
    assert!(page.contains("经审查，不涉及国家秘密") && page.contains("r1"), "opinion with the reviewer's name: {page}");
    let reviews = store.item_reviews(item.id).await.expect("reviews");
    assert_eq!(reviews.len(), 3);
    assert!(reviews.iter().all(|r| r.reviewed_on == today()));
}

gongkai_store::on_both_backends!(dashboards_show_the_demo_overdue_cases, reply_needs_sign_off, no_double_entry, private_consultation_answer_read_with_code, item_review_opinions_three_levels);
