package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// The duty roster page: the dispatcher generates October 2023 over the
// National Day holiday and swaps two officers' days with a reason; a swap
// without one is refused in Chinese and changes nothing; the duty officer
// reads the month with the holidays and make-up workdays marked and has no
// forms; a grid worker may not see it.
func TestDutyRosterPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := e.browser()
		d.login(e.fx.Dispatcher)
		tok := d.token("/duty/roster?month=2023-10")
		st, loc, body := d.post("/duty/roster/generate", tok, url.Values{"from": {"2023-10-01"}, "to": {"2023-10-31"},
			"leaders": {itoa(e.fx.Leader.ID)}, "officers": {itoa(e.fx.DutyOfficer.ID), itoa(e.fx.Dispatcher.ID)}, "per_shift": {"1"}})
		if st != http.StatusSeeOther || loc != "/duty/roster?month=2023-10&done=generate" {
			t.Fatalf("generate: %d %s %.400s", st, loc, body)
		}
		_, body = d.get(loc)
		for _, want := range []string{`id="d-2023-10-01"`, "国庆节", "调休上班", `id="form-exchange"`, e.fx.DutyOfficer.Name} {
			if !strings.Contains(body, want) {
				t.Errorf("the month lacks %q", want)
			}
		}
		// 1 and 2 October: the duty officer and the dispatcher in turn.
		ex := url.Values{"date_a": {"2023-10-01"}, "date_b": {"2023-10-02"}, "month": {"2023-10"}}
		_, day1 := d.get("/duty/roster?month=2023-10")
		first, second := e.fx.DutyOfficer, e.fx.Dispatcher
		if i := strings.Index(day1, `id="d-2023-10-01"`); i < 0 || !strings.Contains(day1[i:i+600], first.Name) {
			first, second = second, first
		}
		ex.Set("a", itoa(first.ID))
		ex.Set("b", itoa(second.ID))
		st, _, body = d.post("/duty/roster/exchange", tok, ex)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "换班须说明理由") {
			t.Fatalf("a swap without a reason: %d", st)
		}
		ex.Set("reason", "家中有事")
		if st, loc, body = d.post("/duty/roster/exchange", tok, ex); st != http.StatusSeeOther {
			t.Fatalf("swap: %d %.400s", st, body)
		}
		_, body = d.get(loc)
		if i := strings.Index(body, `id="d-2023-10-01"`); i < 0 || !strings.Contains(body[i:i+700], second.Name) || !strings.Contains(body[i:i+900], "调整 1") {
			t.Errorf("1 October after the swap: %.700s", body[i:])
		}

		// The duty officer reads, without forms.
		o := e.browser()
		o.login(e.fx.DutyOfficer)
		st, body = o.get("/duty/roster?month=2023-10")
		if st != http.StatusOK || !strings.Contains(body, "国庆节") || strings.Contains(body, `id="form-exchange"`) {
			t.Fatalf("duty officer: %d, forms shown %v", st, strings.Contains(body, `id="form-exchange"`))
		}
		if st, _, _ := o.post("/duty/roster/assign", o.token("/duty/roster"), url.Values{"date": {"2023-10-05"}, "leader": {itoa(e.fx.Leader.ID)},
			"officers": {itoa(e.fx.DutyOfficer.ID)}}); st != http.StatusForbidden {
			t.Errorf("a duty officer assigned: %d", st)
		}
		g := e.browser()
		g.login(e.fx.GridWorker)
		if st, _ := g.get("/duty/roster"); st != http.StatusForbidden {
			t.Errorf("a grid worker: %d", st)
		}
	})
}
