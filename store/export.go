package store

import (
	"context"
	"time"

	"github.com/jiedao/jiedao/casework"
)

// EachCase walks the cases of a filter in the list's order, newest
// reported first, a page at a time. Each page is one short query that
// starts below the last row of the one before — keyset pagination on
// (reported_at, id) — so that the millionth row costs what the first did
// (OFFSET would skip every row before it again), and no read transaction
// stays open while the caller writes a download: on SQLite a long reader
// would keep the WAL from being checkpointed, on PostgreSQL it would hold
// back vacuum. The reported_at index serves both the order and the bound
// (on SQLite the index holds the rowid, which is id).
func (s *Cases) EachCase(ctx context.Context, f casework.Filter, fn func(*casework.Case) error) error {
	page := f.Limit
	if page <= 0 {
		page = casework.ExportPage
	}
	w, args, err := s.whereOf(ctx, f, false)
	if err != nil {
		return err
	}
	and := " AND "
	if w == "" {
		and = " WHERE "
	}
	r := s.db.reader()
	var lastAt time.Time
	var lastID int64
	for first := true; ; first = false {
		q, qargs := caseSelect+w, args
		if !first {
			// reported_at <= last alone lets both engines range-scan the
			// index; the rest breaks ties at the same instant by id.
			q += and + `c.reported_at <= ? AND (c.reported_at < ? OR c.id < ?)`
			qargs = append(append([]any{}, args...), lastAt, lastAt, lastID)
		}
		q += ` ORDER BY c.reported_at DESC, c.id DESC LIMIT ?`
		cases, err := s.casePage(ctx, r, q, append(qargs, page))
		if err != nil {
			return err
		}
		for _, c := range cases {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(cases) < page {
			return nil
		}
		last := cases[len(cases)-1]
		lastAt, lastID = last.ReportedAt, last.ID
	}
}

// casePage reads one page of cases, closing its rows before the caller
// sees them.
func (s *Cases) casePage(ctx context.Context, r conn, q string, args []any) ([]*casework.Case, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*casework.Case
	for rows.Next() {
		c, err := s.db.scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
