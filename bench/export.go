package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// exportFormats are the formats the export is measured in, in order.
var exportFormats = []string{"xlsx", "csv"}

// exportResult is the export of every case through the pages' case list
// export (GET /cases/export.xlsx and .csv), taken from serve: the
// database's cases up to the export's limit, contacts masked (the default).
type exportResult struct {
	format   string
	measured bool
	err      error
	rows     int   // cases the export holds (the list's count; at most 1,000,000)
	bytes    int64 // size of the file
	first    time.Duration
	took     time.Duration
	before   int64 // serve's VmRSS before, kB
	peak     int64 // the highest VmRSS sampled during the export, kB
	hwm      int64 // VmHWM after, kB (the process's peak so far)
}

// measureExports downloads the case list in each format as the signed-in
// leader, one after the other, sampling serve's resident memory.
func measureExports(ctx context.Context, base, token string, pid int) []*exportResult {
	var out []*exportResult
	for _, f := range exportFormats {
		e := &exportResult{format: f}
		e.measure(ctx, base, token, pid)
		out = append(out, e)
	}
	return out
}

// measure downloads one export, sampling serve's resident memory every
// 10 ms, and times its first byte and its end.
func (e *exportResult) measure(ctx context.Context, base, token string, pid int) {
	e.measured = true
	status := fmt.Sprintf("/proc/%d/status", pid)
	var list struct {
		Total int `json:"total"`
	}
	hc := &http.Client{Timeout: 30 * time.Minute}
	if err := getJSON(hc, base+"/api/v1/cases?limit=1", token, &list); err != nil {
		e.err = err
		return
	}
	e.rows = min(list.Total, 1_000_000)
	path := "/cases/export." + e.format
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		e.err = err
		return
	}
	req.AddCookie(&http.Cookie{Name: "jiedao_session", Value: token})
	e.before = procKB(status, "VmRSS")
	var peak atomic.Int64
	peak.Store(e.before)
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if kb := procKB(status, "VmRSS"); kb > peak.Load() {
					peak.Store(kb)
				}
			}
		}
	}()
	t0 := time.Now()
	resp, err := hc.Do(req)
	if err == nil {
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		} else {
			var buf [1]byte
			var n int
			if n, err = io.ReadFull(resp.Body, buf[:]); err == nil {
				e.first = time.Since(t0)
				e.bytes, err = io.Copy(io.Discard, resp.Body)
				e.bytes += int64(n)
			}
		}
		resp.Body.Close()
	}
	e.took = time.Since(t0)
	close(done)
	<-sampled
	e.err, e.peak, e.hwm = err, peak.Load(), procKB(status, "VmHWM")
}

func (e *exportResult) print(p *printer) {
	name := map[string]string{"xlsx": "XLSX", "csv": "CSV"}[e.format]
	switch {
	case !e.measured:
		p.line("%s: not measured (serve was not started)", name)
	case e.err != nil:
		p.line("%s: failed: %v", name, e.err)
	default:
		p.line("%s: GET /cases/export.%s (the case list's export, every case of the database, as the leader, contacts masked) from serve:", name, e.format)
		p.line("  %d rows in %s: %s rows/s; first byte after %s; %.1f MB", e.rows, e.took.Round(10*time.Millisecond),
			strconv.FormatFloat(float64(e.rows)/e.took.Seconds(), 'f', 0, 64), ms(e.first), float64(e.bytes)/1e6)
		p.line("  serve's VmRSS %s before, at most %s during (sampled every 10 ms); VmHWM %s after", mib(e.before), mib(e.peak), mib(e.hwm))
	}
}
