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
    scope_unit      BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    major           TEXT NOT NULL,
    community_id    BIGINT NOT NULL,
    dispatched      BIGINT NOT NULL,
    signed          BIGINT NOT NULL,
    handled         BIGINT NOT NULL,
    rating          TEXT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (grain, scope_unit, day, channel, major, community_id, dispatched, signed, handled, rating, jurisdiction_id)
);

CREATE TABLE agg_eval_cases (
    grain           TEXT NOT NULL,
    day             TEXT NOT NULL,
    community_id    BIGINT NOT NULL,
    grid_id         BIGINT NOT NULL,
    unit_id         BIGINT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    filed           BIGINT NOT NULL,
    closed          BIGINT NOT NULL,
    closed_on_time  BIGINT NOT NULL,
    handled         BIGINT NOT NULL,
    reworked        BIGINT NOT NULL,
    rated           BIGINT NOT NULL,
    satisfied       BIGINT NOT NULL,
    PRIMARY KEY (grain, day, community_id, grid_id, unit_id, jurisdiction_id)
);

CREATE TABLE agg_eval_dispatches (
    grain           TEXT NOT NULL,
    day             TEXT NOT NULL,
    unit_id         BIGINT NOT NULL,
    community_id    BIGINT NOT NULL,
    grid_id         BIGINT NOT NULL,
    due_hour        BIGINT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    dispatches      BIGINT NOT NULL,
    signed_on_time  BIGINT NOT NULL,
    handled         BIGINT NOT NULL,
    handle_us       BIGINT NOT NULL,
    PRIMARY KEY (grain, day, unit_id, community_id, grid_id, due_hour, jurisdiction_id)
);
