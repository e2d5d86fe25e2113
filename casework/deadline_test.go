package casework_test

import (
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Zone())
}

func TestRunningAndDueStateAt(t *testing.T) {
	sign := &casework.Deadline{Due: cst(2024, 6, 12, 11, 0), Warn: cst(2024, 6, 12, 10, 36), Working: true}
	start := &casework.Deadline{Due: cst(2024, 6, 12, 15, 0), Warn: cst(2024, 6, 12, 14, 0)}
	finish := &casework.Deadline{Due: cst(2024, 6, 14, 17, 30), Warn: cst(2024, 6, 14, 11, 0)}
	closeD := &casework.Deadline{Due: cst(2024, 6, 18, 17, 30), Warn: cst(2024, 6, 17, 16, 0)}
	all := casework.Deadlines{Sign: sign, Start: start, Finish: finish, Close: closeD}
	noStart := casework.Deadlines{Sign: sign, Finish: finish, Close: closeD}
	for _, tc := range []struct {
		status casework.Status
		d      casework.Deadlines
		stage  casework.Stage
		want   *casework.Deadline
	}{
		{casework.StatusReported, all, casework.StageNone, nil},
		{casework.StatusAccepted, all, casework.StageClose, closeD},
		{casework.StatusDispatched, all, casework.StageSign, sign},
		{casework.StatusSigned, all, casework.StageStart, start},
		{casework.StatusSigned, noStart, casework.StageFinish, finish},
		{casework.StatusHandling, all, casework.StageFinish, finish},
		{casework.StatusRework, all, casework.StageFinish, finish},
		{casework.StatusReturned, all, casework.StageClose, closeD},
		{casework.StatusEscalated, all, casework.StageClose, closeD},
		{casework.StatusHandled, all, casework.StageClose, closeD},
		{casework.StatusVerified, all, casework.StageClose, closeD},
		{casework.StatusClosed, all, casework.StageNone, nil},
		{casework.StatusHung, all, casework.StageNone, nil},
		{casework.StatusVoided, all, casework.StageNone, nil},
		{casework.StatusDispatched, casework.Deadlines{Close: closeD}, casework.StageSign, nil},
	} {
		c := &casework.Case{Status: tc.status, Deadlines: tc.d}
		st, d := c.Running()
		if st != tc.stage || d != tc.want {
			t.Errorf("%s: Running = %s %v, want %s %v", tc.status, st, d, tc.stage, tc.want)
		}
	}

	c := &casework.Case{Status: casework.StatusDispatched, Deadlines: all}
	for _, tc := range []struct {
		at   time.Time
		want casework.DueState
	}{
		{cst(2024, 6, 12, 9, 0), casework.DueOK},
		{cst(2024, 6, 12, 10, 35), casework.DueOK},
		{cst(2024, 6, 12, 10, 36), casework.DueWarning}, // the warning time itself warns
		{cst(2024, 6, 12, 10, 59), casework.DueWarning},
		{cst(2024, 6, 12, 11, 0), casework.DueOverdue}, // the due time itself is overdue
		{cst(2024, 6, 13, 9, 0), casework.DueOverdue},
	} {
		if got := c.DueStateAt(tc.at); got != tc.want {
			t.Errorf("DueStateAt(%s) = %q, want %q", tc.at.Format(time.DateTime), got, tc.want)
		}
	}
	// The instant counts, not the zone it is written in.
	if got := c.DueStateAt(time.Date(2024, 6, 12, 3, 0, 0, 0, time.UTC)); got != casework.DueOverdue {
		t.Errorf("11:00 CST given in UTC: %q", got)
	}
	c.Status = casework.StatusHung
	if got := c.DueStateAt(cst(2024, 7, 1, 9, 0)); got != casework.DueNone {
		t.Errorf("a hung case has no running deadline: %q", got)
	}
	if casework.StageSign.Zh() != "签收" || casework.StageClose.Zh() != "结案" || casework.StageNone.Zh() != "" {
		t.Error("stage names")
	}
}

func TestApplyRefusesEventsThatDoNotFit(t *testing.T) {
	at := cst(2024, 6, 12, 9, 0)
	report := &casework.Event{CaseID: 7, Seq: 1, Action: casework.ActReport, At: at, To: casework.StatusReported,
		Payload: casework.Payload{Report: &casework.Case{Channel: casework.ChannelGrid, Category: "0101", Title: "垃圾"}}}
	c, err := casework.Apply(nil, report)
	if err != nil || c.ID != 7 || c.Status != casework.StatusReported || c.EventCount != 1 || !c.ReportedAt.Equal(at) {
		t.Fatalf("report: %+v %v", c, err)
	}
	if report.Payload.Report.Status != "" {
		t.Error("Apply changed the report event's payload")
	}
	if _, err := casework.Apply(c, report); err == nil {
		t.Error("a second report was applied")
	}
	if _, err := casework.Apply(nil, &casework.Event{Seq: 1, Action: casework.ActReport}); err == nil {
		t.Error("a report without its case was applied")
	}
	accept := &casework.Event{CaseID: 7, Seq: 2, Action: casework.ActAccept, At: at, From: casework.StatusReported, To: casework.StatusAccepted}
	if _, err := casework.Apply(nil, accept); err == nil {
		t.Error("an accept before the report was applied")
	}
	bad := *accept
	bad.Seq = 3
	if _, err := casework.Apply(c, &bad); err == nil {
		t.Error("an event out of sequence was applied")
	}
	bad = *accept
	bad.From = casework.StatusDispatched
	if _, err := casework.Apply(c, &bad); err == nil {
		t.Error("an event from the wrong status was applied")
	}
	bad = *accept
	bad.Action = "teleport"
	if _, err := casework.Apply(c, &bad); err == nil {
		t.Error("an unknown action was applied")
	}
	if _, err := casework.Replay(nil); err == nil {
		t.Error("Replay of no events made a case")
	}
	got, err := casework.Replay([]*casework.Event{report, accept})
	if err != nil || got.Status != casework.StatusAccepted || got.AcceptedAt == nil || got.EventCount != 2 {
		t.Errorf("replay: %+v %v", got, err)
	}
}
