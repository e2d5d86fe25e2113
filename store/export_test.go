package store

import "context"

// MigrateUpTo exposes migrateUpTo to the upgrade tests (store_test).
func (db *DB) MigrateUpTo(ctx context.Context, last string) ([]string, error) {
	return db.migrateUpTo(ctx, last)
}
