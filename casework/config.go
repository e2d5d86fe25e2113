package casework

import (
	"context"
	"slices"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// CalendarEditor changes the stored calendar.
type CalendarEditor interface {
	Days(ctx context.Context) ([]calendar.Day, error)
	PutDays(ctx context.Context, days []calendar.Day) error
	DeleteDay(ctx context.Context, date string) error
}

func requireAdmin(a org.Actor) error {
	if !a.Is(org.RoleAdmin) {
		return jiedao.Forbidden("您无权修改配置", "you may not change the configuration")
	}
	return nil
}

func requireStaff(a org.Actor) error {
	if a.Kind != org.ActorStaff && a.Kind != org.ActorSystem {
		return jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	return nil
}

// Categories lists the categories; anyone may read them (residents pick one).
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	return s.Store.ListCategories(ctx)
}

// PutCategory creates or replaces a category.
func (s *Service) PutCategory(ctx context.Context, a org.Actor, c *Category) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	before := s.categoryBefore(ctx, c.Code)
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.PutCategory(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, a, AuditCategoryPut, "category", c.Code, before, c, "")
	})
}

// RoutingRules lists the routing rules.
func (s *Service) RoutingRules(ctx context.Context, a org.Actor) ([]RoutingRule, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	rules, err := s.Store.ListRoutingRules(ctx)
	if err != nil || a.JurisdictionID == 0 {
		return rules, err
	}
	// A subdistrict's people see the rules of its units and the
	// district's units (docs/jurisdictions.md).
	return s.rulesOf(ctx, rules, a.JurisdictionID)
}

// ruleInScope refuses a rule whose unit another subdistrict's: to a
// subdistrict's administrator such a unit or rule does not exist.
func (s *Service) ruleInScope(ctx context.Context, a org.Actor, unitID int64) error {
	if a.JurisdictionID == 0 {
		return nil
	}
	units, err := s.unitJurisdictions(ctx)
	if err != nil {
		return err
	}
	if j := units[unitID]; j != 0 && j != a.JurisdictionID {
		return jiedao.NotFound("单位", "unit")
	}
	return nil
}

// CreateRoutingRule adds a routing rule.
func (s *Service) CreateRoutingRule(ctx context.Context, a org.Actor, r *RoutingRule) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if err := s.ruleInScope(ctx, a, r.UnitID); err != nil {
		return jiedao.Invalid("unit_id", "承办单位不存在", "unknown unit")
	}
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.CreateRoutingRule(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, a, AuditRoutingRuleCreate, "routing_rule", r.ID, nil, r, "")
	})
}

// DeleteRoutingRule removes a routing rule.
func (s *Service) DeleteRoutingRule(ctx context.Context, a org.Actor, id int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if a.JurisdictionID != 0 {
		rules, err := s.RoutingRules(ctx, a)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(rules, func(r RoutingRule) bool { return r.ID == id }) {
			return jiedao.NotFound("分派规则", "routing rule")
		}
	}
	before := s.routingRuleBefore(ctx, id)
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.DeleteRoutingRule(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, a, AuditRoutingRuleDelete, "routing_rule", id, before, nil, "")
	})
}

// CalendarDays lists the holidays and make-up workdays.
func (s *Service) CalendarDays(ctx context.Context, a org.Actor) ([]calendar.Day, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.CalendarEdit.Days(ctx)
}

// PutCalendarDays adds or replaces listed days, as when a new year's
// schedule is published.
func (s *Service) PutCalendarDays(ctx context.Context, a org.Actor, days []calendar.Day) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	before := s.calendarBefore(ctx, dayDates(days)...)
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.CalendarEdit.PutDays(ctx, days); err != nil {
			return err
		}
		return s.audit(ctx, a, AuditCalendarPut, "calendar_day", strings.Join(dayDates(days), ","), before, days, "")
	})
}

// DeleteCalendarDay makes a listed day an ordinary day again.
func (s *Service) DeleteCalendarDay(ctx context.Context, a org.Actor, date string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	before := s.calendarBefore(ctx, date)
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.CalendarEdit.DeleteDay(ctx, date); err != nil {
			return err
		}
		return s.audit(ctx, a, AuditCalendarDelete, "calendar_day", date, before, nil, "")
	})
}
