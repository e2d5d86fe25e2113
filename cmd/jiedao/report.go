package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// reportDocs is the work report's document service over the app's
// figures (read when called, so that every source wired in openApp is in).
func (a *app) reportDocs() *report.Docs {
	return &report.Docs{Store: a.db.ReportDocs(), Cases: a.cases, Names: namer{a}, Sources: a.figures, Now: time.Now, Audit: a.db.Audit()}
}

// namer names the jurisdiction the report is of and its units: the
// actor's subdistrict (a narrowed one in a district), else the district
// of a district deployment, else the first jurisdiction.
type namer struct{ a *app }

func (n namer) Names(ctx context.Context, actor org.Actor) (string, map[int64]string, error) {
	name := "街道"
	if js, err := n.a.db.Org().ListJurisdictions(ctx); err == nil && len(js) > 0 {
		name = js[0].Name
		for _, j := range js {
			if (actor.JurisdictionID != 0 && j.ID == actor.JurisdictionID) || (actor.JurisdictionID == 0 && j.IsDistrict()) {
				name = j.Name
				break
			}
		}
	}
	units, err := n.a.dir.Units(ctx, actor)
	if err != nil {
		return "", nil, err
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return name, names, nil
}

// reportReader is the actor the command line reads the report as: the
// report is the whole jurisdiction's, read as the leader.
func reportReader() org.Actor {
	return org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "jiedao report"}
}

// reportReaderIn is reportReader narrowed to the subdistrict of a
// division code (none: the whole deployment; a district's code: the
// whole district).
func (a *app) reportReaderIn(ctx context.Context, code string) (org.Actor, error) {
	r := reportReader()
	if code == "" {
		return r, nil
	}
	js, err := a.db.Org().ListJurisdictions(ctx)
	if err != nil {
		return r, err
	}
	for _, j := range js {
		if j.DivisionCode != code {
			continue
		}
		if j.IsDistrict() || len(org.Subdistricts(js)) < 2 {
			return r, nil
		}
		r.JurisdictionID = j.ID
		return r, nil
	}
	return r, jiedao.Invalid("jurisdiction", "没有这个区划代码的街道："+code, "no subdistrict has the division code "+code)
}

// runReport prints the year's figures, computed from the records, or the
// whole document; `report check` checks a draft's figures.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "check" {
		return runReportCheck(ctx, args[1:], stdout, stderr)
	}
	fs, dsn := adminFlags("report", stderr)
	year := fs.Int("year", time.Now().Year()-1, "the year to report")
	format := fs.String("format", "md", "output: json (one object keyed by figure), figures (a list: each figure with the year before, change, definition, kind, link and override, and the targets with progress), md (the document), xlsx (a workbook) or docx (a Word document)")
	out := fs.String("out", "", "write to this file instead of standard output (needed for xlsx and docx on a terminal)")
	jur := fs.String("jurisdiction", "", "in a district deployment, one subdistrict's report: its division code (e.g. 330106007); empty: the whole deployment")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	switch *format {
	case "json", "figures", "md", "xlsx", "docx":
	default:
		return jiedao.Invalid("format", "格式应为 json、figures、md、xlsx 或 docx", "format must be json, figures, md, xlsx or docx")
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	reader, err := a.reportReaderIn(ctx, *jur)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if *format == "json" {
		values, err := report.Compute(ctx, a.cases, reader, *year, a.figures...)
		if err != nil {
			return err
		}
		return report.WriteJSON(w, values)
	}
	rep, err := a.reportDocs().Build(ctx, reader, *year)
	if err != nil {
		return err
	}
	switch *format {
	case "figures":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(api.ReportOf(rep))
	case "xlsx":
		return rep.Doc.WriteDocXLSX(w, rep.Values)
	case "docx":
		return rep.Doc.WriteDOCX(w)
	}
	return rep.Doc.WriteMarkdown(w)
}

// runReportCheck finds the figures of a draft and compares them with the
// records of the year.
func runReportCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("report check", stderr)
	year := fs.Int("year", time.Now().Year()-1, "the year the draft reports")
	textFile := fs.String("text", "", "the draft: a UTF-8 text file (- for standard input)")
	format := fs.String("format", "text", "output: text (one line a number) or json (a list of objects)")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return jiedao.Invalid("format", "格式应为 text 或 json", "format must be text or json")
	}
	if *textFile == "" {
		return jiedao.Invalid("text", "请用 --text 指定文稿文件", "name the draft with --text FILE")
	}
	var draft []byte
	var err error
	if *textFile == "-" {
		draft, err = io.ReadAll(os.Stdin)
	} else {
		draft, err = os.ReadFile(*textFile)
	}
	if err != nil {
		return jiedao.Invalid("text", "无法读取文稿："+err.Error(), "cannot read the draft: "+err.Error())
	}
	if !utf8.Valid(draft) {
		return jiedao.Invalid("text", "文稿应为 UTF-8 文本", "the draft must be UTF-8 text")
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	values, err := report.Compute(ctx, a.cases, reportReader(), *year, a.figures...)
	if err != nil {
		return err
	}
	next, err := report.Compute(ctx, a.cases, reportReader(), *year+1, a.figures...)
	if err != nil {
		return err
	}
	res := report.Check(string(draft), report.CheckValues(values, next))
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return report.WriteCheck(stdout, res)
}
