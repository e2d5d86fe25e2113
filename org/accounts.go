package org

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
)

// LoginOutcome is how a sign-in attempt ended.
type LoginOutcome string

const (
	LoginSuccess       LoginOutcome = "success"
	LoginWrongPassword LoginOutcome = "wrong_password"
	LoginUnknownUser   LoginOutcome = "unknown_user"
	LoginLocked        LoginOutcome = "locked"   // refused: the account was locked after failures
	LoginDisabled      LoginOutcome = "disabled" // refused: the account is inactive
	// Issue 18: addresses lock too, and accounts with two factors sign in
	// in two steps.
	LoginAddressLocked LoginOutcome = "address_locked" // refused unchecked: too many failures from the address
	LoginCodeRequired  LoginOutcome = "code_required"  // the password was right; the code is awaited
	LoginWrongCode     LoginOutcome = "wrong_code"     // the second step's code was wrong
)

// Zh is the outcome's Chinese name.
func (o LoginOutcome) Zh() string {
	switch o {
	case LoginSuccess:
		return "成功"
	case LoginWrongPassword:
		return "密码错误"
	case LoginUnknownUser:
		return "用户不存在"
	case LoginLocked:
		return "账号已锁定"
	case LoginDisabled:
		return "账号已停用"
	case LoginAddressLocked:
		return "来源地址已锁定"
	case LoginCodeRequired:
		return "密码正确，待验证码"
	case LoginWrongCode:
		return "验证码错误"
	}
	return string(o)
}

// LoginAttempt is one row of the login history: every attempt is kept,
// successful or not, for the retention time (AuthPolicy.HistoryFor).
type LoginAttempt struct {
	ID        int64        `json:"id"`
	At        time.Time    `json:"at"`
	Username  string       `json:"username"`           // as typed (trimmed, lower case, at most 100 characters)
	StaffID   int64        `json:"staff_id,omitempty"` // 0 when no account has that name
	IP        string       `json:"ip"`
	UserAgent string       `json:"user_agent"`
	Outcome   LoginOutcome `json:"outcome"`
}

// maxUserAgent bounds what is stored of a user agent: it is the client's
// to choose, and only a reader's hint.
const maxUserAgent = 300

// clip shortens s to n characters, keeping it valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// record writes a login attempt to the history.
func (a *Auth) record(ctx context.Context, at time.Time, username string, staffID int64, from ClientInfo, outcome LoginOutcome) error {
	return a.Store.RecordLoginAttempt(ctx, &LoginAttempt{At: at, Username: clip(username, 100), StaffID: staffID,
		IP: clip(from.IP, 64), UserAgent: clip(from.UserAgent, maxUserAgent), Outcome: outcome})
}

// mayManage checks that the actor is the staff member himself or the
// security administrator (sessions and sign-ins are his, issue 18).
func mayManage(a Actor, staffID int64) error {
	if (a.Kind == ActorStaff && a.ID == staffID) || a.Is(RoleSecurityAdmin) {
		return nil
	}
	if a.Kind != ActorStaff {
		return jiedao.Forbidden("仅工作人员账号有登录记录和会话", "only staff accounts have logins and sessions")
	}
	return Forbidden()
}

// maxHistory is how many of the latest attempts a page or list shows.
const maxHistory = 100

// Logins returns a staff member's latest login attempts, newest first,
// to himself or an admin.
func (a *Auth) Logins(ctx context.Context, actor Actor, staffID int64) ([]*LoginAttempt, error) {
	if err := mayManage(actor, staffID); err != nil {
		return nil, err
	}
	if err := a.inScope(ctx, actor, staffID); err != nil {
		return nil, err
	}
	return a.Store.ListLoginAttempts(ctx, staffID, maxHistory)
}

// Sessions returns a staff member's sessions that are still alive,
// newest first, to himself or an admin; current is the token of the
// request, so that its session is marked.
func (a *Auth) Sessions(ctx context.Context, actor Actor, staffID int64, current string) ([]*Session, error) {
	if err := mayManage(actor, staffID); err != nil {
		return nil, err
	}
	if err := a.inScope(ctx, actor, staffID); err != nil {
		return nil, err
	}
	all, err := a.Store.ListStaffSessions(ctx, staffID)
	if err != nil {
		return nil, err
	}
	now, mine := a.Now(), ""
	if current != "" {
		mine = HashToken(current)
	}
	live := make([]*Session, 0, len(all))
	for _, s := range all {
		if a.alive(s, now) {
			s.Current = s.TokenHash == mine
			live = append(live, s)
		}
	}
	return live, nil
}

func (a *Auth) alive(s *Session, now time.Time) bool {
	return !now.After(s.ExpiresAt) && now.Sub(s.LastSeen) <= a.Policy.IdleTimeout
}

// AuditStaffSessionsRevoke is the audit action of ending a staff
// member's sessions, by himself or an admin.
const AuditStaffSessionsRevoke = "staff.sessions_revoke"

// RevokeSessions ends every session of a staff member ("log out
// everywhere"), the caller's own included when it is his; API keys are
// machine clients' and are not touched. The staff member himself or an
// admin may; it goes on the audit trail.
func (a *Auth) RevokeSessions(ctx context.Context, actor Actor, staffID int64) error {
	if err := mayManage(actor, staffID); err != nil {
		return err
	}
	if err := a.inScope(ctx, actor, staffID); err != nil {
		return err
	}
	if _, err := a.Store.GetStaff(ctx, staffID); err != nil {
		return err
	}
	return Atomically(ctx, a.Audit, func(ctx context.Context) error {
		if err := a.Store.DeleteStaffSessions(ctx, staffID); err != nil {
			return err
		}
		return AuditRecord(ctx, a.Audit, actor, AuditStaffSessionsRevoke, "staff", staffID, nil, nil, "")
	})
}

// Prune deletes login attempts older than the history's retention time
// and sessions that have ended (expired or idle) but were never used
// again, which would otherwise stay in the table.
func (a *Auth) Prune(ctx context.Context) (attempts, sessions int64, err error) {
	now := a.Now()
	if a.Policy.HistoryFor > 0 {
		if attempts, err = a.Store.PruneLoginAttempts(ctx, now.Add(-a.Policy.HistoryFor)); err != nil {
			return 0, 0, err
		}
	}
	if sessions, err = a.Store.PruneSessions(ctx, now, now.Add(-a.Policy.IdleTimeout)); err != nil {
		return attempts, sessions, err
	}
	// Second steps never completed (issue 18) go with them.
	_, err = a.Store.PruneChallenges(ctx, now)
	return attempts, sessions, err
}

// inScope refuses, as not found, a staff member of another subdistrict
// (or of the district) to an administrator of a subdistrict
// (docs/jurisdictions.md).
func (a *Auth) inScope(ctx context.Context, actor Actor, staffID int64) error {
	if actor.JurisdictionID == 0 || (actor.Kind == ActorStaff && actor.ID == staffID) {
		return nil
	}
	return (&Directory{Store: a.Store}).staffIn(ctx, actor, staffID)
}
