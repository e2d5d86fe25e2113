package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestJurisdictionColumns holds the organisation's jurisdiction columns
// (migration 0120): a district above its subdistricts, and the subdistrict
// of units, staff and API clients, 0 (NULL) meaning the whole deployment.
func TestJurisdictionColumns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Org()
		d := &org.Jurisdiction{DivisionCode: "330106", Name: "西湖区", Level: org.LevelDistrict}
		must(t, s.CreateJurisdiction(bg, d))
		x := &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道", ParentID: d.ID}
		must(t, s.CreateJurisdiction(bg, x))
		js, err := s.ListJurisdictions(bg)
		must(t, err)
		if len(js) != 2 || *js[0] != *d || *js[1] != (org.Jurisdiction{ID: x.ID, DivisionCode: "330106008", Name: "西溪街道", ParentID: d.ID, Level: org.LevelSubdistrict}) {
			t.Fatalf("jurisdictions: %+v %+v", js[0], js[1])
		}
		if subs := org.Subdistricts(js); len(subs) != 1 || subs[0].ID != x.ID {
			t.Errorf("Subdistricts: %+v", subs)
		}

		shared := &org.Unit{Code: "qu-cg", Name: "区城管局", Kind: org.UnitExternal}
		own := &org.Unit{Code: "xx-cg", Name: "西溪城管科", Kind: org.UnitDepartment, JurisdictionID: x.ID}
		must(t, s.CreateUnit(bg, shared))
		must(t, s.CreateUnit(bg, own))
		shared.JurisdictionID = x.ID
		must(t, s.UpdateUnit(bg, shared))
		us, err := s.ListUnits(bg)
		must(t, err)
		for _, u := range us {
			if u.JurisdictionID != x.ID {
				t.Errorf("unit %s: jurisdiction %d, want %d", u.Code, u.JurisdictionID, x.ID)
			}
		}

		st := &org.Staff{Username: "xx-lead", Name: "西溪领导", Role: org.RoleLeader, Active: true, JurisdictionID: x.ID}
		must(t, s.CreateStaff(bg, st))
		got, err := s.GetStaff(bg, st.ID)
		must(t, err)
		if got.JurisdictionID != x.ID || org.StaffActor(got).JurisdictionID != x.ID {
			t.Errorf("staff jurisdiction %d", got.JurisdictionID)
		}
		got.JurisdictionID = 0
		must(t, s.UpdateStaff(bg, got))
		if got, err = s.GetStaffByUsername(bg, "xx-lead"); err != nil || got.JurisdictionID != 0 {
			t.Errorf("staff jurisdiction after clearing: %d %v", got.JurisdictionID, err)
		}

		c := &org.APIClient{Name: "西溪 app", Channel: "xihu_code", KeyPrefix: "k1", KeyHash: "h1", CreatedAt: time.Now(), JurisdictionID: x.ID}
		must(t, s.CreateAPIClient(bg, c))
		gc, err := s.GetAPIClientByKeyHash(bg, "h1")
		must(t, err)
		if gc.JurisdictionID != x.ID || org.ClientActor(gc).JurisdictionID != x.ID {
			t.Errorf("client jurisdiction %d", gc.JurisdictionID)
		}
	})
}

// TestCaseLoopByJurisdiction runs the case loop in a district's deployment
// of two subdistricts (fixture.AddXixi): each case gets its subdistrict at
// intake, whichever path stores it; each subdistrict's people see and act
// on its cases only, with the same answer as for a case that does not
// exist; the district's see all; dispatch stays within the subdistrict; and
// every count, from the aggregates or the cases, is the subdistrict's.
func TestCaseLoopByJurisdiction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		x, err := o.AddXixi(bg)
		must(t, err)
		gudang, xixi := o.Jurisdiction.ID, x.Jurisdiction.ID
		clock := fixture.NewClock(cst(2024, 6, 3, 9, 0))
		svc := o.Service(clock.Now)
		gdDisp, xxDisp := org.StaffActor(o.Dispatcher), org.StaffActor(x.Dispatcher)
		quDisp, quLead, xxLead := org.StaffActor(x.DistrictDispatcher), org.StaffActor(x.DistrictLeader), org.StaffActor(x.Leader)
		at := func(p geo.Point) casework.ReportInput {
			return casework.ReportInput{Category: fixture.CatExposedTrash, Details: "垃圾未清运", Lat: &p.Lat, Lon: &p.Lon}
		}
		report := func(a org.Actor, in casework.ReportInput) *casework.Case {
			t.Helper()
			c, err := svc.Report(bg, a, in)
			must(t, err)
			return c
		}
		byPlace := report(quDisp, at(o.Points[o.GridW1.ID])) // the district's dispatcher, in 古荡
		inXixi := report(xxDisp, at(x.Point))                // 西溪's own
		byGrid := report(quDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "网格码上报", GridID: x.Grid.ID})
		byActor := report(xxDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "只有地址", Address: "西溪路1号"})
		addressed := report(quDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "Open311", Address: "某路", JurisdictionID: xixi})
		nowhere := report(quDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "不知何处", Address: "某处"})
		for _, tc := range []struct {
			what string
			c    *casework.Case
			want int64
		}{{"located in 古荡", byPlace, gudang}, {"located in 西溪", inXixi, xixi}, {"by 西溪's grid", byGrid, xixi},
			{"by 西溪's dispatcher, no place", byActor, xixi}, {"addressed to 西溪", addressed, xixi},
			{"no place, several subdistricts", nowhere, 0}} {
			stored, err := db.Cases().GetCase(bg, tc.c.ID)
			must(t, err)
			if tc.c.JurisdictionID != tc.want || stored.JurisdictionID != tc.want {
				t.Errorf("%s: jurisdiction %d (stored %d), want %d", tc.what, tc.c.JurisdictionID, stored.JurisdictionID, tc.want)
			}
			if got := checkReplay(t, db.Cases(), tc.c.ID).JurisdictionID; got != tc.want {
				t.Errorf("%s: replayed jurisdiction %d, want %d", tc.what, got, tc.want)
			}
		}
		// A subdistrict's dispatcher reports in his own subdistrict only.
		_, err = svc.Report(bg, xxDisp, at(o.Points[o.GridY1.ID]))
		wantCode(t, err, "invalid", "西溪's dispatcher reporting in 古荡")
		_, err = svc.Report(bg, xxDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "x", Address: "y", JurisdictionID: gudang})
		wantCode(t, err, "invalid", "西溪's dispatcher addressing 古荡")
		_, err = svc.Report(bg, quDisp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "x", Address: "y", JurisdictionID: x.District.ID})
		wantCode(t, err, "invalid", "a report addressed to the district row")

		// A bulk import (the demo's path) places its cases too.
		imp, ev, err := svc.NewReport(bg, quDisp, at(x.Point), clock.Now())
		if err == nil {
			imp.JurisdictionID, ev.Payload.Report.JurisdictionID = 0, 0 // as a generator that knows nothing of subdistricts
			must(t, db.Cases().ImportCases(bg, []store.CaseHistory{{Case: imp, Events: []*casework.Event{ev}}}))
			if got, err := db.Cases().GetCase(bg, imp.ID); err != nil || got.JurisdictionID != xixi {
				t.Errorf("imported case: jurisdiction %d (%v), want 西溪's", got.JurisdictionID, err)
			}
		} else {
			t.Fatal(err)
		}

		// Reads: each subdistrict its own; the district all.
		list := func(a org.Actor) []int64 {
			t.Helper()
			cs, n, err := svc.List(bg, a, casework.Filter{Limit: 100})
			must(t, err)
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if n != len(ids) {
				t.Errorf("list total %d for %d cases", n, len(ids))
			}
			slices.Sort(ids)
			return ids
		}
		want := func(cs ...*casework.Case) []int64 {
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			return ids
		}
		if got, w := list(xxLead), want(inXixi, byGrid, byActor, addressed, imp); !slices.Equal(got, w) {
			t.Errorf("西溪's leader lists %v, want %v", got, w)
		}
		if got, w := list(gdDisp), want(byPlace); !slices.Equal(got, w) {
			t.Errorf("古荡's dispatcher lists %v, want %v", got, w)
		}
		if got, w := list(quLead), want(byPlace, inXixi, byGrid, byActor, addressed, nowhere, imp); !slices.Equal(got, w) {
			t.Errorf("the district's leader lists %v, want %v", got, w)
		}
		_, err = svc.Get(bg, xxLead, byPlace.ID)
		wantCode(t, err, "not_found", "西溪's leader reading 古荡's case")
		_, err = svc.Get(bg, gdDisp, nowhere.ID)
		wantCode(t, err, "not_found", "古荡's dispatcher reading the district's case")
		_, err = svc.Events(bg, xxLead, byPlace.ID)
		wantCode(t, err, "not_found", "西溪's leader reading 古荡's events")
		if _, err := svc.Get(bg, quLead, inXixi.ID); err != nil {
			t.Errorf("the district's leader reading 西溪's case: %v", err)
		}

		// Steps: another subdistrict's case is not there; dispatch within.
		_, err = svc.Step(bg, xxDisp, byPlace.ID, casework.StepInput{Action: casework.ActAccept})
		wantCode(t, err, "not_found", "西溪's dispatcher accepting 古荡's case")
		_, err = svc.Step(bg, gdDisp, byPlace.ID, casework.StepInput{Action: casework.ActAccept})
		must(t, err)
		_, err = svc.Step(bg, gdDisp, byPlace.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: x.Unit.ID})
		wantCode(t, err, "invalid", "古荡's dispatcher dispatching to 西溪's unit")
		_, err = svc.Step(bg, quDisp, byPlace.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: x.Unit.ID})
		wantCode(t, err, "invalid", "the district's dispatcher dispatching 古荡's case to 西溪's unit")
		_, err = svc.Step(bg, gdDisp, byPlace.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})
		must(t, err)
		_, err = svc.Step(bg, xxDisp, inXixi.ID, casework.StepInput{Action: casework.ActAccept})
		must(t, err)
		_, err = svc.Step(bg, xxDisp, inXixi.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: byPlace.ID, Reason: "重复"})
		wantCode(t, err, "invalid", "西溪's dispatcher merging into 古荡's case")
		_, err = svc.Step(bg, xxDisp, inXixi.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: x.Unit.ID})
		must(t, err)
		// 西溪's routing suggests no 古荡 unit: the rule of 01 routes to 城管科,
		// which is 古荡's.
		if inXixi.SuggestedUnit != 0 || byPlace.SuggestedUnit != o.Chengguan.ID {
			t.Errorf("suggested units: 西溪's case %d, 古荡's %d (want 0 and 城管科)", inXixi.SuggestedUnit, byPlace.SuggestedUnit)
		}

		// Counts and the evaluation, from the aggregates (whole days) and
		// from the cases, are each subdistrict's.
		scanSvc := o.Service(clock.Now)
		scanSvc.Store = db.Cases().ScanOnly()
		day := casework.Filter{From: cst(2024, 6, 3, 0, 0), To: cst(2024, 6, 4, 0, 0)}
		for _, tc := range []struct {
			who  string
			a    org.Actor
			want int
		}{{"西溪", xxLead, 5}, {"古荡", gdDisp, 1}, {"district", quLead, 7}} {
			for _, s := range []*casework.Service{svc, scanSvc} {
				n, err := s.Count(bg, tc.a, day)
				must(t, err)
				if n != tc.want {
					t.Errorf("%s: count %d, want %d", tc.who, n, tc.want)
				}
				by, err := s.CountBy(bg, tc.a, day, casework.CountByChannel)
				must(t, err)
				sum := 0
				for _, v := range by {
					sum += v
				}
				if sum != tc.want {
					t.Errorf("%s: counts by channel %v, want %d in all", tc.who, by, tc.want)
				}
			}
			q := casework.EvalQuery{From: day.From, To: day.To, GroupBy: casework.ByUnit}
			agg, err := svc.Evaluate(bg, tc.a, q)
			must(t, err)
			scan, err := scanSvc.Evaluate(bg, tc.a, q)
			must(t, err)
			if !sameJSON(agg, scan) {
				t.Errorf("%s: evaluation from the aggregates %+v, from the cases %+v", tc.who, agg, scan)
			}
			filed := 0
			for _, r := range agg {
				filed += r.Filed
			}
			if w := map[string]int{"西溪": 1, "古荡": 1, "district": 2}[tc.who]; filed != w {
				t.Errorf("%s: %d filed, want %d", tc.who, filed, w)
			}
		}
		// Routing rules belong to their unit's subdistrict.
		xxAdmin, gdAdmin := org.StaffActor(x.Admin), org.StaffActor(o.Admin)
		if rules, err := svc.RoutingRules(bg, xxAdmin); err != nil || len(rules) != 0 {
			t.Errorf("西溪's admin sees routing rules %+v (%v), want none: both are 古荡's", rules, err)
		}
		if rules, err := svc.RoutingRules(bg, quLead); err != nil || len(rules) != 2 {
			t.Errorf("the district sees routing rules %+v (%v), want both", rules, err)
		}
		err = svc.CreateRoutingRule(bg, xxAdmin, &casework.RoutingRule{Category: fixture.CatStreetOrder, UnitID: o.Chengguan.ID})
		wantCode(t, err, "invalid", "西溪's admin routing to 古荡's unit")
		wantCode(t, svc.DeleteRoutingRule(bg, xxAdmin, o.RuleCityAppearance.ID), "not_found", "西溪's admin deleting 古荡's rule")
		must(t, svc.CreateRoutingRule(bg, xxAdmin, &casework.RoutingRule{Category: fixture.CatStreetOrder, UnitID: x.Unit.ID}))

		// The organisation: each subdistrict's administrators see and
		// change their own.
		dir := &org.Directory{Store: db.Org()}
		units, err := dir.Units(bg, xxAdmin)
		must(t, err)
		if len(units) != 1 || units[0].ID != x.Unit.ID {
			t.Errorf("西溪's admin lists units %+v, want 西溪城管科 only", units)
		}
		u := *o.Chengguan
		u.Name = "改名"
		wantCode(t, dir.SaveUnit(bg, xxAdmin, &u), "not_found", "西溪's admin changing 古荡's unit")
		nu := &org.Unit{Code: "xx-sj", Name: "西溪市场监管所", Kind: org.UnitStation}
		must(t, dir.SaveUnit(bg, xxAdmin, nu))
		if nu.JurisdictionID != xixi {
			t.Errorf("a unit 西溪's admin made has jurisdiction %d", nu.JurisdictionID)
		}
		wantCode(t, dir.SaveUnit(bg, gdAdmin, &org.Unit{Code: "gd-x", Name: "x", Kind: org.UnitStation, JurisdictionID: xixi}), "invalid",
			"古荡's admin making a unit of 西溪")
		grids, err := dir.Grids(bg, xxAdmin)
		must(t, err)
		if len(grids) != 1 || grids[0].ID != x.Grid.ID {
			t.Errorf("西溪's admin lists grids %+v", grids)
		}
		staff, err := dir.Staff(bg, org.StaffActor(x.SecurityAdmin))
		must(t, err)
		for _, st := range staff {
			if st.JurisdictionID != xixi {
				t.Errorf("西溪's security admin lists %s of jurisdiction %d", st.Username, st.JurisdictionID)
			}
		}
		if len(staff) != 5 {
			t.Errorf("西溪's security admin lists %d staff, want 西溪's 5", len(staff))
		}
		gs := *o.Dispatcher
		_, err = dir.SaveStaff(bg, org.StaffActor(x.SecurityAdmin), org.StaffInput{Staff: gs})
		wantCode(t, err, "not_found", "西溪's security admin changing 古荡's dispatcher")
		ns, err := dir.SaveStaff(bg, org.StaffActor(x.SecurityAdmin), org.StaffInput{Staff: org.Staff{Username: "xx.new", Name: "新人",
			Role: org.RoleUnitHandler, UnitID: x.Unit.ID, Active: true}, Password: "Xixi-Test-2024!x"})
		must(t, err)
		if ns.JurisdictionID != xixi {
			t.Errorf("a staff member 西溪's security admin made has jurisdiction %d", ns.JurisdictionID)
		}
		_, err = dir.SaveStaff(bg, org.StaffActor(x.SecurityAdmin), org.StaffInput{Staff: org.Staff{Username: "xx.new2", Name: "新人",
			Role: org.RoleUnitHandler, UnitID: o.Chengguan.ID, Active: true}, Password: "Xixi-Test-2024!x"})
		wantCode(t, err, "invalid", "西溪's security admin putting a person in 古荡's unit")

		// Imports of places stay within the subdistrict.
		feat := func(props map[string]any, lon float64) geo.Feature {
			return geo.Feature{Properties: props, Geometry: square(lon, 30.30, 0.002)}
		}
		_, err = dir.ImportCommunities(bg, xxAdmin, gudang, []geo.Feature{feat(map[string]any{"code": "xx-new", "name": "新社区"}, 120.09)})
		wantCode(t, err, "invalid", "西溪's admin importing communities into 古荡")
		_, err = dir.ImportCommunities(bg, xxAdmin, 0, []geo.Feature{feat(map[string]any{"code": "wenhua", "name": "改名"}, 120.09)})
		wantCode(t, err, "invalid", "西溪's admin importing over 古荡's community")
		res, err := dir.ImportCommunities(bg, xxAdmin, 0, []geo.Feature{feat(map[string]any{"code": "xx-new", "name": "新社区"}, 120.09)})
		must(t, err)
		if cs, _ := dir.Communities(bg, xxAdmin); res.Created != 1 || len(cs) != 2 || cs[0].JurisdictionID != xixi || cs[1].JurisdictionID != xixi {
			t.Errorf("西溪's admin's community import: %+v, communities %+v", res, cs)
		}
		_, err = dir.ImportGrids(bg, xxAdmin, []geo.Feature{feat(map[string]any{"code": "xx-g2", "name": "网格", "community": "yile"}, 120.09)})
		wantCode(t, err, "invalid", "西溪's admin importing a grid into 古荡's community")

		// The rebuild gives the same aggregates as kept on every write.
		before, err := svc.Count(bg, xxLead, day)
		must(t, err)
		must(t, db.RebuildAggregates(bg))
		if after, err := svc.Count(bg, xxLead, day); err != nil || after != before {
			t.Errorf("西溪's count after a rebuild: %d (%v), want %d", after, err, before)
		}
	})
}
