-- The public pages' generation: a counter bumped after every staff change that
-- may alter what the portal shows (items, catalog, organisation settings,
-- consultations, reports, channels). Every web node polls it, together with
-- the search change log, and empties its rendered-page cache when either
-- moves, so a change made on one node is visible on all of them within about
-- a second.
CREATE TABLE site_generation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);
INSERT INTO site_generation (id, n) VALUES (1, 0);
