package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"rsc.io/qr"

	"github.com/jiedao/jiedao/org"
)

// QR codes (西湖码) are made here with rsc.io/qr: a small, dependency-free
// QR encoder by Russ Cox (BSD licence, unchanged for years because the
// standard is), which saves us writing Reed–Solomon coding and mask
// selection. We draw the modules as SVG ourselves, so that a printed sheet
// stays sharp at any size.

// siteURL is the address residents' phones should open: the configured
// public address, else the one this request came to (behind a proxy, as
// the proxy forwards it) — which is wrong when an admin prints the codes
// from an intranet address, hence --public-url.
func (h *Handler) siteURL(r *http.Request) string {
	if h.PublicURL != "" {
		return h.PublicURL
	}
	return requestURL(r)
}

// requestURL is the address this request came to.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qrSVG draws text as a QR code with a quiet zone of four modules.
func qrSVG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	n := code.Size + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}

// GridQR is the QR code of a grid as SVG: it opens /r/{grid code}. Grid
// codes and names are public, so anyone may fetch it.
func (h *Handler) GridQR(w http.ResponseWriter, r *http.Request) {
	g, _, err := h.Directory.PublicGrid(r.Context(), r.PathValue("grid"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	svg, err := qrSVG(h.siteURL(r) + "/r/" + url.PathEscape(g.Code))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(svg)
}

type qrSheet struct {
	Communities map[int64]string
	Grids       []*org.Grid
	Site        string
	Configured  bool // Site is --public-url, not this request's address
}

// QRSheet is a printable sheet of every grid's code.
func (h *Handler) QRSheet(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	grids, err := h.Directory.Grids(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	comms, err := h.Directory.Communities(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := qrSheet{Communities: map[int64]string{}, Site: h.siteURL(r), Configured: h.PublicURL != ""}
	for _, c := range comms {
		d.Communities[c.ID] = c.Name
	}
	for _, g := range grids {
		gg := *g
		gg.Geometry = nil
		d.Grids = append(d.Grids, &gg)
	}
	p := h.newPage(w, r, "西湖码|Xihu codes")
	p.Active = "/qr"
	p.Data = d
	h.render(w, r, http.StatusOK, "qrsheet", p)
}
