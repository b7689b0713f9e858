-- Past annual reports imported from a published file (issue 14 part 2), SQLite flavour.
-- Keep in step with ../postgres/0015_past_reports.sql: the same table, columns and
-- constraints, only the types differ.

-- One per organisation and year: the source file as published, the text the report
-- checker read from it, and the figures read (the baseline of the next year's
-- continuity checks). Re-importing a year replaces the row (after confirmation).
CREATE TABLE past_reports (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations (id),
    year              INTEGER NOT NULL,
    file_name         TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL CHECK (size >= 0),
    sha256            TEXT NOT NULL,
    content           BLOB NOT NULL,
    -- which reader the checker used: text, html, docx or pdf
    input_kind        TEXT NOT NULL,
    -- the text the checker read (shown on the portal)
    text              TEXT NOT NULL,
    -- gongkai_domain::annual_report::ImportedFigures as JSON
    figures           TEXT NOT NULL,
    -- the checker's findings (JSON list of ImportedFinding)
    findings          TEXT NOT NULL DEFAULT '[]',
    -- NULL when imported from the command line
    imported_by       INTEGER REFERENCES users (id),
    imported_by_name  TEXT NOT NULL,
    imported_at       TEXT NOT NULL,
    CONSTRAINT past_reports_org_year_key UNIQUE (org_id, year)
);
