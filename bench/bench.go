// Package bench measures jiedao at scale on one database: intake through
// Open311 over loopback HTTP beside the engine's own limit for durable
// single-row inserts, the dashboards and evaluation over a generated year,
// and the memory and start-up time of `jiedao serve`. It prints the figures
// with the exact setup; `jiedao bench` runs it, and docs/benchmarks.md
// records what it printed. Nothing here asserts a time.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// Env is jiedao wired over the database to measure; package main builds
// it as `serve` does.
type Env struct {
	DSN     string
	DB      *store.DB
	Cases   *casework.Service
	Auth    *org.Auth
	Handler http.Handler // the whole server: pages, API, Open311
	// Serve returns the command that starts `jiedao serve` on addr over
	// the same database, for start-up time and resident memory.
	Serve func(addr string) *exec.Cmd
}

// Options choose what to run and how long.
type Options struct {
	Year  int
	Scale float64
	Seed  uint64

	Clients  int           // concurrent Open311 clients, and raw writers
	Rounds   int           // rounds of the three intake phases
	Duration time.Duration // each intake phase in each round, after its warm-up
	Warmup   time.Duration
	MaxCases int // each intake phase stops after this many requests

	Runs   int // timed repetitions of each dashboard query
	Starts int // cold starts of serve for the start-up time
	// ExportOnly skips intake and the dashboards: the year (generated
	// when the database is empty), serve and its exports, for a large
	// --scale where the rest would take long.
	ExportOnly bool

	// DashboardsOnly skips intake, serve and export: the year (generated
	// when the database is empty) and its dashboard queries only.
	DashboardsOnly bool

	// IntakeOnly skips the dashboards, serve and export: the intake
	// phases alone, on a small year (e.g. --scale 0.02).
	IntakeOnly bool

	// PagesOnly skips the rest: the pages' times to first byte as a
	// leader, a dispatcher and a unit (pages.go); CPUProfile then
	// profiles the pages.
	PagesOnly bool
	// Page, when set, keeps only the pages whose path contains it.
	Page string

	// CPUProfile, when set, receives a CPU profile of this process during
	// the group-commit intake phase (go tool pprof reads it).
	CPUProfile io.Writer
}

// DefaultOptions are the README's run: a Gudang-sized year, 64 clients.
func DefaultOptions() Options {
	return Options{Year: 2023, Scale: 1, Seed: 1, Clients: 64, Rounds: 5, Duration: 3 * time.Second, Warmup: time.Second,
		MaxCases: 200000, Runs: 20, Starts: 3}
}

// Run runs every benchmark and prints the figures to out.
func Run(ctx context.Context, env Env, opt Options, out io.Writer) error {
	if opt.Clients < 1 || opt.Runs < 1 || opt.Duration <= 0 {
		return jiedao.Invalid("clients", "clients、runs、duration 须为正数", "clients, runs and duration must be positive")
	}
	start := time.Now()
	p := &printer{w: out}
	p.line("# jiedao bench — %s", start.In(calendar.Zone()).Format("2006-01-02 15:04:05 MST"))
	setup(ctx, p, env, opt)

	p.head("Generated year")
	if err := ensureYear(ctx, p, env, opt); err != nil {
		return err
	}
	// The text search index as serve keeps it (its job): built here on
	// a database from before it (migration 0138), timed.
	t0 := time.Now()
	run, err := env.DB.IndexSearch(ctx)
	if err != nil {
		return err
	}
	if run.Indexed > 0 {
		p.line("search index: %d cases indexed in %s", run.Indexed, time.Since(t0).Round(time.Millisecond))
	}

	if opt.PagesOnly {
		p.head("Pages: time to first byte, by role")
		if err := pages(ctx, p, env, opt); err != nil {
			return err
		}
		p.line("")
		p.line("load average after: %s", loadAvg())
		p.line("bench took %s (pages only)", time.Since(start).Round(time.Second))
		return nil
	}

	if opt.DashboardsOnly {
		p.head("Dashboards and evaluation over the year")
		if err := dashboards(ctx, p, env, opt); err != nil {
			return err
		}
		p.line("")
		p.line("bench took %s (dashboards only)", time.Since(start).Round(time.Second))
		return nil
	}

	if !opt.ExportOnly {
		p.head("Intake: Open311 POST requests.json over loopback HTTP")
		if err := intake(ctx, p, env, opt); err != nil {
			return err
		}
		if opt.IntakeOnly {
			p.line("")
			p.line("load average after: %s", loadAvg())
			p.line("bench took %s (intake only)", time.Since(start).Round(time.Second))
			return nil
		}

		p.head("Dashboards and evaluation over the year")
		if err := dashboards(ctx, p, env, opt); err != nil {
			return err
		}

		p.head("Pages: time to first byte, by role")
		po := opt
		po.CPUProfile = nil // the intake phase's
		if err := pages(ctx, p, env, po); err != nil {
			return err
		}
	}

	p.head("serve: start-up time and resident memory on this database")
	exp, err := serveFigures(ctx, p, env, opt)
	if err != nil {
		return err
	}

	p.head("Export")
	if len(exp) == 0 {
		exp = []*exportResult{{format: "xlsx"}, {format: "csv"}}
	}
	for _, e := range exp {
		e.print(p)
	}

	p.head("End")
	p.line("load average after: %s", loadAvg())
	p.line("bench took %s", time.Since(start).Round(time.Second))
	return nil
}

// ensureYear generates the year in an empty database, or uses the one
// there.
func ensureYear(ctx context.Context, p *printer, env Env, opt Options) error {
	js, err := env.DB.Org().ListJurisdictions(ctx)
	if err != nil {
		return err
	}
	from, to := yearBounds(opt.Year)
	leader := leaderActor()
	pending, err := demo.Pending(ctx, env.DB)
	if err != nil {
		return err
	}
	if pending != nil || len(js) == 0 {
		o := demo.Options{Year: opt.Year, Scale: opt.Scale, Seed: opt.Seed}
		if pending != nil { // an interrupted build continues (demo/checkpoint.go)
			o = *pending
			p.line("resuming the interrupted build of %d at scale %g (seed %d) …", o.Year, o.Scale, o.Seed)
		} else {
			p.line("generating %d at scale %g (seed %d) with demo.Generate …", opt.Year, opt.Scale, opt.Seed)
		}
		sum, err := demo.Generate(ctx, env.DB, o, p.w)
		if err != nil {
			return err
		}
		p.line("generated %d cases and %d events in %s", sum.Cases, sum.Events, sum.Took.Round(100*time.Millisecond))
	} else {
		p.line("the database has an organisation already: using its data (no year generated)")
	}
	n, err := env.Cases.Count(ctx, leader, casework.Filter{From: from, To: to})
	if err != nil {
		return err
	}
	all, err := env.Cases.Count(ctx, leader, casework.Filter{})
	if err != nil {
		return err
	}
	p.line("cases reported in %d: %d; cases in the database: %d", opt.Year, n, all)
	if n == 0 {
		return jiedao.Invalid("year", fmt.Sprintf("数据库中没有%d年的案件", opt.Year), fmt.Sprintf("the database has no cases of %d", opt.Year))
	}
	return nil
}

func yearBounds(year int) (from, to time.Time) {
	z := calendar.Zone()
	return time.Date(year, 1, 1, 0, 0, 0, 0, z), time.Date(year+1, 1, 1, 0, 0, 0, 0, z)
}

// leaderActor reads as the report does: the whole jurisdiction.
func leaderActor() org.Actor {
	return org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "jiedao bench"}
}
