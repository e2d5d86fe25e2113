package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// In a district's deployment a district admin adding a ledger entry of no
// community picks its subdistrict on the form (docs/jurisdictions.md); a
// subdistrict's admin has no choice to make, and the entries each sees
// are its own.
func TestLedgerEntrySubdistrictPicked(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := fixture.Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		xx, err := fx.AddXixi(ctx)
		if err != nil {
			t.Fatal(err)
		}
		clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
		cases := fx.Service(clock.Now)
		dir := &org.Directory{Store: db.Org()}
		led := &ledger.Service{Store: db.Ledger(), Now: clock.Now, Jurisdictions: db.Org(),
			Communities: func(ctx context.Context) ([]*org.Community, error) { return db.Org().ListCommunities(ctx) }}
		if err := led.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		books := &api.Books{Ledgers: led}
		srv := server.New(&api.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, Books: books}, auth, db, log)
		srv.Web = web.New(web.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, Books: books})
		srv.SetReady(true)
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		e := &env{t: t, url: ts.URL, fx: fx, cases: cases, db: db, handler: srv.Handler(), clock: clock}

		district := xx.DistrictAdmin // no jurisdiction: the district's
		const page = "/ledgers/" + ledger.TypeMealDelivery
		entry := func(extra url.Values) url.Values {
			f := url.Values{"action": {"add"}, "day": {"2024-06-10"}, "community_id": {"0"}, "f_elder": {"王阿婆"}, "f_meals": {"2"}}
			for k, v := range extra {
				f[k] = v
			}
			return f
		}
		b := e.browser()
		b.login(district)
		_, body := b.get(page)
		if !strings.Contains(body, `name="jurisdiction_id"`) || !strings.Contains(body, xx.Jurisdiction.Name) || strings.Contains(body, ">"+xx.District.Name+"<") {
			t.Fatal("the district admin is offered no subdistrict to pick (or the district itself)")
		}
		st, _, body := b.post(page, b.token(page), entry(nil))
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择所属街道") {
			t.Fatalf("an entry of no subdistrict: %d", st)
		}
		st, _, _ = b.post(page, b.token(page), entry(url.Values{"jurisdiction_id": {itoa(xx.Jurisdiction.ID)}}))
		if st != http.StatusSeeOther {
			t.Fatalf("an entry of 西溪: %d", st)
		}

		// 古荡's admin: no choice, and 西溪's entry is not his.
		g := e.browser()
		g.login(fx.Admin)
		_, body = g.get(page)
		if strings.Contains(body, `name="jurisdiction_id"`) {
			t.Fatal("a subdistrict admin is offered a subdistrict to pick")
		}
		gd, xa := org.StaffActor(fx.Admin), org.StaffActor(xx.Admin)
		for _, c := range []struct {
			a    org.Actor
			want int
		}{{gd, 0}, {xa, 1}} {
			_, n, _, err := led.List(ctx, c.a, ledger.TypeMealDelivery, ledger.Query{}, 10, 0)
			if err != nil || n != c.want {
				t.Fatalf("subdistrict %d lists %d entries (%v), want %d", c.a.JurisdictionID, n, err, c.want)
			}
		}
	})
}
