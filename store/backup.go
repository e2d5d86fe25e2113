package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// Backup and restore, for both engines, each with the engine's own means:
// SQLite copies itself with VACUUM INTO, a consistent snapshot taken in one
// read transaction, so writers go on while it runs; PostgreSQL is dumped
// by pg_dump (one repeatable-read snapshot) into its custom format and
// restored by pg_restore in one transaction. A backup is written to a
// temporary file beside its destination, checked, and only then renamed
// into place, so an interrupted backup never replaces a good one.

// BackupInfo describes a backup written or a database restored.
type BackupInfo struct {
	Engine Engine
	Path   string        // the backup file
	Bytes  int64         // its size
	Cases  int64         // the cases it holds; -1 when unknown (a PostgreSQL dump)
	Took   time.Duration // how long it took
}

// RestoreOptions are the choices of a restore.
type RestoreOptions struct {
	// Force replaces a database that holds data; without it such a
	// database is refused, so that a wrong --db never wipes a live office.
	Force bool
}

// bookkeeping are the tables whose rows do not make a database "not
// empty": the migrations' own, the version counters, the audit chain's
// seeded head and the official calendar that serve seeds on first start.
// Every other table with a row holds someone's data.
var bookkeeping = map[string]bool{"schema_migrations": true, "meta": true, "audit_head": true, "calendar_days": true}

// Backup writes a consistent copy of the database dsn names to the file
// out, replacing it if it exists; it is safe while jiedao serves the
// database. The copy is checked before it takes out's place: on SQLite
// it must pass PRAGMA integrity_check, on PostgreSQL pg_restore must read
// its table of contents.
func Backup(ctx context.Context, dsn, out string) (*BackupInfo, error) {
	start := time.Now()
	if out == "" {
		return nil, jiedao.Invalid("out", "请用 --out 指定备份文件", "give the backup file with --out")
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "无法创建备份目录：%v", "cannot create the backup folder: %v", err)
	}
	tmp := tempName(out)
	defer os.Remove(tmp) // nothing left behind on failure; a no-op after the rename
	info := &BackupInfo{Path: out}
	if IsPostgres(dsn) {
		info.Engine = Postgres
		info.Cases, err = pgBackup(ctx, dsn, tmp)
	} else {
		info.Engine = SQLite
		info.Cases, err = sqliteBackup(ctx, sqlitePath(dsn), tmp)
	}
	if err != nil {
		return nil, err
	}
	// A backup holds residents' names and phone numbers: only its owner
	// may read it, whatever the umask.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return nil, err
	}
	if err := syncFile(tmp); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(out)); err != nil {
		return nil, err
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	info.Bytes, info.Took = st.Size(), time.Since(start)
	return info, nil
}

// Restore replaces the database dsn names with the backup in the file
// from. A database that holds data is refused unless opts.Force is set.
// Nothing is half done: on SQLite the backup is copied and checked in a
// temporary file that is renamed over the database file only when it is
// whole, and a database file another process has open (a running serve)
// is refused; on PostgreSQL pg_restore runs in one transaction, so a
// failure leaves the database as it was.
func Restore(ctx context.Context, dsn, from string, opts RestoreOptions) (*BackupInfo, error) {
	start := time.Now()
	if from == "" {
		return nil, jiedao.Invalid("from", "请用 --from 指定备份文件", "give the backup file with --from")
	}
	st, err := os.Stat(from)
	if err != nil || !st.Mode().IsRegular() {
		return nil, jiedao.Errorf(jiedao.ENOTFOUND, "备份文件不存在：%s", "no such backup file: %s", from)
	}
	info := &BackupInfo{Path: from, Bytes: st.Size()}
	if IsPostgres(dsn) {
		info.Engine = Postgres
		info.Cases, err = pgRestore(ctx, dsn, from, opts)
	} else {
		info.Engine = SQLite
		info.Cases, err = sqliteRestore(ctx, sqlitePath(dsn), from, opts)
	}
	if err != nil {
		return nil, err
	}
	info.Took = time.Since(start)
	return info, nil
}

// sqlitePath is the file of an SQLite DSN, as Open reads it.
func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "file:") }

// tempName is a fresh name beside path, for a file that is renamed to
// path once it is complete.
func tempName(path string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(b))
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename still happened.
	_ = d.Sync()
	return nil
}

// openSQLite opens one connection to an SQLite file with extra pragmas,
// without the serving pragmas of Open: a backup must not change the
// journal mode of the file it reads.
func openSQLite(ctx context.Context, path, pragmas string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)" + pragmas
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqliteBackup copies the database at path into tmp with VACUUM INTO and
// checks the copy.
func sqliteBackup(ctx context.Context, path, tmp string) (int64, error) {
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return 0, jiedao.Errorf(jiedao.ENOTFOUND, "数据库文件不存在：%s", "no such database file: %s", path)
	}
	src, err := openSQLite(ctx, path, "")
	if err != nil {
		return 0, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return 0, fmt.Errorf("store: VACUUM INTO %s: %w", tmp, err)
	}
	return checkSQLiteCopy(ctx, tmp)
}

// checkSQLiteCopy checks that the file at path is a whole SQLite database
// of jiedao, and returns how many cases it holds.
func checkSQLiteCopy(ctx context.Context, path string) (int64, error) {
	db, err := openSQLite(ctx, path, "&_pragma=query_only(1)")
	if err != nil {
		return 0, notSQLiteBackup(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, notSQLiteBackup(err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, notSQLiteBackup(err)
	}
	if len(problems) > 0 {
		p := strings.Join(problems[:min(len(problems), 3)], "; ")
		return 0, jiedao.Errorf(jiedao.EINVALID, "备份文件已损坏（integrity_check：%s）", "the backup is damaged (integrity_check: %s)", p)
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil {
		return 0, jiedao.Errorf(jiedao.EINVALID, "该文件不是 jiedao 的数据库备份（没有案件表）", "the file is not a jiedao backup (it has no cases table)")
	}
	return n, nil
}

func notSQLiteBackup(err error) error {
	return jiedao.Errorf(jiedao.EINVALID, "备份文件不是有效的 SQLite 数据库（%v）", "the backup is not a valid SQLite database (%v)", err)
}

// sqliteRestore copies the backup from into a temporary file beside the
// database at path, checks it, and renames it over the database.
func sqliteRestore(ctx context.Context, path, from string, opts RestoreOptions) (int64, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return 0, err
	}
	tmp := tempName(path)
	defer os.Remove(tmp)
	// The copy goes through SQLite rather than the file system, so that a
	// backup that is itself a live database in WAL mode is read whole.
	src, err := openSQLite(ctx, from, "")
	if err != nil {
		return 0, notSQLiteBackup(err)
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	src.Close()
	if err != nil {
		return 0, notSQLiteBackup(err)
	}
	n, err := checkSQLiteCopy(ctx, tmp)
	if err != nil {
		return 0, err
	}
	if err := syncFile(tmp); err != nil {
		return 0, err
	}
	// The restored file takes the mode and owner of the one it replaces,
	// so that the serve that opens it can; a new one is its owner's only.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return 0, err
	}
	if old, err := os.Stat(path); err == nil {
		if err := claimSQLite(ctx, path, opts.Force); err != nil {
			return 0, err
		}
		if err := os.Chmod(tmp, old.Mode().Perm()); err != nil {
			return 0, err
		}
		keepOwner(tmp, old)
	}
	// The old database's journal files would be read as the new one's:
	// a WAL is not tied to the database file it was written for.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	return n, syncDir(filepath.Dir(path))
}

// claimSQLite checks that no other process has the database at path open
// (a serve would go on writing into the replaced file, and its writes
// would be lost) and, unless force, that it holds no data.
func claimSQLite(ctx context.Context, path string, force bool) error {
	// An exclusive lock is only granted when no other connection, in this
	// process or another, has the file open; busy_timeout 0 asks once.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
			return jiedao.Errorf(jiedao.ECONFLICT, "数据库 %s 正被其他进程使用（jiedao serve 是否仍在运行？），请先停止它再恢复",
				"the database %s is in use by another process (is jiedao serve running?): stop it before restoring", path)
		}
		if !force {
			return jiedao.Errorf(jiedao.EINVALID, "目标文件 %s 不是可读的 SQLite 数据库；如确需覆盖，请加 --force", "the target %s is not a readable SQLite database: add --force to replace it", path)
		}
		return nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`) //nolint:errcheck
	if force {
		return nil
	}
	// Ordinary tables only: the search index's FTS5 shadow tables
	// (case_search_data, …) hold rows in an empty database.
	tables, err := queryStrings(ctx, conn, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return err
	}
	return refuseData(ctx, conn, path, tables, func(t string) string { return `"` + strings.ReplaceAll(t, `"`, `""`) + `"` })
}

// refuseData returns an error naming the first table of tables (other
// than the bookkeeping ones) that has a row.
func refuseData(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, where string, tables []string, quote func(string) string) error {
	sort.Strings(tables)
	for _, t := range tables {
		if bookkeeping[t] {
			continue
		}
		var has bool
		if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quote(t)+`)`).Scan(&has); err != nil {
			return err
		}
		if has {
			return jiedao.Errorf(jiedao.ECONFLICT, "目标数据库 %s 不是空的（表 %s 中已有数据）；如确需用备份覆盖，请加 --force",
				"the target database %s is not empty (table %s has data): add --force to replace it with the backup", where, t)
		}
	}
	return nil
}

// --- PostgreSQL ---

// libpqParams are the connection parameters libpq (and so pg_dump and
// pg_restore) understands in a URI; pgx takes a few of its own
// (search_path, pool settings) that libpq would refuse.
var libpqParams = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "passfile": true, "channel_binding": true,
	"connect_timeout": true, "client_encoding": true, "options": true, "application_name": true, "fallback_application_name": true,
	"keepalives": true, "keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true, "tcp_user_timeout": true,
	"sslmode": true, "requiressl": true, "sslcompression": true, "sslcert": true, "sslkey": true, "sslpassword": true,
	"sslcertmode": true, "sslrootcert": true, "sslcrl": true, "sslcrldir": true, "sslsni": true, "requirepeer": true,
	"ssl_min_protocol_version": true, "ssl_max_protocol_version": true, "gssencmode": true, "krbsrvname": true, "gsslib": true,
	"gssdelegation": true, "service": true, "target_session_attrs": true, "load_balance_hosts": true,
}

// pgConn is a DSN made fit for libpq's tools: the URI without the
// password, which goes in the environment (never on a command line that
// ps shows), and the schema a search_path names.
type pgConn struct {
	uri    string
	env    []string
	schema string // "" when the DSN names none: the default, public
}

func libpq(dsn string) (*pgConn, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "PostgreSQL 连接串无效", "invalid PostgreSQL DSN")
	}
	c := &pgConn{env: append(os.Environ(), "PGCONNECT_TIMEOUT=10")}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			c.env = append(c.env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	if pw := q.Get("password"); pw != "" {
		c.env = append(c.env, "PGPASSWORD="+pw)
	}
	if sp := q.Get("search_path"); sp != "" {
		c.schema = strings.Trim(strings.TrimSpace(strings.Split(sp, ",")[0]), `"`)
		opt := strings.TrimSpace(q.Get("options") + " -c search_path=" + sp)
		q.Set("options", opt)
	}
	for k := range q {
		if !libpqParams[k] { // password included: it went to the environment
			q.Del(k)
		}
	}
	// libpq decodes a URI's %XX only, not "+" for a space as Encode
	// writes it: options=-c+search_path=… reached the server as the
	// parameter "+search_path" and every backup of a schema failed.
	// Encode writes a literal "+" as %2B, so each "+" here is a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	c.uri = u.String()
	return c, nil
}

// pgTool finds a PostgreSQL client program: on PATH, else the newest in
// Debian's /usr/lib/postgresql/<version>/bin.
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", jiedao.Errorf(jiedao.EUNAVAILABLE,
		"找不到 PostgreSQL 的 %s：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client），版本不低于数据库服务器",
		"%s not found: install the PostgreSQL client tools (Debian: apt-get install postgresql-client), of at least the server's version", name)
}

// runTool runs a PostgreSQL tool and turns a failure into an error that
// carries the tool's own words, which an operator needs.
func runTool(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	bin, err := pgTool(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return nil, jiedao.Errorf(jiedao.EINVALID, "%s 失败（%v）：%s", "%s failed (%v): %s", name, err, msg)
	}
	return stdout.Bytes(), nil
}

// pgBackup dumps the database (or the schema its search_path names) into
// tmp and checks that pg_restore reads the dump.
func pgBackup(ctx context.Context, dsn, tmp string) (int64, error) {
	c, err := libpq(dsn)
	if err != nil {
		return 0, err
	}
	args := []string{"--format=custom", "--no-password", "--file=" + tmp}
	if c.schema != "" {
		args = append(args, "--schema="+c.schema)
	}
	if _, err := runTool(ctx, c.env, "pg_dump", append(args, "--dbname="+c.uri)...); err != nil {
		return 0, err
	}
	toc, err := pgTOC(ctx, c.env, tmp)
	if err != nil {
		return 0, err
	}
	if toc.schema == "" {
		return 0, jiedao.Errorf(jiedao.EINVALID, "数据库中没有 jiedao 的表（是否已运行 jiedao migrate？）", "the database has no jiedao tables (was jiedao migrate run?)")
	}
	// The dump's snapshot is pg_dump's own: counting the cases now would
	// count later writes too, so the count is left unknown.
	return -1, nil
}

// pgArchive is what a dump's table of contents says.
type pgArchive struct {
	schema string // the schema of its cases table
}

// pgTOC reads a dump's table of contents with pg_restore --list: a dump
// that pg_restore cannot read is refused here, before anything is done.
func pgTOC(ctx context.Context, env []string, file string) (*pgArchive, error) {
	out, err := runTool(ctx, env, "pg_restore", "--list", file)
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "备份文件不是 pg_dump 的自定义格式文件，或已损坏：%s", "the backup is not a pg_dump custom-format file, or is damaged: %s", file)
	}
	a := &pgArchive{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// "215; 1259 16390 TABLE public cases jiedao"
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && !strings.HasPrefix(f[0], ";") && f[3] == "TABLE" && f[5] == "cases" {
			a.schema = f[4]
		}
	}
	return a, nil
}

// pgOpen opens the target with pgx, which understands the DSN as jiedao
// does (search_path included).
func pgOpen(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// pgRestore restores the dump from into the database dsn names.
func pgRestore(ctx context.Context, dsn, from string, opts RestoreOptions) (int64, error) {
	c, err := libpq(dsn)
	if err != nil {
		return 0, err
	}
	toc, err := pgTOC(ctx, c.env, from)
	if err != nil {
		return 0, err
	}
	if toc.schema == "" {
		return 0, jiedao.Errorf(jiedao.EINVALID, "备份中没有 jiedao 的案件表，不是 jiedao 的备份", "the backup has no jiedao cases table: it is not a jiedao backup")
	}
	db, err := pgOpen(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	// The dump recreates its tables in the schema they were dumped from; a
	// DSN that reads another schema would not see them.
	want := c.schema
	if want == "" {
		var cur sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&cur); err != nil {
			return 0, err
		}
		want = cur.String
	}
	if want != toc.schema {
		return 0, jiedao.Errorf(jiedao.EINVALID, "备份中的表在模式 %s 中，而目标连接使用模式 %s；请让 --db 的 search_path 与备份一致",
			"the backup's tables are in schema %s but the target uses schema %s: make --db's search_path match the backup", toc.schema, want)
	}
	if !opts.Force {
		tables, err := queryStrings(ctx, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, want)
		if err != nil {
			return 0, err
		}
		quote := func(t string) string {
			return `"` + strings.ReplaceAll(want, `"`, `""`) + `"."` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		if err := refuseData(ctx, db, redactDSN(dsn), tables, quote); err != nil {
			return 0, err
		}
	}
	// --clean --if-exists drops what the dump recreates; one transaction
	// makes the restore all or nothing; --no-owner and --no-privileges
	// let another role restore it.
	if _, err := runTool(ctx, c.env, "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
		"--single-transaction", "--exit-on-error", "--no-password", "--dbname="+c.uri, from); err != nil {
		return 0, err
	}
	// pg_restore restores no planner statistics (without them the first
	// queries would plan as if every table were empty) and leaves every
	// page not yet known all-visible (index-only scans would read the
	// rows): VACUUM (ANALYZE), as after any bulk load (DB.Settle).
	if err := vacuumSchema(ctx, db); err != nil {
		return 0, err
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

// redactDSN hides a DSN's password for a message.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL"
	}
	return u.Redacted()
}
