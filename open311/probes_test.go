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
