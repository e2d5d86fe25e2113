package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// A statutory clock (法定时限) is a limit set by law or regulation, in
// natural or working days, counted from a named event (受理, 告知, 决定 …),
// that may be paused (a hearing, an expert test, time the party takes) and
// extended by an approved extension up to a cap. It warns before it ends,
// is overdue after, and always names the article it comes from.
//
// Clocks are data: each kind of case holds a table of ClockDef, and a case
// keeps its running clocks (Clock, with a copy of the definition in force
// when it started, so that a later change of the table never moves the
// deadline of a case already running). The counting is the calendar's
// (Calendar.Add, the same counting as the case loop's deadlines); what a
// clock adds is the statute's rules:
//
//   - the day of the event is not counted (期间开始之日不计算在期间内);
//   - a natural-day limit whose last day is a day off (a weekend or a
//     public holiday) ends on the next working day, a make-up workday
//     (调休上班) included (期间届满的最后一日是节假日的，以节假日后的第一日为
//     期间届满的日期);
//   - a working-day limit counts only working days (行政处罚法 §85: its
//     二日、三日、五日、七日 are working days);
//   - the days a clock is paused do not count, in the clock's own measure;
//   - extensions add their days, in the clock's measure, once approved.

// ClockDef is one clock of a kind of case: a row of the kind's table.
type ClockDef struct {
	Name string `json:"name"` // stable key, e.g. "petition.accept"
	Zh   string `json:"zh"`   // what must happen in time: "作出受理决定"
	En   string `json:"en"`
	// From names the event the clock counts from (登记, 告知, 决定 …).
	From   string `json:"from"`
	FromEn string `json:"from_en"`
	Limit  Limit  `json:"limit"` // NaturalDays or WorkingDays (hours allowed too)
	// Article is the provision the limit comes from, shown on every
	// notice: "《信访工作条例》第三十二条".
	Article string `json:"article"`
	// WarnDays is how many days (in the limit's measure) before the end a
	// warning is raised; 0 warns when a fifth of the limit is left.
	WarnDays int `json:"warn_days,omitempty"`
	// Pausable allows pauses (a hearing, an expert test, the party's time).
	Pausable bool `json:"pausable,omitempty"`
	// MaxExtension is the most days (in the limit's measure) all
	// extensions together may add; 0 allows none. MaxExtensions is how
	// many extensions may be granted (0: any number within the cap).
	MaxExtension  int `json:"max_extension,omitempty"`
	MaxExtensions int `json:"max_extensions,omitempty"`
	// ExtensionArticle is the provision that allows the extension.
	ExtensionArticle string `json:"extension_article,omitempty"`
	// Window marks a time the party has (to ask for a hearing, a review,
	// judicial confirmation), not a duty of the office: past its end it
	// has run out (ClockExpired), it is not overdue.
	Window bool `json:"window,omitempty"`
}

// Validate checks a definition of a kind's table.
func (d ClockDef) Validate() error {
	if d.Name == "" || d.Zh == "" || d.From == "" {
		return jiedao.Invalid("name", "时限定义须有名称、事项和起算事件", "a clock needs a name, what it times and the event it counts from")
	}
	if strings.TrimSpace(d.Article) == "" {
		return jiedao.Invalid("article", "时限“"+d.Zh+"”须注明法律依据条款", "clock "+d.Name+" must name its article")
	}
	if err := d.Limit.Validate(); err != nil {
		return err
	}
	if d.WarnDays < 0 || d.MaxExtension < 0 || d.MaxExtensions < 0 {
		return jiedao.Invalid("warn_days", "时限“"+d.Zh+"”的预警或延期天数不能为负", "clock "+d.Name+": negative warning or extension")
	}
	return nil
}

// Pause is a time the clock stood still. To is nil while it lasts.
type Pause struct {
	From   time.Time  `json:"from"`
	To     *time.Time `json:"to,omitempty"`
	Reason string     `json:"reason"` // 听证, 检测鉴定, 当事人补正 …
}

// ClockExtension is an approved extension.
type ClockExtension struct {
	Days       int       `json:"days"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	At         time.Time `json:"at"`
}

// Clock is one running (or finished) statutory clock of a case.
type Clock struct {
	Def        ClockDef         `json:"def"`
	Start      time.Time        `json:"start"`
	Pauses     []Pause          `json:"pauses,omitempty"`
	Extensions []ClockExtension `json:"extensions,omitempty"`
	// Met is when the act the clock waits for was done; nil while it runs.
	Met *time.Time `json:"met,omitempty"`
	// Warned and Overdue record that the deadline job raised the clock's
	// warning and its overdue mark (Raise): once each. An approved
	// extension clears them: the new end is warned of anew.
	Warned  bool `json:"warned,omitempty"`
	Overdue bool `json:"overdue,omitempty"`
	// Supervised records that the deadline job opened the supervision
	// (督办) of the overdue mark: once; an approved extension clears it
	// with the mark, so that the new end, overdue, is supervised anew.
	Supervised bool `json:"supervised,omitempty"`
}

// NeedsSupervision reports whether the clock bears an overdue mark whose
// supervision (督办) is not opened yet, and still runs.
func (c *Clock) NeedsSupervision() bool {
	return c.Overdue && !c.Supervised && c.Met == nil && !c.Def.Window
}

// NewClock starts a clock of definition d at the event's time.
func NewClock(d ClockDef, start time.Time) Clock {
	return Clock{Def: d, Start: start.In(zone)}
}

func clockErr(field, zh, en string) error { return jiedao.Invalid(field, zh, en) }

// Paused reports whether a pause is open.
func (c *Clock) Paused() bool {
	return len(c.Pauses) > 0 && c.Pauses[len(c.Pauses)-1].To == nil
}

// Pause stops the clock at at. A clock paused already, met, not pausable,
// or paused before it started is refused and does not change.
func (c *Clock) Pause(at time.Time, reason string) error {
	switch {
	case !c.Def.Pausable:
		return clockErr("pause", "“"+c.Def.Zh+"”时限不能暂停（"+c.Def.Article+"）", "the clock "+c.Def.Name+" cannot be paused")
	case c.Met != nil:
		return clockErr("pause", "“"+c.Def.Zh+"”已完成，不能暂停", "the clock "+c.Def.Name+" has stopped")
	case c.Paused():
		return clockErr("pause", "“"+c.Def.Zh+"”计时已在暂停中（"+c.Pauses[len(c.Pauses)-1].Reason+"），不能同时两次暂停",
			"the clock "+c.Def.Name+" is paused already; two pauses at once are not allowed")
	case at.Before(c.Start):
		return clockErr("pause", "暂停时间早于起算时间", "a pause cannot start before the clock")
	case strings.TrimSpace(reason) == "":
		return clockErr("reason", "请填写暂停计时的原因（如听证、检测鉴定）", "give the reason for the pause")
	}
	if n := len(c.Pauses); n > 0 && at.Before(*c.Pauses[n-1].To) {
		return clockErr("pause", "暂停时间早于上一次恢复计时", "a pause cannot start before the last one ended")
	}
	c.Pauses = append(c.Pauses, Pause{From: at.In(zone), Reason: strings.TrimSpace(reason)})
	return nil
}

// Resume runs a paused clock again from at.
func (c *Clock) Resume(at time.Time) error {
	if !c.Paused() {
		return clockErr("resume", "“"+c.Def.Zh+"”没有暂停，无需恢复计时", "the clock "+c.Def.Name+" is not paused")
	}
	p := &c.Pauses[len(c.Pauses)-1]
	if at.Before(p.From) {
		return clockErr("resume", "恢复计时的时间早于暂停时间", "the clock cannot resume before it was paused")
	}
	t := at.In(zone)
	p.To = &t
	return nil
}

// Extend adds an approved extension. Without an approver, a reason, or
// past the cap the extension is refused and the clock does not change.
func (c *Clock) Extend(days int, reason, approvedBy string, at time.Time) error {
	d := c.Def
	used := 0
	for _, e := range c.Extensions {
		used += e.Days
	}
	switch {
	case d.MaxExtension == 0:
		return clockErr("days", "“"+d.Zh+"”时限不得延长（"+d.Article+"）", "the clock "+d.Name+" cannot be extended")
	case c.Met != nil:
		return clockErr("days", "“"+d.Zh+"”已完成，不能延期", "the clock "+d.Name+" has stopped")
	case days < 1:
		return clockErr("days", "延期天数至少为1", "an extension is at least one day")
	case strings.TrimSpace(reason) == "":
		return clockErr("reason", "延期须说明理由", "an extension needs its reason")
	case strings.TrimSpace(approvedBy) == "":
		return clockErr("approved_by", "延期须经批准，请填写批准人", "an extension needs its approver")
	case d.MaxExtensions > 0 && len(c.Extensions) >= d.MaxExtensions:
		return clockErr("days", fmt.Sprintf("“%s”最多延期%d次，已延期%d次（%s）", d.Zh, d.MaxExtensions, len(c.Extensions), d.extArticle()),
			fmt.Sprintf("the clock %s may be extended %d time(s) only", d.Name, d.MaxExtensions))
	case used+days > d.MaxExtension:
		return clockErr("days", fmt.Sprintf("延期超过上限：“%s”最多延长%d%s，已延长%d，本次申请%d（%s）", d.Zh, d.MaxExtension, d.Limit.Unit.zh(), used, days, d.extArticle()),
			fmt.Sprintf("past the cap: %s may be extended by %d %s in all; %d granted, %d asked", d.Name, d.MaxExtension, d.Limit.Unit.en(2), used, days))
	case at.Before(c.Start):
		return clockErr("at", "延期时间早于起算时间", "an extension cannot come before the clock started")
	}
	c.Extensions = append(c.Extensions, ClockExtension{Days: days, Reason: strings.TrimSpace(reason), ApprovedBy: strings.TrimSpace(approvedBy), At: at.In(zone)})
	c.Warned, c.Overdue, c.Supervised = false, false, false
	return nil
}

// Raise is the mark the deadline job raises on the clock at now, if any:
// ClockOverdue once its end has passed, else ClockWarning once its
// warning time has, each only if not raised before (an overdue mark
// stands for the warning too). A met clock, a paused one, and a party's
// window (which runs out, ClockExpired, and is never overdue) raise
// nothing. The caller records the mark with Mark.
func (c *Clock) Raise(cal *Calendar, now time.Time) ClockStatus {
	if c.Met != nil || c.Paused() || c.Def.Window || c.Overdue {
		return ""
	}
	switch c.State(cal, now).Status {
	case ClockOverdue:
		return ClockOverdue
	case ClockWarning:
		if !c.Warned {
			return ClockWarning
		}
	}
	return ""
}

// Mark records that the mark s (ClockWarning or ClockOverdue) was raised.
func (c *Clock) Mark(s ClockStatus) {
	switch s {
	case ClockOverdue:
		c.Warned, c.Overdue = true, true
	case ClockWarning:
		c.Warned = true
	}
}

func (d ClockDef) extArticle() string {
	if d.ExtensionArticle != "" {
		return d.ExtensionArticle
	}
	return d.Article
}

// MeetAt records that the act the clock waits for was done at at, closing
// an open pause first.
func (c *Clock) MeetAt(at time.Time) error {
	if c.Met != nil {
		return clockErr("at", "“"+c.Def.Zh+"”已完成", "the clock "+c.Def.Name+" has stopped already")
	}
	if at.Before(c.Start) {
		return clockErr("at", "“"+c.Def.Zh+"”的完成时间早于起算时间（"+c.Def.From+"）", "the clock "+c.Def.Name+" cannot be met before it started")
	}
	if c.Paused() {
		if err := c.Resume(at); err != nil {
			return err
		}
	}
	t := at.In(zone)
	c.Met = &t
	return nil
}

// pausedUnits is how many units of the clock's measure its pauses took,
// an open pause counted to now.
func (c *Clock) pausedUnits(cal *Calendar, now time.Time) int {
	n := 0
	for _, p := range c.Pauses {
		to := now
		if p.To != nil {
			to = *p.To
		}
		if !to.After(p.From) {
			continue
		}
		switch c.Def.Limit.Unit {
		case NaturalDays:
			a, _ := split(p.From)
			b, _ := split(to)
			n += int(b - a)
		case WorkingDays:
			a, _ := split(p.From)
			b, _ := split(to)
			n += int(cal.countWorking(a, b))
		case WorkingHoursUnit:
			n += int(cal.WorkingBetween(p.From, to) / time.Hour)
		default:
			n += int(to.Sub(p.From) / time.Hour)
			if c.Def.Limit.Unit == Minutes {
				n = int(to.Sub(p.From) / time.Minute)
			}
		}
	}
	return n
}

// Amount is the clock's limit with its extensions and pauses (an open
// pause counted to now), in its measure.
func (c *Clock) Amount(cal *Calendar, now time.Time) int {
	n := c.Def.Limit.Amount + c.pausedUnits(cal, now)
	for _, e := range c.Extensions {
		n += e.Days
	}
	return n
}

// Due is when the clock ends at now (an open pause pushes it on as long
// as it lasts).
func (c *Clock) Due(cal *Calendar, now time.Time) time.Time {
	l := Limit{Amount: c.Amount(cal, now), Unit: c.Def.Limit.Unit}
	due := cal.Add(c.Start, l)
	if l.Unit == NaturalDays {
		// The last day is the one before due's midnight.
		last, _ := split(due.Add(-time.Nanosecond))
		for i := 0; i < maxSearchDays && !cal.working(last); i++ {
			last++
		}
		due = at(last+1, 0)
	}
	return due
}

// Warn is when the clock's warning is raised at now.
func (c *Clock) Warn(cal *Calendar, now time.Time) time.Time {
	due := c.Due(cal, now)
	w := c.Def.WarnDays
	switch c.Def.Limit.Unit {
	case NaturalDays:
		if w == 0 {
			w = max(1, c.Def.Limit.Amount/5)
		}
		return due.Add(-time.Duration(w) * fullDay)
	case WorkingDays:
		if w == 0 {
			w = max(1, c.Def.Limit.Amount/5)
		}
		// The start of the w-th working day before the last one.
		last, _ := split(due.Add(-time.Nanosecond))
		d := last
		for i := 0; i < w && last-d < maxSearchDays; {
			d--
			if cal.working(d) {
				i++
			}
		}
		return at(d+1, 0)
	}
	start := c.Start
	return start.Add(time.Duration(float64(due.Sub(start)) * 0.8))
}

// ClockStatus is a clock's state at a time.
type ClockStatus string

const (
	ClockRunning ClockStatus = "running" // 计时中
	ClockWarning ClockStatus = "warning" // 预警
	ClockOverdue ClockStatus = "overdue" // 超期
	ClockPaused  ClockStatus = "paused"  // 暂停
	ClockMet     ClockStatus = "met"     // 按期完成
	ClockLate    ClockStatus = "late"    // 逾期完成
	ClockExpired ClockStatus = "expired" // a party's window that ran out unused: 期限届满
)

// Zh is the status's Chinese name.
func (s ClockStatus) Zh() string {
	switch s {
	case ClockRunning:
		return "计时中"
	case ClockWarning:
		return "预警"
	case ClockOverdue:
		return "超期"
	case ClockPaused:
		return "暂停计时"
	case ClockMet:
		return "按期完成"
	case ClockLate:
		return "逾期完成"
	case ClockExpired:
		return "期限届满"
	}
	return string(s)
}

// ClockState is what a notice or a page shows of a clock at a time.
type ClockState struct {
	Name    string      `json:"name"`
	Zh      string      `json:"zh"`
	En      string      `json:"en"`
	From    string      `json:"from"`
	Start   time.Time   `json:"start"`
	Limit   string      `json:"limit"` // "60日（延长30日）"
	Due     time.Time   `json:"due"`   // the instant it ends (24:00 of the last day)
	DueDate string      `json:"due_date"`
	Warn    time.Time   `json:"warn"`
	Status  ClockStatus `json:"status"`
	// Left is how many days (in the clock's measure) are left, negative
	// when overdue; the countdown. Hourly marks a clock of minutes or
	// hours, whose countdown is its due time (DueDate has the time).
	Left    int    `json:"left"`
	Hourly  bool   `json:"hourly,omitempty"`
	Article string `json:"article"`
	// Notice is the sentence every notice carries: what, by when, why.
	Notice   string `json:"notice"`
	NoticeEn string `json:"notice_en"`
}

// State is the clock at now.
func (c *Clock) State(cal *Calendar, now time.Time) ClockState {
	ref := now
	if c.Met != nil {
		ref = *c.Met
	}
	due := c.Due(cal, ref)
	warn := c.Warn(cal, ref)
	s := ClockState{Name: c.Def.Name, Zh: c.Def.Zh, En: c.Def.En, From: c.Def.From, Start: c.Start, Due: due,
		DueDate: due.Add(-time.Nanosecond).Format("2006-01-02"), Warn: warn, Article: c.Def.Article}
	s.Limit = c.Def.Limit.Zh()
	ext := 0
	for _, e := range c.Extensions {
		ext += e.Days
	}
	if ext > 0 {
		s.Limit += fmt.Sprintf("（延长%d%s）", ext, c.Def.Limit.Unit.zh())
	}
	switch {
	case c.Met != nil && c.Met.Before(due):
		s.Status = ClockMet
	case c.Met != nil:
		s.Status = ClockLate
	case c.Paused():
		s.Status = ClockPaused
	case !now.Before(due) && c.Def.Window:
		s.Status = ClockExpired
	case !now.Before(due):
		s.Status = ClockOverdue
	case !now.Before(warn):
		s.Status = ClockWarning
	default:
		s.Status = ClockRunning
	}
	s.Left = c.left(cal, ref, due)
	if c.Def.Limit.Unit != NaturalDays {
		s.DueDate = due.Format("2006-01-02 15:04")
	}
	s.Hourly = c.Def.Limit.Unit == Minutes || c.Def.Limit.Unit == NaturalHours || c.Def.Limit.Unit == WorkingHoursUnit
	s.Notice = fmt.Sprintf("%s：自%s起%s，应于%s前完成（依据%s）", c.Def.Zh, c.Def.From, s.Limit, s.DueDate, c.Def.Article)
	s.NoticeEn = fmt.Sprintf("%s: %s from %s, due by %s (%s)", c.Def.En, c.Def.Limit.En(), c.Def.FromEn, s.DueDate, c.Def.Article)
	return s
}

// left counts the days from now to due in the clock's measure (negative
// past it).
func (c *Clock) left(cal *Calendar, now, due time.Time) int {
	a, _ := split(now)
	b, _ := split(due.Add(-time.Nanosecond))
	sign := 1
	if b < a {
		a, b, sign = b, a, -1
	}
	if c.Def.Limit.Unit == WorkingDays {
		return sign * int(cal.countWorking(a+1, b+1))
	}
	return sign * int(b-a)
}
