-- E-mail notifications (issue 14): an outbox the sender works through with
-- retries, and each staff member's notification preferences.
-- Keep in step with ../postgres/0012_notifications.sql.

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER REFERENCES organisations (id),
    -- e.g. 'application.staff', 'application.receipt', 'consultation.staff', 'letter', 'digest'
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    attachment_name  TEXT,
    attachment_type  TEXT,
    attachment       BLOB,
    -- 'pending', 'sent' or 'failed' (gave up after the last retry)
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    -- set for messages that must be queued once only (the daily digest)
    dedup_key        TEXT UNIQUE
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_org ON outbox (org_id, id);

CREATE TABLE notification_prefs (
    user_id    INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL DEFAULT '',
    new_cases  INTEGER NOT NULL DEFAULT 1 CHECK (new_cases IN (0, 1)),
    digest     INTEGER NOT NULL DEFAULT 1 CHECK (digest IN (0, 1)),
    review     INTEGER NOT NULL DEFAULT 1 CHECK (review IN (0, 1))
);
