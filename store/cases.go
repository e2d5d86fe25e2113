package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// Cases is the store of cases, their events and the casework configuration.
type Cases struct {
	db *DB
	// scanOnly counts every figure from the cases, never from the
	// aggregates: the reference the aggregates are tested and measured
	// against.
	scanOnly bool
}

// Cases returns the case store of db.
func (db *DB) Cases() *Cases { return &Cases{db: db} }

var _ casework.Store = (*Cases)(nil)

// CreateCase stores a new case and its report event in one transaction,
// numbering it by the day it was reported: 20240612-0042.
// Concurrent calls share one transaction and one durable commit (group
// commit, groupcommit.go); each returns once its case is committed.
//
// In a group commit the case is not written at once: the batch writes all
// its new cases together, a few statements for the whole batch
// (groupcases.go).
func (s *Cases) CreateCase(ctx context.Context, c *casework.Case, e *casework.Event) error {
	return s.db.inGroupTx(ctx, func(ctx context.Context, tx conn) error {
		if tx.newCases != nil {
			return tx.newCases.add(tx, c, e)
		}
		return s.createCase(ctx, tx, c, e)
	})
}

// createCase is CreateCase inside a transaction of the caller's, so that
// an intake can store a case together with its own ledger row.
func (s *Cases) createCase(ctx context.Context, tx conn, c *casework.Case, e *casework.Event) error {
	if err := fillJurisdictions(ctx, tx, []*casework.Case{c}, []*casework.Case{e.Payload.Report}); err != nil {
		return err
	}
	day := c.ReportedAt.In(calendar.Zone()).Format("20060102")
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO case_numbers (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`, day).Scan(&n)
	if err != nil {
		return mapError(err)
	}
	c.Number = fmt.Sprintf("%s-%04d", day, n)
	id, err := tx.insert(ctx, `INSERT INTO cases (number, channel, category, urgency, title, details, status, reported_at, event_count, updated_at, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
		c.Number, string(c.Channel), c.Category, string(c.Urgency), c.Title, c.Details, string(c.Status), c.ReportedAt, c.EventCount, c.UpdatedAt)
	if err != nil {
		return err
	}
	c.ID, e.CaseID = id, id
	// The report event carries the id and number too, so that replaying
	// the events gives the stored case.
	e.Payload.Report.ID, e.Payload.Report.Number = id, c.Number
	if err := s.db.insertContact(ctx, tx, id, e); err != nil {
		return err
	}
	if err := s.insertEvent(ctx, tx, e); err != nil {
		return err
	}
	if err := s.saveCase(ctx, tx, c); err != nil {
		return err
	}
	if err := s.db.caseChanged(ctx, tx, c.ID); err != nil {
		return err
	}
	return countNewCases(ctx, tx, []int64{c.ID})
}

// caseColumns are the columns of a case's row that its projection sets,
// in the order of caseValues.
const caseColumns = `channel, client_id, external_id, category, urgency, title, details,
		address, lat, lon, grid_id, community_id, reporter_staff_id, status, unit_id,
		reported_at, accepted_at, closed_at, rating, due_stage, due_at, warn_at, warned_due, overdue_due,
		closed_on_time, handled_count, rework_count, event_count, updated_at, data,
		kind, kind_tags, kind_amount, clock_mark, jurisdiction_id`

// caseColumnCount is the number of caseColumns.
const caseColumnCount = 35

// caseValues are the values of caseColumns for c: the JSON projection
// (without the contact, kept in case_contacts) and the query columns.
func caseValues(c *casework.Case) ([]any, error) {
	data, err := json.Marshal(projection(c))
	if err != nil {
		return nil, err
	}
	var lat, lon any
	if c.Location != nil {
		lat, lon = c.Location.Lat, c.Location.Lon
	}
	stage, d := c.Running()
	var due, warn *time.Time
	if d != nil {
		due, warn = &d.Due, &d.Warn
	}
	return []any{string(c.Channel), nullID(c.ClientID), nullString(c.ExternalID), c.Category, string(c.Urgency), c.Title, c.Details,
		c.Address, lat, lon, nullID(c.GridID), nullID(c.Community), nullID(c.ReporterID), string(c.Status), nullID(c.UnitID),
		c.ReportedAt, c.AcceptedAt, c.ClosedAt, string(c.Rating), string(stage), due, warn, c.WarnedDue, c.OverdueDue,
		c.ClosedOnTime, c.HandledCount, c.ReworkCount, c.EventCount, c.UpdatedAt, string(data),
		string(c.Kind), kindTags(c), kindAmount(c), clockMark(c), c.JurisdictionID}, nil
}

// caseUpdate is the UPDATE of caseColumns by id.
var caseUpdate = func() string {
	cols := strings.Split(caseColumns, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	return `UPDATE cases SET ` + strings.Join(cols, ", ") + ` WHERE id = ?`
}()

// saveCase writes the case's projection: the JSON (without the contact,
// kept in case_contacts) and the query columns.
func (s *Cases) saveCase(ctx context.Context, tx conn, c *casework.Case) error {
	vals, err := caseValues(c)
	if err != nil {
		return err
	}
	if _, err = tx.exec(ctx, caseUpdate, append(vals, c.ID)...); err != nil {
		return err
	}
	if err := insertPersons(ctx, tx, c); err != nil {
		return err
	}
	if row := assignmentRow(c); row != nil {
		return upsertAssignment(ctx, tx, row)
	}
	return nil
}

// assignmentRow is the assignments projection of the case's current
// dispatch, or nil before the first one. A case transferred to another
// subdistrict (转办) has no unit any more: its last dispatch keeps its unit
// (the upsert leaves a unit of 0 alone) and is ended by the returned_at
// the transfer set.
func assignmentRow(c *casework.Case) []any {
	if c.Assignments == 0 || c.DispatchedAt == nil {
		return nil
	}
	var signDue *time.Time
	if c.Deadlines.Sign != nil {
		signDue = &c.Deadlines.Sign.Due
	}
	var handleSeconds any
	if c.HandledAt != nil && c.SignedAt != nil {
		handleSeconds = c.HandledAt.Sub(*c.SignedAt).Seconds()
	}
	return []any{c.ID, c.Assignments, c.UnitID, *c.DispatchedAt, signDue, c.SignedAt, c.SignedOnTime, c.ReturnedAt, c.HandledAt, handleSeconds}
}

func upsertAssignment(ctx context.Context, tx conn, row []any) error {
	_, err := tx.exec(ctx, `INSERT INTO assignments (case_id, no, unit_id, dispatched_at, sign_due, signed_at, signed_on_time, returned_at, handled_at, handle_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, no) DO UPDATE SET unit_id = CASE WHEN excluded.unit_id = 0 THEN assignments.unit_id ELSE excluded.unit_id END, dispatched_at = excluded.dispatched_at, sign_due = excluded.sign_due,
		signed_at = excluded.signed_at, signed_on_time = excluded.signed_on_time, returned_at = excluded.returned_at,
		handled_at = excluded.handled_at, handle_seconds = excluded.handle_seconds`, row...)
	return err
}

func (s *Cases) insertEvent(ctx context.Context, tx conn, e *casework.Event) error {
	row, err := eventRow(e)
	if err != nil {
		return err
	}
	id, err := tx.insert(ctx, eventInsert+"("+placeholders(eventColumns)+")", row...)
	e.ID = id
	return err
}

// UpdateCase locks a case, lets fn take a step on it, and writes the event
// and the new projection together.
func (s *Cases) UpdateCase(ctx context.Context, id int64, fn func(c *casework.Case) (*casework.Event, error)) (*casework.Case, *casework.Event, error) {
	var out *casework.Case
	var ev *casework.Event
	errNothing := fmt.Errorf("nothing to write")
	err := s.db.inTx(ctx, func(tx conn) error {
		c, err := s.db.scanCase(tx.queryRow(ctx, caseSelect+` WHERE c.id = ?`+s.db.forUpdateOf("c"), id))
		if err != nil {
			return notFound(err, "案件", "case")
		}
		e, err := fn(c)
		if err != nil {
			return err
		}
		out = c
		if e == nil {
			return errNothing
		}
		e.CaseID = c.ID
		if err := s.insertEvent(ctx, tx, e); err != nil {
			return err
		}
		ev = e
		if err := s.db.caseChanged(ctx, tx, c.ID); err != nil {
			return err
		}
		return keepAggregates(ctx, tx, c.ID, func() error { return s.saveCase(ctx, tx, c) })
	})
	if err == errNothing {
		return out, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return out, ev, nil
}

// scanCase reads a row of caseSelect.
func (db *DB) scanCase(sc interface{ Scan(...any) error }) (*casework.Case, error) {
	var data string
	var name, phone sql.NullString
	var anonymised nullTime
	var jurisdiction int64
	if err := sc.Scan(&data, &name, &phone, &anonymised, &jurisdiction); err != nil {
		return nil, mapError(err)
	}
	c := &casework.Case{}
	if err := json.Unmarshal([]byte(data), c); err != nil {
		return nil, fmt.Errorf("store: case data: %w", err)
	}
	// The column is the case's subdistrict: the projection of a case
	// stored before migration 0120 has none.
	c.JurisdictionID = jurisdiction
	inZone(c)
	var err error
	c.Reporter, err = db.contactOf(c.ID, name, phone, anonymised)
	return c, err
}

// inZone puts a decoded case's times in China Standard Time, as the
// domain makes them, so that stored and fresh cases compare equal.
func inZone(c *casework.Case) {
	z := calendar.Zone()
	c.ReportedAt, c.UpdatedAt = c.ReportedAt.In(z), c.UpdatedAt.In(z)
	for _, p := range []**time.Time{&c.AcceptedAt, &c.DispatchedAt, &c.SignedAt, &c.StartedAt, &c.ArrivedAt, &c.ReturnedAt, &c.HandledAt,
		&c.VerifiedAt, &c.ClosedAt, &c.HungAt, &c.RatedAt, &c.WarnedDue, &c.OverdueDue, &c.ClearedAt} {
		if *p != nil {
			t := (*p).In(z)
			*p = &t
		}
	}
	for _, d := range []*casework.Deadline{c.Deadlines.Sign, c.Deadlines.Start, c.Deadlines.Finish, c.Deadlines.Close} {
		if d != nil {
			d.Due, d.Warn = d.Due.In(z), d.Warn.In(z)
		}
	}
	if c.Extension != nil {
		c.Extension.RequestedAt = c.Extension.RequestedAt.In(z)
	}
}

func (s *Cases) GetCase(ctx context.Context, id int64) (*casework.Case, error) {
	c, err := s.db.scanCase(s.db.reader().queryRow(ctx, caseSelect+` WHERE c.id = ?`, id))
	return c, notFound(err, "案件", "case")
}

func (s *Cases) GetCaseByNumber(ctx context.Context, number string) (*casework.Case, error) {
	c, err := s.db.scanCase(s.db.reader().queryRow(ctx, caseSelect+` WHERE c.number = ?`, number))
	return c, notFound(err, "案件", "case")
}

func (s *Cases) FindByExternalID(ctx context.Context, ch casework.Channel, externalID string) (*casework.Case, error) {
	c, err := s.db.scanCase(s.db.reader().queryRow(ctx, caseSelect+` WHERE c.channel = ? AND c.external_id = ?`, string(ch), externalID))
	return c, notFound(err, "案件", "case")
}

func (s *Cases) WasAssigned(ctx context.Context, caseID, unitID int64) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM assignments WHERE case_id = ? AND unit_id = ?`, caseID, unitID).Scan(&n)
	return n > 0, err
}

// where builds the WHERE clause of a filter, scope first, with the text
// search's candidates read from the index by sq (nil: the LIKE alone;
// Cases.whereOf chooses).
func where(f casework.Filter, sq *searchQuery) (string, []any) { return whereScoped(f, false, sq) }

// whereScoped is where, with a unit's scope as the set of its cases
// (unitSet) rather than a test of each row. The test suits a list of a
// busy unit read newest first (its 50 cases are among the first rows
// read) and a list or count whose other conditions have an index of
// their own (a unit's inbox: a status). The set suits a unit rarely sent
// anything, whose few cases are spread over the years (a quiet unit's
// list of a district's year took 2 s by the test).
func whereScoped(f casework.Filter, unitSet bool, sq *searchQuery) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	sc := f.Scope
	switch {
	case sc.None:
		add("1 = 0")
	case sc.All:
	case sc.Kind != "":
		add("(c.kind = ? OR c.reporter_staff_id = ?)", string(sc.Kind), sc.ReporterID)
	case sc.UnitID != 0 && unitSet:
		add("c.id IN (SELECT o.id FROM cases o WHERE o.unit_id = ? UNION SELECT a.case_id FROM assignments a WHERE a.unit_id = ?)", sc.UnitID, sc.UnitID)
	case sc.UnitID != 0:
		add("(c.unit_id = ? OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.unit_id = ?))", sc.UnitID, sc.UnitID)
	case len(sc.GridIDs) > 0 || sc.ReporterID != 0:
		var or []string
		var orArgs []any
		if len(sc.GridIDs) > 0 {
			or, orArgs = append(or, "c.grid_id IN ("+placeholders(len(sc.GridIDs))+")"), int64sToAny(sc.GridIDs)
		}
		if sc.ReporterID != 0 {
			or, orArgs = append(or, "c.reporter_staff_id = ?"), append(orArgs, sc.ReporterID)
		}
		add("("+strings.Join(or, " OR ")+")", orArgs...)
	case sc.CommunityID != 0:
		add("c.community_id = ?", sc.CommunityID)
	case sc.ClientID != 0:
		add("c.client_id = ?", sc.ClientID)
	default:
		add("1 = 0")
	}
	if len(f.Statuses) > 0 {
		ss := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		add("c.status IN ("+placeholders(len(ss))+")", ss...)
	}
	if f.Channel != "" {
		add("c.channel = ?", string(f.Channel))
	}
	if f.Kind != "" {
		// The literal term lets both engines use the partial index
		// cases_kind (kind <> ''), which a bound value alone does not
		// imply: without it a kind's figures scanned the year's cases.
		add("c.kind = ? AND c.kind <> ''", string(f.Kind))
	}
	if f.Ordinary {
		add("c.kind = ''")
	}
	if f.Person != "" {
		add("c.id IN (SELECT p.case_id FROM case_persons p WHERE p.person = ?)", f.Person)
	}
	for _, t := range f.KindTags {
		add(`c.kind_tags LIKE ? ESCAPE '\'`, "% "+likeEscape(t)+" %")
	}
	if f.Category != "" {
		add("(c.category = ? OR c.category LIKE ?)", f.Category, likeEscape(f.Category)+"%")
	}
	if f.Jurisdiction != 0 {
		add("c.jurisdiction_id = ?", f.Jurisdiction)
	}
	if f.CommunityID != 0 {
		add("c.community_id = ?", f.CommunityID)
	}
	if f.GridID != 0 {
		add("c.grid_id = ?", f.GridID)
	}
	if f.UnitID != 0 {
		add("c.unit_id = ?", f.UnitID)
	}
	if f.Number != "" {
		add("c.number = ?", f.Number)
	}
	if q := strings.TrimSpace(f.Query); caseNumberRE.MatchString(q) {
		// A case number, whole or its start (20261207-00): the number
		// alone, by a range the number's index serves (the LIKE keeps the
		// answer exact whatever the collation).
		add(`c.number >= ? AND c.number < ? AND c.number LIKE ? ESCAPE '\'`, q, q+"~", likeEscape(q)+"%")
	} else if q != "" {
		// SQLite's LIKE ignores the case of Latin letters and PostgreSQL's
		// does not: lower both sides so that both engines answer alike.
		pat := "%" + likeEscape(strings.ToLower(q)) + "%"
		if sq != nil && !sq.joined {
			// The cases the index says may match (search.go); the
			// LIKE below keeps the answer exact.
			cond, a := sq.cond()
			add(cond, a...)
		}
		// The words may be (part of) a case number: 20261207-0001.
		add(`(LOWER(c.title) LIKE ? ESCAPE '\' OR LOWER(c.details) LIKE ? ESCAPE '\' OR LOWER(c.address) LIKE ? ESCAPE '\' OR c.number LIKE ? ESCAPE '\')`, pat, pat, pat, pat)
	}
	switch f.Due {
	case casework.DueOverdue:
		// A kind case is late on a statutory clock too (clockMark).
		// Two index reads (cases_due, cases_clock_mark), not an OR that
		// leaves the planner a scan of every case of the unit or scope.
		add("c.id IN (SELECT o.id FROM cases o WHERE o.due_at <= ? UNION ALL SELECT o.id FROM cases o WHERE o.clock_mark = 'overdue' AND o.clock_mark <> '')", f.Now)
	case casework.DueWarning:
		add("c.id IN (SELECT o.id FROM cases o WHERE o.warn_at <= ? AND o.due_at > ? UNION ALL SELECT o.id FROM cases o WHERE o.clock_mark = 'warning' AND o.clock_mark <> '')", f.Now, f.Now)
	case casework.DueOK:
		add("c.warn_at > ?", f.Now)
	}
	if f.Dispatched {
		add("EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id)")
	}
	if f.Signed {
		add("EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.signed_at IS NOT NULL)")
	}
	if f.Handled {
		add("c.handled_count > 0")
	}
	if f.SelfHandled {
		// From the partial index of the self-handling events (migration
		// 0101), not an EXISTS probed for every case of the period.
		add("c.id IN (SELECT e.case_id FROM case_events e WHERE e.action = '" + string(casework.ActSelfHandle) + "')")
	}
	if f.Rated {
		add("c.rating <> ''")
	}
	if len(f.Ratings) > 0 {
		rs := make([]any, len(f.Ratings))
		for i, r := range f.Ratings {
			rs[i] = string(r)
		}
		add("c.rating IN ("+placeholders(len(rs))+")", rs...)
	}
	if !f.From.IsZero() {
		add("c.reported_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("c.reported_at < ?", f.To)
	}
	if !f.UpdatedSince.IsZero() {
		add("c.updated_at > ?", f.UpdatedSince)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// caseNumberRE is what a case number, or the start of one, looks like in
// the search box: the day and a dash, then digits.
var caseNumberRE = regexp.MustCompile(`^[0-9]{8}-[0-9]{0,6}$`)

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListCases returns one page of matching cases, newest first, and the count.
//
// The count of a text search (Filter.Query) stops at
// casework.SearchTotalCap: past it the total is SearchTotalCap+1, "more"
// (casework.TotalCapped), since counting every case of a common word
// reads them all.
func (s *Cases) ListCases(ctx context.Context, f casework.Filter) ([]*casework.Case, int, error) {
	sq, err := s.search(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	// The total is CountCases': from the aggregates when they can answer.
	total, ok, err := s.countAggregates(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	capped := false
	switch {
	case ok:
	case strings.TrimSpace(f.Query) != "":
		if total, err = s.countSearch(ctx, f, sq); err != nil {
			return nil, 0, err
		}
		capped = casework.TotalCapped(f, total)
	default:
		w, args := where(f, nil)
		if err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM cases c`+w, args...).Scan(&total); err != nil {
			return nil, 0, mapError(err)
		}
	}
	unitSet := false
	if f.Scope.UnitID != 0 && ok {
		// Only where the aggregates counted the list: its other
		// conditions are then a channel, a class, a community or a
		// period, which leave the unit's cases the list's bulk. A status
		// or the words are read better by their own index, the unit
		// tested on each row found (a unit's inbox).
		sparse, err := s.sparseUnit(ctx, total, f.Offset+f.Limit)
		if err != nil {
			return nil, 0, err
		}
		unitSet = s.db.unitSet(sparse)
	} else if f.Scope.UnitID != 0 {
		unitSet = s.db.unitSet(false)
	}
	if capped && sq != nil {
		// A common word: its page is read in the list's order, by the
		// LIKE alone, which finds a page of a word common among the
		// newest cases in a few hundred rows. On SQLite, if that takes
		// longer than searchScanFirst (the word's cases are further down
		// the list), from the order's index with the candidates probed: a
		// set built from the search index, each row of the order's index
		// looked up in it before its case is read (20 ms for 23,000
		// candidates on a district-sized year, where reading them all
		// and sorting took 300 ms). PostgreSQL has no such probe (a
		// hashed subplan was no faster), and reading and sorting every
		// candidate cost more than the scan: 6 s for the 550,000 of a
		// word most case numbers hold, 0.5-1.7 s for a common word's
		// page 20, where the scan stops at the page.
		w0, args0 := whereScoped(f, unitSet, nil)
		if s.db.engine == Postgres {
			out, err := s.page(ctx, f, w0, args0, total, capped)
			return out, total, err
		}
		sctx, cancel := context.WithTimeout(ctx, searchScanFirst)
		out, err := s.page(sctx, f, w0, args0, total, capped)
		cancel()
		if err == nil || sctx.Err() == nil || ctx.Err() != nil {
			return out, total, err
		}
		sq.probe = true
	}
	w, args := whereScoped(f, unitSet, sq)
	out, err := s.page(ctx, f, w, args, total, capped)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// countSearch counts the cases of a filter with words, up to
// SearchTotalCap+1. The candidates of the search index are read one after
// another (no set of them built first: 141,766 for 告警 on a
// district-sized year) and the count stops at the cap: some 1,000 rows
// read for a common word. SQLite's CROSS JOIN and PostgreSQL's LATERAL
// subquery fenced by OFFSET 0 keep the candidates the outer loop (the
// PostgreSQL planner hashed every case otherwise).
func (s *Cases) countSearch(ctx context.Context, f casework.Filter, sq *searchQuery) (int, error) {
	var q string
	var args []any
	if sq != nil {
		j := *sq
		j.joined = true
		w, wargs := where(f, &j)
		from, fargs := j.source()
		join := ` CROSS JOIN cases c ON c.id = sc.id` + w
		if s.db.engine == Postgres {
			join = ` CROSS JOIN LATERAL (SELECT 1 FROM cases c WHERE c.id = sc.id AND ` + strings.TrimPrefix(w, " WHERE ") + ` OFFSET 0) m`
		}
		q, args = `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+join+` LIMIT ?) t`, append(fargs, wargs...)
	} else {
		w, wargs := where(f, nil)
		q, args = `SELECT COUNT(*) FROM (SELECT 1 FROM cases c`+w+` LIMIT ?) t`, slices.Clip(wargs)
	}
	var n int
	err := s.db.reader().queryRow(ctx, q, append(args, casework.SearchTotalCap+1)...).Scan(&n)
	return n, mapError(err)
}

// page reads the page of f's list whose WHERE clause is w, the list
// having total rows (capped: at least that many).
func (s *Cases) page(ctx context.Context, f casework.Filter, w string, args []any, total int, capped bool) ([]*casework.Case, error) {
	// A page is read from the nearer end of the list: a deep page near
	// the end (the last page of a year's cases) is the first rows of the
	// list in reverse order, not an OFFSET of hundreds of thousands; and
	// 上一页 by cursor (Before) is the rows before a case, read backwards
	// from it. The rows read backwards are turned round below. A capped
	// total has no known end.
	offset, limit, backwards := f.Offset, f.Limit, false
	key := keysetKey(f.Sort)
	cursor := f.After
	switch {
	case key != "" && f.Before != 0:
		cursor, backwards, offset = f.Before, true, 0
	case key != "" && f.After != 0:
		offset = 0
	case !capped && offset > 0 && offset < total && total-(offset+limit) < offset:
		end := min(offset+limit, total)
		offset, limit, backwards = total-end, end-offset, true
		cursor = 0
	default:
		cursor = 0
	}
	asc := f.Asc != backwards
	if cursor == 0 && offset >= s.db.pageLocateFrom() && keysetKey(f.Sort) == "reported_at" {
		// A deep page of a list in reported order: its first row's day
		// from the aggregates, then less than a day's rows (pagelocate.go).
		edge, ok, err := s.locatePage(ctx, f, offset, asc)
		if err != nil {
			return nil, err
		}
		if ok {
			if w == "" {
				w = " WHERE " + edge.cond
			} else {
				w += " AND " + edge.cond
			}
			args = append(append([]any(nil), args...), edge.at)
			offset = edge.skip
		}
	}
	if cursor != 0 {
		// Keyset: the rows after the cursor case in the order read, found
		// in the sort key's index wherever it starts.
		cmp := "<"
		if asc {
			cmp = ">"
		}
		cond := "(c." + key + ", c.id) " + cmp + " (SELECT k." + key + ", k.id FROM cases k WHERE k.id = ?)"
		if w == "" {
			w = " WHERE " + cond
		} else {
			w += " AND " + cond
		}
		args = append(append([]any(nil), args...), cursor)
	}
	q := caseSelect + w + orderBy(f, backwards) + ` LIMIT ? OFFSET ?`
	if s.db.engine == Postgres {
		// The page's rows first, then their contacts: with the join in
		// the same query the planner costs joining every row that
		// matches before the LIMIT, and for a filter it expects a few
		// thousand rows of (a status no case has) it walked the whole
		// list in order instead, joining as it went.
		q = `SELECT c.data, cc.name, cc.phone, cc.anonymised_at, c.jurisdiction_id FROM (SELECT c.* FROM cases c` + w + orderBy(f, backwards) +
			` LIMIT ? OFFSET ?) c LEFT JOIN case_contacts cc ON cc.case_id = c.id` + orderBy(f, backwards)
	}
	rows, err := s.db.reader().query(ctx, q, append(slices.Clip(args), limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*casework.Case{}
	for rows.Next() {
		c, err := s.db.scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(out)
	}
	return out, nil
}

// keysetKey is the column of a sort that keyset paging compares (see
// casework.KeysetSort), or "".
func keysetKey(s casework.CaseSort) string {
	if !casework.KeysetSort(s) {
		return ""
	}
	switch s {
	case casework.SortNumber:
		return "number"
	case casework.SortUpdated:
		return "updated_at"
	case casework.SortStatus:
		return "status"
	case casework.SortCategory:
		return "category"
	}
	return "reported_at"
}

// orderBy is the ORDER BY of a list: the filter's sort key in its
// direction, ties broken by id in the same direction (stable paging).
// NULLs sort last either way, alike on both engines. backwards gives the
// exact reverse of that order (NULLs first), for reading a list from its
// end.
func orderBy(f casework.Filter, backwards bool) string {
	dir, nullsLast := " DESC", " ASC"
	if f.Asc != backwards {
		dir = " ASC"
	}
	if backwards {
		nullsLast = " DESC"
	}
	var key string
	switch f.Sort {
	case casework.SortNumber:
		key = "c.number" + dir
	case casework.SortDue:
		key = "(CASE WHEN c.due_at IS NULL THEN 1 ELSE 0 END)" + nullsLast + ", c.due_at" + dir
	case casework.SortStatus:
		key = "c.status" + dir
	case casework.SortCategory:
		key = "c.category" + dir
	case casework.SortUpdated:
		key = "c.updated_at" + dir
	case casework.SortUrgency:
		key = "(CASE c.urgency WHEN 'critical' THEN 2 WHEN 'urgent' THEN 1 ELSE 0 END)" + dir
	default:
		key = "c.reported_at" + dir
	}
	return " ORDER BY " + key + ", c.id" + dir
}

// UnitScopeForm is how a unit's scope is read: chosen by the list's
// density (the default), or always one way (tests compare the two).
type UnitScopeForm int32

const (
	UnitScopeAuto UnitScopeForm = iota
	UnitScopeSet
	UnitScopeRows
)

// SetUnitScopeForm fixes how a unit's scope is read (whereScoped); tests
// run a unit's lists and counts each way.
func (db *DB) SetUnitScopeForm(f UnitScopeForm) { db.unitForm.Store(int32(f)) }

// unitSet says whether a unit's scope is read as its set of cases: as
// the caller judged (sparse), unless a test fixed the form.
func (db *DB) unitSet(sparse bool) bool {
	switch UnitScopeForm(db.unitForm.Load()) {
	case UnitScopeSet:
		return true
	case UnitScopeRows:
		return false
	}
	return sparse
}

// sparseUnit says whether a unit's list of total cases is read faster as
// the set of its cases than by testing each case newest first. To find
// the first `rows` of it, the test reads about rows × T / total cases (T
// all of them, by the highest id); the set reads the unit's total and
// sorts them. The smaller wins.
func (s *Cases) sparseUnit(ctx context.Context, total, rows int) (bool, error) {
	var all int64
	if err := s.db.reader().queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&all); err != nil {
		return false, mapError(err)
	}
	return int64(total)*int64(total) < int64(max(rows, 1))*all, nil
}

// CountCases counts the cases matching the filter.
func (s *Cases) CountCases(ctx context.Context, f casework.Filter) (int, error) {
	if n, ok, err := s.countAggregates(ctx, f); ok {
		return n, err
	}
	w, args, err := s.whereOf(ctx, f, s.db.unitSet(false))
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM cases c`+w, args...).Scan(&n)
	return n, mapError(err)
}

// CountCasesBy counts the cases matching the filter per channel,
// community or major class, in one query.
func (s *Cases) CountCasesBy(ctx context.Context, f casework.Filter, by casework.CountKey) (map[string]int, error) {
	if out, ok, err := s.countByAggregates(ctx, f, by); ok {
		return out, err
	}
	var key string
	switch by {
	case casework.CountByChannel:
		key = "c.channel"
	case casework.CountByCommunity:
		key = "CAST(COALESCE(c.community_id, 0) AS TEXT)"
	case casework.CountByMajor:
		key = "SUBSTR(c.category, 1, 2)"
	default:
		return nil, fmt.Errorf("store: cannot count by %q", by)
	}
	w, args, err := s.whereOf(ctx, f, s.db.unitSet(false))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.reader().query(ctx, `SELECT `+key+`, COUNT(*) FROM cases c`+w+` GROUP BY `+key, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

func (s *Cases) ListEvents(ctx context.Context, caseID int64) ([]*casework.Event, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, case_id, seq, action, actor_kind, COALESCE(actor_id, 0), actor_name, actor_role, at, from_status, to_status, reason, payload
		FROM case_events WHERE case_id = ? ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*casework.Event{}
	for rows.Next() {
		e := &casework.Event{}
		var action, from, to, payload string
		var at nullTime
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Seq, &action, &e.ActorKind, &e.ActorID, &e.ActorName, &e.ActorRole, &at, &from, &to, &e.Reason, &payload); err != nil {
			return nil, err
		}
		e.Action, e.From, e.To, e.At = casework.Action(action), casework.Status(from), casework.Status(to), at.Time
		if err := json.Unmarshal([]byte(payload), &e.Payload); err != nil {
			return nil, fmt.Errorf("store: event %d payload: %w", e.ID, err)
		}
		if r := e.Payload.Report; r != nil {
			inZone(r)
		}
		if d := e.Payload.Deadlines; d != nil {
			tmp := casework.Case{Deadlines: *d}
			inZone(&tmp)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.reportContact(ctx, caseID, out)
}

func (s *Cases) DueCases(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id FROM cases c
		WHERE (c.due_at <= ? AND (c.overdue_due IS NULL OR c.overdue_due <> c.due_at))
		   OR (c.warn_at <= ? AND (c.warned_due IS NULL OR c.warned_due <> c.due_at))
		ORDER BY c.due_at LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// clockMark is the query column clock_mark: the deadline job's mark on
// the running clocks of an open kind case.
func clockMark(c *casework.Case) string {
	if c.Kind == casework.KindOrdinary || !c.Status.Open() {
		return ""
	}
	return string(c.KindState.Mark())
}

// openKind selects the open cases of the kinds with legal clocks: the
// predicate of the partial index cases_kind_open (migration 0032), written
// out the same here so that SQLite uses the index.
const openKind = `c.kind <> '' AND c.status NOT IN ('rejected', 'closed', 'voided', 'merged')`

// OpenKindCases returns the open kind cases after afterID, by id.
func (s *Cases) OpenKindCases(ctx context.Context, afterID int64, limit int) ([]*casework.Case, error) {
	rows, err := s.db.reader().query(ctx, caseSelect+` WHERE `+openKind+` AND c.id > ? ORDER BY c.id LIMIT ?`, afterID, limit)
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

// Evaluate counts the evaluation figures; the formulas are stated in
// casework/evaluation.go. Periods of whole days (China Standard Time) are
// summed from the aggregates (aggregates.go); others are counted from the
// cases, which the aggregates cannot cut inside a day.
func (s *Cases) Evaluate(ctx context.Context, q casework.EvalQuery) ([]casework.EvalCounts, error) {
	rows := evalRows{}
	if ranges, ok := aggPeriod(q.From, q.To); ok && !s.scanOnly {
		if err := s.evaluateAggregates(ctx, q, ranges, rows); err != nil {
			return nil, err
		}
	} else {
		if err := s.scanEvalCases(ctx, q, rows); err != nil {
			return nil, err
		}
		if err := s.scanEvalDispatches(ctx, q, rows); err != nil {
			return nil, err
		}
	}
	return rows.sorted(), nil
}

// evalRows are the rows of an evaluation by key, as the parts add to them.
type evalRows map[int64]*casework.EvalCounts

func (rows evalRows) row(k int64) *casework.EvalCounts {
	if rows[k] == nil {
		rows[k] = &casework.EvalCounts{Key: k}
	}
	return rows[k]
}

// sorted returns the rows that count something, by key: a group with no
// filed case and no counted dispatch is no row, as in a GROUP BY.
func (rows evalRows) sorted() []casework.EvalCounts {
	out := make([]casework.EvalCounts, 0, len(rows))
	for _, x := range rows {
		if x.Filed > 0 || x.Dispatches > 0 {
			out = append(out, *x)
		}
	}
	sortCounts(out)
	return out
}

// evalGroup returns the evaluation's key expressions for the cases and the
// dispatches of the query (over cases c and assignments a), and the
// grouping clause that goes with them.
func evalGroup(g casework.GroupBy) (caseKey, dispKey, caseGroup, dispGroup string) {
	caseKey, dispKey = "0", "0"
	// GROUP BY of a literal 0 would name a select-list position, which both
	// engines refuse: the whole period is one group without GROUP BY, and
	// HAVING drops the row that aggregates over nothing.
	caseGroup, dispGroup = " HAVING COUNT(*) > 0", " HAVING COUNT(*) > 0"
	switch g {
	case casework.ByCommunity:
		caseKey, dispKey = "COALESCE(c.community_id, 0)", "COALESCE(c.community_id, 0)"
	case casework.ByGrid:
		caseKey, dispKey = "COALESCE(c.grid_id, 0)", "COALESCE(c.grid_id, 0)"
	case casework.ByUnit:
		caseKey, dispKey = "COALESCE(c.unit_id, 0)", "a.unit_id"
	}
	if g != casework.ByAll && g != "" {
		caseGroup, dispGroup = " GROUP BY "+caseKey, " GROUP BY "+dispKey
	}
	return caseKey, dispKey, caseGroup, dispGroup
}

// evalJurisdiction is the condition on the cases c of one subdistrict's
// evaluation (none for every subdistrict's).
func evalJurisdiction(q casework.EvalQuery) (string, []any) {
	if q.Jurisdiction == 0 {
		return "", nil
	}
	return " AND c.jurisdiction_id = ?", []any{q.Jurisdiction}
}

// scanEvalCases counts the case figures from the cases.
func (s *Cases) scanEvalCases(ctx context.Context, q casework.EvalQuery, rows evalRows) error {
	caseKey, _, caseGroup, _ := evalGroup(q.GroupBy)
	jcond, jargs := evalJurisdiction(q)
	cr, err := s.db.reader().query(ctx, `SELECT `+caseKey+`, COUNT(*),
		SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.status = 'closed' AND c.closed_on_time THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.handled_count > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.handled_count > 0 AND c.rework_count > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.rating <> '' THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END)
		FROM cases c WHERE c.accepted_at >= ? AND c.accepted_at < ? AND c.status NOT IN ('voided', 'merged')
		`+jcond+caseGroup, append([]any{q.From, q.To}, jargs...)...)
	if err != nil {
		return err
	}
	defer cr.Close()
	for cr.Next() {
		var k int64
		var e casework.EvalCounts
		if err := cr.Scan(&k, &e.Filed, &e.Closed, &e.ClosedOnTime, &e.Handled, &e.Reworked, &e.Rated, &e.Satisfied); err != nil {
			return err
		}
		addCaseCounts(rows.row(k), e)
	}
	return cr.Err()
}

// scanEvalDispatches counts the dispatch figures from the assignments.
func (s *Cases) scanEvalDispatches(ctx context.Context, q casework.EvalQuery, rows evalRows) error {
	_, dispKey, _, dispGroup := evalGroup(q.GroupBy)
	jcond, jargs := evalJurisdiction(q)
	dr, err := s.db.reader().query(ctx, `SELECT `+dispKey+`, COUNT(*),
		SUM(CASE WHEN a.signed_on_time THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.handled_at IS NOT NULL THEN 1 ELSE 0 END),
		COALESCE(SUM(a.handle_seconds), 0)
		FROM assignments a JOIN cases c ON c.id = a.case_id
		WHERE a.dispatched_at >= ? AND a.dispatched_at < ? AND (a.signed_at IS NOT NULL OR a.sign_due <= ?)
		`+jcond+dispGroup, append([]any{q.From, q.To, q.Now}, jargs...)...)
	if err != nil {
		return err
	}
	defer dr.Close()
	for dr.Next() {
		var k int64
		var e casework.EvalCounts
		if err := dr.Scan(&k, &e.Dispatches, &e.SignedOnTime, &e.HandledDisp, &e.HandleSeconds); err != nil {
			return err
		}
		addDispatchCounts(rows.row(k), e)
	}
	return dr.Err()
}

func sortCounts(rows []casework.EvalCounts) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].Key < rows[j-1].Key; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// Categories

// ListCategories lists the categories by code, from the configuration
// cache (configcache.go).
func (s *Cases) ListCategories(ctx context.Context) ([]*casework.Category, error) {
	cfg, err := s.db.config(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*casework.Category, len(cfg.categories))
	for i, c := range cfg.categories {
		cp := *c
		out[i] = &cp
	}
	return out, nil
}

func (s *Cases) loadCategories(ctx context.Context) ([]*casework.Category, error) {
	rows, err := s.db.reader().query(ctx, `SELECT code, parent_code, name, name_en, description, keywords, active, attributes, policies, after_photo, private_home FROM categories ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*casework.Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanCategory(sc interface{ Scan(...any) error }) (*casework.Category, error) {
	c := &casework.Category{}
	var kw, attrs, pol string
	if err := sc.Scan(&c.Code, &c.ParentCode, &c.Name, &c.NameEn, &c.Description, &kw, &c.Active, &attrs, &pol, &c.AfterPhoto, &c.PrivateHome); err != nil {
		return nil, mapError(err)
	}
	for _, x := range []struct {
		s string
		v any
	}{{kw, &c.Keywords}, {attrs, &c.Attributes}, {pol, &c.Policies}} {
		if err := json.Unmarshal([]byte(x.s), x.v); err != nil {
			return nil, fmt.Errorf("store: category %s: %w", c.Code, err)
		}
	}
	return c, nil
}

// GetCategory returns a category from the configuration cache.
func (s *Cases) GetCategory(ctx context.Context, code string) (*casework.Category, error) {
	cfg, err := s.db.config(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := cfg.byCode[code]
	if !ok {
		return nil, jiedao.NotFound("问题分类", "category")
	}
	cp := *c
	return &cp, nil
}

func (s *Cases) PutCategory(ctx context.Context, c *casework.Category) error {
	if err := c.Validate(); err != nil {
		return err
	}
	kw, _ := json.Marshal(nonNil(c.Keywords))
	attrs, _ := json.Marshal(nonNil(c.Attributes))
	pol, _ := json.Marshal(c.Policies)
	if c.Policies == nil {
		pol = []byte("{}")
	}
	return s.db.inTx(ctx, func(tx conn) error {
		if c.ParentCode != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM categories WHERE code = ? AND parent_code = ''`, c.ParentCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return jiedao.Invalid("parent_code", "所属大类不存在："+c.ParentCode, "no such major class: "+c.ParentCode)
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO categories (code, parent_code, name, name_en, description, keywords, active, attributes, policies, after_photo, private_home)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, name = excluded.name, name_en = excluded.name_en,
			description = excluded.description, keywords = excluded.keywords, active = excluded.active,
			attributes = excluded.attributes, policies = excluded.policies, after_photo = excluded.after_photo, private_home = excluded.private_home`,
			c.Code, c.ParentCode, c.Name, c.NameEn, c.Description, string(kw), c.Active, string(attrs), string(pol), c.AfterPhoto, c.PrivateHome)
		if err != nil {
			return err
		}
		return s.db.configChanged(ctx, tx)
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Routing rules

// ListRoutingRules lists the routing rules by id, from the configuration
// cache.
func (s *Cases) ListRoutingRules(ctx context.Context) ([]casework.RoutingRule, error) {
	cfg, err := s.db.config(ctx)
	if err != nil {
		return nil, err
	}
	return append([]casework.RoutingRule{}, cfg.rules...), nil
}

func (s *Cases) loadRoutingRules(ctx context.Context) ([]casework.RoutingRule, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, category, COALESCE(grid_id, 0), COALESCE(community_id, 0), channel, unit_id FROM routing_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []casework.RoutingRule{}
	for rows.Next() {
		var r casework.RoutingRule
		var ch string
		if err := rows.Scan(&r.ID, &r.Category, &r.GridID, &r.CommunityID, &ch, &r.UnitID); err != nil {
			return nil, err
		}
		r.Channel = casework.Channel(ch)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Cases) CreateRoutingRule(ctx context.Context, r *casework.RoutingRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO routing_rules (category, grid_id, community_id, channel, unit_id) VALUES (?, ?, ?, ?, ?)`,
			r.Category, nullID(r.GridID), nullID(r.CommunityID), string(r.Channel), r.UnitID)
		if err != nil {
			return err
		}
		r.ID = id
		return s.db.configChanged(ctx, tx)
	})
}

func (s *Cases) DeleteRoutingRule(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `DELETE FROM routing_rules WHERE id = ?`, id)
		if err := affectedOne(res, err, "分派规则", "routing rule"); err != nil {
			return err
		}
		return s.db.configChanged(ctx, tx)
	})
}
