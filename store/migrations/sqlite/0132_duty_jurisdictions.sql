-- Each subdistrict keeps its own duty roster (issue 17,
-- docs/jurisdictions.md): a shift is of a subdistrict and a day. Existing
-- shifts are the first subdistrict's. SQLite cannot change a key in place:
-- the table is built again. The PostgreSQL migration beside this one does
-- the same.
CREATE TABLE duty_shifts_new (
    jurisdiction_id INTEGER NOT NULL DEFAULT 0,
    date            TEXT NOT NULL,
    data            TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, date)
);
INSERT INTO duty_shifts_new (jurisdiction_id, date, data)
    SELECT COALESCE((SELECT MIN(id) FROM jurisdictions WHERE level = 'subdistrict'), 0), date, data FROM duty_shifts;
DROP TABLE duty_shifts;
ALTER TABLE duty_shifts_new RENAME TO duty_shifts;
