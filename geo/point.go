// Package geo places reported locations in the office's grids (网格) and
// communities: points, polygons read from GeoJSON, a point-in-polygon test,
// a static spatial index over thousands of grids, and the conversion between
// WGS-84 and GCJ-02, the shifted datum of Chinese phone maps.
//
// Coordinates are longitude/latitude in degrees, WGS-84 unless said
// otherwise. Geometry is planar in degrees: grids span a few hundred metres,
// where the curvature of the earth is far below the accuracy of the data,
// and shapes crossing the antimeridian or a pole are not supported (China
// has none).
package geo

import (
	"math"
	"strconv"
)

// Point is a position in degrees, longitude first as in GeoJSON.
type Point struct {
	Lon, Lat float64
}

// Valid reports whether p is finite and within the range of longitude
// [-180, 180] and latitude [-90, 90]. The range comparisons alone suffice:
// they are false for NaN and for infinities.
func (p Point) Valid() bool {
	return p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90
}

// Constants of the GCJ-02 transform as published (and reverse-engineered in
// many open implementations): the Krasovsky 1940 ellipsoid.
const (
	gcjA  = 6378245.0              // semi-major axis, metres
	gcjEE = 0.00669342162296594323 // first eccentricity squared
)

// OutOfChina reports whether p lies outside the rough bounding box in which
// the GCJ-02 shift is applied. The box is the one every published
// implementation uses, so that our coordinates agree with theirs near the
// borders; it is a rectangle, so it also covers some neighbouring countries.
// A non-finite point counts as out of China, so that the transforms leave it
// unchanged instead of spreading NaN.
func OutOfChina(p Point) bool {
	return !(p.Lon >= 72.004 && p.Lon <= 137.8347 && p.Lat >= 0.8293 && p.Lat <= 55.8271)
}

// gcjOffset returns the GCJ-02 shift, in degrees, at the WGS-84 point p.
func gcjOffset(p Point) (dLon, dLat float64) {
	x, y := p.Lon-105.0, p.Lat-35.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0

	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLon += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLon += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0

	// The polynomials above are in metres; turn them into degrees with the
	// radii of curvature of the Krasovsky ellipsoid at this latitude.
	radLat := p.Lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 shifts a WGS-84 point (GPS) to GCJ-02, the datum of Amap
// (Gaode) and Tencent maps, by the standard published formula. Points
// outside China are returned unchanged, as those maps do.
func WGS84ToGCJ02(p Point) Point {
	if OutOfChina(p) {
		return p
	}
	dLon, dLat := gcjOffset(p)
	return Point{Lon: p.Lon + dLon, Lat: p.Lat + dLat}
}

// gcjTolerance is where the inverse iteration stops. The contract asks for
// 1e-7 degrees (about 1 cm); we go a hundred times tighter because it costs
// at most one more step and keeps round trips well inside that bound.
const gcjTolerance = 1e-9

// GCJ02ToWGS84 returns the WGS-84 point that WGS84ToGCJ02 maps to p.
//
// The formula has no closed-form inverse, and the common one-step
// approximation (subtracting the offset taken at p) is off by up to about
// 5 m, enough to put a report in the neighbouring grid. The offset varies
// slowly with position, so the fixed-point iteration w ← w − (forward(w) − p)
// contracts fast: at most four steps reach 1e-9 degrees anywhere in China.
// Points outside China are returned unchanged.
func GCJ02ToWGS84(p Point) Point {
	if OutOfChina(p) {
		return p
	}
	w := p
	// The bound on steps only guards against a point near the border of the
	// box, where forward() switches between shift and identity and the
	// iteration could oscillate; inside China it is never reached.
	for range 30 {
		g := WGS84ToGCJ02(w)
		dLon, dLat := g.Lon-p.Lon, g.Lat-p.Lat
		if math.Abs(dLon) < gcjTolerance && math.Abs(dLat) < gcjTolerance {
			break
		}
		w.Lon -= dLon
		w.Lat -= dLat
	}
	return w
}

// earthRadius is the mean radius of the earth (IUGG), in metres, for the
// approximate metric measures of this package.
const earthRadius = 6371008.8

// metresPerDegree is the length of one degree of a great circle.
const metresPerDegree = earthRadius * math.Pi / 180

// Distance returns the approximate distance in metres between a and b, by
// the haversine formula on a sphere: good to about 0.5 %, which is plenty to
// say how far a report is from a grid or how large a datum shift is.
func Distance(a, b Point) float64 {
	lat1, lat2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// ParseDegrees reads a latitude or longitude written as a plain decimal
// number: an optional sign, digits, and an optional fraction ("30.27",
// "-120", "+0.5"). strconv.ParseFloat also reads "0x1p-2", "1e3", "Inf"
// and "NaN", which are not coordinates anyone writes: they are refused
// here, on every channel that reads a coordinate as text.
func ParseDegrees(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 32 {
		return 0, false
	}
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i = 1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || s[len(s)-1] == '.' {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
