-- Accounts (issue 6): every sign-in attempt, and where each session came
-- from. Attempts are pruned after the retention time (180 days by
-- default; 等保 asks that audit records be kept six months at least).
CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    username   TEXT NOT NULL,
    staff_id   INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL
);
CREATE INDEX login_attempts_staff ON login_attempts(staff_id, at);
CREATE INDEX login_attempts_at ON login_attempts(at);

ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
