package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"

	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestReportFormCoordinatesArePlainDecimals: the resident's form refuses a
// latitude written as ParseFloat's hexadecimal, exponent, Inf or NaN forms.
func TestReportFormCoordinatesArePlainDecimals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.browser()
		tok := res.token("/r")
		p := e.fx.Points[e.fx.GridW1.ID]
		lon := ftoa(p.Lon)
		for _, bad := range []string{"0x1.e4p+04", "3.027e1", "Inf", "NaN"} {
			st, _, body := res.postMultipart("/r", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾没人收"}, "lat": {bad}, "lon": {lon}})
			if st != http.StatusUnprocessableEntity || !strings.Contains(body, "经纬度应为数字") {
				t.Errorf("lat %q: %d", bad, st)
			}
		}
	})
}

// TestCasePageShowsTheTransferTime: a police transfer's 移交时间 is on its
// case page.
func TestCasePageShowsTheTransferTime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		at := time.Date(2024, 6, 11, 8, 12, 0, 0, calendar.Zone())
		c, err := e.cases.Report(context.Background(), e.fx.Actor(org.RoleDispatcher), casework.ReportInput{Channel: casework.ChannelPolice,
			ExternalID: "JJ1", Category: fixture.CatExposedTrash, Details: "移交的事项", GridID: e.fx.GridW1.ID, SourceAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(e.fx.Dispatcher)
		st, page := b.get(fmt.Sprintf("/cases/%d", c.ID))
		if st != 200 || !strings.Contains(page, "移交时间") || !strings.Contains(page, "2024-06-11 08:12") {
			t.Errorf("case page %d shows no transfer time", st)
		}
	})
}
