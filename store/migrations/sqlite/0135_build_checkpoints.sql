-- A bulk build's checkpoints (store/bulk.go, demo/checkpoint.go): the
-- build's parameters ('start'), then one row per phase or chunk of cases
-- committed in the same transaction as its rows, so that an interrupted
-- build run again on the same database continues after the last one.
CREATE TABLE build_checkpoints (
    phase        TEXT NOT NULL,   -- start, org, cases, rest, done
    chunk        INTEGER NOT NULL, -- the chunk's number within its phase
    cases        INTEGER NOT NULL DEFAULT 0, -- cases stored by the chunk
    events       INTEGER NOT NULL DEFAULT 0,
    params       TEXT NOT NULL DEFAULT '', -- the build's options (start)
    committed_at TEXT NOT NULL, -- UTC, RFC 3339
    PRIMARY KEY (phase, chunk)
);
