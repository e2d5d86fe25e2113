package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jiedao/jiedao/casework"
)

// Photos is the store of case photos.
type Photos struct{ db *DB }

// Photos returns the photo store of db.
func (db *DB) Photos() *Photos { return &Photos{db: db} }

var _ casework.PhotoStore = (*Photos)(nil)

func (s *Photos) CreatePhoto(ctx context.Context, p *casework.Photo) error {
	var lat, lon any
	if p.Lat != nil && p.Lon != nil {
		lat, lon = *p.Lat, *p.Lon
	}
	id, err := s.db.writer().insert(ctx, `INSERT INTO photos (case_id, claim_hash, content_type, width, height, lat, lon, uploaded_by, created_at, data, thumb)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(p.CaseID), p.ClaimHash, p.ContentType, p.Width, p.Height, lat, lon, p.UploadedBy, p.CreatedAt, p.Data, p.Thumb)
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

const photoColumns = `id, COALESCE(case_id, 0), content_type, width, height, lat, lon, uploaded_by, created_at`

func scanPhoto(sc interface{ Scan(...any) error }, extra ...any) (*casework.Photo, error) {
	p := &casework.Photo{}
	var lat, lon sql.NullFloat64
	var at nullTime
	if err := sc.Scan(append([]any{&p.ID, &p.CaseID, &p.ContentType, &p.Width, &p.Height, &lat, &lon, &p.UploadedBy, &at}, extra...)...); err != nil {
		return nil, mapError(err)
	}
	if lat.Valid && lon.Valid {
		p.Lat, p.Lon = &lat.Float64, &lon.Float64
	}
	p.CreatedAt = at.Time
	return p, nil
}

func (s *Photos) GetPhoto(ctx context.Context, id int64) (*casework.Photo, error) {
	var data, thumb []byte
	p, err := scanPhoto(s.db.reader().queryRow(ctx, `SELECT `+photoColumns+`, data, thumb FROM photos WHERE id = ?`, id), &data, &thumb)
	if err != nil {
		return nil, notFound(err, "照片", "photo")
	}
	p.Data, p.Thumb = data, thumb
	return p, nil
}

func (s *Photos) ListPhotos(ctx context.Context, caseID int64) ([]*casework.Photo, error) {
	rows, err := s.db.reader().query(ctx, `SELECT `+photoColumns+`, thumb FROM photos WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*casework.Photo{}
	for rows.Next() {
		var thumb []byte
		p, err := scanPhoto(rows, &thumb)
		if err != nil {
			return nil, err
		}
		p.Thumb = thumb
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Photos) FirstPhotoIDs(ctx context.Context, caseIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(caseIDs))
	if len(caseIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(caseIDs))
	for i, id := range caseIDs {
		args[i] = id
	}
	rows, err := s.db.reader().query(ctx, `SELECT case_id, MIN(id) FROM photos WHERE case_id IN (`+placeholders(len(args))+`) GROUP BY case_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, id int64
		if err := rows.Scan(&caseID, &id); err != nil {
			return nil, err
		}
		out[caseID] = id
	}
	return out, rows.Err()
}

func (s *Photos) ClaimPhotos(ctx context.Context, caseID int64, hashes []string) ([]int64, error) {
	var ids []int64
	err := s.db.inTx(ctx, func(tx conn) error {
		ids = ids[:0]
		for _, h := range hashes {
			var id int64
			err := tx.queryRow(ctx, `UPDATE photos SET case_id = ? WHERE claim_hash = ? AND (case_id IS NULL OR case_id = ?) RETURNING id`,
				caseID, h, caseID).Scan(&id)
			if err == sql.ErrNoRows {
				continue // removed as stale, or another case's: not this form's to attach
			} else if err != nil {
				return mapError(err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

func (s *Photos) DeleteUnclaimed(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.writer().exec(ctx, `DELETE FROM photos WHERE case_id IS NULL AND created_at < ?`, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
