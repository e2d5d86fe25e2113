package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestLoginSecondStepPage: with an authenticator, the login form's
// password gives the code form and no session cookie; a wrong code keeps
// the form with the error at its field; the right code signs in.
func TestLoginSecondStepPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: e.clock.Now}
		leader := org.StaffActor(e.fx.Leader)
		secret, err := auth.StartTwoFactor(t.Context(), leader)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.ConfirmTwoFactor(t.Context(), leader, org.TOTPCode(secret, e.clock.Now())); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		st, _, body := b.post("/login", b.token("/login"), url.Values{"username": {"leader"}, "password": {fixture.Password}, "next": {"/dashboard"}})
		if st != http.StatusOK || !strings.Contains(body, `action="/login/code"`) || !strings.Contains(body, `name="challenge"`) {
			t.Fatalf("the password of an enrolled account: %d %.300s", st, body)
		}
		if st, _ := b.get("/dashboard"); st != http.StatusSeeOther {
			t.Fatalf("a page after the password alone: %d, want the login page", st)
		}
		ch := regexpFind(body, `name="challenge" value="([^"]+)"`)
		tok := regexpFind(body, `name="csrf_token" value="([^"]+)"`)
		st, _, body = b.post("/login/code", tok, url.Values{"challenge": {ch}, "code": {"000000"}, "next": {"/dashboard"}})
		if st != http.StatusUnauthorized || !strings.Contains(body, "验证码错误或已过期") || !strings.Contains(body, `name="challenge" value="`+ch+`"`) {
			t.Fatalf("a wrong code: %d %.300s", st, body)
		}
		e.clock.Advance(30 * time.Second)
		st, loc, _ := b.post("/login/code", tok, url.Values{"challenge": {ch}, "code": {org.TOTPCode(secret, e.clock.Now())}, "next": {"/dashboard"}})
		if st != http.StatusSeeOther || loc != "/dashboard" {
			t.Fatalf("the code: %d %s", st, loc)
		}
		if st, _ := b.get("/dashboard"); st != http.StatusOK {
			t.Fatalf("the dashboard after the code: %d", st)
		}
	})
}

// TestForcedPasswordChange: a password the security administrator set
// must be changed first: every page sends to the account page, the menu
// is empty; after the change, the account works. The security
// administrator resets an authenticator from the staff page, with a
// reason.
func TestForcedPasswordChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sec := e.browser()
		sec.login(e.fx.SecurityAdmin)
		st, loc, _ := sec.post("/admin/staff/save", sec.token("/admin/staff"), url.Values{"username": {"new.leader"}, "name": {"新领导"},
			"role": {"leader"}, "password": {"Initial-Pass-2024"}})
		if st != http.StatusSeeOther {
			t.Fatalf("new account: %d %s", st, loc)
		}
		b := e.browser()
		st, loc, _ = b.post("/login", b.token("/login"), url.Values{"username": {"new.leader"}, "password": {"Initial-Pass-2024"}})
		if st != http.StatusSeeOther || loc != "/account#change-password" {
			t.Fatalf("sign-in: %d to %s, want the password's change", st, loc)
		}
		for _, p := range []string{"/dashboard", "/cases", "/"} {
			st, _ := b.get(p)
			resp, _ := b.c.Get(e.url + p)
			resp.Body.Close()
			if st != http.StatusSeeOther || resp.Header.Get("Location") != "/account#change-password" {
				t.Errorf("%s before the change: %d to %q", p, st, resp.Header.Get("Location"))
			}
		}
		st, body := b.get("/account")
		if st != http.StatusOK || !strings.Contains(body, "请先修改密码") {
			t.Fatalf("the account page: %d", st)
		}
		st, loc, _ = b.post("/account/password", b.token("/account"), url.Values{"current_password": {"Initial-Pass-2024"},
			"new_password": {"My-Own-Pass-2024"}, "repeat_password": {"My-Own-Pass-2024"}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the change: %d %s", st, loc)
		}
		b = e.browser()
		st, _, _ = b.post("/login", b.token("/login"), url.Values{"username": {"new.leader"}, "password": {"My-Own-Pass-2024"}})
		if st != http.StatusSeeOther {
			t.Fatalf("sign-in with the new password: %d", st)
		}
		if st, _ := b.get("/dashboard"); st != http.StatusOK {
			t.Fatalf("the dashboard after the change: %d", st)
		}

		// The reset needs a reason.
		edit := "/admin/staff?edit=" + itoa(e.fx.Leader.ID)
		st, _, body = sec.post("/admin/staff/reset2fa", sec.token(edit), url.Values{"id": {itoa(e.fx.Leader.ID)}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写重置原因") {
			t.Fatalf("a reset without a reason: %d", st)
		}
		st, _, _ = sec.post("/admin/staff/reset2fa", sec.token(edit), url.Values{"id": {itoa(e.fx.Leader.ID)}, "reason": {"手机丢失"}})
		if st != http.StatusSeeOther {
			t.Fatalf("a reset: %d", st)
		}
		sys := e.browser()
		sys.login(e.fx.Admin)
		if st, _, _ := sys.post("/admin/staff/reset2fa", sys.token("/admin/grids"), url.Values{"id": {itoa(e.fx.Leader.ID)}, "reason": {"x"}}); st != http.StatusForbidden {
			t.Fatalf("the system administrator resets an authenticator: %d", st)
		}
	})
}

// regexpFind is the first group of a pattern in s, or "".
func regexpFind(s, pattern string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
