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
			b, err := json.Marshal(sh)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO duty_shifts (date, data) VALUES (?, ?)
				ON CONFLICT (date) DO UPDATE SET data = excluded.data`, sh.Date, string(b)); err != nil {
				return mapError(err)
			}
		}
		return nil
	})
}

// Shifts returns the shifts of the dates, in order.
func (s *Roster) Shifts(ctx context.Context, first, last string) ([]duty.Shift, error) {
	rows, err := s.db.reader().query(ctx, `SELECT data FROM duty_shifts WHERE date >= ? AND date <= ? ORDER BY date`, first, last)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []duty.Shift
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var sh duty.Shift
		if err := json.Unmarshal([]byte(data), &sh); err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}
