package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jiedao/jiedao/internal/seedfile"
)

// seedRow is a row of shared/seed/figures.tsv.
type seedRow struct {
	key, kind string
	value     float64
}

// seedPath is a file of the seed, for the CLI to read.
func seedPath(t *testing.T, name string) string {
	t.Helper()
	p, err := seedfile.Path(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func seedRows(t *testing.T) []seedRow {
	var rows []seedRow
	for _, f := range seedfile.MustFigures(t) {
		rows = append(rows, seedRow{key: f.Key, kind: f.Kind, value: f.Value})
	}
	return rows
}

// The whole work report from a whole demo year, as a newcomer gets it:
// `jiedao demo` (scale 1, every domain) then `jiedao report --format json`
// gives every derived figure of figures.tsv exactly, the entered
// indicators and the next year's targets; and `jiedao report check` reads
// the seed report itself against the records and finds its figures equal.
// SQLite only: each domain's calibration is also checked on PostgreSQL by
// its own demo test, at smaller case volumes.
func TestDemoYearWritesTheWorkReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	cli(t, "demo", "--db", db, "--serve=false")
	var figs map[string]float64
	if err := json.Unmarshal([]byte(cli(t, "report", "--db", db, "--year", "2023", "--format", "json")), &figs); err != nil {
		t.Fatal(err)
	}
	derived := map[string]bool{}
	for _, r := range seedRows(t) {
		got, ok := figs[r.key]
		switch r.kind {
		case "derived":
			derived[r.key] = true
			if !ok || got != r.value {
				t.Errorf("%s: report %v (present %v), work report %v", r.key, got, ok, r.value)
			}
		case "entered":
			if !ok || got != r.value {
				t.Errorf("indicator %s: report %v (present %v), entered %v", r.key, got, ok, r.value)
			}
		case "target":
			if !ok || got != r.value {
				t.Errorf("target %s: report %v (present %v), set %v", r.key, got, ok, r.value)
			}
		}
	}
	if len(derived) != 49 {
		t.Fatalf("figures.tsv has %d derived keys, expected 49", len(derived))
	}

	var checked []struct {
		Key, Text, Verdict string
		Found              float64
		Value              *float64
	}
	out := cli(t, "report", "check", "--db", db, "--year", "2023", "--text", seedPath(t, "000_c350e6e318b4c32f.txt"), "--format", "json")
	if err := json.Unmarshal([]byte(out), &checked); err != nil {
		t.Fatal(err)
	}
	equal := map[string]bool{}
	for _, c := range checked {
		switch c.Verdict {
		case "equal":
			equal[c.Key] = true
		case "different":
			t.Errorf("the seed report's %s (%q): found %v, records %v", c.Key, c.Text, c.Found, c.Value)
		}
	}
	n := 0
	var missed []string
	for k := range derived {
		if equal[k] {
			n++
		} else {
			missed = append(missed, k)
		}
	}
	t.Logf("report check on the seed report: %d of %d derived figures found and equal; not found: %v", n, len(derived), missed)
	if n < 45 {
		t.Errorf("report check found %d of the 49 derived figures equal, want at least 45; not found: %v", n, missed)
	}
}
