// Package dispute is the kind of case for disputes mediated by the
// people's mediation committees (人民调解): its fields, its steps' rules and
// its clocks, plugged into the one case loop as a casework.KindModel.
package dispute

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Types of dispute.
var Types = []string{"family", "neighbour", "labour", "property_management", "consumer", "traffic", "contract", "other"}

// Outcomes of mediation.
var Outcomes = []string{"agreement", "failed", "court", "arbitration"}

// Party is a party to the dispute: a person (name kept masked) or an
// organisation.
type Party struct {
	Name string `json:"name"`
	Org  bool   `json:"org,omitempty"`
	// ID is a person's ID number or phone as given: never kept; Person
	// is its digest (casework.PersonDigest), one identity across kinds.
	ID     string `json:"id,omitempty"`
	Person string `json:"person,omitempty"`
}

// Session is one mediation session.
type Session struct {
	At       time.Time `json:"at"`
	Mediator string    `json:"mediator"`
	Note     string    `json:"note,omitempty"`
}

// Agreement is the mediation agreement (调解协议).
type Agreement struct {
	Written          bool       `json:"written"` // 书面; else oral and recorded (§28)
	SignedParties    bool       `json:"signed_parties,omitempty"`
	SignedMediator   bool       `json:"signed_mediator,omitempty"`
	Sealed           bool       `json:"sealed,omitempty"`
	EffectiveAt      *time.Time `json:"effective_at,omitempty"`
	Performed        *bool      `json:"performed,omitempty"` // the last follow-up's finding (§31)
	FollowUps        int        `json:"follow_ups,omitempty"`
	ConfirmAppliedAt *time.Time `json:"confirm_applied_at,omitempty"` // 司法确认申请 (§33)
}

// Data is a dispute's fields.
type Data struct {
	Type      string     `json:"type"`
	Amount    float64    `json:"amount"` // 标的, yuan
	Level     string     `json:"level"`  // grid or center
	Parties   []Party    `json:"parties"`
	Mediators []string   `json:"mediators,omitempty"`
	Sessions  []Session  `json:"sessions,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
	ResultAt  *time.Time `json:"result_at,omitempty"`
	Agreement *Agreement `json:"agreement,omitempty"`
}

// The clocks of a dispute.
var (
	ClockMediate = calendar.ClockDef{Name: "dispute.mediate", Zh: "调结纠纷", En: "mediate the dispute", From: "受理", FromEn: "acceptance",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《人民调解工作若干规定》第三十六条（一般在一个月内调结）",
		WarnDays: 5, Pausable: true, MaxExtension: 30, MaxExtensions: 1}
	ClockConfirm = calendar.ClockDef{Name: "dispute.confirm", Zh: "申请司法确认", En: "apply for judicial confirmation", From: "调解协议生效", FromEn: "the agreement taking effect",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《人民调解法》第三十三条", WarnDays: 7, Window: true}
)

// Model is the dispute kind. Key keys the digest of a party's identity,
// the same key as the petitions' (package kinds wires both).
type Model struct{ Key []byte }

var _ casework.KindModel = Model{}

// Kind is casework.KindDispute.
func (Model) Kind() casework.Kind { return casework.KindDispute }

// Clocks is the kind's table of clocks.
func (Model) Clocks() []calendar.ClockDef { return []calendar.ClockDef{ClockMediate, ClockConfirm} }

func write(st *casework.KindState, d Data) *casework.KindState {
	next := casework.WriteKind(st, d, nil)
	next.Amount = d.Amount
	tags := []string{"type:" + d.Type, "level:" + d.Level}
	for _, p := range d.Parties {
		if p.Person != "" {
			tags = append(tags, "person:"+p.Person)
		}
	}
	if d.Outcome != "" {
		tags = append(tags, "outcome:"+d.Outcome)
	}
	if d.ResultAt != nil {
		tags = append(tags, casework.YearTag("mediated", *d.ResultAt))
	}
	if d.Agreement != nil && d.Agreement.EffectiveAt != nil {
		tags = append(tags, "agreement_effective")
	}
	next.Tags = tags
	return next
}

// New checks a new dispute: its type, amount, level and parties.
func (m Model) New(ctx context.Context, env casework.KindEnv, c *casework.Case, raw json.RawMessage, at time.Time) (*casework.KindState, error) {
	var d Data
	if err := casework.DecodeKind(raw, &d); err != nil {
		return nil, err
	}
	if !slices.Contains(Types, d.Type) {
		return nil, casework.Refuse("type", "纠纷类型应为："+strings.Join(Types, "、"), "type must be one of "+strings.Join(Types, ", "))
	}
	if d.Amount < 0 || d.Amount > 1e10 {
		return nil, casework.Refuse("amount", "调解标的金额应在0到100亿元之间", "the amount must be 0 to 10 billion yuan")
	}
	if d.Level == "" {
		d.Level = "grid"
	}
	if d.Level != "grid" && d.Level != "center" {
		return nil, casework.Refuse("level", "调解层级应为 grid（网格）或 center（街道调解中心）", "level must be grid or center")
	}
	if len(d.Parties) < 2 {
		return nil, casework.Refuse("parties", "纠纷须有至少两方当事人", "a dispute has at least two parties")
	}
	for i, p := range d.Parties {
		name := strings.TrimSpace(p.Name)
		if name == "" {
			return nil, casework.Refuse("parties", fmt.Sprintf("第%d方当事人缺少姓名或名称", i+1), fmt.Sprintf("party %d has no name", i+1))
		}
		if !p.Org {
			name = org.MaskName(name) // a person's name is kept masked
		}
		d.Parties[i].Name = name
		if id := strings.TrimSpace(p.ID); id != "" {
			d.Parties[i].Person = casework.PersonDigest(m.Key, id)
		}
		d.Parties[i].ID = ""
	}
	d.Sessions, d.Outcome, d.ResultAt, d.Agreement = nil, "", nil, nil
	return write(nil, d), nil
}

// Step input of the dispute's steps.
type stepInput struct {
	At        *casework.KindDate `json:"at,omitempty"`
	Mediator  string             `json:"mediator,omitempty"`
	Note      string             `json:"note,omitempty"`
	Outcome   string             `json:"outcome,omitempty"`
	Written   *bool              `json:"written,omitempty"`
	Parties   bool               `json:"signed_parties,omitempty"`
	SignedMed bool               `json:"signed_mediator,omitempty"`
	Sealed    bool               `json:"sealed,omitempty"`
	Performed *bool              `json:"performed,omitempty"`
}

// Step checks a step on a dispute.
func (Model) Step(ctx context.Context, env casework.KindEnv, c *casework.Case, action casework.Action, reason string, raw json.RawMessage, now time.Time) (*casework.KindState, error) {
	var in stepInput
	d, at, err := casework.BeginKindStep[Data](c, raw, &in, now, "日期")
	if err != nil {
		return nil, err
	}
	st := c.KindState
	switch action {
	case casework.ActAccept:
		next := write(st, d)
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockMediate, at))
		return next, nil
	case casework.ActMediate:
		m := strings.TrimSpace(in.Mediator)
		if m == "" {
			return nil, casework.Refuse("mediator", "请填写主持调解的调解员", "name the mediator")
		}
		if c.AcceptedAt != nil && at.Before(*c.AcceptedAt) {
			return nil, casework.Refuse("at", "调解日期早于受理日期", "a session cannot come before the acceptance")
		}
		d.Sessions = append(d.Sessions, Session{At: at, Mediator: m, Note: strings.TrimSpace(in.Note)})
		if !slices.Contains(d.Mediators, m) {
			d.Mediators = append(d.Mediators, m)
		}
		return write(st, d), nil
	case casework.ActMediationResult:
		if len(d.Sessions) == 0 {
			return nil, casework.Refuse("outcome", "尚未记录调解，不能登记调解结果", "record a mediation session first")
		}
		if !slices.Contains(Outcomes, in.Outcome) {
			return nil, casework.Refuse("outcome", "调解结果应为 agreement（达成协议）、failed（调解不成）、court（引导诉讼）或 arbitration（引导仲裁）", "outcome must be agreement, failed, court or arbitration")
		}
		if last := d.Sessions[len(d.Sessions)-1].At; at.Before(last) {
			return nil, casework.Refuse("at", "调解结果日期早于最后一次调解", "the result cannot come before the last session")
		}
		d.Outcome, d.ResultAt = in.Outcome, &at
		next := write(st, d)
		if in.Outcome == "agreement" {
			written := in.Written == nil || *in.Written
			d.Agreement = &Agreement{Written: written}
			if !written { // an oral agreement takes effect when made (§30)
				d.Agreement.EffectiveAt = &at
			}
			next = write(st, d)
			if !written {
				next.Clocks = append(next.Clocks, calendar.NewClock(ClockConfirm, at))
			}
		}
		if cl := next.Clock(ClockMediate.Name); cl != nil && cl.Met == nil {
			if err := cl.MeetAt(at); err != nil {
				return nil, err
			}
		}
		return next, nil
	case casework.ActAgreementSeal:
		if d.Agreement == nil {
			return nil, casework.Refuse("outcome", "未达成调解协议，无需签章", "there is no agreement to sign")
		}
		if d.Agreement.EffectiveAt != nil {
			return nil, casework.Refuse("sealed", "调解协议已生效", "the agreement is in effect already")
		}
		if !in.Parties || !in.SignedMed || !in.Sealed {
			return nil, casework.Refuse("sealed", "调解协议书须各方当事人签名（盖章或按指印）、调解员签名并加盖人民调解委员会印章方生效（《人民调解法》第二十九条）",
				"the agreement takes effect once the parties and the mediator have signed and the committee has sealed it (People's Mediation Law §29)")
		}
		if d.ResultAt != nil && at.Before(*d.ResultAt) {
			return nil, casework.Refuse("at", "签章日期早于达成协议的日期", "the signing cannot come before the agreement")
		}
		d.Agreement.SignedParties, d.Agreement.SignedMediator, d.Agreement.Sealed, d.Agreement.EffectiveAt = true, true, true, &at
		next := write(st, d)
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockConfirm, at))
		return next, nil
	case casework.ActFollowUp:
		if d.Agreement == nil || d.Agreement.EffectiveAt == nil {
			return nil, casework.Refuse("performed", "没有生效的调解协议，无需履行回访（《人民调解法》第三十一条）", "no agreement in effect to follow up")
		}
		if in.Performed == nil {
			return nil, casework.Refuse("performed", "请填写协议是否已履行", "say whether the agreement was performed")
		}
		d.Agreement.Performed, d.Agreement.FollowUps = in.Performed, d.Agreement.FollowUps+1
		return write(st, d), nil
	case casework.ActJudicialConfirm:
		if d.Agreement == nil || d.Agreement.EffectiveAt == nil {
			return nil, casework.Refuse("at", "没有生效的调解协议，不能申请司法确认", "no agreement in effect to confirm")
		}
		if d.Agreement.ConfirmAppliedAt != nil {
			return nil, casework.Refuse("at", "已申请司法确认", "judicial confirmation was applied for already")
		}
		next := write(st, d)
		cl := next.Clock(ClockConfirm.Name)
		if cl != nil && !at.Before(cl.Due(env.Calendar, at)) {
			return nil, casework.Refuse("at", "已超过调解协议生效之日起三十日，不能共同申请司法确认（《人民调解法》第三十三条）",
				"past the 30 days from the agreement's effect for joint judicial confirmation (§33)")
		}
		d.Agreement.ConfirmAppliedAt = &at
		next = write(st, d)
		if cl := next.Clock(ClockConfirm.Name); cl != nil {
			if err := cl.MeetAt(at); err != nil {
				return nil, err
			}
		}
		return next, nil
	case casework.ActConclude:
		if d.Outcome == "" {
			return nil, casework.Refuse("outcome", "请先登记调解结果", "record the outcome first")
		}
		// The confirmation window stays open for the parties; the case closes.
		return nil, nil
	}
	return nil, nil
}
