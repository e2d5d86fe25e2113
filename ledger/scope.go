package ledger

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// A deployment may serve several subdistricts (docs/jurisdictions.md).
// Every entry belongs to one: the subdistrict of its community when it
// has one, else the one of whoever added it (a district actor picks one).
// A subdistrict actor lists, sums and reads only its own subdistrict's
// entries; another's is not found, as one that does not exist. Ledger
// types are the deployment's, shared by every subdistrict.

// communityJurisdictions maps the communities to their subdistricts.
func (s *Service) communityJurisdictions(ctx context.Context) (map[int64]int64, error) {
	out := map[int64]int64{}
	if s.Communities == nil {
		return out, nil
	}
	cs, err := s.Communities(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.ID] = c.JurisdictionID
	}
	return out, nil
}

// place sets the subdistrict of an entry being added or changed: its
// community's (which must be one the actor sees), else the actor's, or
// the one a district actor picked.
func (s *Service) place(ctx context.Context, a org.Actor, e *Entry, picked int64, comms map[int64]int64) error {
	if e.CommunityID != 0 {
		j, ok := comms[e.CommunityID]
		if !ok && s.Communities == nil {
			// Not wired with the communities: the actor's.
			j, ok = a.JurisdictionID, true
		}
		if !ok || !a.InJurisdiction(j) {
			return jiedao.Invalid("community_id", "社区不存在", "no such community")
		}
		if picked != 0 && j != 0 && picked != j {
			return jiedao.Invalid("jurisdiction_id", "社区不属于所选街道", "the community is not in the subdistrict chosen")
		}
		if j != 0 {
			e.JurisdictionID = j
			return nil
		}
	}
	j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, picked)
	if err != nil {
		return err
	}
	e.JurisdictionID = j
	return nil
}
