package calendar

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
)

// FuzzParseTSV feeds the calendar import (an admin's upload of the State
// Council's schedule) with the official file, its lines and their
// mutations. A file is either refused with a bilingual error that names
// its line, or read into days that WriteTSV writes back and ParseTSV reads
// again unchanged: what jiedao saves always loads.
func FuzzParseTSV(f *testing.F) {
	f.Add(officialTSV)
	// Each line of the official file alone under the header, and the
	// whole file as a spreadsheet program saves it: BOM, CRLF, padded
	// columns, blank lines.
	lines := strings.Split(strings.TrimSpace(officialTSV), "\n")
	for _, l := range lines[1:] {
		f.Add(TSVHeader + "\n" + l + "\n")
	}
	f.Add("\ufeff" + strings.ReplaceAll(officialTSV, "\n", "\r\n"))
	f.Add(TSVHeader + "\n\n 2024-02-04 \t workday \t 春节调休上班 \t 2024 \n\n")
	// Refusals: a weekday make-up day, a duplicate, a missing column, a bad
	// year, an unknown kind, a non-canonical date, no header, an empty file.
	f.Add(TSVHeader + "\n2024-02-05\tworkday\t春节调休上班\t2024\n")
	f.Add(TSVHeader + "\n2024-10-01\toff\t国庆节\t2024\n2024-10-01\toff\t国庆节\t2024\n")
	f.Add(TSVHeader + "\n2024-10-01\toff\t国庆节\n")
	f.Add(TSVHeader + "\n2024-10-01\toff\t国庆节\t二〇二四\n")
	f.Add(TSVHeader + "\n2024-10-01\tholiday\t国庆节\t2024\n")
	f.Add(TSVHeader + "\n2024-10-1\toff\t国庆节\t2024\n")
	f.Add("2024-10-01\toff\t国庆节\t2024\n")
	f.Add("")

	f.Fuzz(func(t *testing.T, in string) {
		days, err := ParseTSV(strings.NewReader(in))
		if err != nil {
			checkRefusal(t, err)
			return
		}
		seen := map[string]bool{}
		for i, d := range days {
			if err := d.Validate(); err != nil {
				t.Fatalf("day %d accepted but invalid: %v", i+1, err)
			}
			if seen[d.Date] {
				t.Fatalf("date %s accepted twice", d.Date)
			}
			seen[d.Date] = true
		}
		var out bytes.Buffer
		if err := WriteTSV(&out, days); err != nil {
			t.Fatalf("WriteTSV refused what ParseTSV accepted: %v", err)
		}
		again, err := ParseTSV(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("ParseTSV refused what WriteTSV wrote: %v\n%s", err, out.String())
		}
		if len(days) == 0 && len(again) == 0 {
			return // nil and empty are the same calendar
		}
		if !reflect.DeepEqual(days, again) {
			t.Fatalf("round trip changed the days:\n got %#v\nwant %#v", again, days)
		}
		var out2 bytes.Buffer
		if err := WriteTSV(&out2, again); err != nil || !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("writing is not a fixpoint: %v\n%q\n%q", err, out.String(), out2.String())
		}
		// A calendar built from the days agrees with them.
		c := New(days, DefaultWorkingHours())
		if len(c.Days()) != len(days) {
			t.Fatalf("calendar keeps %d of %d days", len(c.Days()), len(days))
		}
		for _, d := range days {
			day, _ := parseDate(d.Date)
			noon := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, Zone())
			if got, ok := c.Lookup(noon); !ok || got != d {
				t.Fatalf("Lookup(%s) = %#v %v, want %#v", d.Date, got, ok, d)
			}
			if c.IsWorkingDay(noon) != (d.Kind == Workday) {
				t.Fatalf("%s: IsWorkingDay disagrees with kind %s", d.Date, d.Kind)
			}
		}
	})
}

// checkRefusal asserts what every refused file gets: a *jiedao.Error of
// code EINVALID with both messages, naming the line in both.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var e *jiedao.Error
	if !errors.As(err, &e) {
		t.Fatalf("refusal is %T, not *jiedao.Error: %v", err, err)
	}
	if e.Code != jiedao.EINVALID || e.Zh == "" || e.En == "" {
		t.Fatalf("refusal lacks a code or a message: %#v", e)
	}
	if !strings.HasPrefix(e.Zh, "第") || !strings.HasPrefix(e.En, "line ") {
		t.Fatalf("refusal does not name the line: %#v", e)
	}
}
