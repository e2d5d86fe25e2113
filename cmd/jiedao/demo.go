package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/intake"
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
	district := fs.Bool("district", false, "build a district (西湖区): Gudang and two more subdistricts, each with its year, and the district's own accounts")
	current := fs.Bool("current", true, "also build the current year up to now (false: the year alone)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the build to this file (go tool pprof reads it)")
	live := paceFlag{d: defaultDemoPace}
	fs.Var(&live, "live", "keep the demo alive while it serves: a step every interval (5s), a rate (12/min), or off")
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
	stopProfile := func() {}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stopProfile = sync.OnceFunc(pprof.StopCPUProfile)
		defer stopProfile()
	}
	// An interrupted build continues where it stopped, with its own
	// options (demo/checkpoint.go).
	pending, err := demo.Pending(ctx, a.db)
	if err != nil {
		return err
	}
	if pending != nil {
		fmt.Fprintf(stdout, "继续上次中断的生成 / resuming the interrupted build: the year %d, scale %g, seed %d …\n", pending.Year, pending.Scale, pending.Seed)
		sum, err := demo.Generate(ctx, a.db, *pending, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已生成 / generated %d cases, %d events in %s\n", sum.Cases, sum.Events, sum.Took.Round(100*time.Millisecond))
	} else if len(js) == 0 {
		now := time.Now()
		if !*current {
			now = time.Time{}
		}
		switch {
		case now.IsZero():
			fmt.Fprintf(stdout, "正在生成演示数据：%d 年全年 / generating the demo: the year %d, scale %g, seed %d …\n", *year, *year, *scale, *seed)
		case *year < now.Year():
			fmt.Fprintf(stdout, "正在生成演示数据：%d 年全年（按工作报告校准）及 %d 年截至今天 / generating the demo: the year %d (calibrated to the work report) and %d up to today, scale %g, seed %d …\n",
				*year, now.Year(), *year, now.Year(), *scale, *seed)
		case *year == now.Year():
			fmt.Fprintf(stdout, "正在生成演示数据：%d 年截至今天 / generating the demo: %d up to today, scale %g, seed %d …\n", *year, *year, *scale, *seed)
		default:
			fmt.Fprintf(stdout, "正在生成演示数据：%d 年全年 / generating the demo: the year %d, scale %g, seed %d …\n", *year, *year, *scale, *seed)
		}
		if *district {
			fmt.Fprintf(stdout, "区县演示 / district demo: %s %s，街道 / subdistricts %s\n", demo.District.Name, demo.District.Code, strings.Join(demo.SubdistrictCodes(), ", "))
		}
		sum, err := demo.Generate(ctx, a.db, demo.Options{Year: *year, Scale: *scale, Seed: *seed, Now: now, District: *district}, stdout)
		if err != nil {
			return err
		}
		if sum.CurrentYear != 0 {
			fmt.Fprintf(stdout, "已生成 / generated %d cases (%d of them in %d up to now, with cases in every state of the loop), %d events in %s\n",
				sum.Cases, sum.Current, sum.CurrentYear, sum.Events, sum.Took.Round(100*time.Millisecond))
		} else {
			fmt.Fprintf(stdout, "已生成 / generated %d cases, %d events in %s\n", sum.Cases, sum.Events, sum.Took.Round(100*time.Millisecond))
		}
	} else {
		fmt.Fprintf(stdout, "使用已有演示数据 / using the existing demo data in %s\n", *dsn)
	}
	stopProfile() // the build's only
	fmt.Fprintln(stdout, "\n演示账号（密码均为 "+demo.Password+"）/ demo accounts (password "+demo.Password+"):")
	logins := demo.Logins()
	if len(js) > 1 || *district {
		logins = append(logins, demo.DistrictLogins()...)
	}
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-16s %s\n", l.Username, l.Role)
	}
	if !*serve {
		return nil
	}
	if live.d > 0 {
		fmt.Fprintf(stdout, "\n实时演示：每 %s 发生一件事（居民上报、告警、派遣、签收、处置、核查……），--live=off 关闭 / live demo: a step every %s (--live=off to stop it)\n", live.d, live.d)
	}
	a.pages, a.guards, a.livePace = pages, guards, live.d
	a.pages.demoLogins = true // the login page lists the accounts printed above
	return a.serve(ctx, *addr, time.Minute, stdout)
}

// defaultDemoPace is how often something happens in a served demo.
const defaultDemoPace = 5 * time.Second

// paceFlag is --live: off, an interval or a rate (demo.ParsePace).
type paceFlag struct{ d time.Duration }

func (p *paceFlag) String() string {
	if p == nil || p.d == 0 {
		return "off"
	}
	return p.d.String()
}

func (p *paceFlag) Set(s string) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes":
		p.d = defaultDemoPace
		return nil
	}
	d, err := demo.ParsePace(s)
	if err != nil {
		return err
	}
	p.d = d
	return nil
}

// liveDemo keeps the demo alive, a step every pace until ctx ends
// (demo.Live): every step through the app's own services, as the real
// actors. On a database that is not a demo's it logs why and returns; a
// step that fails is logged and the next comes at its time.
func (a *app) liveDemo(ctx context.Context, pace time.Duration) {
	live := &demo.Live{Cases: a.cases, Intake: &intake.Service{Store: a.db.Intake(), Cases: a.cases, Now: time.Now},
		Org: a.db.Org(), Now: time.Now, Seed: uint64(time.Now().UnixNano())}
	if err := live.Start(ctx); err != nil {
		if ctx.Err() == nil {
			a.log.Error("live demo not started", "err", err)
		}
		return
	}
	a.log.Info("live demo running", "pace", pace.String())
	t := time.NewTicker(pace)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		what, err := live.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("live demo step failed", "step", what, "err", err)
		case err == nil:
			a.log.Debug("live demo step", "step", what)
		}
	}
}
