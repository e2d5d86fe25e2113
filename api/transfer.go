package api

import (
	"net/http"

	"github.com/jiedao/jiedao/casework"
)

// TransferInput is the body of POST /api/v1/cases/{id}/transfer (转办).
type TransferInput struct {
	JurisdictionID int64  `json:"jurisdiction_id"` // the subdistrict to transfer to
	Reason         string `json:"reason"`
}

// TransferCase hands a case to another subdistrict of the deployment
// (casework.Service.Transfer): POST /api/v1/cases/{id}/transfer.
func (h *Handler) TransferCase(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.caseActor(w, r)
	if !ok {
		return
	}
	var in TransferInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var c *casework.Case
	c, err := h.Cases.Transfer(r.Context(), a, id, in.JurisdictionID, in.Reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.view(c))
}
