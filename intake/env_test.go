package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

var bg = context.Background()

// Categories the tests add to the fixture's: a fire hazard class whose
// urgent policy counts in minutes, for the alarms.
const (
	CatSafety = "03"   // 安全隐患
	CatFire   = "0301" // 消防隐患: the category of smoke and gas alarms
)

// FireUrgent is the urgent policy of 0301.
var FireUrgent = casework.Policy{
	SignFor: calendar.Limit{Amount: 5, Unit: calendar.Minutes},
	Start:   calendar.Limit{Amount: 15, Unit: calendar.Minutes},
	Finish:  calendar.Limit{Amount: 2, Unit: calendar.NaturalHours},
	Close:   calendar.Limit{Amount: 30, Unit: calendar.Minutes},
}

// env is a running server over the fixture organisation with a machine
// client per channel: an alarm platform (with a signing secret), the
// police system and the 12345 platform.
type env struct {
	t     *testing.T
	url   string
	db    *store.DB
	fx    *fixture.Org
	clock *fixture.Clock
	cases *casework.Service
	auth  *org.Auth

	admin, disp, leader, handler string // session tokens

	iot, police, hotline          *org.APIClient
	iotKey, policeKey, hotlineKey string
	secret                        string // the alarm platform's
	audit                         *recordingAuditor
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	fx, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*casework.Category{
		{Code: CatSafety, Name: "安全隐患", NameEn: "Safety hazards", Active: true},
		{Code: CatFire, ParentCode: CatSafety, Name: "消防隐患", NameEn: "Fire hazards", Active: true,
			Policies: map[casework.Urgency]casework.Policy{casework.UrgencyUrgent: FireUrgent}},
	} {
		if err := db.Cases().PutCategory(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	// Tuesday 2024-06-11 09:00, China time: a working day.
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy := org.DefaultAuthPolicy()
	policy.IdleTimeout, policy.SessionLimit = 30*24*time.Hour, 30*24*time.Hour
	auth := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now}
	cases := fx.Service(clock.Now)
	cases.Audit = db.Audit() // exports are made only when they can be recorded
	h := &api.Handler{Auth: auth, Cases: cases, Directory: &org.Directory{Store: db.Org()}, Log: log}
	srv := server.New(h, auth, db, log)
	au := &recordingAuditor{AuditLog: db.Audit()}
	srv.Intake = &intake.Handler{Service: &intake.Service{Store: db.Intake(), Cases: cases, Now: clock.Now, Audit: au}, Log: log}
	srv.SetReady(true)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, url: ts.URL, db: db, fx: fx, clock: clock, cases: cases, auth: auth, audit: au}
	e.admin, e.disp, e.leader, e.handler = e.login(fx.Admin), e.login(fx.Dispatcher), e.login(fx.Leader), e.login(fx.UnitHandler)
	e.iotKey, e.iot = e.client("智慧三件套告警平台", casework.ChannelIoT)
	e.policeKey, e.police = e.client("公安警网协同系统", casework.ChannelPolice)
	e.hotlineKey, e.hotline = e.client("12345政务服务热线", casework.ChannelHotline)
	var sec intake.SecretOut
	if st := e.call(e.admin, "POST", fmt.Sprintf("/api/v1/intake/clients/%d/secret", e.iot.ID), nil, &sec); st != 201 || len(sec.Secret) != 64 {
		t.Fatalf("secret: %d %+v", st, sec)
	}
	e.secret = sec.Secret
	return e
}

func (e *env) client(name string, ch casework.Channel) (string, *org.APIClient) {
	e.t.Helper()
	key, c, err := e.auth.CreateAPIClient(bg, name, string(ch))
	if err != nil {
		e.t.Fatal(err)
	}
	return key, c
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

// do sends a request and returns the status and the body.
func (e *env) do(req *http.Request) (int, []byte) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// call sends a JSON request with a bearer token ("" for none) and decodes
// the answer into out (when not nil).
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
	st, raw := e.do(req)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return st
}

// signed is an alarm delivery: its body, and the headers to send; a test
// changes them to make a bad one.
type signed struct {
	body               []byte
	client, ts, sig    string
	omitClient, omitTS bool
	omitSig            bool
}

// sign signs body as the alarm platform, at the clock's time.
func (e *env) sign(body any) *signed {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	ts := e.clock.Now().Unix()
	return &signed{body: b, client: strconv.FormatInt(e.iot.ID, 10), ts: strconv.FormatInt(ts, 10), sig: intake.Sign(e.secret, ts, b)}
}

// deliver posts a delivery and decodes the answer into out.
func (e *env) deliver(s *signed, out any) int {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+"/api/v1/intake/iot/alarms", bytes.NewReader(s.body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if !s.omitClient {
		req.Header.Set(intake.HeaderClient, s.client)
	}
	if !s.omitTS {
		req.Header.Set(intake.HeaderTimestamp, s.ts)
	}
	if !s.omitSig {
		req.Header.Set(intake.HeaderSignature, s.sig)
	}
	st, raw := e.do(req)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("alarm: decoding %q: %v", raw, err)
		}
	}
	return st
}

// alarm delivers a signed alarm of a device and returns the answer.
func (e *env) alarm(id, device, typ, msg string) (int, intake.AlarmResult) {
	e.t.Helper()
	var res intake.AlarmResult
	st := e.deliver(e.sign(map[string]string{"alarm_id": id, "device_id": device, "type": typ, "message": msg}), &res)
	return st, res
}

// upload posts a file as a multipart form to path with a bearer token.
func (e *env) upload(token, path, name string, data []byte, out any) int {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", e.url+path, &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	st, raw := e.do(req)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("upload %s: decoding %q: %v", path, raw, err)
		}
	}
	return st
}

// count counts the rows of a table.
func (e *env) count(table string) int {
	e.t.Helper()
	rows, err := e.db.Query(bg, "SELECT COUNT(*) FROM "+table)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var n int
	rows.Next()
	if err := rows.Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// counts is how many cases, events and alarms are stored.
func (e *env) counts() [3]int {
	return [3]int{e.count("cases"), e.count("case_events"), e.count("iot_alarms")}
}

// step takes a step on a case through the service, failing the test if
// it is refused.
func (e *env) step(a org.Actor, id int64, in casework.StepInput) *casework.Case {
	e.t.Helper()
	c, err := e.cases.Step(bg, a, id, in)
	if err != nil {
		e.t.Fatalf("%s on case %d: %v", in.Action, id, err)
	}
	return c
}

// events returns a case's events.
func (e *env) events(id int64) []*casework.Event {
	e.t.Helper()
	ev, err := e.db.Cases().ListEvents(bg, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func (e *env) getCase(id int64) *casework.Case {
	e.t.Helper()
	c, err := e.db.Cases().GetCase(bg, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

type errJSON struct {
	Error api.ErrorDetail `json:"error"`
}
