package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// listData is a page of cases with the filter that chose them.
type listData struct {
	Cases  []caseView
	Total  int
	Offset int
	Limit  int
	N      *names
	Query  url.Values
	Prev   string
	Next   string
	// Export is the filter the export form sends; FullContacts offers
	// the export with residents' contacts (for a reason) to those who may
	// see them.
	Export       url.Values
	FullContacts bool
	Statuses     []casework.Status
	Channels     []casework.Channel
	Groups       []catGroup
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
	f, err := api.ParseFilter(q)
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
	base := api.FilterQuery(f)
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
	d.Export, d.FullContacts = base, a.SeesContacts()
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
