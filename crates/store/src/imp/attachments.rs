//! Attachments (附件). By default the bytes live in the database with the
//! metadata: written in the same transactional store, covered by the same
//! backup, and seen by every web node sharing one PostgreSQL. With an object
//! store configured, new bytes go there under their SHA-256 (stored once
//! however often attached) and the row records `location = 's3'`; the object is
//! written before the row, so a row never points at a missing object.
//! [`Store::move_attachments`] moves existing bytes between the two while the
//! site keeps serving them.

use chrono::{DateTime, Utc};
use gongkai_domain::model::Attachment;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use super::util::{is_foreign_key_violation, ts, RowExt};
use super::search::log_change;
use super::Store;
use crate::blobs::{BlobLocation, ObjectStore};
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
        let (location, kept): (BlobLocation, &[u8]) = match &self.objects {
            Some(objects) => {
                objects.put(&sha256, bytes).await?;
                (BlobLocation::ObjectStore, &[])
            }
            None => (BlobLocation::Database, bytes),
        };
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO attachments (item_id, filename, content_type, size, sha256, content, created_at, location, display_title) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(item_id)
        .bind(filename)
        .bind(content_type)
        .bind(size)
        .bind(&sha256)
        .bind(kept)
        .bind(ts(now))
        .bind(location.as_str())
        .bind(display_title)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("信息") } else { StoreError::Db(e) })?;
        log_change(&mut tx, self.backend, item_id, "attachment", now).await?;
        self.commit(tx).await?;
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

    /// The bytes. Errors: Corrupt if they no longer match the stored SHA-256
    /// or are missing from the object store.
    pub async fn attachment_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let Some(row) = sqlx::query("SELECT content, sha256, location FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let sha256 = row.text("sha256")?;
        let content = match BlobLocation::parse(&row.text("location")?) {
            Some(BlobLocation::Database) => row.blob("content")?,
            Some(BlobLocation::ObjectStore) => self
                .object_store(id)?
                .get(&sha256)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("附件 {id} 的内容在对象存储中不存在")))?,
            None => return Err(StoreError::Corrupt(format!("附件 {id} 的存放位置无法识别"))),
        };
        if hex::encode(Sha256::digest(&content)) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "附件 {id} 的内容与其 SHA-256 不符"
            )));
        }
        Ok(Some(content))
    }

    /// Bytes `start..=end` of an attachment (a download's `Range`), read from
    /// wherever they are kept: only the requested part crosses the network
    /// from an object store.
    pub async fn attachment_range(&self, id: i64, start: u64, end: u64) -> Result<Option<Vec<u8>>> {
        let Some(row) = sqlx::query("SELECT sha256, location FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        if BlobLocation::parse(&row.text("location")?) == Some(BlobLocation::ObjectStore) {
            let sha256 = row.text("sha256")?;
            return Ok(Some(
                self.object_store(id)?
                    .get_range(&sha256, start, end)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("附件 {id} 的内容在对象存储中不存在")))?,
            ));
        }
        let Some(all) = self.attachment_content(id).await? else { return Ok(None) };
        let from = usize::try_from(start).unwrap_or(usize::MAX).min(all.len());
        let to = usize::try_from(end.saturating_add(1)).unwrap_or(usize::MAX).min(all.len());
        Ok(Some(all[from..to.max(from)].to_vec()))
    }

    fn object_store(&self, id: i64) -> Result<&ObjectStore> {
        self.objects
            .as_deref()
            .ok_or_else(|| StoreError::Corrupt(format!("附件 {id} 保存在对象存储中，但本节点没有配置对象存储")))
    }

    /// How many attachments are kept in the database and in the object store.
    pub async fn attachment_locations(&self) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN location = 'db' THEN 1 ELSE 0 END), 0) AS db, \
             COALESCE(SUM(CASE WHEN location = 's3' THEN 1 ELSE 0 END), 0) AS s3 FROM attachments",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((r.int("db")?, r.int("s3")?))
    }

    /// Move every attachment's bytes to `to`, one at a time, while the site
    /// keeps serving them: each is copied first and its row switched after,
    /// with a conditional update, so a reader sees either the old or the new
    /// place and a move that is interrupted can simply be run again. Bytes are
    /// checked against their SHA-256 before they are moved. Objects are not
    /// deleted from the store when moving back to the database (others may
    /// share them). Returns how many were moved; `progress` is called after each.
    pub async fn move_attachments(&self, to: BlobLocation, mut progress: impl FnMut(i64, i64)) -> Result<i64> {
        let objects = self.objects.as_deref().ok_or_else(|| StoreError::Corrupt("没有配置对象存储，无法迁移附件".into()))?;
        let ids: Vec<i64> = sqlx::query("SELECT id FROM attachments WHERE location <> $1 ORDER BY id")
            .bind(to.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.int("id"))
            .collect::<Result<_>>()?;
        let total = ids.len() as i64;
        let mut moved = 0;
        for id in ids {
            let Some(bytes) = self.attachment_content(id).await? else { continue };
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let done = match to {
                BlobLocation::ObjectStore => {
                    objects.put(&sha256, &bytes).await?;
                    sqlx::query("UPDATE attachments SET location = 's3', content = $1 WHERE id = $2 AND location = 'db'")
                        .bind(&[] as &[u8])
                        .bind(id)
                        .execute(&self.pool)
                        .await?
                }
                BlobLocation::Database => {
                    sqlx::query("UPDATE attachments SET location = 'db', content = $1 WHERE id = $2 AND location = 's3'")
                        .bind(&bytes)
                        .bind(id)
                        .execute(&self.pool)
                        .await?
                }
            };
            moved += done.rows_affected() as i64;
            progress(moved, total);
        }
        Ok(moved)
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
        self.commit(tx).await?;
        Ok(())
    }
}
