package intake

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
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
)

// Limits of one imported file: a day's or a month's work orders fit well
// within them, and the whole file is validated in memory before anything
// is stored.
const (
	MaxFileBytes = 20 << 20
	MaxFileRows  = 20000
	// headerScan is how many non-blank rows at the top may come before the
	// header row: exports often start with a title line or two.
	headerScan = 10
)

// field is what a column means to jiedao.
type field string

const (
	fExternalID field = "external_id"
	fSourceAt   field = "source_at"
	fTitle      field = "title"
	fDetails    field = "details"
	fAddress    field = "address"
	fCategory   field = "category"
	fName       field = "reporter_name"
	fPhone      field = "reporter_phone"
	fUrgency    field = "urgency"
	fLat        field = "lat"
	fLon        field = "lon"
)

// column is one column a layout reads: its standard Chinese header, the
// other names it goes by in the files of real systems, and an English name
// for messages.
type column struct {
	field    field
	header   string
	en       string
	aliases  []string
	required bool
}

// layout is the columns of one kind of file.
type layout struct {
	channel casework.Channel
	columns []column
}

// hotlineLayout is a 12345 work-order file. docs/intake.md lists it.
var hotlineLayout = layout{channel: casework.ChannelHotline, columns: []column{
	{fExternalID, "工单编号", "work order number", []string{"工单号", "工单编码", "工单流水号", "热线工单号", "受理编号", "流水号", "单号", "编号"}, true},
	{fSourceAt, "来电时间", "time of call", []string{"来电日期", "受理时间", "登记时间", "创建时间", "下单时间", "交办时间", "派单时间"}, false},
	{fTitle, "工单标题", "title", []string{"诉求标题", "事项标题", "标题"}, false},
	{fDetails, "诉求内容", "request", []string{"反映内容", "来电内容", "问题描述", "诉求描述", "工单内容", "事项内容", "内容"}, true},
	{fAddress, "诉求地址", "address", []string{"事发地址", "问题地址", "发生地址", "事发地点", "地址", "地点"}, false},
	{fCategory, "问题分类", "category", []string{"诉求分类", "事项分类", "问题类别", "问题类型", "诉求类型", "分类", "类别"}, true},
	{fName, "联系人", "contact", []string{"来电人", "诉求人", "市民姓名", "联系人姓名", "姓名"}, false},
	{fPhone, "联系电话", "phone", []string{"来电号码", "联系号码", "联系方式", "手机号码", "手机号", "手机", "电话"}, false},
	{fUrgency, "紧急程度", "urgency", []string{"缓急程度", "紧急度", "优先级"}, false},
	{fLon, "经度", "longitude", []string{"lng", "lon", "longitude"}, false},
	{fLat, "纬度", "latitude", []string{"lat", "latitude"}, false},
}}

// policeLayout is a file of police transfers. docs/intake.md lists it.
var policeLayout = layout{channel: casework.ChannelPolice, columns: []column{
	{fExternalID, "接警编号", "event number", []string{"警情编号", "接警单号", "警单编号", "事件编号", "编号"}, true},
	{fSourceAt, "移交时间", "time of transfer", []string{"转办时间", "流转时间", "推送时间", "分流时间", "移交日期"}, false},
	{fTitle, "标题", "title", []string{"事件标题"}, false},
	{fDetails, "事件描述", "description", []string{"警情内容", "简要警情", "事件内容", "报警内容", "内容"}, true},
	{fAddress, "事发地址", "address", []string{"发生地址", "案发地址", "事发地点", "地址", "地点"}, false},
	{fCategory, "问题分类", "category", []string{"事件类型", "事件分类", "问题类别", "问题类型", "分类", "类别"}, true},
	{fName, "报警人", "caller", []string{"报警人姓名", "联系人", "姓名"}, false},
	{fPhone, "联系电话", "phone", []string{"报警电话", "报警人电话", "联系方式", "手机号码", "电话"}, false},
	{fUrgency, "紧急程度", "urgency", []string{"缓急程度", "紧急度"}, false},
	{fLon, "经度", "longitude", []string{"lng", "lon", "longitude"}, false},
	{fLat, "纬度", "latitude", []string{"lat", "latitude"}, false},
}}

// column returns the layout's column of a field.
func (l layout) column(f field) column {
	for _, c := range l.columns {
		if c.field == f {
			return c
		}
	}
	panic("intake: no column " + string(f))
}

// table is a file's rows as read, each with its row number in the file.
type table struct {
	format string // xlsx or csv
	rows   []tableRow
}

type tableRow struct {
	num   int // 1-based: the row Excel shows, the line of a CSV record
	cells []string
}

func (r tableRow) blank() bool {
	for _, c := range r.cells {
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

// readTable reads an XLSX or CSV file, told apart by their content (a file
// name can lie; an .xlsx is a zip archive). An old .xls (an OLE file) is
// refused with a hint.
func readTable(data []byte) (*table, error) {
	switch {
	case len(data) == 0:
		return nil, jiedao.Errorf(jiedao.EINVALID, "文件为空", "the file is empty")
	case len(data) > MaxFileBytes:
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "the file is larger than %d MB", MaxFileBytes>>20)
	case bytes.HasPrefix(data, oleMagic):
		return nil, jiedao.Errorf(jiedao.EUNSUPPORTED, "不支持旧版 .xls 文件或加密的表格，请另存为 .xlsx 或 CSV", "old .xls files and encrypted workbooks are not supported: save as .xlsx or CSV")
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data)
	}
	return readCSV(data)
}

// readXLSX reads the first sheet. Cells are read raw, without their number
// format, so that a phone number stays its digits and a date is Excel's
// serial number, which parseTime understands, not a display form that
// depends on the sheet's locale.
func readXLSX(data []byte) (*table, error) {
	bad := jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件，请确认文件未损坏", "cannot read the XLSX file: is it damaged?")
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 512 << 20})
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
	t := &table{format: "xlsx"}
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, bad
		}
		r := tableRow{num: n, cells: cells}
		if r.blank() {
			continue
		}
		if len(t.rows) > MaxFileRows+headerScan {
			return nil, tooManyRows()
		}
		t.rows = append(t.rows, r)
	}
	if err := rows.Error(); err != nil {
		return nil, bad
	}
	return t, nil
}

func tooManyRows() error {
	return jiedao.Errorf(jiedao.ETOOLARGE, "一次最多导入%d行，请拆分文件", "at most %d rows per import: split the file", MaxFileRows)
}

// readCSV reads a CSV file in UTF-8 (with or without a byte order mark) or,
// when it is not valid UTF-8, in GB18030: what Excel on a Chinese Windows
// saves as "CSV".
func readCSV(data []byte) (*table, error) {
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
	t := &table{format: "csv"}
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
		row := tableRow{num: line, cells: rec}
		if row.blank() {
			continue
		}
		if len(t.rows) > MaxFileRows+headerScan {
			return nil, tooManyRows()
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

// normalizeHeader reduces a header to what identifies it: no spaces (ASCII
// or full-width), no required-field stars, no trailing colon, no remark in
// brackets ("联系电话（必填）"), Latin letters in lower case.
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
	h = strings.TrimRight(h, ":：")
	return strings.ToLower(h)
}

// mapping is where each field's column is in a file.
type mapping struct {
	index   map[field]int
	headers []string // the header row, trimmed
}

func (m mapping) cell(r tableRow, f field) string {
	i, ok := m.index[f]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// mapColumns finds the layout's columns in a header row. For each field
// the standard header wins over its aliases, and an alias listed earlier
// over one listed later; a column serves one field only.
func (l layout) mapColumns(header []string) mapping {
	m := mapping{index: map[field]int{}, headers: make([]string, len(header))}
	norm := make([]string, len(header))
	for i, h := range header {
		m.headers[i] = strings.TrimSpace(h)
		norm[i] = normalizeHeader(h)
	}
	used := map[int]bool{}
	for _, c := range l.columns {
		for _, name := range append([]string{c.header}, c.aliases...) {
			n := normalizeHeader(name)
			found := -1
			for i := range norm {
				if !used[i] && norm[i] == n {
					found = i
					break
				}
			}
			if found >= 0 {
				m.index[c.field], used[found] = found, true
				break
			}
		}
	}
	return m
}

// findHeader finds the header row among the first non-blank rows: the
// first that names the number and text columns. It returns the mapping and
// the index of the header row.
func (l layout) findHeader(t *table) (mapping, int, error) {
	for i := 0; i < len(t.rows) && i < headerScan; i++ {
		m := l.mapColumns(t.rows[i].cells)
		_, hasID := m.index[fExternalID]
		_, hasText := m.index[fDetails]
		if hasID && hasText {
			return m, i, nil
		}
	}
	id, text := l.column(fExternalID), l.column(fDetails)
	return mapping{}, 0, jiedao.Errorf(jiedao.EINVALID, "找不到表头：文件前%d行中没有同时含“%s”和“%s”两列的一行", "no header row: none of the first %d rows has both a %q and a %q column",
		headerScan, id.header, text.header)
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

// parseTime reads a time as files give it, in China time unless it names
// its zone; an Excel date serial number (days since 1899-12-30) as well.
func parseTime(v string) (time.Time, bool) {
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

// formatTime is how a time goes back into a file.
func formatTime(t time.Time) string { return t.In(calendar.Zone()).Format("2006-01-02 15:04:05") }

// validPhone accepts what phone numbers look like in these files: digits
// with spaces, dashes, brackets or a +86, and the * of a masked number.
func validPhone(p string) bool {
	p = strings.TrimPrefix(strings.TrimSpace(p), "+86")
	n := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9', r == '*':
			n++
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '（' || r == '）' || r == '转':
		default:
			return false
		}
	}
	return n >= 5 && n <= 20
}

// parseUrgency reads an urgency in Chinese or as its identifier; "" is
// normal.
func parseUrgency(v string) (casework.Urgency, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "一般", "普通", "正常", "normal":
		return casework.UrgencyNormal, true
	case "紧急", "加急", "急", "urgent":
		return casework.UrgencyUrgent, true
	case "特急", "特别紧急", "非常紧急", "critical":
		return casework.UrgencyCritical, true
	}
	return "", false
}

// parseCoord reads a coordinate cell.
func parseCoord(v string) (float64, bool) {
	return geo.ParseDegrees(strings.TrimSpace(v))
}
