package org

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// Role is what a staff member does; it decides which steps of the case
// loop they may take and which cases they see.
type Role string

const (
	RoleAdmin          Role = "admin"           // 系统管理员: configuration, accounts
	RoleDispatcher     Role = "dispatcher"      // 指挥中心: accept, dispatch, supervise, close
	RoleUnitLead       Role = "unit_lead"       // 单位负责人: a unit's cases, approves within the unit
	RoleUnitHandler    Role = "unit_handler"    // 单位经办人: signs for and handles a unit's cases
	RoleGridWorker     Role = "grid_worker"     // 网格员: reports and verifies in his grids
	RoleCommunityStaff Role = "community_staff" // 社区工作人员: the cases of his community
	RoleLeader         Role = "leader"          // 领导: sees everything, supervises, changes nothing else
)

// The enterprise service (package enterprise, docs/enterprise.md).
const (
	// RoleEnterpriseService is the 企服专员: keeps the enterprise registry
	// and the building economy, visits enterprises and reports their
	// demands, which are cases of the enterprise channel.
	RoleEnterpriseService Role = "enterprise_service"
)

// The three administrators (三权分立, issue 18; docs/dengbao.md): the
// system administrator is RoleAdmin (organisation and configuration, as
// before); accounts and the audit trail have administrators of their own,
// and none can act as another.
const (
	// RoleSecurityAdmin is the 安全管理员: accounts, roles, two-factor
	// sign-in, sessions and API keys, nothing else.
	RoleSecurityAdmin Role = "security_admin"
	// RoleAuditAdmin is the 审计管理员: reads and verifies the audit trail,
	// nothing else; his reads are on the trail too.
	RoleAuditAdmin Role = "audit_admin"
)

// AdminRoles are the three administrators.
func AdminRoles() []Role { return []Role{RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin} }

// Roles lists every role in a stable order, for forms and tests.
func Roles() []Role {
	return append(append([]Role{RoleAdmin, RoleDispatcher, RoleUnitLead, RoleUnitHandler, RoleGridWorker, RoleCommunityStaff, RoleLeader, RoleEnterpriseService}, LegalRoles()...),
		RoleSecurityAdmin, RoleAuditAdmin)
}

// The officers of the case kinds with legal clocks (disputes, petitions,
// enforcement, emergency duty; docs/kinds.md): each is the command center
// for the cases of its kind, and sees those.
const (
	RoleMediator           Role = "mediator"            // 调解员: disputes (人民调解)
	RolePetitionOfficer    Role = "petition_officer"    // 信访专员: petitions (信访)
	RoleEnforcementOfficer Role = "enforcement_officer" // 执法队员: administrative enforcement (综合行政执法)
	RoleDutyOfficer        Role = "duty_officer"        // 值班员: the 24-hour duty desk (应急值守)
)

// LegalRoles lists the officers of the case kinds, in a stable order.
func LegalRoles() []Role {
	return []Role{RoleMediator, RolePetitionOfficer, RoleEnforcementOfficer, RoleDutyOfficer}
}

func legalRoleZh(r Role) string {
	switch r {
	case RoleMediator:
		return "调解员"
	case RolePetitionOfficer:
		return "信访专员"
	case RoleEnforcementOfficer:
		return "执法队员"
	case RoleDutyOfficer:
		return "值班员"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Zh returns the role's Chinese name.
func (r Role) Zh() string {
	switch r {
	case RoleAdmin:
		return "系统管理员"
	case RoleDispatcher:
		return "指挥中心调度员"
	case RoleUnitLead:
		return "单位负责人"
	case RoleUnitHandler:
		return "单位经办人"
	case RoleGridWorker:
		return "网格员"
	case RoleCommunityStaff:
		return "社区工作人员"
	case RoleLeader:
		return "领导"
	case RoleEnterpriseService:
		return "企服专员"
	case RoleSecurityAdmin:
		return "安全管理员"
	case RoleAuditAdmin:
		return "审计管理员"
	}
	return legalRoleZh(r)
}

// IsUnitRole reports whether the role acts for a unit.
func (r Role) IsUnitRole() bool { return r == RoleUnitLead || r == RoleUnitHandler }

// Staff is a person who signs in.
type Staff struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	Name        string  `json:"name"`
	Phone       string  `json:"phone,omitempty"`
	Role        Role    `json:"role"`
	UnitID      int64   `json:"unit_id,omitempty"`      // unit roles; dispatchers belong to the command center
	CommunityID int64   `json:"community_id,omitempty"` // community staff
	GridIDs     []int64 `json:"grid_ids,omitempty"`     // grid workers
	// JurisdictionID is the subdistrict the person works in; 0: the whole
	// deployment (a district role, or anyone of a one-subdistrict one).
	JurisdictionID int64      `json:"jurisdiction_id,omitempty"`
	Active         bool       `json:"active"`
	PasswordHash   string     `json:"-"`
	FailedLogins   int        `json:"-"`
	LockedUntil    *time.Time `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	// PasswordChangedAt is when the password was last set (nil: before
	// jiedao kept it); MustChangePassword is set when an administrator set
	// it, so that only its owner knows the password he signs in with.
	PasswordChangedAt  *time.Time `json:"-"`
	MustChangePassword bool       `json:"must_change_password,omitempty"`
	// Pending is what the person must do before anything else (Pending*
	// constants), worked out at each request; not stored.
	Pending string `json:"pending,omitempty"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9_.-]{2,40}$`)

// Validate checks a staff record: a scope must match the role.
func (s *Staff) Validate() error {
	if !usernameRE.MatchString(s.Username) {
		return jiedao.Invalid("username", "用户名应为2到40位小写字母、数字、下划线、点或连字符", "username must be 2-40 lowercase letters, digits, _ . or -")
	}
	if strings.TrimSpace(s.Name) == "" {
		return jiedao.Invalid("name", "姓名不能为空", "name is required")
	}
	if !s.Role.Valid() {
		return jiedao.Invalid("role", "角色无效", "unknown role")
	}
	if s.Role.IsUnitRole() && s.UnitID == 0 {
		return jiedao.Invalid("unit_id", "单位人员必须指定所属单位", "unit staff need a unit")
	}
	if s.Role == RoleCommunityStaff && s.CommunityID == 0 {
		return jiedao.Invalid("community_id", "社区工作人员必须指定社区", "community staff need a community")
	}
	if s.Role == RoleGridWorker && len(s.GridIDs) == 0 {
		return jiedao.Invalid("grid_ids", "网格员至少要负责一个网格", "a grid worker needs at least one grid")
	}
	return nil
}

// ActorKind tells people, machines and the system apart.
type ActorKind string

const (
	ActorStaff    ActorKind = "staff"    // a signed-in person
	ActorClient   ActorKind = "client"   // a machine with an API key
	ActorResident ActorKind = "resident" // a member of the public, not signed in
	ActorSystem   ActorKind = "system"   // jiedao itself: deadline jobs
)

// Actor is whoever takes a step. Services decide what an actor may do;
// handlers only build the Actor from the request.
type Actor struct {
	Kind        ActorKind `json:"kind"`
	ID          int64     `json:"id,omitempty"` // staff or client id
	Name        string    `json:"name"`
	Role        Role      `json:"role,omitempty"`
	UnitID      int64     `json:"unit_id,omitempty"`
	CommunityID int64     `json:"community_id,omitempty"`
	GridIDs     []int64   `json:"grid_ids,omitempty"`
	Channel     string    `json:"channel,omitempty"` // for clients
	// JurisdictionID is the subdistrict the actor sees and acts in; 0: the
	// whole deployment (district roles, the system, residents, and every
	// actor of a one-subdistrict deployment). Services scope every read
	// and step by it (docs/jurisdictions.md).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
	// Pending is what a staff member must do before anything else (enrol
	// two factors, change his password); the server lets him reach only
	// that.
	Pending string `json:"pending,omitempty"`
}

// StaffActor builds the actor for a signed-in staff member.
func StaffActor(s *Staff) Actor {
	return Actor{Kind: ActorStaff, ID: s.ID, Name: s.Name, Role: s.Role, UnitID: s.UnitID,
		CommunityID: s.CommunityID, GridIDs: s.GridIDs, Pending: s.Pending, JurisdictionID: s.JurisdictionID}
}

// ClientActor builds the actor for a machine client.
func ClientActor(c *APIClient) Actor {
	return Actor{Kind: ActorClient, ID: c.ID, Name: c.Name, Channel: c.Channel, JurisdictionID: c.JurisdictionID}
}

// InJurisdiction reports whether a record of subdistrict id is within the
// actor's scope: always for an actor of the whole deployment.
func (a Actor) InJurisdiction(id int64) bool {
	return a.JurisdictionID == 0 || a.JurisdictionID == id
}

// Narrowed returns a copy of the actor limited to subdistrict id, when the
// actor may see it: a district actor may narrow to any subdistrict, a
// subdistrict actor only to its own. Id 0 returns the actor unchanged. For
// "this subdistrict's" dashboards and reports of the district's roll-ups.
func (a Actor) Narrowed(id int64) (Actor, bool) {
	if id == 0 {
		return a, true
	}
	if !a.InJurisdiction(id) {
		return a, false
	}
	n := a
	n.GridIDs = slices.Clone(a.GridIDs)
	n.JurisdictionID = id
	return n, true
}

// SystemActor is jiedao's own jobs.
func SystemActor() Actor { return Actor{Kind: ActorSystem, Name: "系统"} }

// ResidentActor is an anonymous member of the public.
func ResidentActor(name string) Actor { return Actor{Kind: ActorResident, Name: name} }

// Is reports whether a is a staff member with one of the roles.
func (a Actor) Is(roles ...Role) bool {
	return a.Kind == ActorStaff && slices.Contains(roles, a.Role)
}

// SeesAll reports whether the actor's scope is the whole jurisdiction.
func (a Actor) SeesAll() bool {
	return a.Is(RoleAdmin, RoleDispatcher, RoleLeader) || a.Kind == ActorSystem
}

// InGrid reports whether the grid is one of the actor's.
func (a Actor) InGrid(gridID int64) bool {
	return gridID != 0 && slices.Contains(a.GridIDs, gridID)
}

// SeesContacts reports whether the actor may see residents' names and phone
// numbers unmasked: the command center calls residents back, admins fix
// records. Everyone else sees them masked.
func (a Actor) SeesContacts() bool {
	return a.Is(RoleDispatcher, RoleAdmin) || a.Kind == ActorSystem
}

// MaskPhone hides the middle of a phone number: 13812345678 → 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 4:
		return strings.Repeat("*", len(r))
	case len(r) <= 7:
		return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps the family name: 张三丰 → 张**.
func MaskName(n string) string {
	r := []rune(strings.TrimSpace(n))
	if len(r) == 0 {
		return ""
	}
	return string(r[:1]) + strings.Repeat("*", max(len(r)-1, 1))
}
