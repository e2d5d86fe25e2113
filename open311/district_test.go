package open311_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// numbers are the service_request_id of a JSON list of requests.
func numbers(v any) []string {
	var out []string
	items, _ := v.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m["service_request_id"].(string))
		}
	}
	slices.Sort(out)
	return out
}

// TestDistrictJurisdictionID: once the deployment serves several
// subdistricts (the fixture's Gudang and 西溪 under 西湖区), every call
// needs jurisdiction_id (400 without, naming it), a subdistrict's code
// files the request in it and limits the reads to it, and the district's
// code is refused for a POST but reads the whole district.
func TestDistrictJurisdictionID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		os := db.Org()
		district := &org.Jurisdiction{DivisionCode: "330106", Name: "西湖区", Level: org.LevelDistrict}
		xixi := &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道", NameEn: "Xixi Subdistrict"}
		for _, j := range []*org.Jurisdiction{district, xixi} {
			if err := os.CreateJurisdiction(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		a, b, c, d := geo.Point{Lon: 120.130, Lat: 30.280}, geo.Point{Lon: 120.134, Lat: 30.280}, geo.Point{Lon: 120.134, Lat: 30.284}, geo.Point{Lon: 120.130, Lat: 30.284}
		shape := geo.MultiPolygon{geo.Polygon{geo.Ring{a, b, c, d, a}}}
		comm := &org.Community{JurisdictionID: xixi.ID, Code: "qingfeng", Name: "庆丰社区", Geometry: shape}
		if err := os.CreateCommunity(ctx, comm); err != nil {
			t.Fatal(err)
		}
		grid := &org.Grid{CommunityID: comm.ID, Code: "qingfeng-01", Name: "庆丰第一网格", Kind: org.GridStandard, Geometry: shape}
		if err := os.CreateGrid(ctx, grid); err != nil {
			t.Fatal(err)
		}
		// One case in each subdistrict, accepted (an update each).
		resident := org.ResidentActor("张三丰")
		report := func(lat, lon float64) *casework.Case {
			k, err := e.svc.Report(ctx, resident, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "垃圾桶满溢",
				Lat: &lat, Lon: &lon, Reporter: casework.Contact{Name: "张三丰", Phone: "13812345678"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Step(ctx, e.fx.Actor(org.RoleDispatcher), k.ID, casework.StepInput{Action: casework.ActAccept}); err != nil {
				t.Fatal(err)
			}
			return k
		}
		p := e.fx.Points[e.fx.GridW1.ID]
		inGudang := report(p.Lat, p.Lon)
		inXixi := report(30.282, 120.132)
		if inGudang.JurisdictionID != e.fx.Jurisdiction.ID || inXixi.JurisdictionID != xixi.ID {
			t.Fatalf("cases in %d and %d", inGudang.JurisdictionID, inXixi.JurisdictionID)
		}

		// Without jurisdiction_id: 400 on every call, naming it.
		for _, c := range []struct{ method, path string }{
			{"GET", "/open311/v2/discovery.{fmt}"}, {"GET", "/open311/v2/services.{fmt}"},
			{"GET", "/open311/v2/services/0101.{fmt}"}, {"GET", "/open311/v2/requests.{fmt}"},
			{"GET", "/open311/v2/requests/" + inXixi.Number + ".{fmt}"}, {"GET", "/open311/v2/servicerequestupdates.{fmt}"},
			{"POST", "/open311/v2/requests.{fmt}"}, {"POST", "/open311/v2/servicerequestupdates.{fmt}"},
		} {
			e.fails(c.method, c.path, form("api_key", e.key), 400, "缺少 jurisdiction_id")
		}
		post := func(code string, lat, lon string) resp {
			return e.post("/open311/v2/requests.json", form("api_key", e.key, "jurisdiction_id", code, "service_code", fixture.CatExposedTrash,
				"lat", lat, "long", lon, "description", "路边垃圾"))
		}
		// The district's code is refused for a POST; an unknown code is 404.
		e.fails("POST", "/open311/v2/requests.{fmt}", form("api_key", e.key, "jurisdiction_id", "330106", "service_code", fixture.CatExposedTrash,
			"lat", "30.282", "long", "120.132"), 400, "jurisdiction_id 须为街道的区划代码")
		e.fails("GET", "/open311/v2/requests.{fmt}?jurisdiction_id=330106999", nil, 404, "jurisdiction_id 不存在")

		// 西溪's code files the request in 西溪.
		r := post("330106008", "30.2825", "120.1325")
		v := e.checkJSON(r, 200, schemaRef{own: "post-requests"})
		number := field(v, 0, "service_request_id").(string)
		k, err := e.svc.GetByNumber(ctx, org.SystemActor(), number)
		if err != nil {
			t.Fatal(err)
		}
		if k.JurisdictionID != xixi.ID {
			t.Fatalf("the request was filed in %d, want 西溪 %d", k.JurisdictionID, xixi.ID)
		}
		// …but not at a place of Gudang's.
		if r := post("330106008", "30.2805", "120.1105"); r.status != 400 {
			t.Fatalf("a request for 西溪 at a place in Gudang: %s", r)
		}

		// Reads: 西溪's code lists 西溪's cases only; Gudang's case by its
		// number is 404 there; the district's code reads both.
		list := func(code string) []string {
			return numbers(e.checkJSON(e.get("/open311/v2/requests.json", form("jurisdiction_id", code)), 200, schemaRef{file: "requests.json"}))
		}
		want := []string{inXixi.Number, number}
		slices.Sort(want)
		if got := list("330106008"); !slices.Equal(got, want) {
			t.Errorf("西溪's requests: %v, want %v", got, want)
		}
		if got := list("330106007"); !slices.Equal(got, []string{inGudang.Number}) {
			t.Errorf("Gudang's requests: %v, want %v", got, []string{inGudang.Number})
		}
		all := append([]string{inGudang.Number}, want...)
		slices.Sort(all)
		if got := list("330106"); !slices.Equal(got, all) {
			t.Errorf("the district's requests: %v, want %v", got, all)
		}
		e.fails("GET", "/open311/v2/requests/"+inGudang.Number+".{fmt}?jurisdiction_id=330106008", nil, 404, "service_request_id 不存在")
		if r := e.get("/open311/v2/requests/"+inGudang.Number+".json", form("jurisdiction_id", "330106007")); r.status != 200 {
			t.Errorf("Gudang's request under Gudang's code: %s", r)
		}
		updates := func(code string) []string {
			v := e.checkJSON(e.get("/open311/v2/servicerequestupdates.json", form("jurisdiction_id", code)), 200, schemaRef{own: "updates"})
			seen := map[string]bool{}
			var out []string
			for _, it := range v.([]any) {
				n := it.(map[string]any)["service_request_id"].(string)
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
			slices.Sort(out)
			return out
		}
		if got := updates("330106008"); !slices.Equal(got, []string{inXixi.Number}) {
			t.Errorf("西溪's updates are of %v, want %v", got, []string{inXixi.Number})
		}
		if got := updates("330106007"); !slices.Equal(got, []string{inGudang.Number}) {
			t.Errorf("Gudang's updates are of %v, want %v", got, []string{inGudang.Number})
		}
	})
}
