package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/jiedao/jiedao"
)

// geoJSONObject holds the members of any GeoJSON object this package reads;
// the type member says which of them matter. Other members (bbox, id, crs)
// are ignored.
type geoJSONObject struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometry    json.RawMessage   `json:"geometry"`
	Properties  map[string]any    `json:"properties"`
	Features    []json.RawMessage `json:"features"`
}

// decodeJSON decodes exactly one JSON value from raw into v. Numbers in
// untyped places (feature properties) become json.Number, not float64: grid
// and community codes are often long numbers, and a float64 would both round
// the longest ones and print the rest in exponent form (3.30106001001e+11).
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return geometryError("GeoJSON 在结尾之后还有多余内容", "GeoJSON has extra data after its end")
	}
	return nil
}

// jsonError turns a decoding error into a message a user can act on without
// reading Go's wording.
func jsonError(err error) *jiedao.Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return geometryError("GeoJSON 为空", "GeoJSON is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return geometryError("GeoJSON 不完整", "GeoJSON is truncated")
	case errors.As(err, &syntax):
		return geometryError("GeoJSON 不是有效的 JSON（第%d字节附近）",
			"GeoJSON is not valid JSON (near byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return geometryError("GeoJSON 中 %s 的类型不对", "GeoJSON: %s has the wrong type", typ.Field)
	default:
		return geometryError("GeoJSON 的结构不对", "GeoJSON has the wrong structure")
	}
}

// coordinatesTypeError is the error for coordinates that are not nested
// arrays of numbers of the depth the geometry type calls for. Go's own
// message would name Go types, which mean nothing to the user.
func coordinatesTypeError() *jiedao.Error {
	return geometryError("坐标必须是嵌套的数字数组", "coordinates must be nested arrays of numbers")
}

// toRing converts decoded positions to a Ring. Positions are decoded through
// pointers because encoding/json silently turns null into 0 for a plain
// float64, which would put a grid corner at 0°N 0°E without a word.
// A third number (altitude) and beyond are allowed by GeoJSON and dropped.
func toRing(raw [][]*float64, poly, ring int) (Ring, error) {
	r := make(Ring, len(raw))
	for k, pos := range raw {
		if len(pos) < 2 || pos[0] == nil || pos[1] == nil {
			return nil, geometryError("第%d个多边形的第%d个环的第%d个位置缺少经度或纬度",
				"polygon %d, ring %d, position %d lacks a longitude or latitude", poly+1, ring+1, k+1)
		}
		r[k] = Point{Lon: *pos[0], Lat: *pos[1]}
	}
	return r, nil
}

func toPolygon(raw [][][]*float64, poly int) (Polygon, error) {
	p := make(Polygon, len(raw))
	for j, rr := range raw {
		r, err := toRing(rr, poly, j)
		if err != nil {
			return nil, err
		}
		p[j] = r
	}
	return p, nil
}

// geometryOf reads a Polygon or MultiPolygon geometry object and validates it.
func geometryOf(obj *geoJSONObject) (MultiPolygon, error) {
	if obj.Type != "Polygon" && obj.Type != "MultiPolygon" {
		if obj.Type == "" {
			return nil, geometryError("GeoJSON 几何对象缺少 type", "the GeoJSON geometry has no type")
		}
		return nil, geometryError("几何类型 %q 不支持，只接受 Polygon 或 MultiPolygon",
			"geometry type %q is not supported; only Polygon and MultiPolygon are", obj.Type)
	}
	if len(obj.Coordinates) == 0 {
		return nil, geometryError("GeoJSON 几何对象缺少坐标", "the GeoJSON geometry has no coordinates")
	}
	var m MultiPolygon
	if obj.Type == "Polygon" {
		var raw [][][]*float64
		if err := json.Unmarshal(obj.Coordinates, &raw); err != nil {
			return nil, coordinatesTypeError()
		}
		p, err := toPolygon(raw, 0)
		if err != nil {
			return nil, err
		}
		m = MultiPolygon{p}
	} else {
		var raw [][][][]*float64
		if err := json.Unmarshal(obj.Coordinates, &raw); err != nil {
			return nil, coordinatesTypeError()
		}
		m = make(MultiPolygon, len(raw))
		for i, rp := range raw {
			p, err := toPolygon(rp, i)
			if err != nil {
				return nil, err
			}
			m[i] = p
		}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// featureOf reads a Feature object whose geometry must be a (Multi)Polygon.
func featureOf(obj *geoJSONObject) (Feature, error) {
	if len(obj.Geometry) == 0 || bytes.Equal(obj.Geometry, []byte("null")) {
		return Feature{}, geometryError("要素没有几何图形", "the feature has no geometry")
	}
	var g geoJSONObject
	if err := decodeJSON(obj.Geometry, &g); err != nil {
		return Feature{}, err
	}
	m, err := geometryOf(&g)
	if err != nil {
		return Feature{}, err
	}
	return Feature{Properties: obj.Properties, Geometry: m}, nil
}

// ParseGeometry reads a GeoJSON Polygon or MultiPolygon geometry object, or
// a Feature with such a geometry (its properties are dropped), and returns
// it validated as a MultiPolygon. Errors are *jiedao.Error with code
// EINVALID and field "geometry".
func ParseGeometry(raw []byte) (MultiPolygon, error) {
	var obj geoJSONObject
	if err := decodeJSON(raw, &obj); err != nil {
		return nil, err
	}
	if obj.Type == "Feature" {
		f, err := featureOf(&obj)
		if err != nil {
			return nil, err
		}
		return f.Geometry, nil
	}
	return geometryOf(&obj)
}

// Feature is one shape of a FeatureCollection with its properties (the
// grid's code and name, say). Numbers among the properties are json.Number,
// so that long codes keep every digit; a missing or null properties member
// gives a nil map.
type Feature struct {
	Properties map[string]any
	Geometry   MultiPolygon
}

// ParseFeatureCollection reads a GeoJSON FeatureCollection, or a single
// Feature, whose every geometry is a Polygon or MultiPolygon, validated.
//
// An error about one feature names it by its position in the file counted
// from 1, in both languages ("GeoJSON 第3个要素：…", "feature 3: …"), so that
// whoever drew the grids can find it. Errors in the content are
// *jiedao.Error with code EINVALID; an error from r is returned as it is, so
// that a caller limiting the size with http.MaxBytesReader can recognise its
// own error. An empty collection is not an error: whether that is acceptable
// is the caller's business.
func ParseFeatureCollection(r io.Reader) ([]Feature, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var obj geoJSONObject
	if err := decodeJSON(raw, &obj); err != nil {
		return nil, err
	}
	switch obj.Type {
	case "Feature":
		f, err := featureOf(&obj)
		if err != nil {
			return nil, inFeature(err, 0)
		}
		return []Feature{f}, nil
	case "FeatureCollection":
		out := make([]Feature, 0, len(obj.Features))
		for i, rawFeature := range obj.Features {
			var fo geoJSONObject
			if err := decodeJSON(rawFeature, &fo); err != nil {
				return nil, inFeature(err, i)
			}
			if fo.Type != "Feature" {
				return nil, inFeature(geometryError("类型是 %q，应为 Feature",
					"its type is %q, not Feature", fo.Type), i)
			}
			f, err := featureOf(&fo)
			if err != nil {
				return nil, inFeature(err, i)
			}
			out = append(out, f)
		}
		return out, nil
	case "":
		return nil, geometryError("GeoJSON 缺少 type", "the GeoJSON has no type")
	default:
		return nil, geometryError("GeoJSON 的类型是 %q，应为 FeatureCollection 或 Feature",
			"the GeoJSON is a %q, not a FeatureCollection or Feature", obj.Type)
	}
}

// inFeature prefixes the messages of err with the number, from 1, of the
// feature it is about.
func inFeature(err error, i int) error {
	var e *jiedao.Error
	if !errors.As(err, &e) {
		return err
	}
	return &jiedao.Error{
		Code:  e.Code,
		Zh:    fmt.Sprintf("GeoJSON 第%d个要素：", i+1) + e.Zh,
		En:    fmt.Sprintf("feature %d: ", i+1) + e.En,
		Field: e.Field,
	}
}

// MarshalGeoJSON returns m as a GeoJSON geometry object: a Polygon when m
// has exactly one polygon, otherwise a MultiPolygon, with positions as
// [lon, lat]. Numbers are written in the shortest form that reads back to
// the same float64, so a round trip through ParseGeometry is exact.
// m should be valid; a non-finite coordinate, which JSON cannot hold, is
// written as null, which ParseGeometry rejects rather than misreads.
func (m MultiPolygon) MarshalGeoJSON() []byte {
	b := make([]byte, 0, 64+m.positions()*24)
	if len(m) == 1 {
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendPolygon(b, m[0])
	} else {
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, poly := range m {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, poly)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// positions counts the positions of m, to size the output buffer once.
func (m MultiPolygon) positions() int {
	n := 0
	for _, poly := range m {
		for _, ring := range poly {
			n += len(ring)
		}
	}
	return n
}

func appendPolygon(b []byte, poly Polygon) []byte {
	b = append(b, '[')
	for j, ring := range poly {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for k, p := range ring {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendNumber(b, p.Lon)
			b = append(b, ',')
			b = appendNumber(b, p.Lat)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendNumber(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
