package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A bulk build (the demo's year, docs/demo.md) is cut into chunks, each
// committed in one transaction with its row in build_checkpoints, so that
// a build interrupted at any point, run again on the same database,
// continues after the last chunk committed: whatever was acknowledged
// survives, and nothing is written twice.

// BuildState is what build_checkpoints says of a database's build.
type BuildState struct {
	// Started: the build's parameters were recorded (Params).
	Started bool
	Params  string
	// Phases done, each once committed ("org", "rest", "done").
	Phases map[string]bool
	// LastChunk is the last chunk of cases committed, -1 when none.
	LastChunk int
	// Cases and Events stored by the chunks committed.
	Cases, Events int64
	// ChunkEvents are the events stored by each chunk of cases, by its
	// number: what a resumed build checks its regenerated chunks against.
	ChunkEvents map[int]int64
}

// Done reports whether the build finished.
func (s *BuildState) Done() bool { return s != nil && s.Phases["done"] }

// BuildState reads the build's checkpoints: nil when the database has
// none (it was not built in chunks, or not built).
func (db *DB) BuildState(ctx context.Context) (*BuildState, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT phase, chunk, cases, events, params FROM build_checkpoints ORDER BY phase, chunk`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	st := &BuildState{Phases: map[string]bool{}, LastChunk: -1, ChunkEvents: map[int]int64{}}
	any := false
	for rows.Next() {
		var phase, params string
		var chunk int
		var cases, events int64
		if err := rows.Scan(&phase, &chunk, &cases, &events, &params); err != nil {
			return nil, mapError(err)
		}
		any = true
		switch phase {
		case "start":
			st.Started, st.Params = true, params
		case "cases":
			st.Cases += cases
			st.Events += events
			st.LastChunk = max(st.LastChunk, chunk)
			st.ChunkEvents[chunk] = events
		default:
			st.Phases[phase] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if !any {
		return nil, nil
	}
	return st, nil
}

// StartBuild records the build's parameters: the first checkpoint.
func (db *DB) StartBuild(ctx context.Context, params string) error {
	return db.inTx(ctx, func(tx conn) error {
		return insertCheckpoint(ctx, tx, "start", 0, 0, 0, params)
	})
}

// Checkpoint records a phase done, in its own transaction.
func (db *DB) Checkpoint(ctx context.Context, phase string) error {
	return db.inTx(ctx, func(tx conn) error {
		return insertCheckpoint(ctx, tx, phase, 0, 0, 0, "")
	})
}

func insertCheckpoint(ctx context.Context, tx conn, phase string, chunk, cases, events int, params string) error {
	_, err := tx.exec(ctx, `INSERT INTO build_checkpoints (phase, chunk, cases, events, params, committed_at) VALUES (?, ?, ?, ?, ?, ?)`,
		phase, chunk, cases, events, params, time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// ImportChunk stores a chunk of cases (ImportCases) and its checkpoint in
// one transaction: on PostgreSQL on the transaction's own connection, so
// that the rows go by COPY (copy_pg.go).
func (s *Cases) ImportChunk(ctx context.Context, chunk int, batch []CaseHistory) error {
	events := 0
	for _, h := range batch {
		events += len(h.Events)
	}
	return s.db.BulkTx(ctx, func(ctx context.Context) error {
		if err := s.ImportCases(ctx, batch); err != nil {
			return err
		}
		tx, _ := ctx.Value(txKey{s.db}).(*conn)
		return insertCheckpoint(ctx, *tx, "cases", chunk, len(batch), events, "")
	})
}

// BulkPhase runs fn in one bulk transaction (BulkTx) with the phase's
// checkpoint: a phase is kept whole, or not at all.
func (db *DB) BulkPhase(ctx context.Context, phase string, fn func(ctx context.Context) error) error {
	return db.BulkTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		tx, _ := ctx.Value(txKey{db}).(*conn)
		return insertCheckpoint(ctx, *tx, phase, 0, 0, 0, "")
	})
}

// BulkTx runs fn in one write transaction that every write of the store
// made with fn's context joins (as Atomic). On PostgreSQL the transaction
// is on a connection of its own, through which bulk rows go by COPY.
func (db *DB) BulkTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{db}).(*conn); ok {
		return errors.New("store: a bulk transaction inside another transaction")
	}
	var raw *sql.Conn
	var tx *sql.Tx
	var err error
	if db.engine == Postgres {
		if raw, err = db.write.Conn(ctx); err != nil {
			return mapError(err)
		}
		defer raw.Close()
		tx, err = raw.BeginTx(ctx, nil)
	} else {
		tx, err = db.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return mapError(err)
	}
	c := conn{db: db, q: tx, stmts: map[string]*sql.Stmt{}, raw: raw, committed: &[]func(){}}
	defer db.endTx(ctx, c.stmts)
	return c.finish(tx, fn(context.WithValue(ctx, txKey{db}, &c)))
}

// BulkSettings tunes the write connection for a bulk build. On SQLite a
// larger page cache (256 MB) keeps the indexes' upper pages in memory as
// the file grows past what the default 2 MB holds; durability is
// unchanged (synchronous FULL, WAL: every chunk committed survives a
// crash). On PostgreSQL the sequences are set to the ids used, so that a
// resumed build numbers its rows as an uninterrupted one would (a
// transaction rolled back keeps the values it took from a sequence).
func (db *DB) BulkSettings(ctx context.Context) error {
	if db.engine == SQLite {
		_, err := db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`)
		return mapError(err)
	}
	for _, t := range []string{"cases", "case_events"} {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE((SELECT MAX(id) FROM %[1]s), 0) + 1, false)`, t)
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// OrgFingerprint sums up the organisation's rows (their count and ids per
// table): two databases whose organisations were built alike give the
// same.
func (db *DB) OrgFingerprint(ctx context.Context) (string, error) {
	var b strings.Builder
	for _, t := range []string{"jurisdictions", "communities", "grids", "units", "staff", "api_clients", "routing_rules"} {
		var n, sum int64
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(id), 0) FROM `+t).Scan(&n, &sum); err != nil {
			return "", mapError(err)
		}
		fmt.Fprintf(&b, "%s %d/%d ", t, n, sum)
	}
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM categories`).Scan(&n); err != nil {
		return "", mapError(err)
	}
	fmt.Fprintf(&b, "categories %d", n)
	return b.String(), nil
}

// Settle makes the tables ready to be read after a bulk load (a demo
// build, a restore). On PostgreSQL it runs VACUUM (ANALYZE) on this
// schema's tables: the planner's statistics, and the visibility map, without
// which an index-only scan (a count by channel and status, the case
// list's keyset pages) reads the table's row for each index entry it
// counts — 93 ms instead of 26 ms for the closed enterprise cases of a
// city-year, until autovacuum gets to it. SQLite has neither and needs
// nothing.
func (db *DB) Settle(ctx context.Context) error {
	if db.engine != Postgres {
		return nil
	}
	return mapError(vacuumSchema(ctx, db.write))
}

// vacuumSchema runs VACUUM (ANALYZE) on the tables of the connection's
// schema, not the whole database's (which may hold other schemas).
func vacuumSchema(ctx context.Context, db *sql.DB) error {
	tables, err := queryStrings(ctx, db, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil || len(tables) == 0 {
		return err
	}
	_, err = db.ExecContext(ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", "))
	return err
}

// queryStrings returns the first column of the query's rows, as text.
func queryStrings(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
