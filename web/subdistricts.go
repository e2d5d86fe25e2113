package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/jiedao/jiedao/org"
)

// subdistrictChoice lists the subdistricts a district actor picks from
// when a form creates a record of the domains outside the case loop
// (docs/jurisdictions.md): only for an actor of no subdistrict in a
// deployment of several; nil otherwise (the record is the actor's
// subdistrict's, or the one subdistrict's).
func (h *Handler) subdistrictChoice(ctx context.Context, a org.Actor) ([]*org.Jurisdiction, error) {
	if a.JurisdictionID != 0 || h.Directory == nil {
		return nil, nil
	}
	js, err := h.Directory.Jurisdictions(ctx, a)
	if err != nil {
		return nil, err
	}
	var subs []*org.Jurisdiction
	for _, j := range js {
		if j.Level != org.LevelDistrict {
			subs = append(subs, j)
		}
	}
	if len(subs) < 2 {
		return nil, nil
	}
	return subs, nil
}

// formJurisdiction reads a form's jurisdiction_id (0: none picked).
func formJurisdiction(r *http.Request) int64 {
	j, err := strconv.ParseInt(r.PostForm.Get("jurisdiction_id"), 10, 64)
	if err != nil || j < 0 {
		return 0
	}
	return j
}

// pickedActor is the actor acting for the subdistrict a district actor
// picked on a form (jurisdiction_id, checked to be one of the
// deployment's subdistricts), or the actor as he is when none was picked.
func (h *Handler) pickedActor(ctx context.Context, a org.Actor, r *http.Request) (org.Actor, error) {
	j := formJurisdiction(r)
	if j == 0 || h.Directory == nil {
		return a, nil
	}
	j, err := org.RecordJurisdiction(ctx, h.Directory.Store, a, j)
	if err != nil {
		return a, err
	}
	n, _ := a.Narrowed(j)
	return n, nil
}
