package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestDistrictRollUps: in a district of two subdistricts (fixture.AddXixi)
// the district's leader sees the district as a whole with each
// subdistrict's figures side by side, and narrows the dashboard, the
// report and its downloads to one subdistrict; a subdistrict's leader sees
// his own only, and asking for the other is 404. The case page offers 转办
// to a dispatcher, and the form moves the case.
func TestDistrictRollUps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		x, err := e.fx.AddXixi(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Gudang: two cases filed; 西溪: one.
		report := func(a org.Actor, in casework.ReportInput) *casework.Case {
			c, err := e.cases.Report(ctx, a, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.cases.Step(ctx, a, c.ID, casework.StepInput{Action: casework.ActAccept}); err != nil {
				t.Fatal(err)
			}
			return c
		}
		gd := org.StaffActor(e.fx.Dispatcher)
		xd := org.StaffActor(x.Dispatcher)
		g1 := report(gd, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "古荡的垃圾", GridID: e.fx.GridW1.ID})
		report(gd, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "古荡的垃圾二", GridID: e.fx.GridY1.ID})
		report(xd, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "西溪的垃圾", GridID: x.Grid.ID})

		b := e.browser()
		b.login(x.DistrictLeader)
		st, body := b.get("/dashboard?year=2024")
		if st != http.StatusOK {
			t.Fatalf("district dashboard: %d", st)
		}
		row := func(body, name string) string {
			m := regexp.MustCompile(`<tr><td><a href="[^"]*">` + name + `</a></td>((?:<td class="num">[^<]*</td>)+)</tr>`).FindStringSubmatch(body)
			if m == nil {
				return ""
			}
			return m[1]
		}
		for _, want := range []string{`id="subdistrict-table"`, `name="jurisdiction"`, "驾驶舱 · 西湖区 · 2024年", `id="kpi-filed">3<`} {
			if !strings.Contains(body, want) {
				t.Errorf("the district's dashboard lacks %q", want)
			}
		}
		if r := row(body, "古荡街道"); !strings.HasPrefix(r, `<td class="num">2</td><td class="num">2</td>`) {
			t.Errorf("古荡's row: %q", r)
		}
		if r := row(body, "西溪街道"); !strings.HasPrefix(r, `<td class="num">1</td><td class="num">1</td>`) {
			t.Errorf("西溪's row: %q", r)
		}
		st, body = b.get("/dashboard?year=2024&jurisdiction=330106008")
		if st != http.StatusOK || !strings.Contains(body, "驾驶舱 · 西溪街道 · 2024年") || !strings.Contains(body, `id="kpi-filed">1<`) ||
			strings.Contains(body, `id="subdistrict-table"`) {
			t.Errorf("西溪's dashboard for the district leader: %d", st)
		}
		if !strings.Contains(body, "jurisdiction=330106008") {
			t.Error("西溪's dashboard links to lists and exports without its subdistrict")
		}
		if st, _ := b.get("/dashboard?jurisdiction=110101001"); st != http.StatusNotFound {
			t.Errorf("a code of no subdistrict: %d, want 404", st)
		}
		if st, body := b.get("/dashboard/export.csv?table=subdistrict&year=2024"); st != http.StatusOK || !strings.Contains(body, "西溪街道,1,1") {
			t.Errorf("the subdistricts' table exported: %d %q", st, body)
		}
		st, body = b.get("/report?year=2024&jurisdiction=330106008")
		if st != http.StatusOK || !strings.Contains(body, "工作报告 · 西溪街道 · 2024年") || !strings.Contains(body, "export.docx?year=2024&amp;jurisdiction=330106008") {
			t.Errorf("西溪's report for the district leader: %d", st)
		}
		if !regexp.MustCompile(`href="/cases\?[^"]*jurisdiction=330106008"`).MatchString(body) {
			t.Error("西溪's report links its figures to cases of every subdistrict")
		}
		if st, _ := b.get("/report/export.md?year=2024&jurisdiction=330106008"); st != http.StatusOK {
			t.Errorf("西溪's report as Markdown: %d", st)
		}
		if st, body := b.get("/cases?jurisdiction=330106008"); st != http.StatusOK || strings.Contains(body, g1.Number) {
			t.Errorf("西溪's case list shows Gudang's case (%d)", st)
		}

		// A subdistrict's leader: his own only, no selector; the other's is 404.
		gl := e.browser()
		gl.login(e.fx.Leader)
		st, body = gl.get("/dashboard?year=2024")
		if st != http.StatusOK || !strings.Contains(body, `id="kpi-filed">2<`) || strings.Contains(body, `name="jurisdiction"`) || strings.Contains(body, `id="subdistrict-table"`) {
			t.Errorf("Gudang's leader's dashboard: %d", st)
		}
		for _, p := range []string{"/dashboard?jurisdiction=330106008", "/report?year=2024&jurisdiction=330106008", "/report/export.xlsx?year=2024&jurisdiction=330106008"} {
			if st, _ := gl.get(p); st != http.StatusNotFound {
				t.Errorf("Gudang's leader GET %s: %d, want 404", p, st)
			}
		}
		if st, _ := gl.get("/dashboard?jurisdiction=330106007"); st != http.StatusOK {
			t.Errorf("Gudang's leader, his own code: %d", st)
		}

		// 转办 from the case page: Gudang's dispatcher sees the form and
		// hands g1 to 西溪; a unit handler sees no form.
		d := e.browser()
		d.login(e.fx.Dispatcher)
		page := "/cases/" + itoa(g1.ID)
		_, body = d.get(page)
		if !strings.Contains(body, `id="transfer"`) || !strings.Contains(body, ">西溪街道</option>") {
			t.Fatal("the case page offers the dispatcher no 转办 to 西溪")
		}
		st, loc, _ := d.post(page+"/step", d.token(page), url.Values{"action": {"transfer"}, "jurisdiction_id": {itoa(x.Jurisdiction.ID)}, "reason": {"属西溪辖区"}})
		if st != http.StatusSeeOther || !strings.Contains(loc, "done=transfer") {
			t.Fatalf("transfer from the page: %d %s", st, loc)
		}
		c, err := e.cases.Get(ctx, org.StaffActor(x.DistrictDispatcher), g1.ID)
		if err != nil || c.JurisdictionID != x.Jurisdiction.ID {
			t.Fatalf("after the page's transfer: %v, %+v", err, c)
		}
		_, body = b.get("/cases/" + itoa(g1.ID))
		if !strings.Contains(body, "古荡街道 → 西溪街道") {
			t.Error("the history does not say from and to")
		}
		h := e.browser()
		h.login(x.Handler)
		if _, body := h.get(page); strings.Contains(body, `id="transfer"`) {
			t.Error("a unit handler is offered 转办")
		}
	})
}
