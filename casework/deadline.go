package casework

import (
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// Deadlines: what each limit counts from.
//
//   - sign (签收时限): from each dispatch to the unit's sign-for.
//   - start (处置时限): from sign-for to the start of handling.
//   - finish (办结时限): from sign-for, and again from each rework, to the
//     unit's report back (反馈).
//   - close (结案时限): from acceptance (立案), and again from a reopening,
//     to closing.
//
// An approved extension adds its working days to the finish and close
// deadlines. A hung case's clock stops: on resuming, every running deadline
// moves by the time it hung, counted in its own measure (working time for
// working limits, clock time for natural ones). A warning is raised when
// WarnFraction of a limit has passed; overdue when the due time has passed.

// WarnFraction is the share of a limit after which a case is in warning.
const WarnFraction = 0.8

// Stage names the deadline that is running.
type Stage string

const (
	StageNone   Stage = ""
	StageSign   Stage = "sign"
	StageStart  Stage = "start"
	StageFinish Stage = "finish"
	StageClose  Stage = "close"
)

// Zh returns the stage's Chinese name.
func (s Stage) Zh() string {
	switch s {
	case StageSign:
		return "签收"
	case StageStart:
		return "处置"
	case StageFinish:
		return "办结"
	case StageClose:
		return "结案"
	}
	return ""
}

// Policy holds a category's limits for one urgency. A zero limit means
// that deadline is not watched.
type Policy struct {
	SignFor calendar.Limit `json:"sign_for"`
	Start   calendar.Limit `json:"start"`
	Finish  calendar.Limit `json:"finish"`
	Close   calendar.Limit `json:"close"`
}

// Validate checks each limit.
func (p Policy) Validate() error {
	for _, l := range []calendar.Limit{p.SignFor, p.Start, p.Finish, p.Close} {
		if l.IsZero() {
			continue
		}
		if err := l.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// DefaultPolicies are used for a category that sets none: they follow the
// common practice of digital city management (urgent cases in hours).
func DefaultPolicies() map[Urgency]Policy {
	wh := func(n int) calendar.Limit { return calendar.Limit{Amount: n, Unit: calendar.WorkingHoursUnit} }
	wd := func(n int) calendar.Limit { return calendar.Limit{Amount: n, Unit: calendar.WorkingDays} }
	nh := func(n int) calendar.Limit { return calendar.Limit{Amount: n, Unit: calendar.NaturalHours} }
	return map[Urgency]Policy{
		UrgencyNormal:   {SignFor: wh(2), Start: wh(4), Finish: wd(3), Close: wd(5)},
		UrgencyUrgent:   {SignFor: nh(1), Start: nh(2), Finish: nh(24), Close: nh(48)},
		UrgencyCritical: {SignFor: calendar.Limit{Amount: 15, Unit: calendar.Minutes}, Start: calendar.Limit{Amount: 30, Unit: calendar.Minutes}, Finish: nh(4), Close: nh(8)},
	}
}

// newDeadline computes a deadline of limit l running from start, or nil
// for a zero limit.
func newDeadline(cal *calendar.Calendar, start time.Time, l calendar.Limit) *Deadline {
	if l.IsZero() {
		return nil
	}
	due := cal.Add(start, l)
	working := l.Unit == calendar.WorkingHoursUnit || l.Unit == calendar.WorkingDays
	return &Deadline{Due: due, Warn: warnAt(cal, start, due, working), Working: working}
}

func warnAt(cal *calendar.Calendar, start, due time.Time, working bool) time.Time {
	if working {
		return cal.AddWorking(start, time.Duration(float64(cal.WorkingBetween(start, due))*WarnFraction))
	}
	return start.Add(time.Duration(float64(due.Sub(start)) * WarnFraction))
}

// extend moves a deadline by n working days. Adding whole working days
// keeps the hour of day: the due time moves by n full working days of
// working time (Tuesday 14:00 plus one day is Wednesday 14:00, not the
// end of Wednesday). The warning moves with it, so that an extended case
// is not in warning at once: by the same working time for a working limit,
// by the same clock time as the due time for a clock one.
func extend(cal *calendar.Calendar, d *Deadline, days int) *Deadline {
	if d == nil {
		return nil
	}
	var perDay time.Duration
	for _, s := range cal.Hours() {
		perDay += time.Duration(s.End-s.Start) * time.Minute
	}
	span := time.Duration(days) * perDay
	due := cal.AddWorking(d.Due, span)
	warn := d.Warn.Add(due.Sub(d.Due))
	if d.Working {
		warn = cal.AddWorking(d.Warn, span)
	}
	return &Deadline{Due: due, Warn: warn, Working: d.Working}
}

// shift moves a deadline that was running while a case hung from hungAt to
// now: it keeps the time that was left.
func shift(cal *calendar.Calendar, d *Deadline, hungAt, now time.Time) *Deadline {
	if d == nil {
		return nil
	}
	move := func(t time.Time) time.Time {
		if !t.After(hungAt) {
			return t // already passed when the clock stopped
		}
		if d.Working {
			return cal.AddWorking(now, cal.WorkingBetween(hungAt, t))
		}
		return now.Add(t.Sub(hungAt))
	}
	// A mark was raised after its time had passed, before the case hung:
	// that time has not moved, so the mark still holds.
	return &Deadline{Due: move(d.Due), Warn: move(d.Warn), Working: d.Working, Warned: d.Warned, Overdue: d.Overdue}
}

// running returns the field of the deadline of stage st.
func (ds *Deadlines) running(st Stage) **Deadline {
	switch st {
	case StageSign:
		return &ds.Sign
	case StageStart:
		return &ds.Start
	case StageFinish:
		return &ds.Finish
	case StageClose:
		return &ds.Close
	}
	return nil
}

// mark records a warning, or an overdue mark (which implies the warning),
// on the running deadline d of stage st. It replaces d by a marked copy:
// d may be shared with an event's payload, which must not change.
func (ds *Deadlines) mark(st Stage, d *Deadline, overdue bool) {
	f := ds.running(st)
	if d == nil || f == nil {
		return
	}
	m := *d
	m.Warned, m.Overdue = true, m.Overdue || overdue
	*f = &m
}

// Running returns the deadline that is running in the case's current
// status, and which one it is.
func (c *Case) Running() (Stage, *Deadline) {
	switch c.Status {
	case StatusDispatched:
		return StageSign, c.Deadlines.Sign
	case StatusSigned:
		if c.Deadlines.Start != nil {
			return StageStart, c.Deadlines.Start
		}
		return StageFinish, c.Deadlines.Finish
	case StatusHandling, StatusRework:
		return StageFinish, c.Deadlines.Finish
	case StatusAccepted, StatusReturned, StatusEscalated, StatusHandled, StatusVerified:
		return StageClose, c.Deadlines.Close
	}
	return StageNone, nil
}

// DueState is what a dispatcher sees at a glance.
type DueState string

const (
	DueNone    DueState = ""        // no running deadline
	DueOK      DueState = "ok"      // in time
	DueWarning DueState = "warning" // 预警
	DueOverdue DueState = "overdue" // 超期
)

// Zh is the deadline state's Chinese name; none has none.
func (d DueState) Zh() string {
	switch d {
	case DueOK:
		return "正常"
	case DueWarning:
		return "预警"
	case DueOverdue:
		return "超期"
	}
	return ""
}

// DueStateAt says whether the running deadline is in time, in warning or
// overdue at now.
func (c *Case) DueStateAt(now time.Time) DueState {
	_, d := c.Running()
	switch {
	case d == nil:
		return DueNone
	case !now.Before(d.Due):
		return DueOverdue
	case !now.Before(d.Warn):
		return DueWarning
	}
	return DueOK
}

// validateExtensionDays bounds an extension request.
func validateExtensionDays(days int) error {
	if days < 1 || days > 60 {
		return jiedao.Invalid("days", "延期天数应在1到60个工作日之间", "an extension must be 1 to 60 working days")
	}
	return nil
}
