package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
)

// TestGuardFlags: the guards' flags have their defaults, read the
// environment (the metrics token from a file too), and refuse bad values.
func TestGuardFlags(t *testing.T) {
	parse := func(args ...string) (*server.Server, *org.Auth, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var g guardOptions
		g.flags(fs)
		if err := parseFlags(fs, args, "metrics-token"); err != nil {
			return nil, nil, err
		}
		srv, auth := &server.Server{}, &org.Auth{Policy: org.DefaultAuthPolicy()}
		return srv, auth, g.apply(srv, auth, nil)
	}
	srv, auth, err := parse()
	if err != nil || srv.Limits != server.DefaultLimits() || len(srv.TrustedProxies) != 0 || srv.MetricsToken != "" ||
		auth.Policy.HistoryFor != 180*24*time.Hour {
		t.Fatalf("defaults: %v %+v %v", err, srv.Limits, auth.Policy.HistoryFor)
	}

	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("scrape-me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JIEDAO_RATE_LOGIN", "off")
	t.Setenv("JIEDAO_TRUSTED_PROXY", "10.0.0.0/8,127.0.0.1")
	t.Setenv("JIEDAO_METRICS_TOKEN_FILE", token)
	srv, auth, err = parse("--rate-report", "300/1m", "--login-history-days", "365")
	if err != nil {
		t.Fatal(err)
	}
	if !srv.Limits.Login.Off() || srv.Limits.Report != (server.Rate{Burst: 300, Per: time.Minute}) ||
		len(srv.TrustedProxies) != 2 || srv.MetricsToken != "scrape-me" || auth.Policy.HistoryFor != 365*24*time.Hour {
		t.Fatalf("from flags and environment: %+v %v %q %v", srv.Limits, srv.TrustedProxies, srv.MetricsToken, auth.Policy.HistoryFor)
	}

	for _, bad := range [][]string{{"--rate-track", "many"}, {"--trusted-proxy", "10.0.0.0/40"}, {"--login-history-days", "0"}} {
		if _, _, err := parse(bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
