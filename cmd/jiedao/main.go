// Command jiedao runs a subdistrict's governance loops: `jiedao serve`
// serves the pages, the JSON API and Open311 on SQLite or PostgreSQL; the
// other subcommands manage the database. This package only reads flags and
// wires the parts together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jiedao/jiedao"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web pages, the JSON API and Open311", runServe},
		{"demo", "serve a generated subdistrict like Gudang, alive: the calibrated year and this year up to today (built on first run)", runDemo},
		{"report", "print a year's figures computed from the records (json or md)", runReport},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"aggregates", "recount the dashboards' aggregate tables from the cases: aggregates rebuild", runAggregates},
		{"backup", "write a consistent copy of the database, safe while serving: backup --out PATH", runBackup},
		{"restore", "replace the database with a backup: restore --from PATH [--force]", runRestore},
		{"user", "manage staff accounts: user create|list|passwd", runUser},
		{"apikey", "manage machine clients' API keys: apikey create|list|revoke", runAPIKey},
		{"import", "import the enterprise registry from XLSX or CSV: import enterprises|buildings|tenancies|tax|moves --file F [--dry-run]; shared-bike clearances: import bikes FILE [--as USER] [--dry-run]", runImport},
		{"bench", "measure intake, dashboards, memory and start-up on a database (docs/benchmarks.md)", runBench},
		{"audit", "the tamper-evident audit trail: audit verify|seal|head (docs/audit.md)", runAudit},
		{"crypto", "commercial cryptography (商用密码): crypto status|newkey|encrypt|rotate (docs/dengbao.md)", runCrypto},
		{"search", "bring the case list's text search index up to date now (serve does it every half minute): search index", runSearch},
		{"retention", "erase residents' contacts of cases ended longer ago than the retention period: retention run [--dry-run]", runRetention},
		{"version", "print the version, commit, build date and Go version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "jiedao — 街道基层治理平台 / subdistrict governance platform")
	fmt.Fprintln(w, "\nusage: jiedao COMMAND [flags]   (jiedao COMMAND -h for its flags)")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set as JIEDAO_<FLAG> in the environment (e.g. JIEDAO_DB),")
	fmt.Fprintln(w, "and secrets as JIEDAO_<FLAG>_FILE naming a file that holds the value.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if err == nil || errors.Is(err, flag.ErrHelp) {
				return 0
			}
			zh, en := jiedao.ErrorMessages(err)
			if jiedao.ErrorCode(err) == jiedao.EINTERNAL {
				zh, en = "出错了", err.Error()
			}
			fmt.Fprintf(stderr, "jiedao %s: %s / %s\n", c.name, zh, en)
			return 1
		}
	}
	fmt.Fprintf(stderr, "jiedao: 未知命令 / unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// parseFlags parses args, then fills every flag not given on the command
// line from JIEDAO_<NAME>, and the secret ones from JIEDAO_<NAME>_FILE.
func parseFlags(fs *flag.FlagSet, args []string, secrets ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "JIEDAO_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			err = f.Value.Set(v)
			return
		}
		for _, s := range secrets {
			if s != f.Name {
				continue
			}
			if path, ok := os.LookupEnv(env + "_FILE"); ok {
				b, rerr := os.ReadFile(path)
				if rerr != nil {
					err = fmt.Errorf("%s_FILE: %w", env, rerr)
					return
				}
				err = f.Value.Set(strings.TrimRight(string(b), "\r\n"))
			}
		}
	})
	return err
}
