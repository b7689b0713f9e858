-- gongkai schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql:
-- the same tables, columns, constraints and triggers, only the types differ.
-- Integers are INTEGER (64-bit), text is TEXT, dates are 'YYYY-MM-DD' TEXT,
-- timestamps are RFC 3339 UTC TEXT with nanoseconds (sortable as text),
-- flags are INTEGER 0/1.

CREATE TABLE organisations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT NOT NULL,
    name            TEXT NOT NULL,
    org_code        TEXT NOT NULL,
    level           TEXT NOT NULL,
    parent_id       INTEGER REFERENCES organisations (id),
    office_name     TEXT NOT NULL DEFAULT '',
    office_address  TEXT NOT NULL DEFAULT '',
    office_hours    TEXT NOT NULL DEFAULT '',
    office_phone    TEXT NOT NULL DEFAULT '',
    office_fax      TEXT NOT NULL DEFAULT '',
    office_email    TEXT NOT NULL DEFAULT '',
    office_website  TEXT NOT NULL DEFAULT '',
    index_pattern   TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    CONSTRAINT organisations_slug_key UNIQUE (slug),
    CONSTRAINT organisations_org_code_key UNIQUE (org_code)
);
CREATE INDEX organisations_parent_idx ON organisations (parent_id);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    username         TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    -- comma-separated role codes in canonical order, e.g. 'admin,editor'
    roles            TEXT NOT NULL DEFAULT '',
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash    TEXT NOT NULL,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    first_failed_at  TEXT,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE catalog_nodes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    parent_id   INTEGER,
    name        TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL DEFAULT 'normal',
    CONSTRAINT catalog_nodes_id_org_key UNIQUE (id, org_id),
    -- a parent must belong to the same organisation
    CONSTRAINT catalog_nodes_parent_fkey FOREIGN KEY (parent_id, org_id) REFERENCES catalog_nodes (id, org_id)
);
-- (org_id, parent_id, name) unique; NULL parents are distinct in a plain
-- unique index, so top-level names get their own partial index.
CREATE UNIQUE INDEX catalog_nodes_name_key ON catalog_nodes (org_id, parent_id, name) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX catalog_nodes_top_name_key ON catalog_nodes (org_id, name) WHERE parent_id IS NULL;
CREATE INDEX catalog_nodes_org_idx ON catalog_nodes (org_id, sort_order, id);

CREATE TABLE items (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              INTEGER NOT NULL REFERENCES organisations (id),
    catalog_id          INTEGER NOT NULL,
    author_id           INTEGER NOT NULL REFERENCES users (id),
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',
    body_html           TEXT NOT NULL DEFAULT '',
    publisher           TEXT NOT NULL DEFAULT '',
    formed_date         TEXT NOT NULL,
    doc_number          TEXT,
    -- normalised 文号 (no spaces, year brackets as 〔〕); NULL when none
    doc_number_key      TEXT,
    topic               TEXT NOT NULL DEFAULT '',
    genre               TEXT NOT NULL DEFAULT '',
    keywords            TEXT NOT NULL DEFAULT '',
    disclosure_mode     TEXT NOT NULL,
    doc_type            TEXT NOT NULL,
    statutory_category  TEXT,
    index_no            TEXT,
    status              TEXT NOT NULL,
    publish_date        TEXT,
    validity            TEXT NOT NULL DEFAULT 'valid',
    validity_date       TEXT,
    validity_note       TEXT NOT NULL DEFAULT '',
    withdraw_reason     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    -- the catalog node must belong to the item's organisation
    CONSTRAINT items_catalog_fkey FOREIGN KEY (catalog_id, org_id) REFERENCES catalog_nodes (id, org_id),
    CONSTRAINT items_doc_number_key UNIQUE (org_id, doc_number_key),
    CONSTRAINT items_index_no_key UNIQUE (index_no)
);
CREATE INDEX items_org_status_idx ON items (org_id, status, publish_date);
CREATE INDEX items_catalog_idx ON items (catalog_id);
CREATE INDEX items_author_idx ON items (author_id);
CREATE INDEX items_updated_idx ON items (org_id, updated_at);

CREATE TABLE item_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL
);
CREATE INDEX item_events_item_idx ON item_events (item_id, id);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id       INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_item_idx ON attachments (item_id, id);

-- 索引号 serial counters: last serial used per (organisation, year).
CREATE TABLE index_serials (
    org_id  INTEGER NOT NULL REFERENCES organisations (id),
    year    INTEGER NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- Append-only audit log, an SM3 hash chain. Ids are assigned by the store
-- (last id + 1) because each entry's hash covers its id.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY NOT NULL,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    org_id      INTEGER,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    client      TEXT NOT NULL,
    success     INTEGER NOT NULL CHECK (success IN (0, 1)),
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY NOT NULL,
    json      TEXT NOT NULL,
    added_by  INTEGER NOT NULL REFERENCES users (id),
    added_at  TEXT NOT NULL
);
