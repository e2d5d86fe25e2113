package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// newCampaignEnv is newEnv with the campaigns wired (the books' other
// services are not needed by the campaign pages).
func newCampaignEnv(t *testing.T, db *store.DB) (*env, *campaign.Service) {
	t.Helper()
	fx, err := fixture.Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy := org.DefaultAuthPolicy()
	policy.IdleTimeout, policy.SessionLimit = 30*24*time.Hour, 30*24*time.Hour // the test moves its clock by days
	auth := &org.Auth{Store: db.Org(), Policy: policy, Now: clock.Now}
	cases := fx.Service(clock.Now)
	dir := &org.Directory{Store: db.Org()}
	photos := &casework.Photos{Store: db.Photos(), Cases: cases}
	camps := &campaign.Service{Store: db.Campaigns(), Cases: cases, Photos: photos, Now: clock.Now}
	books := &api.Books{Campaigns: camps}
	srv := server.New(&api.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, Books: books}, auth, db, log)
	srv.Web = web.New(web.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, Photos: photos, Books: books})
	srv.SetReady(true)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, fx: fx, cases: cases, db: db, handler: srv.Handler(), clock: clock}, camps
}

// A finding's 复查 on the campaign page: the row names the unit, item,
// remark, deadline and case; the deadline turns red once past; the
// inspector's failed re-check (a note required) opens a new case, a passed
// one closes the finding; someone else, or a form without its token, changes
// nothing.
func TestCampaignRecheckPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := newCampaignEnv(t, db)
		admin, handler := e.fx.Actor(org.RoleAdmin), e.fx.Actor(org.RoleUnitHandler)
		c := &campaign.Campaign{Code: "safety-2024", Name: "安全生产大检查", Kind: campaign.Safety, Year: 2024, Category: fixture.CatExposedTrash,
			Checklist: []campaign.Item{{Key: "exits", Name: "安全出口畅通"}, {Key: "extinguisher", Name: "灭火器有效"}}}
		if err := svc.Create(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUnits(ctx, admin, c.Code, []campaign.UnitInput{{Key: "913301060000000001", Kind: campaign.UnitEnterprise, Name: "甲公司", CommunityID: e.fx.Yile.ID}}, 2, false); err != nil {
			t.Fatal(err)
		}
		us, _, err := svc.Units(ctx, admin, campaign.UnitFilter{CampaignID: c.ID}, 10, 0)
		if err != nil || len(us) != 1 {
			t.Fatalf("units: %v %d", err, len(us))
		}
		if _, err := svc.Assign(ctx, admin, c.Code, []int64{us[0].ID}, e.fx.UnitHandler.ID); err != nil {
			t.Fatal(err)
		}
		_, fs, err := svc.Check(ctx, handler, us[0].ID, campaign.CheckInput{Items: []campaign.ItemResult{
			{Key: "exits", Pass: true}, {Key: "extinguisher", Pass: false, Remark: "灭火器过期", Rectify: true, RectifyDays: 10}}})
		if err != nil || len(fs) != 1 {
			t.Fatalf("check: %v %d", err, len(fs))
		}
		fid, firstCase := fs[0].ID, fs[0].CaseID
		rowOf := func(body string) string {
			t.Helper()
			i := strings.Index(body, `id="finding-`+strconv.FormatInt(fid, 10)+`"`)
			if i < 0 {
				t.Fatalf("no finding row in %.300s", body)
			}
			j := strings.Index(body[i:], "</tr>")
			return body[i : i+j]
		}
		page := "/campaigns/" + c.Code
		action := "/campaign-findings/" + strconv.FormatInt(fid, 10) + "/recheck"

		b := e.browser()
		b.login(e.fx.UnitHandler)
		st, body := b.get(page)
		if st != http.StatusOK {
			t.Fatalf("page %d", st)
		}
		row := rowOf(body)
		for _, want := range []string{"甲公司", "灭火器有效", "灭火器过期", "2024-06-21", `href="/cases/` + strconv.FormatInt(firstCase, 10) + `"`, "整改中", `action="` + action + `"`} {
			if !strings.Contains(row, want) {
				t.Errorf("finding row lacks %q: %s", want, row)
			}
		}
		if strings.Contains(row, "due-overdue") {
			t.Error("overdue before its deadline")
		}
		// Past the deadline the day is red.
		e.clock.Set(time.Date(2024, 6, 25, 9, 0, 0, 0, calendar.Zone()))
		_, body = b.get(page)
		if row = rowOf(body); !strings.Contains(row, "due-overdue") || !strings.Contains(row, "已超期") {
			t.Errorf("not overdue after 2024-06-21: %s", row)
		}

		unchanged := func(what string) {
			t.Helper()
			f, err := db.Campaigns().GetFinding(ctx, fid)
			if err != nil || f.Recheck != "" || f.CaseID != firstCase {
				t.Fatalf("%s changed the finding: %+v %v", what, f, err)
			}
		}
		// No token, a leader, a failure without a note: refused, nothing changes.
		if st, _, _ := b.post(action, "", url.Values{"result": {"fail"}, "note": {"仍过期"}}); st != http.StatusForbidden {
			t.Errorf("no CSRF token: %d", st)
		}
		unchanged("a form without its token")
		lb := e.browser()
		lb.login(e.fx.Leader)
		_, lbody := lb.get(page)
		if strings.Contains(rowOf(lbody), `action="`+action+`"`) {
			t.Error("a leader sees the re-check form")
		}
		if st, _, _ := lb.post(action, lb.token(page), url.Values{"result": {"pass"}}); st != http.StatusForbidden {
			t.Errorf("a leader re-checks: %d", st)
		}
		unchanged("a leader")
		st, _, body = b.post(action, b.token(page), url.Values{"result": {"fail"}})
		if st != http.StatusBadRequest || !strings.Contains(body, "请说明仍存在的问题") {
			t.Errorf("fail without a note: %d", st)
		}
		unchanged("a failure without a note")

		// A failed re-check opens a new case, shown in the row.
		st, loc, _ := b.post(action, b.token(page), url.Values{"result": {"fail"}, "note": {"灭火器仍未更换"}})
		if st != http.StatusSeeOther || loc != page+"#finding-"+strconv.FormatInt(fid, 10) {
			t.Fatalf("failed re-check: %d %s", st, loc)
		}
		f, err := db.Campaigns().GetFinding(ctx, fid)
		if err != nil || f.Recheck != campaign.RecheckFail || f.CaseID == 0 || f.CaseID == firstCase {
			t.Fatalf("finding after a failed re-check: %+v %v", f, err)
		}
		kase, err := db.Cases().GetCase(ctx, f.CaseID)
		if err != nil || !strings.Contains(kase.Title, "复查未通过：甲公司") || !strings.Contains(kase.Details, "灭火器仍未更换") {
			t.Fatalf("new case: %+v %v", kase, err)
		}
		_, body = b.get(page)
		row = rowOf(body)
		for _, want := range []string{"复查未通过", "灭火器仍未更换", `href="/cases/` + strconv.FormatInt(f.CaseID, 10) + `"`, `action="` + action + `"`} {
			if !strings.Contains(row, want) {
				t.Errorf("row after a failed re-check lacks %q", want)
			}
		}
		// A passed re-check closes it: no form, not overdue; a second is refused.
		if st, _, _ := b.post(action, b.token(page), url.Values{"result": {"pass"}}); st != http.StatusSeeOther {
			t.Fatalf("passed re-check: %d", st)
		}
		_, body = b.get(page)
		row = rowOf(body)
		if !strings.Contains(row, "复查通过") || strings.Contains(row, "复查未通过") || strings.Contains(row, `action="`+action+`"`) || strings.Contains(row, "due-overdue") {
			t.Errorf("row after a passed re-check: %s", row)
		}
		if st, _, _ := b.post(action, b.token(page), url.Values{"result": {"pass"}}); st != http.StatusConflict {
			t.Errorf("second re-check: %d", st)
		}
	})
}

// postFiles sends a multipart form with files by field name.
func (b *browser) postFiles(path, token string, form url.Values, files map[string][]byte) (int, string, string) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form.Set("csrf_token", token)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for k, data := range files {
		fw, _ := mw.CreateFormFile(k, k+".jpg")
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.url+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// A photo on the check form: refused on an item that opens no case (the
// unit stays unchecked); on a failed item to rectify it is made small,
// stripped of its EXIF, kept as the finding's case's photo, recorded with
// the result and shown labelled in the finding's row.
func TestCampaignCheckPhoto(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := newCampaignEnv(t, db)
		admin := e.fx.Actor(org.RoleAdmin)
		c := &campaign.Campaign{Code: "photo-2024", Name: "消防检查", Kind: campaign.Safety, Year: 2024, Category: fixture.CatExposedTrash,
			Checklist: []campaign.Item{{Key: "exits", Name: "安全出口畅通"}, {Key: "extinguisher", Name: "灭火器有效"}}}
		if err := svc.Create(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUnits(ctx, admin, c.Code, []campaign.UnitInput{{Key: "u-1", Name: "丙商店", CommunityID: e.fx.Yile.ID}}, 2, false); err != nil {
			t.Fatal(err)
		}
		us, _, err := svc.Units(ctx, admin, campaign.UnitFilter{CampaignID: c.ID}, 10, 0)
		if err != nil || len(us) != 1 {
			t.Fatalf("units: %v", err)
		}
		if _, err := svc.Assign(ctx, admin, c.Code, []int64{us[0].ID}, e.fx.UnitHandler.ID); err != nil {
			t.Fatal(err)
		}
		page, action := "/campaigns/"+c.Code, "/campaign-units/"+strconv.FormatInt(us[0].ID, 10)+"/check"
		b := e.browser()
		b.login(e.fx.UnitHandler)
		_, body := b.get(page)
		if !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `name="photo_extinguisher"`) {
			t.Fatal("the check form takes no photo")
		}
		jpg := testJPEG(t, &[2]float64{30.27, 120.15})
		st, _, body := b.postFiles(action, b.token(page), url.Values{"item_exits": {"pass"}, "item_extinguisher": {"pass"}}, map[string][]byte{"photo_exits": jpg})
		if st != http.StatusBadRequest || !strings.Contains(body, "照片只能附在需整改的不合格项上") {
			t.Fatalf("photo on a passed item: %d", st)
		}
		if u, _ := db.Campaigns().GetUnit(ctx, us[0].ID); u.Status != campaign.Pending {
			t.Fatalf("a refused check changed the unit: %+v", u)
		}
		st, _, _ = b.postFiles(action, b.token(page), url.Values{"item_exits": {"pass"}, "item_extinguisher": {"fail"}, "remark_extinguisher": {"灭火器过期"},
			"rectify_extinguisher": {"1"}}, map[string][]byte{"photo_extinguisher": jpg})
		if st != http.StatusSeeOther {
			t.Fatalf("check with a photo: %d", st)
		}
		u, err := db.Campaigns().GetUnit(ctx, us[0].ID)
		if err != nil || u.Result == nil || len(u.Result.Items) != 2 || len(u.Result.Items[1].Photos) != 1 || len(u.Result.Items[0].Photos) != 0 {
			t.Fatalf("result: %+v %v", u, err)
		}
		pid := u.Result.Items[1].Photos[0]
		fs, err := db.Campaigns().ListFindings(ctx, c.ID)
		if err != nil || len(fs) != 1 {
			t.Fatalf("findings %v", err)
		}
		ph, err := db.Photos().GetPhoto(ctx, pid)
		if err != nil || ph.CaseID != fs[0].CaseID || bytes.Contains(ph.Data, []byte("Exif")) || ph.Width > 1600 || len(ph.Data) == 0 {
			t.Fatalf("stored photo: case %d (finding's %d) %v", ph.CaseID, fs[0].CaseID, err)
		}
		_, body = b.get(page)
		pidS := strconv.FormatInt(pid, 10)
		if !strings.Contains(body, `src="/photos/`+pidS+`?thumb=1"`) || !strings.Contains(body, "检查照片：灭火器有效") {
			t.Error("the finding's row does not show the photo labelled")
		}
		// The photo is the case's: who may see the case sees it.
		ab := e.browser()
		ab.login(e.fx.Admin)
		if st, _ := ab.get("/photos/" + pidS); st != http.StatusOK {
			t.Errorf("photo: %d", st)
		}
	})
}
