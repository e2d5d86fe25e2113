-- Many subdistricts in one deployment (issue 17, docs/jurisdictions.md):
-- the records of the domains outside the case loop belong to a
-- subdistrict. Enterprises and buildings carry it (their rooms,
-- tenancies, tax, moves, visits, plans and demands belong to it through
-- them); a ledger entry carries it (its community, when it has one, is of
-- that subdistrict); a campaign carries it (its units and findings through
-- it). Existing rows belong to the deployment's first jurisdiction, the
-- one subdistrict a deployment had until now. The PostgreSQL migration
-- beside this one does the same.
ALTER TABLE enterprises ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buildings ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_entries ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN jurisdiction_id INTEGER NOT NULL DEFAULT 0;

UPDATE enterprises SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
UPDATE buildings SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
UPDATE ledger_entries SET jurisdiction_id = COALESCE(
    (SELECT c.jurisdiction_id FROM communities c WHERE c.id = ledger_entries.community_id),
    (SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);
UPDATE campaigns SET jurisdiction_id = COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0);

CREATE INDEX enterprises_jurisdiction ON enterprises (jurisdiction_id);
CREATE INDEX buildings_jurisdiction ON buildings (jurisdiction_id);
CREATE INDEX ledger_entries_jurisdiction ON ledger_entries (jurisdiction_id, type_id, day);
