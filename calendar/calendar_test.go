package calendar

import (
	"bytes"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
)

// sharedPath is the project's reference copy of the schedule. The tests
// below test the copy that ships (the embedded cn-2023-2026.tsv behind
// Official), and TestShippedScheduleIsTheSharedOne holds the two equal, so
// a day changed in either fails a test.
const sharedPath = "../../shared/calendar/cn-2023-2026.tsv"

func loadReal(t testing.TB) []Day {
	t.Helper()
	return Official()
}

func realCal(t testing.TB) *Calendar { return New(loadReal(t), DefaultWorkingHours()) }

// tm builds a local time in China.
func tm(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Zone())
}

func TestParseRealFile(t *testing.T) {
	days := loadReal(t)
	// 143 lines in the file: the header and 142 days.
	if len(days) != 142 {
		t.Fatalf("got %d days, want 142", len(days))
	}
	var off, work int
	for _, d := range days {
		switch d.Kind {
		case Off:
			off++
		case Workday:
			work++
		}
	}
	if off != 116 || work != 26 {
		t.Errorf("off=%d workday=%d, want 116 and 26", off, work)
	}
	first := Day{Date: "2022-12-31", Kind: Off, Name: "元旦", ScheduleYear: 2023}
	last := Day{Date: "2026-10-10", Kind: Workday, Name: "国庆节调休上班", ScheduleYear: 2026}
	if days[0] != first || days[len(days)-1] != last {
		t.Errorf("first %+v last %+v", days[0], days[len(days)-1])
	}

	var buf bytes.Buffer
	if err := WriteTSV(&buf, days); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), []byte(officialTSV)) {
		t.Errorf("WriteTSV does not reproduce the shipped file byte for byte")
	}
	again, err := ParseTSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, days) {
		t.Errorf("round trip changed the days")
	}
	if got := New(days, nil).Days(); !reflect.DeepEqual(got, days) {
		t.Errorf("Days() differs from the sorted input")
	}
}

// TestShippedScheduleIsTheSharedOne: the schedule compiled into the binary
// is the reference schedule, byte for byte.
func TestShippedScheduleIsTheSharedOne(t *testing.T) {
	shared, err := os.ReadFile(sharedPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, []byte(officialTSV)) {
		t.Fatalf("calendar/cn-2023-2026.tsv (compiled into the binary) differs from %s", sharedPath)
	}
}

func TestWorkingDaysPerYear(t *testing.T) {
	c := realCal(t)
	// The published totals: 249 working days in 2023, 251 in 2024, 248 in
	// 2025. 2026: 261 weekdays − 19 weekdays off + 6 make-up weekend days.
	for year, want := range map[int]int{2023: 249, 2024: 251, 2025: 248, 2026: 248} {
		n := 0
		for d := tm(year, 1, 1, 12, 0); d.Year() == year; d = d.AddDate(0, 0, 1) {
			if c.IsWorkingDay(d) {
				n++
			}
		}
		if n != want {
			t.Errorf("%d: %d working days by IsWorkingDay, want %d", year, n, want)
		}
		got := c.WorkingBetween(tm(year, 1, 1, 0, 0), tm(year+1, 1, 1, 0, 0))
		if wantD := time.Duration(want) * 450 * time.Minute; got != wantD {
			t.Errorf("%d: WorkingBetween over the year = %v, want %v", year, got, wantD)
		}
	}
}

func TestSpringFestival2024(t *testing.T) {
	c := realCal(t)
	// Feb 3 Sat off; Feb 4 Sun make-up; 5–9 Mon–Fri; 10–17 holiday;
	// Feb 18 Sun make-up; Feb 19 Mon.
	want := map[int]bool{3: false, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true,
		10: false, 11: false, 12: false, 13: false, 14: false, 15: false, 16: false, 17: false,
		18: true, 19: true}
	for d := 3; d <= 19; d++ {
		// Late evening in Beijing is the next day in UTC: the zone must
		// decide, not the location of the time passed in.
		for _, x := range []time.Time{tm(2024, 2, d, 0, 0), tm(2024, 2, d, 23, 59).UTC()} {
			if got := c.IsWorkingDay(x); got != want[d] {
				t.Errorf("IsWorkingDay(2024-02-%02d) = %v, want %v", d, got, want[d])
			}
		}
	}
	wd := func(n int) Limit { return Limit{Amount: n, Unit: WorkingDays} }
	cases := []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{tm(2024, 2, 8, 10, 0), 1, tm(2024, 2, 9, 17, 30)},
		{tm(2024, 2, 8, 10, 0), 2, tm(2024, 2, 18, 17, 30)}, // the make-up Sunday
		{tm(2024, 2, 8, 10, 0), 3, tm(2024, 2, 19, 17, 30)},
		{tm(2024, 2, 9, 17, 0), 1, tm(2024, 2, 18, 17, 30)},
		{tm(2024, 2, 9, 7, 0), 1, tm(2024, 2, 18, 17, 30)}, // hour of start does not matter
		{tm(2024, 2, 3, 9, 0), 2, tm(2024, 2, 5, 17, 30)},  // from a Saturday: Sun 4th counts
		{tm(2024, 2, 12, 9, 0), 1, tm(2024, 2, 18, 17, 30)},
		// Feb 1 is a Thursday: the working days after it are Feb 2, 4, 5, 6,
		// 7, 8, 9, 18, 19, 20, so the 10th is Feb 20.
		{tm(2024, 2, 1, 9, 0), 10, tm(2024, 2, 20, 17, 30)},
	}
	for _, tc := range cases {
		if got := c.Add(tc.start, wd(tc.n)); !got.Equal(tc.want) || got.Location() != Zone() {
			t.Errorf("Add(%v, %d working days) = %v, want %v", tc.start, tc.n, got, tc.want)
		}
	}
}

func TestSpringFestival2023(t *testing.T) {
	c := realCal(t)
	// Jan 20 Fri working; Jan 21 (Sat)–27 (Fri) off; Jan 28 Sat and 29 Sun
	// make-up; Jan 30 Mon. New Year: Dec 31 (Sat), Jan 1 (Sun), Jan 2 (Mon) off.
	for d, want := range map[int]bool{20: true, 21: false, 23: false, 27: false, 28: true, 29: true, 30: true} {
		if got := c.IsWorkingDay(tm(2023, 1, d, 9, 0)); got != want {
			t.Errorf("IsWorkingDay(2023-01-%02d) = %v, want %v", d, got, want)
		}
	}
	if c.IsWorkingDay(tm(2023, 1, 2, 9, 0)) || !c.IsWorkingDay(tm(2023, 1, 3, 9, 0)) {
		t.Errorf("2023-01-02 must be off and 2023-01-03 working")
	}
	for n, want := range map[int]time.Time{
		1: tm(2023, 1, 28, 17, 30),
		2: tm(2023, 1, 29, 17, 30),
		3: tm(2023, 1, 30, 17, 30),
		7: tm(2023, 2, 3, 17, 30),
	} {
		if got := c.Add(tm(2023, 1, 20, 16, 0), Limit{Amount: n, Unit: WorkingDays}); !got.Equal(want) {
			t.Errorf("Add(2023-01-20, %d working days) = %v, want %v", n, got, want)
		}
	}
	// 2 working days from Friday 2022-12-30 skip the New Year weekend and
	// Monday Jan 2: Jan 3 and Jan 4.
	if got, want := c.Add(tm(2022, 12, 30, 9, 0), Limit{Amount: 2, Unit: WorkingDays}), tm(2023, 1, 4, 17, 30); !got.Equal(want) {
		t.Errorf("New Year 2023: got %v, want %v", got, want)
	}
}

func TestWorkingHours(t *testing.T) {
	c := realCal(t)
	wh := func(n int) Limit { return Limit{Amount: n, Unit: WorkingHoursUnit} }
	cases := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within a segment", tm(2024, 3, 4, 9, 0), time.Hour, tm(2024, 3, 4, 10, 0)},
		{"across lunch", tm(2024, 3, 4, 11, 0), 2 * time.Hour, tm(2024, 3, 4, 14, 30)},
		{"overnight", tm(2024, 3, 4, 16, 30), 2 * time.Hour, tm(2024, 3, 5, 9, 30)},
		{"over a weekend", tm(2024, 3, 8, 16, 30), 2 * time.Hour, tm(2024, 3, 11, 9, 30)},
		// Qingming 2024: Apr 4–6 off, Sunday Apr 7 a make-up workday.
		{"over a holiday", tm(2024, 4, 3, 16, 0), 4 * time.Hour, tm(2024, 4, 7, 11, 0)},
		{"before work", tm(2024, 3, 4, 7, 0), time.Hour, tm(2024, 3, 4, 9, 30)},
		{"at lunch", tm(2024, 3, 4, 12, 30), time.Hour, tm(2024, 3, 4, 14, 30)},
		{"at a segment end", tm(2024, 3, 4, 12, 0), 30 * time.Minute, tm(2024, 3, 4, 14, 0)},
		{"after work", tm(2024, 3, 4, 20, 0), time.Hour, tm(2024, 3, 5, 9, 30)},
		{"on a Saturday", tm(2024, 3, 9, 10, 0), time.Hour, tm(2024, 3, 11, 9, 30)},
		{"lands on lunch", tm(2024, 3, 4, 8, 30), 210 * time.Minute, tm(2024, 3, 4, 12, 0)},
		{"lands on close", tm(2024, 3, 4, 8, 30), 450 * time.Minute, tm(2024, 3, 4, 17, 30)},
		{"a full day from close", tm(2024, 3, 4, 17, 30), 450 * time.Minute, tm(2024, 3, 5, 17, 30)},
		{"a full day and a minute", tm(2024, 3, 4, 17, 30), 451 * time.Minute, tm(2024, 3, 6, 8, 31)},
		{"Spring Festival 2024", tm(2024, 2, 9, 17, 0), time.Hour, tm(2024, 2, 18, 9, 0)},
		{"seconds kept", time.Date(2024, 3, 4, 9, 0, 7, 5, Zone()), time.Hour, time.Date(2024, 3, 4, 10, 0, 7, 5, Zone())},
		{"zero", tm(2024, 3, 9, 10, 0), 0, tm(2024, 3, 9, 10, 0)},
		{"negative", tm(2024, 3, 9, 10, 0), -time.Hour, tm(2024, 3, 9, 10, 0)},
	}
	for _, tc := range cases {
		got := c.AddWorking(tc.start.UTC(), tc.d)
		if !got.Equal(tc.want) || got.Location() != Zone() {
			t.Errorf("%s: AddWorking(%v, %v) = %v, want %v", tc.name, tc.start, tc.d, got, tc.want)
		}
		if tc.d > 0 && tc.d%time.Hour == 0 {
			if got := c.Add(tc.start, wh(int(tc.d/time.Hour))); !got.Equal(tc.want) {
				t.Errorf("%s: Add = %v, want %v", tc.name, got, tc.want)
			}
		}
		if tc.d > 0 {
			if back := c.WorkingBetween(tc.start, tc.want); back != tc.d {
				t.Errorf("%s: WorkingBetween = %v, want %v", tc.name, back, tc.d)
			}
		}
	}
}

func TestWorkingBetween(t *testing.T) {
	c := realCal(t)
	cases := []struct {
		a, b time.Time
		want time.Duration
	}{
		{tm(2024, 3, 4, 11, 0), tm(2024, 3, 4, 14, 30), 2 * time.Hour},
		{tm(2024, 3, 8, 16, 30), tm(2024, 3, 11, 9, 30), 2 * time.Hour},
		{tm(2024, 3, 9, 0, 0), tm(2024, 3, 10, 23, 0), 0},                    // a weekend
		{tm(2024, 2, 9, 17, 30), tm(2024, 2, 18, 8, 30), 0},                  // the whole holiday
		{tm(2024, 2, 9, 0, 0), tm(2024, 2, 19, 0, 0), 2 * 450 * time.Minute}, // Feb 9 and 18
		{tm(2024, 3, 4, 12, 10), tm(2024, 3, 4, 13, 20), 0},                  // lunch
		{tm(2024, 3, 4, 14, 0), tm(2024, 3, 4, 11, 0), 0},                    // b before a
		{tm(2024, 3, 4, 14, 0), tm(2024, 3, 4, 14, 0), 0},
		// Feb 5 – Mar 3 2024: Feb 5–9 (5), Feb 18 (1), Feb 19–23 (5),
		// Feb 26 – Mar 1 (5): 16 working days.
		{tm(2024, 2, 5, 0, 0), tm(2024, 3, 4, 0, 0), 16 * 450 * time.Minute},
	}
	for _, tc := range cases {
		if got := c.WorkingBetween(tc.a, tc.b); got != tc.want {
			t.Errorf("WorkingBetween(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	// Extreme spans must not overflow or hang.
	if got := c.WorkingBetween(time.Time{}, tm(9999, 1, 1, 0, 0)); got <= 0 {
		t.Errorf("huge span: %v", got)
	}
}

// The full span count must agree with walking day by day, on any span
// crossing the listed years.
func TestCountWorkingAgreesWithWalk(t *testing.T) {
	c := realCal(t)
	rng := rand.New(rand.NewSource(7))
	base, _ := split(tm(2022, 6, 1, 0, 0))
	for range 300 {
		from := base + rng.Int63n(1800)
		to := from + rng.Int63n(900)
		var walk int64
		for d := from; d < to; d++ {
			if c.working(d) {
				walk++
			}
		}
		if got := c.countWorking(from, to); got != walk {
			t.Fatalf("countWorking(%d, %d) = %d, walk = %d", from, to, got, walk)
		}
	}
}

func TestAddWorkingInverse(t *testing.T) {
	c := realCal(t)
	rng := rand.New(rand.NewSource(20240210))
	from := tm(2022, 12, 1, 0, 0)
	span := int64(tm(2026, 12, 31, 0, 0).Sub(from))
	for i := range 5000 {
		s := from.Add(time.Duration(rng.Int63n(span)))
		var d time.Duration
		switch i % 3 {
		case 0: // short, to the second
			d = time.Duration(1+rng.Int63n(8*3600)) * time.Second
		case 1: // up to 200 working hours, to the minute
			d = time.Duration(1+rng.Int63n(200*60)) * time.Minute
		default: // whole hours, to hit segment ends exactly
			d = time.Duration(1+rng.Int63n(40)) * 30 * time.Minute
		}
		e := c.AddWorking(s, d)
		if got := c.WorkingBetween(s, e); got != d {
			t.Fatalf("start %v d %v: end %v, WorkingBetween = %v", s, d, e, got)
		}
		// The end is inside working time or on a segment end, never in a gap:
		// a second earlier there is still working time to use.
		if c.WorkingBetween(e.Add(-time.Second), e) == 0 {
			t.Fatalf("start %v d %v: end %v is not at working time", s, d, e)
		}
		// The other direction: AddWorking of the working time between two
		// instants reaches no later than the second one.
		b := s.Add(time.Duration(rng.Int63n(int64(30 * 24 * time.Hour))))
		w := c.WorkingBetween(s, b)
		if w > 0 {
			if r := c.AddWorking(s, w); r.After(b) || c.WorkingBetween(r, b) != 0 {
				t.Fatalf("s %v b %v: AddWorking(s, %v) = %v", s, b, w, r)
			}
		}
	}
}

func TestClockUnitsIgnoreCalendar(t *testing.T) {
	c := realCal(t)
	// Spring Festival eve 2024, in the middle of the night.
	s := tm(2024, 2, 9, 23, 50)
	for _, tc := range []struct {
		l    Limit
		want time.Time
	}{
		{Limit{15, Minutes}, tm(2024, 2, 10, 0, 5)},
		{Limit{30, Minutes}, tm(2024, 2, 10, 0, 20)},
		{Limit{4, NaturalHours}, tm(2024, 2, 10, 3, 50)},
		{Limit{48, NaturalHours}, tm(2024, 2, 11, 23, 50)},
	} {
		got := c.Add(s.UTC(), tc.l)
		if !got.Equal(tc.want) || got.Location() != Zone() {
			t.Errorf("Add(%v, %v) = %v, want %v", s, tc.l, got, tc.want)
		}
	}
	for _, l := range []Limit{{}, {0, WorkingDays}, {-3, WorkingDays}, {3, "fortnights"}} {
		if got := c.Add(s, l); !got.Equal(s) {
			t.Errorf("Add(%v) = %v, want start", l, got)
		}
	}
}

func TestWorkingDaysDefaultWeek(t *testing.T) {
	c := New(nil, nil) // no holidays, default hours
	if got, want := c.Add(tm(2030, 3, 1, 9, 0), Limit{5, WorkingDays}), tm(2030, 3, 8, 17, 30); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want) // 2030-03-01 is a Friday
	}
	// Counting from the Tuesday after Monday 2030-01-07, every fifth
	// working day is a Monday, so the 200th is the Monday 40 weeks on.
	if got, want := c.Add(tm(2030, 1, 7, 9, 0), Limit{200, WorkingDays}), tm(2030, 10, 14, 17, 30); !got.Equal(want) {
		t.Errorf("200 working days: got %v, want %v", got, want)
	}
	// Working time does count the day of start: Jan 7 is the first of the
	// 200 days, so they end on the Friday before.
	if got, want := c.AddWorking(tm(2030, 1, 7, 8, 30), 200*450*time.Minute), tm(2030, 10, 11, 17, 30); !got.Equal(want) {
		t.Errorf("200 days of working time: got %v, want %v", got, want)
	}
}

func TestCustomHours(t *testing.T) {
	// Out of order on input; New sorts them.
	h := WorkingHours{{14 * 60, 18 * 60}, {9 * 60, 12 * 60}}
	c := New(nil, h)
	if got := c.Hours().String(); got != "09:00-12:00,14:00-18:00" {
		t.Errorf("hours %s", got)
	}
	if got, want := c.Add(tm(2030, 3, 4, 11, 0), Limit{2, WorkingHoursUnit}), tm(2030, 3, 4, 15, 0); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := c.Add(tm(2030, 3, 4, 11, 0), Limit{1, WorkingDays}), tm(2030, 3, 5, 18, 0); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Invalid hours fall back to the default rather than never ending.
	if got := New(nil, WorkingHours{}).Hours(); !reflect.DeepEqual(got, DefaultWorkingHours()) {
		t.Errorf("empty hours: %v", got)
	}
	if _, err := NewChecked(nil, WorkingHours{{600, 500}}); jiedao.ErrorCode(err) != jiedao.EINVALID {
		t.Errorf("NewChecked accepted bad hours: %v", err)
	}
	w, err := ParseWorkingHours("08:30-12:00, 13:30-17:30")
	if err != nil || !reflect.DeepEqual(w, DefaultWorkingHours()) {
		t.Errorf("ParseWorkingHours: %v %v", w, err)
	}
	for _, bad := range []string{"", "8-12", "08:30-12:00,11:00-13:00", "12:00-08:00", "08:30-24:01", "08:60-09:00"} {
		if _, err := ParseWorkingHours(bad); err == nil {
			t.Errorf("ParseWorkingHours(%q) accepted", bad)
		}
	}
	// Whole-day hours: the working day ends at 24:00, the next midnight.
	c24 := New(nil, WorkingHours{{0, 24 * 60}})
	if got, want := c24.AddWorking(tm(2030, 3, 8, 12, 0), 12*time.Hour), tm(2030, 3, 9, 0, 0); !got.Equal(want) {
		t.Errorf("24h day: got %v, want %v", got, want)
	}
}

func TestAllOffTerminates(t *testing.T) {
	// Eleven years of days off: the search must stop at its ten-year window.
	var days []Day
	for d := tm(2030, 1, 1, 0, 0); d.Year() < 2041; d = d.AddDate(0, 0, 1) {
		days = append(days, Day{Date: d.Format(DateLayout), Kind: Off, Name: "x", ScheduleYear: d.Year()})
	}
	c := New(days, nil)
	start := tm(2030, 1, 1, 9, 0)
	far := tm(2030, 1, 1, 0, 0).AddDate(0, 0, maxSearchDays)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got := c.Add(start, Limit{3, WorkingDays}); !got.Equal(far) {
			t.Errorf("Add = %v, want %v", got, far)
		}
		if got := c.AddWorking(start, time.Hour); !got.Equal(far) {
			t.Errorf("AddWorking = %v, want %v", got, far)
		}
		if got := c.WorkingBetween(start, start.AddDate(10, 0, 0)); got != 0 {
			t.Errorf("WorkingBetween = %v", got)
		}
		if got := New(nil, nil).AddWorking(start, 1<<62); !got.Equal(far) {
			t.Errorf("huge d = %v, want %v", got, far)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("did not terminate")
	}
}

func TestParseTSVErrors(t *testing.T) {
	const h = TSVHeader + "\n"
	ok := "2024-01-01\toff\t元旦\t2024\n"
	cases := []struct {
		name, in, line string
	}{
		{"bad date", h + ok + "2024-02-30\toff\t春节\t2024\n", "3"},
		{"not a date", h + ok + "\n2024/02/10\toff\t春节\t2024\n", "4"}, // blank line still counted
		{"unknown kind", h + ok + "2024-02-10\tholiday\t春节\t2024\n", "3"},
		{"duplicate date", h + ok + "2024-02-10\toff\t春节\t2024\n2024-01-01\toff\t元旦\t2024\n", "4"},
		{"missing column", h + "2024-02-10\toff\t春节\n", "2"},
		{"extra column", h + "2024-02-10\toff\t春节\t2024\tx\n", "2"},
		{"bad year", h + "2024-02-10\toff\t春节\tabc\n", "2"},
		{"far year", h + "2024-02-10\toff\t春节\t2020\n", "2"},
		{"empty name", h + "2024-02-10\toff\t\t2024\n", "2"},
		{"workday on a weekday", h + "2024-02-05\tworkday\t春节调休上班\t2024\n", "2"},
		{"bad header", "date,kind,name,schedule_year\n" + ok, "1"},
		{"empty", "", "1"},
	}
	for _, tc := range cases {
		_, err := ParseTSV(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("%s: code %s", tc.name, jiedao.ErrorCode(err))
		}
		zh, en := jiedao.ErrorMessages(err)
		if !strings.HasPrefix(zh, "第"+tc.line+"行") || !strings.HasPrefix(en, "line "+tc.line+":") {
			t.Errorf("%s: messages %q / %q do not start with line %s", tc.name, zh, en, tc.line)
		}
	}
	// Tolerated: BOM, CRLF, blank lines, spaces around columns.
	days, err := ParseTSV(strings.NewReader("\ufeff" + TSVHeader + "\r\n\r\n 2024-01-01 \toff\t元旦 \t2024\r\n"))
	if err != nil || len(days) != 1 || days[0] != (Day{"2024-01-01", Off, "元旦", 2024}) {
		t.Errorf("lenient parse: %v %v", days, err)
	}
	// WriteTSV refuses what would not load again.
	for _, bad := range [][]Day{
		{{"2024-01-01", Off, "a\tb", 2024}},
		{{"2024-01-01", Off, "元旦", 2024}, {"2024-01-01", Off, "元旦", 2024}},
	} {
		if err := WriteTSV(&bytes.Buffer{}, bad); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("WriteTSV(%v) = %v", bad, err)
		}
	}
}

func TestLimit(t *testing.T) {
	if !(Limit{}).IsZero() || !(Limit{0, WorkingDays}).IsZero() || (Limit{1, Minutes}).IsZero() {
		t.Error("IsZero")
	}
	for _, l := range []Limit{{15, Minutes}, {4, NaturalHours}, {2, WorkingHoursUnit}, {3, WorkingDays}, {1000, WorkingDays}} {
		if err := l.Validate(); err != nil {
			t.Errorf("%v: %v", l, err)
		}
	}
	for _, l := range []Limit{{0, Minutes}, {-1, WorkingDays}, {1001, WorkingDays}, {3, ""}, {3, "days"}} {
		if err := l.Validate(); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("%v accepted: %v", l, err)
		}
	}
	for l, want := range map[Limit][2]string{
		{3, WorkingDays}:      {"3个工作日", "3 working days"},
		{1, WorkingDays}:      {"1个工作日", "1 working day"},
		{2, WorkingHoursUnit}: {"2个工作小时", "2 working hours"},
		{24, NaturalHours}:    {"24小时", "24 hours"},
		{15, Minutes}:         {"15分钟", "15 minutes"},
	} {
		if l.String() != want[0] || l.Zh() != want[0] || l.En() != want[1] {
			t.Errorf("%#v: %q %q", l, l.Zh(), l.En())
		}
	}
}

func TestDayValidateAndLookup(t *testing.T) {
	c := realCal(t)
	d, ok := c.Lookup(tm(2024, 2, 18, 10, 0))
	if !ok || d.Kind != Workday || d.Name != "春节调休上班" {
		t.Errorf("Lookup: %+v %v", d, ok)
	}
	if _, ok := c.Lookup(tm(2024, 3, 4, 10, 0)); ok {
		t.Error("Lookup of an ordinary day")
	}
	err := Day{Date: "2024-13-01", Kind: Off, Name: "x", ScheduleYear: 2024}.Validate()
	if jiedao.ErrorField(err) != "date" {
		t.Errorf("field %q", jiedao.ErrorField(err))
	}
}

func TestZone(t *testing.T) {
	_, off := time.Date(2024, 7, 1, 0, 0, 0, 0, Zone()).Zone()
	if off != 8*3600 {
		t.Errorf("offset %d", off)
	}
	// The zero time must not overflow the day arithmetic.
	day, o := split(time.Time{})
	if got := at(day, o); !got.Equal(time.Time{}) {
		t.Errorf("zero time round trip: %v", got)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := realCal(b)
	start := tm(2024, 1, 15, 10, 0)
	l := Limit{Amount: 20, Unit: WorkingDays}
	for b.Loop() {
		_ = c.Add(start, l)
	}
}

func BenchmarkAddWorkingHours200Days(b *testing.B) {
	c := realCal(b)
	start := tm(2024, 1, 15, 10, 0)
	for b.Loop() {
		_ = c.AddWorking(start, 200*450*time.Minute)
	}
}

func BenchmarkWorkingBetweenYear(b *testing.B) {
	c := realCal(b)
	a, z := tm(2024, 1, 15, 10, 0), tm(2025, 1, 15, 10, 0)
	for b.Loop() {
		_ = c.WorkingBetween(a, z)
	}
}
