package store

import (
	"context"
	"time"

	"github.com/jiedao/jiedao/org"
)

// Sign-in, second round (issue 18): failures by address, the password's
// clock, authenticators, recovery codes and the second step's challenges.

// CountAddressFailures counts the failed sign-ins from an address since a
// time: wrong passwords, unknown users, locked or inactive accounts, wrong
// codes.
func (s *Org) CountAddressFailures(ctx context.Context, ip string, since time.Time) (int, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND at >= ?
		AND outcome IN ('wrong_password', 'unknown_user', 'locked', 'disabled', 'wrong_code')`, ip, since).Scan(&n)
	return n, mapError(err)
}

func (s *Org) SetPasswordChangedAt(ctx context.Context, staffID int64, at time.Time) error {
	_, err := s.db.writer().exec(ctx, `UPDATE staff SET password_changed_at = ? WHERE id = ?`, at, staffID)
	return err
}

func (s *Org) GetTOTP(ctx context.Context, staffID int64) (*org.TOTP, error) {
	t := &org.TOTP{StaffID: staffID}
	var created, enabled nullTime
	err := s.db.reader().queryRow(ctx, `SELECT secret, created_at, enabled_at, last_step FROM staff_totp WHERE staff_id = ?`, staffID).
		Scan(&t.Secret, &created, &enabled, &t.LastStep)
	if err != nil {
		return nil, notFound(mapError(err), "双因素认证", "two-factor authenticator")
	}
	t.CreatedAt, t.EnabledAt = created.Time, enabled.ptr()
	return t, nil
}

func (s *Org) SaveTOTP(ctx context.Context, t *org.TOTP) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		if err := s.DeleteTOTP(ctx, t.StaffID); err != nil {
			return err
		}
		_, err := s.db.writer().exec(ctx, `INSERT INTO staff_totp (staff_id, secret, created_at, last_step) VALUES (?, ?, ?, 0)`,
			t.StaffID, t.Secret, t.CreatedAt)
		return err
	})
}

func (s *Org) EnableTOTP(ctx context.Context, staffID int64, at time.Time, step int64, hashes []string) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		res, err := s.db.writer().exec(ctx, `UPDATE staff_totp SET enabled_at = ?, last_step = ? WHERE staff_id = ? AND enabled_at IS NULL`, at, step, staffID)
		if err := affectedOne(res, err, "待启用的双因素认证", "pending two-factor enrolment"); err != nil {
			return err
		}
		if _, err := s.db.writer().exec(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = ?`, staffID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := s.db.writer().exec(ctx, `INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES (?, ?)`, staffID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Org) UseTOTPStep(ctx context.Context, staffID int64, step int64) (bool, error) {
	n, err := rowsAffected(s.db.writer().exec(ctx, `UPDATE staff_totp SET last_step = ? WHERE staff_id = ? AND enabled_at IS NOT NULL AND last_step < ?`,
		step, staffID, step))
	return n == 1, err
}

func (s *Org) UseRecoveryCode(ctx context.Context, staffID int64, hash string, at time.Time) (bool, error) {
	n, err := rowsAffected(s.db.writer().exec(ctx, `UPDATE staff_recovery_codes SET used_at = ? WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL`,
		at, staffID, hash))
	return n == 1, err
}

func (s *Org) CountRecoveryCodes(ctx context.Context, staffID int64) (int, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at IS NULL`, staffID).Scan(&n)
	return n, mapError(err)
}

func (s *Org) DeleteTOTP(ctx context.Context, staffID int64) error {
	return s.db.Atomic(ctx, func(ctx context.Context) error {
		if _, err := s.db.writer().exec(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = ?`, staffID); err != nil {
			return err
		}
		_, err := s.db.writer().exec(ctx, `DELETE FROM staff_totp WHERE staff_id = ?`, staffID)
		return err
	})
}

func (s *Org) CreateChallenge(ctx context.Context, c *org.Challenge) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO login_challenges (token_hash, staff_id, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)`,
		c.TokenHash, c.StaffID, c.CreatedAt, c.ExpiresAt, c.IP, c.UserAgent)
	return err
}

func (s *Org) GetChallenge(ctx context.Context, tokenHash string) (*org.Challenge, error) {
	c := &org.Challenge{TokenHash: tokenHash}
	var created, expires nullTime
	err := s.db.writer().queryRow(ctx, `SELECT staff_id, created_at, expires_at, failures, ip, user_agent FROM login_challenges WHERE token_hash = ?`, tokenHash).
		Scan(&c.StaffID, &created, &expires, &c.Failures, &c.IP, &c.UserAgent)
	if err != nil {
		return nil, notFound(mapError(err), "登录验证", "sign-in challenge")
	}
	c.CreatedAt, c.ExpiresAt = created.Time, expires.Time
	return c, nil
}

func (s *Org) FailChallenge(ctx context.Context, tokenHash string) error {
	_, err := s.db.writer().exec(ctx, `UPDATE login_challenges SET failures = failures + 1 WHERE token_hash = ?`, tokenHash)
	return err
}

func (s *Org) DeleteChallenge(ctx context.Context, tokenHash string) error {
	_, err := s.db.writer().exec(ctx, `DELETE FROM login_challenges WHERE token_hash = ?`, tokenHash)
	return err
}

func (s *Org) PruneChallenges(ctx context.Context, now time.Time) (int64, error) {
	return rowsAffected(s.db.writer().exec(ctx, `DELETE FROM login_challenges WHERE expires_at < ?`, now))
}
