-- Indicator values and targets are per subdistrict (issue 17,
-- docs/jurisdictions.md): each subdistrict enters its own statistics and
-- sets its own targets; a district's figure is the sum of its
-- subdistricts'. The key of a value (and of its versions) and the unique
-- key of a target gain the subdistrict; a target of jurisdiction 0 is the
-- district's own. Existing rows belong to the first subdistrict. The
-- SQLite migration beside this one does the same.
ALTER TABLE indicator_values ADD COLUMN jurisdiction_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE indicator_value_versions ADD COLUMN jurisdiction_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN jurisdiction_id BIGINT NOT NULL DEFAULT 0;
UPDATE indicator_values SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
UPDATE indicator_value_versions SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
UPDATE targets SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
ALTER TABLE indicator_values DROP CONSTRAINT indicator_values_pkey;
ALTER TABLE indicator_values ADD PRIMARY KEY (key, jurisdiction_id, period);
ALTER TABLE indicator_value_versions DROP CONSTRAINT indicator_value_versions_pkey;
ALTER TABLE indicator_value_versions ADD PRIMARY KEY (key, jurisdiction_id, period, version);
ALTER TABLE targets DROP CONSTRAINT targets_year_level_scope_code_key;
ALTER TABLE targets ADD CONSTRAINT targets_year_level_scope_code_jurisdiction_key UNIQUE (year, level, scope, code, jurisdiction_id);
