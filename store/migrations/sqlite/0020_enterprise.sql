-- The enterprise registry and the building economy (package enterprise,
-- docs/enterprise.md). Days are TEXT 'YYYY-MM-DD' and months 'YYYY-MM' on
-- both engines, so that text order is date order; money is BIGINT fen.
-- The PostgreSQL migration beside this one has the same tables.
CREATE TABLE enterprises (
    id            INTEGER PRIMARY KEY,
    credit_code   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    former_names  TEXT NOT NULL DEFAULT '',   -- one per line
    industry      TEXT NOT NULL DEFAULT '',
    registered_on TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '存续',
    size          TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',   -- ',hq_listed,platform,'
    onboarded_on  TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    code_override TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enterprises_registered ON enterprises (registered_on);
CREATE INDEX enterprises_onboarded ON enterprises (onboarded_on);

CREATE TABLE certifications (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    kind          TEXT NOT NULL,
    awarded_on    TEXT NOT NULL,
    expires_on    TEXT NOT NULL DEFAULT '',
    UNIQUE (enterprise_id, kind, awarded_on)
);
CREATE INDEX certifications_awarded ON certifications (kind, awarded_on);

CREATE TABLE buildings (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    address    TEXT NOT NULL DEFAULT '',
    lat        REAL NOT NULL DEFAULT 0,
    lon        REAL NOT NULL DEFAULT 0,
    floor_area REAL NOT NULL DEFAULT 0,
    floors     INTEGER NOT NULL DEFAULT 0,
    grid_id    INTEGER NOT NULL DEFAULT 0,
    operator   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE rooms (
    id          INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    floor       INTEGER NOT NULL,
    number      TEXT NOT NULL,
    area        REAL NOT NULL DEFAULT 0,
    UNIQUE (building_id, floor, number)
);

-- A tenancy lasts from start_on to end_on, exclusive ('' while it lasts).
CREATE TABLE tenancies (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    start_on      TEXT NOT NULL,
    end_on        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tenancies_enterprise ON tenancies (enterprise_id);
CREATE INDEX tenancies_room ON tenancies (room_id);

CREATE TABLE monthly_tax (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    month         TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, month)
);
CREATE INDEX monthly_tax_month ON monthly_tax (month);

CREATE TABLE enterprise_moves (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    moved_on      TEXT NOT NULL,
    from_place    TEXT NOT NULL DEFAULT '',
    to_place      TEXT NOT NULL DEFAULT '',
    annual_tax    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX enterprise_moves_on ON enterprise_moves (moved_on);

CREATE TABLE visit_plans (
    id            INTEGER PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    every_days    INTEGER NOT NULL,
    UNIQUE (staff_id, enterprise_id)
);

CREATE TABLE visits (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    staff_id      INTEGER REFERENCES staff(id),
    visited_on    TEXT NOT NULL,
    findings      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX visits_on ON visits (visited_on);
CREATE INDEX visits_enterprise ON visits (enterprise_id);

-- A demand is a case of the enterprise channel; this links it to the
-- enterprise and the visit it was raised on.
CREATE TABLE enterprise_demands (
    case_id       INTEGER PRIMARY KEY REFERENCES cases(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    visit_id      INTEGER REFERENCES visits(id)
);
CREATE INDEX enterprise_demands_enterprise ON enterprise_demands (enterprise_id);
