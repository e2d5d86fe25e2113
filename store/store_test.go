package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

var bg = context.Background()

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Zone())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string, what string) {
	t.Helper()
	if got := jiedao.ErrorCode(err); got != code {
		t.Errorf("%s: got %q (%v), want %q", what, got, err, code)
	}
}

// sameJSON compares two values by their JSON form, as the API shows them:
// a nil and an empty slice are the same there.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func build(t *testing.T, db *store.DB) *fixture.Org {
	t.Helper()
	o, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func square(lon, lat, d float64) geo.MultiPolygon {
	return geo.MultiPolygon{{{{Lon: lon, Lat: lat}, {Lon: lon + d, Lat: lat}, {Lon: lon + d, Lat: lat + d}, {Lon: lon, Lat: lat + d}, {Lon: lon, Lat: lat}}}}
}

func TestMigrateTwice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(bg)
		must(t, err)
		if len(applied) != 0 {
			t.Errorf("a second migration applied %v", applied)
		}
		if db.Ping(bg) != nil {
			t.Error("ping")
		}
	})
}

func TestPlacesAndJurisdiction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		orgs := db.Org()
		j := &org.Jurisdiction{DivisionCode: "330106007", Name: "古荡街道"}
		must(t, orgs.CreateJurisdiction(bg, j))
		if j.ID == 0 {
			t.Fatal("no id")
		}
		wantCode(t, orgs.CreateJurisdiction(bg, &org.Jurisdiction{DivisionCode: "330106007", Name: "again"}), jiedao.ECONFLICT, "duplicate division code")
		wantCode(t, orgs.CreateJurisdiction(bg, &org.Jurisdiction{DivisionCode: "33010600", Name: "x"}), jiedao.EINVALID, "8-digit code")
		js, err := orgs.ListJurisdictions(bg)
		must(t, err)
		if len(js) != 1 || *js[0] != *j {
			t.Errorf("jurisdictions: %+v", js)
		}

		v0, err := orgs.PlacesVersion(bg)
		must(t, err)
		c := &org.Community{JurisdictionID: j.ID, Code: "yile", Name: "益乐社区", Geometry: square(120.12, 30.28, 0.01)}
		must(t, orgs.CreateCommunity(bg, c))
		c2 := &org.Community{JurisdictionID: j.ID, Code: "wenhua", Name: "文华社区"}
		must(t, orgs.CreateCommunity(bg, c2))
		wantCode(t, orgs.CreateCommunity(bg, &org.Community{JurisdictionID: j.ID, Code: "yile", Name: "重复"}), jiedao.ECONFLICT, "duplicate community code")
		wantCode(t, orgs.CreateCommunity(bg, &org.Community{JurisdictionID: j.ID + 100, Code: "other", Name: "无主"}), jiedao.EINVALID, "community of a missing jurisdiction")
		c2.Name = "文华社区居委会"
		must(t, orgs.UpdateCommunity(bg, c2))
		wantCode(t, orgs.UpdateCommunity(bg, &org.Community{ID: 999, Code: "nope", Name: "无"}), jiedao.ENOTFOUND, "update a missing community")
		cs, err := orgs.ListCommunities(bg)
		must(t, err)
		if len(cs) != 2 || cs[0].Code != "wenhua" || cs[0].Name != "文华社区居委会" || cs[1].ID != c.ID || !reflect.DeepEqual(cs[1].Geometry, c.Geometry) || cs[0].Geometry != nil {
			t.Errorf("communities: %+v %+v", cs[0], cs[1])
		}

		g := &org.Grid{CommunityID: c.ID, Code: "yile-01", Name: "一网格", Kind: org.GridStandard, Geometry: square(120.12, 30.28, 0.003)}
		must(t, orgs.CreateGrid(bg, g))
		b := &org.Grid{CommunityID: c.ID, Code: "yile-b1", Name: "楼宇", Kind: org.GridBuilding, Geometry: square(120.121, 30.281, 0.001)}
		must(t, orgs.CreateGrid(bg, b))
		wantCode(t, orgs.CreateGrid(bg, &org.Grid{CommunityID: c.ID, Code: "yile-01", Name: "重复", Kind: org.GridStandard, Geometry: square(120.13, 30.28, 0.003)}), jiedao.ECONFLICT, "duplicate grid code")
		wantCode(t, orgs.CreateGrid(bg, &org.Grid{CommunityID: c.ID + 100, Code: "lost", Name: "无社区", Kind: org.GridStandard, Geometry: square(120.13, 30.28, 0.003)}), jiedao.EINVALID, "grid of a missing community")
		wantCode(t, orgs.CreateGrid(bg, &org.Grid{CommunityID: c.ID, Code: "nogeo", Name: "无边界", Kind: org.GridStandard}), jiedao.EINVALID, "grid without polygon")
		gs, err := orgs.ListGrids(bg)
		must(t, err)
		if len(gs) != 2 || gs[0].ID != g.ID || !reflect.DeepEqual(gs[0].Geometry, g.Geometry) || gs[1].Kind != org.GridBuilding {
			t.Errorf("grids: %+v", gs)
		}
		if id, err := orgs.GridCommunity(bg, b.ID); err != nil || id != c.ID {
			t.Errorf("GridCommunity: %d %v", id, err)
		}
		_, err = orgs.GridCommunity(bg, 9999)
		wantCode(t, err, jiedao.ENOTFOUND, "community of a missing grid")

		// Places: the building grid wins inside it; the standard grid around it elsewhere.
		pl := org.NewPlaces(orgs)
		gid, cid, found, err := pl.Place(bg, geo.Point{Lon: 120.1215, Lat: 30.2815})
		if err != nil || !found || gid != b.ID || cid != c.ID {
			t.Errorf("point in the building grid: %d %d %v %v", gid, cid, found, err)
		}
		gid, _, found, _ = pl.Place(bg, geo.Point{Lon: 120.1205, Lat: 30.2805})
		if !found || gid != g.ID {
			t.Errorf("point in the standard grid: %d %v", gid, found)
		}
		if _, _, found, _ = pl.Place(bg, geo.Point{Lon: 120.2, Lat: 30.3}); found {
			t.Error("a point outside every grid was placed")
		}
		// An edit in the database (by any process) is seen on the next lookup.
		moved := *g
		moved.Geometry = square(120.20, 30.30, 0.003)
		must(t, orgs.UpdateGrid(bg, &moved))
		if gid, _, found, _ = pl.Place(bg, geo.Point{Lon: 120.2005, Lat: 30.3005}); !found || gid != g.ID {
			t.Errorf("after moving the grid: %d %v", gid, found)
		}
		if _, _, found, _ = pl.Place(bg, geo.Point{Lon: 120.1205, Lat: 30.2805}); found {
			t.Error("the grid's old place still answers")
		}
		wantCode(t, orgs.UpdateGrid(bg, &org.Grid{ID: 999, CommunityID: c.ID, Code: "x", Name: "x", Kind: org.GridStandard, Geometry: square(1, 1, 1)}), jiedao.ENOTFOUND, "update a missing grid")
		v1, err := orgs.PlacesVersion(bg)
		must(t, err)
		// 2 communities and 2 grids created, one of each updated; the
		// failed writes rolled back their bump.
		if v1 != v0+6 {
			t.Errorf("places version went from %d to %d, want +6", v0, v1)
		}
	})
}

func TestUnitsAndStaff(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		orgs := db.Org()
		u := &org.Unit{Code: "chengguan", Name: "城管科", Kind: org.UnitDepartment}
		must(t, orgs.CreateUnit(bg, u))
		cmd := &org.Unit{Code: "command", Name: "指挥室", Kind: org.UnitCommand}
		must(t, orgs.CreateUnit(bg, cmd))
		wantCode(t, orgs.CreateUnit(bg, &org.Unit{Code: "chengguan", Name: "again", Kind: org.UnitStation}), jiedao.ECONFLICT, "duplicate unit code")
		wantCode(t, orgs.CreateUnit(bg, &org.Unit{Code: "x", Name: "x", Kind: "ministry"}), jiedao.EINVALID, "unit kind")
		u.Name = "综合行政执法队"
		must(t, orgs.UpdateUnit(bg, u))
		wantCode(t, orgs.UpdateUnit(bg, &org.Unit{ID: 999, Code: "x", Name: "x", Kind: org.UnitStation}), jiedao.ENOTFOUND, "update a missing unit")
		us, err := orgs.ListUnits(bg)
		must(t, err)
		if len(us) != 2 || *us[0] != *u || *us[1] != *cmd {
			t.Errorf("units: %+v %+v", us[0], us[1])
		}
		if ok, err := orgs.UnitExists(bg, u.ID); !ok || err != nil {
			t.Errorf("UnitExists: %v %v", ok, err)
		}
		if ok, err := orgs.UnitExists(bg, 999); ok || err != nil {
			t.Errorf("UnitExists(999): %v %v", ok, err)
		}

		created := cst(2024, 3, 1, 9, 0)
		gw := &org.Staff{Username: "grid.w1", Name: "周网格", Phone: "13800000006", Role: org.RoleGridWorker, GridIDs: []int64{7, 3, 12},
			Active: true, PasswordHash: "$argon2id$x", CreatedAt: created}
		must(t, orgs.CreateStaff(bg, gw))
		h := &org.Staff{Username: "cg.handler", Name: "钱经办", Role: org.RoleUnitHandler, UnitID: u.ID, Active: true, CreatedAt: created}
		must(t, orgs.CreateStaff(bg, h))
		wantCode(t, orgs.CreateStaff(bg, &org.Staff{Username: "grid.w1", Name: "重名", Role: org.RoleAdmin, CreatedAt: created}), jiedao.ECONFLICT, "duplicate username")
		wantCode(t, orgs.CreateStaff(bg, &org.Staff{Username: "ghost", Name: "幽灵", Role: org.RoleUnitLead, UnitID: 999, CreatedAt: created}), jiedao.EINVALID, "staff of a missing unit")
		wantCode(t, orgs.CreateStaff(bg, &org.Staff{Username: "nounit", Name: "无单位", Role: org.RoleUnitLead}), jiedao.EINVALID, "unit role without unit")

		got, err := orgs.GetStaff(bg, gw.ID)
		must(t, err)
		if !reflect.DeepEqual(got, gw) {
			t.Errorf("staff round trip:\n got %+v\nwant %+v", got, gw)
		}
		if got.CreatedAt.Location() != calendar.Zone() {
			t.Errorf("times come back in %v", got.CreatedAt.Location())
		}
		got, err = orgs.GetStaffByUsername(bg, "cg.handler")
		must(t, err)
		if got.ID != h.ID || got.UnitID != u.ID || got.GridIDs == nil || len(got.GridIDs) != 0 {
			t.Errorf("by username: %+v", got)
		}
		_, err = orgs.GetStaff(bg, 999)
		wantCode(t, err, jiedao.ENOTFOUND, "missing staff")
		_, err = orgs.GetStaffByUsername(bg, "nobody")
		wantCode(t, err, jiedao.ENOTFOUND, "missing username")

		gw.GridIDs, gw.Name, gw.Active = []int64{3}, "周网格长", false
		must(t, orgs.UpdateStaff(bg, gw))
		got, _ = orgs.GetStaff(bg, gw.ID)
		if !reflect.DeepEqual(got.GridIDs, []int64{3}) || got.Name != "周网格长" || got.Active {
			t.Errorf("after update: %+v", got)
		}
		wantCode(t, orgs.UpdateStaff(bg, &org.Staff{ID: 999, Username: "zz", Name: "z", Role: org.RoleAdmin}), jiedao.ENOTFOUND, "update missing staff")

		lock := cst(2024, 3, 1, 10, 15)
		must(t, orgs.RecordLogin(bg, h.ID, 0, &lock))
		must(t, orgs.RecordLogin(bg, gw.ID, 3, nil))
		got, _ = orgs.GetStaff(bg, h.ID)
		if got.LockedUntil == nil || !got.LockedUntil.Equal(lock) || got.FailedLogins != 0 {
			t.Errorf("lock: %+v", got)
		}
		got, _ = orgs.GetStaff(bg, gw.ID)
		if got.LockedUntil != nil || got.FailedLogins != 3 || got.Name != "周网格长" {
			t.Errorf("RecordLogin changed more than the counter: %+v", got)
		}
		all, err := orgs.ListStaff(bg)
		must(t, err)
		if len(all) != 2 || all[0].Username != "cg.handler" || all[1].Username != "grid.w1" {
			t.Errorf("ListStaff: %v", all)
		}

		// Sessions.
		se := &org.Session{TokenHash: "h1", StaffID: h.ID, CreatedAt: cst(2024, 3, 1, 9, 0), LastSeen: cst(2024, 3, 1, 9, 0), ExpiresAt: cst(2024, 3, 1, 21, 0)}
		must(t, orgs.CreateSession(bg, se))
		must(t, orgs.CreateSession(bg, &org.Session{TokenHash: "h2", StaffID: h.ID, CreatedAt: lock, LastSeen: lock, ExpiresAt: lock}))
		must(t, orgs.CreateSession(bg, &org.Session{TokenHash: "h3", StaffID: gw.ID, CreatedAt: lock, LastSeen: lock, ExpiresAt: lock}))
		wantCode(t, orgs.CreateSession(bg, &org.Session{TokenHash: "h1", StaffID: gw.ID, CreatedAt: lock, LastSeen: lock, ExpiresAt: lock}), jiedao.ECONFLICT, "duplicate session")
		gs, err := orgs.GetSession(bg, "h1")
		must(t, err)
		if gs.StaffID != h.ID || !gs.CreatedAt.Equal(se.CreatedAt) || !gs.ExpiresAt.Equal(se.ExpiresAt) || !gs.LastSeen.Equal(se.LastSeen) {
			t.Errorf("session: %+v", gs)
		}
		seen := cst(2024, 3, 1, 9, 42)
		must(t, orgs.TouchSession(bg, "h1", seen))
		gs, _ = orgs.GetSession(bg, "h1")
		if !gs.LastSeen.Equal(seen) {
			t.Errorf("touched: %v", gs.LastSeen)
		}
		must(t, orgs.DeleteSession(bg, "h1"))
		_, err = orgs.GetSession(bg, "h1")
		wantCode(t, err, jiedao.ENOTFOUND, "deleted session")
		must(t, orgs.DeleteStaffSessions(bg, h.ID))
		_, err = orgs.GetSession(bg, "h2")
		wantCode(t, err, jiedao.ENOTFOUND, "session of a signed-out staff member")
		if _, err := orgs.GetSession(bg, "h3"); err != nil {
			t.Errorf("another staff member's session went too: %v", err)
		}

		// API clients.
		c1 := &org.APIClient{Name: "12345热线", Channel: "hotline", KeyPrefix: "jd_abcd", KeyHash: "k1", CreatedAt: lock}
		must(t, orgs.CreateAPIClient(bg, c1))
		c2 := &org.APIClient{Name: "IoT", Channel: "iot", KeyPrefix: "jd_efgh", KeyHash: "k2", CreatedAt: lock}
		must(t, orgs.CreateAPIClient(bg, c2))
		wantCode(t, orgs.CreateAPIClient(bg, &org.APIClient{Name: "dup", KeyPrefix: "jd_x", KeyHash: "k1", CreatedAt: lock}), jiedao.ECONFLICT, "duplicate key hash")
		gc, err := orgs.GetAPIClientByKeyHash(bg, "k1")
		must(t, err)
		if gc.ID != c1.ID || gc.Name != c1.Name || gc.Channel != "hotline" || gc.KeyPrefix != "jd_abcd" || !gc.CreatedAt.Equal(lock) || gc.RevokedAt != nil {
			t.Errorf("client: %+v", gc)
		}
		revoked := cst(2024, 4, 1, 9, 0)
		must(t, orgs.RevokeAPIClient(bg, c1.ID, revoked))
		wantCode(t, orgs.RevokeAPIClient(bg, c1.ID, revoked.Add(time.Hour)), jiedao.ENOTFOUND, "revoking twice")
		wantCode(t, orgs.RevokeAPIClient(bg, 999, revoked), jiedao.ENOTFOUND, "revoking a missing client")
		gc, _ = orgs.GetAPIClientByKeyHash(bg, "k1")
		if gc.RevokedAt == nil || !gc.RevokedAt.Equal(revoked) {
			t.Errorf("revoked at: %v", gc.RevokedAt)
		}
		_, err = orgs.GetAPIClientByKeyHash(bg, "nope")
		wantCode(t, err, jiedao.ENOTFOUND, "unknown key")
		cl, err := orgs.ListAPIClients(bg)
		must(t, err)
		if len(cl) != 2 || cl[0].ID != c1.ID || cl[0].RevokedAt == nil || cl[1].RevokedAt != nil {
			t.Errorf("clients: %+v", cl)
		}
	})
}

// TestAuth runs org.Auth over the real store: login, lock-out, sessions
// that end, API keys that are revoked.
func TestAuth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		clock := fixture.NewClock(cst(2024, 6, 12, 9, 0))
		a := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}

		tok, s, err := a.Login(bg, "  Dispatcher ", fixture.Password, org.ClientInfo{})
		must(t, err)
		if s.ID != o.Dispatcher.ID {
			t.Fatalf("logged in as %+v", s)
		}
		clock.Advance(10 * time.Minute)
		got, err := a.Authenticate(bg, tok)
		if err != nil || got.ID != o.Dispatcher.ID {
			t.Fatalf("authenticate: %v", err)
		}
		// Touched: 29 more minutes of quiet still keep it.
		clock.Advance(29 * time.Minute)
		if _, err := a.Authenticate(bg, tok); err != nil {
			t.Fatalf("within the idle timeout: %v", err)
		}
		clock.Advance(31 * time.Minute)
		_, err = a.Authenticate(bg, tok)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "idle session")
		_, err = db.Org().GetSession(bg, org.HashToken(tok))
		wantCode(t, err, jiedao.ENOTFOUND, "idle session is deleted")

		// Unknown users and wrong passwords answer the same.
		_, _, err1 := a.Login(bg, "nobody", fixture.Password, org.ClientInfo{})
		_, _, err2 := a.Login(bg, "leader", "wrong", org.ClientInfo{})
		if jiedao.ErrorCode(err1) != jiedao.EUNAUTHORIZED || err1.Error() != err2.Error() {
			t.Errorf("unknown user %v, wrong password %v", err1, err2)
		}
		for range 4 {
			_, _, err = a.Login(bg, "leader", "wrong", org.ClientInfo{})
			wantCode(t, err, jiedao.EUNAUTHORIZED, "wrong password")
		}
		// Locked after 5 failures: even the right password is refused, and
		// the answer is the one a wrong password gets, so that a stranger
		// learns nothing of the account (issue 18).
		_, _, err = a.Login(bg, "leader", fixture.Password, org.ClientInfo{})
		wantCode(t, err, jiedao.EUNAUTHORIZED, "locked after 5 failures")
		if err != nil && err.Error() != err2.Error() {
			t.Errorf("a locked account answers %v, a wrong password %v", err, err2)
		}
		clock.Advance(15*time.Minute + time.Second)
		if _, _, err = a.Login(bg, "leader", fixture.Password, org.ClientInfo{}); err != nil {
			t.Errorf("after the lock: %v", err)
		}
		st, _ := db.Org().GetStaff(bg, o.Leader.ID)
		if st.FailedLogins != 0 || st.LockedUntil != nil {
			t.Errorf("a good login clears the counter: %+v", st)
		}

		key, c, err := a.CreateAPIClient(bg, "物联网平台", "iot")
		must(t, err)
		if got, err := a.AuthenticateClient(bg, key); err != nil || got.ID != c.ID || got.Channel != "iot" {
			t.Errorf("client: %+v %v", got, err)
		}
		must(t, db.Org().RevokeAPIClient(bg, c.ID, clock.Now()))
		_, err = a.AuthenticateClient(bg, key)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "revoked key")
	})
}

func TestCategoriesAndRouting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cs := db.Cases()
		_, err := cs.GetCategory(bg, "01")
		wantCode(t, err, jiedao.ENOTFOUND, "missing category")
		minor := &casework.Category{Code: "0102", ParentCode: "01", Name: "乱堆物料", Active: true}
		wantCode(t, cs.PutCategory(bg, minor), jiedao.EINVALID, "minor before its major")
		major := &casework.Category{Code: "01", Name: "市容环境", NameEn: "City appearance", Description: "市容", Keywords: []string{"市容"}, Active: true}
		must(t, cs.PutCategory(bg, major))
		minor.Attributes = []casework.AttributeDef{{Code: "material", Datatype: casework.TypeSingleList, Required: true, Variable: true, Order: 1,
			Description: "物料", Values: []casework.AttributeValue{{Key: "sand", Name: "沙石"}}}}
		minor.Policies = map[casework.Urgency]casework.Policy{casework.UrgencyUrgent: {Finish: calendar.Limit{Amount: 4, Unit: calendar.NaturalHours}}}
		must(t, cs.PutCategory(bg, minor))
		got, err := cs.GetCategory(bg, "0102")
		must(t, err)
		if !sameJSON(got, minor) || got.Policies[casework.UrgencyUrgent].Finish.Amount != 4 {
			t.Errorf("category round trip:\n got %+v\nwant %+v", got, minor)
		}
		// A minor class cannot hang under another minor class.
		wantCode(t, cs.PutCategory(bg, &casework.Category{Code: "0102", ParentCode: "0102", Name: "x"}), jiedao.EINVALID, "minor under a minor")
		wantCode(t, cs.PutCategory(bg, &casework.Category{Code: "1", Name: "x"}), jiedao.EINVALID, "bad code")

		// Replace: the new definition wins whole.
		repl := &casework.Category{Code: "0102", ParentCode: "01", Name: "乱堆物料（新）", Active: false}
		must(t, cs.PutCategory(bg, repl))
		got, _ = cs.GetCategory(bg, "0102")
		if !sameJSON(got, repl) || len(got.Attributes) != 0 || len(got.Policies) != 0 {
			t.Errorf("replaced:\n got %+v\nwant %+v", got, repl)
		}
		must(t, cs.PutCategory(bg, &casework.Category{Code: "02", Name: "街面秩序", Active: true}))
		list, err := cs.ListCategories(bg)
		must(t, err)
		var codes []string
		for _, c := range list {
			codes = append(codes, c.Code)
		}
		if !slices.Equal(codes, []string{"01", "0102", "02"}) || !sameJSON(list[0], major) {
			t.Errorf("list: %v %+v", codes, list[0])
		}

		// Routing rules.
		orgs := db.Org()
		j := &org.Jurisdiction{DivisionCode: "330106007", Name: "古荡街道"}
		must(t, orgs.CreateJurisdiction(bg, j))
		comm := &org.Community{JurisdictionID: j.ID, Code: "yile", Name: "益乐社区"}
		must(t, orgs.CreateCommunity(bg, comm))
		u := &org.Unit{Code: "market", Name: "市场监管所", Kind: org.UnitStation}
		must(t, orgs.CreateUnit(bg, u))
		r1 := &casework.RoutingRule{Category: "01", UnitID: u.ID}
		r2 := &casework.RoutingRule{Category: "0201", CommunityID: comm.ID, Channel: casework.ChannelHotline, UnitID: u.ID}
		must(t, cs.CreateRoutingRule(bg, r1))
		must(t, cs.CreateRoutingRule(bg, r2))
		wantCode(t, cs.CreateRoutingRule(bg, &casework.RoutingRule{Category: "01"}), jiedao.EINVALID, "rule without unit")
		wantCode(t, cs.CreateRoutingRule(bg, &casework.RoutingRule{Category: "01", UnitID: 999}), jiedao.EINVALID, "rule to a missing unit")
		wantCode(t, cs.CreateRoutingRule(bg, &casework.RoutingRule{GridID: 999, UnitID: u.ID}), jiedao.EINVALID, "rule in a missing grid")
		rules, err := cs.ListRoutingRules(bg)
		must(t, err)
		if !reflect.DeepEqual(rules, []casework.RoutingRule{*r1, *r2}) {
			t.Errorf("rules: %+v", rules)
		}
		must(t, cs.DeleteRoutingRule(bg, r1.ID))
		wantCode(t, cs.DeleteRoutingRule(bg, r1.ID), jiedao.ENOTFOUND, "deleting twice")
		rules, _ = cs.ListRoutingRules(bg)
		if len(rules) != 1 || rules[0] != *r2 {
			t.Errorf("after delete: %+v", rules)
		}
	})
}

func TestCalendarStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cal := db.Calendar(calendar.DefaultWorkingHours())
		days, err := cal.Days(bg)
		must(t, err)
		if len(days) != 0 {
			t.Fatalf("new calendar has %d days", len(days))
		}
		seeded, err := cal.SeedOfficial(bg)
		must(t, err)
		if !seeded {
			t.Fatal("not seeded")
		}
		days, _ = cal.Days(bg)
		if !reflect.DeepEqual(days, calendar.Official()) {
			t.Errorf("seeded %d days, official has %d", len(days), len(calendar.Official()))
		}
		again, err := cal.SeedOfficial(bg)
		if err != nil || again {
			t.Errorf("second seed: %v %v", again, err)
		}
		c, err := cal.Calendar(bg)
		must(t, err)
		if c.IsWorkingDay(cst(2024, 10, 1, 10, 0)) || !c.IsWorkingDay(cst(2024, 9, 29, 10, 0)) || !c.IsWorkingDay(cst(2024, 10, 8, 10, 0)) {
			t.Error("the seeded calendar does not know National Day 2024")
		}

		// All or none: a bad day keeps the good one out.
		err = cal.PutDays(bg, []calendar.Day{{Date: "2027-01-01", Kind: calendar.Off, Name: "元旦", ScheduleYear: 2027}, {Date: "2027-02-30", Kind: calendar.Off, Name: "x", ScheduleYear: 2027}})
		wantCode(t, err, jiedao.EINVALID, "bad date")
		days2, _ := cal.Days(bg)
		if len(days2) != len(days) {
			t.Errorf("a failed PutDays stored %d days", len(days2)-len(days))
		}
		must(t, cal.PutDays(bg, []calendar.Day{
			{Date: "2027-01-01", Kind: calendar.Off, Name: "元旦", ScheduleYear: 2027},
			{Date: "2024-10-01", Kind: calendar.Off, Name: "国庆节（改）", ScheduleYear: 2024}, // replaces
		}))
		days2, _ = cal.Days(bg)
		if len(days2) != len(days)+1 || days2[len(days2)-1].Date != "2027-01-01" {
			t.Errorf("after PutDays: %d days, last %+v", len(days2), days2[len(days2)-1])
		}
		c, _ = cal.Calendar(bg)
		if d, ok := c.Lookup(cst(2024, 10, 1, 0, 0)); !ok || d.Name != "国庆节（改）" {
			t.Errorf("replaced day: %+v", d)
		}
		must(t, cal.DeleteDay(bg, "2024-10-01"))
		wantCode(t, cal.DeleteDay(bg, "2024-10-01"), jiedao.ENOTFOUND, "deleting a day twice")
		c, _ = cal.Calendar(bg)
		if !c.IsWorkingDay(cst(2024, 10, 1, 10, 0)) {
			t.Error("a deleted holiday on a Tuesday is a working day again")
		}
		// Deadlines follow the stored calendar at once.
		if got := c.Add(cst(2024, 9, 30, 16, 30), calendar.Limit{Amount: 2, Unit: calendar.WorkingHoursUnit}); !got.Equal(cst(2024, 10, 1, 9, 30)) {
			t.Errorf("2 working hours from Monday 16:30: %v", got)
		}
	})
}

// rawReport builds a new case and its report event as the Service does.
func rawReport(t *testing.T, at time.Time, ch casework.Channel, ext string) (*casework.Case, *casework.Event) {
	t.Helper()
	c := &casework.Case{Channel: ch, ExternalID: ext, Category: "0101", Urgency: casework.UrgencyNormal, Title: "暴露垃圾",
		Details: "路边垃圾无人清理", Reporter: casework.Contact{Name: "张三", Phone: "13812345678"}}
	snap := *c
	e := &casework.Event{Seq: 1, Action: casework.ActReport, ActorKind: string(org.ActorResident), ActorName: "张三", At: at,
		To: casework.StatusReported, Payload: casework.Payload{Report: &snap}}
	nc, err := casework.Apply(nil, e)
	must(t, err)
	return nc, e
}

// checkReplay asserts that the stored case is what its stored events give.
func checkReplay(t *testing.T, cs casework.Store, id int64) *casework.Case {
	t.Helper()
	stored, err := cs.GetCase(bg, id)
	must(t, err)
	events, err := cs.ListEvents(bg, id)
	must(t, err)
	replayed, err := casework.Replay(events)
	must(t, err)
	if !sameJSON(stored, replayed) {
		a, _ := json.Marshal(stored)
		b, _ := json.Marshal(replayed)
		t.Errorf("case %d: stored and replayed differ:\nstored   %s\nreplayed %s", id, a, b)
	}
	if len(events) != stored.EventCount {
		t.Errorf("case %d: %d events, event_count %d", id, len(events), stored.EventCount)
	}
	return stored
}

func TestCaseNumbersAndExternalIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cs := db.Cases()
		create := func(at time.Time, ch casework.Channel, ext string) (*casework.Case, error) {
			c, e := rawReport(t, at, ch, ext)
			err := cs.CreateCase(bg, c, e)
			return c, err
		}
		for _, tc := range []struct {
			at   time.Time
			want string
		}{
			{cst(2024, 6, 12, 9, 0), "20240612-0001"},
			{cst(2024, 6, 12, 23, 59), "20240612-0002"},
			// 00:00:30 in China is still the 12th in UTC: the China day counts.
			{time.Date(2024, 6, 12, 16, 0, 30, 0, time.UTC), "20240613-0001"},
			// Given in UTC, 12:00 China time on the 12th.
			{time.Date(2024, 6, 12, 4, 0, 0, 0, time.UTC), "20240612-0003"},
			{cst(2024, 6, 13, 8, 0), "20240613-0002"},
			{cst(2024, 12, 31, 23, 59), "20241231-0001"},
			{cst(2025, 1, 1, 0, 0), "20250101-0001"},
		} {
			c, err := create(tc.at, casework.ChannelXihuCode, "")
			must(t, err)
			if c.Number != tc.want || c.ID == 0 {
				t.Errorf("reported %v: number %q id %d, want %q", tc.at, c.Number, c.ID, tc.want)
			}
			got, err := cs.GetCaseByNumber(bg, tc.want)
			if err != nil || got.ID != c.ID || got.Number != tc.want {
				t.Errorf("GetCaseByNumber(%s): %v %v", tc.want, got, err)
			}
			checkReplay(t, cs, c.ID)
		}
		_, err := cs.GetCaseByNumber(bg, "20240612-0099")
		wantCode(t, err, jiedao.ENOTFOUND, "unknown number")
		_, err = cs.GetCase(bg, 9999)
		wantCode(t, err, jiedao.ENOTFOUND, "unknown id")

		// External ids are unique per channel.
		day := cst(2024, 7, 1, 10, 0)
		h1, err := create(day, casework.ChannelHotline, "GD-2024-001")
		must(t, err)
		if _, err := create(day, casework.ChannelIoT, "GD-2024-001"); err != nil {
			t.Errorf("the same external id on another channel: %v", err)
		}
		_, err = create(day, casework.ChannelHotline, "GD-2024-001")
		wantCode(t, err, jiedao.ECONFLICT, "duplicate external id")
		// The refused case took no number and left no row.
		next, err := create(day, casework.ChannelHotline, "GD-2024-002")
		must(t, err)
		if next.Number != "20240701-0003" {
			t.Errorf("after a refused duplicate the next number is %s", next.Number)
		}
		got, err := cs.FindByExternalID(bg, casework.ChannelHotline, "GD-2024-001")
		if err != nil || got.ID != h1.ID {
			t.Errorf("FindByExternalID: %v %v", got, err)
		}
		_, err = cs.FindByExternalID(bg, casework.ChannelPolice, "GD-2024-001")
		wantCode(t, err, jiedao.ENOTFOUND, "external id on another channel")
		all, total, err := cs.ListCases(bg, casework.Filter{Scope: casework.Scope{All: true}, Limit: 100})
		must(t, err)
		if total != 10 || len(all) != 10 {
			t.Errorf("%d cases stored (%d listed), want 10", total, len(all))
		}
	})
}

func TestUpdateCase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cs := db.Cases()
		c, e := rawReport(t, cst(2024, 6, 12, 9, 0), casework.ChannelXihuCode, "")
		must(t, cs.CreateCase(bg, c, e))
		before, _ := json.Marshal(checkReplay(t, cs, c.ID))

		// fn returns nothing: nothing is written.
		got, ev, err := cs.UpdateCase(bg, c.ID, func(c *casework.Case) (*casework.Event, error) { return nil, nil })
		if err != nil || ev != nil || got == nil || got.ID != c.ID {
			t.Errorf("nothing to write: %v %v %v", got, ev, err)
		}
		// fn changes the case and fails: nothing is written, the error passes.
		_, _, err = cs.UpdateCase(bg, c.ID, func(c *casework.Case) (*casework.Event, error) {
			e := &casework.Event{CaseID: c.ID, Seq: 2, Action: casework.ActAccept, At: cst(2024, 6, 12, 9, 5), From: c.Status, To: casework.StatusAccepted}
			if _, err := casework.Apply(c, e); err != nil {
				return nil, err
			}
			return e, jiedao.Forbidden("不行", "no")
		})
		wantCode(t, err, jiedao.EFORBIDDEN, "fn's error")
		// The event insert fails (a duplicate seq): the case is not saved either.
		_, _, err = cs.UpdateCase(bg, c.ID, func(c *casework.Case) (*casework.Event, error) {
			e := &casework.Event{CaseID: c.ID, Seq: 1, Action: casework.ActAccept, At: cst(2024, 6, 12, 9, 5), From: c.Status, To: casework.StatusAccepted}
			c.Status = casework.StatusAccepted
			return e, nil
		})
		wantCode(t, err, jiedao.ECONFLICT, "duplicate event seq")
		after, _ := json.Marshal(checkReplay(t, cs, c.ID))
		if string(after) != string(before) {
			t.Errorf("a failed update changed the case:\n%s\n%s", before, after)
		}
		if evs, _ := cs.ListEvents(bg, c.ID); len(evs) != 1 {
			t.Errorf("%d events after failed updates", len(evs))
		}

		// A step: the event and the projection together.
		acceptAt := cst(2024, 6, 12, 9, 30)
		closeDue := &casework.Deadline{Due: cst(2024, 6, 19, 17, 30), Warn: cst(2024, 6, 18, 16, 0), Working: true}
		got, ev, err = cs.UpdateCase(bg, c.ID, func(c *casework.Case) (*casework.Event, error) {
			e := &casework.Event{CaseID: c.ID, Seq: 2, Action: casework.ActAccept, ActorKind: "staff", ActorID: 0, ActorName: "李调度",
				ActorRole: "dispatcher", At: acceptAt, From: c.Status, To: casework.StatusAccepted, Reason: "属实",
				Payload: casework.Payload{Category: "0102", Deadlines: &casework.Deadlines{Close: closeDue}}}
			_, err := casework.Apply(c, e)
			return e, err
		})
		must(t, err)
		if ev == nil || ev.ID == 0 || got.Status != casework.StatusAccepted || got.EventCount != 2 {
			t.Fatalf("after accept: %+v %+v", got, ev)
		}
		stored := checkReplay(t, cs, c.ID)
		if stored.Status != casework.StatusAccepted || stored.Category != "0102" || !stored.AcceptedAt.Equal(acceptAt) ||
			!stored.Deadlines.Close.Due.Equal(closeDue.Due) || !sameJSON(stored, got) {
			t.Errorf("stored: %+v", stored)
		}
		evs, _ := cs.ListEvents(bg, c.ID)
		e2 := evs[1]
		if e2.ID != ev.ID || e2.Seq != 2 || e2.Action != casework.ActAccept || e2.ActorName != "李调度" || e2.ActorRole != "dispatcher" ||
			e2.Reason != "属实" || e2.From != casework.StatusReported || e2.To != casework.StatusAccepted || !e2.At.Equal(acceptAt) ||
			e2.At.Location() != calendar.Zone() || e2.Payload.Category != "0102" || e2.Payload.Deadlines.Close.Due.Location() != calendar.Zone() {
			t.Errorf("stored event: %+v", e2)
		}
		// The query columns follow the projection.
		list, _, err := cs.ListCases(bg, casework.Filter{Scope: casework.Scope{All: true}, Statuses: []casework.Status{casework.StatusAccepted}, Category: "01", Limit: 10})
		must(t, err)
		if len(list) != 1 || list[0].ID != c.ID {
			t.Errorf("the accepted case is not listed as accepted in 01: %v", list)
		}
		_, _, err = cs.UpdateCase(bg, 9999, func(c *casework.Case) (*casework.Event, error) { return nil, nil })
		wantCode(t, err, jiedao.ENOTFOUND, "update a missing case")
	})
}

// world is the fixture with a Service on a fake clock.
type world struct {
	o     *fixture.Org
	clock *fixture.Clock
	svc   *casework.Service
}

func newWorld(t *testing.T, db *store.DB, start time.Time) *world {
	o := build(t, db)
	clock := fixture.NewClock(start)
	return &world{o: o, clock: clock, svc: o.Service(clock.Now)}
}

// report files a report at time at in a grid (0: at Outside) by the actor.
func (w *world) report(t *testing.T, at time.Time, a org.Actor, gridID int64, category string, mod ...func(*casework.ReportInput)) *casework.Case {
	t.Helper()
	w.clock.Set(at)
	in := casework.ReportInput{Category: category, Details: "问题描述：" + category, Reporter: casework.Contact{Name: "张三", Phone: "13812345678"}}
	if gridID != 0 {
		in.Lat, in.Lon = w.o.LatLon(gridID)
	} else {
		p := w.o.Outside
		in.Lat, in.Lon = &p.Lat, &p.Lon
	}
	if category == fixture.CatPiledMaterial {
		in.Attributes = map[string][]string{"material": {"sand"}}
	}
	for _, m := range mod {
		m(&in)
	}
	c, err := w.svc.Report(bg, a, in)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	return c
}

// step takes a step at time at and fails the test if it is refused.
func (w *world) step(t *testing.T, at time.Time, a org.Actor, id int64, in casework.StepInput) *casework.Case {
	t.Helper()
	w.clock.Set(at)
	c, err := w.svc.Step(bg, a, id, in)
	if err != nil {
		t.Fatalf("%s on case %d by %s at %v: %v", in.Action, id, a.Name, at, err)
	}
	return c
}

func ids(cases []*casework.Case) []int64 {
	out := []int64{}
	for _, c := range cases {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func idList(cs ...*casework.Case) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func TestListCases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		resident := org.ResidentActor("张三")
		key, client, err := (&org.Auth{Store: db.Org(), Now: w.clock.Now}).CreateAPIClient(bg, "12345热线", string(casework.ChannelHotline))
		must(t, err)
		_ = key
		hotline := org.ClientActor(client)

		c1 := w.report(t, cst(2024, 6, 3, 9, 0), resident, o.GridW1.ID, fixture.CatExposedTrash, func(in *casework.ReportInput) {
			in.Title, in.Address = "垃圾桶满溢", "文三路 100 号 EFC 大楼"
		})
		w.step(t, cst(2024, 6, 3, 9, 5), disp, c1.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 3, 9, 10), disp, c1.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})

		c2 := w.report(t, cst(2024, 6, 3, 10, 0), hotline, o.GridY1.ID, fixture.CatStreetVendor, func(in *casework.ReportInput) {
			in.ExternalID, in.Details = "H-1", "早餐摊占道经营"
		})
		w.step(t, cst(2024, 6, 3, 10, 5), disp, c2.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 3, 10, 10), disp, c2.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Market.ID})
		w.step(t, cst(2024, 6, 3, 10, 20), o.MarketActor(), c2.ID, casework.StepInput{Action: casework.ActReturn, Reason: "不属于本所职责"})
		w.step(t, cst(2024, 6, 3, 10, 30), disp, c2.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})

		c3 := w.report(t, cst(2024, 6, 4, 9, 0), o.Actor(org.RoleGridWorker), o.GridB1.ID, fixture.CatPiledMaterial)
		c4 := w.report(t, cst(2024, 6, 5, 9, 0), disp, 0, fixture.CatExposedTrash, func(in *casework.ReportInput) { in.Address = "留下街道交界处" })
		w.step(t, cst(2024, 6, 5, 9, 5), disp, c4.ID, casework.StepInput{Action: casework.ActAccept})
		c5 := w.report(t, cst(2024, 6, 5, 10, 0), resident, o.GridW2.ID, fixture.CatStreetVendor)
		w.step(t, cst(2024, 6, 5, 10, 5), disp, c5.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 5, 10, 10), disp, c5.ID, casework.StepInput{Action: casework.ActVoid, Reason: "重复上报"})

		if c3.GridID != o.GridB1.ID || c3.Community != o.Wenhua.ID || c3.Channel != casework.ChannelGrid || c3.ReporterID != o.GridWorker.ID {
			t.Errorf("c3 placed: %+v", c3)
		}
		if !c4.Unplaced || c4.GridID != 0 || c2.ClientID != client.ID || c2.Channel != casework.ChannelHotline {
			t.Errorf("c4 %+v / c2 %+v", c4, c2)
		}

		all := casework.Scope{All: true}
		for _, tc := range []struct {
			name string
			f    casework.Filter
			want []int64
		}{
			{"everything", casework.Filter{Scope: all}, idList(c1, c2, c3, c4, c5)},
			{"status accepted", casework.Filter{Scope: all, Statuses: []casework.Status{casework.StatusAccepted}}, idList(c4)},
			{"status dispatched", casework.Filter{Scope: all, Statuses: []casework.Status{casework.StatusDispatched}}, idList(c1, c2)},
			{"status reported or voided", casework.Filter{Scope: all, Statuses: []casework.Status{casework.StatusReported, casework.StatusVoided}}, idList(c3, c5)},
			{"channel hotline", casework.Filter{Scope: all, Channel: casework.ChannelHotline}, idList(c2)},
			{"channel grid", casework.Filter{Scope: all, Channel: casework.ChannelGrid}, idList(c3)},
			{"major class 01", casework.Filter{Scope: all, Category: "01"}, idList(c1, c3, c4)},
			{"major class 02", casework.Filter{Scope: all, Category: "02"}, idList(c2, c5)},
			{"minor class 0102", casework.Filter{Scope: all, Category: "0102"}, idList(c3)},
			{"community 文华", casework.Filter{Scope: all, CommunityID: o.Wenhua.ID}, idList(c1, c3, c5)},
			{"community 益乐", casework.Filter{Scope: all, CommunityID: o.Yile.ID}, idList(c2)},
			{"grid W1 (not the building grid inside)", casework.Filter{Scope: all, GridID: o.GridW1.ID}, idList(c1)},
			{"current unit 城管科", casework.Filter{Scope: all, UnitID: o.Chengguan.ID}, idList(c1, c2)},
			{"current unit 市场监管所", casework.Filter{Scope: all, UnitID: o.Market.ID}, idList()},
			{"number", casework.Filter{Scope: all, Number: c3.Number}, idList(c3)},
			{"words in the title", casework.Filter{Scope: all, Query: "满溢"}, idList(c1)},
			{"words in the details", casework.Filter{Scope: all, Query: "早餐摊"}, idList(c2)},
			{"words in the address", casework.Filter{Scope: all, Query: "交界"}, idList(c4)},
			{"a case number in the words", casework.Filter{Scope: all, Query: c3.Number}, idList(c3)},
			{"the start of a case number", casework.Filter{Scope: all, Query: c3.Number[:9]}, idList(c3)},
			{"the start of a day's numbers", casework.Filter{Scope: all, Query: "20240605-"}, idList(c4, c5)},
			{"a percent sign is no wildcard", casework.Filter{Scope: all, Query: "%"}, idList()},
			{"an underscore is no wildcard", casework.Filter{Scope: all, Query: "E_C"}, idList()},
			{"Latin letters in any case, on both engines", casework.Filter{Scope: all, Query: "efc"}, idList(c1)},
			{"reported in [06-04, 06-05)", casework.Filter{Scope: all, From: cst(2024, 6, 4, 0, 0), To: cst(2024, 6, 5, 0, 0)}, idList(c3)},
			{"reported from 06-05", casework.Filter{Scope: all, From: cst(2024, 6, 5, 9, 0)}, idList(c4, c5)},
			// Deadlines: c1 and c2 wait for sign-for (due 06-03), c4 runs its
			// close deadline: 5 working days from 06-05, 06-10 being 端午节,
			// due 06-13 17:30; warning when 80 % of its 44h25m working time has
			// passed: 06-12 at 16:07.
			{"overdue on 06-10", casework.Filter{Scope: all, Due: casework.DueOverdue, Now: cst(2024, 6, 10, 12, 0)}, idList(c1, c2)},
			{"in time on 06-10", casework.Filter{Scope: all, Due: casework.DueOK, Now: cst(2024, 6, 10, 12, 0)}, idList(c4)},
			{"in warning on 06-10", casework.Filter{Scope: all, Due: casework.DueWarning, Now: cst(2024, 6, 10, 12, 0)}, idList()},
			{"in warning on 06-12 16:07", casework.Filter{Scope: all, Due: casework.DueWarning, Now: cst(2024, 6, 12, 16, 7)}, idList(c4)},
			{"overdue on 06-13 17:29", casework.Filter{Scope: all, Due: casework.DueOverdue, Now: cst(2024, 6, 13, 17, 29)}, idList(c1, c2)},
			{"overdue on 06-13 17:30", casework.Filter{Scope: all, Due: casework.DueOverdue, Now: cst(2024, 6, 13, 17, 30)}, idList(c1, c2, c4)},
			{"in time on 06-12 16:06", casework.Filter{Scope: all, Due: casework.DueOK, Now: cst(2024, 6, 12, 16, 6)}, idList(c4)},
			{"two filters at once", casework.Filter{Scope: all, Category: "01", CommunityID: o.Wenhua.ID, Statuses: []casework.Status{casework.StatusReported}}, idList(c3)},

			// Scopes.
			{"unit scope: cases ever dispatched to it", casework.Filter{Scope: casework.Scope{UnitID: o.Market.ID}}, idList(c2)},
			{"unit scope 城管科", casework.Filter{Scope: casework.Scope{UnitID: o.Chengguan.ID}}, idList(c1, c2)},
			{"unit scope with nothing", casework.Filter{Scope: casework.Scope{UnitID: o.Police.ID}}, idList()},
			{"unit scope and a filter", casework.Filter{Scope: casework.Scope{UnitID: o.Market.ID}, Category: "01"}, idList()},
			{"grid scope", casework.Filter{Scope: casework.Scope{GridIDs: []int64{o.GridW1.ID}}}, idList(c1)},
			{"grid scope of two grids", casework.Filter{Scope: casework.Scope{GridIDs: []int64{o.GridW1.ID, o.GridB1.ID}}}, idList(c1, c3)},
			{"community scope", casework.Filter{Scope: casework.Scope{CommunityID: o.Yile.ID}}, idList(c2)},
			{"community scope cannot be widened by a filter", casework.Filter{Scope: casework.Scope{CommunityID: o.Yile.ID}, CommunityID: o.Wenhua.ID}, idList()},
			{"client scope", casework.Filter{Scope: casework.Scope{ClientID: client.ID}}, idList(c2)},
			{"scope none", casework.Filter{Scope: casework.Scope{None: true, All: true}}, idList()},
			{"the zero scope sees nothing", casework.Filter{}, idList()},
		} {
			tc.f.Limit = 100
			// A unit's scope is read as its set of cases or by testing
			// each case, by the list's density: both ways give the same.
			for _, form := range []store.UnitScopeForm{store.UnitScopeAuto, store.UnitScopeSet, store.UnitScopeRows} {
				db.SetUnitScopeForm(form)
				list, total, err := db.Cases().ListCases(bg, tc.f)
				if err != nil {
					t.Errorf("%s (form %d): %v", tc.name, form, err)
					continue
				}
				if got := ids(list); !slices.Equal(got, tc.want) || total != len(tc.want) {
					t.Errorf("%s (form %d): got %v (total %d), want %v", tc.name, form, got, total, tc.want)
				}
				if n, err := db.Cases().CountCases(bg, tc.f); err != nil || n != len(tc.want) {
					t.Errorf("%s (form %d): counted %d (%v), want %d", tc.name, form, n, err, len(tc.want))
				}
			}
			db.SetUnitScopeForm(store.UnitScopeAuto)
		}
		// Paging: newest first, the total over all pages.
		page, total, err := db.Cases().ListCases(bg, casework.Filter{Scope: all, Limit: 2})
		must(t, err)
		if total != 5 || len(page) != 2 || page[0].ID != c5.ID || page[1].ID != c4.ID {
			t.Errorf("page 1: %v total %d", ids(page), total)
		}
		page, _, _ = db.Cases().ListCases(bg, casework.Filter{Scope: all, Limit: 2, Offset: 2})
		if len(page) != 2 || page[0].ID != c3.ID || page[1].ID != c2.ID {
			t.Errorf("page 2: %v", ids(page))
		}
		// Sorting: each key in both directions, ties by id in the same
		// direction; cases without a deadline last either way.
		inOrder := func(cs ...*casework.Case) []int64 {
			out := []int64{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		unsorted := func(cases []*casework.Case) []int64 {
			out := []int64{}
			for _, c := range cases {
				out = append(out, c.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			sort casework.CaseSort
			asc  bool
			want []int64
		}{
			{"reported, oldest first", casework.SortReported, true, inOrder(c1, c2, c3, c4, c5)},
			{"number, descending", casework.SortNumber, false, inOrder(c5, c4, c3, c2, c1)},
			// c1, c2 due 06-03 (sign-for), c4 06-13; c3 (reported) and c5
			// (voided) have none and come last in both directions.
			{"deadline, soonest first", casework.SortDue, true, inOrder(c1, c2, c4, c3, c5)},
			{"deadline, latest first", casework.SortDue, false, inOrder(c4, c2, c1, c5, c3)},
			{"category ascending, ties by id", casework.SortCategory, true, inOrder(c1, c4, c3, c2, c5)},
		} {
			list, _, err := db.Cases().ListCases(bg, casework.Filter{Scope: all, Limit: 10, Sort: tc.sort, Asc: tc.asc})
			must(t, err)
			if got := unsorted(list); !slices.Equal(got, tc.want) {
				t.Errorf("sort %s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		if ok, _ := db.Cases().WasAssigned(bg, c2.ID, o.Market.ID); !ok {
			t.Error("c2 was assigned to 市场监管所")
		}
		if ok, _ := db.Cases().WasAssigned(bg, c1.ID, o.Market.ID); ok {
			t.Error("c1 was never assigned to 市场监管所")
		}
		for _, c := range []*casework.Case{c1, c2, c3, c4, c5} {
			checkReplay(t, db.Cases(), c.ID)
		}
	})
}

func TestDueCases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		// a: dispatched Monday 09:00, sign-for due 11:00 (2 working hours),
		// warning at 10:36 (80 %).
		a := w.report(t, cst(2024, 6, 3, 8, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 8, 30), disp, a.ID, casework.StepInput{Action: casework.ActAccept})
		a = w.step(t, cst(2024, 6, 3, 9, 0), disp, a.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})
		if !a.Deadlines.Sign.Due.Equal(cst(2024, 6, 3, 11, 0)) || !a.Deadlines.Sign.Warn.Equal(cst(2024, 6, 3, 10, 36)) {
			t.Fatalf("sign deadline: %+v", a.Deadlines.Sign)
		}
		// b: dispatched at 08:30, due 10:30, warning 10:06.
		b := w.report(t, cst(2024, 6, 3, 8, 0), disp, o.GridW2.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 8, 10), disp, b.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 3, 8, 30), disp, b.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})
		// c: closed, and d: only reported: never due.
		c := w.report(t, cst(2024, 6, 3, 8, 0), disp, o.GridY1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 8, 1), disp, c.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 3, 8, 2), disp, c.ID, casework.StepInput{Action: casework.ActEscalate, Reason: "区级事项"})
		w.step(t, cst(2024, 6, 3, 8, 3), disp, c.ID, casework.StepInput{Action: casework.ActClose})
		w.report(t, cst(2024, 6, 3, 8, 0), disp, o.GridY2.ID, fixture.CatExposedTrash)

		due := func(at time.Time, want ...int64) {
			t.Helper()
			got, err := db.Cases().DueCases(bg, at, 100)
			must(t, err)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("DueCases(%s) = %v, want %v", at.Format("15:04"), got, want)
			}
		}
		run := func(at time.Time, wantWarned, wantOverdue int) {
			t.Helper()
			w.clock.Set(at)
			warned, overdue, err := w.svc.RunDeadlines(bg)
			must(t, err)
			if warned != wantWarned || overdue != wantOverdue {
				t.Errorf("RunDeadlines at %s: %d warned, %d overdue; want %d, %d", at.Format("15:04"), warned, overdue, wantWarned, wantOverdue)
			}
		}
		due(cst(2024, 6, 3, 10, 5))
		due(cst(2024, 6, 3, 10, 6), b.ID)
		due(cst(2024, 6, 3, 10, 36), b.ID, a.ID) // the earliest due first
		run(cst(2024, 6, 3, 10, 6), 1, 0)
		due(cst(2024, 6, 3, 10, 29))
		due(cst(2024, 6, 3, 10, 30), b.ID)
		run(cst(2024, 6, 3, 10, 30), 0, 1)
		due(cst(2024, 6, 3, 10, 35))
		run(cst(2024, 6, 3, 10, 36), 1, 0)
		due(cst(2024, 6, 3, 10, 40))
		run(cst(2024, 6, 3, 10, 40), 0, 0)
		due(cst(2024, 6, 3, 10, 59))
		due(cst(2024, 6, 3, 11, 0), a.ID)
		if got, _ := db.Cases().DueCases(bg, cst(2024, 6, 3, 11, 0), 0); len(got) != 0 {
			t.Errorf("limit 0 gave %v", got)
		}
		run(cst(2024, 6, 3, 11, 0), 0, 1)
		run(cst(2024, 6, 3, 11, 0), 0, 0)
		due(cst(2024, 6, 4, 11, 0))
		got := checkReplay(t, db.Cases(), a.ID)
		// report, accept, dispatch, warn, overdue, supervise
		if got.EventCount != 6 || got.SupervisionCount != 1 || !got.EverOverdue || got.OverdueDue == nil || !got.OverdueDue.Equal(cst(2024, 6, 3, 11, 0)) {
			t.Errorf("after overdue: %+v", got)
		}
		if got.DueStateAt(cst(2024, 6, 3, 11, 0)) != casework.DueOverdue {
			t.Error("DueStateAt")
		}
	})
}

// TestEvaluate builds cases whose figures are counted here by hand, and
// checks the store's counts for June 2024 grouped each way.
func TestEvaluate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp, gw, comm, cg, market := o.Actor(org.RoleDispatcher), o.Actor(org.RoleGridWorker), o.Actor(org.RoleCommunityStaff), o.Actor(org.RoleUnitHandler), o.MarketActor()
		S := func(a casework.Action) casework.StepInput {
			if a == casework.ActHandle {
				return casework.StepInput{Action: a, Reason: "已处置"} // handling is reported with what was done
			}
			return casework.StepInput{Action: a}
		}
		R := func(a casework.Action, reason string) casework.StepInput {
			return casework.StepInput{Action: a, Reason: reason}
		}
		D := func(unit int64) casework.StepInput {
			return casework.StepInput{Action: casework.ActDispatch, UnitID: unit}
		}
		rate := func(r casework.Rating) casework.StepInput {
			return casework.StepInput{Action: casework.ActRate, Rating: r}
		}
		d3 := func(h, m int) time.Time { return cst(2024, 6, 3, h, m) }

		// E1 文华 W1 → 城管科: signed in time, handled in 1 h, closed in time, satisfied.
		e1 := w.report(t, d3(9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, d3(9, 0), disp, e1.ID, S(casework.ActAccept))
		w.step(t, d3(9, 0), disp, e1.ID, D(o.Chengguan.ID))
		w.step(t, d3(9, 30), cg, e1.ID, S(casework.ActSign))
		w.step(t, d3(10, 30), cg, e1.ID, S(casework.ActHandle))
		w.step(t, d3(10, 40), gw, e1.ID, S(casework.ActVerify))
		w.step(t, d3(11, 0), disp, e1.ID, S(casework.ActClose))
		w.step(t, d3(11, 5), disp, e1.ID, rate(casework.RatingSatisfied))

		// E2 益乐 Y1 → 市场监管所: signed late (due 11:00), reworked once,
		// handled 22.5 h after sign-for, closed late (due 06-11), basic.
		e2 := w.report(t, d3(9, 0), disp, o.GridY1.ID, fixture.CatStreetVendor)
		w.step(t, d3(9, 0), disp, e2.ID, S(casework.ActAccept))
		w.step(t, d3(9, 0), disp, e2.ID, D(o.Market.ID))
		w.step(t, d3(12, 0), market, e2.ID, S(casework.ActSign))
		w.step(t, cst(2024, 6, 4, 9, 30), market, e2.ID, S(casework.ActHandle))
		w.step(t, cst(2024, 6, 4, 10, 0), comm, e2.ID, R(casework.ActRework, "摊位仍在"))
		w.step(t, cst(2024, 6, 4, 10, 30), market, e2.ID, S(casework.ActHandle))
		w.step(t, cst(2024, 6, 4, 10, 40), comm, e2.ID, S(casework.ActVerify))
		if c := w.step(t, cst(2024, 6, 20, 9, 0), disp, e2.ID, S(casework.ActClose)); c.ClosedOnTime == nil || *c.ClosedOnTime {
			t.Errorf("E2 closed on time: %v", c.ClosedOnTime)
		}
		w.step(t, cst(2024, 6, 20, 9, 10), disp, e2.ID, rate(casework.RatingBasic))

		// E3 文华 W2: dispatched to 城管科, then to the police; never signed.
		e3 := w.report(t, d3(9, 0), disp, o.GridW2.ID, fixture.CatExposedTrash)
		w.step(t, d3(9, 0), disp, e3.ID, S(casework.ActAccept))
		w.step(t, d3(9, 0), disp, e3.ID, D(o.Chengguan.ID))
		w.step(t, cst(2024, 6, 4, 9, 0), disp, e3.ID, D(o.Police.ID))

		// E4 益乐 Y2: accepted only.
		e4 := w.report(t, d3(9, 0), disp, o.GridY2.ID, fixture.CatExposedTrash)
		w.step(t, d3(9, 0), disp, e4.ID, S(casework.ActAccept))

		// E5: accepted, then voided: not filed.
		e5 := w.report(t, d3(9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, d3(9, 0), disp, e5.ID, S(casework.ActAccept))
		w.step(t, d3(9, 30), disp, e5.ID, R(casework.ActVoid, "误报"))

		// E6 unplaced, reported in May, filed in June: closed, rated
		// unsatisfied, reopened, dispatched again, closed in time, satisfied.
		e6 := w.report(t, cst(2024, 5, 31, 9, 0), disp, 0, fixture.CatExposedTrash)
		w.step(t, d3(9, 0), disp, e6.ID, S(casework.ActAccept))
		w.step(t, d3(9, 0), disp, e6.ID, D(o.Chengguan.ID))
		w.step(t, d3(9, 10), cg, e6.ID, S(casework.ActSign))
		w.step(t, d3(9, 20), cg, e6.ID, S(casework.ActStart))
		w.step(t, d3(10, 10), cg, e6.ID, S(casework.ActHandle))
		w.step(t, d3(10, 20), disp, e6.ID, S(casework.ActVerify))
		w.step(t, d3(10, 30), disp, e6.ID, S(casework.ActClose))
		w.step(t, d3(10, 40), disp, e6.ID, rate(casework.RatingUnsatisfied))
		w.step(t, cst(2024, 6, 4, 9, 0), disp, e6.ID, R(casework.ActReopen, "居民回访不满意"))
		w.step(t, cst(2024, 6, 5, 9, 0), disp, e6.ID, D(o.Chengguan.ID))
		w.step(t, cst(2024, 6, 5, 9, 5), cg, e6.ID, S(casework.ActSign))
		w.step(t, cst(2024, 6, 5, 10, 5), cg, e6.ID, S(casework.ActHandle))
		w.step(t, cst(2024, 6, 5, 10, 10), disp, e6.ID, S(casework.ActVerify))
		w.step(t, cst(2024, 6, 5, 10, 20), disp, e6.ID, S(casework.ActClose))
		w.step(t, cst(2024, 6, 5, 10, 30), disp, e6.ID, rate(casework.RatingSatisfied))

		// E7 益乐 Y1: filed in May, dispatched in June, handled in 2 h.
		e7 := w.report(t, cst(2024, 5, 31, 9, 0), disp, o.GridY1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 5, 31, 9, 0), disp, e7.ID, S(casework.ActAccept))
		w.step(t, d3(9, 0), disp, e7.ID, D(o.Chengguan.ID))
		w.step(t, d3(9, 10), cg, e7.ID, S(casework.ActSign))
		w.step(t, d3(11, 10), cg, e7.ID, S(casework.ActHandle))

		// E8: reported in June, filed in July.
		e8 := w.report(t, cst(2024, 6, 28, 9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 7, 1, 9, 0), disp, e8.ID, S(casework.ActAccept))
		// E9: rejected.
		e9 := w.report(t, d3(9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, d3(9, 10), disp, e9.ID, R(casework.ActReject, "非本街道事项"))
		// E10 文华 W1: dispatched Friday 06-28 17:00, sign-for due Monday
		// 07-01 10:00.
		e10 := w.report(t, cst(2024, 6, 28, 16, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 28, 16, 0), disp, e10.ID, S(casework.ActAccept))
		if c := w.step(t, cst(2024, 6, 28, 17, 0), disp, e10.ID, D(o.Chengguan.ID)); !c.Deadlines.Sign.Due.Equal(cst(2024, 7, 1, 10, 0)) {
			t.Errorf("E10 sign due %v", c.Deadlines.Sign.Due)
		}
		for _, c := range []*casework.Case{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10} {
			checkReplay(t, db.Cases(), c.ID)
		}

		june := casework.EvalQuery{From: cst(2024, 6, 1, 0, 0), To: cst(2024, 7, 1, 0, 0), Now: cst(2024, 6, 30, 12, 0)}
		eval := func(q casework.EvalQuery, g casework.GroupBy) []casework.EvalCounts {
			t.Helper()
			q.GroupBy = g
			rows, err := db.Cases().Evaluate(bg, q)
			if err != nil {
				t.Fatalf("Evaluate by %s: %v", g, err)
			}
			return rows
		}
		check := func(name string, got, want []casework.EvalCounts) {
			t.Helper()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
			}
		}
		type EC = casework.EvalCounts
		check("all", eval(june, casework.ByAll), []EC{{Key: 0, Filed: 6, Closed: 3, ClosedOnTime: 2, Handled: 3, Reworked: 1, Rated: 3, Satisfied: 3,
			Dispatches: 7, SignedOnTime: 4, HandledDisp: 5, HandleSeconds: 99000}})
		check("by community", eval(june, casework.ByCommunity), []EC{
			{Key: 0, Filed: 1, Closed: 1, ClosedOnTime: 1, Handled: 1, Rated: 1, Satisfied: 1, Dispatches: 2, SignedOnTime: 2, HandledDisp: 2, HandleSeconds: 7200},
			{Key: o.Wenhua.ID, Filed: 3, Closed: 1, ClosedOnTime: 1, Handled: 1, Rated: 1, Satisfied: 1, Dispatches: 3, SignedOnTime: 1, HandledDisp: 1, HandleSeconds: 3600},
			{Key: o.Yile.ID, Filed: 2, Closed: 1, Handled: 1, Reworked: 1, Rated: 1, Satisfied: 1, Dispatches: 2, SignedOnTime: 1, HandledDisp: 2, HandleSeconds: 88200},
		})
		check("by unit", eval(june, casework.ByUnit), []EC{
			{Key: 0, Filed: 1},
			{Key: o.Chengguan.ID, Filed: 3, Closed: 2, ClosedOnTime: 2, Handled: 2, Rated: 2, Satisfied: 2, Dispatches: 5, SignedOnTime: 4, HandledDisp: 4, HandleSeconds: 18000},
			{Key: o.Market.ID, Filed: 1, Closed: 1, Handled: 1, Reworked: 1, Rated: 1, Satisfied: 1, Dispatches: 1, HandledDisp: 1, HandleSeconds: 81000},
			{Key: o.Police.ID, Filed: 1, Dispatches: 1},
		})
		byGrid := eval(june, casework.ByGrid)
		var w1 *EC
		for i := range byGrid {
			if byGrid[i].Key == o.GridW1.ID {
				w1 = &byGrid[i]
			}
		}
		if w1 == nil || *w1 != (EC{Key: o.GridW1.ID, Filed: 2, Closed: 1, ClosedOnTime: 1, Handled: 1, Rated: 1, Satisfied: 1, Dispatches: 1, SignedOnTime: 1, HandledDisp: 1, HandleSeconds: 3600}) {
			t.Errorf("grid W1: %+v", w1)
		}
		if len(byGrid) != 5 { // unplaced, W1, W2, Y1, Y2
			t.Errorf("by grid: %d rows", len(byGrid))
		}
		// Once E10's sign-for deadline has passed, its dispatch counts.
		later := june
		later.Now = cst(2024, 7, 1, 10, 0)
		check("all, later", eval(later, casework.ByAll), []EC{{Key: 0, Filed: 6, Closed: 3, ClosedOnTime: 2, Handled: 3, Reworked: 1, Rated: 3, Satisfied: 3,
			Dispatches: 8, SignedOnTime: 4, HandledDisp: 5, HandleSeconds: 99000}})
		// July: E8 filed; nothing dispatched.
		july := casework.EvalQuery{From: cst(2024, 7, 1, 0, 0), To: cst(2024, 8, 1, 0, 0), Now: cst(2024, 7, 31, 0, 0)}
		check("july", eval(july, casework.ByAll), []EC{{Key: 0, Filed: 1}})
		// A period with nothing in it has no rows.
		if rows := eval(casework.EvalQuery{From: cst(2023, 1, 1, 0, 0), To: cst(2023, 2, 1, 0, 0), Now: june.Now}, casework.ByAll); len(rows) != 0 {
			t.Errorf("empty period: %+v", rows)
		}
	})
}

// TestConcurrentWrites: many writers at once, as several serve processes
// sharing one PostgreSQL would be: numbers stay unique and in sequence,
// steps on one case queue up, and the case stays the replay of its events.
func TestConcurrentWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		const n = 40
		ctx, cancel := context.WithTimeout(bg, 60*time.Second)
		defer cancel()

		errs := make(chan error, n)
		numbers := make(chan string, n)
		for i := range n {
			go func() {
				lat, lon := o.LatLon(o.GridW1.ID)
				c, err := w.svc.Report(ctx, disp, casework.ReportInput{Category: fixture.CatExposedTrash, Details: fmt.Sprintf("并发上报 %d", i), Lat: lat, Lon: lon})
				if err == nil {
					numbers <- c.Number
				}
				errs <- err
			}()
		}
		seen := map[string]bool{}
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent report: %v", err)
			}
			seen[<-numbers] = true
		}
		for i := 1; i <= n; i++ {
			if num := fmt.Sprintf("20240603-%04d", i); !seen[num] {
				t.Errorf("number %s not given: %v", num, seen)
			}
		}

		// Dispatching again reads the category's deadline policy while the
		// case is locked: the writers waiting for the lock must not starve
		// the one holding it of a connection.
		c := w.report(t, cst(2024, 6, 3, 9, 0), disp, o.GridW2.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 9, 0), disp, c.ID, casework.StepInput{Action: casework.ActAccept})
		for i := range n {
			go func() {
				unit := []int64{o.Chengguan.ID, o.Market.ID}[i%2]
				_, err := w.svc.Step(ctx, disp, c.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: unit})
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent step: %v", err)
			}
		}
		got := checkReplay(t, db.Cases(), c.ID)
		if got.Assignments != n || got.EventCount != n+2 {
			t.Errorf("after %d concurrent dispatches: %d assignments, %d events", n, got.Assignments, got.EventCount)
		}
	})
}

// TestEvaluateCountsAReturnUnsignedAfterTheSignDeadlineAsLate: a unit that
// lets the sign-for deadline pass and then returns the case has signed
// late; one that returns it before the deadline has not been late.
func TestEvaluateCountsAReturnUnsignedAfterTheSignDeadlineAsLate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp, cg := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler)
		S := func(a casework.Action) casework.StepInput { return casework.StepInput{Action: a} }
		D := casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID}
		ret := casework.StepInput{Action: casework.ActReturn, Reason: "非本单位职责"}

		// Late: dispatched 09:00 (sign-for due 11:00), returned 14:00 unsigned.
		late := w.report(t, cst(2024, 6, 3, 9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 9, 0), disp, late.ID, S(casework.ActAccept))
		w.step(t, cst(2024, 6, 3, 9, 0), disp, late.ID, D)
		w.step(t, cst(2024, 6, 3, 14, 0), cg, late.ID, ret)
		// In time: returned at 09:30, before its deadline.
		early := w.report(t, cst(2024, 6, 3, 9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 9, 0), disp, early.ID, S(casework.ActAccept))
		w.step(t, cst(2024, 6, 3, 9, 0), disp, early.ID, D)
		w.step(t, cst(2024, 6, 3, 9, 30), cg, early.ID, ret)
		for _, c := range []*casework.Case{late, early} {
			checkReplay(t, db.Cases(), c.ID)
		}
		for _, now := range []time.Time{cst(2024, 6, 3, 14, 30), cst(2024, 6, 30, 12, 0)} {
			rows, err := db.Cases().Evaluate(bg, casework.EvalQuery{From: cst(2024, 6, 1, 0, 0), To: cst(2024, 7, 1, 0, 0), Now: now, GroupBy: casework.ByUnit})
			if err != nil {
				t.Fatal(err)
			}
			var got *casework.EvalCounts
			for i := range rows {
				if rows[i].Key == o.Chengguan.ID {
					got = &rows[i]
				}
			}
			if got == nil || got.Dispatches != 1 || got.SignedOnTime != 0 {
				t.Errorf("at %v: 城管科 %+v, want 1 dispatch counted, 0 signed on time", now, got)
			}
			if got != nil {
				if r := got.Rates(); r.SignTimelyRate == nil || *r.SignTimelyRate != 0 {
					t.Errorf("at %v: sign timely rate %v, want 0", now, r.SignTimelyRate)
				}
			}
		}
	})
}

// TestListCasesKeyset pages through cases with After and Before, in every
// sort that allows it and both directions, and checks that the pages are
// exactly the offset pages, with the filters kept and the total of the
// whole match; and that offset pages read from the list's end are too.
func TestListCasesKeyset(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cs := db.Cases()
		for i := range 11 {
			ch := casework.ChannelHotline
			if i%3 == 0 {
				ch = casework.ChannelXihuCode
			}
			// Some share a reported time, so that the id breaks ties.
			c, e := rawReport(t, cst(2024, 6, 1+i/2, 9, 0), ch, "")
			must(t, cs.CreateCase(bg, c, e))
		}
		for _, sort := range []casework.CaseSort{casework.SortReported, casework.SortNumber, casework.SortUpdated, casework.SortStatus, casework.SortCategory} {
			for _, asc := range []bool{false, true} {
				for _, ch := range []casework.Channel{"", casework.ChannelHotline} {
					f := casework.Filter{Scope: casework.Scope{All: true}, Sort: sort, Asc: asc, Channel: ch, Limit: 100}
					all, total, err := cs.ListCases(bg, f)
					must(t, err)
					if len(all) < 7 {
						t.Fatalf("%d cases listed", len(all))
					}
					f.Limit = 3
					var got []int64
					var after int64
					for page := 0; page < 10; page++ {
						f.After = after
						cases, n, err := cs.ListCases(bg, f)
						must(t, err)
						if n != total {
							t.Errorf("sort %s asc %v: total %d after %d, want %d", sort, asc, n, after, total)
						}
						for _, c := range cases {
							got = append(got, c.ID)
						}
						if len(cases) < f.Limit {
							break
						}
						after = cases[len(cases)-1].ID
					}
					var want []int64
					for _, c := range all {
						want = append(want, c.ID)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("sort %s asc %v channel %q: keyset pages %v, the whole list %v", sort, asc, ch, got, want)
					}
					// Backwards by Before from past the last case: the
					// same pages, last first.
					got = nil
					f.After = 0
					before := all[len(all)-1].ID
					if cases, _, err := cs.ListCases(bg, casework.Filter{Scope: f.Scope, Sort: sort, Asc: asc, Channel: ch, Limit: 1, Offset: len(all) - 1}); err != nil || len(cases) != 1 || cases[0].ID != before {
						t.Fatalf("sort %s asc %v: the last row by offset is not the list's last (%v)", sort, asc, err)
					}
					got = append(got, before)
					for page := 0; page < 10 && before != 0; page++ {
						f.Before = before
						cases, n, err := cs.ListCases(bg, f)
						must(t, err)
						if n != total {
							t.Errorf("sort %s asc %v: total %d before %d, want %d", sort, asc, n, before, total)
						}
						got = append(listIDs(cases), got...)
						before = 0
						if len(cases) == f.Limit {
							before = cases[0].ID
						}
					}
					f.Before = 0
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("sort %s asc %v channel %q: pages by Before %v, the whole list %v", sort, asc, ch, got, want)
					}
				}
			}
		}
		// Offset pages read from the list's nearer end (every page in
		// the second half is read backwards) are the list's rows in order,
		// for every sort, including those with NULLs (deadline) that keyset
		// paging leaves aside.
		for _, sort := range []casework.CaseSort{casework.SortReported, casework.SortDue, casework.SortUrgency, casework.SortStatus} {
			for _, asc := range []bool{false, true} {
				f := casework.Filter{Scope: casework.Scope{All: true}, Sort: sort, Asc: asc, Limit: 100}
				all, total, err := cs.ListCases(bg, f)
				must(t, err)
				for _, limit := range []int{2, 3, 4} {
					var got []int64
					for off := 0; off < total; off += limit {
						f.Offset, f.Limit = off, limit
						cases, _, err := cs.ListCases(bg, f)
						must(t, err)
						got = append(got, listIDs(cases)...)
					}
					if fmt.Sprint(got) != fmt.Sprint(listIDs(all)) {
						t.Errorf("sort %s asc %v limit %d: offset pages %v, the whole list %v", sort, asc, limit, got, listIDs(all))
					}
				}
			}
		}
	})
}

// TestListCasesLocatedPages: a deep page of a list in reported order is
// located through the aggregates' counts by year, month and day
// (pagelocate.go), here from the first row on; every page equals the
// same rows of the whole list, with and without filters the aggregates
// count, and with one they cannot (statuses), which keeps the OFFSET.
func TestListCasesLocatedPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		cs := db.Cases()
		// Cases over two years, several months and days, some at the
		// same time, some at the first and last minute of a day (the
		// day's edges are China Standard Time's).
		times := []time.Time{
			cst(2023, 12, 31, 23, 59), cst(2024, 1, 1, 0, 0), cst(2024, 1, 1, 0, 0), cst(2024, 1, 1, 8, 0),
			cst(2024, 1, 2, 9, 0), cst(2024, 1, 31, 23, 59), cst(2024, 2, 1, 0, 0), cst(2024, 2, 29, 12, 0),
			cst(2024, 6, 1, 9, 0), cst(2024, 6, 1, 9, 0), cst(2024, 6, 1, 9, 0), cst(2024, 6, 15, 9, 0),
			cst(2024, 12, 31, 23, 59), cst(2025, 1, 1, 0, 0), cst(2025, 3, 3, 10, 0), cst(2022, 5, 5, 5, 5),
		}
		for i, at := range times {
			ch := casework.ChannelHotline
			if i%3 == 0 {
				ch = casework.ChannelXihuCode
			}
			c, e := rawReport(t, at, ch, "")
			must(t, cs.CreateCase(bg, c, e))
		}
		db.SetPageLocateFrom(1)
		defer db.SetPageLocateFrom(0)
		filters := map[string]casework.Filter{
			"all":       {},
			"channel":   {Channel: casework.ChannelHotline},
			"year 2024": {From: cst(2024, 1, 1, 0, 0), To: cst(2025, 1, 1, 0, 0)},
			"days":      {From: cst(2024, 1, 2, 0, 0), To: cst(2024, 6, 2, 0, 0), Channel: casework.ChannelHotline},
			"statuses":  {Statuses: []casework.Status{casework.StatusReported}},
		}
		for name, f := range filters {
			for _, asc := range []bool{false, true} {
				f.Scope, f.Sort, f.Asc, f.Limit, f.Offset = casework.Scope{All: true}, casework.SortReported, asc, 100, 0
				all, total, err := cs.ListCases(bg, f)
				must(t, err)
				if len(all) != total || total < 3 {
					t.Fatalf("%s: %d listed of %d", name, len(all), total)
				}
				for _, limit := range []int{1, 2, 3} {
					var got []int64
					for off := 0; off < total; off += limit {
						f.Offset, f.Limit = off, limit
						cases, n, err := cs.ListCases(bg, f)
						must(t, err)
						if n != total {
							t.Errorf("%s asc %v offset %d: total %d, want %d", name, asc, off, n, total)
						}
						got = append(got, listIDs(cases)...)
					}
					if fmt.Sprint(got) != fmt.Sprint(listIDs(all)) {
						t.Errorf("%s asc %v limit %d: located pages %v, the whole list %v", name, asc, limit, got, listIDs(all))
					}
				}
				// Past the end: nothing, as by OFFSET.
				f.Offset, f.Limit = total, 5
				if cases, _, err := cs.ListCases(bg, f); err != nil || len(cases) != 0 {
					t.Errorf("%s asc %v: past the end %d cases (%v)", name, asc, len(cases), err)
				}
			}
		}
	})
}

// listIDs is the cases' ids in the list's order.
func listIDs(cases []*casework.Case) []int64 {
	out := make([]int64, len(cases))
	for i, c := range cases {
		out[i] = c.ID
	}
	return out
}
