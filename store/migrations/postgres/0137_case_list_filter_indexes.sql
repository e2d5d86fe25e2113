-- The case list's common filters read in the list's order (newest first)
-- from an index, so that a page costs its 50 rows, not a sort of every
-- match: one community's year was 0.95 s on a district-sized year
-- (713,255 cases), read through cases_community and sorted; one grid's
-- 0.11 s. (community_id, reported_at) and (grid_id, reported_at) serve
-- every query the single-column indexes did.
DROP INDEX cases_community;
CREATE INDEX cases_community_reported ON cases (community_id, reported_at);
DROP INDEX cases_grid;
CREATE INDEX cases_grid_reported ON cases (grid_id, reported_at);
-- A channel's cases of a status in a period, counted from the index
-- alone: the enterprise service's "demands resolved" (closed 企业 cases
-- reported in the year) read every enterprise case's row through
-- cases_channel to check its status — 75 % of the leader's dashboard on a
-- city-year. The subdistrict rides along so that a narrowed count stays
-- in the index too.
CREATE INDEX cases_channel_status ON cases (channel, status, reported_at, jurisdiction_id);
