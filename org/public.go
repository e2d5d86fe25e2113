package org

import (
	"context"

	"github.com/jiedao/jiedao"
)

// PublicGrid returns a grid by its code, with its community, to anyone:
// the resident who scans a grid's QR code (西湖码) sees where his report
// will go. Names and codes of grids are public (they are printed on the
// codes); the polygon is left out.
func (d *Directory) PublicGrid(ctx context.Context, code string) (*Grid, *Community, error) {
	grids, err := d.Store.ListGrids(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range grids {
		if g.Code != code {
			continue
		}
		out := *g
		out.Geometry = nil
		comms, err := d.Store.ListCommunities(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range comms {
			if c.ID == g.CommunityID {
				cc := *c
				cc.Geometry = nil
				return &out, &cc, nil
			}
		}
		return &out, &Community{ID: g.CommunityID}, nil
	}
	return nil, nil, jiedao.NotFound("网格", "grid")
}
