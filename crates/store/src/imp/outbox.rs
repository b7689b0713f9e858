//! The e-mail outbox and notification preferences.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;

use super::util::{ts, RowExt};
use super::sealed::Sealer;
use super::Store;
use crate::data_keys::Field;
use crate::outbox::{NewMessage, NotificationPrefs, OutboxMessage};
use crate::Result;

const COLS: &str = "id, org_id, kind, recipient, subject, body, attachment_name, attachment_type, attachment, status, attempts, last_error, next_attempt_at, created_at, sent_at";

fn message(r: &AnyRow, sealer: &Sealer) -> Result<OutboxMessage> {
    let attachment = match r.opt_text("attachment_name")? {
        Some(_) => Some(r.blob("attachment")?),
        None => None,
    };
    Ok(OutboxMessage {
        id: r.int("id")?,
        org_id: r.opt_int("org_id")?,
        kind: r.text("kind")?,
        recipient: sealer.open(Field::OutboxRecipient, &r.text("recipient")?)?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        attachment_name: r.opt_text("attachment_name")?,
        attachment_type: r.opt_text("attachment_type")?,
        attachment,
        status: r.text("status")?,
        attempts: r.int("attempts")?,
        last_error: r.text("last_error")?,
        next_attempt_at: r.time("next_attempt_at")?,
        created_at: r.time("created_at")?,
        sent_at: r.opt_time("sent_at")?,
    })
}

fn prefs(r: &AnyRow) -> Result<NotificationPrefs> {
    Ok(NotificationPrefs { user_id: r.int("user_id")?, email: r.text("email")?, new_cases: r.flag("new_cases")?, digest: r.flag("digest")?, review: r.flag("review")? })
}

impl Store {
    /// Queue a message; `None` when its `dedup_key` was queued before.
    pub async fn enqueue_message(&self, m: &NewMessage, now: DateTime<Utc>) -> Result<Option<i64>> {
        let (name, ty, bytes) = match &m.attachment {
            Some((n, t, b)) => (Some(n.clone()), Some(t.clone()), Some(b.clone())),
            None => (None, None, None),
        };
        // A citizen's address when the message is a receipt or a letter: sealed like the application's.
        let recipient = self.sealer().seal(Field::OutboxRecipient, &m.recipient)?;
        let sql = "INSERT INTO outbox (org_id, kind, recipient, subject, body, attachment_name, attachment_type, attachment, next_attempt_at, created_at, dedup_key) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (dedup_key) DO NOTHING RETURNING id";
        let row = sqlx::query(sql)
            .bind(m.org_id)
            .bind(&m.kind)
            .bind(recipient)
            .bind(&m.subject)
            .bind(&m.body)
            .bind(name)
            .bind(ty)
            .bind(bytes)
            .bind(ts(now))
            .bind(ts(now))
            .bind(m.dedup_key.clone())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.int("id")).transpose()
    }

    /// Pending messages whose next attempt is due, oldest first.
    pub async fn due_messages(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"))
            .bind(ts(now))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| message(r, &self.sealer())).collect()
    }

    pub async fn mark_message_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = '', sent_at = $1 WHERE id = $2").bind(ts(now)).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Record a failed attempt: retry at `retry_at`, or give up (`None`).
    pub async fn mark_message_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
        let (status, next) = match retry_at {
            Some(t) => ("pending", Some(ts(t))),
            None => ("failed", None),
        };
        sqlx::query("UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4")
            .bind(status)
            .bind(error)
            .bind(next)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Put a message back in the queue at once (staff asked to retry).
    pub async fn retry_message(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE id = $2 AND status <> 'sent'").bind(ts(now)).bind(id).execute(&mut *tx).await?;
        self.commit(tx).await?;
        Ok(r.rows_affected() > 0)
    }

    /// Newest messages of the organisations (`org_ids` empty: all), without attachment bytes.
    pub async fn outbox(&self, org_ids: &[i64], limit: i64) -> Result<Vec<OutboxMessage>> {
        let filter = if org_ids.is_empty() {
            String::new()
        } else {
            format!(" WHERE org_id IN ({})", org_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","))
        };
        let rows = sqlx::query(&format!("SELECT {COLS} FROM outbox{filter} ORDER BY id DESC LIMIT $1")).bind(if limit <= 0 { i64::MAX } else { limit }).fetch_all(&self.pool).await?;
        rows.iter().map(|r| message(r, &self.sealer())).collect()
    }

    pub async fn outbox_message(&self, id: i64) -> Result<Option<OutboxMessage>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM outbox WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| message(r, &self.sealer())).transpose()
    }

    pub async fn notification_prefs(&self, user_id: i64) -> Result<NotificationPrefs> {
        let row = sqlx::query("SELECT user_id, email, new_cases, digest, review FROM notification_prefs WHERE user_id = $1").bind(user_id).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => prefs(&r)?,
            None => NotificationPrefs::defaults(user_id),
        })
    }

    pub async fn put_notification_prefs(&self, p: &NotificationPrefs) -> Result<()> {
        sqlx::query(
            "INSERT INTO notification_prefs (user_id, email, new_cases, digest, review) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, new_cases = excluded.new_cases, digest = excluded.digest, review = excluded.review",
        )
        .bind(p.user_id)
        .bind(&p.email)
        .bind(i64::from(p.new_cases))
        .bind(i64::from(p.digest))
        .bind(i64::from(p.review))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Preferences of the enabled staff of an organisation who gave an address.
    pub async fn notification_recipients(&self, org_id: i64) -> Result<Vec<NotificationPrefs>> {
        let rows = sqlx::query(
            "SELECT p.user_id, p.email, p.new_cases, p.digest, p.review FROM notification_prefs p JOIN users u ON u.id = p.user_id \
             WHERE u.org_id = $1 AND u.disabled = 0 AND p.email <> '' ORDER BY p.user_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(prefs).collect()
    }
}
