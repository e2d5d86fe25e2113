package intake_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The fuzz targets of this file run the machine channels' parsers as the
// handlers call them, on a real SQLite database with the fixture
// organisation (each fuzz worker builds its own): an alarm platform with a
// signing secret and a registered smoke detector, and the dispatcher who
// uploads 12345 and police files. Imports run as dry runs, which check
// every row against the stored categories and places and store nothing.

type fuzzEnv struct {
	s      *intake.Service
	fx     *fixture.Org
	clock  *fixture.Clock
	iot    *org.APIClient
	secret string
	disp   org.Actor
	cats   map[string]bool
}

const fuzzFire = "0301" // 消防隐患, the category of smoke alarms

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	ctx := context.Background()
	db := testdb.Open(f, store.SQLite)
	fx, err := fixture.Build(ctx, db)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []*casework.Category{
		{Code: "03", Name: "安全隐患", NameEn: "Safety hazards", Active: true},
		{Code: fuzzFire, ParentCode: "03", Name: "消防隐患", NameEn: "Fire hazards", Active: true},
	} {
		if err := db.Cases().PutCategory(ctx, c); err != nil {
			f.Fatal(err)
		}
	}
	// Tuesday 2024-06-11 09:00, China time.
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
	e := &fuzzEnv{s: &intake.Service{Store: db.Intake(), Cases: fx.Service(clock.Now), Now: clock.Now}, fx: fx, clock: clock,
		disp: fx.Actor(org.RoleDispatcher), cats: map[string]bool{}}
	if _, e.iot, err = auth.CreateAPIClient(ctx, "智慧三件套告警平台", string(casework.ChannelIoT)); err != nil {
		f.Fatal(err)
	}
	admin := fx.Actor(org.RoleAdmin)
	sec, err := e.s.RotateSecret(ctx, admin, e.iot.ID)
	if err != nil {
		f.Fatal(err)
	}
	e.secret = sec.Secret
	if _, err := e.s.PutKind(ctx, admin, intake.KindConfig{Kind: intake.KindSmoke, Category: fuzzFire}); err != nil {
		f.Fatal(err)
	}
	lat, lon := fx.LatLon(fx.GridW1.ID)
	if _, err := e.s.CreateDevice(ctx, admin, intake.DeviceInput{ClientID: e.iot.ID, Code: "SD-0001", Kind: intake.KindSmoke, Name: "3幢2单元烟感",
		Lat: lat, Lon: lon, Address: "文一路98号3幢2单元501", OwnerName: "王阿姨", OwnerPhone: "13800001111"}); err != nil {
		f.Fatal(err)
	}
	cats, err := e.s.Cases.Categories(ctx)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cats {
		e.cats[c.Code] = true
	}
	return e
}

// checkUserError asserts that err is one a sender may be shown: a
// *jiedao.Error of one of the codes, both messages, never a fault of ours.
func checkUserError(t *testing.T, err error, codes ...string) {
	t.Helper()
	var e *jiedao.Error
	if !errors.As(err, &e) {
		t.Fatalf("error is %T, not *jiedao.Error: %v", err, err)
	}
	if e.Zh == "" || e.En == "" {
		t.Fatalf("a message is missing: %#v", e)
	}
	if !slices.Contains(codes, e.Code) {
		t.Fatalf("error code %s, want one of %v: %v", e.Code, codes, e)
	}
}

// Magic values of FuzzAlarmWebhook's headers that the harness replaces, so
// that the corpus holds correctly signed deliveries for the fuzzer to
// mutate: "iot" is the alarm platform's id, "now" the clock's Unix time,
// "sign" the right signature of the body.
const (
	magicClient = "iot"
	magicNow    = "now"
	magicSign   = "sign"
)

// FuzzAlarmWebhook fuzzes the IoT alarm webhook: the body and the three
// signature headers. The property that matters most: a delivery whose
// signature is not the HMAC of its exact body by a known sender within
// the clock skew is refused as unauthorised, whatever the body. A signed
// delivery is taken in (a case opened, a repeat folded, an all-clear
// recorded) or refused with a bilingual user error; taken in again, it is
// a duplicate that answers as the first did.
func FuzzAlarmWebhook(f *testing.F) {
	bodies := []string{
		`{"alarm_id":"A-1","device_id":"SD-0001","message":"烟雾浓度超标"}`,
		`{"alarm_id":"A-2","device_id":"SD-0001","type":"alarm","occurred_at":"2024-06-11T08:58:00+08:00","message":"烟感告警"}`,
		`{"alarm_id":"A-3","device_id":"SD-0001","type":"clear","occurred_at":"2024-06-11T09:01:00Z"}`,
		`{"alarm_id":"plat:2024/06/11.0001","device_id":"SD-0001"}`,
		`{"alarm_id":"A-4","device_id":"SD-9999"}`,
		`{"alarm_id":"A 5","device_id":"SD-0001"}`,
		`{"alarm_id":"A-6","device_id":"SD-0001","type":"test"}`,
		`{"alarm_id":"A-7","device_id":"SD-0001","occurred_at":"yesterday"}`,
		`{"alarm_id":"A-8","device_id":"SD-0001","battery":12}`,
		`{"alarm_id":"A-9","device_id":"SD-0001"} {"alarm_id":"A-10"}`,
		`{"alarm_id":1,"device_id":"SD-0001"}`,
		`[]`,
		``,
	}
	for _, b := range bodies {
		f.Add([]byte(b), magicClient, magicNow, magicSign)
	}
	f.Add([]byte(bodies[0]), magicClient, magicNow, "sha256=00")
	f.Add([]byte(bodies[0]), magicClient, "1718067600", magicSign) // an hour early
	f.Add([]byte(bodies[0]), "999", magicNow, magicSign)
	f.Add([]byte(bodies[0]), magicClient, magicNow, "")
	f.Add([]byte(bodies[0]), "", "", "")
	f.Add([]byte(bodies[0]), "-1", "+1718071200", magicSign)
	e := newFuzzEnv(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, client, timestamp, signature string) {
		now := e.clock.Now()
		if client == magicClient {
			client = strconv.FormatInt(e.iot.ID, 10)
		}
		if timestamp == magicNow {
			timestamp = strconv.FormatInt(now.Unix(), 10)
		}
		ts, tsErr := strconv.ParseInt(timestamp, 10, 64)
		if signature == magicSign {
			signature = intake.Sign(e.secret, ts, body)
		}
		id, idErr := strconv.ParseInt(client, 10, 64)
		skew := now.Sub(time.Unix(ts, 0))
		signed := tsErr == nil && idErr == nil && id == e.iot.ID && skew <= intake.MaxSkew && skew >= -intake.MaxSkew &&
			strings.TrimSpace(signature) == intake.Sign(e.secret, ts, body)

		req := intake.SignedRequest{Client: client, Timestamp: timestamp, Signature: signature, Body: body}
		res, err := e.s.ReceiveAlarm(ctx, req)
		if !signed {
			if err == nil {
				t.Fatalf("a delivery without a valid signature was taken in: %+v", res)
			}
			checkUserError(t, err, jiedao.EUNAUTHORIZED)
			return
		}
		if err != nil {
			checkUserError(t, err, jiedao.EINVALID, jiedao.ENOTFOUND, jiedao.ECONFLICT)
			return
		}
		switch res.Outcome {
		case intake.OutcomeOpened, intake.OutcomeRepeat, intake.OutcomeCleared:
			if res.Case == nil || res.Case.Channel != casework.ChannelIoT || res.Case.Category != fuzzFire {
				t.Fatalf("outcome %s with case %+v", res.Outcome, res.Case)
			}
		case intake.OutcomeNoCase:
			if res.Case != nil {
				t.Fatalf("no_case with a case %+v", res.Case)
			}
		default:
			t.Fatalf("unknown outcome %q", res.Outcome)
		}
		if !intake.ValidAlarmID(res.AlarmID) || (res.Type != intake.AlarmRaised && res.Type != intake.AlarmCleared) {
			t.Fatalf("alarm recorded as %+v", res)
		}
		again, err := e.s.ReceiveAlarm(ctx, req)
		if err != nil || !again.Duplicate || again.Outcome != res.Outcome || again.AlarmID != res.AlarmID ||
			(res.Case == nil) != (again.Case == nil) || (res.Case != nil && again.Case.ID != res.Case.ID) {
			t.Fatalf("the same delivery again: %+v %v, first %+v", again, err, res)
		}
	})
}

// xlsxOf builds an XLSX file with excelize, as the 12345 platform and the
// police system export them: time.Time cells become Excel dates, numbers
// numbers.
func xlsxOf(f *testing.F, rows [][]any) []byte {
	f.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			f.Fatal(err)
		}
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			f.Fatal(err)
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// csvOf writes rows as CSV the way Excel saves "CSV UTF-8": a byte order
// mark and CRLF line ends.
func csvOf(rows [][]any) string {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			if t, ok := v.(time.Time); ok {
				rec[i] = t.Format("2006/1/2 15:04")
			} else {
				rec[i] = fmt.Sprint(v)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.String()
}

// hotlineSeeds and policeSeeds are files as the two systems export them:
// a title line, the header (standard names or aliases), good rows and bad
// ones (no number, an unknown category, a bad phone, a time in the future,
// half a coordinate), a blank row.
func hotlineSeeds() [][][]any {
	z := calendar.Zone()
	return [][][]any{{
		{"古荡街道12345工单明细（2024年6月）"},
		{"序号", "工单编号", "来电时间", "工单标题", "诉求内容", "诉求地址", "问题分类", "联系人", "联系电话", "紧急程度", "经度", "纬度"},
		{1, "GD20240610001", time.Date(2024, 6, 10, 8, 30, 0, 0, z), "文一路垃圾堆积", "文一路1号门口垃圾两天没人清运", "文一路1号", "城市管理/市容环境/暴露垃圾", "王女士", "13812345678", "一般", 120.1205, 30.2835},
		{2, "GD20240610002", "2024/6/10 9:05", "", "益乐路有人占道卖水果，影响通行", "益乐路2号", "占道经营", "刘先生", "0571-87654321", "紧急", "", ""},
		{3, "GD20240610003", "45453.354166666664", "", "", "", "外星人入侵", "", "abc", "特急", "120.1", ""},
		{},
		{4, "", "2024年6月10日 10时30分", "", "楼道堆物", "", "0102", "", "", "", "", ""},
		{5, "GD20240610005", "2099-01-01 00:00", "", "噪声扰民", "", "0201", "", "+86 138 0000 1111", "", "", ""},
		{6, "GD20240610001", "20240610113000", "", "重复的工单", "", "01", "", "", "", "", ""},
	}, {
		{"工单号", "受理时间", "反映内容", "事发地址", "诉求分类", "来电人", "来电号码"},
		{"12345-0001", "2024-06-10", "垃圾桶满了", "古荡新村", "暴露垃圾", "张", "138****5678"},
	}}
}

func policeSeeds() [][][]any {
	z := calendar.Zone()
	return [][][]any{{
		{"警网协同非警务警情移交清单"},
		{"接警编号", "移交时间", "标题", "事件描述", "事发地址", "问题分类", "报警人", "联系电话", "紧急程度", "经度", "纬度"},
		{"330106202406100001", time.Date(2024, 6, 10, 22, 15, 0, 0, z), "", "楼下烧烤店油烟扰民", "益乐路8号", "街面秩序/占道经营", "李", "13900001111", "紧急", 120.1215, 30.2841},
		{"330106202406100002", "2024-06-10 23:40", "", "邻里纠纷，已调解", "文华社区", "矛盾纠纷", "", "", "", "", ""},
		{"", "", "", "", "", "", "", "", "", "", ""},
	}, {
		{"警情编号", "转办时间", "警情内容", "发生地址", "事件类型", "报警人姓名", "报警电话"},
		{"JQ-0001", "2024年6月10日", "路边乱堆物料", "古荡", "0102", "赵", "0571-8888"},
	}}
}

// importSeeds adds each seed file as XLSX, as UTF-8 CSV and as GBK CSV.
func importSeeds(f *testing.F, seeds [][][]any) {
	for _, rows := range seeds {
		f.Add(xlsxOf(f, rows))
		c := csvOf(rows)
		f.Add([]byte(c))
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(strings.TrimPrefix(c, "\ufeff"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(gbk))
	}
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}) // an old .xls
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte("工单编号,诉求内容\n\"unterminated"))
}

// FuzzImportHotline fuzzes the 12345 work-order import with XLSX and CSV
// files; see fuzzImport.
func FuzzImportHotline(f *testing.F) {
	importSeeds(f, hotlineSeeds())
	fuzzImport(f, casework.ChannelHotline, func(s *intake.Service) func(context.Context, org.Actor, intake.File, intake.ImportOptions) (*intake.ImportResult, error) {
		return s.ImportHotline
	})
}

// FuzzImportPolice fuzzes the import of police transfers; see fuzzImport.
func FuzzImportPolice(f *testing.F) {
	importSeeds(f, policeSeeds())
	fuzzImport(f, casework.ChannelPolice, func(s *intake.Service) func(context.Context, org.Actor, intake.File, intake.ImportOptions) (*intake.ImportResult, error) {
		return s.ImportPolice
	})
}

// fuzzImport asserts, for any file: the table read from it survives being
// written as CSV and read again (so an export of what was read imports the
// same); a refused file gets a bilingual user error; a dry run reports
// every data row once, in order, each either to be created with a case of
// a stored category, already there, or refused with messages that name
// its row in both languages.
func fuzzImport(f *testing.F, channel casework.Channel, run func(*intake.Service) func(context.Context, org.Actor, intake.File, intake.ImportOptions) (*intake.ImportResult, error)) {
	e := newFuzzEnv(f)
	ctx := context.Background()
	importFile := run(e.s)
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := intake.ReadTableCells(data)
		if err != nil {
			checkUserError(t, err, jiedao.EINVALID, jiedao.ETOOLARGE, jiedao.EUNSUPPORTED)
		} else {
			checkCSVRoundTrip(t, tab)
		}
		res, err := importFile(ctx, e.disp, intake.File{Name: "fuzz", Data: data}, intake.ImportOptions{DryRun: true})
		if err != nil {
			checkUserError(t, err, jiedao.EINVALID, jiedao.ETOOLARGE, jiedao.EUNSUPPORTED)
			return
		}
		if res.Channel != channel || !res.DryRun || res.Created != 0 || res.ImportID != 0 {
			t.Fatalf("dry run result %+v", res)
		}
		if len(res.Results) != res.Rows || res.ToCreate+res.Existing+res.Refused != res.Rows {
			t.Fatalf("%d rows, %d results, %d+%d+%d", res.Rows, len(res.Results), res.ToCreate, res.Existing, res.Refused)
		}
		last := 0
		for _, r := range res.Results {
			if r.Row <= last {
				t.Fatalf("row %d after row %d", r.Row, last)
			}
			last = r.Row
			switch r.Action {
			case intake.RowCreate:
				if r.Case == nil || !e.cats[r.Case.Category] || r.Case.Channel != channel || len(r.Errors) > 0 {
					t.Fatalf("row %d to create: %+v", r.Row, r)
				}
				if r.ExternalID == "" || !utf8.ValidString(r.ExternalID) || strings.ContainsRune(r.ExternalID, 0) {
					t.Fatalf("row %d to create with number %q", r.Row, r.ExternalID)
				}
			case intake.RowRefused:
				if len(r.Errors) == 0 {
					t.Fatalf("row %d refused without a reason", r.Row)
				}
				for _, m := range r.Errors {
					if !strings.HasPrefix(m.Message, fmt.Sprintf("第%d行：", r.Row)) || !strings.HasPrefix(m.MessageEn, fmt.Sprintf("row %d: ", r.Row)) {
						t.Fatalf("row %d: message does not name it: %+v", r.Row, m)
					}
				}
			case intake.RowExists:
			default:
				t.Fatalf("row %d: action %q", r.Row, r.Action)
			}
		}
	})
}

// checkCSVRoundTrip writes a table as CSV and reads it back: the same
// non-blank rows with the same cells. CSV turns a CRLF inside a cell into
// LF and cannot tell trailing empty cells from none, so both sides are
// compared after those; a cell that is not valid UTF-8 cannot be written
// as UTF-8 CSV at all and is left out of the property.
func checkCSVRoundTrip(t *testing.T, tab [][]string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	for _, r := range tab {
		for _, c := range r {
			if !utf8.ValidString(c) {
				return
			}
		}
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	again, err := intake.ReadCSVCells(b.Bytes())
	if err != nil {
		t.Fatalf("the table written as CSV is refused: %v", err)
	}
	norm := func(rows [][]string) [][]string {
		var out [][]string
		for _, r := range rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = strings.ReplaceAll(c, "\r\n", "\n")
			}
			for len(cells) > 0 && cells[len(cells)-1] == "" {
				cells = cells[:len(cells)-1]
			}
			out = append(out, cells)
		}
		return out
	}
	got, want := norm(again), norm(tab)
	if len(got) != len(want) {
		t.Fatalf("CSV round trip: %d rows, want %d\n%q\n%q", len(got), len(want), got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("CSV round trip, row %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}
