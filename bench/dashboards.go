package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// unitActor is a handler of the unit, who sees the cases ever dispatched to it.
func unitActor(u *org.Unit) org.Actor {
	if u == nil {
		return org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitHandler, Name: "bench"}
	}
	return org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitHandler, UnitID: u.ID, Name: "bench"}
}

func unitName(u *org.Unit) string {
	if u == nil {
		return "none"
	}
	return u.Name
}

// dashQuery is one thing a dashboard or list page asks.
type dashQuery struct {
	name string
	run  func(ctx context.Context) (rows int, err error)
}

func dashboards(ctx context.Context, p *printer, env Env, opt Options) error {
	from, to := yearBounds(opt.Year)
	june, july := time.Date(opt.Year, 6, 1, 0, 0, 0, 0, from.Location()), time.Date(opt.Year, 7, 1, 0, 0, 0, 0, from.Location())
	leader := leaderActor()
	communities, err := env.DB.Org().ListCommunities(ctx)
	if err != nil {
		return err
	}
	units, err := env.DB.Org().ListUnits(ctx)
	if err != nil {
		return err
	}
	var community int64
	if len(communities) > 0 {
		community = communities[0].ID
	}
	var unit *org.Unit
	for _, u := range units {
		if unit == nil || u.Code == "chengguan" {
			unit = u
		}
	}
	// The evaluation's "now" is fixed at the year's end, so that repeated
	// runs ask the same question.
	now := to
	eval := func(g casework.GroupBy, from, to time.Time) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			rows, err := env.Cases.Evaluate(ctx, leader, casework.EvalQuery{From: from, To: to, GroupBy: g, Now: now})
			return len(rows), err
		}
	}
	list := func(a org.Actor, f casework.Filter) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			_, total, err := env.Cases.List(ctx, a, f)
			return total, err
		}
	}
	queries := []dashQuery{
		{"evaluation, year, whole subdistrict", eval(casework.ByAll, from, to)},
		{"evaluation, year, by community", eval(casework.ByCommunity, from, to)},
		{"evaluation, year, by grid", eval(casework.ByGrid, from, to)},
		{"evaluation, year, by unit", eval(casework.ByUnit, from, to)},
		{"evaluation, June, by unit", eval(casework.ByUnit, june, july)},
		{"evaluation, one day (15 June), by grid", eval(casework.ByGrid, june.AddDate(0, 0, 14), june.AddDate(0, 0, 15))},
		{"the year's report (report.Compute, with the year before)", func(ctx context.Context) (int, error) {
			v, err := report.Compute(ctx, env.Cases, leader, opt.Year)
			return len(v), err
		}},
		{"dashboard counts: the year by channel, community and class, and each month", func(ctx context.Context) (int, error) {
			n := 0
			for _, k := range []casework.CountKey{casework.CountByChannel, casework.CountByCommunity, casework.CountByMajor} {
				m, err := env.Cases.CountBy(ctx, leader, casework.Filter{From: from, To: to}, k)
				if err != nil {
					return 0, err
				}
				n += len(m)
			}
			for m := range 12 {
				if _, err := env.Cases.Count(ctx, leader, casework.Filter{From: from.AddDate(0, m, 0), To: from.AddDate(0, m+1, 0)}); err != nil {
					return 0, err
				}
			}
			return n + 12, nil
		}},
		{"the year's report from a unit's scope (" + unitName(unit) + ")", func(ctx context.Context) (int, error) {
			v, err := report.Compute(ctx, env.Cases, unitActor(unit), opt.Year)
			return len(v), err
		}},
		{"case list: newest 50 of all", list(leader, casework.Filter{Limit: 50})},
		{"case list: open cases (accepted … handled), 50", list(leader, casework.Filter{Limit: 50, Statuses: []casework.Status{
			casework.StatusAccepted, casework.StatusDispatched, casework.StatusSigned, casework.StatusHandling, casework.StatusHandled, casework.StatusRework}})},
		{"case list: overdue now, 50", list(leader, casework.Filter{Limit: 50, Due: casework.DueOverdue})},
		{"case list: one community's year, 50", list(leader, casework.Filter{Limit: 50, CommunityID: community, From: from, To: to})},
		{"case list: category 01 (a major class) in June, 50", list(leader, casework.Filter{Limit: 50, Category: "01", From: june, To: july})},
		{"case list: text search 垃圾, 50", list(leader, casework.Filter{Limit: 50, Query: "垃圾"})},
	}
	if unit != nil {
		queries = append(queries, dashQuery{"case list: a unit's inbox (" + unit.Name + ", waiting to be signed), 50",
			list(unitActor(unit), casework.Filter{Limit: 50, Statuses: []casework.Status{casework.StatusDispatched}})})
	}
	// The same questions answered by scanning the cases, as before the
	// aggregates (store.Cases.ScanOnly), for comparison.
	scan := &casework.Service{Store: env.DB.Cases().ScanOnly(), Now: env.Cases.Now}
	// They take minutes each at scale 10 and more: at most three timed runs.
	firstComparison := len(queries)
	queries = append(queries,
		dashQuery{"for comparison, scanning: evaluation, year, by unit", func(ctx context.Context) (int, error) {
			rows, err := scan.Evaluate(ctx, leader, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByUnit, Now: now})
			return len(rows), err
		}},
		dashQuery{"for comparison, scanning: the year's report", func(ctx context.Context) (int, error) {
			v, err := report.Compute(ctx, scan, leader, opt.Year)
			return len(v), err
		}})
	p.line("each query: one untimed run, then %d timed runs one after another (no concurrent load; the scanning comparisons at most 3); rows is what it returned", opt.Runs)
	p.line("(evaluation: rows of figures; report: figures; lists: the total count matching)")
	p.line("")
	p.line("| query | rows | p50 | p95 | max |")
	p.line("|---|---|---|---|---|")
	var worst time.Duration
	var worstName string
	for i, q := range queries {
		rows, err := q.run(ctx)
		if err != nil {
			return fmt.Errorf("bench: %s: %w", q.name, err)
		}
		lat := make([]time.Duration, 0, opt.Runs)
		runs := opt.Runs
		if i >= firstComparison {
			runs = min(runs, 3)
		}
		for range runs {
			s := time.Now()
			if _, err := q.run(ctx); err != nil {
				return fmt.Errorf("bench: %s: %w", q.name, err)
			}
			lat = append(lat, time.Since(s))
		}
		sortDurations(lat)
		p95 := quantile(lat, .95)
		if p95 > worst {
			worst, worstName = p95, q.name
		}
		p.line("| %s | %d | %s | %s | %s |", q.name, rows, ms(quantile(lat, .5)), ms(p95), ms(lat[len(lat)-1]))
	}
	p.line("")
	p.line("slowest p95: %s (%s)", ms(worst), worstName)
	return nil
}
