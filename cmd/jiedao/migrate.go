package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jiedao/jiedao/store"
)

// migrate lists the migrations the database lacks, then (unless dryRun)
// applies them the way serve does at start-up. A database written by a
// newer release is refused before anything changes.
func migrate(ctx context.Context, dsn string, dryRun bool, stdout, stderr io.Writer) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	pending, err := db.PendingMigrations(ctx)
	engine := db.Engine()
	db.Close()
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		fmt.Fprintf(stdout, "数据库已是最新 / database is up to date (%s)\n", engine)
		return nil
	}
	if dryRun {
		fmt.Fprintf(stdout, "将执行 %d 个迁移（试运行，未作改动）/ %d migrations would run (dry run, nothing changed) (%s):\n", len(pending), len(pending), engine)
		for _, name := range pending {
			fmt.Fprintln(stdout, "  "+name)
		}
		return nil
	}
	a, err := openQuiet(ctx, dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	fmt.Fprintf(stdout, "已执行 %d 个迁移 / applied %d migrations (%s):\n", len(pending), len(pending), engine)
	for _, name := range pending {
		fmt.Fprintln(stdout, "  "+name)
	}
	return nil
}
