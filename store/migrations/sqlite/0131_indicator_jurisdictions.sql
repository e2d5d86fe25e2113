-- Indicator values and targets are per subdistrict (issue 17,
-- docs/jurisdictions.md): each subdistrict enters its own statistics and
-- sets its own targets; a district's figure is the sum of its
-- subdistricts'. The key of a value (and of its versions) and the unique
-- key of a target gain the subdistrict; a target of jurisdiction 0 is the
-- district's own. Existing rows belong to the first subdistrict. SQLite
-- cannot change a key in place: the tables are built again. The
-- PostgreSQL migration beside this one does the same.
CREATE TABLE indicator_values_new (
    key             TEXT NOT NULL REFERENCES indicators(key),
    period          TEXT NOT NULL,
    value           REAL NOT NULL,
    yoy             REAL,
    rank            INTEGER,
    version         INTEGER NOT NULL,
    entered_at      TEXT NOT NULL,
    entered_by      TEXT NOT NULL,
    jurisdiction_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, jurisdiction_id, period)
);
INSERT INTO indicator_values_new (key, period, value, yoy, rank, version, entered_at, entered_by, jurisdiction_id)
    SELECT key, period, value, yoy, rank, version, entered_at, entered_by,
        COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0) FROM indicator_values;
DROP TABLE indicator_values;
ALTER TABLE indicator_values_new RENAME TO indicator_values;

CREATE TABLE indicator_value_versions_new (
    key             TEXT NOT NULL,
    period          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    value           REAL NOT NULL,
    yoy             REAL,
    rank            INTEGER,
    at              TEXT NOT NULL,
    by_id           INTEGER,
    by_name         TEXT NOT NULL,
    jurisdiction_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, jurisdiction_id, period, version)
);
INSERT INTO indicator_value_versions_new (key, period, version, value, yoy, rank, at, by_id, by_name, jurisdiction_id)
    SELECT key, period, version, value, yoy, rank, at, by_id, by_name,
        COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0) FROM indicator_value_versions;
DROP TABLE indicator_value_versions;
ALTER TABLE indicator_value_versions_new RENAME TO indicator_value_versions;

CREATE TABLE targets_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    year            INTEGER NOT NULL,
    level           TEXT NOT NULL,
    scope           TEXT NOT NULL DEFAULT '',
    code            TEXT NOT NULL,
    key             TEXT NOT NULL,
    key2            TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL DEFAULT '',
    comparison      TEXT NOT NULL,
    value           REAL NOT NULL,
    owner           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    jurisdiction_id INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year, level, scope, code, jurisdiction_id)
);
INSERT INTO targets_new (id, year, level, scope, code, key, key2, name, unit, comparison, value, owner, created_at, created_by, jurisdiction_id)
    SELECT id, year, level, scope, code, key, key2, name, unit, comparison, value, owner, created_at, created_by,
        COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0) FROM targets;
DROP TABLE targets;
ALTER TABLE targets_new RENAME TO targets;
