package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestJSONCoordinatesArePlainDecimals: a JSON body's lat and lon are plain
// decimal numbers too; 3.027e1 is a number to JSON, not a latitude anyone
// writes.
func TestJSONCoordinatesArePlainDecimals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tok := e.login(e.fx.Dispatcher)
		p := e.fx.Points[e.fx.GridW1.ID]
		body := func(lat, lon string) string {
			return `{"category":"` + fixture.CatExposedTrash + `","details":"垃圾","lat":` + lat + `,"lon":` + lon + `}`
		}
		plainLat, plainLon := strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
		if st, out := e.send(tok, http.MethodPost, "/api/v1/cases", "application/json", body(plainLat, plainLon)); st != http.StatusCreated {
			t.Fatalf("plain decimals: %d %s", st, out)
		}
		for _, body := range []string{
			body(fmt.Sprintf("%e", p.Lat), plainLon),
			body(plainLat, fmt.Sprintf("%E", p.Lon)),
		} {
			st, out := e.send(tok, http.MethodPost, "/api/v1/cases", "application/json", body)
			if st != http.StatusBadRequest || !strings.Contains(out, `"field":"l`) {
				t.Errorf("%s: %d %s", body, st, out)
			}
		}
	})
}
