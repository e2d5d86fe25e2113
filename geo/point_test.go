package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPointValid(t *testing.T) {
	cases := []struct {
		p    Point
		want bool
	}{
		{Point{120.12, 30.28}, true},
		{Point{-180, -90}, true},
		{Point{180, 90}, true},
		{Point{180.0001, 0}, false},
		{Point{0, -90.0001}, false},
		{Point{math.NaN(), 0}, false},
		{Point{0, math.Inf(1)}, false},
		{Point{math.Inf(-1), 0}, false},
	}
	for _, c := range cases {
		if got := c.p.Valid(); got != c.want {
			t.Errorf("%v.Valid() = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestOutOfChina(t *testing.T) {
	cases := []struct {
		p    Point
		want bool
	}{
		{Point{116.397128, 39.916527}, false}, // Beijing
		{Point{120.12, 30.28}, false},         // Hangzhou
		{Point{2.3522, 48.8566}, true},        // Paris
		{Point{-74.006, 40.7128}, true},       // New York
		{Point{137.9, 35}, true},              // just east of the box
		{Point{math.NaN(), 30}, true},
	}
	for _, c := range cases {
		if got := OutOfChina(c.p); got != c.want {
			t.Errorf("OutOfChina(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

// near reports whether a and b agree to tol degrees on both axes.
func near(a, b Point, tol float64) bool {
	return math.Abs(a.Lon-b.Lon) <= tol && math.Abs(a.Lat-b.Lat) <= tol
}

func TestWGS84ToGCJ02Published(t *testing.T) {
	// The output of the widely used coordtransform library (wandergis, its
	// README and test/app.js) for wgs84togcj02(116.404, 39.915): the same
	// formula, so we must agree to the last few digits.
	got := WGS84ToGCJ02(Point{116.404, 39.915})
	want := Point{116.41024449916938, 39.91640428150164}
	if !near(got, want, 1e-12) {
		t.Errorf("WGS84ToGCJ02(116.404, 39.915) = %.14f, want %.14f", got, want)
	}

	// Tiananmen: WGS-84 (116.397128, 39.916527) is commonly quoted as
	// GCJ-02 (116.40337, 39.91793), rounded to five decimals.
	got = WGS84ToGCJ02(Point{116.397128, 39.916527})
	want = Point{116.40337, 39.91793}
	if !near(got, want, 5e-6) {
		t.Errorf("WGS84ToGCJ02(Tiananmen) = %.8f, want about %.5f", got, want)
	}
}

func TestGCJ02Hangzhou(t *testing.T) {
	p := Point{120.12, 30.28}
	g := WGS84ToGCJ02(p)
	// The shift in eastern China is some 500 m, east-south-east.
	d := Distance(p, g)
	if d < 300 || d > 800 {
		t.Errorf("Hangzhou shift = %.1f m, want a few hundred metres", d)
	}
	if g.Lon <= p.Lon || g.Lat >= p.Lat {
		t.Errorf("Hangzhou shift %v -> %v, want east and south", p, g)
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	worst := 0.0
	for range 5000 {
		w := Point{Lon: 73 + r.Float64()*62, Lat: 18 + r.Float64()*35}
		back := GCJ02ToWGS84(WGS84ToGCJ02(w))
		err := math.Max(math.Abs(back.Lon-w.Lon), math.Abs(back.Lat-w.Lat))
		worst = math.Max(worst, err)
		if err >= 1e-7 || Distance(w, back) >= 0.01 {
			t.Fatalf("round trip of %v gave %v: off by %g degrees, %.4f m", w, back, err, Distance(w, back))
		}
		// And the other way round: the inverse really is an inverse.
		g := w
		fwd := WGS84ToGCJ02(GCJ02ToWGS84(g))
		if !near(fwd, g, 1e-7) {
			t.Fatalf("GCJ round trip of %v gave %v", g, fwd)
		}
	}
	t.Logf("worst round-trip error %.3g degrees", worst)
}

func TestGCJ02ToWGS84IsNotOneStep(t *testing.T) {
	// coordtransform's gcj02towgs84(116.404, 39.915) is the one-step
	// approximation, (116.39775550083061, 39.91359571849836). The iterated
	// inverse must differ from it, by centimetres here, and be exact where
	// it does not: mapping it forward gives back the input.
	g := Point{116.404, 39.915}
	w := GCJ02ToWGS84(g)
	oneStep := Point{116.39775550083061, 39.91359571849836}
	if d := Distance(w, oneStep); d < 0.02 || d > 5 {
		t.Errorf("distance to the one-step answer = %.3f m, want centimetres", d)
	}
	if back := WGS84ToGCJ02(w); !near(back, g, 1e-9) {
		t.Errorf("forward(inverse(%v)) = %.12f", g, back)
	}
	if back := WGS84ToGCJ02(oneStep); near(back, g, 1e-7) {
		t.Errorf("the one-step answer round-trips too: the test proves nothing")
	}
}

func TestGCJ02OutsideChinaUnchanged(t *testing.T) {
	for _, p := range []Point{{2.3522, 48.8566}, {-122.4194, 37.7749}, {151.2093, -33.8688}} {
		if got := WGS84ToGCJ02(p); got != p {
			t.Errorf("WGS84ToGCJ02(%v) = %v, want unchanged", p, got)
		}
		if got := GCJ02ToWGS84(p); got != p {
			t.Errorf("GCJ02ToWGS84(%v) = %v, want unchanged", p, got)
		}
	}
	nan := Point{math.NaN(), 30}
	if got := WGS84ToGCJ02(nan); !math.IsNaN(got.Lon) || got.Lat != 30 {
		t.Errorf("WGS84ToGCJ02(NaN) = %v", got)
	}
}

func TestDistance(t *testing.T) {
	// One degree of latitude on the mean sphere is 111.195 km.
	if d := Distance(Point{120, 30}, Point{120, 31}); math.Abs(d-111195) > 1 {
		t.Errorf("one degree of latitude = %.1f m", d)
	}
	// One degree of longitude at 60°N is half that.
	if d := Distance(Point{120, 60}, Point{121, 60}); math.Abs(d-111195*0.5) > 50 {
		t.Errorf("one degree of longitude at 60N = %.1f m", d)
	}
	if d := Distance(Point{120, 30}, Point{120, 30}); d != 0 {
		t.Errorf("distance to itself = %g", d)
	}
}

func TestParseDegreesReadsPlainDecimalsOnly(t *testing.T) {
	for s, want := range map[string]float64{"30.27": 30.27, "-120": -120, "+0.5": 0.5, "0": 0, "120.123456789": 120.123456789} {
		if got, ok := ParseDegrees(s); !ok || got != want {
			t.Errorf("ParseDegrees(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "0x1p-2", "1e3", "1E-3", "Inf", "-Inf", "NaN", "infinity", ".5", "5.", "1.2.3", "--1", " 30", "30 ", "1_000", "３０", "30,2"} {
		if got, ok := ParseDegrees(s); ok {
			t.Errorf("ParseDegrees(%q) = %v, accepted", s, got)
		}
	}
}
