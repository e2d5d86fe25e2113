package server

import (
	"context"
	"net/http"
	"time"
)

// Replica sends the reads that may lag to a streaming replica
// (store.DB implements it; docs/deploy.md).
type Replica interface {
	// MayLag returns ctx marked so that its reads go to the replica, once
	// the replica has replayed past after (a WriteLSN, or empty).
	MayLag(ctx context.Context, after string) context.Context
	// WriteLSN returns the primary's WAL position now.
	WriteLSN(ctx context.Context) (string, error)
}

// walCookie carries the primary's WAL position after the browser's last
// write, so that its next dashboard or report reads its own writes: from
// the replica once the replica has replayed that far, from the primary
// until then.
const walCookie = "jiedao_wal"

// mayLag are the routes whose reads may come from the replica: dashboards,
// reports and exports, which read much and need not be up to the second.
var mayLag = map[string]bool{
	"GET /dashboard":                  true,
	"GET /dashboard/export.csv":       true,
	"GET /dashboard/export.xlsx":      true,
	"GET /report":                     true,
	"GET /report/export.docx":         true,
	"GET /report/export.md":           true,
	"GET /report/export.xlsx":         true,
	"GET /api/v1/report":              true,
	"GET /api/v1/cases/export":        true,
	"GET /cases/export.csv":           true,
	"GET /cases/export.xlsx":          true,
	"GET /ledgers/{code}/export.xlsx": true,
}

// routeReads marks a request of a route that may lag so that its reads
// go to the replica, and makes a write's answer carry the WAL cookie.
func (s *Server) routeReads(rt route, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if mayLag[rt.pattern] {
			after := ""
			if c, err := r.Cookie(walCookie); err == nil {
				after = c.Value
			}
			r = r.WithContext(s.Replica.MayLag(r.Context(), after))
		}
		return w, r
	}
	return &walWriter{ResponseWriter: w, s: s, r: r}, r
}

// walWriter sets the WAL cookie on a successful write's answer, as its
// header goes out: by then the write has committed.
type walWriter struct {
	http.ResponseWriter
	s    *Server
	r    *http.Request
	done bool
}

func (w *walWriter) mark(code int) {
	if w.done {
		return
	}
	w.done = true
	if code >= 400 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.r.Context()), time.Second)
	defer cancel()
	lsn, err := w.s.Replica.WriteLSN(ctx)
	if err != nil {
		return // the next dashboard may be a moment behind; nothing breaks
	}
	http.SetCookie(w.ResponseWriter, &http.Cookie{Name: walCookie, Value: lsn, Path: "/", MaxAge: 300,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.r.TLS != nil})
}

func (w *walWriter) WriteHeader(code int) {
	w.mark(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *walWriter) Write(b []byte) (int, error) {
	w.mark(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *walWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
