package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// The leaders' dashboard: the year's volume by channel, category,
// community and month; the evaluation figures (casework.Service.Evaluate)
// for the whole subdistrict and by unit and community, with the units
// ranked by their overdue cases; and the work report's figures
// (report.Compute). Every number links to the list of the cases behind it,
// and every table exports to XLSX.

// bar is one bar of a chart: its label, value and the cases behind it.
type bar struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Link  string  `json:"link"`
}

type chart struct {
	ID, Zh, En string
	Kind       string // bar, line or pie
	Bars       []bar
}

// JSON is the chart's data for static/dashboard.js, in a data attribute.
func (c chart) JSON() string {
	b, _ := json.Marshal(map[string]any{"kind": c.Kind, "bars": c.Bars})
	return string(b)
}

type evalRow struct {
	Name    string
	Link    string
	Overdue int
	Cases   int // cases reported in the period (the subdistricts' table)
	Rank    int // by the unit score, 1 first; 0 unranked
	casework.Evaluation
}

type dashData struct {
	Year     int
	Years    []int
	From, To time.Time
	Total    evalRow
	// Prior is the year before's figures for the whole subdistrict,
	// beside each of this year's.
	Prior     *casework.Evaluation
	PriorYear int
	// SelfHandled counts the cases handled on the spot (自行处置) in the
	// year, apart from the units' figures.
	SelfHandled     int
	SelfHandledLink string
	Figures         []figureView
	Charts          []chart
	Units           []evalRow
	Comms           []evalRow
	// Jur is the 街道 selector of a district deployment (district.go),
	// nil in a deployment of one subdistrict; Subdistricts the main
	// figures of each subdistrict side by side, on the whole district's.
	Jur          *jurChoice
	Subdistricts []evalRow
}

type figureView struct {
	report.Value
	Link   string
	OfLink string
}

// caseLink is the case list of a filter.
func caseLink(f casework.Filter) string { return "/cases?" + api.FilterQuery(f).Encode() }

// dashYear is the year asked for, else the latest year with data: the
// year of the newest case (a demo database may hold a past year), or the
// year before it when that year has no case filed (立案) yet — early in
// January a leader sees last year's figures, not "立案数 0".
func (h *Handler) dashYear(r *http.Request, a org.Actor) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	cases, _, err := h.Cases.List(r.Context(), a, casework.Filter{Limit: 1})
	if err != nil || len(cases) == 0 {
		return h.Cases.Now().In(calendar.Zone()).Year()
	}
	year := cases[0].ReportedAt.In(calendar.Zone()).Year()
	from, to := report.Period(year)
	if ev, err := h.Cases.Evaluate(r.Context(), a, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByAll}); err == nil &&
		(len(ev) == 0 || ev[0].Filed == 0) {
		pf, pt := report.Period(year - 1)
		if n, err := h.Cases.Count(r.Context(), a, casework.Filter{From: pf, To: pt}); err == nil && n > 0 {
			return year - 1
		}
	}
	return year
}

func (h *Handler) dashData(r *http.Request, a org.Actor, p *page) (*dashData, error) {
	ctx := r.Context()
	whole := a
	a, jur, err := h.narrowed(r, a)
	if err != nil {
		return nil, err
	}
	year := h.dashYear(r, a)
	from, to := report.Period(year)
	d := &dashData{Year: year, From: from, To: to, Jur: jur}
	// The cases behind a number of a subdistrict's dashboard are that
	// subdistrict's: the list is narrowed as the dashboard is.
	link := caseLink
	if code := jur.Code(); code != "" {
		link = func(f casework.Filter) string { return caseLink(f) + "&jurisdiction=" + url.QueryEscape(code) }
	}
	if d.Subdistricts, err = h.subdistrictRows(ctx, whole, jur, year); err != nil {
		return nil, err
	}
	for y := h.Cases.Now().In(calendar.Zone()).Year(); y >= year-3 && y >= 2000; y-- {
		d.Years = append(d.Years, y)
	}
	if year < h.Cases.Now().In(calendar.Zone()).Year()-3 {
		d.Years = append(d.Years, year)
	}
	period := casework.Filter{From: from, To: to}
	n, err := h.names(ctx, a)
	if err != nil {
		return nil, err
	}
	count := func(f casework.Filter) (int, error) { return h.Cases.Count(ctx, a, f) }
	cats, err := h.Cases.Categories(ctx)
	if err != nil {
		return nil, err
	}

	// The parts are independent queries: run them at once (the read pool
	// serves them in parallel on both engines).
	var all, prior, byUnit, byComm []casework.Evaluation
	pfrom, pto := report.Period(year - 1)
	var values []report.Value
	var byChannel, byCommunity, byMajor map[string]int
	months := make([]int, 12)
	eval := func(g casework.GroupBy, out *[]casework.Evaluation) func() error {
		return func() (err error) {
			*out, err = h.Cases.Evaluate(ctx, a, casework.EvalQuery{From: from, To: to, GroupBy: g})
			return err
		}
	}
	countBy := func(k casework.CountKey, out *map[string]int) func() error {
		return func() (err error) {
			*out, err = h.Cases.CountBy(ctx, a, period, k)
			return err
		}
	}
	err = parallel(eval(casework.ByAll, &all), eval(casework.ByUnit, &byUnit), eval(casework.ByCommunity, &byComm),
		func() (err error) {
			prior, err = h.Cases.Evaluate(ctx, a, casework.EvalQuery{From: pfrom, To: pto, GroupBy: casework.ByAll})
			return err
		},
		func() (err error) { values, err = report.Compute(ctx, h.Cases, a, year, h.Figures...); return err },
		countBy(casework.CountByChannel, &byChannel), countBy(casework.CountByCommunity, &byCommunity), countBy(casework.CountByMajor, &byMajor),
		func() error {
			for m := range months {
				f := casework.Filter{From: time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, calendar.Zone()), To: time.Date(year, time.Month(m+2), 1, 0, 0, 0, 0, calendar.Zone())}
				var err error
				if months[m], err = count(f); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}

	// The evaluation figures: all, by unit (ranked by overdue cases now),
	// by community.
	if len(all) > 0 {
		d.Total = evalRow{Name: p.T("全街道", "Whole subdistrict"), Link: link(period), Evaluation: all[0]}
		if jur != nil && jur.Selected == nil {
			d.Total.Name = p.T("全区", "Whole district")
		}
	}
	d.PriorYear = year - 1
	spot := period
	spot.SelfHandled = true
	if d.SelfHandled, err = count(spot); err != nil {
		return nil, err
	}
	d.SelfHandledLink = link(spot)
	if len(prior) > 0 && prior[0].Filed > 0 {
		d.Prior = &prior[0]
	}
	for _, e := range byUnit {
		f := period
		f.UnitID = e.Key
		row := evalRow{Name: n.Unit[e.Key], Link: link(f), Evaluation: e}
		if e.Key == 0 {
			row.Name = p.T("未派遣", "Not dispatched")
		} else if row.Overdue, err = count(casework.Filter{UnitID: e.Key, Due: casework.DueOverdue}); err != nil {
			return nil, err
		}
		d.Units = append(d.Units, row)
	}
	sortRows(d.Units)
	for i := range d.Units {
		if d.Units[i].Key != 0 && d.Units[i].Score() != nil {
			d.Units[i].Rank = i + 1
		}
	}
	for _, e := range byComm {
		f := period
		f.CommunityID = e.Key
		name := n.Community[e.Key]
		if e.Key == 0 {
			name = p.T("未落入社区", "No community")
		}
		d.Comms = append(d.Comms, evalRow{Name: name, Link: link(f), Evaluation: e})
	}

	// The work report's figures, each with its cases.
	for _, v := range values {
		if !v.IsCase() {
			d.Figures = append(d.Figures, figureView{Value: v, Link: v.Records(year)})
			continue
		}
		cases, of := v.InPeriod(year)
		fv := figureView{Value: v, Link: link(cases)}
		if of != nil {
			fv.OfLink = link(*of)
		}
		d.Figures = append(d.Figures, fv)
	}

	// Volume charts.
	ch := chart{ID: "by-channel", Zh: "各渠道案件量", En: "Cases by channel", Kind: "pie"}
	for _, c := range casework.Channels() {
		f := period
		f.Channel = c
		if v := byChannel[string(c)]; v > 0 {
			ch.Bars = append(ch.Bars, bar{Label: p.ChannelName(c), Value: float64(v), Link: link(f)})
		}
	}
	cc := chart{ID: "by-category", Zh: "各类问题案件量", En: "Cases by kind", Kind: "bar"}
	for _, g := range groupCategories(cats) {
		f := period
		f.Category = g.Major.Code
		cc.Bars = append(cc.Bars, bar{Label: p.CatName1(g.Major), Value: float64(byMajor[g.Major.Code]), Link: link(f)})
	}
	cm := chart{ID: "by-community", Zh: "各社区案件量", En: "Cases by community", Kind: "bar"}
	for _, c := range n.Communities {
		f := period
		f.CommunityID = c.ID
		cm.Bars = append(cm.Bars, bar{Label: c.Name, Value: float64(byCommunity[casework.CountKeyOf(c.ID)]), Link: link(f)})
	}
	mo := chart{ID: "by-month", Zh: "逐月案件量", En: "Cases by month", Kind: "line"}
	for m, v := range months {
		f := casework.Filter{From: time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, calendar.Zone()), To: time.Date(year, time.Month(m+2), 1, 0, 0, 0, 0, calendar.Zone())}
		mo.Bars = append(mo.Bars, bar{Label: p.T(fmt.Sprintf("%d月", m+1), time.Month(m + 1).String()[:3]), Value: float64(v), Link: link(f)})
	}
	on := chart{ID: "on-time", Zh: "各单位按期结案率（%）", En: "On-time closing rate by unit (%)", Kind: "bar"}
	od := chart{ID: "overdue", Zh: "各单位当前超期案件", En: "Overdue cases now, by unit", Kind: "bar"}
	for _, u := range d.Units {
		if u.Key == 0 {
			continue
		}
		if u.OnTimeCloseRate != nil {
			on.Bars = append(on.Bars, bar{Label: u.Name, Value: *u.OnTimeCloseRate, Link: u.Link})
		}
		if u.Overdue > 0 {
			od.Bars = append(od.Bars, bar{Label: u.Name, Value: float64(u.Overdue), Link: link(casework.Filter{UnitID: u.Key, Due: casework.DueOverdue})})
		}
	}
	d.Charts = []chart{mo, ch, cc, cm, on, od}
	return d, nil
}

// parallel runs the functions at once and returns the first error.
func parallel(fns ...func() error) error {
	errs := make(chan error, len(fns))
	for _, f := range fns {
		go func() { errs <- f() }()
	}
	var first error
	for range fns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func sortRows(rows []evalRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && less(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// less ranks units by their score (casework.Evaluation.Score), highest
// first; units without a score last; ties by fewer overdue cases now, then
// more cases filed. The row of cases never dispatched comes last.
func less(a, b evalRow) bool {
	if (a.Key == 0) != (b.Key == 0) {
		return b.Key == 0
	}
	sa, sb := a.Score(), b.Score()
	switch {
	case sa != nil && sb != nil && *sa != *sb:
		return *sa > *sb
	case (sa == nil) != (sb == nil):
		return sa != nil
	}
	if a.Overdue != b.Overdue {
		return a.Overdue < b.Overdue
	}
	return a.Filed > b.Filed
}

// Dashboard is the leaders' page.
func (h *Handler) Dashboard(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "驾驶舱|Dashboard")
	p.Active = "/dashboard"
	d, err := h.dashData(r, a, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Data = d
	p.Form = r.URL.Query()
	p.Body = "wide"
	p.Scripts = []string{"vendor/echarts.common.min.js", "dashboard.js"}
	h.render(w, r, http.StatusOK, "dashboard", p)
}

// Rate shows a percentage, or a dash when there is nothing to count.
func (p *page) Rate(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64) + "%"
}

// Pair shows the half of a "中文 / English" text (a figure's definition,
// report.Source's Counts) in the page's language, so that a Chinese page
// carries no English.
func (p *page) Pair(s string) string {
	if zh, en, ok := strings.Cut(s, " / "); ok {
		return p.T(strings.TrimSpace(zh), strings.TrimSpace(en))
	}
	return s
}

// Points shows a score out of 100, or a dash when there is none.
func (p *page) Points(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// Hours shows an average in hours.
func (p *page) Hours(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

// Num shows a figure's value: counts whole, rates to two places.
func (p *page) Num(v report.Value) string {
	if v.IsRate() {
		return strconv.FormatFloat(v.Value, 'f', 2, 64)
	}
	return strconv.FormatFloat(v.Value, 'f', 0, 64)
}

// exportLink is a dashboard table as XLSX or CSV.
func exportLink(table string, year int, format string) template.URL {
	return template.URL("/dashboard/export." + format + "?" + url.Values{"table": {table}, "year": {strconv.Itoa(year)}}.Encode())
}
