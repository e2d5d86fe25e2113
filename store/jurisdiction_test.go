package store_test

import (
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestJurisdictionColumns holds the organisation's jurisdiction columns
// (migration 0120): a district above its subdistricts, and the subdistrict
// of units, staff and API clients, 0 (NULL) meaning the whole deployment.
func TestJurisdictionColumns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Org()
		d := &org.Jurisdiction{DivisionCode: "330106", Name: "西湖区", Level: org.LevelDistrict}
		must(t, s.CreateJurisdiction(bg, d))
		x := &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道", ParentID: d.ID}
		must(t, s.CreateJurisdiction(bg, x))
		js, err := s.ListJurisdictions(bg)
		must(t, err)
		if len(js) != 2 || *js[0] != *d || *js[1] != (org.Jurisdiction{ID: x.ID, DivisionCode: "330106008", Name: "西溪街道", ParentID: d.ID, Level: org.LevelSubdistrict}) {
			t.Fatalf("jurisdictions: %+v %+v", js[0], js[1])
		}
		if subs := org.Subdistricts(js); len(subs) != 1 || subs[0].ID != x.ID {
			t.Errorf("Subdistricts: %+v", subs)
		}

		shared := &org.Unit{Code: "qu-cg", Name: "区城管局", Kind: org.UnitExternal}
		own := &org.Unit{Code: "xx-cg", Name: "西溪城管科", Kind: org.UnitDepartment, JurisdictionID: x.ID}
		must(t, s.CreateUnit(bg, shared))
		must(t, s.CreateUnit(bg, own))
		shared.JurisdictionID = x.ID
		must(t, s.UpdateUnit(bg, shared))
		us, err := s.ListUnits(bg)
		must(t, err)
		for _, u := range us {
			if u.JurisdictionID != x.ID {
				t.Errorf("unit %s: jurisdiction %d, want %d", u.Code, u.JurisdictionID, x.ID)
			}
		}

		st := &org.Staff{Username: "xx-lead", Name: "西溪领导", Role: org.RoleLeader, Active: true, JurisdictionID: x.ID}
		must(t, s.CreateStaff(bg, st))
		got, err := s.GetStaff(bg, st.ID)
		must(t, err)
		if got.JurisdictionID != x.ID || org.StaffActor(got).JurisdictionID != x.ID {
			t.Errorf("staff jurisdiction %d", got.JurisdictionID)
		}
		got.JurisdictionID = 0
		must(t, s.UpdateStaff(bg, got))
		if got, err = s.GetStaffByUsername(bg, "xx-lead"); err != nil || got.JurisdictionID != 0 {
			t.Errorf("staff jurisdiction after clearing: %d %v", got.JurisdictionID, err)
		}

		c := &org.APIClient{Name: "西溪 app", Channel: "xihu_code", KeyPrefix: "k1", KeyHash: "h1", CreatedAt: time.Now(), JurisdictionID: x.ID}
		must(t, s.CreateAPIClient(bg, c))
		gc, err := s.GetAPIClientByKeyHash(bg, "h1")
		must(t, err)
		if gc.JurisdictionID != x.ID || org.ClientActor(gc).JurisdictionID != x.ID {
			t.Errorf("client jurisdiction %d", gc.JurisdictionID)
		}
	})
}
