package casework

import (
	"context"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// 转办: a case handed from one subdistrict of a district deployment to
// another (docs/jurisdictions.md). The case keeps its id, number and
// history; its transfer event records from and to and the reason; it
// goes back to the new subdistrict's command center (accepted, waiting to
// be dispatched; a case not yet accepted stays reported), its unit
// cleared and a dispatch in hand ended as a return ends it; the audit
// trail records it; the store moves its counts in the aggregates with it.

// ActTransfer is 转办; ActionTransfer is its name in the contract of the
// jurisdictions' work (JURIS.md).
const (
	ActTransfer    Action = "transfer"
	ActionTransfer        = ActTransfer
)

// AuditCaseTransfer is the audit action of a transfer.
const AuditCaseTransfer = "case.transfer"

func init() {
	rules[ActTransfer] = rule{zh: "转办", from: transferable, who: actorRule{roles: []org.Role{org.RoleDispatcher, org.RoleAdmin}}, reason: true}
}

// transferable are the statuses a case may be transferred from: any step
// before the work is reported done. A handled case is verified where it
// was handled; a hung one is resumed first.
var transferable = []Status{StatusReported, StatusAccepted, StatusDispatched, StatusSigned, StatusReturned,
	StatusHandling, StatusRework, StatusEscalated}

// jurisdictionLister lists the jurisdictions, for the target of a
// transfer: the organisation's store (the Service's Units) has it.
type jurisdictionLister interface {
	ListJurisdictions(ctx context.Context) ([]*org.Jurisdiction, error)
}

// MayTransfer reports whether the actor may transfer a case he sees: a
// dispatcher (of the district, or of the case's own subdistrict, handing
// it on), or the district's admin. A subdistrict's admin may not.
func MayTransfer(a org.Actor) bool {
	if a.Kind != org.ActorStaff {
		return false
	}
	return a.Role == org.RoleDispatcher || (a.Role == org.RoleAdmin && a.JurisdictionID == 0)
}

// TransferTargets are the subdistricts a case may be transferred to (all
// but its own), for the form; nil when the deployment has one.
func (s *Service) TransferTargets(ctx context.Context, c *Case) ([]*org.Jurisdiction, error) {
	js, err := s.jurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	subs := org.Subdistricts(js)
	if len(subs) < 2 {
		return nil, nil
	}
	var out []*org.Jurisdiction
	for _, j := range subs {
		if j.ID != c.JurisdictionID {
			out = append(out, j)
		}
	}
	return out, nil
}

func (s *Service) jurisdictions(ctx context.Context) ([]*org.Jurisdiction, error) {
	src, ok := s.Units.(jurisdictionLister)
	if !ok {
		return nil, nil
	}
	return src.ListJurisdictions(ctx)
}

// Transfer hands a case to another subdistrict (转办) with a reason. A case
// the actor may not see is not found; one he sees but may not transfer is
// forbidden; the target must be another subdistrict of the deployment.
func (s *Service) Transfer(ctx context.Context, a org.Actor, caseID, to int64, reason string) (*Case, error) {
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, 2000, true, "转办原因", "the reason for the transfer"); err != nil {
		return nil, err
	}
	if to == 0 {
		return nil, jiedao.Invalid("jurisdiction_id", "请选择转办到的街道", "choose the subdistrict to transfer to")
	}
	js, err := s.jurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	var target *org.Jurisdiction
	for _, j := range js {
		if j.ID == to && !j.IsDistrict() {
			target = j
		}
	}
	if target == nil {
		return nil, jiedao.Invalid("jurisdiction_id", "转办目标不是本系统的街道："+strconv.FormatInt(to, 10),
			"the target is not a subdistrict of this deployment: "+strconv.FormatInt(to, 10))
	}
	// Routing in the new subdistrict: its units' rules and the district's.
	var suggested int64
	if c0, err := s.Store.GetCase(ctx, caseID); err == nil {
		rules, err := s.Store.ListRoutingRules(ctx)
		if err == nil {
			rules, err = s.rulesOf(ctx, rules, to)
		}
		if err != nil {
			return nil, err
		}
		if r, ok := Route(rules, RouteInput{Category: c0.Category, GridID: c0.GridID, CommunityID: c0.Community, Channel: c0.Channel}); ok {
			suggested = r.UnitID
		}
	}
	var out *Case
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		var from int64
		var number string
		c, e, err := s.Store.UpdateCase(ctx, caseID, func(c *Case) (*Event, error) {
			if ok, err := s.canView(ctx, a, c); err != nil {
				return nil, err
			} else if !ok {
				return nil, jiedao.NotFound("案件", "case")
			}
			if !MayTransfer(a) {
				return nil, jiedao.Forbidden("只有区或本街道的调度员、区系统管理员可以转办案件", "only a dispatcher of the district or of the case's subdistrict, or the district's admin, may transfer a case")
			}
			if c.JurisdictionID == to {
				return nil, jiedao.Invalid("jurisdiction_id", "案件已属于"+target.Name, "the case belongs to "+target.Name+" already")
			}
			if err := CheckStep(a, ActTransfer, c); err != nil {
				return nil, err
			}
			from, number = c.JurisdictionID, c.Number
			now := s.now()
			if now.Before(c.UpdatedAt) {
				now = c.UpdatedAt
			}
			e := &Event{CaseID: c.ID, Seq: c.EventCount + 1, Action: ActTransfer, At: now, From: c.Status, To: Target(ActTransfer, c), Reason: reason}
			setActor(e, a)
			// The dispatch in hand ends; its sign-for deadline stays on it
			// only if it was missed, as a return leaves it.
			d := c.Deadlines
			if c.SignedAt != nil || d.Sign == nil || !now.After(d.Sign.Due) {
				d.Sign = nil
			}
			d.Start, d.Finish = nil, nil
			e.Payload.Deadlines = &d
			e.Payload.FromJurisdiction, e.Payload.ToJurisdiction, e.Payload.SuggestedUnit = from, to, suggested
			if _, err := Apply(c, e); err != nil {
				return nil, err
			}
			return e, nil
		})
		if err != nil {
			return err
		}
		out = c
		return s.audit(ctx, a, AuditCaseTransfer, "case", c.ID, map[string]any{"jurisdiction_id": from, "number": number},
			map[string]any{"jurisdiction_id": to, "number": number, "event": e.Seq}, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.view(a, out), nil
}

// dispatchOpen reports whether a unit holds the case now: dispatched to it
// and not returned, its work not reported done.
func dispatchOpen(s Status) bool {
	switch s {
	case StatusDispatched, StatusSigned, StatusHandling, StatusRework:
		return true
	}
	return false
}
