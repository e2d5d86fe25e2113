package geo

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jiedao/jiedao"
)

const squareCoords = `[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3],[120.1,30.2]]`

var square = Ring{{120.1, 30.2}, {120.2, 30.2}, {120.2, 30.3}, {120.1, 30.3}, {120.1, 30.2}}

func TestParseGeometryPolygon(t *testing.T) {
	raw := `{"type":"Polygon","coordinates":[` + squareCoords + `,
		[[120.12,30.22],[120.14,30.22],[120.14,30.24],[120.12,30.22]]]}`
	m, err := ParseGeometry([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := MultiPolygon{{square, Ring{{120.12, 30.22}, {120.14, 30.22}, {120.14, 30.24}, {120.12, 30.22}}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %v, want %v", m, want)
	}
}

func TestParseGeometryMultiPolygonAndAltitude(t *testing.T) {
	// A third number (altitude) is allowed by GeoJSON and dropped.
	raw := `{"type":"MultiPolygon","bbox":[0,0,1,1],"coordinates":[
		[` + squareCoords + `],
		[[[121,31,12.5],[121.1,31,12.5],[121.1,31.1,12.5],[121,31,12.5]]]]}`
	m, err := ParseGeometry([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := MultiPolygon{{square}, {Ring{{121, 31}, {121.1, 31}, {121.1, 31.1}, {121, 31}}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %v, want %v", m, want)
	}
}

func TestParseGeometryFeature(t *testing.T) {
	raw := `{"type":"Feature","properties":{"name":"西湖网格"},
		"geometry":{"type":"Polygon","coordinates":[` + squareCoords + `]}}`
	m, err := ParseGeometry([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, MultiPolygon{{square}}) {
		t.Errorf("got %v", m)
	}
}

func TestParseGeometryErrors(t *testing.T) {
	cases := []struct {
		name, raw, zh, en string
	}{
		{"bad JSON", `{"type":"Polygon",`, "不完整", "truncated"},
		{"syntax", `{"type":"Polygon" "coordinates":[]}`, "不是有效的 JSON", "not valid JSON"},
		{"empty", ``, "为空", "empty"},
		{"trailing data", `{"type":"Polygon","coordinates":[` + squareCoords + `]} {}`, "多余内容", "extra data"},
		{"Point", `{"type":"Point","coordinates":[120.1,30.2]}`, `"Point" 不支持`, `"Point" is not supported`},
		{"no type", `{"coordinates":[` + squareCoords + `]}`, "缺少 type", "has no type"},
		{"no coordinates", `{"type":"Polygon"}`, "缺少坐标", "no coordinates"},
		{"wrong depth", `{"type":"MultiPolygon","coordinates":[` + squareCoords + `]}`, "嵌套的数字数组", "nested arrays of numbers"},
		{"string coordinate", `{"type":"Polygon","coordinates":[[["120",30],[121,30],[121,31],["120",30]]]}`, "嵌套的数字数组", "nested arrays of numbers"},
		{"null coordinate", `{"type":"Polygon","coordinates":[[[0,0],[1,null],[1,1],[0,0]]]}`, "第2个位置缺少经度或纬度", "position 2 lacks"},
		{"one number", `{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`, "第2个位置缺少", "position 2 lacks"},
		{"unclosed", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "没有闭合", "not closed"},
		{"too few", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "至少需要4个", "at least 4"},
		{"out of range", `{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]}`, "超出范围", "out of range"},
		{"empty polygon", `{"type":"Polygon","coordinates":[]}`, "没有环", "no ring"},
		{"feature without geometry", `{"type":"Feature","geometry":null,"properties":{}}`, "没有几何图形", "no geometry"},
		{"feature with a point", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`, "Point", "Point"},
		{"array", `[1,2]`, "结构不对", "wrong structure"},
		{"type not a string", `{"type":5}`, "type 的类型不对", "type has the wrong type"},
	}
	for _, c := range cases {
		m, err := ParseGeometry([]byte(c.raw))
		if err == nil {
			t.Errorf("%s: no error, got %v", c.name, m)
			continue
		}
		checkError(t, c.name, err, c.zh, c.en)
	}
}

func TestParseFeatureCollection(t *testing.T) {
	raw := `{"type":"FeatureCollection","features":[
		{"type":"Feature","id":1,"properties":{"code":330106001001,"name":"北山网格","area":1.5},
		 "geometry":{"type":"Polygon","coordinates":[` + squareCoords + `]}},
		{"type":"Feature","properties":null,
		 "geometry":{"type":"MultiPolygon","coordinates":[[` + squareCoords + `],[[[121,31],[121.1,31],[121.1,31.1],[121,31]]]]}}
	]}`
	fs, err := ParseFeatureCollection(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("got %d features, want 2", len(fs))
	}
	// Long codes keep every digit and print as they were written.
	if code, ok := fs[0].Properties["code"].(json.Number); !ok || code.String() != "330106001001" {
		t.Errorf("code = %#v, want json.Number 330106001001", fs[0].Properties["code"])
	}
	if name := fs[0].Properties["name"]; name != "北山网格" {
		t.Errorf("name = %#v", name)
	}
	if !reflect.DeepEqual(fs[0].Geometry, MultiPolygon{{square}}) {
		t.Errorf("feature 1 geometry = %v", fs[0].Geometry)
	}
	if fs[1].Properties != nil {
		t.Errorf("null properties gave %#v, want nil", fs[1].Properties)
	}
	if len(fs[1].Geometry) != 2 {
		t.Errorf("feature 2 has %d polygons, want 2", len(fs[1].Geometry))
	}

	// A single Feature is a collection of one.
	one, err := ParseFeatureCollection(strings.NewReader(`{"type":"Feature","properties":{"k":"v"},
		"geometry":{"type":"Polygon","coordinates":[` + squareCoords + `]}}`))
	if err != nil || len(one) != 1 || one[0].Properties["k"] != "v" {
		t.Errorf("single feature: %v, %v", one, err)
	}

	empty, err := ParseFeatureCollection(strings.NewReader(`{"type":"FeatureCollection","features":[]}`))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty collection: %v, %v", empty, err)
	}
}

func TestParseFeatureCollectionErrors(t *testing.T) {
	good := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[` + squareCoords + `]}}`
	coll := func(third string) string {
		return `{"type":"FeatureCollection","features":[` + good + `,` + good + `,` + third + `]}`
	}
	cases := []struct {
		name, raw, zh, en string
	}{
		{"point geometry", coll(`{"type":"Feature","geometry":{"type":"Point","coordinates":[120,30]}}`),
			`GeoJSON 第3个要素：几何类型 "Point" 不支持`, `feature 3: geometry type "Point" is not supported`},
		{"out of range", coll(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[120,95],[121,31],[120,30]]]}}`),
			"GeoJSON 第3个要素：第1个多边形的第1个环的第2个位置坐标超出范围", "feature 3: polygon 1, ring 1, position 2: coordinate out of range"},
		{"unclosed", coll(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,31]]]}}`),
			"第3个要素：第1个多边形的第1个环没有闭合", "feature 3: polygon 1, ring 1 is not closed"},
		{"too few", coll(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[121,30],[120,30]]]}}`),
			"第3个要素：", "feature 3: polygon 1, ring 1 has 3 positions"},
		{"no geometry", coll(`{"type":"Feature","properties":{}}`), "第3个要素：要素没有几何图形", "feature 3: the feature has no geometry"},
		{"not a feature", coll(`{"type":"Polygon","coordinates":[` + squareCoords + `]}`), `第3个要素：类型是 "Polygon"`, `feature 3: its type is "Polygon"`},
		{"feature not an object", coll(`42`), "第3个要素：", "feature 3: "},
		{"single feature", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`, "第1个要素", "feature 1: geometry type \"LineString\""},
		{"bare geometry", `{"type":"Polygon","coordinates":[` + squareCoords + `]}`, "应为 FeatureCollection 或 Feature", "not a FeatureCollection or Feature"},
		{"bad JSON", `{"type":"FeatureCollection","features":[` + good + `,}`, "不是有效的 JSON", "not valid JSON"},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, "features 的类型不对", "features has the wrong type"},
	}
	for _, c := range cases {
		fs, err := ParseFeatureCollection(strings.NewReader(c.raw))
		if err == nil {
			t.Errorf("%s: no error, got %d features", c.name, len(fs))
			continue
		}
		checkError(t, c.name, err, c.zh, c.en)
	}
}

func TestParseFeatureCollectionReaderError(t *testing.T) {
	// The reader's own error (a size limit, say) comes back as it is.
	boom := errors.New("too large")
	_, err := ParseFeatureCollection(io.MultiReader(strings.NewReader(`{"type":`), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the reader's error", err)
	}
}

func TestMarshalGeoJSON(t *testing.T) {
	one := MultiPolygon{{Ring{{120.1, 30.2}, {120.25, 30.2}, {120.25, 30.3}, {120.1, 30.2}}}}
	want := `{"type":"Polygon","coordinates":[[[120.1,30.2],[120.25,30.2],[120.25,30.3],[120.1,30.2]]]}`
	if got := string(one.MarshalGeoJSON()); got != want {
		t.Errorf("one polygon:\n got %s\nwant %s", got, want)
	}

	two := MultiPolygon{
		{rect(120.1, 30.2, 120.2, 30.3), rect(120.12, 30.22, 120.14, 30.24)},
		{rect(121.123456789012, 31.000000001, 121.2, 31.1)},
	}
	out := two.MarshalGeoJSON()
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	if !strings.HasPrefix(string(out), `{"type":"MultiPolygon","coordinates":[[[[120.1,30.2],`) {
		t.Errorf("two polygons: %s", out)
	}
	// Every digit survives the round trip.
	back, err := ParseGeometry(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, two) {
		t.Errorf("round trip:\n got %v\nwant %v", back, two)
	}

	if got := string(MultiPolygon{}.MarshalGeoJSON()); got != `{"type":"MultiPolygon","coordinates":[]}` {
		t.Errorf("empty: %s", got)
	}
}

func TestErrorIsJiedaoError(t *testing.T) {
	_, err := ParseGeometry([]byte(`{"type":"Point","coordinates":[1,2]}`))
	var e *jiedao.Error
	if !errors.As(err, &e) || e.Zh == "" || e.En == "" || e.Zh == e.En {
		t.Errorf("want a bilingual *jiedao.Error, got %#v", err)
	}
}
