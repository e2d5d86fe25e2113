package server_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

type loginRow struct {
	Username  string `json:"username"`
	StaffID   int64  `json:"staff_id"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Outcome   string `json:"outcome"`
}

type sessionRow struct {
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Current   bool   `json:"current"`
}

// TestAccountsOverHTTP: sign-ins from two devices appear in the person's
// history and sessions with the address the trusted proxy gave; signing
// out everywhere ends both sessions but not an API key; an admin sees and
// ends a staff member's sessions, and a role change ends them too; others
// are refused.
func TestAccountsOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvPolicy(t, db, longSessions(), func(s *server.Server) {
			s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		disp := e.fx.Dispatcher
		login := func(ip, password string) (int, string) {
			st, _, body := e.from(ip, "POST", "/api/v1/login", "application/json",
				fmt.Sprintf(`{"username":%q,"password":%q}`, disp.Username, password))
			tok := ""
			if i := strings.Index(body, `"token":"`); i >= 0 {
				tok = body[i+9:]
				tok = tok[:strings.Index(tok, `"`)]
			}
			return st, tok
		}
		if st, _ := login("198.51.100.20", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", st)
		}
		_, phone := login("198.51.100.20", fixture.Password)
		_, desk := login("203.0.113.30", fixture.Password)
		if phone == "" || desk == "" {
			t.Fatal("sign-in failed")
		}

		var logins []loginRow
		if st := e.call(desk, "GET", "/api/v1/me/logins", nil, &logins); st != 200 || len(logins) != 3 {
			t.Fatalf("my logins: %d %+v", st, logins)
		}
		if l := logins[0]; l.Outcome != "success" || l.IP != "203.0.113.30" || l.StaffID != disp.ID || !strings.HasPrefix(l.UserAgent, "Go-http-client") {
			t.Errorf("newest login %+v", l)
		}
		if l := logins[2]; l.Outcome != "wrong_password" || l.IP != "198.51.100.20" {
			t.Errorf("oldest login %+v", l)
		}
		var sessions []sessionRow
		if st := e.call(desk, "GET", "/api/v1/me/sessions", nil, &sessions); st != 200 || len(sessions) != 2 {
			t.Fatalf("my sessions: %d %+v", st, sessions)
		}
		current := 0
		for _, s := range sessions {
			if s.Current {
				current++
				if s.IP != "203.0.113.30" {
					t.Errorf("the current session is from %s", s.IP)
				}
			}
		}
		if current != 1 {
			t.Errorf("%d sessions marked current: %+v", current, sessions)
		}

		// Others' history is the security administrator's to see (issue 18).
		admin := e.login(e.fx.SecurityAdmin)
		leader := e.login(e.fx.Leader)
		if st := e.call(leader, "GET", fmt.Sprintf("/api/v1/staff/%d/logins", disp.ID), nil, nil); st != http.StatusForbidden {
			t.Fatalf("a leader reading the dispatcher's logins: %d", st)
		}
		if st := e.call(admin, "GET", fmt.Sprintf("/api/v1/staff/%d/logins", disp.ID), nil, &logins); st != 200 || len(logins) != 3 {
			t.Fatalf("admin reading the dispatcher's logins: %d %d", st, len(logins))
		}

		// Log out everywhere: both sessions end, a machine's key does not.
		var key struct {
			APIKey string `json:"api_key"`
		}
		if st := e.call(e.login(e.fx.Admin), "POST", "/api/v1/api-clients", map[string]string{"name": "平安通", "channel": "pingan"}, &key); st != 201 {
			t.Fatalf("api client: %d", st)
		}
		if st := e.call(key.APIKey, "GET", "/api/v1/me/logins", nil, nil); st != http.StatusForbidden {
			t.Fatalf("a machine client's logins: %d", st)
		}
		if st := e.call(phone, "POST", "/api/v1/me/sessions/revoke", nil, nil); st != http.StatusNoContent {
			t.Fatalf("revoke my sessions: %d", st)
		}
		for name, tok := range map[string]string{"this device": phone, "the other device": desk} {
			if st := e.call(tok, "GET", "/api/v1/me", nil, nil); st != http.StatusUnauthorized {
				t.Errorf("%s after signing out everywhere: %d", name, st)
			}
		}
		if st := e.call(key.APIKey, "GET", "/api/v1/me", nil, nil); st != 200 {
			t.Errorf("the API key after a staff member signed out everywhere: %d", st)
		}
		if st := e.call(admin, "GET", "/api/v1/me", nil, nil); st != 200 {
			t.Errorf("someone else's session ended: %d", st)
		}

		// An admin ends them; so does a change of role.
		_, again := login("198.51.100.20", fixture.Password)
		if st := e.call(leader, "POST", fmt.Sprintf("/api/v1/staff/%d/sessions/revoke", disp.ID), nil, nil); st != http.StatusForbidden {
			t.Fatalf("a leader ending the dispatcher's sessions: %d", st)
		}
		if st := e.call(again, "GET", "/api/v1/me", nil, nil); st != 200 {
			t.Fatalf("a refused revocation ended the session: %d", st)
		}
		if st := e.call(admin, "GET", fmt.Sprintf("/api/v1/staff/%d/sessions", disp.ID), nil, &sessions); st != 200 || len(sessions) != 1 || sessions[0].Current {
			t.Fatalf("admin listing the dispatcher's sessions: %d %+v", st, sessions)
		}
		if st := e.call(admin, "POST", fmt.Sprintf("/api/v1/staff/%d/sessions/revoke", disp.ID), nil, nil); st != http.StatusNoContent {
			t.Fatalf("admin revoking: %d", st)
		}
		if st := e.call(again, "GET", "/api/v1/me", nil, nil); st != http.StatusUnauthorized {
			t.Fatalf("after the admin revoked: %d", st)
		}
		_, again = login("198.51.100.20", fixture.Password)
		st, body := e.send(admin, "PUT", fmt.Sprintf("/api/v1/staff/%d", disp.ID), "application/json",
			fmt.Sprintf(`{"username":%q,"name":%q,"role":"leader","active":true}`, disp.Username, disp.Name))
		if st != 200 {
			t.Fatalf("role change: %d %s", st, body)
		}
		if st := e.call(again, "GET", "/api/v1/me", nil, nil); st != http.StatusUnauthorized {
			t.Fatalf("a session from before a role change lives on: %d", st)
		}
	})
}
