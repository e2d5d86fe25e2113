package main

import (
	"slices"
	"testing"
	"time"

	"github.com/jiedao/jiedao/org"
)

// TestAuthPolicy: serve's account policy from its environment — the three
// administrators always need two factors, JIEDAO_TWO_FACTOR_ROLES adds
// roles, passwords age 90 days unless JIEDAO_PASSWORD_MAX_AGE_DAYS says
// otherwise (0: never); bad values are refused, naming the variable.
func TestAuthPolicy(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	p, err := authPolicy(env(nil))
	if err != nil || !slices.Equal(p.TwoFactorRoles, org.AdminRoles()) || p.PasswordMaxAge != 90*24*time.Hour {
		t.Fatalf("defaults: %v %+v", err, p)
	}
	p, err = authPolicy(env(map[string]string{"JIEDAO_TWO_FACTOR_ROLES": "dispatcher, leader,admin", "JIEDAO_PASSWORD_MAX_AGE_DAYS": "0"}))
	if err != nil || !p.RequiresTwoFactor(org.RoleDispatcher) || !p.RequiresTwoFactor(org.RoleLeader) || !p.RequiresTwoFactor(org.RoleAuditAdmin) ||
		p.RequiresTwoFactor(org.RoleGridWorker) || len(p.TwoFactorRoles) != 5 || p.PasswordMaxAge != 0 {
		t.Fatalf("configured: %v %+v", err, p)
	}
	for _, bad := range []map[string]string{{"JIEDAO_TWO_FACTOR_ROLES": "boss"}, {"JIEDAO_PASSWORD_MAX_AGE_DAYS": "-1"}, {"JIEDAO_PASSWORD_MAX_AGE_DAYS": "ninety"}} {
		if _, err := authPolicy(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
