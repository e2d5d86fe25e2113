package duty

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// Editing the roster (docs/kinds.md, "The roster"): a month on the
// official calendar, one day's people set by hand, an exchange of days
// between two people, and the rotation generated over a range. Every change
// is written with its audit entry in one transaction.
//
// Who: the duty officers (值班员) and the leaders read the roster; the
// system administrator and the command center (指挥中心, dispatcher) edit
// it. The project has no separate "duty desk lead" role: the 24-hour duty
// room (应急值守) sits in the subdistrict's command center, whose
// dispatchers run it, so they keep its roster.

// Audit actions of the roster.
const (
	AuditRosterAssign   = "duty_roster.assign"
	AuditRosterExchange = "duty_roster.exchange"
	AuditRosterGenerate = "duty_roster.generate"
)

// CanReadRoster reports whether a may read the roster.
func CanReadRoster(a org.Actor) bool {
	return a.Is(org.RoleAdmin, org.RoleDispatcher, org.RoleLeader, org.RoleDutyOfficer)
}

// CanManageRoster reports whether a may change the roster.
func CanManageRoster(a org.Actor) bool { return a.Is(org.RoleAdmin, org.RoleDispatcher) }

// CalendarSource gives the official calendar.
type CalendarSource interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// StaffLister lists the staff accounts, the people a roster is made of.
type StaffLister interface {
	ListStaff(ctx context.Context) ([]*org.Staff, error)
}

// RosterService reads and edits the roster.
type RosterService struct {
	Store     RosterStore
	Calendars CalendarSource
	Staff     StaffLister
	Audit     org.Auditor
	Now       func() time.Time
	// Jurisdictions lists the subdistricts: each keeps its own roster,
	// and the actor's is the one read and changed (org.RecordJurisdiction:
	// a district actor works on a subdistrict's desk narrowed to it, or on
	// the one subdistrict there is). nil: the actor's.
	Jurisdictions org.JurisdictionLister
}

// desk is the subdistrict whose roster the actor reads and changes.
func (s *RosterService) desk(ctx context.Context, a org.Actor) (int64, error) {
	return org.RecordJurisdiction(ctx, s.Jurisdictions, a, 0)
}

// MonthDay is one day of the month view.
type MonthDay struct {
	Date    string `json:"date"`
	Day     int    `json:"day"`
	Weekday int    `json:"weekday"` // 1 Monday … 7 Sunday
	Off     bool   `json:"off"`     // a day off on the official calendar
	Holiday string `json:"holiday,omitempty"`
	Makeup  bool   `json:"makeup,omitempty"` // a make-up workday (调休上班)
	Today   bool   `json:"today,omitempty"`
	Shift   *Shift `json:"shift,omitempty"`
}

// Month is a month of the roster on the official calendar, with the people
// who may be put on it.
type Month struct {
	Year     int        `json:"year"`
	Month    int        `json:"month"`
	Days     []MonthDay `json:"days"`
	Leaders  []Person   `json:"leaders"`  // 带班领导 to choose from
	Officers []Person   `json:"officers"` // duty officers to choose from
}

// Lead is the number of empty cells before the first day in a week row
// starting on Monday.
func (m *Month) Lead() int {
	if len(m.Days) == 0 {
		return 0
	}
	return m.Days[0].Weekday - 1
}

// Prev and Next name the months before and after, as YYYY-MM.
func (m *Month) Prev() string {
	return time.Date(m.Year, time.Month(m.Month)-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// Next names the month after, as YYYY-MM.
func (m *Month) Next() string {
	return time.Date(m.Year, time.Month(m.Month)+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

func (s *RosterService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *RosterService) calendar(ctx context.Context) (*calendar.Calendar, error) {
	if s.Calendars == nil {
		return calendar.New(calendar.Official(), calendar.DefaultWorkingHours()), nil
	}
	return s.Calendars.Calendar(ctx)
}

func forbidRead(a org.Actor) error {
	if !CanReadRoster(a) {
		return jiedao.Forbidden("无权查看值班表", "you may not read the duty roster")
	}
	return nil
}

func forbidEdit(a org.Actor) error {
	if !CanManageRoster(a) {
		return jiedao.Forbidden("无权编辑值班表：仅系统管理员和指挥中心可以排班", "only the administrator and the command center edit the duty roster")
	}
	return nil
}

// ParseDate reads a YYYY-MM-DD date in China time, naming the field.
func ParseDate(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), calendar.Zone())
	if err != nil {
		return time.Time{}, jiedao.Invalid(field, "日期格式应为 YYYY-MM-DD："+v, "a date is YYYY-MM-DD: "+v)
	}
	return t, nil
}

// Range returns the shifts from first to last (YYYY-MM-DD), at most a year.
func (s *RosterService) Range(ctx context.Context, a org.Actor, first, last string) ([]Shift, error) {
	if err := forbidRead(a); err != nil {
		return nil, err
	}
	j, err := s.desk(ctx, a)
	if err != nil {
		return nil, err
	}
	f, err := ParseDate("from", first)
	if err != nil {
		return nil, err
	}
	l, err := ParseDate("to", last)
	if err != nil {
		return nil, err
	}
	if l.Before(f) || l.Sub(f) > 400*24*time.Hour {
		return nil, jiedao.Invalid("to", "日期范围应在一天到一年之间", "a range covers one day to a year")
	}
	out, err := s.Store.Shifts(ctx, j, first, last)
	if out == nil && err == nil {
		out = []Shift{}
	}
	return out, err
}

// MonthView is the month (YYYY-MM; empty for this month) of the roster.
func (s *RosterService) MonthView(ctx context.Context, a org.Actor, month string) (*Month, error) {
	if err := forbidRead(a); err != nil {
		return nil, err
	}
	j, err := s.desk(ctx, a)
	if err != nil {
		return nil, err
	}
	now := s.now().In(calendar.Zone())
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Zone())
	if month != "" {
		t, err := time.ParseInLocation("2006-01", month, calendar.Zone())
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return nil, jiedao.Invalid("month", "月份格式应为 YYYY-MM："+month, "a month is YYYY-MM: "+month)
		}
		start = t
	}
	end := start.AddDate(0, 1, -1)
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	shifts, err := s.Store.Shifts(ctx, j, start.Format("2006-01-02"), end.Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	m := &Month{Year: start.Year(), Month: int(start.Month())}
	today := now.Format("2006-01-02")
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		md := MonthDay{Date: d.Format("2006-01-02"), Day: d.Day(), Weekday: (int(d.Weekday())+6)%7 + 1, Off: !cal.IsWorkingDay(d)}
		if listed, ok := cal.Lookup(d); ok {
			md.Holiday = listed.Name
			md.Makeup = listed.Kind == calendar.Workday
		}
		md.Today = md.Date == today
		if i := slices.IndexFunc(shifts, func(x Shift) bool { return x.Date == md.Date }); i >= 0 {
			sh := shifts[i]
			md.Shift = &sh
		}
		m.Days = append(m.Days, md)
	}
	m.Leaders, m.Officers, err = s.people(ctx, j, shifts)
	return m, err
}

// people are the candidates: the staff with the leader role (带班领导) and
// the duty officers and dispatchers (值班员), and everyone already on the
// shifts given, in their places.
func (s *RosterService) people(ctx context.Context, j int64, shifts []Shift) (leaders, officers []Person, err error) {
	add := func(list *[]Person, p Person) {
		if p.ID != 0 && !slices.ContainsFunc(*list, func(q Person) bool { return q.ID == p.ID }) {
			*list = append(*list, p)
		}
	}
	if s.Staff != nil {
		staff, err := s.Staff.ListStaff(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, st := range staff {
			if !st.Active || (j != 0 && st.JurisdictionID != 0 && st.JurisdictionID != j) {
				// Inactive, or of another subdistrict's desk.
				continue
			}
			switch st.Role {
			case org.RoleLeader:
				add(&leaders, Person{ID: st.ID, Name: st.Name})
			case org.RoleDutyOfficer, org.RoleDispatcher:
				add(&officers, Person{ID: st.ID, Name: st.Name})
			}
		}
	}
	for _, sh := range shifts {
		add(&leaders, sh.Leader)
		for _, o := range sh.Officers {
			add(&officers, o)
		}
	}
	return leaders, officers, nil
}

// resolve finds the people of the ids among the candidates, naming the
// field of an unknown one.
func resolve(field string, ids []int64, pool []Person) ([]Person, error) {
	var out []Person
	for _, id := range ids {
		i := slices.IndexFunc(pool, func(p Person) bool { return p.ID == id })
		if i < 0 {
			return nil, jiedao.Invalid(field, fmt.Sprintf("人员 %d 不在可排班人员中", id), fmt.Sprintf("person %d cannot be put on the roster", id))
		}
		if slices.ContainsFunc(out, func(p Person) bool { return p.ID == id }) {
			return nil, jiedao.Invalid(field, pool[i].Name+"重复", pool[i].Name+" is listed twice")
		}
		out = append(out, pool[i])
	}
	return out, nil
}

// AssignInput sets one day's people.
type AssignInput struct {
	Date     string  `json:"date"`
	Leader   int64   `json:"leader"`
	Officers []int64 `json:"officers"`
	Reason   string  `json:"reason,omitempty"`
}

// Assign sets the 带班领导 and the officers of one day, replacing what the
// day had (its record of changes kept, this one added). A person on
// weekday-only rotation is refused on a day off.
func (s *RosterService) Assign(ctx context.Context, a org.Actor, in AssignInput) (*Shift, error) {
	if err := forbidEdit(a); err != nil {
		return nil, err
	}
	j, err := s.desk(ctx, a)
	if err != nil {
		return nil, err
	}
	d, err := ParseDate("date", in.Date)
	if err != nil {
		return nil, err
	}
	if in.Leader == 0 {
		return nil, jiedao.Invalid("leader", "请选择带班领导", "choose the leader in charge")
	}
	if len(in.Officers) == 0 {
		return nil, jiedao.Invalid("officers", "请至少选择一名值班员", "choose at least one duty officer")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	date := d.Format("2006-01-02")
	var out *Shift
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		old, err := s.Store.Shifts(ctx, j, date, date)
		if err != nil {
			return err
		}
		leaders, officers, err := s.people(ctx, j, old)
		if err != nil {
			return err
		}
		l, err := resolve("leader", []int64{in.Leader}, leaders)
		if err != nil {
			return err
		}
		os, err := resolve("officers", in.Officers, officers)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(os, func(p Person) bool { return p.ID == l[0].ID }) {
			return jiedao.Invalid("officers", l[0].Name+"已是当天带班领导", l[0].Name+" leads that day already")
		}
		sh := Shift{Date: date, Leader: l[0], Officers: os, Off: !cal.IsWorkingDay(d), JurisdictionID: j}
		if listed, ok := cal.Lookup(d); ok {
			sh.Holiday = listed.Name
		}
		for _, p := range append([]Person{sh.Leader}, os...) {
			if sh.Off && p.WeekdaysOnly {
				return jiedao.Invalid("officers", p.Name+"只排工作日，"+date+"为休息日", p.Name+" works weekdays only")
			}
		}
		var before any
		if len(old) == 1 {
			before = old[0]
			sh.Swaps = old[0].Swaps
		}
		sh.Swaps = append(slices.Clone(sh.Swaps), "排班调整："+names(append([]Person{sh.Leader}, os...)))
		if err := s.Store.PutShifts(ctx, []Shift{sh}); err != nil {
			return err
		}
		out = &sh
		return org.AuditRecord(ctx, s.Audit, a, AuditRosterAssign, "duty_shift", date, before, sh, in.Reason)
	})
	return out, err
}

func names(ps []Person) string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return strings.Join(n, "、")
}

// ExchangeInput exchanges the duty days of two people: A, on duty on
// DateA, takes B's place on DateB and B takes A's on DateA.
type ExchangeInput struct {
	DateA  string `json:"date_a"`
	A      int64  `json:"a"`
	DateB  string `json:"date_b"`
	B      int64  `json:"b"`
	Reason string `json:"reason"`
}

// Exchange makes a swap between two people on two days (换班): both days
// change, in one transaction with its audit entry and the reason, or
// neither does. Refused without a reason, when either is not on duty on his
// day, when either is on duty already on the other's day, when a leader is
// exchanged with an officer, or when a weekday-only person would take a day
// off.
func (s *RosterService) Exchange(ctx context.Context, a org.Actor, in ExchangeInput) ([]Shift, error) {
	if err := forbidEdit(a); err != nil {
		return nil, err
	}
	j, err := s.desk(ctx, a)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return nil, jiedao.Invalid("reason", "换班须说明理由", "a swap needs a reason")
	}
	da, err := ParseDate("date_a", in.DateA)
	if err != nil {
		return nil, err
	}
	db, err := ParseDate("date_b", in.DateB)
	if err != nil {
		return nil, err
	}
	dateA, dateB := da.Format("2006-01-02"), db.Format("2006-01-02")
	if dateA == dateB {
		return nil, jiedao.Invalid("date_b", "换班的两天不能是同一天", "a swap is between two different days")
	}
	var out []Shift
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		get := func(field, date string) (Shift, error) {
			r, err := s.Store.Shifts(ctx, j, date, date)
			if err != nil {
				return Shift{}, err
			}
			if len(r) == 0 {
				return Shift{}, jiedao.Invalid(field, date+"尚未排班", "no shift on "+date)
			}
			return r[0], nil
		}
		sa, err := get("date_a", dateA)
		if err != nil {
			return err
		}
		sb, err := get("date_b", dateB)
		if err != nil {
			return err
		}
		before := []Shift{sa, sb}
		pa, leadA, ok := find(sa, in.A)
		if !ok {
			return jiedao.Invalid("a", fmt.Sprintf("人员 %d 在%s不值班", in.A, dateA), fmt.Sprintf("person %d is not on duty on %s", in.A, dateA))
		}
		pb, leadB, ok := find(sb, in.B)
		if !ok {
			return jiedao.Invalid("b", fmt.Sprintf("人员 %d 在%s不值班", in.B, dateB), fmt.Sprintf("person %d is not on duty on %s", in.B, dateB))
		}
		switch {
		case pa.ID == pb.ID:
			return jiedao.Invalid("b", "不能与本人换班", "a swap is between two people")
		case leadA != leadB:
			return jiedao.Invalid("b", "带班领导只能与带班领导换班，值班员只能与值班员换班", "a leader swaps with a leader, an officer with an officer")
		}
		if _, _, on := find(sb, pa.ID); on {
			return jiedao.Invalid("a", pa.Name+"在"+dateB+"已在值班", pa.Name+" is on duty on "+dateB+" already")
		}
		if _, _, on := find(sa, pb.ID); on {
			return jiedao.Invalid("b", pb.Name+"在"+dateA+"已在值班", pb.Name+" is on duty on "+dateA+" already")
		}
		if sb.Off && pa.WeekdaysOnly {
			return jiedao.Invalid("a", pa.Name+"只排工作日，"+dateB+"为休息日", pa.Name+" works weekdays only")
		}
		if sa.Off && pb.WeekdaysOnly {
			return jiedao.Invalid("b", pb.Name+"只排工作日，"+dateA+"为休息日", pb.Name+" works weekdays only")
		}
		sa, sb = replace(sa, pa.ID, pb), replace(sb, pb.ID, pa)
		note := fmt.Sprintf("换班：%s（%s）↔%s（%s）", pa.Name, dateA, pb.Name, dateB)
		sa.Swaps = append(slices.Clone(sa.Swaps), note)
		sb.Swaps = append(slices.Clone(sb.Swaps), note)
		if err := s.Store.PutShifts(ctx, []Shift{sa, sb}); err != nil {
			return err
		}
		out = []Shift{sa, sb}
		return org.AuditRecord(ctx, s.Audit, a, AuditRosterExchange, "duty_shift", dateA+","+dateB, before, out, in.Reason)
	})
	return out, err
}

// find finds the person on the shift: whether he leads it.
func find(s Shift, id int64) (Person, bool, bool) {
	if s.Leader.ID == id {
		return s.Leader, true, true
	}
	for _, o := range s.Officers {
		if o.ID == id {
			return o, false, true
		}
	}
	return Person{}, false, false
}

// replace puts to in the place of the person id.
func replace(s Shift, id int64, to Person) Shift {
	s.Officers = slices.Clone(s.Officers)
	if s.Leader.ID == id {
		s.Leader = to
	}
	for i := range s.Officers {
		if s.Officers[i].ID == id {
			s.Officers[i] = to
		}
	}
	return s
}

// GenerateInput makes the rotation of a range.
type GenerateInput struct {
	From     string  `json:"from"`
	To       string  `json:"to"`
	Leaders  []int64 `json:"leaders"`
	Officers []int64 `json:"officers"`
	// WeekdaysOnly are the people (among the leaders and officers) on
	// weekday-only rotation: never put on a day off.
	WeekdaysOnly []int64 `json:"weekdays_only,omitempty"`
	PerShift     int     `json:"per_shift"`
	Reason       string  `json:"reason,omitempty"`
}

// Generate plans the rotation of the range (Plan) and stores it in place
// of the range's shifts, with one audit entry; a range that cannot be
// staffed is refused and nothing changes.
func (s *RosterService) Generate(ctx context.Context, a org.Actor, in GenerateInput) ([]Shift, error) {
	if err := forbidEdit(a); err != nil {
		return nil, err
	}
	j, err := s.desk(ctx, a)
	if err != nil {
		return nil, err
	}
	from, err := ParseDate("from", in.From)
	if err != nil {
		return nil, err
	}
	to, err := ParseDate("to", in.To)
	if err != nil {
		return nil, err
	}
	if in.PerShift == 0 {
		in.PerShift = 1
	}
	if in.PerShift < 1 || in.PerShift > 10 {
		return nil, jiedao.Invalid("per_shift", "每班值班员人数应在1到10之间", "officers a shift: 1 to 10")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out []Shift
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		old, err := s.Store.Shifts(ctx, j, from.Format("2006-01-02"), to.Format("2006-01-02"))
		if err != nil {
			return err
		}
		leaders, officers, err := s.people(ctx, j, old)
		if err != nil {
			return err
		}
		ls, err := resolve("leaders", in.Leaders, leaders)
		if err != nil {
			return err
		}
		os, err := resolve("officers", in.Officers, officers)
		if err != nil {
			return err
		}
		for _, id := range in.WeekdaysOnly {
			found := false
			for _, list := range [][]Person{ls, os} {
				for i := range list {
					if list[i].ID == id {
						list[i].WeekdaysOnly, found = true, true
					}
				}
			}
			if !found {
				return jiedao.Invalid("weekdays_only", fmt.Sprintf("只排工作日的人员 %d 不在所选人员中", id), fmt.Sprintf("weekday-only person %d is not among those chosen", id))
			}
		}
		out, err = Plan(cal, from, to, ls, os, in.PerShift)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].JurisdictionID = j
		}
		if err := s.Store.PutShifts(ctx, out); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditRosterGenerate, "duty_shift", out[0].Date+".."+out[len(out)-1].Date,
			map[string]int{"shifts": len(old)}, in, in.Reason)
	})
	return out, err
}
