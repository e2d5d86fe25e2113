package store

import (
	"context"
	"time"
)

// MigrateUpTo exposes migrateUpTo to the upgrade tests (store_test).
func (db *DB) MigrateUpTo(ctx context.Context, last string) ([]string, error) {
	return db.migrateUpTo(ctx, last)
}

// SetSearchScanFirst sets how long a common word's page is looked for by
// the LIKE alone (0: never, the candidates are probed at once) until the
// function returned is called.
func SetSearchScanFirst(d time.Duration) (restore func()) {
	old := searchScanFirst
	searchScanFirst = d
	return func() { searchScanFirst = old }
}
