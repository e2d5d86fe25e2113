package casework

import (
	"context"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// The deadline job's statutory clocks (docs/kinds.md): on each open kind
// case, a running clock raises one warning when it enters its warning
// window and one overdue mark when its end has passed (calendar.Clock's
// Raise), each an event of the case (ActWarn, ActOverdue) naming the
// clock and its article, with the clock's notice as the reason, and
// carrying the kind state with the mark recorded, so that replay needs
// nothing else. A paused clock, a met one and a party's window raise
// nothing. An overdue mark is followed by one supervision (督办, ActSupervise
// by the system, Payload.Clock naming the clock), recorded on the clock
// (Clock.Supervised), so that it is opened once however often the job
// runs, and after a crash between the two by the next run.

// clockPage is how many open kind cases the job reads at a time.
const clockPage = 500

// ClockEvent returns the next warning or overdue event of a statutory
// clock of c at now, or nil when no clock has one to raise. The caller
// applies it; one event marks one clock, so a case with two clocks due
// gets two events, one after the other.
func ClockEvent(cal *calendar.Calendar, c *Case, now time.Time) *Event {
	if c.Kind == KindOrdinary || c.KindState == nil || !c.Status.Open() {
		return nil
	}
	for i := range c.KindState.Clocks {
		clk := &c.KindState.Clocks[i]
		if clk.NeedsSupervision() {
			// The overdue mark's supervision (督办), once: the clock
			// records it in the kind state the event carries.
			st := c.KindState.Clone()
			st.Clocks[i].Supervised = true
			e := &Event{CaseID: c.ID, Seq: c.EventCount + 1, At: maxTime(now, c.UpdatedAt), From: c.Status, To: c.Status, Action: ActSupervise,
				Reason:  ClockSuperviseReason(clk.Def),
				Payload: Payload{KindState: st, Clock: clk.Def.Name, Article: clk.Def.Article}}
			setActor(e, org.SystemActor())
			return e
		}
		mark := clk.Raise(cal, now)
		if mark == "" {
			continue
		}
		st := c.KindState.Clone()
		state := st.Clocks[i].State(cal, now)
		st.Clocks[i].Mark(mark)
		e := &Event{CaseID: c.ID, Seq: c.EventCount + 1, At: maxTime(now, c.UpdatedAt), From: c.Status, To: c.Status,
			Payload: Payload{KindState: st, Clock: clk.Def.Name, Article: clk.Def.Article}}
		setActor(e, org.SystemActor())
		if mark == calendar.ClockOverdue {
			e.Action = ActOverdue
			e.Reason = "超期：" + state.Notice
		} else {
			e.Action = ActWarn
			e.Reason = "预警：" + state.Notice
		}
		return e
	}
	return nil
}

// ClockSuperviseReason is the reason of the supervision the deadline job
// opens on a statutory clock's overdue mark.
func ClockSuperviseReason(d calendar.ClockDef) string {
	return "“" + d.Zh + "”法定时限已过（依据" + d.Article + "），系统自动督办"
}

// runClocks raises the statutory clocks' marks of the open kind cases at
// now.
func (s *Service) runClocks(ctx context.Context, now time.Time) (warned, overdue int, err error) {
	if s.Calendars == nil {
		return 0, 0, nil
	}
	cal, err := s.Calendars.Calendar(ctx)
	if err != nil {
		return 0, 0, err
	}
	var after int64
	for {
		cases, err := s.Store.OpenKindCases(ctx, after, clockPage)
		if err != nil {
			return warned, overdue, err
		}
		for _, c := range cases {
			after = c.ID
			if ClockEvent(cal, c, now) == nil {
				continue // read without a lock: most cases have nothing to raise
			}
			for {
				_, e, err := s.Store.UpdateCase(ctx, c.ID, func(c *Case) (*Event, error) {
					e := ClockEvent(cal, c, now)
					if e == nil {
						return nil, nil
					}
					_, err := Apply(c, e)
					return e, err
				})
				if err != nil {
					return warned, overdue, err
				}
				if e == nil {
					break
				}
				switch e.Action {
				case ActOverdue:
					overdue++
				case ActWarn:
					warned++
				}
			}
		}
		if len(cases) < clockPage {
			return warned, overdue, nil
		}
	}
}
