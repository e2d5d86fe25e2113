package geo

import (
	"math"
	"sort"
)

// Shape is one grid or community to place points in.
type Shape struct {
	Key      string
	Geometry MultiPolygon
}

// Index finds the shapes that contain a point. It is a static R-tree packed
// with the Sort-Tile-Recursive algorithm over the shapes' bounding boxes:
// a query descends only into boxes holding the point, so with thousands of
// grids a lookup reads a few dozen boxes and runs the exact point-in-polygon
// test only on the two or three shapes whose box holds the point. Unlike a
// uniform bucket grid, it stays small when large shapes (a whole community)
// overlap many small ones.
//
// An Index is immutable once built and safe for concurrent use. It keeps the
// geometries it was given without copying them: do not modify them after.
type Index struct {
	n       int     // shapes given, including those that can hold no point
	entries []entry // the shapes that can hold a point, in leaf order
	// levels[0] are the leaves, each covering a run of entries; levels[l]
	// covers runs of levels[l-1]; the last level is the single root.
	levels [][]node
}

type entry struct {
	key    string
	geom   MultiPolygon
	bounds Bounds
	area   float64 // square metres, to order the answer
	order  int     // position in the input, the last tie-breaker
}

type node struct {
	b      Bounds
	lo, hi int32 // children: [lo, hi) in the level below, or in entries
}

// nodeCapacity is the fan-out of the tree. For point queries a small node
// wastes few box tests on siblings; 16 keeps the tree three levels deep for
// ten thousand grids.
const nodeCapacity = 16

// NewIndex builds the index. Shapes should be valid (see Validate); one with
// no position or a non-finite bound can contain no point and is left out of
// the tree, though it still counts in Len.
func NewIndex(shapes []Shape) *Index {
	ix := &Index{n: len(shapes)}
	ix.entries = make([]entry, 0, len(shapes))
	for i, s := range shapes {
		b := s.Geometry.Bounds()
		if s.Geometry.positions() == 0 || !finite(b) {
			continue
		}
		ix.entries = append(ix.entries, entry{key: s.Key, geom: s.Geometry, bounds: b, area: s.Geometry.AreaM2(), order: i})
	}
	if len(ix.entries) == 0 {
		return ix
	}

	boxes := make([]Bounds, len(ix.entries))
	for i := range ix.entries {
		boxes[i] = ix.entries[i].bounds
	}
	perm := strOrder(boxes)
	sorted := make([]entry, len(ix.entries))
	for i, p := range perm {
		sorted[i] = ix.entries[p]
		boxes[i] = sorted[i].bounds
	}
	ix.entries = sorted

	for {
		parents := group(boxes)
		if len(parents) == 1 {
			ix.levels = append(ix.levels, parents)
			break
		}
		// Sort this level before the next is built on it, so that each
		// parent covers neighbours; a node keeps its children's range as it
		// moves, since the level below is already fixed.
		boxes = boxes[:len(parents)]
		for i := range parents {
			boxes[i] = parents[i].b
		}
		perm := strOrder(boxes)
		level := make([]node, len(parents))
		for i, p := range perm {
			level[i] = parents[p]
			boxes[i] = level[i].b
		}
		ix.levels = append(ix.levels, level)
	}
	return ix
}

func finite(b Bounds) bool {
	for _, v := range [...]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// group makes one parent node for each run of nodeCapacity boxes.
func group(boxes []Bounds) []node {
	parents := make([]node, 0, (len(boxes)+nodeCapacity-1)/nodeCapacity)
	for lo := 0; lo < len(boxes); lo += nodeCapacity {
		hi := min(lo+nodeCapacity, len(boxes))
		b := boxes[lo]
		for _, c := range boxes[lo+1 : hi] {
			b = b.extend(c)
		}
		parents = append(parents, node{b: b, lo: int32(lo), hi: int32(hi)})
	}
	return parents
}

// strOrder returns the Sort-Tile-Recursive order of boxes: sorted by the
// longitude of their centres into about √(n/capacity) vertical slices, each
// slice sorted by latitude, so that consecutive runs of nodeCapacity boxes
// are compact tiles.
func strOrder(boxes []Bounds) []int {
	n := len(boxes)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	cx := func(i int) float64 { return boxes[i].MinLon + boxes[i].MaxLon }
	cy := func(i int) float64 { return boxes[i].MinLat + boxes[i].MaxLat }
	sort.SliceStable(perm, func(a, b int) bool { return cx(perm[a]) < cx(perm[b]) })
	leaves := (n + nodeCapacity - 1) / nodeCapacity
	slices := int(math.Ceil(math.Sqrt(float64(leaves))))
	per := slices * nodeCapacity
	for lo := 0; lo < n; lo += per {
		s := perm[lo:min(lo+per, n)]
		sort.SliceStable(s, func(a, b int) bool { return cy(s[a]) < cy(s[b]) })
	}
	return perm
}

// Len returns the number of shapes the index was built from.
func (ix *Index) Len() int { return ix.n }

// Locate returns the keys of all shapes containing p (edges included, see
// MultiPolygon.Contains), smallest area first, so that a building grid comes
// before the standard grid around it and that before its community. Equal
// areas are ordered by key, then by input order, so the answer never depends
// on the tree. It returns nil when no shape contains p.
func (ix *Index) Locate(p Point) []string {
	if len(ix.levels) == 0 {
		return nil
	}
	type item struct{ level, i int32 }
	// Fixed buffers keep a query free of allocations but for its answer;
	// append moves them to the heap only in pathological overlaps.
	var stackBuf [64]item
	var hitBuf [8]int32
	stack, hits := stackBuf[:0], hitBuf[:0]

	top := int32(len(ix.levels) - 1)
	if ix.levels[top][0].b.Contains(p) {
		stack = append(stack, item{top, 0})
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := ix.levels[it.level][it.i]
		if it.level == 0 {
			for e := nd.lo; e < nd.hi; e++ {
				en := &ix.entries[e]
				if en.bounds.Contains(p) && en.geom.Contains(p) {
					hits = append(hits, e)
				}
			}
			continue
		}
		below := ix.levels[it.level-1]
		for c := nd.lo; c < nd.hi; c++ {
			if below[c].b.Contains(p) {
				stack = append(stack, item{it.level - 1, c})
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	// Insertion sort: a point is in a handful of shapes at most.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && ix.less(hits[j], hits[j-1]); j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = ix.entries[h].key
	}
	return keys
}

func (ix *Index) less(a, b int32) bool {
	ea, eb := &ix.entries[a], &ix.entries[b]
	if ea.area != eb.area {
		return ea.area < eb.area
	}
	if ea.key != eb.key {
		return ea.key < eb.key
	}
	return ea.order < eb.order
}

// Bounds is the box around every shape of the index; ok is false when the
// index holds none.
func (ix *Index) Bounds() (b Bounds, ok bool) {
	for i, e := range ix.entries {
		if i == 0 {
			b = e.bounds
			continue
		}
		b = b.extend(e.bounds)
	}
	return b, len(ix.entries) > 0
}
