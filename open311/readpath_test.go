package open311_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestPostRequestReadsFromMemory: once warm, a new service request costs
// no statement on the read pool — its API key, the jurisdictions, the
// grids and the units' subdistricts come from the store's caches — so that
// a report's round trips are only its share of the group commit
// (issue 16: at 64 clients those reads cost more than the commit). A write
// to the organisation is seen at once: the next request reads it again.
func TestPostRequestReadsFromMemory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Trusted for the whole test, so that a slow machine does not ask
		// again; local writes still drop what was kept.
		db.SetRecheck(time.Hour)
		lat, long := e.latLong(e.fx.GridW2.ID)
		post := func(i int) {
			t.Helper()
			f := form("api_key", e.key, "jurisdiction_id", "330106007", "service_code", fixture.CatPiledMaterial,
				"lat", lat, "long", long, "description", fmt.Sprintf("人行道上堆了沙子 %d", i), "attribute[material]", "sand")
			e.checkJSON(e.post("/open311/v2/requests.json", f), 200, schemaRef{own: "post-requests"})
		}
		post(0)
		before := db.ReadStatements()
		for i := 1; i <= 5; i++ {
			post(i)
		}
		if n := db.ReadStatements() - before; n != 0 {
			t.Errorf("5 warm requests ran %d statements on the read pool, want 0", n)
		}
		// A unit written (through the store, as an admin's page does) is
		// read again by the next request.
		u := *e.fx.Chengguan
		u.Name += "（改）"
		if err := db.Org().UpdateUnit(t.Context(), &u); err != nil {
			t.Fatal(err)
		}
		before = db.ReadStatements()
		post(6)
		if n := db.ReadStatements() - before; n == 0 {
			t.Error("the request after a unit was written read nothing again")
		}
	})
}
