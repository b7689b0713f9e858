//! Past annual reports imported from a published file (往年年度报告): one per organisation and
//! year, with the source file's bytes, the text the report checker read and the figures read.

use chrono::{DateTime, Utc};
use gongkai_domain::annual_report::{ImportedFigures, ImportedFinding};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{corrupt, ts, unique_violation, RowExt};
use crate::{Result, Store, StoreError};

/// An imported past report (without its file's bytes and text; see
/// [`Store::past_report_source`] and [`Store::past_report_text`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PastReport {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The reader the checker used: "text", "html", "docx" or "pdf".
    pub input_kind: String,
    pub figures: ImportedFigures,
    pub findings: Vec<ImportedFinding>,
    /// `None` when imported from the command line.
    pub imported_by: Option<i64>,
    pub imported_by_name: String,
    pub imported_at: DateTime<Utc>,
}

/// A past report to import.
#[derive(Debug, Clone)]
pub struct NewPastReport<'a> {
    pub org_id: i64,
    pub year: i32,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub input_kind: &'a str,
    pub text: &'a str,
    pub figures: &'a ImportedFigures,
    pub findings: &'a [ImportedFinding],
    pub imported_by: Option<i64>,
    pub imported_by_name: &'a str,
    pub at: DateTime<Utc>,
}

const COLS: &str = "id, org_id, year, file_name, content_type, size, sha256, input_kind, figures, findings, \
                    imported_by, imported_by_name, imported_at";

fn from_row(r: &AnyRow) -> Result<PastReport> {
    let year = r.int("year")?;
    let figures = r.text("figures")?;
    let findings = r.text("findings")?;
    Ok(PastReport {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        year: i32::try_from(year).map_err(|_| corrupt("往年报告年度超出范围", year))?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        input_kind: r.text("input_kind")?,
        figures: serde_json::from_str(&figures).map_err(|e| corrupt("往年报告数据无法解析", e))?,
        findings: serde_json::from_str(&findings).map_err(|e| corrupt("往年报告检查结果无法解析", e))?,
        imported_by: r.opt_int("imported_by")?,
        imported_by_name: r.text("imported_by_name")?,
        imported_at: r.time("imported_at")?,
    })
}

async fn load(conn: &mut AnyConnection, org_id: i64, year: i32) -> Result<Option<PastReport>> {
    sqlx::query(&format!("SELECT {COLS} FROM past_reports WHERE org_id = $1 AND year = $2"))
        .bind(org_id)
        .bind(i64::from(year))
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

fn exists_conflict(year: i32, existing: &PastReport) -> StoreError {
    StoreError::Conflict {
        field: "year",
        message: format!(
            "{year}年度已导入过往年报告（文件“{}”，{}导入）；如需替换，请确认替换",
            existing.file_name,
            existing.imported_at.format("%Y-%m-%d")
        ),
    }
}

impl Store {
    /// The imported past reports of these organisations, by organisation and year.
    pub async fn past_reports(&self, org_ids: &[i64]) -> Result<Vec<PastReport>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=org_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {COLS} FROM past_reports WHERE org_id IN ({}) ORDER BY org_id, year", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for id in org_ids {
            q = q.bind(*id);
        }
        let mut conn = self.pool.acquire().await?;
        q.fetch_all(&mut *conn).await?.iter().map(from_row).collect()
    }

    /// The imported past report of an organisation about a year.
    pub async fn past_report(&self, org_id: i64, year: i32) -> Result<Option<PastReport>> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, org_id, year).await
    }

    /// The text the checker read from an imported report's file.
    pub async fn past_report_text(&self, id: i64) -> Result<Option<String>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT text FROM past_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.text("text"))
            .transpose()
    }

    /// The bytes of an imported report's source file.
    pub async fn past_report_source(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT content FROM past_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.blob("content"))
            .transpose()
    }

    /// Import a past report, in one transaction (with the pending audit entry, see
    /// [`Store::audited`]). An organisation has at most one per year: with `replace` the
    /// existing one is replaced, otherwise Conflict("year") names the file already imported.
    pub async fn put_past_report(&self, new: &NewPastReport<'_>, replace: bool) -> Result<PastReport> {
        let figures = serde_json::to_string(new.figures).map_err(|e| corrupt("往年报告数据无法保存", e))?;
        let findings = serde_json::to_string(new.findings).map_err(|e| corrupt("往年报告检查结果无法保存", e))?;
        let size = i64::try_from(new.bytes.len()).map_err(|_| StoreError::Corrupt("往年报告文件过大".into()))?;
        let sha256 = hex::encode(Sha256::digest(new.bytes));
        let mut tx = self.begin().await?;
        if let Some(existing) = load(&mut tx, new.org_id, new.year).await? {
            if !replace {
                return Err(exists_conflict(new.year, &existing));
            }
            sqlx::query("DELETE FROM past_reports WHERE id = $1").bind(existing.id).execute(&mut *tx).await?;
        }
        let id = sqlx::query(
            "INSERT INTO past_reports (org_id, year, file_name, content_type, size, sha256, content, input_kind, text, \
             figures, findings, imported_by, imported_by_name, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(new.org_id)
        .bind(i64::from(new.year))
        .bind(new.file_name)
        .bind(new.content_type)
        .bind(size)
        .bind(&sha256)
        .bind(new.bytes)
        .bind(new.input_kind)
        .bind(new.text)
        .bind(&figures)
        .bind(&findings)
        .bind(new.imported_by)
        .bind(new.imported_by_name)
        .bind(ts(new.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => StoreError::Conflict { field: "year", message: format!("{}年度的往年报告刚刚被他人导入，请刷新后重试", new.year) },
            None => StoreError::Db(e),
        })?
        .int("id")?;
        let stored = load(&mut tx, new.org_id, new.year).await?.ok_or(StoreError::NotFound("往年报告"))?;
        self.commit_for(tx, Some(id)).await?;
        Ok(stored)
    }
}
