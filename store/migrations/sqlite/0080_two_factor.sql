-- Sign-in, second round (issue 18, docs/dengbao.md): failures counted by
-- client address, password age and a forced change, two-factor sign-in
-- (TOTP, RFC 6238) with recovery codes and the pending second step. The
-- PostgreSQL migration beside this one has the same tables.

-- Failed sign-ins are counted per client address over the lock time.
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

-- password_changed_at: when the password was last set (NULL: before this
-- migration; the clock starts at the next sign-in). must_change_password:
-- set when a security administrator sets the password; the owner must
-- change it before anything else.
ALTER TABLE staff ADD COLUMN password_changed_at TEXT;
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- One authenticator per staff member. enabled_at is NULL while the
-- enrolment waits for its first code; last_step is the last time step
-- whose code was accepted (a code is never accepted twice).
CREATE TABLE staff_totp (
    staff_id   INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    enabled_at TEXT,
    last_step  INTEGER NOT NULL DEFAULT 0
);

-- Recovery codes, stored as SHA-256 hashes; each is used once.
CREATE TABLE staff_recovery_codes (
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (staff_id, code_hash)
);

-- A password accepted for an account with two factors opens no session:
-- it opens a challenge, which the code turns into a session.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX login_challenges_staff ON login_challenges(staff_id);
