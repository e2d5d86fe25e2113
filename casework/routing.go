package casework

import (
	"strings"

	"github.com/jiedao/jiedao"
)

// RoutingRule sends cases of a category, at a place, from a channel, to a
// unit. Empty fields match anything; a major class code matches its minor
// classes.
type RoutingRule struct {
	ID          int64   `json:"id"`
	Category    string  `json:"category,omitempty"`
	GridID      int64   `json:"grid_id,omitempty"`
	CommunityID int64   `json:"community_id,omitempty"`
	Channel     Channel `json:"channel,omitempty"`
	UnitID      int64   `json:"unit_id"`
}

// Validate checks a rule's own fields; that the unit, grid and community
// exist is the store's to check.
func (r *RoutingRule) Validate() error {
	if r.UnitID == 0 {
		return jiedao.Invalid("unit_id", "必须指定承办单位", "a unit is required")
	}
	if r.Channel != "" && !r.Channel.Valid() {
		return jiedao.Invalid("channel", "渠道无效", "unknown channel")
	}
	if r.GridID != 0 && r.CommunityID != 0 {
		return jiedao.Invalid("grid_id", "网格和社区只能指定一个", "give a grid or a community, not both")
	}
	return nil
}

// RouteInput is what routing looks at.
type RouteInput struct {
	Category    string
	GridID      int64
	CommunityID int64
	Channel     Channel
}

// specificity ranks how closely a rule fits, most important first: the
// place (grid, then community, then anywhere), then the category (minor
// class, major class, any), then the channel. It returns ok=false when the
// rule does not match at all.
func (r *RoutingRule) specificity(in RouteInput) (rank [3]int, ok bool) {
	switch {
	case r.GridID != 0:
		if r.GridID != in.GridID {
			return rank, false
		}
		rank[0] = 2
	case r.CommunityID != 0:
		if r.CommunityID != in.CommunityID {
			return rank, false
		}
		rank[0] = 1
	}
	switch {
	case r.Category == "":
	case r.Category == in.Category:
		rank[1] = 2
	case len(r.Category) < len(in.Category) && strings.HasPrefix(in.Category, r.Category):
		rank[1] = 1
	default:
		return rank, false
	}
	if r.Channel != "" {
		if r.Channel != in.Channel {
			return rank, false
		}
		rank[2] = 1
	}
	return rank, true
}

// Route picks the most specific matching rule. Ties go to the rule created
// first (lowest id), so that adding a rule never changes old routes
// silently. ok is false when nothing matches: the case stays with the
// command center.
func Route(rules []RoutingRule, in RouteInput) (RoutingRule, bool) {
	var best RoutingRule
	var bestRank [3]int
	found := false
	for _, r := range rules {
		rank, ok := r.specificity(in)
		if !ok {
			continue
		}
		if !found || greater(rank, bestRank) || (rank == bestRank && r.ID < best.ID) {
			best, bestRank, found = r, rank, true
		}
	}
	return best, found
}

func greater(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}
