-- Indexes for the annual report's reading of items (issue 13), postgres flavour. Keep in step
-- with ../sqlite/0019_report_item_indexes.sql.
--
-- A year's report reads an organisation's items published in the year (items_org_status_idx),
-- its regulations and normative documents of every year (the section 二 counts of those in
-- force at the year's end) and the items whose validity changed in the year. The last two are
-- a small share of a province's millions of items; these partial indexes find them without
-- reading the rest.
CREATE INDEX items_report_docs_idx ON items (org_id) WHERE doc_type <> 'other';
CREATE INDEX items_validity_date_idx ON items (org_id, validity_date) WHERE validity_date IS NOT NULL;
