package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func ledgerService(db *store.DB, now time.Time) *ledger.Service {
	return &ledger.Service{Store: db.Ledger(), Now: func() time.Time { return now },
		Communities: func(ctx context.Context) ([]*org.Community, error) { return db.Org().ListCommunities(ctx) }}
}

// canteenType is a small type for the tests.
func canteenType() *ledger.Type {
	return &ledger.Type{Code: "canteen_test", Name: "食堂测试", Fields: []ledger.Field{
		{Key: "elder", Name: "老人", Type: ledger.Person, Required: true},
		{Key: "meals", Name: "用餐次数", Type: ledger.Number, Measure: true},
		{Key: "subsidy", Name: "补贴", Type: ledger.Money, Measure: true},
	}}
}

func TestLedgerEntriesHistoryAndScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := ledgerService(db, cst(2023, 5, 1, 9, 0))
		admin, staff, leader := o.Actor(org.RoleAdmin), o.Actor(org.RoleCommunityStaff), o.Actor(org.RoleLeader)

		// Only admins define types.
		wantCode(t, svc.CreateType(ctx, staff, canteenType()), jiedao.EFORBIDDEN, "community staff defines a type")
		must(t, svc.CreateType(ctx, admin, canteenType()))

		// Community staff add to their own community only.
		yile, wenhua := o.Yile.ID, o.Wenhua.ID
		e, err := svc.Add(ctx, staff, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"elder": "王阿婆", "meals": "20", "subsidy": "100.50"}})
		must(t, err)
		_, err = svc.Add(ctx, staff, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: wenhua, Values: map[string]string{"elder": "李大爷"}})
		wantCode(t, err, jiedao.EFORBIDDEN, "entry in another community")
		_, err = svc.Add(ctx, leader, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"elder": "李大爷"}})
		wantCode(t, err, jiedao.EFORBIDDEN, "leader adds an entry")

		// Bad input names the field, in Chinese.
		_, err = svc.Add(ctx, staff, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"meals": "3"}})
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "elder" || !strings.Contains(je.Zh, "老人") {
			t.Fatalf("missing required field: %v", err)
		}
		_, err = svc.Add(ctx, staff, "canteen_test", ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"elder": "甲", "meals": "很多"}})
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "meals" || !strings.Contains(je.Zh, "用餐次数") {
			t.Fatalf("wrong type: %v", err)
		}

		// An edit keeps the earlier version, with who and when.
		svc.Now = func() time.Time { return cst(2023, 5, 2, 10, 0) }
		_, err = svc.Edit(ctx, staff, e.ID, ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"elder": "王阿婆", "meals": "22", "subsidy": "100.50"}})
		must(t, err)
		_, err = svc.Edit(ctx, leader, e.ID, ledger.EntryInput{Day: "2023-05-01", CommunityID: yile, Values: map[string]string{"elder": "王阿婆"}})
		wantCode(t, err, jiedao.EFORBIDDEN, "leader edits")
		got, _, hist, err := svc.Entry(ctx, leader, e.ID)
		must(t, err)
		if got.Version != 2 || got.Values["meals"] != "22" || len(hist) != 2 || hist[0].Values["meals"] != "20" ||
			hist[0].By != o.CommunityStaff.Name || !hist[1].At.Equal(cst(2023, 5, 2, 10, 0)) {
			t.Fatalf("entry %+v history %+v", got, hist)
		}
		// Someone outside the community does not see it.
		_, _, _, err = svc.Entry(ctx, o.Actor(org.RoleGridWorker), e.ID)
		wantCode(t, err, jiedao.ENOTFOUND, "grid worker reads an entry")

		// Admin adds in the other community; sums by community and month.
		for i, d := range []string{"2023-05-20", "2023-06-03", "2024-01-02"} {
			_, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: d, CommunityID: wenhua, Values: map[string]string{"elder": []string{"李大爷", "王阿婆", "李大爷"}[i], "meals": "10"}})
			must(t, err)
		}
		rows, _, err := svc.Aggregate(ctx, leader, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpSum, Field: "meals", Group: ledger.ByCommunity}, 2023))
		must(t, err)
		if len(rows) != 2 || rows[0].Value+rows[1].Value != 42 {
			t.Fatalf("sum by community: %+v", rows)
		}
		rows, _, err = svc.Aggregate(ctx, leader, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpCount, Group: ledger.ByMonth}, 2023))
		must(t, err)
		if len(rows) != 2 || rows[0].Month != "2023-05" || rows[0].Value != 2 || rows[1].Value != 1 {
			t.Fatalf("count by month: %+v", rows)
		}
		rows, _, err = svc.Aggregate(ctx, leader, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpDistinct, Field: "elder"}, 2023))
		must(t, err)
		if rows[0].Value != 2 || rows[0].Entries != 3 {
			t.Fatalf("distinct elders: %+v", rows)
		}
		// Community staff see their own community's sums only.
		rows, _, err = svc.Aggregate(ctx, staff, "canteen_test", ledger.Query{Op: ledger.OpSum, Field: "subsidy"})
		must(t, err)
		if rows[0].Value != 100.5 {
			t.Fatalf("staff's sum: %+v", rows)
		}
		// A deleted entry leaves the sums; its history keeps it.
		_, err = svc.Delete(ctx, staff, e.ID)
		must(t, err)
		rows, _, err = svc.Aggregate(ctx, leader, "canteen_test", ledger.YearQuery(ledger.Query{Op: ledger.OpSum, Field: "meals"}, 2023))
		must(t, err)
		if rows[0].Value != 20 {
			t.Fatalf("sum after delete: %+v", rows)
		}
		_, _, hist, err = svc.Entry(ctx, admin, e.ID)
		must(t, err)
		if len(hist) != 3 || !hist[2].Deleted || hist[1].Values["meals"] != "22" {
			t.Fatalf("history after delete: %+v", hist)
		}
	})
}

// TestLedgerTypeChangeLosesNothing: a field added and one made required
// with entries already in the ledger; every value stays, old entries stay
// readable and summed, new entries must fill the required field.
func TestLedgerTypeChangeLosesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := ledgerService(db, cst(2023, 3, 1, 9, 0))
		admin := o.Actor(org.RoleAdmin)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		var ids []int64
		for i := 0; i < 3; i++ {
			e, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-03-0" + string(rune('1'+i)), CommunityID: o.Yile.ID,
				Values: map[string]string{"elder": "老人" + string(rune('A'+i)), "meals": "5"}})
			must(t, err)
			ids = append(ids, e.ID)
		}
		before, _, _, err := svc.List(ctx, admin, "canteen_test", ledger.Query{}, 10, 0)
		must(t, err)

		nt := canteenType()
		nt.Fields[2].Required = true // subsidy now required
		nt.Fields = append(nt.Fields, ledger.Field{Key: "diet", Name: "饮食禁忌", Type: ledger.Choice, Choices: []string{"无", "低糖", "低盐"}, Required: true})
		must(t, svc.UpdateType(ctx, admin, nt))

		// Removing a field or changing its type is refused: it would lose values.
		gone := canteenType()
		gone.Fields = gone.Fields[:1]
		wantCode(t, svc.UpdateType(ctx, admin, gone), jiedao.EINVALID, "removing fields")
		retyped := canteenType()
		retyped.Fields[1].Type = ledger.Text
		retyped.Fields[1].Measure = false
		wantCode(t, svc.UpdateType(ctx, admin, retyped), jiedao.EINVALID, "changing a field's type")

		after, _, typ, err := svc.List(ctx, admin, "canteen_test", ledger.Query{}, 10, 0)
		must(t, err)
		if typ.Version != 2 || len(typ.Fields) != 4 || len(after) != len(before) {
			t.Fatalf("type %+v, entries %d then %d", typ, len(before), len(after))
		}
		for i := range before {
			if before[i].ID != after[i].ID || before[i].Version != after[i].Version || len(before[i].Values) != len(after[i].Values) ||
				before[i].Values["elder"] != after[i].Values["elder"] || after[i].Values["meals"] != "5" {
				t.Fatalf("entry %d changed: %+v → %+v", before[i].ID, before[i], after[i])
			}
		}
		rows, _, err := svc.Aggregate(ctx, admin, "canteen_test", ledger.Query{Op: ledger.OpSum, Field: "meals"})
		must(t, err)
		if rows[0].Value != 15 {
			t.Fatalf("sum after the change: %+v", rows)
		}
		vs, err := db.Ledger().TypeVersions(ctx, typ.ID)
		must(t, err)
		if len(vs) != 2 || len(vs[0].Fields) != 3 || vs[0].Fields[2].Required {
			t.Fatalf("type versions: %+v", vs)
		}
		// A new entry must fill the newly required fields; editing an old
		// one too.
		_, err = svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-03-05", CommunityID: o.Yile.ID, Values: map[string]string{"elder": "新", "subsidy": "10"}})
		if je, ok := err.(*jiedao.Error); !ok || je.Field != "diet" {
			t.Fatalf("new entry without the new required field: %v", err)
		}
		_, err = svc.Edit(ctx, admin, ids[0], ledger.EntryInput{Day: "2023-03-01", CommunityID: o.Yile.ID, Values: map[string]string{"elder": "老人A", "meals": "6", "subsidy": "8", "diet": "低糖"}})
		must(t, err)
		_, _, hist, err := svc.Entry(ctx, admin, ids[0])
		must(t, err)
		if len(hist) != 2 || hist[0].Values["meals"] != "5" || hist[1].Values["diet"] != "低糖" {
			t.Fatalf("history: %+v", hist)
		}
	})
}

// sheet builds an XLSX file of rows.
func sheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	var b bytes.Buffer
	must(t, f.Write(&b))
	return b.Bytes()
}

func TestLedgerImportAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := ledgerService(db, cst(2023, 3, 1, 9, 0))
		admin, staff := o.Actor(org.RoleAdmin), o.Actor(org.RoleCommunityStaff)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		bad := sheet(t, [][]any{
			{"日期", "社区", "地点", "老人", "用餐次数", "补贴"},
			{"2023-04-01", o.Yile.Name, "食堂", "甲", 3, 10},
			{"2023-04-02", o.Yile.Name, "食堂", "", 3, 10},
			{"2023-04-03", "不存在社区", "食堂", "丙", 3, 10},
			{"2023-04-04", o.Yile.Name, "食堂", "丁", "三", 10},
			{"2023-04-05", o.Wenhua.Name, "食堂", "戊", 1, 1},
		})
		res, err := svc.Import(ctx, staff, "canteen_test", bad, false)
		must(t, err)
		if res.Rows != 5 || res.Created != 0 || len(res.Errors) != 4 {
			t.Fatalf("import: %+v", res)
		}
		want := []struct {
			row         int
			field, text string
		}{{3, "elder", "第3行“老人”"}, {4, "community", "第4行“社区”"}, {5, "meals", "第5行“用餐次数”"}, {6, "", "第6行"}}
		for i, w := range want {
			if res.Errors[i].Row != w.row || res.Errors[i].Field != w.field || !strings.HasPrefix(res.Errors[i].Zh, w.text) {
				t.Errorf("error %d: %+v, want row %d field %q %q…", i, res.Errors[i], w.row, w.field, w.text)
			}
		}
		if _, n, _, _ := svc.List(ctx, admin, "canteen_test", ledger.Query{}, 10, 0); n != 0 {
			t.Fatalf("a failed import stored %d entries", n)
		}
		good := sheet(t, [][]any{
			{"老人", "日期", "社区", "用餐次数"},
			{"甲", "2023-04-01", o.Yile.Name, 3},
			{"乙", "2023/4/2", o.Yile.Name, 4},
		})
		res, err = svc.Import(ctx, staff, "canteen_test", good, true)
		must(t, err)
		if res.Rows != 2 || res.Created != 0 || len(res.Errors) != 0 {
			t.Fatalf("dry run: %+v", res)
		}
		if _, n, _, _ := svc.List(ctx, admin, "canteen_test", ledger.Query{}, 10, 0); n != 0 {
			t.Fatalf("a dry run stored %d entries", n)
		}
		res, err = svc.Import(ctx, staff, "canteen_test", good, false)
		must(t, err)
		if res.Created != 2 {
			t.Fatalf("import: %+v", res)
		}
		// The export reads back in the same layout.
		var out bytes.Buffer
		must(t, svc.Export(ctx, admin, "canteen_test", ledger.Query{}, &out, table.XLSX))
		f, err := excelize.OpenReader(&out)
		must(t, err)
		rows, err := f.GetRows(f.GetSheetList()[0])
		must(t, err)
		if len(rows) != 3 || rows[0][3] != "老人" || rows[1][0] != "2023-04-02" || rows[1][3] != "乙" || rows[1][4] != "4" {
			t.Fatalf("export: %v", rows)
		}
	})
}

// TestLedgerBulkImport: entries stored many to a statement have their
// versions and values like any other, and entries added afterwards one by
// one take the next ids.
func TestLedgerBulkImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := ledgerService(db, cst(2023, 3, 1, 9, 0))
		admin := o.Actor(org.RoleAdmin)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		typ, err := svc.Type(ctx, "canteen_test")
		must(t, err)
		var es []*ledger.Entry
		for i := range 400 {
			e, err := typ.Check(ledger.EntryInput{Day: "2023-04-01", CommunityID: o.Yile.ID, Values: map[string]string{"elder": "老人" + strings.Repeat("甲", 1+i%3) + string(rune('A'+i%26)), "meals": "2"}})
			must(t, err)
			es = append(es, &e)
		}
		must(t, db.Ledger().ImportEntries(ctx, typ, es, admin, cst(2023, 4, 2, 9, 0)))
		one, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-04-03", CommunityID: o.Yile.ID, Values: map[string]string{"elder": "乙", "meals": "3"}})
		must(t, err)
		if one.ID != es[len(es)-1].ID+1 {
			t.Fatalf("the next id is %d after %d", one.ID, es[len(es)-1].ID)
		}
		rows, _, err := svc.Aggregate(ctx, admin, "canteen_test", ledger.Query{Op: ledger.OpSum, Field: "meals"})
		must(t, err)
		if rows[0].Value != 803 || rows[0].Entries != 401 {
			t.Fatalf("sum: %+v", rows)
		}
		rows, _, err = svc.Aggregate(ctx, admin, "canteen_test", ledger.Query{Op: ledger.OpDistinct, Field: "elder"})
		must(t, err)
		if rows[0].Value != 79 {
			t.Fatalf("distinct: %+v", rows)
		}
		_, _, hist, err := svc.Entry(ctx, admin, es[17].ID)
		must(t, err)
		if len(hist) != 1 || hist[0].Values["meals"] != "2" || hist[0].By != o.Admin.Name {
			t.Fatalf("history: %+v", hist)
		}
	})
}

// TestLedgerSumsEqualScanning: after entries are added (one by one and in
// bulk), edited (day, community, values) and deleted, every aggregate
// answered from ledger_sums and ledger_distinct equals the same aggregate
// computed from the entries.
func TestLedgerSumsEqualScanning(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := fixture.Build(ctx, db)
		must(t, err)
		svc := ledgerService(db, cst(2023, 3, 1, 9, 0))
		admin := o.Actor(org.RoleAdmin)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		typ, err := svc.Type(ctx, "canteen_test")
		must(t, err)
		comms := []int64{0, o.Yile.ID, o.Wenhua.ID}
		in := func(i int) ledger.EntryInput {
			v := map[string]string{"elder": fmt.Sprintf("老人%d", i%17), "meals": fmt.Sprint(1 + i%7)}
			if i%3 == 0 {
				v["subsidy"] = fmt.Sprintf("%d.%02d", i%50, i%100)
			}
			return ledger.EntryInput{Day: fmt.Sprintf("%d-%02d-%02d", 2022+i%3, 1+i%12, 1+i%28), CommunityID: comms[i%3], Values: v}
		}
		var ids []int64
		for i := range 60 {
			e, err := svc.Add(ctx, admin, "canteen_test", in(i))
			must(t, err)
			ids = append(ids, e.ID)
		}
		var bulk []*ledger.Entry
		for i := 60; i < 200; i++ {
			e, err := typ.Check(in(i))
			must(t, err)
			bulk = append(bulk, &e)
		}
		must(t, db.Ledger().ImportEntries(ctx, typ, bulk, admin, cst(2023, 5, 1, 9, 0)))
		for k, id := range ids {
			switch k % 4 {
			case 0:
				_, err = svc.Edit(ctx, admin, id, in(k+7))
			case 1:
				_, err = svc.Delete(ctx, admin, id)
			}
			must(t, err)
		}
		fast, slow := db.Ledger(), db.Ledger().ScanOnly()
		n := 0
		for _, op := range []ledger.Op{ledger.OpCount, ledger.OpSum, ledger.OpDistinct} {
			for _, field := range []string{"", "elder", "meals", "subsidy"} {
				if (op == ledger.OpSum && (field == "" || field == "elder")) || (op == ledger.OpDistinct && field != "elder") {
					continue
				}
				for _, g := range []ledger.Group{ledger.ByNone, ledger.ByMonth, ledger.ByCommunity} {
					for _, c := range comms {
						for _, period := range [][2]string{{"", ""}, {"2023-01-01", "2024-01-01"}, {"2022-03-01", "2023-07-01"}, {"2024-01-01", ""}} {
							q := ledger.Query{TypeID: typ.ID, Op: op, Field: field, Group: g, CommunityID: c, From: period[0], To: period[1]}
							a, err := fast.Aggregate(ctx, q)
							must(t, err)
							b, err := slow.Aggregate(ctx, q)
							must(t, err)
							if fmt.Sprint(a) != fmt.Sprint(b) {
								t.Fatalf("%+v:\n sums     %v\n scanning %v", q, a, b)
							}
							n++
						}
					}
				}
			}
		}
		t.Logf("%d aggregates equal", n)
	})
}
