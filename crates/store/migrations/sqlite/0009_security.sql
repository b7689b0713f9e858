-- Security (issue 12), SQLite flavour. Keep in step with
-- ../postgres/0009_security.sql: the same tables, columns and constraints,
-- only the types differ. Conventions as in 0001_init.sql.

-- A reviewer's acknowledgement that a finding of the personal-data guard may
-- be published (e.g. an office telephone number). Keyed by where it was found
-- (`item:12`, `consultation:3`, `report:5`), the kind of data and a hash of the
-- value — the value itself is never stored, only its masked form.
CREATE TABLE privacy_acks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    subject     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    value_hash  TEXT NOT NULL,
    masked      TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT NOT NULL,
    UNIQUE (subject, kind, value_hash)
);
CREATE INDEX privacy_acks_org ON privacy_acks (org_id);

-- The audit chain keyed with HMAC-SM3 (key outside the database) and the
-- context of each entry: the actor's roles, the user agent and the request
-- id. Entries written before this migration keep an empty `mac`.
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
