package duty

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// The 24-hour duty roster (值班表): each day one 带班领导 (the leader in
// charge) and its duty officers, from 08:30 to 08:30 the next day, on the
// official calendar: days off (weekends, public holidays) are marked, and
// a person on weekday-only rotation is never put on one.

// Person is someone on the roster.
type Person struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	WeekdaysOnly bool   `json:"weekdays_only,omitempty"` // works working days only
}

// Shift is one day's duty.
type Shift struct {
	Date     string   `json:"date"` // YYYY-MM-DD, China time
	Leader   Person   `json:"leader"`
	Officers []Person `json:"officers"`
	// Off is a day off on the official calendar (a weekend or a holiday,
	// named in Holiday), make-up workdays not included.
	Off     bool   `json:"off,omitempty"`
	Holiday string `json:"holiday,omitempty"`
	// Swaps records the changes made to the plan: "张三→李四".
	Swaps []string `json:"swaps,omitempty"`
	// JurisdictionID is the subdistrict whose duty desk the shift is of.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Plan makes the roster of the days from first to last (inclusive): the
// leaders in turn, one a day, and perShift officers a day in turn, each
// day's people chosen among those who may work it. It refuses a plan that
// cannot be staffed.
func Plan(cal *calendar.Calendar, first, last time.Time, leaders, officers []Person, perShift int) ([]Shift, error) {
	if len(leaders) == 0 || len(officers) == 0 || perShift < 1 {
		return nil, jiedao.Invalid("officers", "值班表须有带班领导和值班员，每班至少一名值班员", "a roster needs leaders and at least one officer a shift")
	}
	first, last = day(first), day(last)
	if last.Before(first) || last.Sub(first) > 400*24*time.Hour {
		return nil, jiedao.Invalid("to", "值班表的日期范围应在一天到一年之间", "a roster covers one day to a year")
	}
	var out []Shift
	li, oi := 0, 0
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		off := !cal.IsWorkingDay(d)
		s := Shift{Date: d.Format("2006-01-02"), Off: off}
		if listed, ok := cal.Lookup(d); ok {
			s.Holiday = listed.Name
		}
		pick := func(pool []Person, start *int, n int, taken []Person) ([]Person, error) {
			var got []Person
			for tried := 0; len(got) < n && tried < len(pool); tried++ {
				p := pool[*start%len(pool)]
				*start++
				if (off && p.WeekdaysOnly) || slices.ContainsFunc(taken, func(q Person) bool { return q.ID == p.ID }) {
					continue
				}
				got = append(got, p)
				taken = append(taken, p)
			}
			if len(got) < n {
				return nil, jiedao.Invalid("officers", fmt.Sprintf("%s 人手不足：可排班的人少于%d人", s.Date, n), fmt.Sprintf("%s: fewer than %d people can work", s.Date, n))
			}
			return got, nil
		}
		l, err := pick(leaders, &li, 1, nil)
		if err != nil {
			return nil, err
		}
		s.Leader = l[0]
		if s.Officers, err = pick(officers, &oi, perShift, l); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Swap puts to on date in from's place (a leader or an officer), with the
// reason recorded; refused when from is not on duty that day, to is
// already, or to works weekdays only and the day is off. The roster is
// unchanged on refusal.
func Swap(roster []Shift, date string, from, to Person) error {
	i := slices.IndexFunc(roster, func(s Shift) bool { return s.Date == date })
	if i < 0 {
		return jiedao.Invalid("date", "值班表中没有"+date, "no shift on "+date)
	}
	s := &roster[i]
	on := func(p Person) bool {
		return s.Leader.ID == p.ID || slices.ContainsFunc(s.Officers, func(q Person) bool { return q.ID == p.ID })
	}
	switch {
	case !on(from):
		return jiedao.Invalid("from", from.Name+"当天不值班", from.Name+" is not on duty that day")
	case on(to):
		return jiedao.Invalid("to", to.Name+"当天已在值班", to.Name+" is on duty that day already")
	case s.Off && to.WeekdaysOnly:
		return jiedao.Invalid("to", to.Name+"只排工作日，"+date+"为休息日", to.Name+" works weekdays only")
	}
	if s.Leader.ID == from.ID {
		s.Leader = to
	} else {
		for j := range s.Officers {
			if s.Officers[j].ID == from.ID {
				s.Officers[j] = to
			}
		}
	}
	s.Swaps = append(s.Swaps, from.Name+"→"+to.Name)
	return nil
}

// OnDuty is the shift in force at t: a shift runs from 08:30 of its day to
// 08:30 of the next.
func OnDuty(roster []Shift, t time.Time) (Shift, bool) {
	t = t.In(calendar.Zone())
	d := day(t)
	if t.Before(d.Add(8*time.Hour + 30*time.Minute)) {
		d = d.AddDate(0, 0, -1)
	}
	i := slices.IndexFunc(roster, func(s Shift) bool { return s.Date == d.Format("2006-01-02") })
	if i < 0 {
		return Shift{}, false
	}
	return roster[i], true
}

func day(t time.Time) time.Time {
	t = t.In(calendar.Zone())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, calendar.Zone())
}

// RosterStore keeps the roster; package store implements it.
type RosterStore interface {
	// PutShifts stores the shifts, replacing those of the same
	// subdistrict (Shift.JurisdictionID) and dates, all or none.
	PutShifts(ctx context.Context, shifts []Shift) error
	// Shifts returns one subdistrict's shifts (jurisdiction; 0: every
	// subdistrict's) from first to last (YYYY-MM-DD), in order.
	Shifts(ctx context.Context, jurisdiction int64, first, last string) ([]Shift, error)
}
