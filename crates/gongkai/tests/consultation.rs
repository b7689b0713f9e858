//! Online consultation (网上咨询) end to end over HTTP, on SQLite and
//! PostgreSQL: bad input and size limits answered in Chinese with nothing
//! stored, the per-client rate limit, staff assigning and answering, the
//! public Q&A list (受理日期, 答复日期, 答复部门, answer) that never shows a
//! private question, due-soon and overdue lists on the dashboard, monthly
//! statistics, the organisation's settings, and turning a question into an
//! application for disclosure.

mod common;

use common::*;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::consultation::reply_due;
use gongkai_domain::model::Role;
use gongkai_store::{ConsultationQuery, NewConsultation, Store};
use reqwest::StatusCode;

async fn ask(c: &reqwest::Client, base: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let page = c.get(format!("{base}/org/town/consult")).send().await.expect("page").text().await.expect("text");
    let token = csrf(&page);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    let res = c.post(format!("{base}/org/town/consult")).form(&form).send().await.expect("submit");
    // POST → redirect → GET: follow to the confirmation.
    if res.status() == StatusCode::SEE_OTHER {
        let loc = res.headers()["location"].to_str().expect("location").to_string();
        assert_eq!(loc, "/org/town/consult/done");
        let res = c.get(format!("{base}{loc}")).send().await.expect("done");
        let status = res.status();
        return (status, res.text().await.unwrap_or_default());
    }
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn count(store: &Store, org_id: i64) -> i64 {
    store.consultations(&ConsultationQuery { org_ids: vec![org_id], ..Default::default() }).await.expect("list").total
}

async fn consultation_end_to_end(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    // Publishing a consultation answer needs a reviewer (issue 12): the clerk here is both.
    let clerk = user(store, &town, "clerk", &[Role::Editor, Role::Reviewer]).await;
    user(store, &town, "boss", &[Role::Admin, Role::Reviewer]).await;
    let base = start(store.clone()).await;
    let anon = client();

    // Empty question: clear Chinese messages, nothing stored.
    let (status, html) = ask(&anon, &base, &[("subject", " "), ("question", "  \n ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("咨询内容不能为空") && html.contains("请填写咨询标题"), "{html}");
    // Too long.
    let long = "问".repeat(2001);
    let (status, html) = ask(&anon, &base, &[("subject", "很长的问题"), ("question", &long)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能超过 2000 字"), "{html}");
    // A body far over the form limit is refused before parsing, in Chinese.
    let huge = "x".repeat(200 * 1024);
    let (status, html) = ask(&anon, &base, &[("subject", "大"), ("question", &huge)]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("超过了允许的大小"), "{html}");
    // Without the form token: refused.
    let res = anon.post(format!("{base}/org/town/consult")).form(&[("subject", "a"), ("question", "b")]).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(store, town.id).await, 0);

    // A valid question, anonymous by default configuration.
    let (status, html) = ask(&anon, &base, &[("subject", "低保如何申请"), ("question", "请问低保的申请条件是什么？"), ("contact", "13800138000")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("答复期限") && html.contains("5 个工作日内"), "{html}");
    let (status, _) = ask(&anon, &base, &[("subject", "我的社保记录"), ("question", "请帮我查询社保缴费记录"), ("private", "1"), ("name", "李四")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = ask(&anon, &base, &[("subject", "想要一份文件"), ("question", "请提供2023年本镇道路建设项目的招标文件"), ("name", "王五"), ("contact", "wang@example.cn")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(store, town.id).await, 3);

    // Spam burst: the 11th question within the hour from one client is refused and not stored.
    for n in 0..7 {
        let subject = format!("重复提问{n}");
        let (status, _) = ask(&anon, &base, &[("subject", subject.as_str()), ("question", "重复的问题内容")]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, html) = ask(&anon, &base, &[("subject", "第十一个"), ("question", "还是同一个人")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("操作过于频繁"), "{html}");
    assert_eq!(count(store, town.id).await, 10);

    let all = store.consultations(&ConsultationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("list").items;
    let find = |subject: &str| all.iter().find(|c| c.subject == subject).cloned().expect("stored");
    let public_q = find("低保如何申请");
    let private_q = find("我的社保记录");
    let convert_q = find("想要一份文件");
    // The server computed the due date on the calendar.
    assert_eq!(public_q.due, reply_due(&Calendar::official(), public_q.received, 5).due);
    assert!(private_q.private);

    // An overdue question (received before the 2024 国庆 break, never answered).
    let received = chrono::NaiveDate::from_ymd_opt(2024, 9, 27).expect("date");
    let overdue = store
        .create_consultation(&NewConsultation {
            org_id: town.id,
            name: String::new(),
            contact: String::new(),
            subject: "长期未答复的问题".into(),
            question: "问题".into(),
            private: false,
            received,
            due: reply_due(&Calendar::official(), received, 5).due,
            at: chrono::Utc::now(),
        })
        .await
        .expect("overdue");
    assert_eq!(overdue.due.to_string(), "2024-10-10");

    // Staff: the dashboard and the list show the overdue and the due-soon ones.
    let (staff, _, _) = login(&base, "clerk", PASSWORD).await;
    let dash = staff.get(format!("{base}/admin")).send().await.expect("dash").text().await.expect("text");
    assert!(dash.contains("网上咨询已超期") && dash.contains("长期未答复的问题"), "{dash}");
    let list = staff.get(format!("{base}/admin/consultations")).send().await.expect("list").text().await.expect("text");
    assert!(list.contains("已超期") && list.contains("低保如何申请"), "{list}");

    // Assign and answer with publication.
    let page = staff.get(format!("{base}/admin/consultations/{}", public_q.id)).send().await.expect("view").text().await.expect("text");
    let token = csrf(&page);
    let clerk_id = clerk.id.to_string();
    let res = staff.post(format!("{base}/admin/consultations/{}/assign", public_q.id)).form(&[("_csrf", token.as_str()), ("assignee", clerk_id.as_str())]).send().await.expect("assign");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // An empty answer is refused.
    let res = staff.post(format!("{base}/admin/consultations/{}/answer", public_q.id)).form(&[("_csrf", token.as_str()), ("answer", " "), ("department", "")]).send().await.expect("answer");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("text");
    assert!(body.contains("答复内容不能为空") && body.contains("请填写答复部门"), "{body}");
    let res = staff
        .post(format!("{base}/admin/consultations/{}/answer", public_q.id))
        .form(&[("_csrf", token.as_str()), ("answer", "请持户口簿和身份证到村委会申请。"), ("department", "镇社会事务办"), ("publish", "1")])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Answering twice is a conflict.
    let res = staff.post(format!("{base}/admin/consultations/{}/answer", public_q.id)).form(&[("_csrf", token.as_str()), ("answer", "再答"), ("department", "办")]).send().await.expect("answer");
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The private one: answered, and publishing it is refused.
    let res = staff
        .post(format!("{base}/admin/consultations/{}/answer", private_q.id))
        .form(&[("_csrf", token.as_str()), ("answer", "已通过电话告知。"), ("department", "镇社保所"), ("publish", "1")])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = staff.post(format!("{base}/admin/consultations/{}/publish", private_q.id)).form(&[("_csrf", token.as_str()), ("publish", "1")]).send().await.expect("publish");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.expect("text").contains("不公开"));
    let stored = store.consultation(private_q.id).await.expect("load").expect("exists");
    assert!(!stored.published);

    // The public list: the published Q&A with its dates and department, never the private one.
    let public = anon.get(format!("{base}/org/town/consult")).send().await.expect("public").text().await.expect("text");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
    assert!(public.contains("低保如何申请") && public.contains("请持户口簿和身份证到村委会申请。") && public.contains("镇社会事务办"), "{public}");
    assert!(public.contains("受理日期") && public.contains("答复日期") && public.contains(&today));
    assert!(!public.contains("我的社保记录") && !public.contains("已通过电话告知"), "private question leaked");
    assert!(!public.contains("13800138000"), "contact details are never shown");

    // Unpublish, then publish again.
    let res = staff.post(format!("{base}/admin/consultations/{}/publish", public_q.id)).form(&[("_csrf", token.as_str()), ("publish", "0")]).send().await.expect("unpublish");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let public = anon.get(format!("{base}/org/town/consult")).send().await.expect("public").text().await.expect("text");
    assert!(!public.contains("请持户口簿和身份证到村委会申请。"));

    // Turn a question into an application for disclosure.
    let page = staff.get(format!("{base}/admin/consultations/{}/convert", convert_q.id)).send().await.expect("convert page").text().await.expect("text");
    assert!(page.contains("王五") && page.contains("wang@example.cn"), "pre-filled: {page}");
    let res = staff
        .post(format!("{base}/admin/consultations/{}/convert", convert_q.id))
        .form(&[
            ("_csrf", token.as_str()),
            ("applicant_type", "natural"),
            ("name", "王五"),
            ("id_doc_type", "id_card"),
            ("id_doc_number", "11010519491231002X"),
            ("email", "wang@example.cn"),
            ("description", "2023年本镇道路建设项目的招标文件"),
            ("form_electronic", "1"),
            ("delivery", "email"),
        ])
        .send()
        .await
        .expect("convert");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().expect("loc").to_string();
    assert!(loc.starts_with("/admin/applications/"), "{loc}");
    let converted = store.consultation(convert_q.id).await.expect("load").expect("exists");
    assert_eq!(converted.state.as_str(), "converted");
    let app = store.application(converted.application_id.expect("linked")).await.expect("app").expect("exists");
    assert_eq!(app.applicant_name, "王五");
    assert_eq!(app.submitted_on, convert_q.received);

    // Monthly statistics.
    let stats = staff.get(format!("{base}/admin/consultations/stats")).send().await.expect("stats").text().await.expect("text");
    assert!(stats.contains("2024 年 9 月") && stats.contains("转为申请"), "{stats}");

    // The administrator requires a name; a question without one is then refused.
    let (admin, _, _) = login(&base, "boss", PASSWORD).await;
    let token = page_csrf(&admin, &format!("{base}/admin/channels")).await;
    let res = admin
        .post(format!("{base}/admin/channels"))
        .form(&[("_csrf", token.as_str()), ("require_name", "1"), ("reply_days", "0"), ("led_line_chars", "24"), ("led_speed", "normal")])
        .send()
        .await
        .expect("settings");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "0 working days is refused");
    let res = admin
        .post(format!("{base}/admin/channels"))
        .form(&[("_csrf", token.as_str()), ("require_name", "1"), ("reply_days", "10"), ("led_line_chars", "24"), ("led_speed", "normal")])
        .send()
        .await
        .expect("settings");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let other = client();
    let (status, html) = ask(&other, &base, &[("subject", "无名"), ("question", "没有姓名的提问")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写姓名"), "{html}");
    // (A valid question would now hit the rate limit: every test client shares 127.0.0.1.)
    let page = other.get(format!("{base}/org/town/consult")).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("10 个工作日内答复"), "{page}");
}

gongkai_store::on_both_backends!(consultation_end_to_end);
