//! Working-day calendar years added by administrators.

use super::util::{is_foreign_key_violation, ts, RowExt};
use super::Store;
use crate::{Result, StoreError, StoredCalendarYear};

impl Store {
    /// All stored years, ascending.
    pub async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>> {
        sqlx::query("SELECT year, json, added_by, added_at FROM calendar_years ORDER BY year")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let year = r.int("year")?;
                Ok(StoredCalendarYear {
                    year: i32::try_from(year).map_err(|_| {
                        StoreError::Corrupt(format!("字段 year：年份 {year} 超出范围"))
                    })?,
                    json: r.text("json")?,
                    added_by: r.int("added_by")?,
                    added_at: r.time("added_at")?,
                })
            })
            .collect()
    }

    /// Insert or replace a year. Errors: NotFound("用户") if `added_by` does not exist.
    pub async fn put_calendar_year(&self, year: &StoredCalendarYear) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, json, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET json = excluded.json, added_by = excluded.added_by, added_at = excluded.added_at",
        )
        .bind(i64::from(year.year))
        .bind(&year.json)
        .bind(year.added_by)
        .bind(ts(year.added_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("用户") } else { StoreError::Db(e) })?;
        self.commit(tx).await?;
        Ok(())
    }
}
