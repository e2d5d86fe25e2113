package main

import (
	"context"
	"io"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// runReport prints the year's figures, computed from the records.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("report", stderr)
	year := fs.Int("year", time.Now().Year()-1, "the year to report")
	format := fs.String("format", "md", "output: json (one object keyed by figure) or md (the report's sentences and a table)")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	if *format != "json" && *format != "md" {
		return jiedao.Invalid("format", "格式应为 json 或 md", "format must be json or md")
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	// The report is the whole jurisdiction's: it is read as the leader.
	leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "jiedao report"}
	values, err := report.Compute(ctx, a.cases, leader, *year)
	if err != nil {
		return err
	}
	if *format == "json" {
		return report.WriteJSON(stdout, values)
	}
	name := "街道"
	if js, err := a.db.Org().ListJurisdictions(ctx); err == nil && len(js) > 0 {
		name = js[0].Name
	}
	return report.WriteMarkdown(stdout, name, *year, values)
}
