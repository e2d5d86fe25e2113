package intake_test

import (
	"context"
	"fmt"
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
