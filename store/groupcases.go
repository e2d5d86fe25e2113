package store

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// The new cases of a group commit, written together. Case by case, a new
// case costs four statements one after another (its day's number, the
// case row, its report event, its projection) and more for a contact and
// a dispatch: on PostgreSQL each a round trip, so that a batch of 30 cases
// waited for some 120 of them. Here the batch takes all its numbers in one
// statement, all its case and event ids in one more, and writes its cases,
// contacts, events and dispatches with multi-row INSERTs, each case row
// whole (no INSERT then UPDATE of its projection): a handful of statements
// whatever the batch's size. The aggregates' delta is then read and
// written once for the batch, as before.
//
// A failure of the batch's statements cannot be pinned on one member
// (a duplicate external id, say): the group is then run again case by
// case with a savepoint each (groupcommit.go), which finds the member.

// newCaseBatch collects the new cases of a group commit's members.
type newCaseBatch struct {
	cases  []*casework.Case
	events []*casework.Event
	// members are the members' own connections (their after-commit
	// lists), for the change notice of each case.
	members []conn
}

func (b *newCaseBatch) add(member conn, c *casework.Case, e *casework.Event) error {
	if c == nil || e == nil || e.Payload.Report == nil {
		return fmt.Errorf("store: a new case needs its report event")
	}
	b.cases = append(b.cases, c)
	b.events = append(b.events, e)
	b.members = append(b.members, member)
	return nil
}

// errBatchWrite marks the failure of a batch's joint write of its new
// cases: the group is to run again member by member.
var errBatchWrite = errors.New("store: the batch's new cases failed together")

// caseInsertWhole inserts a case row with its id, number and projection.
const caseInsertWhole = `INSERT INTO cases (id, number, ` + caseColumns + `) VALUES `

// eventInsertWithID inserts events with ids taken in advance.
const eventInsertWithID = `INSERT INTO case_events (id, case_id, seq, action, actor_kind, actor_id, actor_name, actor_role, at, from_status, to_status, reason, payload) VALUES `

// personInsert indexes a case's people (store/kinds.go, case_persons).
const personInsert = `INSERT INTO case_persons (person, case_id) VALUES `

const assignmentInsert = `INSERT INTO assignments (case_id, no, unit_id, dispatched_at, sign_due, signed_at, signed_on_time, returned_at, handled_at, handle_seconds) VALUES `

// write stores the collected cases in tx, in the order they were added:
// numbers within a day follow that order, as they would case by case. On
// PostgreSQL in a group commit it costs two round trips whatever the
// batch's size: the numbers and ids, then every row and the read of what
// the cases add to the aggregates (conn.run pipelines each sequence).
func (b *newCaseBatch) write(ctx context.Context, tx conn) error {
	n := len(b.cases)
	if n == 0 {
		return nil
	}
	reports := make([]*casework.Case, n)
	for i, e := range b.events {
		reports[i] = e.Payload.Report
	}
	if err := fillJurisdictions(ctx, tx, b.cases, reports); err != nil {
		return err
	}
	days := make([]string, n)
	perDay := map[string]int64{}
	for i, c := range b.cases {
		days[i] = c.ReportedAt.In(calendar.Zone()).Format("20060102")
		perDay[days[i]]++
	}
	next := map[string]int64{}
	caseIDs, eventIDs := make([]int64, 0, n), make([]int64, 0, n)
	if err := tx.run(ctx, []stmt{numbersStmt(perDay, next), idsStmt(tx.db.engine, n, &caseIDs, &eventIDs)}); err != nil {
		return err
	}
	if len(next) != len(perDay) {
		return fmt.Errorf("store: case numbers: %d days returned for %d", len(next), len(perDay))
	}
	if tx.db.engine == SQLite && len(caseIDs) == 1 {
		// One row: the highest ids given so far.
		c0, e0 := caseIDs[0], eventIDs[0]
		caseIDs, eventIDs = caseIDs[:0], eventIDs[:0]
		for i := int64(1); i <= int64(n); i++ {
			caseIDs, eventIDs = append(caseIDs, c0+i), append(eventIDs, e0+i)
		}
	}
	if len(caseIDs) != n {
		return fmt.Errorf("store: %d ids taken for %d cases", len(caseIDs), n)
	}
	caseRows := make([][]any, 0, n)
	eventRows := make([][]any, 0, n)
	var contactRows, assignRows, personRows [][]any
	for i, c := range b.cases {
		e := b.events[i]
		c.Number = fmt.Sprintf("%s-%04d", days[i], next[days[i]])
		next[days[i]]++
		c.ID, e.CaseID, e.ID = caseIDs[i], caseIDs[i], eventIDs[i]
		// The report event carries the id and number too, so that
		// replaying the events gives the stored case.
		e.Payload.Report.ID, e.Payload.Report.Number = c.ID, c.Number
		if row := tx.db.takeContact(c.ID, e); row != nil {
			contactRows = append(contactRows, row)
		}
		ev, err := eventRow(e)
		if err != nil {
			return err
		}
		eventRows = append(eventRows, append([]any{e.ID}, ev...))
		vals, err := caseValues(c)
		if err != nil {
			return err
		}
		caseRows = append(caseRows, append([]any{c.ID, c.Number}, vals...))
		if row := assignmentRow(c); row != nil {
			assignRows = append(assignRows, row)
		}
		for _, p := range casePersons(c) {
			personRows = append(personRows, []any{p, c.ID})
		}
	}
	var stmts []stmt
	for _, t := range []struct {
		insert string
		cols   int
		rows   [][]any
	}{
		{caseInsertWhole, 2 + caseColumnCount, caseRows},
		{contactInsert, contactColumns, contactRows},
		{eventInsertWithID, 1 + eventColumns, eventRows},
		{assignmentInsert, 10, assignRows},
		{personInsert, 2, personRows},
	} {
		s, err := insertStatements(t.insert, t.cols, t.rows)
		if err != nil {
			return err
		}
		stmts = append(stmts, s...)
	}
	// Each new case's change notice: on PostgreSQL a pg_notify in the
	// same sequence (sent by the server at commit); on SQLite published
	// by the member's own after-commit list.
	for i, c := range b.cases {
		if tx.db.engine == Postgres {
			stmts = append(stmts, stmt{query: notifyQuery, args: []any{TopicCases, strconv.FormatInt(c.ID, 10)}})
		} else if err := tx.db.caseChanged(ctx, b.members[i], c.ID); err != nil {
			return err
		}
	}
	// What the new cases add to the aggregates, read back in the same
	// sequence, as countNewCases reads it.
	added := make(map[int64]*aggCase, n)
	stmts = append(stmts, aggCaseReads(caseIDs, added)...)
	if err := tx.run(ctx, stmts); err != nil {
		return err
	}
	if len(added) != n {
		return fmt.Errorf("store: %d of %d new cases read back", len(added), n)
	}
	d := tx.aggregates
	if d == nil {
		d = newAggDelta()
	}
	for _, c := range added {
		d.add(c, 1)
	}
	if tx.aggregates == nil {
		return d.flush(ctx, tx)
	}
	return nil
}

// numbersStmt adds each day's count to its row of case_numbers in one
// statement (the days in order, so that concurrent writers lock the rows
// in the same order) and sets next to each day's first new number.
func numbersStmt(perDay map[string]int64, next map[string]int64) stmt {
	days := make([]string, 0, len(perDay))
	for d := range perDay {
		days = append(days, d)
	}
	sort.Strings(days)
	args := make([]any, 0, 2*len(days))
	for _, d := range days {
		args = append(args, d, perDay[d])
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(days)), ", ")
	return stmt{query: `INSERT INTO case_numbers (day, last) VALUES ` + values + `
		ON CONFLICT (day) DO UPDATE SET last = case_numbers.last + excluded.last RETURNING day, last`, args: args,
		scan: func(sc scanner) error {
			var day string
			var last int64
			if err := sc.Scan(&day, &last); err != nil {
				return err
			}
			next[day] = last - perDay[day] + 1
			return nil
		}}
}

// idsStmt takes n ids for new cases and n for their events in one
// statement: from the identity sequences on PostgreSQL (n rows); on
// SQLite, whose one write connection this transaction holds, one row: the
// highest ids ever given (AUTOINCREMENT's sqlite_sequence), after which
// the new ones follow and which the inserts then advance.
func idsStmt(engine Engine, n int, cases, events *[]int64) stmt {
	scan := func(sc scanner) error {
		var c, e int64
		if err := sc.Scan(&c, &e); err != nil {
			return err
		}
		*cases, *events = append(*cases, c), append(*events, e)
		return nil
	}
	if engine == Postgres {
		return stmt{query: `SELECT nextval(pg_get_serial_sequence('cases', 'id')), nextval(pg_get_serial_sequence('case_events', 'id'))
			FROM generate_series(1, ?)`, args: []any{n}, scan: scan}
	}
	return stmt{query: `SELECT
		MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'cases'), 0), COALESCE((SELECT MAX(id) FROM cases), 0)),
		MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'case_events'), 0), COALESCE((SELECT MAX(id) FROM case_events), 0))`,
		scan: scan}
}

// maxStatementParams bounds the parameters of one multi-row statement:
// under SQLite's 32,766 and PostgreSQL's 65,535.
const maxStatementParams = 30000

// insertStatements insert rows of cols values with multi-row INSERTs of a
// power of two rows each (256 rows: one statement; 37: 32 + 4 + 1), so
// that the statements come in a few shapes that both engines' statement
// caches keep prepared.
func insertStatements(insert string, cols int, rows [][]any) ([]stmt, error) {
	maxRows := 1 << (bits.Len(uint(maxStatementParams/cols)) - 1)
	var out []stmt
	for len(rows) > 0 {
		k := min(1<<(bits.Len(uint(len(rows)))-1), maxRows)
		args := make([]any, 0, k*cols)
		for _, r := range rows[:k] {
			if len(r) != cols {
				return nil, fmt.Errorf("store: a row of %d values for %d columns", len(r), cols)
			}
			args = append(args, r...)
		}
		row := "(" + placeholders(cols) + ")"
		out = append(out, stmt{query: insert + strings.TrimSuffix(strings.Repeat(row+", ", k), ", "), args: args})
		rows = rows[k:]
	}
	return out, nil
}
