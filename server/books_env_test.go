package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// booksOf wires the books' services as cmd/jiedao does, with the shipped
// ledger types and indicators.
func booksOf(t *testing.T, db *store.DB, cases *casework.Service, now func() time.Time) *api.Books {
	t.Helper()
	ctx := context.Background()
	comms := func(ctx context.Context) ([]*org.Community, error) { return db.Org().ListCommunities(ctx) }
	b := &api.Books{
		Ledgers:    &ledger.Service{Store: db.Ledger(), Now: now, Communities: comms},
		Indicators: &indicator.Service{Store: db.Indicators(), Now: now},
		Campaigns:  &campaign.Service{Store: db.Campaigns(), Cases: cases, Now: now},
	}
	if err := b.Ledgers.EnsureBuiltin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Indicators.EnsureBuiltin(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}
