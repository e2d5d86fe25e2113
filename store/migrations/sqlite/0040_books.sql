-- The office's books (issue 13): ledgers (台账) whose types are data,
-- indicators with their values, targets, and campaigns over lists of units.
-- Every change of a ledger type, a ledger entry or an indicator value is a
-- new row of its *_versions table (who, when, the whole record): the
-- current rows are projections, the versions are never overwritten.
-- Days are TEXT 'YYYY-MM-DD' (China Standard Time) on both engines, so
-- that substr(day, 1, 7) is the month on both.
CREATE TABLE ledger_types (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    unit_id     INTEGER REFERENCES units(id),
    fields      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
CREATE TABLE ledger_type_versions (
    type_id  INTEGER NOT NULL REFERENCES ledger_types(id),
    version  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    fields   TEXT NOT NULL,
    at       TEXT NOT NULL,
    by_id    INTEGER,
    by_name  TEXT NOT NULL,
    PRIMARY KEY (type_id, version)
);
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    type_id      INTEGER NOT NULL REFERENCES ledger_types(id),
    day          TEXT NOT NULL,
    community_id INTEGER REFERENCES communities(id),
    place        TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);
CREATE INDEX ledger_entries_type_day ON ledger_entries(type_id, day);
CREATE INDEX ledger_entries_type_community ON ledger_entries(type_id, community_id, day);
CREATE TABLE ledger_entry_versions (
    entry_id     INTEGER NOT NULL REFERENCES ledger_entries(id),
    version      INTEGER NOT NULL,
    day          TEXT NOT NULL,
    community_id INTEGER,
    place        TEXT NOT NULL,
    data         TEXT NOT NULL,
    deleted      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    by_id        INTEGER,
    by_name      TEXT NOT NULL,
    PRIMARY KEY (entry_id, version)
);
-- One row per filled field of a live entry: what sums and distinct counts
-- read, with the same SQL on both engines (no JSON operators).
CREATE TABLE ledger_values (
    entry_id     INTEGER NOT NULL REFERENCES ledger_entries(id),
    field        TEXT NOT NULL,
    type_id      INTEGER NOT NULL,
    day          TEXT NOT NULL,
    community_id INTEGER,
    num          REAL,
    txt          TEXT NOT NULL,
    PRIMARY KEY (entry_id, field)
);
CREATE INDEX ledger_values_sum ON ledger_values(type_id, field, day, community_id, num);
CREATE INDEX ledger_values_txt ON ledger_values(type_id, field, txt);

-- The ledgers' sums, kept in the writing transaction of every entry
-- (store/ledger.go, keepSums): entries and the sum of each filled field
-- per type, month and community (0: none; field '': the entries
-- themselves), and each distinct value of the fields counted distinct
-- (people, places, enterprises, devices, communities) per year and
-- community with how many live entries hold it. Sums over whole months
-- and distinct counts over whole years read these instead of the entries.
CREATE TABLE ledger_sums (
    type_id      INTEGER NOT NULL,
    field        TEXT NOT NULL,
    month        TEXT NOT NULL,
    community_id INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    total        REAL NOT NULL,
    PRIMARY KEY (type_id, field, month, community_id)
);
CREATE TABLE ledger_distinct (
    type_id      INTEGER NOT NULL,
    field        TEXT NOT NULL,
    year         INTEGER NOT NULL,
    community_id INTEGER NOT NULL,
    txt          TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (type_id, field, year, community_id, txt)
);

CREATE TABLE indicators (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL,
    frequency   TEXT NOT NULL,
    cumulative  INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE TABLE indicator_values (
    key         TEXT NOT NULL REFERENCES indicators(key),
    period      TEXT NOT NULL,
    value       REAL NOT NULL,
    yoy         REAL,
    rank        INTEGER,
    version     INTEGER NOT NULL,
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    PRIMARY KEY (key, period)
);
CREATE TABLE indicator_value_versions (
    key      TEXT NOT NULL,
    period   TEXT NOT NULL,
    version  INTEGER NOT NULL,
    value    REAL NOT NULL,
    yoy      REAL,
    rank     INTEGER,
    at       TEXT NOT NULL,
    by_id    INTEGER,
    by_name  TEXT NOT NULL,
    PRIMARY KEY (key, period, version)
);
CREATE TABLE indicator_closed (
    period     TEXT PRIMARY KEY,
    closed_at  TEXT NOT NULL,
    closed_by  TEXT NOT NULL
);
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    year        INTEGER NOT NULL,
    level       TEXT NOT NULL,
    scope       TEXT NOT NULL DEFAULT '',
    code        TEXT NOT NULL,
    key         TEXT NOT NULL,
    key2        TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    comparison  TEXT NOT NULL,
    value       REAL NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (year, level, scope, code)
);

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    checklist   TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE TABLE campaign_units (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    unit_key     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    community_id INTEGER REFERENCES communities(id),
    lat          REAL,
    lon          REAL,
    assignee_id  INTEGER REFERENCES staff(id),
    status       TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '',
    checked_day  TEXT,
    checked_by   TEXT NOT NULL DEFAULT '',
    UNIQUE (campaign_id, unit_key)
);
CREATE INDEX campaign_units_progress ON campaign_units(campaign_id, status, checked_day);
CREATE TABLE campaign_findings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES campaign_units(id),
    item         TEXT NOT NULL,
    remark       TEXT NOT NULL DEFAULT '',
    case_id      INTEGER REFERENCES cases(id),
    rectify_by   TEXT NOT NULL,
    recheck      TEXT NOT NULL DEFAULT '',
    recheck_note TEXT NOT NULL DEFAULT '',
    rechecked_at TEXT,
    rechecked_by TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX campaign_findings_unit ON campaign_findings(unit_id);
