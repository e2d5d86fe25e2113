-- Aggregates of the cases, kept up to date in the transaction that
-- changes a case (store/aggregates.go), so that the dashboards, the
-- evaluation and the report never scan a year of cases. Every table has
-- a row per day (grain 'd'), per month (grain 'm', day is the month's
-- first day) and per year (grain 'y', day is 1 January); days are dates
-- in China Standard Time. A case's old
-- contribution is subtracted and its new one added on every write, so the
-- sums are exact; a row whose sums fell to zero stays and counts nothing.
-- The rows are filled from the existing cases by the Go step of this
-- migration (store/aggregates.go, rebuildAggregates), the same code that
-- `jiedao aggregates rebuild` runs. The SQLite migration beside this
-- one has the same tables.

-- agg_counts: cases by the day they were reported, for the report's
-- figures and the dashboards' counts. scope_unit 0 counts every case once;
-- a unit's rows count the cases ever dispatched to it (or now with it),
-- which is what that unit's staff may see. major is the category's major
-- class (its first two characters), as the dashboards count; the minor
-- class and the grid are left out, so that a month has thousands of rows
-- rather than one per case.
CREATE TABLE agg_counts (
    grain        TEXT NOT NULL,
    day          TEXT NOT NULL,
    scope_unit   BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    major        TEXT NOT NULL,
    community_id BIGINT NOT NULL,
    dispatched   BIGINT NOT NULL,
    signed       BIGINT NOT NULL,
    handled      BIGINT NOT NULL,
    rating       TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (grain, scope_unit, day, channel, major, community_id, dispatched, signed, handled, rating)
);

-- agg_eval_cases: the evaluation's case figures of the filed cases (not
-- voided or merged), by the day they were accepted and their place and
-- current unit.
CREATE TABLE agg_eval_cases (
    grain          TEXT NOT NULL,
    day            TEXT NOT NULL,
    community_id   BIGINT NOT NULL,
    grid_id        BIGINT NOT NULL,
    unit_id        BIGINT NOT NULL,
    filed          BIGINT NOT NULL,
    closed         BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL,
    handled        BIGINT NOT NULL,
    reworked       BIGINT NOT NULL,
    rated          BIGINT NOT NULL,
    satisfied      BIGINT NOT NULL,
    PRIMARY KEY (grain, day, community_id, grid_id, unit_id)
);

-- agg_eval_dispatches: the evaluation's dispatch figures, by the day of
-- dispatch, the dispatch's unit and the case's place. A signed dispatch
-- counts whatever the time (due_hour 0); an unsigned one counts once its
-- sign deadline has passed, so it is kept under the hour of that deadline
-- (Unix time / 3600) and a query at a moment Now sums the hours before
-- Now's and reads Now's own hour from assignments.
CREATE TABLE agg_eval_dispatches (
    grain          TEXT NOT NULL,
    day            TEXT NOT NULL,
    unit_id        BIGINT NOT NULL,
    community_id   BIGINT NOT NULL,
    grid_id        BIGINT NOT NULL,
    due_hour       BIGINT NOT NULL,
    dispatches     BIGINT NOT NULL,
    signed_on_time BIGINT NOT NULL,
    handled        BIGINT NOT NULL,
    handle_us      BIGINT NOT NULL,
    PRIMARY KEY (grain, day, unit_id, community_id, grid_id, due_hour)
);

-- The unsigned dispatches of one hour, for the hour the aggregates leave
-- to a query at Now.
CREATE INDEX assignments_unsigned_due ON assignments(sign_due) WHERE signed_at IS NULL;
