package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/campaign"
)

// Campaigns implements campaign.Store (migration 0040).
type Campaigns struct{ db *DB }

// Campaigns returns the campaign store.
func (db *DB) Campaigns() *Campaigns { return &Campaigns{db: db} }

var _ campaign.Store = (*Campaigns)(nil)

func (s *Campaigns) CreateCampaign(ctx context.Context, c *campaign.Campaign) error {
	list, err := json.Marshal(c.Checklist)
	if err != nil {
		return err
	}
	if c.JurisdictionID, err = recordJurisdiction(ctx, s.db.reader(), c.JurisdictionID); err != nil {
		return err
	}
	c.ID, err = s.db.writer().insert(ctx, `INSERT INTO campaigns (code, name, kind, year, checklist, category, created_at, created_by, jurisdiction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Code, c.Name, string(c.Kind), c.Year, string(list), c.Category, c.CreatedAt, c.CreatedBy, c.JurisdictionID)
	return err
}

const campaignSelect = `SELECT id, code, name, kind, year, checklist, category, created_at, created_by, jurisdiction_id FROM campaigns`

func scanCampaign(sc interface{ Scan(...any) error }) (*campaign.Campaign, error) {
	c := &campaign.Campaign{}
	var kind, list string
	var at nullTime
	if err := sc.Scan(&c.ID, &c.Code, &c.Name, &kind, &c.Year, &list, &c.Category, &at, &c.CreatedBy, &c.JurisdictionID); err != nil {
		return nil, mapError(err)
	}
	c.Kind, c.CreatedAt = campaign.Kind(kind), at.Time
	return c, json.Unmarshal([]byte(list), &c.Checklist)
}

func (s *Campaigns) GetCampaign(ctx context.Context, code string) (*campaign.Campaign, error) {
	c, err := scanCampaign(s.db.reader().queryRow(ctx, campaignSelect+` WHERE code = ?`, code))
	return c, notFound(err, "专项行动", "campaign")
}

func (s *Campaigns) ListCampaigns(ctx context.Context) ([]*campaign.Campaign, error) {
	rows, err := s.db.reader().query(ctx, campaignSelect+` ORDER BY year DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*campaign.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const unitInsert = `INSERT INTO campaign_units (campaign_id, unit_key, kind, name, address, community_id, lat, lon, status, result, checked_by) VALUES `

func (s *Campaigns) AddUnits(ctx context.Context, campaignID int64, units []*campaign.Unit) error {
	return s.db.inTx(ctx, func(tx conn) error {
		b := &rowBatch{insert: unitInsert, cols: 11}
		for _, u := range units {
			if err := b.add(ctx, tx, campaignID, u.Key, string(u.Kind), u.Name, u.Address, nullID(u.CommunityID), nullFloat(u.Lat), nullFloat(u.Lon),
				string(campaign.Pending), "", ""); err != nil {
				return err
			}
		}
		if err := b.flush(ctx, tx); err != nil {
			if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
				return jiedao.Errorf(jiedao.ECONFLICT, "有单位已在清单中，不能重复导入", "a unit is in the list already")
			}
			return err
		}
		return nil
	})
}

func (s *Campaigns) ExistingKeys(ctx context.Context, campaignID int64, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		part := keys[start:min(start+500, len(keys))]
		args := []any{campaignID}
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := s.db.reader().query(ctx, `SELECT unit_key FROM campaign_units WHERE campaign_id = ? AND unit_key IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const unitSelect = `SELECT u.id, u.campaign_id, u.unit_key, u.kind, u.name, u.address, u.community_id, u.lat, u.lon, u.assignee_id, u.status, u.result, u.checked_day, u.checked_by FROM campaign_units u`

func scanUnit(sc interface{ Scan(...any) error }) (*campaign.Unit, error) {
	u := &campaign.Unit{}
	var kind, status, result string
	var comm, assignee sql.NullInt64
	var lat, lon sql.NullFloat64
	var day sql.NullString
	if err := sc.Scan(&u.ID, &u.CampaignID, &u.Key, &kind, &u.Name, &u.Address, &comm, &lat, &lon, &assignee, &status, &result, &day, &u.CheckedBy); err != nil {
		return nil, mapError(err)
	}
	u.Kind, u.Status, u.CommunityID, u.AssigneeID, u.CheckedDay = campaign.UnitKind(kind), campaign.Status(status), comm.Int64, assignee.Int64, day.String
	if lat.Valid && lon.Valid {
		u.Lat, u.Lon = &lat.Float64, &lon.Float64
	}
	if result != "" {
		u.Result = &campaign.Result{}
		if err := json.Unmarshal([]byte(result), u.Result); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (s *Campaigns) GetUnit(ctx context.Context, id int64) (*campaign.Unit, error) {
	u, err := scanUnit(s.db.reader().queryRow(ctx, unitSelect+` WHERE u.id = ?`, id))
	return u, notFound(err, "检查单位", "unit")
}

func (s *Campaigns) ListUnits(ctx context.Context, f campaign.UnitFilter, limit, offset int) ([]*campaign.Unit, int, error) {
	var conds []string
	var args []any
	if f.CampaignID != 0 {
		conds, args = append(conds, "u.campaign_id = ?"), append(args, f.CampaignID)
	}
	if f.Kind != "" {
		conds, args = append(conds, "u.campaign_id IN (SELECT id FROM campaigns WHERE kind = ?)"), append(args, string(f.Kind))
	}
	if f.CommunityID != 0 {
		conds, args = append(conds, "u.community_id = ?"), append(args, f.CommunityID)
	}
	if f.Jurisdiction != 0 {
		conds, args = append(conds, "u.campaign_id IN (SELECT id FROM campaigns WHERE jurisdiction_id = ?)"), append(args, f.Jurisdiction)
	}
	if f.AssigneeID != 0 {
		conds, args = append(conds, "u.assignee_id = ?"), append(args, f.AssigneeID)
	}
	if f.Status != "" {
		conds, args = append(conds, "u.status = ?"), append(args, string(f.Status))
	}
	if f.From != "" {
		conds, args = append(conds, "u.checked_day >= ?"), append(args, f.From)
	}
	if f.To != "" {
		conds, args = append(conds, "u.checked_day < ?"), append(args, f.To)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	r := s.db.reader()
	var total int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM campaign_units u`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err)
	}
	rows, err := r.query(ctx, unitSelect+where+` ORDER BY u.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*campaign.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

func (s *Campaigns) Assign(ctx context.Context, campaignID int64, unitIDs []int64, staffID int64) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx conn) error {
		for _, id := range unitIDs {
			res, err := tx.exec(ctx, `UPDATE campaign_units SET assignee_id = ? WHERE id = ? AND campaign_id = ?`, staffID, id, campaignID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			if k == 0 {
				return jiedao.Errorf(jiedao.ENOTFOUND, "单位 %d 不在该专项清单中", "unit %d is not in the campaign", id)
			}
			n++
		}
		return nil
	})
	return n, err
}

func (s *Campaigns) SaveCheck(ctx context.Context, u *campaign.Unit, findings []*campaign.Finding) error {
	result, err := json.Marshal(u.Result)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE campaign_units SET status = ?, result = ?, checked_day = ?, checked_by = ? WHERE id = ? AND status = ?`,
			string(u.Status), string(result), u.CheckedDay, u.CheckedBy, u.ID, string(campaign.Pending))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return jiedao.Errorf(jiedao.ECONFLICT, "该单位已检查", "the unit has been checked")
		}
		for _, f := range findings {
			if f.ID, err = tx.insert(ctx, `INSERT INTO campaign_findings (campaign_id, unit_id, item, remark, case_id, rectify_by, created_at, created_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.CampaignID, f.UnitID, f.Item, f.Remark, nullID(f.CaseID), f.RectifyBy, f.CreatedAt, f.CreatedBy); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Campaigns) SetFindingCase(ctx context.Context, findingID, caseID int64) error {
	_, err := s.db.writer().exec(ctx, `UPDATE campaign_findings SET case_id = ? WHERE id = ?`, caseID, findingID)
	return err
}

func (s *Campaigns) SaveResult(ctx context.Context, unitID int64, r *campaign.Result) error {
	result, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.db.writer().exec(ctx, `UPDATE campaign_units SET result = ? WHERE id = ?`, string(result), unitID)
	return err
}

const findingSelect = `SELECT id, campaign_id, unit_id, item, remark, case_id, rectify_by, recheck, recheck_note, rechecked_at, rechecked_by, created_at, created_by FROM campaign_findings`

func scanFinding(sc interface{ Scan(...any) error }) (*campaign.Finding, error) {
	f := &campaign.Finding{}
	var kase sql.NullInt64
	var rechecked, created nullTime
	if err := sc.Scan(&f.ID, &f.CampaignID, &f.UnitID, &f.Item, &f.Remark, &kase, &f.RectifyBy, &f.Recheck, &f.RecheckNote, &rechecked, &f.RecheckedBy, &created, &f.CreatedBy); err != nil {
		return nil, mapError(err)
	}
	f.CaseID, f.RecheckedAt, f.CreatedAt = kase.Int64, rechecked.ptr(), created.Time
	return f, nil
}

func (s *Campaigns) GetFinding(ctx context.Context, id int64) (*campaign.Finding, error) {
	f, err := scanFinding(s.db.reader().queryRow(ctx, findingSelect+` WHERE id = ?`, id))
	return f, notFound(err, "检查发现的问题", "finding")
}

func (s *Campaigns) ListFindings(ctx context.Context, campaignID int64) ([]*campaign.Finding, error) {
	rows, err := s.db.reader().query(ctx, findingSelect+` WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*campaign.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Campaigns) SaveRecheck(ctx context.Context, f *campaign.Finding) error {
	var at any
	if f.RecheckedAt != nil {
		at = f.RecheckedAt.Truncate(time.Microsecond)
	}
	_, err := s.db.writer().exec(ctx, `UPDATE campaign_findings SET recheck = ?, recheck_note = ?, rechecked_at = ?, rechecked_by = ?, case_id = ? WHERE id = ?`,
		f.Recheck, f.RecheckNote, at, f.RecheckedBy, nullID(f.CaseID), f.ID)
	return err
}

func (s *Campaigns) Progress(ctx context.Context, campaignID int64, by string) ([]campaign.ProgressRow, error) {
	col, join := "u.community_id", "LEFT JOIN communities n ON n.id = u.community_id"
	if by == "assignee" {
		col, join = "u.assignee_id", "LEFT JOIN staff n ON n.id = u.assignee_id"
	}
	rows, err := s.db.reader().query(ctx, `SELECT COALESCE(`+col+`, 0), MAX(COALESCE(n.name, '')), COUNT(*),
		SUM(CASE WHEN u.status = 'checked' THEN 1 ELSE 0 END),
		SUM(CASE WHEN u.result LIKE '%"pass":false%' THEN 1 ELSE 0 END)
		FROM campaign_units u `+join+` WHERE u.campaign_id = ? GROUP BY `+col+` ORDER BY 1`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []campaign.ProgressRow
	for rows.Next() {
		var r campaign.ProgressRow
		var id int64
		if err := rows.Scan(&id, &r.Name, &r.Units, &r.Checked, &r.Failed); err != nil {
			return nil, err
		}
		if by == "assignee" {
			r.AssigneeID = id
		} else {
			r.CommunityID = id
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ImportUnits stores units as they stand — assigned, and checked with
// their results — in one transaction: a campaign carried out before it was
// kept here (and the demo's year). A key already in the campaign is a
// conflict and nothing is stored.
func (s *Campaigns) ImportUnits(ctx context.Context, campaignID int64, units []*campaign.Unit) error {
	const insert = `INSERT INTO campaign_units (campaign_id, unit_key, kind, name, address, community_id, lat, lon, assignee_id, status, result, checked_day, checked_by) VALUES `
	return s.db.inTx(ctx, func(tx conn) error {
		b := &rowBatch{insert: insert, cols: 13}
		for _, u := range units {
			result := ""
			if u.Result != nil {
				r, err := json.Marshal(u.Result)
				if err != nil {
					return err
				}
				result = string(r)
			}
			if err := b.add(ctx, tx, campaignID, u.Key, string(u.Kind), u.Name, u.Address, nullID(u.CommunityID), nullFloat(u.Lat), nullFloat(u.Lon),
				nullID(u.AssigneeID), string(u.Status), result, nullString(u.CheckedDay), u.CheckedBy); err != nil {
				return err
			}
		}
		return b.flush(ctx, tx)
	})
}
