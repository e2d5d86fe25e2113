package org

import (
	"context"
	"strconv"
	"sync"

	"github.com/jiedao/jiedao/geo"
)

// PlaceSource is what Places reads: the grids and a counter that changes
// whenever a grid or community is written, by any process.
type PlaceSource interface {
	ListGrids(ctx context.Context) ([]*Grid, error)
	PlacesVersion(ctx context.Context) (int64, error)
}

// Places finds the grid and community of a point with a spatial index over
// the grids. The index is rebuilt when the grids change, so several
// processes sharing one database all see an edit on the next report.
type Places struct {
	src PlaceSource

	mu        sync.RWMutex
	version   int64
	built     bool
	index     *geo.Index
	community map[int64]int64 // grid id → community id
}

// NewPlaces returns a Places over src.
func NewPlaces(src PlaceSource) *Places { return &Places{src: src} }

// Place returns the most specific grid containing p (the smallest, so that
// a building grid wins over the standard grid around it) and its community.
func (pl *Places) Place(ctx context.Context, p geo.Point) (gridID, communityID int64, found bool, err error) {
	ix, comm, err := pl.current(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	keys := ix.Locate(p)
	if len(keys) == 0 {
		return 0, 0, false, nil
	}
	id, _ := strconv.ParseInt(keys[0], 10, 64)
	return id, comm[id], true, nil
}

// Near reports whether p lies within about metres of the box around every
// grid: the jurisdiction, as far as the grids draw it. Without grids every
// point is near (nothing is configured to refuse it by).
func (pl *Places) Near(ctx context.Context, p geo.Point, metres float64) (bool, error) {
	ix, _, err := pl.current(ctx)
	if err != nil {
		return false, err
	}
	b, ok := ix.Bounds()
	if !ok {
		return true, nil
	}
	return b.Grow(metres).Contains(p), nil
}

func (pl *Places) current(ctx context.Context) (*geo.Index, map[int64]int64, error) {
	v, err := pl.src.PlacesVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	pl.mu.RLock()
	if pl.built && pl.version == v {
		ix, comm := pl.index, pl.community
		pl.mu.RUnlock()
		return ix, comm, nil
	}
	pl.mu.RUnlock()

	grids, err := pl.src.ListGrids(ctx)
	if err != nil {
		return nil, nil, err
	}
	shapes := make([]geo.Shape, len(grids))
	comm := make(map[int64]int64, len(grids))
	for i, g := range grids {
		shapes[i] = geo.Shape{Key: strconv.FormatInt(g.ID, 10), Geometry: g.Geometry}
		comm[g.ID] = g.CommunityID
	}
	ix := geo.NewIndex(shapes)
	pl.mu.Lock()
	pl.index, pl.community, pl.version, pl.built = ix, comm, v, true
	pl.mu.Unlock()
	return ix, comm, nil
}
