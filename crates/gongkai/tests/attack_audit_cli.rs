//! `gongkai audit checkpoint` / `gongkai audit verify --checkpoint FILE` as an
//! auditor uses them: the key file is created 0600 outside the database, a
//! clean log verifies, a truncated one fails naming the truncation.

use std::process::{Command, Output};

fn gongkai(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai")).args(args).arg("--data-dir").arg(data).env_remove("GONGKAI_CONFIG").env_remove("GONGKAI_AUDIT_KEY").output().expect("run")
}

#[test]
fn offline_verification_against_a_checkpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = gongkai(dir.path(), &["migrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let key_file = dir.path().join("keys/audit-mac.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).expect("key file").permissions().mode() & 0o777, 0o600);
        // The database file holds personal data: owner only.
        assert_eq!(std::fs::metadata(dir.path().join("gongkai.db")).expect("db").permissions().mode() & 0o777, 0o600);
    }
    let key = hex::decode(std::fs::read_to_string(&key_file).expect("key").trim()).expect("hex");
    let db = dir.path().join("gongkai.db");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let store = gongkai_store::Store::connect(&format!("sqlite:{}", db.display())).await.expect("connect").with_audit_key(key);
        for i in 0..5 {
            store
                .append_audit(&gongkai_store::NewAuditEntry {
                    at: chrono::Utc::now(),
                    actor_id: None,
                    actor_name: "系统".into(),
                    org_id: None,
                    action: "config.change".into(),
                    target: format!("setting:{i}"),
                    detail: String::new(),
                    client: "cli".into(),
                    success: true,
                })
                .await
                .expect("append");
        }
        store.close().await;
    });
    let cp = dir.path().join("cp.json");
    let o = gongkai(dir.path(), &["audit", "checkpoint", "-o", cp.to_str().expect("path")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = gongkai(dir.path(), &["audit", "verify", "--checkpoint", cp.to_str().expect("path")]);
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("审计日志完整"));
    // Someone with database rights removes the newest entry.
    runtime.block_on(async {
        let store = gongkai_store::Store::connect(&format!("sqlite:{}", db.display())).await.expect("connect");
        let pool = gongkai_store::test_support::raw_pool(&store);
        sqlx::query("DROP TRIGGER audit_log_no_delete").execute(pool).await.expect("drop");
        sqlx::query("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)").execute(pool).await.expect("delete");
        store.close().await;
    });
    let o = gongkai(dir.path(), &["audit", "verify", "--checkpoint", cp.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("日志被截断"), "{}", String::from_utf8_lossy(&o.stdout));
}
