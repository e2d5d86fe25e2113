package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/org"
)

// Indicators implements indicator.Store (migration 0040): the catalogue,
// values with every version in indicator_value_versions, closed periods
// and targets.
type Indicators struct{ db *DB }

// Indicators returns the indicator store.
func (db *DB) Indicators() *Indicators { return &Indicators{db: db} }

var _ indicator.Store = (*Indicators)(nil)

func (s *Indicators) CreateIndicator(ctx context.Context, i *indicator.Indicator) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO indicators (key, name, name_en, unit, frequency, cumulative, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		i.Key, i.Name, i.NameEn, i.Unit, string(i.Frequency), boolInt(i.Cumulative), i.Source, i.CreatedAt)
	return err
}

const indicatorSelect = `SELECT key, name, name_en, unit, frequency, cumulative, source, created_at FROM indicators`

func scanIndicator(sc interface{ Scan(...any) error }) (*indicator.Indicator, error) {
	i := &indicator.Indicator{}
	var freq string
	var cum int
	var at nullTime
	if err := sc.Scan(&i.Key, &i.Name, &i.NameEn, &i.Unit, &freq, &cum, &i.Source, &at); err != nil {
		return nil, mapError(err)
	}
	i.Frequency, i.Cumulative, i.CreatedAt = indicator.Frequency(freq), cum != 0, at.Time
	return i, nil
}

func (s *Indicators) GetIndicator(ctx context.Context, key string) (*indicator.Indicator, error) {
	if i, ok := s.db.indicators.get(key); ok {
		return i, nil
	}
	i, err := scanIndicator(s.db.reader().queryRow(ctx, indicatorSelect+` WHERE key = ?`, key))
	if err != nil {
		return nil, notFound(err, "指标", "indicator")
	}
	s.db.indicators.put(i)
	return i, nil
}

func (s *Indicators) ListIndicators(ctx context.Context) ([]*indicator.Indicator, error) {
	rows, err := s.db.reader().query(ctx, indicatorSelect+` ORDER BY created_at, key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*indicator.Indicator
	for rows.Next() {
		i, err := scanIndicator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func closedIn(ctx context.Context, c conn) (map[string]bool, error) {
	rows, err := c.query(ctx, `SELECT period FROM indicator_closed`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		m[p] = true
	}
	return m, rows.Err()
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func (s *Indicators) PutValues(ctx context.Context, vals []indicator.Input, by org.Actor, at time.Time, check func(closed map[string]bool) error) error {
	at = at.Truncate(time.Microsecond)
	return s.db.inTx(ctx, func(tx conn) error {
		// The closed periods are read in the writing transaction: on
		// SQLite it holds the write lock, so no close comes between; on
		// PostgreSQL a close committed after this read is not seen by it
		// (read committed), a window of one transaction.
		closed, err := closedIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := check(closed); err != nil {
			return err
		}
		first, err := recordJurisdiction(ctx, tx, 0)
		if err != nil {
			return err
		}
		for _, v := range vals {
			if v.JurisdictionID == 0 {
				v.JurisdictionID = first
			}
			var version int
			if err := tx.queryRow(ctx, `INSERT INTO indicator_values (key, period, value, yoy, rank, version, entered_at, entered_by, jurisdiction_id)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
				ON CONFLICT (key, jurisdiction_id, period) DO UPDATE SET value = excluded.value, yoy = excluded.yoy, rank = excluded.rank,
					version = indicator_values.version + 1, entered_at = excluded.entered_at, entered_by = excluded.entered_by
				RETURNING version`, v.Key, v.Period, v.Value, nullFloat(v.YoY), nullInt(v.Rank), at, by.Name, v.JurisdictionID).Scan(&version); err != nil {
				return mapError(err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO indicator_value_versions (key, period, version, value, yoy, rank, at, by_id, by_name, jurisdiction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				v.Key, v.Period, version, v.Value, nullFloat(v.YoY), nullInt(v.Rank), at, actorID(by), by.Name, v.JurisdictionID); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanValue(sc interface{ Scan(...any) error }) (indicator.Value, error) {
	var v indicator.Value
	var yoy sql.NullFloat64
	var rank sql.NullInt64
	var at nullTime
	if err := sc.Scan(&v.Key, &v.Period, &v.Value, &yoy, &rank, &v.Version, &at, &v.EnteredBy, &v.JurisdictionID); err != nil {
		return v, err
	}
	if yoy.Valid {
		f := yoy.Float64
		v.YoY = &f
	}
	if rank.Valid {
		r := int(rank.Int64)
		v.Rank = &r
	}
	v.EnteredAt = at.Time
	return v, nil
}

func (s *Indicators) values(ctx context.Context, query string, args ...any) ([]indicator.Value, error) {
	rows, err := s.db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Value
	for rows.Next() {
		v, err := scanValue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Indicators) Values(ctx context.Context, key, prefix string, jurisdiction int64) ([]indicator.Value, error) {
	if jurisdiction != 0 {
		return s.values(ctx, `SELECT key, period, value, yoy, rank, version, entered_at, entered_by, jurisdiction_id FROM indicator_values
			WHERE key = ? AND jurisdiction_id = ? AND period >= ? AND period < ? ORDER BY period`, key, jurisdiction, prefix, prefix+"~")
	}
	// Every subdistrict's, summed per period; a period only one
	// subdistrict has keeps that value's own particulars.
	return s.values(ctx, `SELECT key, period, SUM(value),
			CASE WHEN COUNT(*) = 1 THEN MAX(yoy) END, CASE WHEN COUNT(*) = 1 THEN MAX(rank) END,
			MAX(version), MAX(entered_at), CASE WHEN COUNT(*) = 1 THEN MAX(entered_by) ELSE '' END,
			CASE WHEN COUNT(*) = 1 THEN MAX(jurisdiction_id) ELSE 0 END
		FROM indicator_values WHERE key = ? AND period >= ? AND period < ? GROUP BY key, period ORDER BY period`, key, prefix, prefix+"~")
}

func (s *Indicators) ValueHistory(ctx context.Context, key, period string, jurisdiction int64) ([]indicator.Value, error) {
	q := `SELECT key, period, value, yoy, rank, version, at, by_name, jurisdiction_id FROM indicator_value_versions WHERE key = ? AND period = ?`
	args := []any{key, period}
	if jurisdiction != 0 {
		q += ` AND jurisdiction_id = ?`
		args = append(args, jurisdiction)
	}
	return s.values(ctx, q+` ORDER BY jurisdiction_id, version`, args...)
}

func (s *Indicators) ClosePeriod(ctx context.Context, period string, by org.Actor, at time.Time) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO indicator_closed (period, closed_at, closed_by) VALUES (?, ?, ?)`, period, at, by.Name)
	if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
		return jiedao.Errorf(jiedao.ECONFLICT, "%s 已关账", "%s is closed already", period)
	}
	return err
}

func (s *Indicators) ClosedPeriods(ctx context.Context) ([]indicator.Closed, error) {
	rows, err := s.db.reader().query(ctx, `SELECT period, closed_at, closed_by FROM indicator_closed ORDER BY period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indicator.Closed
	for rows.Next() {
		var c indicator.Closed
		var at nullTime
		if err := rows.Scan(&c.Period, &at, &c.ClosedBy); err != nil {
			return nil, err
		}
		c.ClosedAt = at.Time
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Indicators) CreateTarget(ctx context.Context, t *indicator.Target) error {
	if t.Level != indicator.District {
		j, err := recordJurisdiction(ctx, s.db.reader(), t.JurisdictionID)
		if err != nil {
			return err
		}
		t.JurisdictionID = j
	}
	id, err := s.db.writer().insert(ctx, `INSERT INTO targets (year, level, scope, code, key, key2, name, unit, comparison, value, owner, created_at, created_by, jurisdiction_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Year, string(t.Level), t.Scope, t.Code, t.Key, t.Key2, t.Name, t.Unit,
		string(t.Comparison), t.Value, t.Owner, t.CreatedAt, t.CreatedBy, t.JurisdictionID)
	t.ID = id
	return err
}

func (s *Indicators) ListTargets(ctx context.Context, year int) ([]*indicator.Target, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, year, level, scope, code, key, key2, name, unit, comparison, value, owner, created_at, created_by, jurisdiction_id
		FROM targets WHERE year = ? ORDER BY id`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*indicator.Target
	for rows.Next() {
		t := &indicator.Target{}
		var level, cmp string
		var at nullTime
		if err := rows.Scan(&t.ID, &t.Year, &level, &t.Scope, &t.Code, &t.Key, &t.Key2, &t.Name, &t.Unit, &cmp, &t.Value, &t.Owner, &at, &t.CreatedBy, &t.JurisdictionID); err != nil {
			return nil, err
		}
		t.Level, t.Comparison, t.CreatedAt = indicator.Level(level), indicator.Comparison(cmp), at.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Indicators) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomic(ctx, fn)
}

func (s *Indicators) DeleteTarget(ctx context.Context, id int64) error {
	res, err := s.db.writer().exec(ctx, `DELETE FROM targets WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return jiedao.NotFound("目标", "target")
	}
	return nil
}
