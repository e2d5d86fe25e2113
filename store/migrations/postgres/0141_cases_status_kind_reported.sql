-- The board's lanes and any list by status read in the list's order from
-- an index: (status, kind, reported_at, id) gives one status's ordinary
-- cases newest or oldest first without a sort, a few statuses' with a
-- sort of their own rows only, and their count from the index alone.
-- With cases_status (status) alone, a lane whose statuses hold no case
-- (handled and verified, on a city-year) was planned as a backward walk
-- of every case by reported_at hoping to meet twelve early, and read all
-- 7 million: 15 s for the dispatcher's board. It replaces cases_status,
-- its prefix.
CREATE INDEX cases_status_kind_reported ON cases (status, kind, reported_at, id);
DROP INDEX cases_status;
