package casework

import (
	"context"
	"math"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// The evaluation figures (考核指标) of an area, unit or post over a period
// [From, To). Each counts as follows; "filed" cases are the population of
// every case figure, so that a figure for a period does not change its
// meaning as cases move on.
//
//	立案数 filed            cases accepted (立案) in the period and not voided or
//	                        merged since (a void is a mistake, a duplicate counts
//	                        in the case it was merged into); a case reopened
//	                        later still counts once, in the period it was filed.
//	结案率 close rate        filed cases now closed / filed.
//	按期结案率 on-time rate  filed cases closed by their close deadline
//	                        (extensions included) / filed cases closed.
//	返工率 rework rate       filed cases sent back for rework at least once /
//	                        filed cases that were reported handled at least once.
//	签收及时率 sign rate     dispatches in the period signed by their sign
//	                        deadline / dispatches in the period that were signed
//	                        or whose deadline has passed; a dispatch returned
//	                        unsigned after its deadline counts, as late.
//	满意率 satisfaction      filed cases rated 满意 or 基本满意 / filed cases rated.
//	平均处置时长 avg hours   mean clock hours from sign-for to report back, over
//	                        dispatches in the period that were handled.
//
// Grouped by unit, the case figures count the unit the case is dispatched
// to now, and the dispatch figures the unit of each dispatch. Grouped by
// community or grid, both count the case's place.

// GroupBy is how evaluation rows are keyed.
type GroupBy string

const (
	ByAll       GroupBy = "all"
	ByCommunity GroupBy = "community"
	ByGrid      GroupBy = "grid"
	ByUnit      GroupBy = "unit"
)

// Valid reports whether g is a known grouping.
func (g GroupBy) Valid() bool {
	return g == ByAll || g == ByCommunity || g == ByGrid || g == ByUnit
}

// EvalQuery asks for the figures of a period.
type EvalQuery struct {
	From, To time.Time
	GroupBy  GroupBy
	Now      time.Time // dispatches whose sign deadline has passed by Now count
	// Jurisdiction keeps one subdistrict's figures (0: every one); set by
	// the Service from the actor, never from a request.
	Jurisdiction int64
}

// EvalCounts are the raw counts for one row, as the store returns them.
type EvalCounts struct {
	Key           int64   `json:"key"` // community, grid or unit id; 0 for all or unplaced
	Filed         int     `json:"filed"`
	Closed        int     `json:"closed"`
	ClosedOnTime  int     `json:"closed_on_time"`
	Handled       int     `json:"handled"`
	Reworked      int     `json:"reworked"`
	Rated         int     `json:"rated"`
	Satisfied     int     `json:"satisfied"` // 满意 + 基本满意
	Dispatches    int     `json:"dispatches"`
	SignedOnTime  int     `json:"signed_on_time"`
	HandledDisp   int     `json:"handled_dispatches"`
	HandleSeconds float64 `json:"handle_seconds"` // sum over handled dispatches
}

// Evaluation is one row of figures: the counts and the rates in percent,
// rounded to two decimals; a rate with nothing to count is nil.
type Evaluation struct {
	EvalCounts
	CloseRate        *float64 `json:"close_rate"`
	OnTimeCloseRate  *float64 `json:"on_time_close_rate"`
	ReworkRate       *float64 `json:"rework_rate"`
	SignTimelyRate   *float64 `json:"sign_timely_rate"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	AvgHandleHours   *float64 `json:"avg_handle_hours"`
}

func percent(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	v := math.Round(float64(num)*10000/float64(den)) / 100
	return &v
}

// Rates computes the figures from the counts.
func (c EvalCounts) Rates() Evaluation {
	e := Evaluation{EvalCounts: c,
		CloseRate:        percent(c.Closed, c.Filed),
		OnTimeCloseRate:  percent(c.ClosedOnTime, c.Closed),
		ReworkRate:       percent(c.Reworked, c.Handled),
		SignTimelyRate:   percent(c.SignedOnTime, c.Dispatches),
		SatisfactionRate: percent(c.Satisfied, c.Rated),
	}
	if c.HandledDisp > 0 {
		h := math.Round(c.HandleSeconds/float64(c.HandledDisp)/3600*100) / 100
		e.AvgHandleHours = &h
	}
	return e
}

// Evaluate computes the evaluation figures. Leaders, the command center
// and admins see every row.
func (s *Service) Evaluate(ctx context.Context, a org.Actor, q EvalQuery) ([]Evaluation, error) {
	if !a.SeesAll() {
		return nil, jiedao.Forbidden("您无权查看考核数据", "you may not see the evaluation figures")
	}
	if q.GroupBy == "" {
		q.GroupBy = ByAll
	}
	if !q.GroupBy.Valid() {
		return nil, jiedao.Invalid("group_by", "分组应为 all、community、grid 或 unit", "group_by must be all, community, grid or unit")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return nil, jiedao.Invalid("from", "请给出有效的起止日期", "give a valid period")
	}
	if q.Now.IsZero() {
		q.Now = s.now()
	}
	q.Jurisdiction = a.JurisdictionID
	rows, err := s.Store.Evaluate(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Evaluation, len(rows))
	for i, r := range rows {
		out[i] = r.Rates()
	}
	return out, nil
}

// The unit score (单位综合得分) ranks units on the dashboard, 0–100: the
// on-time closing rate weighs 50 %, the satisfaction rate 30 % and the
// rate without rework (100 − rework rate) 20 %. A rate with nothing to
// count leaves its weight out and the others are scaled up; with none, a
// unit has no score and ranks last.
const (
	ScoreWeightOnTime       = 0.5
	ScoreWeightSatisfaction = 0.3
	ScoreWeightNoRework     = 0.2
)

// Score is the unit score of an evaluation, rounded to two places; nil
// when none of its rates can be computed.
func (e Evaluation) Score() *float64 {
	var sum, weight float64
	add := func(v *float64, w float64, invert bool) {
		if v == nil {
			return
		}
		x := *v
		if invert {
			x = 100 - x
		}
		sum += x * w
		weight += w
	}
	add(e.OnTimeCloseRate, ScoreWeightOnTime, false)
	add(e.SatisfactionRate, ScoreWeightSatisfaction, false)
	add(e.ReworkRate, ScoreWeightNoRework, true)
	if weight == 0 {
		return nil
	}
	v := math.Round(sum/weight*100) / 100
	return &v
}
