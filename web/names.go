package web

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
)

// funcs are the template functions that need no request.
var funcs = template.FuncMap{
	"asset": assetURL,
	"add":   func(a, b int) int { return a + b },
	"itoa":  func(n int64) string { return strconv.FormatInt(n, 10) },
	"deref": func(f *float64) float64 {
		if f == nil {
			return 0
		}
		return *f
	},
	"rfc3339":  func(t time.Time) string { return t.Format(time.RFC3339) },
	"export":   exportLink,
	"exportIn": exportIn, // a subdistrict's dashboard (district.go)
	"evalT": func(p *page, rows []evalRow, overdue bool) evalTable {
		return evalTable{P: p, Rows: rows, Overdue: overdue}
	},
	"row": func(p *page, c caseView, n *names) rowData { return rowData{P: p, C: c, N: n} },
	"tbl": func(p *page, t *listTable) tableView { return tableView{P: p, T: t} },
	// tierZh names a building's tier (enterprise.go).
	"tierZh": enterprise.TierZh,
	// stageOf is the stage of the photos a step carries (处置前/处置后/核查).
	"stageOf": casework.PhotoStageOf,
	// The case kinds' forms and clocks (web/kinds.go).
	"kfield": func(p *page, f kindField) kindFieldData { return kindFieldData{P: p, F: f} },
	"neg":    func(n int) int { return -n },
	// money prints tax and other sums as the work report does (万元, 亿元).
	"money": moneyZh,
	// the duty roster page (web/roster.go)
	"list":    func(v ...string) []string { return v },
	"seq":     func(n int) []int { return make([]int, max(n, 0)) },
	"rpeople": func(p *page, m *duty.Month, field string) rosterPeople { return rosterPeople{P: p, M: m, F: field} },
}

// moneyZh prints an amount the way the office reads it: "3.39 亿元",
// "338.98 万元", "950.00 元"; the exact amount in yuan stays in the
// element's title where the template puts it.
func moneyZh(m enterprise.Money) string { return amount(m.Yuan(), "元") + "元" }

// evalTable is an evaluation table for the "evaltable" template.
type evalTable struct {
	P       *page
	Rows    []evalRow
	Overdue bool
}

// rowData is one case in a list, for the "caserow" template.
type rowData struct {
	P *page
	C caseView
	N *names
}

func itoa(n int) string { return strconv.Itoa(n) }

// English names of what the domain names in Chinese only.
var (
	statusEn = map[casework.Status]string{
		casework.StatusReported: "Awaiting acceptance", casework.StatusAccepted: "Accepted", casework.StatusRejected: "Rejected",
		casework.StatusDispatched: "Awaiting sign-for", casework.StatusSigned: "Signed for", casework.StatusReturned: "Returned",
		casework.StatusHandling: "Being handled", casework.StatusHandled: "Awaiting verification", casework.StatusRework: "Rework",
		casework.StatusVerified: "Awaiting closing", casework.StatusClosed: "Closed", casework.StatusEscalated: "Escalated",
		casework.StatusHung: "On hold", casework.StatusVoided: "Void", casework.StatusMerged: "Merged",
	}
	actionEn = map[casework.Action]string{
		casework.ActReport: "Reported", casework.ActAccept: "Accept", casework.ActReject: "Reject", casework.ActDispatch: "Dispatch",
		casework.ActSign: "Sign for", casework.ActReturn: "Return", casework.ActStart: "Start handling", casework.ActHandle: "Report handled",
		casework.ActVerify: "Verify: passed", casework.ActRework: "Verify: rework", casework.ActClose: "Close", casework.ActRate: "Rate",
		casework.ActReopen: "Reopen", casework.ActEscalate: "Escalate", casework.ActSupervise: "Supervise",
		casework.ActRequestExtension: "Request extension", casework.ActApproveExtension: "Approve extension",
		casework.ActDenyExtension: "Deny extension", casework.ActHang: "Put on hold", casework.ActResume: "Resume",
		casework.ActVoid: "Void", casework.ActMerge: "Merge", casework.ActTransfer: "Transfer to another subdistrict", casework.ActComment: "Add a note",
		casework.ActWarn: "Warning", casework.ActOverdue: "Overdue", casework.ActSelfHandle: "Handled on the spot",
	}
	channelEn = map[casework.Channel]string{
		casework.ChannelXihuCode: "Xihu code", casework.ChannelPingan: "Ping'an Tong", casework.ChannelGrid: "Grid Tong",
		casework.ChannelIoT: "Sensors", casework.ChannelPolice: "Police linkage", casework.ChannelHotline: "12345 hotline",
		casework.ChannelEnterprise: "Enterprise", casework.ChannelOther: "Other",
	}
	urgencyNames = map[casework.Urgency][2]string{
		casework.UrgencyNormal: {"一般", "Normal"}, casework.UrgencyUrgent: {"紧急", "Urgent"}, casework.UrgencyCritical: {"特急", "Critical"},
	}
	ratingEn = map[casework.Rating]string{
		casework.RatingSatisfied: "Satisfied", casework.RatingBasic: "Basically satisfied", casework.RatingUnsatisfied: "Unsatisfied",
	}
	dueEn  = map[casework.DueState]string{casework.DueOK: "In time", casework.DueWarning: "Warning", casework.DueOverdue: "Overdue"}
	roleEn = map[org.Role]string{
		org.RoleAdmin: "Administrator", org.RoleDispatcher: "Dispatcher", org.RoleUnitLead: "Unit lead",
		org.RoleUnitHandler: "Unit handler", org.RoleGridWorker: "Grid worker", org.RoleCommunityStaff: "Community staff",
		org.RoleLeader: "Leader", org.RoleEnterpriseService: "Enterprise service",
	}
	outcomeEn = map[org.LoginOutcome]string{
		org.LoginSuccess: "Signed in", org.LoginWrongPassword: "Wrong password", org.LoginUnknownUser: "No such user",
		org.LoginLocked: "Account locked", org.LoginDisabled: "Account disabled",
	}
	stageEn = map[casework.Stage]string{casework.StageSign: "sign-for", casework.StageStart: "start", casework.StageFinish: "finish", casework.StageClose: "close"}
)

func (p *page) pair(v [2]string, def string) string {
	if v[0] == "" {
		return def
	}
	return p.T(v[0], v[1])
}

// named picks the Chinese or English name of a known value; an unknown
// one (no English name) shows as def.
func (p *page) named(zh, en, def string) string {
	if en == "" {
		return def
	}
	return p.T(zh, en)
}

// StatusName, ActionName … name a domain value in the page's language.
func (p *page) StatusName(s casework.Status) string { return p.T(s.Zh(), statusEn[s]) }
func (p *page) ActionName(a casework.Action) string {
	en, ok := actionEn[a]
	if !ok {
		en = kindActionEn[a] // the case kinds' steps (web/kinds.go)
	}
	return p.T(a.Zh(), en)
}
func (p *page) ChannelName(c casework.Channel) string {
	return p.named(c.Zh(), channelEn[c], string(c))
}
func (p *page) UrgencyName(u casework.Urgency) string { return p.pair(urgencyNames[u], string(u)) }
func (p *page) RatingName(r casework.Rating) string   { return p.named(r.Zh(), ratingEn[r], string(r)) }
func (p *page) RoleName(r org.Role) string            { return p.T(r.Zh(), roleEn[r]) }
func (p *page) OutcomeName(o org.LoginOutcome) string { return p.T(o.Zh(), outcomeEn[o]) }
func (p *page) StageName(s casework.Stage) string     { return p.T(s.Zh(), stageEn[s]) }

// PhotoLabel names a photo's stage: 处置前, 处置后 or 核查.
func (p *page) PhotoLabel(s casework.PhotoStage) string {
	en := "Before"
	switch s {
	case casework.PhotoAfter:
		en = "After"
	case casework.PhotoCheck:
		en = "Check"
	}
	return p.T(s.Zh(), en)
}
func (p *page) DueName(d casework.DueState) string { return p.named(d.Zh(), dueEn[d], "") }

// Time shows a time in China Standard Time.
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Zone()).Format("2006-01-02 15:04")
}

// TimeP shows an optional time.
func (p *page) TimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Time(*t)
}

// Left says how long until a deadline, or how long past it: the inbox's
// countdown (static/app.js keeps it ticking).
func (p *page) Left(due time.Time) string {
	d := due.Sub(p.Now)
	over := d < 0
	if over {
		d = -d
	}
	s := span(d, p.Lang)
	if over {
		return p.T("超期 "+s, "overdue by "+s)
	}
	return p.T("剩余 "+s, s+" left")
}

// Span is a duration as the countdowns write it (3天2小时, 45分钟).
func (p *page) Span(d time.Duration) string { return span(d, p.Lang) }

func span(d time.Duration, lang string) string {
	days := int(d.Hours()) / 24
	hours := int(d.Hours()) % 24
	mins := int(d.Minutes()) % 60
	if lang == "en" {
		switch {
		case days > 0:
			return fmt.Sprintf("%dd %dh", days, hours)
		case hours > 0:
			return fmt.Sprintf("%dh %dm", hours, mins)
		}
		return fmt.Sprintf("%dm", mins)
	}
	switch {
	case days > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d小时%d分", hours, mins)
	}
	return fmt.Sprintf("%d分钟", mins)
}

// RoleOf names a role given as a string (events keep it so).
func (p *page) RoleOf(r string) string { return p.RoleName(org.Role(r)) }

// IsRole reports whether the viewer has the role.
func (p *page) IsRole(r string) bool { return p.Actor.Is(org.Role(r)) }
