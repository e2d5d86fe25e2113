package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestDashboardLeaders: with cases reported but none filed yet this year,
// the dashboard opens on last year, with the year before beside each
// figure; the unit table states its score and ranks by it; the Chinese
// page names no repository path.
func TestDashboardLeaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		disp := e.fx.Actor(org.RoleDispatcher)
		// 2023: one case filed and dispatched. 2024 (now): one reported only.
		e.clock.Set(time.Date(2023, 5, 8, 9, 0, 0, 0, calendar.Zone()))
		c, err := e.cases.Report(ctx, disp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "去年的垃圾", GridID: e.fx.GridW1.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []casework.StepInput{{Action: casework.ActAccept}, {Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID}} {
			if _, err := e.cases.Step(ctx, disp, c.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Set(time.Date(2024, 1, 3, 9, 0, 0, 0, calendar.Zone()))
		if _, err := e.cases.Report(ctx, disp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "今年的垃圾", GridID: e.fx.GridW1.ID}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(e.fx.Leader)
		_, body := b.get("/dashboard")
		for _, want := range []string{"驾驶舱 · 2023年", `id="kpi-filed">1<`, `id="prior-filed">2022年 —<`, `id="score-rule"`, "综合得分", "单位考核排名"} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if strings.Contains(body, "docs/") || strings.Contains(body, ">XLSX<") {
			t.Error("the Chinese dashboard shows a repository path or English labels")
		}
		_, body = b.get("/dashboard?year=2024")
		if !strings.Contains(body, `id="prior-filed">2023年 1<`) {
			t.Error("2024 does not show 2023's figure beside it")
		}
	})
}
