package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// pageOptions are the flags of the pages, shared by serve and demo.
type pageOptions struct {
	tileURL    string
	demoLogins bool
	publicURL  string
}

func (o *pageOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.tileURL, "tile-url", "", "map tiles URL template, e.g. http://tiles.intranet/{z}/{x}/{y}.png (empty: grids on a blank background)")
	fs.BoolVar(&o.demoLogins, "demo-logins", false, "list the demo accounts and their password on the login page (demo databases only)")
	fs.StringVar(&o.publicURL, "public-url", "", "the address residents and clients reach jiedao at, e.g. https://jiedao.example.gov.cn: QR codes encode it, Open311 discovery names its endpoint under it (empty: QR codes take the address of whoever prints them, discovery names the address served, or gives the path only on a wildcard address)")
}

// web wires the pages over the app's services.
func (a *app) web() *web.Handler {
	h := web.Handler{Auth: a.auth, Cases: a.cases, Directory: a.dir, Log: a.log, TileURL: a.pages.tileURL, Figures: a.figures, Roster: a.db.Roster(),
		Photos: &casework.Photos{Store: a.db.Photos(), Cases: a.cases}, Enterprises: a.ent, Books: a.books.api(),
		PublicURL:  strings.TrimRight(a.pages.publicURL, "/"),
		CaseEvents: func() (<-chan string, func()) { return a.db.Subscribe(store.TopicCases) }}
	h.ReportDocs = a.reportDocs() // the work report (report.go)
	h.DutyRosters = a.dutyRosters()
	h.AuditTrail = a.auditTrail() // the audit administrator's (authpolicy.go)
	if a.pages.demoLogins {
		// A demo prints its passwords on the login page: forcing two
		// factors or a password change there would protect nothing and
		// stop every visitor. Both stay offered (docs/dengbao.md).
		a.auth.Policy.TwoFactorRoles, a.auth.Policy.PasswordMaxAge = nil, 0
		logins := demo.Logins()
		if js, err := a.db.Org().ListJurisdictions(context.Background()); err == nil && len(js) > 1 {
			logins = append(logins, demo.DistrictLogins()...) // demo --district
		}
		for _, l := range logins {
			h.DemoLogins = append(h.DemoLogins, web.DemoLogin{Username: l.Username, Role: l.Role})
		}
		h.DemoPassword = demo.Password
	}
	return web.New(h)
}

// guardOptions are the flags of the server's guards, shared by serve and
// demo: rate limits, the proxies believed about client addresses, the
// metrics token, and how long the login history is kept.
type guardOptions struct {
	limits       server.Limits
	trustedProxy string
	metricsToken string
	historyDays  int
}

func (o *guardOptions) flags(fs *flag.FlagSet) {
	o.limits = server.DefaultLimits()
	fs.Var(&o.limits.Report, "rate-report", "residents' reports per client address (pages and API): N/DURATION or off")
	fs.Var(&o.limits.Open311, "rate-open311", "Open311 POSTs per client address: N/DURATION or off")
	fs.Var(&o.limits.Track, "rate-track", "following and rating a case by phone number, per client address: N/DURATION or off")
	fs.Var(&o.limits.Login, "rate-login", "sign-in attempts per client address (pages and API): N/DURATION or off")
	fs.StringVar(&o.trustedProxy, "trusted-proxy", "", "reverse proxies (CIDR, comma-separated) whose X-Forwarded-For / X-Real-IP name the client")
	fs.StringVar(&o.metricsToken, "metrics-token", "", "bearer token for /metrics from other machines (without it, /metrics answers loopback only)")
	fs.IntVar(&o.historyDays, "login-history-days", int(org.DefaultHistoryFor/(24*time.Hour)), "days a sign-in attempt is kept in the login history (等保: at least 180)")
}

// apply sets the guards on the server and the login history's retention.
func (o *guardOptions) apply(srv *server.Server, auth *org.Auth, db *store.DB) error {
	proxies, err := server.ParseTrustedProxies(o.trustedProxy)
	if err != nil {
		return err
	}
	if o.historyDays < 1 {
		return fmt.Errorf("--login-history-days %d: want at least 1", o.historyDays)
	}
	srv.Limits, srv.TrustedProxies, srv.MetricsToken = o.limits, proxies, o.metricsToken
	auth.Policy.HistoryFor = time.Duration(o.historyDays) * 24 * time.Hour
	if db == nil {
		return nil
	}
	if rc := db.RateCounter(); rc != nil { // several nodes on PostgreSQL count together
		srv.Shared = rc
	}
	return nil
}

// check refuses a --public-url that is not an absolute http(s) address.
func (o *pageOptions) check() error {
	if o.publicURL == "" {
		return nil
	}
	u, err := url.Parse(o.publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--public-url %q: want an absolute http(s) address such as https://jiedao.example.gov.cn", o.publicURL)
	}
	return nil
}
