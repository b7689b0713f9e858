//! 三员分立 (separation of the three administrators, 等保 2.0 level 3), against the running
//! server on SQLite and PostgreSQL: the system, security and audit administrators are each
//! refused (403, audited) on the others' pages and actions; nobody changes their own roles;
//! one account cannot be made two of them; a role change ends the account's sessions. And
//! with the real binary: `serve` refuses to start while an account holds two administrator
//! roles, and starts (with a warning, also in `gongkai doctor`) in single-person mode; the
//! first start creates the three administrators.

mod common;

use std::process::{Command, Output};

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::Store;
use reqwest::StatusCode;

/// Whether the audit log holds a refusal of `target` (e.g. `GET /admin/audit`) for `actor`.
async fn refusal_audited(store: &Store, actor: &str, target: &str) -> bool {
    let audit = store.audit_entries(1000, 0).await.expect("audit");
    audit.items.iter().any(|e| e.action == "request.refused" && !e.success && e.actor_name == actor && e.target == target)
}

async fn post_user(c: &reqwest::Client, base: &str, id: i64, form: &[(&str, &str)]) -> (StatusCode, String) {
    let token = page_csrf(c, &format!("{base}/admin/users")).await;
    let mut fields = vec![("_csrf", token.as_str())];
    fields.extend_from_slice(form);
    let res = c.post(format!("{base}/admin/users/{id}")).form(&fields).send().await.expect("post");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn each_administrator_keeps_to_their_own_pages(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    let sys = user(store, &town, "sysadmin", &[Role::Admin]).await;
    let sec = user(store, &town, "secadmin", &[Role::SecurityAdmin]).await;
    let aud = user(store, &town, "auditor", &[Role::AuditAdmin]).await;
    let clerk = user(store, &town, "clerk", &[Role::Editor]).await;
    let (sc, _, _) = login(&base, "sysadmin", PASSWORD).await;
    let (xc, _, _) = login(&base, "secadmin", PASSWORD).await;
    let (ac, _, _) = login(&base, "auditor", PASSWORD).await;
    let (ec, _, _) = login(&base, "clerk", PASSWORD).await;

    // Only the audit administrator reads and exports the audit log.
    for (c, who) in [(&sc, "sysadmin"), (&xc, "secadmin"), (&ec, "clerk")] {
        for path in ["/admin/audit", "/admin/audit/export"] {
            let res = c.get(format!("{base}{path}?format=csv")).send().await.expect("get");
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} {path}");
            assert!(refusal_audited(store, who, &format!("GET {path}")).await, "{who}'s refusal on {path} audited");
        }
    }
    let res = ac.get(format!("{base}/admin/audit")).send().await.expect("audit");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("审计日志"));
    let res = ac.get(format!("{base}/admin/audit/export?format=csv")).send().await.expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("request.refused"), "the export holds the refusals");
    // The auditor's dashboard is the audit log; they change nothing and see no cases.
    let res = ac.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/audit"));
    for path in ["/admin/users", "/admin/items", "/admin/applications", "/admin/org", "/admin/reveal-grants", "/api/v1/staff/applications"] {
        assert_eq!(ac.get(format!("{base}{path}")).send().await.expect("get").status(), StatusCode::FORBIDDEN, "auditor on {path}");
        assert!(refusal_audited(store, "auditor", &format!("GET {path}")).await, "auditor on {path} audited");
    }
    let token = page_csrf(&ac, &format!("{base}/admin/audit")).await;
    let res = ac.post(format!("{base}/admin/users/{}", clerk.id)).form(&[("_csrf", token.as_str()), ("op", "disable")]).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!store.user(clerk.id).await.expect("user").expect("exists").disabled);

    // The security administrator: user roles and reveal grants, no disclosure work, no settings.
    assert_eq!(xc.get(format!("{base}/admin/users")).send().await.expect("users").status(), StatusCode::OK);
    let res = xc.get(format!("{base}/admin/reveal-grants")).send().await.expect("grants");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    for path in ["/admin/items", "/admin/org", "/admin/site", "/admin/catalog"] {
        assert_eq!(xc.get(format!("{base}{path}")).send().await.expect("get").status(), StatusCode::FORBIDDEN, "secadmin on {path}");
        assert!(refusal_audited(store, "secadmin", &format!("GET {path}")).await);
    }
    // Creating accounts is the system administrator's.
    let token = page_csrf(&xc, &format!("{base}/admin/users")).await;
    let org_id = town.id.to_string();
    let res = xc
        .post(format!("{base}/admin/users"))
        .form(&[("_csrf", token.as_str()), ("username", "newone"), ("display_name", "新人"), ("org_id", org_id.as_str()), ("role_editor", "1")])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(store.user_by_username("newone").await.expect("load").is_none());

    // The system administrator: accounts and business roles, not the administrator roles.
    assert_eq!(sc.get(format!("{base}/admin/reveal-grants")).send().await.expect("grants").status(), StatusCode::FORBIDDEN);
    assert!(refusal_audited(store, "sysadmin", "GET /admin/reveal-grants").await);
    let (status, _) = post_user(&sc, &base, clerk.id, &[("op", "roles"), ("role_editor", "1"), ("role_audit_admin", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the system administrator grants no administrator role");
    assert!(refusal_audited(store, "sysadmin", &format!("POST /admin/users/{}", clerk.id)).await);
    assert_eq!(store.user(clerk.id).await.expect("user").expect("exists").roles, vec![Role::Editor]);
    let (status, _) = post_user(&sc, &base, aud.id, &[("op", "roles"), ("role_editor", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor removes one");
    let (status, _) = post_user(&sc, &base, aud.id, &[("op", "reset_password")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an administrator's account is the security administrator's to keep");
    let token = page_csrf(&sc, &format!("{base}/admin/users")).await;
    let res = sc
        .post(format!("{base}/admin/users"))
        .form(&[("_csrf", token.as_str()), ("username", "sneaky"), ("display_name", "某人"), ("org_id", org_id.as_str()), ("role_security_admin", "1")])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(store.user_by_username("sneaky").await.expect("load").is_none());
    // An account may be created without roles: it waits for the security administrator.
    let token = page_csrf(&sc, &format!("{base}/admin/users")).await;
    let res = sc
        .post(format!("{base}/admin/users"))
        .form(&[("_csrf", token.as_str()), ("username", "pending"), ("display_name", "待授权"), ("org_id", org_id.as_str())])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("尚无角色"));
    let (pending, _) = store.user_by_username("pending").await.expect("load").expect("created");
    assert!(pending.roles.is_empty());
    store.set_password(pending.id, &gongkai_web::hash_password(PASSWORD).expect("hash")).await.expect("password");
    let (pc, _, _) = login(&base, "pending", PASSWORD).await;
    let res = pc.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.expect("text").contains("尚未授予任何角色"));
    assert_eq!(pc.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::FORBIDDEN);
    let (status, body) = post_user(&sc, &base, clerk.id, &[("op", "roles"), ("role_editor", "1"), ("role_reviewer", "1")]).await;
    assert_eq!(status, StatusCode::OK, "business roles are the system administrator's: {body}");
    assert_eq!(store.user(clerk.id).await.expect("user").expect("exists").roles, vec![Role::Editor, Role::Reviewer]);

    // Nobody changes their own roles.
    for (c, me, who) in [(&sc, &sys, "sysadmin"), (&xc, &sec, "secadmin")] {
        let (status, _) = post_user(c, &base, me.id, &[("op", "roles"), ("role_admin", "1"), ("role_security_admin", "1"), ("role_audit_admin", "1")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} on their own roles");
        assert_eq!(store.user(me.id).await.expect("user").expect("exists").roles, me.roles, "{who}'s roles unchanged");
    }

    // The security administrator grants administrator roles, one to an account; the change
    // ends the account's sessions and is audited.
    let (status, body) = post_user(&xc, &base, clerk.id, &[("op", "roles"), ("role_admin", "1"), ("role_audit_admin", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "two administrator roles: {body}");
    assert!(body.contains("三员分立"), "{body}");
    assert_eq!(store.user(clerk.id).await.expect("user").expect("exists").roles, vec![Role::Editor, Role::Reviewer]);
    // The system administrator's change above ended the clerk's session: sign in again.
    assert_eq!(ec.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::SEE_OTHER);
    let (ec, _, _) = login(&base, "clerk", PASSWORD).await;
    assert_eq!(ec.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::OK);
    let (status, body) = post_user(&xc, &base, clerk.id, &[("op", "roles"), ("role_audit_admin", "1")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(store.user(clerk.id).await.expect("user").expect("exists").roles, vec![Role::AuditAdmin]);
    assert_eq!(ec.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::SEE_OTHER, "the old session ended");
    let audit = store.audit_entries(1000, 0).await.expect("audit");
    assert!(audit.items.iter().any(|e| e.action == "user.roles" && e.success && e.actor_name == "secadmin" && e.detail == "audit_admin"));
    // Now an auditor, the former clerk reads the log and nothing else.
    let (ec, _, _) = login(&base, "clerk", PASSWORD).await;
    assert_eq!(ec.get(format!("{base}/admin/audit")).send().await.expect("audit").status(), StatusCode::OK);
    assert_eq!(ec.get(format!("{base}/admin/items")).send().await.expect("items").status(), StatusCode::FORBIDDEN);
    // Two-step sign-in resets are the security administrator's.
    let (status, _) = post_user(&sc, &base, clerk.id, &[("op", "reset_mfa")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post_user(&xc, &base, clerk.id, &[("op", "reset_mfa")]).await;
    assert_eq!(status, StatusCode::OK);
}

/// In single-person mode one account may hold all three administrator roles.
async fn single_person_mode_allows_merged_roles(store: &Store) {
    let base = start_with(store.clone(), gongkai_web::WebConfig { single_person_mode: true, ..Default::default() }).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "secadmin", &[Role::SecurityAdmin]).await;
    let clerk = user(store, &town, "clerk", &[Role::Editor]).await;
    let (xc, _, _) = login(&base, "secadmin", PASSWORD).await;
    let (status, body) = post_user(&xc, &base, clerk.id, &[("op", "roles"), ("role_admin", "1"), ("role_audit_admin", "1")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(store.user(clerk.id).await.expect("user").expect("exists").roles, vec![Role::Admin, Role::AuditAdmin]);
}

gongkai_store::on_both_backends!(each_administrator_keeps_to_their_own_pages, single_person_mode_allows_merged_roles);

// ---- the real binary ----

fn gongkai(data: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args).arg("--data-dir").arg(data).env_remove("GONGKAI_CONFIG").env_remove("GONGKAI_DATABASE_URL").env_remove("GONGKAI_SINGLE_PERSON_MODE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run gongkai")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Start `gongkai serve` and return what it printed once it answers, or once it exited
/// (with its exit status).
fn serve(data: &std::path::Path, env: &[(&str, &str)]) -> (Option<std::process::ExitStatus>, String) {
    use std::io::Read;
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .env_remove("GONGKAI_CONFIG")
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_SINGLE_PERSON_MODE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut exited = None;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            exited = Some(status);
            break;
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "server neither started nor exited");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut out);
    }
    (exited, out)
}

#[test]
fn first_start_creates_the_three_administrators() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (exited, out) = serve(dir.path(), &[]);
    assert!(exited.is_none(), "started: {out}");
    for name in ["用户名：admin", "用户名：secadmin", "用户名：auditor", "系统管理员", "安全管理员", "审计管理员"] {
        assert!(out.contains(name), "{name} missing: {out}");
    }
    assert!(!out.contains("密码："), "passwords on standard output: {out}");
    let accounts = std::fs::read_to_string(dir.path().join("initial-accounts.txt")).expect("accounts file");
    assert_eq!(accounts.matches("密码：").count(), 3, "{accounts}");
    let list = text(&gongkai(dir.path(), &["user", "list"], &[]));
    for line in ["admin ", "secadmin ", "auditor "] {
        assert!(list.lines().any(|l| l.starts_with(line)), "{line}: {list}");
    }
    assert!(list.contains("security_admin") && list.contains("audit_admin"), "{list}");
    let doctor = text(&gongkai(dir.path(), &["doctor"], &[]));
    assert!(doctor.contains("[正常] 三员分立"), "{doctor}");
    // The password file is a reminder until it is deleted.
    assert!(doctor.contains("[注意] 初始密码") && doctor.contains("initial-accounts.txt"), "{doctor}");
    std::fs::remove_file(dir.path().join("initial-accounts.txt")).expect("delete");
    assert!(!text(&gongkai(dir.path(), &["doctor"], &[])).contains("初始密码"));
}

#[test]
fn merged_administrator_roles_refuse_to_start_outside_single_person_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (exited, out) = serve(dir.path(), &[]);
    assert!(exited.is_none(), "{out}");
    // The command line refuses a merged account as the back office does …
    let out = gongkai(dir.path(), &["user", "set-roles", "admin", "--role", "admin,audit_admin"], &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("三员分立"), "{}", text(&out));
    // … unless in single-person mode; then `serve` without it refuses to start and says why.
    let out = gongkai(dir.path(), &["user", "set-roles", "admin", "--role", "admin,audit_admin"], &[("GONGKAI_SINGLE_PERSON_MODE", "true")]);
    assert!(out.status.success(), "{}", text(&out));
    let (exited, out) = serve(dir.path(), &[]);
    let status = exited.expect("refused to start");
    assert!(!status.success());
    assert!(out.contains("三员分立") && out.contains("admin 同时是“系统管理员”和“审计管理员”") && out.contains("single_person_mode"), "{out}");
    let doctor = gongkai(dir.path(), &["doctor"], &[]);
    assert!(text(&doctor).contains("[问题] 三员分立"), "{}", text(&doctor));
    // In single-person mode it starts, with a warning, also in the check-up.
    let (exited, out) = serve(dir.path(), &[("GONGKAI_SINGLE_PERSON_MODE", "true")]);
    assert!(exited.is_none(), "{out}");
    assert!(out.contains("三员分立未实行"), "{out}");
    let doctor = text(&gongkai(dir.path(), &["doctor"], &[("GONGKAI_SINGLE_PERSON_MODE", "true")]));
    assert!(doctor.contains("[注意] 三员分立") && doctor.contains("三员分立未实行"), "{doctor}");
    let out = gongkai(dir.path(), &["user", "list"], &[]);
    assert!(text(&out).contains("admin,audit_admin"), "{}", text(&out));
}

#[test]
fn single_person_mode_bootstraps_one_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (exited, out) = serve(dir.path(), &[("GONGKAI_SINGLE_PERSON_MODE", "true")]);
    assert!(exited.is_none(), "{out}");
    let accounts = std::fs::read_to_string(dir.path().join("initial-accounts.txt")).expect("accounts file");
    assert_eq!(accounts.matches("密码：").count(), 1, "{accounts}");
    assert!(out.contains("用户名：admin") && !out.contains("secadmin"), "{out}");
    let list = text(&gongkai(dir.path(), &["user", "list"], &[]));
    assert!(list.contains("admin,security_admin,audit_admin"), "{list}");
}
