package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func TestCampaignListChecksAndFindings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		now := cst(2023, 6, 1, 10, 0)
		cases := o.Service(func() time.Time { return now })
		svc := &campaign.Service{Store: db.Campaigns(), Cases: cases, Now: func() time.Time { return now }}
		admin, handler, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleUnitHandler), o.Actor(org.RoleLeader)

		c := &campaign.Campaign{Code: "safety-2023", Name: "安全生产大检查", Kind: campaign.Safety, Year: 2023, Category: fixture.CatExposedTrash,
			Checklist: []campaign.Item{{Key: "exits", Name: "安全出口畅通"}, {Key: "extinguisher", Name: "灭火器有效"}}}
		wantCode(t, svc.Create(ctx, handler, c), jiedao.EFORBIDDEN, "a handler creates a campaign")
		must(t, svc.Create(ctx, admin, c))

		lat, lon := o.LatLon(o.GridY1.ID)
		units := []campaign.UnitInput{
			{Key: "913301060000000001", Kind: campaign.UnitEnterprise, Name: "甲公司", CommunityID: o.Yile.ID, Lat: lat, Lon: lon},
			{Key: "913301060000000002", Kind: campaign.UnitEnterprise, Name: "乙公司", CommunityID: o.Yile.ID, Lat: lat, Lon: lon},
			{Key: "913301060000000003", Kind: campaign.UnitEnterprise, Name: "丙公司", CommunityID: o.Wenhua.ID},
		}
		res, err := svc.AddUnits(ctx, admin, c.Code, units, 2, false)
		must(t, err)
		if res.Added != 3 {
			t.Fatalf("add: %+v", res)
		}
		// A unit imported twice is refused by row, and nothing of the batch is added.
		again := []campaign.UnitInput{{Key: "913301060000000009", Name: "丁公司"}, {Key: "913301060000000002", Name: "乙公司"}, {Key: "913301060000000009", Name: "丁公司"}}
		res, err = svc.AddUnits(ctx, admin, c.Code, again, 2, false)
		must(t, err)
		if res.Added != 0 || len(res.Errors) != 2 || res.Errors[0].Row != 3 || !strings.Contains(res.Errors[0].Zh, "已在清单中") ||
			res.Errors[1].Row != 4 || !strings.Contains(res.Errors[1].Zh, "与第2行重复") {
			t.Fatalf("duplicates: %+v", res)
		}
		list, n, err := svc.Units(ctx, leader, campaign.UnitFilter{CampaignID: c.ID}, 10, 0)
		must(t, err)
		if n != 3 {
			t.Fatalf("%d units after a refused import", n)
		}
		_, err = svc.Assign(ctx, admin, c.Code, []int64{list[0].ID, list[1].ID}, o.UnitHandler.ID)
		must(t, err)

		// Only the assignee checks; every item must be answered.
		_, _, err = svc.Check(ctx, o.Actor(org.RoleGridWorker), list[0].ID, campaign.CheckInput{})
		wantCode(t, err, jiedao.EFORBIDDEN, "someone else checks")
		_, _, err = svc.Check(ctx, handler, list[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "exits", Pass: true}}})
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "extinguisher" || !strings.Contains(je.Zh, "灭火器有效") {
			t.Fatalf("unanswered item: %v", err)
		}
		u, fs, err := svc.Check(ctx, handler, list[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{
			{Key: "exits", Pass: true}, {Key: "extinguisher", Pass: false, Remark: "灭火器过期", Photo: "/photos/1", Rectify: true, RectifyDays: 10}}})
		must(t, err)
		if u.Status != campaign.Checked || len(fs) != 1 || fs[0].RectifyBy != "2023-06-11" || fs[0].CaseID == 0 {
			t.Fatalf("check: %+v findings %+v", u, fs)
		}
		// The finding is a case in the one loop, naming its deadline.
		kase, err := db.Cases().GetCase(ctx, fs[0].CaseID)
		must(t, err)
		if kase.Status != casework.StatusReported || !strings.Contains(kase.Details, "整改期限：2023-06-11") || kase.Category != fixture.CatExposedTrash {
			t.Fatalf("case: %+v", kase)
		}
		_, _, err = svc.Check(ctx, handler, list[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{{Key: "exits", Pass: true}, {Key: "extinguisher", Pass: true}}})
		wantCode(t, err, jiedao.ECONFLICT, "a second check")
		_, _, err = svc.Check(ctx, handler, list[1].ID, campaign.CheckInput{Day: "2023-06-02", Items: []campaign.ItemResult{{Key: "exits", Pass: true}, {Key: "extinguisher", Pass: true}}})
		must(t, err)

		// 复查: a failed re-check opens a new case; a pass closes the finding.
		_, err = svc.Recheck(ctx, handler, fs[0].ID, false, "")
		wantCode(t, err, jiedao.EINVALID, "a failed re-check without a note")
		f, err := svc.Recheck(ctx, handler, fs[0].ID, false, "仍有两具过期")
		must(t, err)
		if f.Recheck != campaign.RecheckFail || f.CaseID == fs[0].CaseID || f.CaseID == 0 {
			t.Fatalf("failed re-check: %+v", f)
		}
		f, err = svc.Recheck(ctx, handler, fs[0].ID, true, "")
		must(t, err)
		if f.Recheck != campaign.RecheckPass || f.RecheckedAt == nil {
			t.Fatalf("re-check: %+v", f)
		}

		// Progress by community and assignee.
		byComm, err := svc.Progress(ctx, leader, c.Code, "community")
		must(t, err)
		got := map[int64]campaign.ProgressRow{}
		for _, r := range byComm {
			got[r.CommunityID] = r
		}
		if y := got[o.Yile.ID]; y.Units != 2 || y.Checked != 2 || y.Failed != 1 || got[o.Wenhua.ID].Checked != 0 {
			t.Fatalf("progress by community: %+v", byComm)
		}
		byStaff, err := svc.Progress(ctx, leader, c.Code, "assignee")
		must(t, err)
		if len(byStaff) != 2 || byStaff[1].AssigneeID != o.UnitHandler.ID || byStaff[1].Checked != 2 {
			t.Fatalf("progress by assignee: %+v", byStaff)
		}
		// The year's checked units of the kind: the figure's filter.
		_, n, err = svc.Units(ctx, leader, campaign.YearFilter(campaign.Safety, 2023), 1, 0)
		must(t, err)
		if n != 2 {
			t.Fatalf("%d checked in 2023", n)
		}
	})
}

// TestCampaignImportUnits: a unit list from XLSX, with a unit repeated and
// an unknown community refused by row, then imported whole.
func TestCampaignImportUnits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := &campaign.Service{Store: db.Campaigns(), Cases: o.Service(time.Now)}
		admin := o.Actor(org.RoleAdmin)
		must(t, svc.Create(ctx, admin, &campaign.Campaign{Code: "elevators", Name: "老旧电梯检修", Kind: campaign.Elevator, Year: 2023,
			Checklist: []campaign.Item{{Key: "brake", Name: "制动器"}}}))
		comms, err := db.Org().ListCommunities(ctx)
		must(t, err)
		bad := sheet(t, [][]any{
			{"编号", "名称", "类型", "社区", "纬度", "经度"},
			{"31103301060001", "1号梯", "电梯", o.Yile.Name, 30.28, 120.12},
			{"31103301060002", "2号梯", "电梯", "不存在社区", "", ""},
			{"31103301060001", "1号梯", "电梯", o.Yile.Name, "", ""},
		})
		res, err := svc.ImportUnits(ctx, admin, "elevators", bad, false, comms)
		must(t, err)
		if res.Added != 0 || len(res.Errors) != 2 || res.Errors[0].Row != 3 || res.Errors[1].Row != 4 || !strings.Contains(res.Errors[1].Zh, "与第2行重复") {
			t.Fatalf("bad list: %+v", res)
		}
		good := sheet(t, [][]any{
			{"编号", "名称", "类型", "社区", "纬度", "经度"},
			{"31103301060001", "1号梯", "电梯", o.Yile.Name, 30.28, 120.12},
			{"31103301060002", "2号梯", "电梯", o.Wenhua.Name, "", ""},
		})
		res, err = svc.ImportUnits(ctx, admin, "elevators", good, false, comms)
		must(t, err)
		if res.Added != 2 {
			t.Fatalf("import: %+v", res)
		}
		us, n, err := svc.Units(ctx, admin, campaign.UnitFilter{Kind: campaign.Elevator}, 10, 0)
		must(t, err)
		if n != 2 || us[0].Kind != campaign.UnitElevator || us[0].Lat == nil || us[0].CommunityID != o.Yile.ID {
			t.Fatalf("units: %+v", us)
		}
		// The same list again: every unit is in the list already.
		res, err = svc.ImportUnits(ctx, admin, "elevators", good, false, comms)
		must(t, err)
		if res.Added != 0 || len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Zh, "已在清单中，不能重复导入") {
			t.Fatalf("imported twice: %+v", res)
		}
	})
}
