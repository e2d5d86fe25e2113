package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/demo"
)

// runDemo builds a demo database with a generated year of Gudang if the
// database has none, then serves it.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "jiedao-demo.db", "database: an SQLite file path, or postgres://…")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	year := fs.Int("year", 2023, "the year to generate")
	scale := fs.Float64("scale", 1, "volume: 1 is a Gudang-sized year, 0.01 a quick test, 100 a city")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same year")
	serve := fs.Bool("serve", true, "serve the demo after loading it")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	var pages pageOptions
	pages.flags(fs)
	var guards guardOptions
	guards.flags(fs)
	if err := parseFlags(fs, args, "db", "metrics-token"); err != nil {
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
	js, err := a.db.Org().ListJurisdictions(ctx)
	if err != nil {
		return err
	}
	if len(js) == 0 {
		now := time.Now()
		fmt.Fprintf(stdout, "正在生成演示数据：%d 年全年（按工作报告校准）及 %d 年截至今天 / generating the demo: the year %d (calibrated to the work report) and %d up to today, scale %g, seed %d …\n",
			*year, now.Year(), *year, now.Year(), *scale, *seed)
		sum, err := demo.Generate(ctx, a.db, demo.Options{Year: *year, Scale: *scale, Seed: *seed, Now: now}, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已生成 / generated %d cases (%d of them in %d up to now, every state of the loop open today), %d events in %s\n",
			sum.Cases, sum.Current, sum.CurrentYear, sum.Events, sum.Took.Round(100*time.Millisecond))
	} else {
		fmt.Fprintf(stdout, "使用已有演示数据 / using the existing demo data in %s\n", *dsn)
	}
	if !*serve {
		return nil
	}
	fmt.Fprintln(stdout, "\n演示账号（密码均为 "+demo.Password+"）/ demo accounts (password "+demo.Password+"):")
	for _, l := range demo.Logins() {
		fmt.Fprintf(stdout, "  %-16s %s\n", l.Username, l.Role)
	}
	a.pages, a.guards = pages, guards
	a.pages.demoLogins = true // the login page lists the accounts printed above
	return a.serve(ctx, *addr, time.Minute, stdout)
}
