package org

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// Two-factor sign-in (等保 身份鉴别 d; docs/dengbao.md): an account with an
// authenticator signs in with its password and then a code — a password
// alone opens no session, on the pages or the API. The roles the policy
// names (the three administrators by default in serve) must enrol; until
// they have, their session reaches nothing but the enrolment.

// TOTP is a staff member's authenticator. The secret is shown once, at
// enrolment, and never again (docs/dengbao.md says how it is stored).
type TOTP struct {
	StaffID   int64
	Secret    string
	CreatedAt time.Time
	EnabledAt *time.Time // nil while the enrolment waits for its first code
	LastStep  int64      // the last step whose code was accepted
}

// Challenge is the second step of a sign-in: a password accepted for an
// account with two factors opens one, and its code turns it into a session.
type Challenge struct {
	TokenHash string
	StaffID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
	Failures  int
	IP        string
	UserAgent string
}

// ChallengeFor is how long the second step waits for its code.
const ChallengeFor = 5 * time.Minute

// maxCodeFailures ends a challenge after this many wrong codes: the
// password must be typed again.
const maxCodeFailures = 5

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

// Pending says what a signed-in staff member must do before anything
// else: "" for nothing.
const (
	PendingEnrol    = "enrol_2fa"       // enrol an authenticator: his role requires one
	PendingPassword = "change_password" // change his password: set by an administrator, or too old
)

// SecondStep is Login's answer for an account with two factors: not an
// error of the caller's, but no session yet. Challenge is the token the
// code must come with.
type SecondStep struct {
	Challenge string
	ExpiresAt time.Time
}

func (s *SecondStep) Error() string { return "second factor required" }

// Audit actions of two-factor sign-in and passwords.
const (
	AuditTwoFactorEnable  = "staff.2fa_enable"
	AuditTwoFactorDisable = "staff.2fa_disable"
	AuditTwoFactorReset   = "staff.2fa_reset"
	AuditPasswordChange   = "staff.password_change"
)

// RequiresTwoFactor reports whether the policy makes the role use two
// factors.
func (p AuthPolicy) RequiresTwoFactor(r Role) bool { return slices.Contains(p.TwoFactorRoles, r) }

// pending works out what a staff member must do first.
func (a *Auth) pending(ctx context.Context, s *Staff, now time.Time) (string, error) {
	if a.Policy.RequiresTwoFactor(s.Role) {
		t, err := a.Store.GetTOTP(ctx, s.ID)
		if err != nil && jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return "", err
		}
		if t == nil || t.EnabledAt == nil {
			return PendingEnrol, nil
		}
	}
	if s.MustChangePassword || a.passwordExpired(s, now) {
		return PendingPassword, nil
	}
	return "", nil
}

// passwordExpired reports whether the password is older than the policy
// allows. An account whose age is unknown (set before jiedao kept it) is
// not: its clock starts at its next sign-in.
func (a *Auth) passwordExpired(s *Staff, now time.Time) bool {
	return a.Policy.PasswordMaxAge > 0 && s.PasswordChangedAt != nil && now.Sub(*s.PasswordChangedAt) > a.Policy.PasswordMaxAge
}

var errBadCode = jiedao.Errorf(jiedao.EUNAUTHORIZED, "验证码错误或已过期，请重新输入", "wrong or expired code: try again")
var errChallengeGone = jiedao.Errorf(jiedao.EUNAUTHORIZED, "登录已过期，请重新输入用户名和密码", "the sign-in has expired: enter your username and password again")

// LoginCode completes a sign-in with two factors: the challenge Login
// returned and a code of the authenticator (or an unused recovery code).
// Five wrong codes end the challenge.
func (a *Auth) LoginCode(ctx context.Context, challenge, code string, from ClientInfo) (string, *Staff, error) {
	now := a.Now()
	hash := HashToken(challenge)
	c, err := a.Store.GetChallenge(ctx, hash)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && now.After(c.ExpiresAt)) {
		return "", nil, errChallengeGone
	} else if err != nil {
		return "", nil, err
	}
	s, err := a.Store.GetStaff(ctx, c.StaffID)
	if err != nil {
		return "", nil, err
	}
	ok, err := a.checkCode(ctx, s.ID, code, now)
	if err != nil {
		return "", nil, err
	}
	if !ok || !s.Active {
		if err := a.record(ctx, now, s.Username, s.ID, from, LoginWrongCode); err != nil {
			return "", nil, err
		}
		if c.Failures+1 >= maxCodeFailures {
			if err := a.Store.DeleteChallenge(ctx, hash); err != nil {
				return "", nil, err
			}
			return "", nil, errChallengeGone
		}
		if err := a.Store.FailChallenge(ctx, hash); err != nil {
			return "", nil, err
		}
		return "", nil, errBadCode
	}
	if err := a.Store.DeleteChallenge(ctx, hash); err != nil {
		return "", nil, err
	}
	token, err := a.openSession(ctx, s, now, from)
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// checkCode accepts a code of the authenticator not used before, or an
// unused recovery code (which is then used up).
func (a *Auth) checkCode(ctx context.Context, staffID int64, code string, now time.Time) (bool, error) {
	t, err := a.Store.GetTOTP(ctx, staffID)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && t.EnabledAt == nil) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if step := matchTOTP(t.Secret, code, now, t.LastStep); step != 0 {
		// The step is taken by a conditional write, so that two requests
		// with one code cannot both pass.
		return a.Store.UseTOTPStep(ctx, staffID, step)
	}
	if norm := normRecovery(code); len(norm) == recoveryLen {
		return a.Store.UseRecoveryCode(ctx, staffID, HashToken(norm), now)
	}
	return false, nil
}

// recoveryLen is the length of a recovery code without its hyphen.
const recoveryLen = 10

var recoveryAlphabet = base32.NewEncoding("abcdefghjkmnpqrstuvwxyz023456789").WithPadding(base32.NoPadding)

// normRecovery is a recovery code as stored (hashed): lower case, without
// hyphens or spaces.
func normRecovery(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// newRecoveryCodes returns codes to show once (xxxxx-xxxxx) and their
// hashes to store.
func newRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		c := recoveryAlphabet.EncodeToString(b)[:recoveryLen]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, HashToken(c))
	}
	return codes, hashes
}

// TwoFactorState is what the account page shows of a person's second factor.
type TwoFactorState struct {
	Enabled   bool       `json:"enabled"`
	EnabledAt *time.Time `json:"enabled_at,omitempty"`
	Required  bool       `json:"required"`            // the policy requires it of his role
	Pending   string     `json:"-"`                   // the secret of an enrolment waiting for its first code
	Recovery  int        `json:"recovery_codes_left"` // unused recovery codes
}

// TwoFactor returns the state of the actor's own second factor. The
// secret is returned only while the enrolment waits for its first code.
func (a *Auth) TwoFactor(ctx context.Context, actor Actor) (*TwoFactorState, error) {
	if actor.Kind != ActorStaff {
		return nil, jiedao.Forbidden("仅工作人员账号可启用双因素认证", "only staff accounts have two factors")
	}
	st := &TwoFactorState{Required: a.Policy.RequiresTwoFactor(actor.Role)}
	t, err := a.Store.GetTOTP(ctx, actor.ID)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return st, nil
	} else if err != nil {
		return nil, err
	}
	if t.EnabledAt == nil {
		st.Pending = t.Secret
		return st, nil
	}
	st.Enabled, st.EnabledAt = true, t.EnabledAt
	if st.Recovery, err = a.Store.CountRecoveryCodes(ctx, actor.ID); err != nil {
		return nil, err
	}
	return st, nil
}

// StartTwoFactor begins the actor's enrolment: a new secret, waiting for
// its first code. An enabled authenticator must be turned off first.
func (a *Auth) StartTwoFactor(ctx context.Context, actor Actor) (string, error) {
	st, err := a.TwoFactor(ctx, actor)
	if err != nil {
		return "", err
	}
	if st.Enabled {
		return "", jiedao.Errorf(jiedao.ECONFLICT, "双因素认证已启用", "two factors are already on")
	}
	secret := NewTOTPSecret()
	return secret, a.Store.SaveTOTP(ctx, &TOTP{StaffID: actor.ID, Secret: secret, CreatedAt: a.Now()})
}

// ConfirmTwoFactor ends the enrolment with the first code of the new
// authenticator and returns the recovery codes, shown this once. It is on
// the audit trail.
func (a *Auth) ConfirmTwoFactor(ctx context.Context, actor Actor, code string) ([]string, error) {
	st, err := a.TwoFactor(ctx, actor)
	if err != nil {
		return nil, err
	}
	if st.Pending == "" {
		return nil, jiedao.Invalid("code", "请先开始启用双因素认证", "start the enrolment first")
	}
	now := a.Now()
	step := matchTOTP(st.Pending, code, now, 0)
	if step == 0 {
		return nil, jiedao.Invalid("code", "验证码不正确：请输入验证器上当前显示的6位数字", "wrong code: type the 6 digits the authenticator shows now")
	}
	codes, hashes := newRecoveryCodes()
	err = Atomically(ctx, a.Audit, func(ctx context.Context) error {
		if err := a.Store.EnableTOTP(ctx, actor.ID, now, step, hashes); err != nil {
			return err
		}
		return AuditRecord(ctx, a.Audit, actor, AuditTwoFactorEnable, "staff", actor.ID, nil, nil, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTwoFactor turns the actor's own authenticator off, with a code
// of it; a role that requires two factors may not.
func (a *Auth) DisableTwoFactor(ctx context.Context, actor Actor, code string) error {
	if actor.Kind != ActorStaff {
		return Forbidden()
	}
	if a.Policy.RequiresTwoFactor(actor.Role) {
		return jiedao.Forbidden("您的角色必须使用双因素认证，不能关闭；如验证器丢失，请联系安全管理员重置", "your role requires two factors; if the authenticator is lost, ask the security administrator to reset it")
	}
	ok, err := a.checkCode(ctx, actor.ID, code, a.Now())
	if err != nil {
		return err
	}
	if !ok {
		return jiedao.Invalid("code", "验证码不正确", "wrong code")
	}
	return Atomically(ctx, a.Audit, func(ctx context.Context) error {
		if err := a.Store.DeleteTOTP(ctx, actor.ID); err != nil {
			return err
		}
		return AuditRecord(ctx, a.Audit, actor, AuditTwoFactorDisable, "staff", actor.ID, nil, nil, "")
	})
}

// ResetTwoFactor removes a staff member's authenticator and recovery codes
// (a lost phone) and ends his sessions: he enrols again at his next
// sign-in. Only the security administrator may; it is on the audit trail
// with its reason.
func (a *Auth) ResetTwoFactor(ctx context.Context, actor Actor, staffID int64, reason string) error {
	if !actor.Is(RoleSecurityAdmin) {
		return Forbidden()
	}
	if strings.TrimSpace(reason) == "" {
		return jiedao.Invalid("reason", "请填写重置原因", "a reason is required")
	}
	if _, err := a.Store.GetStaff(ctx, staffID); err != nil {
		return err
	}
	if err := a.inScope(ctx, actor, staffID); err != nil {
		return err
	}
	return Atomically(ctx, a.Audit, func(ctx context.Context) error {
		if err := a.Store.DeleteTOTP(ctx, staffID); err != nil {
			return err
		}
		if err := a.Store.DeleteStaffSessions(ctx, staffID); err != nil {
			return err
		}
		return AuditRecord(ctx, a.Audit, actor, AuditTwoFactorReset, "staff", staffID, nil, nil, strings.TrimSpace(reason))
	})
}
