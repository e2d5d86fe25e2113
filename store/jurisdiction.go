package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// fillJurisdictions gives each new case the service left without a
// subdistrict (JurisdictionID 0) its own, in the order of
// docs/jurisdictions.md: its community's; else its reporting staff
// member's; else its API client's; else the deployment's only
// subdistrict. A case of a deployment of several subdistricts that none of
// these place stays 0: the district's, seen by district roles only, until
// it is transferred. Each path that stores new cases calls it (createCase,
// the group commit's batch, ImportCases), so that every case row has its
// subdistrict; the report event's snapshot gets it too, so that replaying
// the events gives the stored case.
func fillJurisdictions(ctx context.Context, tx conn, cases []*casework.Case, reports []*casework.Case) error {
	need := false
	for _, c := range cases {
		if c.JurisdictionID == 0 {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	r, err := loadJurisdictionResolver(ctx, tx)
	if err != nil {
		return err
	}
	for i, c := range cases {
		if c.JurisdictionID == 0 {
			if c.JurisdictionID, err = r.of(ctx, tx, c); err != nil {
				return err
			}
		}
		if i < len(reports) && reports[i] != nil {
			reports[i].JurisdictionID = c.JurisdictionID
		}
	}
	return nil
}

// jurisdictionResolver holds what places a new case in a subdistrict.
type jurisdictionResolver struct {
	community     map[int64]int64
	staff, client map[int64]int64 // read as needed
	only          int64           // the only subdistrict; 0 when none or several
}

func loadJurisdictionResolver(ctx context.Context, tx conn) (*jurisdictionResolver, error) {
	r := &jurisdictionResolver{community: map[int64]int64{}, staff: map[int64]int64{}, client: map[int64]int64{}}
	err := tx.run(ctx, []stmt{
		{query: `SELECT id, jurisdiction_id FROM communities`, scan: func(sc scanner) error {
			var id, j int64
			if err := sc.Scan(&id, &j); err != nil {
				return err
			}
			r.community[id] = j
			return nil
		}},
		{query: `SELECT COUNT(*), COALESCE(MIN(id), 0) FROM jurisdictions WHERE level <> ?`, args: []any{org.LevelDistrict},
			scan: func(sc scanner) error {
				var n, id int64
				if err := sc.Scan(&n, &id); err != nil {
					return err
				}
				if n == 1 {
					r.only = id
				}
				return nil
			}},
	})
	return r, err
}

func (r *jurisdictionResolver) of(ctx context.Context, tx conn, c *casework.Case) (int64, error) {
	if j := r.community[c.Community]; c.Community != 0 && j != 0 {
		return j, nil
	}
	for _, k := range []struct {
		id    int64
		cache map[int64]int64
		query string
	}{
		{c.ReporterID, r.staff, `SELECT COALESCE(jurisdiction_id, 0) FROM staff WHERE id = ?`},
		{c.ClientID, r.client, `SELECT COALESCE(jurisdiction_id, 0) FROM api_clients WHERE id = ?`},
	} {
		if k.id == 0 {
			continue
		}
		j, ok := k.cache[k.id]
		if !ok {
			if err := tx.queryRow(ctx, k.query, k.id).Scan(&j); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
			k.cache[k.id] = j
		}
		if j != 0 {
			return j, nil
		}
	}
	return r.only, nil
}
