package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// send posts a raw body with a content type and returns status and body.
func (e *env) send(token, method, path, contentType, body string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const gridsGeoJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"yile-09","name":"益乐第九网格","community":"yile"},
  "geometry":{"type":"Polygon","coordinates":[[[120.130,30.280],[120.133,30.280],[120.133,30.283],[120.130,30.283],[120.130,30.280]]]}},
 {"type":"Feature","properties":{"code":"yile-b09","name":"益乐楼宇网格","community":"yile","kind":"building"},
  "geometry":{"type":"Polygon","coordinates":[[[120.131,30.281],[120.132,30.281],[120.132,30.282],[120.131,30.282],[120.131,30.281]]]}}]}`

// TestAdminConfiguration: an admin sets up grids from GeoJSON, a staff
// account, a category with its attributes, a routing rule and next year's
// holidays over HTTP; each takes effect on the next report; other roles
// are refused and a bad file changes nothing.
func TestAdminConfiguration(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, disp := e.login(e.fx.Admin), e.login(e.fx.Dispatcher)

		// A bad file: the second feature names no known community. Nothing is stored.
		bad := strings.Replace(gridsGeoJSON, `"community":"yile","kind"`, `"community":"nowhere","kind"`, 1)
		st, body := e.send(admin, "POST", "/api/v1/import/geojson?kind=grids", "application/geo+json", bad)
		if st != 400 || !strings.Contains(body, "第2个要素") {
			t.Fatalf("bad import: %d %s", st, body)
		}
		var grids []map[string]any
		e.call(admin, "GET", "/api/v1/grids", nil, &grids)
		if len(grids) != 5 {
			t.Fatalf("a refused import stored grids: %d", len(grids))
		}
		if st, _ := e.send(disp, "POST", "/api/v1/import/geojson?kind=grids", "application/geo+json", gridsGeoJSON); st != http.StatusForbidden {
			t.Fatalf("dispatcher importing grids: %d", st)
		}
		st, body = e.send(admin, "POST", "/api/v1/import/geojson?kind=grids", "application/geo+json", gridsGeoJSON)
		if st != 200 || !strings.Contains(body, `"created":2`) {
			t.Fatalf("import: %d %s", st, body)
		}
		// Importing again updates rather than duplicates.
		if st, body = e.send(admin, "POST", "/api/v1/import/geojson?kind=grids", "application/geo+json", gridsGeoJSON); !strings.Contains(body, `"updated":2`) {
			t.Fatalf("re-import: %d %s", st, body)
		}
		e.call(admin, "GET", "/api/v1/grids", nil, &grids)
		var building, standard float64
		for _, g := range grids {
			switch g["code"] {
			case "yile-b09":
				building = g["id"].(float64)
			case "yile-09":
				standard = g["id"].(float64)
			}
		}
		if building == 0 || standard == 0 {
			t.Fatalf("imported grids missing: %v", grids)
		}
		// A report inside the building grid lands there, not in the grid around it.
		var c caseJSON
		if st := e.call(disp, "POST", "/api/v1/cases", map[string]any{"category": "0101", "details": "楼下垃圾堆积", "lat": 30.2815, "lon": 120.1315}, &c); st != 201 || float64(c.GridID) != building {
			t.Fatalf("report in the new building grid: %d grid %d want %v", st, c.GridID, building)
		}

		// A new category with a required list attribute, routed to 市场监管所.
		cat := `{"parent_code":"02","name":"无照经营","active":true,"attributes":[{"code":"shop","datatype":"singlevaluelist","required":true,"variable":true,"order":1,"description":"经营类型","values":[{"key":"food","name":"餐饮"},{"key":"other","name":"其他"}]}]}`
		if st, body := e.send(disp, "PUT", "/api/v1/categories/0202", "application/json", cat); st != http.StatusForbidden {
			t.Fatalf("dispatcher editing categories: %d %s", st, body)
		}
		if st, body := e.send(admin, "PUT", "/api/v1/categories/0202", "application/json", cat); st != 200 {
			t.Fatalf("put category: %d %s", st, body)
		}
		rule := fmt.Sprintf(`{"category":"0202","unit_id":%d}`, e.fx.Market.ID)
		if st, body := e.send(admin, "POST", "/api/v1/routing-rules", "application/json", rule); st != 201 {
			t.Fatalf("routing rule: %d %s", st, body)
		}
		var eb errJSON
		if st := e.call(disp, "POST", "/api/v1/cases", map[string]any{"category": "0202", "details": "无照餐饮"}, &eb); st != 400 || eb.Error.Field != "attribute[shop]" {
			t.Fatalf("missing required attribute: %d %+v", st, eb)
		}
		if st := e.call(disp, "POST", "/api/v1/cases", map[string]any{"category": "0202", "details": "无照餐饮", "attributes": map[string][]string{"shop": {"food"}}}, &c); st != 201 || c.Suggested != e.fx.Market.ID {
			t.Fatalf("routed report: %d %+v", st, c)
		}

		// A staff account, the security administrator's (issue 18): the
		// system administrator is refused; a weak password is refused in
		// Chinese; a good one signs in, and must be changed first.
		if st, _ := e.send(admin, "POST", "/api/v1/staff", "application/json", `{"username":"x.y","name":"某","role":"leader","active":true,"password":"Market-Handler-2025"}`); st != http.StatusForbidden {
			t.Fatalf("the system administrator creates an account: %d", st)
		}
		admin = e.login(e.fx.SecurityAdmin)
		st, body = e.send(admin, "POST", "/api/v1/staff", "application/json", `{"username":"new.handler","name":"新经办","role":"unit_handler","unit_id":`+fmt.Sprint(e.fx.Market.ID)+`,"active":true,"password":"short"}`)
		if st != 400 || !strings.Contains(body, "密码至少10位") {
			t.Fatalf("weak password: %d %s", st, body)
		}
		st, body = e.send(admin, "POST", "/api/v1/staff", "application/json", `{"username":"new.handler","name":"新经办","role":"unit_handler","unit_id":`+fmt.Sprint(e.fx.Market.ID)+`,"active":true,"password":"Market-Handler-2025"}`)
		if st != 200 {
			t.Fatalf("create staff: %d %s", st, body)
		}
		var signed struct{ Token string }
		if st := e.call("", "POST", "/api/v1/login", map[string]string{"username": "new.handler", "password": "Market-Handler-2025"}, &signed); st != 200 {
			t.Fatalf("new account sign-in: %d", st)
		}
		if st, body := e.send(signed.Token, "GET", "/api/v1/cases", "", ""); st != http.StatusForbidden || !strings.Contains(body, "请先修改密码") {
			t.Fatalf("an account whose password the security administrator set, before changing it: %d %.200s", st, body)
		}
		admin = e.login(e.fx.Admin)

		// Next year's schedule as a TSV file; a bad line refuses the whole file.
		tsv := "date\tkind\tname\tschedule_year\n2027-01-01\toff\t元旦\t2027\n2027-02-06\toff\t春节\t2027\n"
		if st, body := e.send(admin, "PUT", "/api/v1/calendar", "text/tab-separated-values", tsv+"2027-13-01\toff\t错\t2027\n"); st != 400 || !strings.Contains(body, "第4行") {
			t.Fatalf("bad calendar line: %d %s", st, body)
		}
		if st, body := e.send(admin, "PUT", "/api/v1/calendar", "text/tab-separated-values", tsv); st != 200 || !strings.Contains(body, `"saved":2`) {
			t.Fatalf("calendar import: %d %s", st, body)
		}
		st, body = e.send(disp, "GET", "/api/v1/calendar?format=tsv", "", "")
		if st != 200 || !strings.Contains(body, "2027-02-06\toff\t春节\t2027") || !strings.Contains(body, "2024-02-18\tworkday") {
			t.Fatalf("calendar export: %d %.300s", st, body)
		}

		// Machine clients: created and revoked by the admin only.
		var key struct {
			APIKey string         `json:"api_key"`
			Client map[string]any `json:"client"`
		}
		if st := e.call(admin, "POST", "/api/v1/api-clients", map[string]string{"name": "烟感平台", "channel": "iot"}, &key); st != 201 || !strings.HasPrefix(key.APIKey, "jd_") {
			t.Fatalf("api client: %d %+v", st, key)
		}
		if st := e.call(key.APIKey, "GET", "/api/v1/me", nil, nil); st != 200 {
			t.Fatalf("new key: %d", st)
		}
		if st := e.call(admin, "DELETE", fmt.Sprintf("/api/v1/api-clients/%v", key.Client["id"]), nil, nil); st != http.StatusNoContent {
			t.Fatalf("revoke: %d", st)
		}
		if st := e.call(key.APIKey, "POST", "/api/v1/cases", map[string]any{"category": "0101", "details": "x"}, &eb); st != http.StatusUnauthorized {
			t.Fatalf("revoked key on a public route: %d, want 401", st)
		}
	})
}
