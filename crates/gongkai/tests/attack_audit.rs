//! Attack suite, audit trail (issue 12 (b)), on SQLite and PostgreSQL: with
//! the append-only triggers dropped (a database administrator's power), an
//! attacker who truncates the newest entries, rewrites an entry and
//! recomputes the whole SM3 chain after it, or appends a forged entry is
//! caught — by the keyed HMAC-SM3 chain and by the SM2-signed checkpoint.
//! Refused requests (403, CSRF) are audited with role, user agent and request
//! id; back-office responses are `no-store`; error pages keep the headers.

mod common;

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::audit_keys::{load_or_create_signing_key, Checkpoint};
use gongkai_store::test_support::raw_pool;
use gongkai_store::{AuditEntry, Backend, NewAuditEntry, Store};
use reqwest::StatusCode;

const KEY: [u8; 32] = [7; 32];

fn entry(i: i64) -> NewAuditEntry {
    NewAuditEntry {
        at: chrono::Utc::now(),
        actor_id: None,
        actor_name: format!("用户{i}"),
        org_id: None,
        action: "item.publish".into(),
        target: format!("item:{i}"),
        detail: String::new(),
        client: "127.0.0.1".into(),
        success: true,
    }
}

/// Ten keyed entries and a checkpoint over them.
async fn setup(store: &Store) -> (Store, Checkpoint, tempfile::TempDir) {
    let keyed = store.clone().with_audit_key(KEY.to_vec());
    for i in 1..=10 {
        keyed.append_audit(&entry(i)).await.expect("append");
    }
    let dir = tempfile::tempdir().expect("dir");
    let key = load_or_create_signing_key(dir.path()).expect("sm2 key");
    let cp = keyed.audit_checkpoint(&key, chrono::Utc::now()).await.expect("checkpoint");
    assert_eq!((cp.count, cp.head_id), (10, 10));
    assert!(keyed.verify_against_checkpoint(&cp, None).await.expect("verify").is_empty());
    // Drop the append-only protection, as someone with database rights could.
    let sql: &[&str] = match store.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_log DISABLE TRIGGER USER"],
    };
    for s in sql {
        sqlx::query(s).execute(raw_pool(store)).await.expect("drop triggers");
    }
    (keyed, cp, dir)
}

async fn truncation_is_detected(store: &Store) {
    let (keyed, cp, _dir) = setup(store).await;
    sqlx::query("DELETE FROM audit_log WHERE id > 8").execute(raw_pool(store)).await.expect("truncate");
    // The chain alone still looks fine: truncation is only visible against the checkpoint.
    assert_eq!(keyed.verify_audit_chain().await.expect("verify"), None);
    let problems = keyed.verify_against_checkpoint(&cp, None).await.expect("verify");
    assert!(problems.iter().any(|p| p.contains("截断")), "{problems:?}");
}

async fn rewriting_with_a_recomputed_chain_is_detected(store: &Store) {
    let (keyed, cp, _dir) = setup(store).await;
    let mut rows: Vec<AuditEntry> = keyed.audit_entries(0, 0).await.expect("rows").items;
    rows.reverse();
    // Rewrite entry 4 and recompute every SM3 hash after it (the old, unkeyed attack).
    let mut prev = rows[2].hash.clone();
    for r in rows.iter_mut().skip(3) {
        if r.id == 4 {
            r.actor_name = "别人".into();
        }
        r.prev_hash = prev.clone();
        r.hash = r.expected_hash();
        prev = r.hash.clone();
        sqlx::query("UPDATE audit_log SET actor_name = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(&r.actor_name)
            .bind(&r.prev_hash)
            .bind(&r.hash)
            .bind(r.id)
            .execute(raw_pool(store))
            .await
            .expect("rewrite");
    }
    // An unkeyed verifier is fooled; the keyed one is not.
    assert_eq!(store.verify_audit_chain().await.expect("unkeyed"), None);
    let v = keyed.verify_audit().await.expect("verify");
    assert_eq!(v.broken.as_ref().map(|b| b.0), Some(4), "{v:?}");
    let problems = keyed.verify_against_checkpoint(&cp, None).await.expect("verify");
    assert!(problems.iter().any(|p| p.contains("改写")), "{problems:?}");
}

async fn forged_appends_are_detected(store: &Store) {
    let (keyed, cp, _dir) = setup(store).await;
    // Append with a correct SM3 link but without the key (empty or made-up MAC).
    let last = keyed.audit_entry(10).await.expect("load").expect("row 10");
    for (id, mac) in [(11_i64, String::new()), (12, "00".repeat(32))] {
        let prev = if id == 11 { last.hash.clone() } else { keyed.audit_entry(11).await.expect("load").expect("row").hash };
        let mut forged = AuditEntry {
            id,
            at: chrono::Utc::now(),
            actor_id: None,
            actor_name: "伪造".into(),
            org_id: None,
            action: "user.create".into(),
            target: "user:99".into(),
            detail: String::new(),
            client: "10.0.0.1".into(),
            success: true,
            prev_hash: prev,
            hash: String::new(),
            mac: mac.clone(),
            role: String::new(),
            user_agent: String::new(),
            request_id: String::new(),
        };
        forged.hash = forged.expected_hash();
        let at = forged.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash, mac) \
             VALUES ($1, $2, NULL, $3, NULL, $4, $5, $6, $7, 1, $8, $9, $10)",
        )
        .bind(id)
        .bind(&at)
        .bind(&forged.actor_name)
        .bind(&forged.action)
        .bind(&forged.target)
        .bind(&forged.detail)
        .bind(&forged.client)
        .bind(&forged.prev_hash)
        .bind(&forged.hash)
        .bind(&mac)
        .execute(raw_pool(store))
        .await
        .expect("forge");
    }
    let v = keyed.verify_audit().await.expect("verify");
    assert_eq!(v.broken.as_ref().map(|b| b.0), Some(11), "{v:?}");
    assert!(!keyed.verify_against_checkpoint(&cp, None).await.expect("verify").is_empty());
    // A checkpoint altered after signing is refused too.
    let mut bad = cp.clone();
    bad.count = 12;
    assert!(bad.verify_signature(None).is_err());
    assert!(cp.verify_signature(Some("04abcd")).is_err(), "pinned key must match");
}

async fn refusals_are_audited_and_back_office_is_not_cached(store: &Store) {
    let base = start(store.clone()).await;
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "editor", &[Role::Editor]).await;
    let (ed, _, _) = login(&base, "editor", PASSWORD).await;
    // 403: an editor opening the user administration.
    let res = ed.get(format!("{base}/admin/users")).header("user-agent", "attack-suite/1").send().await.expect("users");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let rid = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(rid.len(), 16);
    assert!(res.headers().get("content-security-policy").is_some());
    assert_eq!(res.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // CSRF: a form without its token.
    let res = ed.post(format!("{base}/admin/logout")).form(&[("_csrf", "wrong")]).send().await.expect("logout");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let log = store.audit_entries(0, 0).await.expect("audit").items;
    let refused: Vec<_> = log.iter().filter(|e| e.action == "request.refused").collect();
    assert_eq!(refused.len(), 2, "{log:?}");
    let first = refused.iter().find(|e| e.target == "GET /admin/users").expect("403 audited");
    assert_eq!((first.actor_name.as_str(), first.role.as_str(), first.user_agent.as_str(), first.request_id.as_str()), ("editor", "editor", "attack-suite/1", rid.as_str()));
    assert!(refused.iter().any(|e| e.target == "POST /admin/logout"));
    // The successful login carries its user agent and request id too.
    assert!(log.iter().any(|e| e.action == "login" && e.success && !e.request_id.is_empty() && e.role == "editor"));
    // Every back-office page is no-store; public pages are not forced to be.
    let res = ed.get(format!("{base}/admin")).send().await.expect("dash");
    assert_eq!(res.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // An error page from the framework (415) keeps the security headers.
    let res = client().post(format!("{base}/org/town/consult")).header("content-type", "application/json").body("{}").send().await.expect("415");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.headers().get("content-security-policy").is_some() && res.headers().get("x-frame-options").is_some());
}

gongkai_store::on_both_backends!(
    truncation_is_detected,
    rewriting_with_a_recomputed_chain_is_detected,
    forged_appends_are_detected,
    refusals_are_audited_and_back_office_is_not_cached,
);
