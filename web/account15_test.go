package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestChangeOwnPassword: staff change their own password on /account; a
// form with fields missing names each of them; a wrong current password
// changes nothing; a good change signs out and the new password works.
func TestChangeOwnPassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		me := e.fx.Staff(org.RoleUnitHandler)
		b := e.browser()
		b.login(me)
		tok := b.token("/account")
		st, _, body := b.post("/account/password", tok, url.Values{})
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("empty form: %d", st)
		}
		for _, want := range []string{"请填写当前密码", "请填写新密码", "请填写再次输入新密码"} {
			if !strings.Contains(body, want) {
				t.Errorf("the empty form does not say %q", want)
			}
		}
		const next = "Neues-Passwort-2026"
		st, _, body = b.post("/account/password", tok, url.Values{"current_password": {"wrong-one-123"}, "new_password": {next}, "repeat_password": {next}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "当前密码不正确") {
			t.Fatalf("wrong current password: %d", st)
		}
		st, _, body = b.post("/account/password", tok, url.Values{"current_password": {fixture.Password}, "new_password": {"short"}, "repeat_password": {"short"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "密码至少10位") {
			t.Fatalf("weak password: %d", st)
		}
		st, loc, _ := b.post("/account/password", tok, url.Values{"current_password": {fixture.Password}, "new_password": {next}, "repeat_password": {next}})
		if st != http.StatusSeeOther || loc != "/login?changed=1" {
			t.Fatalf("change: %d %s", st, loc)
		}
		if st, _ := b.get("/account"); st != http.StatusSeeOther {
			t.Errorf("still signed in after the change: %d", st)
		}
		n := e.browser()
		st, _, _ = n.post("/login", n.token("/login"), url.Values{"username": {me.Username}, "password": {next}})
		if st != http.StatusSeeOther {
			t.Errorf("the new password does not work: %d", st)
		}
		o := e.browser()
		st, _, _ = o.post("/login", o.token("/login"), url.Values{"username": {me.Username}, "password": {fixture.Password}})
		if st == http.StatusSeeOther {
			t.Error("the old password still works")
		}
	})
}

// TestNewAccountLeastPrivilege: the staff form of a new account has the
// least privileged role chosen, not admin.
func TestNewAccountLeastPrivilege(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.fx.Staff(org.RoleSecurityAdmin)) // accounts are the security administrator's (issue 18)
		_, body := b.get("/admin/staff")
		i := strings.Index(body, `id="s-role"`)
		if i < 0 {
			t.Fatal("no role field")
		}
		sel := body[i : i+strings.Index(body[i:], "</select>")]
		if !strings.Contains(sel, `<option value="community_staff" selected>`) || strings.Contains(sel, `value="admin" selected`) {
			t.Errorf("role field: %s", sel)
		}
	})
}
