package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// POST /api/v1/campaign-findings/{id}/recheck: a result is required, a
// failure needs a note and opens a new case, a pass closes the finding and
// a second pass is a conflict.
func TestCampaignRecheckAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.books.Campaigns
		admin := e.fx.Actor(org.RoleAdmin)
		if err := svc.Create(ctx, admin, &campaign.Campaign{Code: "api", Name: "接口专项", Kind: campaign.Safety, Year: 2024,
			Checklist: []campaign.Item{{Key: "exits", Name: "安全出口畅通"}}, Category: fixture.CatExposedTrash}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUnits(ctx, admin, "api", []campaign.UnitInput{{Key: "u1", Name: "乙单位", CommunityID: e.fx.Wenhua.ID}}, 2, false); err != nil {
			t.Fatal(err)
		}
		us, _, err := svc.Units(ctx, admin, campaign.UnitFilter{}, 10, 0)
		if err != nil || len(us) != 1 {
			t.Fatalf("units %v %d", err, len(us))
		}
		if _, err := svc.Assign(ctx, admin, "api", []int64{us[0].ID}, e.fx.UnitHandler.ID); err != nil {
			t.Fatal(err)
		}
		_, fs, err := svc.Check(ctx, e.fx.Actor(org.RoleUnitHandler), us[0].ID, campaign.CheckInput{
			Items: []campaign.ItemResult{{Key: "exits", Pass: false, Remark: "通道堵塞", Rectify: true}}})
		if err != nil || len(fs) != 1 {
			t.Fatalf("check %v", err)
		}
		path := "/api/v1/campaign-findings/" + strconv.FormatInt(fs[0].ID, 10) + "/recheck"
		tok := e.login(e.fx.UnitHandler)
		var bad errJSON
		if st := e.call(tok, "POST", path, map[string]any{"note": "x"}, &bad); st != 400 || bad.Error.Field != "pass" {
			t.Errorf("no result: %d %+v", st, bad)
		}
		if st := e.call(tok, "POST", path, map[string]any{"pass": false}, &bad); st != 400 || bad.Error.Field != "note" {
			t.Errorf("fail without a note: %d %+v", st, bad)
		}
		var f campaign.Finding
		if st := e.call(tok, "POST", path, map[string]any{"pass": false, "note": "仍堵塞"}, &f); st != 200 || f.Recheck != campaign.RecheckFail || f.CaseID == fs[0].CaseID || f.CaseID == 0 {
			t.Fatalf("failed re-check: %d %+v", st, f)
		}
		kase, err := db.Cases().GetCase(ctx, f.CaseID)
		if err != nil || !strings.Contains(kase.Details, "仍堵塞") {
			t.Fatalf("new case %+v %v", kase, err)
		}
		if st := e.call(tok, "POST", path, map[string]any{"pass": true}, &f); st != 200 || f.Recheck != campaign.RecheckPass {
			t.Fatalf("passed re-check: %d %+v", st, f)
		}
		if st := e.call(tok, "POST", path, map[string]any{"pass": true}, nil); st != 409 {
			t.Errorf("second pass: %d", st)
		}
	})
}
