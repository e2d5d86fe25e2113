package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// leaderIn is the district's leader narrowed to a subdistrict.
func leaderIn(t *testing.T, id int64) org.Actor {
	t.Helper()
	a, ok := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}.Narrowed(id)
	if !ok {
		t.Fatalf("a district leader cannot narrow to %d", id)
	}
	return a
}

// figuresOf is the case figures as an actor sees them, by key.
func figuresOf(t *testing.T, db *store.DB, a org.Actor, year int) map[string]float64 {
	t.Helper()
	svc := &casework.Service{Store: db.Cases(), Now: time.Now}
	values, err := report.Compute(context.Background(), svc, a, year)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, v := range values {
		out[v.Key] = v.Value
	}
	return out
}

// TestDistrictDemo builds a small district and checks its shape: the
// district row above three subdistricts, each with its own communities
// (apart from Gudang's on the map), units, staff with its jurisdiction
// and cases carrying it; the district's accounts with none; and Gudang's
// figures the same as the same seed gives without the district.
func TestDistrictDemo(t *testing.T) {
	vol := demo.Volumes{XihuSigned: 60, XihuRated: 40, XihuSatisfied: 37, PinganHandled: 90, GridHandled: 40,
		IoTDispatched: 50, PoliceHandled: 25, Hotline: 20, Enterprise: 6}
	const year, seed = 2024, 20241207
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// With the current year (a few weeks of 2025) too: each subdistrict
		// builds its own.
		now := time.Date(year+1, 1, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
		if _, err := demo.Generate(ctx, db, demo.Options{Year: year, Scale: 1, Seed: seed, Volumes: &vol, District: true, Now: now}, nil); err != nil {
			t.Fatal(err)
		}
		js, err := db.Org().ListJurisdictions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var district *org.Jurisdiction
		subs := map[string]*org.Jurisdiction{}
		for _, j := range js {
			if j.IsDistrict() {
				district = j
			} else {
				subs[j.DivisionCode] = j
			}
		}
		if district == nil || district.DivisionCode != "330106" || district.Name != "西湖区" {
			t.Fatalf("no district 西湖区 330106 among %d jurisdictions", len(js))
		}
		if len(subs) != len(demo.SubdistrictCodes()) {
			t.Fatalf("%d subdistricts, want %v", len(subs), demo.SubdistrictCodes())
		}
		for _, code := range demo.SubdistrictCodes() {
			if j := subs[code]; j == nil || j.ParentID != district.ID {
				t.Fatalf("subdistrict %s missing or not under the district", code)
			}
		}
		gudang := subs["330106007"]

		// Communities: each subdistrict's, with its grids; the others' apart
		// from Gudang's.
		comms, err := db.Org().ListCommunities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		perSub := map[int64]int{}
		var gudangBox, otherBoxes []geo.Bounds
		for _, c := range comms {
			perSub[c.JurisdictionID]++
			box := c.Geometry.Bounds()
			if c.JurisdictionID == gudang.ID {
				gudangBox = append(gudangBox, box)
			} else {
				otherBoxes = append(otherBoxes, box)
			}
		}
		for code, j := range subs {
			if perSub[j.ID] < 4 {
				t.Errorf("%s has %d communities", code, perSub[j.ID])
			}
		}
		for _, o := range otherBoxes {
			for _, g := range gudangBox {
				if o.MinLon < g.MaxLon && g.MinLon < o.MaxLon && o.MinLat < g.MaxLat && g.MinLat < o.MaxLat {
					t.Fatalf("a community of another subdistrict overlaps Gudang's on the map: %+v and %+v", o, g)
				}
			}
		}

		// Staff: the district's with no jurisdiction, each subdistrict's
		// with its own.
		staff, err := db.Org().ListStaff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*org.Staff{}
		roles := map[int64]map[org.Role]int{}
		for _, s := range staff {
			byName[s.Username] = s
			if roles[s.JurisdictionID] == nil {
				roles[s.JurisdictionID] = map[org.Role]int{}
			}
			roles[s.JurisdictionID][s.Role]++
		}
		for _, u := range []string{"district.leader", "district.dispatcher", "district.admin"} {
			if s := byName[u]; s == nil || s.JurisdictionID != 0 {
				t.Errorf("%s: missing or with a jurisdiction", u)
			}
		}
		for u, code := range map[string]string{"leader": "330106007", "dispatcher": "330106007", "xixi.leader": "330106008",
			"xixi.dispatcher": "330106008", "beishan.leader": "330106004", "beishan.dispatcher": "330106004", "xixi.chengguan.1": "330106008"} {
			if s := byName[u]; s == nil || s.JurisdictionID != subs[code].ID {
				t.Errorf("%s: missing or not of %s", u, code)
			}
		}
		for code, j := range subs {
			for _, r := range []org.Role{org.RoleLeader, org.RoleDispatcher, org.RoleUnitHandler, org.RoleUnitLead, org.RoleGridWorker} {
				if roles[j.ID][r] == 0 {
					t.Errorf("%s has no %s with its jurisdiction", code, r)
				}
			}
		}

		// Cases: every one in a subdistrict, its community's when it has
		// one; each subdistrict has its year.
		bad := scalar(t, db, `SELECT COUNT(*) FROM cases c JOIN communities m ON m.id = c.community_id
			WHERE m.jurisdiction_id <> c.jurisdiction_id`)
		atDistrict := scalar(t, db, `SELECT COUNT(*) FROM cases WHERE jurisdiction_id = ?`, district.ID)
		if bad != 0 || atDistrict != 0 {
			t.Fatalf("%d cases outside their community's subdistrict, %d filed at the district", bad, atDistrict)
		}
		svc := &casework.Service{Store: db.Cases(), Now: time.Now}
		from, to := report.Period(year)
		all, err := svc.Count(ctx, org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, casework.Filter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		counts := map[string]int{}
		for code, j := range subs {
			n, err := svc.Count(ctx, leaderIn(t, j.ID), casework.Filter{From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			counts[code] = n
			sum += n
		}
		if sum != all || counts["330106008"] == 0 || counts["330106004"] == 0 {
			t.Fatalf("cases by subdistrict %v sum to %d, the district has %d", counts, sum, all)
		}
		// Volumes: 西溪 is 60 % of Gudang's, 北山 40 %.
		if !(counts["330106008"] < counts["330106007"] && counts["330106004"] < counts["330106008"]) {
			t.Errorf("volumes by subdistrict %v: want Gudang > 西溪 > 北山", counts)
		}

		// Gudang narrowed is the same year as Gudang alone. The year is
		// made in memory whatever the engine, so one engine shows it (the
		// other's generation takes a minute more).
		if db.Engine() != store.SQLite {
			return
		}
		alone := testdb.Open(t, db.Engine())
		if _, err := demo.Generate(ctx, alone, demo.Options{Year: year, Scale: 1, Seed: seed, Volumes: &vol}, nil); err != nil {
			t.Fatal(err)
		}
		want := figuresOf(t, alone, org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, year)
		got := figuresOf(t, db, leaderIn(t, gudang.ID), year)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("Gudang's %s in the district: %v, alone: %v", k, got[k], w)
			}
		}
		if len(want) == 0 {
			t.Fatal("no figures")
		}
	})
}

// TestDistrictGudangMatchesWorkReport: `jiedao demo --district` keeps
// Gudang's calibrated year: narrowed to Gudang, the report gives every
// cases.* key of figures.tsv exactly. A whole Gudang year and the two
// other subdistricts' take about a minute on SQLite; the PostgreSQL half
// is TestDistrictDemo's comparison with Gudang alone.
func TestDistrictGudangMatchesWorkReport(t *testing.T) {
	want := workReportFigures(t)
	ctx := context.Background()
	db := testdb.Open(t, store.SQLite)
	if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 1, Seed: 1, District: true}, nil); err != nil {
		t.Fatal(err)
	}
	js, err := db.Org().ListJurisdictions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gudang int64
	for _, j := range js {
		if j.DivisionCode == "330106007" {
			gudang = j.ID
		}
	}
	got := figuresOf(t, db, leaderIn(t, gudang), 2023)
	for k, w := range want {
		if !strings.HasPrefix(k, "cases.") {
			continue
		}
		if got[k] != w {
			t.Errorf("%s: Gudang in the district %v, work report %v", k, got[k], w)
		}
	}
}
