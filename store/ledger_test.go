package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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

// TestLedgerSumsEqualScanning: in a district of two subdistricts, after
// entries are added (one by one and in bulk), edited (day, community,
// values, moved to the other subdistrict) and deleted, every aggregate
// answered from ledger_sums and ledger_distinct equals the same aggregate
// computed from the entries: of the deployment, of each subdistrict, of a
// community; and so does every aggregate after the kept sums are rebuilt
// from the entries (migration 0136's step), which gives the same rows.
func TestLedgerSumsEqualScanning(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		x := buildTwoSubdistricts(t, db)
		svc := ledgerService(db, cst(2023, 3, 1, 9, 0))
		svc.Jurisdictions = db.Org()
		admin := x.districtActor(org.RoleAdmin)
		must(t, svc.CreateType(ctx, admin, canteenType()))
		typ, err := svc.Type(ctx, "canteen_test")
		must(t, err)
		gd, xx := x.Gudang.ID, x.Xixi.ID
		// Entries of no community in either subdistrict, of Gudang's two
		// communities and of Xixi's one; the same elders in both
		// subdistricts, so that the deployment's distinct count is not the
		// sum of its subdistricts'.
		slots := []struct{ community, jurisdiction int64 }{{0, gd}, {x.Yile.ID, 0}, {x.Wenhua.ID, 0}, {x.Xixi1.ID, 0}, {0, xx}}
		in := func(i int) ledger.EntryInput {
			v := map[string]string{"elder": fmt.Sprintf("老人%d", i%17), "meals": fmt.Sprint(1 + i%7)}
			if i%3 == 0 {
				v["subsidy"] = fmt.Sprintf("%d.%02d", i%50, i%100)
			}
			s := slots[i%len(slots)]
			return ledger.EntryInput{Day: fmt.Sprintf("%d-%02d-%02d", 2022+i%3, 1+i%12, 1+i%28), CommunityID: s.community, JurisdictionID: s.jurisdiction, Values: v}
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
			e.JurisdictionID = in(i).JurisdictionID // placed by its community when 0
			bulk = append(bulk, &e)
		}
		must(t, db.Ledger().ImportEntries(ctx, typ, bulk, admin, cst(2023, 5, 1, 9, 0)))
		for k, id := range ids {
			switch k % 4 {
			case 0: // another slot (+7 moves it to another subdistrict or community)
				_, err = svc.Edit(ctx, admin, id, in(k+7))
			case 1:
				_, err = svc.Delete(ctx, admin, id)
			}
			must(t, err)
		}
		scopes := []ledgerScope{
			{"deployment", 0, 0}, {"Gudang", gd, 0}, {"Xixi", xx, 0},
			{"Yile", 0, x.Yile.ID}, {"Xixi1", 0, x.Xixi1.ID}, {"Gudang's Yile", gd, x.Yile.ID},
			{"Xixi's Yile (none)", xx, x.Yile.ID}, {"Xixi's Xixi1", xx, x.Xixi1.ID},
		}
		compare := func(when string) {
			t.Helper()
			ledgerSumsEqualScanning(t, db, typ.ID, scopes, when)
		}
		compare("after adding, editing and deleting")

		// An entry of Yile (Gudang) moved to Xixi's community, another of
		// no community moved from Xixi to Gudang, then both deleted.
		moved, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-06-10", CommunityID: x.Yile.ID, Values: map[string]string{"elder": "独一无二", "meals": "9", "subsidy": "3.25"}})
		must(t, err)
		loose, err := svc.Add(ctx, admin, "canteen_test", ledger.EntryInput{Day: "2023-06-11", JurisdictionID: xx, Values: map[string]string{"elder": "老人3", "meals": "4"}})
		must(t, err)
		compare("after adding two")
		e, err := svc.Edit(ctx, admin, moved.ID, ledger.EntryInput{Day: "2023-06-10", CommunityID: x.Xixi1.ID, Values: map[string]string{"elder": "独一无二", "meals": "9", "subsidy": "3.25"}})
		must(t, err)
		if e.JurisdictionID != xx {
			t.Fatalf("moved to Xixi's community, the entry is of subdistrict %d", e.JurisdictionID)
		}
		e, err = svc.Edit(ctx, admin, loose.ID, ledger.EntryInput{Day: "2023-06-11", JurisdictionID: gd, Values: map[string]string{"elder": "老人3", "meals": "4"}})
		must(t, err)
		if e.JurisdictionID != gd {
			t.Fatalf("moved to Gudang, the entry is of subdistrict %d", e.JurisdictionID)
		}
		compare("after moving them to the other subdistrict")
		for _, id := range []int64{moved.ID, loose.ID} {
			_, err := svc.Delete(ctx, admin, id)
			must(t, err)
		}
		compare("after deleting them")

		// Rebuilt from the entries, the kept sums hold the same rows
		// (those a value still holds) and answer the same.
		kept := ledgerSumRows(t, db)
		must(t, db.RebuildLedgerSums(ctx))
		if rebuilt := ledgerSumRows(t, db); fmt.Sprint(rebuilt) != fmt.Sprint(kept) {
			t.Fatalf("rebuilt sums differ from the kept ones:\n kept    %v\n rebuilt %v", kept, rebuilt)
		}
		compare("after a rebuild")
	})
}

// ledgerScope is whose aggregates ledgerSumsEqualScanning compares: the
// deployment's (0, 0), a subdistrict's, a community's or both.
type ledgerScope struct {
	name                    string
	jurisdiction, community int64
}

// ledgerSumsEqualScanning compares every aggregate of a canteenType
// ledger (each op, field, group and period, of each scope) answered from
// the kept sums with the same one read from the entries, and checks that
// some elder is counted in two subdistricts (the deployment's distinct
// count is less than the sum of theirs) when scopes has two.
func ledgerSumsEqualScanning(t *testing.T, db *store.DB, typeID int64, scopes []ledgerScope, when string) {
	t.Helper()
	ctx := context.Background()
	fast, slow := db.Ledger(), db.Ledger().ScanOnly()
	n := 0
	for _, op := range []ledger.Op{ledger.OpCount, ledger.OpSum, ledger.OpDistinct} {
		for _, field := range []string{"", "elder", "meals", "subsidy"} {
			if (op == ledger.OpSum && (field == "" || field == "elder")) || (op == ledger.OpDistinct && field != "elder") {
				continue
			}
			for _, g := range []ledger.Group{ledger.ByNone, ledger.ByMonth, ledger.ByCommunity} {
				for _, sc := range scopes {
					for _, period := range [][2]string{{"", ""}, {"2023-01-01", "2024-01-01"}, {"2022-03-01", "2023-07-01"}, {"2024-01-01", ""}, {"2022-01-01", "2024-01-01"}} {
						q := ledger.Query{TypeID: typeID, Op: op, Field: field, Group: g, CommunityID: sc.community, Jurisdiction: sc.jurisdiction, From: period[0], To: period[1]}
						a, err := fast.Aggregate(ctx, q)
						must(t, err)
						b, err := slow.Aggregate(ctx, q)
						must(t, err)
						if fmt.Sprint(a) != fmt.Sprint(b) {
							t.Fatalf("%s, %s: %+v:\n sums     %v\n scanning %v", when, sc.name, q, a, b)
						}
						n++
					}
				}
			}
		}
	}
	// What the rows of every subdistrict together are for: an elder in
	// both counts once in the deployment.
	var subs []int64
	for _, sc := range scopes {
		if sc.jurisdiction != 0 && sc.community == 0 {
			subs = append(subs, sc.jurisdiction)
		}
	}
	if len(subs) == 2 {
		var sum float64
		for _, j := range []int64{0, subs[0], subs[1]} {
			rows, err := fast.Aggregate(ctx, ledger.YearQuery(ledger.Query{TypeID: typeID, Op: ledger.OpDistinct, Field: "elder", Jurisdiction: j}, 2023))
			must(t, err)
			if j == 0 {
				sum = -rows[0].Value
			} else {
				sum += rows[0].Value
			}
		}
		if sum <= 0 {
			t.Fatalf("%s: the subdistricts' distinct elders add up to %v more than the deployment's; want some held in both", when, sum)
		}
	}
	t.Logf("%s: %d aggregates equal", when, n)
}

// ledgerSumRows lists the rows of ledger_sums and ledger_distinct that
// count something, totals rounded (a kept total is added and taken away).
func ledgerSumRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	rows, err := db.Query(context.Background(), `SELECT type_id, field, month, jurisdiction_id, community_id, n, total FROM ledger_sums WHERE n <> 0
		ORDER BY type_id, field, month, jurisdiction_id, community_id`)
	must(t, err)
	for rows.Next() {
		var typ, j, c, n int64
		var field, month string
		var total float64
		must(t, rows.Scan(&typ, &field, &month, &j, &c, &n, &total))
		out = append(out, fmt.Sprintf("sums %d %s %s %d %d: %d %.6f", typ, field, month, j, c, n, total))
	}
	rows.Close()
	must(t, rows.Err())
	rows, err = db.Query(context.Background(), `SELECT type_id, field, year, jurisdiction_id, community_id, txt, n FROM ledger_distinct WHERE n <> 0
		ORDER BY type_id, field, year, jurisdiction_id, community_id, txt`)
	must(t, err)
	for rows.Next() {
		var typ, j, c, n int64
		var year int
		var field, txt string
		must(t, rows.Scan(&typ, &field, &year, &j, &c, &txt, &n))
		out = append(out, fmt.Sprintf("distinct %d %s %d %d %d %s: %d", typ, field, year, j, c, txt, n))
	}
	rows.Close()
	must(t, rows.Err())
	return out
}

// TestLedgerSumsRebuiltByMigration: a database of the release before
// migration 0136, whose kept sums were per community only, with entries
// of two subdistricts (some deleted) comes out of the migration with sums
// per subdistrict that answer every aggregate as the entries do.
func TestLedgerSumsRebuiltByMigration(t *testing.T) {
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db, err := store.Open(ctx, testdb.DSN(t, engine))
			must(t, err)
			defer db.Close()
			_, err = db.MigrateUpTo(ctx, "0135_build_checkpoints.sql")
			must(t, err)
			x := buildTwoSubdistricts(t, db)
			admin := x.districtActor(org.RoleAdmin)
			typ := canteenType()
			at := cst(2023, 1, 1, 9, 0)
			must(t, db.Ledger().CreateType(ctx, typ, admin, at))
			gd, xx := x.Gudang.ID, x.Xixi.ID
			// The entries and their values as that release wrote them, and
			// a sum of its shape, which the migration replaces.
			slots := []struct{ community, jurisdiction int64 }{{0, gd}, {x.Yile.ID, gd}, {x.Wenhua.ID, gd}, {x.Xixi1.ID, xx}, {0, xx}}
			for i := range 150 {
				s := slots[i%len(slots)]
				day := fmt.Sprintf("%d-%02d-%02d", 2022+i%3, 1+i%12, 1+i%28)
				values := map[string]string{"elder": fmt.Sprintf("老人%d", i%17), "meals": fmt.Sprint(1 + i%7)}
				if i%3 == 0 {
					values["subsidy"] = fmt.Sprintf("%d.%02d", i%50, i%100)
				}
				data, err := json.Marshal(values)
				must(t, err)
				var comm any
				if s.community != 0 {
					comm = s.community
				}
				deleted := boolInt(i%11 == 5)
				id := int64(i + 1)
				_, err = db.Exec(ctx, `INSERT INTO ledger_entries (id, type_id, day, community_id, place, data, version, deleted, created_at, created_by, updated_at, updated_by, jurisdiction_id)
					VALUES (?, ?, ?, ?, '', ?, 1, ?, ?, ?, ?, ?, ?)`, id, typ.ID, day, comm, string(data), deleted, at, admin.Name, at, admin.Name, s.jurisdiction)
				must(t, err)
				if deleted != 0 {
					continue
				}
				for _, f := range typ.Fields {
					v, ok := values[f.Key]
					if !ok {
						continue
					}
					var num any
					if f.Type.Numeric() {
						n, err := strconv.ParseFloat(v, 64)
						must(t, err)
						num = n
					}
					_, err = db.Exec(ctx, `INSERT INTO ledger_values (entry_id, field, type_id, day, community_id, num, txt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
						id, f.Key, typ.ID, day, comm, num, v)
					must(t, err)
				}
			}
			_, err = db.Exec(ctx, `INSERT INTO ledger_sums (type_id, field, month, community_id, n, total) VALUES (?, '', '2023-01', 0, 999, 0)`, typ.ID)
			must(t, err)

			applied, err := db.Migrate(ctx)
			must(t, err)
			if len(applied) == 0 || applied[0] != "0136_ledger_sums_jurisdictions.sql" {
				t.Fatalf("applied %v", applied)
			}
			ledgerSumsEqualScanning(t, db, typ.ID, []ledgerScope{
				{"deployment", 0, 0}, {"Gudang", gd, 0}, {"Xixi", xx, 0},
				{"Yile", 0, x.Yile.ID}, {"Xixi1", 0, x.Xixi1.ID}, {"Xixi's Xixi1", xx, x.Xixi1.ID},
			}, "after migration 0136")
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
