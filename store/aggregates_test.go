package store_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// TestAggregatesEqualScanning generates a demo year (stored by the bulk
// import), moves cases on through the service (new reports by group
// commit, dispatches, returns, rework, closing, rating changes, reopening,
// void, merge), then asks every evaluation grouping, period and moment,
// every report figure and every dashboard count, for every kind of scope,
// once from the aggregates and once by scanning the cases, and finds the
// answers equal; then rebuilds the aggregates and finds the rows kept
// case by case equal to the rebuilt ones.
func TestAggregatesEqualScanning(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		vol := demo.Volumes{XihuSigned: 120, XihuRated: 90, XihuSatisfied: 80, PinganHandled: 300, GridHandled: 70,
			IoTDispatched: 150, PoliceHandled: 60, Hotline: 30, Enterprise: 10}
		if _, err := demo.Generate(bg, db, demo.Options{Year: 2024, Scale: 1, Seed: 20261127, Volumes: &vol}, nil); err != nil {
			t.Fatal(err)
		}
		units, err := db.Org().ListUnits(bg)
		must(t, err)
		communities, err := db.Org().ListCommunities(bg)
		must(t, err)
		grids, err := db.Org().ListGrids(bg)
		must(t, err)
		cats, err := db.Cases().ListCategories(bg)
		must(t, err)
		clients, err := db.Org().ListAPIClients(bg)
		must(t, err)
		moveCases(t, db, units, grids, cats)

		agg, scan := db.Cases(), db.Cases().ScanOnly()
		svcAgg := &casework.Service{Store: agg, Now: time.Now}
		svcScan := &casework.Service{Store: scan, Now: time.Now}

		// Moments: the year's end, and inside the hour of an unsigned
		// dispatch's sign deadline, which the aggregates leave to a scan.
		nows := []time.Time{cst(2025, 1, 1, 0, 0)}
		rows, err := db.Query(bg, `SELECT sign_due FROM assignments WHERE signed_at IS NULL AND sign_due IS NOT NULL ORDER BY case_id LIMIT 1`)
		must(t, err)
		for rows.Next() {
			var due any
			must(t, rows.Scan(&due))
			d, err := parseAnyTime(due)
			must(t, err)
			nows = append(nows, d.Add(time.Second), d.Truncate(time.Hour).Add(time.Second))
		}
		must(t, rows.Err())
		rows.Close()
		if len(nows) < 3 {
			t.Fatal("no unsigned dispatch with a sign deadline: the boundary hour is not tested")
		}

		type period struct {
			name     string
			from, to time.Time
		}
		periods := []period{{"year", cst(2024, 1, 1, 0, 0), cst(2025, 1, 1, 0, 0)},
			{"prior year", cst(2023, 1, 1, 0, 0), cst(2024, 1, 1, 0, 0)},
			{"one day", cst(2024, 3, 12, 0, 0), cst(2024, 3, 13, 0, 0)},
			{"days and months", cst(2024, 2, 10, 0, 0), cst(2024, 5, 20, 0, 0)},
			{"across a new year", cst(2023, 12, 15, 0, 0), cst(2024, 2, 10, 0, 0)},
			{"days, months and a year", cst(2023, 11, 3, 0, 0), cst(2025, 3, 1, 0, 0)},
			{"open", time.Time{}, time.Time{}},
			{"hours (scanned)", cst(2024, 4, 3, 9, 0), cst(2024, 7, 8, 15, 30)}}
		for m := 1; m <= 12; m++ {
			periods = append(periods, period{fmt.Sprintf("month %d", m), cst(2024, time.Month(m), 1, 0, 0), cst(2024, time.Month(m+1), 1, 0, 0)})
		}
		checked := 0
		for _, now := range nows {
			for _, p := range periods {
				if p.from.IsZero() {
					continue // the service refuses an evaluation without a period
				}
				for _, g := range []casework.GroupBy{casework.ByAll, casework.ByCommunity, casework.ByGrid, casework.ByUnit} {
					q := casework.EvalQuery{From: p.from, To: p.to, GroupBy: g, Now: now}
					a, err := agg.Evaluate(bg, q)
					must(t, err)
					s, err := scan.Evaluate(bg, q)
					must(t, err)
					if !sameEvaluation(a, s) {
						t.Errorf("evaluation %s by %s at %s:\naggregates %+v\nscanning   %+v", p.name, g, now, a, s)
					}
					checked += len(a)
				}
			}
		}
		if checked < 500 {
			t.Errorf("only %d evaluation rows compared: the year is too small to test anything", checked)
		}

		// Every kind of scope a role gives.
		actors := []org.Actor{{Kind: org.ActorStaff, Role: org.RoleLeader}, {Kind: org.ActorStaff, Role: org.RoleDispatcher}}
		for _, u := range units {
			actors = append(actors, org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitHandler, UnitID: u.ID})
		}
		for _, c := range communities {
			actors = append(actors, org.Actor{Kind: org.ActorStaff, Role: org.RoleCommunityStaff, CommunityID: c.ID})
		}
		actors = append(actors, org.Actor{Kind: org.ActorStaff, Role: org.RoleGridWorker, GridIDs: []int64{grids[0].ID, grids[5].ID, grids[17].ID}})
		for _, c := range clients {
			actors = append(actors, org.ClientActor(c))
		}
		actors = append(actors, org.ResidentActor("张三"))
		var someMinor, someMajor string
		for _, c := range cats {
			if c.ParentCode != "" && someMinor == "" {
				someMinor, someMajor = c.Code, c.ParentCode
			}
		}
		for _, a := range actors {
			ra, err := report.Compute(bg, svcAgg, a, 2024)
			must(t, err)
			rs, err := report.Compute(bg, svcScan, a, 2024)
			must(t, err)
			if !reflect.DeepEqual(ra, rs) {
				t.Errorf("report for %s/%d/%d/%v: aggregates %+v, scanning %+v", a.Role, a.UnitID, a.CommunityID, a.GridIDs, ra, rs)
			}
			for _, p := range periods {
				for _, k := range []casework.CountKey{casework.CountByChannel, casework.CountByCommunity, casework.CountByMajor} {
					f := casework.Filter{From: p.from, To: p.to}
					ca, err := svcAgg.CountBy(bg, a, f, k)
					must(t, err)
					cs, err := svcScan.CountBy(bg, a, f, k)
					must(t, err)
					if !reflect.DeepEqual(ca, cs) {
						t.Errorf("count by %s, %s, for %s/%d: aggregates %v, scanning %v", k, p.name, a.Role, a.UnitID, ca, cs)
					}
				}
				for _, f := range []casework.Filter{{}, {Category: someMajor}, {Category: someMinor}, {CommunityID: communities[1].ID},
					{GridID: grids[3].ID}, {Channel: casework.ChannelXihuCode, Ratings: []casework.Rating{casework.RatingUnsatisfied}},
					{Dispatched: true, Signed: true, Handled: true, Rated: true}} {
					f.From, f.To = p.from, p.to
					na, err := svcAgg.Count(bg, a, f)
					must(t, err)
					ns, err := svcScan.Count(bg, a, f)
					must(t, err)
					if na != ns {
						t.Errorf("count %+v for %s/%d: aggregates %d, scanning %d", f, a.Role, a.UnitID, na, ns)
					}
					f.Limit = 3
					la, ta, err := svcAgg.List(bg, a, f)
					must(t, err)
					ls, ts, err := svcScan.List(bg, a, f)
					must(t, err)
					if ta != ts || len(la) != len(ls) {
						t.Errorf("list %+v for %s/%d: aggregates' total %d, scanning's %d", f, a.Role, a.UnitID, ta, ts)
					}
				}
			}
		}

		// The rows kept step by step are the rows a rebuild counts afresh.
		before := aggregateRows(t, db)
		must(t, db.RebuildAggregates(bg))
		if after := aggregateRows(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuilt aggregates differ from the kept ones: %d rows kept, %d rebuilt", len(before), len(after))
		}
	})
}

// moveCases takes random steps on the demo's cases through the service, so
// that every write path keeps the aggregates: reports (group commit), and
// steps that move a case between units, places' figures and ratings.
func moveCases(t *testing.T, db *store.DB, units []*org.Unit, grids []*org.Grid, cats []*casework.Category) {
	t.Helper()
	clock := cst(2024, 12, 20, 9, 0)
	svc := &casework.Service{Store: db.Cases(), Units: db.Org(), Calendars: db.Calendar(calendar.DefaultWorkingHours()),
		Places: org.NewPlaces(db.Org()), Now: func() time.Time { return clock }}
	rng := rand.New(rand.NewPCG(20261127, 5))
	dispatcher := org.Actor{Kind: org.ActorStaff, Role: org.RoleDispatcher, Name: "调度员"}
	var minors []string
	for _, c := range cats {
		if c.ParentCode != "" && c.Active {
			minors = append(minors, c.Code)
		}
	}
	var ids []int64
	for i := range 30 {
		c, err := svc.Report(bg, dispatcher, casework.ReportInput{Channel: casework.ChannelGrid, Category: minors[rng.IntN(len(minors))],
			Title: fmt.Sprintf("测试案件 %d", i), Details: "聚合表测试", GridID: grids[rng.IntN(len(grids))].ID,
			Reporter: casework.Contact{Name: "李四", Phone: "13800000000"}})
		must(t, err)
		ids = append(ids, c.ID)
	}
	// The ordinary cases: the case kinds' (demo/kinds.go) take their own
	// steps; they stay in the comparisons as the demo made them.
	rows, err := db.Query(bg, `SELECT id FROM cases WHERE kind = ''`)
	must(t, err)
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	rows.Close()
	actions := []casework.Action{casework.ActAccept, casework.ActDispatch, casework.ActSign, casework.ActReturn, casework.ActStart,
		casework.ActHandle, casework.ActVerify, casework.ActRework, casework.ActClose, casework.ActRate, casework.ActReopen,
		casework.ActEscalate, casework.ActHang, casework.ActResume, casework.ActVoid, casework.ActMerge, casework.ActApproveExtension}
	ratings := []casework.Rating{casework.RatingSatisfied, casework.RatingBasic, casework.RatingUnsatisfied}
	taken := 0
	for range 3000 {
		clock = clock.Add(time.Duration(rng.IntN(90)) * time.Minute)
		id := ids[rng.IntN(len(ids))]
		c, err := db.Cases().GetCase(bg, id)
		must(t, err)
		// The first of the actions in a random order that the case's
		// status allows.
		var in casework.StepInput
		var actor org.Actor
		for _, i := range rng.Perm(len(actions)) {
			in, actor = casework.StepInput{Action: actions[i], Reason: "测试原因"}, dispatcher
			switch in.Action {
			case casework.ActSign, casework.ActReturn, casework.ActStart, casework.ActHandle:
				actor = org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitHandler, UnitID: c.UnitID, Name: "经办人"}
			}
			if casework.CheckStep(actor, in.Action, c) == nil {
				break
			}
		}
		switch in.Action {
		case casework.ActDispatch:
			in.UnitID = units[rng.IntN(len(units))].ID
		case casework.ActRate:
			in.Rating = ratings[rng.IntN(len(ratings))]
		case casework.ActMerge:
			in.MergeInto = ids[rng.IntN(len(ids))]
		case casework.ActApproveExtension:
			in.Days = 2
		}
		if _, err := svc.Step(bg, actor, id, in); err != nil {
			var je *jiedao.Error
			if !errors.As(err, &je) || je.Code == jiedao.EINTERNAL {
				t.Fatalf("%s on case %d: %v", in.Action, id, err)
			}
			continue
		}
		taken++
	}
	if taken < 500 {
		t.Fatalf("only %d of the random steps were taken", taken)
	}
}

// sameEvaluation compares evaluations; the handling seconds are summed as
// floating point by the scan and as whole microseconds by the aggregates.
func sameEvaluation(a, b []casework.EvalCounts) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if math.Abs(x.HandleSeconds-y.HandleSeconds) > 1e-6*math.Max(1, math.Abs(y.HandleSeconds)) {
			return false
		}
		x.HandleSeconds, y.HandleSeconds = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// aggregateRows are the aggregate tables' rows that count something.
func aggregateRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT grain, day, scope_unit, channel, major, community_id, dispatched, signed, handled, rating, n FROM agg_counts WHERE n <> 0
			ORDER BY grain, scope_unit, day, channel, major, community_id, dispatched, signed, handled, rating`,
		`SELECT grain, day, community_id, grid_id, unit_id, filed, closed, closed_on_time, handled, reworked, rated, satisfied FROM agg_eval_cases
			WHERE filed <> 0 ORDER BY grain, day, community_id, grid_id, unit_id`,
		`SELECT grain, day, unit_id, community_id, grid_id, due_hour, dispatches, signed_on_time, handled, handle_us FROM agg_eval_dispatches
			WHERE dispatches <> 0 ORDER BY grain, day, unit_id, community_id, grid_id, due_hour`,
	} {
		rows, err := db.Query(bg, q)
		must(t, err)
		cols, err := rows.Columns()
		must(t, err)
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			must(t, rows.Scan(p...))
			out = append(out, fmt.Sprint(v...))
		}
		must(t, rows.Err())
		rows.Close()
	}
	return out
}

// parseAnyTime reads a time as either engine returns it.
func parseAnyTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		return time.Parse(time.RFC3339Nano, x)
	case []byte:
		return time.Parse(time.RFC3339Nano, string(x))
	}
	return time.Time{}, fmt.Errorf("not a time: %T", v)
}
