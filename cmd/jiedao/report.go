package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// runReport prints the year's figures, computed from the records.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("report", stderr)
	year := fs.Int("year", time.Now().Year()-1, "the year to report")
	format := fs.String("format", "md", "output: json (one object keyed by figure), md (the report's sentences and tables) or xlsx (a workbook)")
	out := fs.String("out", "", "write to this file instead of standard output (needed for xlsx on a terminal)")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	if *format != "json" && *format != "md" && *format != "xlsx" {
		return jiedao.Invalid("format", "格式应为 json、md 或 xlsx", "format must be json, md or xlsx")
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	// The report is the whole jurisdiction's: it is read as the leader.
	leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "jiedao report"}
	values, err := report.Compute(ctx, a.cases, leader, *year, a.figures...)
	if err != nil {
		return err
	}
	if *format == "json" {
		return report.WriteJSON(w, values)
	}
	name := "街道"
	if js, err := a.db.Org().ListJurisdictions(ctx); err == nil && len(js) > 0 {
		name = js[0].Name
	}
	units, err := a.dir.Units(ctx, leader)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	ev, err := report.EvaluateYear(ctx, a.cases, leader, *year, names)
	if err != nil {
		return err
	}
	if *format == "xlsx" {
		return report.WriteXLSX(w, name, *year, values, ev)
	}
	if err := report.WriteMarkdown(w, name, *year, values); err != nil {
		return err
	}
	return report.WriteEvaluationMarkdown(w, ev)
}
