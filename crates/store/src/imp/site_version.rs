//! The public pages' version, watched by every web node's page cache, and
//! SQLite's WAL checkpoint, run off the request path.

use super::util::RowExt;
use super::Store;
use crate::{Backend, Result};

/// What the portal's pages were rendered from: the search change log's last
/// sequence number and the site generation counter. Pages rendered at one
/// version are valid until either number moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SiteVersion {
    pub change_seq: i64,
    pub generation: i64,
}

impl Store {
    /// The current [`SiteVersion`] (one round trip).
    pub async fn site_version(&self) -> Result<SiteVersion> {
        let r = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM search_changes) AS seq, \
             (SELECT n FROM site_generation WHERE id = 1) AS n",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SiteVersion { change_seq: r.opt_int("seq")?.unwrap_or(0), generation: r.opt_int("n")?.unwrap_or(0) })
    }

    /// Record that something the portal shows has changed.
    pub async fn bump_site_generation(&self) -> Result<()> {
        sqlx::query("UPDATE site_generation SET n = n + 1 WHERE id = 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Copy committed WAL frames into the SQLite database file without
    /// blocking readers or writers (`PASSIVE`); with `truncate`, also reset
    /// the WAL file to zero length when no reader needs it. Returns the WAL
    /// size in frames before the checkpoint. A no-op (0) on PostgreSQL.
    pub async fn checkpoint(&self, truncate: bool) -> Result<i64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let sql = if truncate { "PRAGMA wal_checkpoint(TRUNCATE)" } else { "PRAGMA wal_checkpoint(PASSIVE)" };
        let r = sqlx::query(sql).fetch_one(&self.pool).await?;
        // Columns: busy, log (frames in the WAL), checkpointed.
        Ok(r.opt_int("log")?.unwrap_or(0))
    }
}
