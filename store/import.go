package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// CaseHistory is a case with every event that made it, oldest first.
type CaseHistory struct {
	Case   *casework.Case
	Events []*casework.Event
}

// ImportCases stores cases whose events were made elsewhere (the demo
// generator runs the real case loop in memory) in one transaction: each
// gets its number and id, its events, its projection and the assignments
// projection of every dispatch, exactly as if each step had been stored
// one by one. The histories must replay: the first event the report.
func (s *Cases) ImportCases(ctx context.Context, batch []CaseHistory) error {
	if len(batch) == 0 {
		return nil
	}
	// Numbers are given by the day of reporting, in reporting order.
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return batch[order[a]].Case.ReportedAt.Before(batch[order[b]].Case.ReportedAt)
	})
	return s.db.inTx(ctx, func(tx conn) error {
		cases, reports := make([]*casework.Case, len(batch)), make([]*casework.Case, len(batch))
		for i, h := range batch {
			cases[i] = h.Case
			if len(h.Events) > 0 {
				reports[i] = h.Events[0].Payload.Report
			}
		}
		if err := fillJurisdictions(ctx, tx, cases, reports); err != nil {
			return err
		}
		perDay := map[string]int{}
		for _, h := range batch {
			perDay[h.Case.ReportedAt.In(calendar.Zone()).Format("20060102")]++
		}
		next := map[string]int64{}
		for day, n := range perDay {
			var last int64
			if err := tx.queryRow(ctx, `INSERT INTO case_numbers (day, last) VALUES (?, ?)
				ON CONFLICT (day) DO UPDATE SET last = case_numbers.last + excluded.last RETURNING last`, day, n).Scan(&last); err != nil {
				return mapError(err)
			}
			next[day] = last - int64(n) + 1
		}
		// The batch's case ids in one statement, then every row with
		// multi-row INSERTs: each case row whole (no INSERT then UPDATE
		// of its projection), a few statements per table for the batch.
		ids, err := takeCaseIDs(ctx, tx, len(batch))
		if err != nil {
			return err
		}
		var caseRows, assignRows, contactRows, personRows, eventRows [][]any
		for k, i := range order {
			h := batch[i]
			c := h.Case
			if len(h.Events) == 0 || h.Events[0].Action != casework.ActReport {
				return fmt.Errorf("store: import: case history must start with its report")
			}
			day := c.ReportedAt.In(calendar.Zone()).Format("20060102")
			c.Number = fmt.Sprintf("%s-%04d", day, next[day])
			next[day]++
			id := ids[k]
			c.ID = id
			rep := h.Events[0].Payload.Report
			rep.ID, rep.Number = id, c.Number
			if row := s.db.takeContact(id, h.Events[0]); row != nil {
				contactRows = append(contactRows, row)
			}
			// Replay for the assignments projection of every dispatch, not
			// only the last.
			var r *casework.Case
			rows := map[int][]any{}
			for _, e := range h.Events {
				e.CaseID = id
				if r, err = casework.Apply(r, e); err != nil {
					return fmt.Errorf("store: import case %s: %w", c.Number, err)
				}
				if row := assignmentRow(r); row != nil {
					rows[r.Assignments] = row
				}
			}
			vals, err := caseValues(c)
			if err != nil {
				return err
			}
			caseRows = append(caseRows, append([]any{id, c.Number}, vals...))
			for no := 1; no < c.Assignments; no++ {
				assignRows = append(assignRows, rows[no])
			}
			if row := assignmentRow(c); row != nil {
				assignRows = append(assignRows, row)
			}
			for _, p := range casePersons(c) {
				personRows = append(personRows, []any{p, id})
			}
		}
		// The cases first: the other rows refer to them.
		for _, t := range []struct {
			insert string
			cols   int
			rows   [][]any
		}{{caseInsertWhole, 2 + caseColumnCount, caseRows}, {assignmentInsert, 10, assignRows}, {personInsert, 2, personRows}} {
			// COPY in a bulk load on PostgreSQL (copy_pg.go).
			if err := tx.bulkInsert(ctx, t.insert, t.cols, t.rows); err != nil {
				return err
			}
		}
		if err := tx.bulkInsert(ctx, contactInsert, contactColumns, contactRows); err != nil {
			return err
		}
		for _, i := range order {
			for _, e := range batch[i].Events {
				row, err := eventRow(e)
				if err != nil {
					return err
				}
				eventRows = append(eventRows, row)
			}
		}
		if err := tx.bulkInsert(ctx, eventInsert, eventColumns, eventRows); err != nil {
			return err
		}
		// Counted once for the whole batch: the aggregates' rows are
		// written once each, not once per case.
		return countNewCases(ctx, tx, ids)
	})
}

// takeCaseIDs takes n new case ids in one statement (see idsStmt).
func takeCaseIDs(ctx context.Context, tx conn, n int) ([]int64, error) {
	var ids []int64
	if tx.db.engine == Postgres {
		err := tx.run(ctx, []stmt{{query: `SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, ?)`, args: []any{n},
			scan: func(sc scanner) error {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			}}})
		if err != nil {
			return nil, err
		}
	} else {
		var last int64
		if err := tx.queryRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'cases'), 0), COALESCE((SELECT MAX(id) FROM cases), 0))`).Scan(&last); err != nil {
			return nil, mapError(err)
		}
		for i := int64(1); i <= int64(n); i++ {
			ids = append(ids, last+i)
		}
	}
	if len(ids) != n {
		return nil, fmt.Errorf("store: %d case ids taken for %d cases", len(ids), n)
	}
	return ids, nil
}

// rowBatch inserts rows many to a statement: a round trip and a statement
// per row is most of a bulk load's time, on PostgreSQL above all. (Rows
// written this way get no id back; nothing in a load needs it.)
type rowBatch struct {
	insert string // INSERT INTO table (columns) VALUES
	cols   int
	args   []any
	n      int
}

// batchParams bounds the parameters of one statement: within both
// engines' limits.
const batchParams = 2400

const eventInsert = `INSERT INTO case_events (case_id, seq, action, actor_kind, actor_id, actor_name, actor_role, at, from_status, to_status, reason, payload) VALUES `
const eventColumns = 12

// eventRow is the case_events row of an event, for a rowBatch.
func eventRow(e *casework.Event) ([]any, error) {
	payload, err := casework.MarshalPayload(e.Payload)
	if err != nil {
		return nil, err
	}
	return []any{e.CaseID, e.Seq, string(e.Action), e.ActorKind, nullID(e.ActorID), e.ActorName, e.ActorRole,
		e.At, string(e.From), string(e.To), e.Reason, string(payload)}, nil
}

// add appends a row of b.cols values, and sends the batch when one more
// row would not fit in a statement.
func (b *rowBatch) add(ctx context.Context, tx conn, row ...any) error {
	b.args = append(b.args, row...)
	b.n++
	if (b.n+1)*b.cols > batchParams {
		return b.flush(ctx, tx)
	}
	return nil
}

func (b *rowBatch) flush(ctx context.Context, tx conn) error {
	if b.n == 0 {
		return nil
	}
	row := "(" + placeholders(b.cols) + ")"
	values := strings.TrimSuffix(strings.Repeat(row+", ", b.n), ", ")
	_, err := tx.exec(ctx, b.insert+values, b.args...)
	b.args, b.n = b.args[:0], 0
	return err
}
