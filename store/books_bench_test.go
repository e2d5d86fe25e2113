package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The books' benchmarks (docs/benchmarks.md): a ledger's sums over a
// million entries of a year, and the targets page of a district's eleven
// subdistricts. Each reports the median and the 95th percentile of its
// iterations (p50-ms, p95-ms); nothing asserts a time.
//
//	go test ./store -run '^$' -bench 'BenchmarkBooks' -benchtime 100x
//
// JIEDAO_BENCH_LEDGER_ENTRIES sets the ledger's size (default 1,000,000).

type booksBenchEnv struct {
	db      *store.DB
	ledgers *ledger.Service
	targets *indicator.Service
	admin   org.Actor
	loaded  time.Duration
	entries int
	// jurisdiction is the fixture's subdistrict, which holds the entries.
	jurisdiction int64
}

var (
	booksBenchOnce sync.Map // engine → *booksBenchEnv
	booksBenchMu   sync.Mutex
)

// booksBench builds, once per engine, a database with the demo's
// organisation, a canteen ledger of N entries over a year (in 9
// communities, 40,000 distinct elders) and 11 subdistricts × 18 targets.
func booksBench(b *testing.B, engine store.Engine) *booksBenchEnv {
	booksBenchMu.Lock()
	defer booksBenchMu.Unlock()
	if e, ok := booksBenchOnce.Load(engine); ok {
		return e.(*booksBenchEnv)
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("JIEDAO_BENCH_LEDGER_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := testdb.Open(b, engine)
	o, err := fixture.Build(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	comms, err := db.Org().ListCommunities(ctx)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2024, 7, 2, 0, 0, 0, 0, time.UTC)
	e := &booksBenchEnv{db: db, admin: o.Actor(org.RoleAdmin), entries: n, jurisdiction: o.Jurisdiction.ID,
		ledgers: &ledger.Service{Store: db.Ledger(), Now: func() time.Time { return now }}}
	if err := e.ledgers.EnsureBuiltin(ctx); err != nil {
		b.Fatal(err)
	}
	t, err := e.ledgers.Type(ctx, ledger.TypeCanteen)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	const batch = 50_000
	for done := 0; done < n; done += batch {
		es := make([]*ledger.Entry, 0, batch)
		for i := done; i < min(done+batch, n); i++ {
			c := comms[i%len(comms)]
			es = append(es, &ledger.Entry{Day: fmt.Sprintf("2023-%02d-%02d", 1+i%12, 1+i%28), CommunityID: c.ID,
				Values: map[string]string{"elder": fmt.Sprintf("老人%05d", i%40000), "canteen": "食堂", "meals": strconv.Itoa(1 + i%30)}})
		}
		if err := db.Ledger().ImportEntries(ctx, t, es, e.admin, now); err != nil {
			b.Fatal(err)
		}
	}
	e.loaded = time.Since(start)
	// A district's 11 subdistricts, the report's 18 targets each, measured
	// from the catalogue (entered) and the canteen ledger's figure.
	e.targets = &indicator.Service{Store: db.Indicators(), Now: func() time.Time { return now }}
	if err := e.targets.EnsureBuiltin(ctx); err != nil {
		b.Fatal(err)
	}
	lf := ledger.Figures{Service: e.ledgers}
	e.targets.Known = func(key string) bool { return key == "elderly.canteen_served" }
	e.targets.Figure = func(ctx context.Context, a org.Actor, key string, year int) (float64, bool, error) {
		m, err := lf.Measure(ctx, a, key, year)
		return m.Value, m.OK, err
	}
	var ins []indicator.Input
	for _, tf := range indicator.ReportTargets() {
		if _, err := db.Indicators().GetIndicator(ctx, tf.Key); err == nil {
			ins = append(ins, indicator.Input{Key: tf.Key, Period: "2024", Value: 10})
		}
	}
	for m := 1; m <= 6; m++ {
		ins = append(ins, indicator.Input{Key: "fiscal.general_budget", Period: fmt.Sprintf("2024-%02d", m), Value: float64(m) * 4e8})
	}
	if err := e.targets.Enter(ctx, e.admin, filterYearly(ctx, b, db, ins)); err != nil {
		b.Fatal(err)
	}
	for s := 1; s <= 11; s++ {
		for _, tf := range indicator.ReportTargets() {
			tg := &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Scope: fmt.Sprintf("第%d街道", s), Code: tf.Figure.Key, Key: tf.Key,
				Key2: tf.Key2, Name: tf.Zh, Comparison: tf.Comparison, Value: 5}
			if err := e.targets.SetTarget(ctx, e.admin, tg); err != nil {
				b.Fatal(err)
			}
		}
		tg := &indicator.Target{Year: 2024, Level: indicator.Subdistrict, Scope: fmt.Sprintf("第%d街道", s), Key: "elderly.canteen_served",
			Name: "老年食堂服务老人", Comparison: indicator.AtLeast, Value: 40000}
		if err := e.targets.SetTarget(ctx, e.admin, tg); err != nil {
			b.Fatal(err)
		}
	}
	booksBenchOnce.Store(engine, e)
	return e
}

// filterYearly keeps the inputs whose period fits their indicator.
func filterYearly(ctx context.Context, b *testing.B, db *store.DB, ins []indicator.Input) []indicator.Input {
	var out []indicator.Input
	for _, in := range ins {
		i, err := db.Indicators().GetIndicator(ctx, in.Key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := i.CheckPeriod(in.Period); err == nil {
			out = append(out, in)
		}
	}
	return out
}

// timed runs fn b.N times and reports the median and 95th percentile.
func timed(b *testing.B, fn func() error) {
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[min(len(ds)-1, len(ds)*95/100)]), "p95-ms")
}

func BenchmarkBooks(b *testing.B) {
	for _, engine := range testdb.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := booksBench(b, engine)
			b.Logf("%s: %d ledger entries loaded in %s", engine, e.entries, e.loaded.Round(time.Millisecond))
			ctx := context.Background()
			year := func(q ledger.Query) ledger.Query { return ledger.YearQuery(q, 2023) }
			queries := []struct {
				name string
				q    ledger.Query
			}{
				{"count", year(ledger.Query{Op: ledger.OpCount})},
				{"sum-by-month", year(ledger.Query{Op: ledger.OpSum, Field: "meals", Group: ledger.ByMonth})},
				{"sum-by-community", year(ledger.Query{Op: ledger.OpSum, Field: "meals", Group: ledger.ByCommunity})},
				{"distinct-elders", year(ledger.Query{Op: ledger.OpDistinct, Field: "elder"})},
				{"one-community-quarter", ledger.Query{Op: ledger.OpSum, Field: "meals", From: "2023-04-01", To: "2023-07-01", CommunityID: 1}},
			}
			for _, q := range queries {
				b.Run("ledger-"+q.name, func(b *testing.B) {
					timed(b, func() error {
						_, _, err := e.ledgers.Aggregate(ctx, e.admin, ledger.TypeCanteen, q.q)
						return err
					})
				})
			}
			// One subdistrict's (the admin narrowed to the fixture's, which
			// holds every entry): read from the sums kept per subdistrict
			// (migration 0136), checked once against the entries.
			narrowed, _ := e.admin.Narrowed(e.jurisdiction)
			typ, err := e.ledgers.Type(ctx, ledger.TypeCanteen)
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range queries[:4] {
				b.Run("ledger-subdistrict-"+q.name, func(b *testing.B) {
					one := q.q
					one.TypeID, one.Jurisdiction = typ.ID, e.jurisdiction
					kept, err := e.db.Ledger().Aggregate(ctx, one)
					if err != nil {
						b.Fatal(err)
					}
					scanned, err := e.db.Ledger().ScanOnly().Aggregate(ctx, one)
					if err != nil {
						b.Fatal(err)
					}
					if fmt.Sprint(kept) != fmt.Sprint(scanned) {
						b.Fatalf("kept %v, scanned %v", kept, scanned)
					}
					timed(b, func() error {
						_, _, err := e.ledgers.Aggregate(ctx, narrowed, ledger.TypeCanteen, q.q)
						return err
					})
				})
			}
			b.Run("targets-11-subdistricts", func(b *testing.B) {
				timed(b, func() error {
					ps, err := e.targets.Targets(ctx, e.admin, 2024)
					if err == nil && len(ps) != 11*19 {
						err = fmt.Errorf("%d targets", len(ps))
					}
					return err
				})
			})
		})
	}
}
