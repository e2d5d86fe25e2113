package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/jiedao/jiedao/casework"
)

var _ casework.KindAmountSummer = (*Cases)(nil)

// kindTags is the kind_tags column: the tags with a space at each end, so
// that LIKE '% tag %' matches a whole tag.
func kindTags(c *casework.Case) string {
	if c.KindState == nil || len(c.KindState.Tags) == 0 {
		return ""
	}
	return " " + strings.Join(c.KindState.Tags, " ") + " "
}

func kindAmount(c *casework.Case) float64 {
	if c.KindState == nil {
		return 0
	}
	return c.KindState.Amount
}

// SumKindAmount adds up the kind amounts of the matching cases.
func (s *Cases) SumKindAmount(ctx context.Context, f casework.Filter) (float64, int, error) {
	w, args := where(f)
	var sum float64
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COALESCE(SUM(c.kind_amount), 0), COUNT(*) FROM cases c`+w, args...).Scan(&sum, &n)
	return sum, n, mapError(err)
}

// KindSecret returns the installation's secret of the name, making it
// (32 random bytes, hex) the first time.
func (db *DB) KindSecret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := db.writer().exec(ctx, `INSERT INTO kind_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(b)); err != nil {
		return nil, mapError(err)
	}
	var v string
	if err := db.writer().queryRow(ctx, `SELECT value FROM kind_secrets WHERE name = ?`, name).Scan(&v); err != nil {
		return nil, mapError(err)
	}
	return hex.DecodeString(v)
}
