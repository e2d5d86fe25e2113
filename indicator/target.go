package indicator

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// Level is who a target is set for.
type Level string

const (
	District    Level = "district"    // 区
	Subdistrict Level = "subdistrict" // 街道
	CommunityLv Level = "community"   // 社区
)

// Zh is the level's Chinese name.
func (l Level) Zh() string {
	return map[Level]string{District: "区", Subdistrict: "街道", CommunityLv: "社区"}[l]
}

// Comparison is how a target is met.
type Comparison string

const (
	AtLeast Comparison = "at_least" // 不低于: the year's figure ≥ value
	AtMost  Comparison = "at_most"  // 不高于: the year's figure ≤ value
	// ChangeBy: the change on the year before, in percent, reaches value
	// (a rise of at least value when positive, a fall of at least -value
	// when negative: 同比下降10% is ChangeBy -10).
	ChangeBy Comparison = "change_by"
	// BothPositive: the figures of Key and Key2 both exceed value (迁入迁出
	// 企业家数、税收双顺差: net count and net tax both above 0).
	BothPositive Comparison = "both_positive"
)

// Zh is the comparison's Chinese name.
func (c Comparison) Zh() string {
	return map[Comparison]string{AtLeast: "不低于", AtMost: "不高于", ChangeBy: "同比变化达到", BothPositive: "双顺差（均大于）"}[c]
}

// Target is a goal for a year.
type Target struct {
	ID   int64 `json:"id"`
	Year int   `json:"year"`
	// Code is the target's key in the report ("target.fiscal.general_budget");
	// it defaults to "target." and the figure's key.
	Code  string `json:"code"`
	Level Level  `json:"level"`
	Scope string `json:"scope,omitempty"` // the district, subdistrict or community it is set for
	// Key is the figure measured; Key2 the second figure of BothPositive.
	Key        string     `json:"key"`
	Key2       string     `json:"key2,omitempty"`
	Name       string     `json:"name"`
	Unit       string     `json:"unit,omitempty"`
	Comparison Comparison `json:"comparison"`
	Value      float64    `json:"value"`
	Owner      string     `json:"owner,omitempty"` // the office answerable for it
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	// JurisdictionID is the subdistrict whose target it is, measured by
	// that subdistrict's figures; 0 is a district target set by the
	// district (measured by the whole deployment's).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Status is where a target stands.
type Status string

const (
	OnTrack  Status = "on_track"  // 正常: met, or projected to be
	AtRisk   Status = "at_risk"   // 有风险: projected to fall short
	Missed   Status = "missed"    // 未完成: the year is over (or it can no longer be met)
	NoFigure Status = "no_figure" // 暂无数据: the figure is not yet measured
)

// Zh is the status's Chinese name.
func (s Status) Zh() string {
	return map[Status]string{OnTrack: "正常", AtRisk: "有风险", Missed: "未完成", NoFigure: "暂无数据"}[s]
}

// Colour is the status's colour on the leader's page.
func (s Status) Colour() string {
	return map[Status]string{OnTrack: "green", AtRisk: "yellow", Missed: "red", NoFigure: "grey"}[s]
}

// Progress is a target measured against the live figure.
type Progress struct {
	Target     *Target  `json:"target"`
	Live       *float64 `json:"live,omitempty"`  // the figure so far this year
	Live2      *float64 `json:"live2,omitempty"` // BothPositive's second figure
	Prior      *float64 `json:"prior,omitempty"` // ChangeBy: the year before's figure
	Change     *float64 `json:"change,omitempty"`
	Projection *float64 `json:"projection,omitempty"` // year-end projection of the compared quantity
	Method     string   `json:"method,omitempty"`     // how the projection is made, in words
	Met        bool     `json:"met"`
	Status     Status   `json:"status"`
	Share      *float64 `json:"share,omitempty"` // AtLeast: live / value, percent
}

// KnownKey reports whether a figure key exists: in the catalogue, among
// the figures wired in (Known), or among the work report's figure keys,
// whose sources may be on their way.
func (s *Service) KnownKey(ctx context.Context, key string) (bool, error) {
	if slices.Contains(WorkReportKeys, key) || (s.Known != nil && s.Known(key)) {
		return true, nil
	}
	_, err := s.Store.GetIndicator(ctx, key)
	if err == nil {
		return true, nil
	}
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return false, nil
	}
	return false, err
}

// SetTarget adds a target. Its figure key must exist (catalogue, a figure
// wired in, or a key of the work report); a key that does not is refused.
func (s *Service) SetTarget(ctx context.Context, a org.Actor, t *Target) error {
	if !CanEnter(a) {
		return jiedao.Forbidden("无权设定目标", "you may not set targets")
	}
	if t.Year < 2000 || t.Year > 2100 {
		return jiedao.Invalid("year", "年份无效", "invalid year")
	}
	switch t.Level {
	case District, Subdistrict, CommunityLv:
	default:
		return jiedao.Invalid("level", "层级应为区、街道或社区", "level must be district, subdistrict or community")
	}
	switch t.Comparison {
	case AtLeast, AtMost, ChangeBy:
		t.Key2 = ""
	case BothPositive:
		if t.Key2 == "" {
			return jiedao.Invalid("key2", "双顺差目标需要第二个指标", "a both-positive target needs a second figure")
		}
	default:
		return jiedao.Invalid("comparison", "比较方式应为不低于、不高于、同比变化或双顺差", "comparison must be at_least, at_most, change_by or both_positive")
	}
	if t.Code == "" {
		t.Code = "target." + t.Key
	}
	if !strings.HasPrefix(t.Code, "target.") {
		return jiedao.Invalid("code", "目标编码应以 target. 开头", "a target's code starts with target.")
	}
	if strings.TrimSpace(t.Name) == "" {
		return jiedao.Invalid("name", "请填写目标名称", "the name is required")
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return jiedao.Invalid("value", "目标值无效", "invalid value")
	}
	for field, k := range map[string]string{"key": t.Key, "key2": t.Key2} {
		if k == "" && field == "key2" {
			continue
		}
		ok, err := s.KnownKey(ctx, k)
		if err != nil {
			return err
		}
		if !ok || strings.HasPrefix(k, "target.") {
			return jiedao.Invalid(field, fmt.Sprintf("指标“%s”不存在，不能为它设定目标", k), fmt.Sprintf("figure %q does not exist: no target can be set on it", k))
		}
	}
	if t.Level == District && a.JurisdictionID == 0 && t.JurisdictionID == 0 {
		// The district's own target.
	} else {
		j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, t.JurisdictionID)
		if err != nil {
			return err
		}
		t.JurisdictionID = j
	}
	t.CreatedAt, t.CreatedBy = s.now(), a.Name
	err := s.Store.CreateTarget(ctx, t)
	if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
		return jiedao.Errorf(jiedao.ECONFLICT, "%d 年该层级已有“%s”的目标", "a %d target on %s exists already at that level", t.Year, t.Key)
	}
	return err
}

// DeleteTarget removes a year's target set by mistake (a wrong value or
// level cannot be set again while it stands), with the reason, audited
// with what it was.
func (s *Service) DeleteTarget(ctx context.Context, a org.Actor, year int, id int64, reason string) error {
	if !CanEnter(a) {
		return jiedao.Forbidden("无权删除目标", "you may not remove targets")
	}
	if strings.TrimSpace(reason) == "" {
		return jiedao.Invalid("reason", "请说明删除目标的原因", "say why the target is removed")
	}
	list, err := s.Store.ListTargets(ctx, year)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.ID != id || !a.InJurisdiction(t.JurisdictionID) {
			continue
		}
		return s.Store.Atomic(ctx, func(ctx context.Context) error {
			if err := s.Store.DeleteTarget(ctx, id); err != nil {
				return err
			}
			return org.AuditRecord(ctx, s.Audit, a, "target.delete", "target", id, t, nil, reason)
		})
	}
	return jiedao.NotFound("目标", "target")
}

// Targets lists a year's targets with their progress at this moment.
func (s *Service) Targets(ctx context.Context, a org.Actor, year int) ([]Progress, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看目标", "you may not read targets")
	}
	ts, err := s.Store.ListTargets(ctx, year)
	if err != nil {
		return nil, err
	}
	out := make([]Progress, 0, len(ts))
	// The targets of several subdistricts or communities measure the same
	// figures: each is measured once for the page.
	memo := map[liveKey]liveValue{}
	for _, t := range ts {
		if !Visible(a, t) {
			continue
		}
		p, err := s.progress(ctx, a, t, memo)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// elapsed is the share of the target's year gone at now (0 before it, 1
// after it).
func elapsed(year int, now time.Time) float64 {
	z := calendar.Zone()
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, z), time.Date(year+1, 1, 1, 0, 0, 0, 0, z)
	switch {
	case !now.After(from):
		return 0
	case !now.Before(to):
		return 1
	}
	return float64(now.Sub(from)) / float64(to.Sub(from))
}

// project extrapolates a figure so far to the year's end, linearly by the
// share of the year elapsed.
func project(v, share float64) float64 {
	if share >= 1 {
		return v
	}
	return v / share
}

// projectionMethod names the method for the page.
func projectionMethod(share float64, now time.Time) string {
	if share >= 1 {
		return "全年实际值 / the year's actual figure"
	}
	return fmt.Sprintf("按截至 %s 已过 %.0f%% 的时间线性外推至年末 / extrapolated linearly to the year's end from the %.0f%% of the year elapsed by %s",
		now.In(calendar.Zone()).Format("2006-01-02"), share*100, share*100, now.In(calendar.Zone()).Format("2006-01-02"))
}

// Progress measures one target against the live figure at this moment.
func (s *Service) Progress(ctx context.Context, a org.Actor, t *Target) (Progress, error) {
	return s.progress(ctx, a, t, map[liveKey]liveValue{})
}

type liveKey struct {
	key          string
	year         int
	jurisdiction int64
}

// Visible reports whether the actor sees a target: a district's target
// (jurisdiction 0) is seen by all; a subdistrict's by that subdistrict and
// the district.
func Visible(a org.Actor, t *Target) bool {
	return t.JurisdictionID == 0 || a.InJurisdiction(t.JurisdictionID)
}

type liveValue struct {
	v  float64
	ok bool
}

func (s *Service) progress(ctx context.Context, a org.Actor, t *Target, memo map[liveKey]liveValue) (Progress, error) {
	// A subdistrict's target is measured by that subdistrict's figures.
	if n, ok := a.Narrowed(t.JurisdictionID); ok {
		a = n
	}
	live := func(ctx context.Context, a org.Actor, key string, year int) (float64, bool, error) {
		k := liveKey{key, year, a.JurisdictionID}
		if m, ok := memo[k]; ok {
			return m.v, m.ok, nil
		}
		v, ok, err := s.live(ctx, a, key, year)
		if err == nil {
			memo[k] = liveValue{v, ok}
		}
		return v, ok, err
	}
	p := Progress{Target: t, Status: NoFigure}
	now := s.now()
	share := elapsed(t.Year, now)
	v, ok, err := live(ctx, a, t.Key, t.Year)
	if err != nil || !ok || share == 0 {
		return p, err
	}
	p.Live = &v
	p.Method = projectionMethod(share, now)
	proj := project(v, share)
	switch t.Comparison {
	case AtLeast:
		p.Projection = &proj
		sh := math.Round(v/t.Value*10000) / 100
		if t.Value != 0 {
			p.Share = &sh
		}
		p.Met = v >= t.Value
		p.Status = statusOf(p.Met, proj >= t.Value, share)
	case AtMost:
		p.Projection = &proj
		p.Met = v <= t.Value
		switch {
		case !p.Met:
			p.Status = Missed // a count past its ceiling does not come back
		default:
			p.Status = statusOf(share >= 1, proj <= t.Value, share)
		}
	case ChangeBy:
		prior, ok, err := live(ctx, a, t.Key, t.Year-1)
		if err != nil {
			return p, err
		}
		if !ok || prior == 0 {
			p.Live, p.Method = nil, ""
			return p, nil
		}
		p.Prior = &prior
		ch := math.Round((v-prior)/prior*10000) / 100
		pch := math.Round((proj-prior)/prior*10000) / 100
		p.Change, p.Projection = &ch, &pch
		reach := func(c float64) bool {
			if t.Value < 0 {
				return c <= t.Value
			}
			return c >= t.Value
		}
		p.Met = share >= 1 && reach(ch)
		p.Status = statusOf(p.Met, reach(pch), share)
	case BothPositive:
		v2, ok, err := live(ctx, a, t.Key2, t.Year)
		if err != nil {
			return p, err
		}
		if !ok {
			p.Live, p.Method = nil, ""
			return p, nil
		}
		p.Live2 = &v2
		proj2 := project(v2, share)
		lo := math.Min(proj, proj2)
		p.Projection = &lo
		p.Met = share >= 1 && v > t.Value && v2 > t.Value
		p.Status = statusOf(p.Met, proj > t.Value && proj2 > t.Value, share)
	}
	return p, nil
}

// live measures a figure for a year: by the sources wired in when one
// defines it, else from the catalogue; ok false when nothing measures it.
func (s *Service) live(ctx context.Context, a org.Actor, key string, year int) (float64, bool, error) {
	if s.Figure != nil && (s.Known == nil || s.Known(key)) {
		v, ok, err := s.Figure(ctx, a, key, year)
		if err != nil || ok || s.Known != nil {
			return v, ok, err
		}
	}
	if _, err := s.Store.GetIndicator(ctx, key); err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return 0, false, nil
		}
		return 0, false, err
	}
	y, err := s.YearOf(ctx, a, key, year)
	if err != nil {
		return 0, false, err
	}
	return y.Value, y.OK, nil
}

// statusOf decides a status: met is on track; otherwise a finished year
// is missed, and a running one is on track if the projection reaches.
func statusOf(met, projected bool, share float64) Status {
	switch {
	case met:
		return OnTrack
	case share >= 1:
		return Missed
	case projected:
		return OnTrack
	}
	return AtRisk
}
