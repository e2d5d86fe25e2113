// Package server assembles jiedao's HTTP surface: the route table
// (routes.go), the middleware every request passes (identity, security
// headers, logging, metrics, panics), health and metrics.
package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/open311"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/web"
)

// Pinger checks the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is jiedao's HTTP handler with its metrics and readiness.
type Server struct {
	api   *api.Handler
	auth  *org.Auth
	db    Pinger
	log   *slog.Logger
	ready atomic.Bool

	// Open311 answers GeoReport v2; New's caller sets it before Handler.
	Open311 *open311.Handler
	// Web serves the pages; New's caller sets it before Handler.
	Web *web.Handler
	// Intake answers the machine channels; New's caller sets it before Handler.
	Intake *intake.Handler

	// Limits are the rates of the route table's limit classes, per client
	// address and per process; the zero value limits nothing.
	Limits Limits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Real-IP name the client; other peers are the client themselves.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, lets a scraper from another machine read
	// /metrics with "Authorization: Bearer TOKEN".
	MetricsToken string
	// Shared, when set, counts the rate limits across every process that
	// shares the database (ratelimit.go); nil counts in this process only.
	Shared SharedCounter
	// Replica, when set, serves the reads that may lag from a streaming
	// replica, each session reading its own writes (replica.go).
	Replica Replica
	// Clock is the rate limiters' clock; nil is time.Now.
	Clock func() time.Time

	// sharedWarned is when the shared counter's failure was last logged.
	sharedWarned atomic.Int64

	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	limited  *prometheus.CounterVec
}

// New builds the server. It answers /healthz with 503 until SetReady.
func New(h *api.Handler, auth *org.Auth, db Pinger, log *slog.Logger) *Server {
	s := &Server{api: h, auth: auth, db: db, log: log, registry: prometheus.NewRegistry()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jiedao_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "jiedao_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	s.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jiedao_http_rate_limited_total", Help: "Requests refused with 429 by the rate limits, by limit class (per process).",
	}, []string{"class"})
	s.registry.MustRegister(s.requests, s.duration, s.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s
}

// Registry is where other parts (the deadline job) register their metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// SetReady marks the server ready to serve.
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Handler returns the whole HTTP handler.
func (s *Server) Handler() http.Handler {
	now := s.Clock
	if now == nil {
		now = time.Now
	}
	limiters := map[rateClass]*limiter{}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		var lim *limiter
		if rate := s.Limits.of(rt.limit); rt.limit != noLimit && !rate.Off() {
			// One limiter per class: the routes of a class share the
			// client's bucket, so /login and /api/v1/login count together.
			if limiters[rt.limit] == nil {
				limiters[rt.limit] = newLimiter(rate, now)
			}
			lim = limiters[rt.limit]
		}
		mux.Handle(rt.pattern, s.wrap(rt, lim))
	}
	tiles := ""
	if s.Web != nil {
		tiles = s.Web.TileURL
	}
	return securityHeaders(contentPolicy(tiles), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			s.noRoute(w, r, mux)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// noRoute answers a request no route matches with the mux's own verdict
// (404, or 405 with Allow), in the path's error form (fail).
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	probe := &headerProbe{header: http.Header{}}
	mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		s.fail(w, r, jiedao.Errorf(jiedao.EMETHOD, "不支持该请求方法", "method not allowed"))
		return
	}
	s.fail(w, r, jiedao.Errorf(jiedao.ENOTFOUND, "页面不存在", "no such page"))
}

// fail answers a request the server refuses before (or instead of) its
// handler in the form its path speaks: JSON under /api/, Open311's error
// list under /open311/, and an HTML page in the reader's language, with a
// way back, everywhere else (docs/pages.md, "Errors").
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/open311/") && s.Open311 != nil:
		s.Open311.Fail(w, r, err)
	case isAPIPath(r.URL.Path) || s.Web == nil:
		api.WriteError(w, r, s.log, err)
	default:
		s.Web.Fail(w, r, err)
	}
}

// isAPIPath reports whether a path is answered in JSON: the API and the
// machine channels under it. /open311/ has its own error form.
func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// headerProbe records what the mux would answer without writing it.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("health check: database", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap gives a route its middleware: panic recovery, the client's
// address, the rate limit, identity and access, logging and metrics
// labelled by the route pattern (never the raw path, which would make a
// metric per case). lim is the route's limiter, nil for none.
func (s *Server) wrap(rt route, lim *limiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p == http.ErrAbortHandler {
				// A download that failed half way cuts the connection, so
				// that the client sees it broken rather than complete:
				// counted and logged here, then net/http drops it.
				defer panic(p)
				s.log.Warn("response aborted", "route", rt.pattern)
			} else if p != nil {
				s.log.Error("panic", "route", rt.pattern, "panic", p)
				if sw.status == 0 {
					s.fail(sw, r, jiedao.Errorf(jiedao.EINTERNAL, "系统内部错误", "internal error"))
				}
			}
			d := time.Since(start)
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			s.requests.WithLabelValues(rt.pattern, strconv.Itoa(code)).Inc()
			s.duration.WithLabelValues(rt.pattern).Observe(d.Seconds())
			lvl := slog.LevelDebug
			if code >= 500 {
				lvl = slog.LevelWarn
			}
			s.log.Log(r.Context(), lvl, "request", "method", r.Method, "path", r.URL.Path, "status", code, "ms", d.Milliseconds())
		}()
		addr := clientAddr(r, s.TrustedProxies)
		if addr.IsValid() {
			r = r.WithContext(api.WithClientIP(r.Context(), addr.String()))
		}
		if rt.access == monitor {
			s.monitorOnly(sw, r, addr, rt.handler)
			return
		}
		// Before identity: a flood must not cost a session lookup each.
		if lim != nil {
			if ok, wait := s.limit(r, rt, lim, addr); !ok {
				s.limited.WithLabelValues(string(rt.limit)).Inc()
				s.tooMany(sw, r, wait)
				return
			}
		}
		// Every query string is text: a NUL or invalid UTF-8 in any
		// parameter is 400 in the route's own form, before any handler
		// (and any database) sees it.
		if err := api.ValidUTF8(r.URL.Query()); err != nil {
			s.fail(sw, r, err)
			return
		}
		actor, ok, err := api.Identify(r.Context(), s.auth, r)
		// On a public route a stale session cookie (a resident's browser
		// once signed in as staff) leaves the request anonymous; a bad
		// key or token that a client sent on purpose is refused.
		staleCookie := (rt.access == public || rt.access == page) && jiedao.ErrorCode(err) == jiedao.EUNAUTHORIZED &&
			r.Header.Get("Authorization") == "" && r.Header.Get("X-API-Key") == ""
		if err != nil && !staleCookie {
			s.fail(sw, r, err)
			return
		}
		if !ok && rt.access == page {
			// A browser without a session goes to the login page and
			// comes back after signing in.
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(sw, r, "/login"+next, http.StatusSeeOther)
			return
		}
		if !ok && rt.access == signedIn {
			api.WriteError(sw, r, s.log, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in"))
			return
		}
		if ok {
			// Issue 18 (fence.go): a cookie-authenticated API write from
			// another site, and routes beyond a fenced actor's.
			if actor.Kind == org.ActorStaff && s.crossSiteAPIWrite(r) {
				api.WriteError(sw, r, s.log, errCrossSite)
				return
			}
			if s.fenced(sw, r, rt, actor) {
				return
			}
			r = r.WithContext(api.WithActor(r.Context(), actor))
		}
		if s.Replica != nil {
			w, r := s.routeReads(rt, sw, r) // replica.go
			rt.handler(w, r)
			return
		}
		rt.handler(sw, r)
	})
}

// tooMany answers a request over its limit with 429 and Retry-After, in
// the route's own format: the JSON error for the API, Open311's error list,
// and for pages the form again, with what was typed, and the message.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	err := jiedao.Errorf(jiedao.ETOOMANY, "操作过于频繁，请 %d 秒后再试", "too many requests: try again in %d seconds", secs)
	switch {
	case strings.HasPrefix(r.URL.Path, "/open311/") && s.Open311 != nil:
		s.Open311.Fail(w, r, err)
	case !isAPIPath(r.URL.Path) && s.Web != nil:
		s.Web.TooMany(w, r, err)
	default:
		api.WriteError(w, r, s.log, err)
	}
}

// monitorOnly serves a monitoring route (/metrics, which names every route
// and its volume) to this machine, or to a scraper with the metrics token.
// "This machine" is a loopback client that came through no proxy: a
// reverse proxy on the same host forwards the public from loopback too.
// Others get 404 when no token is set, as if there were nothing here, and
// 401 when one is.
func (s *Server) monitorOnly(w http.ResponseWriter, r *http.Request, addr netip.Addr, next http.HandlerFunc) {
	if addr.IsLoopback() && !forwarded(r) {
		next(w, r)
		return
	}
	if s.MetricsToken != "" {
		got, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if found && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.MetricsToken)) == 1 {
			next(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		api.WriteError(w, r, s.log, jiedao.Errorf(jiedao.EUNAUTHORIZED, "需要监控令牌", "the metrics token is required"))
		return
	}
	api.WriteError(w, r, s.log, jiedao.Errorf(jiedao.ENOTFOUND, "页面不存在", "no such page"))
}

// contentPolicy is the Content-Security-Policy: everything from jiedao
// itself; images also as data: and blob: (photos shown before upload) and
// from the configured map tile server's origin (serve --tile-url), never
// from anywhere else.
func contentPolicy(tileURL string) string {
	img := "'self' data: blob:"
	if i := strings.Index(tileURL, "://"); i > 0 {
		origin := tileURL
		if j := strings.IndexAny(tileURL[i+3:], "/?#"); j >= 0 {
			origin = tileURL[:i+3+j]
		}
		// Only a plain scheme://host[:port]: anything else would add to
		// the policy's syntax.
		if originRE.MatchString(origin) {
			img += " " + origin
		}
	}
	return "default-src 'self'; img-src " + img + "; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
}

var originRE = regexp.MustCompile(`^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)

// securityHeaders sets the headers every response carries.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		if r.TLS != nil {
			// Served over HTTPS: browsers keep to it for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
