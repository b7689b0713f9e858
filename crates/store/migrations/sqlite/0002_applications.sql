-- Applications for disclosure (依申请公开), SQLite flavour. Keep in step with
-- ../postgres/0002_applications.sql: the same tables, columns and constraints,
-- only the types differ. Conventions as in 0001_init.sql.

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    -- 查询码, unique across the installation
    tracking_code   TEXT NOT NULL,
    -- SHA-256 hex of the tracking secret
    secret_hash     TEXT NOT NULL,
    -- 'natural_person' or 'organisation:<OrgType code>'
    applicant       TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    id_doc_type     TEXT NOT NULL DEFAULT '',
    id_doc_number   TEXT NOT NULL DEFAULT '',
    -- id_doc_number without whitespace, upper-cased (per-applicant counts)
    id_doc_key      TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    postal_address  TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL,
    forms           TEXT NOT NULL DEFAULT '',
    delivery        TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    submitted_on    TEXT NOT NULL,
    received        TEXT NOT NULL,
    registered_by   INTEGER REFERENCES users (id),
    -- cached from the last step
    state           TEXT NOT NULL,
    handler_id      INTEGER REFERENCES users (id),
    -- number of rows in application_steps for this application
    steps           INTEGER NOT NULL DEFAULT 0 CHECK (steps >= 0),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CONSTRAINT applications_tracking_code_key UNIQUE (tracking_code),
    -- target of appeals' (application_id, org_id) foreign key
    CONSTRAINT applications_id_org_key UNIQUE (id, org_id)
);
CREATE INDEX applications_org_received_idx ON applications (org_id, received);
CREATE INDEX applications_applicant_idx ON applications (org_id, id_doc_key, received);
CREATE INDEX applications_handler_idx ON applications (handler_id);

-- Append-only lifecycle steps; seq is 1-based and gap-free per application.
CREATE TABLE application_steps (
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    -- gongkai_domain::application::Step as JSON
    step            TEXT NOT NULL,
    state_after     TEXT NOT NULL,
    actor_id        INTEGER REFERENCES users (id),
    note            TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL,
    CONSTRAINT application_steps_pkey PRIMARY KEY (application_id, seq)
);

-- Letters (文书); an issued letter is frozen, a change makes a new version.
CREATE TABLE letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL,
    step_seq        INTEGER,
    -- step_seq, or -1 for none: NULLs are distinct in unique keys
    step_key        INTEGER NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    title           TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    issued_by       INTEGER REFERENCES users (id),
    issued_at       TEXT,
    CONSTRAINT letters_step_key_check CHECK (step_key = COALESCE(step_seq, -1)),
    CONSTRAINT letters_version_key UNIQUE (application_id, kind, step_key, version)
);
CREATE INDEX letters_application_idx ON letters (application_id, id);

-- Register of reconsiderations and lawsuits (annual report section 四).
CREATE TABLE appeals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    application_id  INTEGER,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    filed_on        TEXT NOT NULL,
    result          TEXT NOT NULL,
    decided_on      TEXT,
    note            TEXT NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- the application must belong to the same organisation
    CONSTRAINT appeals_application_fkey FOREIGN KEY (application_id, org_id) REFERENCES applications (id, org_id)
);
CREATE INDEX appeals_org_idx ON appeals (org_id, filed_on, id);
CREATE INDEX appeals_application_idx ON appeals (application_id);
