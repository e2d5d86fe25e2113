package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// parseFilter reads a case filter from query parameters. The names are
// the JSON API's (status, channel, category, community_id, grid_id,
// unit_id, due, q, number, from, to) and the drill-down fields of the
// report's figures (dispatched, signed, handled, rated, rating), so that
// every figure links to the list of its cases.
func parseFilter(q url.Values) (casework.Filter, error) {
	if err := validUTF8(q); err != nil {
		return casework.Filter{}, err
	}
	f := casework.Filter{Channel: casework.Channel(q.Get("channel")), Category: strings.TrimSpace(q.Get("category")),
		Number: strings.TrimSpace(q.Get("number")), Query: strings.TrimSpace(q.Get("q")), Due: casework.DueState(q.Get("due"))}
	if f.Channel != "" && !f.Channel.Valid() {
		return f, jiedao.Invalid("channel", "渠道无效", "unknown channel")
	}
	switch f.Due {
	case casework.DueNone, casework.DueOK, casework.DueWarning, casework.DueOverdue:
	default:
		return f, jiedao.Invalid("due", "时限状态无效", "unknown deadline state")
	}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			st := casework.Status(s)
			if !st.Valid() {
				return f, jiedao.Invalid("status", "状态无效："+s, "unknown status: "+s)
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	for _, v := range q["rating"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			rt := casework.Rating(s)
			if !rt.Valid() {
				return f, jiedao.Invalid("rating", "评价无效："+s, "unknown rating: "+s)
			}
			f.Ratings = append(f.Ratings, rt)
		}
	}
	for _, x := range []struct {
		name string
		dst  *int64
	}{{"community_id", &f.CommunityID}, {"grid_id", &f.GridID}, {"unit_id", &f.UnitID}} {
		if v := q.Get(x.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, jiedao.Invalid(x.name, "编号无效", "invalid id")
			}
			*x.dst = n
		}
	}
	for _, x := range []struct {
		name string
		dst  *bool
	}{{"dispatched", &f.Dispatched}, {"signed", &f.Signed}, {"handled", &f.Handled}, {"rated", &f.Rated}} {
		*x.dst = q.Get(x.name) == "1" || q.Get(x.name) == "true"
	}
	var err error
	if f.From, err = parseDay(q.Get("from"), "from"); err != nil {
		return f, err
	}
	if f.To, err = parseDay(q.Get("to"), "to"); err != nil {
		return f, err
	}
	return f, nil
}

// filterQuery writes a filter back as the query parameters parseFilter
// reads: the link from a figure to its cases.
func filterQuery(f casework.Filter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("channel", string(f.Channel))
	set("category", f.Category)
	set("number", f.Number)
	set("q", f.Query)
	set("due", string(f.Due))
	var ss []string
	for _, s := range f.Statuses {
		ss = append(ss, string(s))
	}
	set("status", strings.Join(ss, ","))
	var rs []string
	for _, r := range f.Ratings {
		rs = append(rs, string(r))
	}
	set("rating", strings.Join(rs, ","))
	for k, v := range map[string]int64{"community_id": f.CommunityID, "grid_id": f.GridID, "unit_id": f.UnitID} {
		if v != 0 {
			q.Set(k, strconv.FormatInt(v, 10))
		}
	}
	for k, v := range map[string]bool{"dispatched": f.Dispatched, "signed": f.Signed, "handled": f.Handled, "rated": f.Rated} {
		if v {
			q.Set(k, "1")
		}
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.In(calendar.Zone()).Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.In(calendar.Zone()).Format("2006-01-02"))
	}
	return q
}

// parseDay reads a date (China time), or an RFC 3339 time.
func parseDay(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, calendar.Zone()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, jiedao.Invalid(field, "日期格式应为 2024-06-12", "date must look like 2024-06-12")
}

// listData is a page of cases with the filter that chose them.
type listData struct {
	Cases    []caseView
	Total    int
	Offset   int
	Limit    int
	N        *names
	Query    url.Values
	Prev     string
	Next     string
	Export   string
	Statuses []casework.Status
	Channels []casework.Channel
	Groups   []catGroup
}

const pageSize = 50

// CaseList lists the cases the viewer may see that match the query:
// every figure and table links here.
func (h *Handler) CaseList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "案件|Case")
	p.Active = "/cases"
	q := r.URL.Query()
	p.Form = q
	f, err := parseFilter(q)
	if err != nil {
		p.setError(err)
		f = casework.Filter{}
	}
	off, _ := strconv.Atoi(q.Get("offset"))
	f.Offset, f.Limit = max(off, 0), pageSize
	d, err := h.listData(r, a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	base := filterQuery(f)
	if f.Offset > 0 {
		pq := cloneValues(base)
		pq.Set("offset", strconv.Itoa(max(f.Offset-pageSize, 0)))
		d.Prev = "/cases?" + pq.Encode()
	}
	if f.Offset+pageSize < d.Total {
		nq := cloneValues(base)
		nq.Set("offset", strconv.Itoa(f.Offset+pageSize))
		d.Next = "/cases?" + nq.Encode()
	}
	d.Export = "/cases/export.xlsx?" + base.Encode()
	p.Data = d
	h.render(w, r, http.StatusOK, "cases", p)
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
	d := &listData{Total: total, Offset: f.Offset, Limit: f.Limit, N: n, Statuses: casework.Statuses(),
		Channels: casework.Channels(), Groups: groupCategories(cats)}
	for _, c := range cases {
		d.Cases = append(d.Cases, h.view(c))
	}
	return d, nil
}
