package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A sortable, paged table (docs/pages.md, "Tables"). A list handler
// describes its columns, reads the reader's sort and page from the query
// string with readTable, asks its service for that page (an offset and a
// limit, the sort key and direction), and gives the page with the total to
// table.finish, which builds the header links and the page numbers. The
// template draws it with the "thead" and "pager" partials. Everything is
// in the query string, so a sorted page can be bookmarked, reloaded and
// shared, and works without JavaScript.

// column is one column of a table.
type column struct {
	Key    string // the sort key ("" for a column that cannot be sorted)
	Zh, En string
	Num    bool   // numbers: right-aligned
	Class  string // an extra class for the th and its cells (e.g. "hide-phone")
}

// listTable is the state of one table on one page.
type listTable struct {
	Columns []headCell
	Sort    string // the sort key in effect
	Asc     bool
	Page    int // 1-based
	PerPage int
	Total   int
	// More says that Total is a capped count (a text search's,
	// casework.SearchTotalCap): more rows match, shown "1000+", and the
	// pages go on past it.
	More  bool
	Pages []pageLink
	Prev  string
	Next  string
	From  int // the first row's number on this page (1-based); 0 when empty
	To    int

	base    url.Values // the query without sort, dir and page
	path    string
	columns []column
	defSort string
	defAsc  bool
}

// headCell is a column header with its link.
type headCell struct {
	column
	URL    string // sorts by this column (turned if it is the sort already)
	Sorted string // "asc", "desc" or "" when not the sort
}

// pageLink is one page number in the pager; Gap is an ellipsis.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// readTable reads the sort (sort, dir=asc|desc) and the page (page) of a
// table at path from the query q. An unknown sort key falls back to
// defSort in its default direction; a page out of range to the first.
// The other parameters of q (the filters) are kept on every link.
func readTable(path string, q url.Values, cols []column, defSort string, defAsc bool, perPage int) *listTable {
	t := &listTable{path: path, columns: cols, defSort: defSort, defAsc: defAsc, PerPage: perPage, Sort: defSort, Asc: defAsc, Page: 1}
	if k := q.Get("sort"); k != "" {
		for _, c := range cols {
			if c.Key != "" && c.Key == k {
				t.Sort = k
				switch q.Get("dir") {
				case "asc":
					t.Asc = true
				case "desc":
					t.Asc = false
				}
				break
			}
		}
	} else if d := q.Get("dir"); d == "asc" || d == "desc" {
		t.Asc = d == "asc"
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		t.Page = n
	}
	t.base = url.Values{}
	for k, vs := range q {
		switch k {
		case "sort", "dir", "page", "offset", "after", "before":
			continue
		}
		t.base[k] = append([]string(nil), vs...)
	}
	return t
}

// Offset is the first row of the page, for the service's query.
func (t *listTable) Offset() int { return (t.Page - 1) * t.PerPage }

// link is the table's address with the filters and the given sort and page.
func (t *listTable) link(sort string, asc bool, page int) string {
	q := url.Values{}
	for k, vs := range t.base {
		q[k] = vs
	}
	if sort != t.defSort || asc != t.defAsc {
		q.Set("sort", sort)
		if asc {
			q.Set("dir", "asc")
		} else {
			q.Set("dir", "desc")
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return t.path
	}
	return t.path + "?" + q.Encode()
}

// Here is the table's address with its filters, sort and page, for a form
// that comes back here (a batch step).
func (t *listTable) Here() string { return t.link(t.Sort, t.Asc, t.Page) }

// finish sets the total and the rows on this page, and builds the header
// links and the pager: the first, the last and two either side of the
// current page, gaps between.
func (t *listTable) finish(total, rows int) {
	t.Total = total
	pages := max((total+t.PerPage-1)/t.PerPage, 1)
	if t.More {
		pages = max(pages, t.Page)
	} else if t.Page > pages {
		t.Page = pages
	}
	if rows > 0 {
		t.From, t.To = t.Offset()+1, t.Offset()+rows
	}
	t.Columns = t.Columns[:0]
	for _, c := range t.columns {
		h := headCell{column: c}
		if c.Key != "" {
			// A first click sorts numbers and times newest/largest first,
			// names in order; a second click turns it.
			asc := !c.Num && c.Key != t.defSort
			if c.Key == t.Sort {
				asc = !t.Asc
				h.Sorted = "desc"
				if t.Asc {
					h.Sorted = "asc"
				}
			}
			h.URL = t.link(c.Key, asc, 1)
		}
		t.Columns = append(t.Columns, h)
	}
	t.Pages = t.Pages[:0]
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < t.Page-2 || n > t.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			t.Pages = append(t.Pages, pageLink{Gap: true})
		}
		t.Pages = append(t.Pages, pageLink{N: n, URL: t.link(t.Sort, t.Asc, n), Current: n == t.Page})
		last = n
	}
	if t.Page > 1 {
		t.Prev = t.link(t.Sort, t.Asc, t.Page-1)
	}
	if t.Page < pages || t.More && rows == t.PerPage {
		t.Next = t.link(t.Sort, t.Asc, t.Page+1)
	}
}

// tableView is a table with its page, for the "thead" and "pager" partials.
type tableView struct {
	P *page
	T *listTable
}

// pageOf sorts rows held in memory (a directory list) by the table's sort
// key — less[key] orders two rows ascending — and returns the table's page
// of them, finishing the table. For lists the services return whole.
func pageOf[T any](t *listTable, rows []T, less map[string]func(a, b T) bool) []T {
	if f := less[t.Sort]; f != nil {
		slices.SortStableFunc(rows, func(a, b T) int {
			switch {
			case f(a, b):
				return -1
			case f(b, a):
				return 1
			}
			return 0
		})
		if !t.Asc {
			slices.Reverse(rows)
		}
	}
	pages := max((len(rows)+t.PerPage-1)/t.PerPage, 1)
	t.Page = min(t.Page, pages)
	from := min(t.Offset(), len(rows))
	to := min(from+t.PerPage, len(rows))
	page := rows[from:to]
	t.finish(len(rows), len(page))
	return page
}

// matches reports whether any of the texts contains the words q (case
// folded); an empty q matches everything.
func matches(q string, texts ...string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, s := range texts {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}
