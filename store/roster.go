package store

import (
	"context"
	"encoding/json"

	"github.com/jiedao/jiedao/duty"
)

// Roster is the duty desk's roster store.
type Roster struct{ db *DB }

// Roster returns the duty roster store.
func (db *DB) Roster() *Roster { return &Roster{db: db} }

var _ duty.RosterStore = (*Roster)(nil)

// PutShifts stores the shifts in one transaction.
func (s *Roster) PutShifts(ctx context.Context, shifts []duty.Shift) error {
	return s.db.inTx(ctx, func(tx conn) error {
		for _, sh := range shifts {
			j, err := recordJurisdiction(ctx, tx, sh.JurisdictionID)
			if err != nil {
				return err
			}
			sh.JurisdictionID = j
			b, err := json.Marshal(sh)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO duty_shifts (jurisdiction_id, date, data) VALUES (?, ?, ?)
				ON CONFLICT (jurisdiction_id, date) DO UPDATE SET data = excluded.data`, j, sh.Date, string(b)); err != nil {
				return mapError(err)
			}
		}
		return nil
	})
}

// Shifts returns the shifts of the dates, in order.
func (s *Roster) Shifts(ctx context.Context, jurisdiction int64, first, last string) ([]duty.Shift, error) {
	q := `SELECT data, jurisdiction_id FROM duty_shifts WHERE date >= ? AND date <= ?`
	args := []any{first, last}
	if jurisdiction != 0 {
		q += ` AND jurisdiction_id = ?`
		args = append(args, jurisdiction)
	}
	rows, err := s.db.reader().query(ctx, q+` ORDER BY date, jurisdiction_id`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []duty.Shift
	for rows.Next() {
		var data string
		var j int64
		if err := rows.Scan(&data, &j); err != nil {
			return nil, err
		}
		var sh duty.Shift
		if err := json.Unmarshal([]byte(data), &sh); err != nil {
			return nil, err
		}
		sh.JurisdictionID = j
		out = append(out, sh)
	}
	return out, rows.Err()
}
