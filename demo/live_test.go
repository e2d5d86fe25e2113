package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// clock is a settable clock for the services and the live driver.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// liveDriver wires a live driver over db as cmd/jiedao does, on clk.
func liveDriver(db *store.DB, clk func() time.Time, seed uint64) *demo.Live {
	calStore := db.Calendar(calendar.DefaultWorkingHours())
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := &casework.Service{Store: db.Cases(), Units: db.Org(), Calendars: calStore, CalendarEdit: calStore,
		Places: org.NewPlaces(db.Org()), Now: clk, Log: quiet}
	return &demo.Live{Cases: cases, Intake: &intake.Service{Store: db.Intake(), Cases: cases, Now: clk},
		Org: db.Org(), Now: clk, Seed: seed}
}

// TestLiveDriver builds a small demo, then lets the live driver take 150
// steps, a simulated 20 seconds apart: new reports come in by every
// channel (the alarms signed through the webhook's path), and every step
// of the loop is taken on cases by the actor it belongs to, each stored
// case still the replay of its events.
func TestLiveDriver(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 7, 9, 40, 0, 0, calendar.Zone())}
		if _, err := demo.Generate(ctx, db, demo.Options{Year: 2023, Scale: 0.005, Seed: 5, Now: clk.Now()}, nil); err != nil {
			t.Fatal(err)
		}
		lastEvent := scalar(t, db, `SELECT COALESCE(MAX(id), 0) FROM case_events`)
		casesBefore := scalar(t, db, `SELECT COUNT(*) FROM cases`)
		live := liveDriver(db, clk.Now, 42)
		if err := live.Start(ctx); err != nil {
			t.Fatal(err)
		}
		steps := map[string]int{}
		for range 150 {
			clk.add(20 * time.Second)
			what, err := live.Tick(ctx)
			if err != nil {
				t.Fatalf("step %s: %v", what, err)
			}
			steps[what]++
		}
		t.Logf("steps: %v", steps)

		// What was written since, by action, channel and actor.
		rows, err := db.Query(ctx, `SELECT e.case_id, e.action, e.actor_kind, e.actor_role, c.channel FROM case_events e
			JOIN cases c ON c.id = e.case_id WHERE e.id > ? ORDER BY e.id`, lastEvent)
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ action, kind, role string }
		seen := map[key]int{}
		reportedBy := map[string]int{}
		touched := map[int64]bool{}
		for rows.Next() {
			var id int64
			var action, kind, role, channel string
			if err := rows.Scan(&id, &action, &kind, &role, &channel); err != nil {
				t.Fatal(err)
			}
			seen[key{action, kind, role}]++
			if action == "report" {
				reportedBy[channel]++
			}
			touched[id] = true
		}
		rows.Close()
		casesAfter := scalar(t, db, `SELECT COUNT(*) FROM cases`)
		if casesAfter <= casesBefore {
			t.Fatalf("no new case: %d before, %d after", casesBefore, casesAfter)
		}
		for _, ch := range []string{"xihu_code", "grid", "iot", "police", "hotline"} {
			if reportedBy[ch] == 0 {
				t.Errorf("no new report by %s: %v", ch, reportedBy)
			}
		}
		want := []key{
			{"report", "resident", ""}, {"report", "staff", "grid_worker"}, {"report", "client", ""},
			{"accept", "staff", "dispatcher"}, {"dispatch", "staff", "dispatcher"},
			{"sign", "staff", "unit_handler"}, {"start", "staff", "unit_handler"}, {"handle", "staff", "unit_handler"},
			{"verify", "staff", "grid_worker"}, {"close", "staff", "dispatcher"}, {"rate", "staff", "dispatcher"},
		}
		for _, k := range want {
			if seen[k] == 0 {
				t.Errorf("no %s by %s %s", k.action, k.kind, k.role)
			}
		}
		// Every case the driver touched is its events' replay.
		for id := range touched {
			c, err := db.Cases().GetCase(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			events, err := db.Cases().ListEvents(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				if e.At.After(clk.Now()) {
					t.Errorf("case %s: %s at %s, after the driver's clock", c.Number, e.Action, e.At)
				}
			}
			r, err := casework.Replay(events)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(r)
			if string(a) != string(b) {
				t.Fatalf("case %s differs from its replay", c.Number)
			}
		}
		// A second start on the same database registers no sensor twice.
		if err := liveDriver(db, clk.Now, 43).Start(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// scalar runs a query of one number.
func scalar(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	rows, err := db.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParsePace(t *testing.T) {
	for in, want := range map[string]time.Duration{"off": 0, "0": 0, "5s": 5 * time.Second, "12/min": 5 * time.Second,
		"2/s": 500 * time.Millisecond, "300/h": 12 * time.Second, "250ms": 250 * time.Millisecond} {
		got, err := demo.ParsePace(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"fast", "-1s", "0/min", "3/week", "1ns"} {
		if _, err := demo.ParsePace(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
