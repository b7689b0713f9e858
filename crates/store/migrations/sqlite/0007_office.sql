-- The back office (issue 15): sign-off (签发) of letters, 文书编号 allocation, item
-- review opinions, duplicate applications, consultation tracking codes. SQLite
-- flavour; keep in step with ../postgres/0007_office.sql.

-- Per-organisation back-office settings.
CREATE TABLE office_settings (
    org_id              INTEGER PRIMARY KEY REFERENCES organisations (id),
    -- step codes whose letter needs the office head's sign-off, comma-separated
    signoff_steps       TEXT NOT NULL,
    -- 1 = 审核, 3 = 初审/复审/终审
    review_levels       INTEGER NOT NULL DEFAULT 1 CHECK (review_levels IN (1, 3)),
    -- 文书编号 pattern with {年} and {号}
    doc_number_pattern  TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- The last 文书编号 handed out per organisation and year (allocated on issue, in the
-- issuing transaction).
CREATE TABLE doc_number_counters (
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    year         INTEGER NOT NULL,
    last_number  INTEGER NOT NULL CHECK (last_number >= 1),
    CONSTRAINT doc_number_counters_pkey PRIMARY KEY (org_id, year)
);

-- Letters: the number, the sign-off, and the step held until issue.
ALTER TABLE letters ADD COLUMN doc_number TEXT;
ALTER TABLE letters ADD COLUMN signed_off_by INTEGER REFERENCES users (id);
ALTER TABLE letters ADD COLUMN signed_off_at TEXT;
-- gongkai_domain::application::Step as JSON, recorded on the case when the letter is issued
ALTER TABLE letters ADD COLUMN pending_step TEXT;

-- A duplicate application merged into another (excluded from counts and lists).
ALTER TABLE applications ADD COLUMN merged_into INTEGER REFERENCES applications (id);
ALTER TABLE applications ADD COLUMN merged_by INTEGER REFERENCES users (id);
ALTER TABLE applications ADD COLUMN merged_at TEXT;

-- 查询码 and secret of online consultations.
CREATE TABLE consultation_codes (
    consultation_id  INTEGER PRIMARY KEY REFERENCES consultations (id),
    tracking_code    TEXT NOT NULL,
    -- SHA-256 hex of the secret
    secret_hash      TEXT NOT NULL,
    CONSTRAINT consultation_codes_tracking_code_key UNIQUE (tracking_code)
);

-- Review opinions recorded on items (保密审查, 公开属性审查), one row per level.
CREATE TABLE item_reviews (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id             INTEGER NOT NULL REFERENCES items (id),
    -- single / first / second / final
    level               TEXT NOT NULL,
    secrecy_opinion     TEXT NOT NULL,
    disclosure_opinion  TEXT NOT NULL,
    reviewer_id         INTEGER NOT NULL REFERENCES users (id),
    reviewer_name       TEXT NOT NULL,
    reviewed_on         TEXT NOT NULL,
    -- reviews of an earlier submission are superseded when the item is returned
    superseded          INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    at                  TEXT NOT NULL
);
CREATE INDEX item_reviews_item_idx ON item_reviews (item_id, id);
