package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestAccountPage: a person sees his sessions and sign-in history and
// signs out everywhere from his account page; an admin sees a staff
// member's and ends them from the staff section.
func TestAccountPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		phone, desk := e.browser(), e.browser()
		// A failed attempt first: it shows in the history.
		if st, _, _ := phone.post("/login", phone.token("/login"), url.Values{"username": {e.fx.Dispatcher.Username}, "password": {"wrong"}}); st != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", st)
		}
		phone.login(e.fx.Dispatcher)
		desk.login(e.fx.Dispatcher)

		st, body := desk.get("/account")
		if st != 200 || !strings.Contains(body, "当前登录的会话") || strings.Count(body, "<code>127.0.0.1</code>") != 5 ||
			!strings.Contains(body, "密码错误") || !strings.Contains(body, "成功") || !strings.Contains(body, "当前") ||
			!strings.Contains(body, `title="Go-http-client/1.1">Go</td>`) {
			t.Fatalf("account page: %d\n%s", st, body)
		}
		st, loc, _ := phone.post("/account/sessions/revoke", phone.token("/account"), url.Values{})
		if st != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("sign out everywhere: %d %s", st, loc)
		}
		for name, b := range map[string]*browser{"this browser": phone, "the other browser": desk} {
			if st, _ := b.get("/account"); st != http.StatusSeeOther {
				t.Errorf("%s after signing out everywhere: %d", name, st)
			}
		}

		// The admin's view of a staff member.
		desk.login(e.fx.Dispatcher)
		admin := e.browser()
		admin.login(e.fx.SecurityAdmin) // accounts are the security administrator's (issue 18)
		edit := "/admin/staff?edit=" + itoa(e.fx.Dispatcher.ID)
		st, body = admin.get(edit)
		if st != 200 || !strings.Contains(body, "登录记录") || !strings.Contains(body, "结束全部会话") || strings.Count(body, "<code>127.0.0.1</code>") != 5 {
			t.Fatalf("admin's view of the dispatcher: %d\n%s", st, body)
		}
		st, loc, _ = admin.post("/admin/staff/revoke", admin.token(edit), url.Values{"id": {itoa(e.fx.Dispatcher.ID)}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/staff") {
			t.Fatalf("admin ends the sessions: %d %s", st, loc)
		}
		if st, _ := desk.get("/account"); st != http.StatusSeeOther {
			t.Errorf("the dispatcher after the admin ended his sessions: %d", st)
		}
		if st, _ := admin.get("/account"); st != 200 {
			t.Errorf("the admin's own session ended: %d", st)
		}
	})
}
