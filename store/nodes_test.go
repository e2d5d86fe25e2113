package store_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// next waits for a notice; the bound only ends a failing test.
func next(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no notice: %s", what)
		return ""
	}
}

// twoNodes opens a migrated database twice, as two serve processes would
// on PostgreSQL; on SQLite one process serves, so both are the same handle.
func twoNodes(t *testing.T, engine store.Engine) (a, b *store.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, engine)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a = open()
	_, err := a.Migrate(ctx)
	must(t, err)
	if engine != store.Postgres {
		return a, a
	}
	return a, open()
}

// TestChangeNotices: a case created or stepped on one node reaches the
// subscribers of another (PostgreSQL's NOTIFY, a second handle standing
// for a second serve), or of the same process on SQLite; a step rolled
// back sends nothing; a configuration change is announced.
func TestChangeNotices(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a, b := twoNodes(t, engine)
			cases, stopCases := b.Subscribe(store.TopicCases)
			defer stopCases()
			config, stopConfig := b.Subscribe(store.TopicConfig)
			defer stopConfig()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			must(t, b.WaitListening(wctx))

			c, e := rawReport(t, cst(2024, 6, 12, 9, 0), casework.ChannelXihuCode, "")
			must(t, a.Cases().CreateCase(ctx, c, e))
			if got := next(t, cases, "created"); got != strconv.FormatInt(c.ID, 10) {
				t.Fatalf("created case %d: notice %q", c.ID, got)
			}
			// A step that fails is rolled back: no notice. The next notice
			// is the accepted step's.
			_, _, err := a.Cases().UpdateCase(ctx, c.ID, func(c *casework.Case) (*casework.Event, error) {
				return nil, context.Canceled
			})
			if err == nil {
				t.Fatal("the failing step succeeded")
			}
			c2, e2 := rawReport(t, cst(2024, 6, 12, 9, 5), casework.ChannelXihuCode, "")
			must(t, a.Cases().CreateCase(ctx, c2, e2))
			_, _, err = a.Cases().UpdateCase(ctx, c.ID, func(x *casework.Case) (*casework.Event, error) {
				ev := &casework.Event{CaseID: x.ID, Seq: 2, Action: casework.ActAccept, At: cst(2024, 6, 12, 9, 10), From: x.Status, To: casework.StatusAccepted}
				_, err := casework.Apply(x, ev)
				return ev, err
			})
			must(t, err)
			for i, want := range []int64{c2.ID, c.ID} {
				if got := next(t, cases, "step"); got != strconv.FormatInt(want, 10) {
					t.Fatalf("notice %d: %q, want case %d", i+1, got, want)
				}
			}
			select {
			case p := <-cases:
				t.Fatalf("an extra notice %q", p)
			default:
			}
			must(t, a.Cases().PutCategory(ctx, &casework.Category{Code: "09", Name: "测试", Active: true}))
			next(t, config, "configuration changed")
			// The other node's cache sees the new category.
			if _, err := b.Cases().GetCategory(ctx, "09"); err != nil {
				t.Fatalf("the other node does not see the new category: %v", err)
			}
		})
	}
}

// TestRunJobOnePerTurn: on PostgreSQL, of the nodes that tick together one
// runs the job and the others skip it, and a job run within its interval
// is not run again; on SQLite, one process serves and the job runs.
func TestRunJobOnePerTurn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		release := make(chan struct{})
		job := func(ctx context.Context) error {
			runs.Add(1)
			<-release
			return nil
		}
		if db.Engine() == store.SQLite {
			close(release)
			for range 2 {
				ran, err := db.RunJob(ctx, "deadlines", time.Hour, job)
				must(t, err)
				if !ran {
					t.Fatal("on SQLite the job always runs")
				}
			}
			if runs.Load() != 2 {
				t.Fatalf("runs %d, want 2", runs.Load())
			}
			return
		}
		// Five nodes tick at once: the first takes the lock and holds it
		// until released, the others find it taken.
		first := make(chan bool, 1)
		go func() {
			ran, err := db.RunJob(ctx, "deadlines", time.Hour, job)
			if err != nil {
				t.Error(err)
			}
			first <- ran
		}()
		for runs.Load() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				ran, err := db.RunJob(ctx, "deadlines", time.Hour, job)
				if err != nil || ran {
					t.Errorf("a second node ran the job while the first held it: %v %v", ran, err)
				}
			})
		}
		wg.Wait()
		close(release)
		if !<-first {
			t.Fatal("the first node did not run the job")
		}
		// Within the interval: no node runs it again; another job is free.
		ran, err := db.RunJob(ctx, "deadlines", time.Hour, job)
		must(t, err)
		if ran {
			t.Fatal("the job ran twice within its interval")
		}
		ran, err = db.RunJob(ctx, "retention", time.Hour, job)
		must(t, err)
		if !ran || runs.Load() != 2 {
			t.Fatalf("another job: ran %v, runs %d", ran, runs.Load())
		}
		// Its interval over, it runs again.
		ran, err = db.RunJob(ctx, "deadlines", time.Nanosecond, job)
		must(t, err)
		if !ran {
			t.Fatal("the job did not run once its interval passed")
		}
	})
}

// TestRateCounter: the shared counter counts per key and window, and old
// windows are pruned; SQLite has none (one process counts in memory).
func TestRateCounter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rc := db.RateCounter()
		if db.Engine() == store.SQLite {
			if rc != nil {
				t.Fatal("SQLite has a shared counter")
			}
			return
		}
		for i := range 3 {
			n, err := rc.Hit(ctx, "open311|client:1", 1000)
			must(t, err)
			if n != int64(i+1) {
				t.Fatalf("hit %d counted %d", i+1, n)
			}
		}
		if n, _ := rc.Hit(ctx, "open311|client:2", 1000); n != 1 {
			t.Fatalf("another key counted %d", n)
		}
		if n, _ := rc.Hit(ctx, "open311|client:1", 1060); n != 1 {
			t.Fatalf("the next window counted %d", n)
		}
		gone, err := db.PruneRateCounts(ctx, time.Unix(1060, 0))
		must(t, err)
		if gone != 2 {
			t.Fatalf("pruned %d windows, want 2", gone)
		}
	})
}

// TestReplicaRefused: a replica must be a PostgreSQL standby: a primary
// given as the replica is refused (reads from it would not lag, but a
// misconfiguration it is), and SQLite has none. Without a replica every
// read stays on the primary. scripts/test-nodes reads from a real one.
func TestReplicaRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		target := os.Getenv("JIEDAO_TEST_POSTGRES")
		if err := db.OpenReplica(ctx, target); err == nil || db.HasReplica() {
			t.Fatalf("%s: a primary was taken for a replica", db.Engine())
		}
		if got := db.MayLag(ctx, "0/1"); got != ctx {
			t.Fatal("without a replica a read was marked for it")
		}
	})
}

// TestAPIKeyRevokedOnEveryNode: each serve keeps the API clients it looked
// up in memory; a key revoked through one node is refused by another (a
// second handle on the same database) once its notice arrives, and by the
// node that revoked it at once.
func TestAPIKeyRevokedOnEveryNode(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a, b := twoNodes(t, engine)
			config, stop := b.Subscribe(store.TopicConfig)
			defer stop()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			must(t, b.WaitListening(wctx))

			c := &org.APIClient{Name: "12345热线", Channel: "hotline", KeyPrefix: "jd_abcd", KeyHash: "k1", CreatedAt: time.Now()}
			must(t, a.Org().CreateAPIClient(ctx, c))
			next(t, config, "client created")
			for _, db := range []*store.DB{a, b} {
				got, err := db.Org().GetAPIClientByKeyHash(ctx, "k1")
				must(t, err)
				if got.RevokedAt != nil {
					t.Fatal("a new client is revoked")
				}
			}
			must(t, a.Org().RevokeAPIClient(ctx, c.ID, time.Now()))
			if got, err := a.Org().GetAPIClientByKeyHash(ctx, "k1"); err != nil || got.RevokedAt == nil {
				t.Fatalf("the revoking node still takes the key: %+v %v", got, err)
			}
			if p := next(t, config, "client revoked"); p != "clients" {
				t.Fatalf("notice %q, want clients", p)
			}
			if got, err := b.Org().GetAPIClientByKeyHash(ctx, "k1"); err != nil || got.RevokedAt == nil {
				t.Fatalf("the other node still takes the key after the notice: %+v %v", got, err)
			}
		})
	}
}

// TestLedgerTypeChangedOnEveryNode: the ledger types are kept in memory
// (typecache.go); a type changed on one node is read anew by that node at
// once and by another at the change's notice. A returned type is the
// caller's own: changing it changes nothing kept.
func TestLedgerTypeChangedOnEveryNode(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a, b := twoNodes(t, engine)
			config, stop := b.Subscribe(store.TopicConfig)
			defer stop()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			must(t, b.WaitListening(wctx))
			by := org.Actor{Kind: org.ActorStaff, Role: org.RoleAdmin, Name: "管理员"}
			typ := &ledger.Type{Code: "elders", Name: "高龄老人", Fields: []ledger.Field{{Key: "name", Name: "姓名", Type: ledger.Person}}}
			must(t, a.Ledger().CreateType(ctx, typ, by, time.Now()))
			next(t, config, "type created")
			for _, db := range []*store.DB{a, b} {
				got, err := db.Ledger().GetType(ctx, "elders")
				must(t, err)
				if got.Name != "高龄老人" || len(got.Fields) != 1 {
					t.Fatalf("new type read as %+v", got)
				}
				got.Fields[0].Name = "changed by a caller"
				if again, err := db.Ledger().GetTypeByID(ctx, typ.ID); err != nil || again.Fields[0].Name != "姓名" {
					t.Fatalf("a caller's change reached the kept type: %+v %v", again, err)
				}
			}
			typ.Name = "80岁以上老人"
			typ.Fields = append(typ.Fields, ledger.Field{Key: "age", Name: "年龄", Type: ledger.Number})
			must(t, a.Ledger().UpdateType(ctx, typ, by, time.Now(), func(*ledger.Type) error { return nil }))
			if got, err := a.Ledger().GetType(ctx, "elders"); err != nil || got.Name != "80岁以上老人" || len(got.Fields) != 2 {
				t.Fatalf("the changing node reads %+v %v", got, err)
			}
			if p := next(t, config, "type changed"); p != "ledger_types" {
				t.Fatalf("notice %q, want ledger_types", p)
			}
			if got, err := b.Ledger().GetType(ctx, "elders"); err != nil || got.Name != "80岁以上老人" || len(got.Fields) != 2 {
				t.Fatalf("the other node reads %+v %v after the notice", got, err)
			}
			if _, err := b.Ledger().GetType(ctx, "nosuch"); jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
				t.Fatalf("an unknown type: %v", err)
			}
		})
	}
}
