package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao/store"
)

type printer struct{ w io.Writer }

func (p *printer) line(format string, args ...any) { fmt.Fprintf(p.w, format+"\n", args...) }
func (p *printer) head(title string)               { fmt.Fprintf(p.w, "\n## %s\n", title) }

// setup prints the machine, the engine and its durability settings, and
// the options.
func setup(ctx context.Context, p *printer, env Env, opt Options) {
	p.line("machine: %s/%s, %d CPUs (%s), %s RAM, kernel %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), memTotal(), kernel())
	p.line("load average before: %s   (the machine may be shared: figures taken under load are upper bounds)", loadAvg())
	p.line("go: %s; %s", runtime.Version(), depVersions())
	p.line("database: %s", redact(env.DSN))
	for _, s := range engineSettings(ctx, env) {
		p.line("  %s", s)
	}
	p.line("options: year %d, scale %g, seed %d; %d clients; %d rounds of intake phases of %s after a %s warm-up (at most %d requests each); %d runs per dashboard query; %d cold starts",
		opt.Year, opt.Scale, opt.Seed, opt.Clients, max(1, opt.Rounds), opt.Duration, opt.Warmup, opt.MaxCases, opt.Runs, opt.Starts)
}

func redact(dsn string) string {
	if !store.IsPostgres(dsn) {
		return "SQLite file " + dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return "PostgreSQL " + u.String()
}

// engineSettings reads the engine's version and the settings durability
// depends on.
func engineSettings(ctx context.Context, env Env) []string {
	one := func(q string) string {
		rows, err := env.DB.Query(ctx, q)
		if err != nil {
			return "? (" + err.Error() + ")"
		}
		defer rows.Close()
		var v string
		if rows.Next() {
			if err := rows.Scan(&v); err != nil {
				return "? (" + err.Error() + ")"
			}
		}
		return v
	}
	if env.DB.Engine() == store.Postgres {
		out := []string{"PostgreSQL " + one("SHOW server_version")}
		var kv []string
		for _, s := range []string{"fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay", "shared_buffers", "max_connections"} {
			kv = append(kv, s+"="+one("SHOW "+s))
		}
		out = append(out, strings.Join(kv, ", "))
		out = append(out, "jiedao's pools: 8 write connections, 16 read connections; group commit for new cases")
		return out
	}
	sync := one("PRAGMA synchronous")
	if sync == "2" {
		sync = "2 (FULL)"
	}
	out := []string{"SQLite " + one("SELECT sqlite_version()") + " (modernc.org/sqlite, pure Go)",
		"journal_mode=" + one("PRAGMA journal_mode") + ", synchronous=" + sync + ", on " + fsOf(env.DSN),
		"jiedao's pools: 1 write connection, 8 read connections; group commit for new cases"}
	return out
}

// fsOf names the file system a path is on, from /proc/mounts.
func fsOf(path string) string {
	abs, err := filepath.Abs(strings.TrimPrefix(path, "file:"))
	if err != nil {
		return "?"
	}
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return "?"
	}
	defer f.Close()
	best, fs, dev := "", "?", "?"
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		mnt := fields[1]
		if (abs == mnt || strings.HasPrefix(abs, strings.TrimSuffix(mnt, "/")+"/")) && len(mnt) >= len(best) {
			best, dev, fs = mnt, fields[0], fields[2]
		}
	}
	return fs + " (" + dev + " mounted on " + best + ")"
}

func depVersions() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var out []string
	for _, d := range bi.Deps {
		if d.Path == "modernc.org/sqlite" || d.Path == "github.com/jackc/pgx/v5" {
			out = append(out, d.Path+" "+d.Version)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func memTotal() string {
	kb := procKB("/proc/meminfo", "MemTotal")
	if kb == 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f GiB", float64(kb)/1024/1024)
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// procKB reads a "Key:   123 kB" line of a /proc file.
func procKB(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// cpuTimes reads the machine's busy and total CPU time from /proc/stat.
func cpuTimes() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, s := range f[1:] {
		n, _ := strconv.ParseInt(s, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// cpuMeter measures the share of the machine's CPU time that was busy.
type cpuMeter struct{ busy, total int64 }

func startCPU() cpuMeter { b, t := cpuTimes(); return cpuMeter{b, t} }

func (m cpuMeter) busyShare() float64 {
	b, t := cpuTimes()
	if t == m.total {
		return 0
	}
	return float64(b-m.busy) / float64(t-m.total)
}

// quantile returns the q-quantile (0..1) of sorted durations, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func sortDurations(d []time.Duration) []time.Duration {
	slices.Sort(d)
	return d
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}
