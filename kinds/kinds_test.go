package kinds_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enforcement"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/petition"
	"github.com/jiedao/jiedao/store"
)

var bg = context.Background()

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone())
	if err != nil {
		panic(err)
	}
	return t
}

type world struct {
	o     *fixture.Org
	clock *fixture.Clock
	svc   *casework.Service
	db    *store.DB
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	o, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	key, err := db.KindSecret(bg, "petitioner")
	if err != nil || len(key) != 32 {
		t.Fatalf("secret %x: %v", key, err)
	}
	again, _ := db.KindSecret(bg, "petitioner")
	if string(again) != string(key) {
		t.Fatal("the petitioner key changed between calls")
	}
	clock := fixture.NewClock(cst("2023-01-02 09:00"))
	svc := o.Service(clock.Now)
	svc.Kinds = kinds.Models(key)
	return &world{o: o, clock: clock, svc: svc, db: db}
}

// officer is the officer of a kind, acting as the dispatcher's account.
func (w *world) officer(k casework.Kind) org.Actor {
	a := w.o.Actor(org.RoleDispatcher)
	a.ID, a.Role, a.Name = a.ID+1000, k.Officer(), k.Officer().Zh()
	return a
}

func (w *world) report(t *testing.T, at string, k casework.Kind, data string) *casework.Case {
	t.Helper()
	w.clock.Set(cst(at))
	c, err := w.svc.Report(bg, w.o.Actor(org.RoleDispatcher), casework.ReportInput{Kind: k, Details: k.Zh() + "登记", KindData: json.RawMessage(data)})
	if err != nil {
		t.Fatalf("report %s: %v", k, err)
	}
	return c
}

func (w *world) step(t *testing.T, a org.Actor, id int64, at string, act casework.Action, data, reason string) *casework.Case {
	t.Helper()
	c, err := w.try(a, id, at, act, data, reason)
	if err != nil {
		t.Fatalf("%s at %s: %v", act, at, err)
	}
	return c
}

func (w *world) try(a org.Actor, id int64, at string, act casework.Action, data, reason string) (*casework.Case, error) {
	w.clock.Set(cst(at))
	in := casework.StepInput{Action: act, Reason: reason}
	if data != "" {
		in.KindData = json.RawMessage(data)
	}
	return w.svc.Step(bg, a, id, in)
}

// refused checks a step is refused with the words, and that nothing of
// the case changed.
func (w *world) refused(t *testing.T, a org.Actor, id int64, at string, act casework.Action, data, reason, want string) {
	t.Helper()
	before, err := w.db.Cases().GetCase(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.try(a, id, at, act, data, reason)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s at %s: %v, want refused with %q", act, at, err, want)
	}
	after, _ := w.db.Cases().GetCase(bg, id)
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Fatalf("a refused %s changed the case", act)
	}
}

func clockState(t *testing.T, w *world, c *casework.Case, name string) calendar.ClockState {
	t.Helper()
	states, err := w.svc.KindClocks(bg, c, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Name == name {
			if s.Article == "" || !strings.Contains(s.Notice, s.Article) {
				t.Errorf("clock %s: notice %q does not cite its article %q", name, s.Notice, s.Article)
			}
			return s
		}
	}
	t.Fatalf("case %s has no clock %s", c.Number, name)
	return calendar.ClockState{}
}

// A petition received before the Spring Festival, with the one extension
// its rule allows, through 复查 and 复核; a repeat flagged; a new
// acceptance after 复核 refused.
func TestPetitionClocksAcrossSpringFestival(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		po := w.officer(casework.KindPetition)
		data := `{"level":"city","channel":"visit","petitioner_name":"王小明","petitioner_id":"330106198001011234"}`
		c := w.report(t, "2023-01-07 10:00", casework.KindPetition, data)
		if st := clockState(t, w, c, "petition.accept"); st.DueDate != "2023-01-28" {
			t.Fatalf("acceptance due %s, want 2023-01-28 (day 15 falls in the Spring Festival; 28 Jan is a make-up workday)", st.DueDate)
		}
		w.step(t, po, c.ID, "2023-01-09 09:00", casework.ActAccept, "", "")
		c = w.step(t, po, c.ID, "2023-01-20 10:00", casework.ActPetitionAccept, "", "")
		if st := clockState(t, w, c, "petition.handle"); st.DueDate != "2023-03-21" {
			t.Fatalf("handling due %s, want 2023-03-21", st.DueDate)
		}
		// The officer cannot approve his own extension; the leader can, once, at most 30 days.
		w.refused(t, po, c.ID, "2023-03-10 09:00", casework.ActClockExtend, `{"clock":"petition.handle","days":30}`, "情况复杂", "无权")
		leader := w.o.Actor(org.RoleLeader)
		w.refused(t, w.o.Actor(org.RoleDispatcher), c.ID, "2023-03-10 09:00", casework.ActClockExtend, `{"clock":"petition.handle","days":31}`, "情况复杂", "超过上限")
		c = w.step(t, w.o.Actor(org.RoleDispatcher), c.ID, "2023-03-10 09:00", casework.ActClockExtend, `{"clock":"petition.handle","days":30}`, "情况复杂")
		if st := clockState(t, w, c, "petition.handle"); st.DueDate != "2023-04-20" || !strings.Contains(st.Limit, "延长30日") {
			t.Fatalf("extended due %s (%s), want 2023-04-20", st.DueDate, st.Limit)
		}
		w.refused(t, w.o.Actor(org.RoleDispatcher), c.ID, "2023-03-11 09:00", casework.ActClockExtend, `{"clock":"petition.handle","days":1}`, "再延", "最多延期1次")
		_ = leader
		c = w.step(t, po, c.ID, "2023-04-10 09:00", casework.ActPetitionAnswer, `{"opinion":"explain"}`, "")
		if st := clockState(t, w, c, "petition.handle"); st.Status != calendar.ClockMet {
			t.Errorf("handling clock %s, want met", st.Status)
		}
		// 复查 asked after its 30 days is refused; in time it runs its own clock.
		w.refused(t, po, c.ID, "2023-05-11 09:00", casework.ActPetitionReview, "", "不服处理意见", "已超过")
		c = w.step(t, po, c.ID, "2023-05-09 09:00", casework.ActPetitionReview, "", "不服处理意见")
		c = w.step(t, po, c.ID, "2023-06-01 09:00", casework.ActPetitionAnswer, `{"opinion":"reject"}`, "")
		c = w.step(t, po, c.ID, "2023-06-05 09:00", casework.ActPetitionReview, "", "不服复查意见")
		if st := clockState(t, w, c, "petition.recheck"); st.DueDate != "2023-07-05" {
			t.Errorf("recheck due %s, want 2023-07-05", st.DueDate)
		}
		c = w.step(t, po, c.ID, "2023-06-20 09:00", casework.ActPetitionAnswer, `{"opinion":"reject"}`, "")
		w.refused(t, po, c.ID, "2023-06-21 09:00", casework.ActPetitionReview, "", "仍不服", "复核意见为最终意见")
		c = w.step(t, po, c.ID, "2023-06-22 09:00", casework.ActConclude, "", "")
		if c.Status != casework.StatusClosed || c.ClosedOnTime == nil || !*c.ClosedOnTime {
			t.Fatalf("closed %s on time %v", c.Status, c.ClosedOnTime)
		}
		// A dispute of the same person (his ID given as a party's) is one
		// identity with his petitions.
		w.report(t, "2023-07-01 10:00", casework.KindDispute, `{"type":"neighbour","amount":0,"parties":[{"name":"王小明","id":"330106198001011234"},{"name":"赵四"}]}`)
		// The same person again: flagged as a repeat; a new acceptance of
		// the same matter after 复核 is refused.
		c2 := w.report(t, "2023-07-03 10:00", casework.KindPetition, data)
		if !c2.KindState.HasTag("repeat") {
			t.Errorf("repeat petition not flagged: %v", c2.KindState.Tags)
		}
		var pd petition.Data
		if err := json.Unmarshal(c2.KindState.Data, &pd); err != nil || pd.Previous != 1 || pd.OtherCases != 1 {
			t.Errorf("previous petitions %d, other cases %d (%v); want 1 and 1", pd.Previous, pd.OtherCases, err)
		}
		if strings.Contains(string(c2.KindState.Data), "330106198001011234") || strings.Contains(string(c2.KindState.Data), "王小明") {
			t.Errorf("the petitioner's identity is kept in the clear: %s", c2.KindState.Data)
		}
		w.step(t, po, c2.ID, "2023-07-04 09:00", casework.ActAccept, "", "")
		w.refused(t, po, c2.ID, "2023-07-05 09:00", casework.ActPetitionAccept, `{"same_matter":true}`, "", "不再受理")
		// 访诉分离: a matter for the courts goes to the legal channel with its reason.
		c2 = w.step(t, po, c2.ID, "2023-07-05 09:00", casework.ActLegalRoute, "", "属民事纠纷，应通过诉讼解决")
		if !c2.KindState.HasTag("litigation") || c2.Status != casework.StatusClosed {
			t.Errorf("legal route: %s %v", c2.Status, c2.KindState.Tags)
		}
		// A step of another kind is refused.
		w.refused(t, po, c2.ID, "2023-07-06 09:00", casework.ActMediate, `{"mediator":"x"}`, "", "不适用于")
	})
}

// A penalty case across National Day: the hearing window in working
// days, a hearing that pauses the decision clock, a decision dated before
// its notice refused, service, a fine paid late with its late fee, and the
// numbered documents.
func TestEnforcementAcrossNationalDay(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		eo := w.officer(casework.KindEnforcement)
		c := w.report(t, "2023-09-18 10:00", casework.KindEnforcement, `{"subtype":"penalty","party":"杭州某餐饮有限公司","party_org":true,"violation":"占道经营"}`)
		c = w.step(t, eo, c.ID, "2023-09-20 10:00", casework.ActAccept, "", "")
		if st := clockState(t, w, c, "enforcement.decide"); st.DueDate != "2023-12-19" {
			t.Fatalf("decision due %s, want 2023-12-19", st.DueDate)
		}
		w.step(t, eo, c.ID, "2023-09-21 10:00", casework.ActInvestigate, "", "")
		c = w.step(t, eo, c.ID, "2023-09-27 15:00", casework.ActNotify, `{"fine":2000}`, "")
		st := clockState(t, w, c, "enforcement.hearing_request")
		if !st.Due.Equal(cst("2023-10-10 17:30")) {
			t.Fatalf("hearing window ends %s, want 2023-10-10 17:30 (28 Sep, 7, 8, 9, 10 Oct)", st.Due)
		}
		w.refused(t, eo, c.ID, "2023-09-28 10:00", casework.ActDecide, `{"fine":2000}`, "", "听证申请期限未满")
		w.refused(t, eo, c.ID, "2023-10-11 09:00", casework.ActHearingRequest, "", "", "超过告知后五个工作日")
		c = w.step(t, eo, c.ID, "2023-10-09 09:00", casework.ActHearingRequest, "", "")
		if st := clockState(t, w, c, "enforcement.decide"); st.Status != calendar.ClockPaused {
			t.Fatalf("decision clock %s during the hearing, want paused", st.Status)
		}
		w.refused(t, eo, c.ID, "2023-10-16 09:00", casework.ActHearing, `{"noticed_at":"2023-10-10"}`, "", "七个工作日")
		w.refused(t, eo, c.ID, "2023-10-16 09:00", casework.ActClockPause, `{"clock":"enforcement.decide"}`, "检测", "不能同时两次暂停")
		c = w.step(t, eo, c.ID, "2023-10-20 09:00", casework.ActHearing, `{"noticed_at":"2023-10-10"}`, "")
		// Paused 9–20 October (11 days): 19 December + 11 = 30 December, a
		// Saturday before New Year's Day: the clock ends on 2 January 2024.
		if st := clockState(t, w, c, "enforcement.decide"); st.DueDate != "2024-01-02" || st.Status != calendar.ClockRunning {
			t.Fatalf("decision due %s (%s) after the hearing, want 2024-01-02", st.DueDate, st.Status)
		}
		// The one extension its rule allows, approved by the command
		// center (not the officer): 131 days from 20 September, 29 January 2024.
		w.refused(t, eo, c.ID, "2023-10-21 09:00", casework.ActClockExtend, `{"clock":"enforcement.decide","days":30}`, "案情复杂", "无权")
		c = w.step(t, w.o.Actor(org.RoleDispatcher), c.ID, "2023-10-21 09:00", casework.ActClockExtend, `{"clock":"enforcement.decide","days":30}`, "案情复杂，经负责人批准")
		if st := clockState(t, w, c, "enforcement.decide"); st.DueDate != "2024-01-29" {
			t.Fatalf("decision due %s after the extension, want 2024-01-29", st.DueDate)
		}
		w.refused(t, eo, c.ID, "2023-10-23 09:00", casework.ActDecide, `{"fine":2000,"at":"2023-09-26"}`, "", "处罚决定日期早于告知日期")
		w.refused(t, eo, c.ID, "2023-10-23 09:00", casework.ActDecide, `{"fine":5000}`, "", "不得超过")
		c = w.step(t, eo, c.ID, "2023-10-23 09:00", casework.ActDecide, `{"fine":2000}`, "")
		if st := clockState(t, w, c, "enforcement.serve"); !st.Due.Equal(cst("2023-11-01 17:30")) {
			t.Errorf("service due %s, want 2023-11-01 17:30", st.Due)
		}
		c = w.step(t, eo, c.ID, "2023-10-25 10:00", casework.ActServe, `{"method":"direct","recipient":"李四"}`, "")
		if st := clockState(t, w, c, "enforcement.pay"); st.DueDate != "2023-11-09" {
			t.Errorf("payment due %s, want 2023-11-09", st.DueDate)
		}
		c = w.step(t, eo, c.ID, "2023-11-15 10:00", casework.ActExecute, "", "")
		var d enforcement.Data
		if err := json.Unmarshal(c.KindState.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.LateFee != 2000*0.03*6 {
			t.Errorf("late fee %.2f, want 360 (6 days at 3 %%)", d.LateFee)
		}
		c = w.step(t, eo, c.ID, "2023-11-16 10:00", casework.ActConclude, "", "")
		docs, err := enforcement.Model{DocPrefix: "古综执"}.Documents(c)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, doc := range docs {
			types = append(types, doc.Type)
			if !strings.HasPrefix(doc.Number, "古综执") || !strings.Contains(doc.Number, c.Number) {
				t.Errorf("document number %q", doc.Number)
			}
		}
		if strings.Join(types, ",") != "立案审批表,告知书,处罚决定书,结案报告" {
			t.Errorf("documents %v", types)
		}
		if c.Status != casework.StatusClosed || c.ClosedOnTime == nil || *c.ClosedOnTime {
			t.Errorf("a case whose fine came late closed on time? %v", c.ClosedOnTime)
		}
		// Replay gives the stored case.
		evs, err := db.Cases().ListEvents(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := casework.Replay(evs)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(r.KindState)
		b, _ := json.Marshal(c.KindState)
		if string(a) != string(b) {
			t.Errorf("replay differs:\n%s\n%s", a, b)
		}
	})
}

// A dispute over the Spring Festival: the mediation month, the agreement
// effective only signed and sealed, judicial confirmation within 30 days;
// a duty call-out's times in order.
func TestDisputeAndDuty(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		m := w.officer(casework.KindDispute)
		if _, err := w.svc.Report(bg, w.o.Actor(org.RoleDispatcher), casework.ReportInput{Kind: casework.KindDispute, Details: "x",
			KindData: json.RawMessage(`{"type":"neighbour","amount":5000,"parties":[{"name":"张三"}]}`)}); err == nil || !strings.Contains(err.Error(), "两方") {
			t.Fatalf("one party: %v", err)
		}
		c := w.report(t, "2023-01-03 09:00", casework.KindDispute, `{"type":"neighbour","amount":52000,"level":"center","parties":[{"name":"张三"},{"name":"某物业公司","org":true}]}`)
		if strings.Contains(string(c.KindState.Data), "张三") {
			t.Errorf("a party's name is kept unmasked: %s", c.KindState.Data)
		}
		c = w.step(t, m, c.ID, "2023-01-04 09:00", casework.ActAccept, "", "")
		// 30 days from 4 January: 3 February, a Friday.
		if st := clockState(t, w, c, "dispute.mediate"); st.DueDate != "2023-02-03" {
			t.Fatalf("mediation due %s", st.DueDate)
		}
		w.refused(t, m, c.ID, "2023-01-05 09:00", casework.ActMediationResult, `{"outcome":"agreement"}`, "", "不能调解结果")
		w.step(t, m, c.ID, "2023-01-10 09:00", casework.ActMediate, `{"mediator":"陈调解"}`, "")
		c = w.step(t, m, c.ID, "2023-01-12 09:00", casework.ActMediationResult, `{"outcome":"agreement"}`, "")
		w.refused(t, m, c.ID, "2023-01-13 09:00", casework.ActAgreementSeal, `{"signed_parties":true,"signed_mediator":true}`, "", "第二十九条")
		c = w.step(t, m, c.ID, "2023-01-13 09:00", casework.ActAgreementSeal, `{"signed_parties":true,"signed_mediator":true,"sealed":true}`, "")
		// 30 days from 13 January: 12 February, a Sunday: Monday 13 February.
		if st := clockState(t, w, c, "dispute.confirm"); st.DueDate != "2023-02-13" {
			t.Fatalf("confirmation due %s, want 2023-02-13", st.DueDate)
		}
		w.refused(t, m, c.ID, "2023-02-14 09:00", casework.ActJudicialConfirm, "", "", "第三十三条")
		w.step(t, m, c.ID, "2023-02-10 09:00", casework.ActJudicialConfirm, "", "")
		c = w.step(t, m, c.ID, "2023-02-20 09:00", casework.ActFollowUp, `{"performed":true}`, "")
		c = w.step(t, m, c.ID, "2023-02-21 09:00", casework.ActConclude, "", "")
		if !c.KindState.HasTag("mediated:2023") || c.KindState.Amount != 52000 {
			t.Errorf("tags %v amount %v", c.KindState.Tags, c.KindState.Amount)
		}

		// Another dispute's month over the Spring Festival, paused while a
		// party is away (5–20 January, 15 days) and extended by 30 days:
		// 75 days from 4 January, Monday 20 March.
		c2 := w.report(t, "2023-01-03 10:00", casework.KindDispute, `{"type":"family","amount":0,"parties":[{"name":"李一"},{"name":"李二"}]}`)
		w.step(t, m, c2.ID, "2023-01-04 09:00", casework.ActAccept, "", "")
		w.step(t, m, c2.ID, "2023-01-05 09:00", casework.ActClockPause, `{"clock":"dispute.mediate"}`, "一方当事人返乡过年")
		w.refused(t, m, c2.ID, "2023-01-06 09:00", casework.ActClockPause, `{"clock":"dispute.mediate"}`, "再次暂停", "不能同时两次暂停")
		w.step(t, m, c2.ID, "2023-01-20 09:00", casework.ActClockResume, `{"clock":"dispute.mediate"}`, "")
		w.refused(t, w.o.Actor(org.RoleLeader), c2.ID, "2023-01-21 09:00", casework.ActClockExtend, `{"clock":"dispute.mediate","days":31}`, "情况复杂", "超过上限")
		c2 = w.step(t, w.o.Actor(org.RoleLeader), c2.ID, "2023-01-21 09:00", casework.ActClockExtend, `{"clock":"dispute.mediate","days":30}`, "情况复杂")
		if st := clockState(t, w, c2, "dispute.mediate"); st.DueDate != "2023-03-20" || !strings.Contains(st.Notice, "第三十六条") {
			t.Fatalf("mediation due %s (%s), want 2023-03-20", st.DueDate, st.Notice)
		}

		do := w.officer(casework.KindDuty)
		d := w.report(t, "2023-10-01 20:00", casework.KindDuty, `{"type":"fire_alarm","serious":true,"linked":"烟感告警 YG-0012"}`)
		if st := clockState(t, w, d, "duty.initial"); !st.Due.Equal(cst("2023-10-01 20:30")) {
			t.Errorf("first report due %s", st.Due)
		}
		w.step(t, do, d.ID, "2023-10-01 20:02", casework.ActAccept, "", "")
		w.step(t, do, d.ID, "2023-10-01 20:03", casework.ActDutyDispatch, "", "")
		w.refused(t, do, d.ID, "2023-10-01 20:10", casework.ActArrive, `{"at":"2023-10-01 20:01"}`, "", "早于出动")
		w.step(t, do, d.ID, "2023-10-01 20:11", casework.ActArrive, "", "")
		w.refused(t, do, d.ID, "2023-10-01 20:12", casework.ActDutyReport, `{"stage":"final"}`, "", "处置完毕后")
		d = w.step(t, do, d.ID, "2023-10-01 20:25", casework.ActDutyReport, `{"stage":"initial"}`, "")
		if st := clockState(t, w, d, "duty.initial"); st.Status != calendar.ClockMet {
			t.Errorf("first report %s", st.Status)
		}
		w.step(t, do, d.ID, "2023-10-01 21:00", casework.ActDutyDone, "", "")
		w.refused(t, do, d.ID, "2023-10-01 21:05", casework.ActConclude, "", "", "终报")
		w.step(t, do, d.ID, "2023-10-02 09:00", casework.ActDutyReport, `{"stage":"final"}`, "")
		if d = w.step(t, do, d.ID, "2023-10-02 09:05", casework.ActConclude, "", ""); d.Status != casework.StatusClosed {
			t.Errorf("call-out %s after conclude", d.Status)
		}

		// The officers see their kind only.
		if _, err := w.svc.Get(bg, do, c.ID); err == nil {
			t.Error("the duty officer sees a dispute")
		}
		list, n, err := w.svc.List(bg, m, casework.Filter{})
		if err != nil || n != 2 || list[1].ID != c.ID {
			t.Errorf("the mediator's list: %d cases, %v", n, err)
		}

		// The figures and their drill-down list the same records.
		src := kinds.Source{Cases: w.svc}
		for _, f := range src.Figures() {
			v, err := src.Measure(bg, w.o.Actor(org.RoleLeader), f.Key, 2023)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(f.Records(2023))
			filter, err := api.ParseFilter(u.Query())
			if err != nil {
				t.Fatalf("%s: %s: %v", f.Key, u, err)
			}
			_, n, err := w.svc.List(bg, w.o.Actor(org.RoleLeader), filter)
			if err != nil || n != v.Records {
				t.Errorf("%s: drill-down %s lists %d, the figure counts %d (%v)", f.Key, u, n, v.Records, err)
			}
			switch f.Key {
			case "disputes.mediated", "emergency.fire_alarm": // the second dispute is not mediated yet
				if v.Value != 1 {
					t.Errorf("%s = %v, want 1", f.Key, v.Value)
				}
			case "disputes.amount":
				if v.Value != 52000 {
					t.Errorf("%s = %v", f.Key, v.Value)
				}
			}
		}
	})
}
