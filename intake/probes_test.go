package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// recordingAuditor passes entries to the database's audit log and keeps
// them, for the test to see what was audited.
type recordingAuditor struct {
	*store.AuditLog
	mu      sync.Mutex
	entries []org.AuditEntry
}

func (r *recordingAuditor) Record(ctx context.Context, e org.AuditEntry) error {
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
	return r.AuditLog.Record(ctx, e)
}

// has reports whether an entry of the action on the target was recorded,
// and returns its text (JSON of before and after) for checks.
func (r *recordingAuditor) find(action, target string) (org.AuditEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.entries {
		if e.Action == action && e.TargetID == target {
			return e, true
		}
	}
	return org.AuditEntry{}, false
}

// TestMachineChannelChangesAreAudited: rotating a signing secret, setting
// an alarm kind, registering, changing, deactivating and deleting a device
// each leave an audit entry naming the admin; the secret itself and the
// owner's full phone number are never written into the trail.
func TestMachineChannelChangesAreAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		smoke, _ := e.setupIoT()
		w1 := e.fx.Points[e.fx.GridW1.ID]
		var d intake.Device
		if st := e.call(e.admin, "PUT", fmt.Sprintf("/api/v1/intake/iot/devices/%d", smoke.ID), map[string]any{"client_id": e.iot.ID, "code": "SD-0001", "kind": "smoke",
			"lat": w1.Lat, "lon": w1.Lon, "address": "文一路1号", "owner_name": "张大爷", "owner_phone": "13900001111", "active": false}, &d); st != 200 {
			t.Fatalf("deactivate: %d", st)
		}
		var extra intake.Device
		if st := e.call(e.admin, "POST", "/api/v1/intake/iot/devices", map[string]any{"client_id": e.iot.ID, "code": "SD-0009", "kind": "smoke",
			"lat": w1.Lat, "lon": w1.Lon}, &extra); st != 201 {
			t.Fatalf("device: %d", st)
		}
		if st := e.call(e.admin, "DELETE", fmt.Sprintf("/api/v1/intake/iot/devices/%d", extra.ID), nil, nil); st != 204 && st != 200 {
			t.Fatalf("delete: %d", st)
		}
		var sec intake.SecretOut
		if st := e.call(e.admin, "POST", fmt.Sprintf("/api/v1/intake/clients/%d/secret", e.iot.ID), nil, &sec); st != 201 {
			t.Fatalf("secret: %d", st)
		}
		for _, w := range []struct{ action, target string }{
			{intake.AuditSecretRotate, fmt.Sprint(e.iot.ID)},
			{intake.AuditKindPut, "smoke"},
			{intake.AuditKindPut, "guardian"},
			{intake.AuditDeviceCreate, fmt.Sprint(smoke.ID)},
			{intake.AuditDeviceDeactivate, fmt.Sprint(smoke.ID)},
			{intake.AuditDeviceCreate, fmt.Sprint(extra.ID)},
			{intake.AuditDeviceDelete, fmt.Sprint(extra.ID)},
		} {
			en, ok := e.audit.find(w.action, w.target)
			if !ok {
				t.Errorf("no audit entry %s %s", w.action, w.target)
				continue
			}
			if en.Actor.ID != e.fx.Admin.ID {
				t.Errorf("%s: actor %+v", w.action, en.Actor)
			}
			text := fmt.Sprintf("%+v %+v", en.Before, en.After)
			if strings.Contains(text, sec.Secret) || strings.Contains(text, e.secret) || strings.Contains(text, "13900001111") {
				t.Errorf("%s keeps a secret or a full phone number: %s", w.action, text)
			}
		}
	})
}

// TestWebhookChecksTypeThenSizeThenSignature: the webhook takes JSON only
// (415 for a body declared text/plain, signed or not), reads at most 64 KiB
// (413 before any signature is looked at), then checks the signature.
func TestWebhookChecksTypeThenSizeThenSignature(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.setupIoT()
		send := func(ctype string, body []byte, signed bool) (int, string) {
			req, _ := http.NewRequest("POST", e.url+"/api/v1/intake/iot/alarms", bytes.NewReader(body))
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if signed {
				ts := e.clock.Now().Unix()
				req.Header.Set(intake.HeaderClient, strconv.FormatInt(e.iot.ID, 10))
				req.Header.Set(intake.HeaderTimestamp, strconv.FormatInt(ts, 10))
				req.Header.Set(intake.HeaderSignature, intake.Sign(e.secret, ts, body))
			}
			st, b := e.do(req)
			return st, string(b)
		}
		body := []byte(`{"alarm_id":"A-T1","device_id":"SD-0001","message":"烟雾浓度超标"}`)
		if st, b := send("text/plain", body, true); st != http.StatusUnsupportedMediaType || !strings.Contains(b, "not_supported") {
			t.Errorf("signed text/plain: %d %s", st, b)
		}
		if st, _ := send("text/plain", body, false); st != http.StatusUnsupportedMediaType {
			t.Errorf("unsigned text/plain: %d, want 415 before the signature", st)
		}
		big := []byte(`{"alarm_id":"A-T2","device_id":"SD-0001","message":"` + strings.Repeat("x", 70<<10) + `"}`)
		if st, _ := send("application/json", big, false); st != http.StatusRequestEntityTooLarge {
			t.Errorf("unsigned 70 KiB: %d, want 413 before the signature", st)
		}
		if st, _ := send("application/json", body, false); st != http.StatusUnauthorized {
			t.Errorf("unsigned: %d", st)
		}
		if st, b := send("application/json; charset=utf-8", body, true); st != http.StatusCreated {
			t.Errorf("signed JSON: %d %s", st, b)
		}
		if n := e.count("iot_alarms"); n != 1 {
			t.Errorf("%d alarms stored, want 1", n)
		}
	})
}

// TestPoliceTransferErrorsNameTheField: a JSON array body and a malformed
// transferred_at each answer 400 naming what is wrong.
func TestPoliceTransferErrorsNameTheField(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"array", []any{policeEvent("JJ1")}, "body"},
			{"bad time", func() any { m := policeEvent("JJ2"); m["transferred_at"] = "2024-06-11 08:00"; return m }(), "transferred_at"},
			{"number time", func() any { m := policeEvent("JJ3"); m["transferred_at"] = 1718067600; return m }(), "transferred_at"},
		} {
			var out struct {
				Error struct{ Code, Field, Message string }
			}
			if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", c.body, &out); st != 400 || out.Error.Field != c.field {
				t.Errorf("%s: %d %+v, want 400 naming %s", c.name, st, out.Error, c.field)
			}
		}
	})
}

// TestPoliceTransferTimeIsKeptOnTheCase: the transfer time (移交时间) is on
// the case as staff read it (source_at), and in the case export.
func TestPoliceTransferTimeIsKeptOnTheCase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := policeEvent("JJ20240611009")
		in["transferred_at"] = "2024-06-11T08:12:34+08:00"
		var res intake.PoliceResult
		if st := e.call(e.policeKey, "POST", "/api/v1/intake/police/events", in, &res); st != 201 {
			t.Fatalf("transfer: %d", st)
		}
		var got map[string]any
		if st := e.call(e.disp, "GET", fmt.Sprintf("/api/v1/cases/%d", res.Case.ID), nil, &got); st != 200 {
			t.Fatalf("case: %d", st)
		}
		if got["source_at"] != "2024-06-11T08:12:34+08:00" {
			t.Errorf("the case's source_at: %v", got["source_at"])
		}
		req, _ := http.NewRequest("GET", e.url+"/api/v1/cases/export?format=csv", nil)
		req.Header.Set("Authorization", "Bearer "+e.disp)
		st, b := e.do(req)
		if st != 200 || !strings.Contains(string(b), "移交") || !strings.Contains(string(b), "2024-06-11 08:12") {
			t.Errorf("export: %d, no transfer time in:\n%.600s", st, b)
		}
	})
}
