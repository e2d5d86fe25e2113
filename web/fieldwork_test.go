package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestFieldWorkPages: a grid worker reports a problem he handled on the
// spot in one form (自行处置); its photos are labelled 处置前 and 处置后
// on the case page; the page shows a map and navigation links instead of
// coordinates; a category that requires an after-photo refuses the form
// without one, naming the field.
func TestFieldWorkPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gw := e.browser()
		gw.login(e.fx.GridWorker)
		_, form := gw.get("/report")
		if !strings.Contains(form, `name="on_spot"`) || !strings.Contains(form, "处置前照片") {
			t.Fatal("the grid worker's report form offers no 自行处置")
		}
		lat, lon := e.fx.LatLon(e.fx.GridW1.ID)
		base := func() url.Values {
			return url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾袋散落在人行道"}, "grid_id": {itoa(e.fx.GridW1.ID)},
				"lat": {ftoa(*lat)}, "lon": {ftoa(*lon)}, "on_spot": {"1"}}
		}
		// Without saying what was done: the form comes back, nothing reported.
		tok := gw.token("/report")
		st, _, body := gw.postMultipart("/report", tok, base(), testJPEG(t, nil))
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "自行处置须填写处置情况") {
			t.Fatalf("on the spot without a description: %d", st)
		}
		if _, n, _ := e.cases.List(ctx, e.fx.Actor(org.RoleDispatcher), casework.Filter{Limit: 5}); n != 0 {
			t.Fatalf("%d cases reported by a refused form", n)
		}
		// With it: reported and handled in one step, the photo before kept
		// apart from the photo after.
		f := base()
		f.Set("handling", "已将垃圾袋收拢并清运")
		st, loc, _ := postTwoPhotoFields(t, gw, "/report", tok, f, testJPEG(t, nil), testJPEG(t, nil))
		if st != http.StatusSeeOther || !strings.Contains(loc, "done=self_handle") {
			t.Fatalf("on the spot: %d %s", st, loc)
		}
		list, _, _ := e.cases.List(ctx, e.fx.Actor(org.RoleDispatcher), casework.Filter{Limit: 5})
		if len(list) != 1 || list[0].Status != casework.StatusHandled || !list[0].SelfHandled {
			t.Fatalf("after the form: %+v", list)
		}
		c := list[0]
		_, page := gw.get("/cases/" + itoa(c.ID))
		for _, want := range []string{`class="stage stage-before">处置前</figcaption>`, `class="stage stage-after">处置后</figcaption>`,
			`id="case-map"`, `href="geo:`, `uri.amap.com/marker?position=`, "自行处置"} {
			if !strings.Contains(page, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		if strings.Contains(page, ftoa5(*lat)+", "+ftoa5(*lon)) {
			t.Error("the case page still shows raw coordinates")
		}
		// He may not verify it: the command center does.
		if strings.Contains(page, `data-action="verify"`) {
			t.Error("the grid worker is offered to verify his own handling")
		}
		d := e.browser()
		d.login(e.fx.Dispatcher)
		if _, page := d.get("/cases/" + itoa(c.ID)); !strings.Contains(page, `data-action="verify"`) {
			t.Error("the command center is not offered to verify it")
		}
		// Counted apart: the list of cases handled on the spot has it.
		if _, list := d.get("/cases?self_handled=1"); !strings.Contains(list, `data-number="`+c.Number+`"`) || !strings.Contains(list, "<b data-total>1</b>") {
			t.Error("/cases?self_handled=1 does not list exactly the case handled on the spot")
		}

		// The category now requires an after-photo: the handle form says so,
		// and a form without one is refused at the field.
		cat, _ := db.Cases().GetCategory(ctx, fixture.CatExposedTrash)
		cat.AfterPhoto = true
		if err := e.cases.PutCategory(ctx, e.fx.Actor(org.RoleAdmin), cat); err != nil {
			t.Fatal(err)
		}
		f = base()
		f.Set("handling", "已清理")
		st, _, body = gw.postMultipart("/report", gw.token("/report"), f)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "此类问题须上传处置后照片") {
			t.Fatalf("on the spot without the required photo: %d", st)
		}
	})
}

func ftoa(f float64) string  { return strconv.FormatFloat(f, 'f', -1, 64) }
func ftoa5(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) }

// postTwoPhotoFields sends a form with one photo under "photos" and one
// under "after_photos".
func postTwoPhotoFields(t *testing.T, b *browser, path, token string, form url.Values, before, after []byte) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form.Set("csrf_token", token)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for field, p := range map[string][]byte{"photos": before, "after_photos": after} {
		fw, _ := mw.CreateFormFile(field, field+".jpg")
		_, _ = fw.Write(p)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.url+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}
