package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// Answering from the aggregates (aggregates.go). A query is answered from
// them when every condition it has is one of their columns and its period
// is whole days in China Standard Time; otherwise the scanning query runs.
// What they cannot answer, and so scans:
//   - a period that starts or ends inside a day (the rows are days);
//   - case counts filtered by status, current unit, number, words, due
//     state (it changes with the clock, not with the case), changed-since,
//     grid or minor class;
//   - the cases of a grid worker's grids or of a machine client.
// The evaluation, the report's figures and the dashboards' counts of the
// roles that see them ask none of these.

// ScanOnly returns the store counting every figure from the cases, never
// from the aggregates: the reference that tests and benchmarks compare
// the aggregates with.
func (s *Cases) ScanOnly() *Cases { return &Cases{db: s.db, scanOnly: true} }

func addCaseCounts(x *casework.EvalCounts, e casework.EvalCounts) {
	x.Filed += e.Filed
	x.Closed += e.Closed
	x.ClosedOnTime += e.ClosedOnTime
	x.Handled += e.Handled
	x.Reworked += e.Reworked
	x.Rated += e.Rated
	x.Satisfied += e.Satisfied
}

func addDispatchCounts(x *casework.EvalCounts, e casework.EvalCounts) {
	x.Dispatches += e.Dispatches
	x.SignedOnTime += e.SignedOnTime
	x.HandledDisp += e.HandledDisp
	x.HandleSeconds += e.HandleSeconds
}

// aggRange is a range of the rows of one grain: days [from, to).
type aggRange struct{ grain, from, to string }

// aggPeriod returns the ranges of rows that cover [from, to): its whole
// years from the year rows, the whole months around them from the month
// rows, the days around those from the day rows, so that a year is one
// row per key. ok is false when a bound is not a midnight in China
// Standard Time. A zero bound is open.
func aggPeriod(from, to time.Time) (ranges []aggRange, ok bool) {
	z := calendar.Zone()
	midnight := func(t time.Time) bool {
		t = t.In(z)
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	if from.IsZero() {
		from = time.Date(1, 1, 1, 0, 0, 0, 0, z)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, z)
	}
	if !midnight(from) || !midnight(to) {
		return nil, false
	}
	from, to = from.In(z), to.In(z)
	if !from.Before(to) {
		return nil, true
	}
	y1 := time.Date(from.Year(), 1, 1, 0, 0, 0, 0, z)
	if y1.Before(from) {
		y1 = y1.AddDate(1, 0, 0)
	}
	y2 := time.Date(to.Year(), 1, 1, 0, 0, 0, 0, z)
	if !y1.Before(y2) {
		return monthsAndDays(from, to), true
	}
	ranges = monthsAndDays(from, y1)
	ranges = append(ranges, aggRange{"y", y1.Format(time.DateOnly), y2.Format(time.DateOnly)})
	return append(ranges, monthsAndDays(y2, to)...), true
}

// monthsAndDays covers [from, to), two midnights, with month rows and
// day rows.
func monthsAndDays(from, to time.Time) (ranges []aggRange) {
	if !from.Before(to) {
		return nil
	}
	z := calendar.Zone()
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	m1 := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, z)
	if m1.Before(from) {
		m1 = m1.AddDate(0, 1, 0)
	}
	m2 := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, z)
	if !m1.Before(m2) {
		return []aggRange{{"d", day(from), day(to)}}
	}
	if from.Before(m1) {
		ranges = append(ranges, aggRange{"d", day(from), day(m1)})
	}
	ranges = append(ranges, aggRange{"m", day(m1), day(m2)})
	if m2.Before(to) {
		ranges = append(ranges, aggRange{"d", day(m2), day(to)})
	}
	return ranges
}

// periodCond is the condition selecting the ranges' rows: one term per
// range, each a range of the table's primary key (grain, then the
// columns fixed by prefix, then day), so that every engine reads only
// those rows. An empty period selects nothing.
func periodCond(ranges []aggRange, prefix string, prefixArgs ...any) (string, []any) {
	if len(ranges) == 0 {
		return "1 = 0", nil
	}
	var terms []string
	var args []any
	for _, r := range ranges {
		terms = append(terms, "(grain = ?"+prefix+" AND day >= ? AND day < ?)")
		args = append(append(append(args, r.grain), prefixArgs...), r.from, r.to)
	}
	return "(" + strings.Join(terms, " OR ") + ")", args
}

// sum is a column's sum as a BIGINT on both engines (PostgreSQL sums a
// BIGINT to a NUMERIC).
func sum(col string) string { return "CAST(SUM(" + col + ") AS BIGINT)" }

// evaluateAggregates sums the evaluation of a period of whole days. The
// dispatches of every hour before Now's come from the aggregates; the
// unsigned dispatches whose sign deadline falls in Now's own hour, up to
// Now, from assignments (evalDueThisHour), so that the figure is exact at
// any moment.
func (s *Cases) evaluateAggregates(ctx context.Context, q casework.EvalQuery, ranges []aggRange, rows evalRows) error {
	key, group := "0", " HAVING COUNT(*) > 0"
	switch q.GroupBy {
	case casework.ByCommunity:
		key = "community_id"
	case casework.ByGrid:
		key = "grid_id"
	case casework.ByUnit:
		key = "unit_id"
	}
	if key != "0" {
		group = " GROUP BY " + key
	}
	period, args := periodCond(ranges, "")
	if q.Jurisdiction != 0 {
		period, args = period+" AND jurisdiction_id = ?", append(args, q.Jurisdiction)
	}
	r := s.db.reader()
	cr, err := r.query(ctx, `SELECT `+key+`, `+sum("filed")+`, `+sum("closed")+`, `+sum("closed_on_time")+`, `+sum("handled")+`, `+
		sum("reworked")+`, `+sum("rated")+`, `+sum("satisfied")+` FROM agg_eval_cases WHERE `+period+group, args...)
	if err != nil {
		return err
	}
	for cr.Next() {
		var k int64
		var e casework.EvalCounts
		if err := cr.Scan(&k, &e.Filed, &e.Closed, &e.ClosedOnTime, &e.Handled, &e.Reworked, &e.Rated, &e.Satisfied); err != nil {
			cr.Close()
			return err
		}
		addCaseCounts(rows.row(k), e)
	}
	cr.Close()
	if err := cr.Err(); err != nil {
		return err
	}
	hour := unixHour(q.Now)
	dr, err := r.query(ctx, `SELECT `+key+`, `+sum("dispatches")+`, `+sum("signed_on_time")+`, `+sum("handled")+`, `+sum("handle_us")+`
		FROM agg_eval_dispatches WHERE `+period+` AND (due_hour = 0 OR due_hour < ?)`+group, append(args, hour)...)
	if err != nil {
		return err
	}
	for dr.Next() {
		var k, us int64
		var e casework.EvalCounts
		if err := dr.Scan(&k, &e.Dispatches, &e.SignedOnTime, &e.HandledDisp, &us); err != nil {
			dr.Close()
			return err
		}
		e.HandleSeconds = float64(us) / 1e6
		addDispatchCounts(rows.row(k), e)
	}
	dr.Close()
	if err := dr.Err(); err != nil {
		return err
	}
	return s.evalDueThisHour(ctx, q, time.Unix(hour*3600, 0), rows)
}

// evalDueThisHour adds the unsigned dispatches of the period whose sign
// deadline is in [hourStart, Now]: they count now, and the aggregates
// count them only once their hour is over. The query names only the
// deadline, so that it reads the partial index of the unsigned ones' and
// never a range of dispatch times; the period is checked here.
func (s *Cases) evalDueThisHour(ctx context.Context, q casework.EvalQuery, hourStart time.Time, rows evalRows) error {
	dr, err := s.db.reader().query(ctx, `SELECT a.unit_id, COALESCE(c.community_id, 0), COALESCE(c.grid_id, 0), a.dispatched_at,
		a.signed_on_time, a.handled_at, a.handle_seconds, c.jurisdiction_id
		FROM assignments a JOIN cases c ON c.id = a.case_id
		WHERE a.signed_at IS NULL AND a.sign_due >= ? AND a.sign_due <= ?`, hourStart, q.Now)
	if err != nil {
		return err
	}
	defer dr.Close()
	for dr.Next() {
		var unit, community, grid, jurisdiction int64
		var dispatched, handled nullTime
		var onTime sql.NullBool
		var seconds sql.NullFloat64
		if err := dr.Scan(&unit, &community, &grid, &dispatched, &onTime, &handled, &seconds, &jurisdiction); err != nil {
			return err
		}
		if dispatched.Time.Before(q.From) || !dispatched.Time.Before(q.To) || (q.Jurisdiction != 0 && jurisdiction != q.Jurisdiction) {
			continue
		}
		var k int64
		switch q.GroupBy {
		case casework.ByCommunity:
			k = community
		case casework.ByGrid:
			k = grid
		case casework.ByUnit:
			k = unit
		}
		x := rows.row(k)
		x.Dispatches++
		if onTime.Valid && onTime.Bool {
			x.SignedOnTime++
		}
		if handled.Valid {
			x.HandledDisp++
		}
		x.HandleSeconds += seconds.Float64
	}
	return dr.Err()
}

// aggCountWhere returns the condition on agg_counts that selects the
// cases of the filter, or ok false when the aggregates cannot answer it.
// Besides the conditions listed at the top of this file, agg_counts has
// no grid and no minor class: a grid worker's scope, a grid and a minor
// class are counted from the cases (a few grids' cases, by their index).
func aggCountWhere(f casework.Filter) (cond string, args []any, ok bool) {
	ranges, ok := aggPeriod(f.From, f.To)
	if !ok {
		return "", nil, false
	}
	return aggCountWhereIn(f, ranges)
}

// aggCountWhereIn is aggCountWhere over the given ranges of rows instead
// of the filter's period (which they must lie within).
func aggCountWhereIn(f casework.Filter, ranges []aggRange) (cond string, args []any, ok bool) {
	if len(f.Statuses) > 0 || f.UnitID != 0 || f.Number != "" || f.SelfHandled || strings.TrimSpace(f.Query) != "" || f.Due != "" ||
		!f.UpdatedSince.IsZero() || f.GridID != 0 || (f.Category != "" && utf8.RuneCountInString(f.Category) != 2) ||
		f.Kind != "" || len(f.KindTags) > 0 || f.Person != "" || f.Scope.Kind != "" {
		return "", nil, false
	}
	var conds []string
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	inPeriod := func(scopeUnit int64) {
		cond, a := periodCond(ranges, " AND scope_unit = ?", scopeUnit)
		add(cond, a...)
	}
	sc := f.Scope
	switch {
	case sc.None:
		return "1 = 0", nil, true
	case sc.All:
		inPeriod(0)
	case sc.UnitID != 0:
		inPeriod(sc.UnitID)
	case len(sc.GridIDs) > 0, sc.ReporterID != 0, sc.ClientID != 0:
		return "", nil, false
	case sc.CommunityID != 0:
		inPeriod(0)
		add("community_id = ?", sc.CommunityID)
	default:
		return "1 = 0", nil, true
	}
	if f.Jurisdiction != 0 {
		add("jurisdiction_id = ?", f.Jurisdiction)
	}
	if f.Channel != "" {
		add("channel = ?", string(f.Channel))
	}
	if f.Category != "" {
		add("major = ?", f.Category)
	}
	if f.CommunityID != 0 {
		add("community_id = ?", f.CommunityID)
	}
	if f.Dispatched {
		add("dispatched = 1")
	}
	if f.Signed {
		add("signed = 1")
	}
	if f.Handled {
		add("handled = 1")
	}
	if f.Rated {
		add("rating <> ''")
	}
	if len(f.Ratings) > 0 {
		rs := make([]any, len(f.Ratings))
		for i, r := range f.Ratings {
			rs[i] = string(r)
		}
		add("rating IN ("+placeholders(len(rs))+")", rs...)
	}
	return strings.Join(conds, " AND "), args, true
}

// countAggregates counts the cases of the filter from the aggregates; ok
// is false when they cannot answer it.
func (s *Cases) countAggregates(ctx context.Context, f casework.Filter) (n int, ok bool, err error) {
	if s.scanOnly {
		return 0, false, nil
	}
	cond, args, ok := aggCountWhere(f)
	if !ok {
		return 0, false, nil
	}
	err = s.db.reader().queryRow(ctx, `SELECT COALESCE(`+sum("n")+`, 0) FROM agg_counts WHERE `+cond, args...).Scan(&n)
	return n, true, mapError(err)
}

// countByAggregates is CountCasesBy from the aggregates; ok is false when
// they cannot answer the filter.
func (s *Cases) countByAggregates(ctx context.Context, f casework.Filter, by casework.CountKey) (out map[string]int, ok bool, err error) {
	if s.scanOnly {
		return nil, false, nil
	}
	cond, args, ok := aggCountWhere(f)
	if !ok {
		return nil, false, nil
	}
	var key string
	switch by {
	case casework.CountByChannel:
		key = "channel"
	case casework.CountByCommunity:
		key = "CAST(community_id AS TEXT)"
	case casework.CountByMajor:
		key = "major"
	default:
		return nil, false, nil
	}
	rows, err := s.db.reader().query(ctx, `SELECT `+key+`, `+sum("n")+` FROM agg_counts WHERE `+cond+` GROUP BY `+key+` HAVING SUM(n) > 0`, args...)
	if err != nil {
		return nil, true, err
	}
	defer rows.Close()
	out = map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, true, err
		}
		out[k] = n
	}
	return out, true, rows.Err()
}
