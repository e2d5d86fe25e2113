package intake_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func policeEvent(no string) map[string]any {
	return map[string]any{"event_no": no, "category": fixture.CatStreetVendor, "details": "群众报警称益乐路有流动摊贩占道经营，经核实为非警务事项，移交街道处置",
		"address": "益乐路2号", "reporter": map[string]string{"name": "刘先生", "phone": "13700001234"}}
}

// TestPoliceEvent: the police system passes events on; the same event
// number never makes two cases; who may post is checked, and a refused
// post stores nothing.
func TestPoliceEvent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var res intake.PoliceResult
		if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", policeEvent("JJ20240611001"), &res); st != 201 || !res.Created {
			t.Fatalf("transfer: %d %+v", st, res)
		}
		c := res.Case
		if c.Channel != casework.ChannelPolice || c.ClientID != e.police.ID || c.ExternalID != "JJ20240611001" || c.Category != fixture.CatStreetVendor {
			t.Fatalf("case: %+v", c)
		}
		// Retried by the police system, and keyed in again by a
		// dispatcher: the same case.
		for _, tok := range []string{e.policeKey, e.disp} {
			var again intake.PoliceResult
			if st := e.call(tok, "POST", "/api/v1/intake/police/events", policeEvent("JJ20240611001"), &again); st != 200 || again.Created || again.Case.ID != c.ID {
				t.Fatalf("again: %d %+v", st, again)
			}
		}
		// The API shows where it came from.
		var got casework.Case
		if st := e.call(e.disp, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil, &got); st != 200 || got.Channel != casework.ChannelPolice || got.ClientID != e.police.ID {
			t.Fatalf("GET case: %d %+v", st, got)
		}

		// A dispatcher keying in a phoned transfer names the police system.
		in := policeEvent("JJ20240611002")
		in["client_id"] = e.police.ID
		in["transferred_at"] = e.clock.Now().Add(-20 * time.Minute).Format(time.RFC3339)
		if st := e.call(e.disp, "POST", "/api/v1/intake/police/events", in, &res); st != 201 || res.Case.ClientID != e.police.ID || res.Case.ReporterID != e.fx.Dispatcher.ID {
			t.Fatalf("by dispatcher: %d %+v", st, res.Case)
		}

		before := [2]int{e.count("cases"), e.count("intake_items")}
		for _, tc := range []struct {
			name   string
			token  string
			mutate func(map[string]any)
			status int
			field  string
		}{
			{"the 12345 platform", e.hotlineKey, nil, 403, ""},
			{"a leader", e.leader, nil, 403, ""},
			{"a grid worker", e.login(e.fx.GridWorker), nil, 403, ""},
			{"no event number", e.policeKey, func(m map[string]any) { delete(m, "event_no") }, 400, "event_no"},
			{"unknown category", e.policeKey, func(m map[string]any) { m["category"] = "9999" }, 400, "category"},
			{"no details", e.policeKey, func(m map[string]any) { m["details"] = " " }, 400, "details"},
			{"transferred in the future", e.policeKey, func(m map[string]any) {
				m["transferred_at"] = e.clock.Now().Add(time.Hour).Format(time.RFC3339)
			}, 400, "transferred_at"},
			{"client for another", e.policeKey, func(m map[string]any) { m["client_id"] = e.hotline.ID }, 403, ""},
			{"dispatcher naming a hotline client", e.disp, func(m map[string]any) { m["client_id"] = e.hotline.ID }, 400, "client_id"},
			{"unknown field", e.policeKey, func(m map[string]any) { m["police_station"] = "古荡派出所" }, 400, "police_station"},
		} {
			in := policeEvent("JJ20240611099")
			if tc.mutate != nil {
				tc.mutate(in)
			}
			var out errJSON
			if st := e.call(tc.token, "POST", "/api/v1/intake/police/events", in, &out); st != tc.status || out.Error.Field != tc.field || out.Error.Message == "" {
				t.Errorf("%s: %d %+v", tc.name, st, out)
			}
		}
		if after := [2]int{e.count("cases"), e.count("intake_items")}; after != before {
			t.Fatalf("refused transfers stored something: %v → %v", before, after)
		}
	})
}

// TestPoliceImport: a batch of transfers as CSV and as XLSX; a dry run
// stores nothing; a number seen before is not made again; a file with a
// bad row imports nothing unless told to skip it.
func TestPoliceImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var first intake.PoliceResult
		if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", policeEvent("JJ001"), &first); st != 201 {
			t.Fatalf("transfer: %d", st)
		}
		w1 := e.fx.Points[e.fx.GridW1.ID]
		csvFile := "\xEF\xBB\xBF接警编号,移交时间,事件描述,事发地址,问题分类,报警人,联系电话,经度,纬度,移交单位\n" +
			"JJ001,2024-06-11 08:30,重复推送的事件,益乐路2号,占道经营,刘先生,13700001234,,,古荡派出所\n" +
			fmt.Sprintf("JJ002,2024-06-11 08:40,文一路垃圾桶满溢，群众报警，非警务事项,文一路1号,暴露垃圾,王女士,13800002222,%v,%v,古荡派出所\n", w1.Lon, w1.Lat) +
			"JJ003,2024/6/11 8:45,\"小区门口流动摊贩，\n占道经营\",益乐路9号,街面秩序-占道经营,,,,,古荡派出所\n"
		var res intake.ImportResult
		if st := e.upload(e.disp, "/api/v1/intake/police/import?dry_run=1", "transfers.csv", []byte(csvFile), &res); st != 200 ||
			res.Format != "csv" || res.Rows != 3 || res.ToCreate != 2 || res.Existing != 1 || res.Created != 0 || !res.DryRun {
			t.Fatalf("dry run: %d %+v", st, res)
		}
		if res.Results[0].Row != 2 || res.Results[0].Action != intake.RowExists || res.Results[0].Case.ID != first.Case.ID ||
			res.Results[1].Row != 3 || res.Results[1].Action != intake.RowCreate || res.Results[1].Case.GridID != e.fx.GridW1.ID ||
			res.Results[1].Case.Category != fixture.CatExposedTrash || res.Results[1].Case.CategoryName != "暴露垃圾" ||
			res.Results[2].Row != 4 || res.Results[2].Case.Category != fixture.CatStreetVendor {
			t.Fatalf("dry run rows: %+v", res.Results)
		}
		if n := e.count("cases"); n != 1 {
			t.Fatalf("the dry run stored %d cases", n-1)
		}
		if st := e.upload(e.policeKey, "/api/v1/intake/police/import", "transfers.csv", []byte(csvFile), &res); st != 201 || res.Created != 2 || res.ImportID == 0 {
			t.Fatalf("import: %d %+v", st, res)
		}
		c2 := e.getCase(res.Results[1].Case.ID)
		if c2.Channel != casework.ChannelPolice || c2.ClientID != e.police.ID || c2.ExternalID != "JJ002" || res.Results[1].Case.Number != c2.Number {
			t.Fatalf("imported case: %+v", c2)
		}
		if c3 := e.getCase(res.Results[2].Case.ID); c3.Details != "小区门口流动摊贩，\n占道经营" {
			t.Fatalf("multi-line cell: %q", c3.Details)
		}
		// Again: nothing new.
		if st := e.upload(e.policeKey, "/api/v1/intake/police/import", "transfers.csv", []byte(csvFile), &res); st != 200 || res.Created != 0 || res.Existing != 3 {
			t.Fatalf("re-import: %d %+v", st, res)
		}

		// An XLSX batch with one bad row.
		rows := [][]any{
			{"接警编号", "移交时间", "事件描述", "事发地址", "问题分类"},
			{"JJ004", time.Date(2024, 6, 11, 8, 50, 0, 0, calendar.Zone()), "树枝倒伏挡路", "文一路", "暴露垃圾"},
			{"JJ005", "", "", "文二路", "暴露垃圾"},
		}
		before := e.count("cases")
		var refused struct {
			Error  api.ErrorDetail     `json:"error"`
			Result intake.ImportResult `json:"result"`
		}
		if st := e.upload(e.disp, "/api/v1/intake/police/import", "batch.xlsx", xlsxFile(t, rows), &refused); st != 400 || refused.Error.Code != "invalid" ||
			refused.Result.Refused != 1 || refused.Result.Results[1].Errors[0].Message != "第3行：事件描述不能为空" ||
			refused.Result.Results[1].Errors[0].MessageEn != "row 3: 事件描述 (description) is required" {
			t.Fatalf("bad batch: %d %+v", st, refused)
		}
		if e.count("cases") != before {
			t.Fatal("a refused batch stored cases")
		}
		if st := e.upload(e.disp, "/api/v1/intake/police/import?skip_invalid=1", "batch.xlsx", xlsxFile(t, rows), &res); st != 201 || res.Created != 1 || res.Refused != 1 {
			t.Fatalf("skip invalid: %d %+v", st, res)
		}
		// Who may import: dispatchers and the police system, nobody else.
		for _, tok := range []string{e.hotlineKey, e.leader, e.admin} {
			if st := e.upload(tok, "/api/v1/intake/police/import", "batch.xlsx", xlsxFile(t, rows), nil); st != 403 {
				t.Errorf("import by another: %d", st)
			}
		}
	})
}

// TestPoliceArrival: the minutes from transfer to the first start, over
// hand-made cases whose times are known.
func TestPoliceArrival(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		t0 := e.clock.Now()
		d, h := e.fx.Actor(org.RoleDispatcher), e.fx.Actor(org.RoleUnitHandler)
		var ids []int64
		for i := range 12 {
			in := policeEvent(fmt.Sprintf("JJ%03d", i))
			in["category"] = fixture.CatExposedTrash // to 城管科, whose handler the fixture has
			if i == 9 {
				// Transferred ten minutes before it reached jiedao: the
				// figure counts from the police's time.
				in["transferred_at"] = t0.Add(-10 * time.Minute).Format(time.RFC3339)
			}
			var res intake.PoliceResult
			if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", in, &res); st != 201 {
				t.Fatalf("transfer %d: %d", i, st)
			}
			ids = append(ids, res.Case.ID)
		}
		arrive := func(id int64) {
			e.step(d, id, casework.StepInput{Action: casework.ActAccept})
			e.step(d, id, casework.StepInput{Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID})
			e.step(h, id, casework.StepInput{Action: casework.ActSign})
			e.step(h, id, casework.StepInput{Action: casework.ActStart})
		}
		// Cases 0-8 arrive 5, 10, … 45 minutes after transfer; case 9
		// at 40 minutes after reaching jiedao, 50 after its transfer.
		for i := range 9 {
			e.clock.Set(t0.Add(time.Duration(5*(i+1)) * time.Minute))
			arrive(ids[i])
		}
		e.clock.Set(t0.Add(40 * time.Minute))
		// (the clock goes back for case 9: its steps still come after its report)
		arrive(ids[9])
		// Case 0 is sent back and started again later: the first start counts.
		e.clock.Set(t0.Add(60 * time.Minute))
		e.step(h, ids[0], casework.StepInput{Action: casework.ActHandle, Reason: "已到场处置"})
		e.step(d, ids[0], casework.StepInput{Action: casework.ActRework, Reason: "现场仍有垃圾"})
		e.step(h, ids[0], casework.StepInput{Action: casework.ActStart})
		if c := e.getCase(ids[0]); c.ArrivedAt == nil || !c.ArrivedAt.Equal(t0.Add(5*time.Minute)) {
			t.Fatalf("arrived_at: %v", c.ArrivedAt)
		}
		// Case 10 is accepted but nobody has arrived; case 11 is voided.
		e.step(d, ids[10], casework.StepInput{Action: casework.ActAccept})
		e.step(d, ids[11], casework.StepInput{Action: casework.ActVoid, Reason: "重复推送"})
		// A transfer of the next day is outside the period.
		e.clock.Set(t0.Add(24 * time.Hour))
		if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", policeEvent("JJ100"), nil); st != 201 {
			t.Fatalf("next day: %d", st)
		}

		var f intake.ArrivalFigures
		if st := e.call(e.leader, "GET", "/api/v1/intake/police/arrival?from=2024-06-11&to=2024-06-12", nil, &f); st != 200 {
			t.Fatalf("arrival: %d", st)
		}
		if f.Transferred != 11 || f.Count != 10 || f.NotArrived != 1 || *f.MeanMinutes != 27.5 || *f.P90Minutes != 45 || *f.MaxMinutes != 50 {
			t.Fatalf("figures: %+v mean %v p90 %v max %v", f, *f.MeanMinutes, *f.P90Minutes, *f.MaxMinutes)
		}
		if st := e.call(e.leader, "GET", "/api/v1/intake/police/arrival?from=2024-06-11&to=2024-06-13", nil, &f); st != 200 || f.Transferred != 12 || f.Count != 10 {
			t.Fatalf("two days: %d %+v", st, f)
		}
		if st := e.call(e.leader, "GET", "/api/v1/intake/police/arrival?from=2024-06-12&to=2024-06-13", nil, &f); st != 200 ||
			f.Transferred != 1 || f.Count != 0 || f.MeanMinutes != nil || f.P90Minutes != nil {
			t.Fatalf("a day with no arrival: %d %+v", st, f)
		}
		var out errJSON
		if st := e.call(e.handler, "GET", "/api/v1/intake/police/arrival?from=2024-06-11&to=2024-06-12", nil, &out); st != 403 {
			t.Errorf("by a unit handler: %d", st)
		}
		if st := e.call(e.leader, "GET", "/api/v1/intake/police/arrival?from=2024-06-12&to=2024-06-11", nil, &out); st != 400 || out.Error.Field != "from" {
			t.Errorf("backwards period: %d %+v", st, out)
		}
		if st := e.call(e.leader, "GET", "/api/v1/intake/police/arrival?from=June", nil, &out); st != 400 || !strings.Contains(out.Error.Message, "日期格式") {
			t.Errorf("bad date: %d %+v", st, out)
		}
	})
}
