-- The case tables are vacuumed after 1 % of their rows are new, not the
-- default 20 %. A count by channel and status (the enterprise figure of
-- the leader's dashboard) and the case list's keyset pages are index-only
-- scans, which read a row from the table for every index entry on a page
-- not yet marked all-visible, and only VACUUM marks pages. With the
-- default, a city's cases (7 million) go 1.4 million inserts between
-- vacuums: on a city-year a quarter of the enterprise count's entries
-- were read from the table, 93 ms against 26 ms after a VACUUM. A vacuum
-- skips the pages already all-visible, so a frequent one costs what was
-- written since. Statistics likewise after 2 % changed, not 10 %.
ALTER TABLE cases SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE case_events SET (autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE assignments SET (autovacuum_vacuum_insert_scale_factor = 0.01);
