package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

// TestCSPImagesFromTheServerAndTheTileHostOnly: images load from jiedao
// itself (and data:/blob: for photos being uploaded), and from the
// configured tile host; never from anywhere (`img-src *`).
func TestCSPImagesFromTheServerAndTheTileHostOnly(t *testing.T) {
	for _, c := range []struct{ tiles, want string }{
		{"", "img-src 'self' data: blob:;"},
		{"https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png", "img-src 'self' data: blob: https://tiles.example.gov.cn:8443;"},
		{"/tiles/{z}/{x}/{y}.png", "img-src 'self' data: blob:;"},
	} {
		testdb.Each(t, func(t *testing.T, db *store.DB) {
			e := newEnvPolicy(t, db, longSessions(), func(s *server.Server) { s.Web.TileURL = c.tiles })
			resp, err := http.Get(e.url + "/login")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, c.want) || strings.Contains(csp, "*") {
				t.Errorf("tiles %q: CSP %q, want %q", c.tiles, csp, c.want)
			}
		})
	}
}
