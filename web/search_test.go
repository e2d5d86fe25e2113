package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestCaseSearch: the case list's search box and the API's q find the
// cases whose text holds the words, from the search index (store/search.go)
// once it is built and for cases reported after, with the total; a common
// word's total is shown as "1000+" and its pages go on past the cap.
func TestCaseSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		disp := e.fx.Actor(org.RoleDispatcher)
		report := func(title, details, address string) *casework.Case {
			t.Helper()
			c, err := e.cases.Report(ctx, disp, casework.ReportInput{Category: fixture.CatExposedTrash, Title: title, Details: details,
				Address: address, GridID: e.fx.GridW1.ID})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		a := report("垃圾桶满溢", "门口垃圾桶满了", "文三路 EFC 大楼")
		report("井盖缺失", "人行道井盖缺失", "古墩路")
		c := report("Garbage 清运不及时", "三天未清运", "")
		if _, err := db.IndexSearch(ctx); err != nil {
			t.Fatal(err)
		}
		d := report("新的垃圾堆", "路边", "") // after the index was brought up to date
		b := e.browser()
		b.login(e.fx.Dispatcher)
		numbers := func(body string) []string {
			var out []string
			for _, m := range rowNumberRE.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"垃圾", []string{d.Number, a.Number}},
			{"efc", []string{a.Number}},
			{"GARBAGE", []string{c.Number}},
			{"清运", []string{c.Number}},
			{"无此内容", nil},
		} {
			st, body := b.get("/cases?q=" + url.QueryEscape(tc.q))
			if got := numbers(body); st != http.StatusOK || !slices.Equal(got, tc.want) {
				t.Errorf("/cases?q=%s: %d %v, want %v", tc.q, st, got, tc.want)
			}
			var list struct {
				Total       int  `json:"total"`
				TotalCapped bool `json:"total_capped"`
				Cases       []struct {
					Number string `json:"number"`
				} `json:"cases"`
			}
			st, body = b.get("/api/v1/cases?q=" + url.QueryEscape(tc.q))
			if err := json.Unmarshal([]byte(body), &list); err != nil || st != http.StatusOK {
				t.Fatalf("API q=%s: %d %v %.200s", tc.q, st, err, body)
			}
			var got []string
			for _, c := range list.Cases {
				got = append(got, c.Number)
			}
			if !slices.Equal(got, tc.want) || list.Total != len(tc.want) || list.TotalCapped {
				t.Errorf("API q=%s: %v total %d capped %v, want %v", tc.q, got, list.Total, list.TotalCapped, tc.want)
			}
		}

		// More than the cap: copies of a's row (the list reads rows only).
		_, err := db.Exec(ctx, `INSERT INTO cases (number, channel, category, urgency, title, details, address, status, reported_at, event_count, updated_at, data, kind, jurisdiction_id, grid_id, community_id)
			WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			SELECT 'X-' || CAST(k.i AS TEXT), c.channel, c.category, c.urgency, c.title, c.details, c.address, c.status, c.reported_at, c.event_count, c.updated_at, c.data, c.kind, c.jurisdiction_id, c.grid_id, c.community_id
			FROM cases c, k WHERE c.id = ?`, casework.SearchTotalCap+60, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Rows written without an event are not the job's to find: the
		// index is built again from every case, as an operator would.
		if _, err := db.Exec(ctx, `DELETE FROM meta WHERE key = 'search_through'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IndexSearch(ctx); err != nil {
			t.Fatal(err)
		}
		_, body := b.get("/cases?q=" + url.QueryEscape("垃圾桶"))
		if !strings.Contains(body, "1000+ 件") || !strings.Contains(body, "<b data-total>1000+</b>") || len(numbers(body)) != 50 {
			t.Errorf("a common word's list: the total is not 1000+ or the page is not full")
		}
		_, body = b.get("/cases?page=21&q=" + url.QueryEscape("垃圾桶"))
		if len(numbers(body)) != 50 || !strings.Contains(body, `rel="next"`) || !strings.Contains(body, "第1001–1050 条") {
			t.Errorf("page 21 of a common word: %d rows, or no next page", len(numbers(body)))
		}
		var list struct {
			Total       int  `json:"total"`
			TotalCapped bool `json:"total_capped"`
		}
		_, body = b.get("/api/v1/cases?q=" + url.QueryEscape("垃圾桶"))
		if err := json.Unmarshal([]byte(body), &list); err != nil || list.Total != casework.SearchTotalCap || !list.TotalCapped {
			t.Errorf("API: total %d capped %v (%v)", list.Total, list.TotalCapped, err)
		}
	})
}
