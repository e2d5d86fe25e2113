package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// twoSubdistricts is the fixture made a district's deployment
// (fixture.AddXixi: 西湖区 over 古荡街道 and 西溪街道).
type twoSubdistricts struct {
	*fixture.Org
	Gudang, Xixi *org.Jurisdiction
	Xixi1        *org.Community // 西溪社区
	X            *fixture.Xixi
}

func buildTwoSubdistricts(t *testing.T, db *store.DB) *twoSubdistricts {
	t.Helper()
	fx, err := fixture.Build(bg, db)
	must(t, err)
	xx, err := fx.AddXixi(bg)
	must(t, err)
	return &twoSubdistricts{Org: fx, Gudang: fx.Jurisdiction, Xixi: xx.Jurisdiction, Xixi1: xx.Community, X: xx}
}

// districtActor is the fixture's actor of a role with no jurisdiction:
// the district's, who sees both subdistricts.
func (x *twoSubdistricts) districtActor(r org.Role) org.Actor {
	a := x.Actor(r)
	a.JurisdictionID = 0
	return a
}

// in returns the actor of a role limited to a subdistrict.
func in(a org.Actor, j *org.Jurisdiction) org.Actor {
	a.JurisdictionID = j.ID
	return a
}

func TestEnterpriseScopeBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		svc := &enterprise.Service{Store: db.Enterprises(), Audit: db.Audit(), Jurisdictions: db.Org(),
			Now: func() time.Time { return time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC) }}
		district := x.districtActor(org.RoleEnterpriseService) // no jurisdiction: the district's
		gd, xx := in(district, x.Gudang), in(district, x.Xixi)

		// A district actor must say which subdistrict a new enterprise is
		// of, once there are two; a subdistrict actor's are its own.
		err := svc.SaveEnterprise(bg, district, &enterprise.Enterprise{CreditCode: validCode("91330106MA2XXXXX0"), Name: "无归属公司"})
		if je, ok := err.(*jiedao.Error); !ok || je.Code != jiedao.EINVALID || je.Field != "jurisdiction_id" {
			t.Fatalf("district save without a subdistrict: %v", err)
		}
		eg := &enterprise.Enterprise{CreditCode: validCode("91330106MA2GGGGG0"), Name: "古荡科技有限公司", RegisteredOn: "2023-03-01",
			Tags: []enterprise.Tag{enterprise.TagHQListed}, OnboardedOn: "2023-04-01"}
		must(t, svc.SaveEnterprise(bg, gd, eg))
		ex := &enterprise.Enterprise{CreditCode: validCode("91330106MA2XXXXX1"), Name: "西溪数字有限公司", RegisteredOn: "2023-05-01",
			OnboardedOn: "2023-06-01", JurisdictionID: x.Xixi.ID}
		must(t, svc.SaveEnterprise(bg, district, ex))
		ex2 := &enterprise.Enterprise{CreditCode: validCode("91330106MA2XXXXX2"), Name: "西溪二号有限公司", RegisteredOn: "2023-07-01"}
		must(t, svc.SaveEnterprise(bg, xx, ex2))
		if eg.JurisdictionID != x.Gudang.ID || ex.JurisdictionID != x.Xixi.ID || ex2.JurisdictionID != x.Xixi.ID {
			t.Fatalf("placed in %d %d %d", eg.JurisdictionID, ex.JurisdictionID, ex2.JurisdictionID)
		}
		// A subdistrict actor cannot pick another, nor take over another's
		// enterprise by its code.
		err = svc.SaveEnterprise(bg, gd, &enterprise.Enterprise{CreditCode: validCode("91330106MA2GGGGG1"), Name: "越界公司", JurisdictionID: x.Xixi.ID})
		wantCode(t, err, jiedao.EINVALID, "picking another subdistrict")
		err = svc.SaveEnterprise(bg, gd, &enterprise.Enterprise{CreditCode: ex.CreditCode, Name: "改名"})
		wantCode(t, err, jiedao.EINVALID, "saving another subdistrict's enterprise")

		// Lists and counts: each its own, the district both.
		for _, c := range []struct {
			a    org.Actor
			want int
		}{{gd, 1}, {xx, 2}, {district, 3}} {
			list, err := svc.List(bg, c.a, enterprise.Filter{})
			must(t, err)
			n, err := svc.Count(bg, c.a, enterprise.Filter{})
			must(t, err)
			if len(list) != c.want || n != c.want {
				t.Fatalf("actor of %d lists %d, counts %d; want %d", c.a.JurisdictionID, len(list), n, c.want)
			}
		}
		// Another subdistrict's enterprise is not found, as one that does
		// not exist; acting on it too.
		_, err = svc.Get(bg, gd, ex.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "reading another subdistrict's enterprise")
		if _, err := svc.Get(bg, district, ex.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, svc.RecordVisit(bg, gd, &enterprise.Visit{EnterpriseID: ex.ID, On: "2023-08-01"}), jiedao.ENOTFOUND, "visiting another's")
		wantCode(t, svc.AddCertification(bg, gd, &enterprise.Certification{EnterpriseID: ex.ID, Kind: enterprise.CertHighTech, AwardedOn: "2023-09-01"}), jiedao.ENOTFOUND, "certifying another's")
		wantCode(t, svc.RecordMove(bg, gd, &enterprise.Move{EnterpriseID: ex.ID, Direction: enterprise.MovedIn, On: "2023-02-01", AnnualTax: enterprise.Yuan(1)}), jiedao.ENOTFOUND, "moving another's")
		_, err = svc.Demands(bg, gd, ex.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "another's demands")

		// Records of each: visits, certifications, moves.
		must(t, svc.RecordVisit(bg, gd, &enterprise.Visit{EnterpriseID: eg.ID, On: "2023-08-01"}))
		must(t, svc.RecordVisit(bg, xx, &enterprise.Visit{EnterpriseID: ex.ID, On: "2023-08-02"}))
		must(t, svc.RecordVisit(bg, xx, &enterprise.Visit{EnterpriseID: ex2.ID, On: "2023-08-03"}))
		must(t, svc.AddCertification(bg, xx, &enterprise.Certification{EnterpriseID: ex.ID, Kind: enterprise.CertHighTech, AwardedOn: "2023-09-01"}))
		must(t, svc.AddCertification(bg, gd, &enterprise.Certification{EnterpriseID: eg.ID, Kind: enterprise.CertHighTech, AwardedOn: "2023-09-02"}))
		must(t, svc.AddCertification(bg, gd, &enterprise.Certification{EnterpriseID: eg.ID, Kind: enterprise.CertTechSME, AwardedOn: "2023-09-02"}))
		must(t, svc.RecordMove(bg, gd, &enterprise.Move{EnterpriseID: eg.ID, Direction: enterprise.MovedIn, On: "2023-02-01", AnnualTax: enterprise.Yuan(500)}))
		must(t, svc.RecordMove(bg, xx, &enterprise.Move{EnterpriseID: ex.ID, Direction: enterprise.MovedOut, On: "2023-03-01", AnnualTax: enterprise.Yuan(200)}))
		visits, err := svc.Visits(bg, gd, 0, "2023-01-01", "2024-01-01", 0, 0)
		must(t, err)
		if len(visits) != 1 || visits[0].EnterpriseID != eg.ID {
			t.Fatalf("古荡's visits: %+v", visits)
		}
		certs, err := svc.Certifications(bg, xx, enterprise.CertFilter{})
		must(t, err)
		if len(certs) != 1 || certs[0].EnterpriseID != ex.ID {
			t.Fatalf("西溪's certifications: %+v", certs)
		}
		moves, bal, err := svc.Moves(bg, gd, "2023-01-01", "2024-01-01")
		must(t, err)
		if len(moves) != 1 || bal.NetTax() != enterprise.Yuan(500) {
			t.Fatalf("古荡's moves: %+v %+v", moves, bal)
		}

		// Buildings: a subdistrict's own; another's is not found, nor its
		// rooms; a tenancy needs both in the actor's subdistrict.
		bg1 := &enterprise.Building{Name: "古荡大厦", FloorArea: 1000, Floors: 10}
		must(t, svc.SaveBuilding(bg, gd, bg1))
		bx1 := &enterprise.Building{Name: "西溪大厦", FloorArea: 1000, Floors: 10, JurisdictionID: x.Xixi.ID}
		must(t, svc.SaveBuilding(bg, district, bx1))
		wantCode(t, svc.SaveBuilding(bg, gd, &enterprise.Building{Name: "西溪大厦", FloorArea: 1}), jiedao.EINVALID, "saving another's building by name")
		_, err = svc.Building(bg, gd, bx1.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "another's building")
		wantCode(t, svc.SaveRoom(bg, gd, &enterprise.Room{BuildingID: bx1.ID, Floor: 1, Number: "101"}), jiedao.ENOTFOUND, "a room in another's building")
		rg := &enterprise.Room{BuildingID: bg1.ID, Floor: 1, Number: "101"}
		must(t, svc.SaveRoom(bg, gd, rg))
		rx := &enterprise.Room{BuildingID: bx1.ID, Floor: 1, Number: "101"}
		must(t, svc.SaveRoom(bg, xx, rx))
		wantCode(t, svc.StartTenancy(bg, gd, &enterprise.Tenancy{EnterpriseID: eg.ID, RoomID: rx.ID, Start: "2022-01-01"}), jiedao.ENOTFOUND, "renting another's room")
		must(t, svc.StartTenancy(bg, gd, &enterprise.Tenancy{EnterpriseID: eg.ID, RoomID: rg.ID, Start: "2022-01-01"}))
		must(t, svc.StartTenancy(bg, xx, &enterprise.Tenancy{EnterpriseID: ex.ID, RoomID: rx.ID, Start: "2022-01-01"}))
		bs, err := svc.Buildings(bg, xx)
		must(t, err)
		if len(bs) != 1 || bs[0].ID != bx1.ID {
			t.Fatalf("西溪's buildings: %+v", bs)
		}
		// Tax making 古荡大厦 a 亿元楼 and 西溪大厦 a 千万元楼.
		var tax []enterprise.MonthTax
		for m := 1; m <= 12; m++ {
			tax = append(tax, enterprise.MonthTax{EnterpriseID: eg.ID, Month: "2023-" + two(m), Amount: enterprise.Yuan(10_000_000)},
				enterprise.MonthTax{EnterpriseID: ex.ID, Month: "2023-" + two(m), Amount: enterprise.Yuan(1_000_000)})
		}
		must(t, db.Enterprises().PutTax(bg, tax))
		tiers, err := svc.Tiers(bg, xx, 2023)
		must(t, err)
		if len(tiers) != 1 || tiers[0].ID != bx1.ID || tiers[0].Rank != 1 || tiers[0].Tier != enterprise.Tier10M {
			t.Fatalf("西溪's tiers: %+v", tiers)
		}

		// The figures: each subdistrict's own, the district's their sum.
		figs := &enterprise.Figures{Service: svc}
		for _, c := range []struct {
			key           string
			gd, xx, distr float64
		}{
			{"enterprise.new_entities", 1, 2, 3},
			{"enterprise.onboarded", 1, 1, 2},
			{"enterprise.hq_listed", 1, 0, 1},
			{"enterprise.visits", 1, 2, 3},
			{"enterprise.high_tech", 1, 1, 2},
			{"enterprise.sme_tech", 1, 0, 1},
			{"enterprise.net_migration_tax", 500, -200, 300},
			{"buildings.tax_100m", 1, 0, 1},
			{"buildings.tax_10m", 1, 1, 2}, // a 亿元楼 is a 千万元楼 too
		} {
			for _, m := range []struct {
				a    org.Actor
				want float64
			}{{gd, c.gd}, {xx, c.xx}, {district, c.distr}} {
				got, err := figs.Measure(bg, m.a, c.key, 2023)
				must(t, err)
				if got.Value != m.want {
					t.Errorf("%s for subdistrict %d: %v, want %v", c.key, m.a.JurisdictionID, got.Value, m.want)
				}
			}
		}
	})
}

func TestLedgerScopeBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		svc := ledgerService(db, cst(2023, 5, 1, 9, 0))
		svc.Jurisdictions = db.Org()
		admin := x.districtActor(org.RoleAdmin)
		gd, xx := in(admin, x.Gudang), in(admin, x.Xixi)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		add := func(a org.Actor, in ledger.EntryInput) *ledger.Entry {
			t.Helper()
			e, err := svc.Add(ctx, a, "canteen_test", in)
			must(t, err)
			return e
		}
		// An entry of a community is its subdistrict's; one of none is the
		// adder's, or the one a district admin picks.
		e1 := add(admin, ledger.EntryInput{Day: "2023-05-01", CommunityID: x.Yile.ID, Values: map[string]string{"elder": "王阿婆", "meals": "10"}})
		e2 := add(xx, ledger.EntryInput{Day: "2023-05-02", CommunityID: x.Xixi1.ID, Values: map[string]string{"elder": "李大爷", "meals": "7"}})
		e3 := add(admin, ledger.EntryInput{Day: "2023-05-03", JurisdictionID: x.Xixi.ID, Values: map[string]string{"elder": "赵奶奶", "meals": "5"}})
		e4 := add(gd, ledger.EntryInput{Day: "2023-05-04", Values: map[string]string{"elder": "王阿婆", "meals": "1"}})
		if e1.JurisdictionID != x.Gudang.ID || e2.JurisdictionID != x.Xixi.ID || e3.JurisdictionID != x.Xixi.ID || e4.JurisdictionID != x.Gudang.ID {
			t.Fatalf("placed in %d %d %d %d", e1.JurisdictionID, e2.JurisdictionID, e3.JurisdictionID, e4.JurisdictionID)
		}
		_, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-05-01", Values: map[string]string{"elder": "无名"}})
		wantCode(t, err, jiedao.EINVALID, "a district entry of no community and no subdistrict")
		// A subdistrict cannot write into another's community.
		_, err = svc.Add(ctx, gd, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: x.Xixi1.ID, Values: map[string]string{"elder": "越界"}})
		wantCode(t, err, jiedao.EINVALID, "an entry in another subdistrict's community")

		// Reading and editing another's entry: not found.
		_, _, _, err = svc.Entry(ctx, gd, e2.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "reading another's entry")
		_, err = svc.Edit(ctx, gd, e3.ID, ledger.EntryInput{Day: "2023-05-03", Values: map[string]string{"elder": "改"}})
		wantCode(t, err, jiedao.ENOTFOUND, "editing another's entry")
		_, err = svc.Delete(ctx, gd, e3.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "deleting another's entry")
		if _, _, _, err := svc.Entry(ctx, admin, e2.ID); err != nil {
			t.Fatal(err)
		}

		// Lists and sums: each its own, the district the whole.
		for _, c := range []struct {
			a               org.Actor
			n               int
			meals, distinct float64
		}{{gd, 2, 11, 1}, {xx, 2, 12, 2}, {admin, 4, 23, 3}} {
			_, n, _, err := svc.List(ctx, c.a, "canteen_test", ledger.Query{}, 10, 0)
			must(t, err)
			sum, _, err := svc.Aggregate(ctx, c.a, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpSum, Field: "meals"}, 2023))
			must(t, err)
			dist, _, err := svc.Aggregate(ctx, c.a, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpDistinct, Field: "elder"}, 2023))
			must(t, err)
			if n != c.n || sum[0].Value != c.meals || dist[0].Value != c.distinct {
				t.Errorf("subdistrict %d: %d entries, %v meals, %v elders; want %d, %v, %v", c.a.JurisdictionID, n, sum[0].Value, dist[0].Value, c.n, c.meals, c.distinct)
			}
		}

		// The sums are kept per subdistrict: an entry moved to a community
		// of the other subdistrict leaves the one's and joins the other's
		// (王阿婆 is then in both, once in the district's count); a deleted
		// one leaves its subdistrict's.
		_, err = svc.Edit(ctx, admin, e1.ID, ledger.EntryInput{Day: "2023-05-01", CommunityID: x.Xixi1.ID, Values: map[string]string{"elder": "王阿婆", "meals": "10"}})
		must(t, err)
		check := func(when string, want map[int64][3]float64) {
			t.Helper()
			typ, err := svc.Type(ctx, "canteen_test")
			must(t, err)
			for _, a := range []org.Actor{gd, xx, admin} {
				_, n, _, err := svc.List(ctx, a, "canteen_test", ledger.Query{}, 10, 0)
				must(t, err)
				sum, _, err := svc.Aggregate(ctx, a, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpSum, Field: "meals"}, 2023))
				must(t, err)
				dist, _, err := svc.Aggregate(ctx, a, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpDistinct, Field: "elder"}, 2023))
				must(t, err)
				if w := want[a.JurisdictionID]; float64(n) != w[0] || sum[0].Value != w[1] || dist[0].Value != w[2] {
					t.Errorf("%s, subdistrict %d: %d entries, %v meals, %v elders; want %v", when, a.JurisdictionID, n, sum[0].Value, dist[0].Value, w)
				}
				// And the kept sums answer as the entries do.
				for _, q := range []ledger.Query{{Op: ledger.OpSum, Field: "meals", Group: ledger.ByCommunity}, {Op: ledger.OpDistinct, Field: "elder", Group: ledger.ByCommunity}, {Op: ledger.OpCount}} {
					q = ledger.YearQuery(q, 2023)
					q.TypeID, q.Jurisdiction = typ.ID, a.JurisdictionID
					kept, err := db.Ledger().Aggregate(ctx, q)
					must(t, err)
					scanned, err := db.Ledger().ScanOnly().Aggregate(ctx, q)
					must(t, err)
					if fmt.Sprint(kept) != fmt.Sprint(scanned) {
						t.Errorf("%s, subdistrict %d, %s by %q: kept %v, scanned %v", when, a.JurisdictionID, q.Op, q.Group, kept, scanned)
					}
				}
			}
		}
		check("e1 moved to 西溪社区", map[int64][3]float64{x.Gudang.ID: {1, 1, 1}, x.Xixi.ID: {3, 22, 3}, 0: {4, 23, 3}})
		_, err = svc.Delete(ctx, admin, e4.ID)
		must(t, err)
		check("e4 deleted", map[int64][3]float64{x.Gudang.ID: {0, 0, 0}, x.Xixi.ID: {3, 22, 3}, 0: {3, 22, 3}})
	})
}

func TestIndicatorScopeBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		svc := indicatorService(db, cst(2024, 1, 15, 10, 0))
		svc.Jurisdictions = db.Org()
		must(t, svc.EnsureBuiltin(ctx))
		admin := x.districtActor(org.RoleAdmin)
		gd, xx := in(admin, x.Gudang), in(admin, x.Xixi)
		const key = "fiscal.total_revenue"
		// Each subdistrict enters its own; a district admin names the
		// subdistrict, and must when there are two.
		wantCode(t, svc.Enter(ctx, admin, []indicator.Input{{Key: key, Period: "2023-12", Value: 1}}), jiedao.EINVALID, "a district value of no subdistrict")
		wantCode(t, svc.Enter(ctx, gd, []indicator.Input{{Key: key, Period: "2023-12", Value: 1, JurisdictionID: x.Xixi.ID}}), jiedao.EINVALID, "entering another's")
		must(t, svc.Enter(ctx, gd, []indicator.Input{{Key: key, Period: "2022-12", Value: 800}, {Key: key, Period: "2023-12", Value: 1000}}))
		must(t, svc.Enter(ctx, admin, []indicator.Input{{Key: key, Period: "2022-12", Value: 400, JurisdictionID: x.Xixi.ID},
			{Key: key, Period: "2023-12", Value: 500, JurisdictionID: x.Xixi.ID}}))
		// A second version of 古荡's value does not touch 西溪's.
		must(t, svc.Enter(ctx, gd, []indicator.Input{{Key: key, Period: "2023-12", Value: 1100}}))

		figs := indicator.Figures{Service: svc}
		for _, c := range []struct {
			a     org.Actor
			value float64
			yoy   float64
		}{{gd, 1100, 37.5}, {xx, 500, 25}, {admin, 1600, 33.33}} {
			y, err := svc.YearOf(ctx, c.a, key, 2023)
			must(t, err)
			m, err := figs.Measure(ctx, c.a, key, 2023)
			must(t, err)
			if !y.OK || y.Value != c.value || y.YoY == nil || *y.YoY != c.yoy || m.Value != c.value {
				t.Errorf("subdistrict %d: %+v (yoy %v), measured %v; want %v, %v", c.a.JurisdictionID, y, y.YoY, m.Value, c.value, c.yoy)
			}
		}
		h, err := svc.History(ctx, xx, key, "2023-12")
		must(t, err)
		if len(h) != 1 || h[0].Value != 500 {
			t.Fatalf("西溪's history: %+v", h)
		}
		h, err = svc.History(ctx, admin, key, "2023-12")
		must(t, err)
		if len(h) != 3 {
			t.Fatalf("the district's history: %+v", h)
		}

		// Targets: each subdistrict's own, measured by its own figures; the
		// district sees both, and the report's target is their sum.
		tg := &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Code: "target." + key, Key: key, Name: "财政总收入", Comparison: indicator.AtLeast, Value: 1200}
		must(t, svc.SetTarget(ctx, gd, tg))
		tx := &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Code: "target." + key, Key: key, Name: "财政总收入", Comparison: indicator.AtLeast, Value: 600, JurisdictionID: x.Xixi.ID}
		must(t, svc.SetTarget(ctx, admin, tx))
		if tg.JurisdictionID != x.Gudang.ID || tx.JurisdictionID != x.Xixi.ID {
			t.Fatalf("targets placed in %d, %d", tg.JurisdictionID, tx.JurisdictionID)
		}
		for _, c := range []struct {
			a      org.Actor
			n      int
			target float64
		}{{gd, 1, 1200}, {xx, 1, 600}, {admin, 2, 1800}} {
			ps, err := svc.Targets(ctx, c.a, 2024)
			must(t, err)
			m, err := figs.Measure(ctx, c.a, "target."+key, 2023)
			must(t, err)
			if len(ps) != c.n || m.Value != c.target {
				t.Errorf("subdistrict %d: %d targets, report's %v; want %d, %v", c.a.JurisdictionID, len(ps), m.Value, c.n, c.target)
			}
		}
		wantCode(t, svc.DeleteTarget(ctx, gd, 2024, tx.ID, "错了"), jiedao.ENOTFOUND, "removing another's target")
	})
}

func TestCampaignScopeBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		now := cst(2023, 6, 1, 10, 0)
		svc := &campaign.Service{Store: db.Campaigns(), Cases: x.Service(func() time.Time { return now }), Jurisdictions: db.Org(),
			Now: func() time.Time { return now }}
		admin := x.districtActor(org.RoleAdmin)
		gd, xx := in(admin, x.Gudang), in(admin, x.Xixi)
		mk := func(code string) *campaign.Campaign {
			return &campaign.Campaign{Code: code, Name: "电梯安全检查", Kind: campaign.Elevator, Year: 2023,
				Checklist: []campaign.Item{{Key: "cert", Name: "检验合格证"}}}
		}
		wantCode(t, svc.Create(ctx, admin, mk("no-subdistrict")), jiedao.EINVALID, "a district campaign of no subdistrict")
		cg, cx := mk("elevators-gd"), mk("elevators-xx")
		must(t, svc.Create(ctx, gd, cg))
		cx.JurisdictionID = x.Xixi.ID
		must(t, svc.Create(ctx, admin, cx))
		if cg.JurisdictionID != x.Gudang.ID || cx.JurisdictionID != x.Xixi.ID {
			t.Fatalf("placed in %d, %d", cg.JurisdictionID, cx.JurisdictionID)
		}
		_, err := svc.Campaign(ctx, gd, cx.Code)
		wantCode(t, err, jiedao.ENOTFOUND, "another's campaign")
		_, err = svc.AddUnits(ctx, gd, cx.Code, []campaign.UnitInput{{Key: "e1", Name: "越界电梯"}}, 2, false)
		wantCode(t, err, jiedao.ENOTFOUND, "adding to another's campaign")
		for _, c := range []struct {
			a    org.Actor
			code string
			n    int
		}{{gd, cg.Code, 1}, {xx, cx.Code, 2}} {
			var ins []campaign.UnitInput
			for i := 0; i < c.n; i++ {
				ins = append(ins, campaign.UnitInput{Key: c.code + "-" + strconv.Itoa(i), Kind: campaign.UnitElevator, Name: "电梯"})
			}
			_, err := svc.AddUnits(ctx, c.a, c.code, ins, 2, false)
			must(t, err)
		}
		units, _, err := svc.Units(ctx, admin, campaign.UnitFilter{CampaignID: cx.ID}, 10, 0)
		must(t, err)
		_, _, err = svc.Check(ctx, gd, units[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "cert", Pass: true}}})
		wantCode(t, err, jiedao.ENOTFOUND, "checking another's unit")
		for _, u := range units {
			_, _, err := svc.Check(ctx, xx, u.ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "cert", Pass: true}}})
			must(t, err)
		}
		gu, _, err := svc.Units(ctx, gd, campaign.UnitFilter{}, 10, 0)
		must(t, err)
		_, _, err = svc.Check(ctx, gd, gu[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "cert", Pass: true}}})
		must(t, err)

		figs := campaign.Figures{Service: svc}
		for _, c := range []struct {
			a         org.Actor
			campaigns int
			units     int
			checked   float64
		}{{gd, 1, 1, 1}, {xx, 1, 2, 2}, {admin, 2, 3, 3}} {
			cs, err := svc.Campaigns(ctx, c.a)
			must(t, err)
			_, n, err := svc.Units(ctx, c.a, campaign.UnitFilter{}, 10, 0)
			must(t, err)
			m, err := figs.Measure(ctx, c.a, "safety.old_elevators", 2023)
			must(t, err)
			if len(cs) != c.campaigns || n != c.units || m.Value != c.checked {
				t.Errorf("subdistrict %d: %d campaigns, %d units, %v checked; want %d, %d, %v", c.a.JurisdictionID, len(cs), n, m.Value, c.campaigns, c.units, c.checked)
			}
		}
	})
}

func TestDutyRosterBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		if _, err := db.Calendar(calendar.DefaultWorkingHours()).SeedOfficial(ctx); err != nil {
			t.Fatal(err)
		}
		svc := &duty.RosterService{Store: db.Roster(), Calendars: db.Calendar(calendar.DefaultWorkingHours()), Staff: db.Org(), Jurisdictions: db.Org(),
			Now: func() time.Time { return time.Date(2023, 9, 20, 10, 0, 0, 0, calendar.Zone()) }}
		disp := x.districtActor(org.RoleDispatcher)
		gd, xx := in(disp, x.Gudang), in(disp, x.Xixi)
		gen := duty.GenerateInput{From: "2023-10-09", To: "2023-10-15", Leaders: []int64{x.Leader.ID}, Officers: []int64{x.DutyOfficer.ID}, PerShift: 1}
		// The district's dispatcher works on a subdistrict's desk, narrowed
		// to it; not on the deployment's as a whole once there are two.
		_, err := svc.Generate(ctx, disp, gen)
		wantCode(t, err, jiedao.EINVALID, "a district roster of no subdistrict")
		_, err = svc.Generate(ctx, gd, gen)
		must(t, err)
		m, err := svc.MonthView(ctx, xx, "2023-10")
		must(t, err)
		for _, d := range m.Days {
			if d.Shift != nil {
				t.Fatalf("西溪 sees 古荡's shift of %s", d.Date)
			}
		}
		// 西溪's desk is made of its own people and the district's; 古荡's
		// leader is not among them.
		gen.From, gen.To = "2023-10-10", "2023-10-11"
		_, err = svc.Generate(ctx, xx, gen)
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "leaders" {
			t.Fatalf("西溪's roster with 古荡's leader: %v", err)
		}
		gen.Leaders, gen.Officers = []int64{x.X.Leader.ID}, []int64{x.X.DistrictDispatcher.ID}
		_, err = svc.Generate(ctx, xx, gen)
		must(t, err)
		for _, c := range []struct {
			a    org.Actor
			want int
		}{{gd, 7}, {xx, 2}} {
			r, err := svc.Range(ctx, c.a, "2023-10-01", "2023-10-31")
			must(t, err)
			if len(r) != c.want {
				t.Errorf("subdistrict %d: %d shifts, want %d", c.a.JurisdictionID, len(r), c.want)
			}
			for _, s := range r {
				if s.JurisdictionID != c.a.JurisdictionID {
					t.Errorf("subdistrict %d reads a shift of %d", c.a.JurisdictionID, s.JurisdictionID)
				}
			}
		}
	})
}

func TestReportDocsBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		docs := &report.Docs{Store: db.ReportDocs(), Now: func() time.Time { return cst(2024, 1, 10, 9, 0) }}
		admin := x.districtActor(org.RoleAdmin)
		gd, xx := in(admin, x.Gudang), in(admin, x.Xixi)
		district, err := docs.SaveTemplate(ctx, admin, "# 全区\n西湖码{{cases.xihu_code.signed}}件", "")
		must(t, err)
		own, err := docs.SaveTemplate(ctx, xx, "# 西溪\n西湖码{{cases.xihu_code.signed}}件", "")
		must(t, err)
		// 西溪 reads its own words; 古荡, with none, the deployment's.
		for _, c := range []struct {
			a    org.Actor
			want int64
			n    int
		}{{admin, district.Version, 1}, {gd, district.Version, 0}, {xx, own.Version, 1}} {
			tpl, err := docs.Template(ctx, c.a)
			must(t, err)
			vs, err := docs.Versions(ctx, c.a)
			must(t, err)
			if tpl.Version != c.want || len(vs) != c.n {
				t.Errorf("subdistrict %d: words %d, %d versions; want %d, %d", c.a.JurisdictionID, tpl.Version, len(vs), c.want, c.n)
			}
		}
		// An override is of its subdistrict's report only.
		v := 7.0
		_, err = docs.SetOverride(ctx, gd, 2023, "cases.xihu_code.signed", &v, "统计口径调整")
		must(t, err)
		for _, c := range []struct {
			a    org.Actor
			want int
		}{{gd, 1}, {xx, 0}, {admin, 0}} {
			now, _, err := docs.Overrides(ctx, c.a, 2023)
			must(t, err)
			if len(now) != c.want {
				t.Errorf("subdistrict %d: %d overrides, want %d", c.a.JurisdictionID, len(now), c.want)
			}
		}
	})
}

// TestDomainFiguresAddUpBySubdistrict holds report.Compute to the rule of
// docs/jurisdictions.md over every source outside the case loop: a
// subdistrict actor's figures are its own records', the district's are
// their sum, and the district narrowed to a subdistrict gets exactly that
// subdistrict's.
func TestDomainFiguresAddUpBySubdistrict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		x := buildTwoSubdistricts(t, db)
		ctx := context.Background()
		now := cst(2024, 1, 15, 10, 0)
		cases := x.Service(func() time.Time { return now })
		ent := &enterprise.Service{Store: db.Enterprises(), Jurisdictions: db.Org(), Now: func() time.Time { return now }}
		led := ledgerService(db, now)
		led.Jurisdictions = db.Org()
		must(t, led.EnsureBuiltin(ctx))
		ind := indicatorService(db, now)
		ind.Jurisdictions = db.Org()
		must(t, ind.EnsureBuiltin(ctx))
		camp := &campaign.Service{Store: db.Campaigns(), Cases: cases, Jurisdictions: db.Org(), Now: func() time.Time { return cst(2023, 6, 1, 9, 0) }}
		admin := x.districtActor(org.RoleAdmin)
		gd, xx := in(admin, x.Gudang), in(admin, x.Xixi)

		// Each subdistrict's records, in different numbers.
		for i, a := range []org.Actor{gd, xx} {
			n := i + 1 // 古荡 1 of each, 西溪 2
			for k := 0; k < n; k++ {
				tag := a.JurisdictionID*100 + int64(k)
				e := &enterprise.Enterprise{CreditCode: validCode("91330106MA2" + strconv.FormatInt(100000+tag, 10)), Name: "企业" + strconv.FormatInt(tag, 10),
					RegisteredOn: "2023-03-01", OnboardedOn: "2023-04-01"}
				must(t, ent.SaveEnterprise(ctx, a, e))
				must(t, ent.RecordVisit(ctx, a, &enterprise.Visit{EnterpriseID: e.ID, On: "2023-05-01"}))
				must(t, ent.AddCertification(ctx, a, &enterprise.Certification{EnterpriseID: e.ID, Kind: enterprise.CertHighTech, AwardedOn: "2023-06-01"}))
				must(t, ent.RecordMove(ctx, a, &enterprise.Move{EnterpriseID: e.ID, Direction: enterprise.MovedIn, On: "2023-02-01", AnnualTax: enterprise.Yuan(100 * int64(k+1))}))
				_, err := led.Add(ctx, a, ledger.TypeMealDelivery, ledger.EntryInput{Day: "2023-07-01", Values: map[string]string{"elder": "老人" + strconv.FormatInt(tag, 10), "meals": "3"}})
				must(t, err)
			}
			must(t, ind.Enter(ctx, a, []indicator.Input{{Key: "fiscal.general_budget", Period: "2023-12", Value: float64(1000 * n)}}))
			must(t, ind.SetTarget(ctx, a, &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Key: "fiscal.general_budget", Name: "一般公共预算",
				Comparison: indicator.AtLeast, Value: float64(1100 * n), Code: "target.fiscal.general_budget"}))
			c := &campaign.Campaign{Code: "elevators-" + strconv.Itoa(i), Name: "电梯", Kind: campaign.Elevator, Year: 2023, Checklist: []campaign.Item{{Key: "cert", Name: "合格证"}}}
			must(t, camp.Create(ctx, a, c))
			var units []campaign.UnitInput
			for k := 0; k < n; k++ {
				units = append(units, campaign.UnitInput{Key: "u" + strconv.Itoa(k), Kind: campaign.UnitElevator, Name: "电梯"})
			}
			_, err := camp.AddUnits(ctx, a, c.Code, units, 2, false)
			must(t, err)
			us, _, err := camp.Units(ctx, a, campaign.UnitFilter{CampaignID: c.ID}, 10, 0)
			must(t, err)
			for _, u := range us {
				_, _, err := camp.Check(ctx, a, u.ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "cert", Pass: true}}})
				must(t, err)
			}
		}

		sources := []report.Source{&enterprise.Figures{Service: ent, Cases: cases}, ledger.Figures{Service: led}, indicator.Figures{Service: ind}, campaign.Figures{Service: camp}}
		values := func(a org.Actor) map[string]float64 {
			vs, err := report.Compute(ctx, cases, a, 2023, sources...)
			must(t, err)
			out := map[string]float64{}
			for _, v := range vs {
				if !v.IsCase() && !v.IsRate() && !v.Missing {
					out[v.Key] = v.Value
				}
			}
			return out
		}
		g, xv, d := values(gd), values(xx), values(admin)
		narrowed, ok := admin.Narrowed(x.Gudang.ID)
		if !ok {
			t.Fatal("the district cannot narrow to 古荡")
		}
		ng := values(narrowed)
		both := 0
		for key, dv := range d {
			if g[key]+xv[key] != dv {
				t.Errorf("%s: 古荡 %v + 西溪 %v ≠ the district's %v", key, g[key], xv[key], dv)
			}
			if ng[key] != g[key] {
				t.Errorf("%s: the district narrowed to 古荡 %v, 古荡's own %v", key, ng[key], g[key])
			}
			if g[key] != 0 && xv[key] != 0 {
				both++
			}
		}
		// The figures measured in both subdistricts: enterprise (new,
		// onboarded, visits, high-tech, net migration tax), ledger (meal
		// deliveries), indicator (revenue and its target), campaign
		// (elevators).
		if both < 9 || g["enterprise.visits"] != 1 || xv["enterprise.visits"] != 2 || xv["target.fiscal.general_budget"] != 2200 {
			t.Fatalf("%d figures in both; 古荡 %v; 西溪 %v", both, g, xv)
		}
	})
}
