package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
)

// TestBench runs `jiedao bench` briefly on a tiny year on both engines, so
// that the command keeps working: every phase runs, every intake request
// and raw insert succeeds, and the XLSX and CSV exports are measured.
// The figures themselves are not checked: they belong in
// docs/benchmarks.md, not in a test.
func TestBench(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := testdb.DSN(t, engine)
			cmd := exec.Command(bin, "bench", "--db", dsn, "--scale", "0.01", "--clients", "8", "--rounds", "1",
				"--duration", "300ms", "--warmup", "0s", "--runs", "1", "--starts", "1")
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("jiedao bench: %v\n%s\n%s", err, out.String(), errOut.String())
			}
			text := out.String()
			row := regexp.MustCompile(`(?m)^\| (intake, one transaction per case|intake, group commit|raw durable single-row inserts) \| (\d+) \| (\d+) \|`)
			rows := row.FindAllStringSubmatch(text, -1)
			if len(rows) != 3 {
				t.Fatalf("want 3 intake rows, got %d:\n%s", len(rows), text)
			}
			for _, r := range rows {
				ok, _ := strconv.Atoi(r[2])
				if ok == 0 || r[3] != "0" {
					t.Errorf("%s: %s ok, %s errors\n%s", r[1], r[2], r[3], text)
				}
			}
			for _, want := range []string{"ratio intake / raw", "evaluation, year, by grid", "the year's report",
				"case list: text search", "resident memory of serve", "start-up to /healthz"} {
				if !strings.Contains(text, want) {
					t.Errorf("no %q in the output:\n%s", want, text)
				}
			}
			for _, f := range []string{"XLSX: GET /cases/export.xlsx", "CSV: GET /cases/export.csv"} {
				if !regexp.MustCompile(regexp.QuoteMeta(f) + `.*\n  [1-9]\d* rows in`).MatchString(text) {
					t.Errorf("no %s export figure:\n%s", f, text)
				}
			}
			if strings.Contains(text, "dashboard requests not made") || strings.Contains(text, "request /") {
				t.Errorf("serve's dashboard requests failed:\n%s", text)
			}
		})
	}
}
