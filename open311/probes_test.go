package open311_test

import (
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
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
