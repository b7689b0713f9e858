//! The reconsideration and litigation register (复议、诉讼), split from the applications
//! store. SIGNATURES ARE THE CONTRACT used by the web crate.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::applications::{check_org, check_user, fk_or_db, APPEAL, APPLICATION};
use super::util::{bind_all, day, ints, ts, Filter, RowExt};
use crate::applications::*;
use crate::{Result, Store, StoreError};

const APPEAL_COLS: &str =
    "id, org_id, application_id, kind, body, filed_on, result, decided_on, note, \
     created_at, updated_at";

fn appeal_from_row(r: &AnyRow) -> Result<Appeal> {
    Ok(Appeal {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        application_id: r.opt_int("application_id")?,
        kind: r.code("kind", AppealKind::parse)?,
        body: r.text("body")?,
        filed_on: r.date("filed_on")?,
        result: r.code("result", AppealResult::parse)?,
        decided_on: r.opt_date("decided_on")?,
        note: r.text("note")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

async fn load_appeal(conn: &mut AnyConnection, id: i64) -> Result<Option<Appeal>> {
    let sql = format!("SELECT {APPEAL_COLS} FROM appeals WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(appeal_from_row)
        .transpose()
}

impl Store {
    /// Errors: NotFound("申请") if `application_id` is not the organisation's;
    /// NotFound("机关"); NotFound("用户") if `created_by` does not exist.
    pub async fn create_appeal(&self, new: &NewAppeal) -> Result<Appeal> {
        let mut tx = self.begin().await?;
        check_org(&mut tx, new.org_id).await?;
        check_user(&mut tx, Some(new.created_by)).await?;
        if let Some(app_id) = new.application_id {
            let owner = sqlx::query("SELECT org_id FROM applications WHERE id = $1")
                .bind(app_id)
                .fetch_optional(&mut *tx)
                .await?;
            match owner {
                Some(r) if r.int("org_id")? == new.org_id => {}
                _ => return Err(StoreError::NotFound(APPLICATION)),
            }
        }
        let at = ts(new.at);
        let row = sqlx::query(
            "INSERT INTO appeals (org_id, application_id, kind, body, filed_on, result, decided_on, note, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(new.org_id)
        .bind(new.application_id)
        .bind(new.kind.as_str())
        .bind(&new.body)
        .bind(day(new.filed_on))
        .bind(new.result.as_str())
        .bind(new.decided_on.map(day))
        .bind(&new.note)
        .bind(new.created_by)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| fk_or_db(e, APPLICATION))?;
        let id = row.int("id")?;
        let appeal = load_appeal(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound(APPEAL))?;
        self.commit_for(tx, Some(id)).await?;
        Ok(appeal)
    }

    /// Errors: NotFound("复议或诉讼记录").
    pub async fn update_appeal_result(
        &self,
        appeal_id: i64,
        result: AppealResult,
        decided_on: Option<NaiveDate>,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Appeal> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE appeals SET result = $2, decided_on = $3, note = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(appeal_id)
        .bind(result.as_str())
        .bind(decided_on.map(day))
        .bind(note)
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(APPEAL));
        }
        let appeal = load_appeal(&mut tx, appeal_id)
            .await?
            .ok_or(StoreError::NotFound(APPEAL))?;
        self.commit(tx).await?;
        Ok(appeal)
    }

    pub async fn appeal(&self, appeal_id: i64) -> Result<Option<Appeal>> {
        let mut conn = self.pool.acquire().await?;
        load_appeal(&mut conn, appeal_id).await
    }

    /// Oldest filed first (then id).
    pub async fn appeals(&self, org_ids: &[i64]) -> Result<Vec<Appeal>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("org_id", ints(org_ids));
        let sql = format!(
            "SELECT {APPEAL_COLS} FROM appeals{} ORDER BY filed_on ASC, id ASC",
            f.sql()
        );
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(appeal_from_row)
            .collect()
    }
}
