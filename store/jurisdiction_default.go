package store

import (
	"context"
)

// recordJurisdiction is the subdistrict a record of a domain outside the
// case loop is stored in: the one its service decided, or, when none was
// (0: a one-subdistrict deployment's demo or import writing the store
// directly), the first subdistrict, as migrations 0130–0132 placed the
// records that existed before (docs/jurisdictions.md).
func recordJurisdiction(ctx context.Context, c conn, j int64) (int64, error) {
	if j != 0 {
		return j, nil
	}
	var first int64
	err := c.queryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM jurisdictions WHERE level = 'subdistrict'`).Scan(&first)
	return first, mapError(err)
}
