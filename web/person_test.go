package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The petition page lists the petitioner's other cases: his earlier
// petition, and his 12345 call to a viewer who may see it (the dispatcher),
// not to the petition officer, who sees petitions only.
func TestPetitionPageListsTheSamePerson(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		key := []byte("web test key")
		e.cases.Kinds, e.cases.PersonKey = kinds.Models(key), key
		e.clock.Set(time.Date(2023, 3, 1, 10, 0, 0, 0, calendar.Zone()))
		call, err := e.cases.Report(t.Context(), e.fx.Actor(org.RoleDispatcher), casework.ReportInput{Channel: casework.ChannelHotline, ExternalID: "GD-9",
			Category: fixture.CatExposedTrash, Details: "来电反映噪声扰民", Address: "文一路1号", Reporter: casework.Contact{Name: "王先生", Phone: "13812345678"}})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(e.fx.PetitionOfficer)
		var pages []string
		for _, ch := range []string{"visit", "letter"} {
			st, loc, body := b.post("/desk/petition", b.token("/desk/petition"), url.Values{"level": {"district"}, "channel": {ch},
				"petitioner_name": {"王小明"}, "petitioner_id": {"138-1234-5678"}, "details": {"反映噪声扰民问题"}})
			if st != http.StatusSeeOther {
				t.Fatalf("register: %d %.300s", st, body)
			}
			pages = append(pages, loc)
		}
		_, first := b.get(pages[0])
		_, body := b.get(pages[1])
		i := strings.Index(body, `id="same-person"`)
		if i < 0 {
			t.Fatal("the second petition lists no other case of the person")
		}
		num := first[strings.Index(first, `<span class="number">`)+len(`<span class="number">`):]
		num = num[:strings.Index(num, "<")]
		if !strings.Contains(body[i:], num) || strings.Contains(body[i:], call.Number) {
			t.Errorf("the petition officer's list: want %s, not the 12345 call %s", num, call.Number)
		}
		if !strings.Contains(body, `重复信访</dt><dd data-field="repeat">是`) || !strings.Contains(first, `重复信访</dt><dd data-field="repeat">否`) {
			t.Error("the repeat is not shown as such")
		}
		d := e.browser()
		d.login(e.fx.Dispatcher)
		_, body = d.get(pages[1])
		if i := strings.Index(body, `id="same-person"`); i < 0 || !strings.Contains(body[i:], call.Number) {
			t.Errorf("the dispatcher does not see the 12345 call %s among the person's cases", call.Number)
		}
	})
}
