package enterprise

import (
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/sheet"
)

// Limits of one imported file: a year of the tax bureau's monthly extract
// for 100,000 enterprises (1.2 million rows) fits.
const (
	MaxFileBytes = 256 << 20
	MaxFileRows  = 2_000_000
	headerScan   = sheet.HeaderScan
)

// sheetRow is a row as read, with its number in the file.
type sheetRow = sheet.Row

// readSheet reads an XLSX or CSV file within the registry's limits
// (internal/sheet: the first sheet, raw cells, UTF-8 or GB18030 CSV).
func readSheet(data []byte) ([]sheetRow, error) {
	t, err := sheet.ReadWithin(data, sheet.Limits{Bytes: MaxFileBytes, Rows: MaxFileRows})
	if err != nil {
		return nil, err
	}
	return t.Rows, nil
}

func normalizeHeader(h string) string { return sheet.NormalizeHeader(h) }

// column is one column of a layout: its field, its Chinese header (and
// other names it goes by), its English name, whether it is required.
type column struct {
	field    string
	zh       string
	en       string
	aliases  []string
	required bool
}

// table is a file's data rows with its columns found.
type table struct {
	cols map[string]int
	rows []sheetRow
}

// get returns a row's cell of a field, trimmed ("" when absent).
func (t *table) get(r sheetRow, field string) string {
	i, ok := t.cols[field]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

// has reports whether the file has the field's column.
func (t *table) has(field string) bool { _, ok := t.cols[field]; return ok }

// findColumns finds the header row among the first rows: the first that
// has every required column.
func findColumns(rows []sheetRow, layout []column) (*table, error) {
	names := map[string]string{}
	for _, c := range layout {
		for _, n := range append([]string{c.zh, c.field}, c.aliases...) {
			names[normalizeHeader(n)] = c.field
		}
	}
	for i := 0; i < len(rows) && i < headerScan; i++ {
		cols := map[string]int{}
		for j, cell := range rows[i].Cells {
			if f, ok := names[normalizeHeader(cell)]; ok {
				if _, dup := cols[f]; !dup {
					cols[f] = j
				}
			}
		}
		ok := true
		for _, c := range layout {
			if _, has := cols[c.field]; c.required && !has {
				ok = false
			}
		}
		if ok {
			return &table{cols: cols, rows: rows[i+1:]}, nil
		}
	}
	var req []string
	for _, c := range layout {
		if c.required {
			req = append(req, "「"+c.zh+"」")
		}
	}
	return nil, jiedao.Errorf(jiedao.EINVALID, "找不到表头：文件前%d行中应有一行包含列%s", "no header row: one of the first %d rows must name the columns %s",
		headerScan, strings.Join(req, ""), strings.Join(req, " "))
}

// excelDate turns an Excel date serial (a cell read raw) into a day.
func excelDate(v string) (Date, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 36526 || f >= 73051 { // 2000 to 2099
		return "", false
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return "", false
	}
	return Date(t.Format("2006-01-02")), true
}

// cellDate reads a day from a cell: text or an Excel serial.
func cellDate(v string) (Date, bool) {
	if d, err := ParseDate(v); err == nil {
		return d, true
	}
	if !strings.Contains(v, "-") && !strings.Contains(v, "/") && len(v) != 8 {
		return excelDate(v)
	}
	return "", false
}

// cellMonth reads a month: 2023-05, 2023/5, 202305, 2023年5月, a day in
// the month, or an Excel serial.
func cellMonth(v string) (string, bool) {
	v = strings.TrimSpace(strings.NewReplacer("年", "-", "月", "").Replace(v))
	for _, layout := range []string{"2006-01", "2006-1", "2006/1", "2006.1", "200601"} {
		if t, err := parseLayout(layout, v); err == nil {
			return t, true
		}
	}
	if d, ok := cellDate(v); ok {
		return MonthOf(d), true
	}
	return "", false
}
