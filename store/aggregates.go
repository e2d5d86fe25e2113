package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// The aggregates (migration 0005; by subdistrict since 0121) hold the sums the dashboards, the
// evaluation and the report ask for, by day, month and year, so that none of
// them scans a year of cases. They are kept in the transaction that
// changes a case: the case's contribution is read from its stored rows
// (the same columns the scanning queries read) before the write and
// again after it, and the difference is added. Reading the contribution
// from the rows rather than from the Go case keeps one definition of what
// a case counts as, whichever path wrote it (a report, a step, an
// intake's storm step, a bulk import, a rebuild).

// aggCase is what one case contributes to the aggregates.
type aggCase struct {
	reported                          time.Time
	channel, category, status, rating string
	community, grid, unit             int64
	jurisdiction                      int64
	accepted                          *time.Time
	closedOnTime                      bool
	handledCount, reworkCount         int
	dispatches                        []aggDispatch
}

// aggDispatch is one row of assignments as the evaluation counts it.
type aggDispatch struct {
	unit                     int64
	dispatched               time.Time
	signDue, signed, handled *time.Time
	signedOnTime             bool
}

// The keys and sums of the three tables.
type (
	countKey struct {
		grain, day                  string
		scopeUnit                   int64
		channel, major              string
		community                   int64
		dispatched, signed, handled int
		rating                      string
		jurisdiction                int64
	}
	evalCaseKey struct {
		grain, day                          string
		community, grid, unit, jurisdiction int64
	}
	evalDispatchKey struct {
		grain, day                                   string
		unit, community, grid, dueHour, jurisdiction int64
	}
	// filed, closed, closed_on_time, handled, reworked, rated, satisfied
	evalCaseSums [7]int64
	// dispatches, signed_on_time, handled, handle_us
	evalDispatchSums [4]int64
)

// aggTable names a table's key and sum columns, in the order of its
// key's fields and sums.
type aggTable struct {
	name       string
	keys, sums []string
}

var (
	countsTable = aggTable{"agg_counts",
		[]string{"grain", "day", "scope_unit", "channel", "major", "community_id", "dispatched", "signed", "handled", "rating", "jurisdiction_id"},
		[]string{"n"}}
	evalCasesTable = aggTable{"agg_eval_cases",
		[]string{"grain", "day", "community_id", "grid_id", "unit_id", "jurisdiction_id"},
		[]string{"filed", "closed", "closed_on_time", "handled", "reworked", "rated", "satisfied"}}
	evalDispatchesTable = aggTable{"agg_eval_dispatches",
		[]string{"grain", "day", "unit_id", "community_id", "grid_id", "due_hour", "jurisdiction_id"},
		[]string{"dispatches", "signed_on_time", "handled", "handle_us"}}
)

// aggDelta is what a write adds to the aggregates, summed in memory so
// that a bulk load writes each row once.
type aggDelta struct {
	counts     map[countKey]int64
	cases      map[evalCaseKey]evalCaseSums
	dispatches map[evalDispatchKey]evalDispatchSums
}

func newAggDelta() *aggDelta {
	return &aggDelta{counts: map[countKey]int64{}, cases: map[evalCaseKey]evalCaseSums{}, dispatches: map[evalDispatchKey]evalDispatchSums{}}
}

// grains are the day's, the month's and the year's rows a time counts in.
func grains(t time.Time) [3][2]string {
	t = t.In(calendar.Zone())
	return [3][2]string{{"d", t.Format(time.DateOnly)}, {"m", t.Format("2006-01") + "-01"}, {"y", t.Format("2006") + "-01-01"}}
}

// unixHour is the hour an unsigned dispatch's sign deadline falls in.
// Zero is kept for the signed dispatches, which count at any time.
func unixHour(t time.Time) int64 { return t.Unix() / 3600 }

// majorClass is a category's major class, as CountByMajor keys it: its
// first two characters.
func majorClass(category string) string {
	r := []rune(category)
	return string(r[:min(2, len(r))])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// add adds the case's contribution times sign (+1 or -1).
func (d *aggDelta) add(c *aggCase, sign int64) {
	dispatched, signed := len(c.dispatches) > 0, false
	// A unit's staff see the cases now with the unit or ever dispatched
	// to it (the scanning path's scope), each once.
	scopes := []int64{0}
	if c.unit != 0 {
		scopes = append(scopes, c.unit)
	}
	for _, a := range c.dispatches {
		signed = signed || a.signed != nil
		if !slices.Contains(scopes, a.unit) {
			scopes = append(scopes, a.unit)
		}
	}
	handled := c.handledCount > 0
	for _, g := range grains(c.reported) {
		for _, su := range scopes {
			d.counts[countKey{g[0], g[1], su, c.channel, majorClass(c.category), c.community,
				b2i(dispatched), b2i(signed), b2i(handled), c.rating, c.jurisdiction}] += sign
		}
	}
	filed := c.accepted != nil && c.status != string(casework.StatusVoided) && c.status != string(casework.StatusMerged)
	if filed {
		closed := c.status == string(casework.StatusClosed)
		v := evalCaseSums{1, int64(b2i(closed)), int64(b2i(closed && c.closedOnTime)), int64(b2i(handled)),
			int64(b2i(handled && c.reworkCount > 0)), int64(b2i(c.rating != "")),
			int64(b2i(c.rating == string(casework.RatingSatisfied) || c.rating == string(casework.RatingBasic)))}
		for _, g := range grains(*c.accepted) {
			k := evalCaseKey{g[0], g[1], c.community, c.grid, c.unit, c.jurisdiction}
			s := d.cases[k]
			for i := range v {
				s[i] += sign * v[i]
			}
			d.cases[k] = s
		}
	}
	for _, a := range c.dispatches {
		var hour int64
		if a.signed == nil {
			if a.signDue == nil {
				continue // never counts: no deadline to pass
			}
			hour = unixHour(*a.signDue)
		}
		v := evalDispatchSums{1, int64(b2i(a.signedOnTime)), int64(b2i(a.handled != nil)), 0}
		if a.handled != nil && a.signed != nil {
			v[3] = a.handled.Sub(*a.signed).Microseconds()
		}
		for _, g := range grains(a.dispatched) {
			k := evalDispatchKey{g[0], g[1], a.unit, c.community, c.grid, hour, c.jurisdiction}
			s := d.dispatches[k]
			for i := range v {
				s[i] += sign * v[i]
			}
			d.dispatches[k] = s
		}
	}
}

// merge adds another delta to d.
func (d *aggDelta) merge(o *aggDelta) {
	for k, n := range o.counts {
		d.counts[k] += n
	}
	for k, v := range o.cases {
		s := d.cases[k]
		for i := range v {
			s[i] += v[i]
		}
		d.cases[k] = s
	}
	for k, v := range o.dispatches {
		s := d.dispatches[k]
		for i := range v {
			s[i] += v[i]
		}
		d.dispatches[k] = s
	}
}

// addCases reads the stored contribution of the cases and adds it times sign.
func (d *aggDelta) addCases(ctx context.Context, tx conn, ids []int64, sign int64) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		cases, err := readAggCases(ctx, tx, ids[:n])
		if err != nil {
			return err
		}
		for _, c := range cases {
			d.add(c, sign)
		}
		ids = ids[n:]
	}
	return nil
}

// readAggCases reads the contribution of the cases from their rows.
func readAggCases(ctx context.Context, tx conn, ids []int64) (map[int64]*aggCase, error) {
	out := make(map[int64]*aggCase, len(ids))
	if err := tx.run(ctx, aggCaseReads(ids, out)); err != nil {
		return nil, err
	}
	return out, nil
}

// aggCaseReads are readAggCases' two queries, which fill out.
func aggCaseReads(ids []int64, out map[int64]*aggCase) []stmt {
	in := "(" + placeholders(len(ids)) + ")"
	args := int64sToAny(ids)
	return []stmt{{query: `SELECT id, reported_at, channel, category, status, rating, COALESCE(community_id, 0), COALESCE(grid_id, 0),
		COALESCE(unit_id, 0), accepted_at, closed_on_time, handled_count, rework_count, jurisdiction_id FROM cases WHERE id IN ` + in, args: args,
		scan: func(sc scanner) error {
			c := &aggCase{}
			var id int64
			var reported, accepted nullTime
			var onTime sql.NullBool
			if err := sc.Scan(&id, &reported, &c.channel, &c.category, &c.status, &c.rating, &c.community, &c.grid,
				&c.unit, &accepted, &onTime, &c.handledCount, &c.reworkCount, &c.jurisdiction); err != nil {
				return err
			}
			c.reported, c.accepted, c.closedOnTime = reported.Time, accepted.ptr(), onTime.Valid && onTime.Bool
			out[id] = c
			return nil
		}},
		{query: `SELECT case_id, unit_id, dispatched_at, sign_due, signed_at, signed_on_time, handled_at
		FROM assignments WHERE case_id IN ` + in + ` ORDER BY case_id, no`, args: args,
			scan: func(sc scanner) error {
				var id int64
				var a aggDispatch
				var dispatched, signDue, signed, handled nullTime
				var onTime sql.NullBool
				if err := sc.Scan(&id, &a.unit, &dispatched, &signDue, &signed, &onTime, &handled); err != nil {
					return err
				}
				a.dispatched, a.signDue, a.signed, a.handled = dispatched.Time, signDue.ptr(), signed.ptr(), handled.ptr()
				a.signedOnTime = onTime.Valid && onTime.Bool
				if c := out[id]; c != nil {
					c.dispatches = append(c.dispatches, a)
				}
				return nil
			}}}
}

// keepAggregates runs write, which changes the case, and adds the change
// of the case's contribution to the aggregates, in the caller's
// transaction.
func keepAggregates(ctx context.Context, tx conn, caseID int64, write func() error) error {
	d := newAggDelta()
	if err := d.addCases(ctx, tx, []int64{caseID}, -1); err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if err := d.addCases(ctx, tx, []int64{caseID}, 1); err != nil {
		return err
	}
	return d.flush(ctx, tx)
}

// countNewCases adds the contribution of cases written in the caller's
// transaction that did not exist before it. In a group commit it is
// collected, for the batch to write in one sorted pass (see runGroup).
func countNewCases(ctx context.Context, tx conn, ids []int64) error {
	if tx.aggregates != nil {
		return tx.aggregates.addCases(ctx, tx, ids, 1)
	}
	d := newAggDelta()
	if err := d.addCases(ctx, tx, ids, 1); err != nil {
		return err
	}
	return d.flush(ctx, tx)
}

// flush writes the delta. Rows are written in key order, so that two
// transactions adding to the same rows lock them in the same order and
// never deadlock (PostgreSQL).
func (d *aggDelta) flush(ctx context.Context, tx conn) error {
	var counts, cases, disps [][]any
	for k, n := range d.counts {
		if n != 0 {
			counts = append(counts, []any{k.grain, k.day, k.scopeUnit, k.channel, k.major, k.community, k.dispatched, k.signed, k.handled, k.rating, k.jurisdiction, n})
		}
	}
	for k, s := range d.cases {
		if s != (evalCaseSums{}) {
			cases = append(cases, append([]any{k.grain, k.day, k.community, k.grid, k.unit, k.jurisdiction}, sumsToAny(s[:])...))
		}
	}
	for k, s := range d.dispatches {
		if s != (evalDispatchSums{}) {
			disps = append(disps, append([]any{k.grain, k.day, k.unit, k.community, k.grid, k.dueHour, k.jurisdiction}, sumsToAny(s[:])...))
		}
	}
	var stmts []stmt
	for _, t := range []struct {
		table aggTable
		rows  [][]any
	}{{countsTable, counts}, {evalCasesTable, cases}, {evalDispatchesTable, disps}} {
		stmts = append(stmts, sumStatements(t.table, t.rows)...)
	}
	if err := tx.run(ctx, stmts); err != nil {
		return fmt.Errorf("store: aggregates: %w", err)
	}
	return nil
}

func sumsToAny(s []int64) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// compareKeys orders rows by their key columns.
func compareKeys(nkeys int) func(a, b []any) int {
	return func(a, b []any) int {
		for i := range nkeys {
			var c int
			switch x := a[i].(type) {
			case string:
				c = strings.Compare(x, b[i].(string))
			case int64:
				c = cmpInt(x, b[i].(int64))
			case int:
				c = cmpInt(int64(x), int64(b[i].(int)))
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sumStatements add the rows' sums to the table, many rows a statement.
func sumStatements(t aggTable, rows [][]any) []stmt {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, compareKeys(len(t.keys)))
	cols := len(t.keys) + len(t.sums)
	perStatement := 2000 / cols
	set := make([]string, len(t.sums))
	for i, s := range t.sums {
		set[i] = fmt.Sprintf("%s = %s.%s + excluded.%s", s, t.name, s, s)
	}
	head := `INSERT INTO ` + t.name + ` (` + strings.Join(t.keys, ", ") + `, ` + strings.Join(t.sums, ", ") + `) VALUES `
	tail := ` ON CONFLICT (` + strings.Join(t.keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
	row := "(" + placeholders(cols) + ")"
	var out []stmt
	for len(rows) > 0 {
		n := min(len(rows), perStatement)
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		out = append(out, stmt{query: head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail, args: args})
		rows = rows[n:]
	}
	return out
}

// rebuildAggregates empties the aggregates and counts every case again,
// in the caller's transaction: the backfill of migration 0005 and the
// repair `jiedao aggregates rebuild`.
func rebuildAggregates(ctx context.Context, tx conn) error {
	for _, t := range []aggTable{countsTable, evalCasesTable, evalDispatchesTable} {
		if _, err := tx.exec(ctx, `DELETE FROM `+t.name); err != nil {
			return err
		}
	}
	d := newAggDelta()
	var last int64
	for {
		rows, err := tx.query(ctx, `SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT 2000`, last)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return d.flush(ctx, tx)
		}
		if err := d.addCases(ctx, tx, ids, 1); err != nil {
			return err
		}
		last = ids[len(ids)-1]
	}
}

// RebuildAggregates recounts the aggregates from the cases, in one
// transaction: a repair for a database whose aggregates were changed by
// hand or by a tool that wrote cases without the store.
func (db *DB) RebuildAggregates(ctx context.Context) error {
	return db.inTx(ctx, func(tx conn) error { return rebuildAggregates(ctx, tx) })
}
