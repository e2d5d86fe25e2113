package server_test

import (
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/store"
)

// The case kinds through the JSON API: an enforcement officer files a
// penalty case with kind_data, takes its steps, is refused a decision
// dated before its notice (400, Chinese first, nothing changes), and
// reads the clocks, each with its article; the clock tables are listed.
func TestKindsJSONAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.cases.Kinds = kinds.Models([]byte("api test key"))
		e.clock.Set(time.Date(2023, 9, 20, 10, 0, 0, 0, calendar.Zone()))
		tok := e.login(e.fx.EnforcementOfficer)

		var kindsOut struct {
			Kinds []struct {
				Kind   string `json:"kind"`
				Clocks []struct {
					Name    string `json:"name"`
					Article string `json:"article"`
				} `json:"clocks"`
			} `json:"kinds"`
		}
		if st := e.call(tok, "GET", "/api/v1/kinds", nil, &kindsOut); st != 200 || len(kindsOut.Kinds) != 4 {
			t.Fatalf("kinds: %d %+v", st, kindsOut)
		}
		for _, k := range kindsOut.Kinds {
			for _, c := range k.Clocks {
				if c.Article == "" {
					t.Errorf("clock %s of %s has no article", c.Name, k.Kind)
				}
			}
		}

		var c struct {
			ID     int64  `json:"id"`
			Kind   string `json:"kind"`
			Status string `json:"status"`
		}
		if st := e.call(tok, "POST", "/api/v1/cases", map[string]any{"kind": "enforcement", "details": "巡查发现店外经营",
			"kind_data": map[string]any{"subtype": "penalty", "party": "某商店", "party_org": true, "violation": "店外经营"}}, &c); st != 201 || c.Kind != "enforcement" {
			t.Fatalf("report: %d %+v", st, c)
		}
		path := "/api/v1/cases/" + pathID(c.ID)
		for _, s := range []map[string]any{
			{"action": "accept"}, {"action": "investigate"},
			{"action": "notify", "kind_data": map[string]any{"fine": 1000}},
		} {
			e.clock.Set(e.clock.Now().Add(24 * time.Hour))
			if st := e.call(tok, "POST", path+"/steps", s, nil); st != 200 {
				t.Fatalf("%v: %d", s, st)
			}
		}
		var before struct {
			EventCount int `json:"event_count"`
		}
		e.call(tok, "GET", path, nil, &before)
		var errOut struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Field   string `json:"field"`
			} `json:"error"`
		}
		e.clock.Set(time.Date(2023, 10, 16, 10, 0, 0, 0, calendar.Zone()))
		st := e.call(tok, "POST", path+"/steps", map[string]any{"action": "decide", "kind_data": map[string]any{"fine": 1000, "at": "2023-09-21"}}, &errOut)
		if st != 400 || errOut.Error.Code != "invalid" || errOut.Error.Message != "处罚决定日期早于告知日期" {
			t.Fatalf("decision before its notice: %d %+v", st, errOut)
		}
		var after struct {
			EventCount int `json:"event_count"`
		}
		e.call(tok, "GET", path, nil, &after)
		if after.EventCount != before.EventCount {
			t.Fatal("a refused step was recorded")
		}
		var clocks struct {
			Clocks []struct {
				Name, Status, Article, Notice, DueDate string
			} `json:"clocks"`
		}
		if st := e.call(tok, "GET", path+"/clocks", nil, &clocks); st != 200 || len(clocks.Clocks) != 2 {
			t.Fatalf("clocks: %d %+v", st, clocks)
		}
		for _, k := range clocks.Clocks {
			if k.Article == "" || k.Notice == "" {
				t.Errorf("clock %+v", k)
			}
		}
	})
}

// TestDispatchQueuesHoldOrdinaryCases: an enforcement case accepted (立案)
// is its officer's, so the dispatch queue (ordinary=1, what the board's
// "待派遣" section lists) leaves it out while the plain list keeps it.
func TestDispatchQueuesHoldOrdinaryCases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.cases.Kinds = kinds.Models([]byte("api test key"))
		officer, disp := e.login(e.fx.EnforcementOfficer), e.login(e.fx.Dispatcher)
		var kc, oc struct {
			ID int64 `json:"id"`
		}
		if st := e.call(officer, "POST", "/api/v1/cases", map[string]any{"kind": "enforcement", "details": "巡查发现店外经营",
			"kind_data": map[string]any{"subtype": "penalty", "party": "某商店", "party_org": true, "violation": "店外经营"}}, &kc); st != 201 {
			t.Fatalf("enforcement case: %d", st)
		}
		if st := e.call(officer, "POST", "/api/v1/cases/"+pathID(kc.ID)+"/steps", map[string]any{"action": "accept"}, nil); st != 200 {
			t.Fatalf("立案: %d", st)
		}
		if st := e.call(disp, "POST", "/api/v1/cases", map[string]any{"category": "0101", "details": "楼下垃圾堆积"}, &oc); st != 201 {
			t.Fatalf("ordinary case: %d", st)
		}
		if st := e.call(disp, "POST", "/api/v1/cases/"+pathID(oc.ID)+"/steps", map[string]any{"action": "accept"}, nil); st != 200 {
			t.Fatalf("accept: %d", st)
		}
		ids := func(query string) []int64 {
			var out struct {
				Cases []struct {
					ID int64 `json:"id"`
				} `json:"cases"`
			}
			if st := e.call(disp, "GET", "/api/v1/cases?"+query, nil, &out); st != 200 {
				t.Fatalf("%s: %d", query, st)
			}
			var got []int64
			for _, c := range out.Cases {
				got = append(got, c.ID)
			}
			return got
		}
		if got := ids("status=accepted"); len(got) != 2 {
			t.Errorf("status=accepted lists %v, want both cases", got)
		}
		if got := ids("status=accepted&ordinary=1"); len(got) != 1 || got[0] != oc.ID {
			t.Errorf("status=accepted&ordinary=1 lists %v, want only the ordinary case %d", got, oc.ID)
		}
	})
}
