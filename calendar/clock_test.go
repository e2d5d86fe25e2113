package calendar

import (
	"strings"
	"testing"
	"time"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Zone())
	if err != nil {
		panic(err)
	}
	return t
}

func official(t *testing.T) *Calendar {
	t.Helper()
	return New(Official(), DefaultWorkingHours())
}

var (
	petitionAccept = ClockDef{Name: "petition.accept", Zh: "作出受理决定", En: "decide on acceptance", From: "收到信访事项", FromEn: "receipt",
		Limit: Limit{Amount: 15, Unit: NaturalDays}, Article: "《信访工作条例》第三十条", WarnDays: 3}
	petitionHandle = ClockDef{Name: "petition.handle", Zh: "办结", En: "handle", From: "受理", FromEn: "acceptance",
		Limit: Limit{Amount: 60, Unit: NaturalDays}, Article: "《信访工作条例》第三十二条", WarnDays: 10, Pausable: true,
		MaxExtension: 30, MaxExtensions: 1}
	serveDecision = ClockDef{Name: "enforcement.serve", Zh: "送达处罚决定书", En: "serve the decision", From: "作出处罚决定", FromEn: "decision",
		Limit: Limit{Amount: 7, Unit: WorkingDays}, Article: "《行政处罚法》第六十一条、第八十五条", WarnDays: 2, Pausable: true}
)

// A natural-day limit ending in the Spring Festival runs to the first
// working day after it: Saturday 28 January 2023, a make-up workday.
func TestClockNaturalDaysRollOverSpringFestival(t *testing.T) {
	cal := official(t)
	c := NewClock(petitionAccept, cst("2023-01-07 10:00"))
	st := c.State(cal, cst("2023-01-10 09:00"))
	if st.DueDate != "2023-01-28" || !st.Due.Equal(cst("2023-01-29 00:00")) {
		t.Fatalf("due %s (%s), want 2023-01-28 (the 15th day, 22 January, is a holiday)", st.DueDate, st.Due)
	}
	if st.Status != ClockRunning || st.Left != 18 {
		t.Errorf("state %s, left %d; want running, 18 days", st.Status, st.Left)
	}
	if !strings.Contains(st.Notice, "《信访工作条例》第三十条") || !strings.Contains(st.Notice, "2023-01-28") {
		t.Errorf("notice %q does not cite the article and date", st.Notice)
	}
	// Warning three days before the end, overdue from its 24:00.
	if got := c.State(cal, cst("2023-01-26 00:00")).Status; got != ClockWarning {
		t.Errorf("26 Jan: %s, want warning", got)
	}
	if got := c.State(cal, cst("2023-01-28 23:59")).Status; got != ClockWarning {
		t.Errorf("28 Jan 23:59: %s, want warning", got)
	}
	if got := c.State(cal, cst("2023-01-29 00:00")); got.Status != ClockOverdue || got.Left != -1 {
		t.Errorf("29 Jan: %s left %d, want overdue -1", got.Status, got.Left)
	}
	// A limit ending on a plain Sunday runs to Monday.
	c2 := NewClock(petitionAccept, cst("2023-03-04 10:00")) // +15 = Sunday 19 March
	if got := c2.State(cal, cst("2023-03-05 10:00")).DueDate; got != "2023-03-20" {
		t.Errorf("due %s, want Monday 2023-03-20", got)
	}
}

// Working days skip the holiday and count the make-up workdays.
func TestClockWorkingDaysAcrossNationalDay(t *testing.T) {
	cal := official(t)
	c := NewClock(serveDecision, cst("2023-09-27 15:00"))
	// 28 Sep, then 7, 8 (make-up Saturday and Sunday), 9, 10, 11, 12 Oct.
	st := c.State(cal, cst("2023-09-27 16:00"))
	if !st.Due.Equal(cst("2023-10-12 17:30")) {
		t.Fatalf("due %s, want 2023-10-12 17:30", st.Due)
	}
	if st.Left != 7 {
		t.Errorf("left %d working days, want 7", st.Left)
	}
	if w := c.Warn(cal, cst("2023-09-27 16:00")); !w.Equal(cst("2023-10-11 00:00")) {
		t.Errorf("warn %s, want the start of 11 Oct (two working days left)", w)
	}
	// Paused across the holiday: from Friday 28 Sep to Monday 9 Oct takes
	// out 28 Sep, 7 and 8 Oct (three working days).
	if err := c.Pause(cst("2023-09-28 09:00"), "当事人下落不明，公告送达"); err != nil {
		t.Fatal(err)
	}
	if err := c.Pause(cst("2023-09-28 10:00"), "另一暂停"); err == nil || !strings.Contains(err.Error(), "不能同时两次暂停") {
		t.Fatalf("second pause: %v, want refused", err)
	}
	if len(c.Pauses) != 1 {
		t.Fatalf("a refused pause changed the clock: %d pauses", len(c.Pauses))
	}
	if got := c.State(cal, cst("2023-10-01 12:00")).Status; got != ClockPaused {
		t.Errorf("paused clock shows %s", got)
	}
	if err := c.Resume(cst("2023-10-09 09:00")); err != nil {
		t.Fatal(err)
	}
	if got := c.Due(cal, cst("2023-10-09 10:00")); !got.Equal(cst("2023-10-17 17:30")) {
		t.Errorf("due after the pause %s, want 2023-10-17 17:30", got)
	}
	// Not extendable: refused with its article.
	if err := c.Extend(3, "原因", "张主任", cst("2023-10-09 10:00")); err == nil || !strings.Contains(err.Error(), "不得延长") {
		t.Errorf("extension of a clock without one: %v", err)
	}
	if err := c.MeetAt(cst("2023-10-16 11:00")); err != nil {
		t.Fatal(err)
	}
	if st := c.State(cal, cst("2023-12-01 00:00")); st.Status != ClockMet {
		t.Errorf("met in time shows %s", st.Status)
	}
}

// A 60-day clock with a pause and the one extension of 30 days its rule
// allows, across National Day.
func TestClockPauseAndExtension(t *testing.T) {
	cal := official(t)
	c := NewClock(petitionHandle, cst("2023-08-02 09:00"))
	// Day 60 is 1 October (holiday): the clock ends on 7 October, a
	// make-up Saturday.
	if got := c.State(cal, cst("2023-08-03 09:00")).DueDate; got != "2023-10-07" {
		t.Fatalf("due %s, want 2023-10-07", got)
	}
	// Paused 3 days for an expert test: day 63 is 4 October, still the
	// holiday, so still 7 October.
	if err := c.Pause(cst("2023-08-10 09:00"), "检测鉴定"); err != nil {
		t.Fatal(err)
	}
	if err := c.Resume(cst("2023-08-13 15:00")); err != nil {
		t.Fatal(err)
	}
	if got := c.State(cal, cst("2023-08-14 09:00")).DueDate; got != "2023-10-07" {
		t.Fatalf("due after the pause %s, want 2023-10-07", got)
	}
	// A second pause of 5 days: day 68 is 9 October, a Monday.
	if err := c.Pause(cst("2023-09-01 09:00"), "当事人补正材料"); err != nil {
		t.Fatal(err)
	}
	if got := c.State(cal, cst("2023-09-03 09:00")).Status; got != ClockPaused {
		t.Errorf("status %s while paused", got)
	}
	if err := c.Resume(cst("2023-09-06 09:00")); err != nil {
		t.Fatal(err)
	}
	if got := c.State(cal, cst("2023-09-07 09:00")).DueDate; got != "2023-10-09" {
		t.Fatalf("due after two pauses %s, want 2023-10-09", got)
	}
	// Extensions: refused without approval, past the cap, and a second one.
	for _, bad := range []struct {
		days       int
		reason, by string
		want       string
	}{
		{10, "情况复杂", "", "须经批准"},
		{10, "", "李局长", "理由"},
		{31, "情况复杂", "李局长", "超过上限"},
	} {
		if err := c.Extend(bad.days, bad.reason, bad.by, cst("2023-09-20 09:00")); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("extend %+v: %v, want %q", bad, err, bad.want)
		}
	}
	if len(c.Extensions) != 0 {
		t.Fatal("a refused extension changed the clock")
	}
	// Say the job had marked it overdue and opened its supervision: the
	// extension clears both, so that the new end is marked and supervised anew.
	c.Mark(ClockOverdue)
	c.Supervised = true
	if c.NeedsSupervision() {
		t.Fatal("a supervised clock needs supervision")
	}
	if err := c.Extend(30, "情况复杂", "李局长", cst("2023-09-20 09:00")); err != nil {
		t.Fatal(err)
	}
	if c.Overdue || c.Warned || c.Supervised || c.NeedsSupervision() {
		t.Fatalf("the extension left the marks: %+v", c)
	}
	c.Mark(ClockOverdue)
	if !c.NeedsSupervision() {
		t.Fatal("a newly overdue clock needs no supervision")
	}
	c.Overdue, c.Warned = false, false
	// 98 days from 2 August: 8 November, a Wednesday.
	st := c.State(cal, cst("2023-09-21 09:00"))
	if st.DueDate != "2023-11-08" || !strings.Contains(st.Limit, "延长30日") {
		t.Fatalf("due %s limit %s, want 2023-11-08 with 30 days' extension", st.DueDate, st.Limit)
	}
	if err := c.Extend(1, "再延", "李局长", cst("2023-10-20 09:00")); err == nil || !strings.Contains(err.Error(), "最多延期1次") {
		t.Errorf("second extension: %v", err)
	}
	if !strings.Contains(st.Notice, "《信访工作条例》第三十二条") {
		t.Errorf("notice %q lacks its article", st.Notice)
	}
	if err := c.MeetAt(cst("2023-11-09 10:00")); err != nil {
		t.Fatal(err)
	}
	if got := c.State(cal, cst("2023-11-10 10:00")).Status; got != ClockLate {
		t.Errorf("met after the end: %s, want late", got)
	}
}

// A party's window that runs out unused has expired; it is not overdue.
func TestClockWindowExpires(t *testing.T) {
	cal := official(t)
	d := serveDecision
	d.Window, d.Pausable = true, false
	c := NewClock(d, cst("2023-09-27 15:00"))
	if got := c.State(cal, cst("2023-10-12 17:30")).Status; got != ClockExpired {
		t.Errorf("a window past its end: %s, want expired", got)
	}
	if got := c.State(cal, cst("2023-10-12 17:29")).Status; got != ClockWarning {
		t.Errorf("a window before its end: %s, want warning", got)
	}
}

func TestClockDefValidate(t *testing.T) {
	d := petitionAccept
	d.Article = ""
	if d.Validate() == nil {
		t.Error("a clock without its article was accepted")
	}
	if petitionHandle.Validate() != nil || serveDecision.Validate() != nil {
		t.Error("valid definitions refused")
	}
}

// BenchmarkClockState: the state of a 60-day clock with two pauses and an
// extension, across National Day, as every case page and desk row computes
// it for each of its clocks.
func BenchmarkClockState(b *testing.B) {
	cal := New(Official(), DefaultWorkingHours())
	c := NewClock(petitionHandle, cst("2023-08-02 09:00"))
	_ = c.Pause(cst("2023-08-10 09:00"), "检测鉴定")
	_ = c.Resume(cst("2023-08-13 15:00"))
	_ = c.Pause(cst("2023-09-01 09:00"), "补正")
	_ = c.Resume(cst("2023-09-06 09:00"))
	_ = c.Extend(30, "情况复杂", "李局长", cst("2023-09-20 09:00"))
	now := cst("2023-10-20 10:00")
	b.ReportAllocs()
	for b.Loop() {
		if c.State(cal, now).DueDate != "2023-11-08" {
			b.Fatal("wrong due date")
		}
	}
}

// BenchmarkClockStateWorkingDays: a 7-working-day clock with a pause.
func BenchmarkClockStateWorkingDays(b *testing.B) {
	cal := New(Official(), DefaultWorkingHours())
	c := NewClock(serveDecision, cst("2023-09-27 15:00"))
	_ = c.Pause(cst("2023-09-28 09:00"), "公告送达")
	_ = c.Resume(cst("2023-10-09 09:00"))
	now := cst("2023-10-10 10:00")
	b.ReportAllocs()
	for b.Loop() {
		c.State(cal, now)
	}
}
