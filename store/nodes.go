package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"
)

// Several serve processes on one database: the periodic jobs' turns and
// the rate limits' shared counters (docs/deploy.md).

// RunJob runs fn as the periodic job name's run for this interval, unless
// another process sharing the database runs it now or ran it within the
// last interval (less a tenth, for the tickers' drift). It reports whether
// fn ran.
//
// On PostgreSQL the turn is a session advisory lock (pg_try_advisory_lock)
// held on a connection of its own while fn runs, so that a process that
// dies mid-run frees it with its connection; the time of the last run is
// kept in job_runs. The lock's key is the job's name in the current
// schema, so that databases or schemas on one server do not block each
// other. On SQLite, which one process serves, fn simply runs.
func (db *DB) RunJob(ctx context.Context, name string, every time.Duration, fn func(ctx context.Context) error) (bool, error) {
	if db.engine != Postgres {
		return true, fn(ctx)
	}
	c, err := db.write.Conn(ctx)
	if err != nil {
		return false, mapError(err)
	}
	defer c.Close()
	const key = `hashtextextended('jiedao job ' || current_schema() || ' ' || $1, 0)`
	var got bool
	if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&got); err != nil {
		return false, mapError(err)
	}
	if !got {
		return false, nil
	}
	defer func() {
		// A cancelled ctx must still unlock, or the pooled connection
		// would keep the lock.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := c.ExecContext(uctx, `SELECT pg_advisory_unlock(`+key+`)`, name); err != nil {
			_ = c.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops it, and the lock with it
		}
	}()
	var last time.Time
	err = c.QueryRowContext(ctx, `SELECT ran_at FROM job_runs WHERE name = $1`, name).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, mapError(err)
	}
	now := time.Now()
	if err == nil && now.Sub(last) < every-every/10 {
		return false, nil
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO job_runs (name, ran_at) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET ran_at = excluded.ran_at`, name, now); err != nil {
		return false, mapError(err)
	}
	return true, fn(ctx)
}

// RateCounter counts the rate limits' requests per key and fixed window in
// the database, for every serve process sharing it (server.SharedCounter).
type RateCounter struct{ db *DB }

// RateCounter returns the shared counter; nil on SQLite, which one process
// serves, so that its limits stay in memory.
func (db *DB) RateCounter() *RateCounter {
	if db.engine != Postgres {
		return nil
	}
	return &RateCounter{db: db}
}

// Hit adds one to key's count in the window beginning at start (unix
// seconds) and returns the count.
func (rc *RateCounter) Hit(ctx context.Context, key string, start int64) (int64, error) {
	var n int64
	err := rc.db.writer().queryRow(ctx, `INSERT INTO rate_counts (key, window_start, n) VALUES (?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counts.n + 1 RETURNING n`, key, start).Scan(&n)
	return n, mapError(err)
}

// PruneRateCounts deletes the counts of windows that began before.
func (db *DB) PruneRateCounts(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.writer().exec(ctx, `DELETE FROM rate_counts WHERE window_start < ?`, before.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
