package kinds_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enforcement"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func bikeSaver(db *store.DB) enforcement.BikeSaver {
	return func(ctx context.Context, cases []*casework.Case, events [][]*casework.Event) error {
		batch := make([]store.CaseHistory, len(cases))
		for i := range cases {
			batch[i] = store.CaseHistory{Case: cases[i], Events: events[i]}
		}
		return db.Cases().ImportCases(ctx, batch)
	}
}

// The import of shared-bike clearances, on both engines: a file with bad
// rows is refused whole, each error naming its row and column in Chinese,
// and nothing is stored; a dry run stores nothing; the real run stores
// every row, and bikes.handled adds them up; the same file again adds
// nothing; an XLSX reads as the CSV does.
func TestBikeImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.clock.Set(cst("2023-12-31 18:00"))
		im := &enforcement.BikeImporter{Cases: w.svc, Save: bikeSaver(db), Now: w.clock.Now}
		eo := org.StaffActor(w.o.EnforcementOfficer)
		leader := w.o.Actor(org.RoleLeader)
		handled := func() float64 {
			t.Helper()
			m, err := kinds.Source{Cases: w.svc}.Measure(bg, leader, "bikes.handled", 2023)
			if err != nil {
				t.Fatal(err)
			}
			return m.Value
		}
		bad := "共享单车清理记录\n清理日期,企业,社区,数量\n2023-03-01,哈啰,文华社区,120\n2023-13-01,美团,益乐社区,80\n2023-03-02,小黄车,文华社区,10\n2023-03-03,青桔,,0\n2023-03-01,哈啰,文华社区,120\n"
		res, err := im.Import(bg, eo, []byte(bad), false)
		if jiedao.ErrorCode(err) != jiedao.EINVALID || res == nil || res.Refused != 4 {
			t.Fatalf("bad file: %v, %+v", err, res)
		}
		msgs := ""
		for _, e := range res.Errors() {
			msgs += e.Zh + "\n"
		}
		for _, want := range []string{"第4行“日期”列：无法识别的日期“2023-13-01”", "第5行“运营企业”列", "第6行“社区/地点”列：请填写社区或地点", "第6行“数量”列", "第7行“数量”列：与第3行重复"} {
			if !strings.Contains(msgs, want) {
				t.Errorf("errors lack %q:\n%s", want, msgs)
			}
		}
		if handled() != 0 {
			t.Fatal("a refused file stored rows")
		}
		// Who: a grid worker may not import.
		if _, err := im.Import(bg, w.o.Actor(org.RoleGridWorker), []byte(bad), true); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Errorf("a grid worker imported: %v", err)
		}

		good := "日期,运营企业,社区/地点,数量\n2023-03-01,哈啰,文华社区 地铁口,120\n2023/3/2,美团,益乐社区,80\n2023-03-03,qingju,古荡新村,35辆\n"
		res, err = im.Import(bg, eo, []byte(good), true)
		if err != nil || res.Refused != 0 || res.Bikes != 235 || res.Created != 0 {
			t.Fatalf("dry run: %v %+v", err, res)
		}
		if handled() != 0 {
			t.Fatal("a dry run stored rows")
		}
		res, err = im.Import(bg, eo, []byte(good), false)
		if err != nil || res.Created != 3 || res.Rows[0].Case == "" {
			t.Fatalf("import: %v %+v", err, res)
		}
		if v := handled(); v != 235 {
			t.Errorf("bikes.handled %v, want 235", v)
		}
		cs, _, err := w.svc.List(bg, leader, casework.Filter{Kind: casework.KindEnforcement, KindTags: []string{"sub:bikes"}})
		if err != nil || len(cs) != 3 || cs[0].Status != casework.StatusClosed {
			t.Fatalf("cases: %d, %v", len(cs), err)
		}
		// The same file again: every row refused as imported, nothing added.
		res, err = im.Import(bg, eo, []byte(good), false)
		if jiedao.ErrorCode(err) != jiedao.EINVALID || res.Refused != 3 || res.Rows[0].Action != "exists" || !strings.Contains(res.Rows[0].Errors[0].Zh, "已导入") {
			t.Fatalf("again: %v %+v", err, res)
		}
		// An XLSX with a date serial.
		f := excelize.NewFile()
		for i, row := range [][]any{{"日期", "运营企业", "地点", "数量"}, {45000, "美团", "学院路", 40}} {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = f.SetCellValue("Sheet1", cell, v)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		res, err = im.Import(bg, w.o.Actor(org.RoleDispatcher), buf.Bytes(), false)
		if err != nil || res.Format != "xlsx" || res.Rows[0].Date != "2023-03-15" {
			t.Fatalf("xlsx: %v %+v", err, res)
		}
		if v := handled(); v != 275 {
			t.Errorf("bikes.handled %v, want 275", v)
		}
	})
}
