package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestErrorForms: what no route answers is an HTML page in the reader's
// language with a way back, with the right status, everywhere but the API
// (JSON) and Open311 (its error list).
func TestErrorForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		get := func(method, path, cookie string) (int, http.Header, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.url+path, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			req.Header.Set("Referer", e.url+"/track")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header, string(b)
		}
		html := func(what string, st, want int, h http.Header, body string, has ...string) {
			t.Helper()
			if st != want || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d %q, want %d HTML:\n%.400s", what, st, h.Get("Content-Type"), want, body)
			}
			for _, s := range has {
				if !strings.Contains(body, s) {
					t.Errorf("%s: no %q in:\n%.1200s", what, s, body)
				}
			}
		}
		st, h, body := get("GET", "/no/such/page", "")
		html("unknown page", st, 404, h, body, "页面不存在", `href="/track"`, "返回首页")
		st, h, body = get("GET", "/no/such/page", "lang=en")
		html("unknown page in English", st, 404, h, body, "no such page", "Back to the start", `lang="en"`)
		if strings.Contains(body, "页面不存在") {
			t.Error("English error page carries the Chinese message")
		}
		st, h, body = get("DELETE", "/cases", "")
		html("wrong method", st, 405, h, body, "不支持该请求方法")
		if h.Get("Allow") == "" {
			t.Error("405 without Allow")
		}
		st, h, body = get("GET", "/static/nope.css", "")
		html("unknown asset", st, 404, h, body, "文件不存在")

		st, h, body = get("GET", "/api/v1/nope", "")
		if st != 404 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !strings.Contains(body, `"not_found"`) {
			t.Errorf("API 404: %d %q %s", st, h.Get("Content-Type"), body)
		}
		st, h, _ = get("PATCH", "/api/v1/cases", "")
		if st != 405 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("API 405: %d %q", st, h.Get("Content-Type"))
		}
		st, h, body = get("GET", "/open311/v2/nope.json", "")
		if st != 404 || strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("Open311 404: %d %q %s", st, h.Get("Content-Type"), body)
		}
	})
}
