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
