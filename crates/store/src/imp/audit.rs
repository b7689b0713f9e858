//! The audit log: append-only (triggers refuse UPDATE and DELETE in both
//! backends) and chained with SM3: each entry's `hash` is
//! `hex(SM3(prev_hash ‖ canonical(entry)))`, where `canonical` is the JSON
//! array `[id, at, actor_id, actor_name, org_id, action, target, detail,
//! client, success]` (`at` exactly as stored, RFC 3339 with nanoseconds; null
//! for absent ids) and the first entry's `prev_hash` is 64 zeros.
//!
//! Keyed chain (issue 12): when the store holds an audit key (kept outside
//! the database), each entry also carries `mac = hex(HMAC-SM3(key,
//! "gongkai-audit-mac/1" ‖ 0 ‖ prev_mac ‖ 0 ‖ hash ‖ 0 ‖ json([role,
//! user_agent, request_id])))`, chained over the previous entry's `mac`.
//! Without the key nobody can rewrite an entry and recompute the chain after
//! it, nor append a forged entry. Entries written before the key existed
//! carry an empty `mac` and may only precede the first keyed entry.
//! Truncation of the newest entries is found by comparing with a signed
//! checkpoint (see `gongkai audit checkpoint` / `verify`).
//!
//! Ids are assigned by the store (previous id + 1) so that the hash can cover
//! them; appends are serialised (SQLite `BEGIN IMMEDIATE`, PostgreSQL an
//! EXCLUSIVE table lock, which still lets readers through).

use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};
use sqlx::any::AnyRow;

use super::util::{ts, RowExt};
use super::Store;
use crate::{AuditEntry, Backend, NewAuditEntry, Page, Result, AUDIT_GENESIS_HASH};

const AUDIT_COLS: &str = "id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash, mac, role, user_agent, request_id";

/// Who did it beyond the actor: roles, user agent and request id (all covered by the keyed MAC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditContext {
    /// The actor's roles, e.g. `editor,reviewer`.
    pub role: String,
    pub user_agent: String,
    pub request_id: String,
}

/// The keyed MAC of an entry given the previous entry's MAC.
pub fn audit_mac(key: &[u8], prev_mac: &str, hash: &str, ctx: &AuditContext) -> String {
    // HMAC accepts keys of any length.
    let mut m = match <Hmac<Sm3> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    let ext = serde_json::to_string(&(&ctx.role, &ctx.user_agent, &ctx.request_id)).unwrap_or_default();
    m.update(b"gongkai-audit-mac/1\0");
    m.update(prev_mac.as_bytes());
    m.update(b"\0");
    m.update(hash.as_bytes());
    m.update(b"\0");
    m.update(ext.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Outcome of a full verification of the audit chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditVerification {
    /// Number of entries.
    pub count: i64,
    /// First entry found broken and why (Chinese).
    pub broken: Option<(i64, String)>,
    /// Entries written before the chain was keyed (empty MAC, at the start).
    pub unkeyed: i64,
    /// The newest entry: id, hash and MAC.
    pub head: Option<(i64, String, String)>,
}

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
        mac: r.text("mac")?,
        role: r.text("role")?,
        user_agent: r.text("user_agent")?,
        request_id: r.text("request_id")?,
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
    /// Use `key` for the audit chain's HMAC-SM3 from now on.
    pub fn with_audit_key(mut self, key: Vec<u8>) -> Store {
        self.audit_key = Some(std::sync::Arc::new(key));
        self
    }

    /// Whether this store keys the audit chain.
    pub fn audit_keyed(&self) -> bool {
        self.audit_key.is_some()
    }

    /// Append an entry to the chain.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> {
        self.append_audit_ctx(entry, &AuditContext::default()).await
    }

    /// Append an entry with its context (role, user agent, request id).
    pub async fn append_audit_ctx(&self, entry: &NewAuditEntry, ctx: &AuditContext) -> Result<AuditEntry> {
        let mut tx = self.begin().await?;
        let stored = self.append_audit_in(&mut tx, entry, ctx).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Append an entry inside a transaction the caller commits together with
    /// the action it records (both backends).
    pub(crate) async fn append_audit_in(&self, tx: &mut super::WriteTx, entry: &NewAuditEntry, ctx: &AuditContext) -> Result<AuditEntry> {
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                .execute(&mut **tx)
                .await?;
        }
        let last = sqlx::query("SELECT id, hash, mac FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
        let (id, prev_hash, prev_mac) = match last {
            Some(r) => (r.int("id")? + 1, r.text("hash")?, r.text("mac")?),
            None => (1, AUDIT_GENESIS_HASH.to_owned(), String::new()),
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
        let mac = match &self.audit_key {
            Some(key) => audit_mac(key, &prev_mac, &hash, ctx),
            None => String::new(),
        };
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash, mac, role, user_agent, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
        .bind(&mac)
        .bind(&ctx.role)
        .bind(&ctx.user_agent)
        .bind(&ctx.request_id)
        .execute(&mut **tx)
        .await?;
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
            mac,
            role: ctx.role.clone(),
            user_agent: ctx.user_agent.clone(),
            request_id: ctx.request_id.clone(),
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
    /// `hash` (an entry removed or inserted), its `hash` does not match its
    /// content (an entry altered) or — when the store holds the audit key — its
    /// MAC is missing or wrong (the chain recomputed or an entry forged).
    /// Truncation of the newest entries cannot be seen from the chain itself;
    /// compare with a signed checkpoint for that.
    pub async fn verify_audit_chain(&self) -> Result<Option<i64>> {
        Ok(self.verify_audit().await?.broken.map(|(id, _)| id))
    }

    /// Verify the whole chain and describe it (see [`Store::verify_audit_chain`]).
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        let sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2");
        let mut expected_prev = AUDIT_GENESIS_HASH.to_owned();
        let mut prev_mac = String::new();
        let mut keyed_seen = false;
        let mut out = AuditVerification::default();
        let mut after = i64::MIN;
        let mut expected_id = 1;
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
                let mac = r.text("mac")?;
                out.count += 1;
                let why = if id != expected_id {
                    Some(format!("序号不连续（应为 {expected_id}），之前的记录被删除"))
                } else if prev_hash != expected_prev {
                    Some("前一条记录的哈希不符，记录被删除或插入".to_string())
                } else if row_hash(r, &prev_hash)? != hash {
                    Some("记录内容与其 SM3 哈希不符，记录被改动".to_string())
                } else if let Some(key) = &self.audit_key {
                    let ctx = AuditContext { role: r.text("role")?, user_agent: r.text("user_agent")?, request_id: r.text("request_id")? };
                    if mac.is_empty() {
                        if keyed_seen {
                            Some("记录缺少密钥校验码（HMAC-SM3），为伪造或改写的记录".to_string())
                        } else {
                            out.unkeyed += 1;
                            None
                        }
                    } else if audit_mac(key, &prev_mac, &hash, &ctx) != mac {
                        Some("密钥校验码（HMAC-SM3）不符，记录被改写或伪造".to_string())
                    } else {
                        keyed_seen = true;
                        None
                    }
                } else {
                    None
                };
                if let Some(why) = why {
                    if out.broken.is_none() {
                        out.broken = Some((id, why));
                    }
                }
                out.head = Some((id, hash.clone(), mac.clone()));
                expected_prev = hash;
                prev_mac = mac;
                after = id;
                expected_id = id + 1;
            }
            if (rows.len() as i64) < VERIFY_BATCH {
                return Ok(out);
            }
        }
    }

    /// One entry by id.
    pub async fn audit_entry(&self, id: i64) -> Result<Option<AuditEntry>> {
        let sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(entry_from_row).transpose()
    }
}
