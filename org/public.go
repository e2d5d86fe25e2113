package org

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/geo"
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

// PublicJurisdiction returns the subdistrict (街道) a resident's page
// names: the jurisdiction of the community given, else the first one.
// Its name is public; nil when none is configured.
func (d *Directory) PublicJurisdiction(ctx context.Context, communityJurisdiction int64) (*Jurisdiction, error) {
	js, err := d.Store.ListJurisdictions(ctx)
	if err != nil || len(js) == 0 {
		return nil, err
	}
	for _, j := range js {
		if j.ID == communityJurisdiction {
			return j, nil
		}
	}
	return js[0], nil
}

// PublicArea returns the grids' outlines without names or codes, for the
// map on which a resident drops a pin: where the subdistrict is, nothing
// more.
func (d *Directory) PublicArea(ctx context.Context) ([]geo.MultiPolygon, error) {
	grids, err := d.Store.ListGrids(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]geo.MultiPolygon, 0, len(grids))
	for _, g := range grids {
		if len(g.Geometry) > 0 {
			out = append(out, g.Geometry)
		}
	}
	return out, nil
}
