package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
)

// Ledger implements ledger.Store (migration 0040). An entry's values are
// kept twice in its transaction: as JSON in ledger_entries.data (the
// record) and one ledger_values row per filled field (what sums and
// distinct counts read, with the same SQL on both engines). Every write
// adds a row to the *_versions table: the history is never overwritten.
type Ledger struct {
	db   *DB
	scan bool // answer every aggregate from the entries (ScanOnly)
}

// ScanOnly is the store answering every aggregate by reading the entries,
// never ledger_sums or ledger_distinct: tests compare the two.
func (s *Ledger) ScanOnly() *Ledger { return &Ledger{db: s.db, scan: true} }

// Ledger returns the ledger store.
func (db *DB) Ledger() *Ledger { return &Ledger{db: db} }

var _ ledger.Store = (*Ledger)(nil)

func actorID(a org.Actor) any {
	if a.Kind == org.ActorStaff && a.ID != 0 {
		return a.ID
	}
	return nil
}

func (s *Ledger) CreateType(ctx context.Context, t *ledger.Type, by org.Actor, at time.Time) error {
	fields, err := json.Marshal(t.Fields)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		t.Version, t.UpdatedAt, t.UpdatedBy = 1, at.Truncate(time.Microsecond), by.Name
		id, err := tx.insert(ctx, `INSERT INTO ledger_types (code, name, name_en, unit_id, fields, version, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Code, t.Name, t.NameEn, nullID(t.UnitID), string(fields), t.Version, at, by.Name)
		if err != nil {
			if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
				return jiedao.Errorf(jiedao.ECONFLICT, "台账编码“%s”已存在", "ledger code %q exists already", t.Code)
			}
			return err
		}
		t.ID = id
		if _, err = tx.exec(ctx, `INSERT INTO ledger_type_versions (type_id, version, name, fields, at, by_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, 1, t.Name, string(fields), at, actorID(by), by.Name); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, ledgerTypesVersion)
	})
}

func (s *Ledger) UpdateType(ctx context.Context, t *ledger.Type, by org.Actor, at time.Time, check func(old *ledger.Type) error) error {
	fields, err := json.Marshal(t.Fields)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		old, err := scanType(tx.queryRow(ctx, typeSelect+` WHERE code = ?`+s.db.forUpdate(), t.Code))
		if err != nil {
			return notFound(err, "台账", "ledger")
		}
		if err := check(old); err != nil {
			return err
		}
		t.ID, t.Version, t.UpdatedAt, t.UpdatedBy = old.ID, old.Version+1, at.Truncate(time.Microsecond), by.Name
		if _, err := tx.exec(ctx, `UPDATE ledger_types SET name = ?, name_en = ?, unit_id = ?, fields = ?, version = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			t.Name, t.NameEn, nullID(t.UnitID), string(fields), t.Version, at, by.Name, t.ID); err != nil {
			return err
		}
		if _, err = tx.exec(ctx, `INSERT INTO ledger_type_versions (type_id, version, name, fields, at, by_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Version, t.Name, string(fields), at, actorID(by), by.Name); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, ledgerTypesVersion)
	})
}

const typeSelect = `SELECT id, code, name, name_en, unit_id, fields, version, updated_at, updated_by FROM ledger_types`

func scanType(sc interface{ Scan(...any) error }) (*ledger.Type, error) {
	t, fields, err := scanTypeRow(sc)
	if err != nil {
		return nil, err
	}
	return t, json.Unmarshal([]byte(fields), &t.Fields)
}

// scanTypeRow reads a ledger type's row, its fields left as their JSON.
func scanTypeRow(sc interface{ Scan(...any) error }) (*ledger.Type, string, error) {
	t := &ledger.Type{}
	var unit sql.NullInt64
	var fields string
	var at nullTime
	if err := sc.Scan(&t.ID, &t.Code, &t.Name, &t.NameEn, &unit, &fields, &t.Version, &at, &t.UpdatedBy); err != nil {
		return nil, "", mapError(err)
	}
	t.UnitID, t.UpdatedAt = unit.Int64, at.Time
	return t, fields, nil
}

func (s *Ledger) GetType(ctx context.Context, code string) (*ledger.Type, error) {
	return s.cachedType(ctx, func(t *ledger.Type) bool { return t.Code == code })
}

func (s *Ledger) GetTypeByID(ctx context.Context, id int64) (*ledger.Type, error) {
	return s.cachedType(ctx, func(t *ledger.Type) bool { return t.ID == id })
}

func (s *Ledger) ListTypes(ctx context.Context) ([]*ledger.Type, error) {
	rows, err := s.db.reader().query(ctx, typeSelect+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ledger.Type
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Ledger) TypeVersions(ctx context.Context, typeID int64) ([]*ledger.Type, error) {
	rows, err := s.db.reader().query(ctx, `SELECT version, name, fields, at, by_name FROM ledger_type_versions WHERE type_id = ? ORDER BY version`, typeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ledger.Type
	for rows.Next() {
		t := &ledger.Type{ID: typeID}
		var fields string
		var at nullTime
		if err := rows.Scan(&t.Version, &t.Name, &fields, &at, &t.UpdatedBy); err != nil {
			return nil, err
		}
		t.UpdatedAt = at.Time
		if err := json.Unmarshal([]byte(fields), &t.Fields); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const versionInsert = `INSERT INTO ledger_entry_versions (entry_id, version, day, community_id, place, data, deleted, at, by_id, by_name) VALUES `
const valueInsert = `INSERT INTO ledger_values (entry_id, field, type_id, day, community_id, num, txt) VALUES `

// writeValues adds an entry's ledger_values rows (none when deleted).
func writeValues(ctx context.Context, tx conn, b *rowBatch, t *ledger.Type, e *ledger.Entry) error {
	if e.Deleted {
		return nil
	}
	for _, f := range t.Fields {
		v, ok := e.Values[f.Key]
		if !ok || v == "" {
			continue
		}
		var num any
		if f.Type.Numeric() {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				num = n
			}
		}
		if err := b.add(ctx, tx, e.ID, f.Key, e.TypeID, e.Day, nullID(e.CommunityID), num, v); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Ledger) CreateEntries(ctx context.Context, t *ledger.Type, entries []*ledger.Entry, by org.Actor, at time.Time) error {
	at = at.Truncate(time.Microsecond)
	return s.db.inTx(ctx, func(tx conn) error {
		versions := &rowBatch{insert: versionInsert, cols: 10}
		values := &rowBatch{insert: valueInsert, cols: 7}
		delta := newLedgerDelta()
		if err := placeEntries(ctx, tx, entries); err != nil {
			return err
		}
		for _, e := range entries {
			data, err := json.Marshal(e.Values)
			if err != nil {
				return err
			}
			e.TypeID, e.Version, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = t.ID, 1, at, by.Name, at, by.Name
			if e.ID, err = tx.insert(ctx, `INSERT INTO ledger_entries (type_id, day, community_id, place, data, version, deleted, created_at, created_by, updated_at, updated_by, jurisdiction_id)
				VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?)`, t.ID, e.Day, nullID(e.CommunityID), e.Place, string(data), at, by.Name, at, by.Name, e.JurisdictionID); err != nil {
				return err
			}
			if err := versions.add(ctx, tx, e.ID, 1, e.Day, nullID(e.CommunityID), e.Place, string(data), 0, at, actorID(by), by.Name); err != nil {
				return err
			}
			if err := writeValues(ctx, tx, values, t, e); err != nil {
				return err
			}
			delta.add(t, e, 1)
		}
		if err := versions.flush(ctx, tx); err != nil {
			return err
		}
		if err := values.flush(ctx, tx); err != nil {
			return err
		}
		return delta.write(ctx, tx)
	})
}

const entrySelect = `SELECT id, type_id, day, community_id, place, data, version, deleted, created_at, created_by, updated_at, updated_by, jurisdiction_id FROM ledger_entries`

func scanEntry(sc interface{ Scan(...any) error }) (*ledger.Entry, error) {
	e := &ledger.Entry{}
	var comm sql.NullInt64
	var data string
	var deleted int
	var created, updated nullTime
	if err := sc.Scan(&e.ID, &e.TypeID, &e.Day, &comm, &e.Place, &data, &e.Version, &deleted, &created, &e.CreatedBy, &updated, &e.UpdatedBy, &e.JurisdictionID); err != nil {
		return nil, mapError(err)
	}
	e.CommunityID, e.Deleted, e.CreatedAt, e.UpdatedAt = comm.Int64, deleted != 0, created.Time, updated.Time
	return e, json.Unmarshal([]byte(data), &e.Values)
}

func (s *Ledger) UpdateEntry(ctx context.Context, id int64, by org.Actor, at time.Time, fn func(e *ledger.Entry) error) (*ledger.Entry, error) {
	at = at.Truncate(time.Microsecond)
	var out *ledger.Entry
	err := s.db.inTx(ctx, func(tx conn) error {
		e, err := scanEntry(tx.queryRow(ctx, entrySelect+` WHERE id = ?`+s.db.forUpdate(), id))
		if err != nil {
			return notFound(err, "台账记录", "ledger entry")
		}
		t, err := scanType(tx.queryRow(ctx, typeSelect+` WHERE id = ?`, e.TypeID))
		if err != nil {
			return err
		}
		delta := newLedgerDelta()
		delta.add(t, e, -1)
		if err := fn(e); err != nil {
			return err
		}
		delta.add(t, e, 1)
		data, err := json.Marshal(e.Values)
		if err != nil {
			return err
		}
		e.Version++
		e.UpdatedAt, e.UpdatedBy = at, by.Name
		if _, err := tx.exec(ctx, `UPDATE ledger_entries SET day = ?, community_id = ?, place = ?, data = ?, version = ?, deleted = ?, updated_at = ?, updated_by = ?, jurisdiction_id = ? WHERE id = ?`,
			e.Day, nullID(e.CommunityID), e.Place, string(data), e.Version, boolInt(e.Deleted), at, by.Name, e.JurisdictionID, e.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, versionInsert+`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Version, e.Day, nullID(e.CommunityID), e.Place, string(data), boolInt(e.Deleted), at, actorID(by), by.Name); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM ledger_values WHERE entry_id = ?`, e.ID); err != nil {
			return err
		}
		values := &rowBatch{insert: valueInsert, cols: 7}
		if err := writeValues(ctx, tx, values, t, e); err != nil {
			return err
		}
		out = e
		if err := values.flush(ctx, tx); err != nil {
			return err
		}
		return delta.write(ctx, tx)
	})
	return out, err
}

func (s *Ledger) GetEntry(ctx context.Context, id int64) (*ledger.Entry, error) {
	e, err := scanEntry(s.db.reader().queryRow(ctx, entrySelect+` WHERE id = ?`, id))
	return e, notFound(err, "台账记录", "ledger entry")
}

func (s *Ledger) History(ctx context.Context, id int64) ([]ledger.Version, error) {
	rows, err := s.db.reader().query(ctx, `SELECT version, day, community_id, place, data, deleted, at, by_id, by_name
		FROM ledger_entry_versions WHERE entry_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Version
	for rows.Next() {
		var v ledger.Version
		var comm, byID sql.NullInt64
		var data string
		var deleted int
		var at nullTime
		if err := rows.Scan(&v.Version, &v.Day, &comm, &v.Place, &data, &deleted, &at, &byID, &v.By); err != nil {
			return nil, err
		}
		v.CommunityID, v.Deleted, v.At, v.ByID = comm.Int64, deleted != 0, at.Time, byID.Int64
		if err := json.Unmarshal([]byte(data), &v.Values); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// where builds the conditions of q on a table aliased a that has type_id,
// day and community_id.
func (q ledgerQuery) where(a string) (string, []any) {
	conds := []string{a + ".type_id = ?"}
	args := []any{q.TypeID}
	if q.From != "" {
		conds, args = append(conds, a+".day >= ?"), append(args, q.From)
	}
	if q.To != "" {
		conds, args = append(conds, a+".day < ?"), append(args, q.To)
	}
	if q.CommunityID != 0 {
		conds, args = append(conds, a+".community_id = ?"), append(args, q.CommunityID)
	}
	if q.Jurisdiction != 0 {
		// The subdistrict of the entry (ledger_values has none of its own).
		conds = append(conds, `EXISTS (SELECT 1 FROM ledger_entries j WHERE j.id = `+a+`.`+q.idCol+` AND j.jurisdiction_id = ?)`)
		args = append(args, q.Jurisdiction)
	}
	if q.WhereField != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM ledger_values w WHERE w.entry_id = `+a+`.`+q.idCol+` AND w.field = ? AND w.txt = ?)`)
		args = append(args, q.WhereField, q.WhereValue)
	}
	return strings.Join(conds, " AND "), args
}

type ledgerQuery struct {
	ledger.Query
	idCol string // the entry id column of the aliased table
}

func (s *Ledger) ListEntries(ctx context.Context, q ledger.Query, limit, offset int) ([]*ledger.Entry, int, error) {
	where, args := ledgerQuery{q, "id"}.where("e")
	where += " AND e.deleted = 0"
	if q.Field != "" {
		// The entries an aggregate of the field counted: those where it is filled.
		where += ` AND EXISTS (SELECT 1 FROM ledger_values f WHERE f.entry_id = e.id AND f.field = ?)`
		args = append(args, q.Field)
	}
	r := s.db.reader()
	var total int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM ledger_entries e WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err)
	}
	rows, err := r.query(ctx, strings.Replace(entrySelect, "FROM ledger_entries", "FROM ledger_entries e", 1)+` WHERE `+where+
		` ORDER BY e.day DESC, e.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*ledger.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (s *Ledger) Aggregate(ctx context.Context, q ledger.Query) ([]ledger.Row, error) {
	// ledger_sums and ledger_distinct are kept per subdistrict and
	// community (migration 0136): the deployment's aggregate and one
	// subdistrict's read them alike.
	if !s.scan && q.WhereField == "" {
		if rows, ok, err := s.fromSums(ctx, q); ok || err != nil {
			return rows, err
		}
	}
	rows, err := s.scanAggregate(ctx, q)
	for i := range rows {
		rows[i].Value = round6(rows[i].Value)
	}
	return rows, err
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// monthBound turns a day bound into a month bound when it is the first
// of a month ("" stays open); ok is false otherwise.
func monthBound(day string) (string, bool) {
	if day == "" {
		return "", true
	}
	if len(day) == 10 && day[8:] == "01" {
		return day[:7], true
	}
	return "", false
}

// yearBound turns a day bound into a year when it is 1 January.
func yearBound(day string) (int, bool) {
	if day == "" {
		return 0, true
	}
	if len(day) == 10 && day[5:] == "01-01" {
		y, err := strconv.Atoi(day[:4])
		return y, err == nil
	}
	return 0, false
}

// fromSums answers an aggregate from ledger_sums (counts and sums over
// whole months) or ledger_distinct (distinct values over whole years, by
// community or not), of the deployment or of one subdistrict
// (q.Jurisdiction); ok is false when it cannot.
func (s *Ledger) fromSums(ctx context.Context, q ledger.Query) ([]ledger.Row, bool, error) {
	var query string
	var args []any
	sel, group := "'', 0", ""
	switch q.Op {
	case ledger.OpCount, ledger.OpSum:
		from, ok1 := monthBound(q.From)
		to, ok2 := monthBound(q.To)
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		agg := "COALESCE(SUM(x.n), 0)"
		if q.Op == ledger.OpSum {
			agg = "COALESCE(SUM(x.total), 0)"
		}
		switch q.Group {
		case ledger.ByMonth:
			sel, group = "x.month, 0", "x.month"
		case ledger.ByCommunity:
			sel, group = "'', x.community_id", "x.community_id"
		}
		query = `SELECT ` + sel + `, ` + agg + `, COALESCE(SUM(x.n), 0) FROM ledger_sums x WHERE x.type_id = ? AND x.field = ?`
		args = []any{q.TypeID, q.Field}
		if from != "" {
			query, args = query+` AND x.month >= ?`, append(args, from)
		}
		if to != "" {
			query, args = query+` AND x.month < ?`, append(args, to)
		}
		if q.Jurisdiction != 0 {
			// The deployment's adds up its subdistricts' rows.
			query, args = query+` AND x.jurisdiction_id = ?`, append(args, q.Jurisdiction)
		}
	case ledger.OpDistinct:
		from, ok1 := yearBound(q.From)
		to, ok2 := yearBound(q.To)
		if !ok1 || !ok2 || q.Group == ledger.ByMonth {
			return nil, false, nil
		}
		t, err := s.GetTypeByID(ctx, q.TypeID)
		if err != nil {
			return nil, false, err
		}
		if f, ok := t.Field(q.Field); !ok || !distinctType(f.Type) {
			return nil, false, nil
		}
		// The counters and distinct rows of the subdistrict, or those of
		// every subdistrict together: a value held in two subdistricts
		// counts once in the deployment.
		j := q.Jurisdiction
		if j == 0 {
			j = allJurisdictions
		}
		if from != 0 && to == from+1 {
			// One year: its counters, one row (a community's or all's)
			// or a row per community, with the entries from ledger_sums.
			c := q.CommunityID
			if c == 0 {
				c = allCommunities
			}
			cond, cargs := ` AND x.jurisdiction_id = ? AND x.community_id = ?`, []any{j, c}
			if q.Group == ledger.ByCommunity {
				sel, group = "'', x.community_id", "x.community_id"
				cond, cargs = ` AND x.jurisdiction_id = ? AND x.community_id >= 0`, []any{j}
				if q.CommunityID != 0 {
					cond, cargs = ` AND x.jurisdiction_id = ? AND x.community_id = ?`, []any{j, q.CommunityID}
				}
			}
			// The entries holding a value: the field's filled entries (of
			// the subdistrict, or of all of them).
			query = `SELECT ` + sel + `, COALESCE(SUM(x.n), 0), COALESCE((SELECT SUM(y.n) FROM ledger_sums y WHERE y.type_id = x.type_id AND y.field = ?
				AND y.month >= ? AND y.month < ?`
			args = []any{q.Field, fmt.Sprintf("%04d-01", from), fmt.Sprintf("%04d-01", to)}
			if q.Jurisdiction != 0 {
				query, args = query+` AND y.jurisdiction_id = ?`, append(args, q.Jurisdiction)
			}
			switch {
			case group != "":
				query += ` AND y.community_id = x.community_id`
			case q.CommunityID != 0:
				query, args = query+` AND y.community_id = ?`, append(args, q.CommunityID)
			}
			query += `), 0) FROM ledger_sums x WHERE x.type_id = ? AND x.field = ? AND x.month = ?` + cond
			args = append(args, q.TypeID, "~"+q.Field, strconv.Itoa(from))
			args = append(args, cargs...)
			if group != "" {
				query += " GROUP BY x.type_id, " + group + " HAVING SUM(x.n) > 0 ORDER BY 1, 2"
			} else {
				query += " GROUP BY x.type_id"
			}
			return s.sumsRows(ctx, q, query, args, true)
		}
		if q.Group == ledger.ByCommunity {
			sel, group = "'', x.community_id", "x.community_id"
		}
		query = `SELECT ` + sel + `, COUNT(DISTINCT x.txt), COALESCE(SUM(x.n), 0) FROM ledger_distinct x WHERE x.type_id = ? AND x.field = ? AND x.n > 0 AND x.jurisdiction_id = ? AND x.community_id >= 0`
		args = []any{q.TypeID, q.Field, j}
		if from != 0 {
			query, args = query+` AND x.year >= ?`, append(args, from)
		}
		if to != 0 {
			query, args = query+` AND x.year < ?`, append(args, to)
		}
	default:
		return nil, false, nil
	}
	if q.CommunityID != 0 {
		query, args = query+` AND x.community_id = ?`, append(args, q.CommunityID)
	}
	if group != "" {
		query += " GROUP BY " + group + " HAVING SUM(x.n) > 0 ORDER BY 1, 2"
	}
	return s.sumsRows(ctx, q, query, args, false)
}

// sumsRows runs an aggregate query on the sums; counters says it reads
// the distinct counters, which have no row at all for a year without
// values (an ungrouped aggregate still answers one row).
func (s *Ledger) sumsRows(ctx context.Context, q ledger.Query, query string, args []any, counters bool) ([]ledger.Row, bool, error) {
	rows, err := s.db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []ledger.Row
	for rows.Next() {
		var r ledger.Row
		var v sql.NullFloat64
		if err := rows.Scan(&r.Month, &r.CommunityID, &v, &r.Entries); err != nil {
			return nil, false, err
		}
		r.Value = round6(v.Float64)
		out = append(out, r)
	}
	if counters && q.Group == ledger.ByNone && len(out) == 0 {
		out = []ledger.Row{{}}
	}
	return out, true, rows.Err()
}

func (s *Ledger) scanAggregate(ctx context.Context, q ledger.Query) ([]ledger.Row, error) {
	var group, sel string
	switch q.Group {
	case ledger.ByMonth:
		group, sel = "substr(x.day, 1, 7)", "substr(x.day, 1, 7), 0"
	case ledger.ByCommunity:
		group, sel = "x.community_id", "'', COALESCE(x.community_id, 0)"
	default:
		sel = "'', 0"
	}
	var query string
	var args []any
	switch q.Op {
	case ledger.OpCount:
		var where string
		where, args = ledgerQuery{q, "id"}.where("x")
		query = `SELECT ` + sel + `, COUNT(*), COUNT(*) FROM ledger_entries x WHERE ` + where + ` AND x.deleted = 0`
		if q.Field != "" {
			query += ` AND EXISTS (SELECT 1 FROM ledger_values f WHERE f.entry_id = x.id AND f.field = ?)`
			args = append(args, q.Field)
		}
	case ledger.OpSum, ledger.OpDistinct:
		var where string
		where, args = ledgerQuery{q, "entry_id"}.where("x")
		agg := "COALESCE(SUM(x.num), 0)"
		if q.Op == ledger.OpDistinct {
			agg = "COUNT(DISTINCT x.txt)"
		}
		query = `SELECT ` + sel + `, ` + agg + `, COUNT(*) FROM ledger_values x WHERE ` + where + ` AND x.field = ?`
		args = append(args, q.Field)
	default:
		return nil, jiedao.Invalid("op", "统计方式无效", "unknown op")
	}
	if group != "" {
		query += " GROUP BY " + group + " ORDER BY 1, 2"
	}
	rows, err := s.db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Row
	for rows.Next() {
		var r ledger.Row
		var v sql.NullFloat64
		if err := rows.Scan(&r.Month, &r.CommunityID, &v, &r.Entries); err != nil {
			return nil, err
		}
		r.Value = v.Float64
		if q.Group != ledger.ByNone || r.Entries > 0 || len(out) == 0 {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// DeviceExists reports whether an IoT device with the code is registered
// (with any platform): a ledger's device field names one.
func (s *Ledger) DeviceExists(ctx context.Context, code string) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM iot_devices WHERE code = ?`, code).Scan(&n)
	return n > 0, mapError(err)
}

// ImportEntries stores many new entries of one type at once (a migration
// from another system, a benchmark's million): as CreateEntries, each with
// its first version and its values, all or none, but many rows per
// statement with ids taken in advance under a table lock, instead of one
// INSERT … RETURNING per entry.
func (s *Ledger) ImportEntries(ctx context.Context, t *ledger.Type, entries []*ledger.Entry, by org.Actor, at time.Time) error {
	at = at.Truncate(time.Microsecond)
	return s.db.inTx(ctx, func(tx conn) error {
		if s.db.engine == Postgres {
			if _, err := tx.exec(ctx, `LOCK TABLE ledger_entries IN EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		var last int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_entries`).Scan(&last); err != nil {
			return mapError(err)
		}
		if err := placeEntries(ctx, tx, entries); err != nil {
			return err
		}
		rows := &rowBatch{insert: `INSERT INTO ledger_entries (id, type_id, day, community_id, place, data, version, deleted, created_at, created_by, updated_at, updated_by, jurisdiction_id) VALUES `, cols: 13}
		versions := &rowBatch{insert: versionInsert, cols: 10}
		values := &rowBatch{insert: valueInsert, cols: 7}
		// In chunks that fit one statement of entries, written before
		// their versions and values, which refer to them.
		const chunk = 150
		delta := newLedgerDelta()
		for start := 0; start < len(entries); start += chunk {
			part := entries[start:min(start+chunk, len(entries))]
			datas := make([]string, len(part))
			for i, e := range part {
				data, err := json.Marshal(e.Values)
				if err != nil {
					return err
				}
				datas[i] = string(data)
				last++
				e.ID, e.TypeID, e.Version, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = last, t.ID, 1, at, by.Name, at, by.Name
				if err := rows.add(ctx, tx, e.ID, t.ID, e.Day, nullID(e.CommunityID), e.Place, datas[i], 1, 0, at, by.Name, at, by.Name, e.JurisdictionID); err != nil {
					return err
				}
			}
			if err := rows.flush(ctx, tx); err != nil {
				return err
			}
			for i, e := range part {
				if err := versions.add(ctx, tx, e.ID, 1, e.Day, nullID(e.CommunityID), e.Place, datas[i], 0, at, actorID(by), by.Name); err != nil {
					return err
				}
				if err := writeValues(ctx, tx, values, t, e); err != nil {
					return err
				}
				delta.add(t, e, 1)
			}
		}
		if err := delta.write(ctx, tx); err != nil {
			return err
		}
		if err := versions.flush(ctx, tx); err != nil {
			return err
		}
		if err := values.flush(ctx, tx); err != nil {
			return err
		}
		if s.db.engine == Postgres && len(entries) > 0 {
			if _, err := tx.exec(ctx, `SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), ?)`, last); err != nil {
				return err
			}
		}
		return nil
	})
}

// sumKey is a row of ledger_sums; distKey one of ledger_distinct. The
// fields are in the order of the tables' keys.
type sumKey struct {
	typeID       int64
	field        string
	month        string
	jurisdiction int64
	community    int64
}

type distKey struct {
	typeID       int64
	field        string
	year         int
	jurisdiction int64
	community    int64
	txt          string
}

// less orders the keys as the table's primary key does.
func (a sumKey) less(b sumKey) bool {
	return cmp.Or(cmp.Compare(a.typeID, b.typeID), strings.Compare(a.field, b.field), strings.Compare(a.month, b.month),
		cmp.Compare(a.jurisdiction, b.jurisdiction), cmp.Compare(a.community, b.community)) < 0
}

func (a distKey) less(b distKey) bool {
	return cmp.Or(cmp.Compare(a.typeID, b.typeID), strings.Compare(a.field, b.field), cmp.Compare(a.year, b.year),
		cmp.Compare(a.jurisdiction, b.jurisdiction), cmp.Compare(a.community, b.community), strings.Compare(a.txt, b.txt)) < 0
}

type sumDelta struct {
	n     int64
	total float64
}

// ledgerDelta collects the changes of a transaction's entries to the sums.
type ledgerDelta struct {
	sums map[sumKey]sumDelta
	dist map[distKey]int64
}

func newLedgerDelta() *ledgerDelta {
	return &ledgerDelta{sums: map[sumKey]sumDelta{}, dist: map[distKey]int64{}}
}

// distinctTypes are the field types whose distinct values are kept.
func distinctType(t ledger.FieldType) bool {
	switch t {
	case ledger.Person, ledger.Place, ledger.Enterprise, ledger.Device, ledger.Community:
		return true
	}
	return false
}

// add counts an entry's contribution with the sign (+1 added, -1 taken
// away) under its subdistrict and community; a deleted entry contributes
// nothing. A distinct value is counted four times: in its subdistrict's
// community and in the whole subdistrict, in the community and the
// deployment over every subdistrict (allJurisdictions).
func (d *ledgerDelta) add(t *ledger.Type, e *ledger.Entry, sign int64) {
	if e.Deleted {
		return
	}
	month := e.Day[:7]
	year, _ := strconv.Atoi(e.Day[:4])
	j := e.JurisdictionID
	k := sumKey{t.ID, "", month, j, e.CommunityID}
	s := d.sums[k]
	s.n += sign
	d.sums[k] = s
	for _, f := range t.Fields {
		v := e.Values[f.Key]
		if v == "" {
			continue
		}
		k := sumKey{t.ID, f.Key, month, j, e.CommunityID}
		s := d.sums[k]
		s.n += sign
		if f.Type.Numeric() {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				s.total += float64(sign) * n
			}
		}
		d.sums[k] = s
		if distinctType(f.Type) {
			for _, jk := range [2]int64{j, allJurisdictions} {
				d.dist[distKey{t.ID, f.Key, year, jk, e.CommunityID, v}] += sign
				d.dist[distKey{t.ID, f.Key, year, jk, allCommunities, v}] += sign
			}
		}
	}
}

// write upserts the changes in key order (so that two transactions lock
// the rows in the same order).
func (d *ledgerDelta) write(ctx context.Context, tx conn) error {
	sk := make([]sumKey, 0, len(d.sums))
	for k, v := range d.sums {
		if v.n != 0 || v.total != 0 {
			sk = append(sk, k)
		}
	}
	sort.Slice(sk, func(i, j int) bool { return sk[i].less(sk[j]) })
	rows := make([][]any, 0, len(sk))
	for _, k := range sk {
		v := d.sums[k]
		rows = append(rows, []any{k.typeID, k.field, k.month, k.jurisdiction, k.community, v.n, v.total})
	}
	if err := upsertRows(ctx, tx, sumsInsert,
		` ON CONFLICT (type_id, field, month, jurisdiction_id, community_id) DO UPDATE SET n = ledger_sums.n + excluded.n, total = ledger_sums.total + excluded.total`, rows); err != nil {
		return err
	}
	dk := make([]distKey, 0, len(d.dist))
	for k, v := range d.dist {
		if v != 0 {
			dk = append(dk, k)
		}
	}
	sort.Slice(dk, func(i, j int) bool { return dk[i].less(dk[j]) })
	rows = rows[:0]
	for _, k := range dk {
		rows = append(rows, []any{k.typeID, k.field, k.year, k.jurisdiction, k.community, k.txt, d.dist[k]})
	}
	// The distinct values' counts: a value whose entries went from none
	// to some counts one more, from some to none one less. The counters
	// are ledger_sums rows of field "~" and the field's key, month the
	// year, community -1 for all communities, jurisdiction -1 for all
	// subdistricts.
	counters := map[sumKey]int64{}
	const cols = 7
	for start := 0; start < len(rows); start += batchParams / cols {
		part := rows[start:min(start+batchParams/cols, len(rows))]
		args := make([]any, 0, len(part)*cols)
		for _, r := range part {
			args = append(args, r...)
		}
		res, err := tx.query(ctx, `INSERT INTO ledger_distinct (type_id, field, year, jurisdiction_id, community_id, txt, n) VALUES `+
			strings.TrimSuffix(strings.Repeat("("+placeholders(cols)+"), ", len(part)), ", ")+
			` ON CONFLICT (type_id, field, year, jurisdiction_id, community_id, txt) DO UPDATE SET n = ledger_distinct.n + excluded.n
			RETURNING type_id, field, year, jurisdiction_id, community_id, txt, n`, args...)
		if err != nil {
			return err
		}
		for res.Next() {
			var k distKey
			var n int64
			if err := res.Scan(&k.typeID, &k.field, &k.year, &k.jurisdiction, &k.community, &k.txt, &n); err != nil {
				res.Close()
				return err
			}
			old := n - d.dist[k]
			ck := sumKey{k.typeID, "~" + k.field, strconv.Itoa(k.year), k.jurisdiction, k.community}
			switch {
			case old <= 0 && n > 0:
				counters[ck]++
			case old > 0 && n <= 0:
				counters[ck]--
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
	}
	ck := make([]sumKey, 0, len(counters))
	for k, v := range counters {
		if v != 0 {
			ck = append(ck, k)
		}
	}
	sort.Slice(ck, func(i, j int) bool { return ck[i].less(ck[j]) })
	rows = rows[:0]
	for _, k := range ck {
		rows = append(rows, []any{k.typeID, k.field, k.month, k.jurisdiction, k.community, counters[k], 0.0})
	}
	return upsertRows(ctx, tx, sumsInsert,
		` ON CONFLICT (type_id, field, month, jurisdiction_id, community_id) DO UPDATE SET n = ledger_sums.n + excluded.n`, rows)
}

const sumsInsert = `INSERT INTO ledger_sums (type_id, field, month, jurisdiction_id, community_id, n, total) VALUES `

// allCommunities is the community of ledger_distinct's rows (and the
// distinct counters) that count every community together;
// allJurisdictions the subdistrict of those that count every subdistrict
// together (0 is a subdistrict's: that of entries stored in a deployment
// that had none).
const (
	allCommunities   = -1
	allJurisdictions = -1
)

// rebuildLedgerSums recounts ledger_sums and ledger_distinct from the
// live entries with the code that keeps them (ledgerDelta): migration
// 0136's step, which made the tables again with the subdistrict, and
// DB.RebuildLedgerSums. A later migration that changes these tables again
// must make 0136's step noStep and run its own (as 0005's and 0121's).
func rebuildLedgerSums(ctx context.Context, tx conn) error {
	for _, table := range []string{"ledger_sums", "ledger_distinct"} {
		if _, err := tx.exec(ctx, `DELETE FROM `+table); err != nil {
			return err
		}
	}
	types := map[int64]*ledger.Type{}
	rows, err := tx.query(ctx, typeSelect)
	if err != nil {
		return err
	}
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			rows.Close()
			return err
		}
		types[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// In pages of entries by id, written every so many entries to bound
	// the memory of a large ledger's rebuild.
	const page, flushEvery = 2000, 50_000
	d := newLedgerDelta()
	var last int64
	held := 0
	for {
		rows, err := tx.query(ctx, entrySelect+` WHERE id > ? AND deleted = 0 ORDER BY id LIMIT ?`, last, page)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return err
			}
			last, n = e.ID, n+1
			if t := types[e.TypeID]; t != nil {
				d.add(t, e, 1)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		held += n
		if n < page || held >= flushEvery {
			if err := d.write(ctx, tx); err != nil {
				return err
			}
			d, held = newLedgerDelta(), 0
		}
		if n < page {
			return nil
		}
	}
}

// RebuildLedgerSums recounts the ledgers' kept sums from the entries, in
// one transaction: a repair for a database whose entries were changed by
// hand or by a tool that wrote them without the store.
func (db *DB) RebuildLedgerSums(ctx context.Context) error {
	return db.inTx(ctx, func(tx conn) error { return rebuildLedgerSums(ctx, tx) })
}

// upsertRows inserts rows of equal width, many to a statement, each
// statement ending with suffix (an ON CONFLICT clause). The rows must not
// repeat a key.
func upsertRows(ctx context.Context, tx conn, insert, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := len(rows[0])
	per := batchParams / cols
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(part)*cols)
		for _, r := range part {
			args = append(args, r...)
		}
		row := "(" + placeholders(cols) + ")"
		if _, err := tx.exec(ctx, insert+strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")+suffix, args...); err != nil {
			return err
		}
	}
	return nil
}

// placeEntries sets the subdistrict of entries stored with none (a demo
// or an import writing the store directly): its community's, else the
// first subdistrict (recordJurisdiction).
func placeEntries(ctx context.Context, tx conn, entries []*ledger.Entry) error {
	var first int64
	var comms map[int64]int64
	for _, e := range entries {
		if e.JurisdictionID != 0 {
			continue
		}
		if e.CommunityID != 0 {
			if comms == nil {
				comms = map[int64]int64{}
				rows, err := tx.query(ctx, `SELECT id, jurisdiction_id FROM communities`)
				if err != nil {
					return err
				}
				for rows.Next() {
					var id, j int64
					if err := rows.Scan(&id, &j); err != nil {
						rows.Close()
						return err
					}
					comms[id] = j
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			if j := comms[e.CommunityID]; j != 0 {
				e.JurisdictionID = j
				continue
			}
		}
		if first == 0 {
			var err error
			if first, err = recordJurisdiction(ctx, tx, 0); err != nil {
				return err
			}
		}
		e.JurisdictionID = first
	}
	return nil
}
