package geo

import (
	"math"

	"github.com/jiedao/jiedao"
)

// Ring is a closed line of positions: the first equals the last, as in
// GeoJSON. Orientation does not matter to this package.
type Ring []Point

// Polygon is an outer ring followed by its holes.
type Polygon []Ring

// MultiPolygon is a set of polygons; a point is in it when it is in any of
// them. A grid or community is always handled as a MultiPolygon, so that the
// rare one drawn in two parts needs no special case.
type MultiPolygon []Polygon

// Bounds is an axis-aligned bounding box in degrees.
type Bounds struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// Contains reports whether p is inside b or on its border.
func (b Bounds) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Intersects reports whether b and o share at least one point.
func (b Bounds) Intersects(o Bounds) bool {
	return b.MinLon <= o.MaxLon && o.MinLon <= b.MaxLon && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Center returns the middle of b, for instance to centre a map on a grid.
func (b Bounds) Center() Point {
	return Point{Lon: (b.MinLon + b.MaxLon) / 2, Lat: (b.MinLat + b.MaxLat) / 2}
}

// extend returns the smallest box holding both b and o.
func (b Bounds) extend(o Bounds) Bounds {
	return Bounds{
		MinLon: math.Min(b.MinLon, o.MinLon), MinLat: math.Min(b.MinLat, o.MinLat),
		MaxLon: math.Max(b.MaxLon, o.MaxLon), MaxLat: math.Max(b.MaxLat, o.MaxLat),
	}
}

// Bounds returns the box around every position of m. An empty m has the
// zero Bounds: it is never infinite, so that it can always be written as
// JSON.
func (m MultiPolygon) Bounds() Bounds {
	first := true
	var b Bounds
	for _, poly := range m {
		for _, ring := range poly {
			for _, p := range ring {
				if first {
					b = Bounds{p.Lon, p.Lat, p.Lon, p.Lat}
					first = false
					continue
				}
				b.MinLon = math.Min(b.MinLon, p.Lon)
				b.MinLat = math.Min(b.MinLat, p.Lat)
				b.MaxLon = math.Max(b.MaxLon, p.Lon)
				b.MaxLat = math.Max(b.MaxLat, p.Lat)
			}
		}
	}
	return b
}

// edgeTolerance is how close to an edge, in degrees, a point must be to count
// as on it: about 0.1 mm. Exact equality would make a point on a sloping
// shared border fall in neither grid, or only one, depending on rounding.
const edgeTolerance = 1e-9

// Contains reports whether p is inside m, by the even-odd rule over each
// polygon's rings, so that a point in a hole is outside.
//
// A point on an edge or vertex (within edgeTolerance, about 0.1 mm) counts as
// inside; this includes the edges of holes, which belong to the polygon.
// So a point on the border shared by two adjacent grids is in both, and the
// caller, not the rounding, decides which one gets the case.
func (m MultiPolygon) Contains(p Point) bool {
	for _, poly := range m {
		if poly.Contains(p) {
			return true
		}
	}
	return false
}

// Contains reports whether p is inside poly or on its boundary; see
// MultiPolygon.Contains.
func (poly Polygon) Contains(p Point) bool {
	inside := false
	for _, ring := range poly {
		n := len(ring)
		if n == 0 {
			continue
		}
		// Starting with the edge from the last position to the first also
		// closes a ring that was not closed; for a closed ring that edge has
		// length zero and changes nothing.
		a := ring[n-1]
		for _, b := range ring {
			lo, hi := a.Lat, b.Lat
			if lo > hi {
				lo, hi = hi, lo
			}
			// An edge that does not reach p's latitude can neither be crossed
			// by the ray nor hold p: most edges stop here.
			if p.Lat < lo-edgeTolerance || p.Lat > hi+edgeTolerance {
				a = b
				continue
			}
			if onSegment(p, a, b) {
				return true
			}
			// Cast a ray from p towards +longitude and count the edges it
			// crosses. The half-open test (one end above, the other not)
			// counts a vertex on the ray once, not twice.
			if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
				x := a.Lon + (p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
				if p.Lon < x {
					inside = !inside
				}
			}
			a = b
		}
	}
	return inside
}

// onSegment reports whether p lies within edgeTolerance of the segment ab.
func onSegment(p, a, b Point) bool {
	if p.Lon < math.Min(a.Lon, b.Lon)-edgeTolerance || p.Lon > math.Max(a.Lon, b.Lon)+edgeTolerance ||
		p.Lat < math.Min(a.Lat, b.Lat)-edgeTolerance || p.Lat > math.Max(a.Lat, b.Lat)+edgeTolerance {
		return false
	}
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return true // a point-like edge, and p is within the tolerance box
	}
	// The cross product is the distance from the line times the length of
	// the segment; compare squares to avoid a square root.
	cross := dx*(p.Lat-a.Lat) - dy*(p.Lon-a.Lon)
	return cross*cross <= edgeTolerance*edgeTolerance*l2
}

// ringArea returns the signed planar area of r in square degrees (positive
// when counter-clockwise) and the latitude of its centroid. Coordinates are
// taken relative to the first position: with raw longitudes near 120 the
// shoelace terms would be a billion times the area of a small grid and lose
// most of its digits.
func ringArea(r Ring) (area, centroidLat float64) {
	if len(r) < 3 {
		return 0, 0
	}
	o := r[0]
	var sum, cy float64
	a := r[len(r)-1]
	for _, b := range r {
		ax, ay := a.Lon-o.Lon, a.Lat-o.Lat
		bx, by := b.Lon-o.Lon, b.Lat-o.Lat
		c := ax*by - bx*ay
		sum += c
		cy += (ay + by) * c
		a = b
	}
	if sum == 0 {
		return 0, o.Lat
	}
	return sum / 2, o.Lat + cy/(3*sum)
}

// polygonArea returns the area of poly in square degrees, holes removed, and
// the latitude of its centroid.
func polygonArea(poly Polygon) (area, centroidLat float64) {
	var moment float64
	for i, ring := range poly {
		a, cy := ringArea(ring)
		a = math.Abs(a)
		if i > 0 {
			a = -a // a hole, whatever its orientation
		}
		area += a
		moment += a * cy
	}
	if area == 0 {
		return 0, MultiPolygon{poly}.Bounds().Center().Lat
	}
	return area, moment / area
}

// Area returns the planar area of m in square degrees, holes removed. It is
// only good for comparing nearby shapes, such as ranking grids by size; use
// AreaM2 for a figure to show.
func (m MultiPolygon) Area() float64 {
	var sum float64
	for _, poly := range m {
		a, _ := polygonArea(poly)
		sum += a
	}
	return sum
}

// AreaM2 returns the approximate area of m in square metres: each polygon is
// projected equirectangularly at the latitude of its own centroid, which for
// a grid or a community is accurate to well under 1 %.
func (m MultiPolygon) AreaM2() float64 {
	var sum float64
	for _, poly := range m {
		a, lat := polygonArea(poly)
		sum += a * math.Cos(lat*math.Pi/180) * metresPerDegree * metresPerDegree
	}
	return sum
}

// geometryError builds the error for a malformed geometry; all of them are
// about the one input field that holds the geometry.
func geometryError(zh, en string, args ...any) *jiedao.Error {
	e := jiedao.Errorf(jiedao.EINVALID, zh, en, args...)
	e.Field = "geometry"
	return e
}

// Validate checks what the rest of the package relies on: at least one
// polygon, each with an outer ring; every ring with at least 4 positions,
// closed, and of non-zero area; every coordinate finite and in range.
// Polygons, rings and positions are numbered from 1 in the messages, as a
// person counts them. It does not look for self-intersections or holes
// outside their polygon: the even-odd rule still gives a definite answer for
// those, and finding them costs more than they harm.
func (m MultiPolygon) Validate() error {
	if len(m) == 0 {
		return geometryError("几何图形中没有多边形", "the geometry has no polygon")
	}
	for i, poly := range m {
		if len(poly) == 0 {
			return geometryError("第%d个多边形没有环", "polygon %d has no ring", i+1)
		}
		for j, ring := range poly {
			if len(ring) < 4 {
				return geometryError("第%d个多边形的第%d个环只有%d个位置，至少需要4个",
					"polygon %d, ring %d has %d positions; at least 4 are needed", i+1, j+1, len(ring))
			}
			for k, p := range ring {
				if !p.Valid() {
					return geometryError("第%d个多边形的第%d个环的第%d个位置坐标超出范围",
						"polygon %d, ring %d, position %d: coordinate out of range", i+1, j+1, k+1)
				}
			}
			if ring[0] != ring[len(ring)-1] {
				return geometryError("第%d个多边形的第%d个环没有闭合（首尾位置不同）",
					"polygon %d, ring %d is not closed (its first and last positions differ)", i+1, j+1)
			}
			if a, _ := ringArea(ring); a == 0 {
				return geometryError("第%d个多边形的第%d个环面积为零",
					"polygon %d, ring %d has zero area", i+1, j+1)
			}
		}
	}
	return nil
}

// Grow returns b widened by about metres on every side.
func (b Bounds) Grow(metres float64) Bounds {
	const perDegree = 111320.0 // metres per degree of latitude
	dLat := metres / perDegree
	lat := math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat))
	dLon := metres / (perDegree * math.Max(math.Cos(lat*math.Pi/180), 0.01))
	return Bounds{MinLon: b.MinLon - dLon, MinLat: b.MinLat - dLat, MaxLon: b.MaxLon + dLon, MaxLat: b.MaxLat + dLat}
}
