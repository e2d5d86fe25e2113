package casework

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// Audit actions of the casework configuration and of contacts.
const (
	AuditCategoryPut       = "category.put"
	AuditRoutingRuleCreate = "routing_rule.create"
	AuditRoutingRuleDelete = "routing_rule.delete"
	AuditCalendarPut       = "calendar.put"
	AuditCalendarDelete    = "calendar.delete"
	AuditContactReveal     = "contact.reveal"
)

// maxRevealReason bounds a reveal's reason, in characters.
const maxRevealReason = 200

// audit records an action if the service has an auditor.
func (s *Service) audit(ctx context.Context, a org.Actor, action, kind string, id any, before, after any, reason string) error {
	return org.AuditRecord(ctx, s.Audit, a, action, kind, id, before, after, reason)
}

// categoryBefore is a category as it is before a change, or nil.
func (s *Service) categoryBefore(ctx context.Context, code string) any {
	if s.Audit == nil {
		return nil
	}
	if c, err := s.Store.GetCategory(ctx, code); err == nil {
		return c
	}
	return nil
}

// routingRuleBefore is a routing rule before its removal, or nil.
func (s *Service) routingRuleBefore(ctx context.Context, id int64) any {
	if s.Audit == nil {
		return nil
	}
	rules, err := s.Store.ListRoutingRules(ctx)
	if err != nil {
		return nil
	}
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// calendarBefore is what the calendar says of the dates before a change:
// the listed days among them (none: they were ordinary days).
func (s *Service) calendarBefore(ctx context.Context, dates ...string) any {
	if s.Audit == nil || s.CalendarEdit == nil {
		return nil
	}
	days, err := s.CalendarEdit.Days(ctx)
	if err != nil {
		return nil
	}
	out := []calendar.Day{}
	for _, d := range days {
		for _, x := range dates {
			if d.Date == x {
				out = append(out, d)
			}
		}
	}
	return out
}

func dayDates(days []calendar.Day) []string {
	out := make([]string, 0, len(days))
	for _, d := range days {
		out = append(out, d.Date)
	}
	return out
}

// mayReveal reports whether the actor has a reason to call the resident
// back, and so may see the contact masked for his role: the unit lead and
// handlers of the unit the case is with (dispatched to it, not returned,
// still open), the grid worker of its grid. The
// command center and admins see contacts anyway; their reveals are logged
// as well.
func mayReveal(a org.Actor, c *Case) bool {
	switch {
	case a.SeesContacts() && a.Kind == org.ActorStaff:
		return true
	case a.Role.IsUnitRole() && a.Kind == org.ActorStaff:
		// The unit holds the case: not returned to the command center, not finished.
		return c.UnitID != 0 && c.UnitID == a.UnitID && c.Status != StatusReturned && c.Status.Open()
	case a.Is(org.RoleGridWorker):
		return a.InGrid(c.GridID)
	}
	return false
}

// RevealContact gives a staff member who sees residents' contacts masked
// the full name and phone number of a case's reporter, for a stated
// reason, and records the reveal (who, which case, why; never the number)
// on the audit trail before returning it. A case the actor may not see is
// not found; one he may see but has no call to reveal is forbidden.
func (s *Service) RevealContact(ctx context.Context, a org.Actor, caseID int64, reason string) (Contact, error) {
	if a.Kind != org.ActorStaff {
		return Contact{}, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	reason, err := contactReason(reason, 1)
	if err != nil {
		return Contact{}, err
	}
	c, err := s.Store.GetCase(ctx, caseID)
	if err != nil {
		return Contact{}, err
	}
	if ok, err := s.canView(ctx, a, c); err != nil {
		return Contact{}, err
	} else if !ok {
		return Contact{}, jiedao.NotFound("案件", "case")
	}
	if !mayReveal(a, c) {
		return Contact{}, jiedao.Forbidden("您无权查看该案件的完整联系方式", "you may not see this case's full contact")
	}
	if at := c.Reporter.AnonymisedAt; at != nil {
		// Nothing is revealed, so nothing is recorded.
		return Contact{}, anonymisedError(*at)
	}
	if s.Audit == nil {
		// A reveal that cannot be logged is not made.
		return Contact{}, jiedao.Forbidden("您无权查看该案件的完整联系方式", "you may not see this case's full contact")
	}
	after := map[string]any{"number": c.Number, "status": c.Status, "unit_id": c.UnitID, "grid_id": c.GridID}
	if err := s.audit(ctx, a, AuditContactReveal, "case", c.ID, nil, after, reason); err != nil {
		return Contact{}, err
	}
	return c.Reporter, nil
}
