package enforcement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/sheet"
	"github.com/jiedao/jiedao/org"
)

// The import of shared-bike clearances (docs/kinds.md "Shared bikes"): an
// operator's or the team's XLSX/CSV file of date, operator, community or
// place, and count, one clearance record (a bikes case, reported, accepted,
// inspected and closed on its date) a row. A dry run says row by row what
// would be made and what is wrong, naming row and column in Chinese; a real
// run stores every row or none. A row already imported (same date,
// operator, place and count: its external id) is refused as such, so a file
// imported twice adds nothing.

// bikeColumn is a column of the file: its field, header and aliases.
type bikeColumn struct {
	field, header, en string
	aliases           []string
}

var bikeColumns = []bikeColumn{
	{"date", "日期", "date", []string{"清理日期", "处置日期", "时间", "清理时间"}},
	{"operator", "运营企业", "operator", []string{"企业", "运营商", "单车企业", "品牌"}},
	{"place", "社区/地点", "community or place", []string{"地点", "社区", "清理地点", "点位", "位置", "地址"}},
	{"count", "数量", "count", []string{"清理数量", "车辆数", "处置数量", "辆数", "数"}},
}

// operatorNames reads an operator's name as files give it.
var operatorNames = map[string]string{
	"hellobike": "hellobike", "哈啰": "hellobike", "哈罗": "hellobike", "哈啰单车": "hellobike", "哈啰出行": "hellobike",
	"meituan": "meituan", "美团": "meituan", "美团单车": "meituan", "摩拜": "meituan",
	"qingju": "qingju", "青桔": "qingju", "青桔单车": "qingju", "滴滴青桔": "qingju",
	"other": "other", "其他": "other",
}

// BikeRow is one row of the file as read.
type BikeRow struct {
	Row      int    `json:"row"`
	Date     string `json:"date"`
	Operator string `json:"operator"`
	Place    string `json:"place"`
	Count    int    `json:"count"`
	Action   string `json:"action"` // create, exists, refused
	Case     string `json:"case,omitempty"`
	Errors   []RowError
}

// RowError is what is wrong with a row, naming its column.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Zh     string `json:"zh"`
	En     string `json:"en"`
}

// BikeImport is what an import did or, dry, would do.
type BikeImport struct {
	Format  string    `json:"format"`
	DryRun  bool      `json:"dry_run"`
	Rows    []BikeRow `json:"rows"`
	Created int       `json:"created"`
	Bikes   int       `json:"bikes"` // the bikes of the rows made
	Refused int       `json:"refused"`
}

// Errors lists every row's errors, in row order.
func (r *BikeImport) Errors() []RowError {
	var out []RowError
	for _, x := range r.Rows {
		out = append(out, x.Errors...)
	}
	return out
}

// BikeSaver stores the imported cases with their histories in one
// transaction, or none of them (store.Cases.ImportCases, wired in
// cmd/jiedao).
type BikeSaver func(ctx context.Context, cases []*casework.Case, events [][]*casework.Event) error

// BikeImporter imports the files.
type BikeImporter struct {
	Cases *casework.Service
	Save  BikeSaver
	Now   func() time.Time
}

// Import reads the file and, unless dry, stores its rows all or none; an
// error of any row refuses the whole file (*jiedao.Error EINVALID, the rows
// in the result).
func (im *BikeImporter) Import(ctx context.Context, a org.Actor, data []byte, dry bool) (*BikeImport, error) {
	if !a.Is(org.RoleEnforcementOfficer, org.RoleDispatcher, org.RoleAdmin) {
		return nil, jiedao.Forbidden("只有执法队员、指挥中心和系统管理员可以导入共享单车清理记录", "only enforcement officers, the command center and admins import bike clearances")
	}
	t, err := sheet.Read(data)
	if err != nil {
		return nil, err
	}
	res := &BikeImport{Format: t.Format, DryRun: dry}
	header, index := -1, map[string]int{}
	for i := 0; i < len(t.Rows) && i < sheet.HeaderScan && header < 0; i++ {
		index = mapBikeColumns(t.Rows[i].Cells)
		if len(index) == len(bikeColumns) {
			header = i
		}
	}
	if header < 0 {
		var names []string
		for _, c := range bikeColumns {
			names = append(names, "“"+c.header+"”")
		}
		return nil, jiedao.Errorf(jiedao.EINVALID, "找不到表头：文件前%d行中没有同时含%s四列的一行", "no header row: none of the first %d rows has the columns date, operator, community or place, and count",
			sheet.HeaderScan, strings.Join(names, "、"))
	}
	rows := t.Rows[header+1:]
	if len(rows) == 0 {
		return nil, jiedao.Errorf(jiedao.EINVALID, "文件中没有数据行", "the file has no data rows")
	}
	now := time.Now()
	if im.Now != nil {
		now = im.Now()
	}
	cal, err := im.Cases.Calendars.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var cases []*casework.Case
	var events [][]*casework.Event
	for _, r := range rows {
		cell := func(f string) string {
			i := index[f]
			if i >= len(r.Cells) {
				return ""
			}
			return strings.TrimSpace(r.Cells[i])
		}
		br := BikeRow{Row: r.Num, Place: cell("place"), Action: "create"}
		bad := func(field, zh, en string) {
			col := colOf(field)
			br.Errors = append(br.Errors, RowError{Row: r.Num, Column: col.header,
				Zh: fmt.Sprintf("第%d行“%s”列：%s", r.Num, col.header, zh), En: fmt.Sprintf("row %d, %s: %s", r.Num, col.en, en)})
		}
		var day time.Time
		if v := cell("date"); v == "" {
			bad("date", "请填写日期", "the date is required")
		} else if d, ok := sheet.ParseTime(v); !ok {
			bad("date", "无法识别的日期“"+v+"”", "not a date: "+v)
		} else if day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, calendar.Zone()); day.After(now) {
			bad("date", "日期不能晚于今天", "the date is in the future")
		} else {
			br.Date = day.Format("2006-01-02")
		}
		if v := cell("operator"); v == "" {
			bad("operator", "请填写运营企业", "the operator is required")
		} else if op, ok := operatorNames[strings.ToLower(v)]; !ok {
			bad("operator", "运营企业应为哈啰、美团、青桔或其他，而不是“"+v+"”", "the operator is hellobike, meituan, qingju or other, not "+v)
		} else {
			br.Operator = op
		}
		if br.Place == "" {
			bad("place", "请填写社区或地点", "the community or place is required")
		} else if len([]rune(br.Place)) > 200 {
			bad("place", "社区或地点过长（最多200字）", "the place is too long (200 characters at most)")
		}
		if v := cell("count"); v == "" {
			bad("count", "请填写数量", "the count is required")
		} else if n, err := strconv.Atoi(strings.TrimSuffix(v, "辆")); err != nil || n < 1 || n > 100000 {
			bad("count", "数量应为1到100000之间的整数，而不是“"+v+"”", "the count is a whole number from 1 to 100000, not "+v)
		} else {
			br.Count = n
		}
		if len(br.Errors) == 0 {
			key := fmt.Sprintf("%s|%s|%s|%d", br.Date, br.Operator, br.Place, br.Count)
			sum := sha256.Sum256([]byte(key))
			ext := "bikes-" + hex.EncodeToString(sum[:8])
			if first, dup := seen[key]; dup {
				bad("count", fmt.Sprintf("与第%d行重复（日期、企业、地点和数量均相同）", first), fmt.Sprintf("the same as row %d", first))
			} else if old, err := im.Cases.Store.FindByExternalID(ctx, casework.ChannelOther, ext); err == nil {
				br.Action, br.Case = "exists", old.Number
				bad("date", "该条记录已导入（案件"+old.Number+"）", "imported before (case "+old.Number+")")
			} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
				return nil, err
			} else {
				seen[key] = r.Num
				c, evs, err := im.build(ctx, cal, a, br, ext, day)
				if err != nil {
					if jiedao.ErrorCode(err) == jiedao.EINTERNAL {
						return nil, err
					}
					zh, en := jiedao.ErrorMessages(err)
					bad("count", zh, en)
				} else {
					cases, events = append(cases, c), append(events, evs)
				}
			}
		}
		if len(br.Errors) > 0 && br.Action == "create" {
			br.Action = "refused"
		}
		if len(br.Errors) > 0 {
			res.Refused++
		} else {
			res.Bikes += br.Count
		}
		res.Rows = append(res.Rows, br)
	}
	if res.Refused > 0 {
		return res, jiedao.Errorf(jiedao.EINVALID, "未导入任何数据：%d行有错误，请修改后重新导入", "nothing imported: %d rows have errors; fix them and import again", res.Refused)
	}
	if dry {
		return res, nil
	}
	if err := im.Save(ctx, cases, events); err != nil {
		return nil, err
	}
	res.Created = len(cases)
	for i := range res.Rows {
		res.Rows[i].Case = cases[i].Number // every row made a case
	}
	return res, nil
}

// build makes the clearance's case as the team records one: reported at
// 09:00 of its day, accepted, inspected and closed within the hour.
func (im *BikeImporter) build(ctx context.Context, cal *calendar.Calendar, a org.Actor, br BikeRow, ext string, day time.Time) (*casework.Case, []*casework.Event, error) {
	data, _ := json.Marshal(map[string]any{"subtype": SubBikes, "operator": br.Operator, "bikes": br.Count})
	at := day.Add(9 * time.Hour)
	in := casework.ReportInput{Kind: casework.KindEnforcement, Channel: casework.ChannelOther, ExternalID: ext, KindData: data,
		Details: fmt.Sprintf("共享单车清理（导入）：%s，%s %d辆", br.Place, OperatorZh(br.Operator), br.Count), Address: br.Place}
	if !a.Is(org.RoleDispatcher, org.RoleAdmin) {
		in.Channel, in.ExternalID = "", "" // only the command center records a source's number
	}
	c, e, err := im.Cases.NewReport(ctx, a, in, at)
	if err != nil {
		return nil, nil, err
	}
	if in.ExternalID == "" {
		// The import's own key, so that a file imported twice adds nothing;
		// the report event carries it too, so that the case replays.
		c.ExternalID, e.Payload.Report.ExternalID = ext, ext
	}
	evs := []*casework.Event{e}
	for i, act := range []casework.Action{casework.ActAccept, casework.ActInspect, casework.ActConclude} {
		e, err := im.Cases.TakeStep(ctx, cal, nil, a, c, casework.StepInput{Action: act}, at.Add(time.Duration(10*(i+1))*time.Minute))
		if err != nil {
			return nil, nil, err
		}
		evs = append(evs, e)
	}
	return c, evs, nil
}

func colOf(field string) bikeColumn {
	for _, c := range bikeColumns {
		if c.field == field {
			return c
		}
	}
	return bikeColumn{field: field, header: field, en: field}
}

// mapBikeColumns finds the columns in a header row.
func mapBikeColumns(header []string) map[string]int {
	out := map[string]int{}
	used := map[int]bool{}
	for _, c := range bikeColumns {
		for _, name := range append([]string{c.header}, c.aliases...) {
			found := -1
			for i, h := range header {
				if !used[i] && sheet.NormalizeHeader(h) == sheet.NormalizeHeader(name) {
					found = i
					break
				}
			}
			if found >= 0 {
				out[c.field], used[found] = found, true
				break
			}
		}
	}
	return out
}

// OperatorZh names an operator.
func OperatorZh(op string) string {
	return map[string]string{"hellobike": "哈啰", "meituan": "美团", "qingju": "青桔", "other": "其他"}[op]
}
