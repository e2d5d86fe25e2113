-- Case kinds with legal clocks (casework/kind.go, docs/kinds.md): the kind
-- of a case, the tags its kind state carries (space-delimited, with a space
-- at each end, so that a tag is matched by LIKE '% tag %'), and the amount
-- the figures add up. The kind state itself is in the case's JSON (data).
ALTER TABLE cases ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN kind_tags TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN kind_amount DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX cases_kind ON cases(kind, reported_at) WHERE kind <> '';

-- Secrets of the case kinds, made once per installation: "petitioner" keys
-- the digest standing for a petitioner's identity (package petition).
CREATE TABLE kind_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
