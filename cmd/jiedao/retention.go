package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// retentionInterval is how often serve runs the retention job: contacts
// are kept for months, so an hour late is nothing, and the job's query
// reads every contact not yet erased.
const retentionInterval = time.Hour

// retentionPeriod is the --contact-retention flag: days ("180d") or a Go
// duration ("4320h"); 0 keeps contacts for ever.
type retentionPeriod time.Duration

func (p *retentionPeriod) String() string {
	d := time.Duration(*p)
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

func (p *retentionPeriod) Set(s string) error {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("%q: give days (180d) or a duration (4320h)", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else if s == "0" {
		d = 0
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return fmt.Errorf("%q: give days (180d) or a duration (4320h)", s)
		}
	}
	if d < 0 {
		return fmt.Errorf("%q: the retention period cannot be negative", s)
	}
	*p = retentionPeriod(d)
	return nil
}

// contactRetentionFlag defines --contact-retention on fs.
func contactRetentionFlag(fs *flag.FlagSet) *retentionPeriod {
	p := retentionPeriod(casework.DefaultContactRetention)
	fs.Var(&p, "contact-retention", "erase residents' contacts this long after their case ended: days (180d) or a duration; 0 keeps them for ever")
	return &p
}

// retentionJob erases the contacts due every retentionInterval, from the
// start. Several processes may run it on one database: each contact is
// erased once.
func (a *app) retentionJob(ctx context.Context, period time.Duration) {
	if period <= 0 {
		return
	}
	t := time.NewTicker(retentionInterval)
	defer t.Stop()
	for {
		var res casework.RetentionResult
		_, err := a.db.RunJob(ctx, "retention", retentionInterval, func(ctx context.Context) error {
			var err error
			res, err = a.cases.RunRetention(ctx, period, false)
			return err
		})
		if err != nil && ctx.Err() == nil {
			a.log.Error("retention job", "err", err)
		} else if res.Anonymised > 0 {
			a.log.Info("contacts anonymised", "count", res.Anonymised, "sealed_copies", res.SealedCopies, "cutoff", res.Cutoff)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runRetention is `jiedao retention run`: the retention job, once, now.
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: jiedao retention run --db DSN [--contact-retention 180d] [--dry-run]")
		fmt.Fprintln(stderr, "  run  匿名化已结束超过保存期限的案件的报事人联系方式 / erase the reporters' contacts of cases that ended longer ago than the retention period")
		return jiedao.Invalid("command", "用法：jiedao retention run", "usage: jiedao retention run")
	}
	fs := flag.NewFlagSet("retention run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "jiedao.db", "database: an SQLite file path, or postgres://…")
	period := contactRetentionFlag(fs)
	dry := fs.Bool("dry-run", false, "count the contacts due, change nothing")
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	log, err := newLogger(stderr, "warn")
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, calendar.DefaultWorkingHours().String(), log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if *period == 0 {
		fmt.Fprintln(stdout, "保存期限为 0：联系方式永久保存，无需匿名化 / retention 0: contacts are kept for ever, nothing to do")
		return nil
	}
	res, err := a.cases.RunRetention(ctx, time.Duration(*period), *dry)
	if err != nil {
		return err
	}
	cutoff := res.Cutoff.In(calendar.Zone()).Format("2006-01-02 15:04")
	verbZh, verbEn := "已匿名化", "anonymised"
	if res.DryRun {
		verbZh, verbEn = "将匿名化（试运行，未做更改）", "would anonymise (dry run, nothing changed)"
	}
	fmt.Fprintf(stdout, "%s %d 位报事人的联系方式（案件结束于 %s 之前）/ %s %d reporters' contacts (cases ended before %s)\n",
		verbZh, res.Anonymised, cutoff, verbEn, res.Anonymised, cutoff)
	if res.SealedCopies > 0 {
		fmt.Fprintf(stdout, "  其中 %d 件为迁移 0008 之前上报，其已封存的上报事件仍含联系方式，无法在不破坏审计链的情况下删除 / "+
			"%d of them were reported before migration 0008: their sealed report event still holds the contact, which cannot be erased without breaking the audit chain\n",
			res.SealedCopies, res.SealedCopies)
	}
	return nil
}
