package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/jiedao/jiedao/demo"
)

// serveFigures starts `jiedao serve` on the database opt.Starts times,
// timing each start until /healthz answers 200, and reads the resident
// memory of the last one from /proc: after start, and after a round of
// dashboard and list requests as a leader. On the last one it also
// measures the export of every case.
func serveFigures(ctx context.Context, p *printer, env Env, opt Options) ([]*exportResult, error) {
	var exp []*exportResult
	if env.Serve == nil {
		p.line("not measured: no serve command")
		return exp, nil
	}
	p.line("each start: a new `jiedao serve` process (migrations checked, calendar checked, listener opened) until /healthz")
	p.line("answers 200, polled every 5 ms; the database files are in the page cache (a warm start)")
	var starts []time.Duration
	for i := 1; i <= max(1, opt.Starts); i++ {
		var e *[]*exportResult
		if i == max(1, opt.Starts) {
			e = &exp
		}
		d, err := oneStart(ctx, p, env, opt, e)
		if err != nil {
			return nil, err
		}
		starts = append(starts, d)
	}
	sorted := sortDurations(append([]time.Duration(nil), starts...))
	p.line("start-up to /healthz: median %s (runs: %v)", ms(quantile(sorted, .5)), roundAll(starts))
	return exp, nil
}

func roundAll(ds []time.Duration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return out
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// oneStart starts serve once and returns the time to /healthz; given exp,
// it also measures memory and the exports.
func oneStart(ctx context.Context, p *printer, env Env, opt Options, exp *[]*exportResult) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	cmd := env.Serve(addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	hc := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := hc.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(t0) > 2*time.Minute || ctx.Err() != nil {
			return 0, fmt.Errorf("bench: serve not healthy after %s:\n%s", time.Since(t0).Round(time.Second), logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(t0)
	if exp == nil {
		return took, nil
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	idle := procKB(status, "VmRSS")

	// A round of what leaders and dispatchers open, through HTTP.
	token, err := loginAs(hc, base, "leader")
	switch {
	case err != nil:
		p.line("dashboard requests not made: %v", err)
	case opt.ExportOnly:
		p.line("dashboard requests not made: --export-only")
	default:
		from, to := strconv.Itoa(opt.Year)+"-01-01", strconv.Itoa(opt.Year+1)+"-01-01"
		paths := []string{"/api/v1/cases?limit=50", "/api/v1/cases?limit=50&due=overdue", "/api/v1/cases?limit=500&q=%E5%9E%83%E5%9C%BE",
			"/open311/v2/requests.json", "/open311/v2/services.json"}
		for _, g := range []string{"all", "community", "grid", "unit"} {
			paths = append(paths, "/api/v1/evaluation?group_by="+g+"&from="+from+"&to="+to)
		}
		for range 3 {
			for _, path := range paths {
				if err := get(hc, base+path, token); err != nil {
					p.line("request %s: %v", path, err)
				}
			}
		}
	}
	busy := procKB(status, "VmRSS")
	peak := procKB(status, "VmHWM")
	if opt.ExportOnly {
		p.line("resident memory of serve (VmRSS from /proc/PID/status): %s after start-up", mib(idle))
	} else {
		p.line("resident memory of serve (VmRSS from /proc/PID/status): %s after start-up; %s after three rounds of %s",
			mib(idle), mib(busy), "dashboard and list requests (evaluation by all/community/grid/unit for the year, case lists, Open311 requests)")
	}
	p.line("peak resident memory (VmHWM): %s", mib(peak))
	if token != "" {
		*exp = measureExports(ctx, base, token, cmd.Process.Pid)
	}
	return took, nil
}

func mib(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

func loginAs(hc *http.Client, base, username string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": username, "password": demo.Password})
	resp, err := hc.Post(base+"/api/v1/login", "application/json", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login as the demo's %s: %d", username, resp.StatusCode)
	}
	return out.Token, nil
}

// getJSON reads a JSON answer as the signed-in staff member.
func getJSON(hc *http.Client, url, token string, v any) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func get(hc *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%d", resp.StatusCode)
	}
	return nil
}
