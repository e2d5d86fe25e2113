// Package testdb gives tests a fresh, migrated database on each engine, so
// that one test suite runs on SQLite and on PostgreSQL.
//
// PostgreSQL comes from JIEDAO_TEST_POSTGRES, a DSN that scripts/test sets
// after starting a throwaway cluster. Without it the PostgreSQL half fails,
// so that a run can never silently test one engine only; set
// JIEDAO_TEST_SQLITE_ONLY=1 to opt out knowingly.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"github.com/jiedao/jiedao/store"
)

// Engines lists the engines every store test runs on.
func Engines() []store.Engine { return []store.Engine{store.SQLite, store.Postgres} }

var schemaSeq atomic.Int64

// DSN returns the DSN of a new empty database (SQLite) or schema
// (PostgreSQL) for one test; it is removed when the test ends.
func DSN(t testing.TB, engine store.Engine) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), "jiedao.db")
	}
	base := os.Getenv("JIEDAO_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("JIEDAO_TEST_SQLITE_ONLY") == "1" {
			t.Skip("JIEDAO_TEST_SQLITE_ONLY=1: PostgreSQL half not run")
		}
		t.Fatal("JIEDAO_TEST_POSTGRES is not set: run the tests with scripts/test, which starts PostgreSQL " +
			"(or set JIEDAO_TEST_SQLITE_ONLY=1 to run the SQLite half only)")
	}
	schema := fmt.Sprintf("t_%d_%d", os.Getpid(), schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh migrated database of the engine, closed when the
// test ends.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Each runs fn as a subtest on each engine, named by the engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, Open(t, e)) })
	}
}
