package kinds_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The 2024 涉法涉诉 target (figures.tsv target.petitions.litigation_yoy,
// −10 %) through the targets mechanism, on both engines: the figure
// petitions.litigation counts the year's petitions routed to the legal
// channel, and the target's progress is their change on the year before.
func TestLitigationTarget(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		po := w.officer(casework.KindPetition)
		// Two in 2023, one in 2024 (and one 2024 petition not routed).
		for i, at := range []string{"2023-03-01 09:00", "2023-06-01 09:00", "2024-02-01 09:00", "2024-03-01 09:00"} {
			c := w.report(t, at, casework.KindPetition, `{"level":"district","channel":"visit","petitioner_name":"王五","petitioner_id":"33010619900101123`+string(rune('0'+i))+`"}`)
			w.step(t, po, c.ID, at[:11]+"10:00", casework.ActAccept, "", "")
			if i != 3 {
				w.step(t, po, c.ID, at[:11]+"11:00", casework.ActLegalRoute, "", "属于应当通过诉讼解决的民事纠纷")
			}
		}
		src := kinds.Source{Cases: w.svc}
		leader := w.o.Actor(org.RoleLeader)
		m, err := src.Measure(bg, leader, "petitions.litigation", 2024)
		if err != nil || m.Value != 1 || !strings.Contains(m.Note, "同比-50.00%") {
			t.Fatalf("petitions.litigation 2024: %v %q %v", m.Value, m.Note, err)
		}
		known := map[string]bool{}
		for _, f := range src.Figures() {
			known[f.Key] = true
		}
		ind := &indicator.Service{Store: db.Indicators(), Now: w.clock.Now, Known: func(k string) bool { return known[k] },
			Figure: func(ctx context.Context, a org.Actor, key string, year int) (float64, bool, error) {
				m, err := src.Measure(ctx, a, key, year)
				return m.Value, m.OK, err
			}}
		tg := &indicator.Target{Year: 2024, Code: "target.petitions.litigation_yoy", Level: indicator.Subdistrict, Key: "petitions.litigation",
			Name: "涉法涉诉信访量同比", Unit: "%", Comparison: indicator.ChangeBy, Value: -10}
		if err := ind.SetTarget(bg, org.SystemActor(), tg); err != nil {
			t.Fatal(err)
		}
		w.clock.Set(cst("2025-01-05 12:00")) // the year over: met or missed
		p, err := ind.Progress(bg, leader, tg)
		if err != nil {
			t.Fatal(err)
		}
		if p.Live == nil || *p.Live != 1 || p.Prior == nil || *p.Prior != 2 || p.Change == nil || *p.Change != -50 || !p.Met {
			t.Fatalf("progress: %+v", p)
		}
		// Figures.Measure of the report's target gives it with its progress.
		fm, err := indicator.Figures{Service: ind}.Measure(bg, leader, "target.petitions.litigation_yoy", 2023)
		if err != nil || !fm.OK || fm.Value != -10 || !strings.Contains(fm.Note, "同比 -50.00%") {
			t.Errorf("the report's target: %+v %v", fm, err)
		}
	})
}
