// Package enforcement is the kind of case for the subdistrict's
// comprehensive administrative enforcement (综合行政执法): penalty cases
// under the 行政处罚法 (立案 → 调查 → 告知 → 听证 → 决定 → 送达 → 执行 → 结案)
// with their numbered documents and 送达 records, delegated inspections
// (赋权检查) claimed and done, and shared-bike clearances by operator.
package enforcement

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Subtypes of an enforcement case.
const (
	SubPenalty    = "penalty"    // 行政处罚案件
	SubInspection = "inspection" // 赋权检查
	SubBikes      = "bikes"      // 共享单车清理
)

// Document is a numbered document of a penalty case. Its number is not
// stored: it is made from the case's number (DocNumber), which the case
// gets when it is stored, so that Documents gives it.
type Document struct {
	Type   string    `json:"type"` // 立案审批表, 告知书, 处罚决定书, 结案报告
	Number string    `json:"number,omitempty"`
	At     time.Time `json:"at"`
}

// Documents returns the case's documents with their numbers.
func (m Model) Documents(c *casework.Case) ([]Document, error) {
	d, err := casework.ReadKind[Data](c.KindState)
	if err != nil {
		return nil, err
	}
	for i := range d.Documents {
		d.Documents[i].Number = m.DocNumber(d.Documents[i].Type, c, d.Documents[i].At)
	}
	return d.Documents, nil
}

// Service is a 送达 record.
type Service struct {
	Document  string    `json:"document"`
	At        time.Time `json:"at"`
	Method    string    `json:"method"` // direct, post, left, notice, electronic
	Recipient string    `json:"recipient"`
}

// Data is an enforcement case's fields.
type Data struct {
	Subtype   string `json:"subtype"`
	Party     string `json:"party,omitempty"`     // 当事人, a person's name masked
	Violation string `json:"violation,omitempty"` // 违法行为
	// Penalty cases.
	FiledAt          *time.Time `json:"filed_at,omitempty"`
	NoticeAt         *time.Time `json:"notice_at,omitempty"`
	ProposedFine     float64    `json:"proposed_fine,omitempty"`
	HearingRequested *time.Time `json:"hearing_requested_at,omitempty"`
	HearingNoticedAt *time.Time `json:"hearing_noticed_at,omitempty"`
	HearingAt        *time.Time `json:"hearing_at,omitempty"`
	DecisionAt       *time.Time `json:"decision_at,omitempty"`
	Fine             float64    `json:"fine,omitempty"`
	PaidAt           *time.Time `json:"paid_at,omitempty"`
	LateFee          float64    `json:"late_fee,omitempty"`
	Documents        []Document `json:"documents,omitempty"`
	Services         []Service  `json:"services,omitempty"`
	// Delegated inspections.
	Item      string     `json:"item,omitempty"`
	ClaimedAt *time.Time `json:"claimed_at,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	// Shared bikes.
	Operator string `json:"operator,omitempty"`
	Bikes    int    `json:"bikes,omitempty"`
}

// The clocks of a penalty case (行政处罚法, 2021; §85: its 五日、七日 are
// working days).
var (
	ClockDecide = calendar.ClockDef{Name: "enforcement.decide", Zh: "作出行政处罚决定", En: "decide the penalty", From: "立案", FromEn: "filing",
		Limit: calendar.Limit{Amount: 90, Unit: calendar.NaturalDays}, Article: "《行政处罚法》第六十条", WarnDays: 15, Pausable: true,
		MaxExtension: 30, MaxExtensions: 1, ExtensionArticle: "《行政处罚法》第六十条（法律、法规、规章另有规定的，从其规定）"}
	ClockHearingRequest = calendar.ClockDef{Name: "enforcement.hearing_request", Zh: "当事人申请听证", En: "request a hearing", From: "告知", FromEn: "the notice",
		Limit: calendar.Limit{Amount: 5, Unit: calendar.WorkingDays}, Article: "《行政处罚法》第六十四条第一项、第八十五条", WarnDays: 1, Window: true}
	ClockServe = calendar.ClockDef{Name: "enforcement.serve", Zh: "送达处罚决定书", En: "serve the decision", From: "作出处罚决定", FromEn: "the decision",
		Limit: calendar.Limit{Amount: 7, Unit: calendar.WorkingDays}, Article: "《行政处罚法》第六十一条、第八十五条", WarnDays: 2, Pausable: true}
	ClockPay = calendar.ClockDef{Name: "enforcement.pay", Zh: "缴纳罚款", En: "pay the fine", From: "收到处罚决定书", FromEn: "service of the decision",
		Limit: calendar.Limit{Amount: 15, Unit: calendar.NaturalDays}, Article: "《行政处罚法》第六十七条、第七十二条", WarnDays: 3}
)

// HearingNoticeDays is how many working days before a hearing the party
// must be told of it (行政处罚法 §64(2), §85).
const HearingNoticeDays = 7

// LateFeeRate is the late fee per day of the fine (§72: 3 %, at most the
// fine itself).
const LateFeeRate = 0.03

// Model is the enforcement kind. DocPrefix begins every document number
// (e.g. "古综执"); empty is "综执".
type Model struct{ DocPrefix string }

var _ casework.KindModel = Model{}

// Kind is casework.KindEnforcement.
func (Model) Kind() casework.Kind { return casework.KindEnforcement }

// Clocks is the kind's table.
func (Model) Clocks() []calendar.ClockDef {
	return []calendar.ClockDef{ClockDecide, ClockHearingRequest, ClockServe, ClockPay}
}

// DocNumber numbers a document of a case: prefix, document letter, year
// and the case's own number, unique as the case number is.
func (m Model) DocNumber(doc string, c *casework.Case, at time.Time) string {
	p := m.DocPrefix
	if p == "" {
		p = "综执"
	}
	letter := map[string]string{"立案审批表": "立", "告知书": "告", "处罚决定书": "罚决", "结案报告": "结"}[doc]
	return fmt.Sprintf("%s%s〔%d〕%s号", p, letter, at.In(calendar.Zone()).Year(), c.Number)
}

func write(st *casework.KindState, d Data) *casework.KindState {
	next := casework.WriteKind(st, d, nil)
	tags := []string{"sub:" + d.Subtype}
	switch d.Subtype {
	case SubPenalty:
		next.Amount = d.Fine
		if d.FiledAt != nil {
			tags = append(tags, casework.YearTag("filed", *d.FiledAt))
		}
		if d.HearingRequested != nil {
			tags = append(tags, "hearing")
		}
	case SubInspection:
		if d.ClaimedAt != nil {
			tags = append(tags, casework.YearTag("claimed", *d.ClaimedAt))
		}
		if d.DoneAt != nil {
			tags = append(tags, casework.YearTag("inspected", *d.DoneAt))
		}
	case SubBikes:
		next.Amount = float64(d.Bikes)
		tags = append(tags, "operator:"+d.Operator)
	}
	next.Tags = tags
	return next
}

type newInput struct {
	Subtype   string             `json:"subtype"`
	Party     string             `json:"party,omitempty"`
	PartyOrg  bool               `json:"party_org,omitempty"`
	Violation string             `json:"violation,omitempty"`
	Item      string             `json:"item,omitempty"`
	Operator  string             `json:"operator,omitempty"`
	Bikes     int                `json:"bikes,omitempty"`
	At        *casework.KindDate `json:"at,omitempty"`
}

// Operators of shared bikes in Hangzhou.
var Operators = []string{"hellobike", "meituan", "qingju", "other"}

// New checks a new enforcement case.
func (m Model) New(ctx context.Context, env casework.KindEnv, c *casework.Case, raw json.RawMessage, at time.Time) (*casework.KindState, error) {
	var in newInput
	if err := casework.DecodeKind(raw, &in); err != nil {
		return nil, err
	}
	d := Data{Subtype: in.Subtype}
	switch in.Subtype {
	case SubPenalty:
		if strings.TrimSpace(in.Party) == "" || strings.TrimSpace(in.Violation) == "" {
			return nil, casework.Refuse("party", "请填写当事人和违法行为", "give the party and the violation")
		}
		d.Party, d.Violation = strings.TrimSpace(in.Party), strings.TrimSpace(in.Violation)
		if !in.PartyOrg {
			d.Party = org.MaskName(d.Party)
		}
	case SubInspection:
		if strings.TrimSpace(in.Item) == "" {
			return nil, casework.Refuse("item", "请填写认领的赋权检查事项", "name the delegated inspection item")
		}
		d.Item, d.ClaimedAt = strings.TrimSpace(in.Item), &at
	case SubBikes:
		if !slices.Contains(Operators, in.Operator) {
			return nil, casework.Refuse("operator", "共享单车运营企业应为："+strings.Join(Operators, "、"), "operator must be one of "+strings.Join(Operators, ", "))
		}
		if in.Bikes < 1 || in.Bikes > 100000 {
			return nil, casework.Refuse("bikes", "清理车辆数应在1到100000之间", "the count must be 1 to 100000")
		}
		d.Operator, d.Bikes = in.Operator, in.Bikes
	default:
		return nil, casework.Refuse("subtype", "执法案件类型应为 penalty（行政处罚）、inspection（赋权检查）或 bikes（共享单车清理）", "subtype must be penalty, inspection or bikes")
	}
	return write(nil, d), nil
}

type stepInput struct {
	At           *casework.KindDate `json:"at,omitempty"`
	Fine         float64            `json:"fine,omitempty"`
	NoticedAt    *casework.KindDate `json:"noticed_at,omitempty"`
	Method       string             `json:"method,omitempty"`
	Recipient    string             `json:"recipient,omitempty"`
	Document     string             `json:"document,omitempty"`
	WaiveHearing bool               `json:"waive_hearing,omitempty"` // the party waived statements and hearing in writing
}

func (m Model) doc(d *Data, typ string, c *casework.Case, at time.Time) {
	d.Documents = append(d.Documents, Document{Type: typ, At: at})
}

// Step checks a step on an enforcement case.
func (m Model) Step(ctx context.Context, env casework.KindEnv, c *casework.Case, action casework.Action, reason string, raw json.RawMessage, now time.Time) (*casework.KindState, error) {
	var in stepInput
	d, at, err := casework.BeginKindStep[Data](c, raw, &in, now, "日期")
	if err != nil {
		return nil, err
	}
	if at.Before(c.ReportedAt) {
		return nil, casework.Refuse("at", "日期早于案件登记日期", "the date is before the case was registered")
	}
	cal := env.Calendar
	st := c.KindState
	penaltyOnly := func() error {
		if d.Subtype != SubPenalty {
			return casework.Refuse("subtype", "该步骤仅适用于行政处罚案件", "this step is for penalty cases only")
		}
		return nil
	}
	switch action {
	case casework.ActAccept:
		if d.Subtype != SubPenalty {
			return nil, nil
		}
		d.FiledAt = &at
		m.doc(&d, "立案审批表", c, at)
		next := write(st, d)
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockDecide, at))
		return next, nil
	case casework.ActInvestigate:
		return nil, penaltyOnly()
	case casework.ActNotify:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		if d.NoticeAt != nil {
			return nil, casework.Refuse("at", "已告知", "the party was notified already")
		}
		if in.Fine <= 0 {
			return nil, casework.Refuse("fine", "请填写拟处罚款金额", "give the proposed fine")
		}
		if at.Before(*d.FiledAt) {
			return nil, casework.Refuse("at", "告知日期早于立案日期", "the notice cannot come before the filing")
		}
		d.NoticeAt, d.ProposedFine = &at, in.Fine
		m.doc(&d, "告知书", c, at)
		next := write(st, d)
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockHearingRequest, at))
		return next, nil
	case casework.ActHearingRequest:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		if d.NoticeAt == nil {
			return nil, casework.Refuse("at", "尚未告知，不能申请听证", "the party has not been notified")
		}
		if d.HearingRequested != nil {
			return nil, casework.Refuse("at", "已申请听证", "a hearing was requested already")
		}
		next := st.Clone()
		w := next.Clock(ClockHearingRequest.Name)
		if due := w.Due(cal, at); !at.Before(due) {
			return nil, casework.Refuse("at", fmt.Sprintf("听证申请超过告知后五个工作日的期限（%s前，《行政处罚法》第六十四条）", due.Format("2006-01-02 15:04")),
				"the hearing request is past the 5 working days after the notice (§64)")
		}
		if at.Before(*d.NoticeAt) {
			return nil, casework.Refuse("at", "听证申请日期早于告知日期", "the request cannot come before the notice")
		}
		d.HearingRequested = &at
		next = write(next, d)
		if err := next.Clock(ClockHearingRequest.Name).MeetAt(at); err != nil {
			return nil, err
		}
		// The hearing's time does not count toward the decision.
		if err := next.Clock(ClockDecide.Name).Pause(at, "听证"); err != nil {
			return nil, err
		}
		return next, nil
	case casework.ActHearing:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		if d.HearingRequested == nil {
			return nil, casework.Refuse("at", "当事人未申请听证", "no hearing was requested")
		}
		if d.HearingAt != nil {
			return nil, casework.Refuse("at", "已举行听证", "the hearing was held already")
		}
		if in.NoticedAt == nil || in.NoticedAt.IsZero() {
			return nil, casework.Refuse("noticed_at", "请填写听证通知的日期", "give the date the hearing was noticed")
		}
		noticed := in.NoticedAt.In(calendar.Zone())
		if noticed.Before(*d.HearingRequested) {
			return nil, casework.Refuse("noticed_at", "听证通知日期早于听证申请日期", "the hearing notice cannot come before the request")
		}
		earliest := cal.Add(noticed, calendar.Limit{Amount: HearingNoticeDays, Unit: calendar.WorkingDays})
		if !at.After(earliest) {
			return nil, casework.Refuse("at", fmt.Sprintf("听证应在通知后七个工作日之后举行（通知于%s，最早%s后，《行政处罚法》第六十四条）",
				noticed.Format("2006-01-02"), earliest.Format("2006-01-02 15:04")), "the hearing must be noticed 7 working days ahead (§64)")
		}
		d.HearingNoticedAt, d.HearingAt = &noticed, &at
		next := write(st, d)
		if cl := next.Clock(ClockDecide.Name); cl.Paused() {
			if err := cl.Resume(at); err != nil {
				return nil, err
			}
		}
		return next, nil
	case casework.ActDecide:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		switch {
		case d.NoticeAt == nil:
			return nil, casework.Refuse("at", "作出处罚决定前须告知当事人拟作出的处罚内容及事实、理由、依据和陈述申辩、听证权利（《行政处罚法》第四十四条）", "notify the party before deciding (§44)")
		case at.Before(*d.NoticeAt):
			return nil, casework.Refuse("at", "处罚决定日期早于告知日期", "the decision cannot be dated before the notice")
		case d.DecisionAt != nil:
			return nil, casework.Refuse("at", "已作出处罚决定", "the decision was made already")
		case d.HearingRequested != nil && d.HearingAt == nil:
			return nil, casework.Refuse("at", "当事人已申请听证，须举行听证后再作决定", "hold the requested hearing first")
		case in.Fine < 0 || (d.ProposedFine > 0 && in.Fine > d.ProposedFine):
			return nil, casework.Refuse("fine", "决定的罚款不得超过告知的拟处罚款（加重处罚须重新告知）", "the fine cannot exceed the one notified")
		}
		if d.HearingRequested == nil && !in.WaiveHearing {
			if due := st.Clock(ClockHearingRequest.Name).Due(cal, at); at.Before(due) {
				return nil, casework.Refuse("at", fmt.Sprintf("听证申请期限未满（%s止），不能作出决定；当事人书面放弃的请注明", due.Format("2006-01-02 15:04")),
					"the hearing request window is still open")
			}
		}
		d.DecisionAt, d.Fine = &at, in.Fine
		m.doc(&d, "处罚决定书", c, at)
		next := write(st, d)
		// A waiver within the window closes it; a window that ran out
		// unused stays expired.
		if cl := next.Clock(ClockHearingRequest.Name); cl.Met == nil && at.Before(cl.Due(cal, at)) {
			if err := cl.MeetAt(at); err != nil {
				return nil, err
			}
		}
		if err := next.Clock(ClockDecide.Name).MeetAt(at); err != nil {
			return nil, err
		}
		next.Clocks = append(next.Clocks, calendar.NewClock(ClockServe, at))
		return next, nil
	case casework.ActServe:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		doc := in.Document
		if doc == "" {
			doc = "处罚决定书"
		}
		var docAt *time.Time
		for _, x := range d.Documents {
			if x.Type == doc {
				docAt = cloneT(x.At)
			}
		}
		if docAt == nil {
			return nil, casework.Refuse("document", "没有可送达的“"+doc+"”", "no such document to serve: "+doc)
		}
		if at.Before(*docAt) {
			return nil, casework.Refuse("at", "送达日期早于文书日期", "service cannot come before the document")
		}
		if !slices.Contains([]string{"direct", "post", "left", "notice", "electronic"}, in.Method) || strings.TrimSpace(in.Recipient) == "" {
			return nil, casework.Refuse("method", "请填写送达方式（direct 直接、post 邮寄、left 留置、notice 公告、electronic 电子）和受送达人", "give the method and recipient")
		}
		d.Services = append(d.Services, Service{Document: doc, At: at, Method: in.Method, Recipient: org.MaskName(strings.TrimSpace(in.Recipient))})
		next := write(st, d)
		if doc == "处罚决定书" {
			if cl := next.Clock(ClockServe.Name); cl != nil && cl.Met == nil {
				if err := cl.MeetAt(at); err != nil {
					return nil, err
				}
				if d.Fine > 0 {
					next.Clocks = append(next.Clocks, calendar.NewClock(ClockPay, at))
				}
			}
		}
		return next, nil
	case casework.ActExecute:
		if err := penaltyOnly(); err != nil {
			return nil, err
		}
		if d.DecisionAt == nil {
			return nil, casework.Refuse("at", "尚未作出处罚决定", "no decision yet")
		}
		next := st.Clone()
		if d.Fine > 0 {
			pay := next.Clock(ClockPay.Name)
			if pay == nil {
				return nil, casework.Refuse("at", "处罚决定书尚未送达", "the decision has not been served")
			}
			due := pay.Due(cal, at)
			if at.After(due) {
				days := int(math.Ceil(at.Sub(due).Hours() / 24))
				d.LateFee = math.Min(d.Fine, math.Round(d.Fine*LateFeeRate*float64(days)*100)/100)
			}
			if err := pay.MeetAt(at); err != nil {
				return nil, err
			}
		}
		d.PaidAt = &at
		clocks := next.Clocks
		next = write(next, d)
		next.Clocks = clocks
		return next, nil
	case casework.ActInspect:
		if d.Subtype != SubInspection && d.Subtype != SubBikes {
			return nil, casework.Refuse("subtype", "该步骤仅适用于赋权检查和共享单车清理", "this step is for delegated inspections and bike clearances only")
		}
		d.DoneAt = &at
		return write(st, d), nil
	case casework.ActConclude:
		if d.Subtype == SubPenalty {
			if d.DecisionAt == nil || d.PaidAt == nil {
				return nil, casework.Refuse("at", "处罚决定尚未执行完毕，不能结案", "the decision has not been carried out")
			}
			m.doc(&d, "结案报告", c, at)
			return write(st, d), nil
		}
		return nil, nil
	}
	return nil, nil
}

func cloneT(t time.Time) *time.Time { return &t }
