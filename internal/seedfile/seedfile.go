// Package seedfile reads the project's seed, ../shared/seed beside the
// checkout: the Gudang work report and figures.tsv, its figures keyed. The
// tests that hold the demo year and the report to the work report read it
// here, in one way.
package seedfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Figure is a row of figures.tsv.
type Figure struct {
	Key    string  // the contract: e.g. cases.xihu_code.signed
	Zh     string  // the report's own words for it
	Value  float64 // the report's value
	Text   string  // the value as written in the file
	Unit   string
	Period string
	Kind   string // derived, entered or target
	Where  string // where_it_lives
}

// Path finds shared/seed/name in the working directory or a folder above
// it (shared/ lives beside the checkout).
func Path(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for ; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "seed", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if dir == filepath.Dir(dir) {
			return "", fmt.Errorf("no shared/seed/%s in any folder above the working directory: shared/ lives beside the checkout", name)
		}
	}
}

// Figures reads every row of figures.tsv, in the file's order.
func Figures() ([]Figure, error) {
	p, err := Path("figures.tsv")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []Figure
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		c := strings.Split(line, "\t")
		if i == 0 && c[0] == "key" {
			continue
		}
		if len(c) < 7 {
			return nil, fmt.Errorf("figures.tsv line %d: %d columns, want 7", i+1, len(c))
		}
		v, err := strconv.ParseFloat(c[2], 64)
		if err != nil {
			return nil, fmt.Errorf("figures.tsv line %d (%s): value %q: %v", i+1, c[0], c[2], err)
		}
		out = append(out, Figure{Key: c[0], Zh: c[1], Value: v, Text: c[2], Unit: c[3], Period: c[4], Kind: c[5], Where: c[6]})
	}
	return out, nil
}

// MustFigures is Figures for a test: it fails the test on error.
func MustFigures(t testing.TB) []Figure {
	t.Helper()
	figs, err := Figures()
	if err != nil {
		t.Fatal(err)
	}
	return figs
}

// Values are the values of the figures keep selects (all when keep is
// nil), by key.
func Values(t testing.TB, keep func(Figure) bool) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, f := range MustFigures(t) {
		if keep == nil || keep(f) {
			out[f.Key] = f.Value
		}
	}
	return out
}

// Read reads another file of the seed (the work report itself).
func Read(t testing.TB, name string) string {
	t.Helper()
	p, err := Path(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
