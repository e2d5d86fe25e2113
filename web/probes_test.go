package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestReportFormCoordinatesArePlainDecimals: the resident's form refuses a
// latitude written as ParseFloat's hexadecimal, exponent, Inf or NaN forms.
func TestReportFormCoordinatesArePlainDecimals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.browser()
		tok := res.token("/r")
		p := e.fx.Points[e.fx.GridW1.ID]
		lon := ftoa(p.Lon)
		for _, bad := range []string{"0x1.e4p+04", "3.027e1", "Inf", "NaN"} {
			st, _, body := res.postMultipart("/r", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾没人收"}, "lat": {bad}, "lon": {lon}})
			if st != http.StatusUnprocessableEntity || !strings.Contains(body, "经纬度应为数字") {
				t.Errorf("lat %q: %d", bad, st)
			}
		}
	})
}
