package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// FigureLink is the page listing the records behind a figure in a year:
// a case figure's cases with its filter, another figure's Records.
func FigureLink(f report.Figure, year int) string {
	if f.IsCase() {
		cases, _ := f.InPeriod(year)
		return "/cases?" + FilterQuery(cases).Encode()
	}
	if f.Records == nil {
		return ""
	}
	return f.Records(year)
}

// ReportFigure is a figure of the work report as the API gives it.
type ReportFigure struct {
	Key        string           `json:"key"`
	Zh         string           `json:"zh"`
	En         string           `json:"en"`
	Unit       string           `json:"unit"`
	Section    string           `json:"section"`
	Kind       string           `json:"kind"`
	Value      *float64         `json:"value"`    // null when there is nothing to measure
	Computed   *float64         `json:"computed"` // the records' value (differs from value when overridden)
	Prior      *float64         `json:"prior"`
	Change     *float64         `json:"change"` // percent change for a count, points for a rate
	ChangeText string           `json:"change_text"`
	Definition string           `json:"definition"`
	Link       string           `json:"link"`
	PriorLink  string           `json:"prior_link"`
	Override   *report.Override `json:"override"`
	By         string           `json:"by,omitempty"` // who entered an entered figure
}

// ReportFigures turns a report's values into the API's figures.
func ReportFigures(values []report.Value) []ReportFigure {
	out := make([]ReportFigure, 0, len(values))
	for _, v := range values {
		kind := v.Kind
		if kind == "" {
			kind = report.KindDerived
		}
		f := ReportFigure{Key: v.Key, Zh: v.Zh, En: v.En, Unit: v.Unit, Section: v.Section, Kind: kind, Prior: v.Prior,
			ChangeText: report.Change(v), Definition: v.Counts, Link: FigureLink(v.Figure, v.Year),
			PriorLink: FigureLink(v.Figure, v.Year-1), Override: v.Override, By: v.By}
		if !v.Missing {
			x, c := v.Value, v.Computed
			f.Value, f.Computed = &x, &c
		}
		if v.Prior != nil && !v.Missing {
			var ch float64
			switch {
			case v.IsRate():
				ch = v.Value - *v.Prior
			case *v.Prior != 0:
				ch = (v.Value - *v.Prior) / *v.Prior * 100
			}
			if v.IsRate() || *v.Prior != 0 {
				ch = math.Round(ch*100) / 100
				f.Change = &ch
			}
		}
		out = append(out, f)
	}
	return out
}

// ReportTarget is a target of the next year with its progress.
type ReportTarget struct {
	ReportFigure
	Current  *float64 `json:"current"`  // the figure the target is set on, next year so far
	Progress *float64 `json:"progress"` // current / target, percent
}

// ReportBody is the work report of a year as the API gives it.
type ReportBody struct {
	Year            int               `json:"year"`
	Jurisdiction    string            `json:"jurisdiction"`
	TemplateVersion int64             `json:"template_version"`
	Figures         []ReportFigure    `json:"figures"`
	Targets         []ReportTarget    `json:"targets"`
	Overrides       []report.Override `json:"overrides"`
	ComputedAt      time.Time         `json:"computed_at"`
}

// ReportOf is a built report as the API gives it.
func ReportOf(rep *report.Report) ReportBody {
	var targets []ReportTarget
	for _, t := range report.Targets(rep.Next) {
		rt := ReportTarget{ReportFigure: ReportFigures([]report.Value{t.Value})[0], Progress: t.Progress}
		if t.Base != nil {
			x := t.Base.Value
			rt.Current = &x
		}
		targets = append(targets, rt)
	}
	return ReportBody{Year: rep.Year, Jurisdiction: rep.Jurisdiction, TemplateVersion: rep.Doc.Template,
		Figures: ReportFigures(rep.Values), Targets: targets, Overrides: rep.History, ComputedAt: time.Now().UTC()}
}

// Report answers GET /api/v1/report?year=: every figure of the year with
// the year before, the change, its definition, kind, link and override,
// and the next year's targets with progress.
func (h *Handler) Report(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		h.fail(w, r, jiedao.Invalid("year", "请给出年份 year（2000–2100）", "give the year (2000–2100)"))
		return
	}
	// ?jurisdiction=CODE: one subdistrict's report, for an actor who may
	// see it (a district's roll-up narrowed; docs/jurisdictions.md).
	js, err := h.Directory.Store.ListJurisdictions(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, _, err = org.NarrowByCode(js, a, r.URL.Query().Get("jurisdiction"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := h.ReportDocs.Build(r.Context(), a, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, ReportOf(rep))
}
