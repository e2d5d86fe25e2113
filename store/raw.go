package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// OpenRawWriter opens a plain database/sql pool that writes to the
// database db was opened on with the settings of db's own writers: on
// SQLite one connection with the same pragmas (WAL, synchronous FULL), so
// that concurrent writers queue for it as the store's do; on PostgreSQL n
// connections, with the server's own durability settings. It is for
// measuring what the engine itself can do (jiedao bench's raw limit);
// jiedao's own writes go through the store.
func (db *DB) OpenRawWriter(ctx context.Context, n int) (*sql.DB, error) {
	var pool *sql.DB
	var err error
	if db.engine == Postgres {
		if pool, err = sql.Open("pgx", db.dsn); err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(n)
		pool.SetMaxIdleConns(n)
	} else {
		path := strings.TrimPrefix(db.dsn, "file:")
		base := "file:" + (&url.URL{Path: path}).EscapedPath()
		if pool, err = sql.Open("sqlite", base+"?"+sqlitePragmas+"&_txlock=immediate"); err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(1)
		pool.SetMaxIdleConns(1)
	}
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: raw writer: %w", err)
	}
	return pool, nil
}
