package calendar

import (
	"fmt"

	"github.com/jiedao/jiedao"
)

// LimitUnit is what a time limit counts.
type LimitUnit string

const (
	Minutes          LimitUnit = "minutes"       // clock minutes, calendar ignored
	NaturalHours     LimitUnit = "natural_hours" // clock hours (自然小时), calendar ignored
	WorkingHoursUnit LimitUnit = "working_hours" // hours inside working segments of working days
	WorkingDays      LimitUnit = "working_days"  // whole working days, see Calendar.Add
	// NaturalDays are calendar days (自然日), the day of the start not
	// counted: the limit ends at the end (24:00) of its last day. Statutes
	// count most of their limits so (see clock.go).
	NaturalDays LimitUnit = "natural_days"
)

// Valid reports whether u is one of the known units.
func (u LimitUnit) Valid() bool {
	switch u {
	case Minutes, NaturalHours, WorkingHoursUnit, WorkingDays, NaturalDays:
		return true
	}
	return false
}

// Working reports whether the unit counts only working time, which is
// what decides how a stopped clock is moved.
func (u LimitUnit) Working() bool { return u == WorkingHoursUnit || u == WorkingDays }

// maxAmount bounds each unit so that every valid limit ends well inside the
// calendar's ten-year search window with an ordinary working day, and so
// that no duration arithmetic can overflow.
var maxAmount = map[LimitUnit]int{
	Minutes:          366 * 24 * 60, // a year
	NaturalHours:     2 * 366 * 24,  // two years
	WorkingHoursUnit: 4000,          // about two years of 7.5-hour days
	WorkingDays:      1000,          // about four years
	NaturalDays:      1500,          // about four years
}

// Limit is a time limit such as 3 working days. The zero Limit means no
// limit is set.
type Limit struct {
	Amount int       `json:"amount"`
	Unit   LimitUnit `json:"unit"`
}

// IsZero reports whether no limit is set. An amount of zero counts as unset
// whatever the unit, because forms send the unit along with an empty
// amount.
func (l Limit) IsZero() bool { return l.Amount == 0 }

// Validate checks a limit that is set; call it only when !IsZero().
func (l Limit) Validate() error {
	if !l.Unit.Valid() {
		return jiedao.Invalid("unit", fmt.Sprintf("时限单位%q无效", string(l.Unit)),
			fmt.Sprintf("unknown time limit unit %q", string(l.Unit)))
	}
	if maxA := maxAmount[l.Unit]; l.Amount < 1 || l.Amount > maxA {
		return jiedao.Invalid("amount", fmt.Sprintf("时限数值应在1到%d%s之间", maxA, l.Unit.zh()),
			fmt.Sprintf("the time limit must be 1 to %d %s", maxA, l.Unit.en(2)))
	}
	return nil
}

func (u LimitUnit) zh() string {
	switch u {
	case Minutes:
		return "分钟"
	case NaturalHours:
		return "小时"
	case WorkingHoursUnit:
		return "个工作小时"
	case WorkingDays:
		return "个工作日"
	case NaturalDays:
		return "日"
	}
	return string(u)
}

func (u LimitUnit) en(n int) string {
	var s string
	switch u {
	case Minutes:
		s = "minute"
	case NaturalHours:
		s = "hour"
	case WorkingHoursUnit:
		s = "working hour"
	case WorkingDays:
		s = "working day"
	case NaturalDays:
		s = "day"
	default:
		return string(u)
	}
	if n != 1 {
		s += "s"
	}
	return s
}

// Zh reads the limit in Chinese, e.g. 3个工作日.
func (l Limit) Zh() string {
	if l.IsZero() {
		return "不限"
	}
	return fmt.Sprintf("%d%s", l.Amount, l.Unit.zh())
}

// En reads the limit in English, e.g. 3 working days.
func (l Limit) En() string {
	if l.IsZero() {
		return "no limit"
	}
	return fmt.Sprintf("%d %s", l.Amount, l.Unit.en(l.Amount))
}

// String is the Chinese reading, the one users see first.
func (l Limit) String() string { return l.Zh() }
