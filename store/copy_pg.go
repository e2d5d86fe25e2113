package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// bulkInsert writes rows of cols values with insert (INSERT INTO t (a, b)
// VALUES ): through COPY when c is a PostgreSQL transaction on its own
// connection (a bulk load's, bulk.go), else with multi-row INSERTs.
func (c conn) bulkInsert(ctx context.Context, insert string, cols int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if c.raw != nil && c.db.engine == Postgres {
		return c.copyRows(ctx, insert, cols, rows)
	}
	stmts, err := insertStatements(insert, cols, rows)
	if err != nil {
		return err
	}
	return c.run(ctx, stmts)
}

// copyTarget parses the table and columns of an INSERT INTO t (a, b)
// VALUES statement.
func copyTarget(insert string) (string, []string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(insert), "INSERT INTO ")
	open := strings.IndexByte(rest, '(')
	end := strings.IndexByte(rest, ')')
	if !ok || open < 1 || end < open {
		return "", nil, fmt.Errorf("store: copy: cannot parse %q", insert)
	}
	cols := strings.Split(rest[open+1:end], ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return strings.TrimSpace(rest[:open]), cols, nil
}

// copyRows sends rows with pgx's CopyFrom on the transaction's own
// connection (database/sql's Conn.Raw): one COPY per table and batch,
// whatever its size, instead of a statement per few hundred rows.
func (c conn) copyRows(ctx context.Context, insert string, cols int, rows [][]any) error {
	table, names, err := copyTarget(insert)
	if err != nil {
		return err
	}
	if len(names) != cols {
		return fmt.Errorf("store: copy into %s: %d columns named, %d given", table, len(names), cols)
	}
	conv := make([][]any, len(rows))
	for i, r := range rows {
		if len(r) != cols {
			return fmt.Errorf("store: copy into %s: row %d has %d values for %d columns", table, i+1, len(r), cols)
		}
		conv[i] = c.db.args(r)
	}
	return c.raw.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: copy on a %T", dc)
		}
		n, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromRows(conv))
		if err != nil {
			return mapError(err)
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("store: copy into %s: %d rows of %d written", table, n, len(rows))
		}
		return nil
	})
}
