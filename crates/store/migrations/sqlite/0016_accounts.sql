-- Accounts (issue 12): password history and expiry, two-step sign-in, sqlite flavour. Keep in step with
-- ../postgres/0016_accounts.sql.

-- Hashes of passwords a user had before (never the passwords): a new password may not be
-- one of the last few. Pruned to the newest ten per user.
CREATE TABLE password_history (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    password_hash  TEXT NOT NULL,
    replaced_at    TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

-- When the password was last set (NULL: before this migration; the account's creation
-- time counts), and whether its holder must set a new one at the next sign-in (after an
-- administrator issued it).
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));

-- Two-step sign-in with a time-based one-time code (TOTP, RFC 6238). The shared secret
-- (base32; empty: not enrolled), one being set up but not yet confirmed, and the last
-- 30-second step a code was accepted for (a code is used once).
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Recovery codes for a lost authenticator: SHA-256 of each code, used once.
CREATE TABLE mfa_recovery_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    UNIQUE (user_id, code_hash)
);

-- A password accepted, waiting for the second step: only the token's hash is stored.
CREATE TABLE login_challenges (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    next_path   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);
