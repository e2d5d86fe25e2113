package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// Migration 0070 fills case_persons from the "person:" tags of the cases
// before it, on both engines: a petition's petitioner, a dispute's two
// parties, nothing for a case without one.
func TestCasePersonsBackfill(t *testing.T) {
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db, err := store.Open(ctx, testdb.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.MigrateUpTo(ctx, "0060_report_docs.sql"); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2023, 3, 1, 9, 0, 0, 0, time.UTC)
			for i, tags := range []string{
				" level:city channel:visit person:00112233aabbccdd stage:initial ",
				" type:neighbour level:grid person:00112233aabbccdd person:ffeeddccbbaa9988 ",
				" sub:penalty ",
			} {
				if _, err := db.Exec(ctx, `INSERT INTO cases (number, channel, category, urgency, title, details, status, reported_at, event_count, updated_at, data, kind, kind_tags)
					VALUES (?, 'other', '', 'normal', '', 'x', 'reported', ?, 1, ?, '{}', 'petition', ?)`, "20230301-000"+string(rune('1'+i)), at, at, tags); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			rows, err := db.Query(ctx, `SELECT p.person, c.number FROM case_persons p JOIN cases c ON c.id = p.case_id ORDER BY c.number, p.person`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var p, n string
				if err := rows.Scan(&p, &n); err != nil {
					t.Fatal(err)
				}
				got = append(got, n+" "+p)
			}
			want := []string{"20230301-0001 00112233aabbccdd", "20230301-0002 00112233aabbccdd", "20230301-0002 ffeeddccbbaa9988"}
			if len(got) != len(want) {
				t.Fatalf("case_persons %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("case_persons %v, want %v", got, want)
					break
				}
			}
		})
	}
}
