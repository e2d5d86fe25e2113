package enterprise

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// A deployment may serve several subdistricts (docs/jurisdictions.md). An
// enterprise and a building belong to one; what hangs on them (rooms,
// tenancies, tax, moves, visits, plans, demands, certifications) belongs to
// theirs. A subdistrict actor reads, counts and changes only its own: a
// record of another subdistrict is not found, as one that does not exist.

// enterpriseIn returns the enterprise when the actor's subdistrict holds
// it, and not found otherwise.
func (s *Service) enterpriseIn(ctx context.Context, a org.Actor, id int64) (*Enterprise, error) {
	e, err := s.Store.GetEnterprise(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.InJurisdiction(e.JurisdictionID) {
		return nil, jiedao.NotFound("企业", "enterprise")
	}
	return e, nil
}

// buildingIn returns the building when the actor's subdistrict holds it.
func (s *Service) buildingIn(ctx context.Context, a org.Actor, id int64) (*Building, error) {
	b, err := s.Store.GetBuilding(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.InJurisdiction(b.JurisdictionID) {
		return nil, jiedao.NotFound("楼宇", "building")
	}
	return b, nil
}

// roomIn checks that the room's building is in the actor's subdistrict
// and returns that building.
func (s *Service) roomIn(ctx context.Context, a org.Actor, roomID int64) (*Building, error) {
	bid, err := s.Store.RoomBuilding(ctx, roomID)
	if err != nil {
		return nil, err
	}
	b, err := s.buildingIn(ctx, a, bid)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, jiedao.NotFound("房间", "room")
	}
	return b, err
}

// placeEnterprise sets the subdistrict of an enterprise being saved: an
// existing one (the same credit code) keeps its own unless a district
// actor moves it, and one of another subdistrict than the actor's is
// refused; a new one takes the actor's (or the one a district actor
// picked).
func (s *Service) placeEnterprise(ctx context.Context, a org.Actor, e *Enterprise, old *Enterprise) error {
	if old != nil {
		if !a.InJurisdiction(old.JurisdictionID) {
			return jiedao.Invalid("credit_code", "该统一社会信用代码的企业已登记在其他街道", "an enterprise with this credit code is registered in another subdistrict")
		}
		if e.JurisdictionID == 0 {
			e.JurisdictionID = old.JurisdictionID
			return nil
		}
	}
	j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, e.JurisdictionID)
	if err != nil {
		return err
	}
	e.JurisdictionID = j
	return nil
}

// placeBuilding does the same for a building, merged on its name.
func (s *Service) placeBuilding(ctx context.Context, a org.Actor, b *Building) error {
	all, err := s.Store.ListBuildings(ctx)
	if err != nil {
		return err
	}
	for _, old := range all {
		if old.Name != b.Name {
			continue
		}
		if !a.InJurisdiction(old.JurisdictionID) {
			return jiedao.Invalid("name", "同名楼宇已登记在其他街道", "a building of this name is registered in another subdistrict")
		}
		if b.JurisdictionID == 0 {
			b.JurisdictionID = old.JurisdictionID
			return nil
		}
	}
	j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, b.JurisdictionID)
	if err != nil {
		return err
	}
	b.JurisdictionID = j
	return nil
}

// inScope keeps the rows of the actor's subdistrict.
func inScope[T any](a org.Actor, rows []T, of func(T) int64) []T {
	if a.JurisdictionID == 0 {
		return rows
	}
	out := rows[:0:0]
	for _, r := range rows {
		if a.InJurisdiction(of(r)) {
			out = append(out, r)
		}
	}
	return out
}

// tiersIn keeps the buildings of one subdistrict (0: all) of a computed
// year, ranked among themselves. years is shared and not changed.
func tiersIn(years []BuildingYear, jurisdiction int64) []BuildingYear {
	if jurisdiction == 0 {
		return years
	}
	var out []BuildingYear
	for _, y := range years {
		if y.JurisdictionID == jurisdiction {
			y.Rank = len(out) + 1
			out = append(out, y)
		}
	}
	return out
}

// tenancyIn checks that both the enterprise and the room's building are
// in the actor's subdistrict.
func (s *Service) tenancyIn(ctx context.Context, a org.Actor, enterpriseID, roomID int64) error {
	if _, err := s.enterpriseIn(ctx, a, enterpriseID); err != nil {
		return err
	}
	_, err := s.roomIn(ctx, a, roomID)
	return err
}
