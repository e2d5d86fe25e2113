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
}

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
	case ActReport, ActWarn, ActOverdue, ActAlarmRepeat, ActAlarmClear:
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
	case r.to == "":
		return c.Status
	}
	return r.to
}
