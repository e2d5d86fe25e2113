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
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// TestResidentPlaceAndPrivacy: a resident's report needs a place; one far
// outside the subdistrict is refused at the location; the nearby reports
// offered on the form carry no other resident's words or address; the
// form speaks no jargon.
func TestResidentPlaceAndPrivacy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.browser()
		tok := res.token("/r")
		st, _, body := res.postMultipart("/r", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾没人收"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "请说明问题的位置") {
			t.Fatalf("a report without a place: %d", st)
		}
		st, _, body = res.postMultipart("/r", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾没人收"}, "lat": {"31.5"}, "lon": {"121.4"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "不在本街道辖区内") {
			t.Fatalf("a report far away: %d", st)
		}
		if strings.Contains(body, "WGS-84") {
			t.Error("the resident's form speaks of WGS-84")
		}
		// The 街道's name, and a map to drop a pin on (without a grid code).
		_, form := res.get("/r")
		if !strings.Contains(form, `id="subdistrict">`+e.fx.Jurisdiction.Name+`<`) || !strings.Contains(form, `id="pin-map"`) {
			t.Error("the form names no subdistrict or has no pin map")
		}
		if _, qr := res.get("/r/" + e.fx.GridW1.Code); strings.Contains(qr, `id="pin-map"`) || !strings.Contains(qr, e.fx.Jurisdiction.Name) {
			t.Error("the grid's form: a pin map, or no subdistrict")
		}
		st, area := res.get("/r/area.geojson")
		if st != http.StatusOK || !strings.Contains(area, `"FeatureCollection"`) || strings.Contains(area, e.fx.GridW1.Code) {
			t.Errorf("the public area: %d", st)
		}
		// Another resident's open report in grid W1, with words and address.
		other, err := e.cases.Report(context.Background(), org.ResidentActor("王五"), casework.ReportInput{Category: fixture.CatExposedTrash,
			Details: "我家楼下王大妈的垃圾", Address: "文一路88号3单元", GridID: e.fx.GridW1.ID, Reporter: casework.Contact{Phone: "13900001111"}})
		if err != nil {
			t.Fatal(err)
		}
		_, extra := res.get("/r/extra?category=" + fixture.CatExposedTrash + "&grid_id=" + itoa(e.fx.GridW1.ID))
		if !strings.Contains(extra, other.Number) {
			t.Fatal("the nearby report is not offered")
		}
		for _, private := range []string{"王大妈", "文一路88号", "王五", "13900001111"} {
			if strings.Contains(extra, private) {
				t.Errorf("the nearby list shows %q to a stranger", private)
			}
		}
	})
}

// TestQRPublicURL: QR codes encode the configured public address, not the
// address of whoever prints them; without one, the sheet says so.
func TestQRPublicURL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		fx, err := fixture.Build(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
		cases := fx.Service(clock.Now)
		dir := &org.Directory{Store: db.Org()}
		for _, public := range []string{"", "https://jiedao.example.gov.cn"} {
			srv := server.New(&api.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log}, auth, db, log)
			srv.Web = web.New(web.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, PublicURL: public,
				Photos: &casework.Photos{Store: db.Photos(), Cases: cases}})
			srv.SetReady(true)
			ts := httptest.NewServer(srv.Handler())
			e := &env{t: t, url: ts.URL, fx: fx, cases: cases, db: db}
			b := e.browser()
			b.login(fx.Staff(org.RoleAdmin))
			_, sheet := b.get("/qr")
			warned := strings.Contains(sheet, `id="qr-no-public-url"`)
			if public == "" {
				if !warned {
					t.Error("no warning on the sheet without --public-url")
				}
			} else {
				if warned || !strings.Contains(sheet, public) {
					t.Errorf("the sheet with --public-url %s: warned %v", public, warned)
				}
			}
			ts.Close()
		}
	})
}
