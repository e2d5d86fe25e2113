package intake

import (
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/internal/sheet"
)

// Limits of one imported file: a day's or a month's work orders fit well
// within them, and the whole file is validated in memory before anything
// is stored.
const (
	MaxFileBytes = sheet.MaxFileBytes
	MaxFileRows  = sheet.MaxFileRows
	headerScan   = sheet.HeaderScan
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

// The reading of XLSX and CSV files is package internal/sheet's, shared
// with the other imports; intake keeps its names for it.
type (
	table    = sheet.Table
	tableRow = sheet.Row
)

func readTable(data []byte) (*table, error) { return sheet.Read(data) }
func tooManyRows() error                    { return sheet.TooManyRows() }
func normalizeHeader(h string) string       { return sheet.NormalizeHeader(h) }
func parseTime(v string) (time.Time, bool)  { return sheet.ParseTime(v) }
func formatTime(t time.Time) string         { return sheet.FormatTime(t) }

// mapping is where each field's column is in a file.
type mapping struct {
	index   map[field]int
	headers []string // the header row, trimmed
}

func (m mapping) cell(r tableRow, f field) string {
	i, ok := m.index[f]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
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
	for i := 0; i < len(t.Rows) && i < headerScan; i++ {
		m := l.mapColumns(t.Rows[i].Cells)
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
