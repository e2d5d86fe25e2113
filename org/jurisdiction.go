package org

import (
	"context"

	"github.com/jiedao/jiedao"
)

// The organisation of a deployment of several subdistricts
// (docs/jurisdictions.md): an actor of a subdistrict sees that
// subdistrict's communities, grids, units (and the district's units, which
// serve every subdistrict), staff and API clients, and changes only those;
// records of another subdistrict are answered as not found. An actor of the
// whole deployment (JurisdictionID 0) sees and changes all, and says which
// subdistrict a new record belongs to.

// communityJurisdictions maps each community to its subdistrict.
func (d *Directory) communityJurisdictions(ctx context.Context) (map[int64]int64, error) {
	cs, err := d.Store.ListCommunities(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(cs))
	for _, c := range cs {
		out[c.ID] = c.JurisdictionID
	}
	return out, nil
}

// filterIn keeps the records in the actor's scope.
func filterIn[T any](a Actor, all []T, of func(T) int64) []T {
	if a.JurisdictionID == 0 {
		return all
	}
	out := make([]T, 0, len(all))
	for _, x := range all {
		if a.InJurisdiction(of(x)) {
			out = append(out, x)
		}
	}
	return out
}

// notInScope is the answer about a record of another subdistrict: the
// same as about one that does not exist.
func notInScope(zh, en string) error { return jiedao.NotFound(zh, en) }

// ownJurisdiction settles the subdistrict of a record an actor saves: a
// subdistrict actor's records are his subdistrict's (a 0 given is taken
// as his; another is refused); an actor of the whole deployment says
// which (0 for the district's own).
func ownJurisdiction(a Actor, given int64) (int64, error) {
	if a.JurisdictionID == 0 || given == a.JurisdictionID {
		return given, nil
	}
	if given == 0 {
		return a.JurisdictionID, nil
	}
	return 0, jiedao.Invalid("jurisdiction_id", "只能在本街道内建立或修改", "you may create or change records of your own subdistrict only")
}

// checkJurisdiction refuses a jurisdiction id that is not a subdistrict of
// the deployment (0, the whole deployment, is always taken).
func (d *Directory) checkJurisdiction(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	js, err := d.Store.ListJurisdictions(ctx)
	if err != nil {
		return err
	}
	for _, j := range js {
		if j.ID == id && !j.IsDistrict() {
			return nil
		}
	}
	return jiedao.Invalid("jurisdiction_id", "所选街道不存在", "unknown subdistrict")
}

// unitIn reports whether the actor's scope holds the unit: its
// subdistrict's or, for reading, a district unit.
func (d *Directory) unitIn(ctx context.Context, a Actor, id int64, forWriting bool) error {
	if a.JurisdictionID == 0 || id == 0 {
		return nil
	}
	us, err := d.Store.ListUnits(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.ID == id && (u.JurisdictionID == a.JurisdictionID || (!forWriting && u.JurisdictionID == 0)) {
			return nil
		}
	}
	return notInScope("单位", "unit")
}

// staffIn reports whether the actor's scope holds the staff member.
func (d *Directory) staffIn(ctx context.Context, a Actor, id int64) error {
	if a.JurisdictionID == 0 {
		return nil
	}
	s, err := d.Store.GetStaff(ctx, id)
	if err != nil {
		return err
	}
	if s.JurisdictionID != a.JurisdictionID {
		return notInScope("人员", "staff member")
	}
	return nil
}

// NarrowByCode narrows the actor to the subdistrict whose division code
// is code (a district's roll-ups, ?jurisdiction=CODE on pages and the
// API), with the subdistrict the answer is about: the one narrowed to, or
// a subdistrict actor's own (nil: the whole deployment). The district's
// own code, or none, leaves a district actor whole. A code that is no
// subdistrict's, or one the actor may not see, is not found, as a record
// of another subdistrict is. In a deployment of one subdistrict nothing
// is narrowed.
func NarrowByCode(js []*Jurisdiction, a Actor, code string) (Actor, *Jurisdiction, error) {
	subs := Subdistricts(js)
	if len(subs) < 2 {
		for _, j := range js {
			if code == "" || j.DivisionCode == code {
				return a, nil, nil
			}
		}
		if code == "" {
			return a, nil, nil
		}
		return a, nil, notInScope("街道", "subdistrict")
	}
	var district *Jurisdiction
	for _, j := range js {
		if j.IsDistrict() {
			district = j
			break
		}
	}
	var selected *Jurisdiction
	if code != "" && (district == nil || code != district.DivisionCode) {
		for _, j := range subs {
			if j.DivisionCode == code {
				selected = j
			}
		}
		if selected == nil {
			return a, nil, notInScope("街道", "subdistrict")
		}
		n, ok := a.Narrowed(selected.ID)
		if !ok {
			return a, nil, notInScope("街道", "subdistrict")
		}
		a = n
	}
	if a.JurisdictionID != 0 {
		for _, j := range subs {
			if j.ID == a.JurisdictionID {
				selected = j
			}
		}
	}
	return a, selected, nil
}
