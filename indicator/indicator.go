// Package indicator keeps the economic indicators a subdistrict reports
// (财政总收入, 规上工业增加值 …): a catalogue, values per period entered by
// a person or imported in the statistics bureau's layout, with who entered
// each and when, and what is computed from them (the year's figure,
// year-on-year change, the rank where given). It also keeps the targets
// of a year (target.go): a comparison with a value, measured against the
// live figure with a year-end projection and a status.
//
// The rules are in docs/books.md.
package indicator

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Frequency is how often an indicator is reported.
type Frequency string

const (
	Monthly   Frequency = "monthly"   // 月报: periods 2023-01 … 2023-12
	Quarterly Frequency = "quarterly" // 季报: periods 2023-Q1 … 2023-Q4
	Yearly    Frequency = "yearly"    // 年报: period 2023
)

// Zh is the frequency's Chinese name.
func (f Frequency) Zh() string {
	return map[Frequency]string{Monthly: "月度", Quarterly: "季度", Yearly: "年度"}[f]
}

// Indicator is one entry of the catalogue.
type Indicator struct {
	Key       string    `json:"key"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en,omitempty"`
	Unit      string    `json:"unit"`
	Frequency Frequency `json:"frequency"`
	// Cumulative: each period's value is the total since 1 January (累计),
	// as the statistics bureau reports; the year's figure is the last
	// period's value. Otherwise the year's figure is the sum of periods.
	Cumulative bool      `json:"cumulative"`
	Source     string    `json:"source,omitempty"` // who supplies it (区统计局, 财政所 …)
	CreatedAt  time.Time `json:"created_at"`
}

var indicatorKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// Validate checks a catalogue entry.
func (i *Indicator) Validate() error {
	if !indicatorKeyRE.MatchString(i.Key) || len(i.Key) > 80 || strings.HasPrefix(i.Key, "target.") {
		return jiedao.Invalid("key", "指标编码应为以点分隔的小写字母、数字或下划线（如 fiscal.total_revenue），且不能以 target. 开头",
			"the key must be dot-separated lowercase words (such as fiscal.total_revenue), not starting with target.")
	}
	if strings.TrimSpace(i.Name) == "" || utf8.RuneCountInString(i.Name) > 60 {
		return jiedao.Invalid("name", "指标名称不能为空且不超过60字", "the name is required, at most 60 characters")
	}
	if strings.TrimSpace(i.Unit) == "" {
		return jiedao.Invalid("unit", "请填写计量单位", "the unit is required")
	}
	switch i.Frequency {
	case Monthly, Quarterly, Yearly:
	default:
		return jiedao.Invalid("frequency", "频度应为月度、季度或年度", "frequency must be monthly, quarterly or yearly")
	}
	return nil
}

// Periods returns the periods of a year at the frequency, in order.
func (f Frequency) Periods(year int) []string {
	switch f {
	case Monthly:
		out := make([]string, 12)
		for m := range out {
			out[m] = fmt.Sprintf("%04d-%02d", year, m+1)
		}
		return out
	case Quarterly:
		return []string{fmt.Sprintf("%04d-Q1", year), fmt.Sprintf("%04d-Q2", year), fmt.Sprintf("%04d-Q3", year), fmt.Sprintf("%04d-Q4", year)}
	}
	return []string{fmt.Sprintf("%04d", year)}
}

// CheckPeriod checks that a period is one of the indicator's frequency.
func (i *Indicator) CheckPeriod(p string) (year int, err error) {
	if len(p) >= 4 {
		if y, e := strconv.Atoi(p[:4]); e == nil && y >= 2000 && y <= 2100 {
			for _, q := range i.Frequency.Periods(y) {
				if q == p {
					return y, nil
				}
			}
		}
	}
	ex := i.Frequency.Periods(2023)[0]
	return 0, jiedao.Invalid("period", fmt.Sprintf("“%s”是%s指标，期间应写作“%s”这样的格式：%s", i.Name, i.Frequency.Zh(), ex, p),
		fmt.Sprintf("%s is %s: write periods like %s: %s", i.Key, i.Frequency, ex, p))
}

// Value is an indicator's value for one period.
type Value struct {
	Key    string  `json:"key"`
	Period string  `json:"period"`
	Value  float64 `json:"value"`
	// YoY and Rank are as the statistics bureau gives them, when it does:
	// the change on the same period of the year before (percent) and the
	// subdistrict's rank in the district.
	YoY       *float64  `json:"yoy,omitempty"`
	Rank      *int      `json:"rank,omitempty"`
	Version   int       `json:"version"`
	EnteredAt time.Time `json:"entered_at"`
	EnteredBy string    `json:"entered_by"`
	// JurisdictionID is the subdistrict the value is of (0: the sum of
	// several subdistricts', as a district reads it).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Input is a value as a person types or imports it.
type Input struct {
	Key    string   `json:"key"`
	Period string   `json:"period"`
	Value  float64  `json:"value"`
	YoY    *float64 `json:"yoy,omitempty"`
	Rank   *int     `json:"rank,omitempty"`
	// JurisdictionID is the subdistrict a district actor enters the value
	// for (0: his own, or the one subdistrict there is); a subdistrict
	// actor's values are his own subdistrict's.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Closed is a period closed to entry: values of a closed period (or of any
// period of a closed year) are final and refused.
type Closed struct {
	Period   string    `json:"period"`
	ClosedAt time.Time `json:"closed_at"`
	ClosedBy string    `json:"closed_by"`
}

// Store keeps the catalogue, the values with every version, the closed
// periods and the targets.
type Store interface {
	CreateIndicator(ctx context.Context, i *Indicator) error
	GetIndicator(ctx context.Context, key string) (*Indicator, error)
	ListIndicators(ctx context.Context) ([]*Indicator, error)
	// PutValues stores values, each as the next version of its period,
	// all or none; closed is called in the transaction with the periods
	// closed then and may refuse.
	PutValues(ctx context.Context, vals []Input, by org.Actor, at time.Time, check func(closed map[string]bool) error) error
	// Values returns the values of a key whose period starts with prefix
	// ("2023" for a year), in period order.
	// Values are one subdistrict's values (jurisdiction), or with 0 the
	// sum of every subdistrict's per period (YoY, Rank and who entered it
	// only where one subdistrict has a value for the period).
	Values(ctx context.Context, key, prefix string, jurisdiction int64) ([]Value, error)
	// ValueHistory is one subdistrict's versions of a period's value
	// (jurisdiction; 0: every subdistrict's).
	ValueHistory(ctx context.Context, key, period string, jurisdiction int64) ([]Value, error)
	ClosePeriod(ctx context.Context, period string, by org.Actor, at time.Time) error
	ClosedPeriods(ctx context.Context) ([]Closed, error)

	CreateTarget(ctx context.Context, t *Target) error
	ListTargets(ctx context.Context, year int) ([]*Target, error)
	DeleteTarget(ctx context.Context, id int64) error
	// Atomic runs fn in one transaction (a removal with its audit entry).
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service applies the rules of indicators and targets.
type Service struct {
	Store Store
	Now   func() time.Time
	// Figure measures the live figure of a key for a calendar year as the
	// actor sees it: cmd/jiedao wires it to the report's figures over every
	// source (cases, ledgers, indicators, enterprises …). ok is false when
	// the key is defined but has nothing to measure; a key no source
	// defines returns ok false too, and Known tells the two apart.
	Figure func(ctx context.Context, a org.Actor, key string, year int) (v float64, ok bool, err error)
	// Known reports whether a figure key is defined by a source wired in
	// (besides the catalogue and the work report's keys, which the
	// service knows itself).
	Known func(key string) bool
	// Audit records the removal of a target (nil: not audited, for tests
	// and the demo).
	Audit org.Auditor
	// Jurisdictions lists the subdistricts, for the one a value or target
	// is of (org.RecordJurisdiction); nil: the actor's, or the one picked.
	Jurisdictions org.JurisdictionLister
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Time is the service's clock now.
func (s *Service) Time() time.Time { return s.now() }

// CanEnter reports whether the actor may enter indicator values and set
// targets: admins and the staff of a unit (the office that collects the
// figures); leaders and others read.
func CanEnter(a org.Actor) bool {
	return a.Kind == org.ActorSystem || a.Is(org.RoleAdmin, org.RoleUnitLead, org.RoleUnitHandler)
}

// CanRead reports whether the actor may read indicators and targets: staff.
func CanRead(a org.Actor) bool { return a.Kind == org.ActorSystem || a.Kind == org.ActorStaff }

// CreateIndicator adds an indicator to the catalogue (admins).
func (s *Service) CreateIndicator(ctx context.Context, a org.Actor, i *Indicator) error {
	if !(a.Kind == org.ActorSystem || a.Is(org.RoleAdmin)) {
		return jiedao.Forbidden("只有系统管理员可以维护指标目录", "only admins keep the catalogue")
	}
	if err := i.Validate(); err != nil {
		return err
	}
	i.CreatedAt = s.now()
	err := s.Store.CreateIndicator(ctx, i)
	if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
		return jiedao.Errorf(jiedao.ECONFLICT, "指标“%s”已在目录中", "indicator %s is in the catalogue already", i.Key)
	}
	return err
}

// Indicator returns a catalogue entry.
func (s *Service) Indicator(ctx context.Context, key string) (*Indicator, error) {
	i, err := s.Store.GetIndicator(ctx, key)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.Invalid("key", fmt.Sprintf("指标“%s”不在指标目录中", key), fmt.Sprintf("indicator %s is not in the catalogue", key))
	}
	return i, err
}

// isClosed reports whether a period is closed: itself, or its year.
func isClosed(closed map[string]bool, period string) bool {
	return closed[period] || closed[period[:4]]
}

// Enter stores values, all or none: an unknown indicator, a period of the
// wrong form or a closed period refuses them all, naming the one at fault.
func (s *Service) Enter(ctx context.Context, a org.Actor, ins []Input) error {
	if !CanEnter(a) {
		return jiedao.Forbidden("无权录入指标", "you may not enter indicators")
	}
	if len(ins) == 0 {
		return jiedao.Invalid("values", "没有要录入的数值", "no values to enter")
	}
	for n, in := range ins {
		i, err := s.Indicator(ctx, in.Key)
		if err != nil {
			return err
		}
		if _, err := i.CheckPeriod(in.Period); err != nil {
			return err
		}
		if math.IsNaN(in.Value) || math.IsInf(in.Value, 0) {
			return jiedao.Invalid("value", fmt.Sprintf("第%d个数值无效", n+1), fmt.Sprintf("value %d is invalid", n+1))
		}
	}
	// Each value is of a subdistrict: the actor's, or the one picked.
	placed := map[int64]int64{}
	ins = slices.Clone(ins)
	for n := range ins {
		j, ok := placed[ins[n].JurisdictionID]
		if !ok {
			var err error
			if j, err = org.RecordJurisdiction(ctx, s.Jurisdictions, a, ins[n].JurisdictionID); err != nil {
				return err
			}
			placed[ins[n].JurisdictionID] = j
		}
		ins[n].JurisdictionID = j
	}
	return s.Store.PutValues(ctx, ins, a, s.now(), func(closed map[string]bool) error {
		for _, in := range ins {
			if isClosed(closed, in.Period) {
				return jiedao.Errorf(jiedao.ECONFLICT, "%s 期间已关账，不能再录入“%s”", "period %s is closed: %s can no longer be entered", in.Period, in.Key)
			}
		}
		return nil
	})
}

// Close closes a period (a month such as 2023-12, a quarter, or a whole
// year such as 2023) to entry (admins).
func (s *Service) Close(ctx context.Context, a org.Actor, period string) error {
	if !(a.Kind == org.ActorSystem || a.Is(org.RoleAdmin)) {
		return jiedao.Forbidden("只有系统管理员可以关账", "only admins close periods")
	}
	ok := regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$`).MatchString(period)
	if !ok {
		return jiedao.Invalid("period", "期间应写作 2023、2023-12 或 2023-Q4", "a period is written 2023, 2023-12 or 2023-Q4")
	}
	return s.Store.ClosePeriod(ctx, period, a, s.now())
}

// Year is an indicator's figure for a calendar year.
type Year struct {
	Indicator *Indicator `json:"indicator"`
	Year      int        `json:"year"`
	OK        bool       `json:"ok"`      // something was entered for the year
	Value     float64    `json:"value"`   // the year's figure (so far)
	Through   string     `json:"through"` // the last period entered
	Periods   []Value    `json:"periods"`
	// YoY is the change on the same periods of the year before, computed
	// from the values entered for it; failing those, the bureau's given
	// change of the last period. YoYGiven says which.
	YoY       *float64  `json:"yoy,omitempty"`
	YoYGiven  bool      `json:"yoy_given,omitempty"`
	Rank      *int      `json:"rank,omitempty"` // the last period's rank, where given
	By        string    `json:"by,omitempty"`   // who entered the last period, and when
	EnteredAt time.Time `json:"entered_at"`
}

// figure folds values into the year's figure through a period.
func figure(i *Indicator, vals []Value, through string) (float64, bool) {
	var sum float64
	ok := false
	for _, v := range vals {
		if v.Period > through {
			break
		}
		if i.Cumulative {
			sum = v.Value
		} else {
			sum += v.Value
		}
		ok = true
	}
	return sum, ok
}

// YearOf computes an indicator's figure for a year.
func (s *Service) YearOf(ctx context.Context, a org.Actor, key string, year int) (*Year, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看指标", "you may not read indicators")
	}
	i, err := s.Indicator(ctx, key)
	if err != nil {
		return nil, err
	}
	vals, err := s.Store.Values(ctx, key, fmt.Sprintf("%04d", year), a.JurisdictionID)
	if err != nil {
		return nil, err
	}
	y := &Year{Indicator: i, Year: year, Periods: vals}
	if len(vals) == 0 {
		return y, nil
	}
	last := vals[len(vals)-1]
	y.Through, y.Rank, y.By, y.EnteredAt = last.Period, last.Rank, last.EnteredBy+" "+last.EnteredAt.Format("2006-01-02"), last.EnteredAt
	y.Value, y.OK = figure(i, vals, last.Period)
	prior, err := s.Store.Values(ctx, key, fmt.Sprintf("%04d", year-1), a.JurisdictionID)
	if err != nil {
		return nil, err
	}
	// The same periods of the year before: its period names with the year
	// replaced.
	samePrior := fmt.Sprintf("%04d", year-1) + last.Period[4:]
	if pv, ok := figure(i, prior, samePrior); ok && pv != 0 && (i.Cumulative || len(prior) >= len(vals)) {
		ch := math.Round((y.Value-pv)/pv*10000) / 100
		y.YoY = &ch
	} else if last.YoY != nil {
		y.YoY, y.YoYGiven = last.YoY, true
	}
	return y, nil
}

// Catalogue lists the indicators.
func (s *Service) Catalogue(ctx context.Context, a org.Actor) ([]*Indicator, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看指标", "you may not read indicators")
	}
	return s.Store.ListIndicators(ctx)
}

// History returns every version of a period's value.
func (s *Service) History(ctx context.Context, a org.Actor, key, period string) ([]Value, error) {
	if !CanRead(a) {
		return nil, jiedao.Forbidden("无权查看指标", "you may not read indicators")
	}
	return s.Store.ValueHistory(ctx, key, period, a.JurisdictionID)
}
