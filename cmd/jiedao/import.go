package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enforcement"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// runImport imports a file of the enterprise registry (package
// enterprise does the work; docs/enterprise.md lists the columns).
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		return jiedao.Invalid("kind", "用法：jiedao import enterprises|buildings|tenancies|tax|moves --file F [--dry-run]；jiedao import bikes FILE [--as 用户名] [--dry-run]",
			"usage: jiedao import enterprises|buildings|tenancies|tax|moves --file F [--dry-run]; jiedao import bikes FILE [--as USER] [--dry-run]")
	}
	if args[0] == "bikes" {
		return runImportBikes(ctx, args[1:], stdout, stderr) // docs/kinds.md
	}
	kind := enterprise.ImportKind(args[0])
	fs, dsn := adminFlags("import "+args[0], stderr)
	file := fs.String("file", "", "the XLSX or CSV file")
	dry := fs.Bool("dry-run", false, "say row by row what would change, write nothing")
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	if *file == "" {
		return jiedao.Invalid("file", "请用 --file 指定文件", "name the file with --file")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	actor := org.SystemActor()
	actor.Name = "jiedao import"
	res, err := a.ent.Import(ctx, actor, kind, data, *dry)
	if res != nil {
		for _, e := range res.Errors {
			fmt.Fprintf(stderr, "第%d行「%s」：%s / row %d, %s: %s\n", e.Row, e.Field, e.Zh, e.Row, e.Field, e.En)
		}
	}
	if err != nil {
		return err
	}
	if *dry {
		for _, r := range res.Rows {
			fmt.Fprintf(stdout, "第%d行\t%s\t%s\t%s\n", r.Row, r.Action, r.Key, r.Detail)
		}
	}
	verb := "已导入 / imported"
	if *dry {
		verb = "试运行，未写入 / dry run, nothing written"
	}
	fmt.Fprintf(stdout, "%s：新增 %d，更新 %d，不变 %d / created %d, updated %d, unchanged %d\n", verb,
		res.Created, res.Updated, res.Unchanged, res.Created, res.Updated, res.Unchanged)
	return nil
}

// runImportBikes imports a file of shared-bike clearances (date, operator,
// community or place, count: enforcement.BikeImporter), all rows or none,
// as the staff member --as names (default: the first active enforcement
// officer), whose name the cases record.
func runImportBikes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("import bikes", stderr)
	file := fs.String("file", "", "the XLSX or CSV file (or give it as the first argument)")
	as := fs.String("as", "", "the username the clearances are recorded by: an enforcement officer, dispatcher or admin (default: the first active enforcement officer)")
	dry := fs.Bool("dry-run", false, "say row by row what would be made and what is wrong, write nothing")
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		*file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	if *file == "" {
		return jiedao.Invalid("file", "用法：jiedao import bikes 文件 [--as 用户名] [--dry-run]", "usage: jiedao import bikes FILE [--as USER] [--dry-run]")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	var who *org.Staff
	if *as != "" {
		if who, err = a.db.Org().GetStaffByUsername(ctx, *as); err != nil {
			return jiedao.Invalid("as", "没有用户 "+*as, "no user "+*as)
		}
	} else {
		staff, err := a.db.Org().ListStaff(ctx)
		if err != nil {
			return err
		}
		for _, s := range staff {
			if s.Active && s.Role == org.RoleEnforcementOfficer {
				who = s
				break
			}
		}
		if who == nil {
			return jiedao.Invalid("as", "没有启用的执法队员账号，请用 --as 指定导入人", "no active enforcement officer: name who imports with --as")
		}
	}
	im := &enforcement.BikeImporter{Cases: a.cases, Now: time.Now, Save: func(ctx context.Context, cases []*casework.Case, events [][]*casework.Event) error {
		batch := make([]store.CaseHistory, len(cases))
		for i := range cases {
			batch[i] = store.CaseHistory{Case: cases[i], Events: events[i]}
		}
		return a.db.Cases().ImportCases(ctx, batch)
	}}
	res, err := im.Import(ctx, org.StaffActor(who), data, *dry)
	if res != nil {
		for _, e := range res.Errors() {
			fmt.Fprintf(stderr, "%s / %s\n", e.Zh, e.En)
		}
		if *dry || err == nil {
			for _, r := range res.Rows {
				fmt.Fprintf(stdout, "第%d行\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Row, r.Action, r.Date, r.Operator, r.Place, r.Count, r.Case)
			}
		}
	}
	if err != nil {
		return err
	}
	verb := "已导入 / imported"
	if *dry {
		verb = "试运行，未写入 / dry run, nothing written"
	}
	fmt.Fprintf(stdout, "%s：%d条记录，共%d辆 / %d records, %d bikes\n", verb, len(res.Rows), res.Bikes, len(res.Rows), res.Bikes)
	return nil
}
