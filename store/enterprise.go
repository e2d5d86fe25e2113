package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enterprise"
)

// Enterprises implements enterprise.Store.
type Enterprises struct{ db *DB }

// Enterprises returns the enterprise registry's store.
func (db *DB) Enterprises() *Enterprises { return &Enterprises{db: db} }

var _ enterprise.Store = (*Enterprises)(nil)

// Atomic runs fn in one write transaction (DB.Atomic).
func (s *Enterprises) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomic(ctx, fn)
}

func joinTags(tags []enterprise.Tag) string {
	if len(tags) == 0 {
		return ""
	}
	ss := make([]string, len(tags))
	for i, t := range tags {
		ss[i] = string(t)
	}
	return "," + strings.Join(ss, ",") + ","
}

func splitTags(s string) []enterprise.Tag {
	var out []enterprise.Tag
	for _, t := range strings.Split(strings.Trim(s, ","), ",") {
		if t != "" {
			out = append(out, enterprise.Tag(t))
		}
	}
	return out
}

const enterpriseCols = `e.id, e.credit_code, e.name, e.former_names, e.industry, e.registered_on, e.status, e.size, e.tags, e.onboarded_on, e.contact_name, e.contact_phone, e.code_override, e.jurisdiction_id`

func scanEnterprise(sc interface{ Scan(...any) error }) (*enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	var former, tags string
	err := sc.Scan(&e.ID, &e.CreditCode, &e.Name, &former, &e.Industry, &e.RegisteredOn, &e.Status, &e.Size, &tags,
		&e.OnboardedOn, &e.ContactName, &e.ContactPhone, &e.CodeOverride, &e.JurisdictionID)
	if err != nil {
		return nil, mapError(err)
	}
	if former != "" {
		e.FormerNames = strings.Split(former, "\n")
	}
	e.Tags = splitTags(tags)
	return &e, nil
}

// SaveEnterprise inserts an enterprise or updates the one of its code.
func (s *Enterprises) SaveEnterprise(ctx context.Context, e *enterprise.Enterprise) error {
	return s.db.inTx(ctx, func(tx conn) error { return s.saveEnterprise(ctx, tx, e) })
}

func (s *Enterprises) saveEnterprise(ctx context.Context, tx conn, e *enterprise.Enterprise) error {
	if err := s.bump(ctx, tx); err != nil {
		return err
	}
	j, err := recordJurisdiction(ctx, tx, e.JurisdictionID)
	if err != nil {
		return err
	}
	e.JurisdictionID = j
	id, err := tx.insert(ctx, `INSERT INTO enterprises (credit_code, name, former_names, industry, registered_on, status, size, tags, onboarded_on, contact_name, contact_phone, code_override, jurisdiction_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, former_names = excluded.former_names, industry = excluded.industry,
			registered_on = excluded.registered_on, status = excluded.status, size = excluded.size, tags = excluded.tags,
			onboarded_on = excluded.onboarded_on, contact_name = excluded.contact_name, contact_phone = excluded.contact_phone,
			code_override = excluded.code_override, jurisdiction_id = excluded.jurisdiction_id`,
		e.CreditCode, e.Name, strings.Join(e.FormerNames, "\n"), e.Industry, string(e.RegisteredOn), string(e.Status), e.Size,
		joinTags(e.Tags), string(e.OnboardedOn), e.ContactName, e.ContactPhone, e.CodeOverride, e.JurisdictionID)
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// bump adds one to the version of the tiers' data, in the write's
// transaction when there is one.
func (s *Enterprises) bump(ctx context.Context, c conn) error {
	_, err := c.exec(ctx, `UPDATE enterprise_version SET version = version + 1 WHERE id = 1`)
	return err
}

// Version is the version of the data the tiers are computed from.
func (s *Enterprises) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.readIn(ctx).queryRow(ctx, `SELECT version FROM enterprise_version WHERE id = 1`).Scan(&v)
	return v, mapError(err)
}

// readIn is the transaction ctx carries (inside Atomic: an import reads
// what it wrote), else the read pool.
func (s *Enterprises) readIn(ctx context.Context) conn {
	if c := s.db.writer().joined(ctx); c.q != s.db.write {
		return c
	}
	return s.db.reader()
}

func notFoundEnterprise(err error) error {
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return jiedao.NotFound("企业", "enterprise")
	}
	return err
}

func (s *Enterprises) GetEnterprise(ctx context.Context, id int64) (*enterprise.Enterprise, error) {
	e, err := scanEnterprise(s.readIn(ctx).queryRow(ctx, `SELECT `+enterpriseCols+` FROM enterprises e WHERE e.id = ?`, id))
	return e, notFoundEnterprise(err)
}

func (s *Enterprises) EnterpriseByCode(ctx context.Context, code string) (*enterprise.Enterprise, error) {
	e, err := scanEnterprise(s.readIn(ctx).queryRow(ctx, `SELECT `+enterpriseCols+` FROM enterprises e WHERE e.credit_code = ?`, code))
	return e, notFoundEnterprise(err)
}

// EnterpriseIDs maps the codes that exist to their ids, reading in
// chunks (within a transaction, through it).
func (s *Enterprises) EnterpriseIDs(ctx context.Context, codes []string, jurisdiction int64) (map[string]int64, error) {
	out := make(map[string]int64, len(codes))
	c := s.readIn(ctx)
	const chunk = 500
	for i := 0; i < len(codes); i += chunk {
		part := codes[i:min(i+chunk, len(codes))]
		args := make([]any, len(part))
		for j, code := range part {
			args[j] = code
		}
		q := `SELECT credit_code, id FROM enterprises WHERE credit_code IN (?` + strings.Repeat(", ?", len(part)-1) + `)`
		if jurisdiction != 0 {
			q += ` AND jurisdiction_id = ?`
			args = append(args, jurisdiction)
		}
		rows, err := c.q.QueryContext(ctx, s.db.rebind(q), args...)
		if err != nil {
			return nil, mapError(err)
		}
		for rows.Next() {
			var code string
			var id int64
			if err := rows.Scan(&code, &id); err != nil {
				rows.Close()
				return nil, mapError(err)
			}
			out[code] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError(err)
		}
	}
	return out, nil
}

// enterpriseWhere builds the WHERE clause of a filter.
func enterpriseWhere(f enterprise.Filter) (string, []any) {
	var w []string
	var args []any
	if f.Query != "" {
		w = append(w, "(e.name LIKE ? OR e.credit_code LIKE ? OR e.former_names LIKE ?)")
		q := "%" + f.Query + "%"
		args = append(args, q, q, q)
	}
	if f.Tag != "" {
		w = append(w, "e.tags LIKE ?")
		args = append(args, "%,"+string(f.Tag)+",%")
	}
	if f.Status != "" {
		w = append(w, "e.status = ?")
		args = append(args, string(f.Status))
	}
	if f.OnboardedTo != "" {
		w = append(w, "e.onboarded_on <> '' AND e.onboarded_on < ?")
		args = append(args, string(f.OnboardedTo))
	}
	if f.RegisteredFrom != "" {
		w = append(w, "e.registered_on >= ?")
		args = append(args, string(f.RegisteredFrom))
	}
	if f.RegisteredTo != "" {
		w = append(w, "e.registered_on <> '' AND e.registered_on < ?")
		args = append(args, string(f.RegisteredTo))
	}
	if f.Jurisdiction != 0 {
		w = append(w, "e.jurisdiction_id = ?")
		args = append(args, f.Jurisdiction)
	}
	if f.BuildingID != 0 {
		w = append(w, `EXISTS (SELECT 1 FROM tenancies t JOIN rooms r ON r.id = t.room_id WHERE t.enterprise_id = e.id AND r.building_id = ?
			AND t.start_on <= ? AND (t.end_on = '' OR t.end_on > ?))`)
		args = append(args, f.BuildingID, string(f.Now), string(f.Now))
	}
	if len(w) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w, " AND "), args
}

func (s *Enterprises) ListEnterprises(ctx context.Context, f enterprise.Filter) ([]enterprise.Enterprise, error) {
	where, args := enterpriseWhere(f)
	q := `SELECT ` + enterpriseCols + ` FROM enterprises e` + where + ` ORDER BY e.id`
	if f.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Enterprise
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, mapError(rows.Err())
}

func (s *Enterprises) CountEnterprises(ctx context.Context, f enterprise.Filter) (int, error) {
	where, args := enterpriseWhere(f)
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM enterprises e`+where, args...).Scan(&n)
	return n, mapError(err)
}

func (s *Enterprises) AddCertification(ctx context.Context, c *enterprise.Certification) error {
	id, err := s.db.writer().insert(ctx, `INSERT INTO certifications (enterprise_id, kind, awarded_on, expires_on) VALUES (?, ?, ?, ?)`,
		c.EnterpriseID, string(c.Kind), string(c.AwardedOn), string(c.ExpiresOn))
	c.ID = id
	return err
}

func certWhere(f enterprise.CertFilter) (string, []any) {
	var w []string
	var args []any
	if f.EnterpriseID != 0 {
		w = append(w, "c.enterprise_id = ?")
		args = append(args, f.EnterpriseID)
	}
	if f.Kind != "" {
		w = append(w, "c.kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.AwardedFrom != "" {
		w = append(w, "c.awarded_on >= ?")
		args = append(args, string(f.AwardedFrom))
	}
	if f.AwardedTo != "" {
		w = append(w, "c.awarded_on < ?")
		args = append(args, string(f.AwardedTo))
	}
	if f.Jurisdiction != 0 {
		w = append(w, "c.enterprise_id IN (SELECT j.id FROM enterprises j WHERE j.jurisdiction_id = ?)")
		args = append(args, f.Jurisdiction)
	}
	if len(w) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w, " AND "), args
}

func (s *Enterprises) ListCertifications(ctx context.Context, f enterprise.CertFilter) ([]enterprise.CertRow, error) {
	where, args := certWhere(f)
	q := `SELECT c.id, c.enterprise_id, c.kind, c.awarded_on, c.expires_on, e.name FROM certifications c JOIN enterprises e ON e.id = c.enterprise_id` +
		where + ` ORDER BY c.awarded_on, c.id`
	if f.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.CertRow
	for rows.Next() {
		var c enterprise.CertRow
		if err := rows.Scan(&c.ID, &c.EnterpriseID, &c.Kind, &c.AwardedOn, &c.ExpiresOn, &c.Enterprise); err != nil {
			return nil, mapError(err)
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

func (s *Enterprises) CountCertifications(ctx context.Context, f enterprise.CertFilter) (int, error) {
	where, args := certWhere(f)
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM certifications c`+where, args...).Scan(&n)
	return n, mapError(err)
}

func (s *Enterprises) SaveBuilding(ctx context.Context, b *enterprise.Building) error {
	return s.db.inTx(ctx, func(tx conn) error { return s.saveBuilding(ctx, tx, b) })
}

func (s *Enterprises) saveBuilding(ctx context.Context, tx conn, b *enterprise.Building) error {
	if err := s.bump(ctx, tx); err != nil {
		return err
	}
	j, err := recordJurisdiction(ctx, tx, b.JurisdictionID)
	if err != nil {
		return err
	}
	b.JurisdictionID = j
	id, err := tx.insert(ctx, `INSERT INTO buildings (name, address, lat, lon, floor_area, floors, grid_id, operator, jurisdiction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET address = excluded.address, lat = excluded.lat, lon = excluded.lon, floor_area = excluded.floor_area,
			floors = excluded.floors, grid_id = excluded.grid_id, operator = excluded.operator, jurisdiction_id = excluded.jurisdiction_id`,
		b.Name, b.Address, b.Lat, b.Lon, b.FloorArea, b.Floors, b.GridID, b.Operator, b.JurisdictionID)
	if err != nil {
		return err
	}
	b.ID = id
	return nil
}

const buildingCols = `id, name, address, lat, lon, floor_area, floors, grid_id, operator, jurisdiction_id`

func scanBuilding(sc interface{ Scan(...any) error }) (*enterprise.Building, error) {
	var b enterprise.Building
	err := sc.Scan(&b.ID, &b.Name, &b.Address, &b.Lat, &b.Lon, &b.FloorArea, &b.Floors, &b.GridID, &b.Operator, &b.JurisdictionID)
	return &b, mapError(err)
}

func (s *Enterprises) GetBuilding(ctx context.Context, id int64) (*enterprise.Building, error) {
	b, err := scanBuilding(s.db.reader().queryRow(ctx, `SELECT `+buildingCols+` FROM buildings WHERE id = ?`, id))
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.NotFound("楼宇", "building")
	}
	return b, err
}

func (s *Enterprises) RoomBuilding(ctx context.Context, roomID int64) (int64, error) {
	var id int64
	err := s.db.reader().queryRow(ctx, `SELECT building_id FROM rooms WHERE id = ?`, roomID).Scan(&id)
	if jiedao.ErrorCode(mapError(err)) == jiedao.ENOTFOUND {
		return 0, jiedao.NotFound("房间", "room")
	}
	return id, mapError(err)
}

func (s *Enterprises) ListBuildings(ctx context.Context) ([]enterprise.Building, error) {
	rows, err := s.db.reader().query(ctx, `SELECT `+buildingCols+` FROM buildings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Building
	for rows.Next() {
		b, err := scanBuilding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *b)
	}
	return out, mapError(rows.Err())
}

func (s *Enterprises) SaveRoom(ctx context.Context, r *enterprise.Room) error {
	return s.db.inTx(ctx, func(tx conn) error { return s.saveRoom(ctx, tx, r) })
}

func (s *Enterprises) saveRoom(ctx context.Context, tx conn, r *enterprise.Room) error {
	if err := s.bump(ctx, tx); err != nil {
		return err
	}
	id, err := tx.insert(ctx, `INSERT INTO rooms (building_id, floor, number, area) VALUES (?, ?, ?, ?)
		ON CONFLICT (building_id, floor, number) DO UPDATE SET area = excluded.area`, r.BuildingID, r.Floor, r.Number, r.Area)
	if jiedao.ErrorCode(err) == jiedao.ECONFLICT || isForeignKey(err) {
		return jiedao.NotFound("楼宇", "building")
	}
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

// isForeignKey reports a reference to a missing row.
func isForeignKey(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "foreign key")
}

func (s *Enterprises) ListRooms(ctx context.Context, buildingID int64) ([]enterprise.Room, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, building_id, floor, number, area FROM rooms WHERE building_id = ? ORDER BY floor, number`, buildingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Room
	for rows.Next() {
		var r enterprise.Room
		if err := rows.Scan(&r.ID, &r.BuildingID, &r.Floor, &r.Number, &r.Area); err != nil {
			return nil, mapError(err)
		}
		out = append(out, r)
	}
	return out, mapError(rows.Err())
}

// AddTenancy stores a tenancy unless it overlaps another in its room:
// the room's row is locked first (PostgreSQL; SQLite's transaction locks
// the database), so that two overlapping tenancies cannot both pass.
func (s *Enterprises) AddTenancy(ctx context.Context, t *enterprise.Tenancy) error {
	return s.db.inTx(ctx, func(tx conn) error {
		var bid int64
		if err := tx.queryRow(ctx, `SELECT building_id FROM rooms WHERE id = ?`+s.db.forUpdate(), t.RoomID).Scan(&bid); err != nil {
			if jiedao.ErrorCode(mapError(err)) == jiedao.ENOTFOUND {
				return jiedao.NotFound("房间", "room")
			}
			return mapError(err)
		}
		var other enterprise.Tenancy
		end := string(t.End)
		err := tx.queryRow(ctx, `SELECT id, start_on, end_on FROM tenancies WHERE room_id = ?
			AND (end_on = '' OR end_on > ?) AND (? = '' OR start_on < ?) ORDER BY start_on LIMIT 1`,
			t.RoomID, string(t.Start), end, end).Scan(&other.ID, &other.Start, &other.End)
		if err == nil {
			return enterprise.ErrOverlap(*t, other)
		} else if err != sql.ErrNoRows {
			return mapError(err)
		}
		if err := s.bump(ctx, tx); err != nil {
			return err
		}
		id, err := tx.insert(ctx, `INSERT INTO tenancies (enterprise_id, room_id, start_on, end_on) VALUES (?, ?, ?, ?)`,
			t.EnterpriseID, t.RoomID, string(t.Start), end)
		if isForeignKey(err) {
			return jiedao.NotFound("企业", "enterprise")
		}
		t.ID, t.BuildingID = id, bid
		return err
	})
}

func (s *Enterprises) EndTenancy(ctx context.Context, id int64, end enterprise.Date) error {
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE tenancies SET end_on = ? WHERE id = ? AND end_on = '' AND start_on < ?`, string(end), id, string(end))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return jiedao.Errorf(jiedao.ECONFLICT, "租约不存在、已结束或结束日期早于开始日期", "the tenancy does not exist, has ended, or the end is not after its start")
		}
		return s.bump(ctx, tx)
	})
}

func (s *Enterprises) ListTenancies(ctx context.Context, enterpriseID, buildingID int64) ([]enterprise.Tenancy, error) {
	q := `SELECT t.id, t.enterprise_id, t.room_id, t.start_on, t.end_on, r.building_id, e.name, b.name, r.floor, r.number, b.jurisdiction_id
		FROM tenancies t JOIN rooms r ON r.id = t.room_id JOIN buildings b ON b.id = r.building_id JOIN enterprises e ON e.id = t.enterprise_id`
	var args []any
	switch {
	case enterpriseID != 0:
		q += ` WHERE t.enterprise_id = ?`
		args = append(args, enterpriseID)
	case buildingID != 0:
		q += ` WHERE r.building_id = ?`
		args = append(args, buildingID)
	}
	q += ` ORDER BY t.start_on, t.id`
	rows, err := s.readIn(ctx).query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Tenancy
	for rows.Next() {
		var t enterprise.Tenancy
		if err := rows.Scan(&t.ID, &t.EnterpriseID, &t.RoomID, &t.Start, &t.End, &t.BuildingID, &t.Enterprise, &t.Building, &t.Floor, &t.Room, &t.JurisdictionID); err != nil {
			return nil, mapError(err)
		}
		out = append(out, t)
	}
	return out, mapError(rows.Err())
}

// PutTax stores monthly tax rows, replacing a row of the same enterprise
// and month, in statements of up to taxBatch rows (a later row of the
// same enterprise and month wins).
func (s *Enterprises) PutTax(ctx context.Context, rows []enterprise.MonthTax) error {
	return s.db.inTx(ctx, func(tx conn) error {
		if err := s.bump(ctx, tx); err != nil {
			return err
		}
		type key struct {
			e int64
			m string
		}
		for start := 0; start < len(rows); start += taxBatch {
			part := rows[start:min(start+taxBatch, len(rows))]
			// One statement may not upsert the same row twice.
			last := make(map[key]int, len(part))
			for i, r := range part {
				last[key{r.EnterpriseID, r.Month}] = i
			}
			var b strings.Builder
			b.WriteString(`INSERT INTO monthly_tax (enterprise_id, month, amount) VALUES `)
			args := make([]any, 0, 3*len(part))
			n := 0
			for i, r := range part {
				if last[key{r.EnterpriseID, r.Month}] != i {
					continue
				}
				if n > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?)")
				args = append(args, r.EnterpriseID, r.Month, int64(r.Amount))
				n++
			}
			b.WriteString(` ON CONFLICT (enterprise_id, month) DO UPDATE SET amount = excluded.amount`)
			if _, err := tx.exec(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// taxBatch is how many tax rows one statement writes.
const taxBatch = 200

func (s *Enterprises) ListTax(ctx context.Context, enterpriseID int64, fromMonth, toMonth string) ([]enterprise.MonthTax, error) {
	q := `SELECT enterprise_id, month, amount FROM monthly_tax WHERE month >= ? AND month < ?`
	args := []any{fromMonth, toMonth}
	if enterpriseID != 0 {
		q += ` AND enterprise_id = ?`
		args = append(args, enterpriseID)
	}
	q += ` ORDER BY enterprise_id, month`
	rows, err := s.db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.MonthTax
	for rows.Next() {
		var t enterprise.MonthTax
		if err := rows.Scan(&t.EnterpriseID, &t.Month, &t.Amount); err != nil {
			return nil, mapError(err)
		}
		out = append(out, t)
	}
	return out, mapError(rows.Err())
}

// TaxByYear sums each enterprise's tax per year over [fromYear, toYear]:
// one grouped query a year, grouped by the primary key's first column so
// that no sort is needed.
func (s *Enterprises) TaxByYear(ctx context.Context, fromYear, toYear int) ([]enterprise.YearTax, error) {
	var out []enterprise.YearTax
	for y := fromYear; y <= toYear; y++ {
		rows, err := s.db.reader().query(ctx, `SELECT enterprise_id, CAST(SUM(amount) AS BIGINT) FROM monthly_tax
			WHERE month >= ? AND month < ? GROUP BY enterprise_id`, fmt.Sprintf("%04d-01", y), fmt.Sprintf("%04d-01", y+1))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			t := enterprise.YearTax{Year: y}
			if err := rows.Scan(&t.EnterpriseID, &t.Amount); err != nil {
				rows.Close()
				return nil, mapError(err)
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError(err)
		}
	}
	return out, nil
}

func (s *Enterprises) AddMove(ctx context.Context, m *enterprise.Move) error {
	id, err := s.db.writer().insert(ctx, `INSERT INTO enterprise_moves (enterprise_id, direction, moved_on, from_place, to_place, annual_tax) VALUES (?, ?, ?, ?, ?, ?)`,
		m.EnterpriseID, string(m.Direction), string(m.On), m.From, m.To, int64(m.AnnualTax))
	if isForeignKey(err) {
		return jiedao.NotFound("企业", "enterprise")
	}
	m.ID = id
	return err
}

func (s *Enterprises) ListMoves(ctx context.Context, enterpriseID int64, from, to enterprise.Date) ([]enterprise.Move, error) {
	q := `SELECT m.id, m.enterprise_id, e.name, m.direction, m.moved_on, m.from_place, m.to_place, m.annual_tax, e.jurisdiction_id
		FROM enterprise_moves m JOIN enterprises e ON e.id = m.enterprise_id WHERE m.moved_on >= ? AND m.moved_on < ?`
	args := []any{string(from), string(to)}
	if enterpriseID != 0 {
		q += ` AND m.enterprise_id = ?`
		args = append(args, enterpriseID)
	}
	rows, err := s.db.reader().query(ctx, q+` ORDER BY m.moved_on, m.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Move
	for rows.Next() {
		var m enterprise.Move
		if err := rows.Scan(&m.ID, &m.EnterpriseID, &m.Enterprise, &m.Direction, &m.On, &m.From, &m.To, &m.AnnualTax, &m.JurisdictionID); err != nil {
			return nil, mapError(err)
		}
		out = append(out, m)
	}
	return out, mapError(rows.Err())
}

func (s *Enterprises) SavePlan(ctx context.Context, p *enterprise.VisitPlan) error {
	id, err := s.db.writer().insert(ctx, `INSERT INTO visit_plans (staff_id, enterprise_id, every_days) VALUES (?, ?, ?)
		ON CONFLICT (staff_id, enterprise_id) DO UPDATE SET every_days = excluded.every_days`, p.StaffID, p.EnterpriseID, p.EveryDays)
	if isForeignKey(err) {
		return jiedao.NotFound("企业或人员", "enterprise or staff")
	}
	p.ID = id
	return err
}

// ListPlans lists a staff member's plan with each enterprise's last visit
// by anyone and the day the next is due, the earliest due first.
func (s *Enterprises) ListPlans(ctx context.Context, staffID int64) ([]enterprise.VisitPlan, error) {
	rows, err := s.db.reader().query(ctx, `SELECT p.id, p.staff_id, p.enterprise_id, p.every_days, e.name, e.jurisdiction_id,
		COALESCE((SELECT MAX(v.visited_on) FROM visits v WHERE v.enterprise_id = p.enterprise_id), '')
		FROM visit_plans p JOIN enterprises e ON e.id = p.enterprise_id WHERE p.staff_id = ? ORDER BY p.id`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.VisitPlan
	for rows.Next() {
		var p enterprise.VisitPlan
		if err := rows.Scan(&p.ID, &p.StaffID, &p.EnterpriseID, &p.EveryDays, &p.Enterprise, &p.JurisdictionID, &p.LastVisit); err != nil {
			return nil, mapError(err)
		}
		if p.LastVisit != "" {
			p.Due = p.LastVisit.AddDays(p.EveryDays)
		}
		out = append(out, p)
	}
	sortPlans(out)
	return out, mapError(rows.Err())
}

// sortPlans puts the never-visited first, then by due day.
func sortPlans(ps []enterprise.VisitPlan) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Due < ps[j-1].Due; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func (s *Enterprises) AddVisit(ctx context.Context, v *enterprise.Visit) error {
	var staff any
	if v.StaffID != 0 {
		staff = v.StaffID
	}
	id, err := s.db.writer().insert(ctx, `INSERT INTO visits (enterprise_id, staff_id, visited_on, findings) VALUES (?, ?, ?, ?)`,
		v.EnterpriseID, staff, string(v.On), v.Findings)
	if isForeignKey(err) {
		return jiedao.NotFound("企业", "enterprise")
	}
	v.ID = id
	return err
}

func (s *Enterprises) ListVisits(ctx context.Context, enterpriseID, jurisdiction int64, from, to enterprise.Date, limit, offset int) ([]enterprise.Visit, error) {
	q := `SELECT v.id, v.enterprise_id, e.name, COALESCE(v.staff_id, 0), COALESCE(st.name, ''), v.visited_on, v.findings, e.jurisdiction_id
		FROM visits v JOIN enterprises e ON e.id = v.enterprise_id LEFT JOIN staff st ON st.id = v.staff_id WHERE v.visited_on >= ? AND v.visited_on < ?`
	args := []any{string(from), string(to)}
	if enterpriseID != 0 {
		q += ` AND v.enterprise_id = ?`
		args = append(args, enterpriseID)
	}
	if jurisdiction != 0 {
		q += ` AND e.jurisdiction_id = ?`
		args = append(args, jurisdiction)
	}
	q += ` ORDER BY v.visited_on, v.id`
	if limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, limit, offset)
	}
	rows, err := s.db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Visit
	for rows.Next() {
		var v enterprise.Visit
		if err := rows.Scan(&v.ID, &v.EnterpriseID, &v.Enterprise, &v.StaffID, &v.Staff, &v.On, &v.Findings, &v.JurisdictionID); err != nil {
			return nil, mapError(err)
		}
		out = append(out, v)
	}
	return out, mapError(rows.Err())
}

func (s *Enterprises) CountVisits(ctx context.Context, jurisdiction int64, from, to enterprise.Date) (int, error) {
	q := `SELECT COUNT(*) FROM visits WHERE visited_on >= ? AND visited_on < ?`
	args := []any{string(from), string(to)}
	if jurisdiction != 0 {
		q += ` AND enterprise_id IN (SELECT j.id FROM enterprises j WHERE j.jurisdiction_id = ?)`
		args = append(args, jurisdiction)
	}
	var n int
	err := s.db.reader().queryRow(ctx, q, args...).Scan(&n)
	return n, mapError(err)
}

func (s *Enterprises) LinkDemand(ctx context.Context, d enterprise.Demand) error {
	var visit any
	if d.VisitID != 0 {
		visit = d.VisitID
	}
	_, err := s.db.writer().exec(ctx, `INSERT INTO enterprise_demands (case_id, enterprise_id, visit_id) VALUES (?, ?, ?)`, d.CaseID, d.EnterpriseID, visit)
	if isForeignKey(err) {
		return jiedao.NotFound("案件、企业或走访", "case, enterprise or visit")
	}
	return err
}

func (s *Enterprises) ListDemands(ctx context.Context, enterpriseID int64) ([]enterprise.Demand, error) {
	rows, err := s.db.reader().query(ctx, `SELECT d.case_id, d.enterprise_id, COALESCE(d.visit_id, 0), c.number, c.title, c.status, c.reported_at
		FROM enterprise_demands d JOIN cases c ON c.id = d.case_id WHERE d.enterprise_id = ? ORDER BY c.reported_at`, enterpriseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enterprise.Demand
	for rows.Next() {
		var d enterprise.Demand
		var at nullTime
		var status string
		if err := rows.Scan(&d.CaseID, &d.EnterpriseID, &d.VisitID, &d.Number, &d.Title, &status, &at); err != nil {
			return nil, mapError(err)
		}
		d.Status, d.ReportedAt = casework.Status(status), at.Time
		out = append(out, d)
	}
	return out, mapError(rows.Err())
}
