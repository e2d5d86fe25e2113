-- The ledgers' kept sums (0040) get the entry's subdistrict
-- (ledger_entries.jurisdiction_id, 0130) as a key column, so that one
-- subdistrict's counts, sums and distinct counts read kept rows as the
-- deployment's do (docs/jurisdictions.md). ledger_sums: the entries and
-- the sums per type, field, month, subdistrict and community (a
-- deployment's figure adds up its subdistricts' rows). ledger_distinct
-- and the distinct counters (ledger_sums rows of field '~' and the key):
-- per subdistrict, and once more for every subdistrict together
-- (jurisdiction_id -1), since a value held in two subdistricts counts
-- once in the deployment. The tables are made again and filled from the
-- entries by this migration's Go step (store/ledger.go,
-- rebuildLedgerSums). The SQLite migration beside this one does the
-- same.
DROP TABLE ledger_sums;
DROP TABLE ledger_distinct;

CREATE TABLE ledger_sums (
    type_id         BIGINT NOT NULL,
    field           TEXT NOT NULL,
    month           TEXT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    community_id    BIGINT NOT NULL,
    n               BIGINT NOT NULL,
    total           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (type_id, field, month, jurisdiction_id, community_id)
);
CREATE TABLE ledger_distinct (
    type_id         BIGINT NOT NULL,
    field           TEXT NOT NULL,
    year            INTEGER NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    community_id    BIGINT NOT NULL,
    txt             TEXT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (type_id, field, year, jurisdiction_id, community_id, txt)
);
