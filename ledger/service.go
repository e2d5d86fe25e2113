package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Op is how a figure aggregates a ledger.
type Op string

const (
	OpCount    Op = "count"    // entries
	OpSum      Op = "sum"      // the sum of a numeric field
	OpDistinct Op = "distinct" // distinct values of a field (distinct people, households)
)

// Group is what sums are broken down by.
type Group string

const (
	ByNone      Group = ""
	ByMonth     Group = "month"
	ByCommunity Group = "community"
)

// Query selects live entries of one type.
type Query struct {
	TypeID      int64
	From, To    string // days, YYYY-MM-DD; From inclusive, To exclusive; "" open
	CommunityID int64  // 0: every community (and none)
	// Jurisdiction is the subdistrict whose entries are read (0: all);
	// the service sets it from the actor, never from a request.
	Jurisdiction int64
	// Field, with Op sum or distinct, is the field aggregated; with Op
	// count and a Field, only entries where it is filled are counted.
	Field string
	Op    Op
	Group Group
	// Where restricts entries to those whose field has a value (a choice).
	WhereField, WhereValue string
}

// Row is one group of an aggregate.
type Row struct {
	Month       string  `json:"month,omitempty"` // YYYY-MM
	CommunityID int64   `json:"community_id,omitempty"`
	Value       float64 `json:"value"`
	Entries     int     `json:"entries"` // the entries that went into Value
}

// YearQuery returns q restricted to a calendar year.
func YearQuery(q Query, year int) Query {
	q.From, q.To = fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)
	return q
}

// Store keeps ledger types and entries. Every write of an entry or a type
// also writes its new version, in the same transaction.
type Store interface {
	CreateType(ctx context.Context, t *Type, by org.Actor, at time.Time) error
	// UpdateType stores t as the next version of its type: check is called
	// with the stored type under lock and may refuse the change.
	UpdateType(ctx context.Context, t *Type, by org.Actor, at time.Time, check func(old *Type) error) error
	GetType(ctx context.Context, code string) (*Type, error)
	GetTypeByID(ctx context.Context, id int64) (*Type, error)
	ListTypes(ctx context.Context) ([]*Type, error)
	TypeVersions(ctx context.Context, typeID int64) ([]*Type, error)

	// CreateEntries stores new entries of one type, all or none.
	CreateEntries(ctx context.Context, t *Type, entries []*Entry, by org.Actor, at time.Time) error
	// UpdateEntry changes an entry under lock: fn gets the stored entry
	// and changes it; its new version is stored with by and at.
	UpdateEntry(ctx context.Context, id int64, by org.Actor, at time.Time, fn func(e *Entry) error) (*Entry, error)
	GetEntry(ctx context.Context, id int64) (*Entry, error)
	History(ctx context.Context, id int64) ([]Version, error)
	// ListEntries lists live entries matching q (Op, Field and Group
	// ignored but for WhereField), newest day first, with their total.
	ListEntries(ctx context.Context, q Query, limit, offset int) ([]*Entry, int, error)
	Aggregate(ctx context.Context, q Query) ([]Row, error)
}

// Service applies the ledgers' rules.
type Service struct {
	Store Store
	Now   func() time.Time
	// Communities names the communities (for imports and pages).
	Communities func(ctx context.Context) ([]*org.Community, error)
	// Device, when set, checks that a device field names a registered
	// IoT device (an 安居守护 guardian device, whose alarms arrive as
	// cases of the iot channel).
	Device func(ctx context.Context, code string) (bool, error)
	// Jurisdictions lists the subdistricts, for the one an entry of no
	// community belongs to (org.RecordJurisdiction); nil: the actor's.
	Jurisdictions org.JurisdictionLister
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// CreateType defines a new ledger type.
func (s *Service) CreateType(ctx context.Context, a org.Actor, t *Type) error {
	if !CanDefine(a) {
		return jiedao.Forbidden("只有系统管理员可以定义台账", "only admins define ledgers")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.Store.CreateType(ctx, t, a, s.now())
}

// UpdateType changes a type's definition; entries already kept lose
// nothing (CheckChange).
func (s *Service) UpdateType(ctx context.Context, a org.Actor, t *Type) error {
	if !CanDefine(a) {
		return jiedao.Forbidden("只有系统管理员可以修改台账", "only admins change ledgers")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.Store.UpdateType(ctx, t, a, s.now(), func(old *Type) error { return CheckChange(old, t) })
}

// Type returns a type by code.
func (s *Service) Type(ctx context.Context, code string) (*Type, error) {
	t, err := s.Store.GetType(ctx, code)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.NotFound("台账 "+code, "ledger "+code)
	}
	return t, err
}

// checkRefs checks what an entry refers to outside the ledger.
func (s *Service) checkRefs(ctx context.Context, t *Type, e Entry) error {
	if e.CommunityID != 0 && s.Communities != nil {
		cs, err := s.Communities(ctx)
		if err != nil {
			return err
		}
		found := false
		for _, c := range cs {
			found = found || c.ID == e.CommunityID
		}
		if !found {
			return jiedao.Invalid("community_id", "社区不存在", "no such community")
		}
	}
	if s.Device != nil {
		for _, f := range t.Fields {
			if v := e.Values[f.Key]; f.Type == Device && v != "" {
				ok, err := s.Device(ctx, v)
				if err != nil {
					return err
				}
				if !ok {
					return jiedao.Invalid(f.Key, fmt.Sprintf("“%s”：设备“%s”未登记", f.Name, v), fmt.Sprintf("%s: device %q is not registered", nameEn(f), v))
				}
			}
		}
	}
	return nil
}

// Add adds an entry to a ledger.
func (s *Service) Add(ctx context.Context, a org.Actor, code string, in EntryInput) (*Entry, error) {
	t, err := s.Type(ctx, code)
	if err != nil {
		return nil, err
	}
	if !CanEdit(a, t, in.CommunityID) {
		return nil, jiedao.Forbidden("只有本社区（或台账所属单位）的工作人员可以登记", "only the community's (or the ledger unit's) staff may add entries")
	}
	e, err := t.Check(in)
	if err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, t, e); err != nil {
		return nil, err
	}
	comms, err := s.communityJurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.place(ctx, a, &e, in.JurisdictionID, comms); err != nil {
		return nil, err
	}
	if err := s.Store.CreateEntries(ctx, t, []*Entry{&e}, a, s.now()); err != nil {
		return nil, err
	}
	return &e, nil
}

// Edit changes an entry; its earlier versions stay in its history. An
// entry may move to another community only by someone who may edit both.
func (s *Service) Edit(ctx context.Context, a org.Actor, id int64, in EntryInput) (*Entry, error) {
	return s.update(ctx, a, id, func(t *Type, e *Entry) error {
		n, err := t.Check(in)
		if err != nil {
			return err
		}
		if !CanEdit(a, t, n.CommunityID) {
			return jiedao.Forbidden("只有本社区的工作人员可以修改", "only the community's staff may change it")
		}
		if err := s.checkRefs(ctx, t, n); err != nil {
			return err
		}
		comms, err := s.communityJurisdictions(ctx)
		if err != nil {
			return err
		}
		// An entry keeps its subdistrict unless its community moves it.
		picked := in.JurisdictionID
		if picked == 0 && n.CommunityID == 0 {
			picked = e.JurisdictionID
		}
		if err := s.place(ctx, a, &n, picked, comms); err != nil {
			return err
		}
		e.Day, e.CommunityID, e.Place, e.Values, e.JurisdictionID = n.Day, n.CommunityID, n.Place, n.Values, n.JurisdictionID
		return nil
	})
}

// Delete marks an entry deleted: it leaves the sums and lists, and its
// history keeps every version, the deletion included.
func (s *Service) Delete(ctx context.Context, a org.Actor, id int64) (*Entry, error) {
	return s.update(ctx, a, id, func(_ *Type, e *Entry) error {
		if e.Deleted {
			return jiedao.Errorf(jiedao.ECONFLICT, "记录已删除", "the entry is already deleted")
		}
		e.Deleted = true
		return nil
	})
}

func (s *Service) update(ctx context.Context, a org.Actor, id int64, fn func(t *Type, e *Entry) error) (*Entry, error) {
	var t *Type
	e, err := s.Store.UpdateEntry(ctx, id, a, s.now(), func(e *Entry) error {
		var err error
		if t, err = s.Store.GetTypeByID(ctx, e.TypeID); err != nil {
			return err
		}
		if !CanView(a, t, e.CommunityID) || !a.InJurisdiction(e.JurisdictionID) {
			return jiedao.NotFound("台账记录", "ledger entry")
		}
		if !CanEdit(a, t, e.CommunityID) {
			return jiedao.Forbidden("只有本社区（或台账所属单位）的工作人员可以修改", "only the community's (or the ledger unit's) staff may change it")
		}
		return fn(t, e)
	})
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.NotFound("台账记录", "ledger entry")
	}
	return e, err
}

// Entry returns an entry with its history, if the actor may see it.
func (s *Service) Entry(ctx context.Context, a org.Actor, id int64) (*Entry, *Type, []Version, error) {
	e, err := s.Store.GetEntry(ctx, id)
	if err != nil {
		return nil, nil, nil, notFoundEntry(err)
	}
	t, err := s.Store.GetTypeByID(ctx, e.TypeID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !CanView(a, t, e.CommunityID) || !a.InJurisdiction(e.JurisdictionID) {
		return nil, nil, nil, jiedao.NotFound("台账记录", "ledger entry")
	}
	h, err := s.Store.History(ctx, id)
	return e, t, h, err
}

func notFoundEntry(err error) error {
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return jiedao.NotFound("台账记录", "ledger entry")
	}
	return err
}

// scope restricts q to what the actor sees of the type.
func scope(a org.Actor, t *Type, q Query) (Query, error) {
	c, ok := ViewScope(a, t)
	if !ok {
		return q, jiedao.Forbidden("无权查看该台账", "you may not read this ledger")
	}
	if c != 0 {
		if q.CommunityID != 0 && q.CommunityID != c {
			return q, jiedao.Forbidden("只能查看本社区的台账", "you may read your own community's entries only")
		}
		q.CommunityID = c
	}
	q.TypeID = t.ID
	q.Jurisdiction = a.JurisdictionID
	return q, nil
}

// List lists a ledger's entries as the actor sees them.
func (s *Service) List(ctx context.Context, a org.Actor, code string, q Query, limit, offset int) ([]*Entry, int, *Type, error) {
	t, err := s.Type(ctx, code)
	if err != nil {
		return nil, 0, nil, err
	}
	if q, err = scope(a, t, q); err != nil {
		return nil, 0, nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	es, n, err := s.Store.ListEntries(ctx, q, limit, offset)
	return es, n, t, err
}

// Aggregate sums, counts or counts distinct values of a ledger as the
// actor sees it.
func (s *Service) Aggregate(ctx context.Context, a org.Actor, code string, q Query) ([]Row, *Type, error) {
	t, err := s.Type(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if q, err = scope(a, t, q); err != nil {
		return nil, nil, err
	}
	switch q.Op {
	case OpCount:
	case OpSum, OpDistinct:
		f, ok := t.Field(q.Field)
		if !ok {
			return nil, nil, jiedao.Invalid("field", "请选择要统计的字段", "choose the field to aggregate")
		}
		if q.Op == OpSum && !f.Type.Numeric() {
			return nil, nil, jiedao.Invalid("field", fmt.Sprintf("“%s”不是数字，不能求和", f.Name), fmt.Sprintf("%s is not a number", nameEn(f)))
		}
	default:
		return nil, nil, jiedao.Invalid("op", "统计方式无效（count、sum、distinct）", "op must be count, sum or distinct")
	}
	if q.Group != ByNone && q.Group != ByMonth && q.Group != ByCommunity {
		return nil, nil, jiedao.Invalid("group", "分组方式无效（month、community）", "group must be month or community")
	}
	rows, err := s.Store.Aggregate(ctx, q)
	return rows, t, err
}
