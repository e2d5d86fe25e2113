package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// A district's roll-ups (docs/jurisdictions.md): in a deployment of
// several subdistricts, the dashboard and the work report of a district
// actor show the district as a whole and can be narrowed to one
// subdistrict (?jurisdiction=CODE, its division code; the 街道 selector);
// a subdistrict's actor sees only his own, and a jurisdiction= naming
// another is 404, as a case of another is.

// jurChoice is the selector's state on a page.
type jurChoice struct {
	// Options are the subdistricts the actor may choose (a district
	// actor's: all of them); empty for a subdistrict's actor.
	Options []*org.Jurisdiction
	// Selected is the subdistrict shown (nil: the whole district).
	Selected *org.Jurisdiction
	// District is the district row (nil when the deployment has none).
	District *org.Jurisdiction
}

// Code is the selected subdistrict's division code, "" for the whole.
func (j *jurChoice) Code() string {
	if j == nil || j.Selected == nil {
		return ""
	}
	return j.Selected.DivisionCode
}

// WholeName names the whole the page shows when nothing is selected.
func (j *jurChoice) WholeName() string {
	if j != nil && j.District != nil {
		return j.District.Name
	}
	return "全区"
}

// narrowByQuery reads ?jurisdiction= and returns the actor narrowed to
// that subdistrict (Actor.Narrowed), with the selector's state; nil
// state in a deployment of one subdistrict, where nothing changes. A
// subdistrict's actor is narrowed to his own whatever is asked; a code
// he may not see, or no subdistrict's, is not found.
func (h *Handler) narrowByQuery(ctx context.Context, a org.Actor, code string) (org.Actor, *jurChoice, error) {
	js, err := h.Directory.Store.ListJurisdictions(ctx)
	if err != nil {
		return a, nil, err
	}
	narrowed, selected, err := org.NarrowByCode(js, a, code)
	if err != nil || len(org.Subdistricts(js)) < 2 {
		return narrowed, nil, err
	}
	ch := &jurChoice{Selected: selected}
	for _, j := range js {
		if j.IsDistrict() && ch.District == nil {
			ch.District = j
		}
	}
	if a.JurisdictionID == 0 {
		// The selector: every subdistrict, for an actor of the whole
		// deployment (narrowed or not).
		ch.Options = org.Subdistricts(js)
	}
	return narrowed, ch, nil
}

// narrowed is narrowByQuery for a request.
func (h *Handler) narrowed(r *http.Request, a org.Actor) (org.Actor, *jurChoice, error) {
	return h.narrowByQuery(r.Context(), a, r.URL.Query().Get("jurisdiction"))
}

// subdistrictRows are the main figures of each subdistrict the actor may
// choose, side by side: the cases reported in the period, and the
// evaluation (filed, on-time closing, satisfaction) with the overdue cases
// now; each row links to that subdistrict's dashboard.
func (h *Handler) subdistrictRows(ctx context.Context, a org.Actor, ch *jurChoice, year int) ([]evalRow, error) {
	if ch == nil || ch.Selected != nil || len(ch.Options) < 2 {
		return nil, nil
	}
	from, to := report.Period(year)
	rows := make([]evalRow, len(ch.Options))
	var fns []func() error
	for i, j := range ch.Options {
		n, ok := a.Narrowed(j.ID)
		if !ok {
			continue
		}
		fns = append(fns, func() error {
			row := evalRow{Name: j.Name, Link: "/dashboard?" + url.Values{"year": {strconv.Itoa(year)}, "jurisdiction": {j.DivisionCode}}.Encode()}
			ev, err := h.Cases.Evaluate(ctx, n, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByAll})
			if err != nil {
				return err
			}
			if len(ev) > 0 {
				row.Evaluation = ev[0]
			}
			if row.Cases, err = h.Cases.Count(ctx, n, casework.Filter{From: from, To: to}); err != nil {
				return err
			}
			if row.Overdue, err = h.Cases.Count(ctx, n, casework.Filter{Due: casework.DueOverdue}); err != nil {
				return err
			}
			rows[i] = row
			return nil
		})
	}
	if err := parallel(fns...); err != nil {
		return nil, err
	}
	return rows, nil
}

// exportIn is exportLink for a subdistrict's dashboard ("" for the whole).
func exportIn(table string, year int, format, jurisdiction string) template.URL {
	q := url.Values{"table": {table}, "year": {strconv.Itoa(year)}}
	if jurisdiction != "" {
		q.Set("jurisdiction", jurisdiction)
	}
	return template.URL("/dashboard/export." + format + "?" + q.Encode())
}

// transferData fills the case page's 转办 form: the other subdistricts,
// when the viewer may transfer the case now; and the names of the
// subdistricts for the history.
func (h *Handler) transferData(ctx context.Context, a org.Actor, c *casework.Case, d *caseData) error {
	js, err := h.Directory.Store.ListJurisdictions(ctx)
	if err != nil {
		return err
	}
	d.Jurisdictions = map[int64]string{}
	for _, j := range js {
		d.Jurisdictions[j.ID] = j.Name
	}
	if !casework.MayTransfer(a) || casework.CheckStep(a, casework.ActTransfer, c) != nil {
		return nil
	}
	d.Transfer, err = h.Cases.TransferTargets(ctx, c)
	return err
}
