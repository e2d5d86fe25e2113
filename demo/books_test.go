package demo_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/seedfile"

	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// seedFigures are every row of figures.tsv: key → value as written, kind.
func seedFigures(t *testing.T) map[string][2]string {
	out := map[string][2]string{}
	for _, f := range seedfile.MustFigures(t) {
		out[f.Key] = [2]string{f.Text, f.Kind}
	}
	return out
}

// booksKeys are the figure keys the books report.
func booksKeys(seed map[string][2]string) []string {
	var out []string
	for k, v := range seed {
		prefix := strings.SplitN(k, ".", 2)[0]
		switch {
		case v[1] == "entered" || v[1] == "target",
			k == "emergency.trainings" || k == "emergency.trainees",
			prefix == "elderly" || prefix == "services" || prefix == "volunteers" || prefix == "approvals" ||
				prefix == "integrity" || prefix == "safety" || prefix == "census":
			out = append(out, k)
		}
	}
	return out
}

// TestBooksMatchTheWorkReport builds the demo year (few cases, the books at
// full calibration) and checks every key the books report against
// figures.tsv through report.Compute, each drilling down to exactly the
// records it counted; the 2024 targets carry their progress.
func TestBooksMatchTheWorkReport(t *testing.T) {
	seed := seedFigures(t)
	keys := booksKeys(seed)
	if len(keys) != 46 {
		t.Fatalf("%d books keys in figures.tsv, expected 46 (18 ledger and campaign, 10 entered, 18 targets)", len(keys))
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		vol := demo.Volumes{XihuSigned: 20, XihuRated: 10, XihuSatisfied: 9, PinganHandled: 20, GridHandled: 10, IoTDispatched: 10, PoliceHandled: 10, Hotline: 5, Enterprise: 2}
		if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 1, Seed: 7, Volumes: &vol}, nil); err != nil {
			t.Fatal(err)
		}
		cases := &casework.Service{Store: db.Cases(), Now: time.Now}
		lsvc := &ledger.Service{Store: db.Ledger()}
		csvc := &campaign.Service{Store: db.Campaigns()}
		isvc := &indicator.Service{Store: db.Indicators(), Now: time.Now}
		var sources []report.Source
		isvc.Figure = func(ctx context.Context, a org.Actor, key string, year int) (float64, bool, error) {
			v, ok, _, err := report.Measure(ctx, cases, a, key, year, sources...)
			return v, ok, err
		}
		isvc.Known = func(key string) bool { _, ok := report.Lookup(key, sources...); return ok }
		sources = []report.Source{ledger.Figures{Service: lsvc}, indicator.Figures{Service: isvc}, campaign.Figures{Service: csvc}}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "领导"}
		values, err := report.Compute(ctx, cases, leader, 2023, sources...)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]report.Value{}
		for _, v := range values {
			got[v.Key] = v
		}
		for _, k := range keys {
			want, _ := strconv.ParseFloat(seed[k][0], 64)
			v, ok := got[k]
			switch {
			case !ok:
				t.Errorf("%s: not reported", k)
				continue
			case v.Missing || v.Value != want:
				t.Errorf("%s = %v (missing %v), want %v", k, v.Value, v.Missing, want)
			case v.Section == "" || v.Pattern == "" || v.Counts == "" || v.Records == nil:
				t.Errorf("%s: section, pattern, counts or records missing: %+v", k, v.Figure)
			}
			switch v.Kind {
			case report.KindEntered:
				if !strings.HasSuffix(v.By, " 2024-01-15") || len(v.By) < len(" 2024-01-15")+3 {
					t.Errorf("%s: entered by %q, want December's clerk on 2024-01-15", k, v.By)
				}
			case report.KindTarget:
				if !strings.Contains(v.Note, "2024年目标") || !strings.Contains(v.Note, "状态") {
					t.Errorf("%s: no progress in %q", k, v.Note)
				}
			}
		}
		// The year-on-year change the report gives, computed from the year
		// before's values.
		for k, want := range map[string]float64{"industry.value_added": 14.7, "industry.output": 18.2, "trade.exports": 77.6} {
			if y := got[k].YoYChange; y == nil || *y != want {
				t.Errorf("%s: change %v, want %v", k, y, want)
			}
		}
		// A target measured from the catalogue is met, one whose figure
		// no source here measures has none.
		if n := got["target.talent.leaders"].Note; !strings.Contains(n, "on_track") {
			t.Errorf("talent leaders: %s", n)
		}
		if n := got["target.buildings.tax_100m"].Note; !strings.Contains(n, "no_figure") {
			t.Errorf("buildings: %s", n)
		}
		if n := got["target.talent.high_level"].Note; !strings.Contains(n, "missed") {
			t.Errorf("high-level talents: %s", n)
		}
		// Drill-down: the ledger figures' pages list exactly what was counted.
		for _, k := range keys {
			v := got[k]
			if v.Records == nil || !strings.HasPrefix(v.Records(2023), "/ledgers/") {
				continue
			}
			u, err := url.Parse(v.Records(2023))
			if err != nil {
				t.Fatal(err)
			}
			code := strings.TrimPrefix(u.Path, "/ledgers/")
			_, n, _, err := lsvc.List(ctx, leader, code, ledger.YearQuery(ledger.Query{Field: u.Query().Get("field")}, 2023), 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if n != v.Num || n == 0 {
				t.Errorf("%s: drill-down lists %d entries, the figure counted %d", k, n, v.Num)
			}
		}
		for _, k := range []string{"census.units_checked", "safety.old_elevators"} {
			u, _ := url.Parse(got[k].Records(2023))
			_, n, err := csvc.Units(ctx, leader, campaign.YearFilter(campaign.Kind(u.Query().Get("kind")), 2023), 1, 0)
			if err != nil || float64(n) != got[k].Value {
				t.Errorf("%s: drill-down lists %d units (%v)", k, n, err)
			}
		}
		// The safety inspection's findings opened cases, re-checked.
		c, err := db.Campaigns().GetCampaign(ctx, "safety-2023")
		if err != nil {
			t.Fatal(err)
		}
		fs, err := db.Campaigns().ListFindings(ctx, c.ID)
		if err != nil || len(fs) == 0 {
			t.Fatalf("findings: %d %v", len(fs), err)
		}
		for _, f := range fs {
			kase, err := db.Cases().GetCase(ctx, f.CaseID)
			if err != nil || f.Recheck != campaign.RecheckPass || kase.ReportedAt.Year() != 2023 {
				t.Errorf("finding %+v: case %v", f, err)
			}
		}
	})
}
