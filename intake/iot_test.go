package intake_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// setupIoT configures the smoke and guardian kinds and registers a smoke
// sensor in grid W1 and a guardian in grid Y1; it returns the devices.
func (e *env) setupIoT() (smoke, guardian *intake.Device) {
	e.t.Helper()
	for _, k := range []struct {
		kind, cat string
		storm     int
	}{{"smoke", CatFire, 0}, {"guardian", CatFire, 10}} {
		var out intake.KindConfig
		if st := e.call(e.admin, "PUT", "/api/v1/intake/iot/kinds/"+k.kind, map[string]any{"category": k.cat, "storm_minutes": k.storm}, &out); st != 200 {
			e.t.Fatalf("kind %s: %d", k.kind, st)
		}
	}
	w1, y1 := e.fx.Points[e.fx.GridW1.ID], e.fx.Points[e.fx.GridY1.ID]
	smoke, guardian = &intake.Device{}, &intake.Device{}
	if st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "SD-0001", "kind": "smoke",
		"name": "3幢2单元501烟感", "lat": w1.Lat, "lon": w1.Lon, "address": "文一路1号3幢2单元501", "owner_name": "张大爷", "owner_phone": "13900001111"}, smoke); st != 201 {
		e.t.Fatalf("device: %d", st)
	}
	if st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "GD-0001", "kind": "guardian",
		"lat": y1.Lat, "lon": y1.Lon, "address": "益乐路2号1幢101", "owner_name": "李奶奶", "owner_phone": "13900002222"}, guardian); st != 201 {
		e.t.Fatalf("device: %d", st)
	}
	return smoke, guardian
}

// TestAlarmSignature: a good signature makes a case; a missing, wrong,
// stale or foreign one is refused with 401 (403 for a client of another
// channel), a malformed body after a good signature with 400, and none of
// them stores anything.
func TestAlarmSignature(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.setupIoT()
		body := map[string]string{"alarm_id": "A-1", "device_id": "SD-0001", "message": "烟雾浓度超标"}

		// The police system has a secret too, but it may not send alarms.
		var psec intake.SecretOut
		if st := e.call(e.admin, "POST", fmt.Sprintf("/api/v1/intake/clients/%d/secret", e.police.ID), nil, &psec); st != 201 {
			t.Fatalf("police secret: %d", st)
		}
		// Only admins set secrets.
		if st := e.call(e.disp, "POST", fmt.Sprintf("/api/v1/intake/clients/%d/secret", e.iot.ID), nil, nil); st != 403 {
			t.Fatalf("secret by a dispatcher: %d", st)
		}

		before := e.counts()
		for _, tc := range []struct {
			name     string
			mutate   func(s *signed)
			status   int
			code, zh string
		}{
			{"no signature", func(s *signed) { s.omitSig = true }, 401, jiedao.EUNAUTHORIZED,
				"缺少签名：请提供 X-Jiedao-Client、X-Jiedao-Timestamp 和 X-Jiedao-Signature 请求头"},
			{"no timestamp", func(s *signed) { s.omitTS = true }, 401, jiedao.EUNAUTHORIZED, ""},
			{"no client", func(s *signed) { s.omitClient = true }, 401, jiedao.EUNAUTHORIZED, ""},
			{"wrong signature", func(s *signed) { s.sig = intake.Sign("not-the-secret", mustInt(s.ts), s.body) }, 401, jiedao.EUNAUTHORIZED, "签名无效"},
			{"signature not hex", func(s *signed) { s.sig = "sha256=zz" }, 401, jiedao.EUNAUTHORIZED, "签名无效"},
			{"body changed after signing", func(s *signed) {
				s.body = []byte(`{"alarm_id":"A-1","device_id":"SD-0001","message":"误报"}`)
			}, 401, jiedao.EUNAUTHORIZED, "签名无效"},
			{"stale: signed 6 minutes ago", func(s *signed) {
				ts := e.clock.Now().Add(-6 * time.Minute).Unix()
				s.ts, s.sig = strconv.FormatInt(ts, 10), intake.Sign(e.secret, ts, s.body)
			}, 401, jiedao.EUNAUTHORIZED, "签名已过期：时间戳与服务器时间相差超过5分钟"},
			{"from the future: 6 minutes ahead", func(s *signed) {
				ts := e.clock.Now().Add(6 * time.Minute).Unix()
				s.ts, s.sig = strconv.FormatInt(ts, 10), intake.Sign(e.secret, ts, s.body)
			}, 401, jiedao.EUNAUTHORIZED, "签名已过期：时间戳与服务器时间相差超过5分钟"},
			{"timestamp in milliseconds", func(s *signed) { s.ts = "x" + s.ts }, 401, jiedao.EUNAUTHORIZED, "签名时间戳应为 Unix 秒数"},
			{"unknown client", func(s *signed) { s.client = "999999" }, 401, jiedao.EUNAUTHORIZED, "签名无效"},
			{"client without a secret", func(s *signed) {
				s.client = strconv.FormatInt(e.hotline.ID, 10)
			}, 401, jiedao.EUNAUTHORIZED, "签名无效"},
			{"client of another channel", func(s *signed) {
				ts := mustInt(s.ts)
				s.client, s.sig = strconv.FormatInt(e.police.ID, 10), intake.Sign(psec.Secret, ts, s.body)
			}, 403, jiedao.EFORBIDDEN, "该客户端不属于智慧三件套（iot）渠道，不能发送告警"},
			{"malformed JSON", func(s *signed) {
				s.body = []byte(`{"alarm_id": "A-1",`)
				s.sig = intake.Sign(e.secret, mustInt(s.ts), s.body)
			}, 400, jiedao.EINVALID, ""},
			{"unknown field", func(s *signed) {
				s.body = []byte(`{"alarm_id":"A-1","device_id":"SD-0001","level":"high"}`)
				s.sig = intake.Sign(e.secret, mustInt(s.ts), s.body)
			}, 400, jiedao.EINVALID, "未知字段：level"},
			{"no alarm id", func(s *signed) {
				s.body = []byte(`{"device_id":"SD-0001"}`)
				s.sig = intake.Sign(e.secret, mustInt(s.ts), s.body)
			}, 400, jiedao.EINVALID, "告警编号应为1到80位字母、数字或 _ . : / -"},
			{"bad type", func(s *signed) {
				s.body = []byte(`{"alarm_id":"A-1","device_id":"SD-0001","type":"panic"}`)
				s.sig = intake.Sign(e.secret, mustInt(s.ts), s.body)
			}, 400, jiedao.EINVALID, "告警类型应为 alarm 或 clear"},
			{"unknown device", func(s *signed) {
				s.body = []byte(`{"alarm_id":"A-1","device_id":"SD-9999"}`)
				s.sig = intake.Sign(e.secret, mustInt(s.ts), s.body)
			}, 404, jiedao.ENOTFOUND, "设备未登记：SD-9999"},
		} {
			s := e.sign(body)
			tc.mutate(s)
			var out errJSON
			if st := e.deliver(s, &out); st != tc.status || out.Error.Code != tc.code || (tc.zh != "" && out.Error.Message != tc.zh) || out.Error.MessageEn == "" {
				t.Errorf("%s: %d %+v, want %d %s %q", tc.name, st, out.Error, tc.status, tc.code, tc.zh)
			}
			if got := e.counts(); got != before {
				t.Fatalf("%s: stored something: %v → %v", tc.name, before, got)
			}
		}

		// The good one.
		var res intake.AlarmResult
		if st := e.deliver(e.sign(body), &res); st != 201 || res.Outcome != intake.OutcomeOpened || res.Duplicate || res.Case == nil {
			t.Fatalf("good alarm: %d %+v", st, res)
		}
		c := res.Case
		if c.Channel != casework.ChannelIoT || c.ClientID != e.iot.ID || c.ExternalID != fmt.Sprintf("%d:A-1", e.iot.ID) ||
			c.Urgency != casework.UrgencyUrgent || c.Category != CatFire || c.GridID != e.fx.GridW1.ID || c.AlarmCount != 1 {
			t.Fatalf("case: %+v", c)
		}
		// The sender sees the owner's contact masked, the command center in full.
		if c.Reporter.Phone != "139****1111" {
			t.Errorf("the platform sees the phone as %q", c.Reporter.Phone)
		}
		var full struct {
			casework.Case
			StatusZh string `json:"status_zh"`
		}
		if st := e.call(e.disp, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil, &full); st != 200 ||
			full.Reporter.Phone != "13900001111" || full.Channel != casework.ChannelIoT || full.ClientID != e.iot.ID {
			t.Errorf("case as the dispatcher sees it: %d %+v", st, full.Case)
		}

		// A revoked client's signature no longer counts.
		if err := db.Org().RevokeAPIClient(bg, e.iot.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		var out errJSON
		if st := e.deliver(e.sign(map[string]string{"alarm_id": "A-2", "device_id": "SD-0001"}), &out); st != 401 || out.Error.Message != "API 客户端已吊销" {
			t.Errorf("revoked client: %d %+v", st, out)
		}
	})
}

func mustInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

// TestAlarmIdempotent: a delivery retried, one by one or 100 at once,
// makes one case and counts once.
func TestAlarmIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.setupIoT()
		st, first := e.alarm("A-100", "SD-0001", "", "烟雾浓度超标")
		if st != 201 {
			t.Fatalf("first: %d", st)
		}
		for i := range 3 {
			e.clock.Advance(20 * time.Second)
			st, again := e.alarm("A-100", "SD-0001", "", "烟雾浓度超标")
			if st != 200 || !again.Duplicate || again.Outcome != intake.OutcomeOpened || again.Case.ID != first.Case.ID || again.Case.AlarmCount != 1 {
				t.Fatalf("retry %d: %d %+v", i, st, again)
			}
		}
		if n := e.count("cases"); n != 1 {
			t.Fatalf("%d cases after retries", n)
		}

		// The same alarm of the guardian, delivered 100 times at once.
		s := e.sign(map[string]string{"alarm_id": "G-7", "device_id": "GD-0001", "message": "24小时无活动"})
		var wg sync.WaitGroup
		statuses := make([]int, 100)
		results := make([]intake.AlarmResult, 100)
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.deliver(s, &results[i])
			}()
		}
		wg.Wait()
		created := 0
		for i, st := range statuses {
			switch {
			case st == 201 && !results[i].Duplicate:
				created++
			case st == 200 && results[i].Duplicate:
			default:
				t.Fatalf("delivery %d: %d %+v", i, st, results[i])
			}
			if results[i].Case == nil || results[i].Case.ID != results[0].Case.ID {
				t.Fatalf("delivery %d answered another case: %+v", i, results[i])
			}
		}
		if created != 1 {
			t.Fatalf("%d deliveries created a case", created)
		}
		if n, a := e.count("cases"), e.count("iot_alarms"); n != 2 || a != 2 {
			t.Fatalf("%d cases and %d alarms, want 2 and 2", n, a)
		}
		if c := e.getCase(results[0].Case.ID); c.AlarmCount != 1 || c.EventCount != 1 {
			t.Fatalf("guardian case: count %d, %d events", c.AlarmCount, c.EventCount)
		}
	})
}

// TestAlarmStorm: ten alarms of one device in five minutes are one case
// with a count of ten; the all-clear is recorded on it; an alarm after the
// case closed, or after the window, makes a new case.
func TestAlarmStorm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		smoke, _ := e.setupIoT()
		var caseID int64
		for i := 1; i <= 10; i++ {
			st, res := e.alarm(fmt.Sprintf("S-%02d", i), "SD-0001", "alarm", fmt.Sprintf("烟雾浓度超标（第%d次）", i))
			want, outcome := 200, intake.OutcomeRepeat
			if i == 1 {
				want, outcome, caseID = 201, intake.OutcomeOpened, res.Case.ID
			}
			if st != want || res.Outcome != outcome || res.Case.ID != caseID || res.Case.AlarmCount != i {
				t.Fatalf("alarm %d: %d %+v", i, st, res)
			}
			e.clock.Advance(30 * time.Second) // ten alarms in 4.5 minutes
		}
		if n := e.count("cases"); n != 1 {
			t.Fatalf("a storm of 10 made %d cases", n)
		}
		c := e.getCase(caseID)
		if c.AlarmCount != 10 || c.Status != casework.StatusReported || c.EventCount != 10 {
			t.Fatalf("storm case: count %d, %s, %d events", c.AlarmCount, c.Status, c.EventCount)
		}
		ev := e.events(caseID)
		for i, x := range ev[1:] {
			if x.Action != casework.ActAlarmRepeat || x.Payload.Count != i+2 || x.ActorKind != string(org.ActorClient) || x.ActorID != e.iot.ID ||
				x.From != casework.StatusReported || x.To != casework.StatusReported ||
				x.Reason != fmt.Sprintf("设备再次告警（告警编号 S-%02d）：烟雾浓度超标（第%d次）", i+2, i+2) {
				t.Fatalf("event %d: %+v", x.Seq, x)
			}
		}
		if r, err := casework.Replay(ev); err != nil || r.AlarmCount != 10 {
			t.Fatalf("replay: %v %+v", err, r)
		}

		// The command center takes it on: urgent, so minutes to act.
		acceptAt := e.clock.Now()
		c = e.step(e.fx.Actor(org.RoleDispatcher), caseID, casework.StepInput{Action: casework.ActAccept})
		if c.Deadlines.Close == nil || !c.Deadlines.Close.Due.Equal(acceptAt.Add(30*time.Minute)) {
			t.Fatalf("close deadline: %+v", c.Deadlines.Close)
		}
		c = e.step(e.fx.Actor(org.RoleDispatcher), caseID, casework.StepInput{Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID})
		if !c.Deadlines.Sign.Due.Equal(e.clock.Now().Truncate(time.Microsecond).Add(5 * time.Minute)) {
			t.Fatalf("sign deadline: %+v", c.Deadlines.Sign)
		}

		// The device reports the all-clear.
		e.clock.Advance(time.Minute)
		st, res := e.alarm("S-CLR", "SD-0001", "clear", "烟雾浓度恢复正常")
		if st != 200 || res.Outcome != intake.OutcomeCleared || res.Case.ID != caseID || res.Case.ClearedAt == nil || !res.Case.ClearedAt.Equal(e.clock.Now()) {
			t.Fatalf("clear: %d %+v", st, res)
		}
		last := e.events(caseID)
		if x := last[len(last)-1]; x.Action != casework.ActAlarmClear || x.Reason != "设备报告告警解除（告警编号 S-CLR）：烟雾浓度恢复正常" || x.From != casework.StatusDispatched || x.To != x.From {
			t.Fatalf("clear event: %+v", x)
		}
		// Flapping: an alarm right after the clear joins the same case
		// and it is not clear any more.
		e.clock.Advance(time.Minute)
		if st, res := e.alarm("S-11", "SD-0001", "", ""); st != 200 || res.Outcome != intake.OutcomeRepeat || res.Case.AlarmCount != 11 || res.Case.ClearedAt != nil {
			t.Fatalf("alarm after clear: %d %+v", st, res)
		}

		// The alarm steps come only from the platform: not through the
		// steps API, not even from the platform itself.
		var out errJSON
		for _, tok := range []string{e.disp, e.iotKey} {
			if st := e.call(tok, "POST", fmt.Sprintf("/api/v1/cases/%d/steps", caseID), map[string]any{"action": "alarm_repeat"}, &out); st != 400 || out.Error.Field != "action" {
				t.Errorf("alarm_repeat through the steps API: %d %+v", st, out)
			}
		}

		// The unit handles it and the command center closes it.
		h, d := e.fx.Actor(org.RoleUnitHandler), e.fx.Actor(org.RoleDispatcher)
		e.step(h, caseID, casework.StepInput{Action: casework.ActSign})
		e.step(h, caseID, casework.StepInput{Action: casework.ActStart})
		e.step(h, caseID, casework.StepInput{Action: casework.ActHandle, Reason: "到场检查，厨房油烟误报，已提醒住户"})
		e.step(d, caseID, casework.StepInput{Action: casework.ActVerify})
		e.step(d, caseID, casework.StepInput{Action: casework.ActClose})

		// An all-clear after closing is still recorded on the case.
		e.clock.Advance(time.Minute)
		if st, res := e.alarm("S-CLR2", "SD-0001", "clear", ""); st != 200 || res.Outcome != intake.OutcomeCleared || res.Case.Status != casework.StatusClosed {
			t.Fatalf("clear after close: %d %+v", st, res)
		}
		// A repeat within the window, but after the case closed: a new case.
		e.clock.Advance(time.Minute)
		st, res = e.alarm("S-12", "SD-0001", "", "烟雾浓度超标")
		if st != 201 || res.Outcome != intake.OutcomeOpened || res.Case.ID == caseID || res.Case.AlarmCount != 1 {
			t.Fatalf("alarm after close: %d %+v", st, res)
		}
		second := res.Case.ID
		// Beyond the window (30 minutes since the last alarm) while the
		// case is open: a new case as well.
		e.clock.Advance(31 * time.Minute)
		st, res = e.alarm("S-13", "SD-0001", "", "")
		if st != 201 || res.Case.ID == second {
			t.Fatalf("alarm after the window: %d %+v", st, res)
		}
		if d, err := db.Intake().GetDevice(bg, smoke.ID); err != nil || d.StormCaseID != res.Case.ID || !d.LastAlarmAt.Equal(e.clock.Now()) {
			t.Fatalf("device storm state: %+v %v", d, err)
		}
		if n := e.count("cases"); n != 3 {
			t.Fatalf("%d cases, want 3", n)
		}

		// A clear for a device with no case to record it on is logged only.
		_, g := e.setupGuardianOnly(t)
		if st, res := e.alarm("G-CLR", g.Code, "clear", ""); st != 200 || res.Outcome != intake.OutcomeNoCase || res.Case != nil {
			t.Fatalf("clear with no case: %d %+v", st, res)
		}
	})
}

// setupGuardianOnly registers a second guardian that never alarmed.
func (e *env) setupGuardianOnly(t *testing.T) (int, *intake.Device) {
	p := e.fx.Points[e.fx.GridY2.ID]
	d := &intake.Device{}
	st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "GD-0002", "kind": "guardian",
		"lat": p.Lat, "lon": p.Lon}, d)
	if st != 201 {
		t.Fatalf("guardian: %d", st)
	}
	return st, d
}

// TestDeviceRegistry: admins manage devices and kinds; dispatchers and
// leaders read them (leaders with the owner masked); a device is placed
// in its grid.
func TestDeviceRegistry(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		smoke, guardian := e.setupIoT()
		if smoke.GridID != e.fx.GridW1.ID || smoke.CommunityID != e.fx.Wenhua.ID || guardian.GridID != e.fx.GridY1.ID || !smoke.Active || smoke.ClientID != e.iot.ID {
			t.Fatalf("placing: %+v %+v", smoke, guardian)
		}
		// GCJ-02 coordinates are converted: the point of W2 as a phone map gives it.
		w2 := e.fx.Points[e.fx.GridW2.ID]
		g := geo.WGS84ToGCJ02(w2)
		var d intake.Device
		if st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "EB-01", "kind": "ebike_charging",
			"lat": g.Lat, "lon": g.Lon, "gcj02": true, "address": "文二路车棚"}, &d); st != 201 || d.GridID != e.fx.GridW2.ID {
			t.Fatalf("gcj02 device: %d %+v", st, d)
		}
		for _, tc := range []struct {
			name   string
			token  string
			body   map[string]any
			status int
			field  string
		}{
			{"dispatcher may not register", e.disp, map[string]any{"client_id": e.iot.ID, "code": "X-1", "kind": "gas", "lat": w2.Lat, "lon": w2.Lon}, 403, ""},
			{"duplicate code", e.admin, map[string]any{"client_id": e.iot.ID, "code": "SD-0001", "kind": "gas", "lat": w2.Lat, "lon": w2.Lon}, 409, "code"},
			{"client of another channel", e.admin, map[string]any{"client_id": e.police.ID, "code": "X-1", "kind": "gas", "lat": w2.Lat, "lon": w2.Lon}, 400, "client_id"},
			{"unknown kind", e.admin, map[string]any{"client_id": e.iot.ID, "code": "X-1", "kind": "water", "lat": w2.Lat, "lon": w2.Lon}, 400, "kind"},
			{"no place", e.admin, map[string]any{"client_id": e.iot.ID, "code": "X-1", "kind": "gas"}, 400, "lat"},
			{"code with a space", e.admin, map[string]any{"client_id": e.iot.ID, "code": "X 1", "kind": "gas", "lat": w2.Lat, "lon": w2.Lon}, 400, "code"},
			{"bad phone", e.admin, map[string]any{"client_id": e.iot.ID, "code": "X-1", "kind": "gas", "lat": w2.Lat, "lon": w2.Lon, "owner_phone": "call me"}, 400, "owner_phone"},
		} {
			var out errJSON
			if st := e.call(tc.token, "POST", "/api/v1/intake/iot/devices", tc.body, &out); st != tc.status || out.Error.Field != tc.field {
				t.Errorf("%s: %d %+v", tc.name, st, out)
			}
		}
		// Reading: the dispatcher sees the owner, the leader masked; the
		// unit handler nothing.
		var list struct {
			Total   int              `json:"total"`
			Devices []*intake.Device `json:"devices"`
		}
		if st := e.call(e.disp, "GET", "/api/v1/intake/iot/devices?kind=smoke", nil, &list); st != 200 || list.Total != 1 || list.Devices[0].OwnerPhone != "13900001111" {
			t.Fatalf("list by dispatcher: %d %+v", st, list)
		}
		if st := e.call(e.leader, "GET", fmt.Sprintf("/api/v1/intake/iot/devices/%d", smoke.ID), nil, &d); st != 200 || d.OwnerPhone != "139****1111" || d.OwnerName != "张**" {
			t.Fatalf("device by leader: %d %+v", st, d)
		}
		if st := e.call(e.handler, "GET", "/api/v1/intake/iot/devices", nil, nil); st != 403 {
			t.Fatalf("list by unit handler: %d", st)
		}
		if st := e.call(e.disp, "GET", "/api/v1/intake/iot/devices?q=车棚", nil, &list); st != 200 || list.Total != 1 || list.Devices[0].Code != "EB-01" {
			t.Fatalf("search: %d %+v", st, list)
		}
		// Update: moved to Y2 and deactivated; an alarm of it is refused.
		y2 := e.fx.Points[e.fx.GridY2.ID]
		if st := e.call(e.admin, "PUT", fmt.Sprintf("/api/v1/intake/iot/devices/%d", smoke.ID), map[string]any{"client_id": e.iot.ID, "code": "SD-0001",
			"kind": "smoke", "lat": y2.Lat, "lon": y2.Lon, "active": false}, &d); st != 200 || d.GridID != e.fx.GridY2.ID || d.Active {
			t.Fatalf("update: %d %+v", st, d)
		}
		var out errJSON
		if st := e.deliver(e.sign(map[string]string{"alarm_id": "A-1", "device_id": "SD-0001"}), &out); st != 409 || out.Error.Message != "设备已停用：SD-0001" {
			t.Fatalf("alarm of a deactivated device: %d %+v", st, out)
		}
		// Delete: a device that alarmed stays (deactivate it); one that
		// never did goes.
		if st, _ := e.alarm("G-1", "GD-0001", "", ""); st != 201 {
			t.Fatalf("guardian alarm: %d", st)
		}
		if st := e.call(e.admin, "DELETE", fmt.Sprintf("/api/v1/intake/iot/devices/%d", guardian.ID), nil, &out); st != 409 {
			t.Fatalf("delete a device with alarms: %d %+v", st, out)
		}
		if st := e.call(e.admin, "DELETE", fmt.Sprintf("/api/v1/intake/iot/devices/%d", d.ID), nil, nil); st != 204 {
			t.Fatalf("delete: %d", st)
		}
		if st := e.call(e.admin, "GET", fmt.Sprintf("/api/v1/intake/iot/devices/%d", d.ID), nil, nil); st != 404 {
			t.Fatalf("deleted device: %d", st)
		}

		// Kinds: admins set them, others may not; a kind without settings
		// makes its alarms wait (503: the platform retries).
		var kinds struct {
			Kinds []intake.KindConfig `json:"kinds"`
		}
		if st := e.call(e.disp, "GET", "/api/v1/intake/iot/kinds", nil, &kinds); st != 200 || len(kinds.Kinds) != 2 ||
			kinds.Kinds[1] != (intake.KindConfig{Kind: intake.KindSmoke, Category: CatFire, Urgency: casework.UrgencyUrgent, StormMinutes: 30}) {
			t.Fatalf("kinds: %d %+v", st, kinds)
		}
		if st := e.call(e.disp, "PUT", "/api/v1/intake/iot/kinds/gas", map[string]any{"category": CatFire}, nil); st != 403 {
			t.Fatalf("kind by dispatcher: %d", st)
		}
		if st := e.call(e.admin, "PUT", "/api/v1/intake/iot/kinds/gas", map[string]any{"category": "9999"}, &out); st != 400 || out.Error.Field != "category" {
			t.Fatalf("kind with unknown category: %d %+v", st, out)
		}
		if st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "GAS-1", "kind": "gas",
			"lat": y2.Lat, "lon": y2.Lon}, nil); st != 201 {
			t.Fatalf("gas device: %d", st)
		}
		before := e.counts()
		if st := e.deliver(e.sign(map[string]string{"alarm_id": "GAS-A1", "device_id": "GAS-1"}), &out); st != 503 || out.Error.Code != jiedao.EUNAVAILABLE {
			t.Fatalf("alarm of an unset kind: %d %+v", st, out)
		}
		if e.counts() != before {
			t.Fatal("an alarm of an unset kind stored something")
		}
	})
}
