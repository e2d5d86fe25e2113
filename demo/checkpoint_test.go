package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// TestInterruptedBuildResumes builds a year (with part of the next, up to
// a recorded now) in one go, and the same year on another database
// interrupted twice after a chunk was committed, each time run again:
// the resumed database holds the same cases, numbers, ids, events,
// aggregates, domains' records and report figures as the one built in
// one go, and says its build is finished.
func TestInterruptedBuildResumes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, whole *store.DB) {
		ctx := context.Background()
		opt := Options{Year: 2023, Scale: 0.02, Seed: 5, chunk: 500, Now: time.Date(2024, 1, 12, 10, 30, 0, 0, calendar.Zone())}
		sum, err := Generate(ctx, whole, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		cut := testdb.Open(t, whole.Engine())
		var runs []string
		for run, stopAt := range []int{0, 1, -1} {
			o := opt
			if run > 0 {
				p, err := Pending(ctx, cut)
				if err != nil || p == nil {
					t.Fatalf("run %d: pending build %v, %v", run+1, p, err)
				}
				o = *p
				if !o.Now.Equal(opt.Now) || o.Scale != opt.Scale || o.Seed != opt.Seed || o.Year != opt.Year {
					t.Fatalf("run %d: recorded options %+v, built with %+v", run+1, o, opt)
				}
			}
			runCtx, cancel := context.WithCancel(ctx)
			o.afterChunk = func(k int) {
				if k == stopAt {
					cancel()
				}
			}
			var out bytes.Buffer
			_, err := Generate(runCtx, cut, o, &out)
			cancel()
			runs = append(runs, out.String())
			if stopAt >= 0 {
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("run %d: interrupted after chunk %d: %v", run+1, stopAt, err)
				}
				st, err := cut.BuildState(ctx)
				if err != nil || st.LastChunk != stopAt || st.Done() {
					t.Fatalf("run %d: checkpoints %+v, %v; want the last chunk %d, not done", run+1, st, err, stopAt)
				}
				continue
			}
			if err != nil {
				t.Fatalf("run %d: %v", run+1, err)
			}
		}
		if p, err := Pending(ctx, cut); err != nil || p != nil {
			t.Fatalf("a finished build is pending: %v, %v", p, err)
		}
		end := fmt.Sprintf("stored %d / %d cases", sum.Cases, sum.Cases)
		if !strings.Contains(runs[2], end) || !strings.Contains(runs[2], fmt.Sprintf("resuming: %d cases stored by earlier runs", 2*opt.chunk)) {
			t.Errorf("the resumed run's progress does not say what it skipped:\n%s", runs[2])
		}
		st, err := cut.BuildState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.LastChunk < 2 {
			t.Fatalf("only %d chunks: the test interrupts nothing", st.LastChunk+1)
		}
		for _, q := range []string{
			`SELECT COUNT(*), COALESCE(SUM(id), 0) FROM cases`,
			`SELECT COUNT(*), COALESCE(SUM(id), 0) FROM case_events`,
			`SELECT COUNT(*), COALESCE(SUM(unit_id), 0) FROM assignments`,
			`SELECT COUNT(*), COALESCE(SUM(case_id), 0) FROM case_persons`,
			`SELECT COUNT(*), COALESCE(SUM(case_id), 0) FROM case_contacts`,
			`SELECT COUNT(*), COALESCE(SUM(last), 0) FROM case_numbers`,
			`SELECT COUNT(*), COALESCE(SUM(n), 0) FROM agg_counts`,
			`SELECT COUNT(*), 0 FROM agg_eval_cases`,
			`SELECT COUNT(*), 0 FROM agg_eval_dispatches`,
			`SELECT COUNT(*), 0 FROM enterprises`,
			`SELECT COUNT(*), 0 FROM ledger_entries`,
			`SELECT COUNT(*), 0 FROM staff`,
			`SELECT id || ' ' || number || ' ' || status || ' ' || channel || ' ' || category || ' ' || COALESCE(unit_id, 0) || ' ' || event_count, 0 FROM cases ORDER BY id`,
			`SELECT case_id || ' ' || seq || ' ' || action || ' ' || to_status, id FROM case_events ORDER BY id`,
		} {
			a, b := rowsOf(t, whole, q), rowsOf(t, cut, q)
			if a != b {
				t.Errorf("%s:\none go  %.300s\nresumed %.300s", q, a, b)
			}
		}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}
		for _, year := range []int{2023, 2024} {
			va, err := report.Compute(ctx, &casework.Service{Store: whole.Cases(), Now: time.Now}, leader, year)
			if err != nil {
				t.Fatal(err)
			}
			vb, err := report.Compute(ctx, &casework.Service{Store: cut.Cases(), Now: time.Now}, leader, year)
			if err != nil {
				t.Fatal(err)
			}
			if len(va) == 0 || fmt.Sprint(figures(va)) != fmt.Sprint(figures(vb)) {
				t.Errorf("%d figures: one go %v, resumed %v", year, figures(va), figures(vb))
			}
		}
	})
}

func figures(vs []report.Value) map[string]float64 {
	m := map[string]float64{}
	for _, v := range vs {
		m[v.Key] = v.Value
	}
	return m
}

// rowsOf is every row of q (two columns) as text.
func rowsOf(t *testing.T, db *store.DB, q string) string {
	t.Helper()
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d;", a, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestExternalIDsNeverRepeat: two generators drawing the same numbers
// into one set of ids give different ids (at a city's scale ten random
// digits collide, and cases of a channel need unique ids).
func TestExternalIDsNeverRepeat(t *testing.T) {
	ids := map[string]bool{}
	a := &generator{rng: rand.New(rand.NewPCG(1, 2)), year: 2023, externalIDs: ids}
	b := &generator{rng: rand.New(rand.NewPCG(1, 2)), year: 2023, externalIDs: ids}
	for i := 0; i < 1000; i++ {
		if x, y := a.externalID("ALM"), b.externalID("ALM"); x == y {
			t.Fatalf("draw %d: both gave %s", i, x)
		}
	}
	if len(ids) != 2000 {
		t.Fatalf("%d ids given for 2,000 draws", len(ids))
	}
}

// TestSortPlansIsStable: plans sorted by time keep the order of those of
// the same time, exactly as sort.SliceStable leaves them (a resumed build
// must order its cases as the run before it did).
func TestSortPlansIsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, calendar.Zone())
	plans := make([]casePlan, 5000)
	for i := range plans {
		plans[i] = casePlan{at: base.Add(time.Duration(rng.IntN(300)) * time.Second), category: fmt.Sprint(i)}
	}
	want := slices.Clone(plans)
	sort.SliceStable(want, func(a, b int) bool { return want[a].at.Before(want[b].at) })
	sortPlans(plans)
	for i := range plans {
		if plans[i].category != want[i].category {
			t.Fatalf("plan %d: %s, stable sort %s", i, plans[i].category, want[i].category)
		}
	}
}

// TestResumeRefusesAnotherGenerator: a resumed build whose chunks made
// again are not the ones stored (here a checkpoint's event count altered,
// as a changed generator would give) stops, and writes nothing more.
func TestResumeRefusesAnotherGenerator(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		runCtx, cancel := context.WithCancel(ctx)
		opt := Options{Year: 2023, Scale: 0.01, Seed: 9, chunk: 200, afterChunk: func(int) { cancel() }}
		if _, err := Generate(runCtx, db, opt, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted build: %v", err)
		}
		cancel()
		if _, err := db.Exec(ctx, `UPDATE build_checkpoints SET events = events + 1 WHERE phase = 'cases' AND chunk = 0`); err != nil {
			t.Fatal(err)
		}
		opt.afterChunk = nil
		_, err := Generate(ctx, db, opt, nil)
		if err == nil || !strings.Contains(err.Error(), "chunk 0 made again") {
			t.Fatalf("resumed over another generator's chunk: %v", err)
		}
		st, err := db.BuildState(ctx)
		if err != nil || st.LastChunk != 0 || st.Cases != 200 {
			t.Fatalf("after the refusal: %+v, %v", st, err)
		}
	})
}
