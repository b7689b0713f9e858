-- Annual reports (政府信息公开工作年度报告), SQLite flavour. Keep in step with
-- ../postgres/0003_annual_reports.sql: the same tables, columns and constraints.

-- One row per revision of an organisation's report about a year. Revision 1 is the
-- first report; a correction of a published report is the next revision, and every
-- published revision stays public.
CREATE TABLE annual_reports (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    year             INTEGER NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision >= 1),
    -- gongkai_domain::annual_report::ReportStatus
    status           TEXT NOT NULL,
    -- gongkai_domain::annual_report::AnnualReport as JSON
    content          TEXT NOT NULL,
    -- 更正说明 (revisions after the first)
    correction_note  TEXT NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL REFERENCES users (id),
    submitted_by     INTEGER REFERENCES users (id),
    published_by     INTEGER REFERENCES users (id),
    published_on     TEXT,
    -- the item in the 年报 column that carries the published revision
    item_id          INTEGER REFERENCES items (id),
    -- warnings acknowledged when publishing (JSON list of messages)
    acknowledged     TEXT NOT NULL DEFAULT '[]',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT annual_reports_revision_key UNIQUE (org_id, year, revision)
);
CREATE INDEX annual_reports_org_year_idx ON annual_reports (org_id, year);

-- Section 二 figures that live in other systems (行政许可, 行政处罚, 行政强制 decisions,
-- 行政事业性收费 in 万元), entered by staff or imported, per organisation and year.
CREATE TABLE report_figures (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    year        INTEGER NOT NULL,
    -- "<Art. 20 item>/<row>/<column>"
    figure_key  TEXT NOT NULL,
    -- gongkai_domain::report_format::CellKind as stored text
    kind        TEXT NOT NULL,
    -- counts as they are; amounts in millionths of 万元
    value       INTEGER NOT NULL,
    updated_by  INTEGER NOT NULL REFERENCES users (id),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, year, figure_key)
);

-- Per-organisation publication deadline ("MM-DD" of the following year); no row means
-- the default for the organisation's level.
CREATE TABLE report_settings (
    org_id    INTEGER PRIMARY KEY REFERENCES organisations (id),
    deadline  TEXT NOT NULL
);
