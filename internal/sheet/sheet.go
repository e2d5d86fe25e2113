// Package sheet reads the XLSX and CSV files that imports take (12345 work
// orders, police transfers, shared-bike clearances …): the first sheet of
// an XLSX, or a CSV in UTF-8 or GB18030, as rows of text cells with the row
// number a person sees; headers normalised; times in the forms such files
// give them. It knows no layout: each import maps its own columns.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// Limits of one file: it is validated in memory before anything is stored.
const (
	MaxFileBytes = 20 << 20
	MaxFileRows  = 20000
	// HeaderScan is how many non-blank rows at the top may come before the
	// header row: exports often start with a title line or two.
	HeaderScan = 10
)

// Table is a file's rows as read, each with its row number in the file.
type Table struct {
	Format string // xlsx or csv
	Rows   []Row
}

// Row is one non-blank row of a file.
type Row struct {
	Num   int // 1-based: the row Excel shows, the line of a CSV record
	Cells []string
}

// Blank reports whether every cell is empty.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Limits bound one file: its bytes and its non-blank rows (the header
// and up to HeaderScan title rows come on top).
type Limits struct {
	Bytes, Rows int
}

// Default are the limits of a file of work orders: an import's whole file
// is validated in memory before anything is stored.
func Default() Limits { return Limits{Bytes: MaxFileBytes, Rows: MaxFileRows} }

// TooMany is the error of a file longer than the limits.
func (l Limits) TooMany() error {
	return jiedao.Errorf(jiedao.ETOOLARGE, "一次最多导入%d行，请拆分文件", "at most %d rows per import: split the file", l.Rows)
}

// Read reads an XLSX or CSV file within the default limits.
func Read(data []byte) (*Table, error) { return ReadWithin(data, Default()) }

// ReadWithin reads an XLSX or CSV file, told apart by their content (a
// file name can lie; an .xlsx is a zip archive), refusing one beyond the
// limits. An old .xls (an OLE file) is refused with a hint.
func ReadWithin(data []byte, lim Limits) (*Table, error) {
	switch {
	case len(data) == 0:
		return nil, jiedao.Errorf(jiedao.EINVALID, "文件为空", "the file is empty")
	case len(data) > lim.Bytes:
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "the file is larger than %d MB", lim.Bytes>>20)
	case bytes.HasPrefix(data, oleMagic):
		return nil, jiedao.Errorf(jiedao.EUNSUPPORTED, "不支持旧版 .xls 文件或加密的表格，请另存为 .xlsx 或 CSV", "old .xls files and encrypted workbooks are not supported: save as .xlsx or CSV")
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data, lim)
	}
	return readCSV(data, lim)
}

// readXLSX reads the first sheet. Cells are read raw, without their number
// format, so that a phone number stays its digits and a date is Excel's
// serial number, which ParseTime understands, not a display form that
// depends on the sheet's locale.
func readXLSX(data []byte, lim Limits) (*Table, error) {
	bad := jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件，请确认文件未损坏", "cannot read the XLSX file: is it damaged?")
	// An XLSX unzips to several times its size; the bound keeps a zip bomb
	// out while letting the largest file allowed open.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: max(512<<20, 4*int64(lim.Bytes))})
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
	t := &Table{Format: "xlsx"}
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, bad
		}
		r := Row{Num: n, Cells: cells}
		if r.Blank() {
			continue
		}
		if len(t.Rows) > lim.Rows+HeaderScan {
			return nil, lim.TooMany()
		}
		t.Rows = append(t.Rows, r)
	}
	if err := rows.Error(); err != nil {
		return nil, bad
	}
	return t, nil
}

// TooManyRows is the error of a file longer than the default limits.
func TooManyRows() error { return Default().TooMany() }

// readCSV reads a CSV file in UTF-8 (with or without a byte order mark) or,
// when it is not valid UTF-8, in GB18030: what Excel on a Chinese Windows
// saves as "CSV".
func readCSV(data []byte, lim Limits) (*Table, error) {
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
	t := &Table{Format: "csv"}
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
		row := Row{Num: line, Cells: rec}
		if row.Blank() {
			continue
		}
		if len(t.Rows) > lim.Rows+HeaderScan {
			return nil, lim.TooMany()
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// NormalizeHeader reduces a header to what identifies it: no spaces (ASCII
// or full-width), no required-field stars, no trailing colon, no remark in
// brackets ("联系电话（必填）"), Latin letters in lower case.
func NormalizeHeader(h string) string {
	h = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\uFEFF' || r == '*' || r == '＊' {
			return -1
		}
		return r
	}, h)
	h = strings.TrimRight(h, ":：") // "联系电话（必填）：": the colon after the remark
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}, {"【", "】"}} {
		if i := strings.Index(h, br[0]); i > 0 && strings.HasSuffix(h, br[1]) {
			h = h[:i]
		}
	}
	h = strings.TrimRight(h, ":：")
	return strings.ToLower(h)
}

// timeLayouts are the forms a time takes in the files seen: with dashes,
// slashes or dots, with or without seconds, with 年月日, or compact.
var timeLayouts = []string{
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006.1.2 15:04:05", "2006.1.2 15:04",
	"2006-1-2T15:04:05", "2006-1-2T15:04", "2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日15:04:05", "2006年1月2日15:04",
	"2006年1月2日 15时04分05秒", "2006年1月2日 15时04分", "20060102150405", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102",
}

// excelSerialRE is a date serial of this century: five digits of days.
var excelSerialRE = regexp.MustCompile(`^[0-9]{5}(\.[0-9]+)?$`)

// ParseTime reads a time as files give it, in China time unless it names
// its zone; an Excel date serial number (days since 1899-12-30) as well.
func ParseTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(calendar.Zone()), true
	}
	if excelSerialRE.MatchString(v) {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil && f >= 36526 && f < 73051 { // 2000-01-01 to 2099-12-31
			t, err := excelize.ExcelDateToTime(f, false)
			if err == nil {
				// The serial counts wall-clock time: read it in China time,
				// to the second (a float serial is off by microseconds).
				t = t.Round(time.Second)
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, calendar.Zone()), true
			}
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, v, calendar.Zone()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormatTime is how a time goes back into a file.
func FormatTime(t time.Time) string { return t.In(calendar.Zone()).Format("2006-01-02 15:04:05") }

// ReadCSV reads a CSV file as Read does, whatever its first bytes.
func ReadCSV(data []byte) (*Table, error) { return readCSV(data, Default()) }
