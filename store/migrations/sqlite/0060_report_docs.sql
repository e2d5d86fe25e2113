-- The work report's document (docs/report.md). The PostgreSQL migration
-- beside this one has the same tables.
--
-- report_templates: every saved version of the document's words; the
-- newest is in use. Versions are never changed or deleted.
CREATE TABLE report_templates (
    id       INTEGER PRIMARY KEY,
    body     TEXT NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);

-- report_overrides: a figure of a year set by hand, with its reason; a
-- row with a NULL value withdraws it. The newest row of a year and key is
-- in force; the rows are the history.
CREATE TABLE report_overrides (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    figure_key TEXT NOT NULL,
    value      REAL,
    reason     TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   TEXT NOT NULL
);
CREATE INDEX report_overrides_year ON report_overrides(year, id);
