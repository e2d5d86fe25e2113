-- The aggregates (0005) get the subdistrict of the case as a dimension
-- (docs/jurisdictions.md), so that a subdistrict's figures and the
-- district's roll-ups are exact from them, its unplaced cases included.
-- jurisdiction_id is the last key column: the queries of one subdistrict
-- read the same key ranges as before and keep its rows. The tables are
-- made again and filled from the cases by this migration's Go step
-- (store/aggregates.go, rebuildAggregates).
DROP TABLE agg_counts;
DROP TABLE agg_eval_cases;
DROP TABLE agg_eval_dispatches;

CREATE TABLE agg_counts (
    grain           TEXT NOT NULL,
    day             TEXT NOT NULL,
    scope_unit      INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    major           TEXT NOT NULL,
    community_id    INTEGER NOT NULL,
    dispatched      INTEGER NOT NULL,
    signed          INTEGER NOT NULL,
    handled         INTEGER NOT NULL,
    rating          TEXT NOT NULL,
    jurisdiction_id INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (grain, scope_unit, day, channel, major, community_id, dispatched, signed, handled, rating, jurisdiction_id)
) WITHOUT ROWID;

CREATE TABLE agg_eval_cases (
    grain           TEXT NOT NULL,
    day             TEXT NOT NULL,
    community_id    INTEGER NOT NULL,
    grid_id         INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    jurisdiction_id INTEGER NOT NULL,
    filed           INTEGER NOT NULL,
    closed          INTEGER NOT NULL,
    closed_on_time  INTEGER NOT NULL,
    handled         INTEGER NOT NULL,
    reworked        INTEGER NOT NULL,
    rated           INTEGER NOT NULL,
    satisfied       INTEGER NOT NULL,
    PRIMARY KEY (grain, day, community_id, grid_id, unit_id, jurisdiction_id)
) WITHOUT ROWID;

CREATE TABLE agg_eval_dispatches (
    grain           TEXT NOT NULL,
    day             TEXT NOT NULL,
    unit_id         INTEGER NOT NULL,
    community_id    INTEGER NOT NULL,
    grid_id         INTEGER NOT NULL,
    due_hour        INTEGER NOT NULL,
    jurisdiction_id INTEGER NOT NULL,
    dispatches      INTEGER NOT NULL,
    signed_on_time  INTEGER NOT NULL,
    handled         INTEGER NOT NULL,
    handle_us       INTEGER NOT NULL,
    PRIMARY KEY (grain, day, unit_id, community_id, grid_id, due_hour, jurisdiction_id)
) WITHOUT ROWID;
