package casework

import (
	"fmt"
	"time"
)

// Apply folds one event into a case: the single definition of what each
// step does to a case's fields, used when a step is taken and on replay.
// It checks only that the event fits the case (its status and sequence);
// who may take a step was decided before the event was written. For the
// report event, c is nil and a new case is returned.
func Apply(c *Case, e *Event) (*Case, error) {
	if e.Action == ActReport {
		if c != nil || e.Payload.Report == nil {
			return nil, fmt.Errorf("casework: report event %d must start a case and carry it", e.Seq)
		}
		n := *e.Payload.Report
		n.ID, n.Status, n.ReportedAt, n.UpdatedAt = e.CaseID, StatusReported, e.At, e.At
		n.EventCount = 1
		if n.KindState != nil {
			n.KindState = n.KindState.Clone()
		}
		if e.Seq != 1 {
			return nil, fmt.Errorf("casework: report event has seq %d", e.Seq)
		}
		return &n, nil
	}
	if c == nil {
		return nil, fmt.Errorf("casework: event %d (%s) before the report", e.Seq, e.Action)
	}
	if e.Seq != c.EventCount+1 {
		return nil, fmt.Errorf("casework: case %d expects event %d, got %d", c.ID, c.EventCount+1, e.Seq)
	}
	if e.From != c.Status {
		return nil, fmt.Errorf("casework: case %d is %s, event %d says from %s", c.ID, c.Status, e.Seq, e.From)
	}
	at := e.At
	p := e.Payload
	switch e.Action {
	case ActAccept:
		c.AcceptedAt = &at
		if p.Category != "" {
			c.Category = p.Category
		}
		if p.Urgency != "" {
			c.Urgency = p.Urgency
		}
	case ActDispatch:
		c.UnitID = p.UnitID
		c.Assignments++
		c.DispatchedAt = &at
		c.SignedAt, c.StartedAt, c.HandledAt, c.ReturnedAt, c.SignedOnTime = nil, nil, nil, nil, nil
	case ActSign:
		c.SignedAt = &at
		c.SignedOnTime = p.OnTime
	case ActReturn:
		c.ReturnedAt = &at
		c.ReturnCount++
		c.Extension = nil
	case ActStart:
		c.StartedAt = &at
		if c.ArrivedAt == nil {
			c.ArrivedAt = cloneTime(at)
		}
	case ActHandle:
		if c.StartedAt == nil {
			c.StartedAt = &at
		}
		c.HandledAt = &at
		c.HandledCount++
		c.Extension = nil
	case ActSelfHandle:
		// Counted apart: not in HandledCount, which counts units' reports.
		c.StartedAt, c.ArrivedAt, c.HandledAt = &at, cloneTime(at), cloneTime(at)
		c.SelfHandled = true
	case ActVerify:
		c.VerifiedAt = &at
	case ActRework:
		c.ReworkCount++
		c.VerifiedAt = nil
	case ActClose:
		c.ClosedAt = &at
		c.ClosedOnTime = p.OnTime
	case ActRate:
		c.Rating, c.RatedAt, c.RatingNote = p.Rating, &at, p.Comment
	case ActReopen:
		c.ReopenCount++
		c.ClosedAt, c.ClosedOnTime, c.VerifiedAt = nil, nil, nil
		c.Rating, c.RatedAt, c.RatingNote = "", nil, ""
	case ActEscalate:
		c.Escalated = true
	case ActSupervise:
		c.SupervisionCount++
	case ActRequestExtension:
		c.Extension = &Extension{Days: p.Days, Reason: e.Reason, RequestedAt: at, RequestedBy: e.ActorName}
	case ActApproveExtension:
		c.ExtensionDays += p.Days
		c.Extension = nil
	case ActDenyExtension:
		c.Extension = nil
	case ActHang:
		c.HungFrom, c.HungAt = c.Status, &at
	case ActResume:
		c.HungFrom, c.HungAt = "", nil
	case ActMerge:
		c.MergedInto = p.MergedInto
		c.Extension = nil // nothing is pending on a case merged away
	case ActWarn:
		// A statutory clock's mark is in the kind state it carries.
		if p.Clock == "" {
			st, d := c.Running()
			c.Deadlines.mark(st, d, false)
		}
	case ActOverdue:
		if p.Clock == "" {
			st, d := c.Running()
			c.Deadlines.mark(st, d, true)
		}
		c.EverOverdue = true
	case ActAlarmRepeat:
		c.AlarmCount = p.Count
		c.ClearedAt = nil // alarming again: not clear any more
	case ActAlarmClear:
		c.ClearedAt = &at
	case ActConclude, ActPetitionDecline, ActLegalRoute, ActBacklogClear:
		c.ClosedAt = &at
		c.ClosedOnTime = p.OnTime
	case ActMediate, ActMediationResult, ActAgreementSeal, ActFollowUp, ActJudicialConfirm,
		ActPetitionAccept, ActPetitionAnswer, ActPetitionReview,
		ActInvestigate, ActNotify, ActHearingRequest, ActHearing, ActDecide, ActServe, ActExecute, ActInspect,
		ActDutyDispatch, ActArrive, ActDutyReport, ActDutyDone,
		ActClockPause, ActClockResume, ActClockExtend:
		if e.To == StatusHandled && c.HandledAt == nil {
			c.HandledAt = &at
			c.HandledCount++
		}
		if e.To == StatusHandling && c.StartedAt == nil {
			c.StartedAt = &at
		}
	case ActTransfer:
		// 转办 (transfer.go): to the new subdistrict's command center; a
		// dispatch in hand is ended as a return ends it.
		if dispatchOpen(c.Status) {
			c.ReturnedAt = &at
		}
		c.JurisdictionID = p.ToJurisdiction
		c.UnitID, c.SuggestedUnit = 0, p.SuggestedUnit
		c.Extension = nil
	case ActVoid:
		c.Extension = nil // nothing is pending on a void case
	case ActReject, ActComment:
		// the status says it all
	default:
		return nil, fmt.Errorf("casework: unknown action %q in event %d", e.Action, e.Seq)
	}
	if p.Deadlines != nil {
		c.Deadlines = *p.Deadlines
	}
	if p.KindState != nil {
		c.KindState = p.KindState.Clone()
	}
	c.Status = e.To
	c.EventCount = e.Seq
	c.UpdatedAt = at
	// The marks of the deadline now running, whichever step made it run.
	c.WarnedDue, c.OverdueDue = nil, nil
	if _, d := c.Running(); d != nil {
		if d.Warned {
			c.WarnedDue = cloneTime(d.Due)
		}
		if d.Overdue {
			c.OverdueDue = cloneTime(d.Due)
		}
	}
	return c, nil
}

// Replay rebuilds a case from its events, in order.
func Replay(events []*Event) (*Case, error) {
	var c *Case
	var err error
	for _, e := range events {
		if c, err = Apply(c, e); err != nil {
			return nil, err
		}
	}
	if c == nil {
		return nil, fmt.Errorf("casework: no events")
	}
	return c, nil
}

// cloneTime copies a time so that a case never shares a pointer with an event.
func cloneTime(t time.Time) *time.Time { return &t }
