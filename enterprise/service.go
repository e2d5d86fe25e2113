package enterprise

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Direction is a move into or out of the subdistrict.
type Direction string

const (
	MovedIn  Direction = "in"  // 迁入
	MovedOut Direction = "out" // 迁出
)

// Zh names the direction.
func (d Direction) Zh() string {
	if d == MovedIn {
		return "迁入"
	}
	return "迁出"
}

// ParseDirection reads in/out or 迁入/迁出.
func ParseDirection(s string) (Direction, bool) {
	switch strings.TrimSpace(s) {
	case "in", "迁入":
		return MovedIn, true
	case "out", "迁出":
		return MovedOut, true
	}
	return "", false
}

// Move is an enterprise moving into or out of the subdistrict, with the
// annual tax it brings or takes away.
type Move struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Enterprise   string    `json:"enterprise,omitempty"`
	Direction    Direction `json:"direction"`
	On           Date      `json:"on"`
	From         string    `json:"from,omitempty"`
	To           string    `json:"to,omitempty"`
	AnnualTax    Money     `json:"annual_tax"`
	// JurisdictionID is the enterprise's subdistrict (read with it).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Validate checks a move.
func (m *Move) Validate() error {
	if m.Direction != MovedIn && m.Direction != MovedOut {
		return jiedao.Invalid("direction", "方向应为迁入或迁出", "direction must be 迁入 or 迁出")
	}
	if _, err := ParseDate(string(m.On)); err != nil {
		return jiedao.Invalid("on", "请填写迁移日期（如 2023-05-01）", "the date of the move is required (2023-05-01)")
	}
	if m.AnnualTax < 0 {
		return jiedao.Invalid("annual_tax", "年度税收不能为负数", "the annual tax cannot be negative")
	}
	for _, f := range []struct{ field, zh, en, v string }{{"from", "迁出地", "from", m.From}, {"to", "迁入地", "to", m.To}} {
		if err := textField(f.field, f.zh, f.en, f.v, 200, false); err != nil {
			return err
		}
	}
	return nil
}

// MoveBalance is the moves of a period: counts and tax in and out, and
// whether it is 双顺差 (more moved in than out, in count and in tax).
type MoveBalance struct {
	In, Out       int
	TaxIn, TaxOut Money
}

// NetCount is moves in minus moves out.
func (b MoveBalance) NetCount() int { return b.In - b.Out }

// NetTax is the annual tax moved in minus that moved out.
func (b MoveBalance) NetTax() Money { return b.TaxIn - b.TaxOut }

// DoubleSurplus reports 双顺差: net count and net tax both positive.
func (b MoveBalance) DoubleSurplus() bool { return b.NetCount() > 0 && b.NetTax() > 0 }

// Balance sums moves.
func Balance(moves []Move) MoveBalance {
	var b MoveBalance
	for _, m := range moves {
		if m.Direction == MovedIn {
			b.In++
			b.TaxIn += m.AnnualTax
		} else {
			b.Out++
			b.TaxOut += m.AnnualTax
		}
	}
	return b
}

// VisitPlan says that a staff member visits an enterprise every so many
// days.
type VisitPlan struct {
	ID           int64 `json:"id"`
	StaffID      int64 `json:"staff_id"`
	EnterpriseID int64 `json:"enterprise_id"`
	EveryDays    int   `json:"every_days"`
	// JurisdictionID is the enterprise's subdistrict (read with it).
	JurisdictionID int64  `json:"jurisdiction_id,omitempty"`
	Enterprise     string `json:"enterprise,omitempty"`
	// LastVisit is the staff member's last visit to it, and Due the day
	// the next one is due (read with the plan).
	LastVisit Date `json:"last_visit,omitempty"`
	Due       Date `json:"due,omitempty"`
}

// Visit is one visit to an enterprise (一家次), with what was found.
type Visit struct {
	ID           int64  `json:"id"`
	EnterpriseID int64  `json:"enterprise_id"`
	Enterprise   string `json:"enterprise,omitempty"`
	StaffID      int64  `json:"staff_id,omitempty"`
	Staff        string `json:"staff,omitempty"`
	On           Date   `json:"on"`
	Findings     string `json:"findings,omitempty"`
	// JurisdictionID is the enterprise's subdistrict (read with it).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Validate checks a visit.
func (v *Visit) Validate() error {
	if _, err := ParseDate(string(v.On)); err != nil {
		return jiedao.Invalid("on", "请填写走访日期（如 2023-05-01）", "the date of the visit is required (2023-05-01)")
	}
	return textField("findings", "走访情况", "findings", v.Findings, 2000, false)
}

// Demand is a case of the enterprise channel linked to the enterprise
// that raised it, and to the visit it was raised on, if any.
type Demand struct {
	CaseID       int64           `json:"case_id"`
	EnterpriseID int64           `json:"enterprise_id"`
	VisitID      int64           `json:"visit_id,omitempty"`
	Number       string          `json:"number,omitempty"`
	Title        string          `json:"title,omitempty"`
	Status       casework.Status `json:"status,omitempty"`
	ReportedAt   time.Time       `json:"reported_at"`
}

// Filter selects enterprises. Dates are [from, to).
type Filter struct {
	Query       string
	Tag         Tag
	Status      Status
	OnboardedTo Date // onboarded before this day
	// Jurisdiction limits the list to one subdistrict's enterprises (0:
	// all); services set it from the actor, never from a request.
	Jurisdiction   int64
	RegisteredFrom Date
	RegisteredTo   Date
	BuildingID     int64 // a tenant on the day Now
	Now            Date
	Limit, Offset  int
}

// CertFilter selects certifications.
type CertFilter struct {
	EnterpriseID     int64
	Kind             CertKind
	AwardedFrom      Date
	AwardedTo        Date
	Jurisdiction     int64 // the enterprises' subdistrict (0: all), set from the actor
	Limit, Offset    int
	WithoutEnterName bool
}

// CertRow is a certification with its enterprise's name.
type CertRow struct {
	Certification
	Enterprise string `json:"enterprise"`
}

// Store keeps the registry. package store implements it for both engines.
type Store interface {
	// Atomic runs fn in one transaction: an import, a move.
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error

	// SaveEnterprise inserts an enterprise, or updates the one with its
	// credit code; it sets e.ID.
	SaveEnterprise(ctx context.Context, e *Enterprise) error
	GetEnterprise(ctx context.Context, id int64) (*Enterprise, error)
	EnterpriseByCode(ctx context.Context, code string) (*Enterprise, error)
	// EnterpriseIDs maps credit codes to ids, for imports: of one
	// subdistrict's enterprises (jurisdiction; 0: all).
	EnterpriseIDs(ctx context.Context, codes []string, jurisdiction int64) (map[string]int64, error)
	ListEnterprises(ctx context.Context, f Filter) ([]Enterprise, error)
	CountEnterprises(ctx context.Context, f Filter) (int, error)

	AddCertification(ctx context.Context, c *Certification) error
	ListCertifications(ctx context.Context, f CertFilter) ([]CertRow, error)
	CountCertifications(ctx context.Context, f CertFilter) (int, error)

	// SaveBuilding inserts a building or updates the one of its name.
	SaveBuilding(ctx context.Context, b *Building) error
	GetBuilding(ctx context.Context, id int64) (*Building, error)
	// RoomBuilding returns the building of a room (not found: no room).
	RoomBuilding(ctx context.Context, roomID int64) (int64, error)
	ListBuildings(ctx context.Context) ([]Building, error)
	// SaveRoom inserts a room or updates the one of its building, floor
	// and number.
	SaveRoom(ctx context.Context, r *Room) error
	ListRooms(ctx context.Context, buildingID int64) ([]Room, error)

	// AddTenancy stores a new tenancy, refusing one that overlaps another
	// in the same room (ErrOverlap) in the same transaction.
	AddTenancy(ctx context.Context, t *Tenancy) error
	// EndTenancy sets the end of a tenancy that has none.
	EndTenancy(ctx context.Context, id int64, end Date) error
	// ListTenancies lists tenancies of an enterprise, of a building, or
	// all (both ids 0), oldest first.
	ListTenancies(ctx context.Context, enterpriseID, buildingID int64) ([]Tenancy, error)

	// PutTax stores monthly tax rows, replacing those of the same
	// enterprise and month.
	PutTax(ctx context.Context, rows []MonthTax) error
	// ListTax lists tax rows of months in [fromMonth, toMonth), of one
	// enterprise or of all (0).
	ListTax(ctx context.Context, enterpriseID int64, fromMonth, toMonth string) ([]MonthTax, error)

	AddMove(ctx context.Context, m *Move) error
	ListMoves(ctx context.Context, enterpriseID int64, from, to Date) ([]Move, error)

	SavePlan(ctx context.Context, p *VisitPlan) error
	ListPlans(ctx context.Context, staffID int64) ([]VisitPlan, error)
	AddVisit(ctx context.Context, v *Visit) error
	// ListVisits and CountVisits read the visits of enterprises of one
	// subdistrict (jurisdiction, 0: all).
	ListVisits(ctx context.Context, enterpriseID, jurisdiction int64, from, to Date, limit, offset int) ([]Visit, error)
	CountVisits(ctx context.Context, jurisdiction int64, from, to Date) (int, error)

	LinkDemand(ctx context.Context, d Demand) error
	ListDemands(ctx context.Context, enterpriseID int64) ([]Demand, error)

	// TaxByYear sums each enterprise's tax per year over [fromYear,
	// toYear], read in one grouped query.
	TaxByYear(ctx context.Context, fromYear, toYear int) ([]YearTax, error)

	// Version is the version of the data the tiers are computed from:
	// every write of tax, tenancies, rooms, buildings or enterprises
	// changes it.
	Version(ctx context.Context) (int64, error)
}

// Reporter turns a demand into a case; casework.Service is one.
type Reporter interface {
	Report(ctx context.Context, a org.Actor, in casework.ReportInput) (*casework.Case, error)
}

// Service applies the registry's rules and who may do what.
type Service struct {
	Store Store
	Cases Reporter
	Audit org.Auditor
	Now   func() time.Time
	// Jurisdictions lists the deployment's subdistricts, for the one a
	// new enterprise or building belongs to (org.RecordJurisdiction);
	// nil: the actor's, or the one picked.
	Jurisdictions org.JurisdictionLister

	// tiers keeps computed years until the data's version changes.
	tiers struct {
		sync.Mutex
		years map[int]cachedYear
	}
}

// cachedYear is a computed year and the version of the data it was
// computed from.
type cachedYear struct {
	version int64
	years   []BuildingYear
}

func (s *Service) today() Date {
	if s.Now == nil {
		return DateOf(time.Now())
	}
	return DateOf(s.Now())
}

// Audit actions of the registry.
const (
	AuditCodeOverride = "enterprise.code_override"
	AuditImport       = "enterprise.import"
)

// CanRead reports whether the actor may read the registry: admins, the
// enterprise service, leaders and the command center.
func CanRead(a org.Actor) bool {
	return a.Is(org.RoleAdmin, org.RoleEnterpriseService, org.RoleLeader, org.RoleDispatcher) || a.Kind == org.ActorSystem
}

// CanWrite reports whether the actor may change it: admins and the
// enterprise service.
func CanWrite(a org.Actor) bool {
	return a.Is(org.RoleAdmin, org.RoleEnterpriseService) || a.Kind == org.ActorSystem
}

// SeesContacts reports whether the actor sees enterprises' contacts
// unmasked: the enterprise service, who calls them, and admins.
func SeesContacts(a org.Actor) bool {
	return a.Is(org.RoleAdmin, org.RoleEnterpriseService) || a.Kind == org.ActorSystem
}

func canRead(a org.Actor) error {
	if !CanRead(a) {
		return jiedao.Forbidden("您无权查看企业服务数据", "you may not read the enterprise registry")
	}
	return nil
}

func canWrite(a org.Actor) error {
	if !CanWrite(a) {
		return jiedao.Forbidden("您无权修改企业服务数据", "you may not change the enterprise registry")
	}
	return nil
}

func view(a org.Actor, e *Enterprise) *Enterprise {
	if SeesContacts(a) {
		return e
	}
	m := e.Masked()
	return &m
}

// SaveEnterprise creates or updates an enterprise (merged on its credit
// code). Accepting a code whose check character is wrong (CodeOverride)
// is recorded in the audit trail with its reason.
func (s *Service) SaveEnterprise(ctx context.Context, a org.Actor, e *Enterprise) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		return s.saveEnterprise(ctx, a, e, true, true)
	})
}

// saveEnterprise stores e and audits a new override, inside a transaction;
// mayExist is false when the caller knows the code is new (an import has
// looked them all up), which saves reading it first.
// place is false when the caller has set its subdistrict (an import).
func (s *Service) saveEnterprise(ctx context.Context, a org.Actor, e *Enterprise, mayExist, place bool) error {
	var oldOverride string
	var old *Enterprise
	if !mayExist {
		// New: no earlier override.
	} else if o, err := s.Store.EnterpriseByCode(ctx, e.CreditCode); err == nil {
		old, oldOverride = o, o.CodeOverride
	} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
		return err
	}
	if !place {
		// Placed by the caller.
	} else if err := s.placeEnterprise(ctx, a, e, old); err != nil {
		return err
	}
	if err := s.Store.SaveEnterprise(ctx, e); err != nil {
		return err
	}
	if e.CodeOverride != "" && e.CodeOverride != oldOverride {
		return org.AuditRecord(ctx, s.Audit, a, AuditCodeOverride, "enterprise", e.ID, nil,
			map[string]string{"credit_code": e.CreditCode, "name": e.Name}, e.CodeOverride)
	}
	return nil
}

// Get returns an enterprise as the actor may see it.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Enterprise, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	e, err := s.enterpriseIn(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return view(a, e), nil
}

// List lists enterprises as the actor may see them.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]Enterprise, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if f.Now == "" {
		f.Now = s.today()
	}
	f.Jurisdiction = a.JurisdictionID
	list, err := s.Store.ListEnterprises(ctx, f)
	if err != nil {
		return nil, err
	}
	if !SeesContacts(a) {
		for i := range list {
			list[i] = list[i].Masked()
		}
	}
	return list, nil
}

// Count counts the enterprises a filter selects.
func (s *Service) Count(ctx context.Context, a org.Actor, f Filter) (int, error) {
	if err := canRead(a); err != nil {
		return 0, err
	}
	if f.Now == "" {
		f.Now = s.today()
	}
	f.Jurisdiction = a.JurisdictionID
	return s.Store.CountEnterprises(ctx, f)
}

// AddCertification grants a certification.
func (s *Service) AddCertification(ctx context.Context, a org.Actor, c *Certification) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := s.enterpriseIn(ctx, a, c.EnterpriseID); err != nil {
		return err
	}
	return s.Store.AddCertification(ctx, c)
}

// Certifications lists certifications.
func (s *Service) Certifications(ctx context.Context, a org.Actor, f CertFilter) ([]CertRow, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	f.Jurisdiction = a.JurisdictionID
	return s.Store.ListCertifications(ctx, f)
}

// SaveBuilding creates or updates a building (by name).
func (s *Service) SaveBuilding(ctx context.Context, a org.Actor, b *Building) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if err := s.placeBuilding(ctx, a, b); err != nil {
		return err
	}
	return s.Store.SaveBuilding(ctx, b)
}

// SaveRoom creates or updates a room.
func (s *Service) SaveRoom(ctx context.Context, a org.Actor, r *Room) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := s.buildingIn(ctx, a, r.BuildingID); err != nil {
		return err
	}
	return s.Store.SaveRoom(ctx, r)
}

// Buildings lists the buildings.
func (s *Service) Buildings(ctx context.Context, a org.Actor) ([]Building, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	list, err := s.Store.ListBuildings(ctx)
	return inScope(a, list, func(b Building) int64 { return b.JurisdictionID }), err
}

// Building returns one building.
func (s *Service) Building(ctx context.Context, a org.Actor, id int64) (*Building, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.buildingIn(ctx, a, id)
}

// Rooms lists a building's rooms.
func (s *Service) Rooms(ctx context.Context, a org.Actor, buildingID int64) ([]Room, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := s.buildingIn(ctx, a, buildingID); err != nil {
		return nil, err
	}
	return s.Store.ListRooms(ctx, buildingID)
}

// StartTenancy records that an enterprise rents a room from a day.
func (s *Service) StartTenancy(ctx context.Context, a org.Actor, t *Tenancy) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.tenancyIn(ctx, a, t.EnterpriseID, t.RoomID); err != nil {
		return err
	}
	return s.Store.AddTenancy(ctx, t)
}

// MoveTo moves an enterprise to another room on a day: every tenancy of
// it lasting on that day ends then, and a new one starts; the history is
// kept. All or nothing.
func (s *Service) MoveTo(ctx context.Context, a org.Actor, enterpriseID, roomID int64, on Date) (*Tenancy, error) {
	if err := canWrite(a); err != nil {
		return nil, err
	}
	t := &Tenancy{EnterpriseID: enterpriseID, RoomID: roomID, Start: on}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if err := s.tenancyIn(ctx, a, enterpriseID, roomID); err != nil {
		return nil, err
	}
	err := s.Store.Atomic(ctx, func(ctx context.Context) error {
		old, err := s.Store.ListTenancies(ctx, enterpriseID, 0)
		if err != nil {
			return err
		}
		for _, o := range old {
			if o.Covers(on) {
				if o.Start == on {
					return jiedao.Invalid("start", "搬迁日期不能与原租约的入驻日期相同", "a move cannot start on the day the old tenancy started")
				}
				if err := s.Store.EndTenancy(ctx, o.ID, on); err != nil {
					return err
				}
			}
		}
		return s.Store.AddTenancy(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Tenancies lists an enterprise's or a building's tenancies.
func (s *Service) Tenancies(ctx context.Context, a org.Actor, enterpriseID, buildingID int64) ([]Tenancy, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	switch {
	case enterpriseID != 0:
		if _, err := s.enterpriseIn(ctx, a, enterpriseID); err != nil {
			return nil, err
		}
	case buildingID != 0:
		if _, err := s.buildingIn(ctx, a, buildingID); err != nil {
			return nil, err
		}
	}
	list, err := s.Store.ListTenancies(ctx, enterpriseID, buildingID)
	return inScope(a, list, func(t Tenancy) int64 { return t.JurisdictionID }), err
}

// TaxByYear returns an enterprise's tax per year.
func (s *Service) TaxByYear(ctx context.Context, a org.Actor, enterpriseID int64) (map[int]Money, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := s.enterpriseIn(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListTax(ctx, enterpriseID, "0000-00", "9999-99")
	if err != nil {
		return nil, err
	}
	out := map[int]Money{}
	for _, r := range rows {
		out[Date(r.Month+"-01").Year()] += r.Amount
	}
	return out, nil
}

// Tiers computes every building's tax and tier in a year: those of the
// actor's subdistrict, ranked among themselves.
func (s *Service) Tiers(ctx context.Context, a org.Actor, year int) ([]BuildingYear, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	years, err := s.computeTiers(ctx, year)
	return tiersIn(years, a.JurisdictionID), err
}

// computeTiers returns the year's tiers, computed again only when the
// data changed since they were last computed (the store's Version, which
// every process writing the data changes). The result is shared: callers
// must not change it.
func (s *Service) computeTiers(ctx context.Context, year int) ([]BuildingYear, error) {
	v, err := s.Store.Version(ctx)
	if err != nil {
		return nil, err
	}
	s.tiers.Lock()
	c, ok := s.tiers.years[year]
	s.tiers.Unlock()
	if ok && c.version == v {
		return c.years, nil
	}
	years, err := s.ComputeTiersNow(ctx, year)
	if err != nil {
		return nil, err
	}
	s.tiers.Lock()
	if s.tiers.years == nil {
		s.tiers.years = map[int]cachedYear{}
	}
	s.tiers.years[year] = cachedYear{version: v, years: years}
	s.tiers.Unlock()
	return years, nil
}

// ComputeTiersNow computes the year's tiers from the records, without the
// cache (the benchmark of recomputing them). Most tenants stay in one
// building all year: their tax is read summed per year by the database;
// only the monthly rows of those who were not in one building every
// month of a year (a move, a tenancy starting or ending) are read.
func (s *Service) ComputeTiersNow(ctx context.Context, year int) ([]BuildingYear, error) {
	buildings, err := s.Store.ListBuildings(ctx)
	if err != nil {
		return nil, err
	}
	tenancies, err := s.Store.ListTenancies(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	in := Inputs{Year: year, Buildings: buildings, Tenancies: map[int64][]Tenancy{}, HQ: map[int64]bool{}, Names: map[int64]string{}}
	for _, t := range tenancies {
		in.Tenancies[t.EnterpriseID] = append(in.Tenancies[t.EnterpriseID], t)
		in.Names[t.EnterpriseID] = t.Enterprise
	}
	sums, err := s.Store.TaxByYear(ctx, year-1, year)
	if err != nil {
		return nil, err
	}
	// wholeYear[e][y]: the enterprise's building is the same, and not
	// none, in every month of year y.
	wholeYear := func(e int64, y int) bool {
		ts := in.Tenancies[e]
		first := BuildingOfMonth(ts, monthKey(y, 1))
		if first == 0 {
			return false
		}
		for m := 2; m <= 12; m++ {
			if BuildingOfMonth(ts, monthKey(y, m)) != first {
				return false
			}
		}
		return true
	}
	// An enterprise read month by month is read so for both years.
	monthly := map[int64]bool{}
	for _, t := range sums {
		if _, tenant := in.Tenancies[t.EnterpriseID]; tenant && !wholeYear(t.EnterpriseID, t.Year) {
			monthly[t.EnterpriseID] = true
		}
	}
	for _, t := range sums {
		if _, tenant := in.Tenancies[t.EnterpriseID]; tenant && !monthly[t.EnterpriseID] {
			in.Tax = append(in.Tax, MonthTax{EnterpriseID: t.EnterpriseID, Month: monthKey(t.Year, 1), Amount: t.Amount})
		}
	}
	for e := range monthly {
		rows, err := s.Store.ListTax(ctx, e, monthKey(year-1, 1), monthKey(year+1, 1))
		if err != nil {
			return nil, err
		}
		in.Tax = append(in.Tax, rows...)
	}
	hq, err := s.Store.ListEnterprises(ctx, Filter{Tag: TagHQListed})
	if err != nil {
		return nil, err
	}
	for _, e := range hq {
		in.HQ[e.ID] = true
	}
	return ComputeYear(in), nil
}

// YearTax is an enterprise's tax in a year.
type YearTax struct {
	EnterpriseID int64
	Year         int
	Amount       Money
}

func monthKey(year, month int) string { return fmt.Sprintf("%04d-%02d", year, month) }

// RecordMove records a move in or out.
func (s *Service) RecordMove(ctx context.Context, a org.Actor, m *Move) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := s.enterpriseIn(ctx, a, m.EnterpriseID); err != nil {
		return err
	}
	return s.Store.AddMove(ctx, m)
}

// Moves lists the moves of a period [from, to) and their balance.
func (s *Service) Moves(ctx context.Context, a org.Actor, from, to Date) ([]Move, MoveBalance, error) {
	if err := canRead(a); err != nil {
		return nil, MoveBalance{}, err
	}
	list, err := s.Store.ListMoves(ctx, 0, from, to)
	if err != nil {
		return nil, MoveBalance{}, err
	}
	list = inScope(a, list, func(m Move) int64 { return m.JurisdictionID })
	return list, Balance(list), nil
}

// PlanVisits sets how often a staff member visits an enterprise.
func (s *Service) PlanVisits(ctx context.Context, a org.Actor, p *VisitPlan) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if p.EveryDays < 1 || p.EveryDays > 366 {
		return jiedao.Invalid("every_days", "走访周期应在1到366天之间", "the visit interval must be 1 to 366 days")
	}
	if p.StaffID == 0 {
		p.StaffID = a.ID
	}
	if _, err := s.enterpriseIn(ctx, a, p.EnterpriseID); err != nil {
		return err
	}
	return s.Store.SavePlan(ctx, p)
}

// Plan returns a staff member's visit plan, the most overdue first.
func (s *Service) Plan(ctx context.Context, a org.Actor, staffID int64) ([]VisitPlan, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	list, err := s.Store.ListPlans(ctx, staffID)
	return inScope(a, list, func(p VisitPlan) int64 { return p.JurisdictionID }), err
}

// RecordVisit records a visit by the actor.
func (s *Service) RecordVisit(ctx context.Context, a org.Actor, v *Visit) error {
	if err := canWrite(a); err != nil {
		return err
	}
	if v.On == "" {
		v.On = s.today()
	}
	if err := v.Validate(); err != nil {
		return err
	}
	if v.StaffID == 0 && a.Kind == org.ActorStaff {
		v.StaffID = a.ID
	}
	if _, err := s.enterpriseIn(ctx, a, v.EnterpriseID); err != nil {
		return err
	}
	return s.Store.AddVisit(ctx, v)
}

// Visits lists visits of an enterprise (0: all) in [from, to).
func (s *Service) Visits(ctx context.Context, a org.Actor, enterpriseID int64, from, to Date, limit, offset int) ([]Visit, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if enterpriseID != 0 {
		if _, err := s.enterpriseIn(ctx, a, enterpriseID); err != nil {
			return nil, err
		}
	}
	return s.Store.ListVisits(ctx, enterpriseID, a.JurisdictionID, from, to, limit, offset)
}

// RaiseDemand makes an enterprise's demand a case of the enterprise
// channel in the one closed loop (casework.Service.Report: its category,
// deadlines, dispatch and evaluation hold for it) and links it to the
// enterprise and the visit it was raised on.
func (s *Service) RaiseDemand(ctx context.Context, a org.Actor, enterpriseID, visitID int64, in casework.ReportInput) (*casework.Case, error) {
	if err := canWrite(a); err != nil {
		return nil, err
	}
	e, err := s.enterpriseIn(ctx, a, enterpriseID)
	if err != nil {
		return nil, err
	}
	// The demand is a case of the enterprise's subdistrict: a district
	// actor raises it as that subdistrict's.
	if n, ok := a.Narrowed(e.JurisdictionID); ok && e.JurisdictionID != 0 {
		a = n
	}
	in.Channel = casework.ChannelEnterprise
	if in.Reporter.Name == "" && in.Reporter.Phone == "" {
		in.Reporter = casework.Contact{Name: e.ContactName, Phone: e.ContactPhone}
	}
	if in.Title == "" {
		in.Title = e.Name + "诉求"
	}
	// Not in one transaction with the link: the case store commits cases
	// in groups of its own. A case whose link failed is still a case of
	// the enterprise channel, counted and handled; the error says so.
	c, err := s.Cases.Report(ctx, a, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.LinkDemand(ctx, Demand{CaseID: c.ID, EnterpriseID: enterpriseID, VisitID: visitID}); err != nil {
		return c, err
	}
	return c, nil
}

// Demands lists an enterprise's demands with their cases' status.
func (s *Service) Demands(ctx context.Context, a org.Actor, enterpriseID int64) ([]Demand, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := s.enterpriseIn(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	return s.Store.ListDemands(ctx, enterpriseID)
}

// ResolutionRate is the closed-loop resolution rate (问题闭环解决率) of
// demands: the share, in percent, of those listed that are closed; ok is
// false when there are none.
func ResolutionRate(demands []Demand) (rate float64, ok bool) {
	if len(demands) == 0 {
		return 0, false
	}
	closed := 0
	for _, d := range demands {
		if d.Status == casework.StatusClosed {
			closed++
		}
	}
	return float64(int64(float64(closed)*10000/float64(len(demands))+0.5)) / 100, true
}

// EnterpriseMoves lists one enterprise's moves.
func (s *Service) EnterpriseMoves(ctx context.Context, a org.Actor, id int64) ([]Move, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := s.enterpriseIn(ctx, a, id); err != nil {
		return nil, err
	}
	return s.Store.ListMoves(ctx, id, "0001-01-01", "9999-12-31")
}

// LastYear is the year before today's, the default of the yearly pages.
func (s *Service) LastYear() int { return s.today().Year() - 1 }
