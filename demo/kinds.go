package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// KindVolumes are the year's records of the case kinds with legal clocks
// (docs/kinds.md), calibrated to the Gudang work report of 2023.
type KindVolumes struct {
	DisputesMediated  int     // 受理并调处矛盾纠纷 437
	DisputeAmount     float64 // 调解标的 4,600,000 yuan
	DisputesOpen      int     // still in mediation at the year's end
	PenaltiesFiled    int     // 街道立案 1088
	PenaltiesClosed   int     // 结案 968
	Inspections       int     // 赋权检查认领 150
	Bikes             int     // 处置共享单车 40,000
	FireAlarms        int     // 24
	Rescues           int     // 26
	SocialAid         int     // 24
	PetitionsLastYear int     // the year before: 193
	Petitions         int     // this year: 112, −41.97 %
	NationalBacklog   int     // 积案 cleared: 4
	ProvincialBacklog int     // 2
	BacklogStillOpen  int     // an older backlog case not yet cleared
}

// CalibratedKinds are the 2023 work report's figures.
func CalibratedKinds() KindVolumes {
	return KindVolumes{DisputesMediated: 437, DisputeAmount: 4600000, DisputesOpen: 9, PenaltiesFiled: 1088, PenaltiesClosed: 968,
		Inspections: 150, Bikes: 40000, FireAlarms: 24, Rescues: 26, SocialAid: 24, PetitionsLastYear: 193, Petitions: 112,
		NationalBacklog: 4, ProvincialBacklog: 2, BacklogStillOpen: 1}
}

// kindLife is one kind case taken through the loop in memory.
type kindLife struct {
	gen    *generator
	ctx    context.Context
	c      *casework.Case
	events []*casework.Event
	t      time.Time
}

func (l *kindLife) step(a org.Actor, act casework.Action, reason string, data any) error {
	in := casework.StepInput{Action: act, Reason: reason}
	if data != nil {
		b, _ := json.Marshal(data)
		in.KindData = b
	}
	e, err := l.gen.svc.TakeStep(l.ctx, l.gen.cal, l.gen.lookup, a, l.c, in, l.t)
	if err != nil {
		return fmt.Errorf("%s %s at %s: %w", l.c.Kind, act, l.t.Format(time.DateTime), err)
	}
	l.events = append(l.events, e)
	return nil
}

// at moves the life to a working moment on or after t (09:00–17:00 of a
// working day), never before its last step.
func (l *kindLife) at(t time.Time) {
	t = l.gen.workTime(t)
	if t.Before(l.t) {
		t = l.t.Add(time.Duration(1+l.gen.rng.IntN(30)) * time.Minute)
	}
	l.t = t
}

func (l *kindLife) after(days int) { l.at(l.t.AddDate(0, 0, days)) }

// workTime is a time in working hours on the first working day on or
// after t's day.
func (gen *generator) workTime(t time.Time) time.Time {
	t = t.In(calendar.Zone())
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, calendar.Zone())
	for !gen.cal.IsWorkingDay(day) {
		day = day.AddDate(0, 0, 1)
	}
	w := day.Add(9*time.Hour + time.Duration(gen.rng.IntN(8*60))*time.Minute)
	if w.Before(t) && sameDay(w, t) {
		w = t.Add(time.Duration(5+gen.rng.IntN(60)) * time.Minute)
	}
	return w
}

func sameDay(a, b time.Time) bool {
	a, b = a.In(calendar.Zone()), b.In(calendar.Zone())
	return a.YearDay() == b.YearDay() && a.Year() == b.Year()
}

func (gen *generator) newKind(ctx context.Context, a org.Actor, k casework.Kind, at time.Time, details string, data any) (*kindLife, error) {
	b, _ := json.Marshal(data)
	in := casework.ReportInput{Kind: k, Details: details, KindData: b,
		Address: fmt.Sprintf("%s%d号", streets[gen.rng.IntN(len(streets))], 1+gen.rng.IntN(400))}
	c, e, err := gen.svc.NewReport(ctx, a, in, at)
	if err != nil {
		return nil, fmt.Errorf("%s report at %s: %w", k, at.Format(time.DateTime), err)
	}
	return &kindLife{gen: gen, ctx: ctx, c: c, events: []*casework.Event{e}, t: at}, nil
}

// dayIn is a day of the year, uniformly between two days of it.
func (gen *generator) dayIn(year int, fromYD, toYD int) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, calendar.Zone()).AddDate(0, 0, fromYD-1+gen.rng.IntN(toYD-fromYD+1))
}

// exactSplit splits total into n non-negative integer parts proportional
// to weights, adding up exactly.
func exactSplit(total float64, weights []float64) []float64 {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]float64, len(weights))
	var got float64
	big := 0
	for i, w := range weights {
		out[i] = math.Floor(total * w / sum)
		got += out[i]
		if w > weights[big] {
			big = i
		}
	}
	out[big] += total - got
	return out
}

// generateKinds makes the year's disputes, petitions (and those of the
// year before, and older backlog), enforcement cases, delegated
// inspections, shared-bike clearances and duty call-outs, each through
// the real case loop with the kinds' rules, and stores them.
func (gen *generator) generateKinds(ctx context.Context, db *store.DB, v KindVolumes) error {
	key, err := db.KindSecret(ctx, "petitioner")
	if err != nil {
		return err
	}
	svc := *gen.svc
	svc.Kinds = kinds.Models(key)
	// Repeat detection counts the kind cases made so far: they are held
	// in memory until stored in one batch, so the count is the demo's own.
	made := &madeKinds{Store: svc.Store}
	svc.Store = made
	svc.Calendars = fixedCalendar{gen.cal} // it does not change while a year is made
	saved := gen.svc
	gen.svc = &svc
	defer func() { gen.svc = saved }()

	officers := map[casework.Kind]org.Actor{}
	hash, err := org.HashPassword(Password)
	if err != nil {
		return err
	}
	for _, s := range []org.Staff{
		{Username: "mediator", Name: "陈丽华", Role: org.RoleMediator},
		{Username: "petition", Name: "周建国", Role: org.RolePetitionOfficer},
		{Username: "enforcement", Name: "吴志强", Role: org.RoleEnforcementOfficer},
		{Username: "duty", Name: "郑海涛", Role: org.RoleDutyOfficer},
	} {
		s.Active, s.PasswordHash, s.CreatedAt, s.Phone = true, hash, time.Date(2020, 1, 1, 9, 0, 0, 0, calendar.Zone()), phone(gen.rng)
		if err := db.Org().CreateStaff(ctx, &s); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
		gen.g.Staff[s.Username] = &s
		officers[casework.KindOf(s.Role)] = org.StaffActor(&s)
	}
	leader := gen.dispatcherActor()

	var batch []store.CaseHistory
	keep := func(l *kindLife, err error) error {
		if err != nil {
			return err
		}
		batch = append(batch, store.CaseHistory{Case: l.c, Events: l.events})
		made.cases = append(made.cases, l.c)
		return nil
	}
	for _, f := range []func() error{
		func() error { return gen.petitions(ctx, officers[casework.KindPetition], leader, v, keep) },
		func() error { return gen.disputes(ctx, officers[casework.KindDispute], v, keep) },
		func() error { return gen.penalties(ctx, officers[casework.KindEnforcement], v, keep) },
		func() error { return gen.inspectionsAndBikes(ctx, officers[casework.KindEnforcement], v, keep) },
		func() error { return gen.callOuts(ctx, officers[casework.KindDuty], v, keep) },
	} {
		if err := f(); err != nil {
			return err
		}
	}
	if err := db.Cases().ImportCases(ctx, batch); err != nil {
		return err
	}
	return gen.roster(ctx, db, officers[casework.KindDuty])
}

// madeKinds answers the kinds' counts (a petitioner's earlier petitions)
// from the kind cases made so far, in memory.
type madeKinds struct {
	casework.Store
	cases []*casework.Case
}

func (m *madeKinds) CountCases(ctx context.Context, f casework.Filter) (int, error) {
	n := 0
	for _, c := range m.cases {
		if f.Kind != casework.KindOrdinary && c.Kind != f.Kind {
			continue
		}
		all := true
		for _, t := range f.KindTags {
			all = all && c.KindState.HasTag(t)
		}
		if all {
			n++
		}
	}
	return n, nil
}

var disputeTypes = []string{"neighbour", "family", "property_management", "labour", "consumer", "traffic", "contract", "other"}
var disputeWeights = []float64{30, 15, 20, 12, 10, 5, 5, 3}
var disputeTexts = map[string]string{"neighbour": "楼上漏水引发邻里纠纷", "family": "赡养老人费用分担纠纷", "property_management": "物业费收缴与维修责任纠纷",
	"labour": "装修工人追讨工资纠纷", "consumer": "预付卡退费纠纷", "traffic": "非机动车碰撞赔偿纠纷", "contract": "房屋租赁合同押金纠纷", "other": "宠物伤人赔偿纠纷"}

func (gen *generator) disputes(ctx context.Context, m org.Actor, v KindVolumes, keep func(*kindLife, error) error) error {
	n := v.DisputesMediated + v.DisputesOpen
	types := make([]string, n)
	weights := make([]float64, v.DisputesMediated)
	for i := range types {
		types[i] = weighted(gen.rng, disputeTypes, disputeWeights)
		if i < v.DisputesMediated {
			switch types[i] {
			case "neighbour", "family", "other":
				weights[i] = math.Exp(gen.rng.NormFloat64()*0.8 + 7) // a few thousand yuan
			default:
				weights[i] = math.Exp(gen.rng.NormFloat64()*1.0 + 9)
			}
		}
	}
	amounts := exactSplit(v.DisputeAmount, weights)
	for i := range n {
		mediated := i < v.DisputesMediated
		day := gen.dayIn(gen.year, 3, 330)
		if !mediated {
			day = gen.dayIn(gen.year, 350, 362)
		}
		at := gen.workTime(day)
		amount := 0.0
		if mediated {
			amount = amounts[i]
		} else {
			amount = float64(100 * (10 + gen.rng.IntN(300)))
		}
		level := "grid"
		if amount > 30000 || gen.rng.Float64() < 0.3 {
			level = "center"
		}
		data := map[string]any{"type": types[i], "amount": amount, "level": level,
			"parties": []map[string]any{{"name": personName(gen.rng)}, {"name": personName(gen.rng)}}}
		l, err := gen.newKind(ctx, m, casework.KindDispute, at, disputeTexts[types[i]], data)
		if err != nil {
			return err
		}
		l.after(gen.rng.IntN(2))
		if err := l.step(m, casework.ActAccept, "", nil); err != nil {
			return err
		}
		sessions := 1 + gen.rng.IntN(3)
		if !mediated {
			sessions = 1
		}
		for range sessions {
			l.after(1 + gen.rng.IntN(8))
			if err := l.step(m, casework.ActMediate, "", map[string]any{"mediator": m.Name}); err != nil {
				return err
			}
		}
		if !mediated {
			if err := keep(l, nil); err != nil {
				return err
			}
			continue
		}
		outcome := weighted(gen.rng, []string{"agreement", "failed", "court", "arbitration"}, []float64{86, 8, 4, 2})
		l.after(gen.rng.IntN(3))
		written := gen.rng.Float64() < 0.8
		if err := l.step(m, casework.ActMediationResult, "", map[string]any{"outcome": outcome, "written": written}); err != nil {
			return err
		}
		if outcome == "agreement" {
			if written {
				if err := l.step(m, casework.ActAgreementSeal, "", map[string]any{"signed_parties": true, "signed_mediator": true, "sealed": true}); err != nil {
					return err
				}
			}
			if gen.rng.Float64() < 0.08 {
				l.after(3 + gen.rng.IntN(15))
				if err := l.step(m, casework.ActJudicialConfirm, "", nil); err != nil {
					return err
				}
			}
			l.after(5 + gen.rng.IntN(10))
			if err := l.step(m, casework.ActFollowUp, "", map[string]any{"performed": gen.rng.Float64() < 0.95}); err != nil {
				return err
			}
		}
		l.after(1)
		if err := keep(l, l.step(m, casework.ActConclude, "", nil)); err != nil {
			return err
		}
	}
	return nil
}

var violations = []string{"占道经营", "店外经营", "违规设置户外广告", "乱堆物料", "餐饮油烟直排", "违规装修施工噪声", "未按规定分类投放垃圾", "擅自占用城市道路"}

func (gen *generator) penalties(ctx context.Context, eo org.Actor, v KindVolumes, keep func(*kindLife, error) error) error {
	for i := range v.PenaltiesFiled {
		closed := i < v.PenaltiesClosed
		day := gen.dayIn(gen.year, 3, 335)
		if !closed {
			day = gen.dayIn(gen.year, 330, 352)
		}
		isOrg := gen.rng.Float64() < 0.7
		party := personName(gen.rng)
		if isOrg {
			party = fmt.Sprintf("杭州%s%s有限公司", []string{"古荡", "文华", "嘉绿", "益乐", "华星"}[gen.rng.IntN(5)], []string{"餐饮", "商贸", "装饰", "物业", "文化"}[gen.rng.IntN(5)])
		}
		vio := violations[gen.rng.IntN(len(violations))]
		l, err := gen.newKind(ctx, eo, casework.KindEnforcement, gen.workTime(day), "巡查发现"+vio,
			map[string]any{"subtype": "penalty", "party": party, "party_org": isOrg, "violation": vio})
		if err != nil {
			return err
		}
		// How far an open case got by the year's end.
		stop := 99
		if !closed {
			stop = gen.rng.IntN(5)
		}
		l.after(gen.rng.IntN(3))
		if err := l.step(eo, casework.ActAccept, "", nil); err != nil {
			return err
		}
		steps := []func() error{
			func() error { l.after(1 + gen.rng.IntN(3)); return l.step(eo, casework.ActInvestigate, "", nil) },
			func() error {
				l.after(2 + gen.rng.IntN(6))
				return l.step(eo, casework.ActNotify, "", map[string]any{"fine": float64(50 * (4 + gen.rng.IntN(100)))})
			},
			func() error {
				if gen.rng.Float64() < 0.02 { // a hearing
					l.at(gen.cal.Add(l.t, calendar.Limit{Amount: 2, Unit: calendar.WorkingDays}).Add(-6 * time.Hour))
					if err := l.step(eo, casework.ActHearingRequest, "", nil); err != nil {
						return err
					}
					noticed := gen.workTime(l.t.AddDate(0, 0, 1))
					l.at(gen.cal.Add(noticed, calendar.Limit{Amount: 8, Unit: calendar.WorkingDays}))
					if err := l.step(eo, casework.ActHearing, "", map[string]any{"noticed_at": noticed.Format("2006-01-02 15:04")}); err != nil {
						return err
					}
					l.after(1 + gen.rng.IntN(3))
				} else {
					// After the 5 working days for a hearing request.
					l.t = gen.cal.Add(l.t, calendar.Limit{Amount: 5, Unit: calendar.WorkingDays})
					l.after(1 + gen.rng.IntN(3))
				}
				var d struct {
					ProposedFine float64 `json:"proposed_fine"`
				}
				_ = json.Unmarshal(l.c.KindState.Data, &d)
				fine := d.ProposedFine
				if gen.rng.Float64() < 0.1 {
					fine = math.Round(fine/2/50) * 50
				}
				return l.step(eo, casework.ActDecide, "", map[string]any{"fine": fine})
			},
			func() error {
				l.after(gen.rng.IntN(4))
				return l.step(eo, casework.ActServe, "", map[string]any{"method": weighted(gen.rng, []string{"direct", "post", "left"}, []float64{85, 12, 3}), "recipient": personName(gen.rng)})
			},
			func() error {
				late := gen.rng.Float64() < 0.03
				if late {
					l.after(16 + gen.rng.IntN(10))
				} else {
					l.after(1 + gen.rng.IntN(12))
				}
				return l.step(eo, casework.ActExecute, "", nil)
			},
			func() error { l.after(gen.rng.IntN(3)); return l.step(eo, casework.ActConclude, "", nil) },
		}
		for j, s := range steps {
			if j >= stop {
				break
			}
			if err := s(); err != nil {
				return err
			}
		}
		if err := keep(l, nil); err != nil {
			return err
		}
	}
	return nil
}

var inspectionItems = []string{"餐饮单位油烟净化设施检查", "户外广告设施安全检查", "建筑垃圾运输处置检查", "物业服务企业垃圾分类检查", "沿街店铺门前三包检查"}

func (gen *generator) inspectionsAndBikes(ctx context.Context, eo org.Actor, v KindVolumes, keep func(*kindLife, error) error) error {
	for i := range v.Inspections {
		item := inspectionItems[gen.rng.IntN(len(inspectionItems))]
		l, err := gen.newKind(ctx, eo, casework.KindEnforcement, gen.workTime(gen.dayIn(gen.year, 3, 350)), "认领赋权检查事项："+item,
			map[string]any{"subtype": "inspection", "item": item})
		if err != nil {
			return err
		}
		if err := l.step(eo, casework.ActAccept, "", nil); err != nil {
			return err
		}
		if i%12 != 11 { // a few still to do at the year's end
			l.after(2 + gen.rng.IntN(10))
			if err := l.step(eo, casework.ActInspect, "", nil); err != nil {
				return err
			}
			l.after(1)
			if err := l.step(eo, casework.ActConclude, "", nil); err != nil {
				return err
			}
		}
		if err := keep(l, nil); err != nil {
			return err
		}
	}
	// A weekly clearance per operator, the counts adding up to the year's.
	ops := []string{"hellobike", "meituan", "qingju"}
	share := []float64{45, 35, 20}
	var weights []float64
	for w := 0; w < 52; w++ {
		for o := range ops {
			weights = append(weights, share[o]*(0.6+0.8*gen.rng.Float64()))
		}
	}
	counts := exactSplit(float64(v.Bikes), weights)
	for i, n := range counts {
		week, op := i/len(ops), ops[i%len(ops)]
		day := time.Date(gen.year, 1, 2, 0, 0, 0, 0, calendar.Zone()).AddDate(0, 0, 7*week+gen.rng.IntN(5))
		l, err := gen.newKind(ctx, eo, casework.KindEnforcement, gen.workTime(day), "地铁口、商圈共享单车淤积清理",
			map[string]any{"subtype": "bikes", "operator": op, "bikes": int(n)})
		if err != nil {
			return err
		}
		for _, a := range []casework.Action{casework.ActAccept, casework.ActInspect, casework.ActConclude} {
			l.t = l.t.Add(time.Duration(20+gen.rng.IntN(100)) * time.Minute)
			if err := l.step(eo, a, "", nil); err != nil {
				return err
			}
		}
		if err := keep(l, nil); err != nil {
			return err
		}
	}
	return nil
}

var callOutTexts = map[string][]string{"fire_alarm": {"居民楼烟感告警，现场为厨房油烟", "沿街店铺冒烟", "电动车棚起火苗"},
	"rescue": {"台风过后树木倒伏压住车辆", "老人被困电梯", "地下车库积水"}, "social_aid": {"独居老人摔倒无法起身", "流浪人员救助", "走失老人求助"}}

func (gen *generator) callOuts(ctx context.Context, do org.Actor, v KindVolumes, keep func(*kindLife, error) error) error {
	var types []string
	for _, x := range []struct {
		t string
		n int
	}{{"fire_alarm", v.FireAlarms}, {"rescue", v.Rescues}, {"social_aid", v.SocialAid}} {
		for range x.n {
			types = append(types, x.t)
		}
	}
	for _, typ := range types {
		day := gen.dayIn(gen.year, 1, 362)
		called := day.Add(time.Duration(gen.rng.IntN(24*60)) * time.Minute)
		serious := gen.rng.Float64() < 0.1
		texts := callOutTexts[typ]
		l, err := gen.newKind(ctx, do, casework.KindDuty, called, texts[gen.rng.IntN(len(texts))],
			map[string]any{"type": typ, "serious": serious, "linked": fmt.Sprintf("ALM%d%06d", gen.year, gen.rng.IntN(1e6))})
		if err != nil {
			return err
		}
		next := func(lo, hi int) { l.t = l.t.Add(time.Duration(lo+gen.rng.IntN(hi-lo+1)) * time.Minute) }
		next(1, 3)
		if err := l.step(do, casework.ActAccept, "", nil); err != nil {
			return err
		}
		next(1, 4)
		if err := l.step(do, casework.ActDutyDispatch, "", nil); err != nil {
			return err
		}
		next(5, 15)
		if err := l.step(do, casework.ActArrive, "", nil); err != nil {
			return err
		}
		if serious {
			next(3, 10)
			if err := l.step(do, casework.ActDutyReport, "", map[string]any{"stage": "initial"}); err != nil {
				return err
			}
		}
		next(20, 120)
		if err := l.step(do, casework.ActDutyDone, "", nil); err != nil {
			return err
		}
		if serious {
			next(60, 600)
			if err := l.step(do, casework.ActDutyReport, "", map[string]any{"stage": "final"}); err != nil {
				return err
			}
		}
		next(5, 60)
		if err := keep(l, l.step(do, casework.ActConclude, "", nil)); err != nil {
			return err
		}
	}
	return nil
}

var petitionTexts = []string{"反映小区加装电梯意见分歧", "反映拆迁安置补偿问题", "反映企业拖欠工资", "反映房屋质量问题", "反映物业管理问题", "反映噪声扰民长期未解决"}

// petitions makes the year's petitions and those of the year before (for
// the change on it), and older backlog cases cleared this year, in the
// order they came, so that a repeated petitioner is found.
func (gen *generator) petitions(ctx context.Context, po, leader org.Actor, v KindVolumes, keep func(*kindLife, error) error) error {
	type plan struct {
		at      time.Time
		level   string
		backlog bool
		clear   bool
	}
	var plans []plan
	for _, y := range []struct{ year, n int }{{gen.year - 1, v.PetitionsLastYear}, {gen.year, v.Petitions}} {
		for range y.n {
			level := weighted(gen.rng, []string{"district", "city", "provincial", "national"}, []float64{70, 20, 7, 3})
			plans = append(plans, plan{at: gen.workTime(gen.dayIn(y.year, 3, 300)), level: level})
		}
	}
	for i := range v.NationalBacklog + v.ProvincialBacklog + v.BacklogStillOpen {
		level := "national"
		if i >= v.NationalBacklog && i < v.NationalBacklog+v.ProvincialBacklog {
			level = "provincial"
		}
		plans = append(plans, plan{at: gen.workTime(gen.dayIn(gen.year-3+i%2, 10, 300)), level: level, backlog: true,
			clear: i < v.NationalBacklog+v.ProvincialBacklog})
	}
	slices.SortFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })
	// A pool of petitioners, some of whom come back.
	people := make([]string, 120)
	for i := range people {
		people[i] = fmt.Sprintf("3301061%03d%07d", 950+gen.rng.IntN(50), gen.rng.IntN(1e7))
	}
	for _, p := range plans {
		id := people[gen.rng.IntN(len(people))]
		data := map[string]any{"level": p.level, "channel": weighted(gen.rng, []string{"visit", "letter", "online", "phone", "hotline"}, []float64{35, 10, 30, 10, 15}),
			"petitioner_name": personName(gen.rng), "petitioner_id": id, "skip_level": p.level == "national" || p.level == "provincial", "backlog": p.backlog}
		l, err := gen.newKind(ctx, po, casework.KindPetition, p.at, petitionTexts[gen.rng.IntN(len(petitionTexts))], data)
		if err != nil {
			return err
		}
		l.after(gen.rng.IntN(3))
		if err := l.step(po, casework.ActAccept, "", nil); err != nil {
			return err
		}
		l.after(2 + gen.rng.IntN(10))
		switch r := gen.rng.Float64(); {
		case p.backlog:
			if err := l.step(po, casework.ActPetitionAccept, "", nil); err != nil {
				return err
			}
			if p.clear {
				l.at(gen.dayIn(gen.year, 60, 340))
				if err := l.step(po, casework.ActBacklogClear, "经多轮化解，信访人息访息诉，签订息诉罢访协议", nil); err != nil {
					return err
				}
			}
		case r < 0.08:
			if err := l.step(po, casework.ActLegalRoute, "属于应当通过诉讼解决的民事纠纷，引导信访人依法向人民法院起诉", nil); err != nil {
				return err
			}
		case r < 0.14:
			if err := l.step(po, casework.ActPetitionDecline, "已经或者依法应当通过行政复议途径解决", nil); err != nil {
				return err
			}
		default:
			if err := l.step(po, casework.ActPetitionAccept, "", nil); err != nil {
				return err
			}
			if gen.rng.Float64() < 0.05 {
				l.after(40)
				if err := l.step(leader, casework.ActClockExtend, "涉及多个部门，需要协调会商", map[string]any{"clock": "petition.handle", "days": 30}); err != nil {
					return err
				}
			}
			l.after(10 + gen.rng.IntN(35))
			if err := l.step(po, casework.ActPetitionAnswer, "", map[string]any{"opinion": weighted(gen.rng, []string{"support", "explain", "reject"}, []float64{40, 45, 15})}); err != nil {
				return err
			}
			l.after(1 + gen.rng.IntN(3))
			if err := l.step(po, casework.ActConclude, "", nil); err != nil {
				return err
			}
		}
		if err := keep(l, nil); err != nil {
			return err
		}
	}
	return nil
}

// roster plans the duty desk's 24-hour roster from the year's first day
// to a year after its last (so that a demo served today shows who is on
// duty): the subdistrict's leaders in turn, two officers a shift, one of
// them on weekday-only rotation.
func (gen *generator) roster(ctx context.Context, db *store.DB, do org.Actor) error {
	leaders := []duty.Person{{ID: 101, Name: "王建华"}, {ID: 102, Name: "李明"}, {ID: 103, Name: "赵晓东"}, {ID: 104, Name: "孙伟"}}
	officers := []duty.Person{{ID: do.ID, Name: do.Name}, {ID: 201, Name: "钱志刚"}, {ID: 202, Name: "孔德明", WeekdaysOnly: true},
		{ID: 203, Name: "曹磊"}, {ID: 204, Name: "严俊"}, {ID: 205, Name: "华强"}}
	first := time.Date(gen.year, 1, 1, 0, 0, 0, 0, calendar.Zone())
	last := time.Now().In(calendar.Zone()).AddDate(0, 0, 30)
	if yearEnd := first.AddDate(1, 0, -1); last.Before(yearEnd) {
		last = yearEnd
	}
	if last.Sub(first) > 3*366*24*time.Hour {
		first = last.AddDate(-1, 0, 0)
	}
	for from := first; !from.After(last); from = from.AddDate(0, 0, 300) {
		to := from.AddDate(0, 0, 299)
		if to.After(last) {
			to = last
		}
		shifts, err := duty.Plan(gen.cal, from, to, leaders, officers, 2)
		if err != nil {
			return err
		}
		if err := db.Roster().PutShifts(ctx, shifts); err != nil {
			return err
		}
	}
	return nil
}

// fixedCalendar is the calendar read once for the year.
type fixedCalendar struct{ cal *calendar.Calendar }

func (f fixedCalendar) Calendar(context.Context) (*calendar.Calendar, error) { return f.cal, nil }
