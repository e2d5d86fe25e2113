-- Many jurisdictions in one deployment (docs/jurisdictions.md). A
-- deployment serves one district (区) or one subdistrict (街道): the
-- district's row is the parent of its subdistricts' rows; records belong to
-- subdistricts, never to the district row. Existing rows are subdistricts.
ALTER TABLE jurisdictions ADD COLUMN parent_id BIGINT REFERENCES jurisdictions(id);
ALTER TABLE jurisdictions ADD COLUMN level TEXT NOT NULL DEFAULT 'subdistrict';

-- A unit, staff member or API client with no jurisdiction belongs to the
-- whole deployment: a district unit shared by every subdistrict, a district
-- role that sees all, a client that may report anywhere.
ALTER TABLE units ADD COLUMN jurisdiction_id BIGINT REFERENCES jurisdictions(id);
ALTER TABLE staff ADD COLUMN jurisdiction_id BIGINT REFERENCES jurisdictions(id);
ALTER TABLE api_clients ADD COLUMN jurisdiction_id BIGINT REFERENCES jurisdictions(id);

-- The subdistrict a case belongs to, set when it is reported (the
-- community of its grid; else the reporter's; else the only subdistrict).
-- Existing cases: their community's, else the first subdistrict's (0 only
-- in a database with no jurisdiction at all).
ALTER TABLE cases ADD COLUMN jurisdiction_id BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET jurisdiction_id = COALESCE(
    (SELECT m.jurisdiction_id FROM communities m WHERE m.id = cases.community_id),
    (SELECT MIN(j.id) FROM jurisdictions j WHERE j.level = 'subdistrict'),
    0);
CREATE INDEX cases_jurisdiction_reported ON cases(jurisdiction_id, reported_at);
