package table_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/internal/table"
)

var rows = [][]any{
	{"编号", "标题", "数量", "时间"},
	{"20240612-0001", "垃圾桶满了 & <溢出>", 3, time.Date(2024, 6, 12, 9, 5, 0, 0, calendar.Zone())},
	{"20240612-0002", "=HYPERLINK(\"http://x\")", 2.5, nil},
	{"20240612-0003", "换行\n第二行\x01", int64(-7), ""},
}

func write(t *testing.T, f table.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := table.NewWriter(&buf, f, "案件/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSV(t *testing.T) {
	b := write(t, table.CSV)
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte order mark")
	}
	got, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"编号", "标题", "数量", "时间"},
		{"20240612-0001", "垃圾桶满了 & <溢出>", "3", "2024-06-12 09:05"},
		{"20240612-0002", "'=HYPERLINK(\"http://x\")", "2.5", ""},
		{"20240612-0003", "换行\n第二行\x01", "-7", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows", len(got))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestXLSX(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(write(t, table.XLSX)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if name := f.GetSheetName(0); name != "案件_cases" {
		t.Errorf("sheet %q", name)
	}
	got, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"编号", "标题", "数量", "时间"},
		{"20240612-0001", "垃圾桶满了 & <溢出>", "3", "2024-06-12 09:05"},
		{"20240612-0002", "=HYPERLINK(\"http://x\")", "2.5"},
		{"20240612-0003", "换行\n第二行\uFFFD", "-7"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows: %q", len(got), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
	// A formula-looking text is a string, never a formula.
	if fm, _ := f.GetCellFormula(f.GetSheetName(0), "B3"); fm != "" {
		t.Errorf("B3 is a formula: %q", fm)
	}
}

// TestXLSXStreams checks that rows leave the writer as they are flushed,
// not when the file ends: after a flush, the bytes out have grown by at
// least the rows' compressed size, before Close.
func TestXLSXStreams(t *testing.T) {
	var buf bytes.Buffer
	w, err := table.NewWriter(&buf, table.XLSX, "s")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	start := buf.Len()
	for i := range 20000 {
		if err := w.Row("行", i, strings.Repeat("x", i%97)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if grown := buf.Len() - start; grown < 20000 {
		t.Fatalf("only %d bytes out after 20000 rows and a flush", grown)
	}
}
