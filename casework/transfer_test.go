package casework_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// district is the fixture's Gudang with a second subdistrict, 西溪, beside
// it: a community with one grid, a unit, and staff of both with their
// jurisdiction.
type district struct {
	*world
	gudang, xixi                     *org.Jurisdiction
	xixiGrid                         *org.Grid
	xixiUnit                         *org.Unit
	gudangDisp, xixiDisp, gudangAdm  org.Actor
	xixiHandler, districtAdm, leader org.Actor
}

func newDistrict(t *testing.T, db *store.DB) *district {
	t.Helper()
	w := newWorld(t, db)
	w.svc.Audit = db.Audit()
	os := db.Org()
	d := &district{world: w, gudang: w.o.Jurisdiction}
	d.xixi = &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道", NameEn: "Xixi Subdistrict"}
	if err := os.CreateJurisdiction(bg, d.xixi); err != nil {
		t.Fatal(err)
	}
	sq := func(lon, lat, s float64) geo.MultiPolygon {
		a, b, c, e := geo.Point{Lon: lon, Lat: lat}, geo.Point{Lon: lon + s, Lat: lat}, geo.Point{Lon: lon + s, Lat: lat + s}, geo.Point{Lon: lon, Lat: lat + s}
		return geo.MultiPolygon{geo.Polygon{geo.Ring{a, b, c, e, a}}}
	}
	comm := &org.Community{JurisdictionID: d.xixi.ID, Code: "qingfeng", Name: "庆丰社区", Geometry: sq(120.130, 30.280, 0.004)}
	if err := os.CreateCommunity(bg, comm); err != nil {
		t.Fatal(err)
	}
	d.xixiGrid = &org.Grid{CommunityID: comm.ID, Code: "qingfeng-01", Name: "庆丰第一网格", Kind: org.GridStandard, Geometry: sq(120.130, 30.280, 0.004)}
	if err := os.CreateGrid(bg, d.xixiGrid); err != nil {
		t.Fatal(err)
	}
	w.o.Points[d.xixiGrid.ID] = geo.Point{Lon: 120.132, Lat: 30.282}
	d.xixiUnit = &org.Unit{Code: "xixi.chengguan", Name: "西溪城管科", Kind: org.UnitDepartment, JurisdictionID: d.xixi.ID}
	if err := os.CreateUnit(bg, d.xixiUnit); err != nil {
		t.Fatal(err)
	}
	// The fixture's units are Gudang's.
	for _, u := range []*org.Unit{w.o.Command, w.o.Chengguan, w.o.Market, w.o.Police} {
		u.JurisdictionID = d.gudang.ID
		if err := os.UpdateUnit(bg, u); err != nil {
			t.Fatal(err)
		}
	}
	// 西溪's rule for 市容环境: its own 城管科.
	if err := db.Cases().CreateRoutingRule(bg, &casework.RoutingRule{Category: "01", UnitID: d.xixiUnit.ID}); err != nil {
		t.Fatal(err)
	}
	staff := func(username string, role org.Role, j *org.Jurisdiction, unit int64) org.Actor {
		s := &org.Staff{Username: username, Name: username, Phone: "139000000" + fmt.Sprint(10+len(username)), Role: role,
			UnitID: unit, Active: true, PasswordHash: w.o.Admin.PasswordHash, CreatedAt: cst(2024, 1, 2, 9, 0)}
		if j != nil {
			s.JurisdictionID = j.ID
		}
		if err := os.CreateStaff(bg, s); err != nil {
			t.Fatal(err)
		}
		return org.StaffActor(s)
	}
	d.gudangDisp = staff("gd.dispatcher", org.RoleDispatcher, d.gudang, w.o.Command.ID)
	d.gudangAdm = staff("gd.admin", org.RoleAdmin, d.gudang, 0)
	d.xixiDisp = staff("xx.dispatcher", org.RoleDispatcher, d.xixi, 0)
	d.xixiHandler = staff("xx.handler", org.RoleUnitHandler, d.xixi, d.xixiUnit.ID)
	d.districtAdm = w.o.Actor(org.RoleAdmin) // no jurisdiction: the district's
	d.leader = w.o.Actor(org.RoleLeader)
	return d
}

// figures is what the report and the counts say of a subdistrict (0: the
// whole deployment) in 2024.
type figures struct {
	report       map[string]float64
	cases, filed int
}

func (d *district) figures(t *testing.T, j int64) figures {
	t.Helper()
	a, ok := d.leader.Narrowed(j)
	if !ok {
		t.Fatalf("the district leader cannot narrow to %d", j)
	}
	values, err := report.Compute(bg, d.svc, a, 2024)
	if err != nil {
		t.Fatal(err)
	}
	f := figures{report: map[string]float64{}}
	for _, v := range values {
		f.report[v.Key] = v.Value
	}
	from, to := report.Period(2024)
	if f.cases, err = d.svc.Count(bg, a, casework.Filter{From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	ev, err := d.svc.Evaluate(bg, a, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) > 0 {
		f.filed = ev[0].Filed
	}
	return f
}

// TestTransferMovesFigures: 转办 of a signed Xihu-code case from Gudang
// to 西溪 keeps the case's id, number and history, sends it to 西溪's
// command center with its unit cleared and its dispatch ended, records
// from, to and reason in its event and the audit trail, and moves it in
// the figures: right before and right after, Gudang's report and counts
// lose exactly it, 西溪's gain exactly it, the whole's are unchanged. Who
// may transfer, and what is refused, on the way.
func TestTransferMovesFigures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDistrict(t, db)
		resident := org.ResidentActor("张三丰")
		disp, handler := d.o.Actor(org.RoleDispatcher), d.o.Actor(org.RoleUnitHandler)

		// Gudang: x, signed for by 城管科, and y, accepted. 西溪: z, signed.
		x := d.report(t, cst(2024, 3, 4, 9, 0), resident, d.o.GridW1.ID, "0101")
		d.step(t, cst(2024, 3, 4, 9, 10), disp, x.ID, casework.StepInput{Action: casework.ActAccept})
		d.step(t, cst(2024, 3, 4, 9, 20), disp, x.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: d.o.Chengguan.ID})
		d.step(t, cst(2024, 3, 4, 9, 30), handler, x.ID, casework.StepInput{Action: casework.ActSign})
		y := d.report(t, cst(2024, 3, 5, 9, 0), resident, d.o.GridY1.ID, "0101")
		d.step(t, cst(2024, 3, 5, 9, 10), disp, y.ID, casework.StepInput{Action: casework.ActAccept})
		z := d.report(t, cst(2024, 3, 6, 9, 0), resident, d.xixiGrid.ID, "0101")
		d.step(t, cst(2024, 3, 6, 9, 10), d.xixiDisp, z.ID, casework.StepInput{Action: casework.ActAccept})
		d.step(t, cst(2024, 3, 6, 9, 20), d.xixiDisp, z.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: d.xixiUnit.ID})
		d.step(t, cst(2024, 3, 6, 9, 30), d.xixiHandler, z.ID, casework.StepInput{Action: casework.ActSign})
		for c, j := range map[*casework.Case]int64{x: d.gudang.ID, y: d.gudang.ID, z: d.xixi.ID} {
			if c.JurisdictionID != j {
				t.Fatalf("case %s is in %d, want %d", c.Number, c.JurisdictionID, j)
			}
		}

		at := cst(2024, 3, 7, 10, 0)
		d.clock.Set(at)
		transfer := func(a org.Actor, id, to int64, reason string) error {
			_, err := d.svc.Transfer(bg, a, id, to, reason)
			return err
		}
		// Refused, and nothing written: 西溪's dispatcher does not see
		// Gudang's case; a subdistrict's admin, a unit's handler and the
		// leader may not; no reason; to its own subdistrict; to no
		// subdistrict.
		_, events0 := d.stored(t, x.ID)
		for _, r := range []struct {
			a      org.Actor
			to     int64
			reason string
			code   string
		}{
			{d.xixiDisp, d.xixi.ID, "属西溪街道辖区", jiedao.ENOTFOUND},
			{d.gudangAdm, d.xixi.ID, "属西溪街道辖区", jiedao.EFORBIDDEN},
			{handler, d.xixi.ID, "属西溪街道辖区", jiedao.EFORBIDDEN},
			{d.leader, d.xixi.ID, "属西溪街道辖区", jiedao.EFORBIDDEN},
			{d.gudangDisp, d.xixi.ID, " ", jiedao.EINVALID},
			{d.gudangDisp, d.gudang.ID, "属古荡街道辖区", jiedao.EINVALID},
			{d.gudangDisp, 999999, "属西溪街道辖区", jiedao.EINVALID},
		} {
			if err := transfer(r.a, x.ID, r.to, r.reason); jiedao.ErrorCode(err) != r.code {
				t.Errorf("transfer by %s to %d: %v, want %s", r.a.Name, r.to, err, r.code)
			}
		}
		if _, n := d.stored(t, x.ID); n != events0 {
			t.Fatalf("a refused transfer wrote events: %d, was %d", n, events0)
		}

		beforeG, beforeX, beforeAll := d.figures(t, d.gudang.ID), d.figures(t, d.xixi.ID), d.figures(t, 0)
		if beforeG.report["cases.xihu_code.signed"] != 1 || beforeX.report["cases.xihu_code.signed"] != 1 {
			t.Fatalf("before: Gudang signed %v, 西溪 %v; want 1 and 1", beforeG.report["cases.xihu_code.signed"], beforeX.report["cases.xihu_code.signed"])
		}

		// Gudang's own dispatcher hands x to 西溪.
		c, err := d.svc.Transfer(bg, d.gudangDisp, x.ID, d.xixi.ID, "位置属西溪街道庆丰社区")
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != x.ID || c.Number != x.Number || c.JurisdictionID != d.xixi.ID || c.Status != casework.StatusAccepted || c.UnitID != 0 ||
			c.SuggestedUnit != d.xixiUnit.ID {
			t.Fatalf("after the transfer: id %d number %s jurisdiction %d status %s unit %d suggested %d", c.ID, c.Number, c.JurisdictionID, c.Status, c.UnitID, c.SuggestedUnit)
		}
		events, err := d.svc.Events(bg, d.xixiDisp, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if len(events) != events0+1 || last.Action != casework.ActTransfer || last.Payload.FromJurisdiction != d.gudang.ID ||
			last.Payload.ToJurisdiction != d.xixi.ID || last.Reason != "位置属西溪街道庆丰社区" || last.From != casework.StatusSigned {
			t.Fatalf("the transfer's event: %+v (of %d events)", last, len(events))
		}
		if replayed, err := casework.Replay(events); err != nil || replayed.JurisdictionID != d.xixi.ID || replayed.UnitID != 0 {
			t.Fatalf("replay: %v, %+v", err, replayed)
		}
		entries, err := db.Audit().ListAudit(bg, org.AuditQuery{Action: casework.AuditCaseTransfer, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].TargetID != fmt.Sprint(x.ID) || entries[0].Reason != "位置属西溪街道庆丰社区" || entries[0].Actor.ID != d.gudangDisp.ID {
			t.Fatalf("audit trail: %+v", entries)
		}

		// The figures: Gudang lost x, 西溪 gained it, the whole is the same.
		afterG, afterX, afterAll := d.figures(t, d.gudang.ID), d.figures(t, d.xixi.ID), d.figures(t, 0)
		if afterG.cases != beforeG.cases-1 || afterX.cases != beforeX.cases+1 || afterAll.cases != beforeAll.cases {
			t.Errorf("cases: Gudang %d → %d, 西溪 %d → %d, all %d → %d", beforeG.cases, afterG.cases, beforeX.cases, afterX.cases, beforeAll.cases, afterAll.cases)
		}
		if afterG.filed != beforeG.filed-1 || afterX.filed != beforeX.filed+1 || afterAll.filed != beforeAll.filed {
			t.Errorf("filed: Gudang %d → %d, 西溪 %d → %d, all %d → %d", beforeG.filed, afterG.filed, beforeX.filed, afterX.filed, beforeAll.filed, afterAll.filed)
		}
		for k, v := range beforeAll.report {
			want := map[string]float64{"cases.xihu_code.signed": 1}[k] // what x counts in
			if afterG.report[k] != beforeG.report[k]-want || afterX.report[k] != beforeX.report[k]+want || afterAll.report[k] != v {
				t.Errorf("%s: Gudang %v → %v, 西溪 %v → %v, all %v → %v", k, beforeG.report[k], afterG.report[k],
					beforeX.report[k], afterX.report[k], v, afterAll.report[k])
			}
		}

		// x is 西溪's now: Gudang's dispatcher no longer sees it; 西溪's
		// dispatches it to its own unit, whose handler signs for it.
		if _, err := d.svc.Get(bg, d.gudangDisp, x.ID); jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			t.Errorf("Gudang's dispatcher after the transfer: %v, want not found", err)
		}
		d.step(t, at.Add(time.Hour), d.xixiDisp, x.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: d.xixiUnit.ID})
		d.step(t, at.Add(2*time.Hour), d.xixiHandler, x.ID, casework.StepInput{Action: casework.ActSign})

		// The district's admin may transfer too: y to 西溪 and back.
		if err := transfer(d.districtAdm, y.ID, d.xixi.ID, "区级调整"); err != nil {
			t.Fatal(err)
		}
		if err := transfer(d.xixiDisp, y.ID, d.gudang.ID, "退回古荡街道"); err != nil {
			t.Fatal(err)
		}
		if g := d.figures(t, d.gudang.ID); g.cases != afterG.cases {
			t.Errorf("Gudang's cases after y went and came back: %d, want %d", g.cases, afterG.cases)
		}
	})
}
