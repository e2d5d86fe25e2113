-- The first schema of jiedao on SQLite. Times are TEXT in one fixed-width
-- UTC form (2024-06-12T01:30:00.000000Z) so that comparing the text compares
-- the times; booleans are INTEGER 0/1. The PostgreSQL schema beside this one
-- has the same tables and columns with native types.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE jurisdictions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    division_code TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE communities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id INTEGER NOT NULL REFERENCES jurisdictions(id),
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    geometry        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE grids (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    geometry     TEXT NOT NULL
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    community_id INTEGER REFERENCES communities(id)
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    community_id  INTEGER REFERENCES communities(id),
    grid_ids      TEXT NOT NULL DEFAULT '[]',
    active        INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL DEFAULT '',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_staff ON sessions(staff_id);

CREATE TABLE api_clients (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    key_prefix TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE categories (
    code        TEXT PRIMARY KEY,
    parent_code TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    keywords    TEXT NOT NULL DEFAULT '[]',
    active      INTEGER NOT NULL DEFAULT 1,
    attributes  TEXT NOT NULL DEFAULT '[]',
    policies    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE routing_rules (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    category     TEXT NOT NULL DEFAULT '',
    grid_id      INTEGER REFERENCES grids(id),
    community_id INTEGER REFERENCES communities(id),
    channel      TEXT NOT NULL DEFAULT '',
    unit_id      INTEGER NOT NULL REFERENCES units(id)
);

CREATE TABLE calendar_days (
    date          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    schedule_year INTEGER NOT NULL
);

CREATE TABLE case_numbers (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

-- cases holds the projection of each case's events: the whole case as JSON
-- in data, and the columns that lists, deadlines and evaluation query.
CREATE TABLE cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            TEXT NOT NULL UNIQUE,
    channel           TEXT NOT NULL,
    client_id         INTEGER,
    external_id       TEXT,
    category          TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    title             TEXT NOT NULL,
    details           TEXT NOT NULL,
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL,
    lon               REAL,
    grid_id           INTEGER,
    community_id      INTEGER,
    reporter_staff_id INTEGER,
    status            TEXT NOT NULL,
    unit_id           INTEGER,
    reported_at       TEXT NOT NULL,
    accepted_at       TEXT,
    closed_at         TEXT,
    rating            TEXT NOT NULL DEFAULT '',
    due_stage         TEXT NOT NULL DEFAULT '',
    due_at            TEXT,
    warn_at           TEXT,
    warned_due        TEXT,
    overdue_due       TEXT,
    closed_on_time    INTEGER,
    handled_count     INTEGER NOT NULL DEFAULT 0,
    rework_count      INTEGER NOT NULL DEFAULT 0,
    event_count       INTEGER NOT NULL,
    updated_at        TEXT NOT NULL,
    data              TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_external ON cases(channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX cases_reported ON cases(reported_at);
CREATE INDEX cases_accepted ON cases(accepted_at);
CREATE INDEX cases_status ON cases(status);
CREATE INDEX cases_unit ON cases(unit_id);
CREATE INDEX cases_grid ON cases(grid_id);
CREATE INDEX cases_community ON cases(community_id);
CREATE INDEX cases_due ON cases(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_warn ON cases(warn_at) WHERE warn_at IS NOT NULL;

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    seq         INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    payload     TEXT NOT NULL,
    UNIQUE (case_id, seq)
);

-- assignments: one row per dispatch of a case to a unit, for the unit's
-- sign-for and handling figures.
CREATE TABLE assignments (
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    no             INTEGER NOT NULL,
    unit_id        INTEGER NOT NULL,
    dispatched_at  TEXT NOT NULL,
    sign_due       TEXT,
    signed_at      TEXT,
    signed_on_time INTEGER,
    returned_at    TEXT,
    handled_at     TEXT,
    handle_seconds REAL,
    PRIMARY KEY (case_id, no)
);
CREATE INDEX assignments_unit ON assignments(unit_id, case_id);
CREATE INDEX assignments_dispatched ON assignments(dispatched_at);
