package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestAdminLists: staff, grids and the calendar are searchable, sortable
// and paged; the staff form names every missing field at once and offers
// the grids as a searchable list of boxes, not a long multi-select.
func TestAdminLists(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.fx.Staff(org.RoleAdmin))
		sb := e.browser() // staff and roles are the security administrator's (issue 18)
		sb.login(e.fx.SecurityAdmin)
		_, body := sb.get("/admin/staff?q=" + url.QueryEscape(e.fx.GridWorker.Username))
		if !strings.Contains(body, `id="staff-table"`) || !strings.Contains(body, "<code>"+e.fx.GridWorker.Username+"</code>") ||
			strings.Contains(body, "<code>"+e.fx.Dispatcher.Username+"</code>") || !strings.Contains(body, "<b data-total>1</b>") {
			t.Error("staff search does not find exactly the one")
		}
		_, body = sb.get("/admin/staff?sort=name&dir=desc")
		if !strings.Contains(body, `aria-sort="descending"`) {
			t.Error("staff not sortable by name")
		}
		_, body = b.get("/admin/grids?q=" + url.QueryEscape(e.fx.GridY1.Code))
		if !strings.Contains(body, `id="grid-table"`) || !strings.Contains(body, "<code>"+e.fx.GridY1.Code+"</code>") ||
			strings.Contains(body, "<code>"+e.fx.GridW1.Code+"</code>") {
			t.Error("grid search does not find exactly the one")
		}
		if st, body := b.get("/admin/calendar?q=2024-10"); st != http.StatusOK || !strings.Contains(body, `id="day-table"`) {
			t.Errorf("calendar list: %d", st)
		}
		_, form := sb.get("/admin/staff")
		if strings.Contains(form, `name="grid_ids" multiple`) || !strings.Contains(form, `data-chooser-filter`) {
			t.Error("the grids are still a multi-select")
		}
		st, _, body := sb.post("/admin/staff/save", sb.token("/admin/staff"), url.Values{"role": {"grid_worker"}})
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("empty staff form: %d", st)
		}
		for _, want := range []string{"请填写用户名", "请填写姓名", "请设置初始密码", "网格员须选择负责网格"} {
			if !strings.Contains(body, want) {
				t.Errorf("the empty staff form does not say %q", want)
			}
		}
	})
}
