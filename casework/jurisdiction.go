package casework

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Many subdistricts in one deployment (docs/jurisdictions.md). Every case
// belongs to one subdistrict (Case.JurisdictionID); an actor with a
// jurisdiction (org.Actor.JurisdictionID) sees and acts on that
// subdistrict's cases only, and on any other answers as if the case did
// not exist. An actor of the whole deployment (0) sees all.

// JurisdictionSource tells the subdistrict of communities and units. The
// organisation's store is one; a Service whose Units is one places new
// cases in their community's subdistrict and dispatches only to the case's
// subdistrict's units and the district's (a unit with no subdistrict).
// Without one (tests' stand-ins) the store gives new cases theirs.
type JurisdictionSource interface {
	// CommunityJurisdiction is the subdistrict of a community.
	CommunityJurisdiction(ctx context.Context, communityID int64) (int64, error)
	// UnitJurisdictions maps each unit of a subdistrict to it; a unit
	// missing from the map is a district unit, shared by all.
	UnitJurisdictions(ctx context.Context) (map[int64]int64, error)
	// IsSubdistrict reports whether id is a subdistrict of the deployment.
	IsSubdistrict(ctx context.Context, id int64) (bool, error)
}

// placeJurisdiction sets the subdistrict of a new case: its community's;
// else the one the report is addressed to; else its reporter's (the
// actor's). Left 0, the store gives it the only subdistrict of a
// one-subdistrict deployment. A subdistrict actor reports in his own
// subdistrict only: a place in another is refused, as outside his
// subdistrict.
func (s *Service) placeJurisdiction(ctx context.Context, a org.Actor, c *Case, in ReportInput) error {
	src, _ := s.Units.(JurisdictionSource)
	if in.JurisdictionID != 0 {
		ok := a.InJurisdiction(in.JurisdictionID)
		if ok && src != nil {
			var err error
			if ok, err = src.IsSubdistrict(ctx, in.JurisdictionID); err != nil {
				return err
			}
		}
		if !ok {
			return jiedao.Invalid("jurisdiction_id", "所选街道不存在", "unknown subdistrict")
		}
	}
	var place int64
	if c.Community != 0 && src != nil {
		var err error
		if place, err = src.CommunityJurisdiction(ctx, c.Community); err != nil {
			return err
		}
	}
	field := "lat"
	if c.Location == nil {
		field = "grid_id"
	}
	switch {
	case place != 0 && !a.InJurisdiction(place):
		return jiedao.Invalid(field, "该位置不在您所在街道的辖区内", "this place is outside your subdistrict")
	case place != 0 && in.JurisdictionID != 0 && place != in.JurisdictionID:
		return jiedao.Invalid(field, "该位置不在所选街道的辖区内", "this place is outside the subdistrict the report is addressed to")
	case place != 0:
		c.JurisdictionID = place
	case in.JurisdictionID != 0:
		c.JurisdictionID = in.JurisdictionID
	default:
		c.JurisdictionID = a.JurisdictionID
	}
	return nil
}

// unitJurisdictions maps the units of subdistricts to theirs (empty
// without a JurisdictionSource: every unit is the whole deployment's).
func (s *Service) unitJurisdictions(ctx context.Context) (map[int64]int64, error) {
	if src, ok := s.Units.(JurisdictionSource); ok {
		return src.UnitJurisdictions(ctx)
	}
	return nil, nil
}

// rulesOf keeps the routing rules that may route a case of subdistrict j:
// those whose unit is j's or the district's. A rule belongs to its
// unit's subdistrict.
func (s *Service) rulesOf(ctx context.Context, rules []RoutingRule, j int64) ([]RoutingRule, error) {
	units, err := s.unitJurisdictions(ctx)
	if err != nil || len(units) == 0 {
		return rules, err
	}
	out := make([]RoutingRule, 0, len(rules))
	for _, r := range rules {
		if u := units[r.UnitID]; u == 0 || u == j {
			out = append(out, r)
		}
	}
	return out, nil
}

// stepRef is the subdistrict of what a step refers to: the unit of a
// dispatch (0: a district unit), the case of a merge.
type stepRef struct {
	unit      int64
	merge     bool
	mergeInto int64
}

// check refuses a step on c that would reach into another subdistrict:
// a dispatch to another subdistrict's unit, a merge into another
// subdistrict's case.
func (r stepRef) check(c *Case) error {
	if r.unit != 0 && r.unit != c.JurisdictionID {
		return jiedao.Invalid("unit_id", "只能派发给本街道或区级的单位", "dispatch to a unit of the case's subdistrict or of the district")
	}
	if r.merge && r.mergeInto != c.JurisdictionID {
		return jiedao.Invalid("merge_into", "不能合并到其他街道的案件", "cannot merge into another subdistrict's case")
	}
	return nil
}

// scoped sets the filter's jurisdiction from the actor: his subdistrict,
// or every one for an actor of the whole deployment. Never from a request.
func scoped(a org.Actor, f Filter) Filter {
	f.Scope = scope(a)
	f.Jurisdiction = a.JurisdictionID
	return f
}
