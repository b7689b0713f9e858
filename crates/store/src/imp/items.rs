//! Information items (政府信息), their workflow events and listings.

use chrono::{Datelike, NaiveDate};
use gongkai_domain::model::{
    DisclosureMode, DocType, Item, ItemEvent, ItemFields, ItemStatus, Validity,
};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{
    bind_all, day, doc_number_key, ints, is_foreign_key_violation, ts, unique_violation, Arg, Filter,
    RowExt,
};
use super::search::log_change;
use super::Store;
use crate::{ItemOrder, ItemQuery, NewItemEvent, Page, Result, StoreError};

const ITEM_COLS: &str = "id, org_id, catalog_id, title, summary, body_html, publisher, formed_date, doc_number, topic, \
     genre, keywords, disclosure_mode, doc_type, statutory_category, index_no, status, publish_date, validity, \
     validity_date, validity_note, author_id, withdraw_reason, created_at, updated_at";

const EVENT_COLS: &str =
    "id, item_id, actor_id, actor_name, action, from_status, to_status, comment, at";

/// The statuses of items not yet published (the Art. 26 watch list).
const UNPUBLISHED: [ItemStatus; 4] = [
    ItemStatus::Draft,
    ItemStatus::Submitted,
    ItemStatus::Returned,
    ItemStatus::Approved,
];

fn item_from_row(r: &AnyRow) -> Result<Item> {
    Ok(Item {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        fields: ItemFields {
            catalog_id: r.int("catalog_id")?,
            title: r.text("title")?,
            summary: r.text("summary")?,
            body_html: r.text("body_html")?,
            publisher: r.text("publisher")?,
            formed_date: r.date("formed_date")?,
            doc_number: r.opt_text("doc_number")?,
            topic: r.text("topic")?,
            genre: r.text("genre")?,
            keywords: r.text("keywords")?,
            disclosure_mode: r.code("disclosure_mode", DisclosureMode::parse)?,
            doc_type: r.code("doc_type", DocType::parse)?,
            statutory_category: r.opt_text("statutory_category")?,
        },
        index_no: r.opt_text("index_no")?,
        status: r.code("status", ItemStatus::parse)?,
        publish_date: r.opt_date("publish_date")?,
        validity: r.code("validity", Validity::parse)?,
        validity_date: r.opt_date("validity_date")?,
        validity_note: r.text("validity_note")?,
        author_id: r.int("author_id")?,
        withdraw_reason: r.opt_text("withdraw_reason")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn event_from_row(r: &AnyRow) -> Result<ItemEvent> {
    Ok(ItemEvent {
        id: r.int("id")?,
        item_id: r.int("item_id")?,
        actor_id: r.int("actor_id")?,
        actor_name: r.text("actor_name")?,
        action: r.text("action")?,
        from_status: r.opt_code("from_status", ItemStatus::parse)?,
        to_status: r.code("to_status", ItemStatus::parse)?,
        comment: r.text("comment")?,
        at: r.time("at")?,
    })
}

fn status_conflict() -> StoreError {
    StoreError::Conflict {
        field: "status",
        message: "该信息状态已变化，请刷新后重试".to_owned(),
    }
}

fn doc_number_conflict(doc_number: &str) -> StoreError {
    StoreError::Conflict {
        field: "doc_number",
        message: format!("文号“{doc_number}”在本机关已存在"),
    }
}

fn index_conflict(index_no: &str) -> StoreError {
    StoreError::Conflict {
        field: "index_no",
        message: format!("索引号“{index_no}”已被其他信息使用"),
    }
}

async fn load_item(conn: &mut AnyConnection, id: i64) -> Result<Option<Item>> {
    let sql = format!("SELECT {ITEM_COLS} FROM items WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(item_from_row)
        .transpose()
}

pub(super) async fn must_load_item(conn: &mut AnyConnection, id: i64) -> Result<Item> {
    load_item(conn, id)
        .await?
        .ok_or(StoreError::NotFound("信息"))
}

/// After a conditional update changed nothing: the item is gone or moved on.
async fn no_row_error(conn: &mut AnyConnection, id: i64) -> StoreError {
    match load_item(conn, id).await {
        Ok(Some(_)) => status_conflict(),
        Ok(None) => StoreError::NotFound("信息"),
        Err(e) => e,
    }
}

/// The catalog node must belong to the organisation.
async fn check_catalog(conn: &mut AnyConnection, org_id: i64, catalog_id: i64) -> Result<()> {
    let row = sqlx::query("SELECT org_id FROM catalog_nodes WHERE id = $1")
        .bind(catalog_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) if r.int("org_id")? == org_id => Ok(()),
        _ => Err(StoreError::NotFound("栏目")),
    }
}

/// The normalised 文号 must be free in the organisation (ignoring item `except`).
async fn check_doc_number(
    conn: &mut AnyConnection,
    org_id: i64,
    fields: &ItemFields,
    except: i64,
) -> Result<Option<String>> {
    let Some(doc) = fields.doc_number.as_deref() else {
        return Ok(None);
    };
    let Some(key) = doc_number_key(doc) else {
        return Ok(None);
    };
    let taken =
        sqlx::query("SELECT id FROM items WHERE org_id = $1 AND doc_number_key = $2 AND id <> $3")
            .bind(org_id)
            .bind(&key)
            .bind(except)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Err(doc_number_conflict(doc));
    }
    Ok(Some(key))
}

fn item_write_error(e: sqlx::Error, fields: &ItemFields) -> StoreError {
    match unique_violation(&e) {
        Some(t) if t.contains("doc_number") => {
            doc_number_conflict(fields.doc_number.as_deref().unwrap_or_default())
        }
        _ if is_foreign_key_violation(&e) => StoreError::NotFound("栏目"),
        _ => StoreError::Db(e),
    }
}

/// Append a workflow event, with the actor's current display name.
async fn record_event(
    conn: &mut AnyConnection,
    item_id: i64,
    from: Option<ItemStatus>,
    to: ItemStatus,
    event: &NewItemEvent,
) -> Result<()> {
    let actor = sqlx::query("SELECT display_name FROM users WHERE id = $1")
        .bind(event.actor_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("用户"))?;
    let actor_name = actor.text("display_name")?;
    sqlx::query(
        "INSERT INTO item_events (item_id, actor_id, actor_name, action, from_status, to_status, comment, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(item_id)
    .bind(event.actor_id)
    .bind(actor_name)
    .bind(&event.action)
    .bind(from.map(ItemStatus::as_str))
    .bind(to.as_str())
    .bind(&event.comment)
    .bind(ts(event.at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `publish_date` within calendar year `year` (dates are ISO text).
fn year_filter(f: &mut Filter, year: i32) {
    let from = f.arg(Arg::Text(format!("{year:04}-01-01")));
    let to = f.arg(Arg::Text(format!("{year:04}-12-31")));
    f.clause(format!("publish_date >= {from} AND publish_date <= {to}"));
}

/// Give a just-published item its 索引号 if it has none: the next serial for (org, year of
/// `publish_date`), rendered by `render_index`. Atomic on both backends: the counter row is
/// locked until the transaction commits. Conflict("index_no") if the rendered number is taken.
pub(super) async fn assign_index_no(
    conn: &mut AnyConnection,
    id: i64,
    publish_date: NaiveDate,
    render_index: &(dyn Fn(u64) -> String + Send + Sync),
) -> Result<()> {
    let item = must_load_item(conn, id).await?;
    if item.index_no.is_some() {
        return Ok(());
    }
    let serial = sqlx::query(
        "INSERT INTO index_serials (org_id, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (org_id, year) DO UPDATE SET last = index_serials.last + 1 RETURNING last",
    )
    .bind(item.org_id)
    .bind(i64::from(publish_date.year()))
    .fetch_one(&mut *conn)
    .await?
    .int("last")?;
    let serial = u64::try_from(serial).map_err(|_| StoreError::Corrupt(format!("索引号流水号为负数：{serial}")))?;
    let index_no = render_index(serial);
    let taken = sqlx::query("SELECT id FROM items WHERE index_no = $1")
        .bind(&index_no)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(index_conflict(&index_no));
    }
    sqlx::query("UPDATE items SET index_no = $2 WHERE id = $1")
        .bind(id)
        .bind(&index_no)
        .execute(&mut *conn)
        .await
        .map_err(|e| if unique_violation(&e).is_some() { index_conflict(&index_no) } else { StoreError::Db(e) })?;
    Ok(())
}

/// Insert an item row in `status` (with its 发布日期 when published) after the catalog and
/// 文号 checks, and record its first event; returns the new id.
pub(super) async fn insert_item_row(
    conn: &mut AnyConnection,
    org_id: i64,
    author_id: i64,
    fields: &ItemFields,
    status: ItemStatus,
    publish_date: Option<NaiveDate>,
    event: &NewItemEvent,
) -> Result<i64> {
    check_catalog(conn, org_id, fields.catalog_id).await?;
    let key = check_doc_number(conn, org_id, fields, 0).await?;
    let at = ts(event.at);
    let id = sqlx::query(
        "INSERT INTO items (org_id, catalog_id, author_id, title, summary, body_html, publisher, formed_date, \
         doc_number, doc_number_key, topic, genre, keywords, disclosure_mode, doc_type, statutory_category, \
         status, validity, validity_note, publish_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, '', $19, $20, $20) \
         RETURNING id",
    )
    .bind(org_id)
    .bind(fields.catalog_id)
    .bind(author_id)
    .bind(&fields.title)
    .bind(&fields.summary)
    .bind(&fields.body_html)
    .bind(&fields.publisher)
    .bind(day(fields.formed_date))
    .bind(fields.doc_number.as_deref())
    .bind(key)
    .bind(&fields.topic)
    .bind(&fields.genre)
    .bind(&fields.keywords)
    .bind(fields.disclosure_mode.as_str())
    .bind(fields.doc_type.as_str())
    .bind(fields.statutory_category.as_deref())
    .bind(status.as_str())
    .bind(Validity::Valid.as_str())
    .bind(publish_date.map(day))
    .bind(&at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| item_write_error(e, fields))?
    .int("id")?;
    record_event(conn, id, None, status, event).await?;
    Ok(id)
}

/// Insert an item that is published at once (an annual report published through its own
/// review): no draft passes through the item workflow, so the events record the report
/// workflow's actor. Same 文号 and catalog checks as [`Store::create_item`].
pub(super) async fn insert_published_item(
    conn: &mut AnyConnection,
    org_id: i64,
    author_id: i64,
    fields: &ItemFields,
    publish_date: NaiveDate,
    render_index: &(dyn Fn(u64) -> String + Send + Sync),
    event: &NewItemEvent,
) -> Result<Item> {
    let id = insert_item_row(conn, org_id, author_id, fields, ItemStatus::Published, Some(publish_date), event).await?;
    assign_index_no(conn, id, publish_date, render_index).await?;
    must_load_item(conn, id).await
}

impl Store {
    /// Creates a draft. Errors: Conflict("doc_number") on a duplicate 文号 within
    /// the organisation (compared in normalised form); NotFound("栏目") if the catalog node is not the org's;
    /// NotFound("用户") if the author or actor does not exist.
    pub async fn create_item(
        &self,
        org_id: i64,
        author_id: i64,
        fields: &ItemFields,
        event: &NewItemEvent,
    ) -> Result<Item> {
        let mut tx = self.begin().await?;
        let author = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(author_id)
            .fetch_optional(&mut *tx)
            .await?;
        if author.is_none() {
            return Err(StoreError::NotFound("用户"));
        }
        let id = insert_item_row(&mut tx, org_id, author_id, fields, ItemStatus::Draft, None, event).await?;
        let item = must_load_item(&mut tx, id).await?;
        self.commit_for(tx, Some(id)).await?;
        Ok(item)
    }

    /// Replace the editable fields (only while editable; Conflict("status") otherwise),
    /// with the same 文号 and catalog checks, and record the event.
    pub async fn update_item_fields(
        &self,
        id: i64,
        fields: &ItemFields,
        event: &NewItemEvent,
    ) -> Result<Item> {
        let mut tx = self.begin().await?;
        let current = must_load_item(&mut tx, id).await?;
        if !current.status.is_editable() {
            return Err(StoreError::Conflict {
                field: "status",
                message: format!("该信息处于“{}”状态，不能修改", current.status.label()),
            });
        }
        check_catalog(&mut tx, current.org_id, fields.catalog_id).await?;
        let key = check_doc_number(&mut tx, current.org_id, fields, id).await?;
        let r = sqlx::query(
            "UPDATE items SET catalog_id = $3, title = $4, summary = $5, body_html = $6, publisher = $7, \
             formed_date = $8, doc_number = $9, doc_number_key = $10, topic = $11, genre = $12, keywords = $13, \
             disclosure_mode = $14, doc_type = $15, statutory_category = $16, updated_at = $17 \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(current.status.as_str())
        .bind(fields.catalog_id)
        .bind(&fields.title)
        .bind(&fields.summary)
        .bind(&fields.body_html)
        .bind(&fields.publisher)
        .bind(day(fields.formed_date))
        .bind(fields.doc_number.as_deref())
        .bind(key)
        .bind(&fields.topic)
        .bind(&fields.genre)
        .bind(&fields.keywords)
        .bind(fields.disclosure_mode.as_str())
        .bind(fields.doc_type.as_str())
        .bind(fields.statutory_category.as_deref())
        .bind(ts(event.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| item_write_error(e, fields))?;
        if r.rows_affected() == 0 {
            return Err(no_row_error(&mut tx, id).await);
        }
        record_event(&mut tx, id, Some(current.status), current.status, event).await?;
        log_change(&mut tx, self.backend, id, "edit", event.at).await?;
        let item = must_load_item(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(item)
    }

    pub async fn item(&self, id: i64) -> Result<Option<Item>> {
        let mut conn = self.pool.acquire().await?;
        load_item(&mut conn, id).await
    }

    /// The items with these ids that exist, in one query (a page of search hits), in no
    /// particular order.
    pub async fn items_by_ids(&self, ids: &[i64]) -> Result<Vec<Item>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("id", ints(ids));
        let sql = format!("SELECT {ITEM_COLS} FROM items{}", f.sql());
        bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await?.iter().map(item_from_row).collect()
    }

    /// Move an item from `from` to `to` and record the event, atomically; Conflict("status")
    /// if the item is no longer in `from` (someone else acted first).
    /// `withdraw_reason` is stored when `to` is Withdrawn and cleared otherwise.
    /// Publishing goes through [`Store::publish_item`], which assigns the 索引号.
    pub async fn transition_item(
        &self,
        id: i64,
        from: ItemStatus,
        to: ItemStatus,
        withdraw_reason: Option<&str>,
        event: &NewItemEvent,
    ) -> Result<Item> {
        let reason = if to == ItemStatus::Withdrawn {
            withdraw_reason
        } else {
            None
        };
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE items SET status = $3, withdraw_reason = $4, updated_at = $5 WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(reason)
            .bind(ts(event.at))
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(no_row_error(&mut tx, id).await);
        }
        record_event(&mut tx, id, Some(from), to, event).await?;
        let op = if to == ItemStatus::Withdrawn { "withdraw" } else { "transition" };
        log_change(&mut tx, self.backend, id, op, event.at).await?;
        let item = must_load_item(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(item)
    }

    /// Publish an Approved item: set status Published and 发布日期, and, if it has
    /// none yet, assign the next 索引号 serial for (org, year of `publish_date`)
    /// rendered by `render_index(serial)`; the serial counter and the uniqueness of
    /// 索引号 are guaranteed by the store, in one transaction with the event.
    ///
    /// Errors: NotFound("信息"); Conflict("status") if the item is not Approved
    /// (any more); Conflict("index_no") if the rendered 索引号 is already taken
    /// (nothing is saved and the serial is not consumed).
    pub async fn publish_item(
        &self,
        id: i64,
        publish_date: NaiveDate,
        render_index: &(dyn Fn(u64) -> String + Send + Sync),
        event: &NewItemEvent,
    ) -> Result<Item> {
        let mut tx = self.begin().await?;
        // The conditional update comes first: it takes the row (PostgreSQL)
        // and decides the race between two publishers.
        let r = sqlx::query(
            "UPDATE items SET status = $3, publish_date = $4, withdraw_reason = NULL, updated_at = $5 \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(ItemStatus::Approved.as_str())
        .bind(ItemStatus::Published.as_str())
        .bind(day(publish_date))
        .bind(ts(event.at))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(no_row_error(&mut tx, id).await);
        }
        assign_index_no(&mut tx, id, publish_date, render_index).await?;
        record_event(
            &mut tx,
            id,
            Some(ItemStatus::Approved),
            ItemStatus::Published,
            event,
        )
        .await?;
        log_change(&mut tx, self.backend, id, "publish", event.at).await?;
        let item = must_load_item(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(item)
    }

    /// Set 有效性 (published items only; Conflict("status") otherwise).
    pub async fn set_item_validity(
        &self,
        id: i64,
        validity: Validity,
        validity_date: Option<NaiveDate>,
        note: &str,
        event: &NewItemEvent,
    ) -> Result<Item> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE items SET validity = $3, validity_date = $4, validity_note = $5, updated_at = $6 \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(ItemStatus::Published.as_str())
        .bind(validity.as_str())
        .bind(validity_date.map(day))
        .bind(note)
        .bind(ts(event.at))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(match no_row_error(&mut tx, id).await {
                StoreError::Conflict { .. } => StoreError::Conflict {
                    field: "status",
                    message: "只有已发布的信息才能设置有效性".to_owned(),
                },
                other => other,
            });
        }
        record_event(
            &mut tx,
            id,
            Some(ItemStatus::Published),
            ItemStatus::Published,
            event,
        )
        .await?;
        log_change(&mut tx, self.backend, id, "validity", event.at).await?;
        let item = must_load_item(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(item)
    }

    /// History, oldest first, with actor display names.
    pub async fn item_events(&self, item_id: i64) -> Result<Vec<ItemEvent>> {
        let sql = format!("SELECT {EVENT_COLS} FROM item_events WHERE item_id = $1 ORDER BY id");
        sqlx::query(&sql)
            .bind(item_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(event_from_row)
            .collect()
    }

    /// What the annual report of `year` counts of the organisations' published items, without
    /// titles and bodies: the items published in the year, every regulation and normative
    /// document (the section 二 derived cells count those still in force at the year's end)
    /// and the items whose validity changed in the year. An organisation's other items cannot
    /// change its report, so a province of millions of items is not loaded to count a year.
    /// Ordered by organisation, then newest first.
    pub async fn published_item_facts(&self, org_ids: &[i64], year: i32) -> Result<Vec<crate::PublishedItemFacts>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("org_id", ints(org_ids));
        let status = f.arg(Arg::Text(ItemStatus::Published.as_str().to_owned()));
        let mut in_year = |col: &str| {
            let first = f.arg(Arg::Text(format!("{year:04}-01-01")));
            let last = f.arg(Arg::Text(format!("{year:04}-12-31")));
            format!("{col} BETWEEN {first} AND {last}")
        };
        let (published, validity_changed) = (in_year("publish_date"), in_year("validity_date"));
        // A literal, not an argument, so that the partial index `items_report_docs_idx`
        // (migration 0019) serves it.
        let other = DocType::Other.as_str();
        f.clause(format!(
            "status = {status} AND publish_date IS NOT NULL AND ({published} OR doc_type <> '{other}' OR {validity_changed})"
        ));
        let sql = format!(
            "SELECT org_id, catalog_id, doc_type, formed_date, publish_date, validity, validity_date FROM items{} \
             ORDER BY org_id, publish_date DESC, id DESC",
            f.sql()
        );
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(crate::PublishedItemFacts {
                    org_id: r.int("org_id")?,
                    catalog_id: r.int("catalog_id")?,
                    doc_type: r.code("doc_type", DocType::parse)?,
                    formed_date: r.date("formed_date")?,
                    publish_date: r.date("publish_date")?,
                    validity: r.code("validity", Validity::parse)?,
                    validity_date: r.opt_date("validity_date")?,
                })
            })
            .collect()
    }

    /// The newest `limit` items in `status` of these catalog nodes (publication date, then id,
    /// newest first), e.g. the 通知公告 of every organisation of a province. Each node's newest
    /// are read from `items_catalog_date_idx` and merged: one query over all the nodes lets the
    /// database walk every published item when the nodes are empty.
    pub async fn newest_items_in_catalogs(&self, catalog_ids: &[i64], status: ItemStatus, limit: i64) -> Result<Vec<Item>> {
        // SQLite allows 500 parts in one compound SELECT.
        const PARTS: usize = 400;
        const ORDER: &str = "publish_date DESC NULLS LAST, id DESC";
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let mut ids = catalog_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut newest: Vec<Item> = Vec::new();
        for chunk in ids.chunks(PARTS) {
            let mut f = Filter::default();
            let parts: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, &id)| {
                    let p = f.arg(Arg::Int(id));
                    format!(
                        "SELECT * FROM (SELECT {ITEM_COLS} FROM items WHERE catalog_id = {p} AND status = '{}' ORDER BY {ORDER} LIMIT {limit}) AS n{i}",
                        status.as_str()
                    )
                })
                .collect();
            let sql = format!("SELECT * FROM ({}) AS u ORDER BY {ORDER} LIMIT {limit}", parts.join(" UNION ALL "));
            for row in bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await? {
                newest.push(item_from_row(&row)?);
            }
        }
        newest.sort_by(|a, b| (b.publish_date.is_some(), b.publish_date, b.id).cmp(&(a.publish_date.is_some(), a.publish_date, a.id)));
        newest.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(newest)
    }

    /// One page of items. An empty `org_ids` yields an empty page; `limit <= 0`
    /// means no limit.
    pub async fn list_items(&self, q: &ItemQuery) -> Result<Page<Item>> {
        if q.org_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let mut f = Filter::default();
        f.any_of("org_id", ints(&q.org_ids));
        if !q.catalog_ids.is_empty() {
            f.any_of("catalog_id", ints(&q.catalog_ids));
        }
        if !q.statuses.is_empty() {
            f.any_of(
                "status",
                q.statuses.iter().map(|s| Arg::Text(s.as_str().to_owned())),
            );
        }
        if let Some(year) = q.publish_year {
            year_filter(&mut f, year);
        }
        if let Some(author) = q.author_id {
            f.eq("author_id", Arg::Int(author));
        }
        if let Some(cat) = &q.statutory_category {
            f.eq("statutory_category", Arg::Text(cat.clone()));
        }
        let where_sql = f.sql();

        let total = if q.skip_total {
            0
        } else {
            let count_sql = format!("SELECT COUNT(*) AS n FROM items{where_sql}");
            bind_all(sqlx::query(&count_sql), &f.args).fetch_one(&self.pool).await?.int("n")?
        };

        let order = match q.order {
            ItemOrder::PublishDateDesc => "publish_date DESC NULLS LAST, id DESC",
            ItemOrder::UpdatedDesc => "updated_at DESC, id DESC",
            ItemOrder::FormedDateAsc => "formed_date ASC, id ASC",
        };
        // Numbers written into the statement, not bound: with the limit known, PostgreSQL
        // reads the newest few from an index in order instead of sorting every match.
        let limit = if q.limit > 0 { q.limit } else { i64::MAX };
        let offset = q.offset.max(0);
        let sql = format!("SELECT {ITEM_COLS} FROM items{where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
        let items = bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(item_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, total })
    }

    /// Published-item counts per catalog node for an organisation, optionally in
    /// one publish year; ordered by catalog id, nodes without items omitted.
    pub async fn published_counts_by_catalog(
        &self,
        org_id: i64,
        publish_year: Option<i32>,
    ) -> Result<Vec<(i64, i64)>> {
        let mut f = Filter::default();
        f.eq("org_id", Arg::Int(org_id));
        f.eq(
            "status",
            Arg::Text(ItemStatus::Published.as_str().to_owned()),
        );
        if let Some(year) = publish_year {
            year_filter(&mut f, year);
        }
        let sql = format!(
            "SELECT catalog_id, COUNT(*) AS n FROM items{} GROUP BY catalog_id ORDER BY catalog_id",
            f.sql()
        );
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.int("catalog_id")?, r.int("n")?)))
            .collect()
    }

    /// Years in which the organisations published items (currently published
    /// ones), newest first. One index probe per year (the newest publication date before
    /// the last year found), not a pass over a province's millions of items.
    pub async fn publish_years(&self, org_ids: &[i64]) -> Result<Vec<i32>> {
        let mut years: Vec<i32> = Vec::new();
        if org_ids.is_empty() {
            return Ok(years);
        }
        loop {
            let mut f = Filter::default();
            f.any_of("org_id", ints(org_ids));
            f.eq("status", Arg::Text(ItemStatus::Published.as_str().to_owned()));
            f.clause("publish_date IS NOT NULL".to_owned());
            if let Some(last) = years.last() {
                let before = f.arg(Arg::Text(format!("{last:04}-01-01")));
                f.clause(format!("publish_date < {before}"));
            }
            let sql = format!("SELECT publish_date FROM items{} ORDER BY publish_date DESC NULLS LAST LIMIT 1", f.sql());
            let Some(row) = bind_all(sqlx::query(&sql), &f.args).fetch_optional(&self.pool).await? else {
                return Ok(years);
            };
            let year = row.date("publish_date")?.year();
            // Each probe finds an earlier year; stop if one does not (or at the calendar's start).
            if years.last().is_some_and(|&last| year >= last) {
                return Ok(years);
            }
            years.push(year);
            if year <= 1 {
                return Ok(years);
            }
        }
    }

    /// Items not yet published (draft/submitted/returned/approved) of the
    /// organisations, oldest 成文日期 first: the Art. 26 deadline watch list.
    pub async fn unpublished_items(&self, org_ids: &[i64]) -> Result<Vec<Item>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("org_id", ints(org_ids));
        f.any_of(
            "status",
            UNPUBLISHED.iter().map(|s| Arg::Text(s.as_str().to_owned())),
        );
        let sql = format!(
            "SELECT {ITEM_COLS} FROM items{} ORDER BY formed_date ASC, id ASC",
            f.sql()
        );
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(item_from_row)
            .collect()
    }
}
