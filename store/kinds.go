package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
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

// casePersons are the identities of the case (case_persons, migration
// 0070): a 12345 caller's (Case.Person) and the "person:" tags of its kind
// state (a petitioner, a dispute's parties).
func casePersons(c *casework.Case) []string {
	var out []string
	if c.Person != "" {
		out = append(out, c.Person)
	}
	if c.KindState != nil {
		for _, t := range c.KindState.Tags {
			if p, ok := strings.CutPrefix(t, "person:"); ok && p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// insertPersons adds the case's identities to case_persons; an identity is
// never taken off a case.
func insertPersons(ctx context.Context, tx conn, c *casework.Case) error {
	for _, p := range casePersons(c) {
		if _, err := tx.exec(ctx, `INSERT INTO case_persons (person, case_id) VALUES (?, ?) ON CONFLICT (person, case_id) DO NOTHING`, p, c.ID); err != nil {
			return mapError(err)
		}
	}
	return nil
}

func kindAmount(c *casework.Case) float64 {
	if c.KindState == nil {
		return 0
	}
	return c.KindState.Amount
}

// SumKindAmount adds up the kind amounts of the matching cases.
func (s *Cases) SumKindAmount(ctx context.Context, f casework.Filter) (float64, int, error) {
	w, args, err := s.whereOf(ctx, f, s.db.unitSet(false))
	if err != nil {
		return 0, 0, err
	}
	var sum float64
	var n int
	err = s.db.reader().queryRow(ctx, `SELECT COALESCE(SUM(c.kind_amount), 0), COUNT(*) FROM cases c`+w, args...).Scan(&sum, &n)
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
