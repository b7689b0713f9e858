//! The search change log and the anonymous search analytics.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AnyConnection;

use super::util::{day, ts, RowExt};
use super::Store;
use crate::{Backend, ClickStat, DayStat, QueryStat, Result, SearchChange, SearchStats};

/// Append a row to `search_changes` inside the caller's transaction. Call it
/// as the last write before commit: on PostgreSQL it takes an EXCLUSIVE lock
/// on the log (held to commit), so rows become visible in `seq` order and a
/// reader that has seen `seq = n` has seen every smaller `seq` that will ever
/// exist. SQLite writers are already serialised by `BEGIN IMMEDIATE`.
pub(crate) async fn log_change(
    conn: &mut AnyConnection,
    backend: Backend,
    item_id: i64,
    op: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE search_changes IN EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO search_changes (item_id, op, at) VALUES ($1, $2, $3)")
        .bind(item_id)
        .bind(op)
        .bind(ts(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Changes after `seq`, oldest first, at most `limit`.
    pub async fn search_changes_after(&self, seq: i64, limit: i64) -> Result<Vec<SearchChange>> {
        sqlx::query("SELECT seq, item_id, op FROM search_changes WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(limit.max(1))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(SearchChange {
                    seq: r.int("seq")?,
                    item_id: r.int("item_id")?,
                    op: r.text("op")?,
                })
            })
            .collect()
    }

    /// The smallest and largest `seq` still in the log (`None` when empty).
    pub async fn search_change_bounds(&self) -> Result<Option<(i64, i64)>> {
        let r = sqlx::query("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM search_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(match (r.opt_int("lo")?, r.opt_int("hi")?) {
            (Some(lo), Some(hi)) => Some((lo, hi)),
            _ => None,
        })
    }

    /// Delete log rows older than `before`, always keeping the newest row so
    /// that nodes can still tell how far the log goes. Returns rows deleted.
    pub async fn prune_search_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query(
            "DELETE FROM search_changes WHERE at < $1 AND seq < (SELECT MAX(seq) FROM search_changes)",
        )
        .bind(ts(before))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Ids of all published items, ascending (for rebuilding the index).
    pub async fn published_item_ids(&self) -> Result<Vec<i64>> {
        sqlx::query("SELECT id FROM items WHERE status = $1 ORDER BY id")
            .bind(gongkai_domain::model::ItemStatus::Published.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.int("id"))
            .collect()
    }

    /// Which of `ids` are published now (the query-time guard of search).
    pub async fn published_among(&self, ids: &[i64]) -> Result<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT id FROM items WHERE status = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(gongkai_domain::model::ItemStatus::Published.as_str());
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.int("id"))
            .collect()
    }

    /// Count one search of `query` (already normalised, no personal data) on `on`.
    pub async fn record_search(&self, on: NaiveDate, query: &str, results: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO search_query_stats (day, query, searches, zero_results, last_results) \
             VALUES ($1, $2, 1, $3, $4) \
             ON CONFLICT (day, query) DO UPDATE SET searches = search_query_stats.searches + 1, \
             zero_results = search_query_stats.zero_results + excluded.zero_results, \
             last_results = excluded.last_results",
        )
        .bind(day(on))
        .bind(query)
        .bind(i64::from(results == 0))
        .bind(results)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Count one click on item `item_id` from the results of `query` on `on`.
    pub async fn record_search_click(&self, on: NaiveDate, query: &str, item_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO search_click_stats (day, query, item_id, clicks) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (day, query, item_id) DO UPDATE SET clicks = search_click_stats.clicks + 1",
        )
        .bind(day(on))
        .bind(query)
        .bind(item_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Analytics over the days `from..=to`: totals, the `limit` most searched
    /// queries, the most frequent queries without results, the most clicked
    /// results and searches per day.
    pub async fn search_stats(&self, from: NaiveDate, to: NaiveDate, limit: i64) -> Result<SearchStats> {
        let (from, to) = (day(from), day(to));
        let limit = limit.max(1);
        let totals = sqlx::query(
            "SELECT CAST(COALESCE(SUM(searches), 0) AS BIGINT) AS s, CAST(COALESCE(SUM(zero_results), 0) AS BIGINT) AS z \
             FROM search_query_stats WHERE day >= $1 AND day <= $2",
        )
        .bind(&from)
        .bind(&to)
        .fetch_one(&self.pool)
        .await?;
        let total_clicks = sqlx::query(
            "SELECT CAST(COALESCE(SUM(clicks), 0) AS BIGINT) AS c FROM search_click_stats WHERE day >= $1 AND day <= $2",
        )
        .bind(&from)
        .bind(&to)
        .fetch_one(&self.pool)
        .await?
        .int("c")?;
        let query_stats = |having: &'static str| {
            format!(
                "SELECT query, CAST(SUM(searches) AS BIGINT) AS s, CAST(SUM(zero_results) AS BIGINT) AS z, \
                 CAST(MAX(last_results) AS BIGINT) AS r FROM search_query_stats WHERE day >= $1 AND day <= $2 \
                 GROUP BY query {having} ORDER BY {} DESC, query LIMIT $3",
                if having.is_empty() { "s" } else { "z" }
            )
        };
        let mut lists = Vec::new();
        for having in ["", "HAVING SUM(zero_results) > 0"] {
            let rows = sqlx::query(&query_stats(having))
                .bind(&from)
                .bind(&to)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            let list = rows
                .iter()
                .map(|r| {
                    Ok(QueryStat {
                        query: r.text("query")?,
                        searches: r.int("s")?,
                        zero_results: r.int("z")?,
                        last_results: r.int("r")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            lists.push(list);
        }
        let zero = lists.pop().unwrap_or_default();
        let top = lists.pop().unwrap_or_default();
        let clicks = sqlx::query(
            "SELECT query, item_id, CAST(SUM(clicks) AS BIGINT) AS c FROM search_click_stats \
             WHERE day >= $1 AND day <= $2 GROUP BY query, item_id ORDER BY c DESC, query, item_id LIMIT $3",
        )
        .bind(&from)
        .bind(&to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ClickStat {
                query: r.text("query")?,
                item_id: r.int("item_id")?,
                clicks: r.int("c")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let days = sqlx::query(
            "SELECT day, CAST(SUM(searches) AS BIGINT) AS s, CAST(SUM(zero_results) AS BIGINT) AS z \
             FROM search_query_stats WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(DayStat {
                day: r.text("day")?,
                searches: r.int("s")?,
                zero_results: r.int("z")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(SearchStats {
            total_searches: totals.int("s")?,
            total_zero: totals.int("z")?,
            total_clicks,
            top,
            zero,
            clicks,
            days,
        })
    }
}
