// Package petition is the kind of case for petitions (信访) under the 2022
// 信访工作条例: level of origin, channel, repeat and skip-level flags, one
// identity of a petitioner across petitions (a keyed digest, never the
// identity itself), the acceptance, handling, 复查 and 复核 clocks, the
// backlog (积案) and its clearance, and 访诉分离 (a matter for the courts
// routed to the legal channel and counted as 涉法涉诉).
package petition

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

// Levels of origin: where the petition was lodged before it reached the
// subdistrict.
var Levels = []string{"national", "provincial", "city", "district"}

// Channels of a petition.
var Channels = []string{"visit", "letter", "online", "phone", "hotline"}

// Stages of handling.
const (
	StageInitial = "initial" // 办理
	StageReview  = "review"  // 复查
	StageRecheck = "recheck" // 复核
)

// Answer is an opinion given (处理意见, 复查意见, 复核意见).
type Answer struct {
	Stage   string    `json:"stage"`
	At      time.Time `json:"at"`
	Opinion string    `json:"opinion"` // support, explain, reject
}

// Data is a petition's fields.
type Data struct {
	Level       string     `json:"level"`
	Channel     string     `json:"channel"`
	Petitioner  string     `json:"petitioner"`  // masked name
	Person      string     `json:"person"`      // the identity's keyed digest
	Repeat      bool       `json:"repeat"`      // the person petitioned before
	Previous    int        `json:"previous"`    // how many petitions before this one
	OtherCases  int        `json:"other_cases"` // cases of other kinds (disputes) of the same identity
	SkipLevel   bool       `json:"skip_level"`  // 越级
	Backlog     bool       `json:"backlog"`     // 积案
	Litigation  bool       `json:"litigation"`  // 涉法涉诉
	Stage       string     `json:"stage"`       // initial, review, recheck
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	Answers     []Answer   `json:"answers,omitempty"`
	LegalReason string     `json:"legal_reason,omitempty"` // 访诉分离: why the courts
	ClearedAt   *time.Time `json:"cleared_at,omitempty"`
}

// The clocks of a petition (信访工作条例, 2022).
var (
	ClockAccept = calendar.ClockDef{Name: "petition.accept", Zh: "告知是否受理", En: "decide on acceptance", From: "收到信访事项", FromEn: "receipt",
		Limit: calendar.Limit{Amount: 15, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十条", WarnDays: 3}
	ClockHandle = calendar.ClockDef{Name: "petition.handle", Zh: "办结并书面答复", En: "handle and answer", From: "受理", FromEn: "acceptance",
		Limit: calendar.Limit{Amount: 60, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十二条", WarnDays: 10,
		MaxExtension: 30, MaxExtensions: 1, ExtensionArticle: "《信访工作条例》第三十二条（经负责人批准可延长，不超过30日，并告知延期理由）"}
	ClockReviewRequest = calendar.ClockDef{Name: "petition.review_request", Zh: "信访人请求复查", En: "request a review", From: "收到处理意见", FromEn: "the answer",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十五条", WarnDays: 5, Window: true}
	ClockReview = calendar.ClockDef{Name: "petition.review", Zh: "提出复查意见", En: "answer the review", From: "收到复查请求", FromEn: "the review request",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十五条", WarnDays: 5}
	ClockRecheckRequest = calendar.ClockDef{Name: "petition.recheck_request", Zh: "信访人请求复核", En: "request a re-examination", From: "收到复查意见", FromEn: "the review's answer",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十六条", WarnDays: 5, Window: true}
	ClockRecheck = calendar.ClockDef{Name: "petition.recheck", Zh: "提出复核意见", En: "answer the re-examination", From: "收到复核请求", FromEn: "the re-examination request",
		Limit: calendar.Limit{Amount: 30, Unit: calendar.NaturalDays}, Article: "《信访工作条例》第三十六条", WarnDays: 5}
)

// Model is the petition kind. Key keys the digest that stands for a
// petitioner's identity (ID number or phone), so that one person is one
// identity across petitions without the identity being kept.
type Model struct{ Key []byte }

var _ casework.KindModel = Model{}

// Kind is casework.KindPetition.
func (Model) Kind() casework.Kind { return casework.KindPetition }

// Clocks is the kind's table.
func (Model) Clocks() []calendar.ClockDef {
	return []calendar.ClockDef{ClockAccept, ClockHandle, ClockReviewRequest, ClockReview, ClockRecheckRequest, ClockRecheck}
}

// PersonKey is the identity's digest: 16 hex digits of HMAC-SHA256.
func (m Model) PersonKey(identity string) string { return casework.PersonDigest(m.Key, identity) }

func write(st *casework.KindState, d Data) *casework.KindState {
	next := casework.WriteKind(st, d, nil)
	tags := []string{"level:" + d.Level, "channel:" + d.Channel, "person:" + d.Person, "stage:" + d.Stage}
	for _, f := range []struct {
		on  bool
		tag string
	}{{d.Repeat, "repeat"}, {d.SkipLevel, "skip_level"}, {d.Backlog, "backlog"}, {d.Litigation, "litigation"}, {d.LegalReason != "", "legal_route"}} {
		if f.on {
			tags = append(tags, f.tag)
		}
	}
	if d.ClearedAt != nil {
		tags = append(tags, casework.YearTag("cleared", *d.ClearedAt))
	}
	for _, a := range d.Answers {
		if a.Stage == StageRecheck {
			tags = append(tags, "rechecked")
		}
	}
	next.Tags = tags
	return next
}

type newInput struct {
	Level      string `json:"level"`
	Channel    string `json:"channel"`
	Name       string `json:"petitioner_name"`
	Identity   string `json:"petitioner_id"` // ID number or phone: only its digest is kept
	SkipLevel  bool   `json:"skip_level,omitempty"`
	Backlog    bool   `json:"backlog,omitempty"`
	Litigation bool   `json:"litigation,omitempty"`
}

// New checks a new petition and flags a repeated one: the same identity
// petitioned before.
func (m Model) New(ctx context.Context, env casework.KindEnv, c *casework.Case, raw json.RawMessage, at time.Time) (*casework.KindState, error) {
	var in newInput
	if err := casework.DecodeKind(raw, &in); err != nil {
		return nil, err
	}
	if !slices.Contains(Levels, in.Level) {
		return nil, casework.Refuse("level", "信访来源层级应为 national（国家）、provincial（省）、city（市）或 district（区）", "level must be national, provincial, city or district")
	}
	if !slices.Contains(Channels, in.Channel) {
		return nil, casework.Refuse("channel", "信访渠道应为："+strings.Join(Channels, "、"), "channel must be one of "+strings.Join(Channels, ", "))
	}
	if strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.Identity) == "" {
		return nil, casework.Refuse("petitioner_id", "请填写信访人姓名和身份证号（或手机号），用于识别重复信访", "give the petitioner's name and ID number or phone")
	}
	d := Data{Level: in.Level, Channel: in.Channel, Petitioner: org.MaskName(strings.TrimSpace(in.Name)), Person: m.PersonKey(in.Identity),
		SkipLevel: in.SkipLevel, Backlog: in.Backlog, Litigation: in.Litigation, Stage: StageInitial}
	if env.Count != nil {
		n, err := env.Count(ctx, casework.KindPetition, "person:"+d.Person)
		if err != nil {
			return nil, err
		}
		d.Previous, d.Repeat = n, n > 0
		all, err := env.Count(ctx, casework.KindOrdinary, "person:"+d.Person) // any kind
		if err != nil {
			return nil, err
		}
		d.OtherCases = all - n
	}
	next := write(nil, d)
	next.Clocks = []calendar.Clock{calendar.NewClock(ClockAccept, at)}
	return next, nil
}

type stepInput struct {
	At         *casework.KindDate `json:"at,omitempty"`
	Opinion    string             `json:"opinion,omitempty"`
	SameMatter bool               `json:"same_matter,omitempty"` // acceptance: the same facts and reasons as a petition re-examined before
}

// Step checks a step on a petition.
func (m Model) Step(ctx context.Context, env casework.KindEnv, c *casework.Case, action casework.Action, reason string, raw json.RawMessage, now time.Time) (*casework.KindState, error) {
	var in stepInput
	d, at, err := casework.BeginKindStep[Data](c, raw, &in, now, "日期")
	if err != nil {
		return nil, err
	}
	if at.Before(c.ReportedAt) {
		return nil, casework.Refuse("at", "日期早于收到信访事项的日期", "the date is before the petition was received")
	}
	st := c.KindState
	switch action {
	case casework.ActPetitionAccept:
		if in.SameMatter && env.Count != nil {
			n, err := env.Count(ctx, casework.KindPetition, "person:"+d.Person, "rechecked")
			if err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, casework.Refuse("same_matter", "信访人对复核意见不服，仍以同一事实和理由提出信访的，不再受理（《信访工作条例》第三十六条）",
					"a petition on the same facts and reasons after a re-examination is not accepted again (§36)")
			}
		}
		d.AcceptedAt = &at
		next := write(st, d)
		if err := casework.MeetClock(next, ClockAccept.Name, at); err != nil {
			return nil, err
		}
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockHandle, at))
		return next, nil
	case casework.ActPetitionDecline:
		next := write(st, d)
		return next, casework.MeetClock(next, ClockAccept.Name, at)
	case casework.ActPetitionAnswer:
		if !slices.Contains([]string{"support", "explain", "reject"}, in.Opinion) {
			return nil, casework.Refuse("opinion", "处理意见应为 support（支持）、explain（解释说明）或 reject（不予支持）", "opinion must be support, explain or reject")
		}
		d.Answers = append(d.Answers, Answer{Stage: d.Stage, At: at, Opinion: in.Opinion})
		next := write(st, d)
		var done, window string
		switch d.Stage {
		case StageInitial:
			done, window = ClockHandle.Name, ClockReviewRequest.Name
		case StageReview:
			done, window = ClockReview.Name, ClockRecheckRequest.Name
		case StageRecheck:
			done = ClockRecheck.Name
		}
		if err := casework.MeetClock(next, done, at); err != nil {
			return nil, err
		}
		if window != "" {
			w := ClockReviewRequest
			if window == ClockRecheckRequest.Name {
				w = ClockRecheckRequest
			}
			next.Clocks = append(next.Clocks, calendar.NewClock(w, at))
		}
		return next, nil
	case casework.ActPetitionReview:
		var window, answer calendar.ClockDef
		switch d.Stage {
		case StageInitial:
			window, answer = ClockReviewRequest, ClockReview
		case StageReview:
			window, answer = ClockRecheckRequest, ClockRecheck
		default:
			return nil, casework.Refuse("stage", "复核意见为最终意见，信访人以同一事实和理由再次请求的不再受理（《信访工作条例》第三十六条）",
				"the re-examination is final (§36)")
		}
		next := st.Clone()
		w := next.Clock(window.Name)
		if w == nil {
			return nil, casework.Refuse("stage", "尚未出具意见，不能请求"+window.Zh[len("信访人请求"):], "no answer to request a review of")
		}
		if due := w.Due(env.Calendar, at); !at.Before(due) {
			return nil, casework.Refuse("at", fmt.Sprintf("已超过%s的期限（%s前，%s）", window.Zh, due.Add(-time.Nanosecond).Format("2006-01-02"), window.Article),
				"past the window to "+window.En)
		}
		if d.Stage == StageInitial {
			d.Stage = StageReview
		} else {
			d.Stage = StageRecheck
		}
		next = write(next, d)
		if err := casework.MeetClock(next, window.Name, at); err != nil {
			return nil, err
		}
		next.Clocks = append(next.Clocks, calendar.NewClock(answer, at))
		return next, nil
	case casework.ActLegalRoute:
		d.Litigation, d.LegalReason = true, reason
		next := write(st, d)
		return next, casework.MeetClock(next, ClockAccept.Name, at)
	case casework.ActBacklogClear:
		if !d.Backlog {
			return nil, casework.Refuse("backlog", "该信访件不是积案", "the petition is not a backlog case")
		}
		d.ClearedAt = &at
		next := write(st, d)
		for i := range next.Clocks {
			if next.Clocks[i].Met == nil {
				if err := next.Clocks[i].MeetAt(at); err != nil {
					return nil, err
				}
			}
		}
		return next, nil
	case casework.ActConclude:
		if len(d.Answers) == 0 {
			return nil, casework.Refuse("opinion", "尚未出具处理意见，不能结案", "no answer given yet")
		}
		return nil, nil
	}
	return nil, nil
}
