package store

import (
	"context"
	"sync"
	"time"

	"github.com/jiedao/jiedao/org"
)

// versionCache keeps the meta counters (bumpVersion) this process read
// within the last configRecheck, so that a request does not spend a round
// trip asking whether the grids or the API clients changed: an intake
// request read two such counters and its API key before its own write
// (docs/benchmarks.md, issue 16). A write through this process forgets the
// counter when it commits; another serve's write is seen at its NOTIFY
// (events.go) or within configRecheck, as the configuration is.
type versionCache struct {
	mu   sync.Mutex
	seen map[string]versionSeen
	// gen counts forgets, so that a read that began before a forget does
	// not install what it read.
	gen uint64
}

type versionSeen struct {
	v  int64
	at time.Time
}

// cachedVersion is Version, trusted for configRecheck once read.
func (db *DB) cachedVersion(ctx context.Context, key string) (int64, error) {
	vc := &db.versions
	vc.mu.Lock()
	s, ok := vc.seen[key]
	gen := vc.gen
	vc.mu.Unlock()
	if ok && time.Since(s.at) < db.recheckAfter() {
		return s.v, nil
	}
	v, err := db.Version(ctx, key)
	if err != nil {
		return 0, err
	}
	vc.mu.Lock()
	if vc.gen == gen {
		if vc.seen == nil {
			vc.seen = map[string]versionSeen{}
		}
		vc.seen[key] = versionSeen{v: v, at: time.Now()}
	}
	vc.mu.Unlock()
	return v, nil
}

// SetRecheck sets how long this process trusts the configuration and the
// counters it read before asking the database again (configRecheck by
// default): how long another node's change may take to be seen when its
// notice is lost. Tests set it long to see that nothing is read at all.
func (db *DB) SetRecheck(d time.Duration) { db.recheck.Store(int64(d)) }

func (db *DB) recheckAfter() time.Duration {
	if d := db.recheck.Load(); d > 0 {
		return time.Duration(d)
	}
	return configRecheck
}

// forgetVersions drops every counter read, so that the next read asks.
func (vc *versionCache) forgetVersions() {
	vc.mu.Lock()
	vc.seen, vc.gen = nil, vc.gen+1
	vc.mu.Unlock()
}

// clientsVersion is the meta counter bumped by every write of api_clients.
const clientsVersion = "clients"

// clientCache keeps the API clients looked up by their key's hash, valid
// while the clients' counter stays what it was when they were read.
type clientCache struct {
	mu      sync.Mutex
	version int64
	byHash  map[string]*org.APIClient
}

// cachedClient returns the client of keyHash, from the cache when the
// clients' counter has not moved since it was read; missing keys are not
// kept (a wrong key costs its lookup, as it should).
func (s *Org) cachedClient(ctx context.Context, keyHash string, load func() (*org.APIClient, error)) (*org.APIClient, error) {
	v, err := s.db.cachedVersion(ctx, clientsVersion)
	if err != nil {
		return nil, err
	}
	cc := &s.db.clients
	cc.mu.Lock()
	if cc.version != v {
		cc.version, cc.byHash = v, nil
	}
	c, ok := cc.byHash[keyHash]
	cc.mu.Unlock()
	if ok {
		cp := *c
		return &cp, nil
	}
	c, err = load()
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.version == v {
		if cc.byHash == nil {
			cc.byHash = map[string]*org.APIClient{}
		}
		cp := *c
		cc.byHash[keyHash] = &cp
	}
	cc.mu.Unlock()
	return c, nil
}

// jurisdictionCache keeps the jurisdictions as read at a places' version.
type jurisdictionCache struct {
	mu      sync.Mutex
	version int64
	list    []*org.Jurisdiction
}

// subdistrictCache keeps which subdistrict each community and unit is
// in, as read at a places' version.
type subdistrictCache struct {
	mu   sync.Mutex
	maps *subdistrictMaps
}

type subdistrictMaps struct {
	version            int64
	communities, units map[int64]int64
}
