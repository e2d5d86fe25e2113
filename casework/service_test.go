package casework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

var bg = context.Background()

const residentPhone = "13812345678"

// world is the fixture organisation with a Service on a fake clock.
type world struct {
	db    *store.DB
	o     *fixture.Org
	clock *fixture.Clock
	svc   *casework.Service
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	o, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	clock := fixture.NewClock(cst(2024, 1, 2, 9, 0))
	return &world{db: db, o: o, clock: clock, svc: o.Service(clock.Now)}
}

func (w *world) input(gridID int64, category string) casework.ReportInput {
	in := casework.ReportInput{Category: category, Details: "问题描述：" + category, Reporter: casework.Contact{Name: "张三丰", Phone: residentPhone}}
	if gridID != 0 {
		in.Lat, in.Lon = w.o.LatLon(gridID)
	}
	if category == fixture.CatPiledMaterial {
		in.Attributes = map[string][]string{"material": {"brick"}}
	}
	return in
}

// report files a report in a grid at time at.
func (w *world) report(t *testing.T, at time.Time, a org.Actor, gridID int64, category string) *casework.Case {
	t.Helper()
	w.clock.Set(at)
	c, err := w.svc.Report(bg, a, w.input(gridID, category))
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	return c
}

// step takes a step at time at; it must succeed.
func (w *world) step(t *testing.T, at time.Time, a org.Actor, id int64, in casework.StepInput) *casework.Case {
	t.Helper()
	w.clock.Set(at)
	c, err := w.svc.Step(bg, a, id, in)
	if err != nil {
		t.Fatalf("%s on case %d by %s at %s: %v", in.Action, id, a.Name, at.Format(time.DateTime), err)
	}
	return c
}

// stored returns the stored case as JSON and its event count.
func (w *world) stored(t *testing.T, id int64) (string, int) {
	t.Helper()
	c, err := w.db.Cases().GetCase(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.db.Cases().ListEvents(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	return string(b), len(evs)
}

// refused takes a step that must fail with the code and change nothing.
func (w *world) refused(t *testing.T, at time.Time, a org.Actor, id int64, in casework.StepInput, code string) {
	t.Helper()
	before, n := w.stored(t, id)
	w.clock.Set(at)
	c, err := w.svc.Step(bg, a, id, in)
	if got := jiedao.ErrorCode(err); got != code {
		t.Errorf("%s on case %d by %s: got %q (%v, %v), want %q", in.Action, id, a.Name, got, err, c, code)
	}
	if zh, en := jiedao.ErrorMessages(err); zh == "" || en == "" {
		t.Errorf("%s: an error without messages", in.Action)
	}
	after, m := w.stored(t, id)
	if after != before || m != n {
		t.Errorf("refused %s changed the case:\nbefore %s (%d events)\nafter  %s (%d events)", in.Action, before, n, after, m)
	}
}

// checkReplay asserts that the stored case is the replay of its events.
func (w *world) checkReplay(t *testing.T, id int64) *casework.Case {
	t.Helper()
	c, err := w.db.Cases().GetCase(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.db.Cases().ListEvents(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := casework.Replay(evs)
	if err != nil {
		t.Fatalf("replay of case %d: %v", id, err)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(r)
	if string(a) != string(b) {
		t.Fatalf("case %d: stored and replayed differ:\nstored   %s\nreplayed %s", id, a, b)
	}
	return c
}

// act is a step with nothing more than it needs: handling is reported
// with what was done.
func act(a casework.Action) casework.StepInput {
	if a == casework.ActHandle {
		return casework.StepInput{Action: a, Reason: "已处置完毕"}
	}
	return casework.StepInput{Action: a}
}
func why(a casework.Action, reason string) casework.StepInput {
	return casework.StepInput{Action: a, Reason: reason}
}
func dispatchTo(unit int64) casework.StepInput {
	return casework.StepInput{Action: casework.ActDispatch, UnitID: unit}
}

func eqTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Errorf("%s = %v, want %s", what, got, want.Format(time.DateTime))
	}
}

func eqDeadline(t *testing.T, what string, d *casework.Deadline, due, warn time.Time) {
	t.Helper()
	if d == nil {
		t.Errorf("%s: no deadline, want due %s", what, due.Format(time.DateTime))
		return
	}
	if !d.Due.Equal(due) || !d.Warn.Equal(warn) {
		t.Errorf("%s: due %s warn %s, want due %s warn %s", what, d.Due.Format(time.DateTime), d.Warn.Format(time.DateTime),
			due.Format(time.DateTime), warn.Format(time.DateTime))
	}
}

// TestHappyPath walks one case through the whole loop by the roles that
// own each step, over the National Day holiday of 2024.
func TestHappyPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		resident := org.ResidentActor("张三丰")

		c := w.report(t, cst(2024, 9, 30, 9, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
		if c.Number != "20240930-0001" || c.Status != casework.StatusReported || c.GridID != o.GridW1.ID || c.Community != o.Wenhua.ID ||
			c.SuggestedUnit != o.Chengguan.ID || c.Channel != casework.ChannelXihuCode || c.Urgency != casework.UrgencyNormal ||
			!c.ReportedAt.Equal(cst(2024, 9, 30, 9, 0)) || c.Title != "问题描述：0101" {
			t.Fatalf("reported: %+v", c)
		}
		// The resident sees his own contact masked like everyone who does not call back.
		if c.Reporter.Phone != "138****5678" || c.Reporter.Name != "张**" {
			t.Errorf("resident's view: %+v", c.Reporter)
		}

		// Accept: the close deadline is 5 working days after 09-30, the
		// holiday 10-01…07 skipped and Saturday 10-12 a make-up workday.
		// Warning at 80 % of its 44h20m working time: 10-11 16:08.
		c = w.step(t, cst(2024, 9, 30, 9, 10), disp, c.ID, act(casework.ActAccept))
		eqTime(t, "accepted", c.AcceptedAt, cst(2024, 9, 30, 9, 10))
		eqDeadline(t, "close", c.Deadlines.Close, cst(2024, 10, 12, 17, 30), cst(2024, 10, 11, 16, 8))

		// Dispatch at 16:30: 1 working hour that day, the second after the
		// holiday: sign-for due 10-08 09:30, warning after 96 minutes: 09:06.
		c = w.step(t, cst(2024, 9, 30, 16, 30), disp, c.ID, dispatchTo(o.Chengguan.ID))
		if c.Status != casework.StatusDispatched || c.UnitID != o.Chengguan.ID || c.Assignments != 1 {
			t.Fatalf("dispatched: %+v", c)
		}
		eqTime(t, "dispatched", c.DispatchedAt, cst(2024, 9, 30, 16, 30))
		eqDeadline(t, "sign", c.Deadlines.Sign, cst(2024, 10, 8, 9, 30), cst(2024, 10, 8, 9, 6))
		if got := c.DueStateAt(cst(2024, 10, 7, 23, 0)); got != casework.DueOK {
			t.Errorf("during the holiday the case is %q", got)
		}

		// Sign at 09:00 on the first working day: in time. Start due in 4
		// working hours (14:30 across lunch), finish in 3 working days.
		handler, lead := o.Actor(org.RoleUnitHandler), o.Actor(org.RoleUnitLead)
		c = w.step(t, cst(2024, 10, 8, 9, 0), handler, c.ID, act(casework.ActSign))
		if c.Status != casework.StatusSigned || c.SignedOnTime == nil || !*c.SignedOnTime {
			t.Errorf("signed: %+v", c)
		}
		eqTime(t, "signed", c.SignedAt, cst(2024, 10, 8, 9, 0))
		eqDeadline(t, "start", c.Deadlines.Start, cst(2024, 10, 8, 14, 30), cst(2024, 10, 8, 13, 42))
		eqDeadline(t, "finish", c.Deadlines.Finish, cst(2024, 10, 11, 17, 30), cst(2024, 10, 11, 10, 6))
		if st, d := c.Running(); st != casework.StageStart || d != c.Deadlines.Start {
			t.Errorf("running %s", st)
		}

		c = w.step(t, cst(2024, 10, 8, 10, 0), lead, c.ID, act(casework.ActStart))
		eqTime(t, "started", c.StartedAt, cst(2024, 10, 8, 10, 0))
		c = w.step(t, cst(2024, 10, 9, 10, 0), handler, c.ID, casework.StepInput{Action: casework.ActHandle, Reason: "已清运", Photos: []string{"att/1.jpg"}})
		eqTime(t, "handled", c.HandledAt, cst(2024, 10, 9, 10, 0))
		if c.Status != casework.StatusHandled || c.HandledCount != 1 {
			t.Errorf("handled: %+v", c)
		}
		c = w.step(t, cst(2024, 10, 9, 11, 0), o.Actor(org.RoleGridWorker), c.ID, act(casework.ActVerify))
		eqTime(t, "verified", c.VerifiedAt, cst(2024, 10, 9, 11, 0))
		c = w.step(t, cst(2024, 10, 9, 14, 0), disp, c.ID, act(casework.ActClose))
		eqTime(t, "closed", c.ClosedAt, cst(2024, 10, 9, 14, 0))
		if c.Status != casework.StatusClosed || c.ClosedOnTime == nil || !*c.ClosedOnTime {
			t.Errorf("closed: %+v", c)
		}
		if st, _ := c.Running(); st != casework.StageNone {
			t.Errorf("a closed case runs %s", st)
		}
		c = w.step(t, cst(2024, 10, 10, 9, 0), resident, c.ID, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingSatisfied,
			Comment: " 处理很快 ", Phone: "138-1234-5678"})
		if c.Status != casework.StatusClosed || c.Rating != casework.RatingSatisfied || c.RatingNote != "处理很快" {
			t.Errorf("rated: %+v", c)
		}
		eqTime(t, "rated", c.RatedAt, cst(2024, 10, 10, 9, 0))

		stored := w.checkReplay(t, c.ID)
		if stored.EventCount != 9 || stored.Reporter.Phone != residentPhone || stored.Reporter.Name != "张三丰" {
			t.Errorf("stored: %+v", stored)
		}
		evs, err := w.svc.Events(bg, disp, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantActions := []casework.Action{casework.ActReport, casework.ActAccept, casework.ActDispatch, casework.ActSign, casework.ActStart,
			casework.ActHandle, casework.ActVerify, casework.ActClose, casework.ActRate}
		wantActors := []string{"张三丰", o.Dispatcher.Name, o.Dispatcher.Name, o.UnitHandler.Name, o.UnitLead.Name, o.UnitHandler.Name,
			o.GridWorker.Name, o.Dispatcher.Name, "张三丰"}
		if len(evs) != len(wantActions) {
			t.Fatalf("%d events", len(evs))
		}
		for i, e := range evs {
			if e.Seq != i+1 || e.Action != wantActions[i] || e.ActorName != wantActors[i] {
				t.Errorf("event %d: %s by %s", e.Seq, e.Action, e.ActorName)
			}
			if i > 0 && e.At.Before(evs[i-1].At) {
				t.Errorf("event %d goes back in time", e.Seq)
			}
		}
		if evs[5].Payload.Photos[0] != "att/1.jpg" || evs[2].Payload.UnitID != o.Chengguan.ID || evs[0].ActorKind != string(org.ActorResident) ||
			evs[1].ActorRole != string(org.RoleDispatcher) || evs[1].ActorID != o.Dispatcher.ID {
			t.Errorf("event payloads: %+v %+v", evs[5].Payload, evs[2].Payload)
		}
		if got, err := w.svc.GetByNumber(bg, disp, " 20240930-0001 "); err != nil || got.ID != c.ID {
			t.Errorf("GetByNumber: %v", err)
		}
	})
}

// TestOtherSteps takes every step off the happy path.
func TestOtherSteps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp, leader := o.Actor(org.RoleDispatcher), o.Actor(org.RoleLeader)
		handler, market := o.Actor(org.RoleUnitHandler), o.MarketActor()
		gw, comm := o.Actor(org.RoleGridWorker), o.Actor(org.RoleCommunityStaff)
		resident := org.ResidentActor("张三丰")
		d := func(day, h, m int) time.Time { return cst(2024, 9, day, h, m) }

		t.Run("return and dispatch again", func(t *testing.T) {
			c := w.report(t, d(2, 8, 0), resident, o.GridY1.ID, fixture.CatStreetVendor)
			if c.SuggestedUnit != o.Market.ID {
				t.Errorf("0201 in 益乐 goes to 市场监管所, got %d", c.SuggestedUnit)
			}
			w.step(t, d(2, 8, 10), disp, c.ID, act(casework.ActAccept))
			w.step(t, d(2, 9, 0), disp, c.ID, dispatchTo(o.Market.ID))
			w.step(t, d(2, 9, 10), market, c.ID, act(casework.ActSign))
			w.refused(t, d(2, 9, 20), market, c.ID, why(casework.ActReturn, "  "), jiedao.EINVALID)
			c = w.step(t, d(2, 9, 20), market, c.ID, why(casework.ActReturn, "占道经营由城管负责"))
			if c.Status != casework.StatusReturned || c.ReturnCount != 1 || c.Deadlines.Sign != nil || c.Deadlines.Start != nil || c.Deadlines.Finish != nil {
				t.Errorf("returned: %+v", c)
			}
			eqTime(t, "returned", c.ReturnedAt, d(2, 9, 20))
			if st, _ := c.Running(); st != casework.StageClose {
				t.Errorf("a returned case runs %s", st)
			}
			c = w.step(t, d(2, 10, 0), disp, c.ID, dispatchTo(o.Chengguan.ID))
			if c.Assignments != 2 || c.UnitID != o.Chengguan.ID || c.SignedAt != nil || c.ReturnedAt != nil || c.SignedOnTime != nil {
				t.Errorf("dispatched again: %+v", c)
			}
			eqDeadline(t, "sign", c.Deadlines.Sign, d(2, 12, 0), d(2, 11, 36))
			// The unit it came back from no longer acts on it.
			w.refused(t, d(2, 10, 5), market, c.ID, act(casework.ActSign), jiedao.EFORBIDDEN)
			// A return straight from dispatched, before signing.
			c = w.step(t, d(2, 10, 10), handler, c.ID, why(casework.ActReturn, "请补充位置"))
			if c.ReturnCount != 2 {
				t.Errorf("return count %d", c.ReturnCount)
			}
			w.checkReplay(t, c.ID)
		})

		t.Run("rework", func(t *testing.T) {
			c := w.report(t, d(2, 8, 0), gw, o.GridW1.ID, fixture.CatExposedTrash)
			w.step(t, d(2, 8, 10), disp, c.ID, act(casework.ActAccept))
			w.step(t, d(2, 9, 0), disp, c.ID, dispatchTo(o.Chengguan.ID))
			w.step(t, d(2, 9, 10), handler, c.ID, act(casework.ActSign))
			w.step(t, d(2, 10, 0), handler, c.ID, act(casework.ActHandle)) // straight from signed
			w.refused(t, d(2, 11, 0), gw, c.ID, act(casework.ActRework), jiedao.EINVALID)
			w.refused(t, d(2, 11, 0), handler, c.ID, why(casework.ActRework, "自己返工"), jiedao.EFORBIDDEN)
			// Rework on Friday 09-13 15:00: a new finish deadline of 3
			// working days: Saturday 09-14 works, 15–17 are 中秋节: 09-19.
			c = w.step(t, d(13, 15, 0), gw, c.ID, why(casework.ActRework, "垃圾未清理干净"))
			if c.Status != casework.StatusRework || c.ReworkCount != 1 || c.VerifiedAt != nil || c.Deadlines.Start != nil {
				t.Errorf("rework: %+v", c)
			}
			eqDeadline(t, "finish after rework", c.Deadlines.Finish, d(19, 17, 30), d(19, 11, 0))
			c = w.step(t, d(14, 9, 0), handler, c.ID, act(casework.ActStart))
			c = w.step(t, d(14, 11, 0), handler, c.ID, act(casework.ActHandle))
			if c.HandledCount != 2 || c.Status != casework.StatusHandled {
				t.Errorf("handled again: %+v", c)
			}
			eqTime(t, "handled", c.HandledAt, d(14, 11, 0))
			w.step(t, d(14, 11, 30), disp, c.ID, act(casework.ActVerify))
			w.checkReplay(t, c.ID)
		})

		t.Run("unsatisfied rating reopens", func(t *testing.T) {
			c := w.report(t, d(2, 8, 0), resident, o.GridW2.ID, fixture.CatExposedTrash)
			w.step(t, d(2, 8, 10), disp, c.ID, act(casework.ActAccept))
			w.step(t, d(2, 8, 20), disp, c.ID, why(casework.ActEscalate, "需区级部门处理"))
			c = w.step(t, d(2, 8, 30), disp, c.ID, act(casework.ActClose))
			// Residents prove it is their case by the phone number.
			rate := casework.StepInput{Action: casework.ActRate, Rating: casework.RatingUnsatisfied, Comment: "没人来"}
			w.refused(t, d(3, 9, 0), resident, c.ID, rate, jiedao.EFORBIDDEN)
			rate.Phone = "13900000000"
			w.refused(t, d(3, 9, 0), resident, c.ID, rate, jiedao.EFORBIDDEN)
			rate.Phone = " 138 1234 5678 "
			w.refused(t, d(3, 9, 0), resident, c.ID, casework.StepInput{Action: casework.ActRate, Rating: "meh", Phone: rate.Phone}, jiedao.EINVALID)
			w.refused(t, d(3, 9, 0), disp, c.ID, why(casework.ActReopen, "未评价不能重办"), jiedao.ECONFLICT)
			c = w.step(t, d(3, 9, 0), resident, c.ID, rate)
			if c.Rating != casework.RatingUnsatisfied {
				t.Fatalf("rated: %+v", c)
			}
			w.refused(t, d(3, 9, 5), resident, c.ID, rate, jiedao.ECONFLICT) // rated already
			w.refused(t, d(3, 9, 10), disp, c.ID, act(casework.ActReopen), jiedao.EINVALID)
			// Reopened Tuesday 09-03: a new close deadline, 5 working days: 09-10.
			c = w.step(t, d(3, 9, 10), disp, c.ID, why(casework.ActReopen, "回访不满意，重新办理"))
			if c.Status != casework.StatusAccepted || c.ReopenCount != 1 || c.Rating != "" || c.RatedAt != nil || c.ClosedAt != nil || c.ClosedOnTime != nil {
				t.Errorf("reopened: %+v", c)
			}
			eqTime(t, "accepted stays the first acceptance", c.AcceptedAt, d(2, 8, 10))
			eqDeadline(t, "close after reopening", c.Deadlines.Close, d(10, 17, 30), d(9, 16, 8))
			if !c.Escalated {
				t.Error("escalated is history: it stays set")
			}
			w.checkReplay(t, c.ID)
			// A satisfied case cannot be reopened.
			w.step(t, d(3, 9, 20), disp, c.ID, why(casework.ActEscalate, "再次上报"))
			w.step(t, d(3, 9, 30), disp, c.ID, act(casework.ActClose))
			w.step(t, d(3, 9, 40), disp, c.ID, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingBasic})
			w.refused(t, d(3, 9, 50), disp, c.ID, why(casework.ActReopen, "再办一次"), jiedao.ECONFLICT)
		})

		t.Run("escalate and supervise", func(t *testing.T) {
			c := w.report(t, d(2, 8, 0), comm, o.GridY2.ID, fixture.CatExposedTrash)
			if c.ReporterID != o.CommunityStaff.ID || c.Channel != casework.ChannelOther {
				t.Errorf("reported by community staff: %+v", c)
			}
			w.refused(t, d(2, 8, 5), disp, c.ID, why(casework.ActEscalate, "太早"), jiedao.ECONFLICT)
			w.step(t, d(2, 8, 10), disp, c.ID, act(casework.ActAccept))
			w.refused(t, d(2, 8, 20), leader, c.ID, why(casework.ActEscalate, "领导上报"), jiedao.EFORBIDDEN)
			c = w.step(t, d(2, 8, 20), disp, c.ID, why(casework.ActEscalate, "涉及区属道路"))
			if c.Status != casework.StatusEscalated || !c.Escalated {
				t.Errorf("escalated: %+v", c)
			}
			w.refused(t, d(2, 9, 0), leader, c.ID, act(casework.ActSupervise), jiedao.EINVALID)
			w.refused(t, d(2, 9, 0), o.Actor(org.RoleAdmin), c.ID, why(casework.ActSupervise, "管理员督办"), jiedao.EFORBIDDEN)
			c = w.step(t, d(2, 9, 0), leader, c.ID, why(casework.ActSupervise, "请尽快协调"))
			c = w.step(t, d(2, 9, 5), disp, c.ID, why(casework.ActSupervise, "再次督办"))
			if c.Status != casework.StatusEscalated || c.SupervisionCount != 2 || c.EventCount != 5 {
				t.Errorf("supervised: %+v", c)
			}
			// The district sends it back down: dispatch from escalated.
			c = w.step(t, d(2, 10, 0), disp, c.ID, dispatchTo(o.Chengguan.ID))
			if c.Status != casework.StatusDispatched {
				t.Errorf("dispatched from escalated: %s", c.Status)
			}
			w.checkReplay(t, c.ID)
		})

		t.Run("extension", func(t *testing.T) {
			// Accepted Tuesday 09-10: close due 5 working days later,
			// Saturday 09-14 working and 15–17 off: 09-18.
			c := w.report(t, d(10, 8, 30), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.step(t, d(10, 9, 0), disp, c.ID, act(casework.ActAccept))
			w.step(t, d(10, 9, 10), disp, c.ID, dispatchTo(o.Chengguan.ID))
			w.refused(t, d(10, 9, 20), handler, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Days: 2, Reason: "未签收"}, jiedao.ECONFLICT)
			c = w.step(t, d(10, 9, 30), handler, c.ID, act(casework.ActSign))
			eqDeadline(t, "finish", c.Deadlines.Finish, d(13, 17, 30), d(13, 10, 12))
			eqDeadline(t, "close", c.Deadlines.Close, d(18, 17, 30), d(14, 16, 6))

			req := casework.StepInput{Action: casework.ActRequestExtension, Days: 2, Reason: "需要协调物业"}
			w.refused(t, d(10, 10, 0), handler, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Reason: "x"}, jiedao.EINVALID)
			w.refused(t, d(10, 10, 0), handler, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Days: 61, Reason: "x"}, jiedao.EINVALID)
			w.refused(t, d(10, 10, 0), handler, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Days: 2}, jiedao.EINVALID)
			w.refused(t, d(10, 10, 0), disp, c.ID, req, jiedao.EFORBIDDEN)
			w.refused(t, d(10, 10, 0), disp, c.ID, act(casework.ActApproveExtension), jiedao.ECONFLICT) // nothing pending
			c = w.step(t, d(10, 10, 0), handler, c.ID, req)
			if c.Extension == nil || c.Extension.Days != 2 || c.Extension.RequestedBy != o.UnitHandler.Name || !c.Extension.RequestedAt.Equal(d(10, 10, 0)) {
				t.Errorf("requested: %+v", c.Extension)
			}
			w.refused(t, d(10, 10, 5), handler, c.ID, req, jiedao.ECONFLICT) // one pending at a time
			w.refused(t, d(10, 10, 10), disp, c.ID, act(casework.ActDenyExtension), jiedao.EINVALID)
			w.refused(t, d(10, 10, 10), o.Actor(org.RoleUnitLead), c.ID, act(casework.ActApproveExtension), jiedao.EFORBIDDEN)
			c = w.step(t, d(10, 10, 10), disp, c.ID, why(casework.ActDenyExtension, "时限充足"))
			if c.Extension != nil || c.ExtensionDays != 0 {
				t.Errorf("denied: %+v", c)
			}
			eqDeadline(t, "finish after denial", c.Deadlines.Finish, d(13, 17, 30), d(13, 10, 12))

			// In warning on Friday 13th, the unit asks for 3 days and gets them.
			c = w.step(t, d(13, 12, 0), handler, c.ID, act(casework.ActStart))
			if got := c.DueStateAt(d(13, 12, 0)); got != casework.DueWarning {
				t.Errorf("before the extension: %q", got)
			}
			w.step(t, d(13, 13, 30), handler, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Days: 3, Reason: "等待材料"})
			w.refused(t, d(13, 14, 0), disp, c.ID, casework.StepInput{Action: casework.ActApproveExtension, Days: 99}, jiedao.EINVALID)
			c = w.step(t, d(13, 14, 0), disp, c.ID, act(casework.ActApproveExtension))
			if c.Extension != nil || c.ExtensionDays != 3 {
				t.Errorf("approved: %+v", c)
			}
			// Each deadline moves 3 working days, and its warning with it.
			eqDeadline(t, "finish after extension", c.Deadlines.Finish, d(19, 17, 30), d(19, 10, 12))
			eqDeadline(t, "close after extension", c.Deadlines.Close, d(23, 17, 30), d(20, 16, 6))
			if got := c.DueStateAt(d(13, 14, 0)); got != casework.DueOK {
				t.Errorf("after the extension: %q", got)
			}
			w.checkReplay(t, c.ID)
		})

		t.Run("extension of an hour limit keeps the hour", func(t *testing.T) {
			// 0201 urgent: 30 min to sign, 1 h to start, 4 h to finish, 8 h
			// to close, in clock hours.
			c := w.report(t, d(10, 8, 30), resident, o.GridY1.ID, fixture.CatStreetVendor)
			c = w.step(t, d(10, 9, 0), disp, c.ID, casework.StepInput{Action: casework.ActAccept, Urgency: casework.UrgencyUrgent})
			if c.Urgency != casework.UrgencyUrgent {
				t.Fatalf("urgency %s", c.Urgency)
			}
			eqDeadline(t, "close", c.Deadlines.Close, d(10, 17, 0), d(10, 15, 24))
			c = w.step(t, d(10, 9, 20), disp, c.ID, dispatchTo(o.Market.ID))
			eqDeadline(t, "sign", c.Deadlines.Sign, d(10, 9, 50), d(10, 9, 44))
			c = w.step(t, d(10, 10, 0), market, c.ID, act(casework.ActSign))
			eqDeadline(t, "start", c.Deadlines.Start, d(10, 11, 0), d(10, 10, 48))
			eqDeadline(t, "finish", c.Deadlines.Finish, d(10, 14, 0), d(10, 13, 12))
			w.step(t, d(10, 10, 30), market, c.ID, casework.StepInput{Action: casework.ActRequestExtension, Days: 1, Reason: "摊主不配合"})
			c = w.step(t, d(10, 10, 40), disp, c.ID, casework.StepInput{Action: casework.ActApproveExtension, Days: 2})
			if c.ExtensionDays != 2 {
				t.Errorf("granted %d days, the dispatcher gave 2", c.ExtensionDays)
			}
			// Two working days from Tuesday 14:00 is Thursday 14:00.
			eqDeadline(t, "finish", c.Deadlines.Finish, d(12, 14, 0), d(12, 13, 12))
			eqDeadline(t, "close", c.Deadlines.Close, d(12, 17, 0), d(12, 15, 24))
			w.checkReplay(t, c.ID)
		})

		t.Run("hang and resume", func(t *testing.T) {
			// Dispatched Monday 09-02 09:00: sign-for due 11:00, warning 10:36;
			// close due 09-09 17:30.
			c := w.report(t, d(2, 8, 0), resident, o.GridW2.ID, fixture.CatExposedTrash)
			w.refused(t, d(2, 8, 30), disp, c.ID, why(casework.ActHang, "无法处置"), jiedao.ECONFLICT) // accept first
			w.step(t, d(2, 8, 30), disp, c.ID, act(casework.ActAccept))
			c = w.step(t, d(2, 9, 0), disp, c.ID, dispatchTo(o.Chengguan.ID))
			eqDeadline(t, "sign", c.Deadlines.Sign, d(2, 11, 0), d(2, 10, 36))
			eqDeadline(t, "close", c.Deadlines.Close, d(9, 17, 30), d(6, 16, 0))
			w.refused(t, d(2, 10, 0), disp, c.ID, act(casework.ActHang), jiedao.EINVALID)
			w.refused(t, d(2, 10, 0), disp, c.ID, act(casework.ActResume), jiedao.ECONFLICT)
			c = w.step(t, d(2, 10, 0), disp, c.ID, why(casework.ActHang, "产权不明，暂无法处置"))
			if c.Status != casework.StatusHung || c.HungFrom != casework.StatusDispatched {
				t.Fatalf("hung: %+v", c)
			}
			eqTime(t, "hung at", c.HungAt, d(2, 10, 0))
			if got := c.DueStateAt(d(9, 9, 0)); got != casework.DueNone {
				t.Errorf("a hung case's clock stops: %q", got)
			}
			w.refused(t, d(2, 10, 5), disp, c.ID, why(casework.ActHang, "再挂"), jiedao.ECONFLICT)
			w.refused(t, d(2, 10, 5), handler, c.ID, act(casework.ActSign), jiedao.ECONFLICT)
			// Nothing is raised while it hangs.
			_, n := w.stored(t, c.ID)
			w.clock.Set(d(6, 12, 0))
			if _, _, err := w.svc.RunDeadlines(bg); err != nil {
				t.Fatal(err)
			}
			if _, m := w.stored(t, c.ID); m != n {
				t.Errorf("RunDeadlines raised %d marks on a hung case", m-n)
			}
			// Resumed next morning at 09:00: 1 working hour of sign-for time
			// was left (10:00 → 11:00), and 43.5 working hours of close time.
			c = w.step(t, d(3, 9, 0), disp, c.ID, act(casework.ActResume))
			if c.Status != casework.StatusDispatched || c.HungFrom != "" || c.HungAt != nil {
				t.Errorf("resumed: %+v", c)
			}
			eqDeadline(t, "sign after resuming", c.Deadlines.Sign, d(3, 10, 0), d(3, 9, 36))
			eqDeadline(t, "close after resuming", c.Deadlines.Close, d(10, 16, 30), d(9, 15, 0))
			w.checkReplay(t, c.ID)

			// Clock-hour limits move by the clock time the case hung.
			u := w.report(t, d(2, 8, 0), resident, o.GridY2.ID, fixture.CatStreetVendor)
			u = w.step(t, d(2, 9, 0), disp, u.ID, casework.StepInput{Action: casework.ActAccept, Urgency: casework.UrgencyUrgent})
			eqDeadline(t, "urgent close", u.Deadlines.Close, d(2, 17, 0), d(2, 15, 24))
			w.step(t, d(2, 10, 0), disp, u.ID, why(casework.ActHang, "等待天亮"))
			u = w.step(t, d(2, 13, 0), disp, u.ID, act(casework.ActResume))
			eqDeadline(t, "urgent close after 3 h hung", u.Deadlines.Close, d(2, 20, 0), d(2, 18, 24))
			if u.Status != casework.StatusAccepted {
				t.Errorf("resumed to %s", u.Status)
			}
			// A deadline already passed when the case hung stays passed.
			w.step(t, d(2, 21, 0), disp, u.ID, why(casework.ActHang, "再次挂账"))
			u = w.step(t, d(3, 9, 0), disp, u.ID, act(casework.ActResume))
			eqDeadline(t, "passed close", u.Deadlines.Close, d(2, 20, 0), d(2, 18, 24))
			w.checkReplay(t, u.ID)
		})

		t.Run("comment", func(t *testing.T) {
			c := w.report(t, d(2, 8, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.refused(t, d(2, 8, 1), resident, c.ID, act(casework.ActComment), jiedao.EINVALID)
			c = w.step(t, d(2, 8, 1), resident, c.ID, why(casework.ActComment, "垃圾越来越多了"))
			if c.Status != casework.StatusReported || c.EventCount != 2 {
				t.Errorf("a comment changes nothing but the record: %+v", c)
			}
			w.refused(t, d(2, 8, 2), market, c.ID, why(casework.ActComment, "看不到的案件"), jiedao.ENOTFOUND)
			w.refused(t, d(2, 8, 2), org.SystemActor(), c.ID, why(casework.ActComment, "系统"), jiedao.EFORBIDDEN)
			w.step(t, d(2, 8, 3), gw, c.ID, why(casework.ActComment, "已到现场查看"))
			evs, _ := w.svc.Events(bg, disp, c.ID)
			if len(evs) != 3 || evs[1].Reason != "垃圾越来越多了" || evs[2].ActorName != o.GridWorker.Name {
				t.Errorf("comments on record: %+v", evs)
			}
			w.checkReplay(t, c.ID)
		})

		t.Run("reject, void and merge", func(t *testing.T) {
			r := w.report(t, d(2, 8, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.refused(t, d(2, 8, 5), disp, r.ID, act(casework.ActReject), jiedao.EINVALID)
			r = w.step(t, d(2, 8, 5), disp, r.ID, why(casework.ActReject, "不属于城市管理事项"))
			if r.Status != casework.StatusRejected || r.Status.Open() {
				t.Errorf("rejected: %+v", r)
			}
			w.refused(t, d(2, 8, 6), disp, r.ID, act(casework.ActAccept), jiedao.ECONFLICT)

			v := w.report(t, d(2, 8, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.step(t, d(2, 8, 10), disp, v.ID, act(casework.ActAccept))
			w.step(t, d(2, 8, 20), disp, v.ID, dispatchTo(o.Police.ID))
			w.refused(t, d(2, 8, 30), disp, v.ID, act(casework.ActVoid), jiedao.EINVALID)
			w.refused(t, d(2, 8, 30), o.Actor(org.RoleAdmin), v.ID, why(casework.ActVoid, "测试数据"), jiedao.EFORBIDDEN)
			v = w.step(t, d(2, 8, 30), disp, v.ID, why(casework.ActVoid, "测试数据"))
			if v.Status != casework.StatusVoided {
				t.Errorf("voided: %s", v.Status)
			}
			a := w.report(t, d(2, 9, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
			for _, act := range []casework.Action{casework.ActDispatch, casework.ActSupervise, casework.ActHang, casework.ActVoid, casework.ActMerge, casework.ActComment} {
				w.refused(t, d(2, 9, 1), disp, v.ID, casework.StepInput{Action: act, Reason: "再试", UnitID: o.Chengguan.ID, MergeInto: a.ID}, jiedao.ECONFLICT)
			}

			b := w.report(t, d(2, 9, 5), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.step(t, d(2, 9, 10), disp, a.ID, act(casework.ActAccept))
			w.refused(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge}, jiedao.EINVALID)
			w.refused(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: b.ID}, jiedao.EINVALID)
			w.refused(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: 99999}, jiedao.EINVALID)
			w.refused(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: v.ID}, jiedao.EINVALID)
			w.refused(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: r.ID}, jiedao.EINVALID)
			w.refused(t, d(2, 9, 20), leader, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: a.ID}, jiedao.EFORBIDDEN)
			b = w.step(t, d(2, 9, 20), disp, b.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: a.ID, Reason: "同一地点重复上报"})
			if b.Status != casework.StatusMerged || b.MergedInto != a.ID {
				t.Errorf("merged: %+v", b)
			}
			// Nothing merges into a merged case.
			x := w.report(t, d(2, 9, 30), resident, o.GridW1.ID, fixture.CatExposedTrash)
			w.refused(t, d(2, 9, 40), disp, x.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: b.ID}, jiedao.EINVALID)
			for _, c := range []*casework.Case{r, v, a, b, x} {
				w.checkReplay(t, c.ID)
			}
		})
	})
}

// TestIllegalSteps: refused steps say why with the right code and change
// nothing.
func TestIllegalSteps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		at := cst(2024, 6, 3, 9, 0)
		c := w.report(t, at, org.ResidentActor("张三丰"), o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, at, disp, c.ID, act(casework.ActAccept))
		w.step(t, at, disp, c.ID, dispatchTo(o.Chengguan.ID))
		later := at.Add(time.Hour)
		for _, tc := range []struct {
			name string
			a    org.Actor
			in   casework.StepInput
			code string
		}{
			{"accept twice", disp, act(casework.ActAccept), jiedao.ECONFLICT},
			{"close before handling", disp, act(casework.ActClose), jiedao.ECONFLICT},
			{"handle before signing", o.Actor(org.RoleUnitHandler), act(casework.ActHandle), jiedao.ECONFLICT},
			{"verify before handling", o.Actor(org.RoleGridWorker), act(casework.ActVerify), jiedao.ECONFLICT},
			{"rate an open case", disp, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingSatisfied}, jiedao.ECONFLICT},
			{"resume a case not hung", disp, act(casework.ActResume), jiedao.ECONFLICT},
			{"the leader dispatches", o.Actor(org.RoleLeader), dispatchTo(o.Market.ID), jiedao.EFORBIDDEN},
			{"the admin accepts… no, dispatches", o.Actor(org.RoleAdmin), dispatchTo(o.Market.ID), jiedao.EFORBIDDEN},
			{"the grid worker signs", o.Actor(org.RoleGridWorker), act(casework.ActSign), jiedao.EFORBIDDEN},
			{"a resident signs", org.ResidentActor("张三丰"), act(casework.ActSign), jiedao.EFORBIDDEN},
			{"the system dispatches", org.SystemActor(), dispatchTo(o.Market.ID), jiedao.EFORBIDDEN},
			{"another unit signs: the case is not in its sight", o.MarketActor(), act(casework.ActSign), jiedao.ENOTFOUND},
			{"community staff of another community", o.Actor(org.RoleCommunityStaff), why(casework.ActSupervise, "督办"), jiedao.ENOTFOUND},
			{"return without reason", o.Actor(org.RoleUnitHandler), act(casework.ActReturn), jiedao.EINVALID},
			{"return with a blank reason", o.Actor(org.RoleUnitHandler), why(casework.ActReturn, " \t "), jiedao.EINVALID},
			{"a reason too long", o.Actor(org.RoleUnitHandler), why(casework.ActReturn, string(make([]rune, 2001))), jiedao.EINVALID},
			{"dispatch to no unit", disp, dispatchTo(0), jiedao.EINVALID},
			{"dispatch to a missing unit", disp, dispatchTo(9999), jiedao.EINVALID},
			{"an unknown action", disp, act("teleport"), jiedao.EINVALID},
			{"report through Step", disp, act(casework.ActReport), jiedao.EINVALID},
			{"warn through Step", disp, act(casework.ActWarn), jiedao.EINVALID},
			{"overdue through Step", org.SystemActor(), act(casework.ActOverdue), jiedao.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) { w.refused(t, later, tc.a, c.ID, tc.in, tc.code) })
		}
		// Accept with a corrected category that does not exist.
		r := w.report(t, at, disp, o.GridW2.ID, fixture.CatExposedTrash)
		w.refused(t, later, disp, r.ID, casework.StepInput{Action: casework.ActAccept, Category: "9999"}, jiedao.EINVALID)
		w.refused(t, later, disp, r.ID, casework.StepInput{Action: casework.ActAccept, Urgency: "asap"}, jiedao.EINVALID)
		_, err := w.svc.Step(bg, disp, 99999, act(casework.ActAccept))
		if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			t.Errorf("a missing case: %v", err)
		}
		// Accepting with a corrected category and urgency works and is on record.
		got := w.step(t, later, disp, r.ID, casework.StepInput{Action: casework.ActAccept, Category: fixture.CatStreetVendor, Urgency: casework.UrgencyUrgent})
		if got.Category != fixture.CatStreetVendor || got.Urgency != casework.UrgencyUrgent {
			t.Errorf("corrected on acceptance: %+v", got)
		}
		// The urgent 0201 policy: close in 8 clock hours.
		eqDeadline(t, "close", got.Deadlines.Close, later.Add(8*time.Hour), later.Add(8*time.Hour*4/5))
		w.checkReplay(t, r.ID)
	})
}

// TestReports covers what Report checks and decides.
func TestReports(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		at := cst(2024, 6, 3, 9, 0)
		w.clock.Set(at)
		resident := org.ResidentActor("张三丰")

		// A point given in GCJ-02, as phone maps give it, lands in the right grid.
		p := w.o.Points[o.GridY2.ID]
		g := geo.WGS84ToGCJ02(p)
		in := w.input(0, fixture.CatStreetVendor)
		in.Lat, in.Lon, in.GCJ02 = &g.Lat, &g.Lon, true
		c, err := w.svc.Report(bg, resident, in)
		if err != nil || c.GridID != o.GridY2.ID || c.Community != o.Yile.ID || c.SuggestedUnit != o.Market.ID {
			t.Fatalf("GCJ-02 report: %+v %v", c, err)
		}
		if geo.Distance(geo.Point{Lon: c.Location.Lon, Lat: c.Location.Lat}, p) > 1 {
			t.Errorf("stored location %v is not the WGS-84 point %v", c.Location, p)
		}
		// The same point taken as WGS-84 is some 500 m off: outside every grid.
		in.GCJ02 = false
		c, err = w.svc.Report(bg, resident, in)
		if err != nil || c.GridID != 0 || !c.Unplaced {
			t.Errorf("the GCJ-02 point read as WGS-84: %+v %v", c, err)
		}
		// The building grid wins over the standard grid around it.
		c = w.report(t, at, resident, o.GridB1.ID, fixture.CatPiledMaterial)
		if c.GridID != o.GridB1.ID || c.Community != o.Wenhua.ID || c.SuggestedUnit != o.Chengguan.ID || c.Attributes["material"] != "brick" {
			t.Errorf("building grid: %+v", c)
		}
		// 0201 outside 益乐 has no rule: it stays with the command center.
		c = w.report(t, at, resident, o.GridW2.ID, fixture.CatStreetVendor)
		if c.SuggestedUnit != 0 {
			t.Errorf("0201 in 文华 suggested %d", c.SuggestedUnit)
		}
		// Placed by a grid's QR code, without coordinates.
		qr := w.input(0, fixture.CatExposedTrash)
		qr.GridID = o.GridY1.ID
		c, err = w.svc.Report(bg, resident, qr)
		if err != nil || c.GridID != o.GridY1.ID || c.Community != o.Yile.ID || c.Location != nil || c.Unplaced {
			t.Errorf("QR report: %+v %v", c, err)
		}

		// Retried deliveries of one external id make one case.
		key, client, err := (&org.Auth{Store: db.Org(), Now: w.clock.Now}).CreateAPIClient(bg, "12345热线", string(casework.ChannelHotline))
		if err != nil || key == "" {
			t.Fatal(err)
		}
		hot := w.input(o.GridW2.ID, fixture.CatExposedTrash)
		hot.ExternalID, hot.Channel = "GD12345-0001", casework.ChannelIoT // the client's channel wins
		first, err := w.svc.Report(bg, org.ClientActor(client), hot)
		if err != nil || first.Channel != casework.ChannelHotline || first.ClientID != client.ID {
			t.Fatalf("client report: %+v %v", first, err)
		}
		again, err := w.svc.Report(bg, org.ClientActor(client), hot)
		if err != nil || again.ID != first.ID {
			t.Errorf("a retried delivery made case %d (first %d): %v", again.ID, first.ID, err)
		}
		if _, n := w.stored(t, first.ID); n != 1 {
			t.Errorf("the retry added events: %d", n)
		}
		// Anyone else repeating the external id learns nothing of the case:
		// only the command center registers external ids and names
		// channels; a resident may give no external id, nor a channel of
		// machines or staff.
		hot.Channel = casework.ChannelHotline
		if c, err := w.svc.Report(bg, o.MarketActor(), hot); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN || c != nil {
			t.Errorf("another unit repeating the external id: %+v %v, want forbidden", c, err)
		}
		for _, role := range []org.Role{org.RoleUnitHandler, org.RoleUnitLead, org.RoleGridWorker, org.RoleCommunityStaff, org.RoleLeader} {
			in := w.input(o.GridW1.ID, fixture.CatExposedTrash)
			in.Channel = casework.ChannelPolice
			if c, err := w.svc.Report(bg, o.Actor(role), in); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN || c != nil {
				t.Errorf("%s reporting on the police channel: %+v %v, want forbidden", role, c, err)
			}
		}
		gridIn := w.input(o.GridW1.ID, fixture.CatExposedTrash)
		gridIn.Channel = casework.ChannelGrid
		if c, err := w.svc.Report(bg, o.Actor(org.RoleGridWorker), gridIn); err != nil || c.Channel != casework.ChannelGrid {
			t.Errorf("a grid worker naming his own channel: %+v %v", c, err)
		}
		policeIn := w.input(o.GridW1.ID, fixture.CatExposedTrash)
		policeIn.Channel, policeIn.ExternalID = casework.ChannelPolice, "JQ-2024-0001"
		if c, err := w.svc.Report(bg, o.Actor(org.RoleDispatcher), policeIn); err != nil || c.Channel != casework.ChannelPolice {
			t.Errorf("the dispatcher registering a police transfer: %+v %v", c, err)
		}
		if c, err := w.svc.Report(bg, resident, hot); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN || c != nil {
			t.Errorf("a resident repeating the external id: %+v %v, want forbidden", c, err)
		}
		for _, ch := range []casework.Channel{casework.ChannelPolice, casework.ChannelHotline, casework.ChannelIoT, casework.ChannelGrid} {
			in := w.input(o.GridW1.ID, fixture.CatExposedTrash)
			in.Channel = ch
			if _, err := w.svc.Report(bg, resident, in); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
				t.Errorf("a resident reporting on channel %s: %v, want forbidden", ch, err)
			}
		}
		if again, err := w.svc.Report(bg, o.Actor(org.RoleDispatcher), hot); err != nil || again.ID != first.ID {
			t.Errorf("the dispatcher repeating the external id: %+v %v, want the case", again, err)
		}

		for _, tc := range []struct {
			name  string
			edit  func(in *casework.ReportInput)
			field string
		}{
			{"no details", func(in *casework.ReportInput) { in.Details = "  " }, "details"},
			{"unknown category", func(in *casework.ReportInput) { in.Category = "9999" }, "category"},
			{"unknown channel", func(in *casework.ReportInput) { in.Channel = "fax" }, "channel"},
			{"unknown urgency", func(in *casework.ReportInput) { in.Urgency = "asap" }, "urgency"},
			{"latitude without longitude", func(in *casework.ReportInput) { in.Lon = nil }, "lat"},
			{"latitude out of range", func(in *casework.ReportInput) { v := 91.0; in.Lat = &v }, "lat"},
			{"unknown grid", func(in *casework.ReportInput) { in.Lat, in.Lon, in.GridID = nil, nil, 9999 }, "grid_id"},
			{"a required attribute missing", func(in *casework.ReportInput) { in.Category = fixture.CatPiledMaterial }, "attribute[material]"},
			{"an attribute the category lacks", func(in *casework.ReportInput) { in.Attributes = map[string][]string{"material": {"sand"}} }, "attribute[material]"},
			{"a title too long", func(in *casework.ReportInput) { in.Title = string(make([]rune, 101)) }, "title"},
			{"a phone too long", func(in *casework.ReportInput) { in.Reporter.Phone = "1234567890123456789012345678901" }, "reporter_phone"},
		} {
			in := w.input(o.GridW1.ID, fixture.CatExposedTrash)
			tc.edit(&in)
			_, err := w.svc.Report(bg, resident, in)
			if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != tc.field {
				t.Errorf("%s: got %v, want invalid %s", tc.name, err, tc.field)
			}
		}
		// An inactive category takes no reports.
		cat, _ := db.Cases().GetCategory(bg, fixture.CatExposedTrash)
		cat.Active = false
		if err := db.Cases().PutCategory(bg, cat); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Report(bg, resident, w.input(o.GridW1.ID, fixture.CatExposedTrash))
		if jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("inactive category: %v", err)
		}
		if _, err := w.svc.Report(bg, org.Actor{Name: "nobody"}, w.input(o.GridW1.ID, fixture.CatStreetVendor)); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Errorf("an actor of no kind: %v", err)
		}
		all, total, err := w.svc.List(bg, o.Actor(org.RoleDispatcher), casework.Filter{})
		if err != nil || total != 8 || len(all) != 8 {
			t.Errorf("%d cases (%d listed), want 8: %v", total, len(all), err)
		}
	})
}

// TestScopes: who sees which case, and whose contacts are masked.
func TestScopes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		at := cst(2024, 6, 3, 9, 0)
		resident := org.ResidentActor("张三丰")
		// cg: in W1, dispatched to 城管科. mk: in Y1, dispatched to 市场监管所,
		// returned, then to 城管科. gw: reported by the grid worker in Y2.
		cg := w.report(t, at, resident, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, at, disp, cg.ID, act(casework.ActAccept))
		w.step(t, at, disp, cg.ID, dispatchTo(o.Chengguan.ID))
		mk := w.report(t, at, resident, o.GridY1.ID, fixture.CatStreetVendor)
		w.step(t, at, disp, mk.ID, act(casework.ActAccept))
		w.step(t, at, disp, mk.ID, dispatchTo(o.Market.ID))
		gwCase := w.report(t, at, o.Actor(org.RoleGridWorker), o.GridY2.ID, fixture.CatExposedTrash)

		get := func(a org.Actor, id int64) (*casework.Case, string) {
			c, err := w.svc.Get(bg, a, id)
			return c, jiedao.ErrorCode(err)
		}
		for _, tc := range []struct {
			name string
			a    org.Actor
			id   int64
			code string
		}{
			{"城管科 its own case", o.Actor(org.RoleUnitHandler), cg.ID, ""},
			{"城管科 another unit's case", o.Actor(org.RoleUnitLead), mk.ID, jiedao.ENOTFOUND},
			{"市场监管所 another unit's case", o.MarketActor(), cg.ID, jiedao.ENOTFOUND},
			{"市场监管所 its own case", o.MarketActor(), mk.ID, ""},
			{"an undispatched case is no unit's", o.Actor(org.RoleUnitHandler), gwCase.ID, jiedao.ENOTFOUND},
			{"grid worker in his grid", o.Actor(org.RoleGridWorker), cg.ID, ""},
			{"grid worker outside his grid", o.Actor(org.RoleGridWorker), mk.ID, jiedao.ENOTFOUND},
			{"grid worker, his own report elsewhere", o.Actor(org.RoleGridWorker), gwCase.ID, ""},
			{"community staff in his community", o.Actor(org.RoleCommunityStaff), mk.ID, ""},
			{"community staff elsewhere", o.Actor(org.RoleCommunityStaff), cg.ID, jiedao.ENOTFOUND},
			{"leader", o.Actor(org.RoleLeader), mk.ID, ""},
			{"admin", o.Actor(org.RoleAdmin), cg.ID, ""},
			{"a client, not its case", org.Actor{Kind: org.ActorClient, ID: 77, Name: "IoT"}, cg.ID, jiedao.ENOTFOUND},
			{"a staff member of no known role", org.Actor{Kind: org.ActorStaff, ID: 99, Name: "?", Role: "janitor"}, cg.ID, jiedao.ENOTFOUND},
			{"a missing case", disp, 99999, jiedao.ENOTFOUND},
		} {
			if _, code := get(tc.a, tc.id); code != tc.code {
				t.Errorf("%s: got %q, want %q", tc.name, code, tc.code)
			}
		}
		// The unit a case was returned by still sees it, but acts on it no more.
		w.step(t, at.Add(time.Minute), o.MarketActor(), mk.ID, why(casework.ActReturn, "非本所职责"))
		w.step(t, at.Add(2*time.Minute), disp, mk.ID, dispatchTo(o.Chengguan.ID))
		if _, code := get(o.MarketActor(), mk.ID); code != "" {
			t.Errorf("the former unit lost sight of the case: %s", code)
		}
		w.refused(t, at.Add(3*time.Minute), o.MarketActor(), mk.ID, act(casework.ActSign), jiedao.EFORBIDDEN)
		if _, code := get(o.Actor(org.RoleUnitHandler), mk.ID); code != "" {
			t.Errorf("the new unit cannot see it: %s", code)
		}
		list, total, err := w.svc.List(bg, o.MarketActor(), casework.Filter{})
		if err != nil || total != 1 || list[0].ID != mk.ID {
			t.Errorf("市场监管所's list: %v %d %v", list, total, err)
		}
		list, total, _ = w.svc.List(bg, o.Actor(org.RoleUnitHandler), casework.Filter{})
		if total != 2 || len(list) != 2 {
			t.Errorf("城管科's list: %d of %d", len(list), total)
		}
		// A caller cannot widen his scope with a filter.
		list, total, _ = w.svc.List(bg, o.Actor(org.RoleCommunityStaff), casework.Filter{CommunityID: o.Wenhua.ID})
		if total != 0 || len(list) != 0 {
			t.Errorf("community staff listed %d (%d) cases of another community", total, len(list))
		}
		// A grid worker lists his grids' cases and the ones he reported
		// elsewhere — the cases he may open — and nothing else.
		list, total, _ = w.svc.List(bg, o.Actor(org.RoleGridWorker), casework.Filter{})
		listed := map[int64]bool{}
		for _, c := range list {
			listed[c.ID] = true
		}
		if total != 2 || len(list) != 2 || !listed[cg.ID] || !listed[gwCase.ID] {
			t.Errorf("grid worker's list: %d cases, %v; want his grid's %d and his own report %d", total, listed, cg.ID, gwCase.ID)
		}

		// Contacts: the command center and admins see them; nobody else.
		for _, tc := range []struct {
			a            org.Actor
			phone, name  string
			seesContacts bool
		}{
			{disp, residentPhone, "张三丰", true},
			{o.Actor(org.RoleAdmin), residentPhone, "张三丰", true},
			{o.Actor(org.RoleLeader), "138****5678", "张**", false},
			{o.Actor(org.RoleUnitHandler), "138****5678", "张**", false},
			{o.Actor(org.RoleGridWorker), "138****5678", "张**", false},
		} {
			c, code := get(tc.a, cg.ID)
			if code != "" {
				t.Fatalf("%s: %s", tc.a.Name, code)
			}
			if c.Reporter.Phone != tc.phone || c.Reporter.Name != tc.name {
				t.Errorf("%s sees %+v", tc.a.Name, c.Reporter)
			}
			evs, err := w.svc.Events(bg, tc.a, cg.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r := evs[0].Payload.Report.Reporter; r.Phone != tc.phone || r.Name != tc.name {
				t.Errorf("%s sees in the history %+v", tc.a.Name, r)
			}
			list, _, err := w.svc.List(bg, tc.a, casework.Filter{Number: cg.Number})
			if err != nil || len(list) != 1 || list[0].Reporter.Phone != tc.phone {
				t.Errorf("%s lists %+v %v", tc.a.Name, list, err)
			}
			// A step's answer is masked too.
			if tc.a.Role == org.RoleLeader {
				c, err := w.svc.Step(bg, tc.a, cg.ID, why(casework.ActSupervise, "请尽快"))
				if err != nil || c.Reporter.Phone != tc.phone {
					t.Errorf("the leader's step answer: %+v %v", c, err)
				}
			}
		}
		// Masking never reaches the store.
		if c, _ := w.db.Cases().GetCase(bg, cg.ID); c.Reporter.Phone != residentPhone {
			t.Errorf("stored phone %s", c.Reporter.Phone)
		}
		_, err = w.svc.Events(bg, o.MarketActor(), cg.ID)
		if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			t.Errorf("another unit's history: %v", err)
		}
	})
}

// TestServiceEvaluate checks the rates the Service computes from a set of
// cases counted by hand.
func TestServiceEvaluate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp, h := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler)
		d := func(day, hh, mm int) time.Time { return cst(2024, 6, day, hh, mm) }
		rate := func(r casework.Rating) casework.StepInput {
			return casework.StepInput{Action: casework.ActRate, Rating: r}
		}
		var fs []*casework.Case
		for range 3 {
			c := w.report(t, d(3, 9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
			w.step(t, d(3, 9, 0), disp, c.ID, act(casework.ActAccept))
			w.step(t, d(3, 9, 0), disp, c.ID, dispatchTo(o.Chengguan.ID)) // sign-for due 11:00
			fs = append(fs, c)
		}
		// F1: signed in time, handled in 1 h, closed in time, satisfied.
		w.step(t, d(3, 9, 20), h, fs[0].ID, act(casework.ActSign))
		w.step(t, d(3, 10, 20), h, fs[0].ID, act(casework.ActHandle))
		w.step(t, d(3, 10, 25), disp, fs[0].ID, act(casework.ActVerify))
		w.step(t, d(3, 10, 30), disp, fs[0].ID, act(casework.ActClose))
		w.step(t, d(3, 10, 35), disp, fs[0].ID, rate(casework.RatingSatisfied))
		// F2: signed late, reworked, handled 19 h after sign-for, closed
		// late (due 06-11), unsatisfied.
		w.step(t, d(3, 14, 0), h, fs[1].ID, act(casework.ActSign))
		w.step(t, d(3, 16, 0), h, fs[1].ID, act(casework.ActHandle))
		w.step(t, d(3, 16, 30), o.Actor(org.RoleGridWorker), fs[1].ID, why(casework.ActRework, "未清理"))
		w.step(t, d(4, 9, 0), h, fs[1].ID, act(casework.ActHandle))
		w.step(t, d(4, 9, 30), disp, fs[1].ID, act(casework.ActVerify))
		w.step(t, d(20, 9, 0), disp, fs[1].ID, act(casework.ActClose))
		w.step(t, d(20, 9, 30), disp, fs[1].ID, rate(casework.RatingUnsatisfied))
		// F3: never signed.

		w.clock.Set(d(30, 12, 0))
		q := casework.EvalQuery{From: d(1, 0, 0), To: cst(2024, 7, 1, 0, 0)}
		rows, err := w.svc.Evaluate(bg, o.Actor(org.RoleLeader), q)
		if err != nil || len(rows) != 1 {
			t.Fatalf("evaluate: %v %v", rows, err)
		}
		e := rows[0]
		want := casework.EvalCounts{Filed: 3, Closed: 2, ClosedOnTime: 1, Handled: 2, Reworked: 1, Rated: 2, Satisfied: 1,
			Dispatches: 3, SignedOnTime: 1, HandledDisp: 2, HandleSeconds: 3600 + 19*3600}
		if e.EvalCounts != want {
			t.Errorf("counts:\n got %+v\nwant %+v", e.EvalCounts, want)
		}
		for _, r := range []struct {
			name string
			got  *float64
			want float64
		}{
			{"close rate 2/3", e.CloseRate, 66.67},
			{"on-time close rate 1/2", e.OnTimeCloseRate, 50},
			{"rework rate 1/2", e.ReworkRate, 50},
			{"sign rate 1/3", e.SignTimelyRate, 33.33},
			{"satisfaction 1/2", e.SatisfactionRate, 50},
			{"average handling hours (1 + 19) / 2", e.AvgHandleHours, 10},
		} {
			if r.got == nil || *r.got != r.want {
				t.Errorf("%s: %v", r.name, r.got)
			}
		}
		rows, err = w.svc.Evaluate(bg, disp, casework.EvalQuery{From: q.From, To: q.To, GroupBy: casework.ByUnit})
		if err != nil || len(rows) != 1 || rows[0].Key != o.Chengguan.ID || rows[0].EvalCounts.Filed != 3 {
			t.Errorf("by unit: %+v %v", rows, err)
		}
		// Before F3's deadline passed, its dispatch did not count yet.
		rows, _ = w.svc.Evaluate(bg, disp, casework.EvalQuery{From: q.From, To: q.To, Now: d(3, 10, 59)})
		// (F2 was signed late, and is counted as signed whatever Now.)
		if rows[0].Dispatches != 2 || *rows[0].SignTimelyRate != 50 {
			t.Errorf("at 10:59: %+v", rows[0].EvalCounts)
		}
		// A period with nothing in it.
		rows, err = w.svc.Evaluate(bg, disp, casework.EvalQuery{From: cst(2024, 1, 1, 0, 0), To: cst(2024, 2, 1, 0, 0)})
		if err != nil || len(rows) != 0 {
			t.Errorf("January: %+v %v", rows, err)
		}
		// Rates with nothing to count are nil, not zero.
		empty := casework.EvalCounts{Filed: 2}.Rates()
		if empty.CloseRate == nil || *empty.CloseRate != 0 || empty.OnTimeCloseRate != nil || empty.SatisfactionRate != nil || empty.AvgHandleHours != nil {
			t.Errorf("empty rates: %+v", empty)
		}

		for _, tc := range []struct {
			name string
			a    org.Actor
			q    casework.EvalQuery
			code string
		}{
			{"a unit", h, q, jiedao.EFORBIDDEN},
			{"a grid worker", o.Actor(org.RoleGridWorker), q, jiedao.EFORBIDDEN},
			{"a resident", org.ResidentActor("x"), q, jiedao.EFORBIDDEN},
			{"an unknown grouping", disp, casework.EvalQuery{From: q.From, To: q.To, GroupBy: "street"}, jiedao.EINVALID},
			{"no period", disp, casework.EvalQuery{}, jiedao.EINVALID},
			{"a period backwards", disp, casework.EvalQuery{From: q.To, To: q.From}, jiedao.EINVALID},
		} {
			if _, err := w.svc.Evaluate(bg, tc.a, tc.q); jiedao.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	})
}

// TestDeadlineMarks: the deadline job raises each mark once per deadline,
// the close deadline included, which stops while the unit works on the
// case and runs again when it reports back.
func TestDeadlineMarks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp, h := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler)
		d := func(day, hh, mm int) time.Time { return cst(2024, 9, day, hh, mm) }
		run := func(at time.Time, wantWarned, wantOverdue int) {
			t.Helper()
			w.clock.Set(at)
			warned, overdue, err := w.svc.RunDeadlines(bg)
			if err != nil || warned != wantWarned || overdue != wantOverdue {
				t.Errorf("RunDeadlines at %s: %d warned, %d overdue (%v); want %d, %d", at.Format(time.DateTime), warned, overdue, err, wantWarned, wantOverdue)
			}
		}
		c := w.report(t, d(2, 8, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		c = w.step(t, d(2, 9, 0), disp, c.ID, act(casework.ActAccept))
		eqDeadline(t, "close", c.Deadlines.Close, d(9, 17, 30), d(6, 16, 6))
		run(d(6, 16, 5), 0, 0)
		run(d(6, 16, 6), 1, 0)
		run(d(6, 16, 7), 0, 0)
		c = w.step(t, d(6, 16, 10), disp, c.ID, dispatchTo(o.Chengguan.ID))
		eqDeadline(t, "sign", c.Deadlines.Sign, d(9, 9, 10), d(9, 8, 46))
		if c.WarnedDue != nil {
			t.Errorf("the sign deadline has no warning yet: %v", c.WarnedDue)
		}
		run(d(9, 8, 50), 1, 0)
		w.step(t, d(9, 9, 0), h, c.ID, act(casework.ActSign))
		c = w.step(t, d(9, 10, 0), h, c.ID, act(casework.ActHandle))
		// The close deadline runs again, warned already.
		eqTime(t, "warned due", c.WarnedDue, d(9, 17, 30))
		if !c.Deadlines.Close.Warned || c.Deadlines.Close.Overdue {
			t.Errorf("close marks: %+v", c.Deadlines.Close)
		}
		run(d(9, 10, 5), 0, 0)
		run(d(9, 17, 30), 0, 1)
		c = w.step(t, d(9, 17, 40), disp, c.ID, act(casework.ActVerify))
		run(d(9, 17, 45), 0, 0)
		// Hung and resumed: a deadline passed before it hung stays passed
		// and keeps its marks.
		w.step(t, d(9, 18, 0), disp, c.ID, why(casework.ActHang, "等待区里答复"))
		c = w.step(t, d(10, 9, 0), disp, c.ID, act(casework.ActResume))
		eqDeadline(t, "close after resuming", c.Deadlines.Close, d(9, 17, 30), d(6, 16, 6))
		eqTime(t, "overdue due", c.OverdueDue, d(9, 17, 30))
		run(d(10, 9, 5), 0, 0)
		c = w.checkReplay(t, c.ID)
		if c.SupervisionCount != 1 || !c.EverOverdue {
			t.Errorf("one overdue mark, one automatic supervision: %+v", c)
		}
		evs, _ := db.Cases().ListEvents(bg, c.ID)
		checkMarksOnce(t, evs)
		var marks []string
		for _, e := range evs {
			if e.Action == casework.ActWarn || e.Action == casework.ActOverdue || e.Action == casework.ActSupervise {
				marks = append(marks, string(e.Action)+" "+string(e.Payload.Stage))
			}
		}
		if want := "[warn close warn sign overdue close supervise ]"; fmt.Sprint(marks) != want {
			t.Errorf("marks %v, want %s", marks, want)
		}
	})
}

// TestUnwatchedDeadlines: a category may leave a limit unset. Nothing then
// runs, nothing is marked, and the step counts as in time in the figures,
// for sign-for as for closing.
func TestUnwatchedDeadlines(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp, h := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler)
		cat := &casework.Category{Code: "0103", ParentCode: fixture.CatCityAppearance, Name: "积存垃圾渣土", Active: true,
			Policies: map[casework.Urgency]casework.Policy{casework.UrgencyNormal: {}}}
		if err := w.svc.PutCategory(bg, o.Actor(org.RoleAdmin), cat); err != nil {
			t.Fatal(err)
		}
		d := func(day, hh, mm int) time.Time { return cst(2024, 6, day, hh, mm) }
		c := w.report(t, d(3, 9, 0), disp, o.GridW1.ID, "0103")
		c = w.step(t, d(3, 9, 0), disp, c.ID, act(casework.ActAccept))
		c = w.step(t, d(3, 9, 0), disp, c.ID, dispatchTo(o.Chengguan.ID))
		if c.Deadlines != (casework.Deadlines{}) || c.DueStateAt(d(30, 0, 0)) != casework.DueNone {
			t.Errorf("deadlines of a category without limits: %+v", c.Deadlines)
		}
		c = w.step(t, d(20, 9, 0), h, c.ID, act(casework.ActSign))
		w.step(t, d(20, 10, 0), h, c.ID, act(casework.ActHandle))
		w.step(t, d(20, 11, 0), disp, c.ID, act(casework.ActVerify))
		c = w.step(t, d(20, 12, 0), disp, c.ID, act(casework.ActClose))
		w.clock.Set(d(30, 0, 0))
		if warned, overdue, err := w.svc.RunDeadlines(bg); err != nil || warned+overdue != 0 {
			t.Errorf("marks on a case without limits: %d %d %v", warned, overdue, err)
		}
		rows, err := w.svc.Evaluate(bg, disp, casework.EvalQuery{From: d(1, 0, 0), To: cst(2024, 7, 1, 0, 0)})
		if err != nil || len(rows) != 1 {
			t.Fatalf("%v %v", rows, err)
		}
		e := rows[0]
		if e.Dispatches != 1 || e.SignTimelyRate == nil || *e.SignTimelyRate != 100 || e.OnTimeCloseRate == nil || *e.OnTimeCloseRate != 100 {
			t.Errorf("without limits, signing and closing are in time: %+v sign %v close %v", e.EvalCounts, e.SignTimelyRate, e.OnTimeCloseRate)
		}
		if c.SignedOnTime == nil || !*c.SignedOnTime || c.ClosedOnTime == nil || !*c.ClosedOnTime {
			t.Errorf("case: signed on time %v, closed on time %v", c.SignedOnTime, c.ClosedOnTime)
		}
	})
}

// TestFieldWork: handling is reported with what was done; a category may
// require a photo of the result; a grid worker handles a small problem he
// reported on the spot (自行处置), which the command center verifies and
// which is counted apart from units' handling.
func TestFieldWork(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		disp, handler, gw := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler), o.Actor(org.RoleGridWorker)

		// Handling without a description is refused, naming the field.
		c := w.report(t, cst(2024, 6, 3, 9, 0), disp, o.GridW1.ID, fixture.CatExposedTrash)
		w.step(t, cst(2024, 6, 3, 9, 5), disp, c.ID, act(casework.ActAccept))
		w.step(t, cst(2024, 6, 3, 9, 10), disp, c.ID, dispatchTo(o.Chengguan.ID))
		w.step(t, cst(2024, 6, 3, 9, 20), handler, c.ID, act(casework.ActSign))
		_, err := w.svc.Step(bg, handler, c.ID, casework.StepInput{Action: casework.ActHandle, Reason: "  "})
		if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != "reason" {
			t.Fatalf("handle without a description: %v", err)
		}

		// The major class 市容环境 now requires a photo of the result: its
		// minor class 暴露垃圾 needs one too.
		major, err := db.Cases().GetCategory(bg, fixture.CatCityAppearance)
		if err != nil {
			t.Fatal(err)
		}
		major.AfterPhoto = true
		if err := w.svc.PutCategory(bg, o.Actor(org.RoleAdmin), major); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Cases().GetCategory(bg, fixture.CatCityAppearance); !got.AfterPhoto {
			t.Fatal("after_photo not stored")
		}
		_, err = w.svc.Step(bg, handler, c.ID, casework.StepInput{Action: casework.ActHandle, Reason: "已清运"})
		if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != "photos" {
			t.Fatalf("handle without the required photo: %v", err)
		}
		c = w.step(t, cst(2024, 6, 3, 10, 0), handler, c.ID, casework.StepInput{Action: casework.ActHandle, Reason: "已清运", Photos: []string{"41"}})
		if c.Status != casework.StatusHandled || c.SelfHandled {
			t.Fatalf("handled: %s %v", c.Status, c.SelfHandled)
		}

		// 自行处置 by the grid worker who reported it: a description, and
		// the required photo, then straight to verification.
		s := w.report(t, cst(2024, 6, 3, 11, 0), gw, o.GridW1.ID, fixture.CatExposedTrash)
		if _, err := w.svc.Step(bg, gw, s.ID, casework.StepInput{Action: casework.ActSelfHandle, Reason: "已随手清理"}); jiedao.ErrorField(err) != "photos" {
			t.Fatalf("self-handle without the required photo: %v", err)
		}
		if _, err := w.svc.Step(bg, disp, s.ID, casework.StepInput{Action: casework.ActSelfHandle, Reason: "x", Photos: []string{"1"}}); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("self-handle by someone who did not report it: %v", err)
		}
		s = w.step(t, cst(2024, 6, 3, 11, 5), gw, s.ID, casework.StepInput{Action: casework.ActSelfHandle, Reason: "已随手清理", Photos: []string{"42"}})
		if s.Status != casework.StatusHandled || !s.SelfHandled || s.HandledCount != 0 || s.AcceptedAt != nil || s.Deadlines.Close == nil {
			t.Fatalf("self-handled: %+v", s)
		}
		// He may not verify his own work; the command center does.
		if _, err := w.svc.Step(bg, gw, s.ID, act(casework.ActVerify)); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("the grid worker verified his own handling: %v", err)
		}
		s = w.step(t, cst(2024, 6, 3, 14, 0), disp, s.ID, act(casework.ActVerify))
		s = w.step(t, cst(2024, 6, 3, 14, 5), disp, s.ID, act(casework.ActClose))
		if s.Status != casework.StatusClosed || s.ClosedOnTime == nil || !*s.ClosedOnTime {
			t.Fatalf("closed: %+v", s)
		}
		// Counted apart: the self-handled filter has it, units' handling not.
		all := casework.Filter{Scope: casework.Scope{All: true}, Limit: 10}
		spot := all
		spot.SelfHandled = true
		list, n, err := db.Cases().ListCases(bg, spot)
		if err != nil || n != 1 || list[0].ID != s.ID {
			t.Fatalf("self-handled list: %d %v", n, err)
		}
		handled := all
		handled.Handled = true
		if list, _, _ := db.Cases().ListCases(bg, handled); len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("units' handled list: %v", list)
		}
	})
}

// TestOutsideJurisdiction: a report located far outside the grids (another
// subdistrict) is refused at the location; one just outside every grid is
// taken, placed in no grid.
func TestOutsideJurisdiction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		in := w.input(w.o.GridW1.ID, fixture.CatExposedTrash)
		farLat, farLon := *in.Lat+0.2, *in.Lon+0.2 // some 28 km away
		in.Lat, in.Lon = &farLat, &farLon
		_, err := w.svc.Report(bg, org.ResidentActor("张三"), in)
		if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != "lat" {
			t.Fatalf("a report 28 km away: %v", err)
		}
		if zh, _ := jiedao.ErrorMessages(err); !strings.Contains(zh, "不在本街道辖区内") {
			t.Errorf("message %q", zh)
		}
	})
}
