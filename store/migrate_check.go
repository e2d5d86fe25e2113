package store

import (
	"context"
	"io/fs"
	"sort"
	"strings"

	"github.com/jiedao/jiedao"
)

// MigrationNames lists the embedded migrations of the engine, in the order
// Migrate applies them.
func MigrationNames(engine Engine) ([]string, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations/"+string(engine))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// PendingMigrations lists, without changing anything, the migrations
// Migrate would apply (`jiedao migrate --dry-run`). It refuses a database
// written by a newer release, as Migrate does.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	names, err := MigrationNames(db.engine)
	if err != nil {
		return nil, err
	}
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.engine == Postgres {
		exists = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	c := db.writer()
	var n int
	if err := c.queryRow(ctx, exists).Scan(&n); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	if n > 0 {
		rows, err := c.query(ctx, `SELECT name FROM schema_migrations`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return nil, err
			}
			done[name] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if err := newerThanBinary(names, done); err != nil {
		return nil, err
	}
	var pending []string
	for _, name := range names {
		if !done[name] {
			pending = append(pending, name)
		}
	}
	return pending, nil
}

// newerThanBinary refuses a database that records a migration this binary
// does not embed: a newer release wrote it, and running an older binary on
// it would read and write tables it does not know.
func newerThanBinary(names []string, done map[string]bool) error {
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	var unknown []string
	for n := range done {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	list := strings.Join(unknown, ", ")
	return &jiedao.Error{Code: jiedao.ECONFLICT, Field: "db",
		Zh: "数据库由较新版本的 jiedao 写入（含本程序不认识的迁移 " + list + "），本程序拒绝启动：请安装该较新版本，或从升级前的备份恢复",
		En: "the database was written by a newer jiedao (it has migrations this binary does not know: " + list + "); refusing to start: install that newer release, or restore the pre-upgrade backup"}
}
