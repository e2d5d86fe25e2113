package demo_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// TestReportCountsTheRecords generates a year with a seed and volumes that
// are not the calibration's, then recomputes every figure from the raw
// events with queries of its own and finds the report equal: the report
// counts, it does not echo the calibration.
func TestReportCountsTheRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		vol := demo.Volumes{XihuSigned: 173, XihuRated: 120, XihuSatisfied: 111, PinganHandled: 410, GridHandled: 95,
			IoTDispatched: 230, PoliceHandled: 88, Hotline: 40, Enterprise: 12}
		sum, err := demo.Generate(ctx, db, demo.Options{Year: 2024, Scale: 1, Seed: 20240611, Volumes: &vol}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Cases < 1000 || sum.Events < 8*sum.Cases {
			t.Fatalf("generated %d cases with %d events: too few", sum.Cases, sum.Events)
		}
		svc := &casework.Service{Store: db.Cases(), Now: time.Now}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}
		values, err := report.Compute(ctx, svc, leader, 2024)
		if err != nil {
			t.Fatal(err)
		}
		from, to := report.Period(2024)
		// Cases of a channel reported in 2024 with at least one event of an action.
		withAction := func(channel casework.Channel, action casework.Action) float64 {
			rows, err := db.Query(ctx, `SELECT COUNT(DISTINCT e.case_id) FROM case_events e
				JOIN case_events r ON r.case_id = e.case_id AND r.seq = 1
				JOIN cases c ON c.id = e.case_id
				WHERE e.action = ? AND c.channel = ? AND r.at >= ? AND r.at < ?`, string(action), string(channel), from, to)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var n int
			rows.Next()
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			return float64(n)
		}
		// The last rating of each Xihu-code case, unless a reopening followed it.
		rows, err := db.Query(ctx, `SELECT e.case_id, e.action, e.payload FROM case_events e
			JOIN cases c ON c.id = e.case_id WHERE c.channel = 'xihu_code' AND e.action IN ('rate', 'reopen') ORDER BY e.case_id, e.seq`)
		if err != nil {
			t.Fatal(err)
		}
		last := map[int64]string{}
		for rows.Next() {
			var id int64
			var action, payload string
			if err := rows.Scan(&id, &action, &payload); err != nil {
				t.Fatal(err)
			}
			var p struct{ Rating string }
			if err := json.Unmarshal([]byte(payload), &p); err != nil {
				t.Fatal(err)
			}
			last[id] = map[string]string{"rate": p.Rating, "reopen": ""}[action]
		}
		rows.Close()
		rated, satisfied := 0, 0
		for _, r := range last {
			if r != "" {
				rated++
			}
			if r == "satisfied" || r == "basic" {
				satisfied++
			}
		}
		want := map[string]float64{
			"cases.xihu_code.signed":       withAction(casework.ChannelXihuCode, casework.ActSign),
			"cases.xihu_code.satisfaction": float64(int(float64(satisfied)*10000/float64(rated)+0.5)) / 100,
			"cases.pingan.handled":         withAction(casework.ChannelPingan, casework.ActHandle),
			"cases.grid.handled":           withAction(casework.ChannelGrid, casework.ActHandle),
			"cases.iot.dispatched":         withAction(casework.ChannelIoT, casework.ActDispatch),
			"cases.police_linkage.handled": withAction(casework.ChannelPolice, casework.ActHandle),
		}
		if len(values) != len(want) {
			t.Fatalf("report has %d figures, want %d", len(values), len(want))
		}
		for _, v := range values {
			if v.Value != want[v.Key] {
				t.Errorf("%s: report %v, events %v", v.Key, v.Value, want[v.Key])
			}
		}
		// And the volumes asked for came out.
		got := map[string]float64{}
		for _, v := range values {
			got[v.Key] = v.Value
		}
		if got["cases.xihu_code.signed"] != 173 || got["cases.pingan.handled"] != 410 || got["cases.iot.dispatched"] != 230 ||
			got["cases.grid.handled"] != 95 || got["cases.police_linkage.handled"] != 88 || rated != 120 || satisfied != 111 {
			t.Errorf("volumes not met: %v, rated %d satisfied %d", got, rated, satisfied)
		}
	})
}

// TestGeneratedCasesReplay: every stored case equals the replay of its
// stored events, so the demo's year is the system's own record.
func TestGeneratedCasesReplay(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 0.005, Seed: 7}, nil); err != nil {
			t.Fatal(err)
		}
		cs := db.Cases()
		// Every case: the case kinds' (demo/kinds.go) are the newest many.
		cases, total, err := cs.ListCases(ctx, casework.Filter{Scope: casework.Scope{All: true}, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		if total < 300 {
			t.Fatalf("only %d cases", total)
		}
		// The build leaves the text search's index built: the job has
		// nothing left to index, and a search answers as the scan does.
		if run, err := db.IndexSearch(ctx); err != nil || run.Indexed != 0 || run.Through == 0 {
			t.Errorf("the search index after the build: %+v %v", run, err)
		}
		for _, q := range []string{cases[0].Title, cases[len(cases)/2].Address} {
			f := casework.Filter{Scope: casework.Scope{All: true}, Query: q, Limit: 100}
			got, n, err := cs.ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, wantN, err := cs.ScanOnly().ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if n != wantN || len(got) != len(want) || len(got) == 0 || got[0].ID != want[0].ID {
				t.Errorf("q=%q: %d cases (total %d), the scan %d (total %d)", q, len(got), n, len(want), wantN)
			}
		}
		statuses := map[casework.Status]int{}
		for _, c := range cases {
			events, err := cs.ListEvents(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := casework.Replay(events)
			if err != nil {
				t.Fatalf("case %s: %v", c.Number, err)
			}
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(r)
			if string(a) != string(b) {
				t.Fatalf("case %s differs from its replay:\nstored   %s\nreplayed %s", c.Number, a, b)
			}
			statuses[c.Status]++
		}
		if statuses[casework.StatusClosed] == 0 || statuses[casework.StatusRejected] == 0 {
			t.Fatalf("outcomes too uniform: %v", statuses)
		}
	})
}
