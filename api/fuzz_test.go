package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// filterQueries are case-list searches as the pages and API clients send
// them.
var filterQueries = []string{
	"",
	"status=reported,accepted&channel=hotline&from=2024-06-01&to=2024-06-12&limit=20",
	"q=%E5%9E%83%E5%9C%BE&due=overdue",
	"q=50%25_off&due=warning&status=dispatched",
	"grid_id=3&community_id=1&unit_id=2&offset=40&limit=500",
	"number=GD-2024-000001",
	"category=01&status=closed,%20rejected,",
	"from=2024-06-01T00:00:00%2B08:00&to=2024-06-11T09:00:00Z",
	"channel=carrier_pigeon",
	"due=soon",
	"status=open",
	"limit=-1",
	"grid_id=9223372036854775808",
	"from=2024-13-01",
	"q=%00",
	"number=%FF%FE",
	"q=a%27%3B%20DROP%20TABLE%20cases%3B--",
	"status=closed&status=hung&rating=satisfied,basic&rated=1&dispatched=true&signed=1&handled=1",
	"rating=great",
	"from=2024-06-01T10:30:00%2B08:00",
	"%FF=1",
}

// engines lists the engines the fuzz target queries: both, unless the run
// knowingly opted out of PostgreSQL (as internal/testdb allows).
func engines() []store.Engine {
	if os.Getenv("JIEDAO_TEST_POSTGRES") == "" && os.Getenv("JIEDAO_TEST_SQLITE_ONLY") == "1" {
		return []store.Engine{store.SQLite}
	}
	return testdb.Engines()
}

// FuzzCaseFilter fuzzes the case-list search filters (GET /api/v1/cases,
// the pages' list and every export: one parser, api.ParseFilter).
// A refused query is a bilingual *jiedao.Error on the field at fault; an
// accepted one has only known channels, statuses and due states and
// non-negative numbers, reads back the same when written out again, and
// runs on both engines' real queries, for a leader and for a grid worker,
// without a fault of ours and with answers that match it.
func FuzzCaseFilter(f *testing.F) {
	for _, q := range filterQueries {
		f.Add(q)
	}
	ctx := context.Background()
	type engineEnv struct {
		svc   *casework.Service
		fx    *fixture.Org
		actor []org.Actor
	}
	var envs []engineEnv
	for _, engine := range engines() {
		db := testdb.Open(f, engine)
		fx, err := fixture.Build(ctx, db)
		if err != nil {
			f.Fatal(err)
		}
		clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
		svc := fx.Service(clock.Now)
		for i, g := range []*org.Grid{fx.GridW1, fx.GridY1, fx.GridW2} {
			clock.Set(time.Date(2024, 6, 1+3*i, 10, 0, 0, 0, calendar.Zone()))
			lat, lon := fx.LatLon(g.ID)
			if _, err := svc.Report(ctx, fx.Actor(org.RoleGridWorker), casework.ReportInput{Category: fixture.CatExposedTrash,
				Details: "垃圾桶满了，50% 溢出", Address: "文一路" + strconv.Itoa(i+1) + "号", Lat: lat, Lon: lon}); err != nil {
				f.Fatal(err)
			}
		}
		clock.Set(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
		envs = append(envs, engineEnv{svc, fx, []org.Actor{fx.Actor(org.RoleLeader), fx.Actor(org.RoleGridWorker)}})
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/cases", nil)
		r.URL.RawQuery = query
		flt, err := api.ParseListFilter(r)
		if err != nil {
			var e *jiedao.Error
			if !errors.As(err, &e) || e.Code != jiedao.EINVALID || e.Field == "" || e.Zh == "" || e.En == "" {
				t.Fatalf("refusal %#v", err)
			}
			return
		}
		if flt.Channel != "" && !flt.Channel.Valid() {
			t.Fatalf("channel %q accepted", flt.Channel)
		}
		for _, s := range flt.Statuses {
			if !s.Valid() {
				t.Fatalf("status %q accepted", s)
			}
		}
		if flt.CommunityID < 0 || flt.GridID < 0 || flt.UnitID < 0 || flt.Limit <= 0 || flt.Offset < 0 {
			t.Fatalf("numbers %+v", flt)
		}
		again, err := api.ParseListFilter(httptest.NewRequest(http.MethodGet, "/api/v1/cases?"+encodeFilter(flt).Encode(), nil))
		if err != nil {
			t.Fatalf("the filter written out is refused: %v", err)
		}
		if !sameFilter(flt, again) {
			t.Fatalf("round trip changed the filter:\n got %+v\nwant %+v", again, flt)
		}
		for _, env := range envs {
			for _, a := range env.actor {
				cases, total, err := env.svc.List(context.Background(), a, flt)
				if err != nil {
					if jiedao.ErrorCode(err) == jiedao.EINTERNAL {
						t.Fatalf("%s: the search failed: %v", a.Role, err)
					}
					if zh, en := jiedao.ErrorMessages(err); zh == "" || en == "" {
						t.Fatalf("a message is missing: %v", err)
					}
					continue
				}
				if len(cases) > min(flt.Limit, casework.MaxPage) || total < len(cases) {
					t.Fatalf("%d cases of %d on a page of %d", len(cases), total, flt.Limit)
				}
				for _, c := range cases {
					if flt.Channel != "" && c.Channel != flt.Channel ||
						len(flt.Statuses) > 0 && !slices.Contains(flt.Statuses, c.Status) ||
						!flt.From.IsZero() && c.ReportedAt.Before(flt.From) ||
						!flt.To.IsZero() && !c.ReportedAt.Before(flt.To) ||
						flt.GridID != 0 && c.GridID != flt.GridID {
						t.Fatalf("case %s does not match %+v", c.Number, flt)
					}
				}
			}
		}
	})
}

// encodeFilter writes a filter and its page as the query string the
// list reads: the shared api.FilterQuery, plus limit and offset.
func encodeFilter(f casework.Filter) url.Values {
	v := api.FilterQuery(f)
	v.Set("limit", strconv.Itoa(f.Limit))
	if f.Offset != 0 {
		v.Set("offset", strconv.Itoa(f.Offset))
	}
	return v
}

// sameFilter compares filters, times by the instant they name.
func sameFilter(a, b casework.Filter) bool {
	if !a.From.Equal(b.From) || !a.To.Equal(b.To) {
		return false
	}
	a.From, a.To, b.From, b.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}
