package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reads that may lag, from a streaming replica.
//
// With a replica configured (OpenReplica), a request the server marks as
// one that may lag (dashboards, reports, exports: MayLag) reads from the
// replica instead of the primary, sparing the primary the long scans. A
// session reads its own writes: the server remembers, in a cookie, the
// primary's WAL position after the session's last write (WriteLSN), and
// MayLag marks the context only once the replica has replayed past it
// (pg_last_wal_replay_lsn). Writes and transactions, and every read not
// marked, go to the primary. A replica that cannot be reached, or that
// lags more than maxReplicaLag behind its primary, is not used.

// maxReplicaLag is how far behind a replica may be and still be read.
const maxReplicaLag = 30 * time.Second

// replicaCheck is how long a replica's replay position is trusted.
const replicaCheck = 200 * time.Millisecond

type replica struct {
	pool *sql.DB
	mu   sync.Mutex
	at   time.Time // when replayed was read
	// replayed is the WAL position the replica has replayed; ok is false
	// when it could not be read or the replica lags too far.
	replayed uint64
	ok       bool
}

// lagKey marks a context whose reads may go to the replica.
type lagKey struct{ db *DB }

// OpenReplica opens a PostgreSQL streaming replica of the database for the
// reads that may lag. On SQLite it is an error.
func (db *DB) OpenReplica(ctx context.Context, dsn string) error {
	if db.engine != Postgres || !IsPostgres(dsn) {
		return fmt.Errorf("store: a replica needs PostgreSQL, for the primary and the replica")
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	pool.SetMaxOpenConns(8)
	pool.SetMaxIdleConns(8)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("store: connect to the replica: %w", err)
	}
	var standby bool
	if err := pool.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || !standby {
		pool.Close()
		if err == nil {
			err = fmt.Errorf("it is not in recovery (a primary, not a streaming replica)")
		}
		return fmt.Errorf("store: replica: %w", err)
	}
	db.replica = &replica{pool: pool}
	return nil
}

// HasReplica reports whether a replica is open.
func (db *DB) HasReplica() bool { return db.replica != nil }

// WriteLSN returns the primary's current WAL position, written as
// PostgreSQL writes an LSN (16/B374D848): after a write has committed, a
// replica that has replayed past it has the write.
func (db *DB) WriteLSN(ctx context.Context) (string, error) {
	var lsn string
	err := db.write.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn)
	return lsn, err
}

// MayLag returns ctx marked so that its reads go to the replica, when one
// is open, reachable, not too far behind, and has replayed past after (a
// WriteLSN; empty for none). Otherwise ctx is returned as it is and its
// reads go to the primary.
func (db *DB) MayLag(ctx context.Context, after string) context.Context {
	rp := db.replica
	if rp == nil {
		return ctx
	}
	var need uint64
	if after != "" {
		var ok bool
		if need, ok = parseLSN(after); !ok {
			return ctx // not ours: read from the primary
		}
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if time.Since(rp.at) > replicaCheck || (rp.ok && rp.replayed < need) {
		rp.at, rp.ok = time.Now(), false
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		var lsn string
		var lag float64
		err := rp.pool.QueryRowContext(qctx, `SELECT pg_last_wal_replay_lsn()::text,
			CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
			     ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END`).Scan(&lsn, &lag)
		cancel()
		if v, ok := parseLSN(lsn); err == nil && ok && lag < maxReplicaLag.Seconds() {
			rp.replayed, rp.ok = v, true
		}
	}
	if !rp.ok || rp.replayed < need {
		return ctx
	}
	return context.WithValue(ctx, lagKey{db}, true)
}

// parseLSN reads an LSN written X/Y in hexadecimal.
func parseLSN(s string) (uint64, bool) {
	hi, lo, ok := strings.Cut(s, "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, false
	}
	return h<<32 | l, true
}

// onReplica reports whether ctx's reads of the read pool go to the replica.
func (db *DB) onReplica(ctx context.Context) bool {
	return db.replica != nil && ctx.Value(lagKey{db}) != nil
}

func (db *DB) closeReplica() {
	if db.replica != nil {
		db.replica.pool.Close()
	}
}
