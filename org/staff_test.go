package org_test

import (
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"110":            "***",
		"1234":           "****",
		"12345":          "12*45",
		"8765432":        "87***32",
		"12345678":       "123*5678",
		"13812345678":    "138****5678",
		"0571-87654321":  "057******4321",
		"+8613812345678": "+86*******5678",
	} {
		if got := org.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	// The middle never shows, whatever the length.
	p := "13812345678"
	if strings.Contains(org.MaskPhone(p), "1234") {
		t.Errorf("the middle of %s shows: %s", p, org.MaskPhone(p))
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{
		"":       "",
		"  ":     "",
		"张":      "张*",
		"张三":     "张*",
		"张三丰":    "张**",
		" 欧阳娜娜 ": "欧***",
		"Tom":    "T**",
	} {
		if got := org.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestActorScopes(t *testing.T) {
	for _, tc := range []struct {
		a                 org.Actor
		seesAll, contacts bool
	}{
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleAdmin}, true, true},
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleDispatcher}, true, true},
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, true, false},
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitLead, UnitID: 3}, false, false},
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleGridWorker, GridIDs: []int64{4}}, false, false},
		{org.Actor{Kind: org.ActorStaff, Role: org.RoleCommunityStaff, CommunityID: 5}, false, false},
		{org.SystemActor(), true, true},
		{org.ResidentActor("张三"), false, false},
		// A client claiming a role is still a client.
		{org.Actor{Kind: org.ActorClient, Role: org.RoleAdmin}, false, false},
	} {
		if tc.a.SeesAll() != tc.seesAll || tc.a.SeesContacts() != tc.contacts {
			t.Errorf("%+v: SeesAll %v SeesContacts %v", tc.a, tc.a.SeesAll(), tc.a.SeesContacts())
		}
	}
	gw := org.Actor{Kind: org.ActorStaff, Role: org.RoleGridWorker, GridIDs: []int64{4, 9}}
	if !gw.InGrid(9) || gw.InGrid(5) || gw.InGrid(0) {
		t.Error("InGrid")
	}
	s := &org.Staff{ID: 7, Username: "gw", Name: "周网格", Role: org.RoleGridWorker, GridIDs: []int64{4}, UnitID: 0}
	a := org.StaffActor(s)
	if a.Kind != org.ActorStaff || a.ID != 7 || a.Role != org.RoleGridWorker || !a.InGrid(4) || !a.Is(org.RoleGridWorker) || a.Is(org.RoleAdmin) {
		t.Errorf("StaffActor: %+v", a)
	}
	c := org.ClientActor(&org.APIClient{ID: 3, Name: "IoT", Channel: "iot"})
	if c.Kind != org.ActorClient || c.Channel != "iot" || c.Is(org.RoleAdmin) {
		t.Errorf("ClientActor: %+v", c)
	}
}

func TestStaffValidate(t *testing.T) {
	ok := []org.Staff{
		{Username: "admin", Name: "王", Role: org.RoleAdmin},
		{Username: "cg.handler", Name: "钱", Role: org.RoleUnitHandler, UnitID: 2},
		{Username: "grid-01", Name: "周", Role: org.RoleGridWorker, GridIDs: []int64{1}},
		{Username: "yile_staff", Name: "吴", Role: org.RoleCommunityStaff, CommunityID: 1},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Username, err)
		}
	}
	for _, tc := range []struct {
		s     org.Staff
		field string
	}{
		{org.Staff{Username: "Admin", Name: "王", Role: org.RoleAdmin}, "username"},
		{org.Staff{Username: "a", Name: "王", Role: org.RoleAdmin}, "username"},
		{org.Staff{Username: "张三", Name: "王", Role: org.RoleAdmin}, "username"},
		{org.Staff{Username: "wang", Name: " ", Role: org.RoleAdmin}, "name"},
		{org.Staff{Username: "wang", Name: "王", Role: "boss"}, "role"},
		{org.Staff{Username: "wang", Name: "王", Role: org.RoleUnitLead}, "unit_id"},
		{org.Staff{Username: "wang", Name: "王", Role: org.RoleCommunityStaff}, "community_id"},
		{org.Staff{Username: "wang", Name: "王", Role: org.RoleGridWorker}, "grid_ids"},
	} {
		if err := tc.s.Validate(); jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != tc.field {
			t.Errorf("%+v: got %v, want invalid %s", tc.s, err, tc.field)
		}
	}
	for _, r := range org.Roles() {
		if !r.Valid() || r.Zh() == string(r) {
			t.Errorf("role %s", r)
		}
	}
}

func TestPasswords(t *testing.T) {
	h, err := org.HashPassword("Jiedao-Test-2024!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format: %s", h)
	}
	if !org.CheckPassword(h, "Jiedao-Test-2024!") || org.CheckPassword(h, "jiedao-test-2024!") || org.CheckPassword(h, "") {
		t.Error("CheckPassword")
	}
	h2, _ := org.HashPassword("Jiedao-Test-2024!")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=x$a$b", "$bcrypt$v=19$m=19456,t=2,p=1$AAAA$AAAA", strings.Replace(h, "argon2id", "argon2i", 1)} {
		if org.CheckPassword(bad, "Jiedao-Test-2024!") {
			t.Errorf("CheckPassword accepted %q", bad)
		}
	}
	for pw, ok := range map[string]bool{
		"Jiedao-Test-2024!": true,
		"abcdefghij":        false, // one class
		"abcdefgh12":        false, // two classes
		"abcdefg12!":        true,
		"Ab1!":              false, // too short
		"密码密码密码密码Aa1":       true,
	} {
		err := org.CheckPasswordPolicy(pw)
		if (err == nil) != ok {
			t.Errorf("CheckPasswordPolicy(%q) = %v", pw, err)
		}
	}
	tok, hash := org.NewToken("s_")
	if !strings.HasPrefix(tok, "s_") || org.HashToken(tok) != hash || len(hash) != 64 {
		t.Errorf("token %s hash %s", tok, hash)
	}
}

func TestActorJurisdiction(t *testing.T) {
	district := org.StaffActor(&org.Staff{ID: 1, Name: "区", Role: org.RoleLeader})
	sub := org.StaffActor(&org.Staff{ID: 2, Name: "街", Role: org.RoleLeader, JurisdictionID: 7, GridIDs: []int64{3}})
	if sub.JurisdictionID != 7 {
		t.Fatalf("StaffActor did not copy the jurisdiction: %+v", sub)
	}
	if c := org.ClientActor(&org.APIClient{ID: 3, Name: "app", JurisdictionID: 8}); c.JurisdictionID != 8 {
		t.Fatalf("ClientActor did not copy the jurisdiction: %+v", c)
	}
	for _, tc := range []struct {
		a    org.Actor
		id   int64
		want bool
	}{{district, 7, true}, {district, 8, true}, {sub, 7, true}, {sub, 8, false}} {
		if got := tc.a.InJurisdiction(tc.id); got != tc.want {
			t.Errorf("%s InJurisdiction(%d) = %v", tc.a.Name, tc.id, got)
		}
		n, ok := tc.a.Narrowed(tc.id)
		if ok != tc.want || (ok && n.JurisdictionID != tc.id) || (!ok && n.JurisdictionID != tc.a.JurisdictionID) {
			t.Errorf("%s Narrowed(%d) = %+v, %v", tc.a.Name, tc.id, n, ok)
		}
	}
	if n, ok := district.Narrowed(0); !ok || n.JurisdictionID != 0 {
		t.Errorf("Narrowed(0) = %+v, %v", n, ok)
	}
	n, _ := sub.Narrowed(7)
	n.GridIDs[0] = 99
	if sub.GridIDs[0] != 3 {
		t.Error("Narrowed shares the grid list with the actor")
	}
	j := &org.Jurisdiction{DivisionCode: "330106", Name: "西湖区", Level: "city"}
	if err := j.Validate(); err == nil {
		t.Error("a level other than district/subdistrict was taken")
	}
	if err := (&org.Jurisdiction{DivisionCode: "330106", Name: "西湖区", Level: org.LevelDistrict}).Validate(); err != nil {
		t.Errorf("a district's 6-digit code: %v", err)
	}
	if err := (&org.Jurisdiction{DivisionCode: "330106", Name: "西湖区"}).Validate(); err == nil {
		t.Error("a subdistrict with a 6-digit code was taken")
	}
	j = &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道"}
	if err := j.Validate(); err != nil || j.Level != org.LevelSubdistrict {
		t.Errorf("default level: %v %q", err, j.Level)
	}
}
