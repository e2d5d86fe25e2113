package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jiedao/jiedao/store"
)

// phase is one timed run of concurrent operations.
type phase struct {
	name     string
	ok, errs int
	elapsed  time.Duration
	lat      []time.Duration // sorted
	cpu      float64         // share of the machine's CPU time busy
	firstErr error
}

func (r phase) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// runPhase runs op from n goroutines: first for warmup (not counted),
// then for d or until max operations have started.
func runPhase(ctx context.Context, name string, n int, warmup, d time.Duration, max int, op func(ctx context.Context, worker, i int) error) phase {
	run := func(d time.Duration, max int, record bool) phase {
		var (
			mu      sync.Mutex
			res     = phase{name: name}
			started atomic.Int64
			wg      sync.WaitGroup
		)
		cpu := startCPU()
		t0 := time.Now()
		end := t0.Add(d)
		for w := 0; w < n; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var lat []time.Duration
				var ok, errs int
				var first error
				for i := 0; ctx.Err() == nil && time.Now().Before(end) && started.Add(1) <= int64(max); i++ {
					s := time.Now()
					err := op(ctx, w, i)
					if err != nil {
						errs++
						if first == nil {
							first = err
						}
						continue
					}
					ok++
					if record {
						lat = append(lat, time.Since(s))
					}
				}
				mu.Lock()
				res.ok += ok
				res.errs += errs
				res.lat = append(res.lat, lat...)
				if res.firstErr == nil {
					res.firstErr = first
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		res.elapsed = time.Since(t0)
		res.cpu = cpu.busyShare()
		sortDurations(res.lat)
		return res
	}
	if warmup > 0 {
		run(warmup, max, false)
	}
	return run(d, max, true)
}

// Gudang's area (demo/org.go), inset so that every point is in a grid.
const (
	latMin, latSpan = 30.2720, 0.0160
	lonMin, lonSpan = 120.1090, 0.0219
)

var problems = []string{"路灯不亮，晚上行人看不清路", "井盖松动，车辆经过时响声很大", "楼道口垃圾堆放两天无人清运",
	"夜间施工噪声扰民", "共享单车堆积占用盲道", "小区消防通道被车辆堵塞", "道路破损有积水", "店外经营占用人行道"}

func intake(ctx context.Context, p *printer, env Env, opt Options) error {
	key, client, err := env.Auth.CreateAPIClient(ctx, "jiedao bench "+time.Now().Format("20060102-150405"), "")
	if err != nil {
		return err
	}
	cats, err := env.Cases.Categories(ctx)
	if err != nil {
		return err
	}
	var codes []string
	for _, c := range cats {
		if c.ParentCode != "" && c.Active {
			codes = append(codes, c.Code)
		}
	}
	if len(codes) == 0 {
		return errors.New("bench: no active category to report in")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: env.Handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	defer srv.Shutdown(context.WithoutCancel(ctx))
	base := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConns: 2 * opt.Clients, MaxIdleConnsPerHost: 2 * opt.Clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}

	p.line("server: the whole jiedao handler (as serve wires it) in this process on %s; %d clients, keep-alive connections", base, opt.Clients)
	p.line("each request: POST /open311/v2/requests.json, form-encoded: api_key, service_code (one of %d), lat/long in a grid,", len(codes))
	p.line("  address_string, a description of about 40 characters. Answered 200 with a service_request_id once the case is")
	p.line("  validated, placed in its grid, routed (suggested unit), stored with its report event and committed")

	rngs := make([]*mrand.Rand, opt.Clients)
	for i := range rngs {
		rngs[i] = mrand.New(mrand.NewPCG(opt.Seed, uint64(i)))
	}
	var seq atomic.Int64
	post := func(ctx context.Context, w, _ int) error {
		rng := rngs[w]
		n := seq.Add(1)
		form := url.Values{"api_key": {key}, "service_code": {codes[rng.IntN(len(codes))]},
			"lat":            {strconv.FormatFloat(latMin+rng.Float64()*latSpan, 'f', 6, 64)},
			"long":           {strconv.FormatFloat(lonMin+rng.Float64()*lonSpan, 'f', 6, 64)},
			"address_string": {fmt.Sprintf("古荡街道文二西路%d号", 1+rng.IntN(800))},
			"description":    {fmt.Sprintf("%s（压测 %d）", problems[rng.IntN(len(problems))], n)}}
		resp, err := hc.PostForm(base+"/open311/v2/requests.json", form)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("%d %s", resp.StatusCode, body)
		}
		var out []struct {
			ID string `json:"service_request_id"`
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out) != 1 || out[0].ID == "" {
			return fmt.Errorf("no service_request_id in %s", body)
		}
		return nil
	}

	// The phases run in rounds, one of each per round, so that a change
	// of load on a shared machine falls on all three alike; the ratio is
	// taken within each round.
	rounds := max(1, opt.Rounds)
	var offs, ons, raws []phase
	var raw *rawBench
	defer func() {
		if raw != nil {
			raw.close(ctx)
		}
	}()
	var batches, writers, reads int64
	for round := 0; round < rounds; round++ {
		env.DB.SetGroupCommit(false)
		offs = append(offs, runPhase(ctx, "intake, one transaction per case", opt.Clients, opt.Warmup, opt.Duration, opt.MaxCases, post))
		env.DB.SetGroupCommit(true)
		b0, w0 := env.DB.GroupCommitStats()
		r0 := env.DB.ReadStatements()
		if opt.CPUProfile != nil && round == 0 {
			if err := pprof.StartCPUProfile(opt.CPUProfile); err != nil {
				return err
			}
		}
		ons = append(ons, runPhase(ctx, "intake, group commit", opt.Clients, opt.Warmup, opt.Duration, opt.MaxCases, post))
		if opt.CPUProfile != nil && round == 0 {
			pprof.StopCPUProfile()
		}
		b1, w1 := env.DB.GroupCommitStats()
		batches, writers = batches+b1-b0, writers+w1-w0
		reads += env.DB.ReadStatements() - r0
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if raw == nil {
			size, err := rowBytes(ctx, env, client.ID)
			if err != nil {
				return err
			}
			if raw, err = newRawBench(ctx, env, opt, size); err != nil {
				return err
			}
		}
		raws = append(raws, raw.run(ctx, opt))
	}

	p.line("")
	p.line("raw limit: single-row INSERTs of %d bytes (the mean size of a bench case's JSON plus its report event's),", raw.size)
	p.line("  one transaction each, %d writers, through the same engine settings as jiedao's writer (%s)", opt.Clients, rawPool(env))
	p.line("%d rounds, each: intake one transaction per case, intake with group commit, raw inserts, %s each after a %s warm-up", rounds, opt.Duration, opt.Warmup)
	p.line("cases/s is the median of the rounds (each round's in brackets); latencies are over all rounds")
	p.line("")
	p.line("| phase | ok | errors | cases/s | p50 | p99 | machine CPU busy |")
	p.line("|---|---|---|---|---|---|---|")
	all := [][]phase{offs, ons, raws}
	for _, rs := range all {
		m := merge(rs)
		p.line("| %s | %d | %d | %.0f %s | %s | %s | %.0f %% |", m.name, m.ok, m.errs, medianRate(rs), rateList(rs),
			ms(quantile(m.lat, .5)), ms(quantile(m.lat, .99)), 100*m.cpu)
	}
	for _, rs := range all {
		if m := merge(rs); m.firstErr != nil {
			p.line("first error of %q: %v", m.name, m.firstErr)
		}
	}
	p.line("")
	offRatio, onRatio := make([]float64, rounds), make([]float64, rounds)
	for i := range rounds {
		if r := raws[i].rate(); r > 0 {
			offRatio[i], onRatio[i] = offs[i].rate()/r, ons[i].rate()/r
		}
	}
	p.line("ratio intake / raw (median of the rounds' ratios): %.2f with one transaction per case %s, %.2f with group commit %s",
		median(offRatio), floatList(offRatio), median(onRatio), floatList(onRatio))
	if batches > 0 {
		p.line("group commit: %d transactions for %d cases, %.1f cases per commit on average", batches, writers, float64(writers)/float64(batches))
	}
	if writers > 0 {
		// What a request costs in round trips before its share of the
		// commit: the configuration, the places, the jurisdictions and
		// its API key come from the store's caches while they stand.
		p.line("read-pool statements during the group-commit phases: %d, %.3f per case (warm-ups included)", reads, float64(reads)/float64(writers))
	}
	return nil
}

// merge pools the rounds of one phase.
func merge(rs []phase) phase {
	m := phase{name: rs[0].name}
	var cpu float64
	for _, r := range rs {
		m.ok += r.ok
		m.errs += r.errs
		m.elapsed += r.elapsed
		m.lat = append(m.lat, r.lat...)
		cpu += r.cpu * r.elapsed.Seconds()
		if m.firstErr == nil {
			m.firstErr = r.firstErr
		}
	}
	if m.elapsed > 0 {
		m.cpu = cpu / m.elapsed.Seconds()
	}
	sortDurations(m.lat)
	return m
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianRate(rs []phase) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.rate()
	}
	return median(v)
}

func rateList(rs []phase) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strconv.FormatFloat(r.rate(), 'f', 0, 64)
	}
	return "(" + strings.Join(out, ", ") + ")"
}

func floatList(v []float64) string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return "(" + strings.Join(out, ", ") + ")"
}

func rawPool(env Env) string {
	if env.DB.Engine() == store.Postgres {
		return "one connection per writer, autocommit"
	}
	return "one connection that the writers queue for, WAL, synchronous=FULL"
}

// rowBytes is the mean size in bytes of the JSON a bench case wrote: the
// case's projection and its report event's payload.
func rowBytes(ctx context.Context, env Env, clientID int64) (int, error) {
	q := `SELECT AVG(LENGTH(CAST(c.data AS BLOB)) + LENGTH(CAST(e.payload AS BLOB))) FROM cases c
		JOIN case_events e ON e.case_id = c.id AND e.seq = 1 WHERE c.client_id = ?`
	if env.DB.Engine() == store.Postgres {
		q = `SELECT AVG(octet_length(c.data) + octet_length(e.payload))::float8 FROM cases c
		JOIN case_events e ON e.case_id = c.id AND e.seq = 1 WHERE c.client_id = ?`
	}
	rows, err := env.DB.Query(ctx, q, clientID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var avg sql.NullFloat64
	if rows.Next() {
		if err := rows.Scan(&avg); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if !avg.Valid {
		return 0, errors.New("bench: no bench case was stored")
	}
	return int(math.Round(avg.Float64)), nil
}

// rawBench measures the engine's own limit: durable single-row inserts
// of size bytes, one transaction each, from opt.Clients writers, in a
// table of its own that is dropped afterwards.
type rawBench struct {
	pool   *sql.DB
	size   int
	insert string
	bodies [][]byte
}

func newRawBench(ctx context.Context, env Env, opt Options, size int) (*rawBench, error) {
	pool, err := env.DB.OpenRawWriter(ctx, opt.Clients)
	if err != nil {
		return nil, err
	}
	create := `CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`
	insert := `INSERT INTO bench_raw (body) VALUES (?)`
	if env.DB.Engine() == store.Postgres {
		create = `CREATE TABLE bench_raw (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body TEXT NOT NULL)`
		insert = `INSERT INTO bench_raw (body) VALUES ($1)`
	}
	for _, q := range []string{`DROP TABLE IF EXISTS bench_raw`, create} {
		if _, err := pool.ExecContext(ctx, q); err != nil {
			pool.Close()
			return nil, err
		}
	}
	r := &rawBench{pool: pool, size: size, insert: insert, bodies: make([][]byte, opt.Clients)}
	for i := range r.bodies {
		b := make([]byte, (size+1)/2)
		_, _ = rand.Read(b)
		r.bodies[i] = []byte(hex.EncodeToString(b)[:size])
	}
	return r, nil
}

func (r *rawBench) run(ctx context.Context, opt Options) phase {
	return runPhase(ctx, "raw durable single-row inserts", opt.Clients, opt.Warmup, opt.Duration, opt.MaxCases, func(ctx context.Context, w, i int) error {
		body := r.bodies[w]
		// A different row each time: the counter overwrites the head.
		copy(body, strconv.Itoa(i))
		_, err := r.pool.ExecContext(ctx, r.insert, string(body))
		return err
	})
}

func (r *rawBench) close(ctx context.Context) {
	_, _ = r.pool.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS bench_raw`)
	r.pool.Close()
}
