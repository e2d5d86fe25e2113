// Package org models the subdistrict's organisation: its jurisdiction,
// communities and grids (the places), its units and staff (the people), the
// machine clients that post to it, and who may see what.
//
// The package holds types, validation and the rules; storage lives in
// package store behind the Store interface declared here.
package org

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/geo"
)

// Jurisdiction is a subdistrict (街道) or the district (区) above several,
// with its administrative division code (docs/jurisdictions.md).
type Jurisdiction struct {
	ID           int64  `json:"id"`
	DivisionCode string `json:"division_code"` // e.g. 330106007 for 古荡街道
	Name         string `json:"name"`
	NameEn       string `json:"name_en,omitempty"`
	// ParentID is the district a subdistrict belongs to (0: none, the top).
	ParentID int64 `json:"parent_id,omitempty"`
	// Level is LevelSubdistrict (records belong to it) or LevelDistrict
	// (the parent of subdistricts; no records of its own). Empty means
	// LevelSubdistrict.
	Level string `json:"level"`
}

// The levels of a jurisdiction.
const (
	LevelDistrict    = "district"    // 区: the parent of subdistricts
	LevelSubdistrict = "subdistrict" // 街道: where records belong
)

// IsDistrict reports whether j is a district row.
func (j *Jurisdiction) IsDistrict() bool { return j.Level == LevelDistrict }

var (
	divisionCodeRE = regexp.MustCompile(`^[0-9]{9}$|^[0-9]{12}$`)
	districtCodeRE = regexp.MustCompile(`^[0-9]{6}$|^[0-9]{9}$|^[0-9]{12}$`)
)

// Validate checks the division code (9 digits for a township-level unit, or
// the 12-digit statistical code; a district's may be its 6-digit county
// code), the name and the level.
func (j *Jurisdiction) Validate() error {
	if j.Level == LevelDistrict {
		if !districtCodeRE.MatchString(j.DivisionCode) {
			return jiedao.Invalid("division_code", "区的行政区划代码应为6位、9位或12位数字", "a district's division code must be 6, 9 or 12 digits")
		}
	} else if !divisionCodeRE.MatchString(j.DivisionCode) {
		return jiedao.Invalid("division_code", "行政区划代码应为9位或12位数字", "division code must be 9 or 12 digits")
	}
	if strings.TrimSpace(j.Name) == "" {
		return jiedao.Invalid("name", "街道名称不能为空", "name is required")
	}
	if j.Level == "" {
		j.Level = LevelSubdistrict
	}
	if j.Level != LevelDistrict && j.Level != LevelSubdistrict {
		return jiedao.Invalid("level", "辖区级别应为 district 或 subdistrict", "level must be district or subdistrict")
	}
	if j.ParentID != 0 && j.ParentID == j.ID {
		return jiedao.Invalid("parent_id", "辖区不能是自己的上级", "a jurisdiction cannot be its own parent")
	}
	return nil
}

// Subdistricts returns the subdistrict rows of js, in their order.
func Subdistricts(js []*Jurisdiction) []*Jurisdiction {
	out := []*Jurisdiction{}
	for _, j := range js {
		if !j.IsDistrict() {
			out = append(out, j)
		}
	}
	return out
}

// Community is a residents' committee area (社区).
type Community struct {
	ID             int64            `json:"id"`
	JurisdictionID int64            `json:"jurisdiction_id"`
	Code           string           `json:"code"`
	Name           string           `json:"name"`
	Geometry       geo.MultiPolygon `json:"-"` // optional; grids carry the placing
}

// GridKind tells a standard grid from the special grids the report names.
type GridKind string

const (
	GridStandard GridKind = "standard" // 网格
	GridBuilding GridKind = "building" // 楼宇网格
	GridLandlord GridKind = "landlord" // 房东网格
)

// Valid reports whether k is a known grid kind.
func (k GridKind) Valid() bool {
	return k == GridStandard || k == GridBuilding || k == GridLandlord
}

// Grid is the smallest area a grid worker covers, a polygon in WGS-84.
type Grid struct {
	ID          int64            `json:"id"`
	CommunityID int64            `json:"community_id"`
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Kind        GridKind         `json:"kind"`
	Geometry    geo.MultiPolygon `json:"-"`
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ValidCode reports whether s is usable as a code: letters, digits, _ . -,
// at most 64 characters, so that it can appear in URLs and file names.
func ValidCode(s string) bool { return codeRE.MatchString(s) }

func validateCodeName(code, name string) error {
	if !ValidCode(code) {
		return jiedao.Invalid("code", "编码只能由字母、数字、下划线、点和连字符组成，最长64位", "code must be 1-64 letters, digits, _ . or -")
	}
	if strings.TrimSpace(name) == "" {
		return jiedao.Invalid("name", "名称不能为空", "name is required")
	}
	return nil
}

// Validate checks a community.
func (c *Community) Validate() error {
	if err := validateCodeName(c.Code, c.Name); err != nil {
		return err
	}
	if len(c.Geometry) > 0 {
		return c.Geometry.Validate()
	}
	return nil
}

// Validate checks a grid; a grid must have a polygon.
func (g *Grid) Validate() error {
	if err := validateCodeName(g.Code, g.Name); err != nil {
		return err
	}
	if !g.Kind.Valid() {
		return jiedao.Invalid("kind", "网格类型应为 standard、building 或 landlord", "grid kind must be standard, building or landlord")
	}
	if g.CommunityID == 0 {
		return jiedao.Invalid("community_id", "网格必须属于一个社区", "a grid must belong to a community")
	}
	if len(g.Geometry) == 0 {
		return jiedao.Invalid("geometry", "网格必须有多边形边界", "a grid needs a polygon")
	}
	return g.Geometry.Validate()
}

// UnitKind says what sort of body a unit is.
type UnitKind string

const (
	UnitCommand    UnitKind = "command"    // 综合信息指挥室: where unrouted cases land
	UnitDepartment UnitKind = "department" // 职能科室
	UnitStation    UnitKind = "station"    // 站所
	UnitCommunity  UnitKind = "community"  // 社区居委会
	UnitExternal   UnitKind = "external"   // police, utilities and other outside bodies
)

// Valid reports whether k is a known unit kind.
func (k UnitKind) Valid() bool {
	switch k {
	case UnitCommand, UnitDepartment, UnitStation, UnitCommunity, UnitExternal:
		return true
	}
	return false
}

// Unit is a body that cases are dispatched to.
type Unit struct {
	ID          int64    `json:"id"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Kind        UnitKind `json:"kind"`
	CommunityID int64    `json:"community_id,omitempty"` // for community units
	// JurisdictionID is the subdistrict the unit works for; 0: a district
	// unit shared by every subdistrict.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Validate checks a unit.
func (u *Unit) Validate() error {
	if err := validateCodeName(u.Code, u.Name); err != nil {
		return err
	}
	if !u.Kind.Valid() {
		return jiedao.Invalid("kind", "单位类型无效", "unknown unit kind")
	}
	return nil
}

// APIClient is another system that posts cases: an Open311 app, an IoT
// platform, the police linkage system, the 12345 hotline.
type APIClient struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Channel   string     `json:"channel"` // the channel its cases come in by
	KeyPrefix string     `json:"key_prefix"`
	KeyHash   string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// RateLimit is the client's own rate limit, N/DURATION (6000/1m),
	// counted per key across every process; empty: its routes' default.
	RateLimit string `json:"rate_limit,omitempty"`
	// JurisdictionID is the subdistrict the client reports to and reads;
	// 0: any (its cases are placed by their location, else the only
	// subdistrict).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Store keeps the organisation. Methods return *jiedao.Error values with
// code ENOTFOUND or ECONFLICT for missing or duplicate things.
type Store interface {
	CreateJurisdiction(ctx context.Context, j *Jurisdiction) error
	ListJurisdictions(ctx context.Context) ([]*Jurisdiction, error)

	CreateCommunity(ctx context.Context, c *Community) error
	UpdateCommunity(ctx context.Context, c *Community) error
	ListCommunities(ctx context.Context) ([]*Community, error)

	CreateGrid(ctx context.Context, g *Grid) error
	UpdateGrid(ctx context.Context, g *Grid) error
	ListGrids(ctx context.Context) ([]*Grid, error)

	CreateUnit(ctx context.Context, u *Unit) error
	UpdateUnit(ctx context.Context, u *Unit) error
	ListUnits(ctx context.Context) ([]*Unit, error)

	CreateStaff(ctx context.Context, s *Staff) error
	UpdateStaff(ctx context.Context, s *Staff) error
	GetStaff(ctx context.Context, id int64) (*Staff, error)
	GetStaffByUsername(ctx context.Context, username string) (*Staff, error)
	ListStaff(ctx context.Context) ([]*Staff, error)
	// RecordLogin updates the failure counter and lock of a staff member
	// after a login attempt, without touching anything else.
	RecordLogin(ctx context.Context, staffID int64, failed int, lockedUntil *time.Time) error

	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, tokenHash string) (*Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteStaffSessions(ctx context.Context, staffID int64) error
	// ListStaffSessions returns a staff member's sessions, ended ones
	// included, newest first.
	ListStaffSessions(ctx context.Context, staffID int64) ([]*Session, error)
	// PruneSessions deletes the sessions past their absolute end (before
	// now) or unused since idleSince, and says how many.
	PruneSessions(ctx context.Context, now, idleSince time.Time) (int64, error)

	RecordLoginAttempt(ctx context.Context, a *LoginAttempt) error
	// ListLoginAttempts returns a staff member's latest attempts, newest first.
	ListLoginAttempts(ctx context.Context, staffID int64, limit int) ([]*LoginAttempt, error)
	// PruneLoginAttempts deletes the attempts before a time and says how many.
	PruneLoginAttempts(ctx context.Context, before time.Time) (int64, error)

	CreateAPIClient(ctx context.Context, c *APIClient) error
	GetAPIClientByKeyHash(ctx context.Context, keyHash string) (*APIClient, error)
	ListAPIClients(ctx context.Context) ([]*APIClient, error)
	RevokeAPIClient(ctx context.Context, id int64, at time.Time) error

	// Issue 18: failures by address, the password's clock, two factors.
	// CountAddressFailures counts the failed sign-ins from an address since a time.
	CountAddressFailures(ctx context.Context, ip string, since time.Time) (int, error)
	SetPasswordChangedAt(ctx context.Context, staffID int64, at time.Time) error
	GetTOTP(ctx context.Context, staffID int64) (*TOTP, error)
	// SaveTOTP replaces a staff member's authenticator (and recovery codes)
	// with a new enrolment waiting for its first code.
	SaveTOTP(ctx context.Context, t *TOTP) error
	// EnableTOTP ends the enrolment: enabled, its first step used, the
	// recovery codes (hashed) replacing any before.
	EnableTOTP(ctx context.Context, staffID int64, at time.Time, step int64, recoveryHashes []string) error
	// UseTOTPStep takes a step if it is after the last one taken; false
	// when it is not (the code was used).
	UseTOTPStep(ctx context.Context, staffID int64, step int64) (bool, error)
	// UseRecoveryCode uses an unused recovery code; false when there is none.
	UseRecoveryCode(ctx context.Context, staffID int64, hash string, at time.Time) (bool, error)
	CountRecoveryCodes(ctx context.Context, staffID int64) (int, error)
	DeleteTOTP(ctx context.Context, staffID int64) error
	CreateChallenge(ctx context.Context, c *Challenge) error
	GetChallenge(ctx context.Context, tokenHash string) (*Challenge, error)
	FailChallenge(ctx context.Context, tokenHash string) error
	DeleteChallenge(ctx context.Context, tokenHash string) error
	// SetAPIClientRate sets a client's own rate limit ("" for the default).
	SetAPIClientRate(ctx context.Context, id int64, rate string) error
	// PruneChallenges deletes the second steps that expired before now.
	PruneChallenges(ctx context.Context, now time.Time) (int64, error)
}
