package kinds_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/petition"
	"github.com/jiedao/jiedao/store"
)

// runJob runs the deadline job at the time and returns the statutory
// clocks' marks it wrote on the case since the seq (the loop's own
// deadline marks left out), checking the counts it returned include them.
func (w *world) runJob(t *testing.T, at string, c *casework.Case, since *int) []*casework.Event {
	t.Helper()
	w.clock.Set(cst(at))
	warned, overdue, err := w.svc.RunDeadlines(bg)
	if err != nil {
		t.Fatalf("deadline job at %s: %v", at, err)
	}
	evs, err := w.db.Cases().ListEvents(bg, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []*casework.Event
	for _, e := range evs {
		if e.Seq > *since && e.Payload.Clock != "" && e.Action != casework.ActSupervise { // supervisions: TestKindClockSupervision
			out = append(out, e)
		}
	}
	*since = len(evs)
	if len(out) > warned+overdue {
		t.Fatalf("deadline job at %s wrote %d clock marks but counted %d warned and %d overdue", at, len(out), warned, overdue)
	}
	return out
}

// checkMark checks one mark of the clock, with its article in the payload
// and in the notice the case's history shows.
func checkMark(t *testing.T, at string, got []*casework.Event, act casework.Action, clock, article string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("at %s: %d clock marks, want one %s", at, len(got), act)
	}
	e := got[0]
	if e.Action != act || e.Payload.Clock != clock || e.Payload.Article != article || !strings.Contains(e.Reason, article) || e.ActorKind != "system" {
		t.Fatalf("at %s: %s of %s citing %q (%q, by %s); want %s of %s citing %s", at, e.Action, e.Payload.Clock, e.Payload.Article, e.Reason, e.ActorKind, act, clock, article)
	}
	if !e.At.Equal(cst(at)) {
		t.Errorf("mark at %s, want %s", e.At, at)
	}
}

func none(t *testing.T, at string, got []*casework.Event) {
	t.Helper()
	for _, e := range got {
		t.Errorf("at %s: unexpected %s of %s (%s)", at, e.Action, e.Payload.Clock, e.Reason)
	}
}

// onBoard checks which of the board's 预警 and 超期 sections list the case.
func (w *world) onBoard(t *testing.T, id int64, want casework.DueState) {
	t.Helper()
	for _, d := range []casework.DueState{casework.DueWarning, casework.DueOverdue} {
		list, _, err := w.svc.List(bg, w.officer(casework.KindPetition), casework.Filter{Due: d, Now: w.clock.Now(), Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range list {
			found = found || c.ID == id
		}
		if found != (d == want) {
			t.Errorf("at %s the board's %s section lists the case: %v; want the case under %q", w.clock.Now().Format("2006-01-02 15:04"), d, found, want)
		}
	}
}

// The deadline job raises a petition's acceptance clock's warning and its
// overdue mark once each, at the moments the official calendar gives: 15
// days from Saturday 7 January 2023 end on Saturday 28 January (a make-up
// workday after the Spring Festival), warned 3 days before.
func TestKindClockDeadlineJobPetition(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.report(t, "2023-01-07 10:00", casework.KindPetition, `{"level":"city","channel":"visit","petitioner_name":"王小明","petitioner_id":"330106198001011234"}`)
		st := clockState(t, w, c, "petition.accept")
		if !st.Due.Equal(cst("2023-01-29 00:00")) || !st.Warn.Equal(cst("2023-01-26 00:00")) {
			t.Fatalf("acceptance due %s, warned %s; want the end of 28 January, warned from 26 January", st.Due, st.Warn)
		}
		art := petition.ClockAccept.Article
		seq := 0
		none(t, "2023-01-20 09:00", w.runJob(t, "2023-01-20 09:00", c, &seq))
		none(t, "2023-01-25 23:59", w.runJob(t, "2023-01-25 23:59", c, &seq))
		checkMark(t, "2023-01-26 00:00", w.runJob(t, "2023-01-26 00:00", c, &seq), casework.ActWarn, "petition.accept", art)
		w.onBoard(t, c.ID, casework.DueWarning)
		none(t, "2023-01-26 00:00 again", w.runJob(t, "2023-01-26 00:00", c, &seq))
		none(t, "2023-01-28 23:59", w.runJob(t, "2023-01-28 23:59", c, &seq))
		checkMark(t, "2023-01-29 00:00", w.runJob(t, "2023-01-29 00:00", c, &seq), casework.ActOverdue, "petition.accept", art)
		w.onBoard(t, c.ID, casework.DueOverdue)
		none(t, "2023-01-29 00:00 again", w.runJob(t, "2023-01-29 00:00", c, &seq))
		none(t, "2023-02-15 09:00", w.runJob(t, "2023-02-15 09:00", c, &seq))

		c, err := db.Cases().GetCase(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if clk := c.KindState.Clock("petition.accept"); clk == nil || !clk.Warned || !clk.Overdue {
			t.Fatalf("the stored clock does not record its marks: %+v", clk)
		}
		if st := clockState(t, w, c, "petition.accept"); st.Status != calendar.ClockOverdue {
			t.Errorf("acceptance clock %s, want overdue", st.Status)
		}
		// The marks are in the case's history, and replay gives the stored case.
		evs, err := db.Cases().ListEvents(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := casework.Replay(evs)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(r.KindState)
		b, _ := json.Marshal(c.KindState)
		if string(a) != string(b) || !r.EverOverdue {
			t.Errorf("replay differs (ever overdue %v):\n%s\n%s", r.EverOverdue, a, b)
		}
		// Met late, it raises nothing more.
		po := w.officer(casework.KindPetition)
		w.step(t, po, c.ID, "2023-02-16 09:00", casework.ActAccept, "", "")
		c = w.step(t, po, c.ID, "2023-02-16 10:00", casework.ActPetitionAccept, "", "")
		w.onBoard(t, c.ID, casework.DueNone)
		if st := clockState(t, w, c, "petition.accept"); st.Status != calendar.ClockLate {
			t.Errorf("acceptance clock %s after acceptance, want late", st.Status)
		}
		seq = c.EventCount
		for _, e := range w.runJob(t, "2023-02-17 09:00", c, &seq) {
			if e.Payload.Clock == "petition.accept" {
				t.Errorf("a met clock raised %s", e.Action)
			}
		}
	})
}

// A paused clock raises nothing while it stands still, past the times it
// would have warned and ended; resumed, it warns and ends at its new times.
func TestKindClockDeadlineJobPaused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		m := w.officer(casework.KindDispute)
		c := w.report(t, "2023-01-03 10:00", casework.KindDispute, `{"type":"family","amount":0,"parties":[{"name":"李一"},{"name":"李二"}]}`)
		w.step(t, m, c.ID, "2023-01-04 09:00", casework.ActAccept, "", "")
		c = w.step(t, m, c.ID, "2023-01-05 09:00", casework.ActClockPause, `{"clock":"dispute.mediate"}`, "一方当事人返乡过年")
		seq := 0
		// Unpaused, it would have warned from 30 January and ended on 3 February.
		for _, at := range []string{"2023-01-30 09:00", "2023-02-04 09:00", "2023-03-01 08:00"} {
			none(t, at+" (paused)", w.runJob(t, at, c, &seq))
		}
		c = w.step(t, m, c.ID, "2023-03-01 09:00", casework.ActClockResume, `{"clock":"dispute.mediate"}`, "")
		// Paused 5 January to 1 March (55 days): 85 days from 4 January, Thursday 30 March.
		st := clockState(t, w, c, "dispute.mediate")
		if st.DueDate != "2023-03-30" || !st.Warn.Equal(cst("2023-03-26 00:00")) {
			t.Fatalf("resumed: due %s, warned %s; want 2023-03-30, from 26 March", st.DueDate, st.Warn)
		}
		art := st.Article
		none(t, "2023-03-25 23:59", w.runJob(t, "2023-03-25 23:59", c, &seq))
		checkMark(t, "2023-03-26 00:00", w.runJob(t, "2023-03-26 00:00", c, &seq), casework.ActWarn, "dispute.mediate", art)
		none(t, "2023-03-30 23:59", w.runJob(t, "2023-03-30 23:59", c, &seq))
		checkMark(t, "2023-03-31 00:00", w.runJob(t, "2023-03-31 00:00", c, &seq), casework.ActOverdue, "dispute.mediate", art)
		none(t, "2023-04-10 09:00", w.runJob(t, "2023-04-10 09:00", c, &seq))
	})
}

// A party's window (the hearing request, 5 working days from the notice)
// runs out unused: it is expired, not overdue, and the job raises nothing.
func TestKindClockDeadlineJobWindow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		eo := w.officer(casework.KindEnforcement)
		c := w.report(t, "2023-09-18 10:00", casework.KindEnforcement, `{"subtype":"penalty","party":"杭州某餐饮有限公司","party_org":true,"violation":"占道经营"}`)
		w.step(t, eo, c.ID, "2023-09-20 10:00", casework.ActAccept, "", "")
		w.step(t, eo, c.ID, "2023-09-21 10:00", casework.ActInvestigate, "", "")
		c = w.step(t, eo, c.ID, "2023-09-27 15:00", casework.ActNotify, `{"fine":2000}`, "")
		seq := 0
		for _, at := range []string{"2023-10-09 09:00", "2023-10-10 09:00", "2023-10-10 17:30", "2023-10-11 09:00", "2023-10-20 09:00"} {
			none(t, at, w.runJob(t, at, c, &seq))
		}
		c, err := db.Cases().GetCase(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st := clockState(t, w, c, "enforcement.hearing_request"); st.Status != calendar.ClockExpired {
			t.Errorf("hearing window %s, want expired", st.Status)
		}
		if c.EverOverdue {
			t.Error("an expired window made the case overdue")
		}
	})
}

// A statutory clock gone overdue opens one supervision (督办), on both
// engines: the deadline job run twice opens it once, naming the clock and
// its article; the case counts it and replays to itself; a supervision
// left unopened by a run that stopped after the overdue mark is opened by
// the next run, once.
func TestKindClockSupervision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		supervisions := func(id int64) []*casework.Event {
			t.Helper()
			evs, err := db.Cases().ListEvents(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []*casework.Event
			for _, e := range evs {
				if e.Action == casework.ActSupervise {
					out = append(out, e)
				}
			}
			return out
		}
		run := func(at string) {
			t.Helper()
			w.clock.Set(cst(at))
			if _, _, err := w.svc.RunDeadlines(bg); err != nil {
				t.Fatal(err)
			}
		}
		c := w.report(t, "2023-01-07 10:00", casework.KindPetition, `{"level":"city","channel":"visit","petitioner_name":"王小明","petitioner_id":"330106198001011234"}`)
		run("2023-01-28 12:00") // warned, not overdue: no supervision
		if n := len(supervisions(c.ID)); n != 0 {
			t.Fatalf("%d supervisions before the end", n)
		}
		run("2023-01-29 00:00")
		run("2023-01-29 00:00")
		run("2023-02-03 09:00")
		sv := supervisions(c.ID)
		if len(sv) != 1 {
			t.Fatalf("%d supervisions after three runs past the end, want 1", len(sv))
		}
		art := petition.ClockAccept.Article
		if e := sv[0]; e.Payload.Clock != "petition.accept" || e.Payload.Article != art || !strings.Contains(e.Reason, art) || !strings.Contains(e.Reason, "督办") || e.ActorKind != "system" {
			t.Errorf("the supervision: %s %s %q by %s", e.Payload.Clock, e.Payload.Article, e.Reason, e.ActorKind)
		}
		got, err := db.Cases().GetCase(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SupervisionCount != 1 || !got.KindState.Clock("petition.accept").Supervised {
			t.Errorf("the case counts %d supervisions; clock %+v", got.SupervisionCount, got.KindState.Clock("petition.accept"))
		}
		evs, _ := db.Cases().ListEvents(bg, c.ID)
		if r, err := casework.Replay(evs); err != nil || r.SupervisionCount != 1 || !r.KindState.Clock("petition.accept").Supervised {
			t.Errorf("replay: %v", err)
		}

		// A run that stopped after the overdue mark: the next run opens the
		// supervision, once.
		d := w.report(t, "2023-01-07 11:00", casework.KindPetition, `{"level":"city","channel":"visit","petitioner_name":"李四","petitioner_id":"330106198001015678"}`)
		cal, err := w.svc.Calendars.Calendar(bg)
		if err != nil {
			t.Fatal(err)
		}
		now := cst("2023-01-30 09:00")
		if _, _, err := db.Cases().UpdateCase(bg, d.ID, func(c *casework.Case) (*casework.Event, error) {
			e := casework.ClockEvent(cal, c, now)
			if e == nil || e.Action != casework.ActOverdue {
				t.Fatalf("first event %v, want the overdue mark", e)
			}
			_, err := casework.Apply(c, e)
			return e, err
		}); err != nil {
			t.Fatal(err)
		}
		if n := len(supervisions(d.ID)); n != 0 {
			t.Fatalf("%d supervisions after the mark alone", n)
		}
		run("2023-01-30 10:00")
		run("2023-01-30 11:00")
		if n := len(supervisions(d.ID)); n != 1 {
			t.Fatalf("%d supervisions after the interrupted run, want 1", n)
		}
	})
}
