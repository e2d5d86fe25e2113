package enterprise

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiedao/jiedao"
)

// Limits of one imported file: a year of the tax bureau's monthly extract
// for 100,000 enterprises (1.2 million rows) fits.
const (
	MaxFileBytes = 256 << 20
	MaxFileRows  = 2_000_000
	headerScan   = 10
)

// sheetRow is a row as read, with its number in the file (1-based: the
// row Excel shows, the line of a CSV record).
type sheetRow struct {
	num   int
	cells []string
}

func (r sheetRow) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readSheet reads an XLSX (told by its zip signature) or CSV file (UTF-8,
// with or without a BOM, or GB18030 as Excel on a Chinese Windows saves).
func readSheet(data []byte) ([]sheetRow, error) {
	switch {
	case len(data) == 0:
		return nil, jiedao.Errorf(jiedao.EINVALID, "文件为空", "the file is empty")
	case len(data) > MaxFileBytes:
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "the file is larger than %d MB", MaxFileBytes>>20)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, jiedao.Errorf(jiedao.EUNSUPPORTED, "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV", "old .xls files are not supported: save as .xlsx or CSV")
	}
	return readCSV(data)
}

func tooManyRows() error {
	return jiedao.Errorf(jiedao.ETOOLARGE, "一次最多导入%d行，请拆分文件", "at most %d rows per import: split the file", MaxFileRows)
}

func readXLSX(data []byte) ([]sheetRow, error) {
	bad := jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件，请确认文件未损坏", "cannot read the XLSX file: is it damaged?")
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 1 << 30})
	if err != nil {
		return nil, bad
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, bad
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, bad
	}
	defer rows.Close()
	var out []sheetRow
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, bad
		}
		r := sheetRow{num: n, cells: cells}
		if r.blank() {
			continue
		}
		if len(out) > MaxFileRows+headerScan {
			return nil, tooManyRows()
		}
		out = append(out, r)
	}
	if rows.Error() != nil {
		return nil, bad
	}
	return out, nil
}

func readCSV(data []byte) ([]sheetRow, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, jiedao.Errorf(jiedao.EINVALID, "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV", "unknown text encoding: save the CSV as UTF-8 or GBK")
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	var out []sheetRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, jiedao.Errorf(jiedao.EINVALID, "CSV 格式错误（第%d行）", "malformed CSV at line %d", pe.Line)
			}
			return nil, jiedao.Errorf(jiedao.EINVALID, "CSV 格式错误", "malformed CSV")
		}
		line, _ := r.FieldPos(0)
		row := sheetRow{num: line, cells: rec}
		if row.blank() {
			continue
		}
		if len(out) > MaxFileRows+headerScan {
			return nil, tooManyRows()
		}
		out = append(out, row)
	}
	return out, nil
}

// normalizeHeader drops spaces, stars, a trailing colon and a bracketed
// remark from a header, and lowers Latin letters.
func normalizeHeader(h string) string {
	h = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\uFEFF' || r == '*' || r == '＊' {
			return -1
		}
		return r
	}, h)
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}, {"【", "】"}} {
		if i := strings.Index(h, br[0]); i > 0 && strings.HasSuffix(h, br[1]) {
			h = h[:i]
		}
	}
	return strings.ToLower(strings.TrimRight(h, ":："))
}

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
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
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
		for j, cell := range rows[i].cells {
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
