package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func indicatorService(db *store.DB, now time.Time) *indicator.Service {
	return &indicator.Service{Store: db.Indicators(), Now: func() time.Time { return now }}
}

func TestIndicatorsEnterImportAndClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := indicatorService(db, cst(2024, 1, 15, 10, 0))
		must(t, svc.EnsureBuiltin(ctx))
		admin, handler, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleUnitHandler), o.Actor(org.RoleLeader)

		// 2022: December's cumulative value only; 2023 by the bureau's sheet.
		must(t, svc.Enter(ctx, handler, []indicator.Input{{Key: "industry.value_added", Period: "2022-12", Value: 750_000_000}}))
		wantCode(t, svc.Enter(ctx, leader, []indicator.Input{{Key: "industry.value_added", Period: "2023-01", Value: 1}}), jiedao.EFORBIDDEN, "a leader enters")
		err = svc.Enter(ctx, handler, []indicator.Input{{Key: "industry.value_added", Period: "2023-13", Value: 1}})
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "period" || !strings.Contains(je.Zh, "规上工业增加值") {
			t.Fatalf("bad period: %v", err)
		}

		bad := sheet(t, [][]any{
			{"古荡街道主要经济指标（2023年）"},
			{"指标名称", "单位", "1月", "2月", "12月", "同比(%)", "全区排名"},
			{"规上工业增加值", "元", 70_000_000, 140_000_000, 860_000_000, "", ""},
			{"财政总收入", "元", 900_000_000, "很多", 10_120_000_000, 8.5, 1},
			{"不存在的指标", "元", 1, 2, 3, "", ""},
		})
		res, err := svc.Import(ctx, handler, 2023, bad, false)
		must(t, err)
		if res.Stored || len(res.Errors) != 2 || res.Errors[0].Row != 4 || res.Errors[0].Column != "2月" || res.Errors[1].Row != 5 ||
			!strings.HasPrefix(res.Errors[0].Zh, "第4行“2月”") {
			t.Fatalf("import with errors: %+v", res)
		}
		if vs, _ := db.Indicators().Values(ctx, "industry.value_added", "2023", 0); len(vs) != 0 {
			t.Fatalf("a refused import stored %d values", len(vs))
		}
		good := sheet(t, [][]any{
			{"指标名称", "单位", "1月", "2月", "12月", "同比(%)", "全区排名"},
			{"规上工业增加值", "元", 70_000_000, 140_000_000, 860_000_000, "", ""},
			{"财政总收入", "元", 900_000_000, 1_800_000_000, 10_120_000_000, 8.5, 1},
		})
		res, err = svc.Import(ctx, handler, 2023, good, true)
		must(t, err)
		if res.Stored || res.Values != 6 || len(res.Errors) != 0 {
			t.Fatalf("dry run: %+v", res)
		}
		res, err = svc.Import(ctx, handler, 2023, good, false)
		must(t, err)
		if !res.Stored {
			t.Fatalf("import: %+v", res)
		}
		y, err := svc.YearOf(ctx, leader, "industry.value_added", 2023)
		must(t, err)
		// Cumulative: the year is December's value; the change is computed
		// from 2022's December.
		if !y.OK || y.Value != 860_000_000 || y.YoY == nil || *y.YoY != 14.67 || y.YoYGiven || !strings.HasPrefix(y.By, o.UnitHandler.Name+" 2024-01-15") {
			t.Fatalf("year: %+v yoy %v", y, y.YoY)
		}
		y, err = svc.YearOf(ctx, leader, "fiscal.total_revenue", 2023)
		must(t, err)
		if y.Value != 10_120_000_000 || y.YoY == nil || *y.YoY != 8.5 || !y.YoYGiven || y.Rank == nil || *y.Rank != 1 {
			t.Fatalf("given change and rank: %+v", y)
		}
		// A correction keeps the old value in the history.
		must(t, svc.Enter(ctx, admin, []indicator.Input{{Key: "industry.value_added", Period: "2023-12", Value: 861_000_000}}))
		h, err := svc.History(ctx, leader, "industry.value_added", "2023-12")
		must(t, err)
		if len(h) != 2 || h[0].Value != 860_000_000 || h[1].Value != 861_000_000 || h[1].EnteredBy != o.Admin.Name {
			t.Fatalf("history: %+v", h)
		}
		// A closed period refuses entry, by hand and by import, and nothing
		// of the batch is stored.
		must(t, svc.Close(ctx, admin, "2023-12"))
		err = svc.Enter(ctx, handler, []indicator.Input{{Key: "retail.sales", Period: "2023-11", Value: 1}, {Key: "retail.sales", Period: "2023-12", Value: 2}})
		if je, ok := err.(*jiedao.Error); !ok || je.Code != jiedao.ECONFLICT || !strings.Contains(je.Zh, "2023-12 期间已关账") {
			t.Fatalf("closed period: %v", err)
		}
		if vs, _ := db.Indicators().Values(ctx, "retail.sales", "2023", 0); len(vs) != 0 {
			t.Fatalf("a refused batch stored %d values", len(vs))
		}
		res, err = svc.Import(ctx, handler, 2023, good, false)
		must(t, err)
		if res.Stored || len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Zh, "已关账") {
			t.Fatalf("import into a closed period: %+v", res)
		}
		must(t, svc.Close(ctx, admin, "2022"))
		wantCode(t, svc.Enter(ctx, handler, []indicator.Input{{Key: "retail.sales", Period: "2022-03", Value: 1}}), jiedao.ECONFLICT, "a closed year")
	})
}

func TestTargetsProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		// 1 July 2024 (half the year gone, to a day).
		now := cst(2024, 7, 2, 0, 0)
		svc := indicatorService(db, now)
		must(t, svc.EnsureBuiltin(ctx))
		live := map[string]float64{"buildings.tax_100m": 4, "cases.grid.handled": 1000}
		svc.Known = func(key string) bool { _, ok := live[key]; return ok }
		svc.Figure = func(_ context.Context, _ org.Actor, key string, year int) (float64, bool, error) {
			v, ok := live[key]
			return v, ok && year == 2024, nil
		}
		admin, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleLeader)
		set := func(code, key string, cmp indicator.Comparison, v float64) error {
			return svc.SetTarget(ctx, admin, &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Code: code, Key: key, Name: key, Comparison: cmp, Value: v})
		}
		// A figure key that exists nowhere is refused, in Chinese.
		err = set("", "buildings.tax_1b", indicator.AtLeast, 1)
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "key" || !strings.Contains(je.Zh, "“buildings.tax_1b”不存在") {
			t.Fatalf("unknown key: %v", err)
		}
		must(t, set("", "buildings.tax_100m", indicator.AtLeast, 7))            // projected 8: on track
		must(t, set("", "cases.grid.handled", indicator.AtMost, 1500))          // projected 2000: at risk
		must(t, set("", "fiscal.general_budget", indicator.AtLeast, 5.1e9))     // catalogue, entered below
		must(t, set("", "enterprise.demands_resolved", indicator.AtLeast, 700)) // a work-report key not wired: no figure
		must(t, set("", "petitions.litigation", indicator.ChangeBy, -10))
		wantCode(t, set("", "buildings.tax_100m", indicator.AtLeast, 8), jiedao.ECONFLICT, "a second target on one figure")
		must(t, svc.Enter(ctx, admin, []indicator.Input{{Key: "fiscal.general_budget", Period: "2024-06", Value: 2.4e9},
			{Key: "petitions.litigation", Period: "2023", Value: 100}, {Key: "petitions.litigation", Period: "2024", Value: 40}}))

		ps, err := svc.Targets(ctx, leader, 2024)
		must(t, err)
		if len(ps) != 5 {
			t.Fatalf("%d targets", len(ps))
		}
		want := []indicator.Status{indicator.OnTrack, indicator.AtRisk, indicator.AtRisk, indicator.NoFigure, indicator.OnTrack}
		for i, p := range ps {
			if p.Status != want[i] {
				t.Errorf("%s: status %s, want %s (%s)", p.Target.Key, p.Status, want[i], p.Summary())
			}
		}
		if p := ps[0]; p.Projection == nil || *p.Projection < 7.9 || *p.Projection > 8.1 || !strings.Contains(p.Method, "线性外推") {
			t.Fatalf("projection: %+v", p)
		}
		// 40 against 100 half way through the year: -60% so far, projected
		// 80 (-20%), a fall beyond the 10% asked: on track.
		if p := ps[4]; p.Change == nil || *p.Change != -60 {
			t.Fatalf("change: %+v", p)
		}
	})
}

// TestTargetRemoval: a target set by mistake can be removed by whoever
// sets targets, with a reason, audited with what it was; without a reason,
// by a leader, or for an id of another year, nothing changes.
func TestTargetRemoval(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := indicatorService(db, cst(2024, 3, 1, 10, 0))
		svc.Audit = db.Audit()
		must(t, svc.EnsureBuiltin(ctx))
		admin, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleLeader)
		tg := &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Key: "fiscal.general_budget", Name: "一般公共预算收入", Comparison: indicator.AtLeast, Value: 51}
		must(t, svc.SetTarget(ctx, admin, tg))
		count := func() int {
			list, err := db.Indicators().ListTargets(ctx, 2024)
			must(t, err)
			return len(list)
		}
		wantCode(t, svc.DeleteTarget(ctx, admin, 2024, tg.ID, " "), jiedao.EINVALID, "no reason")
		wantCode(t, svc.DeleteTarget(ctx, leader, 2024, tg.ID, "录错"), jiedao.EFORBIDDEN, "a leader")
		wantCode(t, svc.DeleteTarget(ctx, admin, 2023, tg.ID, "录错"), jiedao.ENOTFOUND, "another year's id")
		if n := count(); n != 1 {
			t.Fatalf("%d targets after the refusals", n)
		}
		must(t, svc.DeleteTarget(ctx, admin, 2024, tg.ID, "目标值录错（应为51亿）"))
		if n := count(); n != 0 {
			t.Fatalf("%d targets after the removal", n)
		}
		if got := scalar[string](t, db, `SELECT reason FROM audit_log WHERE action = 'target.delete'`); got != "目标值录错（应为51亿）" {
			t.Errorf("audited reason %q", got)
		}
		if before := scalar[string](t, db, `SELECT before_json FROM audit_log WHERE action = 'target.delete'`); !strings.Contains(before, "fiscal.general_budget") {
			t.Errorf("audited before: %s", before)
		}
		// Set again, right this time.
		tg.ID, tg.Value = 0, 5.1e9
		must(t, svc.SetTarget(ctx, admin, tg))
	})
}
