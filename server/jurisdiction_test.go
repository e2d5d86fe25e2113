package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
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

// 西溪's markers: distinctive text planted in its case.
const (
	xMarkTitle   = "西溪标记标题"
	xMarkDetails = "西溪标记详情：紫金港路井盖缺失"
	xMarkAddress = "西溪标记地址紫金港路88号"
	xMarkName    = "西标记"
	xMarkPhone   = "13677771234"
)

// otherDomains are the routes whose answers are not searched for the
// other subdistrict's markers: none now that every domain is scoped by
// subdistrict (a route may be listed here, with its reason, while its
// domain is not).
var otherDomains = regexp.MustCompile(`^$`)

// jurisdictionRoutes are the routes that take the id of a case, a photo, a
// unit, a staff member, a community or a grid: to an actor of another
// subdistrict each is a record that does not exist.
var jurisdictionRoutes = regexp.MustCompile(`^(GET |POST |PUT |DELETE )?(/api/v1)?/(cases|photos|units|staff|communities|grids)/\{id\}`)

// TestJurisdictionMatrix extends the permission matrix to a district's
// deployment of two subdistricts (fixture.AddXixi; docs/jurisdictions.md):
// every route of the route table, with the matrix's requests (whose
// targets are 古荡's), is called by 西溪's dispatcher, leader, unit handler
// and administrators, and no answer may show 古荡's cases; a route that
// takes the id of a case, photo, unit, staff member, community or grid of
// 古荡 never succeeds for them. The matrix's callers who see the whole of
// 古荡 (now 古荡's), and its machine client, call every route too, and no
// answer may show 西溪's case. The district's
// leader and dispatcher (no jurisdiction) see both subdistricts' cases.
func TestJurisdictionMatrix(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMatrixEnv(t, db)
		x, err := m.fx.AddXixi(m.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p := x.Point
		xcase := m.reportAs(org.StaffActor(x.Dispatcher), casework.ReportInput{Category: fixture.CatExposedTrash, Title: xMarkTitle,
			Details: xMarkDetails, Address: xMarkAddress, Lat: &p.Lat, Lon: &p.Lon, Reporter: casework.Contact{Name: xMarkName, Phone: xMarkPhone}})
		if xcase.JurisdictionID != x.Jurisdiction.ID {
			t.Fatalf("西溪's case is in jurisdiction %d", xcase.JurisdictionID)
		}
		xd := org.StaffActor(x.Dispatcher)
		m.step(xd, xcase, casework.StepInput{Action: casework.ActAccept})
		m.step(xd, xcase, casework.StepInput{Action: casework.ActDispatch, UnitID: x.Unit.ID})
		gudangNumbers := append([]string{m.own.Number}, m.bNumbers...)

		caller := func(name string, s *org.Staff) *matrixCaller { return m.signedIn(name, s) }
		xixi := []*matrixCaller{caller("xx.disp", x.Dispatcher), caller("xx.leader", x.Leader), caller("xx.handler", x.Handler),
			caller("xx.admin", x.Admin), caller("xx.secadm", x.SecurityAdmin)}
		district := []*matrixCaller{caller("qu.leader", x.DistrictLeader), caller("qu.disp", x.DistrictDispatcher)}

		gudangLeaks := func(body string, public bool) []string {
			found := m.leaks(body, public)
			if !public {
				for _, n := range gudangNumbers {
					if strings.Contains(body, n) {
						found = append(found, n)
					}
				}
			}
			return found
		}
		xixiLeaks := func(body string, public bool) []string {
			marks := []string{xMarkName, xMarkPhone, org.MaskName(xMarkName), org.MaskPhone(xMarkPhone)}
			if !public {
				marks = append(marks, xMarkTitle, xMarkDetails, xMarkAddress, xcase.Number)
			}
			var found []string
			for _, s := range marks {
				if strings.Contains(body, s) {
					found = append(found, s)
				}
			}
			return found
		}

		requests, refused := 0, 0
		for _, rt := range m.srv.Routes() {
			for _, other := range []bool{false, true} {
				// 西溪's callers: nothing of 古荡's. Both targets of a route are
				// 古荡's; the lists and pages without a target are called once.
				for _, c := range xixi {
					if !other && !jurisdictionRoutes.MatchString(rt.Pattern) {
						continue
					}
					q, err := m.request(rt.Pattern, c, other)
					if err != nil {
						t.Fatal(err)
					}
					st, body := m.send(c, q)
					requests++
					if found := gudangLeaks(body, q.public); len(found) > 0 && !otherDomains.MatchString(rt.Pattern) {
						t.Errorf("%s (%s %s) to %s: 古荡's data %q\n\t%.300s", rt.Pattern, q.method, q.path, c.name, found, body)
					}
					ownself := strings.Contains(rt.Pattern, "/staff/") && !other
					if jurisdictionRoutes.MatchString(rt.Pattern) && !q.public && !ownself {
						if st >= 200 && st < 300 {
							t.Errorf("%s (%s %s) to %s: %d on a record of 古荡's\n\t%.300s", rt.Pattern, q.method, q.path, c.name, st, body)
						} else {
							refused++
						}
					}
				}
				// 古荡's callers (the matrix's who see all of 古荡, and its
				// machine client): nothing of 西溪's.
				for _, name := range []string{"admin", "disp", "leader", "apikey", "secadm"} {
					if other {
						continue // both targets are 古荡's: 西溪's case shows in lists, once
					}
					c := m.callers[name]
					q, err := m.request(rt.Pattern, c, other)
					if err != nil {
						t.Fatal(err)
					}
					_, body := m.send(c, q)
					requests++
					if found := xixiLeaks(body, q.public); len(found) > 0 && !otherDomains.MatchString(rt.Pattern) {
						t.Errorf("%s (%s %s) to 古荡's %s: 西溪's data %q\n\t%.300s", rt.Pattern, q.method, q.path, name, found, body)
					}
				}
			}
		}
		if refused == 0 {
			t.Error("no route that takes an id was called with 古荡's records")
		}

		// The district's leader and dispatcher see both subdistricts' cases.
		for _, c := range district {
			st, body := m.send(c, mreq{method: "GET", path: "/api/v1/cases?limit=500"})
			if st != http.StatusOK || !strings.Contains(body, xcase.Number) || !strings.Contains(body, m.other.Number) || !strings.Contains(body, m.own.Number) {
				t.Errorf("%s: %d, want both subdistricts' cases (%s, %s, %s)\n\t%.300s", c.name, st, xcase.Number, m.own.Number, m.other.Number, body)
			}
			for _, n := range []string{xcase.Number, m.other.Number} {
				if st, body := m.send(c, mreq{method: "GET", path: "/cases?number=" + n}); st != http.StatusOK || !strings.Contains(body, n) {
					t.Errorf("%s: the case list by number %s: %d, the case missing\n\t%.300s", c.name, n, st, body)
				}
			}
			for _, id := range []int64{xcase.ID, m.other.ID} {
				if st, _ := m.send(c, mreq{method: "GET", path: "/api/v1/cases/" + pathID(id)}); st != http.StatusOK {
					t.Errorf("%s reading case %d: %d", c.name, id, st)
				}
			}
		}
		// A case's dispatch form offers its subdistrict's units and the
		// district's only, even to the district's dispatcher.
		fresh := m.report(false)
		m.step(org.StaffActor(x.DistrictDispatcher), fresh, casework.StepInput{Action: casework.ActAccept})
		if st, body := m.send(district[1], mreq{method: "GET", path: "/cases/" + pathID(fresh.ID)}); st != http.StatusOK ||
			!strings.Contains(body, `name="unit_id"`) || strings.Contains(body, x.Unit.Name+"</option>") {
			t.Errorf("the district dispatcher's page of 古荡's case: %d, want a dispatch form without 西溪's unit\n\t%.300s", st, body)
		}
		// The district's administrator chooses the subdistrict of a unit;
		// a subdistrict's is not asked.
		quAdmin := caller("qu.admin", x.DistrictAdmin)
		if st, body := m.send(quAdmin, mreq{method: "GET", path: "/admin/places"}); st != http.StatusOK || !strings.Contains(body, `name="jurisdiction_id"`) {
			t.Errorf("the district's admin page of places: %d, want a subdistrict select", st)
		}
		if _, body := m.send(xixi[3], mreq{method: "GET", path: "/admin/places"}); strings.Contains(body, `name="jurisdiction_id"`) {
			t.Error("西溪's admin is asked for a subdistrict")
		}
		m.send(quAdmin, mreq{method: "POST", path: "/admin/places/unit", form: url.Values{"code": {"xx-jd"}, "name": {"西溪街道办"},
			"kind": {"department"}, "jurisdiction_id": {pathID(x.Jurisdiction.ID)}}})
		units, err := db.Org().ListUnits(m.ctx)
		if err != nil {
			t.Fatal(err)
		}
		made := false
		for _, u := range units {
			if u.Code == "xx-jd" {
				made = u.JurisdictionID == x.Jurisdiction.ID
			}
		}
		if !made {
			t.Error("the district's admin's unit for 西溪 was not made as 西溪's")
		}

		// And 西溪's own see their case.
		if st, body := m.send(xixi[1], mreq{method: "GET", path: "/api/v1/cases/" + pathID(xcase.ID)}); st != http.StatusOK || !strings.Contains(body, xMarkTitle) {
			t.Errorf("西溪's leader reading 西溪's case: %d\n\t%.300s", st, body)
		}
		t.Logf("jurisdiction matrix: %d requests, %d refusals of 古荡's records", requests, refused)
	})
}

// TestReportAPINarrowed: GET /api/v1/report takes ?jurisdiction=CODE as
// the pages do: the district's leader gets one subdistrict's figures, a
// subdistrict's leader his own, and another's code is 404.
func TestReportAPINarrowed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMatrixEnv(t, db)
		x, err := m.fx.AddXixi(m.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p := x.Point
		// Two of 西溪's sensor alarms dispatched: cases.iot.dispatched.
		xd := org.StaffActor(x.Dispatcher)
		for range 2 {
			c := m.reportAs(xd, casework.ReportInput{Channel: casework.ChannelIoT, Category: fixture.CatExposedTrash, Details: "西溪的垃圾桶满溢告警",
				Lat: &p.Lat, Lon: &p.Lon})
			m.step(xd, c, casework.StepInput{Action: casework.ActAccept})
			m.step(xd, c, casework.StepInput{Action: casework.ActDispatch, UnitID: x.Unit.ID})
		}
		total := func(c *matrixCaller, query string) (int, float64) {
			t.Helper()
			st, body := m.send(c, mreq{path: "/api/v1/report?year=2024" + query})
			if st != http.StatusOK {
				return st, -1
			}
			var rep struct {
				Figures []struct {
					Key   string   `json:"key"`
					Value *float64 `json:"value"`
				} `json:"figures"`
			}
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			for _, f := range rep.Figures {
				if f.Key == "cases.iot.dispatched" && f.Value != nil {
					return st, *f.Value
				}
			}
			t.Fatalf("no cases.iot.dispatched in %s", body)
			return st, 0
		}
		caller := func(s *org.Staff) *matrixCaller { return m.signedIn(s.Username, s) }
		district, gudang, xixi := caller(x.DistrictLeader), caller(m.fx.Leader), caller(x.Leader)
		_, all := total(district, "")
		_, own := total(gudang, "")
		if st, xs := total(district, "&jurisdiction=330106008"); st != http.StatusOK || xs != 2 {
			t.Errorf("the district narrowed to 西溪: %d, %v cases, want 2", st, xs)
		}
		if st, gs := total(district, "&jurisdiction=330106007"); st != http.StatusOK || gs != own || all != own+2 {
			t.Errorf("the district narrowed to 古荡: %d, %v cases; 古荡's own %v, the district's %v", st, gs, own, all)
		}
		if st, xs := total(xixi, ""); st != http.StatusOK || xs != 2 {
			t.Errorf("西溪's leader: %d, %v cases, want 2", st, xs)
		}
		if st, _ := total(gudang, "&jurisdiction=330106008"); st != http.StatusNotFound {
			t.Errorf("古荡's leader asking for 西溪's report: %d, want 404", st)
		}
		if st, _ := total(district, "&jurisdiction=110101001"); st != http.StatusNotFound {
			t.Errorf("a code of no subdistrict: %d, want 404", st)
		}
	})
}

// signedIn is a caller of its own, signed in as the staff member.
func (m *matrixEnv) signedIn(name string, s *org.Staff) *matrixCaller {
	c := &matrixCaller{name: name, staff: s}
	jar, _ := cookiejar.New(nil)
	c.http = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	m.signIn(c)
	return c
}
