package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/report"
)

// reportDemo builds a small demo year (2023) in an SQLite file.
func reportDemo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	cli(t, "demo", "--db", path, "--scale", "0.01", "--serve=false")
	return path
}

func cli(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if code := run(context.Background(), args, &out, &errs); code != 0 {
		t.Fatalf("jiedao %s: exit %d: %s", strings.Join(args, " "), code, errs.String())
	}
	return out.String()
}

// demoFigures are the demo year's figures as `jiedao report --format json`
// prints them.
func demoFigures(t *testing.T, db string) map[string]float64 {
	t.Helper()
	var figs map[string]float64
	if err := json.Unmarshal([]byte(cli(t, "report", "--db", db, "--year", "2023", "--format", "json")), &figs); err != nil {
		t.Fatal(err)
	}
	return figs
}

// `jiedao report --format docx` writes a DOCX: unzipped, its
// word/document.xml is well-formed and holds every case figure, in its
// sentence, as the JSON report computes it.
func TestReportDOCX(t *testing.T) {
	db := reportDemo(t)
	figs := demoFigures(t, db)
	out := filepath.Join(t.TempDir(), "report.docx")
	cli(t, "report", "--db", db, "--year", "2023", "--format", "docx", "--out", out)
	z, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var doc string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			doc = string(b)
		}
	}
	if doc == "" {
		t.Fatal("no word/document.xml")
	}
	// The text of the document, run by run.
	dec := xml.NewDecoder(strings.NewReader(doc))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
	for _, f := range report.Figures() {
		v, ok := figs[f.Key]
		if !ok {
			t.Fatalf("json lacks %s", f.Key)
		}
		num := strconv.FormatFloat(v, 'f', 0, 64)
		if f.IsRate() {
			num = strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
		}
		want := fmt.Sprintf(f.Pattern, num) // the figure in its sentence
		if !strings.Contains(text.String(), want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if !strings.Contains(doc, "<w:tbl>") {
		t.Error("document.xml has no table")
	}
}

// `jiedao report check` reads back the document jiedao writes: every case
// figure found and equal; on the seed report against a small demo year,
// the case figures are found and each is different, with the records'
// value that `report --format json` gives.
func TestReportCheck(t *testing.T) {
	db := reportDemo(t)
	figs := demoFigures(t, db)
	dir := t.TempDir()
	md := filepath.Join(dir, "report.md")
	cli(t, "report", "--db", db, "--year", "2023", "--format", "md", "--out", md)
	type checked struct {
		Key, Text, Verdict string
		Found              float64
		Value              *float64
	}
	check := func(file string) map[string]checked {
		var res []checked
		if err := json.Unmarshal([]byte(cli(t, "report", "check", "--db", db, "--year", "2023", "--text", file, "--format", "json")), &res); err != nil {
			t.Fatal(err)
		}
		out := map[string]checked{}
		for _, c := range res {
			if c.Key != "" {
				out[c.Key] = c
			}
		}
		return out
	}
	own := check(md)
	for _, f := range report.Figures() {
		c, ok := own[f.Key]
		if !ok || c.Verdict != "equal" || c.Value == nil || *c.Value != figs[f.Key] {
			t.Errorf("own document: %s: %+v, want equal to %v", f.Key, c, figs[f.Key])
		}
	}
	seed := filepath.Join(dir, "seed.txt")
	text := ""
	for d, _ := os.Getwd(); d != "/"; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "shared", "seed", "000_c350e6e318b4c32f.txt")); err == nil {
			text = string(b)
			break
		}
	}
	if text == "" {
		t.Fatal("no shared/seed/000_c350e6e318b4c32f.txt above the package")
	}
	if err := os.WriteFile(seed, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := check(seed)
	for _, f := range report.Figures() {
		c := got[f.Key]
		if c.Verdict != "different" || c.Value == nil || *c.Value != figs[f.Key] {
			t.Errorf("seed against the small demo: %s: %+v, want different with %v", f.Key, c, figs[f.Key])
		}
	}
	if got["cases.pingan.handled"].Found != 34536 {
		t.Errorf("found %v", got["cases.pingan.handled"].Found)
	}

	// --format figures: each figure with its definition and its link.
	var full struct {
		Year    int
		Figures []struct {
			Key, Definition, Link, Kind string
			Value                       *float64
		}
	}
	if err := json.Unmarshal([]byte(cli(t, "report", "--db", db, "--year", "2023", "--format", "figures")), &full); err != nil {
		t.Fatal(err)
	}
	if full.Year != 2023 || len(full.Figures) < len(report.Figures()) {
		t.Fatalf("figures: %+v", full)
	}
	for _, f := range full.Figures {
		if f.Kind == "target" {
			continue // next year's, with its progress: checked in report's tests
		}
		value, inJSON := figs[f.Key]
		if (f.Value == nil) == inJSON || (inJSON && *f.Value != value) || f.Definition == "" || f.Link == "" {
			t.Errorf("figure %+v (json %v)", f, value)
		}
		// A case figure lists its cases of the year (another domain's
		// figure lists its own records: cumulative ones such as the
		// enterprises on the platform by the year's end name no start).
		if _, isCase := report.Lookup(f.Key); isCase && (f.Kind != "derived" ||
			!strings.HasPrefix(f.Link, "/cases?") || !strings.Contains(f.Link, "from=2023-01-01")) {
			t.Errorf("case figure %+v", f)
		} else if !isCase && strings.HasPrefix(f.Link, "/cases?") && !strings.Contains(f.Link, "2023") {
			t.Errorf("figure %s: its cases' link %q does not name the year", f.Key, f.Link)
		}
	}
}
