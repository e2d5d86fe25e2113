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

// exportResult is the export of every case as XLSX through the pages'
// case list export (GET /cases/export.xlsx), taken from serve.
type exportResult struct {
	measured bool
	err      error
	rows     int   // cases the export holds (the list's count; at most 1,000,000)
	bytes    int64 // size of the workbook
	took     time.Duration
	before   int64 // serve's VmRSS before, kB
	peak     int64 // the highest VmRSS sampled during the export, kB
	hwm      int64 // VmHWM after, kB
}

// measure downloads the export as the signed-in leader, sampling serve's
// resident memory every 10 ms.
func (e *exportResult) measure(ctx context.Context, base, token string, pid int) {
	e.measured = true
	status := fmt.Sprintf("/proc/%d/status", pid)
	var list struct {
		Total int `json:"total"`
	}
	hc := &http.Client{Timeout: 10 * time.Minute}
	if err := getJSON(hc, base+"/api/v1/cases?limit=1", token, &list); err != nil {
		e.err = err
		return
	}
	e.rows = min(list.Total, 1_000_000)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/cases/export.xlsx", nil)
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
			err = fmt.Errorf("GET /cases/export.xlsx: %d", resp.StatusCode)
		} else {
			e.bytes, err = io.Copy(io.Discard, resp.Body)
		}
		resp.Body.Close()
	}
	e.took = time.Since(t0)
	close(done)
	<-sampled
	e.err, e.peak, e.hwm = err, peak.Load(), procKB(status, "VmHWM")
}

func (e *exportResult) print(p *printer) {
	switch {
	case !e.measured:
		p.line("XLSX: not measured (serve was not started)")
	case e.err != nil:
		p.line("XLSX: failed: %v", e.err)
	default:
		p.line("XLSX: GET /cases/export.xlsx (the case list's export, every case of the database, as the leader) from serve:")
		p.line("  %d rows in %s: %s rows/s; %.1f MB", e.rows, e.took.Round(10*time.Millisecond),
			strconv.FormatFloat(float64(e.rows)/e.took.Seconds(), 'f', 0, 64), float64(e.bytes)/1e6)
		p.line("  serve's VmRSS %s before, at most %s during (sampled every 10 ms); VmHWM %s after", mib(e.before), mib(e.peak), mib(e.hwm))
	}
	p.line("CSV: TODO — jiedao has no CSV export of cases yet; no figure until it exists (issue target: one million")
	p.line("  cases to XLSX and to CSV, streamed, peak memory flat and under 200 MB)")
}
