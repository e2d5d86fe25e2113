// Package campaign runs campaigns (专项行动): a list of units — enterprises,
// buildings, elevators, households, any ledger rows — imported or chosen,
// a checklist each unit is checked against (pass or fail, with a remark
// and a photo), assignments to staff, progress by community and assignee,
// and findings that open cases in the one case loop with a rectification
// (整改) deadline and a re-check (复查). The economic census's unit check
// (清查), the safety inspection and the old-elevator campaign are
// campaigns.
//
// The rules are in docs/books.md.
package campaign

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Kind is what a campaign is; the report counts some kinds.
type Kind string

const (
	Census   Kind = "census"   // 经济普查清查
	Safety   Kind = "safety"   // 安全生产大检查
	Elevator Kind = "elevator" // 老旧电梯健康检修
	Other    Kind = "other"
)

// Zh is the kind's Chinese name.
func (k Kind) Zh() string {
	return map[Kind]string{Census: "经济普查清查", Safety: "安全检查", Elevator: "老旧电梯检修", Other: "其他专项"}[k]
}

// UnitKind is what a unit of the list is.
type UnitKind string

const (
	UnitEnterprise UnitKind = "enterprise" // 企业
	UnitBuilding   UnitKind = "building"   // 楼宇
	UnitElevator   UnitKind = "elevator"   // 电梯
	UnitHousehold  UnitKind = "household"  // 住户
	UnitLedger     UnitKind = "ledger"     // 台账记录
	UnitOther      UnitKind = "other"
)

// UnitKinds lists the unit kinds.
func UnitKinds() []UnitKind {
	return []UnitKind{UnitEnterprise, UnitBuilding, UnitElevator, UnitHousehold, UnitLedger, UnitOther}
}

// Item is one line of a checklist.
type Item struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Campaign is one campaign.
type Campaign struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Year      int       `json:"year"`
	Checklist []Item    `json:"checklist"`
	Category  string    `json:"category,omitempty"` // the case category of its findings
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// JurisdictionID is the subdistrict whose campaign it is: its units,
	// checks and findings are that subdistrict's.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Validate checks a campaign.
func (c *Campaign) Validate() error {
	if !codeRE.MatchString(c.Code) {
		return jiedao.Invalid("code", "专项编码应为小写字母、数字、下划线或连字符（至多40位）", "the code is lowercase letters, digits, _ or - (at most 40)")
	}
	if strings.TrimSpace(c.Name) == "" || utf8.RuneCountInString(c.Name) > 80 {
		return jiedao.Invalid("name", "专项名称不能为空且不超过80字", "the name is required, at most 80 characters")
	}
	switch c.Kind {
	case Census, Safety, Elevator, Other:
	default:
		return jiedao.Invalid("kind", "专项类型无效", "unknown kind")
	}
	if c.Year < 2000 || c.Year > 2100 {
		return jiedao.Invalid("year", "年份无效", "invalid year")
	}
	if len(c.Checklist) == 0 {
		return jiedao.Invalid("checklist", "检查表至少要有一项", "the checklist needs an item")
	}
	seen := map[string]bool{}
	for i, it := range c.Checklist {
		if it.Key == "" || strings.TrimSpace(it.Name) == "" || seen[it.Key] {
			return jiedao.Invalid("checklist", fmt.Sprintf("检查表第%d项缺少编码或名称，或编码重复", i+1), fmt.Sprintf("checklist item %d has no key or name, or a repeated key", i+1))
		}
		seen[it.Key] = true
	}
	return nil
}

// Status is where a unit stands.
type Status string

const (
	Pending Status = "pending" // 待检查
	Checked Status = "checked" // 已检查
)

// Unit is one unit of a campaign's list.
type Unit struct {
	ID          int64    `json:"id"`
	CampaignID  int64    `json:"campaign_id"`
	Key         string   `json:"key"` // unique within the campaign: a credit code, an elevator's register number …
	Kind        UnitKind `json:"kind"`
	Name        string   `json:"name"`
	Address     string   `json:"address,omitempty"`
	CommunityID int64    `json:"community_id,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	Lon         *float64 `json:"lon,omitempty"`
	AssigneeID  int64    `json:"assignee_id,omitempty"`
	Status      Status   `json:"status"`
	Result      *Result  `json:"result,omitempty"`
	CheckedDay  string   `json:"checked_day,omitempty"`
	CheckedBy   string   `json:"checked_by,omitempty"`
}

// Result is a unit's check: every item of the checklist answered.
type Result struct {
	Items []ItemResult `json:"items"`
	Note  string       `json:"note,omitempty"`
}

// ItemResult is one item's answer.
type ItemResult struct {
	Key    string `json:"key"`
	Pass   bool   `json:"pass"`
	Remark string `json:"remark,omitempty"`
	Photo  string `json:"photo,omitempty"` // a photo's address, taken on the spot
	// Rectify opens a finding (a case with a rectification deadline) for
	// a failed item; RectifyDays is its deadline in days (default 15).
	Rectify     bool `json:"rectify,omitempty"`
	RectifyDays int  `json:"rectify_days,omitempty"`
	// Photos are the ids of the photos taken of a failed item on the
	// check form: photos of the finding's case (see CheckInput.PhotoClaims).
	Photos []int64 `json:"photos,omitempty"`
}

// Finding is a failed item that opened a case.
type Finding struct {
	ID          int64      `json:"id"`
	CampaignID  int64      `json:"campaign_id"`
	UnitID      int64      `json:"unit_id"`
	Item        string     `json:"item"`
	Remark      string     `json:"remark,omitempty"`
	CaseID      int64      `json:"case_id,omitempty"`
	RectifyBy   string     `json:"rectify_by"` // 整改期限, a day
	Recheck     string     `json:"recheck,omitempty"`
	RecheckNote string     `json:"recheck_note,omitempty"`
	RecheckedAt *time.Time `json:"rechecked_at,omitempty"`
	RecheckedBy string     `json:"rechecked_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
}

// Recheck outcomes.
const (
	RecheckPass = "pass" // 复查通过
	RecheckFail = "fail" // 复查未通过: a new case is opened
)

// UnitFilter selects units.
type UnitFilter struct {
	CampaignID  int64
	Kind        Kind // campaigns of a kind (with CampaignID 0)
	CommunityID int64
	AssigneeID  int64
	Status      Status
	From, To    string // checked days, From inclusive, To exclusive
	// Jurisdiction limits the units to one subdistrict's campaigns (0:
	// all); the service sets it from the actor, never from a request.
	Jurisdiction int64
}

// ProgressRow is the progress of a group of units.
type ProgressRow struct {
	CommunityID int64  `json:"community_id,omitempty"`
	AssigneeID  int64  `json:"assignee_id,omitempty"`
	Name        string `json:"name"` // the community's or the assignee's
	Units       int    `json:"units"`
	Checked     int    `json:"checked"`
	Failed      int    `json:"failed"` // checked units with a failed item
}

// Store keeps campaigns.
type Store interface {
	CreateCampaign(ctx context.Context, c *Campaign) error
	GetCampaign(ctx context.Context, code string) (*Campaign, error)
	ListCampaigns(ctx context.Context) ([]*Campaign, error)
	// AddUnits stores new units of a campaign, all or none; a key already
	// in the campaign is a conflict.
	AddUnits(ctx context.Context, campaignID int64, units []*Unit) error
	// ExistingKeys returns which of the keys the campaign has already.
	ExistingKeys(ctx context.Context, campaignID int64, keys []string) (map[string]bool, error)
	GetUnit(ctx context.Context, id int64) (*Unit, error)
	ListUnits(ctx context.Context, f UnitFilter, limit, offset int) ([]*Unit, int, error)
	Assign(ctx context.Context, campaignID int64, unitIDs []int64, staffID int64) (int, error)
	// SaveCheck stores a unit's check and its findings, in one
	// transaction, if the unit is still pending (a conflict otherwise).
	SaveCheck(ctx context.Context, u *Unit, findings []*Finding) error
	SetFindingCase(ctx context.Context, findingID, caseID int64) error
	// SaveResult replaces a checked unit's result (the ids of its photos,
	// known once the findings' cases are open).
	SaveResult(ctx context.Context, unitID int64, r *Result) error
	GetFinding(ctx context.Context, id int64) (*Finding, error)
	ListFindings(ctx context.Context, campaignID int64) ([]*Finding, error)
	SaveRecheck(ctx context.Context, f *Finding) error
	// Progress groups a campaign's units by "community" or "assignee".
	Progress(ctx context.Context, campaignID int64, by string) ([]ProgressRow, error)
}

// Reporter opens cases: casework.Service is one.
type Reporter interface {
	Report(ctx context.Context, a org.Actor, in casework.ReportInput) (*casework.Case, error)
	// NewReport checks a report without storing it.
	NewReport(ctx context.Context, a org.Actor, in casework.ReportInput, now time.Time) (*casework.Case, *casework.Event, error)
}

// Service applies the campaigns' rules.
type Service struct {
	Store  Store
	Cases  Reporter
	Photos PhotoAttacher // the check form's photos; nil: none taken
	Now    func() time.Time
	// Jurisdictions lists the subdistricts, for the one a new campaign
	// is of (org.RecordJurisdiction); nil: the actor's, or the one picked.
	Jurisdictions org.JurisdictionLister
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// CanManage reports whether the actor may create campaigns, fill their
// lists and assign units: admins, the command center and unit leads.
func CanManage(a org.Actor) bool {
	return a.Kind == org.ActorSystem || a.Is(org.RoleAdmin, org.RoleDispatcher, org.RoleUnitLead)
}

// CanCheck reports whether the actor may check a unit: its assignee, or
// who manages campaigns.
func CanCheck(a org.Actor, u *Unit) bool {
	return CanManage(a) || (a.Kind == org.ActorStaff && a.ID != 0 && a.ID == u.AssigneeID)
}

// CanRead reports whether the actor may read campaigns: staff.
func CanRead(a org.Actor) bool { return a.Kind == org.ActorStaff || a.Kind == org.ActorSystem }

// Create starts a campaign.
func (s *Service) Create(ctx context.Context, a org.Actor, c *Campaign) error {
	if !CanManage(a) {
		return jiedao.Forbidden("无权创建专项行动", "you may not create campaigns")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, c.JurisdictionID)
	if err != nil {
		return err
	}
	c.JurisdictionID = j
	c.CreatedAt, c.CreatedBy = s.now(), a.Name
	err = s.Store.CreateCampaign(ctx, c)
	if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
		return jiedao.Errorf(jiedao.ECONFLICT, "专项编码“%s”已存在", "campaign %s exists already", c.Code)
	}
	return err
}

// Campaign returns a campaign by code.
func (s *Service) Campaign(ctx context.Context, a org.Actor, code string) (*Campaign, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看专项行动", "you may not read campaigns")
	}
	c, err := s.Store.GetCampaign(ctx, code)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !a.InJurisdiction(c.JurisdictionID)) {
		return nil, jiedao.NotFound("专项行动", "campaign")
	}
	return c, err
}

// Campaigns lists the campaigns the actor sees: his subdistrict's (the
// district: all), the newest year first.
func (s *Service) Campaigns(ctx context.Context, a org.Actor) ([]*Campaign, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看专项行动", "you may not read campaigns")
	}
	cs, err := s.Store.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	out := cs[:0:0]
	for _, c := range cs {
		if a.InJurisdiction(c.JurisdictionID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// actorIn is the actor acting on a campaign: a district actor acts as
// the campaign's subdistrict (the cases its findings open are that
// subdistrict's); a subdistrict actor on another's campaign is refused
// (ok false).
func actorIn(a org.Actor, c *Campaign) (org.Actor, bool) {
	if !a.InJurisdiction(c.JurisdictionID) {
		return a, false
	}
	if n, ok := a.Narrowed(c.JurisdictionID); ok {
		return n, true
	}
	return a, true
}

// UnitInput is a unit as imported or chosen.
type UnitInput struct {
	Key         string   `json:"key"`
	Kind        UnitKind `json:"kind"`
	Name        string   `json:"name"`
	Address     string   `json:"address,omitempty"`
	CommunityID int64    `json:"community_id,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	Lon         *float64 `json:"lon,omitempty"`
}

// RowError is what is wrong with one unit of a list.
type RowError struct {
	Row int    `json:"row"`
	Zh  string `json:"message"`
	En  string `json:"message_en"`
}

// AddResult is the outcome of adding units (or its dry run).
type AddResult struct {
	Units  int        `json:"units"`
	Added  int        `json:"added"`
	DryRun bool       `json:"dry_run"`
	Errors []RowError `json:"errors,omitempty"`
}

// AddUnits adds units to a campaign's list, all or none. A unit already
// in the list, or twice in the input, is refused naming its row (rows are
// numbered from firstRow: 2 for a sheet under its header).
func (s *Service) AddUnits(ctx context.Context, a org.Actor, code string, ins []UnitInput, firstRow int, dryRun bool) (*AddResult, error) {
	if !CanManage(a) {
		return nil, jiedao.Forbidden("无权维护专项清单", "you may not change a campaign's list")
	}
	c, err := s.Campaign(ctx, a, code)
	if err != nil {
		return nil, err
	}
	res := &AddResult{Units: len(ins), DryRun: dryRun}
	keys := make([]string, 0, len(ins))
	for _, in := range ins {
		keys = append(keys, strings.TrimSpace(in.Key))
	}
	existing, err := s.Store.ExistingKeys(ctx, c.ID, keys)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	units := make([]*Unit, 0, len(ins))
	for i, in := range ins {
		row := firstRow + i
		key, name := strings.TrimSpace(in.Key), strings.TrimSpace(in.Name)
		fail := func(zh, en string) {
			res.Errors = append(res.Errors, RowError{Row: row, Zh: fmt.Sprintf("第%d行：", row) + zh, En: fmt.Sprintf("row %d: ", row) + en})
		}
		switch {
		case key == "" || utf8.RuneCountInString(key) > 100:
			fail("缺少单位编号（或超过100字）", "the unit's key is missing (or longer than 100)")
			continue
		case name == "":
			fail(fmt.Sprintf("单位“%s”缺少名称", key), fmt.Sprintf("unit %s has no name", key))
			continue
		case existing[key]:
			fail(fmt.Sprintf("单位“%s”（%s）已在清单中，不能重复导入", key, name), fmt.Sprintf("unit %s (%s) is in the list already", key, name))
			continue
		case seen[key] != 0:
			fail(fmt.Sprintf("单位“%s”与第%d行重复", key, seen[key]), fmt.Sprintf("unit %s repeats row %d", key, seen[key]))
			continue
		}
		kind := in.Kind
		if kind == "" {
			kind = UnitOther
		}
		valid := false
		for _, k := range UnitKinds() {
			valid = valid || k == kind
		}
		if !valid {
			fail(fmt.Sprintf("单位类型“%s”无效", kind), fmt.Sprintf("unknown unit kind %q", kind))
			continue
		}
		seen[key] = row
		units = append(units, &Unit{CampaignID: c.ID, Key: key, Kind: kind, Name: name, Address: strings.TrimSpace(in.Address),
			CommunityID: in.CommunityID, Lat: in.Lat, Lon: in.Lon, Status: Pending})
	}
	if len(res.Errors) > 0 || dryRun {
		return res, nil
	}
	if err := s.Store.AddUnits(ctx, c.ID, units); err != nil {
		return nil, err
	}
	res.Added = len(units)
	return res, nil
}

// Assign gives units of a campaign to a staff member.
func (s *Service) Assign(ctx context.Context, a org.Actor, code string, unitIDs []int64, staffID int64) (int, error) {
	if !CanManage(a) {
		return 0, jiedao.Forbidden("无权分派检查任务", "you may not assign units")
	}
	c, err := s.Campaign(ctx, a, code)
	if err != nil {
		return 0, err
	}
	return s.Store.Assign(ctx, c.ID, unitIDs, staffID)
}

// CheckInput is a unit's check as the inspector sends it.
type CheckInput struct {
	Day   string       `json:"day,omitempty"` // default today
	Items []ItemResult `json:"items"`
	Note  string       `json:"note,omitempty"`
	// PhotoClaims are photos uploaded with the check form
	// (casework.Photos.Upload), by item key. The photo store keeps a case's
	// photos, so only a failed item marked for rectification takes photos:
	// they become its finding's case's photos.
	PhotoClaims map[string][]string `json:"-"`
}

// PhotoAttacher attaches uploaded photos to a case: casework.Photos.
type PhotoAttacher interface {
	Attach(ctx context.Context, a org.Actor, caseID int64, claims []string) ([]int64, error)
}

// Check records a unit's check. Every item of the checklist must be
// answered; each failed item marked for rectification opens a case
// through the case loop (its details name the 整改 deadline) and a
// finding that waits for its 复查. A unit is checked once; the findings
// and their re-checks follow it up.
func (s *Service) Check(ctx context.Context, a org.Actor, unitID int64, in CheckInput) (*Unit, []*Finding, error) {
	u, err := s.Store.GetUnit(ctx, unitID)
	if err != nil {
		return nil, nil, notFoundUnit(err)
	}
	if !CanRead(a) {
		return nil, nil, jiedao.Forbidden("无权查看专项行动", "you may not read campaigns")
	}
	if !CanCheck(a, u) {
		return nil, nil, jiedao.Forbidden("只有被分派的检查人员可以检查该单位", "only the assigned inspector may check this unit")
	}
	if u.Status == Checked {
		return nil, nil, jiedao.Errorf(jiedao.ECONFLICT, "该单位已检查", "the unit has been checked")
	}
	c, err := s.campaignByID(ctx, u.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	a, ok := actorIn(a, c)
	if !ok {
		return nil, nil, jiedao.NotFound("检查单位", "unit")
	}
	now := s.now()
	day := now.In(calendar.Zone()).Format("2006-01-02")
	if in.Day != "" {
		t, err := time.Parse("2006-01-02", in.Day)
		if err != nil {
			return nil, nil, jiedao.Invalid("day", "检查日期应为 2023-05-01 的格式", "the day is written 2023-05-01")
		}
		day = t.Format("2006-01-02")
	}
	answers := map[string]ItemResult{}
	for _, r := range in.Items {
		answers[r.Key] = r
	}
	res := &Result{Note: strings.TrimSpace(in.Note)}
	for _, it := range c.Checklist {
		r, ok := answers[it.Key]
		if !ok {
			return nil, nil, jiedao.Invalid(it.Key, fmt.Sprintf("请填写检查项“%s”的结果", it.Name), fmt.Sprintf("item %s is not answered", it.Key))
		}
		if !r.Pass && r.Rectify && strings.TrimSpace(r.Remark) == "" {
			return nil, nil, jiedao.Invalid(it.Key, fmt.Sprintf("检查项“%s”不合格需整改，请说明问题", it.Name), fmt.Sprintf("item %s failed: say what is wrong", it.Key))
		}
		if utf8.RuneCountInString(r.Remark) > 500 {
			return nil, nil, jiedao.Invalid(it.Key, fmt.Sprintf("检查项“%s”的说明不超过500字", it.Name), "a remark is at most 500 characters")
		}
		res.Items = append(res.Items, r)
		delete(answers, it.Key)
	}
	for k := range answers {
		return nil, nil, jiedao.Invalid(k, fmt.Sprintf("检查表中没有“%s”这一项", k), fmt.Sprintf("the checklist has no item %s", k))
	}
	photoItem := map[int]string{} // index in res.Items → item key with photos
	for i, it := range c.Checklist {
		claims := in.PhotoClaims[it.Key]
		if len(claims) == 0 {
			continue
		}
		if r := res.Items[i]; r.Pass || !r.Rectify {
			return nil, nil, jiedao.Invalid("photo_"+it.Key, fmt.Sprintf("检查项“%s”：照片只能附在需整改的不合格项上（照片随整改案件保存）", it.Name),
				fmt.Sprintf("item %s: photos go with a failed item marked for rectification (they are its case's photos)", it.Key))
		}
		if s.Photos == nil {
			return nil, nil, jiedao.Errorf(jiedao.EUNAVAILABLE, "照片服务未启用", "photos are not enabled")
		}
		photoItem[i] = it.Key
	}
	// Each failed item to rectify becomes a case: checked first (category,
	// place) without storing, so that a wrong one refuses the whole check.
	var findings []*Finding
	var reports []casework.ReportInput
	var findingItem []int // index in res.Items of each finding
	for i, r := range res.Items {
		if r.Pass || !r.Rectify {
			continue
		}
		days := r.RectifyDays
		if days <= 0 {
			days = 15
		}
		t, _ := time.Parse("2006-01-02", day)
		by := t.AddDate(0, 0, days).Format("2006-01-02")
		item := c.Checklist[i]
		in := casework.ReportInput{
			Category: c.Category,
			Title:    fmt.Sprintf("%s：%s %s不合格", c.Name, u.Name, item.Name),
			Details:  fmt.Sprintf("%s发现问题：%s。整改期限：%s，到期复查。单位：%s（%s）", c.Name, r.Remark, by, u.Name, u.Key),
			Address:  u.Address, Lat: u.Lat, Lon: u.Lon,
		}
		if _, _, err := s.Cases.NewReport(ctx, a, in, now); err != nil {
			return nil, nil, err
		}
		reports = append(reports, in)
		findingItem = append(findingItem, i)
		findings = append(findings, &Finding{CampaignID: c.ID, UnitID: u.ID, Item: item.Key, Remark: r.Remark,
			RectifyBy: by, CreatedAt: now, CreatedBy: a.Name})
	}
	// The check claims the unit (a unit checked twice at once is checked
	// once) with its findings; then the findings' cases are opened.
	u.Status, u.Result, u.CheckedDay, u.CheckedBy = Checked, res, day, a.Name
	if err := s.Store.SaveCheck(ctx, u, findings); err != nil {
		return nil, nil, err
	}
	for i, f := range findings {
		kase, err := s.Cases.Report(ctx, a, reports[i])
		if err != nil {
			return nil, nil, err
		}
		f.CaseID = kase.ID
		if err := s.Store.SetFindingCase(ctx, f.ID, kase.ID); err != nil {
			return nil, nil, err
		}
		if key, ok := photoItem[findingItem[i]]; ok {
			// The service opened the case for this check: it attaches the
			// photos itself (the inspector may not see the case yet).
			ids, err := s.Photos.Attach(ctx, org.SystemActor(), kase.ID, in.PhotoClaims[key])
			if err != nil {
				return nil, nil, err
			}
			res.Items[findingItem[i]].Photos = ids
		}
	}
	if len(photoItem) > 0 {
		if err := s.Store.SaveResult(ctx, u.ID, res); err != nil {
			return nil, nil, err
		}
	}
	return u, findings, nil
}

// Recheck records a finding's 复查 after rectification. A failed re-check
// opens a new case for what is still wrong.
func (s *Service) Recheck(ctx context.Context, a org.Actor, findingID int64, pass bool, note string) (*Finding, error) {
	f, err := s.Store.GetFinding(ctx, findingID)
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return nil, jiedao.NotFound("检查发现的问题", "finding")
		}
		return nil, err
	}
	u, err := s.Store.GetUnit(ctx, f.UnitID)
	if err != nil {
		return nil, err
	}
	if !CanCheck(a, u) {
		return nil, jiedao.Forbidden("只有检查人员可以复查", "only the inspector may re-check")
	}
	if f.Recheck == RecheckPass {
		return nil, jiedao.Errorf(jiedao.ECONFLICT, "该问题已复查通过", "the finding passed its re-check already")
	}
	note = strings.TrimSpace(note)
	if !pass && note == "" {
		return nil, jiedao.Invalid("note", "复查未通过，请说明仍存在的问题", "the re-check failed: say what is still wrong")
	}
	c, err := s.campaignByID(ctx, f.CampaignID)
	if err != nil {
		return nil, err
	}
	a, ok := actorIn(a, c)
	if !ok {
		return nil, jiedao.NotFound("检查发现的问题", "finding")
	}
	now := s.now()
	f.Recheck, f.RecheckNote, f.RecheckedAt, f.RecheckedBy = RecheckPass, note, &now, a.Name
	if !pass {
		f.Recheck = RecheckFail
		kase, err := s.Cases.Report(ctx, a, casework.ReportInput{
			Category: c.Category,
			Title:    fmt.Sprintf("复查未通过：%s", u.Name),
			Details:  fmt.Sprintf("整改期限 %s 后复查仍存在问题：%s（原问题：%s）", f.RectifyBy, note, f.Remark),
			Address:  u.Address, Lat: u.Lat, Lon: u.Lon,
		})
		if err != nil {
			return nil, err
		}
		f.CaseID = kase.ID
	}
	return f, s.Store.SaveRecheck(ctx, f)
}

// CampaignOf is the campaign of the given id.
func (s *Service) CampaignOf(ctx context.Context, id int64) (*Campaign, error) {
	return s.campaignByID(ctx, id)
}

func (s *Service) campaignByID(ctx context.Context, id int64) (*Campaign, error) {
	cs, err := s.Store.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, jiedao.NotFound("专项行动", "campaign")
}

func notFoundUnit(err error) error {
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return jiedao.NotFound("检查单位", "unit")
	}
	return err
}

// Units lists units as the actor sees them.
func (s *Service) Units(ctx context.Context, a org.Actor, f UnitFilter, limit, offset int) ([]*Unit, int, error) {
	if !CanRead(a) {
		return nil, 0, jiedao.Forbidden("无权查看专项行动", "you may not read campaigns")
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	f.Jurisdiction = a.JurisdictionID
	return s.Store.ListUnits(ctx, f, limit, offset)
}

// Progress is a campaign's progress by community or assignee.
func (s *Service) Progress(ctx context.Context, a org.Actor, code, by string) ([]ProgressRow, error) {
	c, err := s.Campaign(ctx, a, code)
	if err != nil {
		return nil, err
	}
	if by != "community" && by != "assignee" {
		return nil, jiedao.Invalid("by", "进度按社区（community）或检查人员（assignee）统计", "progress is by community or assignee")
	}
	return s.Store.Progress(ctx, c.ID, by)
}
