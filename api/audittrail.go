package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// AuditQueryOf reads a read of the audit trail from the query string:
// action, actor, since and until (YYYY-MM-DD, China time), before (an id).
func AuditQueryOf(r *http.Request) (org.AuditQuery, error) {
	v := r.URL.Query()
	q := org.AuditQuery{Action: v.Get("action"), Actor: v.Get("actor")}
	day := func(name string) (time.Time, error) {
		s := v.Get(name)
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600))
		if err != nil {
			return t, jiedao.Invalid(name, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		}
		return t, nil
	}
	var err error
	if q.Since, err = day("since"); err != nil {
		return q, err
	}
	if q.Until, err = day("until"); err != nil {
		return q, err
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.AddDate(0, 0, 1) // the whole day
	}
	if b := v.Get("before"); b != "" {
		if q.Before, err = strconv.ParseInt(b, 10, 64); err != nil || q.Before < 0 {
			return q, jiedao.Invalid("before", "before 应为记录编号", "before must be an entry id")
		}
	}
	return q, nil
}

// AuditEntries is GET /api/v1/audit: the audit administrator reads the
// trail (the read is recorded on it).
func (h *Handler) AuditEntries(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		if h.AuditTrail == nil {
			return nil, jiedao.NotFound("审计记录", "audit trail")
		}
		q, err := AuditQueryOf(r)
		if err != nil {
			return nil, err
		}
		return h.AuditTrail.List(r.Context(), a, q, false)
	})
}

// VerifyAudit is POST /api/v1/audit/verify: the audit administrator
// recomputes the hash chain (the verification is recorded on it).
func (h *Handler) VerifyAudit(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		if h.AuditTrail == nil {
			return nil, jiedao.NotFound("审计记录", "audit trail")
		}
		return h.AuditTrail.Check(r.Context(), a)
	})
}
