//! Acknowledgements of the personal-data guard.

use super::util::{ts, RowExt};
use super::Store;
use crate::privacy::{NewPrivacyAck, PrivacyAck};
use crate::Result;

impl Store {
    /// Acknowledgements given for one subject (`item:12` …), oldest first.
    pub async fn privacy_acks(&self, subject: &str) -> Result<Vec<PrivacyAck>> {
        sqlx::query(
            "SELECT id, org_id, subject, kind, value_hash, masked, reason, user_id, at FROM privacy_acks WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PrivacyAck {
                id: r.int("id")?,
                org_id: r.int("org_id")?,
                subject: r.text("subject")?,
                kind: r.text("kind")?,
                value_hash: r.text("value_hash")?,
                masked: r.text("masked")?,
                reason: r.text("reason")?,
                user_id: r.int("user_id")?,
                at: r.time("at")?,
            })
        })
        .collect()
    }

    /// Record an acknowledgement; acknowledging the same finding again keeps the first.
    pub async fn add_privacy_ack(&self, ack: &NewPrivacyAck) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO privacy_acks (org_id, subject, kind, value_hash, masked, reason, user_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subject, kind, value_hash) DO NOTHING",
        )
        .bind(ack.org_id)
        .bind(&ack.subject)
        .bind(&ack.kind)
        .bind(&ack.value_hash)
        .bind(&ack.masked)
        .bind(&ack.reason)
        .bind(ack.user_id)
        .bind(ts(ack.at))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }
}
