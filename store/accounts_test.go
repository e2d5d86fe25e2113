package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestLoginHistory: every outcome of a sign-in is a row with where it came
// from; sessions keep their address; each person sees his own and an
// admin anyone's; revoking ends every session of one person only and is
// audited; old rows and dead sessions are pruned.
func TestLoginHistory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		clock := fixture.NewClock(cst(2024, 6, 12, 9, 0))
		a := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now, Audit: db.Audit()}
		phone := org.ClientInfo{IP: "198.51.100.7", UserAgent: "Mozilla/5.0 (iPhone) 测试"}

		tok, _, err := a.Login(bg, " Leader ", fixture.Password, phone)
		must(t, err)
		clock.Advance(time.Minute)
		_, _, err = a.Login(bg, "leader", "wrong", phone)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "wrong password")
		_, _, err = a.Login(bg, "Nobody.Here", "wrong", phone)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "unknown user")
		for range 4 {
			clock.Advance(time.Second)
			_, _, _ = a.Login(bg, "leader", "wrong", phone)
		}
		clock.Advance(time.Second)
		_, _, err = a.Login(bg, "leader", fixture.Password, phone)
		// Locked: the same answer as a wrong password or an unknown user
		// (issue 18: a 429 told strangers the name was real).
		wantCode(t, err, jiedao.EUNAUTHORIZED, "locked")

		gw, err := db.Org().GetStaff(bg, o.GridWorker.ID)
		must(t, err)
		gw.Active = false
		must(t, db.Org().UpdateStaff(bg, gw))
		clock.Advance(time.Second)
		_, _, err = a.Login(bg, gw.Username, fixture.Password, phone)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "disabled account: the same answer as a wrong password")

		leader := org.StaffActor(o.Leader)
		got, err := a.Logins(bg, leader, o.Leader.ID)
		must(t, err)
		var outcomes []org.LoginOutcome
		for _, l := range got {
			outcomes = append(outcomes, l.Outcome)
			if l.IP != phone.IP || l.UserAgent != phone.UserAgent || l.Username != "leader" || l.StaffID != o.Leader.ID {
				t.Errorf("attempt %+v: want leader from %+v", l, phone)
			}
		}
		want := []org.LoginOutcome{org.LoginLocked, org.LoginWrongPassword, org.LoginWrongPassword, org.LoginWrongPassword,
			org.LoginWrongPassword, org.LoginWrongPassword, org.LoginSuccess}
		if len(outcomes) != len(want) {
			t.Fatalf("leader's history %v, want %v", outcomes, want)
		}
		for i := range want {
			if outcomes[i] != want[i] {
				t.Fatalf("leader's history %v, want %v (newest first)", outcomes, want)
			}
		}
		if !got[0].At.Equal(clock.Now().Add(-time.Second)) {
			t.Errorf("newest attempt at %s", got[0].At)
		}
		admin := org.StaffActor(o.SecurityAdmin) // accounts are the security administrator's
		gwLogins, err := a.Logins(bg, admin, gw.ID)
		must(t, err)
		if len(gwLogins) != 1 || gwLogins[0].Outcome != org.LoginDisabled {
			t.Errorf("disabled account's history: %+v", gwLogins)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM login_attempts WHERE staff_id IS NULL AND username = ? AND outcome = ?`,
			"nobody.here", string(org.LoginUnknownUser)); n != 1 {
			t.Errorf("unknown user attempts: %d", n)
		}
		_, err = a.Logins(bg, org.StaffActor(o.Dispatcher), o.Leader.ID)
		wantCode(t, err, jiedao.EFORBIDDEN, "someone else's history")

		// Sessions: where they came from, the current one marked, the
		// ended ones (the first, idle 31 minutes) not shown.
		clock.Advance(16 * time.Minute) // past the lock
		tok2, _, err := a.Login(bg, "leader", fixture.Password, org.ClientInfo{IP: "2001:db8::5", UserAgent: "Firefox"})
		must(t, err)
		dispTok, _, err := a.Login(bg, "dispatcher", fixture.Password, phone)
		must(t, err)
		ss, err := a.Sessions(bg, leader, o.Leader.ID, tok2)
		must(t, err)
		if len(ss) != 2 || !ss[0].Current || ss[0].IP != "2001:db8::5" || ss[0].UserAgent != "Firefox" || ss[1].Current || ss[1].IP != phone.IP {
			t.Fatalf("the leader's two sessions, newest first: %+v %+v", ss[0], ss[len(ss)-1])
		}
		clock.Advance(14 * time.Minute)
		if _, err := a.Authenticate(bg, tok2); err != nil {
			t.Fatal(err)
		}
		ss, err = a.Sessions(bg, admin, o.Leader.ID, "")
		must(t, err)
		if len(ss) != 1 || ss[0].Current || ss[0].IP != "2001:db8::5" {
			t.Fatalf("live sessions once the first is 31 minutes idle, as an admin sees them: %+v", ss)
		}
		_ = tok

		// Revoking: the leader's sessions end, the dispatcher's do not.
		must(t, a.RevokeSessions(bg, leader, o.Leader.ID))
		_, err = a.Authenticate(bg, tok2)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "after revoking")
		if _, err := a.Authenticate(bg, dispTok); err != nil {
			t.Fatalf("someone else's session ended: %v", err)
		}
		wantCode(t, a.RevokeSessions(bg, leader, o.Dispatcher.ID), jiedao.EFORBIDDEN, "revoking someone else's")
		must(t, a.RevokeSessions(bg, admin, o.Dispatcher.ID))
		_, err = a.Authenticate(bg, dispTok)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "after an admin revoked")
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target_id = ? AND actor_id = ?`,
			org.AuditStaffSessionsRevoke, fmt.Sprint(o.Dispatcher.ID), o.SecurityAdmin.ID); n != 1 {
			t.Errorf("the admin's revocation is not on the audit trail: %d", n)
		}

		// Pruning: history past the retention time, sessions that ended.
		_, _, err = a.Login(bg, "dispatcher", fixture.Password, phone)
		must(t, err)
		clock.Advance(org.DefaultHistoryFor + time.Hour)
		_, _, err = a.Login(bg, "dispatcher", fixture.Password, phone)
		must(t, err)
		attempts, sessions, err := a.Prune(bg)
		must(t, err)
		if attempts != 12 || sessions != 1 {
			t.Errorf("pruned %d attempts and %d sessions, want 12 (all but the last) and 1 (the one that expired unused)", attempts, sessions)
		}
		left, _ := a.Logins(bg, admin, o.Dispatcher.ID)
		if len(left) != 1 {
			t.Errorf("dispatcher's history after pruning: %d rows", len(left))
		}
	})
}
