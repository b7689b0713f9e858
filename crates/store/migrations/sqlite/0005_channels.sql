-- Channels (issue 7), SQLite flavour. Keep in step with
-- ../postgres/0005_channels.sql: the same tables, columns and constraints,
-- only the types differ. Conventions as in 0001_init.sql.

-- Per-organisation settings of the channels; a missing row means defaults.
CREATE TABLE channel_settings (
    org_id                   INTEGER PRIMARY KEY NOT NULL REFERENCES organisations (id),
    consult_require_name     INTEGER NOT NULL DEFAULT 0 CHECK (consult_require_name IN (0, 1)),
    consult_require_contact  INTEGER NOT NULL DEFAULT 0 CHECK (consult_require_contact IN (0, 1)),
    consult_reply_days       INTEGER NOT NULL DEFAULT 5 CHECK (consult_reply_days BETWEEN 1 AND 60),
    led_line_chars           INTEGER NOT NULL DEFAULT 24 CHECK (led_line_chars BETWEEN 8 AND 200),
    -- 'slow', 'normal' or 'fast'
    led_speed                TEXT NOT NULL DEFAULT 'normal',
    -- notice boards (公开栏), one name per line
    boards                   TEXT NOT NULL DEFAULT '',
    -- submission to the upper-level portal (报送)
    submit_url               TEXT NOT NULL DEFAULT '',
    submit_token             TEXT NOT NULL DEFAULT '',
    submit_on_publish        INTEGER NOT NULL DEFAULT 0 CHECK (submit_on_publish IN (0, 1)),
    -- SHA-256 hex of the token other installations use to send packages here
    import_token_hash        TEXT NOT NULL DEFAULT ''
);

-- Online consultations (网上咨询).
CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL DEFAULT '',
    contact         TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    question        TEXT NOT NULL,
    private         INTEGER NOT NULL CHECK (private IN (0, 1)),
    state           TEXT NOT NULL,
    received        TEXT NOT NULL,
    due             TEXT NOT NULL,
    assignee_id     INTEGER REFERENCES users (id),
    answer          TEXT NOT NULL DEFAULT '',
    answer_dept     TEXT NOT NULL DEFAULT '',
    answered_on     TEXT,
    answered_by     INTEGER REFERENCES users (id),
    published       INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    application_id  INTEGER REFERENCES applications (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- private questions are never published
    CONSTRAINT consultations_private_unpublished CHECK (NOT (private = 1 AND published = 1))
);
CREATE INDEX consultations_org_idx ON consultations (org_id, received, id);
CREATE INDEX consultations_public_idx ON consultations (org_id, published, answered_on);

-- Current key work (重点工作) shown on the LED screen, curated by staff.
CREATE TABLE key_work (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    line        TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX key_work_org_idx ON key_work (org_id, sort_order, id);

-- Register of what was posted on which notice board (公开栏) when.
CREATE TABLE board_postings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    board       TEXT NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    posted_on   TEXT NOT NULL,
    paper       TEXT NOT NULL,
    posted_by   INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX board_postings_org_idx ON board_postings (org_id, posted_on, id);

-- Log of submission packages sent to the upper-level portal (报送).
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    package_id   TEXT NOT NULL,
    item_ids     TEXT NOT NULL,
    item_count   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    -- 'produced', 'accepted', 'rejected' or 'failed'
    status       TEXT NOT NULL,
    response     TEXT NOT NULL DEFAULT '',
    cause        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    CONSTRAINT submissions_package_key UNIQUE (package_id)
);
CREATE INDEX submissions_org_idx ON submissions (org_id, id);

-- Items received from lower-level organisations' packages.
CREATE TABLE received_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    package_id      TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    source_code     TEXT NOT NULL,
    index_no        TEXT NOT NULL,
    title           TEXT NOT NULL,
    publish_date    TEXT NOT NULL,
    url             TEXT NOT NULL DEFAULT '',
    -- the item as sent (JSON, attachments without content)
    item_json       TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    CONSTRAINT received_items_key UNIQUE (org_id, source_code, index_no)
);
CREATE INDEX received_items_org_idx ON received_items (org_id, publish_date, id);

CREATE TABLE received_attachments (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    received_item_id  INTEGER NOT NULL REFERENCES received_items (id) ON DELETE CASCADE,
    filename          TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL,
    sha256            TEXT NOT NULL,
    content           BLOB NOT NULL
);
CREATE INDEX received_attachments_item_idx ON received_attachments (received_item_id, id);

-- Packages seen by the receiving side (a package is imported once).
CREATE TABLE received_packages (
    package_id   TEXT PRIMARY KEY NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    source_name  TEXT NOT NULL,
    source_code  TEXT NOT NULL,
    item_count   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
