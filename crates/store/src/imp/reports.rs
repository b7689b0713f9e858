//! Annual reports: revisions with their workflow status, the section 二 figures entered by
//! staff, and the per-organisation deadline.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::annual_report::{AnnualReport, Cell, ReportStatus};
use gongkai_domain::model::{Item, ItemFields};
use gongkai_domain::report_format::CellKind;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::items::insert_published_item;
use super::util::{bind_all, corrupt, day, ints, ts, Arg, Filter, RowExt};
use crate::{NewItemEvent, Result, Store, StoreError};

/// One revision of an organisation's report about a year.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub revision: i64,
    pub status: ReportStatus,
    pub content: AnnualReport,
    pub correction_note: String,
    pub created_by: i64,
    pub submitted_by: Option<i64>,
    pub published_by: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub item_id: Option<i64>,
    pub acknowledged: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A section 二 figure entered by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFigure {
    pub key: String,
    pub cell: Cell,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
}

const COLS: &str = "id, org_id, year, revision, status, content, correction_note, created_by, submitted_by, \
                    published_by, published_on, item_id, acknowledged, created_at, updated_at";

fn kind_str(k: CellKind) -> &'static str {
    match k {
        CellKind::Count => "count",
        CellKind::SignedCount => "signed",
        CellKind::Amount => "amount",
    }
}

fn parse_kind(s: &str) -> Result<CellKind> {
    match s {
        "count" => Ok(CellKind::Count),
        "signed" => Ok(CellKind::SignedCount),
        "amount" => Ok(CellKind::Amount),
        other => Err(corrupt("年报数据类型无法识别", other)),
    }
}

fn report_from_row(r: &AnyRow) -> Result<StoredReport> {
    let status = r.text("status")?;
    let content = r.text("content")?;
    let acknowledged = r.text("acknowledged")?;
    let year = r.int("year")?;
    Ok(StoredReport {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        year: i32::try_from(year).map_err(|_| corrupt("年报年度超出范围", year))?,
        revision: r.int("revision")?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("年报状态无法识别", &status))?,
        content: serde_json::from_str(&content).map_err(|e| corrupt("年报内容无法解析", e))?,
        correction_note: r.text("correction_note")?,
        created_by: r.int("created_by")?,
        submitted_by: r.opt_int("submitted_by")?,
        published_by: r.opt_int("published_by")?,
        published_on: r.opt_date("published_on")?,
        item_id: r.opt_int("item_id")?,
        acknowledged: serde_json::from_str(&acknowledged).map_err(|e| corrupt("年报确认记录无法解析", e))?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn to_json(report: &AnnualReport) -> Result<String> {
    serde_json::to_string(report).map_err(|e| corrupt("年报内容无法保存", e))
}

fn status_conflict(expected: ReportStatus) -> StoreError {
    StoreError::Conflict {
        field: "status",
        message: format!("年度报告已不在“{}”状态，可能已被他人处理，请刷新后重试", expected.label()),
    }
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<StoredReport>> {
    sqlx::query(&format!("SELECT {COLS} FROM annual_reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(report_from_row)
        .transpose()
}

async fn must_load(conn: &mut AnyConnection, id: i64) -> Result<StoredReport> {
    load(conn, id).await?.ok_or(StoreError::NotFound("年度报告"))
}

impl Store {
    /// Every revision of the reports of these organisations, by organisation, year and revision.
    pub async fn reports(&self, org_ids: &[i64]) -> Result<Vec<StoredReport>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=org_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLS} FROM annual_reports WHERE org_id IN ({}) ORDER BY org_id, year, revision",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in org_ids {
            q = q.bind(*id);
        }
        let mut conn = self.pool.acquire().await?;
        q.fetch_all(&mut *conn).await?.iter().map(report_from_row).collect()
    }

    pub async fn report(&self, id: i64) -> Result<Option<StoredReport>> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// Start a revision: revision 1 of a new year, or the next revision of a published report
    /// (a correction, with its note). Conflict("status") while an unpublished revision exists.
    pub async fn create_report(
        &self,
        org_id: i64,
        year: i32,
        content: &AnnualReport,
        correction_note: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<StoredReport> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query("SELECT revision, status FROM annual_reports WHERE org_id = $1 AND year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .fetch_all(&mut *tx)
            .await?;
        let mut next = 1;
        for r in &rows {
            if r.text("status")? != ReportStatus::Published.as_str() {
                return Err(StoreError::Conflict {
                    field: "status",
                    message: format!("{year}年度报告已有未发布的稿件，请继续编辑该稿"),
                });
            }
            next = next.max(r.int("revision")? + 1);
        }
        let at = ts(now);
        let id = sqlx::query(
            "INSERT INTO annual_reports (org_id, year, revision, status, content, correction_note, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(org_id)
        .bind(i64::from(year))
        .bind(next)
        .bind(ReportStatus::Draft.as_str())
        .bind(to_json(content)?)
        .bind(correction_note)
        .bind(user_id)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match super::util::unique_violation(&e) {
            Some(_) => StoreError::Conflict { field: "revision", message: "该年度报告刚刚被他人创建，请刷新后重试".into() },
            None => StoreError::Db(e),
        })?
        .int("id")?;
        let report = must_load(&mut tx, id).await?;
        self.commit_for(tx, Some(id)).await?;
        Ok(report)
    }

    /// Replace the content of a draft (Conflict("status") if it is no longer a draft).
    pub async fn update_report_draft(&self, id: i64, content: &AnnualReport, now: DateTime<Utc>) -> Result<StoredReport> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE annual_reports SET content = $3, updated_at = $4 WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(ReportStatus::Draft.as_str())
            .bind(to_json(content)?)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            must_load(&mut tx, id).await?;
            return Err(status_conflict(ReportStatus::Draft));
        }
        let report = must_load(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(report)
    }

    /// Move a revision between unpublished states (送审, 退回); `submitted_by` is recorded on
    /// submission and kept otherwise.
    pub async fn set_report_status(
        &self,
        id: i64,
        from: ReportStatus,
        to: ReportStatus,
        submitted_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<StoredReport> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE annual_reports SET status = $3, submitted_by = COALESCE($4, submitted_by), updated_at = $5 \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(submitted_by)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            must_load(&mut tx, id).await?;
            return Err(status_conflict(from));
        }
        let report = must_load(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(report)
    }

    /// Publish a revision under review, in one transaction: the final content (with its date),
    /// who published and which warnings they acknowledged, and the item in the 年报 column that
    /// carries it (published at once, with its 索引号).
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_report(
        &self,
        id: i64,
        content: &AnnualReport,
        published_on: NaiveDate,
        published_by: i64,
        acknowledged: &[String],
        item: &ItemFields,
        render_index: &(dyn Fn(u64) -> String + Send + Sync),
        event: &NewItemEvent,
    ) -> Result<(StoredReport, Item)> {
        let mut tx = self.begin().await?;
        let ack = serde_json::to_string(acknowledged).map_err(|e| corrupt("年报确认记录无法保存", e))?;
        let r = sqlx::query(
            "UPDATE annual_reports SET status = $3, content = $4, published_on = $5, published_by = $6, \
             acknowledged = $7, updated_at = $8 WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(ReportStatus::InReview.as_str())
        .bind(ReportStatus::Published.as_str())
        .bind(to_json(content)?)
        .bind(day(published_on))
        .bind(published_by)
        .bind(ack)
        .bind(ts(event.at))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            must_load(&mut tx, id).await?;
            return Err(status_conflict(ReportStatus::InReview));
        }
        let stored = must_load(&mut tx, id).await?;
        let item = insert_published_item(&mut tx, stored.org_id, published_by, item, published_on, render_index, event).await?;
        // Every node's search index picks the new item up from the change log.
        super::search::log_change(&mut tx, self.backend, item.id, "publish", event.at).await?;
        sqlx::query("UPDATE annual_reports SET item_id = $2 WHERE id = $1")
            .bind(id)
            .bind(item.id)
            .execute(&mut *tx)
            .await?;
        let stored = must_load(&mut tx, id).await?;
        self.commit_for(tx, Some(item.id)).await?;
        Ok((stored, item))
    }

    /// The section 二 figures entered for an organisation and year.
    pub async fn report_figures(&self, org_id: i64, year: i32) -> Result<Vec<StoredFigure>> {
        Ok(self.report_figures_of(&[org_id], year).await?.into_iter().map(|(_, f)| f).collect())
    }

    /// The section 二 figures entered for several organisations and a year, each with its
    /// organisation, ordered by organisation and key.
    pub async fn report_figures_of(&self, org_ids: &[i64], year: i32) -> Result<Vec<(i64, StoredFigure)>> {
        let mut f = Filter::default();
        f.any_of("org_id", ints(org_ids));
        f.eq("year", Arg::Int(i64::from(year)));
        let sql = format!(
            "SELECT org_id, figure_key, kind, value, updated_by, updated_at FROM report_figures{} ORDER BY org_id, figure_key",
            f.sql()
        );
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let figure = StoredFigure {
                    key: r.text("figure_key")?,
                    cell: Cell { kind: parse_kind(&r.text("kind")?)?, value: r.int("value")? },
                    updated_by: r.int("updated_by")?,
                    updated_at: r.time("updated_at")?,
                };
                Ok((r.int("org_id")?, figure))
            })
            .collect()
    }

    /// Replace the entered figures of an organisation and year with `figures`, all or nothing.
    pub async fn put_report_figures(
        &self,
        org_id: i64,
        year: i32,
        figures: &[(String, Cell)],
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM report_figures WHERE org_id = $1 AND year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .execute(&mut *tx)
            .await?;
        let at = ts(now);
        for (key, cell) in figures {
            sqlx::query(
                "INSERT INTO report_figures (org_id, year, figure_key, kind, value, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org_id)
            .bind(i64::from(year))
            .bind(key)
            .bind(kind_str(cell.kind))
            .bind(cell.value)
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// The organisation's own publication deadline ("MM-DD"), if it set one.
    pub async fn report_deadline(&self, org_id: i64) -> Result<Option<String>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query("SELECT deadline FROM report_settings WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|r| r.text("deadline")).transpose()
    }

    /// Set (Some) or clear (None) the organisation's own deadline.
    pub async fn set_report_deadline(&self, org_id: i64, deadline: Option<&str>) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM report_settings WHERE org_id = $1").bind(org_id).execute(&mut *tx).await?;
        if let Some(d) = deadline {
            sqlx::query("INSERT INTO report_settings (org_id, deadline) VALUES ($1, $2)")
                .bind(org_id)
                .bind(d)
                .execute(&mut *tx)
                .await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
