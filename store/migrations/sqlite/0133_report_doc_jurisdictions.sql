-- The work report's words and overrides per jurisdiction (issue 17,
-- docs/jurisdictions.md): a subdistrict may keep its own versions of the
-- words and its own overrides of its figures; jurisdiction 0 is the
-- deployment's own document (the district's, or a one-subdistrict
-- deployment's, as every existing row is). A subdistrict with no words of
-- its own reads the deployment's.
ALTER TABLE report_templates ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_overrides ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX report_overrides_jurisdiction_year ON report_overrides(jurisdiction_id, year, id);
