-- Each subdistrict keeps its own duty roster (issue 17,
-- docs/jurisdictions.md): a shift is of a subdistrict and a day. Existing
-- shifts are the first subdistrict's. The SQLite migration beside this one
-- does the same.
ALTER TABLE duty_shifts ADD COLUMN jurisdiction_id BIGINT NOT NULL DEFAULT 0;
UPDATE duty_shifts SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
ALTER TABLE duty_shifts DROP CONSTRAINT duty_shifts_pkey;
ALTER TABLE duty_shifts ADD PRIMARY KEY (jurisdiction_id, date);
