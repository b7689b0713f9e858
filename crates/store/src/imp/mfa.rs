//! Two-step sign-in: each user's TOTP secret, the recovery codes (hashed) and the
//! challenges that stand between an accepted password and a session.

use chrono::{DateTime, Utc};

use super::util::{ts, RowExt};
use super::Store;
use crate::data_keys::Field;
use crate::{Result, StoreError};

/// A user's two-step sign-in as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaState {
    /// The confirmed secret (base32); `None`: not enrolled.
    pub secret: Option<String>,
    /// A secret being set up, not yet confirmed by a code.
    pub pending: Option<String>,
    /// Unused recovery codes left.
    pub recovery_left: i64,
}

/// A password accepted and waiting for the second step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginChallenge {
    pub user_id: i64,
    pub next_path: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i64,
}

fn some(s: String) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

impl Store {
    /// The user's two-step sign-in state. Errors: NotFound("用户").
    pub async fn mfa_state(&self, user_id: i64) -> Result<MfaState> {
        let row = sqlx::query("SELECT totp_secret, totp_pending FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("用户"))?;
        let left = sqlx::query("SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?
            .int("n")?;
        let sealer = self.sealer();
        Ok(MfaState {
            secret: some(sealer.open(Field::Totp, &row.text("totp_secret")?)?),
            pending: some(sealer.open(Field::Totp, &row.text("totp_pending")?)?),
            recovery_left: left,
        })
    }

    /// Keep a secret being set up until its first code confirms it. Errors: NotFound("用户").
    pub async fn set_pending_mfa(&self, user_id: i64, secret: &str) -> Result<()> {
        let sealed = self.sealer().seal(Field::Totp, secret)?;
        let r = sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1").bind(user_id).bind(sealed).execute(&self.pool).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("用户"));
        }
        Ok(())
    }

    /// Make the pending secret the user's, with `step` as the last step used and new
    /// recovery codes (their hashes), in one transaction. Conflict if the pending secret
    /// changed meanwhile (set up again in another window).
    pub async fn confirm_mfa(&self, user_id: i64, secret: &str, step: i64, recovery_hashes: &[String]) -> Result<()> {
        let changed = || StoreError::Conflict { field: "code", message: "两步验证的设置已在别处重新开始，请刷新页面后重试".into() };
        let mut tx = self.begin().await?;
        // The pending secret is sealed (a fresh nonce each time), so it is compared
        // opened; the update then requires the very value read, so a secret set up
        // again in another window meanwhile still makes it a conflict.
        let stored = sqlx::query("SELECT totp_pending FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.text("totp_pending"))
            .transpose()?
            .unwrap_or_default();
        if stored.is_empty() || self.sealer().open(Field::Totp, &stored)? != secret {
            return Err(changed());
        }
        let r = sqlx::query("UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = $3 WHERE id = $1 AND totp_pending = $2")
            .bind(user_id)
            .bind(&stored)
            .bind(step)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(changed());
        }
        replace_codes(&mut tx, user_id, recovery_hashes).await?;
        self.commit(tx).await
    }

    /// New recovery codes in place of all earlier ones.
    pub async fn replace_recovery_codes(&self, user_id: i64, recovery_hashes: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        replace_codes(&mut tx, user_id, recovery_hashes).await?;
        self.commit(tx).await
    }

    /// Turn two-step sign-in off for the user (they or an administrator did), with its codes.
    pub async fn disable_mfa(&self, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("用户"));
        }
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        self.commit(tx).await
    }

    /// Record that a code of `step` was used; false if that step or a later one already
    /// was (a code is good once, even under concurrent attempts).
    pub async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2").bind(user_id).bind(step).execute(&self.pool).await?;
        Ok(r.rows_affected() == 1)
    }

    /// Use a recovery code (by its hash); false if it is not one of the user's unused codes.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let r = sqlx::query("UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(code_hash)
            .bind(ts(at))
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Keep a challenge (only the token's hash).
    pub async fn create_login_challenge(&self, token_hash: &str, user_id: i64, next_path: &str, expires_at: DateTime<Utc>) -> Result<()> {
        sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1").bind(ts(Utc::now())).execute(&self.pool).await?;
        sqlx::query("INSERT INTO login_challenges (token_hash, user_id, next_path, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)")
            .bind(token_hash)
            .bind(user_id)
            .bind(next_path)
            .bind(ts(expires_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The challenge, counting this attempt (expired or not; the caller compares).
    pub async fn attempt_login_challenge(&self, token_hash: &str) -> Result<Option<LoginChallenge>> {
        sqlx::query("UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        let row = sqlx::query("SELECT user_id, next_path, expires_at, attempts FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(LoginChallenge { user_id: r.int("user_id")?, next_path: r.text("next_path")?, expires_at: r.time("expires_at")?, attempts: r.int("attempts")? })).transpose()
    }

    pub async fn delete_login_challenge(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }
}

async fn replace_codes(tx: &mut super::WriteTx, user_id: i64, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    for h in hashes {
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)").bind(user_id).bind(h).execute(&mut **tx).await?;
    }
    Ok(())
}
