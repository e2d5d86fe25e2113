package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jiedao/jiedao"
)

// searchInterval is how often serve brings the case list's search index
// up to date (store.IndexSearch). A search reads the cases changed since
// the last run by their events, with the LIKE alone: a few rows.
const searchInterval = 30 * time.Second

// searchJob keeps the text search's index up to date every
// searchInterval, from the start: on a database that has none yet (new, or
// from before migration 0138) its first run indexes every case, and the
// searches scan until it is done. One node runs each turn (store.RunJob).
func (a *app) searchJob(ctx context.Context) {
	t := time.NewTicker(searchInterval)
	defer t.Stop()
	for {
		start := time.Now()
		var n int
		_, err := a.db.RunJob(ctx, "search", searchInterval, func(ctx context.Context) error {
			run, err := a.db.IndexSearch(ctx)
			n = run.Indexed
			return err
		})
		if err != nil && ctx.Err() == nil {
			a.log.Error("search index job", "err", err)
		} else if n >= 10000 {
			a.log.Info("search index built", "cases", n, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runSearch is `jiedao search index`: the search job, once, now (after an
// import, say; serve does it every half minute).
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "index" {
		return jiedao.Invalid("command", "用法：jiedao search index --db DSN", "usage: jiedao search index --db DSN")
	}
	fs, dsn := adminFlags("search index", stderr)
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	start := time.Now()
	run, err := a.db.IndexSearch(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "检索索引已更新：%d 件案件 / search index up to date: %d cases indexed (through event %d, %s)\n",
		run.Indexed, run.Indexed, run.Through, time.Since(start).Round(time.Millisecond))
	return nil
}
