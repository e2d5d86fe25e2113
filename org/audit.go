package org

import (
	"context"
	"strconv"
	"time"
)

// AuditEntry is one administrative action, or one reveal of a resident's
// masked contact, on the audit trail. The trail is chained by hashes with
// the case events (docs/audit.md), so that an entry cannot be changed or
// removed unnoticed.
type AuditEntry struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	Actor Actor     `json:"actor"`
	// Action is what was done, as kind.verb: staff.create, staff.update,
	// category.put, routing_rule.delete, contact.reveal …
	Action     string `json:"action"`
	TargetKind string `json:"target_kind"` // staff, unit, grid, community, api_client, category, routing_rule, calendar_day, case
	TargetID   string `json:"target_id"`   // the id or code of the target
	// Before and After are the target's state, stored as JSON; nil when
	// there was none (a creation, a removal) or when it must not be kept
	// (a revealed phone number is never written down).
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Auditor keeps the audit trail. package store implements it for both
// engines.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry) error
	// Atomic runs fn so that every write made with the context it is
	// given — the change and the Record of it — commits together or not
	// at all: an action is never kept without its entry, nor an entry
	// without its action.
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
}

// Atomically runs fn — a change and the Record of it — in one transaction
// of the auditor. Without an auditor (tests of the rules alone) it just
// runs fn.
func Atomically(ctx context.Context, au Auditor, fn func(ctx context.Context) error) error {
	if au == nil {
		return fn(ctx)
	}
	return au.Atomic(ctx, fn)
}

// AuditRecord records an action on the auditor, if there is one: services
// built without an auditor (tests of the rules alone) record nothing.
func AuditRecord(ctx context.Context, au Auditor, a Actor, action, kind string, id any, before, after any, reason string) error {
	if au == nil {
		return nil
	}
	var target string
	switch v := id.(type) {
	case int64:
		target = strconv.FormatInt(v, 10)
	case string:
		target = v
	}
	return au.Record(ctx, AuditEntry{At: time.Now(), Actor: a, Action: action, TargetKind: kind, TargetID: target,
		Before: before, After: after, Reason: reason})
}

// Audit actions of the directory.
const (
	AuditJurisdictionCreate = "jurisdiction.create"
	AuditCommunityCreate    = "community.create"
	AuditCommunityUpdate    = "community.update"
	AuditCommunityImport    = "community.import"
	AuditGridCreate         = "grid.create"
	AuditGridUpdate         = "grid.update"
	AuditGridImport         = "grid.import"
	AuditUnitCreate         = "unit.create"
	AuditUnitUpdate         = "unit.update"
	AuditStaffCreate        = "staff.create"
	AuditStaffUpdate        = "staff.update"
	AuditAPIClientCreate    = "api_client.create"
	AuditAPIClientRevoke    = "api_client.revoke"
	AuditAPIClientRate      = "api_client.rate" // a client's own rate limit (several nodes, issue 17)
)

func (d *Directory) audit(ctx context.Context, a Actor, action, kind string, id any, before, after any) error {
	return AuditRecord(ctx, d.Audit, a, action, kind, id, before, after, "")
}

// createOrUpdate picks the action for a save of a thing with id.
func createOrUpdate(id int64, create, update string) string {
	if id == 0 {
		return create
	}
	return update
}

// before returns a community, grid, unit or API client as stored before a
// change, or nil (a creation, or no auditor).
func (d *Directory) before(ctx context.Context, kind string, id int64) any {
	if d.Audit == nil || id == 0 {
		return nil
	}
	switch kind {
	case "community":
		cs, _ := d.Store.ListCommunities(ctx)
		for _, c := range cs {
			if c.ID == id {
				return c
			}
		}
	case "grid":
		gs, _ := d.Store.ListGrids(ctx)
		for _, g := range gs {
			if g.ID == id {
				return g
			}
		}
	case "unit":
		us, _ := d.Store.ListUnits(ctx)
		for _, u := range us {
			if u.ID == id {
				return u
			}
		}
	case "api_client":
		cs, _ := d.Store.ListAPIClients(ctx)
		for _, c := range cs {
			if c.ID == id {
				return c
			}
		}
	}
	return nil
}

// staffAudit is a staff record as the audit trail keeps it: never the
// password's hash, only whether it changed.
type staffAudit struct {
	*Staff
	PasswordChanged bool `json:"password_changed,omitempty"`
}
