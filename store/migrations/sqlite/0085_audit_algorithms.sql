-- The audit chain's hash algorithm and its verified checkpoints
-- (docs/audit.md; store/audit.go, store/auditverify.go). The PostgreSQL
-- migration beside this one does the same.

-- alg: the hash of the entry, 'sha256' or 'sm3' (JIEDAO_CRYPTO=gm). Every
-- entry says its own, so a chain can switch at a marked point (an
-- audit.algorithm record in audit_log) and still verify; the head keeps the
-- algorithm of its last entry.
ALTER TABLE audit_chain ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE audit_head ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256';

-- audit_checkpoints: a head that a verification found intact, when, and the
-- sealed frontiers at it, so that the next routine verification reads only
-- what was sealed since. mac is the HMAC (of alg, keyed by a key derived
-- from the SM4 key key_id) over the other columns, or, with no key
-- configured (key_id ''), their plain hash: that one shows accidents, not
-- forgery (docs/audit.md).
CREATE TABLE audit_checkpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    event_id    INTEGER NOT NULL,
    admin_id    INTEGER NOT NULL,
    verified_at TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,
    alg         TEXT NOT NULL,
    key_id      TEXT NOT NULL DEFAULT '',
    mac         TEXT NOT NULL
);
