-- One identity across petitions, disputes and 12345 work orders (docs/kinds.md,
-- "One petitioner"): each case's persons, by the keyed digest that stands for
-- an identity (casework.PersonDigest: a petitioner's, a dispute party's, a
-- 12345 caller's phone). Repeat detection looks a person up here by the
-- primary key instead of scanning kind_tags with LIKE.
CREATE TABLE case_persons (
    person  TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (person, case_id)
);
CREATE INDEX case_persons_case ON case_persons(case_id);

-- The persons of the cases before: the "person:<16 hex>" tags of kind_tags.
WITH RECURSIVE p(id, rest, person) AS (
    SELECT id, kind_tags, NULL FROM cases WHERE kind_tags LIKE '% person:%'
    UNION ALL
    SELECT id, substr(rest, instr(rest, ' person:') + 24), substr(rest, instr(rest, ' person:') + 8, 16)
    FROM p WHERE instr(rest, ' person:') > 0
)
INSERT INTO case_persons (person, case_id) SELECT DISTINCT person, id FROM p WHERE person IS NOT NULL;
