-- Photos taken with a report or a step: resized JPEGs without EXIF, kept in
-- the database so that a backup of it is a backup of everything. A photo is
-- uploaded first (case_id NULL) and claimed by the case once the report or
-- step it came with succeeds; claim_hash is the hash of the secret the
-- uploader holds until then, so that nobody else can attach it.
CREATE TABLE photos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER REFERENCES cases(id),
    claim_hash   TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    lat          REAL,
    lon          REAL,
    uploaded_by  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    data         BLOB NOT NULL,
    thumb        BLOB NOT NULL
);
CREATE INDEX photos_case ON photos(case_id);
CREATE INDEX photos_unclaimed ON photos(created_at) WHERE case_id IS NULL;

-- The command center's live board asks every few seconds which cases
-- changed since it last looked.
CREATE INDEX cases_updated ON cases(updated_at);
