-- Full-text search support, SQLite flavour. Keep in step with
-- ../postgres/0004_search.sql.
--
-- search_changes: an append-only log of item changes that may affect the
-- search index, written by the store in the same transaction as the change.
-- Every web node keeps its own index and applies the rows after the last seq
-- it applied (stored with its index). SQLite writers are serialised by
-- BEGIN IMMEDIATE, so seq order is commit order.
CREATE TABLE search_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id  INTEGER NOT NULL,
    -- what happened: publish, withdraw, transition, edit, validity, attachment
    op       TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX search_changes_at_idx ON search_changes (at);

-- What citizens search for, counted per day. No IP address, no session, no
-- personal data: only the normalised query text, the day and counts.
CREATE TABLE search_query_stats (
    day           TEXT NOT NULL,
    query         TEXT NOT NULL,
    searches      INTEGER NOT NULL DEFAULT 0,
    -- searches that found nothing
    zero_results  INTEGER NOT NULL DEFAULT 0,
    -- result count of the latest search of the day
    last_results  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query)
);

-- Clicks on search results, per day, query and item.
CREATE TABLE search_click_stats (
    day      TEXT NOT NULL,
    query    TEXT NOT NULL,
    item_id  INTEGER NOT NULL,
    clicks   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query, item_id)
);
CREATE INDEX search_click_stats_day_idx ON search_click_stats (day);
