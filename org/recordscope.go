package org

import (
	"context"
	"fmt"

	"github.com/jiedao/jiedao"
)

// Records of the domains outside the case loop (enterprises, buildings,
// ledger entries, indicator values and targets, campaigns, the duty roster,
// the report's document) belong to a subdistrict, as cases do
// (docs/jurisdictions.md). These helpers are what their services share.

// JurisdictionLister lists the deployment's jurisdictions; Store is one.
type JurisdictionLister interface {
	ListJurisdictions(ctx context.Context) ([]*Jurisdiction, error)
}

// RecordJurisdiction decides the subdistrict a new record belongs to. A
// subdistrict actor's records are its own subdistrict's (picking another
// is refused, naming the field). A district actor (JurisdictionID 0)
// picks one (picked, the field jurisdiction_id), which must be a
// subdistrict of the deployment; when he picks none and the deployment
// has one subdistrict only, it is that one, so that a one-subdistrict
// deployment works as before. js may be nil (a service not wired with the
// jurisdictions): then the pick, or 0, is taken as it is.
func RecordJurisdiction(ctx context.Context, js JurisdictionLister, a Actor, picked int64) (int64, error) {
	if a.JurisdictionID != 0 {
		if picked != 0 && picked != a.JurisdictionID {
			return 0, jiedao.Invalid("jurisdiction_id", "只能登记本街道的记录", "you may add records of your own subdistrict only")
		}
		return a.JurisdictionID, nil
	}
	if js == nil {
		return picked, nil
	}
	all, err := js.ListJurisdictions(ctx)
	if err != nil {
		return 0, err
	}
	var subs []int64
	for _, j := range all {
		if j.Level != LevelDistrict {
			subs = append(subs, j.ID)
		}
	}
	if picked != 0 {
		for _, id := range subs {
			if id == picked {
				return picked, nil
			}
		}
		return 0, jiedao.Invalid("jurisdiction_id", fmt.Sprintf("所属街道 %d 不存在", picked), fmt.Sprintf("no subdistrict %d", picked))
	}
	switch len(subs) {
	case 0:
		return 0, nil
	case 1:
		return subs[0], nil
	}
	return 0, jiedao.Invalid("jurisdiction_id", "请选择所属街道", "choose the subdistrict the record belongs to")
}
