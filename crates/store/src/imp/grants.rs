//! Reveal grants (migration 0018). Writes go through [`Store::commit`], so a handle from
//! [`Store::audited`] records the grant or revocation in the same transaction.

use chrono::{DateTime, Utc};
use gongkai_domain::model::Role;
use sqlx::any::AnyRow;

use super::util::{is_foreign_key_violation, ts, RowExt};
use super::Store;
use crate::grants::RevealGrant;
use crate::{Result, StoreError};

fn grant_from_row(r: &AnyRow) -> Result<RevealGrant> {
    let role = r.text("role")?;
    Ok(RevealGrant {
        org_id: r.int("org_id")?,
        grantee_org_id: r.int("grantee_org_id")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("字段 role：未知角色“{role}”")))?,
        granted_by: r.int("granted_by")?,
        granted_at: r.time("granted_at")?,
    })
}

impl Store {
    /// The reveal grants `org_id` has given, by grantee organisation and role.
    pub async fn reveal_grants(&self, org_id: i64) -> Result<Vec<RevealGrant>> {
        sqlx::query("SELECT org_id, grantee_org_id, role, granted_by, granted_at FROM reveal_grants WHERE org_id = $1 ORDER BY grantee_org_id, role")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(grant_from_row)
            .collect()
    }

    /// Grant holders of `role` at `grantee_org_id` the right to reveal the applicants of
    /// `org_id`. Returns false when the grant existed already (the pending audit entry, if
    /// any, is still written). Errors: NotFound("机关") for an unknown organisation,
    /// Conflict when an organisation would grant itself.
    pub async fn grant_reveal(&self, org_id: i64, grantee_org_id: i64, role: Role, granted_by: i64, at: DateTime<Utc>) -> Result<bool> {
        if org_id == grantee_org_id {
            return Err(StoreError::Conflict { field: "grantee_org_id", message: "本机关的工作人员无须授权".into() });
        }
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO reveal_grants (org_id, grantee_org_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, grantee_org_id, role) DO NOTHING",
        )
        .bind(org_id)
        .bind(grantee_org_id)
        .bind(role.as_str())
        .bind(granted_by)
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?
        .rows_affected()
            > 0;
        self.commit(tx).await?;
        Ok(inserted)
    }

    /// Withdraw a grant. Returns false when there was none (the pending audit entry, if
    /// any, is still written).
    pub async fn revoke_reveal(&self, org_id: i64, grantee_org_id: i64, role: Role) -> Result<bool> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query("DELETE FROM reveal_grants WHERE org_id = $1 AND grantee_org_id = $2 AND role = $3")
            .bind(org_id)
            .bind(grantee_org_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        self.commit(tx).await?;
        Ok(removed)
    }

    /// Whether `org_id` has granted any of `roles` at `grantee_org_id` the right to reveal.
    pub async fn has_reveal_grant(&self, org_id: i64, grantee_org_id: i64, roles: &[Role]) -> Result<bool> {
        for role in roles {
            let n = sqlx::query("SELECT COUNT(*) AS n FROM reveal_grants WHERE org_id = $1 AND grantee_org_id = $2 AND role = $3")
                .bind(org_id)
                .bind(grantee_org_id)
                .bind(role.as_str())
                .fetch_one(&self.pool)
                .await?
                .int("n")?;
            if n > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
