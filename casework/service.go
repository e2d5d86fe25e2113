package casework

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// Service runs the case loop: every step goes through it, so that the
// rules and the authorisation hold whichever page, API or channel the step
// came from.
type Service struct {
	Store     Store
	Units     UnitSource
	Calendars CalendarSource
	// CalendarEdit changes the calendar that Calendars reads.
	CalendarEdit CalendarEditor
	Places       Placer
	Now          func() time.Time
	Log          *slog.Logger
	// Audit records the configuration's changes, the reveals of
	// residents' contacts and the exports (docs/audit.md); nil records
	// nothing, and then no export is made.
	Audit org.Auditor
	// ExportPageSize is how many cases an export reads at a time; 0 is
	// ExportPage.
	ExportPageSize int
	// Contacts erases residents' contacts for the retention job
	// (retention.go); only RunRetention needs it.
	Contacts ContactStore
	// Kinds are the packages of the case kinds with legal clocks
	// (kind.go); a kind without one is refused.
	Kinds map[Kind]KindModel
	// PersonKey keys the digest of a person's identity (PersonDigest): a
	// 12345 work order records its caller's, so that a petitioner who also
	// called 12345 is one identity (docs/kinds.md). Nil records none.
	PersonKey []byte
}

func (s *Service) now() time.Time {
	// Storage keeps microseconds (PostgreSQL's precision): truncating here
	// makes a stored and a fresh case compare equal.
	return s.Now().Truncate(time.Microsecond).In(calendar.Zone())
}

// ReportInput is a new report from any channel.
type ReportInput struct {
	Channel    Channel `json:"channel"`
	ExternalID string  `json:"external_id,omitempty"`
	// SourceAt is the sender's own time of a machine channel's case: a
	// police transfer's 移交时间, a 12345 work order's 来电时间. Set by
	// package intake only, never read from a request body.
	SourceAt *time.Time `json:"-"`
	// ExtraAttributes are attributes a client sent that the category does
	// not define (Open311 clients add their own: FixMyStreet its report id
	// and title). Kept with the case as text for staff, bounded by
	// CheckExtraAttributes, never interpreted. Set by package open311.
	ExtraAttributes map[string][]string `json:"-"`
	Category        string              `json:"category"`
	Urgency         Urgency             `json:"urgency,omitempty"`
	Title           string              `json:"title"`
	Details         string              `json:"details"`
	Address         string              `json:"address,omitempty"`
	Lat             *float64            `json:"lat,omitempty"`
	Lon             *float64            `json:"lon,omitempty"`
	GCJ02           bool                `json:"gcj02,omitempty"`   // the point is in GCJ-02, as phone maps give it
	GridID          int64               `json:"grid_id,omitempty"` // a report placed by a grid's QR code
	Attributes      map[string][]string `json:"attributes,omitempty"`
	Reporter        Contact             `json:"reporter"`
	// Kind makes a case of a kind with legal clocks; KindData is its
	// fields, as the kind's package reads them (docs/kinds.md).
	Kind     Kind            `json:"kind,omitempty"`
	KindData json.RawMessage `json:"kind_data,omitempty"`

	// Set by Go callers only (package intake), never from a request body.
	// ViaClient is the machine client a staff member's batch came from (a
	// 12345 or police file a dispatcher uploads): the case records it as
	// its ClientID. Alarms is the alarm count of a case a device alarm
	// opens.
	ViaClient int64 `json:"-"`
	Alarms    int   `json:"-"`
	// JurisdictionID is the subdistrict the report is addressed to (an
	// Open311 request's jurisdiction_id), for a report whose place does
	// not say: the place's subdistrict wins, and a subdistrict actor
	// reports in his own only (docs/jurisdictions.md).
	JurisdictionID int64 `json:"-"`
}

func checkText(field string, v string, max int, required bool, zh, en string) error {
	if required && strings.TrimSpace(v) == "" {
		return jiedao.Invalid(field, "请填写"+zh, en+" is required")
	}
	// PostgreSQL cannot store a NUL in text (SQLite can): refusing it
	// here keeps both engines alike and the error the user's, not a 500.
	// Found by open311's FuzzPostRequestForm.
	if strings.ContainsRune(v, 0) {
		return jiedao.Invalid(field, zh+"含有无法保存的空字符（NUL）", en+" contains a NUL character, which cannot be stored")
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		e := jiedao.Errorf(jiedao.EINVALID, zh+"不能超过%d字", en+" must be at most %d characters", max)
		e.Field = field
		return e
	}
	return nil
}

// Report takes in a new report and makes it a case, placed in its grid and
// with a suggested unit. A report whose (channel, external id) was seen
// before returns the case it made then, so a retried delivery never makes
// two cases.
func (s *Service) Report(ctx context.Context, a org.Actor, in ReportInput) (*Case, error) {
	// Before the external id is looked up, so that a resident cannot
	// learn which ids exist.
	if err := checkReportSource(a, in); err != nil {
		return nil, err
	}
	if in.ExternalID != "" {
		old, err := s.Store.FindByExternalID(ctx, channelOf(a, in), in.ExternalID)
		if err == nil {
			return s.delivered(ctx, a, old)
		} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return nil, err
		}
	}
	c, e, err := s.NewReport(ctx, a, in, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateCase(ctx, c, e); err != nil {
		if jiedao.ErrorCode(err) == jiedao.ECONFLICT && c.ExternalID != "" {
			// Another delivery of the same report won the race.
			if old, ferr := s.Store.FindByExternalID(ctx, c.Channel, c.ExternalID); ferr == nil {
				return s.delivered(ctx, a, old)
			}
		}
		return nil, err
	}
	return s.view(a, c), nil
}

// delivered answers a report whose external id made a case before: the
// case, to an actor who may see it (the sender retrying); to anyone else a
// conflict that shows nothing of it, since external ids (12345 work-order
// and police event numbers) are easily guessed. A resident sees no case
// this way: residents follow theirs by number and phone.
func (s *Service) delivered(ctx context.Context, a org.Actor, old *Case) (*Case, error) {
	ok := a.Kind != org.ActorResident
	if ok {
		var err error
		if ok, err = s.canView(ctx, a, old); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "该外部编号已由其他来源上报：" + old.ExternalID,
			En: "another source reported this external id already: " + old.ExternalID, Field: "external_id"}
	}
	return s.view(a, old), nil
}

// channelOf is the channel a report comes by: a machine client's own,
// else the one given, else the usual one of the reporter.
func channelOf(a org.Actor, in ReportInput) Channel {
	switch {
	case a.Kind == org.ActorClient && a.Channel != "":
		return Channel(a.Channel)
	case in.Channel != "":
		return in.Channel
	case a.Kind == org.ActorResident:
		return ChannelXihuCode
	case a.Is(org.RoleGridWorker):
		return ChannelGrid
	case a.Is(org.RoleEnterpriseService):
		return ChannelEnterprise // a demand raised on a visit (package enterprise)
	}
	return ChannelOther
}

// checkReportSource refuses a channel or an external id that the reporter
// may not claim. The channels are the report's figures (西湖码, 12345,
// 警网协同 …), so a report counts only where it came from:
//   - a member of the public reports on the public's own channels (西湖码,
//     平安通) and has no system whose numbers (external ids) need
//     deduplicating;
//   - among staff, the command center (and admins) register what reaches
//     them by phone, hotline or police and may name any channel and the
//     source's number; every other role reports on its own channel (grid
//     workers 网格, the rest "other") without an external id;
//   - a machine client's channel is its own (channelOf), whatever it says.
//
// Otherwise anyone could pass a report off as a police transfer or a 12345
// work order, count in their figures, and take the number of a work order
// not yet imported, which the import would then skip as already made.
func checkReportSource(a org.Actor, in ReportInput) error {
	switch {
	case a.Kind == org.ActorResident:
		if in.ExternalID != "" {
			return jiedao.Forbidden("居民上报不能指定外部编号", "residents' reports carry no external id")
		}
		if in.Channel.Valid() && in.Channel != ChannelXihuCode && in.Channel != ChannelPingan {
			return jiedao.Forbidden("居民只能通过西湖码或平安通上报", "residents report by the Xihu code or Ping'an Tong only")
		}
	case a.Kind == org.ActorStaff && !a.Is(org.RoleDispatcher, org.RoleAdmin):
		if in.ExternalID != "" {
			return jiedao.Forbidden("只有指挥中心可以登记外部编号", "only the command center registers external ids")
		}
		if own := channelOf(a, ReportInput{}); in.Channel != "" && in.Channel != own {
			return jiedao.Forbidden("只有指挥中心可以指定来源渠道", "only the command center names a report's channel")
		}
	}
	return nil
}

// NewReport checks a report and builds the case it makes at time now, with
// its report event, without storing either: Report stores them at once, and
// the demo generator stores a year of them in bulk.
func (s *Service) NewReport(ctx context.Context, a org.Actor, in ReportInput, now time.Time) (*Case, *Event, error) {
	if !(CheckStep(a, ActReport, nil) == nil) {
		return nil, nil, jiedao.Forbidden("您无权上报案件", "you may not report cases")
	}
	in.Channel = channelOf(a, in)
	if !in.Channel.Valid() {
		return nil, nil, jiedao.Invalid("channel", "渠道无效："+string(in.Channel), "unknown channel: "+string(in.Channel))
	}
	if err := checkReportSource(a, in); err != nil {
		return nil, nil, err
	}
	if in.Urgency == "" {
		in.Urgency = UrgencyNormal
	}
	if !in.Urgency.Valid() {
		return nil, nil, jiedao.Invalid("urgency", "紧急程度应为 normal、urgent 或 critical", "urgency must be normal, urgent or critical")
	}
	in.Title, in.Details = strings.TrimSpace(in.Title), strings.TrimSpace(in.Details)
	if in.Title == "" {
		in.Title = firstRunes(in.Details, 40)
	}
	for _, f := range []struct {
		field, v string
		max      int
		req      bool
		zh, en   string
	}{
		{"title", in.Title, 100, false, "标题", "title"},
		{"details", in.Details, 5000, true, "问题描述", "details"},
		{"address", in.Address, 200, false, "地址", "address"},
		{"external_id", in.ExternalID, 100, false, "外部编号", "external id"},
		{"reporter_name", in.Reporter.Name, 50, false, "姓名", "name"},
		{"reporter_phone", in.Reporter.Phone, 30, false, "电话", "phone"},
	} {
		if err := checkText(f.field, f.v, f.max, f.req, f.zh, f.en); err != nil {
			return nil, nil, err
		}
	}
	if !in.Kind.Valid() {
		return nil, nil, jiedao.Invalid("kind", "案件类型无效："+string(in.Kind), "unknown case kind: "+string(in.Kind))
	}
	var cat *Category
	var attrs map[string]any
	if in.Kind != KindOrdinary && in.Category == "" {
		// A kind case needs no category of the city-management catalogue:
		// its kind says what it is, its clocks what is due.
		cat = &Category{Code: string(in.Kind), Active: true}
	} else {
		var err error
		cat, err = s.Store.GetCategory(ctx, in.Category)
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !cat.Active) {
			return nil, nil, jiedao.Invalid("category", "问题分类不存在："+in.Category, "unknown category: "+in.Category)
		} else if err != nil {
			return nil, nil, err
		}
		if attrs, err = cat.CheckAttributes(in.Attributes); err != nil {
			return nil, nil, err
		}
	}
	c := &Case{
		Channel: in.Channel, ExternalID: in.ExternalID, SourceAt: in.SourceAt, Category: cat.Code, Urgency: in.Urgency,
		Title: in.Title, Details: in.Details, Address: strings.TrimSpace(in.Address), Attributes: attrs,
		Reporter:   Contact{Name: strings.TrimSpace(in.Reporter.Name), Phone: strings.TrimSpace(in.Reporter.Phone)},
		AlarmCount: in.Alarms,
	}
	if len(attrs) == 0 {
		c.Attributes = nil
	}
	extra, err := CheckExtraAttributes(in.ExtraAttributes)
	if err != nil {
		return nil, nil, err
	}
	c.ExtraAttributes = extra
	switch a.Kind {
	case org.ActorClient:
		c.ClientID = a.ID
	case org.ActorStaff:
		c.ReporterID, c.ClientID = a.ID, in.ViaClient
	}
	if err := s.place(ctx, c, in); err != nil {
		return nil, nil, err
	}
	if err := s.placeJurisdiction(ctx, a, c, in); err != nil {
		return nil, nil, err
	}
	// A resident's report needs a place the command center can find: a
	// location, a grid (its QR code) or an address.
	if a.Kind == org.ActorResident && c.Location == nil && c.GridID == 0 && c.Address == "" {
		return nil, nil, jiedao.Invalid("address", "请说明问题的位置：使用定位、扫网格码，或填写详细地址",
			"say where the problem is: use your location, a grid's QR code, or give the address")
	}
	rules, err := s.Store.ListRoutingRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	if rules, err = s.rulesOf(ctx, rules, c.JurisdictionID); err != nil {
		return nil, nil, err
	}
	if r, ok := Route(rules, RouteInput{Category: c.Category, GridID: c.GridID, CommunityID: c.Community, Channel: c.Channel}); ok {
		c.SuggestedUnit = r.UnitID
	}
	now = now.Truncate(time.Microsecond).In(calendar.Zone())
	if in.Kind != KindOrdinary {
		m, err := s.kindModel(in.Kind)
		if err != nil {
			return nil, nil, err
		}
		cal, err := s.Calendars.Calendar(ctx)
		if err != nil {
			return nil, nil, err
		}
		c.Kind = in.Kind
		st, err := m.New(ctx, s.kindEnv(cal), c, in.KindData, now)
		if err != nil {
			return nil, nil, err
		}
		if err := checkKindState(st); err != nil {
			return nil, nil, err
		}
		c.KindState = st
	} else if len(in.KindData) > 0 && string(in.KindData) != "null" {
		return nil, nil, jiedao.Invalid("kind_data", "一般案件没有专项字段", "an ordinary case has no kind data")
	}
	snapshot := *c
	e := &Event{Seq: 1, Action: ActReport, At: now, To: StatusReported, Payload: Payload{Report: &snapshot}}
	setActor(e, a)
	nc, err := Apply(nil, e)
	if err != nil {
		return nil, nil, err
	}
	if c.Channel == ChannelHotline {
		nc.Person = HotlinePerson(s.PersonKey, c.Reporter.Phone) // docs/kinds.md, "One petitioner"
	}
	return nc, e, nil
}

// place sets the case's location, grid and community.
func (s *Service) place(ctx context.Context, c *Case, in ReportInput) error {
	if (in.Lat == nil) != (in.Lon == nil) {
		return jiedao.Invalid("lat", "经度和纬度须同时提供", "give both latitude and longitude")
	}
	if in.Lat != nil {
		p := geo.Point{Lon: *in.Lon, Lat: *in.Lat}
		if !p.Valid() {
			return jiedao.Invalid("lat", "经纬度超出范围", "coordinates out of range")
		}
		if in.GCJ02 {
			p = geo.GCJ02ToWGS84(p)
		}
		c.Location = &Location{Lat: p.Lat, Lon: p.Lon}
		grid, community, found, err := s.Places.Place(ctx, p)
		if err != nil {
			return err
		}
		if np, ok := s.Places.(NearPlacer); ok && !found {
			if near, err := np.Near(ctx, p, JurisdictionMargin); err != nil {
				return err
			} else if !near {
				return jiedao.Invalid("lat", "该位置不在本街道辖区内，请确认定位，或改为选择网格、填写地址",
					"this place is outside the subdistrict: check the location, or choose a grid or give an address")
			}
		}
		c.GridID, c.Community, c.Unplaced = grid, community, !found
		return nil
	}
	if in.GridID != 0 {
		community, err := s.Units.GridCommunity(ctx, in.GridID)
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return jiedao.Invalid("grid_id", "网格不存在", "unknown grid")
		} else if err != nil {
			return err
		}
		c.GridID, c.Community = in.GridID, community
	}
	return nil
}

func setActor(e *Event, a org.Actor) {
	e.ActorKind, e.ActorID, e.ActorName, e.ActorRole = string(a.Kind), a.ID, a.Name, string(a.Role)
}

func firstRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// StepInput is one step on an existing case.
type StepInput struct {
	Action    Action   `json:"action"`
	Reason    string   `json:"reason,omitempty"`
	UnitID    int64    `json:"unit_id,omitempty"`  // dispatch
	Category  string   `json:"category,omitempty"` // accept: correct the category
	Urgency   Urgency  `json:"urgency,omitempty"`  // accept: correct the urgency
	Rating    Rating   `json:"rating,omitempty"`   // rate
	Comment   string   `json:"comment,omitempty"`  // rate
	Phone     string   `json:"phone,omitempty"`    // rate by a resident: proof it is theirs
	MergeInto int64    `json:"merge_into,omitempty"`
	Days      int      `json:"days,omitempty"` // extension
	Photos    []string `json:"photos,omitempty"`
	// KindData is a kind step's input (a date, a document, a party's
	// request …), as the kind's package reads it.
	KindData json.RawMessage `json:"kind_data,omitempty"`
}

// Step takes one step of the loop on a case. A step that is not allowed
// returns an error and changes nothing.
func (s *Service) Step(ctx context.Context, a org.Actor, id int64, in StepInput) (*Case, error) {
	if !in.Action.Known() || !viaStep(in.Action) {
		return nil, jiedao.Invalid("action", "未知的操作："+string(in.Action), "unknown action: "+string(in.Action))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	reasonZh, reasonEn := "原因", "reason"
	if in.Action == ActHandle || in.Action == ActSelfHandle {
		reasonZh, reasonEn = "处置情况", "what was done"
	}
	if err := checkText("reason", in.Reason, 2000, ReasonRequired(in.Action), reasonZh, reasonEn); err != nil {
		return nil, err
	}
	if err := checkText("comment", in.Comment, 500, false, "评价内容", "comment"); err != nil {
		return nil, err
	}
	cal, err := s.Calendars.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := s.precheck(ctx, a, id, in)
	if err != nil {
		return nil, err
	}
	c, _, err := s.Store.UpdateCase(ctx, id, func(c *Case) (*Event, error) {
		if ok, err := s.canView(ctx, a, c); err != nil {
			return nil, err
		} else if !ok {
			return nil, jiedao.NotFound("案件", "case")
		}
		if err := ref.check(c); err != nil {
			return nil, err
		}
		return s.TakeStep(ctx, cal, s.Store.GetCategory, a, c, in, s.now())
	})
	if err != nil {
		return nil, err
	}
	return s.view(a, c), nil
}

// precheck validates what a step refers to outside the case itself, and
// returns the subdistrict of what it refers to, for the step to check
// against the case's (stepRef.check).
func (s *Service) precheck(ctx context.Context, a org.Actor, id int64, in StepInput) (stepRef, error) {
	switch in.Action {
	case ActDispatch:
		if in.UnitID == 0 {
			return stepRef{}, jiedao.Invalid("unit_id", "请选择承办单位", "choose a unit")
		}
		ok, err := s.Units.UnitExists(ctx, in.UnitID)
		if err != nil {
			return stepRef{}, err
		} else if !ok {
			return stepRef{}, jiedao.Invalid("unit_id", "承办单位不存在", "unknown unit")
		}
		units, err := s.unitJurisdictions(ctx)
		if err != nil {
			return stepRef{}, err
		}
		if j := units[in.UnitID]; j != 0 {
			if !a.InJurisdiction(j) {
				// Another subdistrict's unit: as unknown as a unit that
				// does not exist, to whom may not see it.
				return stepRef{}, jiedao.Invalid("unit_id", "承办单位不存在", "unknown unit")
			}
			return stepRef{unit: j}, nil
		}
	case ActMerge:
		if in.MergeInto == 0 || in.MergeInto == id {
			return stepRef{}, jiedao.Invalid("merge_into", "请指定要合并到的另一个案件", "name another case to merge into")
		}
		t, err := s.Store.GetCase(ctx, in.MergeInto)
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !a.InJurisdiction(t.JurisdictionID)) {
			return stepRef{}, jiedao.Invalid("merge_into", "要合并到的案件不存在", "the case to merge into does not exist")
		} else if err != nil {
			return stepRef{}, err
		}
		if !t.Status.Open() && t.Status != StatusClosed {
			return stepRef{}, jiedao.Invalid("merge_into", "不能合并到已作废、已合并或不予受理的案件", "cannot merge into a voided, merged or rejected case")
		}
		return stepRef{mergeInto: t.JurisdictionID, merge: true}, nil
	case ActRate:
		if !in.Rating.Valid() {
			return stepRef{}, jiedao.Invalid("rating", "评价应为满意、基本满意或不满意", "rating must be satisfied, basic or unsatisfied")
		}
	case ActRequestExtension:
		return stepRef{}, validateExtensionDays(in.Days)
	case ActApproveExtension:
		if in.Days != 0 {
			return stepRef{}, validateExtensionDays(in.Days)
		}
	case ActAccept:
		if in.Urgency != "" && !in.Urgency.Valid() {
			return stepRef{}, jiedao.Invalid("urgency", "紧急程度应为 normal、urgent 或 critical", "urgency must be normal, urgent or critical")
		}
		if in.Category != "" {
			cat, err := s.Store.GetCategory(ctx, in.Category)
			if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !cat.Active) {
				return stepRef{}, jiedao.Invalid("category", "问题分类不存在："+in.Category, "unknown category: "+in.Category)
			} else if err != nil {
				return stepRef{}, err
			}
		}
	}
	return stepRef{}, nil
}

// CategoryLookup finds a category by code.
type CategoryLookup func(ctx context.Context, code string) (*Category, error)

// TakeStep takes a step on a case in memory at time now: it checks the rule
// table, decides the event (its target status and payload, with any
// deadlines it starts) and applies it to c. Step runs it inside the store's
// transaction after checking scope and references; the demo generator runs
// it on cases it stores in bulk. A refused step leaves c unchanged.
func (s *Service) TakeStep(ctx context.Context, cal *calendar.Calendar, categories CategoryLookup, a org.Actor, c *Case, in StepInput, now time.Time) (*Event, error) {
	if err := CheckStep(a, in.Action, c); err != nil {
		return nil, err
	}
	e, err := s.buildEvent(ctx, cal, categories, a, c, in, now)
	if err != nil {
		return nil, err
	}
	if _, err := Apply(c, e); err != nil {
		return nil, err
	}
	return e, nil
}

// buildEvent decides what the step does. The case is not changed here.
func (s *Service) buildEvent(ctx context.Context, cal *calendar.Calendar, categories CategoryLookup, a org.Actor, c *Case, in StepInput, now time.Time) (*Event, error) {
	now = now.Truncate(time.Microsecond).In(calendar.Zone())
	if now.Before(c.UpdatedAt) {
		now = c.UpdatedAt // another process's clock ran ahead; events stay in order
	}
	e := &Event{CaseID: c.ID, Seq: c.EventCount + 1, Action: in.Action, At: now, From: c.Status, To: Target(in.Action, c), Reason: in.Reason}
	setActor(e, a)
	e.Payload.Photos = in.Photos
	policy := func(category string, u Urgency) (Policy, error) {
		if c.Kind != KindOrdinary && category == string(c.Kind) {
			return Policy{}, nil // a kind case's clocks are its kind's
		}
		cat, err := categories(ctx, category)
		if err != nil {
			return Policy{}, err
		}
		return cat.Policy(u), nil
	}
	if err := s.kindStep(ctx, cal, c, in, e, now); err != nil {
		return nil, err
	}
	d := c.Deadlines
	switch in.Action {
	case ActAccept:
		cat, urg := c.Category, c.Urgency
		if in.Category != "" && in.Category != c.Category {
			cat, e.Payload.Category = in.Category, in.Category
		}
		if in.Urgency != "" && in.Urgency != c.Urgency {
			urg, e.Payload.Urgency = in.Urgency, in.Urgency
		}
		p, err := policy(cat, urg)
		if err != nil {
			return nil, err
		}
		e.Payload.Deadlines = &Deadlines{Close: newDeadline(cal, now, p.Close)}
	case ActDispatch:
		p, err := policy(c.Category, c.Urgency)
		if err != nil {
			return nil, err
		}
		e.Payload.UnitID = in.UnitID
		d.Sign, d.Start, d.Finish = newDeadline(cal, now, p.SignFor), nil, nil
		e.Payload.Deadlines = &d
	case ActSign:
		p, err := policy(c.Category, c.Urgency)
		if err != nil {
			return nil, err
		}
		// Without a sign-for limit the sign-for is in time, as a close
		// without a close limit is: the figures count it so.
		e.Payload.OnTime = boolp(d.Sign == nil || !now.After(d.Sign.Due))
		d.Start, d.Finish = newDeadline(cal, now, p.Start), newDeadline(cal, now, p.Finish)
		e.Payload.Deadlines = &d
	case ActReturn:
		// A dispatch returned unsigned after its sign-for deadline was
		// signed late: its deadline stays on the dispatch, so that the
		// figures count it as a dispatch not signed in time. Returned in
		// time, it never counts.
		if c.SignedAt != nil || d.Sign == nil || !now.After(d.Sign.Due) {
			d.Sign = nil
		}
		d.Start, d.Finish = nil, nil
		e.Payload.Deadlines = &d
	case ActRework:
		p, err := policy(c.Category, c.Urgency)
		if err != nil {
			return nil, err
		}
		d.Start, d.Finish = nil, newDeadline(cal, now, p.Finish)
		e.Payload.Deadlines = &d
	case ActHandle:
		if err := needAfterPhoto(ctx, categories, c.Category, in.Photos); err != nil {
			return nil, err
		}
	case ActSelfHandle:
		if err := needAfterPhoto(ctx, categories, c.Category, in.Photos); err != nil {
			return nil, err
		}
		// Not 立案 by the command center: the close deadline runs from now,
		// as if it had been accepted, so that verifying and closing it has
		// a limit too.
		p, err := policy(c.Category, c.Urgency)
		if err != nil {
			return nil, err
		}
		e.Payload.Deadlines = &Deadlines{Close: newDeadline(cal, now, p.Close)}
	case ActClose:
		e.Payload.OnTime = boolp(d.Close == nil || !now.After(d.Close.Due))
	case ActRate:
		if c.Rating != "" {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "该案件已评价", "the case has been rated already")
		}
		if a.Kind != org.ActorStaff && (c.Reporter.Phone == "" || normalizePhone(in.Phone) != normalizePhone(c.Reporter.Phone)) {
			return nil, jiedao.Forbidden("手机号与报事人不符，不能评价", "the phone number does not match the reporter's")
		}
		e.Payload.Rating, e.Payload.Comment = in.Rating, strings.TrimSpace(in.Comment)
	case ActReopen:
		if c.Rating != RatingUnsatisfied {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "只有评价为不满意的案件可以重新办理", "only a case rated unsatisfied can be reopened")
		}
		p, err := policy(c.Category, c.Urgency)
		if err != nil {
			return nil, err
		}
		e.Payload.Deadlines = &Deadlines{Close: newDeadline(cal, now, p.Close)}
	case ActRequestExtension:
		if c.Extension != nil {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "已有待审批的延期申请", "an extension request is pending already")
		}
		e.Payload.Days = in.Days
	case ActApproveExtension, ActDenyExtension:
		if c.Extension == nil {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "没有待审批的延期申请", "no extension request is pending")
		}
		if in.Action == ActApproveExtension {
			days := c.Extension.Days
			if in.Days != 0 {
				days = in.Days
			}
			e.Payload.Days = days
			d.Finish, d.Close = extend(cal, d.Finish, days), extend(cal, d.Close, days)
			e.Payload.Deadlines = &d
		}
	case ActHang:
		if c.Status == StatusReported {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "请先受理，再挂账", "accept the case before hanging it")
		}
	case ActResume:
		if c.HungAt != nil {
			d = Deadlines{Sign: shift(cal, d.Sign, *c.HungAt, now), Start: shift(cal, d.Start, *c.HungAt, now),
				Finish: shift(cal, d.Finish, *c.HungAt, now), Close: shift(cal, d.Close, *c.HungAt, now)}
			e.Payload.Deadlines = &d
		}
	case ActMerge:
		e.Payload.MergedInto = in.MergeInto
	case ActAlarmRepeat:
		// A case of a device that came by another path counts as one alarm.
		e.Payload.Count = max(c.AlarmCount, 1) + 1
	}
	return e, nil
}

func boolp(b bool) *bool { return &b }

// needAfterPhoto refuses a handling report without a photo when the case's
// category, or its major class, requires one (Category.AfterPhoto).
func needAfterPhoto(ctx context.Context, categories CategoryLookup, code string, photos []string) error {
	if len(photos) > 0 {
		return nil
	}
	for code != "" {
		cat, err := categories(ctx, code)
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if cat.AfterPhoto {
			return jiedao.Invalid("photos", "“"+cat.Name+"”类问题须上传处置后照片", "a photo of the result is required for "+cat.Name)
		}
		code = cat.ParentCode
	}
	return nil
}

func normalizePhone(p string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, p)
}

// canView reports whether the actor may see the case at all.
func (s *Service) canView(ctx context.Context, a org.Actor, c *Case) (bool, error) {
	if !a.InJurisdiction(c.JurisdictionID) {
		return false, nil
	}
	switch {
	case a.SeesAll():
		return true, nil
	case a.Kind == org.ActorClient:
		return c.ClientID == a.ID, nil
	case a.Kind == org.ActorResident:
		// Residents reach their case by number and phone; the caller checked.
		return true, nil
	case a.Role.IsUnitRole():
		if c.UnitID == a.UnitID {
			return true, nil
		}
		return s.Store.WasAssigned(ctx, c.ID, a.UnitID)
	case a.Is(org.RoleGridWorker):
		return a.InGrid(c.GridID) || (c.ReporterID == a.ID && c.ReporterID != 0), nil
	case a.Is(org.RoleCommunityStaff):
		return c.Community != 0 && c.Community == a.CommunityID, nil
	case a.Kind == org.ActorStaff && KindOf(a.Role) != KindOrdinary:
		return c.Kind == KindOf(a.Role) || (c.ReporterID == a.ID && c.ReporterID != 0), nil
	}
	return false, nil
}

// scope is the list filter for the actor.
func scope(a org.Actor) Scope {
	switch {
	case a.SeesAll():
		return Scope{All: true}
	case a.Kind == org.ActorClient:
		return Scope{ClientID: a.ID}
	case a.Role.IsUnitRole():
		return Scope{UnitID: a.UnitID}
	case a.Is(org.RoleGridWorker):
		return Scope{GridIDs: slices.Clone(a.GridIDs), ReporterID: a.ID}
	case a.Is(org.RoleCommunityStaff):
		return Scope{CommunityID: a.CommunityID}
	case a.Kind == org.ActorStaff && KindOf(a.Role) != KindOrdinary:
		return Scope{Kind: KindOf(a.Role), ReporterID: a.ID}
	}
	return Scope{None: true}
}

// view returns what the actor may see of a case: residents' contacts are
// masked for every role that does not call them back.
func (s *Service) view(a org.Actor, c *Case) *Case {
	if a.SeesContacts() {
		return c
	}
	v := *c
	v.Reporter = c.Reporter.Masked()
	return &v
}

// Get returns a case the actor may see; other cases are "not found", so
// that their existence does not leak.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Case, error) {
	c, err := s.Store.GetCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canView(ctx, a, c); err != nil {
		return nil, err
	} else if !ok {
		return nil, jiedao.NotFound("案件", "case")
	}
	return s.view(a, c), nil
}

// GetByNumber returns a case by its readable number.
func (s *Service) GetByNumber(ctx context.Context, a org.Actor, number string) (*Case, error) {
	c, err := s.Store.GetCaseByNumber(ctx, strings.TrimSpace(number))
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, c.ID)
}

// MaxPage is the most cases one List call returns.
const MaxPage = 500

// List returns the cases the actor may see that match the filter, and how
// many there are in all.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]*Case, int, error) {
	f = scoped(a, f)
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxPage)
	if f.Offset < 0 {
		f.Offset = 0
	}
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	cases, total, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for i, c := range cases {
		cases[i] = s.view(a, c)
	}
	return cases, total, nil
}

// Count counts the cases the actor may see that match the filter.
func (s *Service) Count(ctx context.Context, a org.Actor, f Filter) (int, error) {
	f = scoped(a, f)
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return s.Store.CountCases(ctx, f)
}

// Events returns a case's history.
func (s *Service) Events(ctx context.Context, a org.Actor, id int64) ([]*Event, error) {
	c, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	events, err := s.Store.ListEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if !a.SeesContacts() {
		for _, e := range events {
			if r := e.Payload.Report; r != nil {
				masked := *r
				masked.Reporter = r.Reporter.Masked()
				e.Payload.Report = &masked
			}
		}
	}
	return events, nil
}

// RunDeadlines raises a warning on each case whose running deadline is
// near, and marks overdue and opens a supervision (督办) on each case whose
// deadline has newly passed; and raises the statutory clocks' warnings
// and overdue marks on the open kind cases (clockjob.go), counted in the
// same totals. It is safe to run in several processes at once: each mark
// is written at most once per deadline or clock.
func (s *Service) RunDeadlines(ctx context.Context) (warned, overdue int, err error) {
	now := s.now()
	warned, overdue, err = s.runClocks(ctx, now)
	if err != nil {
		return warned, overdue, err
	}
	ids, err := s.Store.DueCases(ctx, now, 1000)
	if err != nil {
		return warned, overdue, err
	}
	sys := org.SystemActor()
	for _, id := range ids {
		var raised Action
		var stage Stage
		_, _, err := s.Store.UpdateCase(ctx, id, func(c *Case) (*Event, error) {
			e := DeadlineEvent(c, now)
			if e == nil {
				return nil, nil
			}
			raised, stage = e.Action, e.Payload.Stage
			_, err := Apply(c, e)
			return e, err
		})
		if err != nil {
			return warned, overdue, err
		}
		switch raised {
		case ActWarn:
			warned++
		case ActOverdue:
			overdue++
			if _, err := s.Step(ctx, sys, id, StepInput{Action: ActSupervise, Reason: OverdueReason(stage)}); err != nil {
				return warned, overdue, err
			}
		}
	}
	return warned, overdue, nil
}

// DeadlineEvent returns the warning or overdue event the deadline job
// raises on c at now, or nil when there is none to raise: the overdue mark
// when the running deadline has passed without one, else the warning when
// its warning time has passed without one. The caller applies it.
func DeadlineEvent(c *Case, now time.Time) *Event {
	st, d := c.Running()
	if d == nil || !c.Status.Open() {
		return nil
	}
	e := &Event{CaseID: c.ID, Seq: c.EventCount + 1, At: maxTime(now, c.UpdatedAt), From: c.Status, To: c.Status, Payload: Payload{Stage: st}}
	setActor(e, org.SystemActor())
	switch {
	case !now.Before(d.Due) && (c.OverdueDue == nil || !c.OverdueDue.Equal(d.Due)):
		e.Action = ActOverdue
	case !now.Before(d.Warn) && (c.WarnedDue == nil || !c.WarnedDue.Equal(d.Due)):
		e.Action = ActWarn
	default:
		return nil
	}
	return e
}

// OverdueReason is the reason of the supervision the deadline job opens.
func OverdueReason(st Stage) string { return st.Zh() + "时限已过，系统自动督办" }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
