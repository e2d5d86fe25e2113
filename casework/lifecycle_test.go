package casework_test

import (
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Actors for the pure rule tests: the case below is dispatched to unit 10,
// lies in grid 100 of community 50.
var (
	aDispatcher     = org.Actor{Kind: org.ActorStaff, ID: 1, Name: "调度", Role: org.RoleDispatcher, UnitID: 1}
	aAdmin          = org.Actor{Kind: org.ActorStaff, ID: 2, Name: "管理", Role: org.RoleAdmin}
	aLeader         = org.Actor{Kind: org.ActorStaff, ID: 3, Name: "领导", Role: org.RoleLeader}
	aUnitHandler    = org.Actor{Kind: org.ActorStaff, ID: 4, Name: "经办", Role: org.RoleUnitHandler, UnitID: 10}
	aUnitLead       = org.Actor{Kind: org.ActorStaff, ID: 5, Name: "科长", Role: org.RoleUnitLead, UnitID: 10}
	aOtherUnit      = org.Actor{Kind: org.ActorStaff, ID: 6, Name: "别的单位", Role: org.RoleUnitHandler, UnitID: 11}
	aGridWorker     = org.Actor{Kind: org.ActorStaff, ID: 7, Name: "网格员", Role: org.RoleGridWorker, GridIDs: []int64{99, 100}}
	aOtherGrid      = org.Actor{Kind: org.ActorStaff, ID: 8, Name: "别的网格员", Role: org.RoleGridWorker, GridIDs: []int64{101}}
	aCommunity      = org.Actor{Kind: org.ActorStaff, ID: 9, Name: "社工", Role: org.RoleCommunityStaff, CommunityID: 50}
	aOtherCommunity = org.Actor{Kind: org.ActorStaff, ID: 10, Name: "别的社工", Role: org.RoleCommunityStaff, CommunityID: 51}
	aResident       = org.ResidentActor("居民")
	aClient         = org.Actor{Kind: org.ActorClient, ID: 20, Name: "12345", Channel: "hotline"}
	aSystem         = org.SystemActor()
)

func ruleCase(s casework.Status) *casework.Case {
	return &casework.Case{ID: 1, Status: s, UnitID: 10, GridID: 100, Community: 50, HungFrom: casework.StatusHandling, ReporterID: aGridWorker.ID}
}

func TestCheckStepRuleTable(t *testing.T) {
	type row struct {
		action       casework.Action
		allowed      []org.Actor
		from         []casework.Status // every status it may start from
		refusedActor []org.Actor
	}
	S := func(s ...casework.Status) []casework.Status { return s }
	A := func(a ...org.Actor) []org.Actor { return a }
	open := S(casework.StatusReported, casework.StatusAccepted, casework.StatusDispatched, casework.StatusSigned,
		casework.StatusReturned, casework.StatusHandling, casework.StatusHandled, casework.StatusRework,
		casework.StatusVerified, casework.StatusEscalated, casework.StatusHung)
	openNotHung := open[:len(open)-1]
	rows := []row{
		{casework.ActAccept, A(aDispatcher), S(casework.StatusReported), A(aLeader, aAdmin, aUnitHandler, aResident, aSystem)},
		{casework.ActReject, A(aDispatcher), S(casework.StatusReported), A(aUnitHandler, aLeader, aClient)},
		{casework.ActDispatch, A(aDispatcher), S(casework.StatusAccepted, casework.StatusReturned, casework.StatusDispatched, casework.StatusEscalated), A(aAdmin, aLeader, aUnitLead)},
		{casework.ActSign, A(aUnitHandler, aUnitLead), S(casework.StatusDispatched), A(aOtherUnit, aDispatcher, aGridWorker)},
		{casework.ActReturn, A(aUnitLead, aUnitHandler), S(casework.StatusDispatched, casework.StatusSigned), A(aDispatcher, aOtherUnit)},
		{casework.ActStart, A(aUnitHandler), S(casework.StatusSigned, casework.StatusRework), A(aGridWorker, aOtherUnit, aDispatcher)},
		{casework.ActHandle, A(aUnitHandler, aUnitLead), S(casework.StatusSigned, casework.StatusHandling, casework.StatusRework), A(aOtherUnit, aDispatcher, aSystem)},
		// 自行处置: only by the grid worker or community staff who reported it.
		{casework.ActSelfHandle, A(aGridWorker), S(casework.StatusReported), A(aCommunity, aOtherGrid, aDispatcher, aUnitHandler, aResident, aSystem)},
		{casework.ActVerify, A(aGridWorker, aCommunity, aDispatcher), S(casework.StatusHandled), A(aOtherGrid, aOtherCommunity, aUnitHandler, aLeader)},
		{casework.ActRework, A(aCommunity, aGridWorker, aDispatcher), S(casework.StatusHandled), A(aUnitHandler, aOtherGrid, aResident)},
		{casework.ActClose, A(aDispatcher), S(casework.StatusVerified, casework.StatusEscalated), A(aLeader, aGridWorker, aSystem)},
		{casework.ActRate, A(aResident, aClient, aDispatcher), S(casework.StatusClosed), A(aUnitHandler, aLeader, aSystem)},
		{casework.ActReopen, A(aDispatcher), S(casework.StatusClosed), A(aResident, aLeader)},
		{casework.ActEscalate, A(aDispatcher), S(casework.StatusAccepted, casework.StatusReturned), A(aLeader, aUnitLead)},
		{casework.ActSupervise, A(aLeader, aDispatcher, aSystem), open, A(aAdmin, aUnitLead, aResident)},
		{casework.ActRequestExtension, A(aUnitHandler, aUnitLead), S(casework.StatusSigned, casework.StatusHandling, casework.StatusRework), A(aDispatcher, aOtherUnit)},
		{casework.ActApproveExtension, A(aDispatcher), S(casework.StatusSigned, casework.StatusHandling, casework.StatusRework), A(aUnitLead, aLeader)},
		{casework.ActDenyExtension, A(aDispatcher), S(casework.StatusSigned, casework.StatusHandling, casework.StatusRework), A(aUnitHandler, aLeader)},
		{casework.ActHang, A(aDispatcher), openNotHung, A(aLeader, aUnitLead)},
		{casework.ActResume, A(aDispatcher), S(casework.StatusHung), A(aLeader, aUnitHandler)},
		{casework.ActVoid, A(aDispatcher), open, A(aAdmin, aUnitHandler)},
		{casework.ActMerge, A(aDispatcher), open, A(aGridWorker, aLeader)},
		{casework.ActComment, A(aResident, aClient, aDispatcher, aLeader, aOtherUnit, aOtherGrid, aAdmin), append(S(casework.StatusClosed), open...), A(aSystem, org.Actor{Name: "无名"})},
		{casework.ActWarn, A(aSystem), open, A(aDispatcher, aLeader)},
		{casework.ActOverdue, A(aSystem), open, A(aLeader, aAdmin)},
		{casework.ActAlarmRepeat, A(aClient, aSystem), open, A(aResident, aDispatcher, aLeader)},
		{casework.ActAlarmClear, A(aClient, aSystem), append(S(casework.StatusClosed), open...), A(aResident, aDispatcher, aAdmin)},
		// 转办: a dispatcher, or an admin (Service.Transfer keeps it to the
		// district's: casework.MayTransfer), before the work is reported done.
		{casework.ActTransfer, A(aDispatcher, aAdmin), S(casework.StatusReported, casework.StatusAccepted, casework.StatusDispatched,
			casework.StatusSigned, casework.StatusReturned, casework.StatusHandling, casework.StatusRework, casework.StatusEscalated),
			A(aLeader, aUnitHandler, aGridWorker, aResident, aClient, aSystem)},
	}
	// The case kinds' steps: refused on an ordinary case in every state
	// (package kinds tests them on their kinds).
	for _, a := range casework.Actions() {
		if a.ForKinds() {
			rows = append(rows, row{a, nil, nil, A(aDispatcher, aLeader)})
		}
	}
	covered := map[casework.Action]bool{casework.ActReport: true}
	for _, r := range rows {
		covered[r.action] = true
		for _, st := range casework.Statuses() {
			allowedState := false
			for _, f := range r.from {
				allowedState = allowedState || f == st
			}
			for _, a := range r.allowed {
				err := casework.CheckStep(a, r.action, ruleCase(st))
				switch {
				case allowedState && err != nil:
					t.Errorf("%s by %s from %s: refused: %v", r.action, a.Name, st, err)
				case !allowedState && jiedao.ErrorCode(err) != jiedao.ECONFLICT:
					t.Errorf("%s by %s from %s: got %v, want ECONFLICT", r.action, a.Name, st, err)
				}
			}
			for _, a := range r.refusedActor {
				err := casework.CheckStep(a, r.action, ruleCase(st))
				want := jiedao.EFORBIDDEN
				if !allowedState {
					want = jiedao.ECONFLICT // the state is checked first
				}
				if got := jiedao.ErrorCode(err); got != want {
					t.Errorf("%s by %s from %s: got %q (%v), want %q", r.action, a.Name, st, got, err, want)
				}
			}
		}
		if casework.ReasonRequired(r.action) != map[casework.Action]bool{
			casework.ActReject: true, casework.ActReturn: true, casework.ActRework: true, casework.ActReopen: true,
			casework.ActEscalate: true, casework.ActSupervise: true, casework.ActRequestExtension: true,
			casework.ActDenyExtension: true, casework.ActHang: true, casework.ActVoid: true, casework.ActComment: true,
			casework.ActHandle: true, casework.ActSelfHandle: true, casework.ActTransfer: true,
			casework.ActClockPause: true, casework.ActClockExtend: true, casework.ActPetitionDecline: true,
			casework.ActPetitionReview: true, casework.ActLegalRoute: true, casework.ActBacklogClear: true,
		}[r.action] {
			t.Errorf("%s: ReasonRequired = %v", r.action, casework.ReasonRequired(r.action))
		}
	}
	// A case handled on the spot is verified by the command center, not by
	// the grid worker or community staff who handled it.
	spot := ruleCase(casework.StatusHandled)
	spot.SelfHandled = true
	for _, a := range []org.Actor{aGridWorker, aCommunity} {
		for _, act := range []casework.Action{casework.ActVerify, casework.ActRework} {
			if err := casework.CheckStep(a, act, spot); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
				t.Errorf("%s by %s on a case handled on the spot: %v, want forbidden", act, a.Name, err)
			}
		}
	}
	if err := casework.CheckStep(aDispatcher, casework.ActVerify, spot); err != nil {
		t.Errorf("the command center cannot verify a case handled on the spot: %v", err)
	}
	for _, a := range casework.Actions() {
		if !covered[a] {
			t.Errorf("action %s has no row in the rule table test", a)
		}
	}
}

func TestCheckStepReport(t *testing.T) {
	for _, a := range []org.Actor{aResident, aClient, aSystem, aDispatcher, aGridWorker, aCommunity, aLeader, aUnitHandler, aAdmin} {
		if err := casework.CheckStep(a, casework.ActReport, nil); err != nil {
			t.Errorf("report by %s: %v", a.Name, err)
		}
	}
	if err := casework.CheckStep(org.Actor{Name: "nobody"}, casework.ActReport, nil); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
		t.Errorf("report by an actor of no kind: %v", err)
	}
	if err := casework.CheckStep(aDispatcher, "teleport", ruleCase(casework.StatusAccepted)); jiedao.ErrorCode(err) != jiedao.EINVALID {
		t.Errorf("unknown action: %v", err)
	}
	if casework.Action("teleport").Known() || !casework.ActMerge.Known() {
		t.Error("Known is wrong")
	}
	// A unit role of the right unit on a case not dispatched anywhere yet
	// may not sign for it.
	c := ruleCase(casework.StatusDispatched)
	c.UnitID = 0
	if err := casework.CheckStep(org.Actor{Kind: org.ActorStaff, Role: org.RoleUnitHandler}, casework.ActSign, c); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
		t.Errorf("sign by a unit actor without unit on an unassigned case: %v", err)
	}
	// A grid worker verifies only in his grids: a case with no grid is not his.
	c = ruleCase(casework.StatusHandled)
	c.GridID = 0
	if err := casework.CheckStep(org.Actor{Kind: org.ActorStaff, Role: org.RoleGridWorker}, casework.ActVerify, c); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
		t.Errorf("verify by a grid worker without grids on an unplaced case: %v", err)
	}
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct {
		action casework.Action
		from   casework.Status
		want   casework.Status
	}{
		{casework.ActAccept, casework.StatusReported, casework.StatusAccepted},
		{casework.ActReopen, casework.StatusClosed, casework.StatusAccepted},
		{casework.ActResume, casework.StatusHung, casework.StatusHandling}, // ruleCase hung from handling
		{casework.ActRate, casework.StatusClosed, casework.StatusClosed},
		{casework.ActSupervise, casework.StatusSigned, casework.StatusSigned},
		{casework.ActRequestExtension, casework.StatusRework, casework.StatusRework},
		{casework.ActHang, casework.StatusDispatched, casework.StatusHung},
		{casework.ActMerge, casework.StatusAccepted, casework.StatusMerged},
		{casework.ActWarn, casework.StatusDispatched, casework.StatusDispatched},
	} {
		if got := casework.Target(tc.action, ruleCase(tc.from)); got != tc.want {
			t.Errorf("Target(%s, %s) = %s, want %s", tc.action, tc.from, got, tc.want)
		}
	}
}

func TestStatusOpenAndNames(t *testing.T) {
	closed := map[casework.Status]bool{casework.StatusRejected: true, casework.StatusClosed: true, casework.StatusVoided: true, casework.StatusMerged: true}
	seen := map[string]bool{}
	for _, s := range casework.Statuses() {
		if s.Open() == closed[s] {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
		if s.Zh() == string(s) || seen[s.Zh()] {
			t.Errorf("%s has no distinct Chinese name: %q", s, s.Zh())
		}
		seen[s.Zh()] = true
	}
	for _, a := range casework.Actions() {
		if a.Zh() == string(a) {
			t.Errorf("action %s has no Chinese name", a)
		}
	}
}
