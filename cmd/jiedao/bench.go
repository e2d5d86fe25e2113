package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"

	"github.com/jiedao/jiedao/bench"
	"github.com/jiedao/jiedao/calendar"
)

// runBench measures intake, dashboards, memory and start-up on a database
// (package bench), generating a year in it first when it is empty.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := bench.DefaultOptions()
	dsn := fs.String("db", "jiedao-bench.db", "database: an SQLite file path, or postgres://… (empty: a year is generated; else its data is used)")
	opt := def
	fs.IntVar(&opt.Year, "year", def.Year, "the year to generate and to query")
	fs.Float64Var(&opt.Scale, "scale", def.Scale, "volume of the generated year: 1 is Gudang (about 71,000 cases), 100 a city")
	fs.Uint64Var(&opt.Seed, "seed", def.Seed, "random seed")
	fs.IntVar(&opt.Clients, "clients", def.Clients, "concurrent Open311 clients (and raw writers)")
	fs.IntVar(&opt.Rounds, "rounds", def.Rounds, "rounds of the intake phases (one transaction per case, group commit, raw inserts)")
	fs.DurationVar(&opt.Duration, "duration", def.Duration, "length of each intake phase in each round")
	fs.DurationVar(&opt.Warmup, "warmup", def.Warmup, "untimed warm-up before each intake phase")
	fs.IntVar(&opt.MaxCases, "max-cases", def.MaxCases, "at most this many requests per intake phase")
	fs.IntVar(&opt.Runs, "runs", def.Runs, "timed runs of each dashboard query")
	fs.IntVar(&opt.Starts, "starts", def.Starts, "cold starts of serve to time")
	fs.BoolVar(&opt.DashboardsOnly, "dashboards-only", false, "measure the dashboard queries only (the year is generated when the database is empty)")
	fs.BoolVar(&opt.ExportOnly, "export-only", false, "measure only serve and its exports (XLSX, CSV) on the year, e.g. --scale 14.1 for a million cases")
	fs.BoolVar(&opt.IntakeOnly, "intake-only", false, "measure intake only (the three phases against raw inserts), e.g. on --scale 0.02")
	fs.BoolVar(&opt.PagesOnly, "pages-only", false, "measure only the pages' time to first byte as a leader, a dispatcher and a unit (--cpuprofile then profiles them)")
	fs.StringVar(&opt.Page, "page", "", "with --pages-only: only the pages whose path contains this")
	level := fs.String("log-level", "warn", "log level of the in-process server")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the group-commit intake phase (with --pages-only: of the pages) to this file")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	log, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, calendar.DefaultWorkingHours().String(), log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	// The server as serve wires it (serve.go), without the per-address
	// rate limits: the bench's 64 clients share one address on purpose.
	srv := a.server()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		opt.CPUProfile = f
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := bench.Env{DSN: *dsn, DB: a.db, Cases: a.cases, Auth: a.auth, Handler: srv.Handler(),
		Serve: func(addr string) *exec.Cmd {
			return exec.Command(exe, "serve", "--addr", addr, "--db", *dsn, "--log-level", "warn")
		}}
	return bench.Run(ctx, env, opt, stdout)
}
