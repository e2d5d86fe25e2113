package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestBoardScreen: the board's stream shows new reports with their waiting
// time and a warning when they lie in no grid; 一键派单 accepts and
// dispatches to the suggested unit in one press; hung cases have their
// section; the map's heat data covers the last days' reports.
func TestBoardScreen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		disp := e.fx.Actor(org.RoleDispatcher)
		in := casework.ReportInput{Category: fixture.CatExposedTrash, Details: "垃圾桶满溢", GridID: e.fx.GridW1.ID}
		routed, err := e.cases.Report(ctx, disp, in)
		if err != nil {
			t.Fatal(err)
		}
		nowhere, err := e.cases.Report(ctx, disp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "不知在哪里"})
		if err != nil {
			t.Fatal(err)
		}
		hung, _ := e.cases.Report(ctx, disp, in)
		for _, s := range []casework.StepInput{{Action: casework.ActAccept}, {Action: casework.ActHang, Reason: "等待施工"}} {
			if _, err := e.cases.Step(ctx, disp, hung.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(25 * time.Minute)
		b := e.browser()
		b.login(e.fx.Dispatcher)
		_, body := b.get("/board")
		for _, want := range []string{
			`<li data-case="` + itoa(routed.ID) + `" data-number="` + routed.Number + `" class="stream-item">`,
			`<li data-case="` + itoa(nowhere.ID) + `" data-number="` + nowhere.Number + `" class="stream-item outside">`,
			"已等待 25分钟", "位置不在任何网格内", `action="/board/dispatch"`, "一键派单",
			`id="sec-hung"`, `data-count="hung">1<`, `id="board-map"`, "近7天上报热力",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("board lacks %q", want)
			}
		}
		// 一键派单.
		st, loc, _ := b.post("/board/dispatch", b.token("/board"), url.Values{"id": {itoa(routed.ID)}})
		if st != http.StatusSeeOther || !strings.Contains(loc, "dispatched="+routed.Number) {
			t.Fatalf("one-step dispatch: %d %s", st, loc)
		}
		c, _ := e.cases.Get(ctx, disp, routed.ID)
		if c.Status != casework.StatusDispatched || c.UnitID != routed.SuggestedUnit || c.AcceptedAt == nil {
			t.Errorf("after 一键派单: %s unit %d", c.Status, c.UnitID)
		}
		// Without a suggestion it is refused with the reason, nothing done.
		st, _, body = b.post("/board/dispatch", b.token("/board"), url.Values{"id": {itoa(nowhere.ID)}})
		if nowhere.SuggestedUnit == 0 && (st != http.StatusUnprocessableEntity || !strings.Contains(body, "没有派遣建议")) {
			t.Errorf("one-step dispatch without a suggestion: %d", st)
		}
		// A grid worker may not.
		g := e.browser()
		g.login(e.fx.GridWorker)
		if st, _, _ := g.post("/board/dispatch", g.token("/board"), url.Values{"id": {itoa(hung.ID)}}); st != http.StatusForbidden && st != http.StatusConflict {
			t.Errorf("a grid worker's one-step dispatch: %d", st)
		}
		// Heat: the last 7 days' reports, whatever their status.
		_, heat := b.get("/map/cases.json?days=7")
		for _, c := range []*casework.Case{routed, hung} {
			if !strings.Contains(heat, `"number":"`+c.Number+`"`) {
				t.Errorf("heat data lacks %s", c.Number)
			}
		}
	})
}
