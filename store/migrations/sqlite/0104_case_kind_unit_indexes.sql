-- The case kinds' figures count by kind and tags (a LIKE on kind_tags),
-- some by status or period: answered from this index of the kind cases
-- alone, without reading their rows.
CREATE INDEX cases_kind_cover ON cases (kind, kind_tags, status, reported_at) WHERE kind <> '';
-- A unit's inbox: its cases in a few statuses, newest first, instead of
-- every case the unit ever had.
CREATE INDEX cases_unit_status ON cases (unit_id, status, reported_at);
