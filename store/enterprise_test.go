package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// recordingAuditor passes entries to the database's audit log and keeps
// their actions, for the test to see what was audited.
type recordingAuditor struct {
	*store.AuditLog
	actions []string
}

func (r *recordingAuditor) Record(ctx context.Context, e org.AuditEntry) error {
	r.actions = append(r.actions, e.Action+" "+e.TargetID+" "+e.Reason)
	return r.AuditLog.Record(ctx, e)
}

// entFixture is the organisation and an enterprise service.
func entFixture(t *testing.T, db *store.DB) (*enterprise.Service, *recordingAuditor, org.Actor) {
	t.Helper()
	fx, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	au := &recordingAuditor{AuditLog: db.Audit()}
	return &enterprise.Service{Store: db.Enterprises(), Audit: au}, au, fx.Actor(org.RoleEnterpriseService)
}

// validCode makes a valid credit code from 17 characters.
func validCode(first17 string) string {
	c, ok := enterprise.CheckChar(first17)
	if !ok {
		panic(first17)
	}
	return first17 + string(c)
}

func TestEnterpriseCreditCode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		svc, au, a := entFixture(t, db)
		good := validCode("91330106MA2AAAAA0")
		e := &enterprise.Enterprise{CreditCode: good, Name: "杭州天目里科技有限公司", Tags: []enterprise.Tag{enterprise.TagHQListed}}
		must(t, svc.SaveEnterprise(bg, a, e))
		if e.ID == 0 {
			t.Fatal("no id")
		}
		// Merged on the code: saving again updates, keeps the id.
		again := &enterprise.Enterprise{CreditCode: good, Name: "杭州天目里数字科技有限公司", FormerNames: []string{"杭州天目里科技有限公司"}}
		must(t, svc.SaveEnterprise(bg, a, again))
		if again.ID != e.ID {
			t.Fatalf("upsert made a new enterprise: %d vs %d", again.ID, e.ID)
		}
		got, err := svc.Get(bg, a, e.ID)
		must(t, err)
		if got.Name != "杭州天目里数字科技有限公司" || len(got.FormerNames) != 1 {
			t.Fatalf("stored %+v", got)
		}

		wrong := good[:17] + string(otherChar(good[17]))
		err = svc.SaveEnterprise(bg, a, &enterprise.Enterprise{CreditCode: wrong, Name: "x"})
		if jiedao.ErrorField(err) != "credit_code" {
			t.Fatalf("wrong check character: %v", err)
		}
		err = svc.SaveEnterprise(bg, a, &enterprise.Enterprise{CreditCode: "91330106MA2AAAAI0X", Name: "x"})
		if zh, _ := jiedao.ErrorMessages(err); jiedao.ErrorField(err) != "credit_code" || zh == "" {
			t.Fatalf("malformed: %v", err)
		}
		if n, _ := svc.Count(bg, a, enterprise.Filter{}); n != 1 {
			t.Fatalf("%d enterprises after refusals, want 1", n)
		}

		// The override of a pilot code is stored and audited.
		if len(au.actions) != 0 {
			t.Fatalf("audited without an override: %v", au.actions)
		}
		pilot := &enterprise.Enterprise{CreditCode: wrong, Name: "试点企业", CodeOverride: "2015年试点代码，经登记机关核实"}
		must(t, svc.SaveEnterprise(bg, a, pilot))
		if len(au.actions) != 1 || au.actions[0] != "enterprise.code_override "+itoa(pilot.ID)+" 2015年试点代码，经登记机关核实" {
			t.Fatalf("audit: %v", au.actions)
		}
		// Who may not write cannot.
		fxLeader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, ID: 99}
		if err := svc.SaveEnterprise(bg, fxLeader, &enterprise.Enterprise{CreditCode: good, Name: "y"}); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("leader wrote: %v", err)
		}
	})
}

func otherChar(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// building makes a building with one room per given floor.
func building(t *testing.T, svc *enterprise.Service, a org.Actor, name string, area float64, rooms ...string) (*enterprise.Building, []*enterprise.Room) {
	t.Helper()
	b := &enterprise.Building{Name: name, FloorArea: area, Floors: 20}
	must(t, svc.SaveBuilding(bg, a, b))
	var out []*enterprise.Room
	for i, n := range rooms {
		r := &enterprise.Room{BuildingID: b.ID, Floor: i + 1, Number: n, Area: 100}
		must(t, svc.SaveRoom(bg, a, r))
		out = append(out, r)
	}
	return b, out
}

func company(t *testing.T, svc *enterprise.Service, a org.Actor, seq string, tags ...enterprise.Tag) *enterprise.Enterprise {
	t.Helper()
	e := &enterprise.Enterprise{CreditCode: validCode("91330106MA2" + seq), Name: "企业" + seq, Tags: tags}
	must(t, svc.SaveEnterprise(bg, a, e))
	return e
}

func TestTenancyHistoryAndOverlap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		svc, _, a := entFixture(t, db)
		_, ra := building(t, svc, a, "天目里", 10000, "501")
		_, rb := building(t, svc, a, "云州国际", 20000, "1201")
		e := company(t, svc, a, "000001")
		other := company(t, svc, a, "000002")
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: e.ID, RoomID: ra[0].ID, Start: "2022-01-01"}))
		// A move ends the first tenancy and starts another; both are kept.
		if _, err := svc.MoveTo(bg, a, e.ID, rb[0].ID, "2023-07-01"); err != nil {
			t.Fatal(err)
		}
		hist, err := svc.Tenancies(bg, a, e.ID, 0)
		must(t, err)
		if len(hist) != 2 || hist[0].End != "2023-07-01" || hist[0].Building != "天目里" || hist[1].Start != "2023-07-01" || hist[1].End != "" || hist[1].Building != "云州国际" {
			t.Fatalf("history: %+v", hist)
		}
		// The room left is free from the move on, not before.
		err = svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: other.ID, RoomID: ra[0].ID, Start: "2023-06-30"})
		if jiedao.ErrorCode(err) != jiedao.ECONFLICT {
			t.Fatalf("overlap accepted: %v", err)
		}
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: other.ID, RoomID: ra[0].ID, Start: "2023-07-01"}))
		// A closed tenancy overlapping an open one, and one ending before: refused and accepted.
		err = svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: other.ID, RoomID: rb[0].ID, Start: "2021-01-01", End: "2023-07-02"})
		if jiedao.ErrorCode(err) != jiedao.ECONFLICT {
			t.Fatalf("overlap with an open tenancy accepted: %v", err)
		}
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: other.ID, RoomID: rb[0].ID, Start: "2021-01-01", End: "2023-07-01"}))
		inB, err := svc.List(bg, a, enterprise.Filter{BuildingID: rb[0].BuildingID, Now: "2023-08-01"})
		must(t, err)
		if len(inB) != 1 || inB[0].ID != e.ID {
			t.Fatalf("tenants of 云州国际 in August: %+v", inB)
		}
	})
}

func TestTiersAtThresholdsAndAcrossAMove(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		svc, _, a := entFixture(t, db)
		amounts := []int64{9_999_999, 10_000_000, 99_999_999, 100_000_000}
		for i, y := range amounts {
			_, rooms := building(t, svc, a, "楼"+string(rune('A'+i)), 5000, "101")
			e := company(t, svc, a, "10000"+string(rune('0'+i)))
			must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: e.ID, RoomID: rooms[0].ID, Start: "2020-01-01"}))
			// Twelve months summing to the amount exactly.
			var rows []enterprise.MonthTax
			total := enterprise.Yuan(y)
			for m := 1; m <= 12; m++ {
				part := total / 12
				if m == 12 {
					part = total - part*11
				}
				rows = append(rows, enterprise.MonthTax{EnterpriseID: e.ID, Month: "2023-" + two(m), Amount: part})
			}
			must(t, db.Enterprises().PutTax(bg, rows))
		}
		// A headquarters in its own building: 1亿 of its own, more than half.
		hqB, hqRooms := building(t, svc, a, "总部大楼", 8000, "101", "201")
		hq := company(t, svc, a, "200000", enterprise.TagHQListed)
		small := company(t, svc, a, "200001")
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: hq.ID, RoomID: hqRooms[0].ID, Start: "2020-01-01"}))
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: small.ID, RoomID: hqRooms[1].ID, Start: "2020-01-01"}))
		must(t, db.Enterprises().PutTax(bg, []enterprise.MonthTax{
			{EnterpriseID: hq.ID, Month: "2023-03", Amount: enterprise.Yuan(60_000_000)},
			{EnterpriseID: small.ID, Month: "2023-03", Amount: enterprise.Yuan(40_000_000)},
		}))

		// A tenant moving mid-year: its tax counts where it was each month.
		_, r1 := building(t, svc, a, "紫创商务中心", 1000, "301")
		_, r2 := building(t, svc, a, "源力科创中心", 1000, "302")
		mover := company(t, svc, a, "300000")
		must(t, svc.StartTenancy(bg, a, &enterprise.Tenancy{EnterpriseID: mover.ID, RoomID: r1[0].ID, Start: "2022-01-01"}))
		if _, err := svc.MoveTo(bg, a, mover.ID, r2[0].ID, "2023-07-01"); err != nil {
			t.Fatal(err)
		}
		var rows []enterprise.MonthTax
		for m := 1; m <= 12; m++ {
			rows = append(rows, enterprise.MonthTax{EnterpriseID: mover.ID, Month: "2023-" + two(m), Amount: enterprise.Yuan(1000 * int64(m))})
		}
		rows = append(rows, enterprise.MonthTax{EnterpriseID: mover.ID, Month: "2022-12", Amount: enterprise.Yuan(500)})
		must(t, db.Enterprises().PutTax(bg, rows))

		years, err := svc.Tiers(bg, a, 2023)
		must(t, err)
		by := map[string]enterprise.BuildingYear{}
		for _, y := range years {
			by[y.Name] = y
		}
		for i, want := range []string{"", enterprise.Tier10M, enterprise.Tier10M, enterprise.Tier100M} {
			name := "楼" + string(rune('A'+i))
			if got := by[name]; got.Tier != want || got.Tax != enterprise.Yuan(amounts[i]) {
				t.Errorf("%s: tax %v tier %q, want %d yuan and %q", name, got.Tax, got.Tier, amounts[i], want)
			}
		}
		if got := by["总部大楼"]; got.Tier != enterprise.TierHQ100M || got.ID != hqB.ID || len(got.Makers) != 2 {
			t.Errorf("总部大楼: %+v", got)
		}
		// January–June (1+…+6 thousand) in 紫创, July–December in 源力.
		if got := by["紫创商务中心"].Tax; got != enterprise.Yuan(21000) {
			t.Errorf("紫创商务中心: %v", got)
		}
		if got := by["源力科创中心"].Tax; got != enterprise.Yuan(57000) {
			t.Errorf("源力科创中心: %v", got)
		}
		if p := by["紫创商务中心"].Prior; p == nil || *p != enterprise.Yuan(500) {
			t.Errorf("紫创商务中心 prior: %v", p)
		}
		// The computed year is kept until the data changes: one more yuan
		// for 楼A's tenant makes it a 千万元楼宇 at once.
		aTenant, err := svc.List(bg, a, enterprise.Filter{BuildingID: by["楼A"].ID, Now: "2023-06-01"})
		must(t, err)
		must(t, db.Enterprises().PutTax(bg, []enterprise.MonthTax{{EnterpriseID: aTenant[0].ID, Month: "2023-12",
			Amount: enterprise.Yuan(9_999_999) - enterprise.Yuan(9_999_999)/12*11 + enterprise.Yuan(1)}}))
		again, err := svc.Tiers(bg, a, 2023)
		must(t, err)
		for _, y := range again {
			if y.Name == "楼A" && (y.Tier != enterprise.Tier10M || y.Tax != enterprise.Yuan(10_000_000)) {
				t.Errorf("楼A after one more yuan: %v %q", y.Tax, y.Tier)
			}
		}
		// One call naming the same enterprise and month twice: the later wins.
		must(t, db.Enterprises().PutTax(bg, []enterprise.MonthTax{{EnterpriseID: mover.ID, Month: "2024-01", Amount: 1},
			{EnterpriseID: mover.ID, Month: "2024-01", Amount: 2}}))
		if got, err := db.Enterprises().ListTax(bg, mover.ID, "2024-01", "2024-02"); err != nil || len(got) != 1 || got[0].Amount != 2 {
			t.Errorf("tax of 2024-01: %+v %v", got, err)
		}
		// Equal tax: the older building ranks first.
		if by["楼D"].Rank != 1 || by["总部大楼"].Rank != 2 || by["楼A"].Rank != 5 {
			t.Errorf("ranks: %d %d", by["楼D"].Rank, by["总部大楼"].Rank)
		}
	})
}

func two(m int) string { return string(rune('0'+m/10)) + string(rune('0'+m%10)) }
