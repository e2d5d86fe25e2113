package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestEnterpriseEdits: the enterprise service imports a file from the
// page — a dry run lists what would change and stores nothing, a file
// with a bad row names it and stores nothing, the real import stores —
// then moves an enterprise into a new room it added to a building, and
// the tenancy history keeps the old room. A leader may not.
func TestEnterpriseEdits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		st := db.Enterprises()
		qf := e.browser()
		qf.login(e.fx.Staff(org.RoleEnterpriseService))
		count := func() int {
			n, err := st.CountEnterprises(ctx, enterprise.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		page := "/enterprises/import?kind=enterprises"
		code, body := qf.get(page)
		if code != http.StatusOK || !strings.Contains(body, "统一社会信用代码") || !strings.Contains(body, `id="import-form"`) {
			t.Fatalf("import page: %d %.300s", code, body)
		}
		good := "统一社会信用代码,企业名称\n91350100M000100Y43,杭州丙科技有限公司\n"
		code, _, body = qf.postFiles("/enterprises/import", qf.token(page), url.Values{"kind": {"enterprises"}, "dry_run": {"1"}}, map[string][]byte{"file": []byte(good)})
		if code != http.StatusOK || !strings.Contains(body, "91350100M000100Y43") || !strings.Contains(body, "新增") || count() != 0 {
			t.Fatalf("dry run: %d, %d stored, %.400s", code, count(), body)
		}
		bad := good + "913301065800000000,校验码错的企业\n"
		code, _, body = qf.postFiles("/enterprises/import", qf.token(page), url.Values{"kind": {"enterprises"}}, map[string][]byte{"file": []byte(bad)})
		if code != http.StatusBadRequest || !strings.Contains(body, `id="import-errors"`) || !strings.Contains(body, "<td class=\"num\">3</td>") || count() != 0 {
			t.Fatalf("a bad row: %d, %d stored, %.600s", code, count(), body)
		}
		code, _, body = qf.postFiles("/enterprises/import", qf.token(page), url.Values{"kind": {"enterprises"}}, map[string][]byte{"file": []byte(good)})
		if code != http.StatusOK || !strings.Contains(body, "已导入") || count() != 1 {
			t.Fatalf("import: %d, %d stored, %.400s", code, count(), body)
		}
		list, err := st.ListEnterprises(ctx, enterprise.Filter{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("listed %v %v", list, err)
		}
		ent := list[0]

		b := &enterprise.Building{Name: "丙大厦", FloorArea: 2000, Floors: 10}
		if err := st.SaveBuilding(ctx, b); err != nil {
			t.Fatal(err)
		}
		old := &enterprise.Room{BuildingID: b.ID, Floor: 2, Number: "201"}
		if err := st.SaveRoom(ctx, old); err != nil {
			t.Fatal(err)
		}
		if err := st.AddTenancy(ctx, &enterprise.Tenancy{EnterpriseID: ent.ID, RoomID: old.ID, Start: "2022-03-01"}); err != nil {
			t.Fatal(err)
		}
		bpage := "/buildings/" + itoa(b.ID)
		code, loc, _ := qf.post(bpage+"/rooms", qf.token(bpage), url.Values{"floor": {"abc"}, "number": {"808"}})
		if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
			t.Fatalf("a floor that is not a number: %d %s", code, loc)
		}
		code, loc, _ = qf.post(bpage+"/rooms", qf.token(bpage), url.Values{"floor": {"8"}, "number": {"808"}, "area": {"120"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "room=808") {
			t.Fatalf("add a room: %d %s", code, loc)
		}
		rooms, err := st.ListRooms(ctx, b.ID)
		if err != nil || len(rooms) != 2 {
			t.Fatalf("rooms %v %v", rooms, err)
		}
		var room808 int64
		for _, r := range rooms {
			if r.Number == "808" {
				room808 = r.ID
			}
		}

		epage := "/enterprises/" + itoa(ent.ID) + "?move_building=" + itoa(b.ID)
		code, body = qf.get(epage)
		if code != http.StatusOK || !strings.Contains(body, `id="move-form"`) || !strings.Contains(body, "8F · 808") {
			t.Fatalf("the move form: %d %.300s", code, body)
		}
		code, _, _ = qf.post("/enterprises/"+itoa(ent.ID)+"/move", qf.token(epage), url.Values{"room_id": {itoa(room808)}, "on": {"2022-03-01"}})
		if code == http.StatusSeeOther {
			t.Fatal("a move on the day the old lease started was accepted")
		}
		code, loc, _ = qf.post("/enterprises/"+itoa(ent.ID)+"/move", qf.token(epage), url.Values{"room_id": {itoa(room808)}, "on": {"2024-05-06"}})
		if code != http.StatusSeeOther {
			t.Fatalf("move: %d %s", code, loc)
		}
		ts, err := st.ListTenancies(ctx, ent.ID, 0)
		if err != nil || len(ts) != 2 {
			t.Fatalf("tenancies %+v %v", ts, err)
		}
		for _, x := range ts {
			switch x.RoomID {
			case old.ID:
				if x.End != "2024-05-06" {
					t.Errorf("the old lease ends %q, want 2024-05-06", x.End)
				}
			case room808:
				if x.Start != "2024-05-06" || x.End != "" {
					t.Errorf("the new lease: %+v", x)
				}
			}
		}

		leader := e.browser()
		leader.login(e.fx.Staff(org.RoleLeader))
		if code, _ := leader.get(page); code != http.StatusForbidden {
			t.Errorf("a leader opened the import page: %d", code)
		}
	})
}
