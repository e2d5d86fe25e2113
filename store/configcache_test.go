package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestConfigCache: the categories and routing rules are served from memory,
// yet a change is seen at once by the process that made it, within the
// recheck interval by another process on the same database, and not at
// all when its transaction rolls back.
func TestConfigCache(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, engine)
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			one, other := open(), open()
			o, err := fixture.Build(ctx, one)
			if err != nil {
				t.Fatal(err)
			}
			name := func(db *store.DB) string {
				t.Helper()
				c, err := db.Cases().GetCategory(ctx, fixture.CatExposedTrash)
				if err != nil {
					t.Fatal(err)
				}
				return c.Name
			}
			if name(one) != "暴露垃圾" || name(other) != "暴露垃圾" {
				t.Fatalf("before: %q %q", name(one), name(other))
			}

			// A copy is handed out: changing it changes nothing cached.
			c, _ := one.Cases().GetCategory(ctx, fixture.CatExposedTrash)
			c.Name = "被调用方改掉"
			if name(one) != "暴露垃圾" {
				t.Fatal("a caller changed the cached category")
			}

			// The writer's process sees its change at once.
			c.Name = "暴露垃圾（含桶边）"
			if err := one.Cases().PutCategory(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got := name(one); got != c.Name {
				t.Fatalf("the writing process reads %q after its own write", got)
			}
			rule := casework.RoutingRule{Category: fixture.CatExposedTrash, UnitID: o.Market.ID}
			if err := one.Cases().CreateRoutingRule(ctx, &rule); err != nil {
				t.Fatal(err)
			}
			hasRule := func(db *store.DB) bool {
				rules, err := db.Cases().ListRoutingRules(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rules {
					if r.ID == rule.ID {
						return true
					}
				}
				return false
			}
			if !hasRule(one) {
				t.Fatal("the writing process does not see its new routing rule")
			}

			// Another process sees both within the recheck interval.
			for deadline := time.Now().Add(10 * time.Second); name(other) != c.Name || !hasRule(other); {
				if time.Now().After(deadline) {
					t.Fatalf("another process still reads %q, rule seen: %v", name(other), hasRule(other))
				}
				time.Sleep(50 * time.Millisecond)
			}

			// A write rolled back leaves the cache as it was.
			boom := errors.New("rolled back")
			err = one.Atomic(ctx, func(ctx context.Context) error {
				if err := one.Cases().DeleteRoutingRule(ctx, rule.ID); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || !hasRule(one) {
				t.Fatalf("after a rolled-back delete: %v, rule there: %v", err, hasRule(one))
			}
			if err := one.Cases().DeleteRoutingRule(ctx, rule.ID); err != nil || hasRule(one) {
				t.Fatalf("delete: %v, rule still there: %v", err, hasRule(one))
			}
		})
	}
}
