package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jiedao/jiedao/casework"
)

// The case list's text search (casework.Filter.Query) reads its
// candidates from an index of character bigrams, not a LIKE over every
// case (migration 0138; docs/architecture.md, "The text search index").
//
// Each case's number, title, details and address give the index the
// distinct pairs of adjacent characters they hold, case-folded; a query of
// n ≥ 2 characters is the AND of its own pairs: every case whose text
// holds the query holds all of them, so the index's answer is a superset
// of the true matches. The LIKE the search always had is kept on those
// candidates, which makes the answer exact: a case whose tokens are stale
// (changed since it was indexed) costs a rejected candidate, never a wrong
// row. Each field's last character is also paired with fieldEnd, so that
// every character a case holds begins one of its tokens: a query of one
// character reads the tokens it begins (a prefix), once every case has
// its field ends (meta's search_tokens: an index built before them is
// retokenized by the job, while it keeps answering longer queries).
//
// The index is written by the search job (IndexSearch), never by the
// steps that change a case: it reads the cases of the case events after
// its watermark, meta's search_through, and (re)places their tokens. Every
// write of a case's row is a step that writes a case event (the report;
// every later step rewrites the projection, though none changes the text
// today: a merge or a void does not; an intake's storm update), so the
// cases of the events after the watermark are the only ones whose tokens
// may be missing or stale; a search takes them from the events' primary
// key and checks them with the LIKE alone. Anonymisation erases contacts
// (case_contacts), which are not searched. A tool that rewrites case text
// without an event must rebuild the index (delete meta's search_through).

// Meta keys of the search index.
const (
	// metaSearchThrough is the watermark: every case with an event of
	// id ≤ it has its text of that event (or later) in the index. 0
	// while the index is not built: searches scan.
	metaSearchThrough = "search_through"
	// metaSearchBuildEvents is, while the first build runs, the last
	// event id when it began (the watermark it leads to); metaSearchBuildCase
	// the last case id it indexed, so that a build cut short resumes.
	metaSearchBuildEvents = "search_build_events"
	metaSearchBuildCase   = "search_build_case"
	// metaSearchTokens is the version of the tokens every indexed case
	// has: searchTokensVersion once they all have their field ends.
	metaSearchTokens = "search_tokens"
)

// searchTokensVersion is the tokens' version: 2 with field ends (an index
// built before them has none: version 0).
const searchTokensVersion = 2

// searchBatch is how many cases one transaction of the search job
// (re)indexes; searchEventBatch how many events one catch-up batch reads.
const (
	searchBatch      = 2000
	searchEventBatch = 20000
)

// searchQueryTokens bounds the bigrams a query is looked up by: a long
// query's first ones and last ones narrow enough, and the LIKE is exact.
const searchQueryTokens = 8

// searchSettleWait bounds how long a run of the search job waits, on
// PostgreSQL, for the transactions that were writing when it read the
// last event id (see settle).
const searchSettleWait = 10 * time.Second

// searchFold maps a character to one representative of its case
// variants, Latin letters to their lower case: the same whichever of
// them the text or the query has, and whatever LOWER the engine applies
// (SQLite's lowers ASCII only, PostgreSQL's follows the locale).
func searchFold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= 0x3000 && r < 0xA640, r >= 0xAC00 && r < 0xD7A4:
		// CJK, kana and Hangul have no case: the common path.
		return r
	}
	r = unicode.ToLower(r)
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if 'A' <= least && least <= 'Z' {
		least += 'a' - 'A'
	}
	return least
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// fieldEnd is the second character of a field's last pair: a rune no
// text holds (NUL; were one there, the token would only add a candidate).
const fieldEnd rune = 0

// appendBigram appends the token of the pair (a, b): each code point in
// four base-36 digits (36⁴ > 0x10FFFF), eight characters of [0-9a-z] that
// every tokenizer keeps whole.
func appendBigram(buf []byte, a, b rune) []byte {
	for _, r := range [2]rune{a, b} {
		v := uint32(r)
		buf = append(buf, base36[v/46656%36], base36[v/1296%36], base36[v/36%36], base36[v%36])
	}
	return buf
}

// searchTokenizer makes a case's tokens, reusing its buffers.
type searchTokenizer struct {
	seen  map[[2]rune]struct{}
	runes []rune
	buf   []byte
}

// tokens returns the distinct bigram tokens of the fields, space-separated.
func (t *searchTokenizer) tokens(fields ...string) string {
	if t.seen == nil {
		t.seen = map[[2]rune]struct{}{}
	}
	clear(t.seen)
	t.buf = t.buf[:0]
	for _, f := range fields {
		t.runes = t.runes[:0]
		for _, r := range f {
			t.runes = append(t.runes, searchFold(r))
		}
		if len(t.runes) > 0 {
			t.runes = append(t.runes, fieldEnd)
		}
		for i := 1; i < len(t.runes); i++ {
			p := [2]rune{t.runes[i-1], t.runes[i]}
			if _, ok := t.seen[p]; ok {
				continue
			}
			t.seen[p] = struct{}{}
			if len(t.buf) > 0 {
				t.buf = append(t.buf, ' ')
			}
			t.buf = appendBigram(t.buf, p[0], p[1])
		}
	}
	return string(t.buf)
}

// queryTokens are the tokens a query is looked up by: its distinct
// bigrams, at most searchQueryTokens of them (the first and the last); for
// a query of one character, its half of a token, looked up as a prefix
// (prefix true); none for an empty query.
func queryTokens(q string) (tokens []string, prefix bool) {
	var runes []rune
	for _, r := range q {
		runes = append(runes, searchFold(r))
	}
	if len(runes) == 1 {
		return []string{string(appendBigram(nil, runes[0], fieldEnd)[:4])}, true
	}
	var out []string
	seen := map[[2]rune]bool{}
	for i := 1; i < len(runes); i++ {
		p := [2]rune{runes[i-1], runes[i]}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, string(appendBigram(nil, p[0], p[1])))
	}
	if len(out) > searchQueryTokens {
		half := searchQueryTokens / 2
		out = append(out[:half], out[len(out)-(searchQueryTokens-half):]...)
	}
	return out, false
}

// searchQuery is what a text search reads the index by.
type searchQuery struct {
	engine  Engine
	through int64    // the watermark; 0: no index yet
	tokens  []string // the query's bigram tokens
	prefix  bool     // tokens is one character's half of a token, a prefix
	// probe asks SQLite to read the list in its order from the order's
	// index and probe the candidates (a common word: its first page is
	// in the first rows), not to read every candidate and sort them (a
	// rare word: fewer rows than the index's).
	probe bool // SQLite only
	// joined leaves the candidates out of the WHERE clause: the query
	// joins them from source.
	joined bool
}

// searchScanFirst is how long a common word's page is looked for by the
// LIKE alone before the candidates are probed (Cases.ListCases).
var searchScanFirst = 25 * time.Millisecond

// source is the candidates as a table sc(id), each case once, for a
// query that reads them one after another. On SQLite the LIMIT -1 keeps
// the recent events read by their key: a DISTINCT straight on them had
// SQLite scan an index of every event.
func (q *searchQuery) source() (string, []any) {
	if q.engine == Postgres {
		return `(SELECT s.case_id AS id FROM case_search s WHERE s.tokens @@ CAST(? AS tsquery)
				AND s.case_id NOT IN (SELECT e.case_id FROM case_events e WHERE e.id > ?)
			UNION ALL SELECT DISTINCT e.case_id FROM case_events e WHERE e.id > ?) sc`,
			[]any{q.tsquery(), q.through, q.through}
	}
	return `(SELECT s.rowid AS id FROM case_search s WHERE case_search MATCH ?
			AND s.rowid NOT IN (SELECT e.case_id FROM case_events e WHERE e.id > ?)
		UNION ALL SELECT DISTINCT x.case_id FROM (SELECT e.case_id FROM case_events e WHERE e.id > ? LIMIT -1) x) sc`,
		[]any{q.match(), q.through, q.through}
}

// match is the SQLite MATCH expression of the tokens: all of them, or
// every token the prefix begins.
func (q *searchQuery) match() string {
	m := `"` + strings.Join(q.tokens, `" "`) + `"`
	if q.prefix {
		m += "*"
	}
	return m
}

// tsquery is the PostgreSQL tsquery of the tokens, likewise.
func (q *searchQuery) tsquery() string {
	if q.prefix {
		return q.tokens[0] + ":*"
	}
	return strings.Join(q.tokens, " & ")
}

// cond is the candidates' condition: the cases the index gives, and those
// changed since it was brought up to date.
func (q *searchQuery) cond() (string, []any) {
	if q.engine == Postgres {
		return `c.id IN (SELECT s.case_id FROM case_search s WHERE s.tokens @@ CAST(? AS tsquery)
			UNION ALL SELECT e.case_id FROM case_events e WHERE e.id > ?)`, []any{q.tsquery(), q.through}
	}
	in := "c.id IN"
	if q.probe {
		in = "+c.id IN" // not the rowid's lookup: a set probed
	}
	return in + ` (SELECT s.rowid FROM case_search s WHERE case_search MATCH ?
		UNION ALL SELECT e.case_id FROM case_events e WHERE e.id > ?)`, []any{q.match(), q.through}
}

// search returns how the filter's text search reads the index, or nil
// when it scans: no words, a case number, the index not built yet, or the
// scan-only store.
func (s *Cases) search(ctx context.Context, f casework.Filter) (*searchQuery, error) {
	q := strings.TrimSpace(f.Query)
	if q == "" || s.scanOnly || caseNumberRE.MatchString(q) {
		return nil, nil
	}
	toks, prefix := queryTokens(strings.ToLower(q))
	if len(toks) == 0 {
		return nil, nil
	}
	through, err := s.db.metaValue(ctx, s.db.reader(), metaSearchThrough)
	if err != nil || through == 0 {
		return nil, err
	}
	if prefix {
		// One character needs every case's field ends.
		if v, err := s.db.metaValue(ctx, s.db.reader(), metaSearchTokens); err != nil || v < searchTokensVersion {
			return nil, err
		}
	}
	return &searchQuery{engine: s.db.engine, through: through, tokens: toks, prefix: prefix}, nil
}

// whereOf is whereScoped with the filter's text search read from the
// index when it can be.
func (s *Cases) whereOf(ctx context.Context, f casework.Filter, unitSet bool) (string, []any, error) {
	sq, err := s.search(ctx, f)
	if err != nil {
		return "", nil, err
	}
	w, args := whereScoped(f, unitSet, sq)
	return w, args, nil
}

// metaValue reads a meta counter, 0 when it is not there.
func (db *DB) metaValue(ctx context.Context, c conn, key string) (int64, error) {
	var v int64
	err := c.queryRow(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, mapError(err)
}

func setMeta(ctx context.Context, c conn, key string, v int64) error {
	_, err := c.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, v)
	return err
}

// SearchRun is what one run of the search job did.
type SearchRun struct {
	// Indexed counts the cases whose tokens were (re)placed.
	Indexed int
	// Through is the watermark after the run; 0 if the index is not
	// built yet (a build cut short, or transactions still writing).
	Through int64
}

// IndexSearch brings the search index up to date: on its first run (a
// new database, or one from before migration 0138) it indexes every case,
// later ones the cases of the events after the watermark. It runs until
// it is done or ctx ends; a build cut short resumes where it stopped.
// Several processes may run it at once (each case's tokens are written
// whole), but serve runs it as one job across nodes (store.RunJob).
func (db *DB) IndexSearch(ctx context.Context) (SearchRun, error) {
	var run SearchRun
	r := db.reader()
	through, err := db.metaValue(ctx, r, metaSearchThrough)
	if err != nil {
		return run, err
	}
	var t searchTokenizer
	if through == 0 {
		if through, err = db.buildSearch(ctx, &t, &run); err != nil || through == 0 {
			return run, err
		}
	} else if v, err := db.metaValue(ctx, r, metaSearchTokens); err != nil {
		return run, err
	} else if v < searchTokensVersion {
		// An index of older tokens: every case again, in the current
		// form, the index answering longer queries meanwhile (old tokens
		// are a subset of the new ones).
		if err := db.indexEveryCase(ctx, &t, &run); err != nil {
			return run, err
		}
		if err := setMeta(ctx, db.writer(), metaSearchTokens, searchTokensVersion); err != nil {
			return run, err
		}
	}
	last, ok, err := db.settledEvents(ctx)
	if err != nil || !ok {
		run.Through = through
		return run, err
	}
	for lo := through; lo < last; {
		hi := min(lo+searchEventBatch, last)
		n, err := db.indexCases(ctx, &t, `SELECT id, number, title, details, address FROM cases
			WHERE id IN (SELECT e.case_id FROM case_events e WHERE e.id > ? AND e.id <= ?)`, []any{lo, hi},
			func(tx conn, _ int64) error { return setMeta(ctx, tx, metaSearchThrough, hi) })
		if err != nil {
			run.Through = lo
			return run, err
		}
		run.Indexed += n
		lo = hi
	}
	run.Through = max(through, last)
	return run, nil
}

// buildSearch indexes every case, by id, and returns the watermark it
// leads to (0 if it could not finish: ctx ended, or, on PostgreSQL,
// transactions still writing).
func (db *DB) buildSearch(ctx context.Context, t *searchTokenizer, run *SearchRun) (int64, error) {
	r := db.reader()
	upto, err := db.metaValue(ctx, r, metaSearchBuildEvents)
	if err != nil {
		return 0, err
	}
	if upto == 0 {
		// The cases as they are once the events up to upto are all
		// committed hold every change of those events; later changes
		// are the catch-up's.
		last, ok, err := db.settledEvents(ctx)
		if err != nil || !ok || last == 0 {
			return 0, err // no event yet: nothing to index, the scan is free
		}
		upto = last
		if err := setMeta(ctx, db.writer(), metaSearchBuildEvents, upto); err != nil {
			return 0, err
		}
	}
	if err := db.indexEveryCase(ctx, t, run); err != nil {
		return 0, err
	}
	err = db.inTx(ctx, func(tx conn) error {
		if _, err := tx.exec(ctx, `DELETE FROM meta WHERE key = ?`, metaSearchBuildEvents); err != nil {
			return err
		}
		if err := setMeta(ctx, tx, metaSearchTokens, searchTokensVersion); err != nil {
			return err
		}
		return setMeta(ctx, tx, metaSearchThrough, upto)
	})
	if err != nil {
		return 0, err
	}
	return upto, nil
}

// indexEveryCase (re)places every case's tokens, by id, from where a run
// cut short stopped (meta's search_build_case), which it forgets at the
// end.
func (db *DB) indexEveryCase(ctx context.Context, t *searchTokenizer, run *SearchRun) error {
	after, err := db.metaValue(ctx, db.reader(), metaSearchBuildCase)
	if err != nil {
		return err
	}
	for {
		var lastID int64
		n, err := db.indexCases(ctx, t, `SELECT id, number, title, details, address FROM cases WHERE id > ? ORDER BY id LIMIT ?`,
			[]any{after, searchBatch}, func(tx conn, id int64) error {
				lastID = id
				return setMeta(ctx, tx, metaSearchBuildCase, id)
			})
		if err != nil {
			return err
		}
		run.Indexed += n
		if n < searchBatch {
			break
		}
		after = lastID
	}
	_, err = db.writer().exec(ctx, `DELETE FROM meta WHERE key = ?`, metaSearchBuildCase)
	return err
}

// settledEvents returns the last case event's id once every transaction
// that may still write an event of a lower id has ended, so that the
// cases read after it hold every change up to it. On SQLite, whose one
// writer takes ids in commit order, that is at once. On PostgreSQL an id
// is taken before its transaction commits: the run waits until the
// transactions running when it read the id have ended (the snapshot's
// xmax), up to searchSettleWait; ok is false if they have not.
func (db *DB) settledEvents(ctx context.Context) (last int64, ok bool, err error) {
	r := db.reader()
	if db.engine != Postgres {
		err := r.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM case_events`).Scan(&last)
		return last, err == nil, mapError(err)
	}
	var xmax int64
	if err := r.queryRow(ctx, `SELECT COALESCE(MAX(id), 0), txid_snapshot_xmax(txid_current_snapshot()) FROM case_events`).Scan(&last, &xmax); err != nil {
		return 0, false, mapError(err)
	}
	deadline := time.Now().Add(searchSettleWait)
	for wait := time.Millisecond; ; wait = min(wait*2, time.Second) {
		var xmin int64
		if err := r.queryRow(ctx, `SELECT txid_snapshot_xmin(txid_current_snapshot())`).Scan(&xmin); err != nil {
			return 0, false, mapError(err)
		}
		if xmin >= xmax {
			return last, true, nil
		}
		if time.Now().After(deadline) {
			return last, false, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// indexCases (re)places the tokens of the cases the query selects (id,
// number, title, details, address), in one transaction with done (given
// the last id read), and returns how many it read.
func (db *DB) indexCases(ctx context.Context, t *searchTokenizer, query string, args []any, done func(tx conn, lastID int64) error) (int, error) {
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	type doc struct {
		id     int64
		tokens string
	}
	var docs []doc
	for rows.Next() {
		var id int64
		var number, title, details, address sql.NullString
		if err := rows.Scan(&id, &number, &title, &details, &address); err != nil {
			rows.Close()
			return 0, err
		}
		docs = append(docs, doc{id, t.tokens(number.String, title.String, details.String, address.String)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(docs) == 0 {
		return 0, nil
	}
	err = db.inTx(ctx, func(tx conn) error {
		if db.engine == Postgres {
			const per = 500
			for i := 0; i < len(docs); i += per {
				part := docs[i:min(i+per, len(docs))]
				vals := make([]string, len(part))
				args := make([]any, 0, 2*len(part))
				for j, d := range part {
					vals[j] = "(?, CAST(? AS tsvector))"
					args = append(args, d.id, d.tokens)
				}
				if _, err := tx.exec(ctx, `INSERT INTO case_search (case_id, tokens) VALUES `+strings.Join(vals, ", ")+`
					ON CONFLICT (case_id) DO UPDATE SET tokens = excluded.tokens`, args...); err != nil {
					return err
				}
			}
		} else {
			for _, d := range docs {
				if _, err := tx.exec(ctx, `INSERT OR REPLACE INTO case_search (rowid, tokens) VALUES (?, ?)`, d.id, d.tokens); err != nil {
					return err
				}
			}
		}
		return done(tx, docs[len(docs)-1].id)
	})
	if err != nil {
		return 0, err
	}
	return len(docs), nil
}
