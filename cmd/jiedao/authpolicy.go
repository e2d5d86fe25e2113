package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// authPolicy is the account policy of serve (docs/dengbao.md):
//
//   - JIEDAO_TWO_FACTOR_ROLES: roles, beyond the three administrators
//     (always), that must sign in with two factors, comma-separated;
//   - JIEDAO_PASSWORD_MAX_AGE_DAYS: a password older than this must be
//     changed before anything else; 90 by default, 0 turns it off.
func authPolicy(getenv func(string) string) (org.AuthPolicy, error) {
	p := org.DefaultAuthPolicy()
	p.TwoFactorRoles = org.AdminRoles()
	for _, r := range strings.Split(getenv("JIEDAO_TWO_FACTOR_ROLES"), ",") {
		role := org.Role(strings.TrimSpace(r))
		if role == "" {
			continue
		}
		if !role.Valid() {
			return p, jiedao.Invalid("JIEDAO_TWO_FACTOR_ROLES", "未知角色："+string(role), "unknown role: "+string(role))
		}
		if !p.RequiresTwoFactor(role) {
			p.TwoFactorRoles = append(p.TwoFactorRoles, role)
		}
	}
	days := 90
	if v := strings.TrimSpace(getenv("JIEDAO_PASSWORD_MAX_AGE_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, jiedao.Invalid("JIEDAO_PASSWORD_MAX_AGE_DAYS", "应为不小于0的整数（天）", "want a whole number of days, 0 or more")
		}
		days = n
	}
	p.PasswordMaxAge = time.Duration(days) * 24 * time.Hour
	return p, nil
}

// auditTrail is the audit administrator's service over the database's
// trail (issue 18).
func (a *app) auditTrail() *org.AuditTrail {
	return &org.AuditTrail{Store: a.db.Audit(), Audit: a.db.Audit(), Verify: func(ctx context.Context) (*org.AuditCheck, error) {
		rep, err := a.db.VerifyAudit(ctx, nil)
		if err != nil {
			return nil, err
		}
		c := &org.AuditCheck{OK: rep.Problem == nil, Verified: rep.Verified, Unsealed: rep.Unsealed, Head: rep.Head.String()}
		if p := rep.Problem; p != nil {
			c.Problem = fmt.Sprintf("%s %s (seq %d): %s %s", p.KindZh(), p.Kind, p.Seq, p.Name, p.Detail)
		}
		return c, nil
	}}
}
