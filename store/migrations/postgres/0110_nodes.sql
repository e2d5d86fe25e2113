-- Several serve processes on one database (docs/deploy.md).

-- A machine client's own rate limit, N/DURATION ('' : its route class's).
ALTER TABLE api_clients ADD COLUMN rate_limit TEXT NOT NULL DEFAULT '';

-- The rate limits' counters shared by every process: a count per key and
-- fixed window. Unlogged: counters need no crash safety nor a replica.
CREATE UNLOGGED TABLE rate_counts (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL, -- unix seconds
    n            BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- When each periodic job last ran, so that it runs once per interval
-- whichever process holds its lock.
CREATE TABLE job_runs (
    name   TEXT PRIMARY KEY,
    ran_at TIMESTAMPTZ NOT NULL
);
