//! Every release upgrades in place: a database of the previous release (kept as
//! a fixture) is migrated by this build and keeps all its data, and the
//! application serves it.

mod common;

use std::io::Read;
use std::path::Path;

use gongkai_store::test_support::{raw_pool, test_data_keys};
use gongkai_store::{ApplicationQuery, Store};
use sqlx::Row;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("fixture")).read_to_end(&mut out).expect("gunzip");
    out
}

async fn upgrade_and_check(store: &Store) {
    let pending = store.pending_migrations().await.expect("pending");
    assert!(pending.iter().any(|m| m.starts_with("0012")), "fixture predates 0012: {pending:?}");
    assert!(!pending.iter().any(|m| m.starts_with("0001") || m.starts_with("0005")), "{pending:?}");
    let before = store.table_counts().await.expect("counts");
    assert_eq!(before["items"], 131);
    assert_eq!(before["applications"], 23);
    store.migrate().await.expect("upgrade");
    assert!(store.pending_migrations().await.expect("pending").is_empty());
    let after = store.table_counts().await.expect("counts");
    for (table, n) in &before {
        assert_eq!(after.get(table), Some(n), "table {table} changed in the upgrade");
    }
    // The previous release's personal data is in clear; it reads as it is, and the
    // re-encryption pass (run by `serve` in the background) seals every value, after
    // which every application reads the same.
    let org_ids: Vec<i64> = store.orgs().await.expect("orgs").iter().map(|o| o.id).collect();
    let personal = |apps: Vec<gongkai_store::StoredApplication>| -> Vec<(i64, String, String, String, String)> {
        apps.into_iter().map(|a| (a.id, a.id_doc_number, a.phone, a.email, a.postal_address)).collect()
    };
    let q = ApplicationQuery { org_ids: org_ids.clone(), ..Default::default() };
    let clear = personal(store.applications(&q).await.expect("clear applications").items);
    assert_eq!(clear.len(), 23);
    assert!(clear.iter().any(|a| !a.1.is_empty()), "the fixture has ID numbers");
    let status = store.data_key_status().await.expect("status");
    assert!(status.columns.iter().map(|c| c.clear).sum::<i64>() > 0 && status.clear_index_keys > 0, "{status:?}");
    let done = store.reencrypt_all(10, std::time::Duration::ZERO).await.expect("reencrypt");
    assert_eq!(done.failed, 0, "{done:?}");
    assert!(done.rows >= 23, "{done:?}");
    assert!(store.data_key_status().await.expect("status").all_current());
    let clear_left: i64 = sqlx::query("SELECT COUNT(*) FROM applications WHERE (id_doc_number <> '' AND id_doc_number NOT LIKE 'sm4g:%') OR (phone <> '' AND phone NOT LIKE 'sm4g:%')")
        .fetch_one(raw_pool(store))
        .await
        .expect("raw")
        .get(0);
    assert_eq!(clear_left, 0);
    assert_eq!(personal(store.applications(&q).await.expect("sealed applications").items), clear);
    // New tables work, and the audit chain continues.
    store
        .enqueue_message(&gongkai_store::NewMessage { kind: "test".into(), recipient: "a@example.cn".into(), subject: "s".into(), body: "b".into(), ..Default::default() }, chrono::Utc::now())
        .await
        .expect("outbox after upgrade");
    store
        .append_audit(&gongkai_store::NewAuditEntry {
            at: chrono::Utc::now(),
            actor_id: None,
            actor_name: "升级测试".into(),
            org_id: None,
            action: "upgrade.check".into(),
            target: String::new(),
            detail: String::new(),
            client: String::new(),
            success: true,
        })
        .await
        .expect("audit");
    assert_eq!(store.verify_audit_chain().await.expect("chain"), None);
    // The upgraded database serves the portal and an application's tracking page data.
    let base = common::start(store.clone()).await;
    let c = common::client();
    assert_eq!(c.get(format!("{base}/readyz")).send().await.expect("readyz").status(), reqwest::StatusCode::OK);
    let home = c.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(home.status(), reqwest::StatusCode::OK);
    let orgs = store.orgs().await.expect("orgs");
    let town = orgs.iter().find(|o| o.slug == "yuantan").expect("demo town");
    let page = c.get(format!("{base}/org/{}", town.slug)).send().await.expect("org page");
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.expect("text").contains(&town.name));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn previous_release_sqlite_upgrades_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("gongkai.db");
    std::fs::write(&db, fixture("release-0.1.0-sqlite.db.gz")).expect("write fixture");
    // With data keys, as `gongkai serve` opens it.
    let store = Store::connect(&format!("sqlite:{}", db.display())).await.expect("open previous release").with_data_keys(test_data_keys());
    upgrade_and_check(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn previous_release_postgres_upgrades_in_place() {
    let Ok(admin) = std::env::var("GONGKAI_TEST_DATABASE_URL") else {
        assert!(std::env::var_os("CI").is_none(), "PostgreSQL tests must run in CI");
        println!("NOT RUN: set GONGKAI_TEST_DATABASE_URL");
        return;
    };
    let name = format!("gk_upgrade_{}_{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let psql = |url: &str, args: &[&str], input: Option<Vec<u8>>| {
        use std::io::Write;
        let mut child = std::process::Command::new("psql")
            .args(["--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", url])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("psql (postgresql-client)");
        if let Some(bytes) = input {
            child.stdin.take().expect("stdin").write_all(&bytes).expect("feed dump");
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().expect("psql");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    psql(&admin, &["-c", &format!("CREATE DATABASE \"{name}\"")], None);
    let url = format!("{}/{name}", &admin[..admin.rfind('/').expect("db url path")]);
    psql(&url, &[], Some(fixture("release-0.1.0-postgres.sql.gz")));
    let store = Store::connect(&url).await.expect("open previous release").with_data_keys(test_data_keys());
    upgrade_and_check(&store).await;
    store.close().await;
    psql(&admin, &["-c", &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")], None);
}
