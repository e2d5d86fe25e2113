package org

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/geo"
)

// Directory is the service over the organisation: anyone signed in may read
// it (a dispatcher picks a unit, a page names a grid); only admins change it.
type Directory struct {
	Store Store
	// Audit records every change (docs/audit.md); nil records nothing.
	Audit Auditor
}

func requireAdmin(a Actor) error {
	if !a.Is(RoleAdmin) {
		return Forbidden()
	}
	return nil
}

// requireSecurityAdmin admits the security administrator only: accounts,
// roles and passwords are his (三权分立, issue 18). The command line (an
// actor of the system) owns the database and may too.
func requireSecurityAdmin(a Actor) error {
	if !a.Is(RoleSecurityAdmin) && a.Kind != ActorSystem {
		return Forbidden()
	}
	return nil
}

func requireStaff(a Actor) error {
	if a.Kind != ActorStaff && a.Kind != ActorSystem {
		return jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	return nil
}

// Forbidden is the error for a step the caller's role does not allow.
func Forbidden() error {
	return jiedao.Forbidden("您无权执行此操作", "you may not do this")
}

// Jurisdictions lists the jurisdictions.
func (d *Directory) Jurisdictions(ctx context.Context, a Actor) ([]*Jurisdiction, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return d.Store.ListJurisdictions(ctx)
}

// CreateJurisdiction adds a jurisdiction.
func (d *Directory) CreateJurisdiction(ctx context.Context, a Actor, j *Jurisdiction) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if a.JurisdictionID != 0 {
		return jiedao.Forbidden("只有区级管理员可以新增辖区", "only the district's administrator adds jurisdictions")
	}
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		if err := d.Store.CreateJurisdiction(ctx, j); err != nil {
			return err
		}
		return d.audit(ctx, a, AuditJurisdictionCreate, "jurisdiction", j.ID, nil, j)
	})
}

// Communities lists the communities.
func (d *Directory) Communities(ctx context.Context, a Actor) ([]*Community, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	all, err := d.Store.ListCommunities(ctx)
	if err != nil {
		return nil, err
	}
	return filterIn(a, all, func(c *Community) int64 { return c.JurisdictionID }), nil
}

// SaveCommunity creates (ID 0) or updates a community.
func (d *Directory) SaveCommunity(ctx context.Context, a Actor, c *Community) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if a.JurisdictionID != 0 {
		if c.ID != 0 {
			js, err := d.communityJurisdictions(ctx)
			if err != nil {
				return err
			}
			if js[c.ID] != a.JurisdictionID {
				return notInScope("社区", "community")
			}
		}
		c.JurisdictionID = a.JurisdictionID
	}
	action, before := createOrUpdate(c.ID, AuditCommunityCreate, AuditCommunityUpdate), d.before(ctx, "community", c.ID)
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		var err error
		if c.ID == 0 {
			err = d.Store.CreateCommunity(ctx, c)
		} else {
			err = d.Store.UpdateCommunity(ctx, c)
		}
		if err != nil {
			return err
		}
		return d.audit(ctx, a, action, "community", c.ID, before, c)
	})
}

// Grids lists the grids.
func (d *Directory) Grids(ctx context.Context, a Actor) ([]*Grid, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	all, err := d.Store.ListGrids(ctx)
	if err != nil || a.JurisdictionID == 0 {
		return all, err
	}
	js, err := d.communityJurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	return filterIn(a, all, func(g *Grid) int64 { return js[g.CommunityID] }), nil
}

// SaveGrid creates (ID 0) or updates a grid.
func (d *Directory) SaveGrid(ctx context.Context, a Actor, g *Grid) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if a.JurisdictionID != 0 {
		js, err := d.communityJurisdictions(ctx)
		if err != nil {
			return err
		}
		if g.ID != 0 {
			gs, err := d.Grids(ctx, a)
			if err != nil {
				return err
			}
			found := false
			for _, x := range gs {
				found = found || x.ID == g.ID
			}
			if !found {
				return notInScope("网格", "grid")
			}
		}
		if g.CommunityID != 0 && js[g.CommunityID] != a.JurisdictionID {
			return jiedao.Invalid("community_id", "社区不存在", "unknown community")
		}
	}
	action, before := createOrUpdate(g.ID, AuditGridCreate, AuditGridUpdate), d.before(ctx, "grid", g.ID)
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		var err error
		if g.ID == 0 {
			err = d.Store.CreateGrid(ctx, g)
		} else {
			err = d.Store.UpdateGrid(ctx, g)
		}
		if err != nil {
			return err
		}
		return d.audit(ctx, a, action, "grid", g.ID, before, g)
	})
}

// Units lists the units.
func (d *Directory) Units(ctx context.Context, a Actor) ([]*Unit, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	all, err := d.Store.ListUnits(ctx)
	if err != nil {
		return nil, err
	}
	// A district unit (no subdistrict) serves every subdistrict: each sees it.
	return filterIn(a, all, func(u *Unit) int64 {
		if u.JurisdictionID == 0 {
			return a.JurisdictionID
		}
		return u.JurisdictionID
	}), nil
}

// SaveUnit creates (ID 0) or updates a unit.
func (d *Directory) SaveUnit(ctx context.Context, a Actor, u *Unit) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if err := d.unitIn(ctx, a, u.ID, true); err != nil {
		return err
	}
	var err error
	if u.JurisdictionID, err = ownJurisdiction(a, u.JurisdictionID); err != nil {
		return err
	}
	if err := d.checkJurisdiction(ctx, u.JurisdictionID); err != nil {
		return err
	}
	action, before := createOrUpdate(u.ID, AuditUnitCreate, AuditUnitUpdate), d.before(ctx, "unit", u.ID)
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		var err error
		if u.ID == 0 {
			err = d.Store.CreateUnit(ctx, u)
		} else {
			err = d.Store.UpdateUnit(ctx, u)
		}
		if err != nil {
			return err
		}
		return d.audit(ctx, a, action, "unit", u.ID, before, u)
	})
}

// Staff lists the staff; only the security administrator sees everyone's
// account details.
func (d *Directory) Staff(ctx context.Context, a Actor) ([]*Staff, error) {
	if err := requireSecurityAdmin(a); err != nil {
		return nil, err
	}
	all, err := d.Store.ListStaff(ctx)
	if err != nil || a.JurisdictionID == 0 {
		return all, err
	}
	out := make([]*Staff, 0, len(all))
	for _, s := range all {
		if s.JurisdictionID == a.JurisdictionID {
			out = append(out, s)
		}
	}
	return out, nil
}

// StaffInput is a new or changed staff record; Password empty keeps the old one.
type StaffInput struct {
	Staff
	Password string `json:"password,omitempty"`
}

// SaveStaff creates (ID 0) or updates a staff record. A new password must
// meet the policy; changing it, the role or disabling the account signs
// the person out everywhere.
func (d *Directory) SaveStaff(ctx context.Context, a Actor, in StaffInput) (*Staff, error) {
	if err := requireSecurityAdmin(a); err != nil {
		return nil, err
	}
	s := in.Staff
	s.Username = strings.ToLower(strings.TrimSpace(s.Username))
	var before any
	var old *Staff
	var err error
	if s.ID != 0 {
		if err := d.staffIn(ctx, a, s.ID); err != nil {
			return nil, err
		}
	}
	if s.JurisdictionID, err = ownJurisdiction(a, s.JurisdictionID); err != nil {
		return nil, err
	}
	if err := d.checkJurisdiction(ctx, s.JurisdictionID); err != nil {
		return nil, err
	}
	// A subdistrict's staff belong to its units, not another's.
	if err := d.unitIn(ctx, Actor{JurisdictionID: s.JurisdictionID}, s.UnitID, false); err != nil {
		return nil, jiedao.Invalid("unit_id", "单位不存在", "unknown unit")
	}
	if s.ID != 0 {
		if old, err = d.Store.GetStaff(ctx, s.ID); err != nil {
			return nil, err
		}
		before = staffAudit{Staff: old}
		s.PasswordHash, s.CreatedAt = old.PasswordHash, old.CreatedAt
		s.PasswordChangedAt, s.MustChangePassword = old.PasswordChangedAt, old.MustChangePassword
		// None of the administrators can make himself another: the
		// security administrator's own role is changed by another.
		if a.Kind == ActorStaff && a.ID == s.ID && s.Role != old.Role {
			return nil, jiedao.Forbidden("不能修改自己的角色", "you may not change your own role")
		}
	} else if in.Password == "" {
		return nil, jiedao.Invalid("password", "请设置密码", "a password is required")
	}
	if in.Password != "" {
		if err := CheckPasswordPolicy(in.Password); err != nil {
			return nil, err
		}
		h, err := HashPassword(in.Password)
		if err != nil {
			return nil, err
		}
		s.PasswordHash = h
		// A password set by an administrator is known to him: its owner
		// changes it at his first sign-in.
		now := time.Now()
		s.PasswordChangedAt, s.MustChangePassword = &now, a.Kind == ActorStaff
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	err = Atomically(ctx, d.Audit, func(ctx context.Context) error {
		if s.ID == 0 {
			if err := d.Store.CreateStaff(ctx, &s); err != nil {
				return err
			}
			return d.audit(ctx, a, AuditStaffCreate, "staff", s.ID, nil, staffAudit{Staff: &s})
		}
		if err := d.Store.UpdateStaff(ctx, &s); err != nil {
			return err
		}
		// A new password, a disabled account or a new role ends every
		// session: whoever signed in before signed in as someone the admin
		// has changed.
		if in.Password != "" || !s.Active || s.Role != old.Role {
			if err := d.Store.DeleteStaffSessions(ctx, s.ID); err != nil {
				return err
			}
		}
		return d.audit(ctx, a, AuditStaffUpdate, "staff", s.ID, before, staffAudit{Staff: &s, PasswordChanged: in.Password != ""})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// APIClients lists the machine clients.
func (d *Directory) APIClients(ctx context.Context, a Actor) ([]*APIClient, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	all, err := d.Store.ListAPIClients(ctx)
	if err != nil || a.JurisdictionID == 0 {
		return all, err
	}
	out := make([]*APIClient, 0, len(all))
	for _, c := range all {
		if c.JurisdictionID == a.JurisdictionID {
			out = append(out, c)
		}
	}
	return out, nil
}

// clientIn reports whether the actor's scope holds the API client.
func (d *Directory) clientIn(ctx context.Context, a Actor, id int64) error {
	if a.JurisdictionID == 0 {
		return nil
	}
	cs, err := d.APIClients(ctx, a)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == id {
			return nil
		}
	}
	return notInScope("API 客户端", "API client")
}

// CreateAPIClient registers a machine client and returns its key, shown once.
func (d *Directory) CreateAPIClient(ctx context.Context, a Actor, auth *Auth, name, channel string) (string, *APIClient, error) {
	if err := requireAdmin(a); err != nil {
		return "", nil, err
	}
	var key string
	var c *APIClient
	err := Atomically(ctx, d.Audit, func(ctx context.Context) error {
		var err error
		if key, c, err = auth.createAPIClient(ctx, name, channel, a.JurisdictionID); err != nil {
			return err
		}
		return d.audit(ctx, a, AuditAPIClientCreate, "api_client", c.ID, nil, c)
	})
	if err != nil {
		return "", nil, err
	}
	return key, c, nil
}

// RevokeAPIClient ends a machine client's key.
func (d *Directory) RevokeAPIClient(ctx context.Context, a Actor, id int64, now time.Time) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if err := d.clientIn(ctx, a, id); err != nil {
		return err
	}
	before := d.before(ctx, "api_client", id)
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		if err := d.Store.RevokeAPIClient(ctx, id, now); err != nil {
			return err
		}
		return d.audit(ctx, a, AuditAPIClientRevoke, "api_client", id, before, map[string]any{"revoked_at": now})
	})
}

// SetAPIClientRate sets a machine client's own rate limit: N/DURATION
// (6000/1m, at most one a millisecond on average) or empty for its routes'
// default. A city platform posting many residents' reports from one
// address needs more than a resident's app.
func (d *Directory) SetAPIClientRate(ctx context.Context, a Actor, id int64, rate string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if err := d.clientIn(ctx, a, id); err != nil {
		return err
	}
	rate = strings.TrimSpace(rate)
	if err := CheckRate(rate); err != nil {
		return err
	}
	before := d.before(ctx, "api_client", id)
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		if err := d.Store.SetAPIClientRate(ctx, id, rate); err != nil {
			return err
		}
		return d.audit(ctx, a, AuditAPIClientRate, "api_client", id, before, map[string]any{"rate_limit": rate})
	})
}

// CheckRate checks a rate limit written N/DURATION (600/1m, 20/1s); empty
// is the default.
func CheckRate(rate string) error {
	if rate == "" {
		return nil
	}
	n, per, ok := strings.Cut(rate, "/")
	burst, err1 := strconv.Atoi(n)
	d, err2 := time.ParseDuration(per)
	if !ok || err1 != nil || err2 != nil || burst <= 0 || burst > 1_000_000 || d < time.Second || d > 24*time.Hour {
		return jiedao.Invalid("rate_limit", "限流格式应为 次数/时长，如 6000/1m（时长 1 秒至 24 小时）："+rate,
			"rate limit: want N/DURATION such as 6000/1m (a duration from 1s to 24h): "+rate)
	}
	return nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ImportCommunities creates or updates communities from GeoJSON features
// with properties code and name. Every feature is checked before anything
// is written, so a bad file changes nothing.
func (d *Directory) ImportCommunities(ctx context.Context, a Actor, jurisdictionID int64, features []geo.Feature) (ImportResult, error) {
	var res ImportResult
	if err := requireAdmin(a); err != nil {
		return res, err
	}
	jurisdictionID, err := ownJurisdiction(a, jurisdictionID)
	if err != nil {
		return res, err
	}
	if err := d.checkJurisdiction(ctx, jurisdictionID); err != nil {
		return res, err
	}
	existing, err := d.Store.ListCommunities(ctx)
	if err != nil {
		return res, err
	}
	byCode := map[string]*Community{}
	for _, c := range existing {
		byCode[c.Code] = c
	}
	todo := make([]*Community, 0, len(features))
	for i, f := range features {
		c := &Community{JurisdictionID: jurisdictionID, Code: propString(f, "code"), Name: propString(f, "name"), Geometry: f.Geometry}
		if old := byCode[c.Code]; old != nil {
			c.ID, c.JurisdictionID = old.ID, old.JurisdictionID
			if !a.InJurisdiction(old.JurisdictionID) {
				// Another subdistrict's community: its code is taken.
				return res, featureError(i, jiedao.Invalid("code", "社区编码已被其他街道使用："+c.Code, "community code used by another subdistrict: "+c.Code))
			}
		}
		if err := c.Validate(); err != nil {
			return res, featureError(i, err)
		}
		todo = append(todo, c)
	}
	// One transaction: a write that fails half-way leaves nothing behind.
	err = Atomically(ctx, d.Audit, func(ctx context.Context) error {
		for _, c := range todo {
			var err error
			if c.ID == 0 {
				err = d.Store.CreateCommunity(ctx, c)
				res.Created++
			} else {
				err = d.Store.UpdateCommunity(ctx, c)
				res.Updated++
			}
			if err != nil {
				return err
			}
		}
		return d.audit(ctx, a, AuditCommunityImport, "community", "", nil, map[string]any{"result": res, "communities": todo})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// ImportGrids creates or updates grids from GeoJSON features with
// properties code, name, kind (standard, building, landlord; default
// standard) and community (the community's code).
func (d *Directory) ImportGrids(ctx context.Context, a Actor, features []geo.Feature) (ImportResult, error) {
	var res ImportResult
	if err := requireAdmin(a); err != nil {
		return res, err
	}
	communities, err := d.Store.ListCommunities(ctx)
	if err != nil {
		return res, err
	}
	commByCode, commJurisdiction := map[string]int64{}, map[int64]int64{}
	for _, c := range communities {
		commJurisdiction[c.ID] = c.JurisdictionID
		if a.InJurisdiction(c.JurisdictionID) {
			commByCode[c.Code] = c.ID
		}
	}
	grids, err := d.Store.ListGrids(ctx)
	if err != nil {
		return res, err
	}
	gridByCode := map[string]int64{}
	for _, g := range filterIn(a, grids, func(g *Grid) int64 { return commJurisdiction[g.CommunityID] }) {
		gridByCode[g.Code] = g.ID
	}
	todo := make([]*Grid, 0, len(features))
	for i, f := range features {
		g := &Grid{ID: gridByCode[propString(f, "code")], Code: propString(f, "code"), Name: propString(f, "name"),
			Kind: GridKind(propString(f, "kind")), Geometry: f.Geometry}
		if g.Kind == "" {
			g.Kind = GridStandard
		}
		cc := propString(f, "community")
		g.CommunityID = commByCode[cc]
		if g.CommunityID == 0 {
			return res, featureError(i, jiedao.Invalid("community", "社区编码不存在："+cc, "no community with code "+cc))
		}
		if err := g.Validate(); err != nil {
			return res, featureError(i, err)
		}
		todo = append(todo, g)
	}
	// One transaction: a write that fails half-way leaves nothing behind.
	err = Atomically(ctx, d.Audit, func(ctx context.Context) error {
		for _, g := range todo {
			var err error
			if g.ID == 0 {
				err = d.Store.CreateGrid(ctx, g)
				res.Created++
			} else {
				err = d.Store.UpdateGrid(ctx, g)
				res.Updated++
			}
			if err != nil {
				return err
			}
		}
		return d.audit(ctx, a, AuditGridImport, "grid", "", nil, map[string]any{"result": res, "grids": todo})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func propString(f geo.Feature, key string) string {
	v, ok := f.Properties[key]
	if !ok || v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// featureError names the feature (counted from 1) an error is about.
func featureError(i int, err error) error {
	zh, en := jiedao.ErrorMessages(err)
	return &jiedao.Error{Code: jiedao.EINVALID, Zh: fmt.Sprintf("第%d个要素：%s", i+1, zh), En: fmt.Sprintf("feature %d: %s", i+1, en), Field: jiedao.ErrorField(err)}
}

// ChangeOwnPassword lets a staff member change his own password: the
// current one proves it is him, the new one must meet the policy and
// differ from it. Every session of his ends, this one included, as when an
// admin sets a password; the change is on the audit trail. Each field's
// error names it, all missing ones at once.
func (d *Directory) ChangeOwnPassword(ctx context.Context, a Actor, current, next, repeat string) error {
	if a.Kind != ActorStaff {
		return jiedao.Forbidden("只有工作人员可以修改密码", "only staff have passwords")
	}
	var missing []error
	for _, f := range []struct{ name, zh, en, v string }{
		{"current_password", "当前密码", "the current password", current},
		{"new_password", "新密码", "the new password", next},
		{"repeat_password", "再次输入新密码", "the new password again", repeat},
	} {
		if f.v == "" {
			missing = append(missing, jiedao.Invalid(f.name, "请填写"+f.zh, f.en+" is required"))
		}
	}
	if len(missing) > 0 {
		return errors.Join(missing...)
	}
	s, err := d.Store.GetStaff(ctx, a.ID)
	if err != nil {
		return err
	}
	if !CheckPassword(s.PasswordHash, current) {
		return jiedao.Invalid("current_password", "当前密码不正确", "the current password is wrong")
	}
	if next != repeat {
		return jiedao.Invalid("repeat_password", "两次输入的新密码不一致", "the two new passwords differ")
	}
	if next == current {
		return jiedao.Invalid("new_password", "新密码不能与当前密码相同", "the new password must differ from the current one")
	}
	if err := CheckPasswordPolicy(next); err != nil {
		zh, en := jiedao.ErrorMessages(err)
		return jiedao.Invalid("new_password", zh, en)
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	before := staffAudit{Staff: s}
	changed := *s
	now := time.Now()
	changed.PasswordHash, changed.PasswordChangedAt, changed.MustChangePassword = h, &now, false
	return Atomically(ctx, d.Audit, func(ctx context.Context) error {
		if err := d.Store.UpdateStaff(ctx, &changed); err != nil {
			return err
		}
		if err := d.Store.DeleteStaffSessions(ctx, s.ID); err != nil {
			return err
		}
		return d.audit(ctx, a, AuditPasswordChange, "staff", s.ID, before, staffAudit{Staff: &changed, PasswordChanged: true})
	})
}
