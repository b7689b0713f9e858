//! The audit log: append-only (triggers refuse UPDATE and DELETE in both
//! backends) and chained with SM3: each entry's `hash` is
//! `hex(SM3(prev_hash ‖ canonical(entry)))`, where `canonical` is the JSON
//! array `[id, at, actor_id, actor_name, org_id, action, target, detail,
//! client, success]` (`at` exactly as stored, RFC 3339 with nanoseconds; null
//! for absent ids) and the first entry's `prev_hash` is 64 zeros.
//!
//! Ids are assigned by the store (previous id + 1) so that the hash can cover
//! them; appends are serialised (SQLite `BEGIN IMMEDIATE`, PostgreSQL an
//! EXCLUSIVE table lock, which still lets readers through).

use sm3::{Digest, Sm3};
use sqlx::any::AnyRow;

use super::util::{ts, RowExt};
use super::Store;
use crate::{AuditEntry, Backend, NewAuditEntry, Page, Result, AUDIT_GENESIS_HASH};

const AUDIT_COLS: &str = "id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash";

/// Rows fetched per round trip while verifying.
const VERIFY_BATCH: i64 = 1000;

/// The fields covered by an entry's hash.
struct Canonical<'a> {
    id: i64,
    at: &'a str,
    actor_id: Option<i64>,
    actor_name: &'a str,
    org_id: Option<i64>,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
    client: &'a str,
    success: bool,
}

impl Canonical<'_> {
    fn hash(&self, prev_hash: &str) -> String {
        let tuple = (
            self.id,
            self.at,
            self.actor_id,
            self.actor_name,
            self.org_id,
            self.action,
            self.target,
            self.detail,
            self.client,
            self.success,
        );
        // Serialising plain strings, integers and booleans cannot fail.
        let json = serde_json::to_string(&tuple).unwrap_or_default();
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update(json.as_bytes());
        hex::encode(h.finalize())
    }
}

impl AuditEntry {
    /// The hash this entry should carry given its `prev_hash` (what
    /// [`Store::verify_audit_chain`] checks, usable by external verifiers).
    pub fn expected_hash(&self) -> String {
        let at = ts(self.at);
        Canonical {
            id: self.id,
            at: &at,
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            org_id: self.org_id,
            action: &self.action,
            target: &self.target,
            detail: &self.detail,
            client: &self.client,
            success: self.success,
        }
        .hash(&self.prev_hash)
    }
}

fn entry_from_row(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.int("id")?,
        at: r.time("at")?,
        actor_id: r.opt_int("actor_id")?,
        actor_name: r.text("actor_name")?,
        org_id: r.opt_int("org_id")?,
        action: r.text("action")?,
        target: r.text("target")?,
        detail: r.text("detail")?,
        client: r.text("client")?,
        success: r.flag("success")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Recompute a stored row's hash from its raw column text.
fn row_hash(r: &AnyRow, prev_hash: &str) -> Result<String> {
    let at = r.text("at")?;
    let actor_name = r.text("actor_name")?;
    let action = r.text("action")?;
    let target = r.text("target")?;
    let detail = r.text("detail")?;
    let client = r.text("client")?;
    Ok(Canonical {
        id: r.int("id")?,
        at: &at,
        actor_id: r.opt_int("actor_id")?,
        actor_name: &actor_name,
        org_id: r.opt_int("org_id")?,
        action: &action,
        target: &target,
        detail: &detail,
        client: &client,
        success: r.flag("success")?,
    }
    .hash(prev_hash))
}

impl Store {
    /// Append an entry to the chain.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (id, prev_hash) = match last {
            Some(r) => (r.int("id")? + 1, r.text("hash")?),
            None => (1, AUDIT_GENESIS_HASH.to_owned()),
        };
        let at = ts(entry.at);
        let hash = Canonical {
            id,
            at: &at,
            actor_id: entry.actor_id,
            actor_name: &entry.actor_name,
            org_id: entry.org_id,
            action: &entry.action,
            target: &entry.target,
            detail: &entry.detail,
            client: &entry.client,
            success: entry.success,
        }
        .hash(&prev_hash);
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(&at)
        .bind(entry.actor_id)
        .bind(&entry.actor_name)
        .bind(entry.org_id)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.detail)
        .bind(&entry.client)
        .bind(i64::from(entry.success))
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(AuditEntry {
            id,
            at: entry.at,
            actor_id: entry.actor_id,
            actor_name: entry.actor_name.clone(),
            org_id: entry.org_id,
            action: entry.action.clone(),
            target: entry.target.clone(),
            detail: entry.detail.clone(),
            client: entry.client.clone(),
            success: entry.success,
            prev_hash,
            hash,
        })
    }

    /// Newest first; `limit <= 0` means all.
    pub async fn audit_entries(&self, limit: i64, offset: i64) -> Result<Page<AuditEntry>> {
        let total = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(&self.pool)
            .await?
            .int("n")?;
        let sql = format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2");
        let items = sqlx::query(&sql)
            .bind(if limit > 0 { limit } else { i64::MAX })
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(entry_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, total })
    }

    /// Verify the whole chain; Ok(None) when intact, Ok(Some(id)) = first broken entry.
    ///
    /// An entry is broken when its `prev_hash` is not the previous entry's
    /// `hash` (an entry removed or inserted) or its `hash` does not match its
    /// content (an entry altered). Truncation of the newest entries cannot be
    /// seen from the chain itself; compare with an exported head hash for that.
    pub async fn verify_audit_chain(&self) -> Result<Option<i64>> {
        let sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2");
        let mut expected_prev = AUDIT_GENESIS_HASH.to_owned();
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(&sql)
                .bind(after)
                .bind(VERIFY_BATCH)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                let id = r.int("id")?;
                let prev_hash = r.text("prev_hash")?;
                let hash = r.text("hash")?;
                if prev_hash != expected_prev || row_hash(r, &prev_hash)? != hash {
                    return Ok(Some(id));
                }
                expected_prev = hash;
                after = id;
            }
            if (rows.len() as i64) < VERIFY_BATCH {
                return Ok(None);
            }
        }
    }
}
