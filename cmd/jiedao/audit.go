package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/store"
)

// sealChunk is how many records one sealing transaction appends.
const sealChunk = 5000

// sealBudget bounds the sealing of one tick of the deadline job, so that a
// backlog (a database from before the chain, a bulk import) is sealed over
// several ticks without holding up the deadlines.
const sealBudget = 20 * time.Second

// sealAudit seals the audit chain's backlog in chunks, for up to
// sealBudget. Several serve processes may do it at once.
func (a *app) sealAudit(ctx context.Context) {
	start, total := time.Now(), 0
	for time.Since(start) < sealBudget && ctx.Err() == nil {
		n, err := a.db.SealAudit(ctx, sealChunk)
		total += n
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("audit chain: sealing", "err", err)
			}
			break
		}
		if n < sealChunk {
			break
		}
	}
	if total > 0 {
		a.log.Debug("audit chain sealed", "records", total, "took", time.Since(start))
	}
}

// runAudit is `jiedao audit verify|seal|head`.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "seal" && args[0] != "head") {
		fmt.Fprintln(stderr, "usage: jiedao audit verify|seal|head --db DSN")
		fmt.Fprintln(stderr, "  verify  重算审计链，报告第一条被篡改、删除或插入的记录；默认从上次校验的检查点起，--full 全链 / recompute the chain, report the first altered, removed or inserted record; from the last checkpoint unless --full")
		fmt.Fprintln(stderr, "  seal    立即封存尚未封存的记录 / seal the records not yet sealed, now")
		fmt.Fprintln(stderr, "  head    打印链头（序号:哈希），供在库外留存 / print the chain head (SEQ:HASH) to keep outside the database")
		return jiedao.Invalid("command", "用法：jiedao audit verify|seal|head", "usage: jiedao audit verify|seal|head")
	}
	sub := args[0]
	fs := flag.NewFlagSet("audit "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "jiedao.db", "database: an SQLite file path, or postgres://…")
	var anchor, format *string
	var full, noCheckpoint *bool
	if sub == "verify" {
		anchor = fs.String("anchor", "", "a chain head written down before (SEQ:HASH, from jiedao audit head): the chain must still have it")
		format = fs.String("format", "text", "output: text or json")
		full = fs.Bool("full", false, "verify the whole chain, not only what was sealed since the last checkpoint")
		noCheckpoint = fs.Bool("no-checkpoint", false, "do not store a checkpoint when the chain is intact")
	}
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := setCrypto(db); err != nil { // the chain's algorithm and the checkpoints' key (crypto.go)
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	switch sub {
	case "head":
		h, err := db.AuditHead(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, h.String())
		return nil
	case "seal":
		start, total := time.Now(), 0
		for {
			n, err := db.SealAudit(ctx, 20000)
			total += n
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		h, err := db.AuditHead(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已封存 / sealed %d records in %s; 链头 / head %s\n", total, time.Since(start).Round(time.Millisecond), h)
		return nil
	}
	var an *store.AuditHead
	if *anchor != "" {
		h, err := store.ParseAuditHead(*anchor)
		if err != nil {
			return err
		}
		an = &h
	}
	rep, err := db.VerifyAuditWith(ctx, store.AuditVerifyOptions{Anchor: an, Incremental: !*full, Checkpoint: !*noCheckpoint})
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printAuditReport(stdout, rep)
	}
	if p := rep.Problem; p != nil {
		return &jiedao.Error{Code: jiedao.ECONFLICT,
			Zh: fmt.Sprintf("审计链校验失败：第 %d 条记录%s", p.Seq, p.KindZh()),
			En: fmt.Sprintf("audit chain verification failed: entry %d %s", p.Seq, p.Kind)}
	}
	return nil
}

func printAuditReport(w io.Writer, rep *store.AuditReport) {
	took := rep.Took.Round(time.Millisecond)
	if p := rep.Problem; p != nil {
		fmt.Fprintf(w, "审计链校验失败 / audit chain verification FAILED\n")
		fmt.Fprintf(w, "  第 %d 条 / entry %d: %s / %s\n", p.Seq, p.Seq, p.KindZh(), p.Kind)
		fmt.Fprintf(w, "  记录 / record: %s\n", p.Name)
		if p.Detail != "" {
			fmt.Fprintf(w, "  说明 / detail: %s\n", p.Detail)
		}
		fmt.Fprintf(w, "  此前已校验 / verified before it: %d 条 / records in %s\n", rep.Verified, took)
		return
	}
	fmt.Fprintf(w, "审计链完好 / audit chain intact: %d 条记录已校验 / records verified (%d 案件事件 / case events, %d 管理操作 / admin actions) in %s\n",
		rep.Verified, rep.Events, rep.Admin, took)
	if cp := rep.Checkpoint; cp != nil {
		keyed := "HMAC 密钥 / keyed with SM4 key " + cp.KeyID
		if cp.KeyID == "" {
			keyed = "未加密钥：只防误改，不防伪造 / unkeyed: guards against accidents, not forgery"
		}
		fmt.Fprintf(w, "  自检查点起 / from the checkpoint of %s (entry %d, %s); 全链校验用 --full / --full verifies the whole chain\n",
			cp.VerifiedAt.Local().Format("2006-01-02 15:04:05"), cp.Seq, keyed)
	}
	for _, a := range rep.Algorithms {
		fmt.Fprintf(w, "  算法 / algorithm %s: 第 / entries %d–%d\n", a.Alg, a.From, a.To)
	}
	fmt.Fprintf(w, "  链头 / head %s\n", rep.Head)
	if cp := rep.Stored; cp != nil {
		fmt.Fprintf(w, "  已存检查点 / checkpoint stored at entry %d\n", cp.Seq)
	}
	if rep.Unsealed > 0 {
		fmt.Fprintf(w, "  尚未封存 / not sealed yet: %d 条 / records (serve seals them every minute; jiedao audit seal does it now)\n", rep.Unsealed)
	}
}
