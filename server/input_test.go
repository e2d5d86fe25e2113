package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestQueryInputIsBoundedAndText: a text filter longer than 200 runes, a
// NUL or invalid UTF-8 in any query parameter, and an unknown value of an
// enumerated filter are 400 naming the parameter — JSON on the API, the
// error page on the pages, Open311's error list — never a 500 from the
// database nor silently ignored.
func TestQueryInputIsBoundedAndText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tok := e.login(e.fx.Dispatcher)
		admin := e.login(e.fx.Admin)
		get := func(path, token string, cookie bool) (int, string, string) {
			req, _ := http.NewRequest("GET", e.url+path, nil)
			if cookie {
				req.Header.Set("Cookie", api.SessionCookie+"="+token)
			} else if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
		}
		long := url.QueryEscape(strings.Repeat("垃", 201))
		huge := url.QueryEscape(strings.Repeat("%_", 25000))
		for _, c := range []struct {
			path, token string
			page        bool
			field       string
		}{
			{"/api/v1/cases?q=" + huge, tok, false, "q"},
			{"/api/v1/cases?q=" + long, tok, false, "q"},
			{"/api/v1/cases?number=" + long, tok, false, "number"},
			{"/api/v1/cases?category=" + long, tok, false, "category"},
			{"/api/v1/cases?q=a%00b", tok, false, "q"},
			{"/api/v1/cases?q=%ff", tok, false, "q"},
			{"/api/v1/cases?rated=maybe", tok, false, "rated"},
			{"/api/v1/cases?dispatched=2", tok, false, "dispatched"},
			{"/api/v1/cases/export?q=" + huge, tok, false, "q"},
			{"/api/v1/enterprises?q=" + long, tok, false, "q"},
			{"/api/v1/intake/iot/devices?q=" + long, admin, false, "q"},
			{"/api/v1/intake/iot/devices?q=%00", admin, false, "q"},
			{"/api/v1/units?x=%00", tok, false, "x"},
			{"/cases?q=" + huge, tok, true, ""},
			{"/cases?q=%00", tok, true, ""},
			{"/cases?rated=maybe", tok, true, ""},
			{"/track?number=%ff", "", true, ""},
		} {
			st, ct, body := get(c.path, c.token, c.page)
			short := c.path[:min(len(c.path), 60)]
			if st != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400:\n%.300s", short, st, body)
				continue
			}
			if c.page {
				if !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: %s, want the HTML error page", short, ct)
				}
			} else if !strings.HasPrefix(ct, "application/json") || !strings.Contains(body, `"field":"`+c.field+`"`) {
				t.Errorf("%s: %s %s, want JSON naming %s", short, ct, body, c.field)
			}
		}
		// Open311: its own error list.
		st, ct, body := get("/open311/v2/requests.json?status=open%00", "", false)
		if st != http.StatusBadRequest || !strings.HasPrefix(ct, "application/json") || !strings.Contains(body, `"code":400`) {
			t.Errorf("open311 NUL: %d %s %s", st, ct, body)
		}
	})
}
