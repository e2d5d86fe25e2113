package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// exportedMetrics serves like serve does (server, deadline job, a request
// through the handler) and returns the metric families /metrics exports.
func exportedMetrics(t *testing.T) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, testdb.DSN(t, store.SQLite), calendar.DefaultWorkingHours().String(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.db.Close()
	srv := a.server()
	srv.SetReady(true)
	done := make(chan struct{})
	go func() { a.deadlineJob(ctx, time.Hour, srv.Registry()); close(done) }()
	defer func() { cancel(); <-done }()
	h := srv.Handler()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	families := map[string]string{}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got, err := srv.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		families = map[string]string{}
		for _, f := range got {
			families[f.GetName()] = f.GetType().String()
		}
		if _, ran := families["jiedao_deadline_job_last_run_timestamp_seconds"]; ran {
			break
		}
	}
	return families
}

var (
	promStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promNumbers  = regexp.MustCompile(`(^|[^A-Za-z0-9_:])\d+(?:\.\d+)?(?:ms|[smhdwy])?`)
	promIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*\s*\(?`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "offset": true, "bool": true,
		"by": true, "without": true, "on": true, "ignoring": true}
)

// metricNames are the metric names a PromQL expression reads: identifiers
// that are not functions (followed by "("), keywords, label names (inside
// braces or groupings) or durations.
func metricNames(expr string) []string {
	e := promStrings.ReplaceAllString(expr, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	e = promNumbers.ReplaceAllString(e, "$1 ")
	var names []string
	for _, m := range promIdent.FindAllString(e, -1) {
		if strings.HasSuffix(m, "(") {
			continue
		}
		if m = strings.TrimSpace(m); !promKeywords[m] {
			names = append(names, m)
		}
	}
	return names
}

// checkExpr reports the metrics of expr that /metrics does not export.
// up is Prometheus' own per target; a histogram's _bucket, _sum and _count
// series belong to its family.
func checkExpr(t *testing.T, where, expr string, families map[string]string) {
	t.Helper()
	names := metricNames(expr)
	if len(names) == 0 {
		t.Errorf("%s: %q reads no metric", where, expr)
	}
	for _, n := range names {
		if n == "up" {
			continue
		}
		if _, ok := families[n]; ok {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
		if families[base] == "HISTOGRAM" {
			continue
		}
		t.Errorf("%s: %q reads %s, which jiedao's /metrics does not export", where, expr, n)
	}
}

func TestMetricNames(t *testing.T) {
	got := metricNames(`sum by (le) (rate(x_bucket{route=~"POST /(a|b)",code="5.."}[5m])) / on() y offset 1d and hour() >= 0`)
	if strings.Join(got, ",") != "x_bucket,y" {
		t.Errorf("metricNames = %v", got)
	}
}

// TestAlertRulesAndDashboard: deploy/prometheus/jiedao-rules.yml parses as
// Prometheus rule groups, every rule has an alert name, an expression and a
// summary, and every expression there and in the Grafana dashboard reads
// only metrics jiedao exports.
func TestAlertRulesAndDashboard(t *testing.T) {
	families := exportedMetrics(t)
	for _, want := range []string{"jiedao_http_requests_total", "jiedao_http_request_duration_seconds",
		"jiedao_deadline_marks_total", "jiedao_deadline_job_last_run_timestamp_seconds", "jiedao_deadline_job_errors_total",
		"jiedao_state_filesystem_avail_bytes", "jiedao_state_filesystem_size_bytes"} {
		if _, ok := families[want]; !ok {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	b, err := os.ReadFile("../../deploy/prometheus/jiedao-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert       string
				Expr        string
				For         string
				Labels      map[string]string
				Annotations map[string]string
			}
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatal(err)
	}
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Annotations["summary"] == "" || r.Labels["severity"] == "" {
				t.Errorf("rule %+v lacks an alert name, expr, severity or summary", r)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			alerts[r.Alert] = true
			checkExpr(t, r.Alert, r.Expr, families)
		}
	}
	for _, want := range []string{"JiedaoIntakeStopped", "JiedaoOverdueRising", "JiedaoDeadlineJobNotRunning",
		"JiedaoHighErrorRate", "JiedaoSlowRequests", "JiedaoDiskFilling"} {
		if !alerts[want] {
			t.Errorf("no alert %s", want)
		}
	}
	d, err := os.ReadFile("../../deploy/grafana/jiedao-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := yaml.Unmarshal(d, &dash); err != nil { // JSON is YAML
		t.Fatal(err)
	}
	if len(dash.Panels) == 0 {
		t.Fatal("the dashboard has no panels")
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			checkExpr(t, p.Title, tg.Expr, families)
		}
	}
}
