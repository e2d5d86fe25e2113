-- The emergency duty desk's 24-hour roster (package duty): one row a day,
-- the shift as JSON (leader, officers, day off, holiday, swaps).
CREATE TABLE duty_shifts (
    date TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
