package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestLoginAnswersAlike (issue 18): a locked account answers exactly as an
// unknown user and a wrong password do, and failures from one address lock
// that address, so a stranger cannot lock a real account from it.
func TestLoginAnswersAlike(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		clock := fixture.NewClock(cst(2024, 6, 12, 9, 0))
		policy := org.DefaultAuthPolicy()
		policy.AddressFailures = 0 // first the account's own lock alone
		a := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now}
		home := org.ClientInfo{IP: "192.0.2.10"}
		stranger := org.ClientInfo{IP: "203.0.113.66"}

		// The leader locks his own account from home: five wrong passwords.
		for range policy.MaxFailures {
			clock.Advance(time.Second)
			_, _, err := a.Login(bg, "leader", "wrong", home)
			wantCode(t, err, jiedao.EUNAUTHORIZED, "wrong password")
		}
		_, _, lockedErr := a.Login(bg, "leader", fixture.Password, home)
		_, _, unknownErr := a.Login(bg, "no.such.person", fixture.Password, home)
		_, _, wrongErr := a.Login(bg, "cg.lead", "wrong", home)
		for _, e := range []error{unknownErr, wrongErr} {
			if jiedao.ErrorCode(lockedErr) != jiedao.ErrorCode(e) || lockedErr.Error() != e.Error() {
				t.Fatalf("locked account answers %q (%s); an unknown user or wrong password %q (%s)",
					lockedErr, jiedao.ErrorCode(lockedErr), e, jiedao.ErrorCode(e))
			}
		}
		wantCode(t, lockedErr, jiedao.EUNAUTHORIZED, "locked account")

		// The stranger tries the dispatcher's account from his address:
		// after the address's four failures his attempts are refused
		// unchecked, so the account never reaches its own five.
		a.Policy.AddressFailures = 4
		home = org.ClientInfo{IP: "192.0.2.11"}
		for range 12 {
			clock.Advance(time.Second)
			_, _, err := a.Login(bg, "dispatcher", "guess", stranger)
			wantCode(t, err, jiedao.EUNAUTHORIZED, "stranger's guess")
		}
		_, _, err := a.Login(bg, "dispatcher", fixture.Password, stranger)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "the right password from a locked address")
		if _, _, err := a.Login(bg, "dispatcher", fixture.Password, home); err != nil {
			t.Fatalf("the dispatcher, from home, after a stranger's guesses: %v", err)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND outcome = ?`, stranger.IP, string(org.LoginAddressLocked)); n != 9 {
			t.Errorf("attempts refused for the address: %d, want 9 (eight guesses and the right password)", n)
		}
		_ = o
	})
}

// TestTwoFactorSignIn: an enrolled account gets no session for its
// password, only a challenge; a code turns it into a session, once; a
// recovery code works once; five wrong codes end the challenge; a role the
// policy names is sent to enrolment; the security administrator, and only
// he, resets an authenticator, on the audit trail.
func TestTwoFactorSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		clock := fixture.NewClock(cst(2024, 6, 12, 9, 0))
		policy := org.DefaultAuthPolicy()
		policy.TwoFactorRoles = org.AdminRoles()
		a := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now, Audit: db.Audit()}
		from := org.ClientInfo{IP: "192.0.2.1"}

		// The system administrator must enrol: his session reaches only that.
		tok, _, err := a.Login(bg, "admin", fixture.Password, from)
		must(t, err)
		s, err := a.Authenticate(bg, tok)
		must(t, err)
		if s.Pending != org.PendingEnrol {
			t.Fatalf("an administrator without an authenticator: pending %q, want %q", s.Pending, org.PendingEnrol)
		}
		admin := org.StaffActor(s)
		secret, err := a.StartTwoFactor(bg, admin)
		must(t, err)
		_, err = a.ConfirmTwoFactor(bg, admin, "000000")
		wantCode(t, err, jiedao.EINVALID, "a wrong first code")
		first := org.TOTPCode(secret, clock.Now())
		codes, err := a.ConfirmTwoFactor(bg, admin, first)
		must(t, err)
		if len(codes) != org.RecoveryCodes {
			t.Fatalf("%d recovery codes", len(codes))
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND code_hash = ?`, o.Admin.ID, codes[0]); n != 0 {
			t.Error("a recovery code is stored as typed")
		}
		if s, err = a.Authenticate(bg, tok); err != nil || s.Pending != "" {
			t.Fatalf("after enrolling: pending %q, %v", s.Pending, err)
		}

		// The password alone: a challenge, no session.
		tok, _, err = a.Login(bg, "admin", fixture.Password, from)
		var step *org.SecondStep
		if !errors.As(err, &step) || tok != "" {
			t.Fatalf("password of an enrolled account: token %q, error %v; want no token and a second step", tok, err)
		}
		if _, err := a.Authenticate(bg, step.Challenge); err == nil {
			t.Fatal("the challenge works as a session")
		}
		_, _, err = a.LoginCode(bg, step.Challenge, first, from)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "the enrolment's code again")
		clock.Advance(30 * time.Second)
		code := org.TOTPCode(secret, clock.Now())
		tok, _, err = a.LoginCode(bg, step.Challenge, code, from)
		must(t, err)
		if s, err := a.Authenticate(bg, tok); err != nil || s.ID != o.Admin.ID {
			t.Fatalf("session of the second step: %v", err)
		}
		_, _, err = a.LoginCode(bg, step.Challenge, code, from)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "a used challenge")

		// The same code in a new sign-in: used already.
		_, _, err = a.Login(bg, "admin", fixture.Password, from)
		if !errors.As(err, &step) {
			t.Fatal(err)
		}
		_, _, err = a.LoginCode(bg, step.Challenge, code, from)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "a used code")
		// A recovery code, typed loosely, once.
		if _, _, err = a.LoginCode(bg, step.Challenge, " "+codes[3]+" ", from); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		_, _, err = a.Login(bg, "admin", fixture.Password, from)
		if !errors.As(err, &step) {
			t.Fatal(err)
		}
		_, _, err = a.LoginCode(bg, step.Challenge, codes[3], from)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "a used recovery code")
		for range 3 {
			_, _, err = a.LoginCode(bg, step.Challenge, "123456", from)
			if zh, _ := jiedao.ErrorMessages(err); zh != "验证码错误或已过期，请重新输入" {
				t.Fatalf("a wrong code before the fifth: %v", err)
			}
		}
		_, _, err = a.LoginCode(bg, step.Challenge, "654321", from)
		if zh, _ := jiedao.ErrorMessages(err); zh != "登录已过期，请重新输入用户名和密码" {
			t.Errorf("the fifth wrong code: %q, want the challenge ended", zh)
		}
		clock.Advance(30 * time.Second)
		_, _, err = a.LoginCode(bg, step.Challenge, org.TOTPCode(secret, clock.Now()), from)
		wantCode(t, err, jiedao.EUNAUTHORIZED, "a right code after five wrong ones")

		// Reset: not by the system administrator; by the security one.
		wantCode(t, a.ResetTwoFactor(bg, org.StaffActor(o.Admin), o.Admin.ID, "手机丢失"), jiedao.EFORBIDDEN, "reset by the system admin")
		sec := org.StaffActor(o.SecurityAdmin)
		wantCode(t, a.ResetTwoFactor(bg, sec, o.Admin.ID, ""), jiedao.EINVALID, "reset without a reason")
		must(t, a.ResetTwoFactor(bg, sec, o.Admin.ID, "手机丢失"))
		if _, err := a.Authenticate(bg, tok); err == nil {
			t.Error("the admin's session survived the reset")
		}
		tok, _, err = a.Login(bg, "admin", fixture.Password, from)
		must(t, err)
		if s, err := a.Authenticate(bg, tok); err != nil || s.Pending != org.PendingEnrol {
			t.Fatalf("after a reset: %v, pending %q", err, s.Pending)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND reason = ?`,
			org.AuditTwoFactorReset, o.SecurityAdmin.ID, "手机丢失"); n != 1 {
			t.Errorf("the reset on the audit trail: %d", n)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, org.AuditTwoFactorEnable); n != 1 {
			t.Errorf("the enrolment on the audit trail: %d", n)
		}
	})
}

// TestAuditTrailReadsAudited: only the audit administrator reads and
// verifies the trail, and his reads, exports and verifications are
// entries of it.
func TestAuditTrailReadsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		o := build(t, db)
		trail := &org.AuditTrail{Store: db.Audit(), Audit: db.Audit(), Verify: func(ctx context.Context) (*org.AuditCheck, error) {
			rep, err := db.VerifyAudit(ctx, nil)
			if err != nil {
				return nil, err
			}
			return &org.AuditCheck{OK: rep.Problem == nil, Verified: rep.Verified}, nil
		}}
		sec := org.StaffActor(o.SecurityAdmin)
		dir := &org.Directory{Store: db.Org(), Audit: db.Audit()}
		_, err := dir.SaveStaff(bg, sec, org.StaffInput{Staff: org.Staff{Username: "new_one", Name: "新人", Role: org.RoleLeader, Active: true}, Password: "Neues-Passwort-2026"})
		must(t, err)
		for _, a := range []org.Actor{org.StaffActor(o.Admin), sec, org.StaffActor(o.Leader)} {
			_, err := trail.List(bg, a, org.AuditQuery{}, false)
			wantCode(t, err, jiedao.EFORBIDDEN, string(a.Role)+" reads the trail")
			_, err = trail.Check(bg, a)
			wantCode(t, err, jiedao.EFORBIDDEN, string(a.Role)+" verifies the trail")
		}
		aud := org.StaffActor(o.AuditAdmin)
		got, err := trail.List(bg, aud, org.AuditQuery{Action: "staff."}, false)
		must(t, err)
		if len(got) != 1 || got[0].Action != org.AuditStaffCreate || got[0].Actor.ID != o.SecurityAdmin.ID {
			t.Fatalf("staff actions on the trail: %+v", got)
		}
		_, err = trail.List(bg, aud, org.AuditQuery{}, true)
		must(t, err)
		c, err := trail.Check(bg, aud)
		must(t, err)
		if !c.OK {
			t.Errorf("verification: %+v", c)
		}
		for _, action := range []string{org.AuditTrailRead, org.AuditTrailExport, org.AuditTrailVerify} {
			if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, action, o.AuditAdmin.ID); n != 1 {
				t.Errorf("%s by the audit administrator on the trail: %d, want 1", action, n)
			}
		}
		// A password set by the security administrator must be changed.
		s, err := db.Org().GetStaffByUsername(bg, "new_one")
		must(t, err)
		if !s.MustChangePassword || s.PasswordChangedAt == nil {
			t.Errorf("a password set by an administrator: must change %v, set at %v", s.MustChangePassword, s.PasswordChangedAt)
		}
	})
}
