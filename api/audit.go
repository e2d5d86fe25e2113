package api

import (
	"net/http"

	"github.com/jiedao/jiedao/casework"
)

// revealRequest is the body of POST /api/v1/cases/{id}/reveal.
type revealRequest struct {
	Reason string `json:"reason"`
}

// RevealContact shows the full name and phone number of a case's reporter
// to a staff member who sees them masked and states why (a unit calling
// the resident back, the grid worker visiting). The reveal is recorded on
// the audit trail, reason included; the number never is.
func (h *Handler) RevealContact(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	var in revealRequest
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Cases.RevealContact(r.Context(), a, id, in.Reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, struct {
		CaseID   int64            `json:"case_id"`
		Reporter casework.Contact `json:"reporter"`
	}{id, c})
}
