package org

import (
	"context"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// AuditTrail is the audit administrator's view of the trail (三权分立,
// issue 18): he reads and verifies it and does nothing else, and what he
// reads and verifies goes on the trail too, so that the reader of the
// trail is himself read.
type AuditTrail struct {
	Store AuditReader
	// Verify recomputes the hash chain (store.DB.VerifyAudit, wired in
	// cmd/jiedao).
	Verify func(ctx context.Context) (*AuditCheck, error)
	Audit  Auditor
}

// AuditReader reads the audit trail's administrative entries.
type AuditReader interface {
	ListAudit(ctx context.Context, q AuditQuery) ([]*AuditEntry, error)
}

// AuditQuery narrows a read of the trail.
type AuditQuery struct {
	Action string    `json:"action,omitempty"` // an action, or its kind ("staff." for every staff action)
	Actor  string    `json:"actor,omitempty"`  // words of the actor's name
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
	Before int64     `json:"before,omitempty"` // entries before this id (the next page)
	Limit  int       `json:"limit,omitempty"`
}

// AuditCheck is the outcome of a verification of the chain.
type AuditCheck struct {
	OK       bool   `json:"ok"`
	Verified int64  `json:"verified"` // chain entries that matched
	Unsealed int64  `json:"unsealed"` // records not sealed yet
	Head     string `json:"head"`     // SEQ:HASH of the last entry verified
	Problem  string `json:"problem,omitempty"`
}

// Audit actions of the audit administrator's own reads.
const (
	AuditTrailRead   = "audit.read"
	AuditTrailVerify = "audit.verify"
	AuditTrailExport = "audit.export"
)

// maxAuditPage bounds a read of the trail.
const maxAuditPage = 500

func requireAuditAdmin(a Actor) error {
	if !a.Is(RoleAuditAdmin) {
		return jiedao.Forbidden("仅审计管理员可查阅审计记录", "only the audit administrator reads the audit trail")
	}
	return nil
}

// List reads entries of the trail, newest first, and records the read.
// export says the entries leave as a file (audit.export, not audit.read).
func (t *AuditTrail) List(ctx context.Context, a Actor, q AuditQuery, export bool) ([]*AuditEntry, error) {
	if err := requireAuditAdmin(a); err != nil {
		return nil, err
	}
	q.Action, q.Actor = strings.TrimSpace(q.Action), strings.TrimSpace(q.Actor)
	if len([]rune(q.Action)) > 100 || len([]rune(q.Actor)) > 100 {
		return nil, jiedao.Invalid("action", "筛选条件过长（至多100字）", "filter too long (at most 100 characters)")
	}
	if q.Limit <= 0 || q.Limit > maxAuditPage {
		q.Limit = 100
	}
	if export {
		q.Limit = 100000
	}
	entries, err := t.Store.ListAudit(ctx, q)
	if err != nil {
		return nil, err
	}
	action := AuditTrailRead
	if export {
		action = AuditTrailExport
	}
	if err := AuditRecord(ctx, t.Audit, a, action, "audit_log", "", nil, map[string]any{"query": q, "entries": len(entries)}, ""); err != nil {
		return nil, err
	}
	return entries, nil
}

// Check verifies the chain and records that it was verified, and what it
// found.
func (t *AuditTrail) Check(ctx context.Context, a Actor) (*AuditCheck, error) {
	if err := requireAuditAdmin(a); err != nil {
		return nil, err
	}
	if t.Verify == nil {
		return nil, jiedao.Errorf(jiedao.EINTERNAL, "未配置审计链校验", "audit verification is not wired")
	}
	c, err := t.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if err := AuditRecord(ctx, t.Audit, a, AuditTrailVerify, "audit_log", "", nil, c, ""); err != nil {
		return nil, err
	}
	return c, nil
}
