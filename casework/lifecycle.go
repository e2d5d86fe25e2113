package casework

import (
	"slices"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Action is a step of the loop.
type Action string

const (
	ActReport           Action = "report"            // 上报
	ActAccept           Action = "accept"            // 受理/立案
	ActReject           Action = "reject"            // 不予受理
	ActDispatch         Action = "dispatch"          // 派遣 (also re-dispatch)
	ActSign             Action = "sign"              // 签收
	ActReturn           Action = "return"            // 退回
	ActStart            Action = "start"             // 开始处置
	ActHandle           Action = "handle"            // 反馈/办结
	ActVerify           Action = "verify"            // 核查通过
	ActRework           Action = "rework"            // 核查不通过, 返工
	ActClose            Action = "close"             // 结案
	ActRate             Action = "rate"              // 评价
	ActReopen           Action = "reopen"            // 重新办理 after an unsatisfied rating
	ActEscalate         Action = "escalate"          // 上报上级
	ActSupervise        Action = "supervise"         // 督办
	ActRequestExtension Action = "request_extension" // 申请延期
	ActApproveExtension Action = "approve_extension" // 批准延期
	ActDenyExtension    Action = "deny_extension"    // 驳回延期
	ActHang             Action = "hang"              // 挂账
	ActResume           Action = "resume"            // 解除挂账
	ActVoid             Action = "void"              // 作废
	ActMerge            Action = "merge"             // 合并
	ActComment          Action = "comment"           // 补充说明: a note from anyone who may see the case
	ActWarn             Action = "warn"              // 预警 (system)
	ActOverdue          Action = "overdue"           // 超期 (system)
	ActAlarmRepeat      Action = "alarm_repeat"      // 告警重复: the device alarmed again (machine; package intake)
	ActAlarmClear       Action = "alarm_clear"       // 告警解除: the device says the alarm is over (machine; package intake)
	ActSelfHandle       Action = "self_handle"       // 自行处置: the staff member who reported it handled it on the spot
)

// The steps of the case kinds with legal clocks (kind.go, docs/kinds.md).
// Each takes the kind's input (StepInput.KindData), checked by the kind's
// package; a step of one kind is refused on a case of another.
const (
	// Any kind: its statutory clocks, and the close of a kind case.
	ActClockPause  Action = "clock_pause"  // 暂停计时 (听证、检测鉴定、当事人补正)
	ActClockResume Action = "clock_resume" // 恢复计时
	ActClockExtend Action = "clock_extend" // 延长时限 (approved by the taker)
	ActConclude    Action = "conclude"     // 结案 (a kind case, after its last step)
	// Disputes (人民调解).
	ActMediate         Action = "mediate"          // 调解 (a session)
	ActMediationResult Action = "mediation_result" // 调解结果
	ActAgreementSeal   Action = "agreement_seal"   // 协议签字盖章 (§28–29)
	ActFollowUp        Action = "follow_up"        // 履行回访 (§31)
	ActJudicialConfirm Action = "judicial_confirm" // 司法确认 (§33)
	// Petitions (信访).
	ActPetitionAccept  Action = "petition_accept"  // 受理
	ActPetitionDecline Action = "petition_decline" // 不予受理
	ActPetitionAnswer  Action = "petition_answer"  // 出具处理意见 / 复查意见 / 复核意见
	ActPetitionReview  Action = "petition_review"  // 请求复查 / 复核
	ActLegalRoute      Action = "legal_route"      // 访诉分离：导入法律程序
	ActBacklogClear    Action = "backlog_clear"    // 积案化解
	// Enforcement (综合行政执法).
	ActInvestigate    Action = "investigate"     // 调查取证
	ActNotify         Action = "notify"          // 告知 (告知书)
	ActHearingRequest Action = "hearing_request" // 申请听证
	ActHearing        Action = "hearing"         // 听证通知 / 举行听证
	ActDecide         Action = "decide"          // 处罚决定 (处罚决定书)
	ActServe          Action = "serve"           // 送达
	ActExecute        Action = "execute"         // 执行 (罚款缴纳)
	ActInspect        Action = "inspect"         // 赋权检查完成
	// Emergency duty (应急值守).
	ActDutyDispatch Action = "duty_dispatch" // 出动
	ActArrive       Action = "arrive"        // 到场
	ActDutyReport   Action = "duty_report"   // 初报 / 续报 / 终报
	ActDutyDone     Action = "duty_done"     // 处置完毕
)

// Zh returns the action's Chinese name.
func (a Action) Zh() string {
	if r, ok := rules[a]; ok {
		return r.zh
	}
	return string(a)
}

// actorRule says who may take a step; unitOwn means staff of the unit the
// case is dispatched to, placeOwn the grid worker of its grid or the
// community staff of its community.
type actorRule struct {
	roles    []org.Role
	unitOwn  bool
	placeOwn bool
	public   bool // residents and machine clients
	client   bool // machine clients only: what a device platform reports, no person
	system   bool
	// ownReport are roles that may take the step only on a case they
	// reported themselves (自行处置).
	ownReport []org.Role
	// noOfficer: a kind's officer may not take this dispatcher's step.
	noOfficer bool
}

// rule is one row of the transition table.
type rule struct {
	zh     string
	from   []Status // nil: any open status
	to     Status   // "" keeps the status
	who    actorRule
	reason bool // a reason is required
	// onSpot, when set, replaces who on a case handled on the spot
	// (自行处置): the command center verifies it, not the one who did it.
	onSpot *actorRule
	// kinds: a kind's own step, for cases of these kinds only.
	kinds []Kind
}

var (
	dispatcher    = actorRule{roles: []org.Role{org.RoleDispatcher}}
	unitStaff     = actorRule{unitOwn: true}
	verifiers     = actorRule{roles: []org.Role{org.RoleDispatcher}, placeOwn: true}
	onSpotHandler = actorRule{ownReport: []org.Role{org.RoleGridWorker, org.RoleCommunityStaff}}
	supervisors   = actorRule{roles: []org.Role{org.RoleDispatcher, org.RoleLeader}, system: true}
	systemOnly    = actorRule{system: true}
	machines      = actorRule{client: true, system: true}
	unitWorkStart = []Status{StatusSigned, StatusRework}
	// A note may be added at any time, a closed case included (a resident
	// adding to his rating), but not to a rejected, voided or merged one.
	commentable = []Status{StatusReported, StatusAccepted, StatusDispatched, StatusSigned, StatusReturned, StatusHandling,
		StatusHandled, StatusRework, StatusVerified, StatusClosed, StatusEscalated, StatusHung}
)

// rules is the state machine. It is the one place that says which step may
// follow which, and who may take it.
var rules = map[Action]rule{
	ActReport:   {zh: "上报", to: StatusReported, who: actorRule{public: true, system: true, roles: org.Roles()}},
	ActAccept:   {zh: "受理", from: []Status{StatusReported}, to: StatusAccepted, who: dispatcher},
	ActReject:   {zh: "不予受理", from: []Status{StatusReported}, to: StatusRejected, who: dispatcher, reason: true},
	ActDispatch: {zh: "派遣", from: []Status{StatusAccepted, StatusReturned, StatusDispatched, StatusEscalated}, to: StatusDispatched, who: dispatcher},
	ActSign:     {zh: "签收", from: []Status{StatusDispatched}, to: StatusSigned, who: unitStaff},
	ActReturn:   {zh: "退回", from: []Status{StatusDispatched, StatusSigned}, to: StatusReturned, who: unitStaff, reason: true},
	ActStart:    {zh: "开始处置", from: unitWorkStart, to: StatusHandling, who: unitStaff},
	// Handling is reported with what was done (the reason); a category
	// may also require a photo of the result (Category.AfterPhoto).
	ActHandle: {zh: "处置反馈", from: []Status{StatusSigned, StatusHandling, StatusRework}, to: StatusHandled, who: unitStaff, reason: true},
	// 自行处置: a grid worker (or community staff) who reported a small
	// problem handled it there and then; the case goes straight to
	// verification by the command center, and is counted apart
	// (Case.SelfHandled, Filter.SelfHandled).
	ActSelfHandle:       {zh: "自行处置", from: []Status{StatusReported}, to: StatusHandled, who: onSpotHandler, reason: true},
	ActVerify:           {zh: "核查通过", from: []Status{StatusHandled}, to: StatusVerified, who: verifiers, onSpot: &dispatcher},
	ActRework:           {zh: "核查不通过（返工）", from: []Status{StatusHandled}, to: StatusRework, who: verifiers, reason: true, onSpot: &dispatcher},
	ActClose:            {zh: "结案", from: []Status{StatusVerified, StatusEscalated}, to: StatusClosed, who: dispatcher},
	ActRate:             {zh: "评价", from: []Status{StatusClosed}, who: actorRule{roles: []org.Role{org.RoleDispatcher}, public: true}},
	ActReopen:           {zh: "重新办理", from: []Status{StatusClosed}, to: StatusAccepted, who: dispatcher, reason: true},
	ActEscalate:         {zh: "上报上级", from: []Status{StatusAccepted, StatusReturned}, to: StatusEscalated, who: dispatcher, reason: true},
	ActSupervise:        {zh: "督办", who: supervisors, reason: true},
	ActRequestExtension: {zh: "申请延期", from: []Status{StatusSigned, StatusHandling, StatusRework}, who: unitStaff, reason: true},
	ActApproveExtension: {zh: "批准延期", from: []Status{StatusSigned, StatusHandling, StatusRework}, who: dispatcher},
	ActDenyExtension:    {zh: "驳回延期", from: []Status{StatusSigned, StatusHandling, StatusRework}, who: dispatcher, reason: true},
	ActHang:             {zh: "挂账", to: StatusHung, who: dispatcher, reason: true},
	ActResume:           {zh: "解除挂账", from: []Status{StatusHung}, who: dispatcher},
	ActVoid:             {zh: "作废", to: StatusVoided, who: dispatcher, reason: true},
	ActMerge:            {zh: "合并", to: StatusMerged, who: dispatcher},
	ActComment:          {zh: "补充说明", from: commentable, who: actorRule{public: true, roles: org.Roles()}, reason: true},
	ActWarn:             {zh: "预警", who: systemOnly},
	ActOverdue:          {zh: "超期", who: systemOnly},
	// A device's alarm platform folds a repeat into the open case and
	// records the all-clear, even on a closed case (the clear often comes
	// after the command center closed a false alarm).
	ActAlarmRepeat: {zh: "告警重复", who: machines},
	ActAlarmClear:  {zh: "告警解除", from: commentable, who: machines},

	// The case kinds' steps (kind.go). A kind's officer may take them,
	// and the command center; every kind case starts as any case does
	// (reported, accepted) and ends closed.
	ActClockPause:  {zh: "暂停计时", from: kindWorking, who: dispatcher, reason: true, kinds: Kinds()},
	ActClockResume: {zh: "恢复计时", from: kindWorking, who: dispatcher, kinds: Kinds()},
	ActClockExtend: {zh: "延长时限", from: kindWorking, who: approvers, reason: true, kinds: Kinds()},
	ActConclude:    {zh: "结案", from: []Status{StatusHandled}, to: StatusClosed, who: dispatcher, kinds: Kinds()},

	ActMediate:         {zh: "调解", from: []Status{StatusAccepted, StatusHandling}, to: StatusHandling, who: dispatcher, kinds: []Kind{KindDispute}},
	ActMediationResult: {zh: "调解结果", from: []Status{StatusHandling}, to: StatusHandled, who: dispatcher, kinds: []Kind{KindDispute}},
	ActAgreementSeal:   {zh: "协议签字盖章", from: []Status{StatusHandled}, who: dispatcher, kinds: []Kind{KindDispute}},
	ActFollowUp:        {zh: "履行回访", from: []Status{StatusHandled, StatusClosed}, who: dispatcher, kinds: []Kind{KindDispute}},
	ActJudicialConfirm: {zh: "司法确认", from: []Status{StatusHandled, StatusClosed}, who: dispatcher, kinds: []Kind{KindDispute}},

	ActPetitionAccept:  {zh: "决定受理", from: []Status{StatusAccepted}, to: StatusHandling, who: dispatcher, kinds: []Kind{KindPetition}},
	ActPetitionDecline: {zh: "不予受理", from: []Status{StatusAccepted}, to: StatusClosed, who: dispatcher, reason: true, kinds: []Kind{KindPetition}},
	ActPetitionAnswer:  {zh: "出具意见", from: []Status{StatusHandling}, to: StatusHandled, who: dispatcher, kinds: []Kind{KindPetition}},
	ActPetitionReview:  {zh: "请求复查/复核", from: []Status{StatusHandled, StatusClosed}, to: StatusHandling, who: dispatcher, reason: true, kinds: []Kind{KindPetition}},
	ActLegalRoute:      {zh: "导入法律程序", from: []Status{StatusAccepted, StatusHandling}, to: StatusClosed, who: dispatcher, reason: true, kinds: []Kind{KindPetition}},
	ActBacklogClear:    {zh: "积案化解", from: []Status{StatusHandling, StatusHandled}, to: StatusClosed, who: dispatcher, reason: true, kinds: []Kind{KindPetition}},

	ActInvestigate:    {zh: "调查取证", from: []Status{StatusAccepted}, to: StatusHandling, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActNotify:         {zh: "告知", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActHearingRequest: {zh: "申请听证", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActHearing:        {zh: "听证", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActDecide:         {zh: "处罚决定", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActServe:          {zh: "送达", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActExecute:        {zh: "执行", from: []Status{StatusHandling}, to: StatusHandled, who: dispatcher, kinds: []Kind{KindEnforcement}},
	ActInspect:        {zh: "检查完成", from: []Status{StatusAccepted, StatusHandling}, to: StatusHandled, who: dispatcher, kinds: []Kind{KindEnforcement}},

	ActDutyDispatch: {zh: "出动", from: []Status{StatusAccepted}, to: StatusHandling, who: dispatcher, kinds: []Kind{KindDuty}},
	ActArrive:       {zh: "到场", from: []Status{StatusHandling}, who: dispatcher, kinds: []Kind{KindDuty}},
	ActDutyReport:   {zh: "信息报送", from: []Status{StatusAccepted, StatusHandling, StatusHandled}, who: dispatcher, kinds: []Kind{KindDuty}},
	ActDutyDone:     {zh: "处置完毕", from: []Status{StatusHandling}, to: StatusHandled, who: dispatcher, kinds: []Kind{KindDuty}},
}

var (
	// kindWorking: the statuses in which a kind case's clocks run.
	kindWorking = []Status{StatusReported, StatusAccepted, StatusHandling, StatusHandled}
	// approvers grant an extension of a statutory clock: the leader, the
	// command center (and, through dispatcher's rows, a kind's officer
	// does not: extensions need someone above the case).
	approvers = actorRule{roles: []org.Role{org.RoleLeader, org.RoleDispatcher}, noOfficer: true}
)

// Actions lists every action.
func Actions() []Action {
	out := make([]Action, 0, len(rules))
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Known reports whether a is an action of the loop.
func (a Action) Known() bool { _, ok := rules[a]; return ok }

// allowedFrom reports whether the action may start from status s.
func (r rule) allowedFrom(s Status) bool {
	if r.from == nil {
		return s.Open() && (s != StatusHung || r.to != StatusHung)
	}
	return slices.Contains(r.from, s)
}

// CheckStep says whether actor may take action on c now: the state first,
// then the actor. The error says why not, in Chinese and English, and
// nothing has changed.
func CheckStep(a org.Actor, action Action, c *Case) error {
	r, ok := rules[action]
	if !ok {
		return jiedao.Invalid("action", "未知的操作："+string(action), "unknown action: "+string(action))
	}
	if c != nil && !r.forKind(c.Kind) {
		return &jiedao.Error{Code: jiedao.ECONFLICT, Field: "action",
			Zh: "“" + r.zh + "”不适用于" + c.Kind.Zh() + "类案件",
			En: string(action) + " does not apply to a case of kind " + kindName(c.Kind)}
	}
	if c != nil && !r.allowedFrom(c.Status) {
		return &jiedao.Error{Code: jiedao.ECONFLICT,
			Zh: "案件当前状态为“" + c.Status.Zh() + "”，不能" + r.zh,
			En: "the case is " + string(c.Status) + ": " + string(action) + " is not possible now"}
	}
	who := r.who
	if r.onSpot != nil && c != nil && c.SelfHandled {
		who = *r.onSpot
	}
	if !who.allows(a, c) {
		return jiedao.Forbidden("您无权对此案件执行“"+r.zh+"”", "you may not "+string(action)+" this case")
	}
	return nil
}

func (w actorRule) allows(a org.Actor, c *Case) bool {
	switch a.Kind {
	case org.ActorSystem:
		return w.system
	case org.ActorResident:
		return w.public
	case org.ActorClient:
		return w.public || w.client
	}
	if slices.Contains(w.roles, a.Role) {
		return true
	}
	if c == nil {
		return false
	}
	if slices.Contains(w.ownReport, a.Role) && c.ReporterID != 0 && c.ReporterID == a.ID {
		return true
	}
	// A kind's officer is the command center of the cases of its kind.
	if c.Kind != KindOrdinary && a.Role == c.Kind.Officer() && !w.noOfficer && slices.Contains(w.roles, org.RoleDispatcher) {
		return true
	}
	if w.unitOwn && a.Role.IsUnitRole() && c.UnitID != 0 && a.UnitID == c.UnitID {
		return true
	}
	if w.placeOwn {
		if a.Role == org.RoleGridWorker && a.InGrid(c.GridID) {
			return true
		}
		if a.Role == org.RoleCommunityStaff && c.Community != 0 && a.CommunityID == c.Community {
			return true
		}
	}
	return false
}

// viaStep reports whether Service.Step takes the action: the report, the
// deadline job's marks and the device alarms each come by their own path.
func viaStep(a Action) bool {
	switch a {
	case ActReport, ActWarn, ActOverdue, ActAlarmRepeat, ActAlarmClear, ActTransfer:
		return false
	}
	return true
}

// ReasonRequired reports whether the action needs a reason.
func ReasonRequired(action Action) bool { return rules[action].reason }

// Target returns the status the action leads to from c's status.
func Target(action Action, c *Case) Status {
	r := rules[action]
	switch {
	case action == ActResume:
		return c.HungFrom
	case action == ActTransfer:
		// Back to the command center: a case not yet accepted waits to be;
		// another waits to be dispatched.
		if c.Status == StatusReported {
			return StatusReported
		}
		return StatusAccepted
	case r.to == "":
		return c.Status
	}
	return r.to
}
