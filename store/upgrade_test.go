package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// schemaOf describes the tables, columns and indexes of a database, to
// compare an upgraded database with a fresh one.
func schemaOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	qs := []string{
		`SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1`,
		`SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') ORDER BY 1`,
	}
	if db.Engine() == store.Postgres {
		qs = []string{
			`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1`,
			`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`,
		}
	}
	var out []string
	for _, q := range qs {
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}

// firstSchemaData writes, with the SQL of the first schema (0001_init), what
// an office running the first release had: its places, a unit, an account
// and a case.
var firstSchemaData = []string{
	`INSERT INTO jurisdictions (division_code, name) VALUES ('330106009', '古荡街道')`,
	`INSERT INTO communities (jurisdiction_id, code, name) VALUES ((SELECT id FROM jurisdictions), 'C01', '古荡新村社区')`,
	`INSERT INTO grids (community_id, code, name, kind, geometry) VALUES ((SELECT id FROM communities), 'G0101', '第一网格', 'residential', '')`,
	`INSERT INTO units (code, name, kind) VALUES ('U-CG', '城管中队', 'department')`,
	`INSERT INTO staff (username, name, role, unit_id, created_at) VALUES ('old-dispatcher', '老调度员', 'dispatcher', (SELECT id FROM units), '2024-01-02T03:04:05.000000Z')`,
	`INSERT INTO categories (code, name) VALUES ('env', '环境卫生')`,
	`INSERT INTO cases (number, channel, category, urgency, title, details, status, reported_at, event_count, updated_at, data)
	 VALUES ('2024-000001', 'phone', 'env', 'normal', '垃圾未清运', '小区门口垃圾三天未清运', 'new', '2024-06-12T01:30:00.000000Z', 1, '2024-06-12T01:30:00.000000Z', '{}')`,
}

// TestUpgradeFromEveryRelease builds, for every N, the database of a
// release that had only the first N migrations, with data written at the
// first schema, then migrates it forward: the rest apply in order, the data
// is still there and the schema is the one a fresh database gets.
func TestUpgradeFromEveryRelease(t *testing.T) {
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			names, err := store.MigrationNames(engine)
			if err != nil {
				t.Fatal(err)
			}
			if len(names) < 2 || names[0] != "0001_init.sql" {
				t.Fatalf("migrations of %s: %v", engine, names)
			}
			fresh := schemaOf(t, testdb.Open(t, engine))
			for n := 1; n < len(names); n++ {
				db, err := store.Open(ctx, testdb.DSN(t, engine))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := db.MigrateUpTo(ctx, names[n-1]); err != nil || !slices.Equal(got, names[:n]) {
					db.Close()
					t.Fatalf("first %d migrations: applied %v, %v", n, got, err)
				}
				for _, q := range firstSchemaData {
					if _, err := db.Exec(ctx, q); err != nil {
						db.Close()
						t.Fatalf("after %s: %s: %v", names[n-1], q, err)
					}
				}
				pending, err := db.PendingMigrations(ctx)
				if err != nil || !slices.Equal(pending, names[n:]) {
					t.Errorf("from %s: pending %v, %v; want %v", names[n-1], pending, err, names[n:])
				}
				applied, err := db.Migrate(ctx)
				if err != nil {
					db.Close()
					t.Fatalf("upgrading from %s: %v", names[n-1], err)
				}
				if !slices.Equal(applied, names[n:]) {
					t.Errorf("from %s: applied %v, want %v", names[n-1], applied, names[n:])
				}
				st, err := db.Org().GetStaffByUsername(ctx, "old-dispatcher")
				if err != nil || st.Name != "老调度员" {
					t.Errorf("from %s: the first release's account: %+v, %v", names[n-1], st, err)
				}
				comms, err := db.Org().ListCommunities(ctx)
				if err != nil || len(comms) != 1 || comms[0].Code != "C01" {
					t.Errorf("from %s: communities %v, %v", names[n-1], comms, err)
				}
				var cases int
				rows, err := db.Query(ctx, `SELECT count(*) FROM cases WHERE number = '2024-000001'`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					if err := rows.Scan(&cases); err != nil {
						t.Fatal(err)
					}
				}
				rows.Close()
				if cases != 1 {
					t.Errorf("from %s: the first release's case is gone", names[n-1])
				}
				if got := schemaOf(t, db); !slices.Equal(got, fresh) {
					t.Errorf("from %s: the upgraded schema differs from a fresh one:\nupgraded %v\nfresh    %v", names[n-1], got, fresh)
				}
				db.Close()
			}
		})
	}
}

// TestNewerDatabaseRefused: a database with a migration this binary does
// not know (written by a newer release) is refused by Migrate and by the
// dry run, in Chinese and English, naming the migration.
func TestNewerDatabaseRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		for what, call := range map[string]func() error{
			"Migrate":           func() error { _, err := db.Migrate(ctx); return err },
			"PendingMigrations": func() error { _, err := db.PendingMigrations(ctx); return err },
		} {
			err := call()
			if jiedao.ErrorCode(err) != jiedao.ECONFLICT {
				t.Fatalf("%s on a newer database: %v", what, err)
			}
			zh, en := jiedao.ErrorMessages(err)
			if !strings.Contains(zh, "较新版本") || !strings.Contains(zh, "9999_from_the_future.sql") ||
				!strings.Contains(en, "newer jiedao") || !strings.Contains(en, "9999_from_the_future.sql") {
				t.Errorf("%s: message %q / %q", what, zh, en)
			}
		}
	})
}

// TestPendingMigrations: a fresh database lacks every migration and the dry
// run changes nothing; a migrated one lacks none.
func TestPendingMigrations(t *testing.T) {
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			names, err := store.MigrationNames(engine)
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, testdb.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for range 2 { // twice: the first call must not have applied anything
				if pending, err := db.PendingMigrations(ctx); err != nil || !slices.Equal(pending, names) {
					t.Fatalf("fresh database: pending %v, %v; want %v", pending, err, names)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if pending, err := db.PendingMigrations(ctx); err != nil || len(pending) != 0 {
				t.Fatalf("migrated database: pending %v, %v", pending, err)
			}
		})
	}
}
