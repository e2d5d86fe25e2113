package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/org"
)

// The desks of the case kinds with legal clocks (docs/kinds.md): the
// mediators', the petition officers', the enforcement officers' and the
// duty desk's. Each lists the open cases of its kind with every clock's
// countdown and its article, registers a new case, and shows a case with
// the forms of the kind steps the viewer may take; an enforcement case's
// documents print from their own page.

// kindField is one input of a kind form.
type kindField struct {
	Name, Zh, En string
	Type         string   // text, number, select, check, date, textarea
	Options      []string // select
}

func sel(name, zh, en string, opts ...string) kindField {
	return kindField{Name: name, Zh: zh, En: en, Type: "select", Options: opts}
}
func txt(name, zh, en string) kindField { return kindField{Name: name, Zh: zh, En: en, Type: "text"} }
func numField(name, zh, en string) kindField {
	return kindField{Name: name, Zh: zh, En: en, Type: "number"}
}
func check(name, zh, en string) kindField {
	return kindField{Name: name, Zh: zh, En: en, Type: "check"}
}
func when(name, zh, en string) kindField { return kindField{Name: name, Zh: zh, En: en, Type: "date"} }

// kindNewFields are the fields of a new case of each kind.
var kindNewFields = map[casework.Kind][]kindField{
	casework.KindDispute: {sel("type", "纠纷类型", "Type", "neighbour", "family", "property_management", "labour", "consumer", "traffic", "contract", "other"),
		numField("amount", "标的金额（元）", "Amount (yuan)"), sel("level", "调解层级", "Level", "grid", "center"),
		txt("party1", "当事人一", "Party 1"), txt("party2", "当事人二", "Party 2")},
	casework.KindPetition: {sel("level", "来源层级", "Level of origin", "district", "city", "provincial", "national"),
		sel("channel", "信访渠道", "Channel", "visit", "letter", "online", "phone", "hotline"),
		txt("petitioner_name", "信访人姓名", "Petitioner"), txt("petitioner_id", "身份证号或手机号（仅存摘要）", "ID number or phone (digest only)"),
		check("skip_level", "越级", "Skip-level"), check("backlog", "积案", "Backlog")},
	casework.KindEnforcement: {sel("subtype", "类型", "Subtype", "penalty", "inspection", "bikes"),
		txt("party", "当事人", "Party"), check("party_org", "当事人为单位", "The party is an organisation"), txt("violation", "违法行为", "Violation"),
		txt("item", "赋权检查事项", "Inspection item"), sel("operator", "单车企业", "Operator", "", "hellobike", "meituan", "qingju", "other"),
		numField("bikes", "清理车辆数", "Bikes cleared")},
	casework.KindDuty: {sel("type", "出警类型", "Type", "fire_alarm", "rescue", "social_aid", "flood", "other"),
		check("serious", "较大以上事件（报送计时）", "Serious (report timers)"), txt("linked", "关联告警或案件编号", "Linked alarm or case"),
		when("at", "接警时间", "Called at")},
}

// kindStepFields are the inputs of each kind step (besides the reason).
var kindStepFields = map[casework.Action][]kindField{
	casework.ActMediate:         {txt("mediator", "调解员", "Mediator"), txt("note", "调解情况", "Note"), when("at", "日期", "Date")},
	casework.ActMediationResult: {sel("outcome", "调解结果", "Outcome", "agreement", "failed", "court", "arbitration"), sel("written", "协议形式", "Agreement form", "true", "false")},
	casework.ActAgreementSeal:   {check("signed_parties", "当事人已签名", "Parties signed"), check("signed_mediator", "调解员已签名", "Mediator signed"), check("sealed", "已加盖调解委员会印章", "Committee seal")},
	casework.ActFollowUp:        {sel("performed", "协议已履行", "Performed", "true", "false")},
	casework.ActJudicialConfirm: {when("at", "申请日期", "Applied on")},
	casework.ActPetitionAccept:  {check("same_matter", "与已复核事项为同一事实和理由", "Same matter as one re-examined")},
	casework.ActPetitionAnswer:  {sel("opinion", "意见", "Opinion", "support", "explain", "reject"), when("at", "日期", "Date")},
	casework.ActPetitionReview:  {when("at", "请求日期", "Requested on")},
	casework.ActNotify:          {numField("fine", "拟处罚款（元）", "Proposed fine (yuan)"), when("at", "告知日期", "Notified on")},
	casework.ActHearingRequest:  {when("at", "申请日期", "Requested on")},
	casework.ActHearing:         {when("noticed_at", "听证通知日期", "Noticed on"), when("at", "听证日期", "Held on")},
	casework.ActDecide:          {numField("fine", "罚款（元）", "Fine (yuan)"), check("waive_hearing", "当事人书面放弃陈述申辩和听证", "Waived in writing"), when("at", "决定日期", "Decided on")},
	casework.ActServe: {sel("document", "文书", "Document", "处罚决定书", "告知书"), sel("method", "送达方式", "Method", "direct", "post", "left", "notice", "electronic"),
		txt("recipient", "受送达人", "Recipient"), when("at", "送达日期", "Served on")},
	casework.ActExecute:      {when("at", "缴款日期", "Paid on")},
	casework.ActDutyDispatch: {when("at", "出动时间", "Dispatched at")},
	casework.ActArrive:       {when("at", "到场时间", "Arrived at")},
	casework.ActDutyDone:     {when("at", "处置完毕时间", "Done at")},
	casework.ActDutyReport:   {sel("stage", "报送", "Report", "initial", "followup", "final")},
	casework.ActClockPause:   {txt("clock", "时限", "Clock")},
	casework.ActClockResume:  {txt("clock", "时限", "Clock")},
	casework.ActClockExtend:  {txt("clock", "时限", "Clock"), numField("days", "延长天数", "Days")},
}

// kindData turns the form's fields into a kind's JSON input.
func kindData(form map[string][]string, fields []kindField, k casework.Kind) (json.RawMessage, error) {
	m := map[string]any{}
	for _, f := range fields {
		v := strings.TrimSpace(first(form[f.Name]))
		switch {
		case f.Type == "check":
			if v != "" {
				m[f.Name] = true
			}
		case v == "":
		case f.Type == "number":
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, jiedao.Invalid(f.Name, f.Zh+"应为数字", f.En+" must be a number")
			}
			if f.Name == "bikes" || f.Name == "days" {
				m[f.Name] = int(n)
			} else {
				m[f.Name] = n
			}
		case f.Type == "date":
			m[f.Name] = strings.Replace(v, "T", " ", 1)
		case v == "true" || v == "false":
			m[f.Name] = v == "true"
		default:
			m[f.Name] = v
		}
	}
	if k == casework.KindDispute {
		if p1, p2 := m["party1"], m["party2"]; p1 != nil || p2 != nil {
			var parties []map[string]any
			for _, p := range []any{p1, p2} {
				if p != nil {
					parties = append(parties, map[string]any{"name": p})
				}
			}
			m["parties"] = parties
			delete(m, "party1")
			delete(m, "party2")
		}
	}
	return json.Marshal(m)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// kindRow is a case of a desk with its clocks now.
type kindRow struct {
	Case   *casework.Case
	Clocks []calendar.ClockState
	Fields []kindKV
}

// kindKV is one labelled field: its value, or the lines of a list.
type kindKV struct {
	K, Key, V string
	Items     []string
}

// kindDesk is the desk page's data.
type kindDesk struct {
	Kind   casework.Kind
	Rows   []kindRow
	Total  int
	All    bool
	Fields []kindField
	// Shift is the duty shift in force now (the duty desk), nil when the
	// roster has none; Next the coming days.
	Shift *duty.Shift
	Next  []duty.Shift
}

// kindStepForm is one step the viewer may take on a case.
type kindStepForm struct {
	Action casework.Action
	Zh     string
	Reason bool
	Fields []kindField
}

// kindCase is the case page's data.
type kindCase struct {
	kindRow
	Steps  []kindStepForm
	Events []*casework.Event
	Docs   []kindDoc
	// Same are the other cases of the same person (a petitioner, a
	// party) the viewer may see: petitions, disputes, 12345 work orders.
	Same []*casework.Case
}

func (h *Handler) deskKind(w http.ResponseWriter, r *http.Request) (casework.Kind, bool) {
	k := casework.Kind(r.PathValue("kind"))
	if k == casework.KindOrdinary || !k.Valid() {
		h.fail(w, r, jiedao.NotFound("专项工作台", "desk"))
		return "", false
	}
	return k, true
}

func (h *Handler) kindRow(r *http.Request, c *casework.Case) (kindRow, error) {
	clocks, err := h.Cases.KindClocks(r.Context(), c, h.Cases.Now())
	if err != nil {
		return kindRow{}, err
	}
	row := kindRow{Case: c, Clocks: clocks}
	if c.KindState != nil && len(c.KindState.Data) > 0 {
		row.Fields = kindFields(c.KindState.Data) // kindfields.go
	}
	return row, nil
}

// KindDesk lists the open cases of a kind with their clocks.
func (h *Handler) KindDesk(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	k, ok := h.deskKind(w, r)
	if !ok {
		return
	}
	h.showDesk(w, r, a, k, h.newPage(w, r, deskTitle(k)), http.StatusOK)
}

func deskTitle(k casework.Kind) string {
	switch k {
	case casework.KindDispute:
		return "矛盾纠纷调解|Dispute mediation"
	case casework.KindPetition:
		return "信访办理|Petitions"
	case casework.KindEnforcement:
		return "综合行政执法|Enforcement"
	}
	return "应急值守|Duty desk"
}

func (h *Handler) showDesk(w http.ResponseWriter, r *http.Request, a org.Actor, k casework.Kind, p *page, status int) {
	all := r.URL.Query().Get("all") == "1"
	f := casework.Filter{Kind: k, Limit: 100}
	if !all {
		f.Statuses = []casework.Status{casework.StatusReported, casework.StatusAccepted, casework.StatusHandling, casework.StatusHandled, casework.StatusHung}
	}
	cases, total, err := h.Cases.List(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := kindDesk{Kind: k, Total: total, All: all, Fields: kindNewFields[k]}
	if k == casework.KindDuty && h.Roster != nil {
		now := h.Cases.Now().In(calendar.Zone())
		shifts, err := h.Roster.Shifts(r.Context(), a.JurisdictionID, now.AddDate(0, 0, -1).Format("2006-01-02"), now.AddDate(0, 0, 7).Format("2006-01-02"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if s, ok := duty.OnDuty(shifts, now); ok {
			d.Shift = &s
			for _, x := range shifts {
				if x.Date > s.Date {
					d.Next = append(d.Next, x)
				}
			}
		}
	}
	for _, c := range cases {
		row, err := h.kindRow(r, c)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Rows = append(d.Rows, row)
	}
	p.Active = "/desk/" + string(k)
	p.Styles = append(p.Styles, "kinds.css")
	p.Data = d
	h.render(w, r, status, "kinds", p)
}

// KindReport registers a new case of the kind.
func (h *Handler) KindReport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	k, ok := h.deskKind(w, r)
	if !ok {
		return
	}
	data, err := kindData(r.PostForm, kindNewFields[k], k)
	var c *casework.Case
	if err == nil {
		c, err = h.Cases.Report(r.Context(), a, casework.ReportInput{Kind: k, Details: r.PostFormValue("details"),
			Address: r.PostFormValue("address"), KindData: data})
	}
	if err != nil {
		p := h.newPage(w, r, deskTitle(k))
		p.Form = r.PostForm
		p.setError(err)
		p.Error = p.Msg(err) // at the top too: a kind form's fields are the kind's
		status := http.StatusUnprocessableEntity
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			status = http.StatusForbidden
		}
		h.showDesk(w, r, a, k, p, status)
		return
	}
	http.Redirect(w, r, "/desk/"+string(k)+"/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func (h *Handler) deskCase(w http.ResponseWriter, r *http.Request, a org.Actor) (*casework.Case, bool) {
	k, ok := h.deskKind(w, r)
	if !ok {
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, jiedao.NotFound("案件", "case"))
		return nil, false
	}
	c, err := h.Cases.Get(r.Context(), a, id)
	if err == nil && c.Kind != k {
		err = jiedao.NotFound("案件", "case")
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// KindCase shows a case of a kind: its fields, clocks, documents, history
// and the forms of the steps the viewer may take.
func (h *Handler) KindCase(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	c, ok := h.deskCase(w, r, a)
	if !ok {
		return
	}
	h.showKindCase(w, r, a, c, h.newPage(w, r, c.Kind.Zh()+" "+c.Number+"|"+string(c.Kind)+" "+c.Number), http.StatusOK)
}

func (h *Handler) showKindCase(w http.ResponseWriter, r *http.Request, a org.Actor, c *casework.Case, p *page, status int) {
	row, err := h.kindRow(r, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	events, err := h.Cases.Events(r.Context(), a, c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := kindCase{kindRow: row, Events: events}
	if c.KindState != nil {
		for _, t := range c.KindState.Tags {
			p, ok := strings.CutPrefix(t, "person:")
			if !ok {
				continue
			}
			same, _, err := h.Cases.List(r.Context(), a, casework.Filter{Person: p, Limit: 50})
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, s := range same {
				if s.ID != c.ID && !slices.ContainsFunc(d.Same, func(x *casework.Case) bool { return x.ID == s.ID }) {
					d.Same = append(d.Same, s)
				}
			}
		}
	}
	for _, act := range append([]casework.Action{casework.ActAccept}, casework.Actions()...) {
		if !act.ForKinds() && (act != casework.ActAccept || len(d.Steps) > 0) {
			continue // accept once, first
		}
		if casework.CheckStep(a, act, c) != nil {
			continue
		}
		d.Steps = append(d.Steps, kindStepForm{Action: act, Zh: act.Zh(), Reason: casework.ReasonRequired(act), Fields: kindStepFields[act]})
	}
	if c.Kind == casework.KindEnforcement {
		d.Docs = h.kindDocs(c)
	}
	p.Active = "/desk/" + string(c.Kind)
	p.Styles = append(p.Styles, "kinds.css")
	p.Data = d
	h.render(w, r, status, "kindcase", p)
}

// KindStep takes a kind step from its form.
func (h *Handler) KindStep(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	c, ok := h.deskCase(w, r, a)
	if !ok {
		return
	}
	act := casework.Action(r.PostFormValue("action"))
	data, err := kindData(r.PostForm, kindStepFields[act], c.Kind)
	if err == nil {
		in := casework.StepInput{Action: act, Reason: r.PostFormValue("reason")}
		if string(data) != "{}" {
			in.KindData = data
		}
		_, err = h.Cases.Step(r.Context(), a, c.ID, in)
	}
	if err != nil {
		p := h.newPage(w, r, c.Kind.Zh()+" "+c.Number+"|"+string(c.Kind)+" "+c.Number)
		p.Form = r.PostForm
		p.setError(err)
		p.Error = p.Msg(err) // at the top too: a kind form's fields are the kind's
		status := http.StatusUnprocessableEntity
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			status = http.StatusForbidden
		}
		h.showKindCase(w, r, a, c, p, status)
		return
	}
	http.Redirect(w, r, "/desk/"+string(c.Kind)+"/"+strconv.FormatInt(c.ID, 10)+"?done="+string(act), http.StatusSeeOther)
}

// kindFieldData is one field of a kind form, for the "kindfield" template.
type kindFieldData struct {
	P *page
	F kindField
}

// kindFieldZh names the kinds' fields in Chinese, for the case page.
var kindFieldZh = map[string]string{
	"type": "类型", "amount": "标的金额", "level": "层级", "parties": "当事人", "mediators": "调解员", "sessions": "调解记录",
	"outcome": "调解结果", "result_at": "结果日期", "agreement": "调解协议", "channel": "渠道", "petitioner": "信访人",
	"repeat": "重复信访", "previous": "此前信访次数", "skip_level": "越级", "backlog": "积案", "litigation": "涉法涉诉",
	"stage": "阶段", "accepted_at": "受理日期", "answers": "答复意见", "legal_reason": "导入法律程序理由", "cleared_at": "化解日期",
	"subtype": "类型", "party": "当事人", "violation": "违法行为", "filed_at": "立案日期", "notice_at": "告知日期",
	"proposed_fine": "拟处罚款", "hearing_requested_at": "申请听证", "hearing_noticed_at": "听证通知", "hearing_at": "听证日期",
	"decision_at": "决定日期", "fine": "罚款", "paid_at": "缴款日期", "late_fee": "加处罚款", "documents": "文书", "services": "送达记录",
	"item": "检查事项", "claimed_at": "认领日期", "done_at": "完成日期", "operator": "运营企业", "bikes": "车辆数",
	"serious": "较大以上", "linked": "关联告警", "called_at": "接警时间", "dispatched_at": "出动时间", "arrived_at": "到场时间",
	"reports": "信息报送", "other_cases": "同一人其他案件数", "stage_at": "阶段时间", "effective_at": "生效时间",
	"follow_ups": "回访次数", "confirm_applied_at": "申请司法确认", "performed": "已履行", "written": "书面协议",
	"petitioner_name": "信访人", "legal_route": "访诉分离",
}

// kindActionEn names the case kinds' steps in English.
var kindActionEn = map[casework.Action]string{
	casework.ActClockPause: "Pause a clock", casework.ActClockResume: "Resume a clock", casework.ActClockExtend: "Extend a clock",
	casework.ActConclude: "Close", casework.ActMediate: "Mediation session", casework.ActMediationResult: "Mediation result",
	casework.ActAgreementSeal: "Agreement signed and sealed", casework.ActFollowUp: "Performance follow-up",
	casework.ActJudicialConfirm: "Judicial confirmation", casework.ActPetitionAccept: "Accept the petition",
	casework.ActPetitionDecline: "Decline", casework.ActPetitionAnswer: "Give the opinion", casework.ActPetitionReview: "Review requested",
	casework.ActLegalRoute: "To the legal channel", casework.ActBacklogClear: "Backlog cleared", casework.ActInvestigate: "Investigate",
	casework.ActNotify: "Notify", casework.ActHearingRequest: "Hearing requested", casework.ActHearing: "Hearing",
	casework.ActDecide: "Decide", casework.ActServe: "Serve", casework.ActExecute: "Carry out", casework.ActInspect: "Inspection done",
	casework.ActDutyDispatch: "Dispatch", casework.ActArrive: "Arrive", casework.ActDutyReport: "Report up", casework.ActDutyDone: "Done",
}
