//! Import of existing content: items published elsewhere enter as published history, all of
//! one run in a single transaction (nothing half-imported), with their original 发布日期 and
//! 索引号, a workflow event `import`, their attachments and the search change log.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::model::{ItemStatus, Validity};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::items::{assign_index_no, insert_item_row};
use super::search::log_change;
use super::util::{day, doc_number_key, ts, unique_violation, RowExt};
use super::Store;
use crate::blobs::BlobLocation;
use crate::import::{ImportMatch, ImportedItem};
use crate::{NewItemEvent, Result, StoreError};

/// Look up an item by its import key: (org, 索引号) when given, else (org, title, 发布日期, 文号).
async fn find_match(
    conn: &mut AnyConnection,
    org_id: i64,
    index_no: Option<&str>,
    title: &str,
    publish_date: NaiveDate,
    doc_number: Option<&str>,
) -> Result<ImportMatch> {
    if let Some(index_no) = index_no {
        let row = sqlx::query("SELECT id, org_id FROM items WHERE index_no = $1")
            .bind(index_no)
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(match row {
            Some(r) if r.int("org_id")? == org_id => ImportMatch::Exists(r.int("id")?),
            Some(_) => ImportMatch::IndexTaken,
            None => ImportMatch::New,
        });
    }
    let rows = sqlx::query("SELECT id, doc_number_key FROM items WHERE org_id = $1 AND title = $2 AND publish_date = $3")
        .bind(org_id)
        .bind(title)
        .bind(day(publish_date))
        .fetch_all(&mut *conn)
        .await?;
    let want = doc_number.and_then(doc_number_key);
    for r in rows {
        let have: Option<String> = r.opt_text("doc_number_key")?;
        if have == want {
            return Ok(ImportMatch::Exists(r.int("id")?));
        }
    }
    Ok(ImportMatch::New)
}

impl Store {
    /// Whether the item of this import key is already stored (see [`ImportMatch`]).
    pub async fn import_match(
        &self,
        org_id: i64,
        index_no: Option<&str>,
        title: &str,
        publish_date: NaiveDate,
        doc_number: Option<&str>,
    ) -> Result<ImportMatch> {
        let mut conn = self.pool.acquire().await?;
        find_match(&mut conn, org_id, index_no, title, publish_date, doc_number).await
    }

    /// Whether an item of the organisation already has this 文号 (compared in normalised form).
    pub async fn doc_number_taken(&self, org_id: i64, doc_number: &str) -> Result<bool> {
        let Some(key) = doc_number_key(doc_number) else { return Ok(false) };
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query("SELECT id FROM items WHERE org_id = $1 AND doc_number_key = $2")
            .bind(org_id)
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.is_some())
    }

    /// Import `items` into organisation `org_id` in one transaction: each becomes a published
    /// item with its own 发布日期, validity and 索引号 (the next serial from `render_index`
    /// when it has none), an `import` event by `author_id`, its attachments and a search-log
    /// entry. Items whose import key is already stored are skipped (`None` in the result).
    /// Any error rolls the whole run back. Errors: Conflict("index_no") when a 索引号 belongs
    /// to another organisation; Conflict("doc_number"); NotFound("栏目"/"用户").
    pub async fn import_items(
        &self,
        org_id: i64,
        author_id: i64,
        items: &[ImportedItem],
        render_index: &(dyn Fn(NaiveDate, u64) -> String + Send + Sync),
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<i64>>> {
        // Content-addressed objects go first: a row never points at a missing object, and an
        // object left by a rolled-back run is only an unreferenced copy.
        if let Some(objects) = &self.objects {
            for a in items.iter().flat_map(|i| &i.attachments) {
                objects.put(&hex::encode(Sha256::digest(&a.bytes)), &a.bytes).await?;
            }
        }
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(items.len());
        let mut first = None;
        for item in items {
            let f = &item.fields;
            match find_match(&mut tx, org_id, item.index_no.as_deref(), &f.title, item.publish_date, f.doc_number.as_deref()).await? {
                ImportMatch::Exists(_) => {
                    ids.push(None);
                    continue;
                }
                ImportMatch::IndexTaken => {
                    return Err(StoreError::Conflict {
                        field: "index_no",
                        message: format!("索引号“{}”已被其他机关的信息使用", item.index_no.as_deref().unwrap_or_default()),
                    })
                }
                ImportMatch::New => {}
            }
            let event = NewItemEvent { actor_id: author_id, action: "import".into(), comment: "导入已有公开信息".into(), at };
            let id = insert_item_row(&mut tx, org_id, author_id, f, ItemStatus::Published, Some(item.publish_date), &event).await?;
            if let Some(index_no) = &item.index_no {
                sqlx::query("UPDATE items SET index_no = $2 WHERE id = $1")
                    .bind(id)
                    .bind(index_no)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match unique_violation(&e) {
                        Some(_) => StoreError::Conflict { field: "index_no", message: format!("索引号“{index_no}”已被其他信息使用") },
                        None => StoreError::Db(e),
                    })?;
            } else {
                let publish_date = item.publish_date;
                let render = move |serial: u64| render_index(publish_date, serial);
                assign_index_no(&mut tx, id, publish_date, &render).await?;
            }
            if item.validity != Validity::Valid {
                sqlx::query("UPDATE items SET validity = $2 WHERE id = $1")
                    .bind(id)
                    .bind(item.validity.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            for a in &item.attachments {
                let sha256 = hex::encode(Sha256::digest(&a.bytes));
                let size = i64::try_from(a.bytes.len()).map_err(|_| StoreError::Corrupt("附件过大".to_owned()))?;
                let (location, kept): (BlobLocation, &[u8]) = match &self.objects {
                    Some(_) => (BlobLocation::ObjectStore, &[]),
                    None => (BlobLocation::Database, &a.bytes),
                };
                sqlx::query(
                    "INSERT INTO attachments (item_id, filename, content_type, size, sha256, content, created_at, location, display_title) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '')",
                )
                .bind(id)
                .bind(&a.filename)
                .bind(&a.content_type)
                .bind(size)
                .bind(&sha256)
                .bind(kept)
                .bind(ts(at))
                .bind(location.as_str())
                .execute(&mut *tx)
                .await?;
            }
            first.get_or_insert(id);
            ids.push(Some(id));
        }
        // The search log last (it locks the log on PostgreSQL until commit).
        for id in ids.iter().flatten() {
            log_change(&mut tx, self.backend, *id, "publish", at).await?;
        }
        self.commit_for(tx, first).await?;
        Ok(ids)
    }
}
