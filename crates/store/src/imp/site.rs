//! Site-level settings and the 解读 relation between items (migration 0011).
//! SIGNATURES ARE THE CONTRACT used by the web crate.

use chrono::{DateTime, Utc};

use super::util::{is_foreign_key_violation, ts, RowExt};
use super::Store;
use crate::{Result, StoreError};

impl Store {
    /// Every stored site setting as (key, value), ordered by key.
    pub async fn site_settings(&self) -> Result<Vec<(String, String)>> {
        sqlx::query("SELECT key, value FROM site_settings ORDER BY key")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.text("key")?, r.text("value")?)))
            .collect()
    }

    /// Store settings in one transaction; an empty value removes the key
    /// (the default applies again).
    pub async fn set_site_settings(&self, values: &[(&str, &str)], at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        for (key, value) in values {
            sqlx::query("DELETE FROM site_settings WHERE key = $1").bind(*key).execute(&mut *tx).await?;
            if !value.is_empty() {
                sqlx::query("INSERT INTO site_settings (key, value, updated_at) VALUES ($1, $2, $3)")
                    .bind(*key)
                    .bind(*value)
                    .bind(ts(at))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// Link a policy document with its interpretation (政策解读). Linking twice
    /// is harmless. Errors: NotFound("信息") for an unknown item,
    /// Conflict when an item would interpret itself.
    pub async fn add_interpretation(&self, policy_id: i64, interpretation_id: i64, at: DateTime<Utc>) -> Result<()> {
        if policy_id == interpretation_id {
            return Err(StoreError::Conflict { field: "interpretation", message: "一条信息不能作为自己的解读".into() });
        }
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM item_interpretations WHERE policy_id = $1 AND interpretation_id = $2")
            .bind(policy_id)
            .bind(interpretation_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO item_interpretations (policy_id, interpretation_id, created_at) VALUES ($1, $2, $3)")
            .bind(policy_id)
            .bind(interpretation_id)
            .bind(ts(at))
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("信息") } else { StoreError::Db(e) })?;
        self.commit(tx).await
    }

    /// Remove a link. Errors: NotFound("解读关系").
    pub async fn remove_interpretation(&self, policy_id: i64, interpretation_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM item_interpretations WHERE policy_id = $1 AND interpretation_id = $2")
            .bind(policy_id)
            .bind(interpretation_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("解读关系"));
        }
        self.commit(tx).await
    }

    /// The links an item takes part in, as (policy_id, interpretation_id):
    /// the interpretations of the item and the policies it interprets.
    pub async fn interpretation_links(&self, item_id: i64) -> Result<Vec<(i64, i64)>> {
        sqlx::query(
            "SELECT policy_id, interpretation_id FROM item_interpretations WHERE policy_id = $1 OR interpretation_id = $1 \
             ORDER BY policy_id, interpretation_id",
        )
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.int("policy_id")?, r.int("interpretation_id")?)))
        .collect()
    }
}
