//! Channel settings, consultations, key work, the notice-board register and
//! submission packages. SIGNATURES ARE THE CONTRACT used by the web crate.

use chrono::{DateTime, Utc};
use gongkai_domain::consultation::{ConsultSettings, ConsultState};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{bind_all, day, is_foreign_key_violation, ts, unique_violation, Arg, Filter, RowExt};
use super::sealed::Sealer;
use super::Store;
use crate::data_keys::Field;
use crate::channels::*;
use crate::{Page, Result, StoreError};

const CONSULTATION: &str = "咨询";

const CONSULT_SELECT: &str = "SELECT c.id, c.org_id, c.name, c.contact, c.subject, c.question, c.private, c.state, \
     c.received, c.due, c.assignee_id, u.display_name AS assignee_name, c.answer, c.answer_dept, c.answered_on, \
     c.answered_by, c.published, c.application_id, c.created_at, c.updated_at \
     FROM consultations c LEFT JOIN users u ON u.id = c.assignee_id";

const OPEN_STATES: &str = "('received', 'assigned')";

fn consultation_from_row(r: &AnyRow, sealer: &Sealer) -> Result<Consultation> {
    Ok(Consultation {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        name: sealer.open(Field::ConsultName, &r.text("name")?)?,
        contact: sealer.open(Field::ConsultContact, &r.text("contact")?)?,
        subject: r.text("subject")?,
        question: r.text("question")?,
        private: r.flag("private")?,
        state: r.code("state", ConsultState::parse)?,
        received: r.date("received")?,
        due: r.date("due")?,
        assignee_id: r.opt_int("assignee_id")?,
        assignee_name: r.opt_text("assignee_name")?,
        answer: r.text("answer")?,
        answer_dept: r.text("answer_dept")?,
        answered_on: r.opt_date("answered_on")?,
        answered_by: r.opt_int("answered_by")?,
        published: r.flag("published")?,
        application_id: r.opt_int("application_id")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn parse_ids(s: &str) -> Result<Vec<i64>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<i64>().map_err(|e| StoreError::Corrupt(format!("报送记录的信息编号“{p}”：{e}"))))
        .collect()
}

fn submission_from_row(r: &AnyRow) -> Result<Submission> {
    Ok(Submission {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        package_id: r.text("package_id")?,
        item_ids: parse_ids(&r.text("item_ids")?)?,
        sha256: r.text("sha256")?,
        size: r.int("size")?,
        target: r.text("target")?,
        status: r.text("status")?,
        response: r.text("response")?,
        cause: r.text("cause")?,
        created_at: r.time("created_at")?,
    })
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// After a conditional update on a consultation changed nothing.
async fn consult_no_row(conn: &mut AnyConnection, id: i64) -> StoreError {
    match sqlx::query("SELECT id FROM consultations WHERE id = $1").bind(id).fetch_optional(&mut *conn).await {
        Ok(Some(_)) => StoreError::Conflict { field: "status", message: "该咨询的状态已变化，请刷新后重试".to_owned() },
        Ok(None) => StoreError::NotFound(CONSULTATION),
        Err(e) => StoreError::Db(e),
    }
}

async fn load_consultation(conn: &mut AnyConnection, id: i64, sealer: &Sealer) -> Result<Option<Consultation>> {
    let sql = format!("{CONSULT_SELECT} WHERE c.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?.as_ref().map(|r| consultation_from_row(r, sealer)).transpose()
}

impl Store {
    // ---- settings ----

    /// The organisation's channel settings (defaults if never saved).
    pub async fn channel_settings(&self, org_id: i64) -> Result<ChannelSettings> {
        let row = sqlx::query(
            "SELECT consult_require_name, consult_require_contact, consult_reply_days, led_line_chars, led_speed, boards, \
             submit_url, submit_token, submit_on_publish, import_token_hash FROM channel_settings WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(ChannelSettings::defaults(org_id)) };
        let days = r.int("consult_reply_days")?;
        Ok(ChannelSettings {
            org_id,
            consult: ConsultSettings {
                require_name: r.flag("consult_require_name")?,
                require_contact: r.flag("consult_require_contact")?,
                reply_working_days: u32::try_from(days).map_err(|e| StoreError::Corrupt(format!("答复期限 {days}：{e}")))?,
            },
            led_line_chars: r.int("led_line_chars")?,
            led_speed: r.text("led_speed")?,
            boards: r.text("boards")?.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            submit_url: r.text("submit_url")?,
            submit_token: r.text("submit_token")?,
            submit_on_publish: r.flag("submit_on_publish")?,
            import_token_hash: r.text("import_token_hash")?,
        })
    }

    /// Save the settings (insert or replace). Errors: NotFound("机关").
    pub async fn put_channel_settings(&self, s: &ChannelSettings) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO channel_settings (org_id, consult_require_name, consult_require_contact, consult_reply_days, \
             led_line_chars, led_speed, boards, submit_url, submit_token, submit_on_publish, import_token_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (org_id) DO UPDATE SET consult_require_name = $2, consult_require_contact = $3, \
             consult_reply_days = $4, led_line_chars = $5, led_speed = $6, boards = $7, submit_url = $8, \
             submit_token = $9, submit_on_publish = $10, import_token_hash = $11",
        )
        .bind(s.org_id)
        .bind(flag(s.consult.require_name))
        .bind(flag(s.consult.require_contact))
        .bind(i64::from(s.consult.reply_working_days))
        .bind(s.led_line_chars)
        .bind(&s.led_speed)
        .bind(s.boards.join("\n"))
        .bind(&s.submit_url)
        .bind(&s.submit_token)
        .bind(flag(s.submit_on_publish))
        .bind(&s.import_token_hash)
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?;
        self.commit(tx).await?;
        Ok(())
    }

    // ---- consultations ----

    /// Record a new question (state 待分派). Errors: NotFound("机关").
    pub async fn create_consultation(&self, new: &NewConsultation) -> Result<Consultation> {
        let sealer = self.sealer();
        let name = sealer.seal(Field::ConsultName, &new.name)?;
        let contact = sealer.seal(Field::ConsultContact, &new.contact)?;
        let mut tx = self.begin().await?;
        let at = ts(new.at);
        let row = sqlx::query(
            "INSERT INTO consultations (org_id, name, contact, subject, question, private, state, received, due, \
             published, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id",
        )
        .bind(new.org_id)
        .bind(name)
        .bind(contact)
        .bind(&new.subject)
        .bind(&new.question)
        .bind(flag(new.private))
        .bind(ConsultState::Received.as_str())
        .bind(day(new.received))
        .bind(day(new.due))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?;
        let c = load_consultation(&mut tx, row.int("id")?, &sealer).await?.ok_or(StoreError::NotFound(CONSULTATION))?;
        self.commit_for(tx, Some(c.id)).await?;
        Ok(c)
    }

    pub async fn consultation(&self, id: i64) -> Result<Option<Consultation>> {
        let mut conn = self.pool.acquire().await?;
        load_consultation(&mut conn, id, &self.sealer()).await
    }

    /// Consultations, newest first (published: newest answer first).
    pub async fn consultations(&self, q: &ConsultationQuery) -> Result<Page<Consultation>> {
        let mut f = Filter::default();
        f.any_of("c.org_id", q.org_ids.iter().map(|&i| Arg::Int(i)));
        if q.published_only {
            f.clause("c.published = 1 AND c.private = 0 AND c.state = 'answered'".to_owned());
        }
        if q.open_only {
            f.clause(format!("c.state IN {OPEN_STATES}"));
        }
        let where_sql = f.sql();
        let sealer = self.sealer();
        let count_sql = format!("SELECT COUNT(*) AS n FROM consultations c{where_sql}");
        let total = bind_all(sqlx::query(&count_sql), &f.args).fetch_one(&self.pool).await?.int("n")?;
        let order = if q.published_only { "c.answered_on DESC, c.id DESC" } else { "c.received DESC, c.id DESC" };
        let mut sql = format!("{CONSULT_SELECT}{where_sql} ORDER BY {order}");
        if q.limit > 0 {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", q.limit, q.offset.max(0)));
        }
        let items = bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await?.iter().map(|r| consultation_from_row(r, &sealer)).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    /// Assign an open consultation. Errors: Conflict("status") if no longer
    /// open; NotFound("咨询"); NotFound("用户").
    pub async fn assign_consultation(&self, id: i64, assignee_id: i64, at: DateTime<Utc>) -> Result<Consultation> {
        let mut tx = self.begin().await?;
        let sql = format!("UPDATE consultations SET assignee_id = $2, state = 'assigned', updated_at = $3 WHERE id = $1 AND state IN {OPEN_STATES}");
        let done = sqlx::query(&sql)
            .bind(id)
            .bind(assignee_id)
            .bind(ts(at))
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("用户") } else { StoreError::Db(e) })?;
        if done.rows_affected() == 0 {
            return Err(consult_no_row(&mut tx, id).await);
        }
        let c = load_consultation(&mut tx, id, &self.sealer()).await?.ok_or(StoreError::NotFound(CONSULTATION))?;
        self.commit(tx).await?;
        Ok(c)
    }

    /// Record the answer of an open consultation; `publish` is ignored (kept
    /// unpublished) for private questions.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_consultation(
        &self,
        id: i64,
        answer: &str,
        department: &str,
        answered_on: chrono::NaiveDate,
        answered_by: i64,
        publish: bool,
        at: DateTime<Utc>,
    ) -> Result<Consultation> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE consultations SET answer = $2, answer_dept = $3, answered_on = $4, answered_by = $5, \
             published = CASE WHEN private = 1 THEN 0 ELSE $6 END, state = 'answered', \
             assignee_id = COALESCE(assignee_id, $5), updated_at = $7 WHERE id = $1 AND state IN {OPEN_STATES}"
        );
        let done = sqlx::query(&sql)
            .bind(id)
            .bind(answer)
            .bind(department)
            .bind(day(answered_on))
            .bind(answered_by)
            .bind(flag(publish))
            .bind(ts(at))
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("用户") } else { StoreError::Db(e) })?;
        if done.rows_affected() == 0 {
            return Err(consult_no_row(&mut tx, id).await);
        }
        let c = load_consultation(&mut tx, id, &self.sealer()).await?.ok_or(StoreError::NotFound(CONSULTATION))?;
        self.commit(tx).await?;
        Ok(c)
    }

    /// Publish or unpublish an answered, non-private consultation.
    /// Errors: Conflict("status") otherwise; NotFound("咨询").
    pub async fn set_consultation_published(&self, id: i64, published: bool, at: DateTime<Utc>) -> Result<Consultation> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE consultations SET published = $2, updated_at = $3 WHERE id = $1 AND state = 'answered' AND private = 0")
            .bind(id)
            .bind(flag(published))
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(consult_no_row(&mut tx, id).await);
        }
        let c = load_consultation(&mut tx, id, &self.sealer()).await?.ok_or(StoreError::NotFound(CONSULTATION))?;
        self.commit(tx).await?;
        Ok(c)
    }

    /// Mark an open consultation as turned into application `application_id`.
    pub async fn convert_consultation(&self, id: i64, application_id: i64, at: DateTime<Utc>) -> Result<Consultation> {
        let mut tx = self.begin().await?;
        let sql = format!("UPDATE consultations SET application_id = $2, state = 'converted', published = 0, updated_at = $3 WHERE id = $1 AND state IN {OPEN_STATES}");
        let done = sqlx::query(&sql)
            .bind(id)
            .bind(application_id)
            .bind(ts(at))
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("申请") } else { StoreError::Db(e) })?;
        if done.rows_affected() == 0 {
            return Err(consult_no_row(&mut tx, id).await);
        }
        let c = load_consultation(&mut tx, id, &self.sealer()).await?.ok_or(StoreError::NotFound(CONSULTATION))?;
        self.commit(tx).await?;
        Ok(c)
    }

    // ---- key work ----

    pub async fn key_work(&self, org_id: i64) -> Result<Vec<KeyWork>> {
        sqlx::query("SELECT id, org_id, line, sort_order FROM key_work WHERE org_id = $1 ORDER BY sort_order, id")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(KeyWork { id: r.int("id")?, org_id: r.int("org_id")?, line: r.text("line")?, sort_order: r.int("sort_order")? }))
            .collect()
    }

    pub async fn add_key_work(&self, org_id: i64, line: &str, sort_order: i64, at: DateTime<Utc>) -> Result<KeyWork> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("INSERT INTO key_work (org_id, line, sort_order, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(org_id)
            .bind(line)
            .bind(sort_order)
            .bind(ts(at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?;
        let id = row.int("id")?;
        self.commit_for(tx, Some(id)).await?;
        Ok(KeyWork { id, org_id, line: line.to_owned(), sort_order })
    }

    /// Remove a key-work line of the organisation. Errors: NotFound("重点工作").
    pub async fn delete_key_work(&self, org_id: i64, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM key_work WHERE id = $1 AND org_id = $2").bind(id).bind(org_id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("重点工作"));
        }
        self.commit(tx).await?;
        Ok(())
    }

    // ---- notice boards ----

    /// Register postings (one transaction). Errors: NotFound("信息") if an
    /// item is not the organisation's; NotFound("用户").
    pub async fn add_board_postings(&self, postings: &[NewBoardPosting]) -> Result<()> {
        let mut tx = self.begin().await?;
        for p in postings {
            let owner = sqlx::query("SELECT org_id FROM items WHERE id = $1").bind(p.item_id).fetch_optional(&mut *tx).await?;
            match owner {
                Some(r) if r.int("org_id")? == p.org_id => {}
                _ => return Err(StoreError::NotFound("信息")),
            }
            sqlx::query("INSERT INTO board_postings (org_id, board, item_id, posted_on, paper, posted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(p.org_id)
                .bind(&p.board)
                .bind(p.item_id)
                .bind(day(p.posted_on))
                .bind(&p.paper)
                .bind(p.posted_by)
                .bind(ts(p.at))
                .execute(&mut *tx)
                .await
                .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("用户") } else { StoreError::Db(e) })?;
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// The register, newest first; `limit <= 0` = all.
    pub async fn board_postings(&self, org_id: i64, limit: i64) -> Result<Vec<BoardPosting>> {
        let mut sql = "SELECT b.id, b.org_id, b.board, b.item_id, i.title, i.index_no, b.posted_on, b.paper, \
             COALESCE(u.display_name, '') AS posted_by_name, b.created_at FROM board_postings b \
             JOIN items i ON i.id = b.item_id LEFT JOIN users u ON u.id = b.posted_by \
             WHERE b.org_id = $1 ORDER BY b.posted_on DESC, b.id DESC"
            .to_owned();
        if limit > 0 {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(BoardPosting {
                    id: r.int("id")?,
                    org_id: r.int("org_id")?,
                    board: r.text("board")?,
                    item_id: r.int("item_id")?,
                    item_title: r.text("title")?,
                    index_no: r.opt_text("index_no")?,
                    posted_on: r.date("posted_on")?,
                    paper: r.text("paper")?,
                    posted_by_name: r.text("posted_by_name")?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    // ---- submissions (sending side) ----

    /// Log a produced package (status `produced`).
    pub async fn create_submission(&self, new: &NewSubmission) -> Result<Submission> {
        let row = sqlx::query(
            "INSERT INTO submissions (org_id, package_id, item_ids, item_count, sha256, size, target, status, response, cause, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'produced', '', $8, $9) RETURNING id",
        )
        .bind(new.org_id)
        .bind(&new.package_id)
        .bind(ids_text(&new.item_ids))
        .bind(new.item_ids.len() as i64)
        .bind(&new.sha256)
        .bind(new.size)
        .bind(&new.target)
        .bind(&new.cause)
        .bind(ts(new.at))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => StoreError::Conflict { field: "package_id", message: format!("报送包编号“{}”已存在", new.package_id) },
            None if is_foreign_key_violation(&e) => StoreError::NotFound("机关"),
            None => StoreError::Db(e),
        })?;
        Ok(Submission {
            id: row.int("id")?,
            org_id: new.org_id,
            package_id: new.package_id.clone(),
            item_ids: new.item_ids.clone(),
            sha256: new.sha256.clone(),
            size: new.size,
            target: new.target.clone(),
            status: "produced".into(),
            response: String::new(),
            cause: new.cause.clone(),
            created_at: new.at,
        })
    }

    /// Record the outcome of sending: `accepted`, `rejected` or `failed`.
    pub async fn set_submission_status(&self, id: i64, status: &str, response: &str) -> Result<()> {
        let done = sqlx::query("UPDATE submissions SET status = $2, response = $3 WHERE id = $1").bind(id).bind(status).bind(response).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("报送记录"));
        }
        Ok(())
    }

    /// The log, newest first; `limit <= 0` = all.
    pub async fn submissions(&self, org_id: i64, limit: i64) -> Result<Vec<Submission>> {
        let mut sql = "SELECT id, org_id, package_id, item_ids, sha256, size, target, status, response, cause, created_at \
             FROM submissions WHERE org_id = $1 ORDER BY id DESC"
            .to_owned();
        if limit > 0 {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?.iter().map(submission_from_row).collect()
    }

    // ---- submissions (receiving side) ----

    /// Record a package's items for the receiving organisation, all or
    /// nothing. An item already received from the same source with the same
    /// 索引号 is replaced by the newer copy. Errors: Conflict("package_id")
    /// if this package was imported before; NotFound("机关").
    pub async fn import_package(&self, p: &NewReceivedPackage) -> Result<usize> {
        let mut tx = self.begin().await?;
        let seen = sqlx::query("SELECT package_id FROM received_packages WHERE package_id = $1").bind(&p.package_id).fetch_optional(&mut *tx).await?;
        if seen.is_some() {
            return Err(StoreError::Conflict { field: "package_id", message: format!("报送包“{}”已经导入过，未重复导入", p.package_id) });
        }
        let at = ts(p.at);
        sqlx::query("INSERT INTO received_packages (package_id, org_id, source_name, source_code, item_count, sha256, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&p.package_id)
            .bind(p.org_id)
            .bind(&p.source_name)
            .bind(&p.source_code)
            .bind(p.items.len() as i64)
            .bind(&p.sha256)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?;
        for item in &p.items {
            let old = sqlx::query("SELECT id FROM received_items WHERE org_id = $1 AND source_code = $2 AND index_no = $3")
                .bind(p.org_id)
                .bind(&p.source_code)
                .bind(&item.index_no)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(old) = old {
                let old_id = old.int("id")?;
                sqlx::query("DELETE FROM received_attachments WHERE received_item_id = $1").bind(old_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM received_items WHERE id = $1").bind(old_id).execute(&mut *tx).await?;
            }
            let row = sqlx::query(
                "INSERT INTO received_items (org_id, package_id, source_name, source_code, index_no, title, publish_date, url, item_json, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(p.org_id)
            .bind(&p.package_id)
            .bind(&p.source_name)
            .bind(&p.source_code)
            .bind(&item.index_no)
            .bind(&item.title)
            .bind(day(item.publish_date))
            .bind(&item.url)
            .bind(&item.item_json)
            .bind(&at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => StoreError::Conflict { field: "index_no", message: format!("报送包中索引号“{}”重复", item.index_no) },
                None => StoreError::Db(e),
            })?;
            let item_id = row.int("id")?;
            for a in &item.attachments {
                sqlx::query("INSERT INTO received_attachments (received_item_id, filename, content_type, size, sha256, content) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(item_id)
                    .bind(&a.filename)
                    .bind(&a.content_type)
                    .bind(a.content.len() as i64)
                    .bind(&a.sha256)
                    .bind(a.content.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit(tx).await?;
        Ok(p.items.len())
    }

    /// Items received by the organisation, newest publication first.
    pub async fn received_items(&self, org_id: i64, limit: i64, offset: i64) -> Result<Page<ReceivedItem>> {
        let total = sqlx::query("SELECT COUNT(*) AS n FROM received_items WHERE org_id = $1").bind(org_id).fetch_one(&self.pool).await?.int("n")?;
        let mut sql = "SELECT r.id, r.org_id, r.package_id, r.source_name, r.source_code, r.index_no, r.title, r.publish_date, r.url, \
             r.item_json, r.received_at, (SELECT COUNT(*) FROM received_attachments a WHERE a.received_item_id = r.id) AS attachments \
             FROM received_items r WHERE r.org_id = $1 ORDER BY r.publish_date DESC, r.id DESC"
            .to_owned();
        if limit > 0 {
            sql.push_str(&format!(" LIMIT {limit} OFFSET {}", offset.max(0)));
        }
        let items = sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ReceivedItem {
                    id: r.int("id")?,
                    org_id: r.int("org_id")?,
                    package_id: r.text("package_id")?,
                    source_name: r.text("source_name")?,
                    source_code: r.text("source_code")?,
                    index_no: r.text("index_no")?,
                    title: r.text("title")?,
                    publish_date: r.date("publish_date")?,
                    url: r.text("url")?,
                    item_json: r.text("item_json")?,
                    attachments: r.int("attachments")?,
                    received_at: r.time("received_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    /// Packages received by the organisation, newest first.
    pub async fn received_packages(&self, org_id: i64) -> Result<Vec<ReceivedPackage>> {
        sqlx::query("SELECT package_id, org_id, source_name, source_code, item_count, sha256, received_at FROM received_packages WHERE org_id = $1 ORDER BY received_at DESC")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ReceivedPackage {
                    package_id: r.text("package_id")?,
                    org_id: r.int("org_id")?,
                    source_name: r.text("source_name")?,
                    source_code: r.text("source_code")?,
                    item_count: r.int("item_count")?,
                    sha256: r.text("sha256")?,
                    received_at: r.time("received_at")?,
                })
            })
            .collect()
    }

    /// Bytes of the attachments of a received item: (filename, sha256, content).
    pub async fn received_attachments(&self, received_item_id: i64) -> Result<Vec<(String, String, Vec<u8>)>> {
        sqlx::query("SELECT filename, sha256, content FROM received_attachments WHERE received_item_id = $1 ORDER BY id")
            .bind(received_item_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.text("filename")?, r.text("sha256")?, r.blob("content")?)))
            .collect()
    }
}
