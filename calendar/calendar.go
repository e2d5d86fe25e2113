// Package calendar knows China's working days and turns time limits such as
// "3 working days" or "2 working hours" into deadlines.
//
// The holiday schedule is data (see ParseTSV), because the State Council
// publishes next year's arrangement every November or December. Dates not
// listed follow the ordinary week: Monday to Friday working, Saturday and
// Sunday off. All arithmetic is done in China Standard Time (Zone) whatever
// the location of the times passed in.
package calendar

import (
	"slices"
	"sort"
	"time"
)

// offsetSeconds is UTC+8. China has had no daylight saving since 1991, so a
// fixed zone is exact and needs no tzdata on the server.
const offsetSeconds = 8 * 60 * 60

var zone = time.FixedZone("CST", offsetSeconds)

// Zone is China Standard Time, UTC+8.
func Zone() *time.Location { return zone }

const (
	secondsPerDay = 24 * 60 * 60
	fullDay       = 24 * time.Hour
	// maxSearchDays bounds every forward search, so a calendar that lists
	// years of days off cannot make a deadline computation spin; the far
	// end of the window is returned instead.
	maxSearchDays = 3653 // ten years
)

// Calendar answers working-day questions. It is immutable after New and
// safe for concurrent use.
type Calendar struct {
	days   []Day             // listed days, sorted by date
	kinds  map[int64]DayKind // day number → kind
	listed []int64           // sorted day numbers of kinds' keys
	hours  WorkingHours
	starts []time.Duration // segment starts after midnight
	ends   []time.Duration // segment ends after midnight
	perDay time.Duration   // working time of one working day
}

// New builds a calendar. Days with a date that cannot be parsed or an
// unknown kind are skipped and a date listed twice keeps its last entry;
// validate with Day.Validate or ParseTSV first to report such errors.
// Hours that fail WorkingHours.Validate are replaced by
// DefaultWorkingHours, because a calendar without working time would never
// reach a working deadline; use NewChecked to refuse them instead.
func New(days []Day, hours WorkingHours) *Calendar {
	hours = slices.Clone(hours)
	slices.SortFunc(hours, func(a, b Segment) int { return a.Start - b.Start })
	if hours.Validate() != nil {
		hours = DefaultWorkingHours()
	}
	c := &Calendar{kinds: make(map[int64]DayKind, len(days)), hours: hours}
	byDay := make(map[int64]Day, len(days))
	for _, d := range days {
		t, err := parseDate(d.Date)
		if err != nil || !d.Kind.Valid() {
			continue
		}
		n := t.Unix() / secondsPerDay // t is midnight UTC, so this is exact
		c.kinds[n] = d.Kind
		byDay[n] = d
	}
	for n := range c.kinds {
		c.listed = append(c.listed, n)
	}
	slices.Sort(c.listed)
	for _, n := range c.listed {
		c.days = append(c.days, byDay[n])
	}
	for _, s := range hours {
		a, b := time.Duration(s.Start)*time.Minute, time.Duration(s.End)*time.Minute
		c.starts = append(c.starts, a)
		c.ends = append(c.ends, b)
		c.perDay += b - a
	}
	return c
}

// NewChecked is New that refuses invalid days, duplicate dates and invalid
// hours instead of working around them.
func NewChecked(days []Day, hours WorkingHours) (*Calendar, error) {
	seen := make(map[string]bool, len(days))
	for i, d := range days {
		if err := d.Validate(); err != nil {
			return nil, prefixError(err, "第"+itoa(i+1)+"条：", "day "+itoa(i+1)+": ")
		}
		if seen[d.Date] {
			return nil, prefixError(errDuplicate(d.Date), "第"+itoa(i+1)+"条：", "day "+itoa(i+1)+": ")
		}
		seen[d.Date] = true
	}
	sorted := slices.Clone(hours)
	slices.SortFunc(sorted, func(a, b Segment) int { return a.Start - b.Start })
	if err := sorted.Validate(); err != nil {
		return nil, err
	}
	return New(days, hours), nil
}

// Days returns the listed days sorted by date.
func (c *Calendar) Days() []Day { return slices.Clone(c.days) }

// Hours returns the working hours in use.
func (c *Calendar) Hours() WorkingHours { return slices.Clone(c.hours) }

// Lookup returns the listed day for the date of t in Zone, if any, so that
// a screen can say why a day is off or on.
func (c *Calendar) Lookup(t time.Time) (Day, bool) {
	n, _ := split(t)
	i, ok := slices.BinarySearch(c.listed, n)
	if !ok {
		return Day{}, false
	}
	return c.days[i], true
}

// IsWorkingDay reports whether the date of t in Zone is a working day: a
// listed day off is not, a listed make-up workday is, any other date is
// when it falls on Monday to Friday.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	n, _ := split(t)
	return c.working(n)
}

// split gives the local day number (days since 1970-01-01 in Zone) and the
// time since local midnight. It avoids UnixNano, which overflows for the
// zero time.Time that careless callers may pass.
func split(t time.Time) (day int64, off time.Duration) {
	s := t.Unix() + offsetSeconds
	day = s / secondsPerDay
	rem := s % secondsPerDay
	if rem < 0 {
		day--
		rem += secondsPerDay
	}
	return day, time.Duration(rem)*time.Second + time.Duration(t.Nanosecond())
}

// at is the inverse of split.
func at(day int64, off time.Duration) time.Time {
	sec := day*secondsPerDay - offsetSeconds + int64(off/time.Second)
	return time.Unix(sec, int64(off%time.Second)).In(zone)
}

// weekday of a day number; 1970-01-01 was a Thursday.
func weekday(day int64) time.Weekday {
	w := (day + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

func isWeekend(day int64) bool {
	w := weekday(day)
	return w == time.Saturday || w == time.Sunday
}

func (c *Calendar) working(day int64) bool {
	if k, ok := c.kinds[day]; ok {
		return k == Workday
	}
	return !isWeekend(day)
}

// inDay is the working time of day between from and to after midnight.
func (c *Calendar) inDay(day int64, from, to time.Duration) time.Duration {
	if to <= from || !c.working(day) {
		return 0
	}
	var sum time.Duration
	for i := range c.starts {
		a, b := max(from, c.starts[i]), min(to, c.ends[i])
		if b > a {
			sum += b - a
		}
	}
	return sum
}

// place finds where d of working time runs out on a working day counting
// from off. A d that exactly uses up a segment ends at that segment's end
// rather than at the next one's start: the deadline is the moment the time
// is used, not the moment work would resume. If the day has less than d
// left, it returns the remainder.
func (c *Calendar) place(off, d time.Duration) (time.Duration, time.Duration) {
	for i := range c.starts {
		a := max(off, c.starts[i])
		if a >= c.ends[i] {
			continue
		}
		avail := c.ends[i] - a
		if d <= avail {
			return a + d, 0
		}
		d -= avail
	}
	return 0, d
}

// nthWorkingDayAfter returns the nth working day after day, or false with
// the end of the search window when there is none within it.
func (c *Calendar) nthWorkingDayAfter(day, n int64) (int64, bool) {
	for i := int64(1); i <= maxSearchDays; i++ {
		if c.working(day + i) {
			if n--; n == 0 {
				return day + i, true
			}
		}
	}
	return day + maxSearchDays, false
}

// countWorking counts working days in [from, to). It counts weekdays by
// arithmetic and corrects for the listed days in range, so that a span of
// any length costs a binary search plus the listed days it covers.
func (c *Calendar) countWorking(from, to int64) int64 {
	if to <= from {
		return 0
	}
	n := to - from
	count := n / 7 * 5
	for d := from + n/7*7; d < to; d++ {
		if !isWeekend(d) {
			count++
		}
	}
	i := sort.Search(len(c.listed), func(i int) bool { return c.listed[i] >= from })
	for ; i < len(c.listed) && c.listed[i] < to; i++ {
		d := c.listed[i]
		switch k := c.kinds[d]; {
		case k == Off && !isWeekend(d):
			count--
		case k == Workday && isWeekend(d):
			count++
		}
	}
	return count
}

// Add returns the deadline of limit l running from start, in Zone.
//
//   - Minutes and NaturalHours are clock time: the calendar is ignored.
//   - WorkingHoursUnit counts only time inside the working segments of
//     working days, as AddWorking does.
//   - WorkingDays: N working days end at the end of the last working
//     segment of the Nth working day after the day of start. The day of
//     start never counts, whatever the hour, so a case received at 08:00 on
//     a Monday and one received at 17:00 get the same deadline, and a
//     deadline of 1 working day from Friday before a holiday week is the
//     close of business on the first working day after it.
//   - NaturalDays: N days end at 24:00 of the Nth day after the day of
//     start (the day of start not counted), holidays or not. A statute's
//     rule that a limit ending on a day off runs to the next working day
//     is the clock's (Clock, clock.go), not the limit's.
//
// A zero, negative or unknown limit returns start. If no such deadline is
// found within ten years (a calendar listing years of days off) the end of
// that window is returned.
func (c *Calendar) Add(start time.Time, l Limit) time.Time {
	if l.Amount <= 0 {
		return start.In(zone)
	}
	switch l.Unit {
	case Minutes:
		return start.Add(time.Duration(l.Amount) * time.Minute).In(zone)
	case NaturalHours:
		return start.Add(time.Duration(l.Amount) * time.Hour).In(zone)
	case WorkingHoursUnit:
		return c.AddWorking(start, time.Duration(l.Amount)*time.Hour)
	case WorkingDays:
		day, _ := split(start)
		n, ok := c.nthWorkingDayAfter(day, int64(l.Amount))
		if !ok {
			return at(n, 0)
		}
		return at(n, c.ends[len(c.ends)-1])
	case NaturalDays:
		day, _ := split(start)
		return at(day+int64(l.Amount)+1, 0)
	}
	return start.In(zone)
}

// WorkingBetween returns the working time (inside the working segments of
// working days) from a to b, or 0 if b is not after a.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	da, oa := split(a)
	db, ob := split(b)
	if da == db {
		return c.inDay(da, oa, ob)
	}
	edges := c.inDay(da, oa, fullDay) + c.inDay(db, 0, ob)
	full := c.countWorking(da+1, db)
	// Saturate rather than wrap: a span of centuries exceeds a Duration.
	if full > int64(maxDuration-edges)/int64(c.perDay) {
		return maxDuration
	}
	return edges + time.Duration(full)*c.perDay
}

const maxDuration = time.Duration(1<<63 - 1)

// AddWorking returns the instant at which d of working time has passed
// since start, in Zone. Starting outside working time, the count begins at
// the start of the next working segment; a result that falls exactly on
// the end of a segment stays there. d <= 0 returns start. It is the inverse
// of WorkingBetween: WorkingBetween(start, AddWorking(start, d)) == d.
// Beyond the ten-year search window the end of the window is returned.
func (c *Calendar) AddWorking(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start.In(zone)
	}
	day, off := split(start)
	if c.working(day) {
		var at0 time.Duration
		if at0, d = c.place(off, d); d == 0 {
			return at(day, at0)
		}
	}
	// Skip whole working days at once: only the day where the time runs out
	// needs its segments walked, and it gets between a sliver and a full day.
	skip := int64((d - 1) / c.perDay)
	rest := d - time.Duration(skip)*c.perDay
	if skip >= maxSearchDays {
		return at(day+maxSearchDays, 0)
	}
	n, ok := c.nthWorkingDayAfter(day, skip+1)
	if !ok {
		return at(n, 0)
	}
	off, _ = c.place(0, rest)
	return at(n, off)
}
