package open311_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The end-to-end test of Open311 with a client nobody here wrote: the
// open311 package from the npm registry (codeforamerica's node-open311),
// installed in e2e/open311-client by `npm ci` (scripts/test runs it), runs
// against the real jiedao binary serving a database with the fixture
// organisation, on each engine.
//
// Its XML half: open311@0.0.12 reads XML through two helpers whose
// originals no longer install (sparkxml by a dead git URL, xml2json through
// node-expat 1.x), so e2e/open311-client/shims stand in for them. The XML
// is parsed there by @xmldom/xmldom, a published parser from the npm
// registry; the shims only map its DOM to the shapes the client expects,
// and shims/conventions.test.js holds that mapping to the conventions'
// own examples (scripts/test runs it). No code of jiedao's reads the XML.

// clientDir is the npm project of the client, relative to this package.
var clientDir = filepath.Join("..", "e2e", "open311-client")

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary the end-to-end test built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// jiedaoBinary builds cmd/jiedao once per test run.
func jiedaoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jiedao-open311-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "jiedao")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/jiedao")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/jiedao: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// clientReady fails the test unless node and the installed client are there.
func clientReady(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(clientDir, "node_modules", "open311", "package.json")); err != nil {
		t.Fatalf("%s/node_modules is missing: run scripts/test, which runs `npm ci` there "+
			"(or run `npm ci --no-audit --no-fund` in e2e/open311-client yourself)", filepath.ToSlash(clientDir))
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: the Open311 client test runs the open311 npm package with node")
	}
}

// serve starts `jiedao serve` on a free loopback port and returns its base
// URL; it stops when the test ends.
func serve(t *testing.T, bin, dsn string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The address is in the line "jiedao 已启动 / serving at http://…".
	addrRE := regexp.MustCompile(`serving at (http://127\.0\.0\.1:[0-9]+)`)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() { // read to the end, so that the server never blocks on stdout
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("jiedao serve exited: %v\n%s", err, stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("jiedao serve did not say where it listens:\n%s", stderr)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("jiedao serve not healthy: %v\n%s", err, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sameValue compares what the client returned with a string: the XML
// parser of the client types "0102" as the number 102, so a number is
// compared by value.
func sameValue(got any, want string) bool {
	switch g := got.(type) {
	case string:
		return g == want
	case float64:
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && g == w
	}
	return false
}

func TestOpen311ClientFromNPM(t *testing.T) {
	clientReady(t)
	bin := jiedaoBinary(t)
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				db.Close()
				t.Fatal(err)
			}
			fx, err := fixture.Build(ctx, db)
			if err != nil {
				db.Close()
				t.Fatal(err)
			}
			auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: time.Now}
			key, client, err := auth.CreateAPIClient(ctx, "node-open311", "xihu_code")
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			base := serve(t, bin, dsn)

			p := fx.Points[fx.GridW1.ID]
			lat, long := strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
			nctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(nctx, "node", "client.js", base, key, fx.Jurisdiction.DivisionCode, lat, long)
			cmd.Dir = clientDir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("node client.js: %v\n%s", err, stderr.String())
			}
			for _, secret := range []string{"小红", "13700001234"} {
				if strings.Contains(stdout.String(), secret) {
					t.Fatalf("the client read the reporter's %q back:\n%s", secret, stdout.String())
				}
			}
			var got map[string]map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("client output: %v\n%s", err, stdout.String())
			}
			numberRE := regexp.MustCompile(`^[0-9]{8}-[0-9]{4}$`)
			var submitted []string
			for _, format := range []string{"json", "xml"} {
				r := got[format]
				if r == nil {
					t.Fatalf("no %s round in %s", format, stdout.String())
				}
				fail := func(what string, v any) {
					t.Helper()
					b, _ := json.Marshal(v)
					t.Fatalf("%s round, %s: %s", format, what, b)
				}
				endpoint := base + "/open311/v2/"
				if r["endpoint"] != endpoint || field(r["discovery"], "endpoints", 0, "url") != endpoint {
					fail("discovery", r["discovery"])
				}
				if f, _ := field(r["discovery"], "endpoints", 0, "formats").([]any); len(f) != 2 {
					fail("discovery formats", r["discovery"])
				}
				svcs, _ := r["services"].([]any)
				var codes []string
				for _, s := range svcs {
					for _, c := range []string{"0101", "0102", "0201"} {
						if sameValue(field(s, "service_code"), c) {
							codes = append(codes, c)
						}
					}
				}
				if !slices.Equal(codes, []string{"0101", "0102", "0201"}) || field(svcs, 1, "metadata") != true || field(svcs, 1, "group") != "市容环境" {
					fail("services", r["services"])
				}
				def := r["definition"]
				if !sameValue(field(def, "service_code"), "0102") || field(def, "attributes", 0, "code") != "material" ||
					field(def, "attributes", 0, "required") != true || field(def, "attributes", 0, "values", 2, "key") != "other" {
					fail("definition", def)
				}
				id, _ := field(r["submitted"], 0, "service_request_id").(string)
				if !numberRE.MatchString(id) {
					fail("submitted", r["submitted"])
				}
				submitted = append(submitted, id)
				if field(r["token"], 0, "service_request_id") != id {
					fail("token", r["token"])
				}
				var listed []string
				for _, it := range r["list"].([]any) {
					if !sameValue(field(it, "service_code"), "0102") || field(it, "status") != "open" {
						fail("list item", it)
					}
					listed = append(listed, field(it, "service_request_id").(string))
				}
				for _, s := range submitted {
					if !slices.Contains(listed, s) {
						fail("list lacks "+s, r["list"])
					}
				}
				f := field(r["fetched"], 0)
				if field(f, "service_request_id") != id || field(f, "status") != "open" || field(f, "extended_attributes", "status") != "OPEN" ||
					(field(f, "description") != "" && field(f, "description") != nil) || field(f, "service_name") != "乱堆物料" {
					// Not yet accepted: its words are withheld from the public
					// (TestPublicListWithholdsUnacceptedAndPrivateWords).
					fail("fetched", r["fetched"])
				}
				if requested, err := time.Parse(time.RFC3339, fmt.Sprint(field(f, "requested_datetime"))); err != nil || time.Since(requested) > 10*time.Minute {
					fail("requested_datetime", f)
				}
			}

			// The server recorded both reports as the client's, by its channel,
			// with the reporter the client sent.
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, n := range submitted {
				c, err := db.Cases().GetCaseByNumber(ctx, n)
				if err != nil {
					t.Fatal(err)
				}
				if c.ClientID != client.ID || c.Channel != casework.ChannelXihuCode || c.Reporter.Name != "陈小红" ||
					c.Reporter.Phone != "13700001234" || c.GridID != fx.GridW1.ID || c.Attributes["material"] != "brick" {
					t.Fatalf("case %s as stored: %+v", n, c)
				}
			}
		})
	}
}
