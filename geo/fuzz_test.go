package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
)

// geoSeeds are GeoJSON as grid drawings arrive from the map tools offices
// use (QGIS, geojson.io, 天地图 exports): grids near Gudang with holes, two
// parts, altitude, bbox, crs and id members, long numeric codes.
var geoSeeds = []string{
	`{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3],[120.1,30.2]]]}`,
	`{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3],[120.1,30.2]],
		[[120.12,30.22],[120.14,30.22],[120.14,30.24],[120.12,30.22]]]}`,
	`{"type":"MultiPolygon","bbox":[120.1,30.2,121.1,31.1],"coordinates":[
		[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3],[120.1,30.2]]],
		[[[121,31,12.5],[121.1,31,12.5],[121.1,31.1,12.5],[121,31,12.5]]]]}`,
	`{"type":"Feature","id":7,"properties":{"code":"330106001001","name":"文华社区第一网格"},
		"geometry":{"type":"Polygon","coordinates":[[[120.118,30.281],[120.122,30.281],[120.122,30.285],[120.118,30.285],[120.118,30.281]]]}}`,
	`{"type":"FeatureCollection","name":"古荡街道网格","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[
		{"type":"Feature","properties":{"grid_code":330106001001,"name":"W1","community":"文华社区","area_m2":152340.5},
		 "geometry":{"type":"Polygon","coordinates":[[[120.118,30.281],[120.122,30.281],[120.122,30.285],[120.118,30.285],[120.118,30.281]]]}},
		{"type":"Feature","properties":{"grid_code":"330106001002","name":"W2","tags":["楼宇","商圈"],"lead":null},
		 "geometry":{"type":"MultiPolygon","coordinates":[[[[120.122,30.281],[120.126,30.281],[120.126,30.285],[120.122,30.285],[120.122,30.281]]],
		   [[[120.13,30.29],[120.131,30.29],[120.131,30.291],[120.13,30.29]]]]}}]}`,
	`{"type":"FeatureCollection","features":[]}`,
	// Refusals: open ring, too few positions, null coordinate, a point,
	// out of range, no geometry, trailing data, wrong nesting.
	`{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3]]]}`,
	`{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.1,30.2]]]}`,
	`{"type":"Polygon","coordinates":[[[120.1,null],[120.2,30.2],[120.2,30.3],[120.1,30.2]]]}`,
	`{"type":"Point","coordinates":[120.1,30.2]}`,
	`{"type":"Polygon","coordinates":[[[190,30.2],[120.2,30.2],[120.2,30.3],[190,30.2]]]}`,
	`{"type":"Feature","properties":{},"geometry":null}`,
	`{"type":"Polygon","coordinates":[]} {}`,
	`{"type":"MultiPolygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.2]]]}`,
	`{"type":"FeatureCollection","features":[{"type":"Polygon","coordinates":[]}]}`,
	``,
}

// FuzzParseGeometry fuzzes the geometry of one grid or community as an
// admin pastes or uploads it. A refusal is a bilingual *jiedao.Error on
// the geometry field; an accepted shape is valid, and writing it with
// MarshalGeoJSON and reading it again gives exactly the same shape.
func FuzzParseGeometry(f *testing.F) {
	for _, s := range geoSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseGeometry(raw)
		if err != nil {
			checkGeometryRefusal(t, err)
			return
		}
		checkRoundTrip(t, m)
	})
}

// FuzzParseFeatureCollection fuzzes the grid import: a FeatureCollection
// of many grids. A refusal names the feature it is about; every accepted
// feature is valid, and the collection written back (geometry by
// MarshalGeoJSON, properties by encoding/json) reads back the same,
// properties and long codes included.
func FuzzParseFeatureCollection(f *testing.F) {
	for _, s := range geoSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		features, err := ParseFeatureCollection(bytes.NewReader(raw))
		if err != nil {
			checkGeometryRefusal(t, err)
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		for i, ft := range features {
			checkRoundTrip(t, ft.Geometry)
			props, err := json.Marshal(ft.Properties)
			if err != nil {
				t.Fatalf("feature %d: properties do not marshal: %v", i+1, err)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"type":"Feature","properties":`)
			b.Write(props)
			b.WriteString(`,"geometry":`)
			b.Write(ft.Geometry.MarshalGeoJSON())
			b.WriteByte('}')
		}
		b.WriteString(`]}`)
		again, err := ParseFeatureCollection(&b)
		if err != nil {
			t.Fatalf("the written collection is refused: %v", err)
		}
		if len(again) != len(features) {
			t.Fatalf("round trip: %d features, want %d", len(again), len(features))
		}
		for i := range features {
			if !reflect.DeepEqual(again[i].Properties, features[i].Properties) ||
				!reflect.DeepEqual(again[i].Geometry, features[i].Geometry) {
				t.Fatalf("feature %d changed in the round trip:\n got %#v\nwant %#v", i+1, again[i], features[i])
			}
		}
	})
}

// checkGeometryRefusal asserts the shape of every refusal of GeoJSON.
func checkGeometryRefusal(t *testing.T, err error) {
	t.Helper()
	var e *jiedao.Error
	if !errors.As(err, &e) {
		t.Fatalf("refusal is %T, not *jiedao.Error: %v", err, err)
	}
	if e.Code != jiedao.EINVALID || e.Field != "geometry" || e.Zh == "" || e.En == "" {
		t.Fatalf("refusal lacks code, field or a message: %#v", e)
	}
	if strings.Contains(e.En, "json:") || strings.Contains(e.Zh, "json:") {
		t.Fatalf("refusal shows Go's wording: %#v", e)
	}
}

// checkRoundTrip asserts that an accepted shape is valid and survives
// MarshalGeoJSON and ParseGeometry exactly, and that writing is stable.
func checkRoundTrip(t *testing.T, m MultiPolygon) {
	t.Helper()
	if err := m.Validate(); err != nil {
		t.Fatalf("accepted shape is invalid: %v", err)
	}
	out := m.MarshalGeoJSON()
	again, err := ParseGeometry(out)
	if err != nil {
		t.Fatalf("ParseGeometry refused what MarshalGeoJSON wrote: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(again, m) {
		t.Fatalf("round trip changed the shape:\n got %v\nwant %v", again, m)
	}
	if out2 := again.MarshalGeoJSON(); !bytes.Equal(out, out2) {
		t.Fatalf("writing is not a fixpoint:\n%s\n%s", out, out2)
	}
	// Every vertex of the outer ring is in the shape (on its border).
	for _, poly := range m {
		for _, p := range poly[0] {
			if !m.Contains(p) {
				t.Fatalf("vertex %v of an outer ring is not in the shape", p)
			}
		}
	}
	if b := m.Bounds(); !(b.MinLon <= b.MaxLon && b.MinLat <= b.MaxLat) {
		t.Fatalf("bounds %v are inverted", b)
	}
}
