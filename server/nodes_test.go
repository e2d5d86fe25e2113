package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/open311"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

// TestRateLimitsPerKey: a request presenting a valid API key is counted
// per key, with the client's own rate when the administrator set one, so
// that a city platform posting from one address is not held to what one
// address may post; a wrong key counts against its address. On PostgreSQL
// a second node (another Server over the same database) shares the count:
// a client spread over two nodes gets its limit once, not twice.
func TestRateLimitsPerKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shared := func(s *server.Server) {
			tightLimits(s) // Open311: one a minute per address
			if rc := db.RateCounter(); rc != nil {
				s.Shared = rc
			}
		}
		e := newEnvPolicy(t, db, longSessions(), shared)
		admin := org.StaffActor(e.fx.Admin)
		dir := &org.Directory{Store: db.Org(), Audit: db.Audit()}
		cityKey, city, err := dir.CreateAPIClient(ctx, admin, e.auth, "城市平台", "hotline")
		if err != nil {
			t.Fatal(err)
		}
		if err := dir.SetAPIClientRate(ctx, admin, city.ID, "5/1m"); err != nil {
			t.Fatal(err)
		}
		if err := dir.SetAPIClientRate(ctx, admin, city.ID, "lots"); err == nil {
			t.Fatal("a malformed rate limit was accepted")
		}
		appKey, _, err := dir.CreateAPIClient(ctx, admin, e.auth, "小程序", "xihu_code")
		if err != nil {
			t.Fatal(err)
		}

		// A second node: another server over the same database and clock.
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv2 := server.New(&api.Handler{Auth: e.auth, Cases: e.cases, Directory: dir, Log: log}, e.auth, db, log)
		srv2.Open311 = &open311.Handler{Cases: e.cases, Auth: e.auth, Org: db.Org(), Log: log}
		srv2.Clock = e.clock.Now
		shared(srv2)
		srv2.SetReady(true)
		ts2 := httptest.NewServer(srv2.Handler())
		t.Cleanup(ts2.Close)
		node2 := &env{t: t, url: ts2.URL}

		const form = "application/x-www-form-urlencoded"
		post := func(n *env, key string) int {
			st, _, _ := n.from("198.51.100.20", "POST", "/open311/v2/requests.json", form,
				url.Values{"api_key": {key}, "service_code": {"0101"}, "description": {"路灯不亮"}}.Encode())
			return st
		}
		nodes := []*env{e}
		if db.Engine() == store.Postgres {
			nodes = append(nodes, node2) // SQLite: one process serves
		}
		// The city's five a minute, spread over the nodes, from one address.
		for i := range 5 {
			if st := post(nodes[i%len(nodes)], cityKey); st == http.StatusTooManyRequests {
				t.Fatalf("the city's request %d of its 5 a minute was refused", i+1)
			}
		}
		for _, n := range nodes {
			if st := post(n, cityKey); st != http.StatusTooManyRequests {
				t.Fatalf("the city's 6th request in the minute: %d, want 429", st)
			}
		}
		// The app from the same address has its own bucket, at the class's rate.
		if st := post(e, appKey); st == http.StatusTooManyRequests {
			t.Fatal("the city's requests used up another client's bucket")
		}
		if st := post(nodes[len(nodes)-1], appKey); st != http.StatusTooManyRequests {
			t.Fatalf("the app's 2nd request (one a minute): %d, want 429", st)
		}
		// Invented keys count against the address: the first passes the
		// limit (and is refused 403), the second is limited.
		if st := post(e, "jd_invented1"); st != http.StatusForbidden {
			t.Fatalf("a wrong key: %d, want 403", st)
		}
		if st := post(nodes[len(nodes)-1], "jd_invented2"); st != http.StatusTooManyRequests {
			t.Fatalf("another wrong key from the same address: %d, want 429", st)
		}
	})
}

// fakeReplica records what the server asks of the replica.
type fakeReplica struct {
	mu     sync.Mutex
	lsn    int
	lagged []string // the after of each MayLag, by path
}

func (f *fakeReplica) MayLag(ctx context.Context, after string) context.Context {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lagged = append(f.lagged, after)
	return ctx
}

func (f *fakeReplica) WriteLSN(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lsn++
	return fmt.Sprintf("0/%X", f.lsn), nil
}

// TestReplicaRouting: with a replica, a write's answer carries the
// primary's WAL position in a cookie; a dashboard, report or export asks
// the replica with that position (so that the session reads its own
// writes); other reads never go to the replica, and a refused write sets
// no cookie.
func TestReplicaRouting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rp := &fakeReplica{}
		e := newEnvPolicy(t, db, longSessions(), func(s *server.Server) { s.Replica = rp })
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		var login struct {
			Token string `json:"token"`
		}
		post := func(path, body string) *http.Response {
			resp, err := hc.Post(e.url+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			_ = json.NewDecoder(resp.Body).Decode(&login)
			resp.Body.Close()
			return resp
		}
		token := ""
		get := func(path string) int {
			req, _ := http.NewRequest("GET", e.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		walOf := func(resp *http.Response) string {
			for _, c := range resp.Cookies() {
				if c.Name == "jiedao_wal" {
					return c.Value
				}
			}
			return ""
		}
		if resp := post("/api/v1/login", `{"username":"dispatcher","password":"wrong"}`); walOf(resp) != "" {
			t.Fatal("a refused sign-in set the WAL cookie")
		}
		resp := post("/api/v1/login", fmt.Sprintf(`{"username":%q,"password":%q}`, e.fx.Leader.Username, fixture.Password))
		if resp.StatusCode != http.StatusOK || walOf(resp) != "0/1" {
			t.Fatalf("sign-in: %d, WAL cookie %q, want 0/1", resp.StatusCode, walOf(resp))
		}
		token = login.Token
		if st := get("/api/v1/cases"); st != http.StatusOK {
			t.Fatalf("case list: %d", st)
		}
		if len(rp.lagged) != 0 {
			t.Fatalf("the case list (not a lagging read) asked the replica: %v", rp.lagged)
		}
		if st := get("/api/v1/report?year=2024"); st != http.StatusOK {
			t.Fatalf("report: %d", st)
		}
		if st := get("/dashboard"); st != http.StatusOK {
			t.Fatalf("dashboard: %d", st)
		}
		if want := []string{"0/1", "0/1"}; !slices.Equal(rp.lagged, want) {
			t.Fatalf("the replica was asked %v, want %v (the session's last write)", rp.lagged, want)
		}
	})
}
