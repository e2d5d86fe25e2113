package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/jiedao/jiedao"
)

// Session is a signed-in person's session. Only the hash of its token is
// stored, so a copy of the database does not let anyone sign in.
type Session struct {
	TokenHash string    `json:"-"`
	StaffID   int64     `json:"staff_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"` // absolute end, whatever the activity
	IP        string    `json:"ip"`         // where the sign-in came from
	UserAgent string    `json:"user_agent"`
	// Current marks the session of the request that lists them; not stored.
	Current bool `json:"current"`
}

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of the password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordPolicy enforces the password rules: at least 10 characters
// with at least three of lower case, upper case, digits and symbols, as the
// multi-level protection scheme (等保) asks of identification.
func CheckPasswordPolicy(password string) error {
	if len([]rune(password)) < 10 {
		return jiedao.Invalid("password", "密码至少10位", "password must have at least 10 characters")
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	if n < 3 {
		return jiedao.Invalid("password", "密码须包含大写字母、小写字母、数字、符号中的至少三类", "password needs three of: upper case, lower case, digits, symbols")
	}
	return nil
}

// NewToken returns a random token for a session or an API key, and its
// hash for storage.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a session token or API key.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// AuthPolicy holds the account rules.
type AuthPolicy struct {
	MaxFailures  int           // failed logins before the account locks
	LockFor      time.Duration // how long a lock lasts
	IdleTimeout  time.Duration // a session unused this long ends
	SessionLimit time.Duration // a session ends this long after sign-in whatever happens
	HistoryFor   time.Duration // login attempts are kept this long; 0 keeps them for ever
	// AddressFailures is how many failed sign-ins one client address may
	// make within LockFor before its attempts are refused unchecked, so
	// that a stranger cannot cheaply lock many accounts; 0 does not count.
	AddressFailures int
	// TwoFactorRoles must sign in with two factors (serve: the three
	// administrators, and the roles of JIEDAO_TWO_FACTOR_ROLES).
	TwoFactorRoles []Role
	// PasswordMaxAge forces a change of a password older than this; 0 never
	// does (serve: JIEDAO_PASSWORD_MAX_AGE_DAYS, 90 days by default).
	PasswordMaxAge time.Duration
}

// DefaultHistoryFor keeps the login history 180 days: 等保 asks that audit
// records be kept six months at least.
const DefaultHistoryFor = 180 * 24 * time.Hour

// DefaultAuthPolicy: 5 failures lock for 15 minutes; 30 minutes idle; 12
// hours at most; login history kept 180 days.
func DefaultAuthPolicy() AuthPolicy {
	return AuthPolicy{MaxFailures: 5, LockFor: 15 * time.Minute, IdleTimeout: 30 * time.Minute, SessionLimit: 12 * time.Hour,
		HistoryFor: DefaultHistoryFor, AddressFailures: 20}
}

// Auth signs people and machines in.
type Auth struct {
	Store  Store
	Policy AuthPolicy
	Now    func() time.Time
	// Audit records admins ending others' sessions (docs/audit.md); nil
	// records nothing.
	Audit Auditor
}

// timingHash is a hash of nothing anyone types, checked for unknown users.
const timingHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0+Vz2Rj4mQmOq0mU0fNq8W0Vd8mC2fJmX6o4lm2o3aY"

var errBadLogin = jiedao.Errorf(jiedao.EUNAUTHORIZED, "用户名或密码错误", "wrong username or password")

// Login checks a username and password and opens a session, returning its
// token. Every attempt goes into the login history with where it came
// from. Repeated failures lock the account, and many from one address lock
// the address. The answer for an unknown user, a wrong password, an
// inactive account, a locked account and a locked address is the same —
// the same error, after the same work (a password hash) — so that names
// cannot be probed. An account with two factors gets no session here: the
// error is a *SecondStep with the challenge its code must come with.
func (a *Auth) Login(ctx context.Context, username, password string, from ClientInfo) (string, *Staff, error) {
	now := a.Now()
	username = strings.ToLower(strings.TrimSpace(username))
	if a.Policy.AddressFailures > 0 && from.IP != "" {
		n, err := a.Store.CountAddressFailures(ctx, clip(from.IP, 64), now.Add(-a.Policy.LockFor))
		if err != nil {
			return "", nil, err
		}
		if n >= a.Policy.AddressFailures {
			CheckPassword(timingHash, password)
			if err := a.record(ctx, now, username, 0, from, LoginAddressLocked); err != nil {
				return "", nil, err
			}
			return "", nil, errBadLogin
		}
	}
	s, err := a.Store.GetStaffByUsername(ctx, username)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		// Spend the time a wrong password costs, so that the answer's
		// speed does not tell which usernames exist.
		CheckPassword(timingHash, password)
		if err := a.record(ctx, now, username, 0, from, LoginUnknownUser); err != nil {
			return "", nil, err
		}
		return "", nil, errBadLogin
	} else if err != nil {
		return "", nil, err
	}
	if s.LockedUntil != nil && now.Before(*s.LockedUntil) {
		// The same work and the same answer as a wrong password: a locked
		// account must not tell that it exists. The history says why.
		CheckPassword(s.PasswordHash, password)
		if err := a.record(ctx, now, username, s.ID, from, LoginLocked); err != nil {
			return "", nil, err
		}
		return "", nil, errBadLogin
	}
	// The password is checked for inactive accounts too, so that the
	// answer takes as long.
	passwordOK := CheckPassword(s.PasswordHash, password)
	if !s.Active || !passwordOK {
		failed := s.FailedLogins + 1
		var lock *time.Time
		if failed >= a.Policy.MaxFailures {
			t := now.Add(a.Policy.LockFor)
			lock, failed = &t, 0
		}
		if err := a.Store.RecordLogin(ctx, s.ID, failed, lock); err != nil {
			return "", nil, err
		}
		outcome := LoginWrongPassword
		if !s.Active {
			outcome = LoginDisabled
		}
		if err := a.record(ctx, now, username, s.ID, from, outcome); err != nil {
			return "", nil, err
		}
		return "", nil, errBadLogin
	}
	if s.FailedLogins != 0 || s.LockedUntil != nil {
		if err := a.Store.RecordLogin(ctx, s.ID, 0, nil); err != nil {
			return "", nil, err
		}
	}
	if s.PasswordChangedAt == nil {
		// A password from before jiedao kept its age: its clock starts now.
		if err := a.Store.SetPasswordChangedAt(ctx, s.ID, now); err != nil {
			return "", nil, err
		}
		s.PasswordChangedAt = &now
	}
	t, err := a.Store.GetTOTP(ctx, s.ID)
	if err != nil && jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
		return "", nil, err
	}
	if t != nil && t.EnabledAt != nil {
		token, hash := NewToken("c_")
		c := &Challenge{TokenHash: hash, StaffID: s.ID, CreatedAt: now, ExpiresAt: now.Add(ChallengeFor),
			IP: clip(from.IP, 64), UserAgent: clip(from.UserAgent, maxUserAgent)}
		if err := a.Store.CreateChallenge(ctx, c); err != nil {
			return "", nil, err
		}
		if err := a.record(ctx, now, username, s.ID, from, LoginCodeRequired); err != nil {
			return "", nil, err
		}
		return "", s, &SecondStep{Challenge: token, ExpiresAt: c.ExpiresAt}
	}
	token, err := a.openSession(ctx, s, now, from)
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// openSession opens a session for a staff member whose credentials were
// all checked, and records the successful sign-in.
func (a *Auth) openSession(ctx context.Context, s *Staff, now time.Time, from ClientInfo) (string, error) {
	// What he must do first decides where the sign-in leads.
	var err error
	if s.Pending, err = a.pending(ctx, s, now); err != nil {
		return "", err
	}
	token, hash := NewToken("s_")
	sess := &Session{TokenHash: hash, StaffID: s.ID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(a.Policy.SessionLimit),
		IP: clip(from.IP, 64), UserAgent: clip(from.UserAgent, maxUserAgent)}
	if err := a.Store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	if err := a.record(ctx, now, s.Username, s.ID, from, LoginSuccess); err != nil {
		return "", err
	}
	return token, nil
}

var errNoSession = jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")

// Authenticate returns the staff member a session token belongs to, and
// ends sessions that are idle or too old.
func (a *Auth) Authenticate(ctx context.Context, token string) (*Staff, error) {
	now := a.Now()
	hash := HashToken(token)
	sess, err := a.Store.GetSession(ctx, hash)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeen) > a.Policy.IdleTimeout {
		if err := a.Store.DeleteSession(ctx, hash); err != nil {
			return nil, err
		}
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "登录已过期，请重新登录", "session expired, please sign in again")
	}
	s, err := a.Store.GetStaff(ctx, sess.StaffID)
	if err != nil {
		return nil, err
	}
	if !s.Active {
		return nil, errNoSession
	}
	if s.Pending, err = a.pending(ctx, s, now); err != nil {
		return nil, err
	}
	// Touch at most once a minute: a page view should not be a write.
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := a.Store.TouchSession(ctx, hash, now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Logout ends one session.
func (a *Auth) Logout(ctx context.Context, token string) error {
	return a.Store.DeleteSession(ctx, HashToken(token))
}

// AuthenticateClient returns the machine client an API key belongs to.
func (a *Auth) AuthenticateClient(ctx context.Context, key string) (*APIClient, error) {
	c, err := a.Store.GetAPIClientByKeyHash(ctx, HashToken(key))
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "API 密钥无效", "invalid API key")
	} else if err != nil {
		return nil, err
	}
	if c.RevokedAt != nil {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "API 密钥已吊销", "API key revoked")
	}
	return c, nil
}

// CreateAPIClient registers a machine client and returns its key, which is
// shown once and never stored.
func (a *Auth) CreateAPIClient(ctx context.Context, name, channel string) (string, *APIClient, error) {
	return a.createAPIClient(ctx, name, channel, 0)
}

// createAPIClient is CreateAPIClient for a client of one subdistrict (0:
// the whole deployment's).
func (a *Auth) createAPIClient(ctx context.Context, name, channel string, jurisdictionID int64) (string, *APIClient, error) {
	if strings.TrimSpace(name) == "" {
		return "", nil, jiedao.Invalid("name", "名称不能为空", "name is required")
	}
	key, hash := NewToken("jd_")
	c := &APIClient{Name: strings.TrimSpace(name), Channel: channel, KeyPrefix: key[:7], KeyHash: hash, CreatedAt: a.Now(), JurisdictionID: jurisdictionID}
	if err := a.Store.CreateAPIClient(ctx, c); err != nil {
		return "", nil, err
	}
	return key, c, nil
}

// ClientInfo is where a request came from: the client's address (as the
// server found it behind any trusted proxy) and its user agent.
type ClientInfo struct {
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
}
