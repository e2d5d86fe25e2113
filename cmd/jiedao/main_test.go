package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
)

// buildBinary builds jiedao once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jiedao")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBinary runs the binary as an operator would, on both engines: the
// admin commands, then serve until /healthz answers, a sign-in and a report
// by API key over HTTP, and a graceful stop on SIGTERM.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := testdb.DSN(t, engine)
			pwFile := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(pwFile, []byte("Gudang-Admin-2024\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			env := append(os.Environ(), "JIEDAO_DB="+dsn)
			jiedao := func(extraEnv []string, args ...string) (string, error) {
				cmd := exec.Command(bin, args...)
				cmd.Env = append(env, extraEnv...)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				err := cmd.Run()
				if err != nil {
					return out.String() + errOut.String(), err
				}
				return out.String(), nil
			}
			if out, err := jiedao(nil, "migrate"); err != nil || !strings.Contains(out, string(engine)) {
				t.Fatalf("migrate: %v %s", err, out)
			}
			if out, err := jiedao(nil, "aggregates", "rebuild"); err != nil || !strings.Contains(out, "aggregates and ledger sums rebuilt") {
				t.Fatalf("aggregates rebuild: %v %s", err, out)
			}
			if out, err := jiedao(nil, "aggregates"); err == nil || !strings.Contains(out, "用法") {
				t.Fatalf("aggregates without a subcommand: %v %s", err, out)
			}
			if out, err := jiedao([]string{"JIEDAO_PASSWORD_FILE=" + pwFile}, "user", "create", "--username", "admin", "--name", "管理员", "--role", "admin"); err != nil {
				t.Fatalf("user create: %v %s", err, out)
			}
			// A weak password is refused in the user's language.
			out, err := jiedao(nil, "user", "create", "--username", "weak", "--name", "弱", "--role", "leader", "--password", "123")
			if err == nil || !strings.Contains(out, "密码至少10位") {
				t.Fatalf("weak password: %v %s", err, out)
			}
			key, err := jiedao(nil, "apikey", "create", "--name", "烟感平台", "--channel", "iot")
			if err != nil || !strings.HasPrefix(key, "jd_") {
				t.Fatalf("apikey create: %v %q", err, key)
			}
			key = strings.TrimSpace(key)

			addr := freeAddr(t)
			srv := exec.Command(bin, "serve", "--addr", addr)
			srv.Env = env
			var logs bytes.Buffer
			srv.Stdout, srv.Stderr = &logs, &logs
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Process.Kill() //nolint:errcheck
			base := "http://" + addr
			deadline := time.Now().Add(30 * time.Second)
			for {
				resp, err := http.Get(base + "/healthz")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve not healthy in 30 s:\n%s", logs.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			post := func(path, auth string, body any) (int, map[string]any) {
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				if auth != "" {
					req.Header.Set("Authorization", "Bearer "+auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			st, lo := post("/api/v1/login", "", map[string]string{"username": "admin", "password": "Gudang-Admin-2024"})
			if st != 200 || lo["token"] == "" {
				t.Fatalf("login: %d %v", st, lo)
			}
			// An administrator must enrol a second factor before anything
			// else (issue 18): through the API, then sign in with a code.
			tok, _ := lo["token"].(string)
			if st, out := post("/api/v1/communities", tok, map[string]string{"code": "x", "name": "x"}); st != http.StatusForbidden {
				t.Fatalf("an admin who has not enrolled: %d %v", st, out)
			}
			st, lo = post("/api/v1/me/two-factor", tok, nil)
			secret, _ := lo["secret"].(string)
			if st != http.StatusCreated || secret == "" {
				t.Fatalf("enrolment: %d %v", st, lo)
			}
			if st, out := post("/api/v1/me/two-factor/confirm", tok, map[string]string{"code": org.TOTPCode(secret, time.Now())}); st != 200 {
				t.Fatalf("enrolment's code: %d %v", st, out)
			}
			adminToken := func() string {
				t.Helper()
				st, out := post("/api/v1/login", "", map[string]string{"username": "admin", "password": "Gudang-Admin-2024"})
				ch, _ := out["challenge"].(string)
				if st != http.StatusAccepted || ch == "" || out["token"] != nil {
					t.Fatalf("the password of an enrolled admin: %d %v", st, out)
				}
				// The enrolment used this step's code: the next step's is
				// within the skew and not used yet.
				st, out = post("/api/v1/login/code", "", map[string]string{"challenge": ch, "code": org.TOTPCode(secret, time.Now().Add(30*time.Second))})
				if st != 200 || out["token"] == nil {
					t.Fatalf("the code: %d %v", st, out)
				}
				return out["token"].(string)
			}
			if st, out := post("/api/v1/categories/01", "", nil); st != http.StatusMethodNotAllowed {
				t.Fatalf("POST to a PUT route: %d %v", st, out)
			}
			// The category must exist before a report; the admin adds one.
			req, _ := http.NewRequest("PUT", base+"/api/v1/categories/09", strings.NewReader(`{"name":"消防安全","active":true}`))
			req.Header.Set("Authorization", "Bearer "+adminToken())
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("put category: %v %v", err, resp)
			}
			resp.Body.Close()
			st, c := post("/api/v1/cases", key, map[string]any{"category": "09", "details": "烟感告警：3幢2单元501", "external_id": "dev-17-0001"})
			if st != 201 || c["channel"] != "iot" || c["status"] != "reported" {
				t.Fatalf("report by API key: %d %v", st, c)
			}
			// The same delivery again makes no second case.
			st, again := post("/api/v1/cases", key, map[string]any{"category": "09", "details": "烟感告警：3幢2单元501", "external_id": "dev-17-0001"})
			if st != 201 || again["id"] != c["id"] {
				t.Fatalf("retried delivery: %d %v (first %v)", st, again["id"], c["id"])
			}

			if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve exited with %v:\n%s", err, logs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("serve did not stop within 15 s of SIGTERM:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "stopped") {
				t.Fatalf("no clean stop in the log:\n%s", logs.String())
			}
		})
	}
}
