package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/gmcrypto"
	"github.com/jiedao/jiedao/store"
)

// The algorithm suite and the SM4 keyring come from the environment, for
// every subcommand that opens the database (docs/dengbao.md, 商用密码):
//
//	JIEDAO_CRYPTO          default (SHA-256) or gm (SM3, SM4)
//	JIEDAO_SM4_KEY_FILE    the key file: "KEYID HEX" lines, the first current
//	JIEDAO_SM4_KEY         the same text, when there is no file
//
// With gm an SM4 key is required: the contacts and signing secrets are then
// sealed at rest. A key without gm seals them too (SM4 is the only cipher).
func setCrypto(db *store.DB) error {
	suite, err := gmcrypto.ParseSuite(os.Getenv("JIEDAO_CRYPTO"))
	if err != nil {
		return err
	}
	keys, err := gmcrypto.LoadKeys(os.Getenv("JIEDAO_SM4_KEY_FILE"), os.Getenv("JIEDAO_SM4_KEY"))
	if err != nil {
		return err
	}
	if suite == gmcrypto.GM && keys == nil {
		return jiedao.Invalid("sm4_key_file", "商用密码模式（JIEDAO_CRYPTO=gm）需要 SM4 密钥：设置 JIEDAO_SM4_KEY_FILE（jiedao crypto newkey 生成）",
			"JIEDAO_CRYPTO=gm needs an SM4 key: set JIEDAO_SM4_KEY_FILE (make one with jiedao crypto newkey)")
	}
	db.SetCrypto(suite, keys)
	return nil
}

// runCrypto is `jiedao crypto status|newkey|encrypt|rotate`.
func runCrypto(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() error {
		fmt.Fprintln(stderr, "usage: jiedao crypto status|newkey|encrypt|rotate --db DSN")
		fmt.Fprintln(stderr, "  status   算法套件、当前密钥、明文与各密钥密文的行数 / the suite, the current key, rows in plaintext and under each key")
		fmt.Fprintln(stderr, "  newkey   打印一行新 SM4 密钥（KEYID HEX），放到密钥文件第一行 / print a new SM4 key line for the top of the key file")
		fmt.Fprintln(stderr, "  encrypt  用当前密钥加密明文的联系方式与签名密钥（可中断、可重跑）/ seal plaintext contacts and signing secrets (resumable)")
		fmt.Fprintln(stderr, "  rotate   用当前密钥重新加密旧密钥加密的行 / re-seal rows sealed with older keys under the current key")
		return jiedao.Invalid("command", "用法：jiedao crypto status|newkey|encrypt|rotate", "usage: jiedao crypto status|newkey|encrypt|rotate")
	}
	if len(args) == 0 {
		return usage()
	}
	sub := args[0]
	fs := flag.NewFlagSet("crypto "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "jiedao.db", "database: an SQLite file path, or postgres://…")
	id := fs.String("id", "k"+time.Now().Format("20060102"), "newkey: the new key's id")
	batch := fs.Int("batch", 1000, "encrypt, rotate: rows per transaction")
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	switch sub {
	case "newkey":
		fmt.Fprintln(stdout, gmcrypto.NewKey(*id))
		return nil
	case "status", "encrypt", "rotate":
	default:
		return usage()
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := setCrypto(db); err != nil {
		return err
	}
	if sub == "status" {
		st, err := db.CryptoStatus(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	if db.Keyring() == nil {
		return jiedao.Invalid("sm4_key_file", "未配置 SM4 密钥（JIEDAO_SM4_KEY_FILE）", "no SM4 key is configured (JIEDAO_SM4_KEY_FILE)")
	}
	start := time.Now()
	n, err := db.EncryptAtRest(ctx, *batch)
	fmt.Fprintf(stdout, "已用密钥 %s 加密 / sealed under key %s: %d 条联系方式 / contacts, %d 个签名密钥 / signing secrets in %s\n",
		db.Keyring().Current(), db.Keyring().Current(), n.Contacts, n.Secrets, time.Since(start).Round(time.Millisecond))
	return err
}

// encryptAtRest seals, at start-up of serve and in the background, the
// contacts and secrets still in plaintext or under an older key, when an
// SM4 key is configured (store.EncryptAtRest: batches, resumable).
func (a *app) encryptAtRest(ctx context.Context) {
	if a.db.Keyring() == nil {
		return
	}
	start := time.Now()
	n, err := a.db.EncryptAtRest(ctx, 1000)
	if err != nil && ctx.Err() == nil {
		a.log.Error("encryption at rest", "err", err, "contacts", n.Contacts, "secrets", n.Secrets)
		return
	}
	if n.Contacts+n.Secrets > 0 {
		a.log.Info("sealed with SM4 at rest", "key", a.db.Keyring().Current(), "contacts", n.Contacts, "secrets", n.Secrets, "took", time.Since(start))
	}
}
