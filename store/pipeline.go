package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A stmt is one statement of a sequence that can be sent one by one or,
// on PostgreSQL in a group commit, pipelined: all of them in one round
// trip (pgx's batches, under database/sql through the connection's Raw).
type stmt struct {
	query string
	args  []any
	// scan, when set, is called for each row of the statement's result.
	scan func(sc scanner) error
}

// scanner is what *sql.Rows and pgx.Rows share for a row.
type scanner interface{ Scan(dest ...any) error }

// run runs the statements in order: pipelined when c has a raw
// PostgreSQL connection (the group commit's), else one after another.
func (c conn) run(ctx context.Context, stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	if c.raw != nil {
		return c.pipeline(ctx, stmts)
	}
	for _, s := range stmts {
		if s.scan == nil {
			if _, err := c.exec(ctx, s.query, s.args...); err != nil {
				return err
			}
			continue
		}
		rows, err := c.query(ctx, s.query, s.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := s.scan(rows); err != nil {
				rows.Close()
				return mapError(err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// pipeline sends the statements in one pgx batch on c's connection, in
// the transaction open on it, and reads their results in order.
func (c conn) pipeline(ctx context.Context, stmts []stmt) error {
	return c.raw.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline on a %T", dc)
		}
		b := &pgx.Batch{}
		for _, s := range stmts {
			b.Queue(c.db.rebind(s.query), c.db.args(s.args)...)
		}
		br := sc.Conn().SendBatch(ctx, b)
		for _, s := range stmts {
			if s.scan == nil {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return mapError(err)
				}
				continue
			}
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return mapError(err)
			}
			for rows.Next() {
				if err := s.scan(rows); err != nil {
					rows.Close()
					br.Close()
					return mapError(err)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				br.Close()
				return mapError(err)
			}
		}
		return mapError(br.Close())
	})
}
