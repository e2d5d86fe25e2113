package store

import (
	"context"
	"sync"
	"time"

	"github.com/jiedao/jiedao/casework"
)

// configRecheck is how long a process trusts its cached configuration
// before it asks the database whether another process changed it. Writes
// through this process are seen at once (they drop the cache when they
// commit); a change made by another serve on the same PostgreSQL is seen
// within this time.
const configRecheck = time.Second

// configVersion is the meta counter bumped by every write of the cached
// configuration, in the writing transaction.
const configVersion = "config"

// configCache keeps the categories and routing rules in memory: every
// report reads its category and the routing rules, and reading them from
// the database was the largest part of a report's cost after the commit
// itself (docs/benchmarks.md, intake).
type configCache struct {
	mu      sync.Mutex
	snap    *configSnapshot
	checked time.Time
	// gen counts drops, so that a load that began before a drop does not
	// install what it read.
	gen uint64
}

// configSnapshot is the configuration as loaded at one version; it is
// never changed once loaded: callers get shallow copies, whose slices
// (keywords, attributes) they must not change.
type configSnapshot struct {
	version    int64
	categories []*casework.Category // by code
	byCode     map[string]*casework.Category
	rules      []casework.RoutingRule // by id
}

// drop forgets the cached configuration; the next read loads it again.
func (c *configCache) drop() {
	c.mu.Lock()
	c.snap, c.gen = nil, c.gen+1
	c.mu.Unlock()
}

// config returns the current configuration: the cached one if it was
// checked within configRecheck or its version is still the database's,
// else a fresh load.
func (db *DB) config(ctx context.Context) (*configSnapshot, error) {
	cc := &db.configCache
	cc.mu.Lock()
	snap, gen, fresh := cc.snap, cc.gen, time.Since(cc.checked) < db.recheckAfter()
	cc.mu.Unlock()
	if snap != nil && fresh {
		return snap, nil
	}
	v, err := db.Version(ctx, configVersion)
	if err != nil {
		return nil, err
	}
	if snap == nil || snap.version != v {
		if snap, err = db.loadConfig(ctx, v); err != nil {
			return nil, err
		}
	}
	cc.mu.Lock()
	if cc.gen == gen {
		cc.snap, cc.checked = snap, time.Now()
	}
	cc.mu.Unlock()
	return snap, nil
}

func (db *DB) loadConfig(ctx context.Context, version int64) (*configSnapshot, error) {
	s := &Cases{db: db}
	cats, err := s.loadCategories(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := s.loadRoutingRules(ctx)
	if err != nil {
		return nil, err
	}
	snap := &configSnapshot{version: version, categories: cats, rules: rules,
		byCode: make(map[string]*casework.Category, len(cats))}
	for _, c := range cats {
		snap.byCode[c.Code] = c
	}
	return snap, nil
}

// configChanged bumps the configuration's version in the writing
// transaction tx, and drops this process's cache once tx commits.
func (db *DB) configChanged(ctx context.Context, tx conn) error {
	if err := bumpVersion(ctx, tx, configVersion); err != nil {
		return err
	}
	tx.afterCommit(db.configCache.drop)
	// Other processes drop theirs when they hear of it (events.go).
	return db.notify(ctx, tx, TopicConfig, "")
}
