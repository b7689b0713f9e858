-- Portal conventions (issue 16), PostgreSQL flavour. Keep in step with
-- ../sqlite/0011_portal.sql: the same tables, columns and constraints.

-- Site-level settings edited by administrators (网站名称, 网站标识码, 备案号,
-- 主办/承办单位, LED age …): one row per key; a missing key means the default.
CREATE TABLE site_settings (
    key         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL
);

-- A policy document and its interpretation (政策解读), shown on both items.
CREATE TABLE item_interpretations (
    policy_id          BIGINT NOT NULL REFERENCES items (id),
    interpretation_id  BIGINT NOT NULL REFERENCES items (id),
    created_at         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (policy_id, interpretation_id),
    CONSTRAINT item_interpretations_distinct CHECK (policy_id <> interpretation_id)
);
CREATE INDEX item_interpretations_interp_idx ON item_interpretations (interpretation_id);
