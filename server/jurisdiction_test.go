package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestOpen311FarAway: an Open311 request located in another subdistrict is
// the spec's error with the reason, not a case far away.
func TestOpen311FarAway(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		key, _, err := e.auth.CreateAPIClient(context.Background(), "FixMyStreet", "xihu_code")
		if err != nil {
			t.Fatal(err)
		}
		f := url.Values{"api_key": {key}, "service_code": {fixture.CatExposedTrash}, "lat": {"30.40"}, "long": {"120.30"}, "description": {"别处的垃圾"}}
		st, _, body := e.from("198.51.100.77", "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", f.Encode())
		if st != http.StatusBadRequest || !strings.Contains(body, "不在本街道辖区内") {
			t.Fatalf("a request far away: %d %s", st, body)
		}
		n, err := e.cases.Count(context.Background(), e.fx.Actor(org.RoleDispatcher), casework.Filter{})
		if err != nil || n != 0 {
			t.Errorf("%d cases after the refusal (%v)", n, err)
		}
	})
}
