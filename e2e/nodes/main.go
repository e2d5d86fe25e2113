// Command nodes is the driver of scripts/test-nodes: jiedao on several
// serve nodes over one PostgreSQL primary with a streaming replica, behind
// HAProxy, all on loopback (docs/deploy.md). The script starts the
// databases and the balancer; this program builds the organisation, starts
// the nodes, drives the case loop, Open311 intake and the live board
// through the balancer, SIGKILLs one node mid-way and restarts it, and
// checks:
//
//   - every case whose report was acknowledged is in the database;
//   - no deadline mark (预警, 超期) or 督办 is written twice, though every
//     node runs the deadline job;
//   - every board client (server-sent events, connected through the
//     balancer to different nodes) hears of every case changed while it
//     was connected, whichever node took the step;
//   - a session signed in on one node is good on every node;
//   - the replica's figures equal the primary's once it has caught up.
//
// It prints what it did and exits 1 on the first failed check.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

var (
	bin      = flag.String("bin", "", "the jiedao binary")
	primary  = flag.String("primary", "", "the primary's DSN")
	replica  = flag.String("replica", "", "the replica's DSN")
	balancer = flag.String("balancer", "", "the balancer's URL")
	ports    = flag.String("ports", "", "the nodes' ports, comma-separated")
	workdir  = flag.String("workdir", "", "where the nodes' logs go")
	reports  = flag.Int("reports", 60, "Open311 reports in the load phase")
	sleepers = flag.Int("sleepers", 4, "cases left unsigned for the deadline job")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("PASS: nodes")
}

func say(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

type node struct {
	name string
	port string
	cmd  *exec.Cmd
	done chan struct{}
}

func (n *node) start(ctx context.Context) error {
	logf, err := os.OpenFile(filepath.Join(*workdir, n.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	n.cmd = exec.Command(*bin, "serve", "--db", *primary, "--addr", "127.0.0.1:"+n.port,
		"--deadline-interval", "2s", "--trusted-proxy", "127.0.0.1/32",
		"--rate-report", "off", "--rate-login", "off", "--rate-track", "off", "--log-level", "info")
	n.cmd.Env = append(os.Environ(), "JIEDAO_REPLICA_URL="+*replica)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		return err
	}
	n.done = make(chan struct{})
	go func() { _ = n.cmd.Wait(); logf.Close(); close(n.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://127.0.0.1:" + n.port + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-n.done:
			return fmt.Errorf("%s exited at start (see %s.log)", n.name, n.name)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not healthy within 60 s", n.name)
}

func (n *node) kill() {
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

func (n *node) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(20 * time.Second):
		n.kill()
	}
}

// world is what setup built.
type world struct {
	fx      *fixture.Org
	apiKey  string
	slowCat string
}

const slowCategory = "0199" // a one-minute sign-for limit: the deadline job has work

func setup(ctx context.Context) (*world, error) {
	db, err := store.Open(ctx, *primary)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	fx, err := fixture.Build(ctx, db)
	if err != nil {
		return nil, err
	}
	slow := &casework.Category{Code: slowCategory, ParentCode: "01", Name: "测试：一分钟签收", Active: true,
		Policies: map[casework.Urgency]casework.Policy{casework.UrgencyNormal: {SignFor: calendar.Limit{Amount: 1, Unit: calendar.Minutes}}}}
	if err := db.Cases().PutCategory(ctx, slow); err != nil {
		return nil, err
	}
	auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: time.Now}
	key, c, err := auth.CreateAPIClient(ctx, "城市平台（测试）", "other")
	if err != nil {
		return nil, err
	}
	// The platform posts from one address, well above a resident's limit.
	if err := db.Org().SetAPIClientRate(ctx, c.ID, "100000/1m"); err != nil {
		return nil, err
	}
	return &world{fx: fx, apiKey: key, slowCat: slowCategory}, nil
}

// client talks to the balancer (or a node) as one signed-in person.
type client struct {
	base  string
	token string
	hc    *http.Client
}

func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %v: %.200s", method, path, err, b)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %.300s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, nil
}

func login(ctx context.Context, base, username string) (*client, error) {
	c := &client{base: base, hc: &http.Client{Timeout: 15 * time.Second}}
	var out struct {
		Token string `json:"token"`
	}
	for range 20 {
		_, err := c.do(ctx, "POST", "/api/v1/login", map[string]string{"username": username, "password": fixture.Password}, &out)
		if err == nil {
			c.token = out.Token
			return c, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, fmt.Errorf("cannot sign in as %s", username)
}

// board is a live board's event stream, reconnecting through the
// balancer as a browser's EventSource does.
type board struct {
	name   string
	mu     sync.Mutex
	seen   map[int64]bool
	heard  map[int64]time.Time // when it first heard of each case
	nodes  []string            // the node of each connection, in order
	since  time.Time           // when its current connection opened
	breaks int
}

func (b *board) run(ctx context.Context, base, token string, ready chan<- string) {
	first := true
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/board/stream", nil)
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			if resp != nil {
				resp.Body.Close()
			}
			time.Sleep(500 * time.Millisecond)
			continue
		}
		served := resp.Header.Get("X-Served-By")
		sc := bufio.NewScanner(resp.Body)
		// The stream's first line (retry:) says it is open.
		if sc.Scan() {
			b.mu.Lock()
			b.nodes = append(b.nodes, served)
			b.since = time.Now()
			b.mu.Unlock()
			if first {
				ready <- served
				first = false
			}
		}
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "cases":
				var changed []struct {
					ID int64 `json:"id"`
				}
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &changed) == nil {
					b.mu.Lock()
					for _, c := range changed {
						b.seen[c.ID] = true
						if _, ok := b.heard[c.ID]; !ok {
							b.heard[c.ID] = time.Now()
						}
					}
					b.mu.Unlock()
				}
			}
		}
		resp.Body.Close()
		if ctx.Err() == nil {
			b.mu.Lock()
			b.breaks++
			b.mu.Unlock()
			time.Sleep(time.Second) // retry: as the stream asks
		}
	}
}

// changes records when each case last changed through the driver.
type changes struct {
	mu    sync.Mutex
	at    map[int64]time.Time
	first map[int64]time.Time // when its first change was acknowledged
}

func (c *changes) mark(id int64) {
	c.mu.Lock()
	now := time.Now()
	c.at[id] = now
	if _, ok := c.first[id]; !ok {
		c.first[id] = now
	}
	c.mu.Unlock()
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	started := time.Now()
	w, err := setup(ctx)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	var nodes []*node
	for i, p := range strings.Split(*ports, ",") {
		nodes = append(nodes, &node{name: fmt.Sprintf("node%d", i+1), port: p})
	}
	for _, n := range nodes {
		if err := n.start(ctx); err != nil {
			return err
		}
	}
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	say("%d nodes serving on one PostgreSQL (ports %s)", len(nodes), *ports)
	// The balancer notices healthy nodes within its check interval.
	time.Sleep(1500 * time.Millisecond)

	disp, err := login(ctx, *balancer, "dispatcher")
	if err != nil {
		return err
	}
	unit, err := login(ctx, *balancer, "cg.handler")
	if err != nil {
		return err
	}
	// A session signed in through the balancer is good on every node.
	for _, n := range nodes {
		direct := &client{base: "http://127.0.0.1:" + n.port, token: disp.token, hc: disp.hc}
		if _, err := direct.do(ctx, "GET", "/api/v1/me", nil, nil); err != nil {
			return fmt.Errorf("the dispatcher's session on %s: %w", n.name, err)
		}
	}
	say("a session signed in through the balancer is good on all %d nodes", len(nodes))

	// Board clients, one per node through the balancer's round robin.
	bctx, stopBoards := context.WithCancel(ctx)
	defer stopBoards()
	var boards []*board
	ready := make(chan string)
	servedBy := map[string]bool{}
	for i := 0; len(servedBy) < len(nodes) && i < 3*len(nodes); i++ {
		b := &board{name: fmt.Sprintf("board%d", i+1), seen: map[int64]bool{}, heard: map[int64]time.Time{}}
		boards = append(boards, b)
		go b.run(bctx, *balancer, disp.token, ready)
		select {
		case s := <-ready:
			servedBy[s] = true
		case <-time.After(10 * time.Second):
			return errors.New("a board stream did not open")
		}
	}
	if len(servedBy) < len(nodes) {
		return fmt.Errorf("board streams reached nodes %v only, want all %d", keys(servedBy), len(nodes))
	}
	boardsFrom := time.Now()
	say("%d board clients streaming, served by %v", len(boards), keys(servedBy))

	ch := &changes{at: map[int64]time.Time{}, first: map[int64]time.Time{}}
	dbp, err := sql.Open("pgx", *primary)
	if err != nil {
		return err
	}
	defer dbp.Close()
	idOf := func(number string) (int64, error) {
		var id int64
		err := dbp.QueryRowContext(ctx, `SELECT id FROM cases WHERE number = $1`, number).Scan(&id)
		return id, err
	}

	// Sleepers: dispatched, never signed; the deadline job marks them.
	var sleeperIDs []int64
	for i := range *sleepers {
		id, err := report(ctx, disp, w, slowCategory, fmt.Sprintf("测试超期 %d", i), ch)
		if err != nil {
			return err
		}
		if err := advance(ctx, disp, unit, w, id, casework.StatusDispatched, ch); err != nil {
			return err
		}
		sleeperIDs = append(sleeperIDs, id)
	}
	sleptAt := time.Now()
	say("%d cases dispatched with a one-minute sign-for limit, left unsigned", len(sleeperIDs))

	// The load: Open311 posters and the case loop, through the balancer.
	var (
		acked     sync.Map // number → true
		ackedN    atomic.Int64
		refused   atomic.Int64
		loopDone  atomic.Int64
		loopErrs  atomic.Int64
		queue     = make(chan string, *reports)
		posted    atomic.Int64
		lwg, pwg  sync.WaitGroup
		killAfter = *reports / 3
	)
	hc := &http.Client{Timeout: 15 * time.Second}
	for range 3 {
		pwg.Go(func() {
			for {
				i := posted.Add(1)
				if i > int64(*reports) {
					return
				}
				number, err := open311Post(ctx, hc, w, i)
				if err != nil {
					refused.Add(1) // not acknowledged: the client would retry
					continue
				}
				acked.Store(number, true)
				ackedN.Add(1)
				queue <- number
				time.Sleep(30 * time.Millisecond)
			}
		})
	}
	for range 2 {
		lwg.Go(func() {
			for number := range queue {
				id, err := idOf(number)
				if err != nil {
					loopErrs.Add(1)
					say("acknowledged case %s not found: %v", number, err)
					continue
				}
				if err := advance(ctx, disp, unit, w, id, casework.StatusClosed, ch); err != nil {
					loopErrs.Add(1)
					say("case loop on %s: %v", number, err)
					continue
				}
				loopDone.Add(1)
			}
		})
	}
	// Kill a node mid-way, then bring it back.
	for ackedN.Load() < int64(killAfter) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	victim := nodes[1]
	victim.kill()
	killedAt := time.Now()
	say("SIGKILLed %s after %d acknowledged reports", victim.name, ackedN.Load())
	time.Sleep(3 * time.Second)
	if err := victim.start(ctx); err != nil {
		return err
	}
	say("%s restarted (%s after the kill)", victim.name, time.Since(killedAt).Round(time.Millisecond))
	pwg.Wait()
	close(queue)
	lwg.Wait()
	say("load: %d Open311 reports acknowledged, %d refused or cut off, %d cases taken through the loop to closed, %d loop errors",
		ackedN.Load(), refused.Load(), loopDone.Load(), loopErrs.Load())
	if loopErrs.Load() > 0 {
		return fmt.Errorf("%d acknowledged cases could not be worked", loopErrs.Load())
	}

	// After the restart: a few more cases, which every board must hear of.
	time.Sleep(4 * time.Second) // streams cut by the kill reconnect (retry 1 s)
	var late []int64
	for i := range 5 {
		id, err := report(ctx, disp, w, "0101", fmt.Sprintf("重启后 %d", i), ch)
		if err != nil {
			return err
		}
		if err := advance(ctx, disp, unit, w, id, casework.StatusDispatched, ch); err != nil {
			return err
		}
		late = append(late, id)
	}

	// No acknowledged case lost.
	var lost []string
	acked.Range(func(k, _ any) bool {
		if _, err := idOf(k.(string)); err != nil {
			lost = append(lost, k.(string))
		}
		return true
	})
	if len(lost) > 0 {
		return fmt.Errorf("acknowledged cases lost: %v", lost)
	}
	say("check: all %d acknowledged Open311 cases are in the database", ackedN.Load())

	// The deadline job: every sleeper overdue and supervised, once.
	wait := time.Until(sleptAt.Add(60*time.Second)) + 20*time.Second
	say("waiting up to %s for the deadline job (every node runs it every 2 s)", wait.Round(time.Second))
	deadline := time.Now().Add(wait)
	for {
		var n int
		err := dbp.QueryRowContext(ctx, `SELECT count(DISTINCT case_id) FROM case_events WHERE action = 'supervise' AND case_id = ANY($1)`, sleeperIDs).Scan(&n)
		if err != nil {
			return err
		}
		if n == len(sleeperIDs) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d overdue cases were supervised", n, len(sleeperIDs))
		}
		time.Sleep(time.Second)
	}
	time.Sleep(5 * time.Second) // more ticks on every node: nothing more may be written
	rows, err := dbp.QueryContext(ctx, `SELECT case_id, action, count(*) FROM case_events
		WHERE action IN ('warn', 'overdue', 'supervise') GROUP BY case_id, action ORDER BY case_id, action`)
	if err != nil {
		return err
	}
	marks := map[string]int{}
	for rows.Next() {
		var id int64
		var action string
		var n int
		if err := rows.Scan(&id, &action, &n); err != nil {
			return err
		}
		if n > 1 {
			return fmt.Errorf("case %d has %d %s events: written twice", id, n, action)
		}
		if slices.Contains(sleeperIDs, id) {
			marks[action]++
		}
	}
	rows.Close()
	if marks["overdue"] != len(sleeperIDs) || marks["supervise"] != len(sleeperIDs) {
		return fmt.Errorf("sleepers' marks %v, want one overdue and one supervise each of %d", marks, len(sleeperIDs))
	}
	var jobRuns int
	_ = dbp.QueryRowContext(ctx, `SELECT count(*) FROM job_runs`).Scan(&jobRuns)
	say("check: %d overdue marks, %d 督办 and %d warnings on the %d sleepers, none written twice (job turns kept in %d job_runs rows)",
		marks["overdue"], marks["supervise"], marks["warn"], len(sleeperIDs), jobRuns)

	// Every board heard of every case changed while it was connected.
	time.Sleep(3 * time.Second)
	stopBoards()
	for _, b := range boards {
		b.mu.Lock()
		var missed []int64
		for id, at := range ch.at {
			must := slices.Contains(late, id) || (b.breaks == 0 && at.After(boardsFrom))
			if must && !b.seen[id] {
				missed = append(missed, id)
			}
		}
		nodesOf, breaks, seen := b.nodes, b.breaks, len(b.seen)
		// How long after a case's first acknowledged change the board
		// heard of it (a figure, not a check).
		var delays []time.Duration
		for id, at := range b.heard {
			if f, ok := ch.first[id]; ok && at.After(f) && f.After(boardsFrom) {
				delays = append(delays, at.Sub(f))
			}
		}
		b.mu.Unlock()
		if len(delays) > 0 {
			slices.Sort(delays)
			say("%s: first heard of a change %s after its acknowledgement (median of %d), %s at most",
				b.name, delays[len(delays)/2].Round(time.Millisecond), len(delays), delays[len(delays)-1].Round(time.Millisecond))
		}
		if len(missed) > 0 {
			slices.Sort(missed)
			return fmt.Errorf("%s (connections to %v) missed cases %v", b.name, nodesOf, missed)
		}
		say("check: %s heard of %d cases (connections to %v, %d cut)", b.name, seen, nodesOf, breaks)
	}

	// The replica: once caught up, the same figures as the primary.
	dbr, err := sql.Open("pgx", *replica)
	if err != nil {
		return err
	}
	defer dbr.Close()
	var target string
	if err := dbp.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		return err
	}
	caughtUp := time.Now()
	for {
		var ok bool
		if err := dbr.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, target).Scan(&ok); err != nil {
			return err
		}
		if ok {
			break
		}
		if time.Since(caughtUp) > 30*time.Second {
			return errors.New("the replica did not catch up within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	say("the replica replayed past the primary's %s in %s", target, time.Since(caughtUp).Round(time.Millisecond))
	for _, q := range figureQueries {
		p, err := figure(ctx, dbp, q)
		if err != nil {
			return err
		}
		r, err := figure(ctx, dbr, q)
		if err != nil {
			return err
		}
		if p != r {
			return fmt.Errorf("replica and primary differ on %q:\nprimary %s\nreplica %s", q, p, r)
		}
	}
	fig, _ := figure(ctx, dbp, figureQueries[0])
	say("check: the replica's figures equal the primary's (%d queries; cases by status %s)", len(figureQueries), fig)
	if err := readsFromReplica(ctx, dbp, dbr, disp, w, ch); err != nil {
		return err
	}
	say("done in %s", time.Since(started).Round(time.Second))
	return nil
}

// figureQueries are the counts the reports are made of.
var figureQueries = []string{
	`SELECT string_agg(status || '=' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) n FROM cases GROUP BY status) x`,
	`SELECT string_agg(action || '=' || n, ' ' ORDER BY action) FROM (SELECT action, count(*) n FROM case_events GROUP BY action) x`,
	`SELECT count(*) || ' ' || coalesce(sum(closed_on_time::int), 0) FROM cases`,
	`SELECT count(*) || ' ' || coalesce(sum(signed_on_time::int), 0) FROM assignments`,
}

func figure(ctx context.Context, db *sql.DB, q string) (string, error) {
	var s sql.NullString
	err := db.QueryRowContext(ctx, q).Scan(&s)
	return s.String, err
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// open311Post posts a report as the city platform and returns its
// service_request_id once acknowledged.
func open311Post(ctx context.Context, hc *http.Client, w *world, i int64) (string, error) {
	p := w.fx.Points[w.fx.GridW1.ID]
	form := url.Values{"api_key": {w.apiKey}, "service_code": {"0101"}, "description": {fmt.Sprintf("路边垃圾无人清理（第 %d 件）", i)},
		"lat": {strconv.FormatFloat(p.Lat, 'f', 6, 64)}, "long": {strconv.FormatFloat(p.Lon, 'f', 6, 64)}}
	req, _ := http.NewRequestWithContext(ctx, "POST", *balancer+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return "", fmt.Errorf("open311: %d %s", resp.StatusCode, b)
	}
	var out []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 1 || out[0].ID == "" {
		return "", fmt.Errorf("open311 answer %.200s", b)
	}
	return out[0].ID, nil
}

// report files a case through the JSON API as the dispatcher would for a
// caller, retrying while a node is down.
func report(ctx context.Context, c *client, w *world, category, details string, ch *changes) (int64, error) {
	p := w.fx.Points[w.fx.GridW1.ID]
	in := map[string]any{"channel": "hotline", "category": category, "details": details, "lat": p.Lat, "lon": p.Lon,
		"reporter": map[string]string{"name": "测试", "phone": "13700000000"}}
	var out struct {
		ID int64 `json:"id"`
	}
	var err error
	for range 10 {
		if _, err = c.do(ctx, "POST", "/api/v1/cases", in, &out); err == nil {
			ch.mark(out.ID)
			return out.ID, nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return 0, err
}

// advance takes a case through the loop up to status until: accept,
// dispatch to 城管科, sign, handle, verify, close. Each step looks at the
// case first, so that a step whose answer was lost (its node killed after
// the commit) is not taken twice.
func advance(ctx context.Context, disp, unit *client, w *world, id int64, until casework.Status, ch *changes) error {
	path := fmt.Sprintf("/api/v1/cases/%d", id)
	var lastErr error
	for attempt := 0; attempt < 60; attempt++ {
		var c struct {
			Status casework.Status `json:"status"`
		}
		if _, err := disp.do(ctx, "GET", path, nil, &c); err != nil {
			lastErr = err
			time.Sleep(300 * time.Millisecond)
			continue
		}
		if c.Status == until {
			return nil
		}
		var by *client
		var in casework.StepInput
		switch c.Status {
		case casework.StatusReported:
			by, in = disp, casework.StepInput{Action: casework.ActAccept}
		case casework.StatusAccepted, casework.StatusReturned:
			by, in = disp, casework.StepInput{Action: casework.ActDispatch, UnitID: w.fx.Chengguan.ID}
		case casework.StatusDispatched:
			by, in = unit, casework.StepInput{Action: casework.ActSign}
		case casework.StatusSigned, casework.StatusHandling:
			by, in = unit, casework.StepInput{Action: casework.ActHandle, Reason: "已清理"}
		case casework.StatusHandled:
			by, in = disp, casework.StepInput{Action: casework.ActVerify}
		case casework.StatusVerified:
			by, in = disp, casework.StepInput{Action: casework.ActClose}
		default:
			return fmt.Errorf("case %d in status %s", id, c.Status)
		}
		if _, err := by.do(ctx, "POST", path+"/steps", in, nil); err != nil {
			lastErr = err
			time.Sleep(300 * time.Millisecond)
			continue
		}
		ch.mark(id)
	}
	return fmt.Errorf("case %d: %w", id, lastErr)
}

// readsFromReplica checks where the nodes read an export from: with the
// replica's replay paused, a case reported now is in the export of the
// session that reported it (its WAL cookie sends it to the primary) and
// not in an export without the cookie (read from the replica); once the
// replay resumes, it is in both.
func readsFromReplica(ctx context.Context, dbp, dbr *sql.DB, disp *client, w *world, ch *changes) error {
	if _, err := dbr.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		return err
	}
	resumed := false
	defer func() {
		if !resumed {
			_, _ = dbr.ExecContext(context.WithoutCancel(ctx), `SELECT pg_wal_replay_resume()`)
		}
	}()
	jar, _ := cookiejar.New(nil)
	writer := &client{base: *balancer, token: disp.token, hc: &http.Client{Timeout: 15 * time.Second, Jar: jar}}
	id, err := report(ctx, writer, w, "0101", "副本暂停时上报", ch)
	if err != nil {
		return err
	}
	var number string
	if err := dbp.QueryRowContext(ctx, `SELECT number FROM cases WHERE id = $1`, id).Scan(&number); err != nil {
		return err
	}
	u, _ := url.Parse(*balancer)
	hasWAL := false
	for _, c := range jar.Cookies(u) {
		hasWAL = hasWAL || c.Name == "jiedao_wal"
	}
	if !hasWAL {
		return errors.New("the report's answer carried no jiedao_wal cookie")
	}
	export := func(c *client) (bool, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", *balancer+"/api/v1/cases/export?format=csv", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.hc.Do(req)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("export: %d %.200s", resp.StatusCode, b)
		}
		return bytes.Contains(b, []byte(number)), nil
	}
	reader := &client{base: *balancer, token: disp.token, hc: &http.Client{Timeout: 15 * time.Second}}
	// Three times each, so that every node answers at least once.
	for range 3 {
		if in, err := export(writer); err != nil || !in {
			return fmt.Errorf("the session that reported %s does not read its own write (in export: %v, %v)", number, in, err)
		}
		if in, err := export(reader); err != nil || in {
			return fmt.Errorf("an export without the WAL cookie shows %s while the replica's replay is paused: not read from the replica (%v)", number, err)
		}
	}
	if _, err := dbr.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		return err
	}
	resumed = true
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		in, err := export(reader)
		if err != nil {
			return err
		}
		if in {
			break
		}
		if time.Since(start) > 30*time.Second {
			return fmt.Errorf("%s not in the replica's export 30 s after the replay resumed", number)
		}
	}
	say("check: with the replica's replay paused, case %s is in its reporter's export (primary) and not in one without the WAL cookie (replica); once resumed, in both", number)
	return nil
}
