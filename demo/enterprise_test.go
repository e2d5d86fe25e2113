package demo_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// economyFigures reads the enterprise.* and buildings.* keys of
// shared/seed/figures.tsv.
func economyFigures(t *testing.T) map[string]float64 {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != "/"; dir = filepath.Dir(dir) {
		f, err := os.Open(filepath.Join(dir, "shared", "seed", "figures.tsv"))
		if err != nil {
			continue
		}
		defer f.Close()
		out := map[string]float64{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			cols := strings.Split(sc.Text(), "\t")
			if len(cols) < 6 || !(strings.HasPrefix(cols[0], "enterprise.") || strings.HasPrefix(cols[0], "buildings.")) || cols[5] != "derived" {
				continue
			}
			v, err := strconv.ParseFloat(cols[2], 64)
			if err != nil {
				t.Fatalf("figures.tsv: %s: %v", cols[0], err)
			}
			out[cols[0]] = v
		}
		return out
	}
	t.Fatal("no shared/seed/figures.tsv in any folder above the package")
	return nil
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
