package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// life takes one planned case through the loop in memory, as the people
// of the subdistrict would have: each step by its owner, at a plausible
// time, with the deadline job's warnings, overdue marks and supervisions
// raised in between.
type life struct {
	gen    *generator
	ctx    context.Context
	c      *casework.Case
	events []*casework.Event
	t      time.Time
	// until is the last step this case takes (current.go); halted is set
	// once it is taken.
	until  casework.Action
	halted bool
}

// errNotYet stops a case's life at a step that has not happened yet: its
// time is past the generator's cutoff, or the case halted.
var errNotYet = errors.New("demo: not yet")

func (gen *generator) lookup(_ context.Context, code string) (*casework.Category, error) {
	if c := gen.cats[code]; c != nil {
		return c, nil
	}
	return nil, jiedao.NotFound("问题分类", "category")
}

// details are plausible report texts per category.
var details = map[string][]string{
	"0101": {"垃圾桶满溢，垃圾散落在地", "小区门口有大量生活垃圾未清运", "绿化带内有人丢弃垃圾袋"},
	"0102": {"路边积存建筑垃圾渣土", "拆迁空地堆积垃圾多日无人清理"},
	"0103": {"路面油污严重，行人易滑倒", "人行道上泥浆很多"},
	"0104": {"人行道上堆放沙石和砖块", "楼道口堆放装修材料"},
	"0105": {"电线杆上贴满小广告", "墙面被乱涂乱画"},
	"0201": {"路口有流动摊贩占道经营", "早市摊位占用人行道"},
	"0202": {"水果店把货架摆到店外", "餐饮店在门口摆桌经营"},
	"0203": {"非机动车乱停放堵住盲道", "电瓶车停在消防通道"},
	"0204": {"地铁口共享单车堆积严重", "共享单车倒伏堵塞人行道"},
	"0301": {"井盖破损，有安全隐患", "雨水井盖缺失"},
	"0302": {"路灯晚上不亮", "一排路灯闪烁"},
	"0303": {"路面坑洼积水", "人行道地砖松动"},
	"0304": {"老旧电梯经常停运", "电梯困人后维修不及时"},
	"0401": {"邻居装修纠纷，双方争吵", "楼上漏水引发邻里矛盾"},
	"0402": {"夜间广场舞音响噪声扰民", "施工夜间作业噪声大", "楼下烧烤店深夜喧哗"},
	"0403": {"出租房内私拉电线", "出租房楼道堆放杂物"},
	"0404": {"一套房子住了十几个人，疑似群租"},
	"0405": {"独居老人联系不上，请求上门查看", "走失老人求助"},
	"0501": {"烟感探测器告警", "厨房烟感告警"},
	"0502": {"燃气浓度超限告警"},
	"0503": {"楼道内电动车违规充电告警", "电动车充电时间过长告警"},
	"0504": {"消防通道被车辆堵塞", "楼道消防栓被杂物遮挡"},
	"0601": {"餐饮店后厨卫生差", "超市销售过期食品"},
	"0602": {"物业不及时维修公共设施", "小区门禁损坏物业不处理"},
	"0603": {"小区突然停水", "楼栋停电多时未恢复"},
	"0604": {"企业反映办公场地租金补贴政策咨询", "企业申请人才公寓", "企业反映周边道路施工影响经营"},
}

var streets = []string{"文三路", "古墩路", "文一西路", "学院路", "教工路", "嘉绿苑路", "莲花街", "益乐路", "竞舟路", "华星路", "万塘路", "文二路"}

// live makes one case's history. A case of the current year stops where
// the clock stands (the generator's cutoff) or after its plan's until
// step: what has not happened yet is left for the people to do.
func (gen *generator) live(ctx context.Context, p casePlan) (store.CaseHistory, error) {
	if p.done != nil {
		return *p.done, nil
	}
	if p.by != nil {
		gen = p.by // a case of the current year (current.go)
	}
	l := &life{gen: gen, ctx: ctx, t: p.at, until: p.until}
	return l.history(l.run(p))
}

// run takes the case through its planned life.
func (l *life) run(p casePlan) error {
	gen := l.gen
	if err := l.report(p); err != nil {
		return err
	}
	if p.until == casework.ActReport {
		l.halted = true
	}
	disp := gen.dispatcher()
	switch p.outcome {
	case endRejected:
		l.wait(gen.minutes(3, 40))
		reason := "不属于受理范围"
		if p.channel == casework.ChannelIoT {
			reason = "误报：现场核实无异常"
		}
		return l.step(disp, casework.StepInput{Action: casework.ActReject, Reason: reason})
	case endVoided:
		l.wait(gen.minutes(3, 30))
		if err := l.step(disp, casework.StepInput{Action: casework.ActAccept}); err != nil {
			return err
		}
		l.wait(gen.minutes(5, 60))
		return l.step(disp, casework.StepInput{Action: casework.ActVoid, Reason: "重复上报，已并入同一事件处理"})
	}
	urgent := l.c.Urgency != casework.UrgencyNormal
	if urgent {
		l.wait(gen.minutes(1, 3))
	} else {
		l.wait(gen.minutes(5, 45))
	}
	if err := l.step(disp, casework.StepInput{Action: casework.ActAccept}); err != nil {
		return err
	}
	unit := l.c.SuggestedUnit
	if unit == 0 {
		unit = gen.g.Units["chengguan"].ID
	}
	if err := l.dispatchAndSign(unit, urgent, p.channel != casework.ChannelIoT && gen.rng.Float64() < 0.04); err != nil {
		return err
	}
	if p.outcome == endHung {
		l.wait(gen.workMinutes(60, 600))
		return l.step(disp, casework.StepInput{Action: casework.ActHang, Reason: "历史遗留问题，涉及多方产权，暂无法解决"})
	}
	if err := l.handleVerifyClose(urgent); err != nil {
		return err
	}
	return l.rate(p)
}

func (l *life) history(err error) (store.CaseHistory, error) {
	if errors.Is(err, errNotYet) {
		// The case stands where the clock stopped it: the deadline job
		// has raised the marks due by now.
		l.t = l.gen.cutoff
		err = l.marks()
	}
	if err != nil {
		return store.CaseHistory{}, err
	}
	return store.CaseHistory{Case: l.c, Events: l.events}, nil
}

// report makes the case from the plan.
func (l *life) report(p casePlan) error {
	gen := l.gen
	texts := details[p.category]
	in := casework.ReportInput{Channel: p.channel, Category: p.category, Details: texts[gen.rng.IntN(len(texts))]}
	var actor org.Actor
	loc := gen.location()
	switch p.channel {
	case casework.ChannelXihuCode, casework.ChannelPingan:
		actor = org.ResidentActor(personName(gen.rng))
		in.Reporter = casework.Contact{Name: actor.Name, Phone: phone(gen.rng)}
		// Phones give GCJ-02; jiedao converts on the way in.
		gcj := geo.WGS84ToGCJ02(loc)
		in.Lat, in.Lon, in.GCJ02 = &gcj.Lat, &gcj.Lon, true
	case casework.ChannelGrid:
		grid, _, found, err := gen.svc.Places.Place(l.ctx, loc)
		if err != nil {
			return err
		}
		actor = gen.dispatcherActor()
		if w := gen.g.GridWorker[grid]; found && w != nil {
			actor = org.StaffActor(w)
		}
		gcj := geo.WGS84ToGCJ02(loc)
		in.Lat, in.Lon, in.GCJ02 = &gcj.Lat, &gcj.Lon, true
	case casework.ChannelIoT, casework.ChannelPolice, casework.ChannelHotline, casework.ChannelEnterprise:
		actor = gen.clients[p.channel]
		in.Lat, in.Lon = &loc.Lat, &loc.Lon
		prefix := map[casework.Channel]string{casework.ChannelIoT: "ALM", casework.ChannelPolice: "JQ", casework.ChannelHotline: "12345-", casework.ChannelEnterprise: "QF"}[p.channel]
		in.ExternalID = gen.externalID(prefix)
		if p.channel == casework.ChannelIoT {
			in.Urgency = casework.UrgencyUrgent
		}
		if p.channel == casework.ChannelPolice && gen.rng.Float64() < 0.1 {
			in.Urgency = casework.UrgencyUrgent
		}
		if p.channel == casework.ChannelHotline {
			in.Reporter = casework.Contact{Name: personName(gen.rng), Phone: phone(gen.rng)}
		}
	}
	if gen.jurisdiction != 0 && actor.JurisdictionID == 0 {
		actor.JurisdictionID = gen.jurisdiction // a resident or a platform reporting into this subdistrict
	}
	in.Address = fmt.Sprintf("%s%d号附近", gen.g.spec.streets[gen.rng.IntN(len(gen.g.spec.streets))], 1+gen.rng.IntN(400))
	c, e, err := gen.svc.NewReport(l.ctx, actor, in, l.t)
	if err != nil {
		return err
	}
	l.c, l.events = c, append(l.events, e)
	return nil
}

// externalID draws the channel's own id of a case: unique per channel,
// as the channel's system gives it. Ten random digits collide at a city's
// scale (about 100 pairs among 1.4 million alarms): a draw already given
// takes the next free number, so the draws, and every case at smaller
// scales, stay as they were.
func (gen *generator) externalID(prefix string) string {
	n := gen.rng.Uint64N(1e10)
	for {
		id := fmt.Sprintf("%s%d%010d", prefix, gen.year, n)
		if !gen.externalIDs[id] {
			gen.externalIDs[id] = true
			return id
		}
		n = (n + 1) % 1e10
	}
}

// step takes a step at the current time, after raising the deadline marks
// the job would have raised since the last step.
func (l *life) step(a org.Actor, in casework.StepInput) error {
	if l.halted || (!l.gen.cutoff.IsZero() && !l.t.Before(l.gen.cutoff)) {
		return errNotYet
	}
	if err := l.marks(); err != nil {
		return err
	}
	e, err := l.gen.svc.TakeStep(l.ctx, l.gen.cal, l.gen.lookup, a, l.c, in, l.t)
	if err != nil {
		return fmt.Errorf("%s at %s: %w", in.Action, l.t.Format(time.DateTime), err)
	}
	l.events = append(l.events, e)
	l.halted = l.until != "" && in.Action == l.until
	return nil
}

// marks raises, in time order, the warnings and overdue marks (each with
// its automatic supervision) whose time came before now, as the deadline
// job running every minute would have.
func (l *life) marks() error {
	for {
		_, d := l.c.Running()
		if d == nil {
			return nil
		}
		var at time.Time
		switch {
		case (l.c.WarnedDue == nil || !l.c.WarnedDue.Equal(d.Due)) && d.Warn.Before(l.t) && d.Warn.Before(d.Due):
			at = d.Warn
		case (l.c.OverdueDue == nil || !l.c.OverdueDue.Equal(d.Due)) && d.Due.Before(l.t):
			at = d.Due
		default:
			return nil
		}
		at = at.Add(time.Duration(l.gen.rng.IntN(50)) * time.Second)
		if !at.Before(l.t) {
			return nil
		}
		e := casework.DeadlineEvent(l.c, at)
		if e == nil {
			return nil
		}
		if _, err := casework.Apply(l.c, e); err != nil {
			return err
		}
		l.events = append(l.events, e)
		if e.Action == casework.ActOverdue {
			sup, err := l.gen.svc.TakeStep(l.ctx, l.gen.cal, l.gen.lookup, org.SystemActor(), l.c,
				casework.StepInput{Action: casework.ActSupervise, Reason: casework.OverdueReason(e.Payload.Stage)}, at)
			if err != nil {
				return err
			}
			l.events = append(l.events, sup)
		}
	}
}

func (l *life) wait(d time.Duration) { l.t = l.t.Add(d) }

// waitWorking moves the clock by d of working time (office hours on
// working days), as office work waits for the office.
func (l *life) waitWorking(d time.Duration) { l.t = l.gen.cal.AddWorking(l.t, d) }

func (l *life) dispatchAndSign(unit int64, urgent, wrongUnit bool) error {
	gen := l.gen
	disp := gen.dispatcher()
	l.wait(gen.minutes(2, 15))
	first := unit
	if wrongUnit {
		first = gen.otherUnit(unit)
	}
	if err := l.step(disp, casework.StepInput{Action: casework.ActDispatch, UnitID: first}); err != nil {
		return err
	}
	if wrongUnit {
		l.waitWorking(gen.minutes(20, 120))
		if err := l.step(gen.handler(first), casework.StepInput{Action: casework.ActReturn, Reason: "不属于本单位职责，请重新派遣"}); err != nil {
			return err
		}
		l.wait(gen.minutes(5, 40))
		if err := l.step(disp, casework.StepInput{Action: casework.ActDispatch, UnitID: unit}); err != nil {
			return err
		}
	}
	switch {
	case urgent:
		l.wait(gen.minutes(1, 6))
	case gen.rng.Float64() < 0.07:
		l.waitWorking(gen.minutes(150, 400)) // signed late
	default:
		l.waitWorking(gen.minutes(5, 90))
	}
	return l.step(gen.handler(unit), casework.StepInput{Action: casework.ActSign})
}

func (l *life) handleVerifyClose(urgent bool) error {
	gen := l.gen
	unit := l.c.UnitID
	h := gen.handler(unit)
	// Starting (arriving on site, or opening the file) is quick for alarms
	// and within the working day for the rest; a few start late.
	switch {
	case urgent:
		l.wait(gen.minutes(2, 12))
	case gen.rng.Float64() < 0.05:
		l.waitWorking(gen.minutes(250, 500))
	default:
		l.waitWorking(gen.minutes(10, 180))
	}
	if err := l.step(h, casework.StepInput{Action: casework.ActStart}); err != nil {
		return err
	}
	if !urgent && gen.rng.Float64() < 0.02 {
		l.waitWorking(gen.minutes(60, 300))
		if err := l.step(gen.lead(unit), casework.StepInput{Action: casework.ActRequestExtension, Days: 2 + gen.rng.IntN(4), Reason: "需协调产权单位和物业共同处置"}); err != nil {
			return err
		}
		l.wait(gen.minutes(20, 180))
		act, reason := casework.ActApproveExtension, ""
		if gen.rng.Float64() < 0.15 {
			act, reason = casework.ActDenyExtension, "情况不复杂，请按期办结"
		}
		if err := l.step(gen.dispatcher(), casework.StepInput{Action: act, Reason: reason}); err != nil {
			return err
		}
	}
	handle := func() error {
		switch {
		case urgent:
			l.wait(gen.minutes(10, 90))
		case gen.rng.Float64() < 0.06:
			l.waitWorking(time.Duration(4+gen.rng.IntN(6)) * 7 * time.Hour) // late
		default:
			l.waitWorking(gen.logMinutes(240, 0.9))
		}
		// What was done, as the unit writes it (the loop requires it); the
		// note is chosen without the random stream, so that the calibrated
		// year draws exactly what it drew before the rule.
		note := handleNotes[len(l.events)%len(handleNotes)]
		return l.step(h, casework.StepInput{Action: casework.ActHandle, Reason: note, Photos: []string{"处置后照片.jpg"}})
	}
	if err := handle(); err != nil {
		return err
	}
	verifier := gen.verifier(l.c)
	if urgent {
		l.wait(gen.minutes(10, 120))
	} else {
		l.waitWorking(gen.minutes(20, 300))
	}
	if !urgent && gen.rng.Float64() < 0.03 {
		if err := l.step(verifier, casework.StepInput{Action: casework.ActRework, Reason: "现场复核仍未整改到位"}); err != nil {
			return err
		}
		if err := handle(); err != nil {
			return err
		}
		l.waitWorking(gen.minutes(20, 200))
	}
	if err := l.step(verifier, casework.StepInput{Action: casework.ActVerify}); err != nil {
		return err
	}
	l.wait(gen.minutes(5, 90))
	return l.step(gen.dispatcher(), casework.StepInput{Action: casework.ActClose})
}

// rate records the resident's rating (Xihu code) or the command center's
// follow-up call (hotline).
func (l *life) rate(p casePlan) error {
	gen := l.gen
	switch {
	case p.channel == casework.ChannelXihuCode && p.rating != "":
		resident := org.ResidentActor(org.MaskName(l.c.Reporter.Name))
		if p.unhappyFirst {
			l.wait(gen.minutes(60, 2000))
			if err := l.step(resident, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingUnsatisfied, Phone: l.c.Reporter.Phone, Comment: "问题没有彻底解决"}); err != nil {
				return err
			}
			l.wait(gen.minutes(30, 240))
			if err := l.step(gen.dispatcher(), casework.StepInput{Action: casework.ActReopen, Reason: "群众评价不满意，重新办理"}); err != nil {
				return err
			}
			if err := l.dispatchAndSign(l.c.UnitID, false, false); err != nil {
				return err
			}
			if err := l.handleVerifyClose(false); err != nil {
				return err
			}
		}
		l.wait(gen.minutes(60, 2000))
		comment := map[casework.Rating]string{casework.RatingSatisfied: "处理很及时，谢谢", casework.RatingBasic: "处理了，但有点慢", casework.RatingUnsatisfied: "没有解决根本问题"}[p.rating]
		return l.step(resident, casework.StepInput{Action: casework.ActRate, Rating: p.rating, Phone: l.c.Reporter.Phone, Comment: comment})
	case p.channel == casework.ChannelHotline && gen.rng.Float64() < 0.6:
		l.waitWorking(gen.minutes(60, 900))
		r := weighted(gen.rng, []casework.Rating{casework.RatingSatisfied, casework.RatingBasic, casework.RatingUnsatisfied}, []float64{90, 7, 3})
		return l.step(gen.dispatcher(), casework.StepInput{Action: casework.ActRate, Rating: r, Comment: "电话回访"})
	}
	return nil
}

// minutes draws a uniform duration in [lo, hi) minutes.
func (gen *generator) minutes(lo, hi int) time.Duration {
	return time.Duration(lo*60+gen.rng.IntN((hi-lo)*60)) * time.Second
}

// workMinutes is minutes meant as working time.
func (gen *generator) workMinutes(lo, hi int) time.Duration { return gen.minutes(lo, hi) }

// logMinutes draws a log-normal duration with the given median.
func (gen *generator) logMinutes(median float64, sigma float64) time.Duration {
	m := median * math.Exp(gen.rng.NormFloat64()*sigma)
	return time.Duration(math.Max(m, 5) * float64(time.Minute))
}

func (gen *generator) dispatcher() org.Actor {
	if gen.rng.IntN(2) == 0 {
		return org.StaffActor(gen.g.Staff["dispatcher"])
	}
	return org.StaffActor(gen.g.Staff["dispatcher2"])
}

func (gen *generator) dispatcherActor() org.Actor { return org.StaffActor(gen.g.Staff["dispatcher"]) }

func (gen *generator) unitCode(id int64) string {
	for code, u := range gen.g.Units {
		if u.ID == id {
			return code
		}
	}
	return ""
}

// handler is one of the unit's staff (the lead included).
func (gen *generator) handler(unit int64) org.Actor {
	staff := gen.g.UnitStaff[gen.unitCode(unit)]
	return org.StaffActor(staff[gen.rng.IntN(len(staff))])
}

// lead is the unit's lead, or its first handler for a community office.
func (gen *generator) lead(unit int64) org.Actor {
	return org.StaffActor(gen.g.UnitStaff[gen.unitCode(unit)][0])
}

// otherUnit is a unit a case might wrongly be sent to first.
func (gen *generator) otherUnit(unit int64) int64 {
	for _, code := range []string{"chengguan", "zhifa", "chengjian"} {
		if u := gen.g.Units[code]; u.ID != unit {
			return u.ID
		}
	}
	return unit
}

// verifier is the grid worker of the case's grid, or the command center.
func (gen *generator) verifier(c *casework.Case) org.Actor {
	if w := gen.g.GridWorker[c.GridID]; w != nil && gen.rng.Float64() < 0.85 {
		return org.StaffActor(w)
	}
	return gen.dispatcher()
}
