package casework_test

import (
	"testing"

	"github.com/jiedao/jiedao/casework"
)

func TestUnitScore(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name string
		e    casework.Evaluation
		want *float64
	}{
		{"all three", casework.Evaluation{OnTimeCloseRate: f(90), SatisfactionRate: f(80), ReworkRate: f(10)}, f(87)}, // 45+24+18
		{"no ratings: 50/70 and 20/70", casework.Evaluation{OnTimeCloseRate: f(100), ReworkRate: f(30)}, f(91.43)},    // (50+14)/0.7
		{"nothing to count", casework.Evaluation{}, nil},
	} {
		got := tc.e.Score()
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
