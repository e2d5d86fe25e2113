package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// env is jiedao's whole HTTP surface over a fixture organisation.
type env struct {
	t     *testing.T
	url   string
	fx    *fixture.Org
	cases *casework.Service
	db    *store.DB
	// handler is the server's handler, for a test that watches a
	// response as it is written; clock is the services' time.
	handler http.Handler
	clock   *fixture.Clock
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	fx, err := fixture.Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
	cases := fx.Service(clock.Now)
	cases.Audit = db.Audit() // exports are made only when they can be recorded
	dir := &org.Directory{Store: db.Org()}
	ent := &enterprise.Service{Store: db.Enterprises(), Cases: cases, Audit: db.Audit(), Now: clock.Now}
	srv := server.New(&api.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log, Enterprises: ent}, auth, db, log)
	srv.Web = web.New(web.Handler{Auth: auth, Cases: cases, Directory: dir, Log: log,
		Photos: &casework.Photos{Store: db.Photos(), Cases: cases}, Enterprises: ent})
	srv.Web.ReportDocs = &report.Docs{Store: db.ReportDocs(), Cases: cases, Now: clock.Now} // the work report
	srv.Web.DutyRosters = &duty.RosterService{Store: db.Roster(), Calendars: cases.Calendars, Staff: db.Org(), Audit: db.Audit(), Now: clock.Now}
	srv.Web.AuditTrail = &org.AuditTrail{Store: db.Audit(), Audit: db.Audit()} // the audit administrator's (issue 18)
	srv.SetReady(true)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, fx: fx, cases: cases, db: db, handler: srv.Handler(), clock: clock}
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get fetches a page and returns its status and body.
func (b *browser) get(path string) (int, string) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.url + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// token is the CSRF token of a page's forms.
func (b *browser) token(path string) string {
	b.e.t.Helper()
	_, body := b.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.e.t.Fatalf("%s: no CSRF token in the page", path)
	}
	return m[1]
}

// post sends a form (with the token given, none if "") and returns the
// status, the redirect location and the body.
func (b *browser) post(path, token string, form url.Values) (int, string, string) {
	b.e.t.Helper()
	if token != "" {
		form.Set("csrf_token", token)
	}
	resp, err := b.c.PostForm(b.e.url+path, form)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// postMultipart sends a form with files under "photos".
func (b *browser) postMultipart(path, token string, form url.Values, photos ...[]byte) (int, string, string) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form.Set("csrf_token", token)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for i, p := range photos {
		fw, _ := mw.CreateFormFile("photos", "photo"+string(rune('a'+i))+".jpg")
		_, _ = fw.Write(p)
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

func (b *browser) login(s *org.Staff) {
	b.e.t.Helper()
	st, loc, _ := b.post("/login", b.token("/login"), url.Values{"username": {s.Username}, "password": {fixture.Password}})
	if st != http.StatusSeeOther {
		b.e.t.Fatalf("login %s: status %d", s.Username, st)
	}
	_ = loc
}

func TestCSRFRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		// Login without a token, and with another browser's token: refused.
		if st, _, body := b.post("/login", "", url.Values{"username": {"dispatcher"}, "password": {fixture.Password}}); st != http.StatusForbidden || !strings.Contains(body, "请刷新页面后重新提交") {
			t.Fatalf("login without token: %d", st)
		}
		other := e.browser().token("/login")
		b.token("/login") // b gets its own cookie
		if st, _, _ := b.post("/login", other, url.Values{"username": {"dispatcher"}, "password": {fixture.Password}}); st != http.StatusForbidden {
			t.Fatalf("login with another browser's token: %d", st)
		}
		b.login(e.fx.Dispatcher)

		// A signed-in step without the token changes nothing.
		c, err := e.cases.Report(context.Background(), org.ResidentActor("居民"), casework.ReportInput{Category: fixture.CatExposedTrash, Details: "垃圾", GridID: e.fx.GridW1.ID})
		if err != nil {
			t.Fatal(err)
		}
		path := "/cases/" + itoa(c.ID) + "/step"
		if st, _, _ := b.post(path, "", url.Values{"action": {"accept"}}); st != http.StatusForbidden {
			t.Fatalf("step without token: %d", st)
		}
		// The token of the login page is no good after login: it was bound
		// to no session.
		if st, _, _ := b.post(path, other, url.Values{"action": {"accept"}}); st != http.StatusForbidden {
			t.Fatalf("step with a stale token: %d", st)
		}
		got, _ := e.cases.Get(context.Background(), e.fx.Actor(org.RoleDispatcher), c.ID)
		if got.Status != casework.StatusReported {
			t.Fatalf("status %s after refused steps", got.Status)
		}
		// A cross-site Origin is refused even with the right token.
		tok := b.token("/cases/" + itoa(c.ID))
		req, _ := http.NewRequest("POST", e.url+path, strings.NewReader(url.Values{"action": {"accept"}, "csrf_token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin step: %d", resp.StatusCode)
		}
		// With the page's token it goes through.
		if st, loc, _ := b.post(path, tok, url.Values{"action": {"accept"}}); st != http.StatusSeeOther || !strings.Contains(loc, "done=accept") {
			t.Fatalf("step with token: %d %s", st, loc)
		}
		// Logout needs the token too.
		if st, _, _ := b.post("/logout", "", url.Values{}); st != http.StatusForbidden {
			t.Fatalf("logout without token: %d", st)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFormsKeepValuesOnError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.browser()
		tok := res.token("/r/wenhua-01")
		// No category: the form comes back with the error at the category
		// and everything typed.
		st, _, body := res.postMultipart("/r/wenhua-01", tok, url.Values{
			"details": {"路灯不亮已经三天了"}, "address": {"文三路100号"}, "name": {"李四"}, "phone": {"13912345678"}, "grid_id": {itoa(e.fx.GridW1.ID)}})
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", st)
		}
		for _, want := range []string{"请选择问题类型", "路灯不亮已经三天了", `value="文三路100号"`, `value="李四"`, `value="13912345678"`} {
			if !strings.Contains(body, want) {
				t.Errorf("re-rendered form lacks %q", want)
			}
		}
		// A required attribute of the category: its message is at it.
		st, _, body = res.postMultipart("/r/wenhua-01", tok, url.Values{"category": {fixture.CatPiledMaterial}, "details": {"沙子堆在路边"}, "grid_id": {itoa(e.fx.GridW1.ID)}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "必填项未填写：堆放物料") || !strings.Contains(body, "沙子堆在路边") {
			t.Fatalf("attribute error: %d", st)
		}
		// A photo sent with a failed form is kept for the next try.
		st, _, body = res.postMultipart("/r/wenhua-01", tok, url.Values{"details": {"x"}, "grid_id": {itoa(e.fx.GridW1.ID)}}, testJPEG(t, nil))
		claims := regexp.MustCompile(`name="photo_claim" value="(p_[^"]+)"`).FindAllStringSubmatch(body, -1)
		if st != http.StatusUnprocessableEntity || len(claims) != 1 {
			t.Fatalf("photo not kept: %d, %d claims", st, len(claims))
		}
		st, loc, _ := res.postMultipart("/r/wenhua-01", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"x"},
			"grid_id": {itoa(e.fx.GridW1.ID)}, "photo_claim": {claims[0][1]}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/r/done?") {
			t.Fatalf("resubmit: %d %s", st, loc)
		}
		number := mustQuery(t, loc).Get("n")
		c, err := e.cases.GetByNumber(context.Background(), e.fx.Actor(org.RoleDispatcher), number)
		if err != nil {
			t.Fatal(err)
		}
		photos, err := e.db.Photos().ListPhotos(context.Background(), c.ID)
		if err != nil || len(photos) != 1 {
			t.Fatalf("photos of the case: %v %d", err, len(photos))
		}

		// A step without its required reason: the message at the reason,
		// the form of that step open, the other fields kept.
		d := e.browser()
		d.login(e.fx.Dispatcher)
		path := "/cases/" + itoa(c.ID)
		st, _, body = d.post(path+"/step", d.token(path), url.Values{"action": {"reject"}, "reason": {""}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写原因") {
			t.Fatalf("reject without reason: %d", st)
		}
		if !regexp.MustCompile(`<details open data-action="reject">`).MatchString(body) {
			t.Error("the reject form is not open after its error")
		}
		st, _, body = d.post(path+"/step", d.token(path), url.Values{"action": {"merge"}, "merge_into": {"20990101-0001"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "要合并到的案件编号不存在") || !strings.Contains(body, `value="20990101-0001"`) {
			t.Fatalf("merge into nothing: %d", st)
		}
	})
}

func mustQuery(t *testing.T, loc string) url.Values {
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestResidentFollowNeedsThePhone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.browser()
		tok := res.token("/r/wenhua-01")
		st, loc, _ := res.postMultipart("/r/wenhua-01", tok, url.Values{"category": {fixture.CatExposedTrash}, "details": {"垃圾满溢"},
			"phone": {"139 1234 5678"}, "name": {"王五"}, "grid_id": {itoa(e.fx.GridW1.ID)}})
		if st != http.StatusSeeOther {
			t.Fatalf("report: %d", st)
		}
		number := mustQuery(t, loc).Get("n")
		// The next resident of the grid is offered it before reporting the
		// same kind of problem, and may add to it instead.
		next := e.browser()
		st, body := next.get("/r/extra?category=" + fixture.CatExposedTrash + "&grid_id=" + itoa(e.fx.GridW1.ID))
		if st != http.StatusOK || !strings.Contains(body, number) || !strings.Contains(body, "/r/same/"+number) {
			t.Fatalf("nearby cases: %d, number %s not offered", st, number)
		}
		if strings.Contains(body, "王五") || strings.Contains(body, "13912345678") {
			t.Error("the nearby list shows the reporter")
		}
		st, _, body = next.postMultipart("/r/same/"+number, next.token("/r/wenhua-01"), url.Values{"details": {"我也看到了，垃圾很多"}})
		if st != http.StatusOK || !strings.Contains(body, "已补充到该案件") {
			t.Fatalf("same problem: %d", st)
		}
		other := e.browser()
		tok = other.token("/track")
		st, _, body = other.post("/track", tok, url.Values{"number": {number}, "phone": {"13800000000"}})
		if st != http.StatusNotFound || !strings.Contains(body, "案件编号或手机号不正确") || strings.Contains(body, "垃圾满溢") {
			t.Fatalf("wrong phone: %d", st)
		}
		st, _, body = other.post("/track", tok, url.Values{"number": {number}, "phone": {"13912345678"}})
		if st != http.StatusOK || !strings.Contains(body, "垃圾满溢") || !strings.Contains(body, "待受理") || !strings.Contains(body, "我也看到了") {
			t.Fatalf("right phone: %d", st)
		}
		if strings.Contains(body, "王五") {
			t.Error("the follow page shows the reporter's name")
		}
		// Rating before closing is refused with the reason.
		st, _, body = other.post("/track/rate", tok, url.Values{"number": {number}, "phone": {"13912345678"}, "rating": {"satisfied"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "不能评价") {
			t.Fatalf("rating an open case: %d", st)
		}
		// And a rating with the wrong phone is "not found".
		st, _, _ = other.post("/track/rate", tok, url.Values{"number": {number}, "phone": {"13800000000"}, "rating": {"satisfied"}})
		if st != http.StatusNotFound {
			t.Fatalf("rating with a wrong phone: %d", st)
		}
	})
}

// testJPEG encodes a small JPEG; with gps, it carries an EXIF block with
// that GPS position (and a camera model, which must not survive).
func testJPEG(t *testing.T, gps *[2]float64) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if gps == nil {
		return raw
	}
	seg := exifSegment(gps[0], gps[1])
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, raw[2:]...)
}

// exifSegment builds an APP1 Exif segment (big-endian TIFF) with IFD0
// holding Model and a GPS IFD pointer, and the GPS IFD holding the
// position as degrees, minutes, seconds.
func exifSegment(lat, lon float64) []byte {
	be := binary.BigEndian
	var t bytes.Buffer
	w16 := func(v uint16) { _ = binary.Write(&t, be, v) }
	w32 := func(v uint32) { _ = binary.Write(&t, be, v) }
	t.WriteString("MM")
	w16(42)
	w32(8) // IFD0 at 8
	// IFD0: 2 entries (Model, GPS pointer), then next-IFD 0.
	model := "SecretCam 9000\x00"
	ifd0 := uint32(8)
	modelOff := ifd0 + 2 + 2*12 + 4
	gpsOff := modelOff + uint32(len(model))
	w16(2)
	w16(0x0110)
	w16(2)
	w32(uint32(len(model)))
	w32(modelOff)
	w16(0x8825)
	w16(4)
	w32(1)
	w32(gpsOff)
	w32(0)
	t.WriteString(model)
	// GPS IFD: 4 entries, rationals after it.
	ratOff := gpsOff + 2 + 4*12 + 4
	w16(4)
	w16(1)
	w16(2)
	w32(2)
	t.Write([]byte{'N', 0, 0, 0})
	w16(2)
	w16(5)
	w32(3)
	w32(ratOff)
	w16(3)
	w16(2)
	w32(2)
	t.Write([]byte{'E', 0, 0, 0})
	w16(4)
	w16(5)
	w32(3)
	w32(ratOff + 24)
	w32(0)
	dms := func(v float64) {
		d := int(v)
		m := int((v - float64(d)) * 60)
		s := (v - float64(d) - float64(m)/60) * 3600
		w32(uint32(d))
		w32(1)
		w32(uint32(m))
		w32(1)
		w32(uint32(s * 10000))
		w32(10000)
	}
	dms(lat)
	dms(lon)
	body := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

func TestPhotoEXIFStripped(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.fx.Points[e.fx.GridW2.ID]
		photo := testJPEG(t, &[2]float64{p.Lat, p.Lon})
		if !bytes.Contains(photo, []byte("SecretCam")) {
			t.Fatal("the test photo has no EXIF")
		}
		// A report from /r (no grid, no location): the photo places it.
		res := e.browser()
		st, loc, body := res.postMultipart("/r", res.token("/r"), url.Values{"category": {fixture.CatExposedTrash}, "details": {"照片定位"}}, photo)
		if st != http.StatusSeeOther {
			t.Fatalf("report: %d %s", st, body)
		}
		disp := e.fx.Actor(org.RoleDispatcher)
		c, err := e.cases.GetByNumber(context.Background(), disp, mustQuery(t, loc).Get("n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Location == nil || abs(c.Location.Lat-p.Lat) > 1e-4 || abs(c.Location.Lon-p.Lon) > 1e-4 || c.GridID != e.fx.GridW2.ID {
			t.Fatalf("case placed at %+v in grid %d, want the photo's %v in grid %d", c.Location, c.GridID, p, e.fx.GridW2.ID)
		}
		photos, err := e.db.Photos().ListPhotos(context.Background(), c.ID)
		if err != nil || len(photos) != 1 {
			t.Fatalf("photos: %v %d", err, len(photos))
		}
		id := itoa(photos[0].ID)
		// From a grid's QR code, the photo's point is used only inside
		// that grid: a gallery photo taken elsewhere does not move it.
		for _, x := range []struct {
			grid    *org.Grid
			located bool
		}{{e.fx.GridW2, true}, {e.fx.GridY1, false}} {
			st, loc, _ := res.postMultipart("/r/"+x.grid.Code, res.token("/r/"+x.grid.Code), url.Values{"category": {fixture.CatExposedTrash},
				"details": {"扫码"}, "grid_id": {itoa(x.grid.ID)}}, photo)
			if st != http.StatusSeeOther {
				t.Fatalf("QR report: %d", st)
			}
			qc, err := e.cases.GetByNumber(context.Background(), disp, mustQuery(t, loc).Get("n"))
			if err != nil {
				t.Fatal(err)
			}
			if qc.GridID != x.grid.ID || (qc.Location != nil) != x.located {
				t.Errorf("QR report in %s: grid %d, location %+v", x.grid.Code, qc.GridID, qc.Location)
			}
		}

		// The dispatcher gets the photo: a JPEG without any EXIF.
		d := e.browser()
		d.login(e.fx.Dispatcher)
		st, got := d.get("/photos/" + id)
		if st != http.StatusOK {
			t.Fatalf("photo: %d", st)
		}
		for _, bad := range []string{"Exif", "SecretCam"} {
			if strings.Contains(got, bad) {
				t.Errorf("the stored photo still has %q", bad)
			}
		}
		if _, err := jpeg.Decode(strings.NewReader(got)); err != nil {
			t.Fatalf("stored photo: %v", err)
		}
		// Nobody else: not the public, not a unit the case never went to.
		if st, _ := e.browser().get("/photos/" + id); st != http.StatusSeeOther {
			t.Errorf("anonymous photo: %d, want the login redirect", st)
		}
		m := e.browser()
		m.login(e.fx.MarketHandler)
		if st, _ := m.get("/photos/" + id); st != http.StatusNotFound {
			t.Errorf("another unit's photo: %d", st)
		}
		if st, _ := m.get("/cases/" + itoa(c.ID)); st != http.StatusNotFound {
			t.Errorf("another unit's case page: %d", st)
		}
	})
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestPagesRender opens each role's main page and the pages every role
// shares.
func TestPagesRender(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, path := range []string{"/", "/login", "/r", "/r/wenhua-01", "/track", "/r/extra?category=0102&grid_id=" + itoa(e.fx.GridW1.ID)} {
			if st, body := e.browser().get(path); st != http.StatusOK {
				t.Errorf("%s: %d %s", path, st, body)
			}
		}
		if st, _ := e.browser().get("/board"); st != http.StatusSeeOther {
			t.Errorf("/board without a session: %d", st)
		}
		for _, r := range org.Roles() {
			b := e.browser()
			b.login(e.fx.Staff(r))
			st, loc, _ := b.post("/login", b.token("/login"), url.Values{"username": {e.fx.Staff(r).Username}, "password": {fixture.Password}})
			if st != http.StatusSeeOther {
				t.Fatalf("%s: login %d", r, st)
			}
			if st, body := b.get(loc); st != http.StatusOK {
				t.Errorf("%s: home %s: %d %.300s", r, loc, st, body)
			}
			for _, path := range []string{"/cases", "/report"} {
				want := http.StatusOK
				if r == org.RoleSecurityAdmin || r == org.RoleAuditAdmin {
					want = http.StatusForbidden // 三权分立: their own pages only (issue 18)
				}
				if st, _ := b.get(path); st != want {
					t.Errorf("%s: %s: %d, want %d", r, path, st, want)
				}
			}
		}
	})
}

// TestDashboard checks the leaders' dashboard counts and its links: every
// figure goes to the list of its cases, and the tables export to XLSX.
func TestDashboard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		res := org.ResidentActor("居民")
		for i := 0; i < 3; i++ {
			grid := e.fx.GridW1.ID
			if i == 2 {
				grid = e.fx.GridY1.ID
			}
			if _, err := e.cases.Report(ctx, res, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "垃圾", GridID: grid}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.cases.Report(ctx, e.fx.Actor(org.RoleGridWorker), casework.ReportInput{Category: fixture.CatStreetVendor, Details: "占道", GridID: e.fx.GridW1.ID}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(e.fx.Leader)
		st, body := b.get("/dashboard?year=2024")
		if st != http.StatusOK {
			t.Fatalf("dashboard: %d", st)
		}
		// The charts' data, HTML-escaped in their data attributes.
		for _, want := range []string{
			`{&#34;label&#34;:&#34;西湖码&#34;,&#34;value&#34;:3,&#34;link&#34;:&#34;/cases?channel=xihu_code\u0026from=2024-01-01\u0026to=2025-01-01&#34;}`,
			`{&#34;label&#34;:&#34;网格通&#34;,&#34;value&#34;:1,`,
			`{&#34;label&#34;:&#34;文华社区&#34;,&#34;value&#34;:3,`,
			`{&#34;label&#34;:&#34;益乐社区&#34;,&#34;value&#34;:1,`,
			`{&#34;label&#34;:&#34;市容环境&#34;,&#34;value&#34;:3,`,
			`{&#34;label&#34;:&#34;6月&#34;,&#34;value&#34;:4,`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		// The drill-down link lists exactly those cases.
		st, body = b.get("/cases?channel=xihu_code&from=2024-01-01&to=2025-01-01")
		if st != http.StatusOK || strings.Count(body, `<tr data-case=`) != 3 {
			t.Fatalf("drill-down: %d, %d cases", st, strings.Count(body, `<tr data-case=`))
		}
		for _, path := range []string{"/dashboard/export.xlsx?table=unit&year=2024", "/dashboard/export.xlsx?table=by-channel&year=2024",
			"/cases/export.xlsx?channel=xihu_code"} {
			st, body := b.get(path)
			if st != http.StatusOK || !strings.HasPrefix(body, "PK") {
				t.Errorf("%s: %d, not an XLSX", path, st)
			}
		}
		st, body = b.get("/dashboard/export.csv?table=by-channel&year=2024")
		if rows := readCSV(t, body); st != http.StatusOK || len(rows) < 3 || rows[0][1] != "数值" {
			t.Errorf("the channel chart as CSV: %d %q", st, rows)
		}
		// Every export is on the audit trail.
		if n := len(auditActions(t, db, "export.dashboard")); n != 3 {
			t.Errorf("%d dashboard exports on the audit trail, want 3", n)
		}
		// Units see no dashboard figures: the service refuses them.
		u := e.browser()
		u.login(e.fx.UnitHandler)
		if st, _ := u.get("/dashboard"); st != http.StatusForbidden {
			t.Errorf("a unit's dashboard: %d", st)
		}
	})
}

// TestAdmin runs the admin pages' forms: errors at their fields with the
// values kept, and the imports and exports.
func TestAdmin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.fx.Admin)
		for _, s := range []string{"grids", "places", "categories", "routing", "calendar", "keys"} {
			if st, _ := b.get("/admin/" + s); st != http.StatusOK {
				t.Errorf("/admin/%s: %d", s, st)
			}
		}
		// Staff and roles are the security administrator's (issue 18).
		if st, _ := b.get("/admin/staff"); st != http.StatusForbidden {
			t.Errorf("the system administrator's /admin/staff: %d, want 403", st)
		}
		sb := e.browser()
		sb.login(e.fx.SecurityAdmin)
		tok := sb.token("/admin/staff")
		st, _, body := sb.post("/admin/staff/save", tok, url.Values{"username": {"new.worker"}, "name": {"新网格员"}, "role": {"grid_worker"},
			"grid_ids": {itoa(e.fx.GridW2.ID)}, "password": {"short"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "密码至少10位") || !strings.Contains(body, `value="new.worker"`) {
			t.Fatalf("weak password: %d", st)
		}
		st, loc, _ := sb.post("/admin/staff/save", tok, url.Values{"username": {"new.worker"}, "name": {"新网格员"}, "role": {"grid_worker"},
			"grid_ids": {itoa(e.fx.GridW2.ID)}, "password": {"Grid-Worker-2024"}})
		if st != http.StatusSeeOther || loc != "/admin/staff?ok=1" {
			t.Fatalf("new staff: %d %s", st, loc)
		}
		// GeoJSON import: one bad feature imports nothing, and says which.
		bad := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"x-1","name":"X","community":"nowhere"},
			"geometry":{"type":"Polygon","coordinates":[[[120.13,30.28],[120.131,30.28],[120.131,30.281],[120.13,30.28]]]}}]}`
		st, _, body = postFile(t, b, "/admin/grids/import", b.token("/admin/grids"), "file", "g.geojson", bad)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "第1个要素：社区编码不存在：nowhere") {
			t.Fatalf("bad import: %d", st)
		}
		good := strings.Replace(bad, "nowhere", "yile", 1)
		st, _, body = postFile(t, b, "/admin/grids/import", b.token("/admin/grids"), "file", "g.geojson", good)
		if st != http.StatusOK || !strings.Contains(body, "新建 1") {
			t.Fatalf("good import: %d", st)
		}
		// The calendar exports as TSV and imports back.
		st, tsv := b.get("/admin/calendar.tsv")
		if st != http.StatusOK || !strings.HasPrefix(tsv, "date\tkind\tname\tschedule_year") {
			t.Fatalf("calendar export: %d %.60q", st, tsv)
		}
		st, loc, _ = b.post("/admin/calendar/import", b.token("/admin/calendar"), url.Values{"tsv": {"date\tkind\tname\tschedule_year\n2026-12-31\toff\t测试假日\t2026\n"}})
		if st != http.StatusSeeOther {
			t.Fatalf("calendar import: %d %s", st, loc)
		}
		if _, tsv = b.get("/admin/calendar.tsv"); !strings.Contains(tsv, "2026-12-31\toff\t测试假日") {
			t.Error("the imported day is not in the calendar")
		}
		st, _, body = b.post("/admin/calendar/import", b.token("/admin/calendar"), url.Values{"tsv": {"nonsense"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "nonsense") {
			t.Errorf("bad calendar: %d", st)
		}
		// An API key is shown once.
		st, _, body = b.post("/admin/keys/create", b.token("/admin/keys"), url.Values{"name": {"物联网平台"}, "channel": {"iot"}})
		if st != http.StatusOK || !regexp.MustCompile(`id="new-key">jd_`).MatchString(body) {
			t.Fatalf("new key: %d", st)
		}
		// Nobody but admins.
		d := e.browser()
		d.login(e.fx.Dispatcher)
		if st, _ := d.get("/admin/staff"); st != http.StatusForbidden {
			t.Errorf("a dispatcher's admin page: %d", st)
		}
	})
}

func postFile(t *testing.T, b *browser, path, token, field, name, content string) (int, string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", token)
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = fw.Write([]byte(content))
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

// TestBoardStream checks the live board's server-sent events: a case
// reported after the board connected is announced, to those who may see it.
func TestBoardStream(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.fx.Dispatcher)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/board/stream", nil)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
			t.Fatalf("stream: %d %s", resp.StatusCode, ct)
		}
		c, err := e.cases.Report(context.Background(), org.ResidentActor("居民"), casework.ReportInput{Category: fixture.CatExposedTrash, Details: "新的上报", GridID: e.fx.GridW1.ID})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		var got strings.Builder
		for !strings.Contains(got.String(), c.Number) {
			n, err := resp.Body.Read(buf)
			if err != nil {
				t.Fatalf("stream ended before announcing %s: %v; got %q", c.Number, err, got.String())
			}
			got.Write(buf[:n])
		}
		if !strings.Contains(got.String(), "event: cases\ndata: [{") {
			t.Errorf("not an SSE event: %q", got.String())
		}
		// Without a session there is no stream, only the way to sign in.
		if st, _ := e.browser().get("/board/stream"); st != http.StatusSeeOther {
			t.Errorf("anonymous stream: %d", st)
		}
	})
}
