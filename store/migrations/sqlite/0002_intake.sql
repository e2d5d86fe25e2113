-- The machine channels (package intake): IoT device alarms, police
-- transfers and 12345 hotline files. Each keeps a ledger beside the cases
-- it makes, so that a retried delivery or a re-imported file is recognised,
-- and so that what the sender said (its times, its file's columns) can be
-- given back. The PostgreSQL migration beside this one has the same tables.

-- iot_kinds says what case an alarm of a device kind makes: its category
-- and urgency, and the storm window within which a repeat folds into the
-- device's open case instead of making another.
CREATE TABLE iot_kinds (
    kind          TEXT PRIMARY KEY,
    category      TEXT NOT NULL REFERENCES categories(code),
    urgency       TEXT NOT NULL,
    storm_minutes INTEGER NOT NULL
);

-- iot_devices is the device registry. A device belongs to the machine
-- client (the alarm platform) that may send its alarms; its code is that
-- platform's own device id. storm_case_id and last_alarm_at are the storm
-- state: the case the device's alarms fold into and its latest alarm.
CREATE TABLE iot_devices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id     INTEGER NOT NULL REFERENCES api_clients(id),
    code          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    grid_id       INTEGER,
    community_id  INTEGER,
    address       TEXT NOT NULL DEFAULT '',
    owner_name    TEXT NOT NULL DEFAULT '',
    owner_phone   TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    storm_case_id INTEGER REFERENCES cases(id),
    last_alarm_at TEXT,
    UNIQUE (client_id, code)
);

-- iot_alarms records every alarm and all-clear received, once: the unique
-- (client_id, alarm_id) is the idempotency key, so a retried delivery finds
-- the row of the first and changes nothing.
CREATE TABLE iot_alarms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   INTEGER NOT NULL REFERENCES api_clients(id),
    alarm_id    TEXT NOT NULL,
    device_id   INTEGER NOT NULL REFERENCES iot_devices(id),
    type        TEXT NOT NULL,
    occurred_at TEXT,
    received_at TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    case_id     INTEGER REFERENCES cases(id),
    UNIQUE (client_id, alarm_id)
);
CREATE INDEX iot_alarms_device ON iot_alarms(device_id, received_at);

-- intake_secrets holds the HMAC secret of each machine client that signs
-- its deliveries. It must be kept in clear to compute the signature; only
-- an admin can set it, and it is shown once.
CREATE TABLE intake_secrets (
    client_id  INTEGER PRIMARY KEY REFERENCES api_clients(id),
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- intake_imports is one imported file: its header row as read, so that an
-- export gives the rows back in the same layout.
CREATE TABLE intake_imports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    headers    TEXT NOT NULL,
    created    INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- intake_items is one police transfer or hotline work order that made a
-- case: the sender's number, the sender's own time (移交时间, 来电时间) and,
-- for a file row, its cells in the order of the import's headers.
CREATE TABLE intake_items (
    case_id     INTEGER PRIMARY KEY REFERENCES cases(id),
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    import_id   INTEGER REFERENCES intake_imports(id),
    source_at   TEXT NOT NULL,
    cells       TEXT NOT NULL DEFAULT '[]',
    UNIQUE (channel, external_id)
);
CREATE INDEX intake_items_source ON intake_items(channel, source_at);
