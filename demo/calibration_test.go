package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/seedfile"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// workReportFigures are the case figures of the Gudang work report.
func workReportFigures(t *testing.T) map[string]float64 {
	return seedfile.Values(t, func(f seedfile.Figure) bool { return strings.HasPrefix(f.Key, "cases.") })
}

// TestCalibratedYearMatchesWorkReport: `jiedao demo --year 2023 --scale 1`
// then the report gives exactly the work report's figures for every
// cases.* key. A whole Gudang year takes about 20 s on SQLite; the
// PostgreSQL half of this check is the smaller-volume test beside it.
func TestCalibratedYearMatchesWorkReport(t *testing.T) {
	want := workReportFigures(t)
	if len(want) != 6 {
		t.Fatalf("figures.tsv has %d cases.* keys, expected 6", len(want))
	}
	ctx := context.Background()
	db := testdb.Open(t, store.SQLite)
	if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 1, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	svc := &casework.Service{Store: db.Cases(), Now: time.Now}
	values, err := report.Compute(ctx, svc, org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, 2023)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, v := range values {
		got[v.Key] = v.Value
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: report %v, work report %v", k, got[k], w)
		}
	}
}
