package store_test

import (
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestFirstPhotoIDs: each case's oldest photo, in one query, for the cases
// that have one; a case without photos is absent, not zero.
func TestFirstPhotoIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2023, 9, 20, 10, 0))
		a := w.report(t, cst(2023, 9, 20, 10, 0), w.o.Actor(org.RoleDispatcher), 0, "0101")
		b := w.report(t, cst(2023, 9, 20, 10, 5), w.o.Actor(org.RoleDispatcher), 0, "0101")
		c := w.report(t, cst(2023, 9, 20, 10, 9), w.o.Actor(org.RoleDispatcher), 0, "0101")
		ps := db.Photos()
		photo := func(caseID int64, hash string) int64 {
			p := &casework.Photo{ContentType: "image/jpeg", Width: 1, Height: 1, CreatedAt: cst(2023, 9, 20, 11, 0), Data: []byte{1}, Thumb: []byte{1}, ClaimHash: hash}
			must(t, ps.CreatePhoto(bg, p))
			_, err := ps.ClaimPhotos(bg, caseID, []string{hash})
			must(t, err)
			return p.ID
		}
		b1 := photo(b.ID, "h-b1")
		a1 := photo(a.ID, "h-a1")
		photo(b.ID, "h-b2")
		got, err := ps.FirstPhotoIDs(bg, []int64{a.ID, b.ID, c.ID})
		must(t, err)
		if len(got) != 2 || got[a.ID] != a1 || got[b.ID] != b1 {
			t.Fatalf("first photos %v, want %d→%d and %d→%d only", got, a.ID, a1, b.ID, b1)
		}
		if none, err := ps.FirstPhotoIDs(bg, nil); err != nil || len(none) != 0 {
			t.Errorf("no cases: %v %v", none, err)
		}
	})
}
