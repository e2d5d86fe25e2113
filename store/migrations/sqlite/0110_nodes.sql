-- Several serve processes on one database (docs/deploy.md); on SQLite
-- one process serves, and only the clients' own rate limit is used.

-- A machine client's own rate limit, N/DURATION ('' : its route class's).
ALTER TABLE api_clients ADD COLUMN rate_limit TEXT NOT NULL DEFAULT '';

CREATE TABLE rate_counts (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE job_runs (
    name   TEXT PRIMARY KEY,
    ran_at TEXT NOT NULL
);
