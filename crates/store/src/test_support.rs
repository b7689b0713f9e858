//! Fresh, migrated databases for tests — this crate's and other crates'
//! integration tests. Not for production use: failures here panic with a
//! clear message, which is what a test wants.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;

use crate::Store;

/// Keeps a test database alive; dropping it removes the database (the temp
/// dir for SQLite, `DROP DATABASE … WITH (FORCE)` for PostgreSQL).
pub struct TestDb {
    url: String,
    kind: Kind,
}

enum Kind {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// The URL of the fresh database (for tests that start a server process on it).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Kind::Postgres { admin_url, name } = &self.kind {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop may run inside a Tokio runtime, which cannot be blocked on:
            // do the work on a plain thread with a runtime of its own.
            let worker = std::thread::spawn(move || drop_database(&admin_url, &name));
            if worker.join().is_err() {
                eprintln!("测试数据库清理线程崩溃 (test database cleanup thread panicked)");
            }
        }
    }
}

fn drop_database(admin_url: &str, name: &str) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法删除测试数据库 {name} (cannot drop test database): {e}");
            return;
        }
    };
    rt.block_on(async {
        match sqlx::PgConnection::connect(admin_url).await {
            Ok(mut conn) => {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(e) = sqlx::query(&sql).execute(&mut conn).await {
                    eprintln!("无法删除测试数据库 {name} (cannot drop test database): {e}");
                }
                let _ = conn.close().await;
            }
            Err(e) => eprintln!("无法删除测试数据库 {name} (cannot drop test database): {e}"),
        }
    });
}

/// The data keys test stores seal personal fields with: fixed, so that a test
/// opening the same database again (`Store::connect(db.url())`) can attach them.
pub fn test_data_keys() -> crate::data_keys::DataKeys {
    crate::data_keys::DataKeys::new(&[(1, vec![0x5a; 16])], vec![0xa5; 32])
        .expect("测试数据密钥无效 (test data keys invalid)")
}

/// A fresh SQLite store in a temp dir (keep the TempDir alive in the returned guard).
pub async fn fresh_sqlite() -> (Store, TestDb) {
    let dir = tempfile::tempdir().expect("无法创建临时目录 (cannot create temp dir)");
    let url = format!("sqlite:{}", dir.path().join("gongkai.db").display());
    let store = Store::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("无法打开测试数据库 {url}: {e}"))
        .with_data_keys(test_data_keys());
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("测试数据库迁移失败 {url}: {e}"));
    (
        store,
        TestDb {
            url,
            kind: Kind::Sqlite { _dir: dir },
        },
    )
}

/// A fresh PostgreSQL database for this test: reads GONGKAI_TEST_DATABASE_URL
/// (e.g. `postgres://root@127.0.0.1:5432/test`), creates a uniquely named
/// database (`gk_test_<pid>_<nanos>_<counter>`), migrates it and returns it;
/// the guard drops the database. Returns None, after saying so on stderr, when
/// the variable is unset — but panics if `CI` is set (CI must run them).
pub async fn fresh_postgres() -> Option<(Store, TestDb)> {
    let admin_url = match std::env::var("GONGKAI_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!("CI 必须运行 PostgreSQL 测试 (PostgreSQL tests must run in CI): set GONGKAI_TEST_DATABASE_URL");
            }
            eprintln!(
                "PostgreSQL 测试未运行 (PostgreSQL tests NOT RUN): set GONGKAI_TEST_DATABASE_URL"
            );
            return None;
        }
    };
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!(
        "gk_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );

    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("无法连接 GONGKAI_TEST_DATABASE_URL (cannot connect): {e}"));
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("无法创建测试数据库 {name} (cannot create test database): {e}"));
    let _ = admin.close().await;

    let url = with_database(&admin_url, &name);
    // The guard exists before anything else can fail, so the database is dropped.
    let db = TestDb {
        url: url.clone(),
        kind: Kind::Postgres { admin_url, name },
    };
    let store = Store::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("无法打开测试数据库: {e}"))
        .with_data_keys(test_data_keys());
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("测试数据库迁移失败: {e}"));
    Some((store, db))
}

/// The store's connection pool, for tests that must reach under the store
/// (checking pragmas, attempting forbidden writes). Never use it in production code.
pub fn raw_pool(store: &Store) -> &sqlx::AnyPool {
    store.pool()
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let mut out = match base[authority_start..].find('/') {
        Some(i) => base[..authority_start + i].to_owned(),
        None => base.to_owned(),
    };
    out.push('/');
    out.push_str(name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/test", "x"),
            "postgres://root@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://root@h", "x"),
            "postgres://root@h/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
    }
}

/// A township organisation with the default 索引号 rule, for tests: its id.
pub async fn township(store: &Store, slug: &str, name: &str, org_code: &str) -> i64 {
    store
        .create_org(&crate::NewOrganisation {
            slug: slug.into(),
            name: name.into(),
            org_code: org_code.into(),
            level: gongkai_domain::model::OrgLevel::Township,
            parent_id: None,
            office: gongkai_domain::model::DisclosureOffice::default(),
            index_pattern: "{org_code}/{year}-{serial:5}".into(),
            description: String::new(),
        })
        .await
        .expect("test organisation")
        .id
}

/// Run each named `async fn case(store: &Store)` of the calling test file on
/// SQLite and on PostgreSQL, as `sqlite::case` and `postgres::case`.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (store, _db) = $crate::test_support::fresh_sqlite().await;
                    super::$case(&store).await;
                    store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some((store, _db)) = $crate::test_support::fresh_postgres().await else { return };
                    super::$case(&store).await;
                    store.close().await;
                }
            )*
        }
    };
}
