-- The audit trail (docs/audit.md): audit_log holds the administrative
-- actions and the reveals of residents' masked contacts; audit_chain chains
-- the case events and the audit_log rows by hashes, sealed asynchronously
-- by the sealer (store/audit.go) so that writers never wait on a chain head.
-- The PostgreSQL migration beside this one has the same tables.

-- audit_log: who did what to which thing, with the state before and after
-- (JSON, NULL when there was none) and the reason given.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL DEFAULT '',
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_target ON audit_log(target_kind, target_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- audit_chain: one row per sealed record, seq dense from 1. source is
-- 'event' (case_events.id) or 'admin' (audit_log.id); hash is the hex
-- SHA-256 of the previous hash and the record's digest; label names the
-- record as it was sealed (case number and event seq, or the action), so
-- that a removed record can still be named.
CREATE TABLE audit_chain (
    seq       INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    ref_id    INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    label     TEXT NOT NULL DEFAULT '',
    sealed_at TEXT NOT NULL
);

-- audit_head: the chain's head, one row. The sealer locks it, so that two
-- sealers (two serve processes) never fork the chain; event_id and admin_id
-- are the sealed frontiers: every row of the source up to them is sealed.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    seq      INTEGER NOT NULL,
    hash     TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    admin_id INTEGER NOT NULL
);
INSERT INTO audit_head (id, seq, hash, event_id, admin_id) VALUES (1, 0, '', 0, 0);
