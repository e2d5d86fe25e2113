package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/open311"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// env is a running server over a fixture organisation.
type env struct {
	t     *testing.T
	url   string
	fx    *fixture.Org
	clock *fixture.Clock
	srv   *server.Server
	db    *store.DB
	cases *casework.Service
	auth  *org.Auth
	intk  *intake.Service
	books *api.Books // ledgers, indicators, targets, campaigns
}

func newEnv(t *testing.T, db *store.DB) *env {
	return newEnvPolicy(t, db, longSessions())
}

// longSessions keeps sessions alive while a test moves its clock by days;
// TestSessionIdleExpiry checks the real policy.
func longSessions() org.AuthPolicy {
	p := org.DefaultAuthPolicy()
	p.IdleTimeout, p.SessionLimit = 30*24*time.Hour, 30*24*time.Hour
	return p
}

// newEnvPolicy starts the server with an account policy; configure, if
// any, sets the server's guards (limits, proxies, metrics token) first.
func newEnvPolicy(t *testing.T, db *store.DB, policy org.AuthPolicy, configure ...func(*server.Server)) *env {
	t.Helper()
	ctx := context.Background()
	fx, err := fixture.Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Tuesday 2024-06-11 09:00, China time: a working day.
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now}
	h := &api.Handler{Auth: auth, Cases: fx.Service(clock.Now), Directory: &org.Directory{Store: db.Org()}, Log: log}
	h.Enterprises = &enterprise.Service{Store: db.Enterprises(), Cases: h.Cases, Audit: db.Audit(), Now: clock.Now}
	h.ReportDocs = &report.Docs{Store: db.ReportDocs(), Cases: h.Cases, Now: clock.Now} // the work report
	srv := server.New(h, auth, db, log)
	srv.Open311 = &open311.Handler{Cases: h.Cases, Auth: auth, Org: db.Org(), Log: log}
	srv.Intake = &intake.Handler{Service: &intake.Service{Store: db.Intake(), Cases: h.Cases, Now: clock.Now}, Log: log}
	h.Books = booksOf(t, db, h.Cases, clock.Now)
	srv.Web = web.New(web.Handler{Auth: auth, Cases: h.Cases, Directory: h.Directory, Log: log,
		Photos: &casework.Photos{Store: db.Photos(), Cases: h.Cases}, Enterprises: h.Enterprises, Books: h.Books})
	srv.Web.ReportDocs = h.ReportDocs
	h.DutyRosters = &duty.RosterService{Store: db.Roster(), Calendars: h.Cases.Calendars, Staff: db.Org(), Audit: db.Audit(), Now: clock.Now} // the duty roster
	srv.Web.DutyRosters = h.DutyRosters
	// The audit administrator's trail (issue 18), verified as serve does.
	h.AuditTrail = &org.AuditTrail{Store: db.Audit(), Audit: db.Audit(), Verify: func(ctx context.Context) (*org.AuditCheck, error) {
		rep, err := db.VerifyAudit(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &org.AuditCheck{OK: rep.Problem == nil, Verified: rep.Verified, Head: rep.Head.String()}, nil
	}}
	srv.Web.AuditTrail = h.AuditTrail
	srv.Clock = clock.Now
	for _, c := range configure {
		c(srv)
	}
	srv.SetReady(true)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, fx: fx, clock: clock, srv: srv, db: db, cases: h.Cases, auth: auth, intk: srv.Intake.Service, books: h.Books}
}

// call sends a JSON request with a bearer token ("" for none) and decodes
// the answer into out (when not nil); it returns the status.
func (e *env) call(token, method, path string, body, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

func (e *env) login(s *org.Staff) string {
	e.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	if st := e.call("", "POST", "/api/v1/login", map[string]string{"username": s.Username, "password": fixture.Password}, &out); st != 200 || out.Token == "" {
		e.t.Fatalf("login %s: status %d", s.Username, st)
	}
	return out.Token
}

type caseJSON struct {
	ID         int64           `json:"id"`
	Number     string          `json:"number"`
	Status     casework.Status `json:"status"`
	UnitID     int64           `json:"unit_id"`
	GridID     int64           `json:"grid_id"`
	EventCount int             `json:"event_count"`
	Rating     string          `json:"rating"`
	Reporter   casework.Contact
	Suggested  int64 `json:"suggested_unit_id"`
}

type errJSON struct {
	Error api.ErrorDetail `json:"error"`
}

// TestCaseLoopOverHTTP walks one case through every step of the loop, each
// by the role that owns it, and checks that every step tried by the wrong
// role or in the wrong state is refused and changes nothing.
func TestCaseLoopOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		fx := e.fx
		tok := map[org.Role]string{}
		for _, r := range org.Roles() {
			tok[r] = e.login(fx.Staff(r))
		}
		market := e.login(fx.MarketHandler)

		// A resident reports by QR code, without signing in, in GCJ-02 as a
		// phone map gives it.
		p := geo.WGS84ToGCJ02(fx.Points[fx.GridW2.ID])
		var c caseJSON
		st := e.call("", "POST", "/api/v1/cases", map[string]any{
			"category": fixture.CatExposedTrash, "details": "文华路口垃圾桶满溢，垃圾散落路面",
			"lat": p.Lat, "lon": p.Lon, "gcj02": true, "reporter": map[string]string{"name": "王小明", "phone": "13812345678"},
		}, &c)
		if st != http.StatusCreated {
			t.Fatalf("report: status %d", st)
		}
		if c.Status != casework.StatusReported || c.GridID != fx.GridW2.ID || c.Suggested != fx.Chengguan.ID {
			t.Fatalf("report: got %+v, want reported in grid W2 routed to 城管科", c)
		}
		if !strings.HasPrefix(c.Number, "20240611-") {
			t.Fatalf("case number %q should start with the day", c.Number)
		}
		path := fmt.Sprintf("/api/v1/cases/%d", c.ID)

		// step tries one step and checks the status; a refused step must
		// leave the case exactly as it was.
		step := func(token string, body map[string]any, wantStatus int, wantCode string) caseJSON {
			t.Helper()
			var before caseJSON
			e.call(tok[org.RoleDispatcher], "GET", path, nil, &before)
			var out caseJSON
			var eb errJSON
			raw := map[string]any{}
			st := e.call(token, "POST", path+"/steps", body, &raw)
			b, _ := json.Marshal(raw)
			if st == http.StatusOK {
				_ = json.Unmarshal(b, &out)
			} else {
				_ = json.Unmarshal(b, &eb)
			}
			if st != wantStatus {
				t.Fatalf("%v: status %d (%s), want %d", body, st, b, wantStatus)
			}
			if wantCode != "" {
				if eb.Error.Code != wantCode || eb.Error.Message == "" || eb.Error.MessageEn == "" {
					t.Fatalf("%v: error %+v, want code %s with both messages", body, eb.Error, wantCode)
				}
				var after caseJSON
				e.call(tok[org.RoleDispatcher], "GET", path, nil, &after)
				if after != before {
					t.Fatalf("%v was refused but changed the case: %+v → %+v", body, before, after)
				}
			}
			return out
		}
		// refusedBy tries a step by roles that may not take it: those who
		// can see the case are forbidden, those who cannot are told it does
		// not exist, so that its existence does not leak.
		refusedBy := func(action string, roles ...org.Role) {
			t.Helper()
			for _, r := range roles {
				var probe caseJSON
				if e.call(tok[r], "GET", path, nil, &probe) == http.StatusOK {
					step(tok[r], map[string]any{"action": action, "reason": "试试", "unit_id": fx.Chengguan.ID}, http.StatusForbidden, "forbidden")
				} else {
					step(tok[r], map[string]any{"action": action, "reason": "试试", "unit_id": fx.Chengguan.ID}, http.StatusNotFound, "not_found")
				}
			}
		}

		// Out of order: nothing but accept or reject from reported.
		for _, a := range []string{"dispatch", "sign", "handle", "verify", "close"} {
			step(tok[org.RoleDispatcher], map[string]any{"action": a, "unit_id": fx.Chengguan.ID, "reason": "试试"}, http.StatusConflict, "conflict")
		}
		refusedBy("accept", org.RoleUnitHandler, org.RoleGridWorker, org.RoleLeader, org.RoleCommunityStaff)
		step(tok[org.RoleDispatcher], map[string]any{"action": "reject"}, http.StatusBadRequest, "invalid") // no reason
		step(tok[org.RoleDispatcher], map[string]any{"action": "fly"}, http.StatusBadRequest, "invalid")

		c = step(tok[org.RoleDispatcher], map[string]any{"action": "accept"}, 200, "")
		if c.Status != casework.StatusAccepted {
			t.Fatalf("accept: %s", c.Status)
		}
		refusedBy("dispatch", org.RoleUnitLead, org.RoleLeader)
		step(tok[org.RoleDispatcher], map[string]any{"action": "dispatch"}, http.StatusBadRequest, "invalid") // no unit
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "dispatch", "unit_id": fx.Chengguan.ID}, 200, "")
		if c.Status != casework.StatusDispatched || c.UnitID != fx.Chengguan.ID {
			t.Fatalf("dispatch: %+v", c)
		}
		// Another unit can neither see nor sign for it.
		if st := e.call(market, "GET", path, nil, nil); st != http.StatusNotFound {
			t.Fatalf("another unit reading the case: status %d, want 404", st)
		}
		step(market, map[string]any{"action": "sign"}, http.StatusNotFound, "not_found")

		// The unit returns it; the dispatcher sends it back.
		step(tok[org.RoleUnitHandler], map[string]any{"action": "return"}, http.StatusBadRequest, "invalid")
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "return", "reason": "不属于本科室职责"}, 200, "")
		if c.Status != casework.StatusReturned {
			t.Fatalf("return: %s", c.Status)
		}
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "dispatch", "unit_id": fx.Chengguan.ID}, 200, "")

		e.clock.Advance(30 * time.Minute)
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "sign"}, 200, "")
		if c.Status != casework.StatusSigned {
			t.Fatalf("sign: %s", c.Status)
		}
		c = step(tok[org.RoleUnitLead], map[string]any{"action": "request_extension", "days": 2, "reason": "需协调物业"}, 200, "")
		refusedBy("approve_extension", org.RoleUnitLead, org.RoleLeader)
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "approve_extension"}, 200, "")
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "start"}, 200, "")
		step(tok[org.RoleLeader], map[string]any{"action": "supervise", "reason": "群众反映强烈，请加快处置"}, 200, "")
		e.clock.Advance(3 * time.Hour)
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "handle", "reason": "已清运", "photos": []string{"after-1.jpg"}}, 200, "")
		if c.Status != casework.StatusHandled {
			t.Fatalf("handle: %s", c.Status)
		}
		// Verification: the grid worker of W1 is not the one for W2; the
		// dispatcher checks and sends it back once.
		refusedBy("verify", org.RoleGridWorker, org.RoleUnitHandler)
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "rework", "reason": "路面仍有散落垃圾"}, 200, "")
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "handle", "reason": "已返工处置"}, 200, "")
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "verify"}, 200, "")
		refusedBy("close", org.RoleUnitLead, org.RoleLeader, org.RoleAdmin)
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "close"}, 200, "")
		if c.Status != casework.StatusClosed {
			t.Fatalf("close: %s", c.Status)
		}

		// The resident follows it with the phone number and rates it.
		var pub map[string]any
		if st := e.call("", "GET", "/api/v1/track/"+c.Number+"?phone=13900000000", nil, nil); st != http.StatusNotFound {
			t.Fatalf("tracking with the wrong phone: status %d", st)
		}
		if st := e.call("", "GET", "/api/v1/track/"+c.Number+"?phone=13812345678", nil, &pub); st != 200 || pub["can_rate"] != true {
			t.Fatalf("tracking: %d %v", st, pub)
		}
		if st := e.call("", "POST", "/api/v1/track/"+c.Number+"/rating", map[string]any{"phone": "138-1234-5678", "rating": "unsatisfied", "comment": "还是有异味"}, &pub); st != 200 {
			t.Fatalf("rating: %d %v", st, pub)
		}
		if st := e.call("", "POST", "/api/v1/track/"+c.Number+"/rating", map[string]any{"phone": "13812345678", "rating": "satisfied"}, nil); st != http.StatusConflict {
			t.Fatalf("second rating: status %d, want 409", st)
		}
		// The unsatisfied rating reopens it; it goes round again to a satisfied close.
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "reopen", "reason": "群众不满意，重新办理"}, 200, "")
		if c.Status != casework.StatusAccepted {
			t.Fatalf("reopen: %s", c.Status)
		}
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "dispatch", "unit_id": fx.Chengguan.ID}, 200, "")
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "sign"}, 200, "")
		c = step(tok[org.RoleUnitHandler], map[string]any{"action": "handle", "reason": "已返工处置"}, 200, "")
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "verify"}, 200, "")
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "close"}, 200, "")
		c = step(tok[org.RoleDispatcher], map[string]any{"action": "rate", "rating": "satisfied", "comment": "回访：满意"}, 200, "")
		if c.Rating != "satisfied" {
			t.Fatalf("rating after reopening: %q", c.Rating)
		}

		// The history has one event per step taken, replaying to the case.
		var hist struct {
			Events []*casework.Event `json:"events"`
		}
		if st := e.call(tok[org.RoleDispatcher], "GET", path+"/events", nil, &hist); st != 200 {
			t.Fatalf("events: %d", st)
		}
		if len(hist.Events) != c.EventCount {
			t.Fatalf("%d events, case says %d", len(hist.Events), c.EventCount)
		}
		replayed, err := casework.Replay(hist.Events)
		if err != nil {
			t.Fatal(err)
		}
		if replayed.Status != c.Status || replayed.ReworkCount != 1 || replayed.ReopenCount != 1 || replayed.ReturnCount != 1 || replayed.ExtensionDays != 2 {
			t.Fatalf("replayed %+v", replayed)
		}
		// The unit sees the reporter masked; the dispatcher sees the number.
		var unitView, dispView caseJSON
		e.call(tok[org.RoleUnitHandler], "GET", path, nil, &unitView)
		e.call(tok[org.RoleDispatcher], "GET", path, nil, &dispView)
		if unitView.Reporter.Phone != "138****5678" || dispView.Reporter.Phone != "13812345678" {
			t.Fatalf("masking: unit sees %q, dispatcher %q", unitView.Reporter.Phone, dispView.Reporter.Phone)
		}
	})
}

// TestOtherSteps covers the steps the main walk does not: escalate, hang
// and resume, void, merge, reject.
func TestOtherSteps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := e.login(e.fx.Dispatcher)
		report := func() caseJSON {
			var c caseJSON
			if st := e.call(d, "POST", "/api/v1/cases", map[string]any{"category": fixture.CatExposedTrash, "details": "垃圾未清运", "channel": "hotline"}, &c); st != 201 {
				t.Fatalf("report: %d", st)
			}
			return c
		}
		do := func(id int64, body map[string]any) caseJSON {
			t.Helper()
			var c caseJSON
			if st := e.call(d, "POST", fmt.Sprintf("/api/v1/cases/%d/steps", id), body, &c); st != 200 {
				t.Fatalf("%v: status %d", body, st)
			}
			return c
		}
		a, b, x, r := report(), report(), report(), report()
		if got := do(r.ID, map[string]any{"action": "reject", "reason": "非本街道辖区"}); got.Status != casework.StatusRejected {
			t.Fatalf("reject: %s", got.Status)
		}
		do(a.ID, map[string]any{"action": "accept"})
		if got := do(a.ID, map[string]any{"action": "escalate", "reason": "涉及跨街道，需区级协调"}); got.Status != casework.StatusEscalated {
			t.Fatalf("escalate: %s", got.Status)
		}
		if got := do(a.ID, map[string]any{"action": "hang", "reason": "历史遗留问题，暂无法解决"}); got.Status != casework.StatusHung {
			t.Fatalf("hang: %s", got.Status)
		}
		e.clock.Advance(48 * time.Hour)
		if got := do(a.ID, map[string]any{"action": "resume"}); got.Status != casework.StatusEscalated {
			t.Fatalf("resume should return to escalated, got %s", got.Status)
		}
		do(b.ID, map[string]any{"action": "accept"})
		if got := do(b.ID, map[string]any{"action": "merge", "merge_into": a.ID}); got.Status != casework.StatusMerged {
			t.Fatalf("merge: %s", got.Status)
		}
		if got := do(x.ID, map[string]any{"action": "void", "reason": "重复录入"}); got.Status != casework.StatusVoided {
			t.Fatalf("void: %s", got.Status)
		}
		var eb errJSON
		if st := e.call(d, "POST", fmt.Sprintf("/api/v1/cases/%d/steps", x.ID), map[string]any{"action": "accept"}, &eb); st != http.StatusConflict {
			t.Fatalf("accepting a voided case: %d", st)
		}
		var list struct {
			Total int        `json:"total"`
			Cases []caseJSON `json:"cases"`
		}
		if st := e.call(d, "GET", "/api/v1/cases?status=merged,voided,rejected", nil, &list); st != 200 || list.Total != 3 {
			t.Fatalf("list by status: %d total %d", st, list.Total)
		}
		if st := e.call("", "GET", "/api/v1/cases", nil, nil); st != http.StatusUnauthorized {
			t.Fatalf("anonymous list: %d", st)
		}
	})
}

// TestHealthAndMetrics checks the operational endpoints.
func TestHealthAndMetrics(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		resp, err := http.Get(e.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("healthz: %d %v", resp.StatusCode, resp.Header)
		}
		e.call("", "GET", "/api/v1/categories", nil, nil)
		resp, err = http.Get(e.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `jiedao_http_requests_total{code="200",route="GET /api/v1/categories"} 1`) {
			t.Fatalf("metrics lack the request counter:\n%.2000s", body)
		}
	})
}

// TestSessionIdleExpiry: a session unused for longer than the idle limit
// ends; one in use lives on; logout ends it at once.
func TestSessionIdleExpiry(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvPolicy(t, db, org.DefaultAuthPolicy())
		tok := e.login(e.fx.Dispatcher)
		for i := 0; i < 4; i++ { // used every 20 minutes: still signed in after 80
			e.clock.Advance(20 * time.Minute)
			if st := e.call(tok, "GET", "/api/v1/me", nil, nil); st != 200 {
				t.Fatalf("after %d×20 min in use: status %d", i+1, st)
			}
		}
		e.clock.Advance(31 * time.Minute)
		var eb errJSON
		if st := e.call(tok, "GET", "/api/v1/me", nil, &eb); st != http.StatusUnauthorized || eb.Error.Code != "unauthorized" {
			t.Fatalf("after 31 idle minutes: status %d %+v", st, eb)
		}
		tok = e.login(e.fx.Dispatcher)
		if st := e.call(tok, "POST", "/api/v1/logout", nil, nil); st != http.StatusNoContent {
			t.Fatalf("logout: %d", st)
		}
		if st := e.call(tok, "GET", "/api/v1/me", nil, nil); st != http.StatusUnauthorized {
			t.Fatalf("after logout: %d", st)
		}
	})
}
