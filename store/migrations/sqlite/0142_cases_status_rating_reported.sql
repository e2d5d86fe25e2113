-- The board's "rated unsatisfied" lane (closed, unsatisfied, reported in
-- the last 30 days) read as a range: with cases_status_rating (status,
-- rating) it read every unsatisfied case ever closed to keep the month's
-- (9,415 rows on a city-year, 60 ms for the count and as much for the
-- list, most of the board's 140 ms on SQLite). It replaces that index, its
-- prefix.
CREATE INDEX cases_status_rating_reported ON cases (status, rating, reported_at);
DROP INDEX cases_status_rating;
