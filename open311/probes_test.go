package open311_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestDiscoveryNamesThePublicAddressNotTheHostHeader: a client that sends
// its own Host header must not make discovery point others elsewhere.
func TestDiscoveryNamesThePublicAddressNotTheHostHeader(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, f := range []string{"json", "xml"} {
			r := e.do("GET", "/open311/v2/discovery."+f, nil, map[string]string{"Host": "evil.example", "X-Forwarded-Proto": "https"})
			if r.status != 200 {
				t.Fatalf("%s: %v", f, r)
			}
			if strings.Contains(string(r.body), "evil.example") || !strings.Contains(string(r.body), e.url+"/open311/v2/") {
				t.Errorf("%s discovery names the request's Host, not the public address %s: %s", f, e.url, r.body)
			}
		}
	})
}

// TestCoordinatesArePlainDecimals: ParseFloat's hexadecimal, exponent,
// infinite and NaN forms are not latitudes.
func TestCoordinatesArePlainDecimals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW1.ID)
		p := "/open311/v2/requests.{fmt}"
		for _, bad := range []string{"0x1p-2", "1e1", "Inf", "NaN", "0x1E"} {
			e.fails("POST", p, form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", bad, "long", long, "description", "垃圾"), 400, "lat 无效")
			e.fails("POST", p, form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", lat, "long", bad, "description", "垃圾"), 400, "long 无效")
		}
	})
}

// TestFormFieldsAreText: a NUL or invalid UTF-8 in a posted field is 400.
func TestFormFieldsAreText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW1.ID)
		p := "/open311/v2/requests.{fmt}"
		e.fails("POST", p, form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", lat, "long", long, "description", "垃圾\x00"), 400, "description")
		e.fails("POST", p, form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", lat, "long", long, "address_string", "\xff"), 400, "address_string")
	})
}

// TestUnknownAttributesAreKeptWithTheCase: clients in the field add their
// own attributes (FixMyStreet sends its report id and title): they are
// kept with the case for staff, and only the defined ones are checked.
func TestUnknownAttributesAreKeptWithTheCase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW1.ID)
		number := e.report(form("service_code", CatNoise, "lat", lat, "long", long, "description", "夜间施工",
			"attribute[sources][]", "construction", "attribute[fixmystreet_id]", "4711", "attribute[title]", "工地噪声"))
		c := e.staffCase(number)
		if got := c.ExtraAttributes; len(got) != 2 || got["fixmystreet_id"][0] != "4711" || got["title"][0] != "工地噪声" {
			t.Errorf("extra attributes: %v", got)
		}
		if v, ok := c.Attributes["sources"].([]string); !ok || len(v) != 1 || v[0] != "construction" {
			if w, ok := c.Attributes["sources"].([]any); !ok || len(w) != 1 {
				t.Errorf("defined attributes: %v", c.Attributes)
			}
		}
		p := "/open311/v2/requests.{fmt}"
		// The defined ones are still checked.
		e.fails("POST", p, form("api_key", e.key, "service_code", CatNoise, "lat", lat, "long", long, "description", "x",
			"attribute[sources]", "aircraft", "attribute[fixmystreet_id]", "1"), 400, "不是可选的值：aircraft")
		// An unknown one is bounded.
		e.fails("POST", p, form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", lat, "long", long, "description", "x",
			"attribute[note_x]", strings.Repeat("长", 1001)), 400, "attribute[note_x]")
	})
}

// TestPublicListWithholdsUnacceptedAndPrivateWords: a report's words and
// address reach the public only once the command center accepted it; a
// private-home category's never do, nor its exact place.
func TestPublicListWithholdsUnacceptedAndPrivateWords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW1.ID)
		number := e.report(form("service_code", fixture.CatExposedTrash, "lat", lat, "long", long,
			"description", "王大妈家门口的垃圾", "address_string", "文一路88号3单元", "phone", "13900001111"))
		public := func(number string) string {
			t.Helper()
			var all string
			for _, p := range []string{"/open311/v2/requests.json", "/open311/v2/requests/" + number + ".json", "/open311/v2/requests.xml"} {
				r := e.get(p, nil)
				if r.status != 200 {
					t.Fatalf("%s: %v", p, r)
				}
				all += string(r.body)
			}
			return all
		}
		if body := public(number); strings.Contains(body, "王大妈") || strings.Contains(body, "文一路88号") || strings.Contains(body, "13900001111") {
			t.Errorf("a report not yet accepted shows its words or address: %.400s", body)
		}
		e.step(e.fx.Actor(org.RoleDispatcher), number, casework.StepInput{Action: casework.ActAccept})
		if body := public(number); !strings.Contains(body, "王大妈") || strings.Contains(body, "13900001111") {
			t.Errorf("an accepted report: words missing or contact shown: %.400s", body)
		}
		// A private-home category: never its words, address or exact place.
		cat, err := db.Cases().GetCategory(context.Background(), CatNoise)
		if err != nil {
			t.Fatal(err)
		}
		cat.PrivateHome = true
		if err := db.Cases().PutCategory(context.Background(), cat); err != nil {
			t.Fatal(err)
		}
		number = e.report(form("service_code", CatNoise, "lat", "30.281234", "long", "120.112345", "attribute[sources][]", "shop",
			"description", "楼上502室每晚噪声", "address_string", "文一路88号3单元402室"))
		e.step(e.fx.Actor(org.RoleDispatcher), number, casework.StepInput{Action: casework.ActAccept})
		body := public(number)
		for _, s := range []string{"502室", "402室", "30.281234", "120.112345"} {
			if strings.Contains(body, s) {
				t.Errorf("a private-home report shows %q", s)
			}
		}
		if !strings.Contains(body, number) {
			t.Errorf("the private-home report is not listed at all")
		}
		// Staff still read everything.
		if c := e.staffCase(number); !strings.Contains(c.Details, "502室") || c.Address == "" {
			t.Errorf("staff lost the words: %+v", c)
		}
	})
}
