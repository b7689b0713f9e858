//! Attack suite, abuse and availability (issue 12 (c), (d)), against the
//! running server on SQLite and PostgreSQL: NUL and control characters are
//! refused with a Chinese message and nothing is stored (PostgreSQL gave 500,
//! SQLite stored them); the login answers the same for an unknown user, a
//! wrong password and a locked account; the per-address login throttle is not
//! reset by a successful login.

mod common;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::{ConsultationQuery, Store};
use reqwest::StatusCode;

async fn control_characters_are_refused(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    let c = client();
    let page = c.get(format!("{base}/org/town/consult")).send().await.expect("page").text().await.expect("text");
    let token = csrf(&page);
    for bad in ["问题\u{0}内容", "问题\u{1b}[31m", "问题\u{7f}"] {
        let res = c
            .post(format!("{base}/org/town/consult"))
            .form(&[("_csrf", token.as_str()), ("subject", "低保"), ("question", bad), ("name", ""), ("contact", "")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(res.headers().get("content-security-policy").is_some());
        assert!(res.text().await.expect("text").contains("控制字符"));
    }
    // In the query string too.
    let res = c.get(format!("{base}/search?q=a%00b")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(store.consultations(&ConsultationQuery { org_ids: vec![town.id], ..Default::default() }).await.expect("list").total, 0);
    // Ordinary text with line breaks and tabs still goes through.
    let res = c
        .post(format!("{base}/org/town/consult"))
        .form(&[("_csrf", token.as_str()), ("subject", "低保"), ("question", "第一行\r\n第二行\t完"), ("name", ""), ("contact", "")])
        .send()
        .await
        .expect("post");
    assert_ne!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

fn error_text(body: &str) -> String {
    body.split("用户名或密码错误").nth(1).map(|s| s.split('<').next().unwrap_or("").to_string()).unwrap_or_default()
}

async fn login_does_not_reveal_user_names(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "editor", &[Role::Editor]).await;
    let (_, s1, unknown) = login(&base, "nobody", "wrong-password").await;
    let (_, s2, wrong) = login(&base, "editor", "wrong-password").await;
    for _ in 0..4 {
        login(&base, "editor", "wrong-password").await;
    }
    let (_, s3, locked) = login(&base, "editor", PASSWORD).await;
    assert_eq!((s1, s2, s3), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    let (a, b, c) = (error_text(&unknown), error_text(&wrong), error_text(&locked));
    assert!(!a.is_empty() && a == b && b == c, "answers differ: {a:?} / {b:?} / {c:?}");
    assert!(locked.contains("锁定"), "the rule is stated to everyone");
    // The lock-out is still audited: each wrong password once (written with its failure
    // count), the attempt that locked the account, and the attempt while locked.
    let log = store.audit_entries(0, 0).await.expect("audit").items;
    let of = |action: &str| log.iter().filter(|e| e.action == action && e.actor_name != "nobody").count();
    assert_eq!((of("login_failed"), of("account_locked"), of("login_locked")), (5, 1, 1));
    assert!(log.iter().any(|e| e.action == "login_failed" && e.actor_name == "nobody"), "the unknown name is audited too");
}

async fn login_throttle_is_not_reset_by_success(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "editor", &[Role::Editor]).await;
    // 30 attempts per address per 15 minutes; a valid login in between must not reset the count.
    for i in 0..30 {
        let (_, status, _) = if i % 10 == 9 { login(&base, "editor", PASSWORD).await } else { login(&base, &format!("guess{i}"), "x-password").await };
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
    }
    let (_, status, _) = login(&base, "guess-more", "x-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}


async fn password_change_ends_the_other_sessions(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "editor", &[Role::Editor]).await;
    let (here, _, _) = login(&base, "editor", PASSWORD).await;
    let (elsewhere, _, _) = login(&base, "editor", PASSWORD).await;
    assert_eq!(elsewhere.get(format!("{base}/admin")).send().await.expect("get").status(), StatusCode::OK);
    let token = page_csrf(&here, &format!("{base}/admin/password")).await;
    let new = "Zq8#vN3w-Rt6!";
    let res = here
        .post(format!("{base}/admin/password"))
        .form(&[("_csrf", token.as_str()), ("current", PASSWORD), ("new", new), ("confirm", new)])
        .send()
        .await
        .expect("change");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    // The session that changed the password stays; the other one is gone.
    assert_eq!(here.get(format!("{base}/admin")).send().await.expect("get").status(), StatusCode::OK);
    assert_eq!(elsewhere.get(format!("{base}/admin")).send().await.expect("get").status(), StatusCode::SEE_OTHER);
}

async fn role_change_ends_the_sessions(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "boss", &[Role::Admin]).await;
    let target = user(store, &town, "editor", &[Role::Editor, Role::Reviewer]).await;
    let (ed, _, _) = login(&base, "editor", PASSWORD).await;
    assert_eq!(ed.get(format!("{base}/admin")).send().await.expect("get").status(), StatusCode::OK);
    let (boss, _, _) = login(&base, "boss", PASSWORD).await;
    let token = page_csrf(&boss, &format!("{base}/admin/users")).await;
    let res = boss
        .post(format!("{base}/admin/users/{}", target.id))
        .form(&[("_csrf", token.as_str()), ("op", "roles"), ("role_editor", "1")])
        .send()
        .await
        .expect("roles");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    assert_eq!(store.user(target.id).await.expect("user").expect("exists").roles, vec![Role::Editor]);
    assert_eq!(ed.get(format!("{base}/admin")).send().await.expect("get").status(), StatusCode::SEE_OTHER, "old session survived the role change");
}

/// Change one's own password through the form; (status, page).
async fn change_password(c: &reqwest::Client, base: &str, current: &str, new: &str) -> (StatusCode, String) {
    let token = page_csrf(c, &format!("{base}/admin/password")).await;
    let res = c
        .post(format!("{base}/admin/password"))
        .form(&[("_csrf", token.as_str()), ("current", current), ("new", new), ("confirm", new)])
        .send()
        .await
        .expect("change");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// Passwords an administrator issues must be replaced at first sign-in; a new password may
/// not be built from the organisation's names (pinyin included) or repeat one of the last
/// five; a password past its age must be changed before anything else.
async fn issued_reused_and_context_passwords(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "boss", &[Role::Admin]).await;
    let (boss, _, _) = login(&base, "boss", PASSWORD).await;
    let token = page_csrf(&boss, &format!("{base}/admin/users")).await;
    let org_id = town.id.to_string();
    let res = boss
        .post(format!("{base}/admin/users"))
        .form(&[("_csrf", token.as_str()), ("username", "newclerk"), ("display_name", "王晓东"), ("org_id", org_id.as_str()), ("role_editor", "1")])
        .send()
        .await
        .expect("create");
    let html = res.text().await.expect("text");
    let marker = "<code class=\"password\">";
    let issued = html[html.find(marker).expect("password shown once") + marker.len()..].split('<').next().expect("password").to_string();

    // The new clerk signs in and is sent to the password form whatever they open.
    let (clerk, _, _) = login(&base, "newclerk", &issued).await;
    let res = clerk.get(format!("{base}/admin/items")).send().await.expect("items");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().expect("location").to_string();
    assert_eq!(to, "/admin/password?due=issued");
    let form = clerk.get(format!("{base}{to}")).send().await.expect("form").text().await.expect("text");
    assert!(form.contains("管理员设置的密码") && form.contains("最近5次"), "{form}");

    // Names of the person and organisation, as pinyin or written, decorated or not.
    for bad in ["Ceshi@2026!", "Wangxiaodong#1", "Town-2026-abc", "Gongkai@2026!", "Admin@2025!"] {
        let (status, page) = change_password(&clerk, &base, &issued, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.contains("名称") || page.contains("常见") || page.contains("用户名"), "{bad}: {page}");
    }
    // The issued password itself cannot be kept.
    let (status, page) = change_password(&clerk, &base, &issued, &issued).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("最近5次"), "{page}");
    let first = "Tiger-Lamp-Violet-42";
    assert_eq!(change_password(&clerk, &base, &issued, first).await.0, StatusCode::SEE_OTHER);
    assert_eq!(clerk.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::OK, "free to work after the change");
    // Five changes on, the first one may be used again; before that it may not.
    let mut current = first.to_string();
    for (i, next) in ["River-Stone-Maple-17", "Cloud-Brick-Amber-58", "Piano-Frost-Cedar-93", "Lotus-Anvil-Coral-26", "Orbit-Panel-Thyme-34"].iter().enumerate() {
        let (status, page) = change_password(&clerk, &base, &current, first).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "reuse after {i} changes: {page}");
        assert_eq!(change_password(&clerk, &base, &current, next).await.0, StatusCode::SEE_OTHER, "{next}");
        current = next.to_string();
    }
    assert_eq!(change_password(&clerk, &base, &current, first).await.0, StatusCode::SEE_OTHER, "the sixth-last password may be used again");

    // A password past its age (90 days by default) must be changed first.
    sqlx::query("UPDATE users SET password_changed_at = '2020-01-01T00:00:00.000000000Z' WHERE username = 'newclerk'")
        .execute(gongkai_store::test_support::raw_pool(store))
        .await
        .expect("age the password");
    let res = clerk.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/password?due=expired"));
    let form = clerk.get(format!("{base}/admin/password?due=expired")).send().await.expect("form").text().await.expect("text");
    assert!(form.contains("已使用超过90天"), "{form}");
    assert_eq!(change_password(&clerk, &base, first, "Quartz-Willow-Ember-71").await.0, StatusCode::SEE_OTHER);
    assert_eq!(clerk.get(format!("{base}/admin")).send().await.expect("dashboard").status(), StatusCode::OK);

    // An administrator's reset issues a password that must be replaced again.
    let users = boss.get(format!("{base}/admin/users")).send().await.expect("users").text().await.expect("text");
    let token = csrf(&users);
    let clerk_id = store.user_by_username("newclerk").await.expect("load").expect("exists").0.id;
    let res = boss.post(format!("{base}/admin/users/{clerk_id}")).form(&[("_csrf", token.as_str()), ("op", "reset_password")]).send().await.expect("reset");
    let html = res.text().await.expect("text");
    let reset = html[html.find(marker).expect("password shown once") + marker.len()..].split('<').next().expect("password").to_string();
    let (again, _, _) = login(&base, "newclerk", &reset).await;
    assert_eq!(again.get(format!("{base}/admin")).send().await.expect("dashboard").headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/password?due=issued"));
}

/// The authenticator's secret shown on the settings page, and the page's form token.
async fn mfa_secret(c: &reqwest::Client, base: &str) -> (Vec<u8>, String) {
    let page = c.get(format!("{base}/admin/mfa")).send().await.expect("mfa").text().await.expect("text");
    let marker = "<code class=\"secret\">";
    let secret = page[page.find(marker).expect("secret shown") + marker.len()..].split('<').next().expect("secret").replace(' ', "");
    (gongkai_domain::mfa::decode_secret(&secret).expect("base32"), csrf(&page))
}

fn code(secret: &[u8], offset_secs: i64) -> String {
    gongkai_domain::mfa::code_at(secret, (chrono::Utc::now().timestamp() + offset_secs) as u64).expect("code")
}

/// Sign in with the password: the answer's location and whether a session cookie came.
async fn password_step(base: &str, username: &str) -> (reqwest::Client, String, bool) {
    let c = client();
    let token = page_csrf(&c, &format!("{base}/admin/login")).await;
    let res = c.post(format!("{base}/admin/login")).form(&[("username", username), ("password", PASSWORD), ("_csrf", token.as_str())]).send().await.expect("login");
    let session = res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).any(|v| v.starts_with("gk_session=") && !v.starts_with("gk_session=;"));
    let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (c, to, session)
}

async fn code_step(c: &reqwest::Client, base: &str, code: &str) -> (StatusCode, String) {
    let token = page_csrf(c, &format!("{base}/admin/login/mfa")).await;
    let res = c.post(format!("{base}/admin/login/mfa")).form(&[("_csrf", token.as_str()), ("code", code)]).send().await.expect("code");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// Administrators must set up two-step sign-in before anything else; afterwards the
/// password alone opens no session; a code is good once; recovery codes work once; five
/// wrong codes send the user back to the password; others may opt in and out.
async fn two_step_sign_in(store: &Store) {
    let web = gongkai_web::WebConfig { mfa_required_roles: vec![Role::Admin], ..Default::default() };
    let base = start_with(store.clone(), web).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "boss", &[Role::Admin]).await;
    user(store, &town, "editor", &[Role::Editor]).await;

    // Set-up is forced for the administrator.
    let (boss, _, _) = login(&base, "boss", PASSWORD).await;
    let res = boss.get(format!("{base}/admin/items")).send().await.expect("items");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/mfa?due=required"));
    let (secret, token) = mfa_secret(&boss, &base).await;
    let res = boss.post(format!("{base}/admin/mfa")).form(&[("_csrf", token.as_str()), ("op", "confirm"), ("code", "000000")]).send().await.expect("confirm");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let first = code(&secret, 0);
    let res = boss.post(format!("{base}/admin/mfa")).form(&[("_csrf", token.as_str()), ("op", "confirm"), ("code", first.as_str())]).send().await.expect("confirm");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("text");
    let recovery: Vec<String> = html.split("<li><code>").skip(1).filter_map(|p| p.split('<').next()).map(str::to_string).collect();
    assert_eq!(recovery.len(), 10, "{html}");
    assert_eq!(boss.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::OK);
    // The administrator may not turn it off.
    let res = boss.post(format!("{base}/admin/mfa")).form(&[("_csrf", token.as_str()), ("op", "disable"), ("password", PASSWORD)]).send().await.expect("disable");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The password alone opens no session.
    let (c, to, session) = password_step(&base, "boss").await;
    assert_eq!(to, "/admin/login/mfa");
    assert!(!session, "a session before the second step");
    assert_eq!(c.get(format!("{base}/admin")).send().await.expect("admin").status(), StatusCode::SEE_OTHER);
    // A wrong code, and the code already used to confirm (same step), are refused.
    assert_eq!(code_step(&c, &base, "123456").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(code_step(&c, &base, &first).await.0, StatusCode::UNAUTHORIZED, "a code is good once");
    // The next step's code (one step of drift is allowed) signs in, once.
    let next = code(&secret, 30);
    let (status, _) = code_step(&c, &base, &next).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(c.get(format!("{base}/admin")).send().await.expect("admin").status(), StatusCode::OK);
    let (again, _, _) = password_step(&base, "boss").await;
    assert_eq!(code_step(&again, &base, &next).await.0, StatusCode::UNAUTHORIZED, "replayed code");

    // A recovery code works once.
    let (r, _, _) = password_step(&base, "boss").await;
    assert_eq!(code_step(&r, &base, &recovery[0].to_uppercase()).await.0, StatusCode::SEE_OTHER);
    let (r2, _, _) = password_step(&base, "boss").await;
    assert_eq!(code_step(&r2, &base, &recovery[0]).await.0, StatusCode::UNAUTHORIZED, "recovery code reused");
    // Five wrong codes (the reused recovery code was the first): back to the password,
    // counted as a failed sign-in.
    for _ in 0..3 {
        assert_eq!(code_step(&r2, &base, "111111").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, page) = code_step(&r2, &base, "111111").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("次数过多") && page.contains("name=\"password\""), "{page}");
    let res = r2.get(format!("{base}/admin/login/mfa")).send().await.expect("code page");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/login"), "the challenge is gone");
    let audit = store.audit_entries(300, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "login_mfa" && !e.success));
    assert!(audit.items.iter().any(|e| e.action == "mfa.enable" && e.success));

    // An editor is not forced, may opt in, and may turn it off again with the password.
    let (ed, _, _) = login(&base, "editor", PASSWORD).await;
    assert_eq!(ed.get(format!("{base}/admin")).send().await.expect("admin").status(), StatusCode::OK);
    let (esecret, etoken) = mfa_secret(&ed, &base).await;
    let ecode = code(&esecret, 0);
    assert_eq!(ed.post(format!("{base}/admin/mfa")).form(&[("_csrf", etoken.as_str()), ("op", "confirm"), ("code", ecode.as_str())]).send().await.expect("confirm").status(), StatusCode::OK);
    let (_, to, session) = password_step(&base, "editor").await;
    assert!(to == "/admin/login/mfa" && !session, "opted in: {to}");
    let res = ed.post(format!("{base}/admin/mfa")).form(&[("_csrf", etoken.as_str()), ("op", "disable"), ("password", "wrong-password")]).send().await.expect("disable");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = ed.post(format!("{base}/admin/mfa")).form(&[("_csrf", etoken.as_str()), ("op", "disable"), ("password", PASSWORD)]).send().await.expect("disable");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, to, session) = password_step(&base, "editor").await;
    assert!(to == "/admin" && session, "opted out: {to}");

    // The security administrator resets a lost authenticator: set-up starts over.
    let boss_id = store.user_by_username("boss").await.expect("load").expect("exists").0.id;
    // 三员分立: resetting two-step sign-in is the security administrator's.
    user(store, &town, "boss2", &[Role::SecurityAdmin]).await;
    let (b2, _, _) = login(&base, "boss2", PASSWORD).await;
    let (s2, t2) = mfa_secret(&b2, &base).await;
    let c2 = code(&s2, 0);
    assert_eq!(b2.post(format!("{base}/admin/mfa")).form(&[("_csrf", t2.as_str()), ("op", "confirm"), ("code", c2.as_str())]).send().await.expect("confirm").status(), StatusCode::OK);
    let users = b2.get(format!("{base}/admin/users")).send().await.expect("users").text().await.expect("text");
    let res = b2.post(format!("{base}/admin/users/{boss_id}")).form(&[("_csrf", csrf(&users).as_str()), ("op", "reset_mfa")]).send().await.expect("reset");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(store.mfa_state(boss_id).await.expect("state").secret.is_none());
    let (_, to, session) = password_step(&base, "boss").await;
    assert!(to == "/admin" && session, "after the reset the password signs in and set-up is forced again: {to}");
}

gongkai_store::on_both_backends!(
    two_step_sign_in,
    issued_reused_and_context_passwords,
    role_change_ends_the_sessions,
    control_characters_are_refused,
    login_does_not_reveal_user_names,
    login_throttle_is_not_reset_by_success,
    password_change_ends_the_other_sessions,
);
