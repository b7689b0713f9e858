//! Staff accounts, login lock-out and sessions.

use chrono::{DateTime, Utc};
use gongkai_domain::model::{Role, User};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{
    bind_all, is_foreign_key_violation, ts, ts_add, unique_violation, Arg, Filter, RowExt,
};
use super::Store;
use crate::{NewUser, Result, Session, StoreError, UserAuth};

const USER_COLS: &str = "id, username, display_name, org_id, roles, disabled";
const AUTH_COLS: &str = "password_hash, failed_logins, first_failed_at, locked_until";
const SESSION_COLS: &str = "token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at";

/// Roles as stored: canonical order, no duplicates, comma-separated.
fn roles_text(roles: &[Role]) -> String {
    Role::ALL
        .iter()
        .filter(|r| roles.contains(r))
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_roles(s: &str) -> Result<Vec<Role>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            Role::parse(p).ok_or_else(|| StoreError::Corrupt(format!("字段 roles：未知角色“{p}”")))
        })
        .collect()
}

fn user_from_row(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: r.int("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        org_id: r.int("org_id")?,
        roles: parse_roles(&r.text("roles")?)?,
        disabled: r.flag("disabled")?,
    })
}

fn auth_from_row(r: &AnyRow) -> Result<UserAuth> {
    Ok(UserAuth {
        password_hash: r.text("password_hash")?,
        failed_logins: r.int("failed_logins")?,
        first_failed_at: r.opt_time("first_failed_at")?,
        locked_until: r.opt_time("locked_until")?,
    })
}

fn session_from_row(r: &AnyRow) -> Result<Session> {
    Ok(Session {
        token_hash: r.text("token_hash")?,
        user_id: r.int("user_id")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.time("created_at")?,
        last_seen_at: r.time("last_seen_at")?,
        expires_at: r.time("expires_at")?,
    })
}

fn username_conflict(username: &str) -> StoreError {
    StoreError::Conflict {
        field: "username",
        message: format!("用户名“{username}”已存在"),
    }
}

async fn auth_state(conn: &mut AnyConnection, user_id: i64) -> Result<UserAuth> {
    let sql = format!("SELECT {AUTH_COLS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    auth_from_row(&row.ok_or(StoreError::NotFound("用户"))?)
}

impl Store {
    /// Errors: Conflict("username") on a duplicate username (用户名); NotFound("机关").
    pub async fn create_user(
        &self,
        new: &NewUser,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&new.username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(username_conflict(&new.username));
        }
        let org = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(new.org_id)
            .fetch_optional(&mut *tx)
            .await?;
        if org.is_none() {
            return Err(StoreError::NotFound("机关"));
        }
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, org_id, roles, disabled, password_hash, failed_logins, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, 0, $6) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.org_id)
        .bind(roles_text(&new.roles))
        .bind(password_hash)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if unique_violation(&e).is_some() { username_conflict(&new.username) } else { StoreError::Db(e) })?;
        let id = row.int("id")?;
        self.commit_for(tx, Some(id)).await?;
        let mut roles: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| new.roles.contains(r))
            .collect();
        roles.dedup();
        Ok(User {
            id,
            username: new.username.clone(),
            display_name: new.display_name.clone(),
            org_id: new.org_id,
            roles,
            disabled: false,
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<(User, UserAuth)>> {
        let sql = format!("SELECT {USER_COLS}, {AUTH_COLS} FROM users WHERE username = $1");
        match sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
        {
            Some(r) => Ok(Some((user_from_row(&r)?, auth_from_row(&r)?))),
            None => Ok(None),
        }
    }

    /// Users of the given organisations (all when `org_ids` is empty), by username.
    pub async fn users(&self, org_ids: &[i64]) -> Result<Vec<User>> {
        let mut f = Filter::default();
        if !org_ids.is_empty() {
            f.any_of("org_id", org_ids.iter().map(|&i| Arg::Int(i)));
        }
        let sql = format!("SELECT {USER_COLS} FROM users{} ORDER BY username", f.sql());
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .int("n")
    }

    /// Errors: NotFound("用户").
    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        self.store_password(user_id, password_hash, false).await
    }

    /// A password an administrator issued: like [`Store::set_password`], and its holder
    /// must replace it at the next sign-in. Errors: NotFound("用户").
    pub async fn issue_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        self.store_password(user_id, password_hash, true).await
    }

    /// Replace the password hash, keeping the old one in the history (the newest ten per
    /// user are kept), in one transaction.
    async fn store_password(&self, user_id: i64, password_hash: &str, must_change: bool) -> Result<()> {
        let now = ts(Utc::now());
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO password_history (user_id, password_hash, replaced_at) \
             SELECT id, password_hash, $2 FROM users WHERE id = $1",
        )
        .bind(user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        found(r.rows_affected())?;
        sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = $3, must_change_password = $4 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(&now)
            .bind(i64::from(must_change))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN \
             (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT 10)",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }

    /// The hashes of the user's current password and the ones before it, newest first,
    /// `n` at most (for the rule that a new password may not be a recent one).
    pub async fn recent_password_hashes(&self, user_id: i64, n: usize) -> Result<Vec<String>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut out: Vec<String> = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.text("password_hash"))
            .collect::<Result<_>>()?;
        let older = sqlx::query("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(user_id)
            .bind(i64::try_from(n.saturating_sub(1)).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        for r in &older {
            out.push(r.text("password_hash")?);
        }
        Ok(out)
    }

    /// When the password was last set (the account's creation for passwords set before
    /// this was recorded) and whether it must be replaced. `None`: no such user.
    pub async fn password_status(&self, user_id: i64) -> Result<Option<crate::PasswordStatus>> {
        let row = sqlx::query("SELECT COALESCE(password_changed_at, created_at) AS changed_at, must_change_password FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(crate::PasswordStatus { changed_at: r.time("changed_at")?, must_change: r.int("must_change_password")? != 0 })).transpose()
    }

    /// Errors: NotFound("用户").
    pub async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
            .bind(user_id)
            .bind(i64::from(disabled))
            .execute(&mut *tx)
            .await?;
        found(r.rows_affected())?;
        self.commit(tx).await
    }

    /// Errors: NotFound("用户").
    /// Through [`Store::commit`]: a handle from [`Store::audited`] records the change in
    /// the same transaction.
    pub async fn set_user_roles(&self, user_id: i64, roles: &[Role]) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET roles = $2 WHERE id = $1")
            .bind(user_id)
            .bind(roles_text(roles))
            .execute(&mut *tx)
            .await?;
        found(r.rows_affected())?;
        self.commit(tx).await
    }

    /// Errors: NotFound("用户").
    pub async fn set_user_display_name(&self, user_id: i64, display_name: &str) -> Result<()> {
        let r = sqlx::query("UPDATE users SET display_name = $2 WHERE id = $1")
            .bind(user_id)
            .bind(display_name)
            .execute(&self.pool)
            .await?;
        found(r.rows_affected())
    }

    /// Record a failed login. If `threshold` failures happen within `window`
    /// of the first one, the account is locked until `now + lock_for`.
    /// Returns the resulting auth state.
    ///
    /// The count starts afresh when the first failure is older than `window`
    /// or when a previous lock has expired. Errors: NotFound("用户").
    pub async fn record_login_failure(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        threshold: i64,
        window: chrono::Duration,
        lock_for: chrono::Duration,
    ) -> Result<UserAuth> {
        let now_s = ts(now);
        let cutoff = ts_add(now, -window);
        let until = ts_add(now, lock_for);
        let mut tx = self.begin().await?;
        // One statement, so concurrent failures cannot lose counts; every SET
        // expression sees the old row.
        let fresh = "(first_failed_at IS NULL OR first_failed_at < $2 OR (locked_until IS NOT NULL AND locked_until <= $3))";
        let sql = format!(
            "UPDATE users SET \
                 failed_logins = CASE WHEN {fresh} THEN 1 ELSE failed_logins + 1 END, \
                 first_failed_at = CASE WHEN {fresh} THEN $3 ELSE first_failed_at END, \
                 locked_until = CASE WHEN {fresh} THEN NULL ELSE locked_until END \
             WHERE id = $1"
        );
        let r = sqlx::query(&sql)
            .bind(user_id)
            .bind(&cutoff)
            .bind(&now_s)
            .execute(&mut *tx)
            .await?;
        found(r.rows_affected())?;
        sqlx::query("UPDATE users SET locked_until = $2 WHERE id = $1 AND failed_logins >= $3")
            .bind(user_id)
            .bind(&until)
            .bind(threshold)
            .execute(&mut *tx)
            .await?;
        let state = auth_state(&mut tx, user_id).await?;
        self.commit(tx).await?;
        Ok(state)
    }

    /// Clear failures and any lock (successful login or admin unlock).
    /// Errors: NotFound("用户").
    pub async fn reset_login_failures(&self, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET failed_logins = 0, first_failed_at = NULL, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        found(r.rows_affected())?;
        self.commit(tx).await
    }

    // ---- sessions ----

    /// Errors: NotFound("用户") if the user does not exist.
    pub async fn create_session(&self, session: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(ts(session.created_at))
        .bind(ts(session.last_seen_at))
        .bind(ts(session.expires_at))
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                StoreError::NotFound("用户")
            } else if unique_violation(&e).is_some() {
                StoreError::Conflict { field: "token_hash", message: "会话标识重复，请重新登录".to_owned() }
            } else {
                StoreError::Db(e)
            }
        })?;
        Ok(())
    }

    /// The session, expired or not (the caller compares `expires_at`).
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1");
        sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(session_from_row)
            .transpose()
    }

    /// Set `last_seen_at`; a session that no longer exists is ignored.
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(ts(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Idempotent.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// End every session of a user except the one with `keep_hash` (after a password change).
    pub async fn delete_other_sessions(&self, user_id: i64, keep_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Delete sessions with `expires_at <= now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(ts(now))
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }
}

fn found(rows: u64) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound("用户"))
    } else {
        Ok(())
    }
}
