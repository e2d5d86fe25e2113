package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/seedfile"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// economyFigures are the enterprise.* and buildings.* derived figures.
func economyFigures(t *testing.T) map[string]float64 {
	return seedfile.Values(t, func(f seedfile.Figure) bool {
		return f.Kind == "derived" && (strings.HasPrefix(f.Key, "enterprise.") || strings.HasPrefix(f.Key, "buildings."))
	})
}

// TestDemoEconomyMatchesWorkReport builds the demo year with the
// calibrated enterprise demands (and no other cases, to keep it quick)
// and the whole enterprise registry, and checks every enterprise.* and
// buildings.* figure of the report against figures.tsv, with the figure's
// drill-down counting as many records as the figure (for counts).
func TestDemoEconomyMatchesWorkReport(t *testing.T) {
	want := economyFigures(t)
	if len(want) != 13 {
		t.Fatalf("figures.tsv has %d enterprise/buildings keys, expected 13", len(want))
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		vol := demo.Calibrated(1)
		only := demo.Volumes{Enterprise: vol.Enterprise}
		if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 1, Seed: 1, Volumes: &only}, nil); err != nil {
			t.Fatal(err)
		}
		cases := &casework.Service{Store: db.Cases(), Now: time.Now}
		ent := &enterprise.Service{Store: db.Enterprises(), Cases: cases}
		src := &enterprise.Figures{Service: ent, Cases: cases}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}
		values, err := report.Compute(ctx, cases, leader, 2023, src)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]report.Value{}
		for _, v := range values {
			got[v.Key] = v
		}
		for k, w := range want {
			v, ok := got[k]
			switch {
			case !ok:
				t.Errorf("%s: not reported", k)
			case v.Missing || v.Value != w:
				t.Errorf("%s: report %v (missing %v), work report %v", k, v.Value, v.Missing, w)
			case v.Section != report.SectionEconomy || v.Pattern == "" || v.Records == nil:
				t.Errorf("%s: section %q pattern %q", k, v.Section, v.Pattern)
			case k != "enterprise.net_migration_tax" && float64(v.Num) != w:
				t.Errorf("%s: drill-down lists %d records for %v", k, v.Num, w)
			}
			if !strings.Contains(v.Pattern, "%s") {
				t.Errorf("%s: pattern %q has no %%s", k, v.Pattern)
			}
		}
		// The year before is there for the change on last year.
		for _, k := range []string{"buildings.tax_10m", "enterprise.visits", "enterprise.net_migration_tax"} {
			if got[k].Prior == nil {
				t.Errorf("%s: no prior year", k)
			}
		}
		// The tiers' tenants add up to the building's tax.
		years, err := ent.Tiers(ctx, leader, 2023)
		if err != nil {
			t.Fatal(err)
		}
		for _, y := range years {
			var sum enterprise.Money
			for _, tt := range y.Tenants {
				sum += tt.Tax
			}
			if sum != y.Tax {
				t.Errorf("%s: tenants %v, building %v", y.Name, sum, y.Tax)
			}
		}
	})
}
