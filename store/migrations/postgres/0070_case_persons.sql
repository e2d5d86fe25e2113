-- One identity across petitions, disputes and 12345 work orders (docs/kinds.md,
-- "One petitioner"): each case's persons, by the keyed digest that stands for
-- an identity (casework.PersonDigest: a petitioner's, a dispute party's, a
-- 12345 caller's phone). Repeat detection looks a person up here by the
-- primary key instead of scanning kind_tags with LIKE. The SQLite migration
-- beside this one has the same table.
CREATE TABLE case_persons (
    person  TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (person, case_id)
);
CREATE INDEX case_persons_case ON case_persons(case_id);

-- The persons of the cases before: the "person:<16 hex>" tags of kind_tags.
INSERT INTO case_persons (person, case_id)
SELECT DISTINCT m[1], c.id FROM cases c, regexp_matches(c.kind_tags, ' person:([0-9a-f]{16})', 'g') AS m
WHERE c.kind_tags LIKE '% person:%';
