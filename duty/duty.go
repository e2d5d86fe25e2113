// Package duty is the kind of case for the 24-hour emergency duty desk
// (应急值守): call-outs (fire alarm, rescue, social aid …) with the times
// called, dispatched, arrived and done, linked to the alarm or case that
// raised them, and the 初报/续报/终报 timers of a serious incident, whose
// limits are configuration; and the duty roster on the official calendar.
package duty

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// Types of call-out.
var Types = []string{"fire_alarm", "rescue", "social_aid", "flood", "other"}

// TypeZh names a call-out type.
func TypeZh(t string) string {
	return map[string]string{"fire_alarm": "火警告警", "rescue": "抢险救援", "social_aid": "社会救助", "flood": "防汛", "other": "其他"}[t]
}

// Report is an incident report sent up (信息报送).
type Report struct {
	Stage string    `json:"stage"` // initial, followup, final
	At    time.Time `json:"at"`
}

// Data is a call-out's fields.
type Data struct {
	Type         string     `json:"type"`
	Serious      bool       `json:"serious,omitempty"` // 较大以上: the report timers run
	Linked       string     `json:"linked,omitempty"`  // the alarm or case number that raised it
	CalledAt     time.Time  `json:"called_at"`
	DispatchedAt *time.Time `json:"dispatched_at,omitempty"`
	ArrivedAt    *time.Time `json:"arrived_at,omitempty"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	Reports      []Report   `json:"reports,omitempty"`
}

// Timers are the limits of the incident reports: configuration, here the
// common practice of Zhejiang's duty desks.
type Timers struct {
	Initial calendar.ClockDef // 初报, from the call
	Final   calendar.ClockDef // 终报, from the end of the incident
}

// DefaultTimers: the first report within 30 minutes of the call, the final
// one within 24 hours of the end.
func DefaultTimers() Timers {
	return Timers{
		Initial: calendar.ClockDef{Name: "duty.initial", Zh: "初报", En: "first report", From: "接警", FromEn: "the call",
			Limit: calendar.Limit{Amount: 30, Unit: calendar.Minutes}, Article: "《浙江省突发事件信息报告制度》（初报30分钟，可配置）"},
		Final: calendar.ClockDef{Name: "duty.final", Zh: "终报", En: "final report", From: "处置完毕", FromEn: "the end",
			Limit: calendar.Limit{Amount: 24, Unit: calendar.NaturalHours}, Article: "《浙江省突发事件信息报告制度》（终报24小时，可配置）"},
	}
}

// Model is the duty kind with its configured timers.
type Model struct{ Timers Timers }

var _ casework.KindModel = Model{}

// Kind is casework.KindDuty.
func (Model) Kind() casework.Kind { return casework.KindDuty }

// Clocks is the kind's table.
func (m Model) Clocks() []calendar.ClockDef {
	return []calendar.ClockDef{m.timers().Initial, m.timers().Final}
}

func (m Model) timers() Timers {
	if m.Timers.Initial.Name == "" {
		return DefaultTimers()
	}
	return m.Timers
}

func write(st *casework.KindState, d Data) *casework.KindState {
	next := casework.WriteKind(st, d, nil)
	next.Tags = []string{"type:" + d.Type, casework.YearTag("called", d.CalledAt)}
	if d.Serious {
		next.Tags = append(next.Tags, "serious")
	}
	return next
}

type input struct {
	Type    string             `json:"type,omitempty"`
	Serious bool               `json:"serious,omitempty"`
	Linked  string             `json:"linked,omitempty"`
	At      *casework.KindDate `json:"at,omitempty"`
	Stage   string             `json:"stage,omitempty"`
}

// New checks a new call-out; at (or the given time) is when it was called.
func (m Model) New(ctx context.Context, env casework.KindEnv, c *casework.Case, raw json.RawMessage, at time.Time) (*casework.KindState, error) {
	var in input
	if err := casework.DecodeKind(raw, &in); err != nil {
		return nil, err
	}
	if !slices.Contains(Types, in.Type) {
		return nil, casework.Refuse("type", "出警类型应为："+strings.Join(Types, "、"), "type must be one of "+strings.Join(Types, ", "))
	}
	called, err := casework.ActAt(in.At, at, "at", "接警时间")
	if err != nil {
		return nil, err
	}
	d := Data{Type: in.Type, Serious: in.Serious, Linked: strings.TrimSpace(in.Linked), CalledAt: called}
	next := write(nil, d)
	if d.Serious {
		next.Clocks = []calendar.Clock{calendar.NewClock(m.timers().Initial, called)}
	}
	return next, nil
}

// Step checks a step of a call-out: each time after the one before.
func (m Model) Step(ctx context.Context, env casework.KindEnv, c *casework.Case, action casework.Action, reason string, raw json.RawMessage, now time.Time) (*casework.KindState, error) {
	var in input
	d, at, err := casework.BeginKindStep[Data](c, raw, &in, now, "时间")
	if err != nil {
		return nil, err
	}
	after := func(prev *time.Time, zh string) error {
		if prev != nil && at.Before(*prev) {
			return casework.Refuse("at", "时间早于"+zh+"时间（"+prev.Format("2006-01-02 15:04")+"）", "the time is before the "+zh)
		}
		return nil
	}
	st := c.KindState
	switch action {
	case casework.ActDutyDispatch:
		if err := after(&d.CalledAt, "接警"); err != nil {
			return nil, err
		}
		d.DispatchedAt = &at
	case casework.ActArrive:
		if d.ArrivedAt != nil {
			return nil, casework.Refuse("at", "已登记到场", "arrival recorded already")
		}
		if err := after(d.DispatchedAt, "出动"); err != nil {
			return nil, err
		}
		d.ArrivedAt = &at
	case casework.ActDutyDone:
		if d.ArrivedAt == nil {
			return nil, casework.Refuse("at", "请先登记到场", "record the arrival first")
		}
		if err := after(d.ArrivedAt, "到场"); err != nil {
			return nil, err
		}
		d.DoneAt = &at
		next := write(st, d)
		if d.Serious {
			next.Clocks = append(next.Clocks, calendar.NewClock(m.timers().Final, at))
		}
		return next, nil
	case casework.ActDutyReport:
		if err := after(&d.CalledAt, "接警"); err != nil {
			return nil, err
		}
		switch in.Stage {
		case "initial", "followup":
		case "final":
			if d.DoneAt == nil {
				return nil, casework.Refuse("stage", "处置完毕后方可终报", "the final report comes after the end")
			}
		default:
			return nil, casework.Refuse("stage", "报送阶段应为 initial（初报）、followup（续报）或 final（终报）", "stage must be initial, followup or final")
		}
		if in.Stage != "initial" && !slices.ContainsFunc(d.Reports, func(r Report) bool { return r.Stage == "initial" }) {
			return nil, casework.Refuse("stage", "请先初报", "send the first report first")
		}
		d.Reports = append(d.Reports, Report{Stage: in.Stage, At: at})
		next := write(st, d)
		name := map[string]string{"initial": m.timers().Initial.Name, "final": m.timers().Final.Name}[in.Stage]
		if cl := next.Clock(name); cl != nil && cl.Met == nil {
			if err := cl.MeetAt(at); err != nil {
				return nil, err
			}
		}
		return next, nil
	case casework.ActConclude:
		if d.DoneAt == nil {
			return nil, casework.Refuse("at", "尚未处置完毕", "not done yet")
		}
		if d.Serious && !slices.ContainsFunc(d.Reports, func(r Report) bool { return r.Stage == "final" }) {
			return nil, casework.Refuse("stage", "较大以上事件须终报后结案", "a serious incident closes after its final report")
		}
		return nil, nil
	default:
		return nil, nil
	}
	return write(st, d), nil
}
