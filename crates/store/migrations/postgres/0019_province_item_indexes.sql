-- Indexes for reading a province's items (issue 13), postgres flavour. Keep in step
-- with ../sqlite/0019_province_item_indexes.sql.
--
-- A year's report reads an organisation's items published in the year (items_org_status_idx),
-- its regulations and normative documents of every year (the section 二 counts of those in
-- force at the year's end) and the items whose validity changed in the year. The last two are
-- a small share of a province's millions of items; these partial indexes find them without
-- reading the rest.
CREATE INDEX items_report_docs_idx ON items (org_id) WHERE doc_type <> 'other';
CREATE INDEX items_validity_date_idx ON items (org_id, validity_date) WHERE validity_date IS NOT NULL;

-- The portal's newest published items across every organisation (the home page's 最新信息),
-- and the newest of each column (its 通知公告), come from these indexes in publication order,
-- instead of sorting all published items.
CREATE INDEX items_status_date_idx ON items (status, publish_date DESC NULLS LAST, id DESC);
CREATE INDEX items_catalog_date_idx ON items (catalog_id, status, publish_date DESC NULLS LAST, id DESC);
