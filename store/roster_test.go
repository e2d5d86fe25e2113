package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The duty roster stored and read back on both engines; a swap replaces
// its day only.
func TestDutyRoster(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cal := calendar.New(calendar.Official(), calendar.DefaultWorkingHours())
		day := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02", s, calendar.Zone()); return t }
		leaders := []duty.Person{{ID: 1, Name: "王主任"}, {ID: 2, Name: "李副主任"}}
		officers := []duty.Person{{ID: 11, Name: "张一"}, {ID: 12, Name: "张二"}, {ID: 13, Name: "张三"}}
		r, err := duty.Plan(cal, day("2023-09-28"), day("2023-10-09"), leaders, officers, 1)
		if err != nil {
			t.Fatal(err)
		}
		rs := db.Roster()
		if err := rs.PutShifts(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := duty.Swap(r, "2023-10-01", r[3].Officers[0], officers[(int(r[3].Officers[0].ID)-10)%3]); err != nil {
			t.Fatal(err)
		}
		if err := rs.PutShifts(ctx, r[3:4]); err != nil {
			t.Fatal(err)
		}
		got, err := rs.Shifts(ctx, 0, "2023-09-29", "2023-10-08")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 || got[0].Date != "2023-09-29" || !got[0].Off || got[0].Holiday != "中秋节、国庆节" {
			t.Fatalf("read %d shifts, first %+v", len(got), got[0])
		}
		if got[2].Date != "2023-10-01" || len(got[2].Swaps) != 1 || got[2].Officers[0] != r[3].Officers[0] {
			t.Errorf("the swap was not kept: %+v", got[2])
		}
		if got[9].Date != "2023-10-08" || got[9].Off {
			t.Errorf("8 October, a make-up workday: %+v", got[9])
		}
	})
}

// The roster edited through duty.RosterService on both engines: the month
// on the official calendar, a day's people set, a rotation generated with
// a weekday-only officer, an exchange of days (both change, audited with
// its reason) and the refusals, which change nothing.
func TestDutyRosterService(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		// Two more leaders and officers beside the fixture's.
		var extra []*org.Staff
		for i, st := range []org.Staff{{Username: "leader2", Name: "钱副主任", Role: org.RoleLeader}, {Username: "duty2", Name: "孙值班", Role: org.RoleDutyOfficer},
			{Username: "duty3", Name: "李值班", Role: org.RoleDutyOfficer}} {
			st.Phone = "1390000000" + string(rune('1'+i))
			st.Active = true
			s := st
			if err := db.Org().CreateStaff(ctx, &s); err != nil {
				t.Fatal(err)
			}
			extra = append(extra, &s)
		}
		svc := &duty.RosterService{Store: db.Roster(), Calendars: db.Calendar(calendar.DefaultWorkingHours()), Staff: db.Org(), Audit: db.Audit(),
			Now: func() time.Time { return time.Date(2023, 9, 20, 10, 0, 0, 0, calendar.Zone()) }}
		if _, err := db.Calendar(calendar.DefaultWorkingHours()).SeedOfficial(ctx); err != nil {
			t.Fatal(err)
		}
		admin, disp, dutyA, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleDispatcher), o.Actor(org.RoleDutyOfficer), o.Actor(org.RoleLeader)
		l1, l2 := o.Leader.ID, extra[0].ID
		d1, d2, d3 := o.DutyOfficer.ID, extra[1].ID, extra[2].ID
		audits := func() int64 {
			return scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'duty_roster.%'`)
		}

		// Who: the duty officer reads and does not edit; the dispatcher edits.
		gen := duty.GenerateInput{From: "2023-09-28", To: "2023-10-09", Leaders: []int64{l1, l2}, Officers: []int64{d1, d2, d3}, WeekdaysOnly: []int64{d3}, PerShift: 1}
		if _, err := svc.Generate(ctx, dutyA, gen); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("a duty officer generated the roster: %v", err)
		}
		if _, err := svc.MonthView(ctx, o.Actor(org.RoleGridWorker), "2023-10"); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("a grid worker read the roster: %v", err)
		}
		r, err := svc.Generate(ctx, disp, gen)
		if err != nil {
			t.Fatal(err)
		}
		if len(r) != 12 || audits() != 1 {
			t.Fatalf("%d shifts, %d audit entries", len(r), audits())
		}
		for _, s := range r {
			if s.Off && s.Officers[0].ID == d3 {
				t.Errorf("%s: the weekday-only officer on a day off", s.Date)
			}
		}
		// The month view: the National Day days off named, 7 and 8 October
		// make-up workdays, and the generated shifts on their days.
		m, err := svc.MonthView(ctx, dutyA, "2023-10")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Days) != 31 || m.Lead() != 6 || !m.Days[0].Off || m.Days[0].Holiday == "" || !m.Days[6].Makeup || m.Days[6].Off || m.Days[0].Shift == nil || m.Days[10].Shift != nil {
			t.Fatalf("month: lead %d, 1 Oct %+v, 7 Oct %+v, 11 Oct %+v", m.Lead(), m.Days[0], m.Days[6], m.Days[10])
		}
		if len(m.Leaders) < 2 || len(m.Officers) < 3 {
			t.Errorf("candidates: %v, %v", m.Leaders, m.Officers)
		}
		if _, err := svc.MonthView(ctx, dutyA, "2023-13"); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("month 13: %v", err)
		}

		// An exchange between the officers of 28 September and 1 October.
		byDate := func(date string) duty.Shift {
			got, err := db.Roster().Shifts(ctx, 0, date, date)
			if err != nil || len(got) != 1 {
				t.Fatalf("%s: %v %v", date, got, err)
			}
			return got[0]
		}
		a, b := byDate("2023-09-28"), byDate("2023-10-01")
		if a.Officers[0].ID == b.Officers[0].ID || a.Officers[0].ID == d3 {
			t.Fatalf("unexpected plan: %+v %+v", a, b)
		}
		x := duty.ExchangeInput{DateA: a.Date, A: a.Officers[0].ID, DateB: b.Date, B: b.Officers[0].ID}
		for _, bad := range []struct {
			in   duty.ExchangeInput
			want string
		}{
			{x, "理由"},
			{duty.ExchangeInput{DateA: a.Date, A: b.Officers[0].ID, DateB: b.Date, B: a.Officers[0].ID, Reason: "r"}, "不值班"},
			{duty.ExchangeInput{DateA: a.Date, A: a.Leader.ID, DateB: b.Date, B: b.Officers[0].ID, Reason: "r"}, "带班领导只能"},
			{duty.ExchangeInput{DateA: a.Date, A: a.Officers[0].ID, DateB: "2023-11-30", B: b.Officers[0].ID, Reason: "r"}, "尚未排班"},
		} {
			if _, err := svc.Exchange(ctx, disp, bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("exchange %+v: %v, want %q", bad.in, err, bad.want)
			}
		}
		// The weekday-only officer cannot take a holiday.
		wd := slices.IndexFunc(r, func(s duty.Shift) bool { return s.Officers[0].ID == d3 })
		if _, err := svc.Exchange(ctx, disp, duty.ExchangeInput{DateA: r[wd].Date, A: d3, DateB: b.Date, B: b.Officers[0].ID, Reason: "r"}); err == nil || !strings.Contains(err.Error(), "只排工作日") {
			t.Errorf("weekday-only on a holiday: %v", err)
		}
		if byDate(a.Date).Officers[0] != a.Officers[0] || byDate(b.Date).Officers[0] != b.Officers[0] || audits() != 1 {
			t.Fatal("a refused exchange changed the roster or wrote an audit entry")
		}
		x.Reason = "家中有事"
		if _, err := svc.Exchange(ctx, disp, x); err != nil {
			t.Fatal(err)
		}
		na, nb := byDate(a.Date), byDate(b.Date)
		if na.Officers[0].ID != b.Officers[0].ID || nb.Officers[0].ID != a.Officers[0].ID || len(na.Swaps) != 1 || len(nb.Swaps) != 1 {
			t.Fatalf("exchange: %+v %+v", na, nb)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND reason = ? AND target_id = ?`, duty.AuditRosterExchange, "家中有事", a.Date+","+b.Date); n != 1 {
			t.Errorf("exchange audit entries: %d", n)
		}

		// A day set by hand: the leader cannot also be an officer; an unknown
		// person is refused naming the field.
		if _, err := svc.Assign(ctx, admin, duty.AssignInput{Date: "2023-10-11", Leader: l1, Officers: []int64{l1}}); err == nil {
			t.Error("the leader as officer too")
		}
		if _, err := svc.Assign(ctx, admin, duty.AssignInput{Date: "2023-10-11", Leader: l1, Officers: []int64{99999}}); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("an unknown officer: %v", err)
		}
		if _, err := svc.Assign(ctx, leader, duty.AssignInput{Date: "2023-10-11", Leader: l1, Officers: []int64{d1}}); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Errorf("a leader edited: %v", err)
		}
		sh, err := svc.Assign(ctx, admin, duty.AssignInput{Date: "2023-10-11", Leader: l2, Officers: []int64{d1, d2}})
		if err != nil {
			t.Fatal(err)
		}
		if got := byDate("2023-10-11"); got.Leader.ID != l2 || len(got.Officers) != 2 || got.Off || sh.Date != "2023-10-11" {
			t.Errorf("assigned: %+v", got)
		}
		if audits() != 3 {
			t.Errorf("%d audit entries, want 3", audits())
		}
	})
}
