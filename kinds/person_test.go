package kinds_test

import (
	"encoding/json"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/petition"
	"github.com/jiedao/jiedao/store"
)

// One identity across 12345 work orders, petitions and disputes, on both
// engines: a caller's phone as a 12345 file gives it and the petitioner's
// as the petition officer types it are one person, found through the
// case_persons index; a masked phone is nobody.
func TestOnePersonAcrossHotlineAndPetitions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		key, _ := db.KindSecret(bg, "petitioner")
		w.svc.PersonKey = key
		disp := w.o.Actor(org.RoleDispatcher)
		hotline := func(id, phone string) *casework.Case {
			t.Helper()
			c, err := w.svc.Report(bg, disp, casework.ReportInput{Channel: casework.ChannelHotline, ExternalID: id, Category: fixture.CatExposedTrash,
				Details: "来电反映小区垃圾未清运", Address: "文一路100号", Reporter: casework.Contact{Name: "张先生", Phone: phone}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		w.clock.Set(cst("2023-02-01 10:00"))
		hotline("GD-001", "+86 138-0000-1234")
		hotline("GD-002", "138****1234") // masked: says nobody
		n := func(q string, args ...any) int64 {
			rows, err := db.Query(bg, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var v int64
			rows.Next()
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if got := n(`SELECT COUNT(*) FROM case_persons`); got != 1 {
			t.Fatalf("%d persons after two work orders, want 1 (the masked phone is nobody)", got)
		}
		// The petitioner is the same caller: not a repeated petition, but one
		// other case of his is known.
		data := func(c *casework.Case) petition.Data {
			var d petition.Data
			if err := json.Unmarshal(c.KindState.Data, &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		p1 := w.report(t, "2023-02-03 09:00", casework.KindPetition, `{"level":"district","channel":"visit","petitioner_name":"张三","petitioner_id":"13800001234"}`)
		if d := data(p1); d.Repeat || d.Previous != 0 || d.OtherCases != 1 {
			t.Fatalf("first petition: repeat %v, previous %d, other cases %d; want the 12345 call counted", d.Repeat, d.Previous, d.OtherCases)
		}
		p2 := w.report(t, "2023-03-03 09:00", casework.KindPetition, `{"level":"district","channel":"letter","petitioner_name":"张三","petitioner_id":"138 0000 1234"}`)
		if d := data(p2); !d.Repeat || d.Previous != 1 || d.OtherCases != 1 {
			t.Fatalf("second petition: repeat %v, previous %d, other cases %d", d.Repeat, d.Previous, d.OtherCases)
		}
		// Someone else is someone else.
		p3 := w.report(t, "2023-03-04 09:00", casework.KindPetition, `{"level":"district","channel":"visit","petitioner_name":"李四","petitioner_id":"13900009999"}`)
		if d := data(p3); d.Repeat || d.OtherCases != 0 {
			t.Fatalf("another person: %+v", d)
		}
		// The index lists the person's three cases; a leader sees them all.
		same, total, err := w.svc.List(bg, w.o.Actor(org.RoleLeader), casework.Filter{Person: casework.PersonDigest(key, "13800001234")})
		if err != nil || total != 3 || len(same) != 3 {
			t.Fatalf("the person's cases: %d (%v)", total, err)
		}
		if got := n(`SELECT COUNT(*) FROM case_persons WHERE case_id = ?`, p2.ID); got != 1 {
			t.Errorf("the second petition's persons: %d", got)
		}
		// Steps keep one row a person.
		w.step(t, disp, p2.ID, "2023-03-03 10:00", casework.ActAccept, "", "")
		if got := n(`SELECT COUNT(*) FROM case_persons WHERE case_id = ?`, p2.ID); got != 1 {
			t.Errorf("after a step: %d rows", got)
		}
	})
}
