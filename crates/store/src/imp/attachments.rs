//! Attachments (附件). The bytes live in the database with the metadata:
//! written in the same transactional store, covered by the same backup, and
//! seen by every web node sharing one PostgreSQL.

use chrono::{DateTime, Utc};
use gongkai_domain::model::Attachment;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use super::util::{is_foreign_key_violation, ts, RowExt};
use super::search::log_change;
use super::Store;
use crate::{Result, StoreError};

const ATTACHMENT_COLS: &str = "id, item_id, filename, content_type, size, sha256, display_title";

fn attachment_from_row(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: r.int("id")?,
        item_id: r.int("item_id")?,
        filename: r.text("filename")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        display_title: r.text("display_title")?,
    })
}

impl Store {
    /// Store the bytes with their SHA-256. The web layer has already checked
    /// size and type. Errors: NotFound("信息").
    pub async fn add_attachment(
        &self,
        item_id: i64,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Attachment> {
        self.add_titled_attachment(item_id, filename, "", content_type, bytes, now).await
    }

    /// [`Store::add_attachment`] with a display title (附件显示名称; empty = the file name).
    pub async fn add_titled_attachment(
        &self,
        item_id: i64,
        filename: &str,
        display_title: &str,
        content_type: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Attachment> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let size =
            i64::try_from(bytes.len()).map_err(|_| StoreError::Corrupt("附件过大".to_owned()))?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO attachments (item_id, filename, content_type, size, sha256, content, created_at, display_title) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(item_id)
        .bind(filename)
        .bind(content_type)
        .bind(size)
        .bind(&sha256)
        .bind(bytes)
        .bind(ts(now))
        .bind(display_title)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("信息") } else { StoreError::Db(e) })?;
        log_change(&mut tx, self.backend, item_id, "attachment", now).await?;
        tx.commit().await?;
        Ok(Attachment {
            id: row.int("id")?,
            item_id,
            filename: filename.to_owned(),
            content_type: content_type.to_owned(),
            size,
            sha256,
            display_title: display_title.to_owned(),
        })
    }

    /// The item's attachments in upload order.
    pub async fn attachments(&self, item_id: i64) -> Result<Vec<Attachment>> {
        let sql =
            format!("SELECT {ATTACHMENT_COLS} FROM attachments WHERE item_id = $1 ORDER BY id");
        sqlx::query(&sql)
            .bind(item_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(attachment_from_row)
            .collect()
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>> {
        let sql = format!("SELECT {ATTACHMENT_COLS} FROM attachments WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(attachment_from_row)
            .transpose()
    }

    /// The bytes. Errors: Corrupt if they no longer match the stored SHA-256.
    pub async fn attachment_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let Some(row) = sqlx::query("SELECT content, sha256 FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let content = row.blob("content")?;
        if hex::encode(Sha256::digest(&content)) != row.text("sha256")? {
            return Err(StoreError::Corrupt(format!(
                "附件 {id} 的内容与其 SHA-256 不符"
            )));
        }
        Ok(Some(content))
    }

    /// Errors: NotFound("附件").
    pub async fn delete_attachment(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("DELETE FROM attachments WHERE id = $1 RETURNING item_id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound("附件"));
        };
        let item_id = row.int("item_id")?;
        log_change(&mut tx, self.backend, item_id, "attachment", now).await?;
        tx.commit().await?;
        Ok(())
    }
}
