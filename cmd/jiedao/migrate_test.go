package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestMigrateCommand: the dry run lists what would run and changes nothing,
// migrate applies and names them, and a database written by a newer
// release makes migrate and serve refuse, in Chinese and English.
func TestMigrateCommand(t *testing.T) {
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := testdb.DSN(t, engine)
			names, err := store.MigrationNames(engine)
			if err != nil {
				t.Fatal(err)
			}
			cmd := func(args ...string) (int, string, string) {
				var out, errOut bytes.Buffer
				code := run(ctx, args, &out, &errOut)
				return code, out.String(), errOut.String()
			}
			for range 2 {
				code, out, _ := cmd("migrate", "--dry-run", "--db", dsn)
				if code != 0 || !strings.Contains(out, "dry run") || !strings.Contains(out, names[0]) || !strings.Contains(out, names[len(names)-1]) {
					t.Fatalf("migrate --dry-run on an empty database: %d %q", code, out)
				}
			}
			if code, out, errOut := cmd("migrate", "--db", dsn); code != 0 || !strings.Contains(out, names[len(names)-1]) {
				t.Fatalf("migrate: %d %q %q", code, out, errOut)
			}
			if code, out, _ := cmd("migrate", "--dry-run", "--db", dsn); code != 0 || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate --dry-run on a migrated database: %d %q", code, out)
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('0999_next_release.sql', '2030-01-01T00:00:00Z')`)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"migrate", "--db", dsn}, {"migrate", "--dry-run", "--db", dsn}, {"serve", "--db", dsn, "--addr", "127.0.0.1:0"}} {
				code, _, errOut := cmd(args...)
				if code != 1 || !strings.Contains(errOut, "较新版本") || !strings.Contains(errOut, "newer jiedao") || !strings.Contains(errOut, "0999_next_release.sql") {
					t.Errorf("%v on a newer database: %d %q", args, code, errOut)
				}
			}
		})
	}
}
