package web

import (
	"encoding/csv"
	"fmt"
	"net/http"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
)

// The audit administrator's pages (issue 18): the trail, newest first,
// with filters; a verification of the hash chain; the trail as CSV. Each
// read is itself on the trail (org.AuditTrail).

type auditPageData struct {
	Entries []*org.AuditEntry
	Check   *org.AuditCheck
	Next    int64 // the id to read before, for the next page
}

// AuditPage lists the trail.
func (h *Handler) AuditPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	h.showAudit(w, r, a, nil)
}

func (h *Handler) showAudit(w http.ResponseWriter, r *http.Request, a org.Actor, check *org.AuditCheck) {
	if h.AuditTrail == nil {
		h.fail(w, r, jiedao.NotFound("审计记录", "audit trail"))
		return
	}
	q, err := api.AuditQueryOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := h.AuditTrail.List(r.Context(), a, q, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &auditPageData{Entries: entries, Check: check}
	if len(entries) == 100 {
		d.Next = entries[len(entries)-1].ID
	}
	p := h.newPage(w, r, "审计记录|Audit trail")
	p.Active = "/audit"
	p.Data = d
	for _, k := range []string{"action", "actor", "since", "until"} {
		p.Form.Set(k, r.URL.Query().Get(k))
	}
	h.render(w, r, http.StatusOK, "audit", p)
}

// AuditVerify recomputes the chain and shows the outcome above the list.
func (h *Handler) AuditVerify(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	if h.AuditTrail == nil {
		h.fail(w, r, jiedao.NotFound("审计记录", "audit trail"))
		return
	}
	c, err := h.AuditTrail.Check(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showAudit(w, r, a, c)
}

// AuditExport is the trail as CSV, with the filters of the list.
func (h *Handler) AuditExport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	if h.AuditTrail == nil {
		h.fail(w, r, jiedao.NotFound("审计记录", "audit trail"))
		return
	}
	q, err := api.AuditQueryOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := h.AuditTrail.List(r.Context(), a, q, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "时间 at", "操作人 actor", "角色 role", "操作 action", "对象 target", "原因 reason"})
	for _, e := range entries {
		_ = cw.Write([]string{fmt.Sprint(e.ID), e.At.Format("2006-01-02 15:04:05"), neutral(e.Actor.Name), string(e.Actor.Role), e.Action,
			e.TargetKind + ":" + e.TargetID, neutral(e.Reason)})
	}
	cw.Flush()
}

// neutral keeps a spreadsheet from reading a cell as a formula.
func neutral(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
