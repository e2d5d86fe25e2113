package web

import (
	"net/http"
	"sort"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// inboxSection is one pile of a unit's or grid worker's work.
type inboxSection struct {
	Key, Zh, En string
	Cases       []caseView
	Total       int
	Link        string
}

type inboxData struct {
	Sections []inboxSection
	N        *names
}

// section lists the cases of a filter, soonest deadline first.
func (h *Handler) section(r *http.Request, a org.Actor, key, zh, en string, f casework.Filter) (inboxSection, error) {
	f.Limit = 100
	cases, total, err := h.Cases.List(r.Context(), a, f)
	if err != nil {
		return inboxSection{}, err
	}
	s := inboxSection{Key: key, Zh: zh, En: en, Total: total}
	for _, c := range cases {
		s.Cases = append(s.Cases, h.view(c))
	}
	sort.SliceStable(s.Cases, func(i, j int) bool {
		di, dj := s.Cases[i].DueAt, s.Cases[j].DueAt
		switch {
		case di == nil:
			return false
		case dj == nil:
			return true
		}
		return di.Due.Before(dj.Due)
	})
	f.Limit = 0
	s.Link = "/cases?" + api.FilterQuery(f).Encode()
	return s, nil
}

func (h *Handler) inboxPage(w http.ResponseWriter, r *http.Request, a org.Actor, title, active string, specs []inboxSpec) {
	d := &inboxData{}
	for _, sp := range specs {
		s, err := h.section(r, a, sp.key, sp.zh, sp.en, sp.f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Sections = append(d.Sections, s)
	}
	var err error
	if d.N, err = h.names(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, title)
	p.Active = active
	p.Data = d
	h.render(w, r, http.StatusOK, "inbox", p)
}

type inboxSpec struct {
	key, zh, en string
	f           casework.Filter
}

// Inbox is a unit's work: cases to sign for and cases in hand, with their
// deadline countdowns.
func (h *Handler) Inbox(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	unit := a.UnitID
	h.inboxPage(w, r, a, "待办|Inbox", "/inbox", []inboxSpec{
		{"sign", "待签收", "To sign for", casework.Filter{UnitID: unit, Statuses: []casework.Status{casework.StatusDispatched}}},
		{"work", "办理中", "In hand", casework.Filter{UnitID: unit, Statuses: []casework.Status{casework.StatusSigned, casework.StatusHandling, casework.StatusRework}}},
		{"handled", "已反馈待核查", "Reported handled, awaiting verification", casework.Filter{UnitID: unit, Statuses: []casework.Status{casework.StatusHandled}}},
	})
}

// GridHome is a grid worker's page: cases in his grids to verify (核查),
// and the open cases there.
func (h *Handler) GridHome(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	open := []casework.Status{casework.StatusReported, casework.StatusAccepted, casework.StatusDispatched, casework.StatusSigned,
		casework.StatusHandling, casework.StatusRework, casework.StatusReturned, casework.StatusVerified, casework.StatusEscalated}
	h.inboxPage(w, r, a, "我的网格|My grids", "/grid", []inboxSpec{
		{"verify", "待核查", "To verify", casework.Filter{Statuses: []casework.Status{casework.StatusHandled}}},
		{"open", "网格内在办", "Open in my grids", casework.Filter{Statuses: open}},
		{"closed", "近期结案", "Closed lately", casework.Filter{Statuses: []casework.Status{casework.StatusClosed}, From: h.Cases.Now().AddDate(0, 0, -30)}},
	})
}
