// Package store implements the domain's storage interfaces (org.Store,
// casework.Store, the calendar) once, for both engines: embedded SQLite
// (pure Go, modernc.org/sqlite) and PostgreSQL (pgx). The SQL is written
// once with ? placeholders; the few dialect differences (placeholders, time
// encoding, row locks, error codes) are kept in this file.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations
var migrationFiles embed.FS

// DB is an open database of either engine.
type DB struct {
	engine Engine
	dsn    string
	read   *sql.DB
	// write is the only connection that writes on SQLite, so that writers
	// queue in Go instead of failing with SQLITE_BUSY; on PostgreSQL it is
	// a pool of its own for writes and transactions (see Open).
	write *sql.DB
	// group and noGroup are group commit's (groupcommit.go).
	group   committer
	noGroup atomic.Bool
	// readStmts and writeStmts are SQLite's prepared statements.
	readStmts, writeStmts stmtCache
	// configCache holds the categories and routing rules (configcache.go).
	configCache configCache
	// versions and clients spare a request its reads of the meta
	// counters and of its API key (versioncache.go).
	versions      versionCache
	clients       clientCache
	jurisdictions jurisdictionCache
	subdistricts  subdistrictCache
	// reads counts the read pools' statements (ReadStatements).
	reads atomic.Int64
	// recheck, when set, replaces configRecheck (SetRecheck).
	recheck atomic.Int64
	// locateFrom, when set, replaces defaultLocateFrom (pagelocate.go).
	locateFrom atomic.Int64
	// unitForm fixes how a unit's scope is read (SetUnitScopeForm).
	unitForm atomic.Int32
	// indicators and ledgerTypes keep the definitions the figures read
	// (typecache.go).
	indicators  indicatorCache
	ledgerTypes ledgerTypeCache
	// events hands change notices to subscribers (events.go).
	events hub
	// replica, when set, serves the reads that may lag (replica.go).
	replica *replica
	// crypto is the algorithm suite and the SM4 keyring (crypto.go).
	crypto cryptoConfig
}

// IsPostgres reports whether a DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database a DSN names: a postgres:// URL, or else the path
// of an SQLite file, created if missing. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgres(dsn) {
		// Two pools, as on SQLite: a transaction holds a write connection
		// while it reads through the read pool (a category's policy, a
		// past assignment). With one pool, writers waiting for a row lock
		// could hold every connection while the lock holder waits for one
		// to read: the pool would deadlock.
		open := func(n int) (*sql.DB, error) {
			pool, err := sql.Open("pgx", dsn)
			if err != nil {
				return nil, err
			}
			pool.SetMaxOpenConns(n)
			pool.SetMaxIdleConns(n)
			pool.SetConnMaxIdleTime(5 * time.Minute)
			if err := pool.PingContext(ctx); err != nil {
				pool.Close()
				return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
			}
			return pool, nil
		}
		read, err := open(16)
		if err != nil {
			return nil, err
		}
		write, err := open(8)
		if err != nil {
			read.Close()
			return nil, err
		}
		return &DB{engine: Postgres, dsn: dsn, read: read, write: write}, nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	// Pragmas go in the DSN so that every pooled connection has them.
	// synchronous(FULL): a write acknowledged survives a power cut, not
	// only a crash of the process. _txlock=immediate: a transaction takes
	// the write lock when it begins, so that two writers never deadlock on
	// upgrading a read lock. temp_store(MEMORY): statement journals stay in
	// memory instead of being written to a temporary file per statement.
	pragmas := sqlitePragmas
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", base+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{engine: SQLite, dsn: dsn, read: read, write: write}, nil
}

// sqlitePragmas are the settings of every SQLite connection (see Open).
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)"

// Engine returns the engine of the database.
func (db *DB) Engine() Engine { return db.engine }

// Close closes the database.
func (db *DB) Close() error {
	db.closeEvents()
	db.closeReplica()
	for _, c := range []*stmtCache{&db.readStmts, &db.writeStmts} {
		c.mu.Lock()
		for _, st := range c.m {
			st.Close()
		}
		c.m = nil
		c.mu.Unlock()
	}
	err := db.read.Close()
	if db.write != db.read {
		if werr := db.write.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs SQL written for both engines on one querier.
type conn struct {
	db *DB
	q  querier
	// stmts caches the statements prepared in a transaction, so that a
	// bulk load parses each statement once; the transaction's end closes
	// them.
	stmts map[string]*sql.Stmt
	// aggregates, when set, collects the aggregates' changes of new cases
	// for the group commit to write once, before its commit.
	aggregates *aggDelta
	// newCases, when set, collects the new cases of a group commit's
	// members for the batch to write together (groupcases.go).
	newCases *newCaseBatch
	// raw, on PostgreSQL in a group commit, is the connection of the
	// transaction, through which run pipelines statements (pipeline.go).
	raw *sql.Conn
	// committed holds what to run once the transaction commits (nil
	// outside a transaction of inTx).
	committed *[]func()
}

// afterCommit runs f once c's transaction has committed; at once when c is
// not in a transaction (its writes are committed as they are made).
func (c conn) afterCommit(f func()) {
	if c.committed == nil {
		f()
		return
	}
	*c.committed = append(*c.committed, f)
}

// prepared returns a prepared statement for query, or nil to run it
// unprepared. In a transaction the statement is kept until the
// transaction ends, so that a bulk load parses each statement once. On
// SQLite, whose driver parses every statement it is not given prepared,
// the statements of the pools are also kept for as long as the database
// is open (PostgreSQL's driver keeps its own per connection).
func (c conn) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	switch q := c.q.(type) {
	case *sql.Tx:
		if c.stmts == nil || c.db.engine == Postgres {
			// PostgreSQL's driver (pgx) prepares and keeps every
			// statement per connection itself; one prepared here would
			// cost a round trip to prepare it and one more to deallocate
			// it when the transaction ends.
			return nil, nil
		}
		if st := c.stmts[query]; st != nil {
			return st, nil
		}
		var st *sql.Stmt
		// Never prepare on the write pool here: on SQLite its one
		// connection is this transaction's. endTx does it afterwards.
		if ds := c.db.cachedStmt(ctx, c.db.write, query, false); ds != nil {
			// The transaction's connection reuses the statement it has
			// prepared before.
			st = q.StmtContext(ctx, ds)
		} else {
			var err error
			if st, err = q.PrepareContext(ctx, query); err != nil {
				return nil, mapError(err)
			}
		}
		c.stmts[query] = st
		return st, nil
	case *sql.DB:
		return c.db.cachedStmt(ctx, q, query, true), nil
	}
	return nil, nil
}

// stmtCache holds the statements prepared on one SQLite pool.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedStmts bounds a pool's statement cache: the case filters make
// many shapes of query, and past the bound a query is parsed each time.
const maxCachedStmts = 256

// cachedStmt returns pool's prepared statement for query on SQLite,
// preparing it if it is new and prepare is set, or nil.
func (db *DB) cachedStmt(ctx context.Context, pool *sql.DB, query string, prepare bool) *sql.Stmt {
	if db.engine != SQLite {
		return nil
	}
	cache := &db.readStmts
	if pool == db.write {
		cache = &db.writeStmts
	}
	cache.mu.Lock()
	st, full := cache.m[query], len(cache.m) >= maxCachedStmts
	cache.mu.Unlock()
	if st != nil || full || !prepare {
		return st
	}
	// Prepared without the lock: preparing waits for a connection, and
	// the holder of one may want a statement too.
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		// Let the unprepared path report the error.
		return nil
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if old := cache.m[query]; old != nil {
		st.Close()
		return old
	}
	if cache.m == nil {
		cache.m = map[string]*sql.Stmt{}
	}
	cache.m[query] = st
	return st
}

// endTx keeps, on SQLite, the statements a finished transaction prepared
// for itself, so that the next transaction finds them prepared.
func (db *DB) endTx(ctx context.Context, stmts map[string]*sql.Stmt) {
	if db.engine != SQLite {
		return
	}
	for q := range stmts {
		db.cachedStmt(context.WithoutCancel(ctx), db.write, q, true)
	}
}

func (db *DB) reader() conn { return conn{db: db, q: db.read} }
func (db *DB) writer() conn { return conn{db: db, q: db.write} }

// txKey marks a context that carries an open write transaction of one DB
// (see Atomic).
type txKey struct{ db *DB }

// joined is c, or the write transaction ctx carries when c is the write
// pool: inside Atomic every write joins the one transaction. On SQLite,
// whose write pool is one connection, a write on the pool there would
// otherwise wait forever for the transaction holding it.
func (c conn) joined(ctx context.Context) conn {
	if c.q == c.db.write {
		if tx, ok := ctx.Value(txKey{c.db}).(*conn); ok {
			return *tx
		}
	}
	if c.q == c.db.read {
		c.db.reads.Add(1)
		if c.db.onReplica(ctx) {
			c.q = c.db.replica.pool // a read that may lag (replica.go)
		}
	}
	return c
}

// ReadStatements counts the statements run on the read pools (outside
// any transaction) since the database was opened: what a request spends
// in round trips before its write, for benchmarks and the tests that
// hold the request path to its caches.
func (db *DB) ReadStatements() int64 { return db.reads.Load() }

// Atomic runs fn in one write transaction: every write the store makes
// with the context fn is given, through any of its methods, commits when
// fn returns nil and rolls back otherwise. A change and the audit entry
// that records it are written this way, so that neither is kept without
// the other. Reads still go to the read pool and see committed data.
// Nested calls join the outer transaction.
func (db *DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{db}).(*conn); ok {
		return fn(ctx)
	}
	return db.inTx(ctx, func(tx conn) error {
		return fn(context.WithValue(ctx, txKey{db}, &tx))
	})
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c = c.joined(ctx)
	q := c.db.rebind(query)
	if st, err := c.prepared(ctx, q); err != nil {
		return nil, err
	} else if st != nil {
		res, err := st.ExecContext(ctx, c.db.args(args)...)
		return res, mapError(err)
	}
	res, err := c.q.ExecContext(ctx, q, c.db.args(args)...)
	return res, mapError(err)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c = c.joined(ctx)
	q := c.db.rebind(query)
	if st, err := c.prepared(ctx, q); err != nil {
		return nil, err
	} else if st != nil {
		rows, err := st.QueryContext(ctx, c.db.args(args)...)
		return rows, mapError(err)
	}
	rows, err := c.q.QueryContext(ctx, q, c.db.args(args)...)
	return rows, mapError(err)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c = c.joined(ctx)
	q := c.db.rebind(query)
	if st, err := c.prepared(ctx, q); err == nil && st != nil {
		return st.QueryRowContext(ctx, c.db.args(args)...)
	}
	return c.q.QueryRowContext(ctx, q, c.db.args(args)...)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (c conn) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := c.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, mapError(err)
}

// inTx runs fn in a write transaction, committed if fn returns nil. Inside
// Atomic, fn runs in Atomic's transaction, which commits at its end.
func (db *DB) inTx(ctx context.Context, fn func(tx conn) error) error {
	if outer, ok := ctx.Value(txKey{db}).(*conn); ok {
		return fn(*outer)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	c := conn{db: db, q: tx, stmts: map[string]*sql.Stmt{}, committed: &[]func(){}}
	defer db.endTx(ctx, c.stmts)
	return c.finish(tx, fn(c))
}

// finish ends c's transaction tx after its work returned err: rolled back
// on an error, else committed, then what the work asked to run once
// committed (afterCommit) is run.
func (c conn) finish(tx *sql.Tx, err error) error {
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	for _, f := range *c.committed {
		f()
	}
	return nil
}

// forUpdate is the row-lock clause: SQLite's immediate transactions lock
// the whole database already.
func (db *DB) forUpdate() string {
	if db.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forUpdateOf is forUpdate for a join: it locks the rows of the table
// aliased alias only, as PostgreSQL cannot lock the nullable side of an
// outer join.
func (db *DB) forUpdateOf(alias string) string {
	if db.engine == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// rebind turns ? placeholders into PostgreSQL's $1, $2 … It skips quoted
// strings, so a literal '?' stays.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case ch == '\'':
			quoted = !quoted
		case ch == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// timeLayout is how SQLite stores times: UTC, fixed width, so that text
// order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// args converts arguments for the engine: times become fixed-width text on
// SQLite; nil pointers become NULL.
func (db *DB) args(args []any) []any {
	out := args[:0:0]
	for _, a := range args {
		switch v := a.(type) {
		case time.Time:
			a = db.timeArg(v)
		case *time.Time:
			if v == nil {
				a = nil
			} else {
				a = db.timeArg(*v)
			}
		case *bool:
			if v == nil {
				a = nil
			} else {
				a = *v
			}
		}
		out = append(out, a)
	}
	return out
}

func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.engine == SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// nullTime scans a time stored by either engine, NULL included.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.Valid = false
		return nil
	case time.Time:
		n.Time, n.Valid = x.In(calendar.Zone()), true
		return nil
	case string:
		return n.parse(x)
	case []byte:
		return n.parse(string(x))
	}
	return fmt.Errorf("store: cannot scan %T as a time", v)
}

func (n *nullTime) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", s, err)
	}
	n.Time, n.Valid = t.In(calendar.Zone()), true
	return nil
}

func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}

// nullID turns 0 into NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mapError turns engine errors into domain errors where the user did
// something wrong; other errors pass through to be logged as internal.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return jiedao.Errorf(jiedao.ENOTFOUND, "记录不存在", "record not found")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
			return &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "记录已存在（编码或名称重复）", En: "already exists (duplicate code or name)"}
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return &jiedao.Error{Code: jiedao.EINVALID, Zh: "引用的记录不存在或仍被引用", En: "a referenced record does not exist or is still referenced"}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "记录已存在（编码或名称重复）", En: "already exists (duplicate code or name)"}
		case "23503":
			return &jiedao.Error{Code: jiedao.EINVALID, Zh: "引用的记录不存在或仍被引用", En: "a referenced record does not exist or is still referenced"}
		case "22021": // a NUL or invalid UTF-8 in a text argument (found by FuzzCaseFilter)
			return &jiedao.Error{Code: jiedao.EINVALID, Zh: "输入含有无法处理的字符（空字符或非 UTF-8 编码）", En: "the input contains a character that cannot be handled (NUL or not UTF-8)"}
		}
	}
	return err
}

// notFound rewrites the generic not-found error to name the kind of thing.
func notFound(err error, zh, en string) error {
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return jiedao.NotFound(zh, en)
	}
	return err
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction. On PostgreSQL an advisory lock keeps two processes starting
// at once from applying the same migration twice.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	return db.migrateUpTo(ctx, "")
}

// migrateUpTo is Migrate stopping after the migration named last ("" for
// all): the upgrade tests build the database of an older release with it.
// A database with a migration this binary does not know is refused
// (migrate_check.go): it was written by a newer release.
func (db *DB) migrateUpTo(ctx context.Context, last string) (applied []string, err error) {
	dir := "migrations/" + string(db.engine)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)

	c := db.writer()
	if db.engine == Postgres {
		// A session-level lock needs one connection for lock and unlock.
		sc, err := db.write.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer sc.Close()
		if _, err := sc.ExecContext(ctx, "SELECT pg_advisory_lock(7426001)"); err != nil {
			return nil, err
		}
		defer sc.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7426001)") //nolint:errcheck
		c = conn{db: db, q: sc}
	}
	if _, err := c.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	rows, err := c.query(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		done[n] = true
	}
	rows.Close()
	if err := newerThanBinary(names, done); err != nil {
		return nil, err
	}
	for _, name := range names {
		if last != "" && name > last {
			break
		}
		if done[name] {
			continue
		}
		body, err := migrationFiles.ReadFile(dir + "/" + name)
		if err != nil {
			return applied, err
		}
		if err := db.applyMigration(ctx, c, name, string(body)); err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// migrationSteps are the Go steps of migrations, run after the SQL in the
// same transaction: what SQL alone would have to say a second time (the
// aggregates' backfill counts cases with the code that keeps them).
var migrationSteps = map[string]func(ctx context.Context, tx conn) error{
	// 0005's tables were made again with the subdistrict's column by 0121,
	// whose step fills them: the code that fills them writes that column.
	"0005_aggregates.sql":              noStep,
	"0121_jurisdiction_aggregates.sql": rebuildAggregates,
	// 0040's ledger sums were made again with the subdistrict by 0136,
	// whose step fills them from the entries (store/ledger.go).
	"0136_ledger_sums_jurisdictions.sql": rebuildLedgerSums,
}

func noStep(context.Context, conn) error { return nil }

func (db *DB) applyMigration(ctx context.Context, c conn, name, body string) error {
	var tx *sql.Tx
	var err error
	switch q := c.q.(type) {
	case *sql.Conn:
		tx, err = q.BeginTx(ctx, nil)
	default:
		tx, err = db.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return err
	}
	// Both engines take several statements in one Exec when it has no arguments.
	if _, err := tx.ExecContext(ctx, body); err != nil {
		_ = tx.Rollback()
		return err
	}
	if step := migrationSteps[name]; step != nil {
		if err := step(ctx, conn{db: db, q: tx}); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`),
		name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// bumpVersion increments a counter in meta, so that other processes
// sharing the database see that a cached thing (grids, calendar) changed.
// This process forgets the counters it read once c commits; the others
// hear of it by NOTIFY (PostgreSQL) or within configRecheck.
func bumpVersion(ctx context.Context, c conn, key string) error {
	if _, err := c.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = meta.value + 1`, key); err != nil {
		return err
	}
	c.afterCommit(c.db.versions.forgetVersions)
	if key == configVersion {
		return nil // configChanged sends its own notice
	}
	return c.db.notify(ctx, c, TopicConfig, key)
}

// Version returns the counter bumpVersion keeps.
func (db *DB) Version(ctx context.Context, key string) (int64, error) {
	var v int64
	err := db.reader().queryRow(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// Query runs a read-only query written with ? placeholders on either
// engine. It is for checks that must not go through the store's own code:
// tests that recompute a figure from the raw events, operators' tools.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.reader().query(ctx, query, args...)
}

// Exec runs a statement written with ? placeholders on either engine,
// outside the store's own code: for tests that tamper with the records as
// an intruder would (the audit chain's), and for operators' tools.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.writer().exec(ctx, query, args...)
}
