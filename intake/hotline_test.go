package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// xlsxFile builds a real XLSX file with excelize: one row per slice, in
// the first sheet; time.Time values become Excel dates.
func xlsxFile(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue // a blank row
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var hotlineHeader = []any{"序号", "工单编号", "来电时间", "工单标题", "诉求内容", "诉求地址", "问题分类", "联系人", "联系电话", "紧急程度", "承办单位"}

// hotlineRows is a month's export of the 12345 platform as it comes: a
// title line, the header, good and bad rows, a blank row.
func hotlineRows() [][]any {
	z := calendar.Zone()
	return [][]any{
		{"古荡街道12345工单明细（2024年6月）"},
		hotlineHeader,
		{1, "GD20240610001", time.Date(2024, 6, 10, 8, 30, 0, 0, z), "文一路垃圾堆积", "文一路1号门口垃圾两天没人清运", "文一路1号", "城市管理/市容环境/暴露垃圾", "王女士", "13812345678", "一般", "西湖区城管局"},
		{2, "GD20240610002", "2024/6/10 9:05", "", "益乐路有人占道卖水果，影响通行", "益乐路2号", "占道经营", "刘**", "057******4321", "紧急", ""},
		{3, "GD20240610003", "2024-06-10 09:10", "", "", "", "外星人入侵", "", "abc", "", ""},
		{4, "GD20240610001", "2024-06-10 09:20", "", "重复的工单编号", "", "暴露垃圾", "", "", "", ""},
		{5, "GD20240610005", "2024-06-10 09:30", "", "学院路工地沙石乱堆", "学院路", "乱堆物料", "", "", "", ""},
		{6, "GD20240610006", "昨天下午", "", "噪音", "", "暴露垃圾", "", "", "十万火急", ""},
		nil,
		{7, "GD20240610007", 45453.5, "", "文二路绿化带里有垃圾", "文二路", "0101", "赵**", "+86**********7777", "", ""},
	}
}

type rowErr struct{ row, zh, en, field string }

// TestHotlineDryRun: the dry run says, row by row, what would be created
// and why a row is refused, in both languages with the row number, and
// stores nothing.
func TestHotlineDryRun(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var res intake.ImportResult
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import?dry_run=1", "6月工单.xlsx", xlsxFile(t, hotlineRows()), &res); st != 200 {
			t.Fatalf("dry run: %d %+v", st, res)
		}
		if res.Format != "xlsx" || res.FileName != "6月工单.xlsx" || res.Rows != 7 || res.ToCreate != 3 || res.Refused != 4 || res.Existing != 0 || res.Created != 0 ||
			res.Columns["external_id"] != "工单编号" || res.Columns["source_at"] != "来电时间" || res.Columns["category"] != "问题分类" {
			t.Fatalf("summary: %+v", res)
		}
		want := []struct {
			row    int
			action intake.RowAction
			cat    string
			errs   []rowErr
		}{
			{3, intake.RowCreate, fixture.CatExposedTrash, nil},
			{4, intake.RowCreate, fixture.CatStreetVendor, nil},
			{5, intake.RowRefused, "", []rowErr{
				{"5", "第5行：诉求内容不能为空", "row 5: 诉求内容 (request) is required", "details"},
				{"5", "第5行：问题分类无法对应到本街道的问题分类：外星人入侵", "row 5: 问题分类 (category) matches no category here: 外星人入侵", "category"},
				{"5", "第5行：联系电话格式不正确：abc", "row 5: 联系电话 (phone) is malformed: abc", "reporter_phone"},
			}},
			{6, intake.RowRefused, "", []rowErr{{"6", "第6行：工单编号 GD20240610001 与第3行重复", "row 6: 工单编号 GD20240610001 repeats row 3", "external_id"}}},
			{7, intake.RowRefused, "", []rowErr{{"7", "第7行：必填项未填写：堆放物料", "row 7: required attribute missing: material", "attribute[material]"}}},
			{8, intake.RowRefused, "", []rowErr{
				{"8", "第8行：来电时间无法识别：昨天下午（应如 2024-06-11 09:30:00）", "row 8: 来电时间 (time of call) is not a time: 昨天下午 (write it as 2024-06-11 09:30:00)", "source_at"},
				{"8", "第8行：紧急程度应为一般、紧急或特急：十万火急", "row 8: 紧急程度 (urgency) must be 一般, 紧急 or 特急: 十万火急", "urgency"},
			}},
			{10, intake.RowCreate, fixture.CatExposedTrash, nil},
		}
		if len(res.Results) != len(want) {
			t.Fatalf("%d results: %+v", len(res.Results), res.Results)
		}
		for i, w := range want {
			got := res.Results[i]
			if got.Row != w.row || got.Action != w.action || len(got.Errors) != len(w.errs) {
				t.Errorf("row %d: got %+v, want %+v", w.row, got, w)
				continue
			}
			for j, we := range w.errs {
				if ge := got.Errors[j]; ge.Message != we.zh || ge.MessageEn != we.en || ge.Field != we.field {
					t.Errorf("row %d error %d: got %+v, want %+v", w.row, j, ge, we)
				}
			}
			if w.action == intake.RowCreate && (got.Case == nil || got.Case.Category != w.cat || got.Case.Channel != casework.ChannelHotline || got.Case.ID != 0) {
				t.Errorf("row %d would create %+v", w.row, got.Case)
			}
		}
		if u := res.Results[1].Case.Urgency; u != casework.UrgencyUrgent {
			t.Errorf("row 4 urgency %s", u)
		}
		if n := e.count("cases") + e.count("intake_items") + e.count("intake_imports"); n != 0 {
			t.Fatalf("the dry run stored %d rows", n)
		}
	})
}

// TestHotlineImport: a file with bad rows imports nothing, unless told to
// skip them; a re-import creates nothing new; a GBK CSV with other header
// names imports as well; who may import is checked.
func TestHotlineImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		file := xlsxFile(t, hotlineRows())
		var refused struct {
			Error  api.ErrorDetail     `json:"error"`
			Result intake.ImportResult `json:"result"`
		}
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import", "6月工单.xlsx", file, &refused); st != 400 || refused.Error.Code != "invalid" ||
			refused.Error.Message != "未导入任何数据：4行有错误，请修改后重新导入（或选择跳过错误行）" ||
			refused.Error.MessageEn != "nothing imported: 4 rows have errors; fix them and import again (or skip them)" ||
			refused.Result.Refused != 4 || refused.Result.Results[2].Errors[0].Message != "第5行：诉求内容不能为空" {
			t.Fatalf("all or nothing: %d %+v", st, refused)
		}
		if n := e.count("cases") + e.count("intake_items") + e.count("intake_imports"); n != 0 {
			t.Fatalf("a refused import stored %d rows", n)
		}

		var res intake.ImportResult
		path := fmt.Sprintf("/api/v1/intake/hotline/import?skip_invalid=1&client_id=%d", e.hotline.ID)
		if st := e.upload(e.disp, path, "6月工单.xlsx", file, &res); st != 201 || res.Created != 3 || res.Refused != 4 || res.ImportID == 0 {
			t.Fatalf("skip invalid: %d %+v", st, res)
		}
		first := e.getCase(res.Results[0].Case.ID)
		if first.Channel != casework.ChannelHotline || first.ClientID != e.hotline.ID || first.ReporterID != e.fx.Dispatcher.ID ||
			first.ExternalID != "GD20240610001" || first.Title != "文一路垃圾堆积" || first.Address != "文一路1号" ||
			first.Reporter != (casework.Contact{Name: "王女士", Phone: "13812345678"}) || first.Number != res.Results[0].Case.Number {
			t.Fatalf("first case: %+v", first)
		}
		// Numbered in the file's order.
		if a, b := res.Results[0].Case.Number, res.Results[1].Case.Number; a >= b {
			t.Errorf("numbers out of order: %s, %s", a, b)
		}
		// The 12345 platform sees the cases it sent.
		var list struct {
			Total int `json:"total"`
		}
		if st := e.call(e.hotlineKey, "GET", "/api/v1/cases?channel=hotline", nil, &list); st != 200 || list.Total != 3 {
			t.Fatalf("the platform's cases: %d %+v", st, list)
		}

		// The same file again, and once more without its bad rows: nothing new.
		if st := e.upload(e.disp, path, "6月工单.xlsx", file, &res); st != 200 || res.Created != 0 || res.Existing != 3 || res.Refused != 4 {
			t.Fatalf("re-import: %d %+v", st, res)
		}
		good := hotlineRows()
		good = append(good[:4], good[8:]...)
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import", "6月工单（修正）.xlsx", xlsxFile(t, good), &res); st != 200 || res.Created != 0 || res.Existing != 3 || res.Refused != 0 {
			t.Fatalf("re-import of the good rows: %d %+v", st, res)
		}
		if n := e.count("cases"); n != 3 {
			t.Fatalf("%d cases after re-imports", n)
		}

		// A CSV saved by Excel on Chinese Windows: GBK, other header
		// names, remarks in the headers. The platform uploads it itself.
		csv := "工单号,受理时间,反映内容,事发地址,诉求分类（必填）,来电人,来电号码\r\n" +
			"GD20240611001,2024-06-11 08:00,学院路人行道上有建筑垃圾,学院路28号,市容环境>暴露垃圾,孙女士,13600003333\r\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv)
		if err != nil {
			t.Fatal(err)
		}
		if st := e.upload(e.hotlineKey, "/api/v1/intake/hotline/import", "0611.csv", []byte(gbk), &res); st != 201 || res.Created != 1 || res.Format != "csv" ||
			res.Columns["external_id"] != "工单号" || res.Columns["category"] != "诉求分类（必填）" {
			t.Fatalf("GBK CSV: %d %+v", st, res)
		}
		c := e.getCase(res.Results[0].Case.ID)
		if c.ClientID != e.hotline.ID || c.Category != fixture.CatExposedTrash || c.Reporter.Name != "孙女士" || c.Address != "学院路28号" {
			t.Fatalf("CSV case: %+v", c)
		}

		// A default category takes the rows whose class is unknown.
		unknown := "工单编号,诉求内容,问题分类\nGD20240611002,路灯不亮,城市照明\n"
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import?dry_run=1&default_category=0101", "x.csv", []byte(unknown), &res); st != 200 ||
			res.ToCreate != 1 || res.Results[0].Case.Category != "0101" {
			t.Fatalf("default category: %d %+v", st, res)
		}
		for _, tc := range []struct {
			name, token, path, file string
			data                    []byte
			status                  int
		}{
			{"police system", e.policeKey, "/api/v1/intake/hotline/import", "x.csv", []byte(unknown), 403},
			{"leader", e.leader, "/api/v1/intake/hotline/import", "x.csv", []byte(unknown), 403},
			{"no header", e.disp, "/api/v1/intake/hotline/import", "x.csv", []byte("a,b\n1,2\n"), 400},
			{"old xls", e.disp, "/api/v1/intake/hotline/import", "x.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), 415},
			{"empty", e.disp, "/api/v1/intake/hotline/import", "x.csv", nil, 400},
			{"unknown default category", e.disp, "/api/v1/intake/hotline/import?default_category=9999", "x.csv", []byte(unknown), 400},
			{"broken xlsx", e.disp, "/api/v1/intake/hotline/import", "x.xlsx", []byte("PK\x03\x04broken"), 400},
		} {
			var out errJSON
			if st := e.upload(tc.token, tc.path, tc.file, tc.data, &out); st != tc.status || out.Error.Message == "" || out.Error.MessageEn == "" {
				t.Errorf("%s: %d %+v", tc.name, st, out)
			}
		}
		if n := e.count("cases"); n != 4 {
			t.Fatalf("%d cases at the end", n)
		}
	})
}

// TestHotlineExport: the export gives the work orders back in the layout
// they came in, with the case number, status and handling result added,
// the callers' names and phones masked; read back with excelize, and
// imported again, it makes nothing new. A dispatcher who states a reason
// gets the contacts in full; every export is on the audit trail.
func TestHotlineExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var res intake.ImportResult
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import?skip_invalid=1", "6月工单.xlsx", xlsxFile(t, hotlineRows()), &res); st != 201 || res.Created != 3 {
			t.Fatalf("import: %d %+v", st, res)
		}
		csv := "工单号,受理时间,反映内容,事发地址,诉求分类,来电人,来电号码,回访要求\n" +
			"GD20240611001,2024-06-11 08:00,学院路人行道上有建筑垃圾,学院路28号,暴露垃圾,孙女士,13600003333,需电话回访\n"
		var res2 intake.ImportResult
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import", "0611.csv", []byte(csv), &res2); st != 201 {
			t.Fatalf("CSV import: %d %+v", st, res2)
		}
		// The first work order is handled and closed.
		id := res.Results[0].Case.ID
		d, h := e.fx.Actor(org.RoleDispatcher), e.fx.Actor(org.RoleUnitHandler)
		e.clock.Advance(time.Hour)
		e.step(d, id, casework.StepInput{Action: casework.ActAccept})
		e.step(d, id, casework.StepInput{Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID})
		e.step(h, id, casework.StepInput{Action: casework.ActSign})
		e.step(h, id, casework.StepInput{Action: casework.ActHandle, Reason: "已安排保洁清运，现场已清理干净"})
		e.step(d, id, casework.StepInput{Action: casework.ActVerify})
		closed := e.step(d, id, casework.StepInput{Action: casework.ActClose})

		req, _ := http.NewRequest("GET", e.url+"/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01", nil)
		req.Header.Set("Authorization", "Bearer "+e.leader)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''12345%E5%B7%A5%E5%8D%95_20240601-20240630.xlsx` {
			t.Fatalf("export: %d %v %q", resp.StatusCode, resp.Header, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("12345工单")
		if err != nil {
			t.Fatal(err)
		}
		wantHeader := []string{"序号", "工单编号", "来电时间", "工单标题", "诉求内容", "诉求地址", "问题分类", "联系人", "联系电话", "紧急程度", "承办单位",
			"回访要求", "街道案件编号", "办理状态", "办理结果", "办结时间"}
		if fmt.Sprint(rows[0]) != fmt.Sprint(wantHeader) {
			t.Fatalf("header:\n%q\nwant\n%q", rows[0], wantHeader)
		}
		if len(rows) != 5 {
			t.Fatalf("%d rows: %q", len(rows), rows)
		}
		cases := map[string]*casework.Case{}
		for _, r := range append(res.Results, res2.Results...) {
			if r.Case != nil && r.Case.ID != 0 {
				cases[r.ExternalID] = e.getCase(r.Case.ID)
			}
		}
		pad := func(r []string) []string { return append(r, make([]string, len(wantHeader)-len(r))...) }
		want := [][]string{
			{"1", "GD20240610001", "2024-06-10 08:30:00", "文一路垃圾堆积", "文一路1号门口垃圾两天没人清运", "文一路1号", "城市管理/市容环境/暴露垃圾", "王**", "138****5678", "一般", "西湖区城管局",
				"", cases["GD20240610001"].Number, "已结案", "已安排保洁清运，现场已清理干净", closed.ClosedAt.Format("2006-01-02 15:04:05")},
			{"2", "GD20240610002", "2024-06-10 09:05:00", "", "益乐路有人占道卖水果，影响通行", "益乐路2号", "占道经营", "刘**", "057******4321", "紧急", "",
				"", cases["GD20240610002"].Number, "待受理", "", ""},
			{"7", "GD20240610007", "2024-06-10 12:00:00", "", "文二路绿化带里有垃圾", "文二路", "0101", "赵**", "+86**********7777", "", "",
				"", cases["GD20240610007"].Number, "待受理", "", ""},
			// The CSV's columns under the columns of the same meaning.
			{"", "GD20240611001", "2024-06-11 08:00:00", "", "学院路人行道上有建筑垃圾", "学院路28号", "暴露垃圾", "孙**", "136****3333", "", "",
				"需电话回访", cases["GD20240611001"].Number, "待受理", "", ""},
		}
		for i, w := range want {
			if got := pad(rows[i+1]); fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("row %d:\n%q\nwant\n%q", i+2, got, w)
			}
		}

		// The export is itself an importable file: nothing new.
		if st := e.upload(e.disp, "/api/v1/intake/hotline/import", "export.xlsx", body, &res); st != 200 || res.Created != 0 || res.Existing != 4 || res.Refused != 0 {
			t.Fatalf("re-import of the export: %d %+v", st, res)
		}
		// Exporting again after that gives the same file contents.
		req, _ = http.NewRequest("GET", e.url+"/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01", nil)
		req.Header.Set("Authorization", "Bearer "+e.hotlineKey)
		st, raw := e.do(req)
		if st != 200 {
			t.Fatalf("export by the platform: %d %s", st, raw)
		}
		f2, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f2.Close()
		// The platform uploaded nothing itself: its export is the header only.
		if rows2, _ := f2.GetRows("12345工单"); len(rows2) != 1 {
			t.Fatalf("the platform's export: %q", rows2)
		}
		// In full for a dispatcher with a reason; refused without one, and
		// to a leader, who sees contacts masked everywhere.
		req, _ = http.NewRequest("GET", e.url+"/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01&contacts=full&reason="+url.QueryEscape("逐一回访核实办理结果"), nil)
		req.Header.Set("Authorization", "Bearer "+e.disp)
		if st, raw = e.do(req); st != 200 {
			t.Fatalf("full export by the dispatcher: %d %s", st, raw)
		}
		f3, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f3.Close()
		if rows3, _ := f3.GetRows("12345工单"); len(rows3) != 5 || rows3[1][7] != "王女士" || rows3[1][8] != "13812345678" {
			t.Fatalf("the full export: %q", rows3)
		}
		var out errJSON
		if st := e.call(e.disp, "GET", "/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01&contacts=full", nil, &out); st != 400 || out.Error.Field != "reason" {
			t.Errorf("full export without a reason: %d %+v", st, out)
		}
		if st := e.call(e.leader, "GET", "/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01&contacts=full&reason="+url.QueryEscape("逐一回访核实"), nil, &out); st != 403 {
			t.Errorf("full export by a leader: %d %+v", st, out)
		}
		var masked []bool
		rows4, err := db.Query(context.Background(), `SELECT after_json, reason FROM audit_log WHERE action = 'export.hotline' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows4.Close()
		for rows4.Next() {
			var after, reason string
			if err := rows4.Scan(&after, &reason); err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Rows   int  `json:"rows"`
				Masked bool `json:"masked"`
			}
			if err := json.Unmarshal([]byte(after), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Masked != (reason == "") {
				t.Errorf("audit entry %s with reason %q", after, reason)
			}
			masked = append(masked, rec.Masked)
		}
		// The leader's, the platform's (nothing of its own), the dispatcher's in full.
		if fmt.Sprint(masked) != "[true true false]" {
			t.Errorf("audit entries of the exports: masked %v", masked)
		}
		if st := e.call(e.handler, "GET", "/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01", nil, &out); st != 403 {
			t.Errorf("export by a unit handler: %d", st)
		}
		if st := e.call(e.disp, "GET", "/api/v1/intake/hotline/export", nil, &out); st != 400 || out.Error.Field != "from" {
			t.Errorf("export without a period: %d %+v", st, out)
		}
	})
}
