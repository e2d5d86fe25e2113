package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

// from sends a request as the client at ip, through the loopback proxy
// the test server trusts, and returns the status, headers and body.
func (e *env) from(ip, method, path, contentType, body string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// tightLimits: two of each a minute (one for Open311), clients named by
// the X-Forwarded-For of the loopback proxy.
func tightLimits(s *server.Server) {
	s.Limits = server.Limits{
		Report: server.Rate{Burst: 2, Per: time.Minute}, Open311: server.Rate{Burst: 1, Per: time.Minute},
		Track: server.Rate{Burst: 2, Per: time.Minute}, Login: server.Rate{Burst: 2, Per: time.Minute},
	}
	s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

func want429(t *testing.T, what string, st int, h http.Header, body, contains string) {
	t.Helper()
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, contains) {
		t.Fatalf("%s: status %d, Retry-After %q, want 429 with %q in:\n%.600s", what, st, h.Get("Retry-After"), contains, body)
	}
}

// TestRateLimits: each limited class answers 429 with Retry-After in the
// route's own format once a client address has spent its bucket; other
// addresses are not affected; the bucket refills with time; refusals are
// counted in the metrics.
func TestRateLimits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvPolicy(t, db, longSessions(), tightLimits)
		const json = "application/json"
		const form = "application/x-www-form-urlencoded"

		// Sign-in: the API and the page share one bucket per address.
		bad := `{"username":"dispatcher","password":"wrong-password"}`
		for i := range 2 {
			if st, _, body := e.from("198.51.100.1", "POST", "/api/v1/login", json, bad); st != http.StatusUnauthorized {
				t.Fatalf("login %d: %d %s", i+1, st, body)
			}
		}
		st, h, body := e.from("198.51.100.1", "POST", "/api/v1/login", json, bad)
		want429(t, "API login", st, h, body, `"code":"too_many"`)
		if h.Get("Retry-After") != "30" {
			t.Errorf("Retry-After %q, want 30 (a token every 30 s)", h.Get("Retry-After"))
		}
		st, h, body = e.from("198.51.100.1", "POST", "/login", form, url.Values{"username": {"dispatcher"}, "password": {"x"}}.Encode())
		want429(t, "login page", st, h, body, "操作过于频繁")
		if !strings.Contains(body, `value="dispatcher"`) || !strings.Contains(body, `action="/login"`) {
			t.Fatalf("the login page over the limit lost the username or the form:\n%s", body)
		}
		if st, _, _ := e.from("198.51.100.2", "POST", "/api/v1/login", json, bad); st != http.StatusUnauthorized {
			t.Fatalf("another address was limited too: %d", st)
		}
		e.clock.Advance(30 * time.Second)
		good := fmt.Sprintf(`{"username":%q,"password":%q}`, e.fx.Dispatcher.Username, fixture.Password)
		if st, _, body := e.from("198.51.100.1", "POST", "/api/v1/login", json, good); st != http.StatusOK {
			t.Fatalf("after 30 s a sign-in should pass: %d %s", st, body)
		}

		// Residents' reports: the JSON API and the pages.
		report := `{"category":"0101","details":"楼下垃圾堆积","address":"文一路1号"}`
		for i := range 2 {
			if st, _, body := e.from("198.51.100.3", "POST", "/api/v1/cases", json, report); st != http.StatusCreated {
				t.Fatalf("report %d: %d %s", i+1, st, body)
			}
		}
		st, h, body = e.from("198.51.100.3", "POST", "/api/v1/cases", json, report)
		want429(t, "API report", st, h, body, `"code":"too_many"`)
		grid := e.fx.GridW1.Code
		typed := url.Values{"category": {"0101"}, "details": {"小区门口路灯不亮"}, "phone": {"13700001111"}, "grid_id": {fmt.Sprint(e.fx.GridW1.ID)}}
		st, h, body = e.from("198.51.100.3", "POST", "/r/"+grid, form, typed.Encode())
		want429(t, "report page", st, h, body, "操作过于频繁")
		if !strings.Contains(body, "小区门口路灯不亮") || !strings.Contains(body, `value="13700001111"`) || !strings.Contains(body, `action="/r/`+grid+`"`) {
			t.Fatalf("the report form over the limit lost what was typed:\n%s", body)
		}

		// Open311: the spec's error list, in JSON and in XML.
		if st, _, body := e.from("198.51.100.4", "POST", "/open311/v2/requests.json", form, "service_code=0101"); st != http.StatusForbidden {
			t.Fatalf("open311 without a key: %d %s", st, body)
		}
		st, h, body = e.from("198.51.100.4", "POST", "/open311/v2/requests.json", form, "service_code=0101")
		want429(t, "Open311 JSON", st, h, body, `[{"code":429,"description":"操作过于频繁`)
		st, h, body = e.from("198.51.100.4", "POST", "/open311/v2/servicerequestupdates.xml", form, "")
		want429(t, "Open311 XML", st, h, body, "<errors><error><code>429</code>")

		// Following a case by phone number: the limit stops guessing.
		for i := range 2 {
			if st, _, body := e.from("198.51.100.5", "GET", "/api/v1/track/20240611-0001?phone=1370000000"+fmt.Sprint(i), "", ""); st != http.StatusNotFound {
				t.Fatalf("track %d: %d %s", i+1, st, body)
			}
		}
		st, h, body = e.from("198.51.100.5", "POST", "/api/v1/track/20240611-0001/rating", json, `{"phone":"13700000009","rating":"satisfied"}`)
		want429(t, "API rating", st, h, body, `"code":"too_many"`)
		st, h, body = e.from("198.51.100.5", "POST", "/track", form, url.Values{"number": {"20240611-0001"}, "phone": {"13700000010"}}.Encode())
		want429(t, "track page", st, h, body, "操作过于频繁")
		if !strings.Contains(body, `value="20240611-0001"`) || !strings.Contains(body, `action="/track"`) {
			t.Fatalf("the track page over the limit lost the case number:\n%s", body)
		}

		// Routes without a class are never limited.
		for range 5 {
			if st, _, _ := e.from("198.51.100.3", "GET", "/api/v1/categories", "", ""); st != http.StatusOK {
				t.Fatalf("an unlimited route was limited: %d", st)
			}
		}

		_, _, metrics := e.from("", "GET", "/metrics", "", "")
		for _, m := range []string{
			`jiedao_http_rate_limited_total{class="login"} 2`, `jiedao_http_rate_limited_total{class="report"} 2`,
			`jiedao_http_rate_limited_total{class="open311"} 2`, `jiedao_http_rate_limited_total{class="track"} 2`,
			`jiedao_http_requests_total{code="429",route="POST /api/v1/login"} 1`,
		} {
			if !strings.Contains(metrics, m) {
				t.Errorf("metrics lack %s", m)
			}
		}
	})
}

// TestMetricsAccess: /metrics answers this machine, or a scraper with the
// token; not a peer elsewhere, nor a request a local proxy forwarded.
// /healthz stays public.
func TestMetricsAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		get := func(h http.Handler, peer string, header ...string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.RemoteAddr = peer
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		h := e.srv.Handler()
		if rec := get(h, "127.0.0.1:40000"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Fatalf("loopback: %d", rec.Code)
		}
		if rec := get(h, "203.0.113.9:40000"); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Fatalf("another machine without a token configured: %d %s", rec.Code, rec.Body)
		}
		if rec := get(h, "127.0.0.1:40000", "X-Forwarded-For", "203.0.113.9"); rec.Code != http.StatusNotFound {
			t.Fatalf("forwarded by a local proxy: %d", rec.Code)
		}
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = "203.0.113.9:40000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("healthz from another machine: %d", rec.Code)
		}

		e.srv.MetricsToken = "scrape-token-123"
		h = e.srv.Handler()
		if rec := get(h, "203.0.113.9:40000"); rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
			t.Fatalf("no token: %d %v", rec.Code, rec.Header())
		}
		if rec := get(h, "203.0.113.9:40000", "Authorization", "Bearer wrong"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", rec.Code)
		}
		if rec := get(h, "203.0.113.9:40000", "Authorization", "Bearer scrape-token-123"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Fatalf("with the token: %d", rec.Code)
		}
	})
}
