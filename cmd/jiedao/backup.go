package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jiedao/jiedao/store"
)

// runBackup writes a consistent copy of the database to a file; it is
// safe while serve runs (store.Backup says how, per engine).
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("backup", stderr)
	out := fs.String("out", "", "the backup file to write (replaced only once the new copy is whole and checked)")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	info, err := store.Backup(ctx, *dsn, *out)
	if err != nil {
		return err
	}
	mb := float64(info.Bytes) / (1 << 20)
	if info.Cases >= 0 {
		fmt.Fprintf(stdout, "已备份到 %s（%d 件案件，%.1f MB，用时 %.1f 秒）/ backed up to %s (%d cases, %.1f MB, in %.1f s)\n",
			info.Path, info.Cases, mb, info.Took.Seconds(), info.Path, info.Cases, mb, info.Took.Seconds())
	} else {
		fmt.Fprintf(stdout, "已备份到 %s（%.1f MB，用时 %.1f 秒）/ backed up to %s (%.1f MB, in %.1f s)\n",
			info.Path, mb, info.Took.Seconds(), info.Path, mb, info.Took.Seconds())
	}
	return nil
}

// runRestore replaces the database with a backup. A database that holds
// data is refused without --force.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("restore", stderr)
	from := fs.String("from", "", "the backup file to restore (written by jiedao backup)")
	force := fs.Bool("force", false, "replace a database that already holds data")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	info, err := store.Restore(ctx, *dsn, *from, store.RestoreOptions{Force: *force})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已从 %s 恢复（%d 件案件，用时 %.1f 秒）；请重启正在运行的 jiedao serve / restored from %s (%d cases, in %.1f s); restart any running jiedao serve\n",
		info.Path, info.Cases, info.Took.Seconds(), info.Path, info.Cases, info.Took.Seconds())
	return nil
}
