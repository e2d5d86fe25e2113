package main

import (
	"context"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// books are the office's books (issue 13): ledgers, indicators and
// targets, campaigns.
type books struct {
	ledgers    *ledger.Service
	indicators *indicator.Service
	campaigns  *campaign.Service
}

// wireBooks builds the books' services over the app's database and makes
// sure the shipped ledger types and indicators exist. The targets measure
// their live figures through every source of a.figures at the time of
// asking, so the figures other domains add are measured too.
func (a *app) wireBooks(ctx context.Context) error {
	communities := func(ctx context.Context) ([]*org.Community, error) { return a.db.Org().ListCommunities(ctx) }
	b := &books{
		ledgers: &ledger.Service{Store: a.db.Ledger(), Now: time.Now, Communities: communities, Device: a.db.Ledger().DeviceExists, Jurisdictions: a.db.Org()},
		indicators: &indicator.Service{Store: a.db.Indicators(), Now: time.Now, Audit: a.db.Audit(), Jurisdictions: a.db.Org(),
			Figure: func(ctx context.Context, act org.Actor, key string, year int) (float64, bool, error) {
				v, ok, _, err := report.Measure(ctx, a.cases, act, key, year, a.figures...)
				return v, ok, err
			},
			Known: func(key string) bool {
				_, ok := report.Lookup(key, a.figures...)
				return ok
			}},
		campaigns: &campaign.Service{Store: a.db.Campaigns(), Cases: a.cases, Photos: &casework.Photos{Store: a.db.Photos(), Cases: a.cases}, Now: time.Now, Jurisdictions: a.db.Org()},
	}
	if err := b.ledgers.EnsureBuiltin(ctx); err != nil {
		return err
	}
	if err := b.indicators.EnsureBuiltin(ctx); err != nil {
		return err
	}
	a.books = b
	return nil
}

// api is the services as the JSON API and the pages take them.
func (b *books) api() *api.Books {
	if b == nil {
		return nil
	}
	return &api.Books{Ledgers: b.ledgers, Indicators: b.indicators, Campaigns: b.campaigns}
}
