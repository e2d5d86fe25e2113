package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/store"
)

// The desks of the case kinds: an officer registers a case, sees each
// clock's countdown and article, takes a kind step, is refused with the
// reason in Chinese (nothing changes), and an enforcement document prints.
func TestKindDesks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.cases.Kinds = kinds.Models([]byte("web test key"))
		e.clock.Set(time.Date(2023, 1, 7, 10, 0, 0, 0, calendar.Zone()))
		b := e.browser()
		b.login(e.fx.PetitionOfficer)
		// His menu leads to his desk.
		if st, body := b.get("/desk/petition"); st != http.StatusOK || !strings.Contains(body, `href="/desk/petition"`) {
			t.Fatalf("desk: %d", st)
		}
		st, loc, body := b.post("/desk/petition", b.token("/desk/petition"), url.Values{"level": {"national"}, "channel": {"visit"},
			"petitioner_name": {"王小明"}, "petitioner_id": {"330106198001011234"}, "backlog": {"1"}, "details": {"反映拆迁安置补偿问题"}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/desk/petition/") {
			t.Fatalf("register: %d %s %.300s", st, loc, body)
		}
		st, body = b.get(loc)
		if st != http.StatusOK {
			t.Fatalf("case page %d", st)
		}
		// 15 days from Saturday 7 January end on 28 January (Spring Festival).
		for _, want := range []string{"告知是否受理", "2023-01-28", "《信访工作条例》第三十条", "剩余 21 天"} {
			if !strings.Contains(body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		if strings.Contains(body, "330106198001011234") || strings.Contains(body, "王小明") {
			t.Error("the petitioner's identity shows")
		}
		// Accept, then accept the petition; a review before any answer is refused.
		for _, act := range []string{"accept", "petition_accept"} {
			if st, _, body := b.post(loc+"/steps", b.token(loc), url.Values{"action": {act}}); st != http.StatusSeeOther {
				t.Fatalf("%s: %d %.400s", act, st, body)
			}
		}
		st, _, body = b.post(loc+"/steps", b.token(loc), url.Values{"action": {"backlog_clear"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写原因") {
			t.Fatalf("backlog clear without reason: %d", st)
		}
		_, body = b.get(loc)
		if !strings.Contains(body, "办结并书面答复") || !strings.Contains(body, "《信访工作条例》第三十二条") {
			t.Errorf("the handling clock is not shown with its article")
		}
		// The desk lists it with its countdown.
		_, body = b.get("/desk/petition")
		if !regexp.MustCompile(`剩余 \d+ 天`).MatchString(body) {
			t.Errorf("desk shows no countdown")
		}
		// Another kind's desk shows him nothing; a case of it is not found.
		_, body = b.get("/desk/dispute")
		if !strings.Contains(body, `id="desk-total">0<`) {
			t.Error("the petition officer sees disputes")
		}

		// An enforcement officer files a case; its 立案审批表 prints with its number.
		eb := e.browser()
		eb.login(e.fx.EnforcementOfficer)
		st, loc, body = eb.post("/desk/enforcement", eb.token("/desk/enforcement"), url.Values{"subtype": {"penalty"}, "party": {"杭州某餐饮有限公司"},
			"party_org": {"1"}, "violation": {"店外经营"}, "details": {"巡查发现店外经营"}})
		if st != http.StatusSeeOther {
			t.Fatalf("enforcement: %d %.300s", st, body)
		}
		if st, _, body := eb.post(loc+"/steps", eb.token(loc), url.Values{"action": {"accept"}}); st != http.StatusSeeOther {
			t.Fatalf("accept: %d %.300s", st, body)
		}
		eb.post(loc+"/steps", eb.token(loc), url.Values{"action": {"investigate"}})
		st, _, body = eb.post(loc+"/steps", eb.token(loc), url.Values{"action": {"decide"}, "fine": {"500"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "作出处罚决定前须告知当事人") {
			t.Fatalf("decision before notice: %d %.500s", st, body)
		}
		st, body = eb.get(loc + "/documents/1")
		if st != http.StatusOK || !strings.Contains(body, "立案审批表") || !regexp.MustCompile(`古综执立〔2023〕\d{8}-\d{4}号`).MatchString(body) ||
			!strings.Contains(body, "《行政处罚法》第六十条") {
			t.Fatalf("document: %d %.600s", st, body)
		}
		if st, _ := eb.get(loc + "/documents/9"); st != http.StatusNotFound {
			t.Errorf("missing document: %d", st)
		}
		// The petition officer may not open it.
		if st, _ := b.get(loc); st != http.StatusNotFound {
			t.Errorf("petition officer on an enforcement case: %d", st)
		}
	})
}
