package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestEachCase: the keyset walk gives exactly the list's cases in the
// list's order, whatever the page size, across pages that split cases
// reported at the same instant; scopes and filters hold; an error from
// the callback ends it.
func TestEachCase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		o := w.o
		resident := org.ResidentActor("张三")
		// Three at 9:00 and two at 10:00 on the same day: ties to break by id.
		for _, at := range []int{9, 9, 10, 9, 10} {
			w.report(t, cst(2024, 6, 3, at, 0), resident, o.GridW1.ID, fixture.CatExposedTrash)
		}
		w.report(t, cst(2024, 6, 2, 8, 0), resident, o.GridY1.ID, fixture.CatStreetVendor)
		w.report(t, cst(2024, 6, 4, 8, 0), resident, o.GridW2.ID, fixture.CatExposedTrash)
		cs := db.Cases()
		numbers := func(cases []*casework.Case) string {
			var out []string
			for _, c := range cases {
				out = append(out, c.Number)
			}
			return fmt.Sprint(out)
		}
		for _, f := range []casework.Filter{
			{Scope: casework.Scope{All: true}},
			{Scope: casework.Scope{GridIDs: []int64{o.GridW1.ID}}},
			{Scope: casework.Scope{All: true}, Category: fixture.CatExposedTrash, From: cst(2024, 6, 3, 0, 0)},
			{Scope: casework.Scope{CommunityID: o.Yile.ID}},
			{Scope: casework.Scope{None: true}},
		} {
			lf := f
			lf.Limit = 500
			list, total, err := cs.ListCases(bg, lf)
			must(t, err)
			for _, page := range []int{1, 2, 3, 100} {
				f.Limit = page
				var got []*casework.Case
				must(t, cs.EachCase(bg, f, func(c *casework.Case) error { got = append(got, c); return nil }))
				if numbers(got) != numbers(list) || len(got) != total {
					t.Errorf("scope %+v, page %d: %s, want %s", f.Scope, page, numbers(got), numbers(list))
				}
			}
		}
		stop := errors.New("stop")
		n := 0
		err := cs.EachCase(bg, casework.Filter{Scope: casework.Scope{All: true}, Limit: 2}, func(*casework.Case) error {
			if n++; n == 3 {
				return stop
			}
			return nil
		})
		if err != stop || n != 3 {
			t.Errorf("stopped walk: %v after %d", err, n)
		}
	})
}
