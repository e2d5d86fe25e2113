package calendar

import (
	_ "embed"
	"strings"
)

// officialTSV is the State Council's holiday schedule for 2023–2026, the
// same data as shared/calendar. It seeds a new database; from then on the
// calendar lives in the database, where an admin adds each new year's
// schedule as it is published.
//
//go:embed cn-2023-2026.tsv
var officialTSV string

// Official returns the embedded official schedule.
func Official() []Day {
	days, err := ParseTSV(strings.NewReader(officialTSV))
	if err != nil {
		panic("calendar: embedded schedule: " + err.Error()) // a test keeps this from happening
	}
	return days
}
