package store

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/ledger"
)

// Definitions the figures read again and again. The leader's dashboard
// measured every figure of the report, and each indicator figure read its
// indicator's definition and each ledger figure its ledger's type: about
// 90 of the dashboard's 360 statements on PostgreSQL, each a round trip,
// for rows that change once a year if ever. They are kept here.

// indicatorCache keeps indicators by key. An indicator is never changed
// or deleted once created (CreateIndicator only), so a definition read
// stays true on every node; one not yet created is not kept.
type indicatorCache struct {
	mu    sync.Mutex
	byKey map[string]indicator.Indicator
}

func (c *indicatorCache) get(key string) (*indicator.Indicator, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.byKey[key]
	return &i, ok
}

func (c *indicatorCache) put(i *indicator.Indicator) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]indicator.Indicator{}
	}
	c.byKey[i.Key] = *i
}

// ledgerTypesVersion is the meta counter of the ledger types: bumped by
// every change of one, so that each node reads them again (bumpVersion).
const ledgerTypesVersion = "ledger_types"

// ledgerTypeCache keeps every ledger type as read at a counter's value.
// A type is kept as its row, its fields as their JSON, and decoded for
// each caller, who may change what he is given.
type ledgerTypeCache struct {
	mu      sync.Mutex
	version int64
	rows    []ledgerTypeRow // nil: not read
}

type ledgerTypeRow struct {
	t      ledger.Type // without Fields
	fields string
}

func (r ledgerTypeRow) decode() (*ledger.Type, error) {
	t := r.t
	return &t, json.Unmarshal([]byte(r.fields), &t.Fields)
}

// cachedType finds the ledger type match picks among the types kept at
// the counter's current value, reading them all when it moved.
func (s *Ledger) cachedType(ctx context.Context, match func(*ledger.Type) bool) (*ledger.Type, error) {
	v, err := s.db.cachedVersion(ctx, ledgerTypesVersion)
	if err != nil {
		return nil, err
	}
	c := &s.db.ledgerTypes
	c.mu.Lock()
	rows, ok := c.rows, c.version == v && c.rows != nil
	c.mu.Unlock()
	if !ok {
		if rows, err = s.loadTypeRows(ctx); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.version, c.rows = v, rows
		c.mu.Unlock()
	}
	for _, r := range rows {
		if match(&r.t) {
			return r.decode()
		}
	}
	return nil, jiedao.NotFound("台账", "ledger")
}

func (s *Ledger) loadTypeRows(ctx context.Context) ([]ledgerTypeRow, error) {
	rows, err := s.db.reader().query(ctx, `SELECT id, code, name, name_en, unit_id, fields, version, updated_at, updated_by FROM ledger_types ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ledgerTypeRow{}
	for rows.Next() {
		var r ledgerTypeRow
		t, fields, err := scanTypeRow(rows)
		if err != nil {
			return nil, err
		}
		r.t, r.fields = *t, fields
		out = append(out, r)
	}
	return out, rows.Err()
}
