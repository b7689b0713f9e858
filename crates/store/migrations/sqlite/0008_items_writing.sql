-- Writing items, audit and Art. 44 (issue 15, items 6 and 9). Keep in step with
-- ../postgres/0008_items_writing.sql: the same tables and columns, only the types differ.

-- The title shown for an attachment on the portal (附件显示名称); empty means the file name.
ALTER TABLE attachments ADD COLUMN display_title TEXT NOT NULL DEFAULT '';

-- Per-organisation vocabularies for 主题分类 ('topic') and 体裁分类 ('genre'). An organisation
-- without rows for a kind uses the default list shipped with gongkai.
CREATE TABLE vocabulary_terms (
    org_id    INTEGER NOT NULL REFERENCES organisations (id),
    kind      TEXT NOT NULL CHECK (kind IN ('topic', 'genre')),
    position  INTEGER NOT NULL,
    term      TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, position)
);

-- Art. 44 suggestions staff acted upon: the applications asking for the same information,
-- and what was done ('drafted': a draft item was created; 'dismissed': not suitable).
CREATE TABLE art44_suggestions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('drafted', 'dismissed')),
    item_id     INTEGER REFERENCES items (id),
    reason      TEXT NOT NULL DEFAULT '',
    decided_by  INTEGER NOT NULL REFERENCES users (id),
    decided_at  TEXT NOT NULL
);
CREATE INDEX art44_suggestions_org_idx ON art44_suggestions (org_id, decided_at);

CREATE TABLE art44_links (
    suggestion_id   INTEGER NOT NULL REFERENCES art44_suggestions (id),
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    PRIMARY KEY (suggestion_id, application_id)
);
CREATE INDEX art44_links_application_idx ON art44_links (application_id);

-- Per-organisation settings of the Art. 44 suggestions; a missing row means the defaults.
CREATE TABLE art44_settings (
    org_id          INTEGER PRIMARY KEY NOT NULL REFERENCES organisations (id),
    window_days     INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 3660),
    min_applicants  INTEGER NOT NULL CHECK (min_applicants BETWEEN 2 AND 100)
);
