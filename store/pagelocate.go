package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// Locating a numbered page in a list sorted by the reported time.
//
// A page read by OFFSET costs every row before it: the middle of a
// district's year (page 7,155 of 14,310) read 357,000 rows, about a
// second, and a city-year's ten times that. The aggregates already count
// the list's cases by year, month and day (agg_counts, kept with every
// write), so the page's first row is found there instead: the years'
// counts say which year it falls in, that year's months which month, that
// month's days which day. The list is then read from that day's edge with
// an OFFSET of less than one day's cases. This applies whenever the
// aggregates can count the filter (aggCountWhere) and the list is in
// reported order; other sorts and filters keep the OFFSET, read from the
// list's nearer end.

// defaultLocateFrom is the OFFSET from which a page is located in the
// aggregates: below it, reading the rows costs less than the three small
// queries that locate them.
const defaultLocateFrom = 5000

// SetPageLocateFrom sets the OFFSET from which a numbered page of a list
// in reported order is located through the aggregates (defaultLocateFrom
// when n is 0). Tests set it low to page a small list that way.
func (db *DB) SetPageLocateFrom(n int) { db.locateFrom.Store(int64(n)) }

func (db *DB) pageLocateFrom() int {
	if n := db.locateFrom.Load(); n > 0 {
		return int(n)
	}
	return defaultLocateFrom
}

// pageEdge is where a located page starts: the list is read from the
// edge of one day (before its end when newest first, from its start when
// oldest first), skipping skip rows of it.
type pageEdge struct {
	cond string
	at   time.Time
	skip int
}

// locatePage finds where the row at offset of f's list (in reported
// order, ascending when asc) lies, from the aggregates' counts; ok is
// false when they cannot count f or the offset is past the list.
func (s *Cases) locatePage(ctx context.Context, f casework.Filter, offset int, asc bool) (edge pageEdge, ok bool, err error) {
	if s.scanOnly {
		return pageEdge{}, false, nil
	}
	ranges, ok := aggPeriod(f.From, f.To)
	if !ok || len(ranges) == 0 {
		return pageEdge{}, false, nil
	}
	z := calendar.Zone()
	// Three levels at most: the period's year, month and day rows, then
	// the months of the year found, then the days of the month found.
	for range 3 {
		cond, args, ok := aggCountWhereIn(f, ranges)
		if !ok {
			return pageEdge{}, false, nil
		}
		rows, err := s.db.reader().query(ctx, `SELECT grain, day, `+sum("n")+` FROM agg_counts WHERE `+cond+` GROUP BY grain, day HAVING SUM(n) > 0`, args...)
		if err != nil {
			return pageEdge{}, false, err
		}
		type block struct {
			grain, day string
			n          int
		}
		var blocks []block
		for rows.Next() {
			var b block
			if err := rows.Scan(&b.grain, &b.day, &b.n); err != nil {
				rows.Close()
				return pageEdge{}, false, err
			}
			blocks = append(blocks, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return pageEdge{}, false, err
		}
		// The blocks are disjoint (aggPeriod's ranges), so the day they
		// start on orders them.
		slices.SortFunc(blocks, func(a, b block) int {
			if asc {
				return strings.Compare(a.day, b.day)
			}
			return strings.Compare(b.day, a.day)
		})
		var found *block
		for i := range blocks {
			if offset < blocks[i].n {
				found = &blocks[i]
				break
			}
			offset -= blocks[i].n
		}
		if found == nil {
			return pageEdge{}, false, nil
		}
		start, err := time.ParseInLocation(time.DateOnly, found.day, z)
		if err != nil {
			return pageEdge{}, false, err
		}
		switch found.grain {
		case "y":
			ranges = []aggRange{{"m", found.day, start.AddDate(1, 0, 0).Format(time.DateOnly)}}
		case "m":
			ranges = []aggRange{{"d", found.day, start.AddDate(0, 1, 0).Format(time.DateOnly)}}
		default:
			if asc {
				return pageEdge{cond: "c.reported_at >= ?", at: start, skip: offset}, true, nil
			}
			return pageEdge{cond: "c.reported_at < ?", at: start.AddDate(0, 0, 1), skip: offset}, true, nil
		}
	}
	return pageEdge{}, false, nil
}
