package geo

import (
	"math"
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
)

// rect returns a closed counter-clockwise rectangle ring.
func rect(minLon, minLat, maxLon, maxLat float64) Ring {
	return Ring{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}
}

// reversed returns r in the opposite orientation.
func reversed(r Ring) Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

type containsCase struct {
	name string
	p    Point
	want bool
}

func checkContains(t *testing.T, m MultiPolygon, cases []containsCase) {
	t.Helper()
	for _, c := range cases {
		if got := m.Contains(c.p); got != c.want {
			t.Errorf("%s: Contains(%v) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestContainsSquare(t *testing.T) {
	sq := MultiPolygon{{rect(0, 0, 10, 10)}}
	cases := []containsCase{
		{"centre", Point{5, 5}, true},
		{"near corner inside", Point{0.001, 9.999}, true},
		{"east", Point{11, 5}, false},
		{"south-west", Point{-1, -1}, false},
		{"just outside east edge", Point{10 + 1e-6, 5}, false},
		{"just outside north edge", Point{5, 10 + 1e-6}, false},
		{"west edge", Point{0, 5}, true},
		{"east edge", Point{10, 5}, true},
		{"south edge", Point{5, 0}, true},
		{"north edge", Point{5, 10}, true},
		{"vertex 0,0", Point{0, 0}, true},
		{"vertex 10,10", Point{10, 10}, true},
		{"vertex 10,0", Point{10, 0}, true},
		{"on edge line, beyond vertex", Point{12, 10}, false},
	}
	checkContains(t, sq, cases)
	// Orientation must not matter.
	checkContains(t, MultiPolygon{{reversed(rect(0, 0, 10, 10))}}, cases)
}

func TestContainsConcave(t *testing.T) {
	// A U open to the north: the notch is x in (3,7), y in (3,10].
	u := MultiPolygon{{Ring{
		{0, 0}, {10, 0}, {10, 10}, {7, 10}, {7, 3}, {3, 3}, {3, 10}, {0, 10}, {0, 0},
	}}}
	checkContains(t, u, []containsCase{
		{"left arm", Point{1, 5}, true},
		{"right arm", Point{9, 5}, true},
		{"base", Point{5, 1}, true},
		{"in the notch", Point{5, 5}, false},
		{"top of the notch, open side", Point{5, 10}, false},
		{"above the notch", Point{5, 11}, false},
		{"notch right wall", Point{7, 5}, true},
		{"notch floor", Point{5, 3}, true},
		{"notch corner", Point{3, 3}, true},
		// The ray from these points runs along the notch floor, through two
		// vertices: the half-open crossing rule must count them right.
		{"left arm at floor level", Point{1, 3}, true},
		{"right arm at floor level", Point{8, 3}, true},
		{"west of U at floor level", Point{-1, 3}, false},
		// And through the top vertices.
		{"west of U at top level", Point{-1, 10}, false},
		{"left arm top edge", Point{1, 10}, true},
	})
	if a := u.Area(); math.Abs(a-72) > 1e-12 {
		t.Errorf("U area = %g, want 72", a)
	}
}

func TestContainsSlopedSharedEdge(t *testing.T) {
	// Two triangles sharing a sloped edge: a point computed on that edge,
	// which is almost never exactly on it in floating point, must be in
	// both, not in one or neither depending on rounding.
	a, b := Point{120.1234567, 30.2345678}, Point{120.1298765, 30.2412345}
	left := MultiPolygon{{Ring{a, b, {120.12, 30.245}, a}}}
	right := MultiPolygon{{Ring{a, {120.135, 30.23}, b, a}}}
	for i := 1; i < 10; i++ {
		f := float64(i) / 10
		p := Point{a.Lon + f*(b.Lon-a.Lon), a.Lat + f*(b.Lat-a.Lat)}
		if !left.Contains(p) || !right.Contains(p) {
			t.Errorf("point %v on the shared edge: left %v, right %v", p, left.Contains(p), right.Contains(p))
		}
	}
	// A point 1 cm (about 1e-7 degrees) off the edge is in one only.
	mid := Point{(a.Lon + b.Lon) / 2, (a.Lat + b.Lat) / 2}
	off := Point{mid.Lon - 1e-7, mid.Lat + 1e-7}
	if !left.Contains(off) || right.Contains(off) {
		t.Errorf("point off the edge: left %v, right %v; want true, false", left.Contains(off), right.Contains(off))
	}
}

func TestContainsHole(t *testing.T) {
	for _, holeRing := range []Ring{rect(3, 3, 7, 7), reversed(rect(3, 3, 7, 7))} {
		m := MultiPolygon{{rect(0, 0, 10, 10), holeRing}}
		checkContains(t, m, []containsCase{
			{"in the hole", Point{5, 5}, false},
			{"between outer and hole", Point{1, 1}, true},
			{"west of hole", Point{2, 5}, true},
			{"east of hole", Point{8, 5}, true},
			{"hole edge", Point{3, 5}, true},
			{"hole vertex", Point{7, 7}, true},
			{"outside", Point{-5, 5}, false},
		})
		if a := m.Area(); math.Abs(a-84) > 1e-12 {
			t.Errorf("area with hole = %g, want 84", a)
		}
	}
}

func TestContainsMultiPolygon(t *testing.T) {
	m := MultiPolygon{
		{rect(0, 0, 1, 1)},
		{rect(5, 5, 8, 8), rect(6, 6, 7, 7)},
	}
	checkContains(t, m, []containsCase{
		{"first part", Point{0.5, 0.5}, true},
		{"second part", Point{5.5, 5.5}, true},
		{"hole of second part", Point{6.5, 6.5}, false},
		{"between parts", Point{3, 3}, false},
		{"edge of first part", Point{1, 0.5}, true},
	})
	if a := m.Area(); math.Abs(a-(1+9-1)) > 1e-12 {
		t.Errorf("area = %g, want 9", a)
	}
	want := Bounds{0, 0, 8, 8}
	if b := m.Bounds(); b != want {
		t.Errorf("Bounds = %+v, want %+v", b, want)
	}
}

func TestContainsUnclosedRing(t *testing.T) {
	// Validate rejects it, but Contains must still treat it as closed.
	m := MultiPolygon{{Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}}}}
	checkContains(t, m, []containsCase{
		{"inside", Point{5, 5}, true},
		{"closing edge", Point{0, 5}, true},
		{"outside", Point{-1, 5}, false},
	})
}

func TestBounds(t *testing.T) {
	m := MultiPolygon{{Ring{{120.1, 30.3}, {120.4, 30.2}, {120.2, 30.5}, {120.1, 30.3}}}}
	want := Bounds{MinLon: 120.1, MinLat: 30.2, MaxLon: 120.4, MaxLat: 30.5}
	if b := m.Bounds(); b != want {
		t.Errorf("Bounds = %+v, want %+v", b, want)
	}
	if b := (MultiPolygon{}).Bounds(); b != (Bounds{}) {
		t.Errorf("empty Bounds = %+v, want zero", b)
	}
	if !want.Contains(Point{120.4, 30.5}) || want.Contains(Point{120.41, 30.3}) {
		t.Error("Bounds.Contains wrong at the corner or just outside")
	}
	if !want.Intersects(Bounds{120.4, 30.5, 121, 31}) || want.Intersects(Bounds{120.5, 30, 121, 31}) {
		t.Error("Bounds.Intersects wrong")
	}
	if c := want.Center(); !near(c, Point{120.25, 30.35}, 1e-12) {
		t.Errorf("Center = %v", c)
	}
}

func TestAreaM2(t *testing.T) {
	const side = 0.01
	d := side * metresPerDegree // 1111.95 m
	cases := []struct {
		lat  float64
		want float64
	}{
		{0, d * d},
		{30, d * d * math.Cos(30*math.Pi/180)},
		{60, d * d * 0.5},
	}
	for _, c := range cases {
		m := MultiPolygon{{rect(120, c.lat-side/2, 120+side, c.lat+side/2)}}
		if got := m.AreaM2(); math.Abs(got-c.want)/c.want > 1e-6 {
			t.Errorf("AreaM2 of a 0.01° square at %g° = %.1f, want %.1f", c.lat, got, c.want)
		}
	}
	// The centroid latitude is that of the polygon, not of its bounds: a
	// right triangle has its centroid a third of the way up.
	tri := MultiPolygon{{Ring{{120, 0}, {121, 0}, {120, 60}, {120, 0}}}}
	want := 30 * math.Cos(20*math.Pi/180) * metresPerDegree * metresPerDegree
	if got := tri.AreaM2(); math.Abs(got-want)/want > 1e-9 {
		t.Errorf("triangle AreaM2 = %g, want %g", got, want)
	}
	// A hole is subtracted whatever its orientation, and a realistic small
	// grid far from the origin keeps its precision.
	g := MultiPolygon{{rect(120.123, 30.271, 120.124, 30.272), rect(120.1233, 30.2713, 120.1236, 30.2716)}}
	wantDeg := 0.001*0.001 - 0.0003*0.0003
	if got := g.Area(); math.Abs(got-wantDeg)/wantDeg > 1e-9 {
		t.Errorf("small grid Area = %g, want %g", got, wantDeg)
	}
}

func TestValidate(t *testing.T) {
	good := MultiPolygon{{rect(0, 0, 1, 1), rect(0.2, 0.2, 0.4, 0.4)}, {rect(5, 5, 6, 6)}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid geometry: %v", err)
	}
	cases := []struct {
		name   string
		m      MultiPolygon
		zh, en string
	}{
		{"empty", MultiPolygon{}, "没有多边形", "no polygon"},
		{"no ring", MultiPolygon{{rect(0, 0, 1, 1)}, {}}, "第2个多边形没有环", "polygon 2 has no ring"},
		{"too few", MultiPolygon{{Ring{{0, 0}, {1, 0}, {0, 0}}}}, "只有3个位置", "ring 1 has 3 positions"},
		{"unclosed", MultiPolygon{{Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, "没有闭合", "ring 1 is not closed"},
		{"hole unclosed", MultiPolygon{{rect(0, 0, 1, 1), Ring{{0.2, 0.2}, {0.4, 0.2}, {0.4, 0.4}, {0.2, 0.4}}}}, "第1个多边形的第2个环没有闭合", "polygon 1, ring 2 is not closed"},
		{"latitude out of range", MultiPolygon{{Ring{{0, 0}, {1, 0}, {1, 91}, {0, 0}}}}, "第3个位置坐标超出范围", "position 3: coordinate out of range"},
		{"NaN", MultiPolygon{{Ring{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}}}, "坐标超出范围", "out of range"},
		{"zero area", MultiPolygon{{Ring{{0, 0}, {1, 1}, {2, 2}, {0, 0}}}}, "面积为零", "zero area"},
	}
	for _, c := range cases {
		err := c.m.Validate()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		checkError(t, c.name, err, c.zh, c.en)
	}
}

// checkError asserts err is an EINVALID *jiedao.Error whose messages
// contain zh and en.
func checkError(t *testing.T, name string, err error, zh, en string) {
	t.Helper()
	if code := jiedao.ErrorCode(err); code != jiedao.EINVALID {
		t.Errorf("%s: code %q, want %q (%v)", name, code, jiedao.EINVALID, err)
		return
	}
	gotZh, gotEn := jiedao.ErrorMessages(err)
	if !strings.Contains(gotZh, zh) || !strings.Contains(gotEn, en) {
		t.Errorf("%s: messages %q / %q, want them to contain %q / %q", name, gotZh, gotEn, zh, en)
	}
	if f := jiedao.ErrorField(err); f != "geometry" {
		t.Errorf("%s: field %q, want geometry", name, f)
	}
}
