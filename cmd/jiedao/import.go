package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
)

// runImport imports a file of the enterprise registry (package
// enterprise does the work; docs/enterprise.md lists the columns).
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		return jiedao.Invalid("kind", "用法：jiedao import enterprises|buildings|tenancies|tax|moves --file F [--dry-run]",
			"usage: jiedao import enterprises|buildings|tenancies|tax|moves --file F [--dry-run]")
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
