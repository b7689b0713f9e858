-- Password history and expiry (issue 12, accounts), sqlite flavour. Keep in step with
-- ../postgres/0016_password_history.sql.

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
