package geo

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
)

// tiling returns n×n quadrilateral cells tiling the square of side n·cell
// from origin, their shared corners jittered by up to a fifth of a cell so
// that edges slope as in real grids, and the jittered corners themselves.
func tiling(r *rand.Rand, origin Point, n int, cell float64) ([]Shape, [][]Point) {
	corners := make([][]Point, n+1)
	for i := range corners {
		corners[i] = make([]Point, n+1)
		for j := range corners[i] {
			p := Point{origin.Lon + float64(i)*cell, origin.Lat + float64(j)*cell}
			if i > 0 && i < n && j > 0 && j < n {
				p.Lon += (r.Float64()*2 - 1) * cell / 5
				p.Lat += (r.Float64()*2 - 1) * cell / 5
			}
			corners[i][j] = p
		}
	}
	shapes := make([]Shape, 0, n*n)
	for i := range n {
		for j := range n {
			a, b, c, d := corners[i][j], corners[i+1][j], corners[i+1][j+1], corners[i][j+1]
			shapes = append(shapes, Shape{
				Key:      fmt.Sprintf("cell-%02d-%02d", i, j),
				Geometry: MultiPolygon{{Ring{a, b, c, d, a}}},
			})
		}
	}
	return shapes, corners
}

// bruteLocate is the reference: test every shape, order by area, key, input
// position.
func bruteLocate(shapes []Shape, p Point) []string {
	type hit struct {
		key   string
		area  float64
		order int
	}
	var hits []hit
	for i, s := range shapes {
		if s.Geometry.Contains(p) {
			hits = append(hits, hit{s.Key, s.Geometry.AreaM2(), i})
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].area != hits[b].area {
			return hits[a].area < hits[b].area
		}
		if hits[a].key != hits[b].key {
			return hits[a].key < hits[b].key
		}
		return hits[a].order < hits[b].order
	})
	var keys []string
	for _, h := range hits {
		keys = append(keys, h.key)
	}
	return keys
}

func TestIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 1))
	const n, cell = 50, 0.01
	origin := Point{120.0, 30.0}
	shapes, corners := tiling(r, origin, n, cell)

	// Buildings inside cells, some with a room inside them: a cell's centre
	// is at least 0.3 cell from its jittered edges.
	for k := range 300 {
		i, j := r.IntN(n), r.IntN(n)
		cx := origin.Lon + (float64(i)+0.5)*cell + (r.Float64()*2-1)*0.1*cell
		cy := origin.Lat + (float64(j)+0.5)*cell + (r.Float64()*2-1)*0.1*cell
		h := 0.05 * cell
		shapes = append(shapes, Shape{
			Key:      fmt.Sprintf("bldg-%03d", k),
			Geometry: MultiPolygon{{rect(cx-h, cy-h, cx+h, cy+h)}},
		})
		if k%5 == 0 {
			shapes = append(shapes, Shape{
				Key:      fmt.Sprintf("room-%03d", k),
				Geometry: MultiPolygon{{rect(cx-h/4, cy-h/4, cx+h/4, cy+h/4)}},
			})
		}
	}
	// Large overlapping shapes: communities, one with a hole, one in two
	// parts; and a shape listed twice under the same key.
	shapes = append(shapes,
		Shape{"community-a", MultiPolygon{{rect(120.05, 30.05, 120.15, 30.15), rect(120.08, 30.08, 120.1, 30.1)}}},
		Shape{"community-b", MultiPolygon{{rect(120.2, 30.2, 120.3, 30.3)}, {rect(120.4, 30.0, 120.5, 30.1)}}},
		Shape{"district", MultiPolygon{{rect(120.0, 30.0, 120.5, 30.5)}}},
		Shape{"dup", MultiPolygon{{rect(120.3, 30.3, 120.31, 30.31)}}},
		Shape{"dup", MultiPolygon{{rect(120.3, 30.3, 120.31, 30.31)}}},
	)
	// Shuffle so that nothing depends on input order.
	r.Shuffle(len(shapes), func(a, b int) { shapes[a], shapes[b] = shapes[b], shapes[a] })

	ix := NewIndex(shapes)
	if ix.Len() != len(shapes) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(shapes))
	}

	var pts []Point
	// Random points over the region and a margin around it.
	for range 5000 {
		pts = append(pts, Point{119.98 + r.Float64()*0.54, 29.98 + r.Float64()*0.54})
	}
	// Shared corners (in four cells) and points on shared sloped edges (in
	// two), where rounding would drop a point from a naive test.
	for i := 0; i <= n; i += 3 {
		for j := 0; j <= n; j += 3 {
			pts = append(pts, corners[i][j])
			if i < n {
				a, b := corners[i][j], corners[i+1][j]
				pts = append(pts, Point{a.Lon + (b.Lon-a.Lon)/3, a.Lat + (b.Lat-a.Lat)/3})
			}
		}
	}

	var hitCounts [6]int
	for _, p := range pts {
		got := ix.Locate(p)
		want := bruteLocate(shapes, p)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Locate(%v) = %v, brute force %v", p, got, want)
		}
		hitCounts[min(len(got), 5)]++
	}
	t.Logf("points by number of shapes found (0..5+): %v", hitCounts)
	// The data must exercise the ordering: points in nothing, in one shape,
	// and in several.
	if hitCounts[0] == 0 || hitCounts[1]+hitCounts[2] == 0 || hitCounts[3]+hitCounts[4]+hitCounts[5] == 0 {
		t.Errorf("test data too thin: %v", hitCounts)
	}

	// Spot checks of the order, spelled out.
	want := []string{"cell-29-39", "cell-29-40", "cell-30-39", "cell-30-40"}
	got := ix.Locate(corners[30][40])
	if len(got) != 5 || got[4] != "district" {
		t.Fatalf("a shared corner is in four cells and the district, got %v", got)
	}
	sorted := append([]string(nil), got[:4]...)
	sort.Strings(sorted)
	if !reflect.DeepEqual(sorted, want) {
		t.Errorf("the cells around corner 30,40 are %v, want %v", got[:4], want)
	}
}

func TestIndexOrderSmallestFirst(t *testing.T) {
	shapes := []Shape{
		{"community", MultiPolygon{{rect(0, 0, 0.1, 0.1)}}},
		{"grid", MultiPolygon{{rect(0.01, 0.01, 0.03, 0.03)}}},
		{"building", MultiPolygon{{rect(0.015, 0.015, 0.02, 0.02)}}},
		{"elsewhere", MultiPolygon{{rect(1, 1, 2, 2)}}},
		{"empty", nil},
	}
	ix := NewIndex(shapes)
	if ix.Len() != 5 {
		t.Errorf("Len = %d, want 5", ix.Len())
	}
	cases := []struct {
		p    Point
		want []string
	}{
		{Point{0.017, 0.017}, []string{"building", "grid", "community"}},
		{Point{0.025, 0.025}, []string{"grid", "community"}},
		{Point{0.05, 0.05}, []string{"community"}},
		{Point{0.02, 0.02}, []string{"building", "grid", "community"}}, // building corner
		{Point{0.5, 0.5}, nil},
		{Point{0, 0}, []string{"community"}},
	}
	for _, c := range cases {
		if got := ix.Locate(c.p); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Locate(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestIndexEmpty(t *testing.T) {
	ix := NewIndex(nil)
	if ix.Len() != 0 || ix.Locate(Point{0, 0}) != nil {
		t.Error("empty index")
	}
	one := NewIndex([]Shape{{"only", MultiPolygon{{rect(0, 0, 1, 1)}}}})
	if got := one.Locate(Point{0.5, 0.5}); !reflect.DeepEqual(got, []string{"only"}) {
		t.Errorf("one shape: %v", got)
	}
	if got := one.Locate(Point{2, 2}); got != nil {
		t.Errorf("one shape, point outside: %v", got)
	}
}

func TestIndexConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	shapes, _ := tiling(r, Point{116, 39}, 20, 0.01)
	ix := NewIndex(shapes)
	done := make(chan bool)
	for g := range 4 {
		go func() {
			rr := rand.New(rand.NewPCG(uint64(g), 9))
			ok := true
			for range 500 {
				p := Point{116 + rr.Float64()*0.2, 39 + rr.Float64()*0.2}
				if !reflect.DeepEqual(ix.Locate(p), bruteLocate(shapes, p)) {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent Locate disagreed with brute force")
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	shapes, _ := tiling(r, Point{120, 30}, 100, 0.005) // 10,000 grids
	ix := NewIndex(shapes)
	pts := make([]Point, 4096)
	for i := range pts {
		pts[i] = Point{120 + r.Float64()*0.5, 30 + r.Float64()*0.5}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if len(ix.Locate(pts[i%len(pts)])) == 0 {
			b.Fatal("point in no grid")
		}
		i++
	}
}

func BenchmarkNewIndex(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	shapes, _ := tiling(r, Point{120, 30}, 100, 0.005)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(shapes)
	}
}
