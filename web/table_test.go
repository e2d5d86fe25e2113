package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

var rowNumberRE = regexp.MustCompile(`<tr data-case="\d+" data-number="([^"]+)"`)

// TestCaseTable: the case list is a table sorted by the column header's
// link and paged with page numbers and the total, all in the query
// string; the search box finds a case by its number; a batch step on the
// ticked rows answers a line per case.
func TestCaseTable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		disp := e.fx.Actor(org.RoleDispatcher)
		var cases []*casework.Case
		for i := range 55 {
			in := casework.ReportInput{Category: fixture.CatExposedTrash, Title: fmt.Sprintf("表格测试 %02d", i), Details: "垃圾桶满溢",
				GridID: e.fx.GridW1.ID}
			if i%2 == 1 {
				in.Category, in.GridID = fixture.CatStreetVendor, e.fx.GridY1.ID
			}
			c, err := e.cases.Report(ctx, disp, in)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
			e.clock.Advance(time.Minute)
		}
		b := e.browser()
		b.login(e.fx.Dispatcher)

		numbers := func(body string) []string {
			var out []string
			for _, m := range rowNumberRE.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		// Page 1: newest first, 50 rows, the total and page numbers.
		st, body := b.get("/cases")
		got := numbers(body)
		if st != http.StatusOK || len(got) != 50 || got[0] != cases[54].Number || got[49] != cases[5].Number {
			t.Fatalf("page 1: %d, %d rows, first %v", st, len(got), got[:min(len(got), 2)])
		}
		for _, want := range []string{`<b data-total>55</b>`, `aria-current="page">1</span>`, `href="/cases?page=2"`,
			`href="/cases?dir=asc&amp;sort=number"`, `aria-sort="descending"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page 1 lacks %q", want)
			}
		}
		// Page 2: the rest.
		_, body = b.get("/cases?page=2")
		if got := numbers(body); len(got) != 5 || got[4] != cases[0].Number || !strings.Contains(body, "第51–55 条") {
			t.Errorf("page 2: %v", got)
		}
		// 下一页 by cursor: the link after the last row shown, and the
		// page it leads to, the same rows as page 2 (at any depth a
		// cursor page costs what the first does).
		_, body = b.get("/cases")
		next := `href="/cases?after=` + itoa(cases[5].ID) + `" rel="next"`
		if !strings.Contains(body, next) {
			t.Errorf("page 1 lacks the cursor link %q", next)
		}
		_, body = b.get("/cases?after=" + itoa(cases[5].ID))
		if got := numbers(body); len(got) != 5 || got[0] != cases[4].Number || got[4] != cases[0].Number ||
			!strings.Contains(body, `<b data-total>55</b>`) {
			t.Errorf("the cursor page: %v", got)
		}
		// Its 上一页 is a cursor too, read backwards from its first row:
		// page 1's rows again; and the last page stays one click away.
		prev := `href="/cases?before=` + itoa(cases[4].ID) + `" rel="prev"`
		if !strings.Contains(body, prev) || !strings.Contains(body, `href="/cases?page=2"`) {
			t.Errorf("the cursor page lacks %q or the last page's link", prev)
		}
		_, body = b.get("/cases?before=" + itoa(cases[4].ID))
		if got := numbers(body); len(got) != 50 || got[0] != cases[54].Number || got[49] != cases[5].Number ||
			!strings.Contains(body, next) {
			t.Errorf("the page before the cursor page: %d rows %v…%v, want cases 54…5 and the link on (%v)", len(got), got[0], got[len(got)-1], strings.Contains(body, next))
		}
		// The cursor keeps the sort and the filters.
		_, body = b.get("/cases?sort=number&dir=asc&category=" + fixture.CatStreetVendor + "&after=" + itoa(cases[49].ID))
		if got := numbers(body); len(got) != 2 || got[0] != cases[51].Number || got[1] != cases[53].Number {
			t.Errorf("cursor page by number, street vendors: %v", got)
		}

		// Sorted by number, oldest first; the filters stay on the links.
		_, body = b.get("/cases?sort=number&dir=asc&category=" + fixture.CatStreetVendor)
		if got := numbers(body); len(got) != 27 || got[0] != cases[1].Number || got[26] != cases[53].Number {
			t.Errorf("by number, street vendors: %d rows %v", len(got), got[:min(len(got), 2)])
		}
		if !strings.Contains(body, `href="/cases?category=`+fixture.CatStreetVendor+`&amp;dir=desc&amp;sort=number"`) {
			t.Error("the sorted column's link does not turn the order, or loses the filter")
		}
		// An unknown sort key is the default order, not an error.
		if st, body := b.get("/cases?sort=secret&dir=asc"); st != 200 || numbers(body)[0] != cases[54].Number {
			t.Errorf("unknown sort key: %d", st)
		}
		// The search box finds a case by its number.
		_, body = b.get("/cases?q=" + url.QueryEscape(cases[7].Number))
		if got := numbers(body); len(got) != 1 || got[0] != cases[7].Number {
			t.Errorf("q=%s found %v", cases[7].Number, got)
		}

		// Batch: dispatch three cases as routing suggests; the third has
		// no suggestion (a place no rule covers) and says so; the others
		// are accepted and dispatched.
		noRoute, err := e.cases.Report(ctx, disp, casework.ReportInput{Category: fixture.CatStreetVendor, Title: "无派遣建议", Details: "文华社区的占道经营无派遣规则", GridID: e.fx.GridW1.ID})
		if err != nil {
			t.Fatal(err)
		}
		tok := b.token("/cases")
		st, _, body = b.post("/cases/batch", tok, url.Values{"id": {itoa(cases[0].ID), itoa(cases[2].ID), itoa(noRoute.ID)},
			"action": {"dispatch"}, "back": {"/cases?sort=number"}})
		if st != http.StatusOK {
			t.Fatalf("batch: %d", st)
		}
		for _, c := range []*casework.Case{cases[0], cases[2]} {
			got, err := e.cases.Get(ctx, disp, c.ID)
			if err != nil || got.Status != casework.StatusDispatched || got.UnitID != c.SuggestedUnit || c.SuggestedUnit == 0 {
				t.Errorf("%s after batch dispatch: %+v %v", c.Number, got, err)
			}
			if !regexp.MustCompile(`<li class="ok" data-case="` + itoa(c.ID) + `">`).MatchString(body) {
				t.Errorf("no success line for %s", c.Number)
			}
		}
		if noRoute.SuggestedUnit != 0 {
			t.Fatal("the fixture routes street vendors in 文华社区 now: pick another case without a suggestion")
		}
		{
			if !strings.Contains(body, `<li class="bad" data-case="`+itoa(noRoute.ID)+`">`) || !strings.Contains(body, "没有派遣建议") {
				t.Error("no failure line for the case without a suggestion")
			}
			if got, _ := e.cases.Get(ctx, disp, noRoute.ID); got.Status != casework.StatusReported {
				t.Errorf("the case without a suggestion was changed: %s", got.Status)
			}
		}
		if !strings.Contains(body, "成功 2 件") {
			t.Error("no summary of the batch")
		}
		// Supervise needs a note; with one, each case gets its event.
		st, _, body = b.post("/cases/batch", tok, url.Values{"id": {itoa(cases[0].ID)}, "action": {"supervise"}})
		if st != http.StatusOK || !strings.Contains(body, "督办须填写督办意见") {
			t.Errorf("supervise without a note: %d", st)
		}
		st, _, body = b.post("/cases/batch", tok, url.Values{"id": {itoa(cases[0].ID), itoa(cases[2].ID)}, "action": {"supervise"}, "reason": {"请今天处置完毕"}})
		if st != http.StatusOK || !strings.Contains(body, "成功 2 件") {
			t.Errorf("supervise: %d", st)
		}
		// A unit handler may not supervise: the line says why.
		h := e.browser()
		h.login(e.fx.Staff(org.RoleUnitHandler))
		_, _, body = h.post("/cases/batch", h.token("/cases"), url.Values{"id": {itoa(cases[0].ID)}, "action": {"supervise"}, "reason": {"催办"}})
		if !strings.Contains(body, `<li class="bad"`) || !strings.Contains(body, "成功 0 件") {
			t.Error("a unit handler's batch supervise was not refused per case")
		}
	})
}
