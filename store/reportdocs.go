package store

import (
	"context"
	"database/sql"

	"github.com/jiedao/jiedao/report"
)

// ReportDocs is the store of the work report's words and overrides; it
// implements report.DocStore.
type ReportDocs struct{ db *DB }

// ReportDocs returns the report documents' store of db.
func (db *DB) ReportDocs() *ReportDocs { return &ReportDocs{db: db} }

var _ report.DocStore = (*ReportDocs)(nil)

// SaveTemplate stores a new version of the words.
func (s *ReportDocs) SaveTemplate(ctx context.Context, t report.TemplateVersion) (report.TemplateVersion, error) {
	id, err := s.db.writer().insert(ctx, `INSERT INTO report_templates (body, note, saved_by, saved_at, jurisdiction_id) VALUES (?, ?, ?, ?, ?)`,
		t.Body, t.Note, t.By, s.db.timeArg(t.At), t.JurisdictionID)
	if err != nil {
		return t, err
	}
	t.Version = id
	return t, nil
}

// Templates lists the versions, newest first.
func (s *ReportDocs) Templates(ctx context.Context, jurisdiction int64) ([]report.TemplateVersion, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, body, note, saved_by, saved_at, jurisdiction_id FROM report_templates WHERE jurisdiction_id = ? ORDER BY id DESC`, jurisdiction)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.TemplateVersion
	for rows.Next() {
		var t report.TemplateVersion
		var at nullTime
		if err := rows.Scan(&t.Version, &t.Body, &t.Note, &t.By, &at, &t.JurisdictionID); err != nil {
			return nil, err
		}
		t.At = at.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveOverride stores an override or its withdrawal.
func (s *ReportDocs) SaveOverride(ctx context.Context, o report.Override) (report.Override, error) {
	var v any
	if o.Value != nil {
		v = *o.Value
	}
	id, err := s.db.writer().insert(ctx, `INSERT INTO report_overrides (year, figure_key, value, reason, saved_by, saved_at, jurisdiction_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.Year, o.Key, v, o.Reason, o.By, s.db.timeArg(o.At), o.JurisdictionID)
	if err != nil {
		return o, err
	}
	o.ID = id
	return o, nil
}

// Overrides lists a year's overrides, oldest first.
func (s *ReportDocs) Overrides(ctx context.Context, year int, jurisdiction int64) ([]report.Override, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, year, figure_key, value, reason, saved_by, saved_at, jurisdiction_id FROM report_overrides
		WHERE jurisdiction_id = ? AND year = ? ORDER BY id`, jurisdiction, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Override
	for rows.Next() {
		var o report.Override
		var v sql.NullFloat64
		var at nullTime
		if err := rows.Scan(&o.ID, &o.Year, &o.Key, &v, &o.Reason, &o.By, &at, &o.JurisdictionID); err != nil {
			return nil, err
		}
		if v.Valid {
			x := v.Float64
			o.Value = &x
		}
		o.At = at.Time
		out = append(out, o)
	}
	return out, rows.Err()
}
