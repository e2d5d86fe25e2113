package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// openScratch opens an empty database of each engine without migrations
// (package testdb imports this package, so it cannot serve this test).
func openScratch(t *testing.T, engine Engine) *DB {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "gc.db")
	if engine == Postgres {
		base := os.Getenv("JIEDAO_TEST_POSTGRES")
		if base == "" {
			if os.Getenv("JIEDAO_TEST_SQLITE_ONLY") == "1" {
				t.Skip("JIEDAO_TEST_SQLITE_ONLY=1")
			}
			t.Fatal("JIEDAO_TEST_POSTGRES is not set: run the tests with scripts/test")
		}
		schema := fmt.Sprintf("gc_%d_%d", os.Getpid(), time.Now().UnixNano())
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGroupCommitIsolatesFailures makes one batch of many writers, three
// of which fail (a duplicate key, an error of their own, a panic), and
// checks that exactly those three fail, that the others are all committed
// in one transaction, that the failed ones left nothing, and that the
// committer is free again.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	for _, engine := range []Engine{SQLite, Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db := openScratch(t, engine)
			ctx := context.Background()
			if _, err := db.writer().exec(ctx, `CREATE TABLE gc_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			const n = 40
			// The first writer leads a batch of its own and holds it until
			// every other writer is queued behind it, so that they make the
			// next batch together.
			waitQueued := func() error {
				deadline := time.Now().Add(30 * time.Second)
				for {
					db.group.mu.Lock()
					queued := len(db.group.pending)
					db.group.mu.Unlock()
					if queued == n-1 {
						return nil
					}
					if time.Now().After(deadline) {
						return fmt.Errorf("only %d writers queued", queued)
					}
					time.Sleep(time.Millisecond)
				}
			}
			var mu sync.Mutex
			ranIn := map[int]any{} // writer → the transaction its last run was in
			errs := make([]error, n)
			write := func(i int) error {
				return db.inGroupTx(ctx, func(ctx context.Context, tx conn) error {
					mu.Lock()
					ranIn[i] = tx.q
					mu.Unlock()
					if i == 0 {
						if err := waitQueued(); err != nil {
							return err
						}
					}
					if i == 17 {
						return jiedao.Invalid("v", "第17个写入失败", "writer 17 fails")
					}
					if i == 23 {
						panic("writer 23 panics")
					}
					key := fmt.Sprint("k", i)
					if i == 5 || i == 30 {
						key = "dup" // 5 and 30 collide; whichever runs second fails
					}
					_, err := tx.exec(ctx, `INSERT INTO gc_test (k, v) VALUES (?, ?)`, key, i)
					return err
				})
			}
			var wg sync.WaitGroup
			first := make(chan error, 1)
			go func() { first <- write(0) }()
			// Writer 0 leads once it is the batch being committed.
			for {
				db.group.mu.Lock()
				leading := db.group.leading && len(db.group.pending) == 0
				db.group.mu.Unlock()
				if leading {
					break
				}
				time.Sleep(time.Millisecond)
			}
			for i := 1; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = write(i)
				}()
			}
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("writer 0: %v", err)
			}
			failed := 0
			var tx any
			for i := 1; i < n; i++ {
				switch {
				case i == 17:
					if jiedao.ErrorCode(errs[i]) != jiedao.EINVALID {
						t.Errorf("writer 17: %v, want its own error", errs[i])
					}
					failed++
				case i == 23:
					if errs[i] == nil || !strings.Contains(errs[i].Error(), "writer 23 panics") {
						t.Errorf("writer 23: %v, want its panic as its error", errs[i])
					}
					failed++
				case i == 5 || i == 30:
					if errs[i] != nil {
						if jiedao.ErrorCode(errs[i]) != jiedao.ECONFLICT {
							t.Errorf("writer %d: %v, want a conflict", i, errs[i])
						}
						failed++
					}
				case errs[i] != nil:
					t.Errorf("writer %d failed with another's error: %v", i, errs[i])
				default:
					if tx == nil {
						tx = ranIn[i]
					} else if ranIn[i] != tx {
						t.Errorf("writer %d committed in another transaction than the rest of its batch", i)
					}
				}
			}
			if failed != 3 {
				t.Errorf("%d writers failed, want 3 (17, 23, and one of 5 and 30)", failed)
			}
			var rows int
			if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM gc_test`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != n-3 {
				t.Errorf("%d rows stored, want %d", rows, n-3)
			}
			db.group.mu.Lock()
			defer db.group.mu.Unlock()
			if db.group.leading || len(db.group.pending) != 0 {
				t.Errorf("committer not idle after the batches: leading %v, %d pending", db.group.leading, len(db.group.pending))
			}
		})
	}
}

// TestGroupCommitWritesNewCasesTogether holds 39 new cases in one batch
// (over three days, some with a contact, one routed with a dispatch) and
// checks that the batch wrote them together — no rerun case by case —
// with dense numbers per day in the batch's order, each case's row whole,
// its report event and contact, and the aggregates counting each once.
// A second batch with a duplicate external id is run again member by
// member: only that member fails and the rest are stored.
func TestGroupCommitWritesNewCasesTogether(t *testing.T) {
	for _, engine := range []Engine{SQLite, Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db := openScratch(t, engine)
			ctx := context.Background()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			cs := db.Cases()
			// A case stored the old way first, so that the ids taken in
			// advance must follow it.
			first, fe := newTestCase(t, time.Date(2024, 6, 12, 8, 0, 0, 0, calendar.Zone()), "", true)
			if err := cs.db.inTx(ctx, func(tx conn) error { return cs.createCase(ctx, tx, first, fe) }); err != nil {
				t.Fatal(err)
			}
			// Two subdistricts: a case's own, its community's, or none
			// (several, and nothing says which), as the batch gives them.
			j1, j2 := &org.Jurisdiction{DivisionCode: "330106007", Name: "古荡街道"}, &org.Jurisdiction{DivisionCode: "330106008", Name: "西溪街道"}
			for _, j := range []*org.Jurisdiction{j1, j2} {
				if err := db.Org().CreateJurisdiction(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			comm := &org.Community{JurisdictionID: j2.ID, Code: "xixi", Name: "西溪社区"}
			if err := db.Org().CreateCommunity(ctx, comm); err != nil {
				t.Fatal(err)
			}
			wantJurisdiction := func(i int) int64 {
				switch i % 5 {
				case 0:
					return j2.ID
				case 1:
					return j1.ID
				}
				return 0
			}
			const n = 40
			type made struct {
				c *casework.Case
				e *casework.Event
			}
			mk := make([]made, n)
			for i := 1; i < n; i++ {
				day := time.Date(2024, 6, 12+i%3, 9, 0, i, 0, calendar.Zone())
				c, e := newTestCase(t, day, fmt.Sprint("EXT-", i), i%2 == 0)
				if i%4 == 0 {
					c.Person = fmt.Sprint("person-", i%3) // a 12345 caller's identity digest
				}
				switch i % 5 {
				case 0:
					c.Community, e.Payload.Report.Community = comm.ID, comm.ID
				case 1:
					c.JurisdictionID, e.Payload.Report.JurisdictionID = j1.ID, j1.ID
				}
				mk[i] = made{c, e}
			}
			// Every new case of the batch is announced once committed, as a
			// case stored alone is (the boards of every node wait for it).
			notices, stop := db.Subscribe(TopicCases)
			defer stop()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := db.WaitListening(wctx); err != nil {
				t.Fatal(err)
			}
			errs := runHeldBatch(t, db, n, func(i int) error { return cs.CreateCase(ctx, mk[i].c, mk[i].e) })
			heard := map[string]bool{}
			for len(heard) < n-1 {
				select {
				case id := <-notices:
					heard[id] = true
				case <-wctx.Done():
					t.Fatalf("heard %d notices of %d new cases", len(heard), n-1)
				}
			}
			for i := 1; i < n; i++ {
				if !heard[fmt.Sprint(mk[i].c.ID)] {
					t.Errorf("case %d (id %d) was not announced", i, mk[i].c.ID)
				}
			}
			// Their people are indexed, as a case stored alone's are.
			var persons int
			if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_persons`).Scan(&persons); err != nil {
				t.Fatal(err)
			}
			if want := (n - 1) / 4; persons != want {
				t.Errorf("%d people indexed, want %d", persons, want)
			}
			for i := 1; i < n; i++ {
				if errs[i] != nil {
					t.Fatalf("case %d: %v", i, errs[i])
				}
			}
			if r := db.group.reruns.Load(); r != 0 {
				t.Fatalf("the batch was run again case by case %d times: its joint write failed", r)
			}
			perDay := map[string][]string{}
			ids := map[int64]bool{first.ID: true}
			for i := 1; i < n; i++ {
				c, e := mk[i].c, mk[i].e
				if ids[c.ID] || c.ID <= first.ID {
					t.Errorf("case %d: id %d repeated or not after %d", i, c.ID, first.ID)
				}
				ids[c.ID] = true
				day := c.ReportedAt.In(calendar.Zone()).Format("20060102")
				perDay[day] = append(perDay[day], c.Number)
				stored, err := cs.GetCase(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.Number != c.Number || stored.ExternalID != c.ExternalID || stored.Details != c.Details {
					t.Errorf("case %d stored as %s %q %q, made %s %q %q", i, stored.Number, stored.ExternalID, stored.Details, c.Number, c.ExternalID, c.Details)
				}
				if (stored.Reporter.Phone != "") != (i%2 == 0) {
					t.Errorf("case %d: contact %+v", i, stored.Reporter)
				}
				events, err := cs.ListEvents(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(events) != 1 || events[0].ID != e.ID || events[0].Payload.Report.Number != c.Number || events[0].Payload.Report.ID != c.ID {
					t.Fatalf("case %d: events %+v (event id %d)", i, events, e.ID)
				}
				if w := wantJurisdiction(i); stored.JurisdictionID != w || c.JurisdictionID != w || events[0].Payload.Report.JurisdictionID != w {
					t.Errorf("case %d: jurisdiction stored %d, made %d, in its report %d; want %d", i, stored.JurisdictionID, c.JurisdictionID,
						events[0].Payload.Report.JurisdictionID, w)
				}
				replayed, err := casework.Replay(events)
				if err != nil {
					t.Fatal(err)
				}
				if replayed.Number != stored.Number || replayed.Status != stored.Status || replayed.EventCount != stored.EventCount {
					t.Errorf("case %d: replay %+v, stored %+v", i, replayed, stored)
				}
			}
			// Numbers per day: dense, and the day of the case stored first
			// continues after it.
			for day, nums := range perDay {
				sort.Strings(nums)
				start := 1
				if day == "20240612" {
					start = 2
				}
				for k, num := range nums {
					if want := fmt.Sprintf("%s-%04d", day, start+k); num != want {
						t.Errorf("day %s: numbers %v, want from %d densely", day, nums, start)
						break
					}
				}
			}
			year := casework.Filter{Scope: casework.Scope{All: true}, From: time.Date(2024, 1, 1, 0, 0, 0, 0, calendar.Zone()), To: time.Date(2025, 1, 1, 0, 0, 0, 0, calendar.Zone())}
			for _, by := range []casework.CountKey{casework.CountByChannel, casework.CountByMajor} {
				agg, err := cs.CountCasesBy(ctx, year, by)
				if err != nil {
					t.Fatal(err)
				}
				scan, err := cs.ScanOnly().CountCasesBy(ctx, year, by)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(agg) != fmt.Sprint(scan) || len(agg) == 0 {
					t.Errorf("counts by %s: aggregates %v, scanning %v", by, agg, scan)
				}
			}

			// A batch with a duplicate external id: run again member by
			// member, the duplicate alone refused, nothing of it kept.
			for i := 1; i < n; i++ {
				ext := fmt.Sprint("NEXT-", i)
				if i == 11 {
					ext = "EXT-5" // stored in the first batch
				}
				c, e := newTestCase(t, time.Date(2024, 7, 1, 9, 0, i, 0, calendar.Zone()), ext, i%2 == 0)
				mk[i] = made{c, e}
			}
			errs = runHeldBatch(t, db, n, func(i int) error { return cs.CreateCase(ctx, mk[i].c, mk[i].e) })
			for i := 1; i < n; i++ {
				if i == 11 {
					if jiedao.ErrorCode(errs[i]) != jiedao.ECONFLICT {
						t.Errorf("the duplicate external id: %v", errs[i])
					}
					continue
				}
				if errs[i] != nil {
					t.Errorf("case %d beside the duplicate: %v", i, errs[i])
				}
			}
			if r := db.group.reruns.Load(); r != 1 {
				t.Errorf("%d reruns, want 1", r)
			}
			var stored int
			if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM cases WHERE reported_at >= ?`, time.Date(2024, 7, 1, 0, 0, 0, 0, calendar.Zone())).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored != n-2 {
				t.Errorf("%d cases of 1 July stored, want %d", stored, n-2)
			}
		})
	}
}

// newTestCase builds a new case and its report event as the service does.
func newTestCase(t *testing.T, at time.Time, ext string, contact bool) (*casework.Case, *casework.Event) {
	t.Helper()
	c := &casework.Case{Channel: casework.ChannelHotline, ExternalID: ext, Category: "0101", Urgency: casework.UrgencyNormal, Title: "暴露垃圾",
		Details: "路边垃圾无人清理 " + ext}
	if contact {
		c.Reporter = casework.Contact{Name: "张三", Phone: "13812345678"}
	}
	snap := *c
	e := &casework.Event{Seq: 1, Action: casework.ActReport, ActorKind: "resident", ActorName: "张三", At: at,
		To: casework.StatusReported, Payload: casework.Payload{Report: &snap}}
	nc, err := casework.Apply(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	return nc, e
}

// runHeldBatch runs write(1…n-1) as one group-commit batch: a first
// writer leads a batch of its own and holds it until all the others are
// queued behind it. It returns their errors.
func runHeldBatch(t *testing.T, db *DB, n int, write func(i int) error) []error {
	t.Helper()
	ctx := context.Background()
	hold := make(chan error, 1)
	go func() {
		hold <- db.inGroupTx(ctx, func(ctx context.Context, tx conn) error {
			deadline := time.Now().Add(30 * time.Second)
			for {
				db.group.mu.Lock()
				queued := len(db.group.pending)
				db.group.mu.Unlock()
				if queued == n-1 {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("only %d writers queued", queued)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}()
	for {
		db.group.mu.Lock()
		leading := db.group.leading && len(db.group.pending) == 0
		db.group.mu.Unlock()
		if leading {
			break
		}
		time.Sleep(time.Millisecond)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = write(i)
		}()
	}
	wg.Wait()
	if err := <-hold; err != nil {
		t.Fatalf("the holding writer: %v", err)
	}
	return errs
}
