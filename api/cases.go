package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// Handler holds the services the JSON API calls.
type Handler struct {
	Auth      *org.Auth
	Cases     *casework.Service
	Directory *org.Directory
	Log       *slog.Logger
	// Enterprises is the enterprise registry (api/enterprise.go); nil
	// answers its routes 501.
	Enterprises *enterprise.Service
	Books       *Books // ledgers, indicators, targets, campaigns (books.go); nil: not served
	// AuditTrail is the audit administrator's reading and verifying of
	// the audit trail (issue 18); nil answers 404.
	AuditTrail *org.AuditTrail
	// ReportDocs is the work report's document service (report.go).
	ReportDocs *report.Docs
	// DutyRosters reads and edits the duty roster (roster.go); nil: 503.
	DutyRosters *duty.RosterService
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	WriteError(w, r, h.Log, err)
}

// CaseView is a case as the API shows it, with what a dispatcher needs at a
// glance computed for now.
type CaseView struct {
	*casework.Case
	StatusZh string            `json:"status_zh"`
	DueStage casework.Stage    `json:"due_stage,omitempty"`
	DueAt    *time.Time        `json:"due_at,omitempty"`
	DueState casework.DueState `json:"due_state,omitempty"`
}

func (h *Handler) view(c *casework.Case) CaseView {
	v := CaseView{Case: c, StatusZh: c.Status.Zh()}
	if st, d := c.Running(); d != nil {
		v.DueStage, v.DueAt, v.DueState = st, &d.Due, c.DueStateAt(h.Cases.Now())
	}
	return v
}

// ReportCase takes a new report from anyone: residents without signing in,
// staff, and machine clients.
func (h *Handler) ReportCase(w http.ResponseWriter, r *http.Request) {
	var in casework.ReportInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Cases.Report(r.Context(), ActorFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, h.view(c))
}

// ListCases lists the cases the actor may see.
func (h *Handler) ListCases(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := parseListFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cases, total, err := h.Cases.List(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]CaseView, len(cases))
	for i, c := range cases {
		out[i] = h.view(c)
	}
	body := map[string]any{"total": total, "limit": min(f.Limit, casework.MaxPage), "offset": f.Offset, "cases": out}
	if casework.TotalCapped(f, total) {
		// A text search counts to SearchTotalCap: "1,000 or more".
		body["total"], body["total_capped"] = casework.SearchTotalCap, true
	}
	WriteJSON(w, http.StatusOK, body)
}

// parseListFilter reads the list's filter and its page: limit (default
// 50; the service caps it at MaxPage) and offset, or a cursor (after or
// before a case id).
func parseListFilter(r *http.Request) (casework.Filter, error) {
	q := r.URL.Query()
	f, err := ParseFilter(q)
	if err != nil {
		return f, err
	}
	limit, err := NonNegative(q, "limit")
	if err != nil {
		return f, err
	}
	offset, err := NonNegative(q, "offset")
	if err != nil {
		return f, err
	}
	after, err := NonNegative(q, "after")
	if err != nil {
		return f, err
	}
	before, err := NonNegative(q, "before")
	if err != nil {
		return f, err
	}
	if after != 0 && before != 0 {
		return f, jiedao.Invalid("before", "after 与 before 只能给一个", "give after or before, not both")
	}
	f.Limit, f.Offset, f.After, f.Before = int(limit), int(offset), after, before
	if f.Limit == 0 {
		f.Limit = 50 // the page the answer says it gives; the service caps it at 500
	}
	return f, nil
}

// caseActor reads the signed-in actor and the case id of the path; on an
// error it has answered already and ok is false.
func (h *Handler) caseActor(w http.ResponseWriter, r *http.Request) (org.Actor, int64, bool) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return a, 0, false
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return a, 0, false
	}
	return a, id, true
}

// GetCase returns one case.
func (h *Handler) GetCase(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	c, err := h.Cases.Get(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.view(c))
}

// CaseEvents returns a case's history.
func (h *Handler) CaseEvents(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	events, err := h.Cases.Events(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"events": events})
}

// Step takes one step of the loop on a case.
func (h *Handler) Step(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	var in casework.StepInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Cases.Step(r.Context(), a, id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.view(c))
}

// publicCase is what a resident sees of his case.
type publicCase struct {
	Number     string          `json:"number"`
	Status     casework.Status `json:"status"`
	StatusZh   string          `json:"status_zh"`
	Category   string          `json:"category"`
	Title      string          `json:"title"`
	ReportedAt time.Time       `json:"reported_at"`
	ClosedAt   *time.Time      `json:"closed_at,omitempty"`
	Rating     casework.Rating `json:"rating,omitempty"`
	CanRate    bool            `json:"can_rate"`
}

// residentCase finds a case by number for a resident who proves it is his
// with the phone number he reported with. A wrong phone looks exactly like
// a wrong number, so numbers cannot be probed.
func (h *Handler) residentCase(r *http.Request, phone string) (*casework.Case, error) {
	c, err := h.Cases.Store.GetCaseByNumber(r.Context(), r.PathValue("number"))
	notFound := jiedao.Errorf(jiedao.ENOTFOUND, "案件编号或手机号不正确", "wrong case number or phone number")
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	p := digits(phone)
	if p == "" || c.Reporter.Phone == "" || p != digits(c.Reporter.Phone) {
		return nil, notFound
	}
	return c, nil
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// ResidentCase lets a resident follow his case: GET …/by-number/{number}?phone=…
func (h *Handler) ResidentCase(w http.ResponseWriter, r *http.Request) {
	c, err := h.residentCase(r, r.URL.Query().Get("phone"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, publicCase{Number: c.Number, Status: c.Status, StatusZh: c.Status.Zh(), Category: c.Category,
		Title: c.Title, ReportedAt: c.ReportedAt, ClosedAt: c.ClosedAt, Rating: c.Rating,
		CanRate: c.Status == casework.StatusClosed && c.Rating == ""})
}

type residentRating struct {
	Phone   string          `json:"phone"`
	Rating  casework.Rating `json:"rating"`
	Comment string          `json:"comment"`
}

// ResidentRate lets a resident rate his closed case.
func (h *Handler) ResidentRate(w http.ResponseWriter, r *http.Request) {
	var in residentRating
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.residentCase(r, in.Phone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err = h.Cases.Step(r.Context(), org.ResidentActor(org.MaskName(c.Reporter.Name)), c.ID,
		casework.StepInput{Action: casework.ActRate, Rating: in.Rating, Comment: in.Comment, Phone: in.Phone})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, publicCase{Number: c.Number, Status: c.Status, StatusZh: c.Status.Zh(), Category: c.Category,
		Title: c.Title, ReportedAt: c.ReportedAt, ClosedAt: c.ClosedAt, Rating: c.Rating})
}

// Evaluation returns the evaluation figures of a period.
func (h *Handler) Evaluation(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return
	}
	from, err := ParseDate(r.URL.Query().Get("from"), "from")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := ParseDate(r.URL.Query().Get("to"), "to")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows, err := h.Cases.Evaluate(r.Context(), a, casework.EvalQuery{From: from, To: to, GroupBy: casework.GroupBy(r.URL.Query().Get("group_by"))})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "rows": rows})
}
