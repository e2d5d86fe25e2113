package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/org"
)

// The duty roster page (/duty/roster, docs/kinds.md "The roster"): a month
// on the official calendar with each day's 带班领导 and officers; for those
// who may edit it (duty.CanManageRoster), the forms to set a day, exchange
// two people's days and generate a rotation.

// rosterPage is the page's data.
type rosterPage struct {
	M      *duty.Month
	Manage bool
	Done   string
}

// DutyRoster shows a month of the roster.
func (h *Handler) DutyRoster(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	h.showRoster(w, r, a, h.newPage(w, r, "值班表|Duty roster"), r.URL.Query().Get("month"), http.StatusOK)
}

func (h *Handler) showRoster(w http.ResponseWriter, r *http.Request, a org.Actor, p *page, month string, status int) {
	if h.DutyRosters == nil {
		h.fail(w, r, jiedao.Errorf(jiedao.EUNAVAILABLE, "值班表未启用", "the duty roster is not enabled"))
		return
	}
	m, err := h.DutyRosters.MonthView(r.Context(), a, month)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Active = "/duty/roster"
	p.Styles = append(p.Styles, "kinds.css")
	p.Data = rosterPage{M: m, Manage: duty.CanManageRoster(a), Done: r.URL.Query().Get("done")}
	h.render(w, r, status, "roster", p)
}

func formIDs(field string, vs []string) ([]int64, error) {
	var out []int64
	for _, v := range vs {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return nil, jiedao.Invalid(field, "人员编号无效："+s, "invalid person: "+s)
			}
			out = append(out, id)
		}
	}
	return out, nil
}

// DutyRosterPost takes one of the roster's forms: op is assign, exchange
// or generate.
func (h *Handler) DutyRosterPost(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	if h.DutyRosters == nil {
		h.fail(w, r, jiedao.Errorf(jiedao.EUNAVAILABLE, "值班表未启用", "the duty roster is not enabled"))
		return
	}
	f := r.PostForm
	op := r.PathValue("op")
	month := f.Get("month")
	var err error
	switch op {
	case "assign":
		in := duty.AssignInput{Date: f.Get("date"), Reason: f.Get("reason")}
		var ids []int64
		if ids, err = formIDs("leader", f["leader"]); err == nil && len(ids) == 1 {
			in.Leader = ids[0]
		}
		if err == nil {
			in.Officers, err = formIDs("officers", f["officers"])
		}
		if err == nil {
			_, err = h.DutyRosters.Assign(r.Context(), a, in)
		}
		if month == "" && len(in.Date) >= 7 {
			month = in.Date[:7]
		}
	case "exchange":
		in := duty.ExchangeInput{DateA: f.Get("date_a"), DateB: f.Get("date_b"), Reason: f.Get("reason")}
		var ids []int64
		if ids, err = formIDs("a", f["a"]); err == nil && len(ids) == 1 {
			in.A = ids[0]
		}
		if err == nil {
			if ids, err = formIDs("b", f["b"]); err == nil && len(ids) == 1 {
				in.B = ids[0]
			}
		}
		if err == nil {
			_, err = h.DutyRosters.Exchange(r.Context(), a, in)
		}
	case "generate":
		in := duty.GenerateInput{From: f.Get("from"), To: f.Get("to"), Reason: f.Get("reason")}
		if in.Leaders, err = formIDs("leaders", f["leaders"]); err == nil {
			if in.Officers, err = formIDs("officers", f["officers"]); err == nil {
				in.WeekdaysOnly, err = formIDs("weekdays_only", f["weekdays_only"])
			}
		}
		if n := strings.TrimSpace(f.Get("per_shift")); err == nil && n != "" {
			if in.PerShift, err = strconv.Atoi(n); err != nil {
				err = jiedao.Invalid("per_shift", "每班人数应为整数", "officers a shift must be a whole number")
			}
		}
		if err == nil {
			_, err = h.DutyRosters.Generate(r.Context(), a, in)
		}
		if month == "" && len(in.From) >= 7 {
			month = in.From[:7]
		}
	default:
		h.fail(w, r, jiedao.NotFound("值班表操作", "roster action"))
		return
	}
	if err != nil {
		p := h.newPage(w, r, "值班表|Duty roster")
		p.Form = r.PostForm
		p.setError(err)
		p.Error = p.Msg(err)
		status := http.StatusUnprocessableEntity
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			status = http.StatusForbidden
		}
		h.showRoster(w, r, a, p, month, status)
		return
	}
	http.Redirect(w, r, "/duty/roster?month="+url.QueryEscape(month)+"&done="+op, http.StatusSeeOther)
}

// rosterPeople is the options of a person select, for "rosterpeople".
type rosterPeople struct {
	P *page
	M *duty.Month
	F string
}
