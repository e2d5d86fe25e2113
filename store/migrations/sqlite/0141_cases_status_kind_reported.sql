-- The board's lanes and any list by status read in the list's order from
-- an index (see the PostgreSQL migration of the same name); the rowid
-- ends every SQLite index. It replaces cases_status, its prefix.
CREATE INDEX cases_status_kind_reported ON cases (status, kind, reported_at);
DROP INDEX cases_status;
