package web_test

import (
	"archive/zip"
	"bytes"
	"html"
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

var (
	figLinkRE   = regexp.MustCompile(`<a class="fig" href="([^"]+)" data-key="([^"]+)" data-value="([^"]+)"`)
	caseTotalRE = regexp.MustCompile(`<span class="muted small">(\d+) 件</span>`)
)

// The work report's pages: a leader reads the report of a year, each
// figure linking to the cases it counts (their number is the figure); an
// admin saves the words as versions, overrides a figure with a reason
// (marked on the page and in the downloads), downloads the DOCX and checks
// a draft; a dispatcher is refused, and /report without ?year= is still
// the staff report form.
func TestWorkReportPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Two Ping'an reports of this year, one handled.
		svc := e.cases
		for i := range 2 {
			lat, lon := e.fx.LatLon(e.fx.GridW1.ID)
			c, err := svc.Report(t.Context(), e.fx.Actor(org.RoleDispatcher), casework.ReportInput{Category: fixture.CatExposedTrash,
				Details: "垃圾满溢", Lat: lat, Lon: lon, Channel: casework.ChannelPingan})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				for _, st := range []struct {
					r  org.Role
					in casework.StepInput
				}{
					{org.RoleDispatcher, casework.StepInput{Action: casework.ActAccept}},
					{org.RoleDispatcher, casework.StepInput{Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID}},
					{org.RoleUnitHandler, casework.StepInput{Action: casework.ActSign}},
					{org.RoleUnitHandler, casework.StepInput{Action: casework.ActHandle, Reason: "已清理完毕", Photos: []string{"att/1.jpg"}}},
				} {
					if _, err := svc.Step(t.Context(), e.fx.Actor(st.r), c.ID, st.in); err != nil {
						t.Fatalf("%s: %v", st.in.Action, err)
					}
				}
			}
		}

		leader := e.browser()
		leader.login(e.fx.Leader)
		st, body := leader.get("/report?year=2024")
		if st != http.StatusOK {
			t.Fatalf("report page: %d\n%.500s", st, body)
		}
		links := figLinkRE.FindAllStringSubmatch(body, -1)
		if len(links) < 6 {
			t.Fatalf("%d figure links", len(links))
		}
		pingan := false
		for _, l := range links {
			href, key, value := html.UnescapeString(l[1]), l[2], l[3]
			if !strings.HasPrefix(href, "/cases?") {
				t.Fatalf("%s links to %s", key, href)
			}
			if strings.Contains(key, "satisfaction") {
				continue // a rate: its link lists the cases of its numerator
			}
			_, list := leader.get(href)
			m := caseTotalRE.FindStringSubmatch(list)
			if m == nil || m[1] != value {
				t.Errorf("%s = %s, its list %s has %v", key, value, href, m)
			}
			if key == "cases.pingan.handled" && value == "1" {
				pingan = true
			}
		}
		if !pingan {
			t.Error("cases.pingan.handled is not 1")
		}
		if st, _ := leader.get("/report/template"); st != http.StatusOK {
			t.Fatalf("leader template page: %d", st)
		}

		admin := e.browser()
		admin.login(e.fx.Admin)
		tok := admin.token("/report/template")
		st, _, body = admin.post("/report/template", tok, url.Values{"body": {"# 报告\n处置平安通{{cases.nope}}件"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "第2行：未知的数据占位符 {{cases.nope}}") {
			t.Fatalf("bad template: %d\n%.300s", st, body)
		}
		st, loc, _ := admin.post("/report/template", tok, url.Values{"body": {"# 报告\n## 回顾\n### 平安\n全年处置平安通{{cases.pingan.handled}}件。\n{{compare}}"}, "note": {"第一稿"}})
		if st != http.StatusSeeOther || loc != "/report/template?ok=1" {
			t.Fatalf("save template: %d %s", st, loc)
		}
		if _, body := admin.get("/report/template"); !strings.Contains(body, "第一稿") || !strings.Contains(body, e.fx.Admin.Name) || strings.Contains(body, `id="typed"`) {
			t.Fatalf("versions list lacks the note or who saved, or warns of typed figures")
		}
		// A typed figure is pointed out; the words are saved all the same.
		st, _, _ = admin.post("/report/template", tok, url.Values{"body": {"# 报告\n### 平安\n全年处置平安通{{cases.pingan.handled}}件，网格通7915件。"}})
		if _, body := admin.get("/report/template"); st != http.StatusSeeOther || !strings.Contains(body, "第3行: “7915件” → <code>{{cases.grid.handled}}</code>") {
			t.Fatalf("typed figure not pointed out: %d\n%.3000s", st, body)
		}
		st, _, _ = admin.post("/report/template", tok, url.Values{"body": {"# 报告\n## 回顾\n### 平安\n全年处置平安通{{cases.pingan.handled}}件。\n{{compare}}"}, "note": {"第三稿"}})
		if st != http.StatusSeeOther {
			t.Fatalf("third version: %d", st)
		}
		tok = admin.token("/report?year=2024")
		if st, _, body := admin.post("/report/override", tok, url.Values{"year": {"2024"}, "key": {"cases.pingan.handled"}, "value": {"3"}, "reason": {""}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "必须写明原因") {
			t.Fatalf("override without reason: %d", st)
		}
		if st, loc, _ := admin.post("/report/override", tok, url.Values{"year": {"2024"}, "key": {"cases.pingan.handled"}, "value": {"3"}, "reason": {"补录线下台账"}}); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/report?year=2024") {
			t.Fatalf("override: %d %s", st, loc)
		}
		_, body = admin.get("/report?year=2024")
		for _, want := range []string{"全年处置平安通<a class=\"fig overridden\"", ">3</a><sup class=\"mark\">※1</sup>件。", "补录线下台账", "计算值 1"} {
			if !strings.Contains(body, want) {
				t.Errorf("report page lacks %q", want)
			}
		}
		resp, err := admin.c.Get(e.url + "/report/export.docx?year=2024")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("docx: %d %v", resp.StatusCode, resp.Header)
		}
		z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		doc := ""
		for _, f := range z.File {
			if f.Name == "word/document.xml" {
				r, _ := f.Open()
				var b bytes.Buffer
				_, _ = b.ReadFrom(r)
				doc = b.String()
			}
		}
		if !strings.Contains(doc, "全年处置平安通") || !strings.Contains(doc, ">3</w:t>") || !strings.Contains(doc, "补录线下台账") {
			t.Fatalf("docx document.xml lacks the overridden figure:\n%.2000s", doc)
		}

		tok = admin.token("/report/check")
		st, _, body = admin.post("/report/check", tok, url.Values{"year": {"2024"}, "text": {"全年处置平安通1件，网格通5件。"}})
		if st != 200 || !strings.Contains(body, `class="v-equal" data-key="cases.pingan.handled"`) || !strings.Contains(body, `class="v-different" data-key="cases.grid.handled"`) {
			t.Fatalf("check: %d\n%.3000s", st, body)
		}

		disp := e.browser()
		disp.login(e.fx.Dispatcher)
		if st, _ := disp.get("/report?year=2024"); st != http.StatusForbidden {
			t.Fatalf("dispatcher report page: %d", st)
		}
		if st, body := disp.get("/report"); st != http.StatusOK || !strings.Contains(body, `name="category"`) {
			t.Fatalf("the staff report form: %d", st)
		}
	})
}
