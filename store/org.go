package store

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// Org is the store of the organisation.
type Org struct{ db *DB }

// Org returns the organisation store of db.
func (db *DB) Org() *Org { return &Org{db: db} }

var _ org.Store = (*Org)(nil)

func (s *Org) CreateJurisdiction(ctx context.Context, j *org.Jurisdiction) error {
	if err := j.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO jurisdictions (division_code, name, name_en, parent_id, level) VALUES (?, ?, ?, ?, ?)`,
			j.DivisionCode, j.Name, j.NameEn, nullID(j.ParentID), j.Level)
		j.ID = id
		if err != nil {
			return err
		}
		// The jurisdictions are kept in memory with the places.
		return bumpVersion(ctx, tx, "places")
	})
}

// ListJurisdictions lists the jurisdictions: from memory while the
// places' counter stands, since every Open311 call checks its
// jurisdiction_id against them.
func (s *Org) ListJurisdictions(ctx context.Context) ([]*org.Jurisdiction, error) {
	v, err := s.db.cachedVersion(ctx, "places")
	if err != nil {
		return nil, err
	}
	jc := &s.db.jurisdictions
	jc.mu.Lock()
	list, ok := jc.list, jc.version == v && jc.list != nil
	jc.mu.Unlock()
	if !ok {
		if list, err = s.loadJurisdictions(ctx); err != nil {
			return nil, err
		}
		jc.mu.Lock()
		jc.version, jc.list = v, list
		jc.mu.Unlock()
	}
	out := make([]*org.Jurisdiction, len(list))
	for i, j := range list {
		cp := *j
		out[i] = &cp
	}
	return out, nil
}

func (s *Org) loadJurisdictions(ctx context.Context) ([]*org.Jurisdiction, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, division_code, name, name_en, COALESCE(parent_id, 0), level FROM jurisdictions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Jurisdiction{}
	for rows.Next() {
		j := &org.Jurisdiction{}
		if err := rows.Scan(&j.ID, &j.DivisionCode, &j.Name, &j.NameEn, &j.ParentID, &j.Level); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func geometryText(m geo.MultiPolygon) string {
	if len(m) == 0 {
		return ""
	}
	return string(m.MarshalGeoJSON())
}

func parseGeometry(s string) (geo.MultiPolygon, error) {
	if s == "" {
		return nil, nil
	}
	return geo.ParseGeometry([]byte(s))
}

func (s *Org) CreateCommunity(ctx context.Context, c *org.Community) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO communities (jurisdiction_id, code, name, geometry) VALUES (?, ?, ?, ?)`,
			c.JurisdictionID, c.Code, c.Name, geometryText(c.Geometry))
		c.ID = id
		if err != nil {
			return err
		}
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) UpdateCommunity(ctx context.Context, c *org.Community) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE communities SET code = ?, name = ?, geometry = ? WHERE id = ?`, c.Code, c.Name, geometryText(c.Geometry), c.ID)
		if err := affectedOne(res, err, "社区", "community"); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) ListCommunities(ctx context.Context) ([]*org.Community, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, jurisdiction_id, code, name, geometry FROM communities ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Community{}
	for rows.Next() {
		c := &org.Community{}
		var g string
		if err := rows.Scan(&c.ID, &c.JurisdictionID, &c.Code, &c.Name, &g); err != nil {
			return nil, err
		}
		if c.Geometry, err = parseGeometry(g); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Org) CreateGrid(ctx context.Context, g *org.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO grids (community_id, code, name, kind, geometry) VALUES (?, ?, ?, ?, ?)`,
			g.CommunityID, g.Code, g.Name, string(g.Kind), geometryText(g.Geometry))
		g.ID = id
		if err != nil {
			return err
		}
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) UpdateGrid(ctx context.Context, g *org.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE grids SET community_id = ?, code = ?, name = ?, kind = ?, geometry = ? WHERE id = ?`,
			g.CommunityID, g.Code, g.Name, string(g.Kind), geometryText(g.Geometry), g.ID)
		if err := affectedOne(res, err, "网格", "grid"); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) ListGrids(ctx context.Context) ([]*org.Grid, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, community_id, code, name, kind, geometry FROM grids ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Grid{}
	for rows.Next() {
		g := &org.Grid{}
		var kind, geom string
		if err := rows.Scan(&g.ID, &g.CommunityID, &g.Code, &g.Name, &kind, &geom); err != nil {
			return nil, err
		}
		g.Kind = org.GridKind(kind)
		if g.Geometry, err = parseGeometry(geom); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// PlacesVersion changes whenever a grid or community is written.
func (s *Org) PlacesVersion(ctx context.Context) (int64, error) {
	return s.db.cachedVersion(ctx, "places")
}

// GridCommunity returns the community of a grid.
func (s *Org) GridCommunity(ctx context.Context, gridID int64) (int64, error) {
	var id int64
	err := s.db.reader().queryRow(ctx, `SELECT community_id FROM grids WHERE id = ?`, gridID).Scan(&id)
	return id, notFound(mapError(err), "网格", "grid")
}

// UnitExists reports whether a unit exists.
func (s *Org) UnitExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM units WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

func (s *Org) CreateUnit(ctx context.Context, u *org.Unit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO units (code, name, kind, community_id, jurisdiction_id) VALUES (?, ?, ?, ?, ?)`,
			u.Code, u.Name, string(u.Kind), nullID(u.CommunityID), nullID(u.JurisdictionID))
		u.ID = id
		if err != nil {
			return err
		}
		// A unit's subdistrict is kept in memory with the places.
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) UpdateUnit(ctx context.Context, u *org.Unit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE units SET code = ?, name = ?, kind = ?, community_id = ?, jurisdiction_id = ? WHERE id = ?`,
			u.Code, u.Name, string(u.Kind), nullID(u.CommunityID), nullID(u.JurisdictionID), u.ID)
		if err := affectedOne(res, err, "单位", "unit"); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, "places")
	})
}

func (s *Org) ListUnits(ctx context.Context) ([]*org.Unit, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, code, name, kind, COALESCE(community_id, 0), COALESCE(jurisdiction_id, 0) FROM units ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Unit{}
	for rows.Next() {
		u := &org.Unit{}
		var kind string
		if err := rows.Scan(&u.ID, &u.Code, &u.Name, &kind, &u.CommunityID, &u.JurisdictionID); err != nil {
			return nil, err
		}
		u.Kind = org.UnitKind(kind)
		out = append(out, u)
	}
	return out, rows.Err()
}

const staffColumns = `id, username, name, phone, role, COALESCE(unit_id, 0), COALESCE(community_id, 0), grid_ids, active, password_hash, failed_logins, locked_until, created_at, password_changed_at, must_change_password, COALESCE(jurisdiction_id, 0)`

func scanStaff(sc interface{ Scan(...any) error }) (*org.Staff, error) {
	s := &org.Staff{}
	var role, grids string
	var locked, created, changed nullTime
	if err := sc.Scan(&s.ID, &s.Username, &s.Name, &s.Phone, &role, &s.UnitID, &s.CommunityID, &grids, &s.Active,
		&s.PasswordHash, &s.FailedLogins, &locked, &created, &changed, &s.MustChangePassword, &s.JurisdictionID); err != nil {
		return nil, mapError(err)
	}
	s.Role = org.Role(role)
	s.LockedUntil, s.CreatedAt, s.PasswordChangedAt = locked.ptr(), created.Time, changed.ptr()
	if err := json.Unmarshal([]byte(grids), &s.GridIDs); err != nil {
		return nil, err
	}
	return s, nil
}

func gridIDsJSON(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (s *Org) CreateStaff(ctx context.Context, st *org.Staff) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if st.CreatedAt.IsZero() {
		st.CreatedAt = time.Now()
	}
	id, err := s.db.writer().insert(ctx, `INSERT INTO staff (username, name, phone, role, unit_id, community_id, grid_ids, active, password_hash, created_at,
		password_changed_at, must_change_password, jurisdiction_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.Username, st.Name, st.Phone, string(st.Role), nullID(st.UnitID), nullID(st.CommunityID), gridIDsJSON(st.GridIDs), st.Active, st.PasswordHash, st.CreatedAt,
		st.PasswordChangedAt, st.MustChangePassword, nullID(st.JurisdictionID))
	st.ID = id
	return err
}

func (s *Org) UpdateStaff(ctx context.Context, st *org.Staff) error {
	if err := st.Validate(); err != nil {
		return err
	}
	res, err := s.db.writer().exec(ctx, `UPDATE staff SET username = ?, name = ?, phone = ?, role = ?, unit_id = ?, community_id = ?, grid_ids = ?, active = ?, password_hash = ?,
		password_changed_at = ?, must_change_password = ?, jurisdiction_id = ? WHERE id = ?`,
		st.Username, st.Name, st.Phone, string(st.Role), nullID(st.UnitID), nullID(st.CommunityID), gridIDsJSON(st.GridIDs), st.Active, st.PasswordHash,
		st.PasswordChangedAt, st.MustChangePassword, nullID(st.JurisdictionID), st.ID)
	return affectedOne(res, err, "人员", "staff member")
}

func (s *Org) GetStaff(ctx context.Context, id int64) (*org.Staff, error) {
	st, err := scanStaff(s.db.reader().queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
	return st, notFound(err, "人员", "staff member")
}

func (s *Org) GetStaffByUsername(ctx context.Context, username string) (*org.Staff, error) {
	st, err := scanStaff(s.db.reader().queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE username = ?`, username))
	return st, notFound(err, "人员", "staff member")
}

func (s *Org) ListStaff(ctx context.Context) ([]*org.Staff, error) {
	rows, err := s.db.reader().query(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Staff{}
	for rows.Next() {
		st, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Org) RecordLogin(ctx context.Context, staffID int64, failed int, lockedUntil *time.Time) error {
	_, err := s.db.writer().exec(ctx, `UPDATE staff SET failed_logins = ?, locked_until = ? WHERE id = ?`, failed, lockedUntil, staffID)
	return err
}

func (s *Org) CreateSession(ctx context.Context, se *org.Session) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO sessions (token_hash, staff_id, created_at, last_seen, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		se.TokenHash, se.StaffID, se.CreatedAt, se.LastSeen, se.ExpiresAt, se.IP, se.UserAgent)
	return err
}

func (s *Org) ListStaffSessions(ctx context.Context, staffID int64) ([]*org.Session, error) {
	rows, err := s.db.reader().query(ctx, `SELECT token_hash, created_at, last_seen, expires_at, ip, user_agent FROM sessions
		WHERE staff_id = ? ORDER BY created_at DESC, token_hash`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.Session{}
	for rows.Next() {
		se := &org.Session{StaffID: staffID}
		var created, seen, expires nullTime
		if err := rows.Scan(&se.TokenHash, &created, &seen, &expires, &se.IP, &se.UserAgent); err != nil {
			return nil, err
		}
		se.CreatedAt, se.LastSeen, se.ExpiresAt = created.Time, seen.Time, expires.Time
		out = append(out, se)
	}
	return out, rows.Err()
}

func (s *Org) PruneSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	return rowsAffected(s.db.writer().exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen < ?`, now, idleSince))
}

func (s *Org) RecordLoginAttempt(ctx context.Context, a *org.LoginAttempt) error {
	id, err := s.db.writer().insert(ctx, `INSERT INTO login_attempts (at, username, staff_id, ip, user_agent, outcome) VALUES (?, ?, ?, ?, ?, ?)`,
		a.At, a.Username, nullID(a.StaffID), a.IP, a.UserAgent, string(a.Outcome))
	a.ID = id
	return err
}

func (s *Org) ListLoginAttempts(ctx context.Context, staffID int64, limit int) ([]*org.LoginAttempt, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, at, username, COALESCE(staff_id, 0), ip, user_agent, outcome FROM login_attempts
		WHERE staff_id = ? ORDER BY at DESC, id DESC LIMIT ?`, staffID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.LoginAttempt{}
	for rows.Next() {
		a := &org.LoginAttempt{}
		var at nullTime
		var outcome string
		if err := rows.Scan(&a.ID, &at, &a.Username, &a.StaffID, &a.IP, &a.UserAgent, &outcome); err != nil {
			return nil, err
		}
		a.At, a.Outcome = at.Time, org.LoginOutcome(outcome)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Org) PruneLoginAttempts(ctx context.Context, before time.Time) (int64, error) {
	return rowsAffected(s.db.writer().exec(ctx, `DELETE FROM login_attempts WHERE at < ?`, before))
}

// rowsAffected is how many rows a statement changed.
func rowsAffected(res interface{ RowsAffected() (int64, error) }, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Org) GetSession(ctx context.Context, tokenHash string) (*org.Session, error) {
	se := &org.Session{TokenHash: tokenHash}
	var created, seen, expires nullTime
	err := s.db.reader().queryRow(ctx, `SELECT staff_id, created_at, last_seen, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&se.StaffID, &created, &seen, &expires)
	if err != nil {
		return nil, notFound(mapError(err), "会话", "session")
	}
	se.CreatedAt, se.LastSeen, se.ExpiresAt = created.Time, seen.Time, expires.Time
	return se, nil
}

func (s *Org) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.writer().exec(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, at, tokenHash)
	return err
}

func (s *Org) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.writer().exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (s *Org) DeleteStaffSessions(ctx context.Context, staffID int64) error {
	_, err := s.db.writer().exec(ctx, `DELETE FROM sessions WHERE staff_id = ?`, staffID)
	return err
}

func (s *Org) CreateAPIClient(ctx context.Context, c *org.APIClient) error {
	return s.db.inTx(ctx, func(tx conn) error {
		id, err := tx.insert(ctx, `INSERT INTO api_clients (name, channel, key_prefix, key_hash, created_at, jurisdiction_id) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Name, c.Channel, c.KeyPrefix, c.KeyHash, c.CreatedAt, nullID(c.JurisdictionID))
		c.ID = id
		if err != nil {
			return err
		}
		return bumpVersion(ctx, tx, clientsVersion)
	})
}

const clientColumns = `id, name, channel, key_prefix, key_hash, created_at, revoked_at, rate_limit, COALESCE(jurisdiction_id, 0)`

func scanClient(sc interface{ Scan(...any) error }) (*org.APIClient, error) {
	c := &org.APIClient{}
	var created, revoked nullTime
	if err := sc.Scan(&c.ID, &c.Name, &c.Channel, &c.KeyPrefix, &c.KeyHash, &created, &revoked, &c.RateLimit, &c.JurisdictionID); err != nil {
		return nil, mapError(err)
	}
	c.CreatedAt, c.RevokedAt = created.Time, revoked.ptr()
	return c, nil
}

func (s *Org) GetAPIClientByKeyHash(ctx context.Context, keyHash string) (*org.APIClient, error) {
	// Every request of a machine channel looks its key up: from memory
	// while no client changed (versioncache.go).
	return s.cachedClient(ctx, keyHash, func() (*org.APIClient, error) {
		c, err := scanClient(s.db.reader().queryRow(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE key_hash = ?`, keyHash))
		return c, notFound(err, "API 客户端", "API client")
	})
}

func (s *Org) ListAPIClients(ctx context.Context) ([]*org.APIClient, error) {
	rows, err := s.db.reader().query(ctx, `SELECT `+clientColumns+` FROM api_clients ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*org.APIClient{}
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Org) RevokeAPIClient(ctx context.Context, id int64, at time.Time) error {
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE api_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at, id)
		if err := affectedOne(res, err, "API 客户端", "API client"); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, clientsVersion)
	})
}

func (s *Org) SetAPIClientRate(ctx context.Context, id int64, rate string) error {
	return s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE api_clients SET rate_limit = ? WHERE id = ?`, rate, id)
		if err := affectedOne(res, err, "API 客户端", "API client"); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, clientsVersion)
	})
}

// affectedOne turns "no row changed" into a not-found error.
func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, zh, en string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return jiedao.NotFound(zh, en)
	}
	return nil
}

var _ casework.JurisdictionSource = (*Org)(nil)

// CommunityJurisdiction is the subdistrict of a community: from memory
// while the places' counter stands (every new case asks).
func (s *Org) CommunityJurisdiction(ctx context.Context, communityID int64) (int64, error) {
	m, err := s.subdistricts(ctx)
	if err != nil {
		return 0, err
	}
	id, ok := m.communities[communityID]
	if !ok {
		return 0, jiedao.NotFound("社区不存在", "community not found")
	}
	return id, nil
}

// UnitJurisdictions maps each unit of a subdistrict to it; district units
// (no subdistrict) are not in the map. The map is the caller's to keep.
func (s *Org) UnitJurisdictions(ctx context.Context) (map[int64]int64, error) {
	m, err := s.subdistricts(ctx)
	if err != nil {
		return nil, err
	}
	return maps.Clone(m.units), nil
}

// subdistricts returns the communities' and units' subdistricts as read
// at the places' current version.
func (s *Org) subdistricts(ctx context.Context) (*subdistrictMaps, error) {
	v, err := s.db.cachedVersion(ctx, "places")
	if err != nil {
		return nil, err
	}
	sc := &s.db.subdistricts
	sc.mu.Lock()
	m := sc.maps
	sc.mu.Unlock()
	if m != nil && m.version == v {
		return m, nil
	}
	m = &subdistrictMaps{version: v, communities: map[int64]int64{}, units: map[int64]int64{}}
	for _, q := range []struct {
		query string
		into  map[int64]int64
	}{
		{`SELECT id, jurisdiction_id FROM communities`, m.communities},
		{`SELECT id, jurisdiction_id FROM units WHERE jurisdiction_id IS NOT NULL`, m.units},
	} {
		if err := readPairs(ctx, s.db.reader(), q.query, q.into); err != nil {
			return nil, err
		}
	}
	sc.mu.Lock()
	sc.maps = m
	sc.mu.Unlock()
	return m, nil
}

func readPairs(ctx context.Context, c conn, query string, into map[int64]int64) error {
	rows, err := c.query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = v
	}
	return rows.Err()
}

// IsSubdistrict reports whether id is a subdistrict's row.
func (s *Org) IsSubdistrict(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM jurisdictions WHERE id = ? AND level <> ?`, id, org.LevelDistrict).Scan(&n)
	return n > 0, err
}

// UpdateJurisdiction changes a jurisdiction's code, names, parent and level.
func (s *Org) UpdateJurisdiction(ctx context.Context, j *org.Jurisdiction) error {
	if err := j.Validate(); err != nil {
		return err
	}
	res, err := s.db.writer().exec(ctx, `UPDATE jurisdictions SET division_code = ?, name = ?, name_en = ?, parent_id = ?, level = ? WHERE id = ?`,
		j.DivisionCode, j.Name, j.NameEn, nullID(j.ParentID), j.Level, j.ID)
	return affectedOne(res, err, "辖区", "jurisdiction")
}
