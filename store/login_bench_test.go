package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// BenchmarkLoginAnswers measures the time of each refused sign-in (issue
// 18): an unknown user, a wrong password, a locked account and a locked
// address must cost about the same (an argon2id hash each), so that the
// answer's speed does not tell which names exist. SQLite; the figures are
// in docs/benchmarks.md.
func BenchmarkLoginAnswers(b *testing.B) {
	db := testdb.Open(b, store.SQLite)
	ctx := context.Background()
	o, err := fixture.Build(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	clock := fixture.NewClock(time.Date(2024, 6, 12, 9, 0, 0, 0, time.UTC))
	policy := org.DefaultAuthPolicy()
	policy.AddressFailures = 0
	a := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now}
	// The leader's account is locked; the address 203.0.113.9 is too.
	for range policy.MaxFailures {
		_, _, _ = a.Login(ctx, o.Leader.Username, "wrong", org.ClientInfo{IP: "192.0.2.1"})
	}
	for i := range 30 {
		_, _, _ = a.Login(ctx, fmt.Sprint("nobody", i), "wrong", org.ClientInfo{IP: "203.0.113.9"})
	}
	cases := []struct {
		name, user, ip string
		addr           int
	}{
		{"unknown_user", "no.such.person", "192.0.2.2", 0},
		{"wrong_password", o.Dispatcher.Username, "192.0.2.3", 0},
		{"locked_account", o.Leader.Username, "192.0.2.4", 0},
		{"locked_address", o.Dispatcher.Username, "203.0.113.9", 20},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			a.Policy.AddressFailures = c.addr
			for b.Loop() {
				if _, _, err := a.Login(ctx, c.user, "wrong-"+c.name, org.ClientInfo{IP: c.ip}); err == nil {
					b.Fatal("signed in")
				}
				if c.name == "wrong_password" {
					// Keep the dispatcher below his own lock.
					_ = db.Org().RecordLogin(ctx, o.Dispatcher.ID, 0, nil)
				}
			}
		})
	}
}
