//! Reading the audit log with filters, the 主题分类/体裁分类 vocabularies, attachment display
//! titles and Art. 44 decisions (issue 15, items 6, 7 and 9). The audit log's write path lives
//! in `audit.rs` and is not touched here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;

use super::util::{bind_all, ts, Arg, Filter, RowExt};
use super::Store;
use crate::writing::{Art44Decision, Art44Outcome, AuditFilter, AuditRecord, VocabularyKind};
use crate::{Page, Result, StoreError};

const AUDIT_READ_COLS: &str = "id, at, actor_id, actor_name, org_id, action, target, detail, client, success, hash";

fn audit_from_row(r: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
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
        hash: r.text("hash")?,
    })
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn audit_filter(f: &AuditFilter) -> Filter {
    let mut w = Filter::default();
    let scope: Vec<String> = f.org_ids.iter().map(|id| w.arg(Arg::Int(*id))).collect();
    if scope.is_empty() {
        w.clause("org_id IS NULL".to_owned());
    } else {
        w.clause(format!("(org_id IS NULL OR org_id IN ({}))", scope.join(", ")));
    }
    if let Some(org) = f.org_id {
        w.eq("org_id", Arg::Int(org));
    }
    if let Some(actor) = f.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let p = w.arg(Arg::Text(format!("%{}%", like_escape(actor))));
        w.clause(format!("actor_name LIKE {p} ESCAPE '\\'"));
    }
    if let Some(action) = f.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        if let Some(prefix) = action.strip_suffix('.') {
            let exact = w.arg(Arg::Text(prefix.to_owned()));
            let like = w.arg(Arg::Text(format!("{}.%", like_escape(prefix))));
            w.clause(format!("(action = {exact} OR action LIKE {like} ESCAPE '\\')"));
        } else {
            w.eq("action", Arg::Text(action.to_owned()));
        }
    }
    if let Some(from) = f.from {
        let p = w.arg(Arg::Text(ts(from)));
        w.clause(format!("at >= {p}"));
    }
    if let Some(until) = f.until {
        let p = w.arg(Arg::Text(ts(until)));
        w.clause(format!("at < {p}"));
    }
    if let Some(ok) = f.success {
        w.eq("success", Arg::Int(i64::from(ok)));
    }
    w
}

fn decision_from_row(r: &AnyRow) -> Result<Art44Decision> {
    let outcome = r.text("outcome")?;
    Ok(Art44Decision {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        outcome: Art44Outcome::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("第四十四条建议的处理结果“{outcome}”无法识别")))?,
        item_id: r.opt_int("item_id")?,
        reason: r.text("reason")?,
        decided_by: r.int("decided_by")?,
        decided_at: r.time("decided_at")?,
        application_ids: Vec::new(),
    })
}

impl Store {
    /// Audit entries matching `f`, newest first, with the number matching.
    pub async fn audit_search(&self, f: &AuditFilter) -> Result<Page<AuditRecord>> {
        let w = audit_filter(f);
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log{}", w.sql());
        let total = bind_all(sqlx::query(&count_sql), &w.args).fetch_one(&self.pool).await?.int("n")?;
        let n = w.args.len();
        let sql = format!(
            "SELECT {AUDIT_READ_COLS} FROM audit_log{} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            w.sql(),
            n + 1,
            n + 2
        );
        let items = bind_all(sqlx::query(&sql), &w.args)
            .bind(if f.limit > 0 { f.limit } else { i64::MAX })
            .bind(f.offset.max(0))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(audit_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, total })
    }

    /// The distinct action codes in the log (for the filter list), sorted.
    pub async fn audit_action_codes(&self) -> Result<Vec<String>> {
        sqlx::query("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.text("action"))
            .collect()
    }

    /// The display names of audit targets (`kind:id`) that name a stored object: items and
    /// reports by title, applications by 查询码 (never the applicant), users, organisations,
    /// catalog columns and consultations. Unknown kinds and deleted objects are left out.
    pub async fn audit_target_names(&self, targets: &[String]) -> Result<HashMap<String, String>> {
        let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
        for t in targets {
            if let Some((kind, id)) = t.split_once(':') {
                if let Ok(id) = id.parse::<i64>() {
                    by_kind.entry(kind).or_default().push(id);
                }
            }
        }
        let mut out = HashMap::new();
        for (kind, mut ids) in by_kind {
            ids.sort_unstable();
            ids.dedup();
            let (sql_head, col) = match kind {
                "item" => ("SELECT id, title AS name FROM items", "name"),
                "report" => ("SELECT id, content AS name FROM annual_reports", "name"),
                "application" => ("SELECT id, tracking_code AS name FROM applications", "name"),
                "user" => ("SELECT id, display_name AS name FROM users", "name"),
                "org" => ("SELECT id, name FROM organisations", "name"),
                "catalog" => ("SELECT id, name FROM catalog_nodes", "name"),
                "consultation" => ("SELECT id, subject AS name FROM consultations", "name"),
                _ => continue,
            };
            for chunk in ids.chunks(200) {
                let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let sql = format!("{sql_head} WHERE id IN ({})", ps.join(", "));
                let mut q = sqlx::query(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                for r in q.fetch_all(&self.pool).await? {
                    let id = r.int("id")?;
                    let mut name = r.text(col)?;
                    if kind == "report" {
                        // The title lives inside the stored report.
                        name = serde_json::from_str::<serde_json::Value>(&name)
                            .ok()
                            .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_owned))
                            .unwrap_or_default();
                    }
                    if !name.is_empty() {
                        out.insert(format!("{kind}:{id}"), name);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The organisation's own list for a vocabulary, or None when it uses the default list.
    pub async fn vocabulary(&self, org_id: i64, kind: VocabularyKind) -> Result<Option<Vec<String>>> {
        let terms: Vec<String> =
            sqlx::query("SELECT term FROM vocabulary_terms WHERE org_id = $1 AND kind = $2 ORDER BY position")
                .bind(org_id)
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.text("term"))
                .collect::<Result<_>>()?;
        Ok((!terms.is_empty()).then_some(terms))
    }

    /// Replace the organisation's list (empty = back to the default list), atomically.
    pub async fn set_vocabulary(&self, org_id: i64, kind: VocabularyKind, terms: &[String]) -> Result<()> {
        self.set_vocabularies(org_id, &[(kind, terms)]).await
    }

    /// Replace several of the organisation's lists in one transaction.
    pub async fn set_vocabularies(&self, org_id: i64, lists: &[(VocabularyKind, &[String])]) -> Result<()> {
        let mut tx = self.begin().await?;
        for (kind, terms) in lists {
            sqlx::query("DELETE FROM vocabulary_terms WHERE org_id = $1 AND kind = $2")
                .bind(org_id)
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?;
            for (i, term) in terms.iter().enumerate() {
                sqlx::query("INSERT INTO vocabulary_terms (org_id, kind, position, term) VALUES ($1, $2, $3, $4)")
                    .bind(org_id)
                    .bind(kind.as_str())
                    .bind(i as i64)
                    .bind(term.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// Change an attachment's display title. Errors: NotFound("附件").
    pub async fn set_attachment_title(&self, id: i64, title: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE attachments SET display_title = $1 WHERE id = $2")
            .bind(title)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("附件"));
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// The organisation's Art. 44 window (days) and minimum number of applicants, if set.
    pub async fn art44_settings(&self, org_id: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query("SELECT window_days, min_applicants FROM art44_settings WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.int("window_days")?, r.int("min_applicants")?))).transpose()
    }

    /// Save the organisation's Art. 44 settings (the caller has checked the ranges).
    pub async fn set_art44_settings(&self, org_id: i64, window_days: i64, min_applicants: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM art44_settings WHERE org_id = $1").bind(org_id).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO art44_settings (org_id, window_days, min_applicants) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(window_days)
            .bind(min_applicants)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Record a decision on an Art. 44 suggestion. Errors: Conflict("applications") when one
    /// of the applications already belongs to a decided suggestion (nothing is written).
    pub async fn record_art44(
        &self,
        org_id: i64,
        outcome: Art44Outcome,
        item_id: Option<i64>,
        reason: &str,
        application_ids: &[i64],
        decided_by: i64,
        now: DateTime<Utc>,
    ) -> Result<Art44Decision> {
        let mut tx = self.begin().await?;
        for app in application_ids {
            let taken = sqlx::query("SELECT suggestion_id FROM art44_links WHERE application_id = $1")
                .bind(*app)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    field: "applications",
                    message: "这些申请已经处理过第四十四条建议，请刷新页面".to_owned(),
                });
            }
        }
        let row = sqlx::query(
            "INSERT INTO art44_suggestions (org_id, outcome, item_id, reason, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(outcome.as_str())
        .bind(item_id)
        .bind(reason)
        .bind(decided_by)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        let id = row.int("id")?;
        let mut apps = application_ids.to_vec();
        apps.sort_unstable();
        apps.dedup();
        for app in &apps {
            sqlx::query("INSERT INTO art44_links (suggestion_id, application_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*app)
                .execute(&mut *tx)
                .await?;
        }
        self.commit(tx).await?;
        Ok(Art44Decision {
            id,
            org_id,
            outcome,
            item_id,
            reason: reason.to_owned(),
            decided_by,
            decided_at: now,
            application_ids: apps,
        })
    }

    /// The decisions of the organisations, oldest first, with their applications.
    pub async fn art44_decisions(&self, org_ids: &[i64]) -> Result<Vec<Art44Decision>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ps: Vec<String> = (1..=org_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, org_id, outcome, item_id, reason, decided_by, decided_at FROM art44_suggestions \
             WHERE org_id IN ({}) ORDER BY id",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for o in org_ids {
            q = q.bind(*o);
        }
        let mut out: Vec<Art44Decision> =
            q.fetch_all(&self.pool).await?.iter().map(decision_from_row).collect::<Result<_>>()?;
        let link_sql = format!(
            "SELECT l.suggestion_id, l.application_id FROM art44_links l \
             JOIN art44_suggestions s ON s.id = l.suggestion_id WHERE s.org_id IN ({}) \
             ORDER BY l.suggestion_id, l.application_id",
            ps.join(", ")
        );
        let mut q = sqlx::query(&link_sql);
        for o in org_ids {
            q = q.bind(*o);
        }
        let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            links.entry(r.int("suggestion_id")?).or_default().push(r.int("application_id")?);
        }
        for d in &mut out {
            d.application_ids = links.remove(&d.id).unwrap_or_default();
        }
        Ok(out)
    }
}
