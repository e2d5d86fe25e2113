package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jiedao/jiedao/org"
)

// ListAudit reads the administrative entries of the audit trail, newest
// first (org.AuditTrail: the audit administrator's reads).
func (l *AuditLog) ListAudit(ctx context.Context, q org.AuditQuery) ([]*org.AuditEntry, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			where, args = append(where, "action LIKE ? ESCAPE '\\'"), append(args, likeEscape(q.Action)+"%")
		} else {
			where, args = append(where, "action = ?"), append(args, q.Action)
		}
	}
	if q.Actor != "" {
		where, args = append(where, "actor_name LIKE ? ESCAPE '\\'"), append(args, "%"+likeEscape(q.Actor)+"%")
	}
	if !q.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, q.Since)
	}
	if !q.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, q.Until)
	}
	if q.Before > 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	args = append(args, q.Limit)
	rows, err := l.db.reader().query(ctx, `SELECT id, at, actor_kind, COALESCE(actor_id, 0), actor_name, actor_role, action, target_kind, target_id,
		COALESCE(before_json, ''), COALESCE(after_json, ''), reason FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.AuditEntry{}
	for rows.Next() {
		e := &org.AuditEntry{}
		var at nullTime
		var kind, role, before, after string
		if err := rows.Scan(&e.ID, &at, &kind, &e.Actor.ID, &e.Actor.Name, &role, &e.Action, &e.TargetKind, &e.TargetID, &before, &after, &e.Reason); err != nil {
			return nil, err
		}
		e.At, e.Actor.Kind, e.Actor.Role = at.Time, org.ActorKind(kind), org.Role(role)
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
