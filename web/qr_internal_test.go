package web

import (
	"net/http/httptest"
	"testing"
)

// TestSiteURL: QR codes encode --public-url when it is set, else the
// address the request came to.
func TestSiteURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://10.0.0.5:8080/qr/wenhua-01", nil)
	if got := (&Handler{}).siteURL(r); got != "http://10.0.0.5:8080" {
		t.Errorf("without --public-url: %s", got)
	}
	h := &Handler{PublicURL: "https://jiedao.example.gov.cn"}
	if got := h.siteURL(r); got != "https://jiedao.example.gov.cn" {
		t.Errorf("with --public-url: %s", got)
	}
	a, err := qrSVG(h.siteURL(r) + "/r/wenhua-01")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := qrSVG("http://10.0.0.5:8080/r/wenhua-01")
	if string(a) == string(b) {
		t.Error("the code does not depend on the address it encodes")
	}
}
