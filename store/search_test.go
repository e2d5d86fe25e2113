package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestTextSearch: the case list's text search answers from the bigram
// index (store/search.go) exactly what the LIKE over every case answers
// (the scan-only store), on both engines, before the index is built,
// once it is, for cases changed or created after it was brought up to
// date, and again after the search job ran.
func TestTextSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		disp := o.Actor(org.RoleDispatcher)
		resident := org.ResidentActor("张三")
		text := func(title, details, address string) func(*casework.ReportInput) {
			return func(in *casework.ReportInput) { in.Title, in.Details, in.Address = title, details, address }
		}
		c1 := w.report(t, cst(2024, 6, 3, 9, 0), resident, o.GridW1.ID, fixture.CatExposedTrash,
			text("垃圾桶满溢", "小区门口垃圾桶满了", "文三路 100 号 EFC 大楼"))
		c2 := w.report(t, cst(2024, 6, 3, 10, 0), resident, o.GridY1.ID, fixture.CatStreetVendor,
			text("早餐摊占道", "早餐摊占道经营，电话 13800001111", "古墩路 12-3 号"))
		c3 := w.report(t, cst(2024, 6, 3, 11, 0), disp, o.GridB1.ID, fixture.CatExposedTrash,
			text("Street Light BROKEN", "路灯不亮 100% 黑，a_b 段", "留下街道交界处（东侧）"))
		c4 := w.report(t, cst(2024, 6, 4, 9, 0), resident, o.GridW2.ID, fixture.CatExposedTrash,
			text("垃圾分类不到位", "Ärger über Müll", "Straße 5"))
		c5 := w.report(t, cst(2024, 6, 4, 10, 0), resident, o.GridW1.ID, fixture.CatExposedTrash,
			text("垃圾桶满溢又来了", "同一处垃圾桶", "文三路 100 号"))
		// c5 is merged into c1, c4 voided and its contact anonymised: the
		// steps that end a case keep its text searchable.
		w.step(t, cst(2024, 6, 4, 10, 5), disp, c5.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 4, 10, 6), disp, c5.ID, casework.StepInput{Action: casework.ActMerge, MergeInto: c1.ID, Reason: "重复上报"})
		w.step(t, cst(2024, 6, 4, 10, 7), disp, c4.ID, casework.StepInput{Action: casework.ActAccept})
		w.step(t, cst(2024, 6, 4, 10, 8), disp, c4.ID, casework.StepInput{Action: casework.ActVoid, Reason: "重复上报"})
		n, err := db.Cases().AnonymiseContacts(bg, casework.RetentionQuery{Statuses: casework.FinalStatuses(), EndedBefore: cst(2030, 1, 1, 0, 0)}, cst(2024, 6, 5, 0, 0), 100)
		must(t, err)
		if n.Anonymised == 0 {
			t.Fatal("no contact anonymised")
		}

		queries := []string{
			"垃圾", "垃圾桶", "垃圾桶满溢", "  垃圾桶  ", "桶满", "满溢又", "无此内容", "垃", "e", "",
			"efc", "EFC", "Efc 大", "light", "BROKEN", "street light broken", "路灯不亮 100% 黑，a_b 段",
			"13800001111", "0000", "100%", "楼", "号", "）", "侧", "5", "ü", "Ä", "ß", "Q", "、", "a_b", "a%b", "（东侧）", "交界处（", "12-3", "ärger", "ÄRGER", "über", "straße", "STRASSE",
			"早餐摊占道经营，电话 13800001111", // more bigrams than a query is looked up by
			c1.Number[4:], c2.Number[2:12], // a number's end or middle is words, not a number
		}
		all := casework.Scope{All: true}
		same := func(stage string) {
			t.Helper()
			for _, q := range queries {
				f := casework.Filter{Scope: all, Query: q, Limit: 100}
				got, total, err := db.Cases().ListCases(bg, f)
				must(t, err)
				want, wantTotal, err := db.Cases().ScanOnly().ListCases(bg, f)
				must(t, err)
				if !slices.Equal(listIDs(got), listIDs(want)) || total != wantTotal {
					t.Errorf("%s: q=%q: index %v (total %d), scan %v (total %d)", stage, q, listIDs(got), total, listIDs(want), wantTotal)
				}
				count, err := db.Cases().CountCases(bg, f)
				must(t, err)
				if count != wantTotal {
					t.Errorf("%s: q=%q: counted %d, scan %d", stage, q, count, wantTotal)
				}
			}
		}
		find := func(stage, q string, want ...*casework.Case) {
			t.Helper()
			got, _, err := db.Cases().ListCases(bg, casework.Filter{Scope: all, Query: q, Limit: 100})
			must(t, err)
			if !slices.Equal(ids(got), idList(want...)) {
				t.Errorf("%s: q=%q: %v, want %v", stage, q, ids(got), idList(want...))
			}
		}
		same("before the index")

		run, err := db.IndexSearch(bg)
		must(t, err)
		if run.Indexed != 5 || run.Through == 0 {
			t.Fatalf("first run: %+v", run)
		}
		same("indexed")
		find("indexed", "垃圾", c1, c4, c5)
		find("indexed", "efc", c1)
		find("indexed", "Broken", c3)
		find("indexed", "a_b", c3)
		find("indexed", "0000", c2)

		// After the watermark: a new case, and a change of a case's text
		// by a step (none changes text today: the step's event is
		// written, then the row as such a step would write it), read by
		// their events.
		c6 := w.report(t, cst(2024, 6, 5, 9, 0), resident, o.GridW1.ID, fixture.CatExposedTrash,
			text("新的垃圾堆", "EFC 门口", ""))
		w.step(t, cst(2024, 6, 5, 9, 5), disp, c3.ID, casework.StepInput{Action: casework.ActAccept})
		_, err = db.Exec(bg, `UPDATE cases SET title = ?, details = ? WHERE id = ?`, "路灯修好了 FIXED", "已处理", c3.ID)
		must(t, err)
		queries = append(queries, "垃圾堆", "fixed", "路灯修好", "已处理")
		same("after the watermark")
		find("after the watermark", "efc", c1, c6)
		find("after the watermark", "broken") // stale tokens: a candidate the LIKE turns down
		find("after the watermark", "fixed", c3)

		run, err = db.IndexSearch(bg)
		must(t, err)
		if run.Indexed != 2 {
			t.Errorf("second run indexed %d cases, want c3 and c6", run.Indexed)
		}
		same("indexed again")
		find("indexed again", "垃圾", c1, c4, c5, c6)
		find("indexed again", "fixed", c3)

		// The index is what answers: a change without an event (which no
		// step makes) is not seen until the case's next event.
		_, err = db.Exec(bg, `UPDATE cases SET details = ? WHERE id = ?`, "孤立的改动", c2.ID)
		must(t, err)
		find("a change without an event", "孤立的改动")
		if got, _, _ := db.Cases().ScanOnly().ListCases(bg, casework.Filter{Scope: all, Query: "孤立的改动", Limit: 10}); len(got) != 1 {
			t.Errorf("the scan misses the change: %v", ids(got))
		}
		find("a change without an event", "孤") // one character: from the index too

		// An index of tokens from before the field ends (version 0):
		// longer queries keep reading it, one character scans, and the
		// job's next run retokenizes every case.
		_, err = db.Exec(bg, `DELETE FROM meta WHERE key = 'search_tokens'`)
		must(t, err)
		find("old tokens", "孤立的改动")
		find("old tokens", "孤", c2)
		run, err = db.IndexSearch(bg)
		must(t, err)
		if run.Indexed != 6 {
			t.Errorf("retokenizing indexed %d cases, want all 6", run.Indexed)
		}
		find("retokenized", "孤立的改动", c2)
		find("retokenized", "孤", c2)
		same("retokenized")
		if run, err = db.IndexSearch(bg); err != nil || run.Indexed != 0 {
			t.Errorf("a run after retokenizing: %+v, %v; want nothing to index", run, err)
		}

		// Filters and scopes narrow a search as before; pages and sorts.
		f := casework.Filter{Scope: casework.Scope{GridIDs: []int64{o.GridW1.ID}}, Query: "垃圾", Limit: 100}
		got, total, err := db.Cases().ListCases(bg, f)
		must(t, err)
		if !slices.Equal(ids(got), idList(c1, c5, c6)) || total != 3 {
			t.Errorf("grid scope: %v (total %d)", ids(got), total)
		}
		for _, sort := range []casework.CaseSort{casework.SortReported, casework.SortNumber, casework.SortDue} {
			for offset := range 4 {
				f := casework.Filter{Scope: all, Query: "垃圾", Limit: 1, Offset: offset, Sort: sort}
				got, _, err := db.Cases().ListCases(bg, f)
				must(t, err)
				want, _, err := db.Cases().ScanOnly().ListCases(bg, f)
				must(t, err)
				if !slices.Equal(listIDs(got), listIDs(want)) {
					t.Errorf("sort %s offset %d: %v, scan %v", sort, offset, listIDs(got), listIDs(want))
				}
			}
		}
	})
}

// TestTextSearchTotalCap: a search's total counts to SearchTotalCap, past
// which it is SearchTotalCap+1 ("more"), and the pages past the cap are
// still read, in order, from the index as from the scan.
func TestTextSearchTotalCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		c := w.report(t, cst(2024, 6, 3, 9, 0), org.ResidentActor("张三"), w.o.GridW1.ID, fixture.CatExposedTrash,
			func(in *casework.ReportInput) { in.Title, in.Details = "垃圾成堆", "垃圾成堆" })
		// More cases than the cap, copies of c's row (the list reads the
		// rows only), reported a second apart.
		n := casework.SearchTotalCap + 20
		_, err := db.Exec(bg, `INSERT INTO cases (number, channel, category, urgency, title, details, address, status, reported_at, event_count, updated_at, data, kind, jurisdiction_id)
			WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			SELECT 'X-' || CAST(k.i AS TEXT), c.channel, c.category, c.urgency, c.title, c.details, c.address, c.status, c.reported_at, c.event_count, c.updated_at, c.data, c.kind, c.jurisdiction_id
			FROM cases c, k WHERE c.id = ?`, n, c.ID)
		must(t, err)
		if _, err := db.IndexSearch(bg); err != nil {
			t.Fatal(err)
		}
		all := casework.Scope{All: true}
		for _, q := range []string{"垃圾成堆", "垃"} {
			f := casework.Filter{Scope: all, Query: q, Limit: 50}
			_, total, err := db.Cases().ListCases(bg, f)
			must(t, err)
			if total != casework.SearchTotalCap+1 || !casework.TotalCapped(f, total) {
				t.Errorf("q=%q: total %d, want %d (capped)", q, total, casework.SearchTotalCap+1)
			}
			count, err := db.Cases().CountCases(bg, f)
			must(t, err)
			if count != n+1 {
				t.Errorf("q=%q: CountCases %d, want %d (exact)", q, count, n+1)
			}
			// A common word's page is read by the LIKE alone if it is
			// quick, else from the candidates probed: both give the
			// scan's rows.
			for _, scanFirst := range []time.Duration{time.Minute, 0} {
				restore := store.SetSearchScanFirst(scanFirst)
				for _, off := range []int{0, 950, 1000} {
					f.Offset = off
					got, _, err := db.Cases().ListCases(bg, f)
					must(t, err)
					want, _, err := db.Cases().ScanOnly().ListCases(bg, f)
					must(t, err)
					if len(got) == 0 || !slices.Equal(listIDs(got), listIDs(want)) {
						t.Errorf("q=%q offset %d, scan first %s: %d rows, differ from the scan's %d", q, off, scanFirst, len(got), len(want))
					}
				}
				restore()
			}
		}
		_, total, err := db.Cases().ScanOnly().ListCases(bg, casework.Filter{Scope: all, Limit: 50})
		must(t, err)
		if total != n+1 {
			t.Errorf("a list without words counts %d, want %d", total, n+1)
		}
	})
}
