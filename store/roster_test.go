package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/internal/testdb"
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
		got, err := rs.Shifts(ctx, "2023-09-29", "2023-10-08")
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
