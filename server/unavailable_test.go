package server_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestDatabaseDownAnswers503WithRetryAfter: a failure of the server (here
// its database, gone) is 503 with Retry-After on every interface, never a
// 400 a client reads as "do not retry" nor a bare 500.
func TestDatabaseDownAnswers503WithRetryAfter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, method, path, ctype, body, auth, wantType, wantBody string
		}{
			{"open311 post json", "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", "api_key=jd_x&service_code=0101&lat=30.27&long=120.12", "", "application/json", `"code":503`},
			{"open311 post xml", "POST", "/open311/v2/requests.xml", "application/x-www-form-urlencoded", "api_key=jd_x&service_code=0101&lat=30.27&long=120.12", "", "text/xml", "<code>503</code>"},
			{"open311 services", "GET", "/open311/v2/services.json", "", "", "", "application/json", `"code":503`},
			{"api", "GET", "/api/v1/cases", "", "", "Bearer jd_x", "application/json", `"code":"internal"`},
			{"page", "GET", "/r", "", "", "", "text/html", "503"},
			{"webhook", "POST", "/api/v1/intake/iot/alarms", "application/json", `{"device_code":"SD-1","event_id":"e1","kind":"smoke","at":"2024-06-11T09:00:00+08:00"}`, "", "application/json", `"code":"internal"`},
			{"hotline", "POST", "/api/v1/intake/hotline/import", "text/csv", "a,b\n", "Bearer jd_x", "application/json", `"code":"internal"`},
		} {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req, _ := http.NewRequest(c.method, e.url+c.path, body)
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			if c.name == "webhook" { // signed: the client is looked up
				req.Header.Set("X-Jiedao-Client", "1")
				req.Header.Set("X-Jiedao-Timestamp", strconv.FormatInt(e.clock.Now().Unix(), 10))
				req.Header.Set("X-Jiedao-Signature", "sha256="+strings.Repeat("0", 64))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), c.wantType) || !strings.Contains(string(b), c.wantBody) {
				t.Errorf("%s: %d Retry-After %q %q, want 503 with Retry-After in %s containing %s:\n%.300s", c.name, resp.StatusCode,
					resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), c.wantType, c.wantBody, b)
			}
		}
	})
}
