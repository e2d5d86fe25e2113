package api

import (
	"net/http"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/duty"
)

// The duty roster's API (docs/kinds.md "The roster"): read a range or a
// month; set a day, exchange two people's days, generate a rotation. The
// duty officers and leaders read; the administrator and the command center
// edit (duty.CanManageRoster).

// rosters is the roster service for a signed-in caller; on failure it has
// answered the request.
func (h *Handler) rosters(w http.ResponseWriter, r *http.Request) (*duty.RosterService, bool) {
	err := RequireSignedIn(ActorFrom(r.Context()))
	if err == nil && h.DutyRosters == nil {
		err = jiedao.Errorf(jiedao.EUNAVAILABLE, "值班表未启用", "the duty roster is not enabled")
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return h.DutyRosters, true
}

// DutyRoster returns the shifts of from..to (YYYY-MM-DD; default the next
// 30 days), or the month view of month=YYYY-MM.
func (h *Handler) DutyRoster(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	s, ok := h.rosters(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if m := q.Get("month"); m != "" {
		mv, err := s.MonthView(r.Context(), a, m)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, mv)
		return
	}
	now := h.Cases.Now().In(calendar.Zone())
	from, to := q.Get("from"), q.Get("to")
	if from == "" {
		from = now.Format(time.DateOnly)
	}
	if to == "" {
		to = now.AddDate(0, 0, 30).Format(time.DateOnly)
	}
	shifts, err := s.Range(r.Context(), a, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"shifts": shifts})
}

// DutyRosterAssign sets one day's people (duty.AssignInput).
func (h *Handler) DutyRosterAssign(w http.ResponseWriter, r *http.Request) {
	var in duty.AssignInput
	h.rosterChange(w, r, &in, func(s *duty.RosterService) (any, error) {
		sh, err := s.Assign(r.Context(), ActorFrom(r.Context()), in)
		return map[string]any{"shifts": []*duty.Shift{sh}}, err
	})
}

// DutyRosterExchange exchanges two people's days (duty.ExchangeInput).
func (h *Handler) DutyRosterExchange(w http.ResponseWriter, r *http.Request) {
	var in duty.ExchangeInput
	h.rosterChange(w, r, &in, func(s *duty.RosterService) (any, error) {
		out, err := s.Exchange(r.Context(), ActorFrom(r.Context()), in)
		return map[string]any{"shifts": out}, err
	})
}

// DutyRosterGenerate generates the rotation of a range (duty.GenerateInput).
func (h *Handler) DutyRosterGenerate(w http.ResponseWriter, r *http.Request) {
	var in duty.GenerateInput
	h.rosterChange(w, r, &in, func(s *duty.RosterService) (any, error) {
		out, err := s.Generate(r.Context(), ActorFrom(r.Context()), in)
		return map[string]any{"shifts": out}, err
	})
}

func (h *Handler) rosterChange(w http.ResponseWriter, r *http.Request, in any, do func(*duty.RosterService) (any, error)) {
	s, ok := h.rosters(w, r)
	if !ok {
		return
	}
	if err := decode(w, r, in); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := do(s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}
