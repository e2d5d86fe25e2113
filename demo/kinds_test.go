package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/seedfile"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"

	"net/url"
)

// kindFigures are the derived figures of the case kinds.
func kindFigures(t *testing.T) map[string]float64 {
	return seedfile.Values(t, func(f seedfile.Figure) bool {
		k := f.Key
		return f.Kind == "derived" && (strings.HasPrefix(k, "disputes.") || strings.HasPrefix(k, "petitions.") || strings.HasPrefix(k, "enforcement.") ||
			strings.HasPrefix(k, "bikes.") || k == "emergency.fire_alarm" || k == "emergency.rescue" || k == "emergency.social_aid")
	})
}

// TestKindsMatchWorkReport: the demo year (few ordinary cases, the case
// kinds at full calibration) gives every disputes.*, petitions.*,
// enforcement.*, bikes.* and emergency call-out key of figures.tsv
// through report.Compute, and each figure's drill-down lists exactly the
// records it counts; on both engines.
func TestKindsMatchWorkReport(t *testing.T) {
	want := kindFigures(t)
	if len(want) != 12 {
		t.Fatalf("figures.tsv has %d keys of the case kinds, expected 12", len(want))
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		vol := demo.Volumes{XihuSigned: 20, XihuRated: 10, XihuSatisfied: 9, PinganHandled: 10, GridHandled: 10,
			IoTDispatched: 10, PoliceHandled: 10}
		if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 1, Seed: 7, Volumes: &vol}, nil); err != nil {
			t.Fatal(err)
		}
		svc := &casework.Service{Store: db.Cases(), Now: time.Now}
		src := kinds.Source{Cases: svc}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}
		values, err := report.Compute(ctx, svc, leader, 2023, src)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]report.Value{}
		for _, v := range values {
			got[v.Key] = v
		}
		for k, w := range want {
			v, ok := got[k]
			if !ok || v.Missing || v.Value != w {
				t.Errorf("%s: report %v (missing %v), work report %v", k, v.Value, v.Missing, w)
				continue
			}
			u, _ := url.Parse(v.Records(2023))
			f, err := api.ParseFilter(u.Query())
			if err != nil {
				t.Fatalf("%s: %s: %v", k, u, err)
			}
			_, n, err := svc.List(ctx, leader, f)
			if err != nil || n != v.Num {
				t.Errorf("%s: the drill-down %s lists %d records, the figure counts %d (%v)", k, u, n, v.Num, err)
			}
		}
	})
}
