package casework_test

import (
	"slices"
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
)

func TestRouteSpecificity(t *testing.T) {
	rules := []casework.RoutingRule{
		{ID: 1, UnitID: 1},                                                     // anything anywhere
		{ID: 2, Category: "01", UnitID: 2},                                     // major class anywhere
		{ID: 3, Category: "0101", UnitID: 3},                                   // minor class anywhere
		{ID: 4, Category: "01", CommunityID: 50, UnitID: 4},                    // major class in a community
		{ID: 5, GridID: 100, UnitID: 5},                                        // anything in a grid
		{ID: 6, Category: "0101", Channel: casework.ChannelHotline, UnitID: 6}, // minor class from a channel
		{ID: 7, Category: "0101", UnitID: 7},                                   // the same as 3, created later
		{ID: 8, Category: "02", Channel: casework.ChannelIoT, UnitID: 8},
		{ID: 9, Category: "0201", CommunityID: 51, UnitID: 9},
		{ID: 10, Category: "0201", GridID: 101, Channel: casework.ChannelGrid, UnitID: 10},
	}
	for _, tc := range []struct {
		name string
		in   casework.RouteInput
		want int64 // rule id
	}{
		{"a grid rule beats a community rule and any category", casework.RouteInput{Category: "0101", GridID: 100, CommunityID: 50, Channel: casework.ChannelXihuCode}, 5},
		{"a community rule with a major class beats a minor class anywhere", casework.RouteInput{Category: "0101", GridID: 102, CommunityID: 50, Channel: casework.ChannelHotline}, 4},
		{"a minor class beats its major class; ties go to the lowest id", casework.RouteInput{Category: "0101", CommunityID: 52, Channel: casework.ChannelXihuCode}, 3},
		{"the channel decides between equal place and category", casework.RouteInput{Category: "0101", CommunityID: 52, Channel: casework.ChannelHotline}, 6},
		{"a major class matches its minor classes", casework.RouteInput{Category: "0102", Channel: casework.ChannelXihuCode}, 2},
		{"a channel rule on a major class", casework.RouteInput{Category: "0203", Channel: casework.ChannelIoT}, 8},
		{"nothing more specific: the catch-all", casework.RouteInput{Category: "0203", Channel: casework.ChannelXihuCode}, 1},
		{"a minor-class rule does not match its major class", casework.RouteInput{Category: "01", Channel: casework.ChannelXihuCode}, 2},
		{"a community rule of another community does not match", casework.RouteInput{Category: "0201", CommunityID: 50, Channel: casework.ChannelXihuCode}, 1},
		{"community + minor class", casework.RouteInput{Category: "0201", CommunityID: 51, GridID: 103, Channel: casework.ChannelXihuCode}, 9},
		{"grid + minor + channel beats community + minor", casework.RouteInput{Category: "0201", CommunityID: 51, GridID: 101, Channel: casework.ChannelGrid}, 10},
		{"grid rule with the wrong channel does not match", casework.RouteInput{Category: "0201", CommunityID: 51, GridID: 101, Channel: casework.ChannelXihuCode}, 9},
	} {
		for _, order := range []string{"as created", "reversed"} {
			rs := slices.Clone(rules)
			if order == "reversed" {
				slices.Reverse(rs)
			}
			got, ok := casework.Route(rs, tc.in)
			if !ok || got.ID != tc.want || got.UnitID != tc.want {
				t.Errorf("%s (%s): got rule %d (ok=%v), want %d", tc.name, order, got.ID, ok, tc.want)
			}
		}
	}
	// Without the catch-all, an unmatched case stays with the command center.
	if r, ok := casework.Route(rules[1:], casework.RouteInput{Category: "0301", Channel: casework.ChannelXihuCode}); ok {
		t.Errorf("nothing should match, got rule %d", r.ID)
	}
	if _, ok := casework.Route(nil, casework.RouteInput{Category: "0101"}); ok {
		t.Error("no rules should match nothing")
	}
}

func TestRoutingRuleValidate(t *testing.T) {
	for _, tc := range []struct {
		r     casework.RoutingRule
		field string
	}{
		{casework.RoutingRule{Category: "01", UnitID: 3}, ""},
		{casework.RoutingRule{GridID: 1, Channel: casework.ChannelIoT, UnitID: 3}, ""},
		{casework.RoutingRule{Category: "01"}, "unit_id"},
		{casework.RoutingRule{Channel: "fax", UnitID: 3}, "channel"},
		{casework.RoutingRule{GridID: 1, CommunityID: 2, UnitID: 3}, "grid_id"},
	} {
		err := tc.r.Validate()
		if tc.field == "" && err != nil {
			t.Errorf("%+v: %v", tc.r, err)
		}
		if tc.field != "" && (jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != tc.field) {
			t.Errorf("%+v: got %v, want invalid %s", tc.r, err, tc.field)
		}
	}
}
