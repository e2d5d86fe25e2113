package indicator

import (
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
)

func TestElapsedAndStatus(t *testing.T) {
	z := calendar.Zone()
	for _, c := range []struct {
		at   time.Time
		want float64
	}{
		{time.Date(2023, 12, 31, 0, 0, 0, 0, z), 0},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, z), 0},
		{time.Date(2024, 7, 2, 0, 0, 0, 0, z), 0.5}, // 183 of 366 days gone
		{time.Date(2025, 1, 1, 0, 0, 0, 0, z), 1},
	} {
		if got := elapsed(2024, c.at); got != c.want {
			t.Errorf("elapsed at %s: %v, want %v", c.at, got, c.want)
		}
	}
	if project(40, 0.5) != 80 || project(40, 1) != 40 {
		t.Error("projection")
	}
	for _, c := range []struct {
		met, projected bool
		share          float64
		want           Status
	}{
		{true, false, 0.3, OnTrack}, {false, true, 0.3, OnTrack}, {false, false, 0.3, AtRisk},
		{false, true, 1, Missed}, {true, true, 1, OnTrack},
	} {
		if got := statusOf(c.met, c.projected, c.share); got != c.want {
			t.Errorf("statusOf(%v, %v, %v) = %s, want %s", c.met, c.projected, c.share, got, c.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	m := &Indicator{Key: "a.b", Name: "月", Unit: "元", Frequency: Monthly}
	if _, err := m.CheckPeriod("2023-12"); err != nil {
		t.Error(err)
	}
	for _, p := range []string{"2023", "2023-13", "2023-Q1", "23-01", ""} {
		if _, err := m.CheckPeriod(p); err == nil {
			t.Errorf("monthly %q accepted", p)
		}
	}
	y := &Indicator{Key: "a.c", Name: "年", Unit: "个", Frequency: Yearly}
	if _, err := y.CheckPeriod("2024"); err != nil {
		t.Error(err)
	}
	if !isClosed(map[string]bool{"2023": true}, "2023-05") || isClosed(map[string]bool{"2023-04": true}, "2023-05") {
		t.Error("closed periods")
	}
}
