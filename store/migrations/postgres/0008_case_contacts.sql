-- Residents' contacts apart from the sealed case events (docs/audit.md,
-- "Residents' contacts and their retention"). The report event's payload
-- carries only reporter_digest, an HMAC of the contact keyed by the case's
-- salt, so that the chain commits to the contact as reported while the
-- retention job can erase it: once the salt is gone, the digest reveals
-- nothing. The SQLite migration beside this one has the same table.
--
-- One row per case reported with a contact:
-- salt:          16 random bytes; NULL once anonymised, and for cases from
--                before this migration, whose events carry no digest.
-- sealed_copy:   true when the report event, sealed before this migration,
--                holds the contact itself: it cannot be erased there
--                without breaking the chain, and the retention job says so.
-- anonymised_at: when the retention job erased name, phone and salt.
CREATE TABLE case_contacts (
    case_id       BIGINT PRIMARY KEY REFERENCES cases(id),
    name          TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    salt          BYTEA,
    sealed_copy   BOOLEAN NOT NULL DEFAULT false,
    anonymised_at TIMESTAMPTZ
);

-- Cases from before: their contact moves here from the projection (a case
-- reported without one gets no row, as new ones do not). Their sealed
-- events are left alone.
INSERT INTO case_contacts (case_id, name, phone, sealed_copy)
SELECT id, name, phone, true FROM (
    SELECT id, COALESCE(data::jsonb #>> '{reporter,name}', '') AS name, COALESCE(data::jsonb #>> '{reporter,phone}', '') AS phone
    FROM cases) AS old
WHERE name <> '' OR phone <> '';
UPDATE cases SET data = jsonb_set(data::jsonb, '{reporter}', '{}'::jsonb)::text
WHERE COALESCE(data::jsonb -> 'reporter', '{}'::jsonb) <> '{}'::jsonb;
