package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// listData is a page of cases with the filter that chose them.
type listData struct {
	Cases []caseView
	Total int
	// TotalMore: Total is a text search's capped count, more match.
	TotalMore bool
	Table     *listTable
	N         *names
	// Export is the filter the export form sends; FullContacts offers
	// the export with residents' contacts (for a reason) to those who may
	// see them.
	Export       url.Values
	FullContacts bool
	Statuses     []casework.Status
	Channels     []casework.Channel
	Groups       []catGroup
	// Batch offers the batch steps (the command center's); Results are
	// the outcome of the last one, a line per case.
	Batch   bool
	Results []batchResult
}

const pageSize = 50

// caseColumns are the columns of the case table; the keys are
// casework.CaseSort's.
var caseColumns = []column{
	{Key: string(casework.SortNumber), Zh: "编号", En: "Number"},
	{Zh: "标题", En: "Title"},
	{Key: string(casework.SortStatus), Zh: "状态", En: "Status"},
	{Key: string(casework.SortDue), Zh: "时限", En: "Deadline"},
	{Key: string(casework.SortUrgency), Zh: "紧急程度", En: "Urgency", Class: "hide-narrow"},
	{Key: string(casework.SortCategory), Zh: "类型", En: "Kind"},
	{Zh: "社区 / 承办单位", En: "Community / unit", Class: "hide-narrow"},
	{Key: string(casework.SortReported), Zh: "上报时间", En: "Reported", Num: true},
}

// CaseList lists the cases the viewer may see that match the query, as a
// table sorted and paged by the query string: every figure and table
// links here.
func (h *Handler) CaseList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	// A district's roll-ups link here with ?jurisdiction=: the list of one
	// subdistrict (district.go).
	a, _, err := h.narrowed(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "案件|Case")
	h.caseList(w, r, p, a, r.URL.Query(), nil, nil)
}

// caseList renders the case table for the query q, with the results of a
// batch step when there was one and what was typed into its form.
func (h *Handler) caseList(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, q url.Values, results []batchResult, typed url.Values) {
	p.Active = "/cases"
	p.Form = cloneValues(q)
	for k, vs := range typed {
		p.Form[k] = vs
	}
	// A filter that cannot be read (too long, an unknown value) is the
	// form's error, shown above the list with the field named, answered
	// 400 so that no script takes the unfiltered list for its answer.
	status := http.StatusOK
	f, err := api.ParseFilter(q)
	if err != nil {
		p.setError(err)
		f, status = casework.Filter{}, http.StatusBadRequest
	}
	t := readTable("/cases", q, caseColumns, string(casework.SortReported), false, pageSize)
	// The old offset parameter still pages (links from before tables).
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 && q.Get("page") == "" {
		t.Page = off/pageSize + 1
	}
	f.Sort, f.Asc = casework.CaseSort(t.Sort), t.Asc
	f.Offset, f.Limit = t.Offset(), pageSize
	keyset := casework.KeysetSort(f.Sort)
	cursor := func(name string) int64 {
		id, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || id <= 0 || !keyset {
			return 0
		}
		return id
	}
	if after := cursor("after"); after != 0 {
		// 下一页 from a cursor: the cases after the last one shown.
		f.After, f.Offset, t.Page = after, 0, 1
	} else if before := cursor("before"); before != 0 {
		// 上一页 from a cursor: the cases before the first one shown.
		f.Before, f.Offset, t.Page = before, 0, 1
	}
	d, err := h.listData(r, a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if casework.TotalCapped(f, d.Total) {
		// A text search counted to SearchTotalCap: "1000+".
		d.Total, d.TotalMore, t.More = casework.SearchTotalCap, true, true
	}
	t.finish(d.Total, len(d.Cases))
	byCursor := func(name string, id int64) string {
		u := t.link(t.Sort, t.Asc, 1)
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		return u + sep + name + "=" + strconv.FormatInt(id, 10)
	}
	if keyset && len(d.Cases) > 0 {
		// The next page by keyset (cheap at any depth), keeping the sort
		// and the filters: after a numbered page that has one, after a
		// full page reached by cursor, and always after a page read
		// backwards (the case it was read from follows it).
		switch {
		case f.Before != 0, f.After != 0 && len(d.Cases) == pageSize, f.After == 0 && t.Next != "":
			t.Next = byCursor("after", d.Cases[len(d.Cases)-1].ID)
		default:
			t.Next = ""
		}
	}
	if f.After != 0 || f.Before != 0 {
		// Deep in the list by cursor: no page number, but the first and
		// the last page one click away (the last is read from the list's
		// end, so it costs what the first does) and 上一页 by cursor.
		t.From, t.To = 0, 0
		pages := max((d.Total+pageSize-1)/pageSize, 1)
		first := t.link(t.Sort, t.Asc, 1)
		t.Prev = ""
		if len(d.Cases) > 0 && (f.After != 0 || len(d.Cases) == pageSize) {
			// A short page read backwards is the list's start.
			t.Prev = byCursor("before", d.Cases[0].ID)
		}
		t.Pages = []pageLink{{N: 1, URL: first}, {Gap: true}}
		if pages > 1 && !t.More {
			t.Pages = append(t.Pages, pageLink{N: pages, URL: t.link(t.Sort, t.Asc, pages)})
		}
	}
	d.Table = t
	d.Export, d.FullContacts = api.FilterQuery(f), a.SeesContacts()
	d.Batch = a.Is(org.RoleDispatcher)
	d.Results = results
	p.Data = d
	h.render(w, r, status, "cases", p)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (h *Handler) listData(r *http.Request, a org.Actor, f casework.Filter) (*listData, error) {
	cases, total, err := h.Cases.List(r.Context(), a, f)
	if err != nil {
		return nil, err
	}
	n, err := h.names(r.Context(), a)
	if err != nil {
		return nil, err
	}
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	d := &listData{Total: total, N: n, Statuses: casework.Statuses(),
		Channels: casework.Channels(), Groups: groupCategories(cats)}
	for _, c := range cases {
		d.Cases = append(d.Cases, h.view(c))
	}
	return d, nil
}
