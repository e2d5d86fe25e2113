-- PostgreSQL's case tables are vacuumed more often (see its migration of
-- the same name); SQLite has no visibility map and no autovacuum of this
-- kind: nothing to do.
SELECT 1;
