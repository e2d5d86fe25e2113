package store

import (
	"context"

	"github.com/jiedao/jiedao/calendar"
)

// Calendar is the store of the official calendar.
type Calendar struct {
	db    *DB
	hours calendar.WorkingHours
}

// Calendar returns the calendar store of db, using the given working hours.
func (db *DB) Calendar(hours calendar.WorkingHours) *Calendar {
	return &Calendar{db: db, hours: hours}
}

// Days lists the listed days (holidays and make-up workdays) by date.
func (s *Calendar) Days(ctx context.Context) ([]calendar.Day, error) {
	rows, err := s.db.reader().query(ctx, `SELECT date, kind, name, schedule_year FROM calendar_days ORDER BY date`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []calendar.Day{}
	for rows.Next() {
		var d calendar.Day
		var kind string
		if err := rows.Scan(&d.Date, &kind, &d.Name, &d.ScheduleYear); err != nil {
			return nil, err
		}
		d.Kind = calendar.DayKind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Calendar builds the calendar in force from the stored days. The table is
// small (about 35 rows a year), so it is read whole on each use: an edit by
// an admin in any process takes effect at once everywhere.
func (s *Calendar) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	days, err := s.Days(ctx)
	if err != nil {
		return nil, err
	}
	return calendar.New(days, s.hours), nil
}

// PutDays adds or replaces listed days, all or none.
func (s *Calendar) PutDays(ctx context.Context, days []calendar.Day) error {
	for _, d := range days {
		if err := d.Validate(); err != nil {
			return err
		}
	}
	return s.db.inTx(ctx, func(tx conn) error {
		for _, d := range days {
			if _, err := tx.exec(ctx, `INSERT INTO calendar_days (date, kind, name, schedule_year) VALUES (?, ?, ?, ?)
				ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name, schedule_year = excluded.schedule_year`,
				d.Date, string(d.Kind), d.Name, d.ScheduleYear); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteDay removes a listed day, making it an ordinary day again.
func (s *Calendar) DeleteDay(ctx context.Context, date string) error {
	res, err := s.db.writer().exec(ctx, `DELETE FROM calendar_days WHERE date = ?`, date)
	return affectedOne(res, err, "日历日期", "calendar day")
}

// SeedOfficial loads the embedded official schedule into an empty calendar.
func (s *Calendar) SeedOfficial(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM calendar_days`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	return true, s.PutDays(ctx, calendar.Official())
}
