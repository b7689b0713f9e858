//! Operations support: readiness probe, connection-pool figures and the
//! durability settings in effect, for health checks, metrics and `gongkai doctor`.

use sqlx::Row;

use super::{POSTGRES_MIGRATOR, SQLITE_MIGRATOR};
use crate::*;

/// Figures of the connection pool at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open connections (idle and in use).
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// A database setting that decides whether committed data survives a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurabilitySetting {
    pub name: &'static str,
    pub value: String,
    /// Whether the value is what gongkai requires.
    pub ok: bool,
    pub required: &'static str,
}

impl Store {
    /// One round trip to the database (`SELECT 1`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    pub fn pool_status(&self) -> PoolStatus {
        PoolStatus {
            size: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Migrations this build knows that the database has not applied yet.
    pub async fn pending_migrations(&self) -> Result<Vec<String>> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let applied: Vec<i64> = match sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = $1")
            .bind(true)
            .fetch_all(&self.pool)
            .await
        {
            Ok(rows) => rows.iter().map(|r| r.try_get::<i64, _>(0)).collect::<std::result::Result<_, _>>()?,
            // No migration table yet: nothing applied.
            Err(_) => Vec::new(),
        };
        Ok(migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .map(|m| format!("{:04} {}", m.version, m.description))
            .collect())
    }

    /// The durability settings in effect on one pooled connection.
    pub async fn durability_settings(&self) -> Result<Vec<DurabilitySetting>> {
        let mut out = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                let mut conn = self.pool.acquire().await?;
                let journal: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await?.try_get(0)?;
                let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await?.try_get(0)?;
                let fk: i64 = sqlx::query("PRAGMA foreign_keys").fetch_one(&mut *conn).await?.try_get(0)?;
                out.push(DurabilitySetting { name: "journal_mode", ok: journal.eq_ignore_ascii_case("wal"), value: journal, required: "wal" });
                out.push(DurabilitySetting { name: "synchronous", ok: sync == 2, value: sync.to_string(), required: "2（FULL）" });
                out.push(DurabilitySetting { name: "foreign_keys", ok: fk == 1, value: fk.to_string(), required: "1" });
            }
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?;
                for (name, required) in [("fsync", "on"), ("synchronous_commit", "on"), ("full_page_writes", "on")] {
                    let value: String = sqlx::query(&format!("SHOW {name}")).fetch_one(&mut *conn).await?.try_get(0)?;
                    let ok = match name {
                        "synchronous_commit" => matches!(value.as_str(), "on" | "local" | "remote_write" | "remote_apply"),
                        _ => value == "on",
                    };
                    out.push(DurabilitySetting { name, value, ok, required });
                }
            }
        }
        Ok(out)
    }
}

/// Tables of the application (not the migration bookkeeping).
async fn table_names(store: &Store, conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
    let sql = match store.backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
        Backend::Postgres => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations' ORDER BY tablename",
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0).map_err(StoreError::from)).collect()
}

async fn count_tables(store: &Store, conn: &mut sqlx::AnyConnection) -> Result<std::collections::BTreeMap<String, i64>> {
    let mut out = std::collections::BTreeMap::new();
    for t in table_names(store, conn).await? {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM \"{}\"", t.replace('"', "\"\""))).fetch_one(&mut *conn).await?.try_get(0)?;
        out.insert(t, n);
    }
    Ok(out)
}

impl Store {
    /// Rows in every application table, read in one transaction.
    pub async fn table_counts(&self) -> Result<std::collections::BTreeMap<String, i64>> {
        let mut tx = self.pool.begin().await?;
        let counts = count_tables(self, &mut tx).await?;
        tx.rollback().await?;
        Ok(counts)
    }

    /// Whether the database holds no application tables at all (a restore target).
    pub async fn is_empty_database(&self) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        Ok(table_names(self, &mut conn).await?.is_empty())
    }

    /// SQLite only: write a consistent copy of the live database to `path`
    /// (`VACUUM INTO`; writers continue meanwhile).
    pub async fn vacuum_into(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Corrupt("VACUUM INTO 只适用于 SQLite".into()));
        }
        let literal = path.to_string_lossy().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{literal}'")).execute(&self.pool).await?;
        Ok(())
    }

    /// PostgreSQL only: export a snapshot from a read-only REPEATABLE READ
    /// transaction, count the rows it sees, and run `f` with the snapshot id
    /// while it is held (`pg_dump --snapshot=…` then dumps exactly those rows).
    pub async fn with_exported_snapshot<T, F, Fut>(&self, f: F) -> Result<(std::collections::BTreeMap<String, i64>, T)>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        if self.backend != Backend::Postgres {
            return Err(StoreError::Corrupt("导出快照只适用于 PostgreSQL".into()));
        }
        let mut tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
        let snapshot: String = sqlx::query("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?.try_get(0)?;
        let counts = count_tables(self, &mut tx).await?;
        let out = f(snapshot).await;
        tx.rollback().await?;
        Ok((counts, out))
    }
}
