package api

import (
	"net/http"
	"slices"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// kindInfo is a case kind with its table of statutory clocks.
type kindInfo struct {
	Kind    casework.Kind       `json:"kind"`
	Zh      string              `json:"zh"`
	Officer string              `json:"officer_role"`
	Clocks  []calendar.ClockDef `json:"clocks"`
}

// Kinds lists the case kinds with legal clocks and their clock tables
// (docs/kinds.md).
func (h *Handler) Kinds(w http.ResponseWriter, r *http.Request) {
	if err := RequireSignedIn(ActorFrom(r.Context())); err != nil {
		h.fail(w, r, err)
		return
	}
	out := []kindInfo{}
	for _, k := range casework.Kinds() {
		m, ok := h.Cases.Kinds[k]
		if !ok {
			continue
		}
		out = append(out, kindInfo{Kind: k, Zh: k.Zh(), Officer: string(k.Officer()), Clocks: slices.Clone(m.Clocks())})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"kinds": out})
}

// CaseClocks returns the state of a case's statutory clocks now, each with
// its notice and article.
func (h *Handler) CaseClocks(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	c, err := h.Cases.Get(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	clocks, err := h.Cases.KindClocks(r.Context(), c, h.Cases.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if clocks == nil {
		clocks = []calendar.ClockState{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"kind": c.Kind, "clocks": clocks})
}
