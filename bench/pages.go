package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime/pprof"
	"strings"
	"time"
)

// pageCase is one page as one role sees it.
type pageCase struct {
	role, username, path string
}

// pageCases are the pages the issue names (the leader's dashboard, the
// case list at depth and sorted) and each role's home, on year Y.
func pageCases(year int) []pageCase {
	y := fmt.Sprint(year)
	return []pageCase{
		{"leader", "leader", "/dashboard?year=" + y},
		{"leader", "leader", "/dashboard"},
		{"leader", "leader", "/cases"},
		{"leader", "leader", "/cases?from=" + y + "-01-01&to=" + fmt.Sprint(year+1) + "-01-01"},
		{"dispatcher", "dispatcher", "/board"},
		{"dispatcher", "dispatcher", "/cases"},
		{"dispatcher", "dispatcher", "/cases?sort=due&dir=asc"},
		{"dispatcher", "dispatcher", "/cases?sort=urgency"},
		{"dispatcher", "dispatcher", "/cases?page=200"},
		{"unit", "chengguan.1", "/inbox"},
		{"unit", "chengguan.1", "/cases"},
		// A unit that is rarely sent anything: its few cases are spread
		// over the whole year (the newest-first scan finds no 50 early).
		{"unit", "police.1", "/cases"},
	}
}

// pages measures each page's time to first byte and to its end through
// the whole handler over loopback HTTP, signed in as each role: one
// untimed request, then opt.Runs timed one after another.
func pages(ctx context.Context, p *printer, env Env, opt Options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: env.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Timeout: 5 * time.Minute}
	tokens := map[string]string{}
	p.line("server: the whole jiedao handler in this process on %s; each page once untimed, then %d timed runs; signed in with a bearer token", base, opt.Runs)
	p.line("")
	p.line("| role | page | status | bytes | TTFB p50 | TTFB p95 | TTFB max | whole p95 |")
	p.line("|---|---|---|---|---|---|---|---|")
	if opt.CPUProfile != nil {
		if err := pprof.StartCPUProfile(opt.CPUProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cases := pageCases(opt.Year)
	// A cursor page near the end of the newest-first list: what 下一页
	// costs there (keyset), beside the OFFSET page of the same depth.
	var deep int64
	if rows, err := env.DB.Query(ctx, `SELECT id FROM cases ORDER BY reported_at, id LIMIT 1 OFFSET 50`); err == nil {
		for rows.Next() {
			_ = rows.Scan(&deep)
		}
		rows.Close()
	}
	if deep != 0 {
		cases = append(cases, pageCase{"dispatcher", "dispatcher", fmt.Sprintf("/cases?after=%d", deep)},
			pageCase{"dispatcher", "dispatcher", fmt.Sprintf("/cases?before=%d", deep)})
	}
	// The filters a leader and a dispatcher use most, on a year: one
	// community's cases, one grid's, a status and channel, and a text
	// search for a common word and for one no case holds (which finds
	// nothing early and so costs the most), of two characters and of one.
	community, grid := firstID(ctx, env, `SELECT id FROM communities ORDER BY id LIMIT 1`), firstID(ctx, env, `SELECT grid_id FROM cases WHERE grid_id IS NOT NULL ORDER BY id LIMIT 1`)
	yearRange := fmt.Sprintf("from=%d-01-01&to=%d-01-01", opt.Year, opt.Year+1)
	if community != 0 {
		cases = append(cases, pageCase{"leader", "leader", fmt.Sprintf("/cases?community_id=%d&%s", community, yearRange)})
	}
	if grid != 0 {
		cases = append(cases, pageCase{"dispatcher", "dispatcher", fmt.Sprintf("/cases?grid_id=%d", grid)})
	}
	cases = append(cases,
		pageCase{"leader", "leader", "/cases?status=closed&channel=enterprise&" + yearRange},
		pageCase{"leader", "leader", "/cases?q=" + url.QueryEscape("垃圾")},
		pageCase{"leader", "leader", "/cases?q=" + url.QueryEscape("无此内容")},
		pageCase{"leader", "leader", "/cases?q=" + url.QueryEscape("灯")}, // one character, in 1 % of cases
		pageCase{"leader", "leader", "/cases?q=" + url.QueryEscape("孤")}, // one character no case holds
		pageCase{"leader", "leader", fmt.Sprintf("/report?year=%d", opt.Year)})
	// The last page of the whole list (read from its end) and the middle
	// one (the deepest OFFSET a numbered page can cost, half the list).
	var total int
	if rows, err := env.DB.Query(ctx, `SELECT COUNT(*) FROM cases`); err == nil {
		for rows.Next() {
			_ = rows.Scan(&total)
		}
		rows.Close()
	}
	if total > 0 {
		last := (total + 49) / 50
		cases = append(cases, pageCase{"dispatcher", "dispatcher", fmt.Sprintf("/cases?page=%d", last)},
			pageCase{"dispatcher", "dispatcher", fmt.Sprintf("/cases?page=%d", (last+1)/2)})
	}
	for _, pc := range cases {
		if opt.Page != "" && !strings.Contains(pc.path, opt.Page) {
			continue
		}
		tok := tokens[pc.username]
		if tok == "" {
			if tok, err = loginAs(hc, base, pc.username); err != nil {
				p.line("| %s | %s | login failed: %v | | | | | |", pc.role, pc.path, err)
				continue
			}
			tokens[pc.username] = tok
		}
		var ttfb, whole []time.Duration
		status, size := 0, int64(0)
		for i := 0; i <= opt.Runs; i++ {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var first time.Time
			trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Now() }}
			req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, base+pc.path, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			start := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				return fmt.Errorf("bench: GET %s: %w", pc.path, err)
			}
			size, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			end := time.Now()
			status = resp.StatusCode
			if i == 0 {
				continue
			}
			ttfb, whole = append(ttfb, first.Sub(start)), append(whole, end.Sub(start))
		}
		ttfb, whole = sortDurations(ttfb), sortDurations(whole)
		p.line("| %s | `%s` | %d | %d | %s | %s | %s | %s |", pc.role, pc.path, status, size,
			ms(quantile(ttfb, 0.5)), ms(quantile(ttfb, 0.95)), ms(ttfb[len(ttfb)-1]), ms(quantile(whole, 0.95)))
	}
	return nil
}

// firstID is the first column of query's first row, 0 when there is none.
func firstID(ctx context.Context, env Env, query string) (id int64) {
	rows, err := env.DB.Query(ctx, query)
	if err != nil {
		return 0
	}
	defer rows.Close()
	if rows.Next() {
		_ = rows.Scan(&id)
	}
	return id
}
