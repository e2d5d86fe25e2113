package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/open311"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

// app is jiedao wired together over one database.
type app struct {
	db     *store.DB
	auth   *org.Auth
	cases  *casework.Service
	dir    *org.Directory
	log    *slog.Logger
	pages  pageOptions  // see pages.go
	guards guardOptions // see pages.go
	tls    *tls.Config  // nil: plain HTTP (see tls.go)
	// retention is how long serve keeps residents' contacts after their
	// case ended (retention.go); 0 for ever.
	retention time.Duration
	// figures are the report's sources beside the case figures: each
	// domain outside the case loop that reports figures adds itself here
	// in openApp, and the report, the dashboard and the pages use them.
	figures []report.Source
	// livePace, when set, keeps a demo alive while it serves (demo.go).
	livePace time.Duration
	// ent is the enterprise registry and the building economy.
	ent   *enterprise.Service
	books *books // ledgers, indicators and targets, campaigns (books.go)
}

// openApp opens and migrates the database and wires the services.
func openApp(ctx context.Context, dsn, workingHours string, log *slog.Logger) (*app, error) {
	hours, err := calendar.ParseWorkingHours(workingHours)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := setCrypto(db); err != nil { // JIEDAO_CRYPTO, JIEDAO_SM4_KEY_FILE (crypto.go)
		db.Close()
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("database migrated", "engine", db.Engine(), "applied", applied)
	}
	cal := db.Calendar(hours)
	if seeded, err := cal.SeedOfficial(ctx); err != nil {
		db.Close()
		return nil, err
	} else if seeded {
		log.Info("calendar seeded with the official 2023-2026 schedule")
	}
	orgStore := db.Org()
	policy, err := authPolicy(os.Getenv)
	if err != nil {
		db.Close()
		return nil, err
	}
	auth := &org.Auth{Store: orgStore, Policy: policy, Now: time.Now, Audit: db.Audit()}
	cases := &casework.Service{
		Store: db.Cases(), Units: orgStore, Calendars: cal, CalendarEdit: cal,
		Places: org.NewPlaces(orgStore), Now: time.Now, Log: log, Audit: db.Audit(), Contacts: db.Cases(),
	}
	petitionKey, err := db.KindSecret(ctx, "petitioner")
	if err != nil {
		db.Close()
		return nil, err
	}
	cases.Kinds = kinds.Models(petitionKey)
	cases.PersonKey = petitionKey // 12345 callers: one identity with petitioners (docs/kinds.md)
	a := &app{db: db, auth: auth, cases: cases, dir: &org.Directory{Store: orgStore, Audit: db.Audit()}, log: log,
		ent: &enterprise.Service{Store: db.Enterprises(), Cases: cases, Audit: db.Audit(), Now: time.Now, Jurisdictions: db.Org()}}
	a.figures = append(a.figures, &enterprise.Figures{Service: a.ent, Cases: cases})
	if err := a.wireBooks(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.figures = append(a.figures, ledger.Figures{Service: a.books.ledgers})
	a.figures = append(a.figures, indicator.Figures{Service: a.books.indicators})
	a.figures = append(a.figures, campaign.Figures{Service: a.books.campaigns})
	a.figures = append(a.figures, kinds.Source{Cases: cases}) // disputes, petitions, enforcement, duty (docs/kinds.md)
	return a, nil
}

// dutyRosters is the duty roster's service (docs/kinds.md "The roster").
func (a *app) dutyRosters() *duty.RosterService {
	return &duty.RosterService{Store: a.db.Roster(), Calendars: a.cases.Calendars, Staff: a.db.Org(), Audit: a.db.Audit(), Now: a.cases.Now, Jurisdictions: a.db.Org()}
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	dsn := fs.String("db", "jiedao.db", "database: an SQLite file path, or postgres://…")
	hours := fs.String("working-hours", calendar.DefaultWorkingHours().String(), "office hours on working days, for working-hour deadlines")
	every := fs.Duration("deadline-interval", time.Minute, "how often to check deadlines (warnings, overdue, supervision)")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	retention := contactRetentionFlag(fs)
	replicaURL := fs.String("replica-url", "", "a streaming replica of the PostgreSQL database (postgres://…): dashboards, reports and exports read from it, each session its own writes (docs/deploy.md); empty: every read from --db")
	var live paceFlag
	fs.Var(&live, "live", "on a demo database, keep the demo alive: a step every interval (5s), a rate (12/min), on, or off")
	var pages pageOptions
	pages.flags(fs)
	var guards guardOptions
	guards.flags(fs)
	var tlsOpts tlsOptions
	tlsOpts.flags(fs)
	if err := parseFlags(fs, args, "db", "metrics-token", "replica-url"); err != nil {
		return err
	}
	tlsConfig, err := tlsOpts.config()
	if err != nil {
		return err
	}
	if err := pages.check(); err != nil {
		return err
	}
	log, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *hours, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if *replicaURL != "" {
		if err := a.db.OpenReplica(ctx, *replicaURL); err != nil {
			return err
		}
		log.Info("reads that may lag go to the replica", "replica", redactDSN(*replicaURL))
	}
	a.pages, a.guards, a.tls = pages, guards, tlsConfig
	a.retention = time.Duration(*retention)
	a.livePace = live.d
	return a.serve(ctx, *addr, *every, stdout)
}

// server wires every HTTP handler over the app's services: the JSON API,
// Open311, the machine channels and the pages. serve adds its guards (rate
// limits, trusted proxies, metrics token); bench measures it without them.
func (a *app) server() *server.Server {
	h := &api.Handler{Auth: a.auth, Cases: a.cases, Directory: a.dir, Log: a.log, Enterprises: a.ent, Books: a.books.api()}
	h.ReportDocs = a.reportDocs() // the work report (report.go)
	h.DutyRosters = a.dutyRosters()
	h.AuditTrail = a.auditTrail() // the audit administrator's (authpolicy.go)
	srv := server.New(h, a.auth, a.db, a.log)
	srv.Open311 = &open311.Handler{Cases: a.cases, Auth: a.auth, Org: a.db.Org(), Log: a.log, PublicURL: a.pages.publicURL}
	srv.Intake = &intake.Handler{Service: &intake.Service{Store: a.db.Intake(), Cases: a.cases, Now: time.Now, Audit: a.db.Audit()}, Log: a.log}
	srv.Web = a.web()
	return srv
}

// serve runs the HTTP server, the deadline job, the search index job and
// the retention job (when a.retention is set) until ctx ends, then shuts down gracefully: no new
// requests, in-flight ones (writes included) finish, then the database
// closes.
func (a *app) serve(ctx context.Context, addr string, every time.Duration, stdout io.Writer) error {
	srv := a.server()
	if err := a.guards.apply(srv, a.auth, a.db); err != nil {
		return err
	}
	if a.db.HasReplica() {
		srv.Replica = a.db
	}
	ln, scheme, err := listen(addr, a.tls)
	if err != nil {
		return err
	}
	if srv.Open311 != nil && srv.Open311.PublicURL == "" {
		// Without --public-url, discovery names the endpoint at the address
		// served, when that is one address a client can reach (never the
		// request's Host header, which a client chooses); on a wildcard
		// address it gives the path only.
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
			srv.Open311.PublicURL = scheme + "://" + tcp.String()
		} else {
			a.log.Warn("Open311 discovery gives the endpoint's path only: set --public-url to the address clients use")
		}
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}

	a.db.Listen() // other nodes' notices: boards, configuration (store/events.go)
	jobCtx, stopJob := context.WithCancel(context.WithoutCancel(ctx))
	var jobs sync.WaitGroup
	jobs.Go(func() { a.deadlineJob(jobCtx, every, srv.Registry()) })
	jobs.Go(func() { a.retentionJob(jobCtx, a.retention) })
	jobs.Go(func() { a.searchJob(jobCtx) })
	if a.livePace > 0 {
		jobs.Go(func() { a.liveDemo(jobCtx, a.livePace) })
	}

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	srv.SetReady(true)
	a.log.Info("jiedao serving", "addr", scheme+"://"+ln.Addr().String(), "engine", a.db.Engine(), "pid", os.Getpid())
	fmt.Fprintf(stdout, "jiedao 已启动 / serving at %s://%s\n", scheme, ln.Addr())

	select {
	case err := <-errc:
		stopJob()
		jobs.Wait()
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	srv.SetReady(false)
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = httpSrv.Shutdown(shutCtx)
	stopJob()
	jobs.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	a.log.Info("stopped")
	return err
}

// deadlineJob raises warnings and overdue marks, and opens supervisions,
// every interval. Several processes may run it on one database: each mark
// is written once.
func (a *app) deadlineJob(ctx context.Context, every time.Duration, reg *prometheus.Registry) {
	raised := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jiedao_deadline_marks_total", Help: "Warnings and overdue marks raised by the deadline job.",
	}, []string{"kind"})
	reg.MustRegister(raised)
	// Both series exist from the start, at 0: an alert's increase() over
	// them needs a sample before the first mark, and /metrics shows them
	// before the job's first run ends.
	raised.WithLabelValues("warning")
	raised.WithLabelValues("overdue")
	job := newJobMetrics(reg) // opsmetrics.go
	t := time.NewTicker(every)
	defer t.Stop()
	a.encryptAtRest(ctx) // crypto.go: seal what is still plaintext or under an old SM4 key
	for {
		// One node runs each tick's turn (store.RunJob): the others skip it.
		var warned, overdue int
		ran, err := a.db.RunJob(ctx, "deadlines", every, func(ctx context.Context) error {
			var err error
			warned, overdue, err = a.cases.RunDeadlines(ctx)
			a.pruneAccounts(ctx)
			a.sealAudit(ctx) // audit.go: seal the events and admin actions written since
			if _, perr := a.db.PruneRateCounts(ctx, time.Now().Add(-25*time.Hour)); perr != nil && ctx.Err() == nil {
				a.log.Warn("pruning rate counts", "err", perr)
			}
			return err
		})
		raised.WithLabelValues("warning").Add(float64(warned))
		raised.WithLabelValues("overdue").Add(float64(overdue))
		if ran || err != nil {
			job.ran(err)
		}
		if err != nil && ctx.Err() == nil {
			a.log.Error("deadline job", "err", err)
		} else if warned+overdue > 0 {
			a.log.Info("deadlines checked", "warned", warned, "overdue", overdue)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneAccounts deletes login attempts past their retention and sessions
// that ended unused.
func (a *app) pruneAccounts(ctx context.Context) {
	attempts, sessions, err := a.auth.Prune(ctx)
	if err != nil && ctx.Err() == nil {
		a.log.Error("pruning login history and sessions", "err", err)
	} else if attempts+sessions > 0 {
		a.log.Info("login history and sessions pruned", "attempts", attempts, "sessions", sessions)
	}
}

// redactDSN hides a DSN's password for the log.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unreadable)"
	}
	return u.Redacted()
}
