package duty

import (
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
)

func date(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone())
	if err != nil {
		panic(err)
	}
	return t
}

// The roster over the 2023 Spring Festival: the holiday days are marked
// and named, the make-up Saturday and Sunday are working days, and the
// weekday-only officer is never on a day off.
func TestRosterOverSpringFestival(t *testing.T) {
	cal := calendar.New(calendar.Official(), calendar.DefaultWorkingHours())
	leaders := []Person{{ID: 1, Name: "王主任"}, {ID: 2, Name: "李副主任"}}
	officers := []Person{{ID: 11, Name: "张一"}, {ID: 12, Name: "张二", WeekdaysOnly: true}, {ID: 13, Name: "张三"}, {ID: 14, Name: "张四"}}
	r, err := Plan(cal, date("2023-01-20 00:00"), date("2023-01-30 00:00"), leaders, officers, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 11 {
		t.Fatalf("%d shifts", len(r))
	}
	for _, s := range r {
		d := date(s.Date + " 00:00")
		if s.Off == cal.IsWorkingDay(d) {
			t.Errorf("%s: off %v, working day %v", s.Date, s.Off, cal.IsWorkingDay(d))
		}
		for _, o := range s.Officers {
			if o.WeekdaysOnly && s.Off {
				t.Errorf("%s: the weekday-only officer on a day off", s.Date)
			}
		}
		if len(s.Officers) != 2 || s.Officers[0].ID == s.Officers[1].ID {
			t.Errorf("%s: officers %v", s.Date, s.Officers)
		}
	}
	if !r[2].Off || r[2].Holiday != "春节" || r[8].Off || r[8].Holiday != "春节调休上班" {
		t.Errorf("22 Jan %+v, 28 Jan %+v", r[2], r[8])
	}
	// Swaps: refused for someone not on duty, someone on already, and the
	// weekday-only officer on a holiday; nothing changes then.
	day := r[3] // 23 January, a holiday
	other := officers[0]
	for _, o := range officers {
		if o.ID != day.Officers[0].ID && o.ID != day.Officers[1].ID && !o.WeekdaysOnly {
			other = o
		}
	}
	before := r[3].Officers[0]
	for _, bad := range []struct {
		from, to Person
		want     string
	}{
		{other, day.Officers[1], "当天不值班"},
		{day.Officers[0], day.Officers[1], "已在值班"},
		{day.Officers[0], officers[1], "只排工作日"},
	} {
		if err := Swap(r, day.Date, bad.from, bad.to); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("swap %s→%s: %v, want %q", bad.from.Name, bad.to.Name, err, bad.want)
		}
	}
	if r[3].Officers[0] != before || len(r[3].Swaps) != 0 {
		t.Fatal("a refused swap changed the roster")
	}
	if err := Swap(r, day.Date, day.Officers[0], other); err != nil {
		t.Fatal(err)
	}
	if r[3].Officers[0].ID != other.ID || len(r[3].Swaps) != 1 {
		t.Errorf("swap not made: %+v", r[3])
	}
	// 07:00 on 24 January is still the shift of the 23rd.
	if s, ok := OnDuty(r, date("2023-01-24 07:00")); !ok || s.Date != "2023-01-23" {
		t.Errorf("on duty at 07:00: %s", s.Date)
	}
	if s, ok := OnDuty(r, date("2023-01-24 09:00")); !ok || s.Date != "2023-01-24" {
		t.Errorf("on duty at 09:00: %s", s.Date)
	}
	// Too few people for a holiday shift: refused.
	if _, err := Plan(cal, date("2023-01-22 00:00"), date("2023-01-22 00:00"), leaders, officers[:2], 2); err == nil || !strings.Contains(err.Error(), "人手不足") {
		t.Errorf("understaffed: %v", err)
	}
}
