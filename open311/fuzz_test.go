package open311

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The fuzz targets of this file parse requests as the handlers do, on a
// real SQLite database with the fixture organisation (each fuzz worker
// builds its own once): the service codes, the jurisdiction and the
// search are checked against what is stored, not against a stand-in.

type fuzzEnv struct {
	h     *Handler
	fx    *fixture.Org
	actor org.Actor // the machine client that posts
	now   time.Time
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	ctx := context.Background()
	db := testdb.Open(f, store.SQLite)
	fx, err := fixture.Build(ctx, db)
	if err != nil {
		f.Fatal(err)
	}
	// A service with an attribute of every datatype, as Open311 clients
	// fill them in.
	noise := &casework.Category{Code: "0202", ParentCode: fixture.CatStreetOrder, Name: "噪声扰民", NameEn: "Noise", Active: true,
		Attributes: []casework.AttributeDef{
			{Code: "sources", Datatype: casework.TypeMultiList, Required: true, Variable: true, Order: 1, Description: "噪声来源",
				Values: []casework.AttributeValue{{Key: "construction", Name: "施工"}, {Key: "shop", Name: "商铺"}}},
			{Code: "level", Datatype: casework.TypeNumber, Variable: true, Order: 2, Description: "估计分贝数"},
			{Code: "since", Datatype: casework.TypeDatetime, Variable: true, Order: 3, Description: "开始时间"},
			{Code: "note", Datatype: casework.TypeText, Variable: true, Order: 4, Description: "补充说明"},
			{Code: "floor", Datatype: casework.TypeString, Variable: true, Order: 5, Description: "楼层"},
		}}
	if err := db.Cases().PutCategory(ctx, noise); err != nil {
		f.Fatal(err)
	}
	// Tuesday 2024-06-11 09:00, China time.
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	svc := fx.Service(clock.Now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
	_, client, err := auth.CreateAPIClient(ctx, "随手拍小程序", "xihu_code")
	if err != nil {
		f.Fatal(err)
	}
	e := &fuzzEnv{h: &Handler{Cases: svc, Auth: auth, Org: db.Org(), Log: log}, fx: fx, actor: org.ClientActor(client), now: clock.Now()}
	// Cases over the last weeks for the searches to find, one rejected
	// (closed), in three services.
	for i, code := range []string{fixture.CatExposedTrash, fixture.CatStreetVendor, fixture.CatExposedTrash, fixture.CatPiledMaterial, fixture.CatStreetVendor} {
		clock.Set(e.now.Add(-time.Duration(5-i) * 72 * time.Hour))
		lat, lon := fx.LatLon(fx.GridW1.ID)
		in := casework.ReportInput{Category: code, Details: "第" + strconv.Itoa(i+1) + "件：路边堆放垃圾", Lat: lat, Lon: lon}
		if code == fixture.CatPiledMaterial {
			in.Attributes = map[string][]string{"material": {"sand"}}
		}
		k, err := svc.Report(ctx, e.actor, in)
		if err != nil {
			f.Fatal(err)
		}
		if i == 2 {
			if _, err := svc.Step(ctx, fx.Actor(org.RoleDispatcher), k.ID, casework.StepInput{Action: casework.ActReject, Reason: "重复上报"}); err != nil {
				f.Fatal(err)
			}
		}
	}
	clock.Set(e.now)
	return e
}

// call builds the handlers' call over a request.
func (e *fuzzEnv) call(r *http.Request) *call {
	return &call{h: e.h, w: httptest.NewRecorder(), r: r, ctx: r.Context(), f: formatJSON}
}

// checkProblem asserts that err is what a client may be told: a 4xx of
// the spec with both messages, never a fault of ours.
func checkProblem(t *testing.T, err error) {
	t.Helper()
	p, internal := toProblem(err)
	if internal {
		t.Fatalf("input made an internal error: %v", err)
	}
	if p.status != http.StatusBadRequest && p.status != http.StatusNotFound && p.status != http.StatusForbidden {
		t.Fatalf("status %d for %v", p.status, err)
	}
	if p.zh == "" || p.en == "" {
		t.Fatalf("a message is missing: %#v", p)
	}
}

// storable reports whether s can be stored as text by both engines:
// PostgreSQL refuses invalid UTF-8 and NUL in text.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// realForms are POST requests bodies as clients send them: the spec's
// example, FixMyStreet's Open311 client (attribute[...] with its own
// fields), a resident app with a Chinese name and GCJ-less WGS-84 point,
// an address only, multi-value attributes.
var realForms = []string{
	"api_key=xyz&jurisdiction_id=330106006&service_code=0101&lat=30.2835&long=120.1205&address_string=%E6%96%87%E4%B8%80%E8%A5%BF%E8%B7%AF98%E5%8F%B7" +
		"&email=smith%40example.com&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=13800000000" +
		"&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fexample.com%2Fimage.jpg",
	"service_code=0201&lat=30.2835&long=120.1205&description=%E5%8D%A0%E9%81%93%E7%BB%8F%E8%90%A5&first_name=%E5%B0%8F%E6%98%8E&last_name=%E7%8E%8B" +
		"&attribute%5Bfixmystreet_id%5D=12345&attribute%5Btitle%5D=%E5%8D%A0%E9%81%93&attribute%5Breport_url%5D=https%3A%2F%2Ffms.example%2Freport%2F12345" +
		"&attribute%5Beasting%5D=&attribute%5Bnorthing%5D=&attribute%5Bclosest_address%5D=&email=&phone=&media_url=",
	"service_code=0102&address_string=%E5%8F%A4%E8%8D%A1%E6%96%B0%E6%9D%91&address_id=A-17&description=%E4%B9%B1%E5%A0%86%E7%89%A9%E6%96%99" +
		"&attribute%5Bmaterial%5D=sand",
	"service_code=0202&lat=30.2835&long=120.1205&attribute%5Bsources%5D%5B%5D=construction&attribute%5Bsources%5D%5B%5D=shop" +
		"&attribute%5Blevel%5D=85.5&attribute%5Bsince%5D=2024-06-10T22%3A00%3A00%2B08%3A00&attribute%5Bnote%5D=%E5%A4%9C%E9%97%B4&attribute%5Bfloor%5D=3",
	"service_code=0202&lat=30.2835&long=120.1205&attribute%5Bsources%5D%5B%5D=shop&attribute%5Blevel%5D=loud",
	"service_code=0202&lat=30.2835&long=120.1205&attribute%5Bsources%5D%5B%5D=shop&attribute%5Blevel%5D=NaN",
	"service_code=0202&lat=30.2835&long=120.1205&attribute%5Bsources%5D%5B%5D=shop&attribute%5Bnote%5D=%E5%A4%9C%FF",
	"service_code=0101&address_id=330106006001",
	"service_code=0101&lat=30.2835&long=",
	"service_code=0101&lat=north&long=120.1",
	"service_code=9999&lat=30.2835&long=120.1205",
	"service_code=0101&lat=30.2835&long=120.1205&media_url=javascript%3Aalert(1)",
	"service_code=0101&lat=30.2835&long=120.1205&attribute%5Ba%5D%5Bb%5D=1",
	"service_code=0101&lat=NaN&long=Inf",
	"service_code=0101&lat=30.2835&long=120.1205&description=%00",
	"jurisdiction_id=000000&service_code=0101&lat=30.2835&long=120.1205",
	"service_code=0101;lat=1",
	"service_code=%zz",
}

// multipartOf encodes a urlencoded body as multipart/form-data, the other
// form encoding clients use.
func multipartOf(body string) (string, []byte) {
	v, _ := url.ParseQuery(body)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary("jiedao-fuzz-boundary")
	for k, vs := range v {
		for _, x := range vs {
			_ = w.WriteField(k, x)
		}
	}
	_ = w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// FuzzPostRequestForm fuzzes POST requests: the body and its content type.
// A refused form gets a 4xx with both messages; an accepted form yields a
// ReportInput for an offered service, with both coordinates or neither,
// every attribute[CODE] and attribute[CODE][] collected, a media URL that
// is http(s); the case service then makes a case of it or refuses it with
// a user's error, and what it would store is storable on both engines.
func FuzzPostRequestForm(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	for _, s := range realForms {
		f.Add(form, []byte(s))
		ct, mp := multipartOf(s)
		f.Add(ct, mp)
	}
	f.Add("text/plain", []byte("service_code=0101"))
	f.Add("multipart/form-data", []byte("--x\r\n"))
	e := newFuzzEnv(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", bytes.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		c := e.call(r)
		if err := c.parseForm(); err != nil {
			checkProblem(t, err)
			return
		}
		in, media, err := c.reportInput()
		if err != nil {
			checkProblem(t, err)
			return
		}
		if code := c.param("service_code"); in.Category != code {
			t.Fatalf("category %q, service_code %q", in.Category, code)
		}
		if svc, err := c.offered(in.Category); err != nil || svc == nil {
			t.Fatalf("category %q is not an offered service: %v", in.Category, err)
		}
		if (in.Lat == nil) != (in.Lon == nil) {
			t.Fatal("one coordinate without the other")
		}
		if in.Lat == nil && in.Address == "" {
			t.Fatal("accepted without a location")
		}
		if media != "" && checkMediaURL(media) != nil {
			t.Fatalf("media_url %q accepted", media)
		}
		for key, vals := range c.r.Form {
			m := attributeKeyRE.FindStringSubmatch(key)
			if m == nil {
				continue
			}
			// Defined attributes are checked, the client's own kept
			// apart (ExtraAttributes): none is dropped.
			for _, v := range vals {
				if !slices.Contains(in.Attributes[m[1]], v) && !slices.Contains(in.ExtraAttributes[m[1]], v) {
					t.Fatalf("attribute %s value %q dropped", key, v)
				}
			}
		}
		if in.Details == "" {
			t.Fatal("no details")
		}
		k, _, err := e.h.Cases.NewReport(ctx, e.actor, in, e.now)
		if err != nil {
			if jiedao.ErrorCode(err) == jiedao.EINTERNAL {
				t.Fatalf("the case service failed on an accepted form: %v", err)
			}
			if zh, en := jiedao.ErrorMessages(err); zh == "" || en == "" {
				t.Fatalf("a message is missing: %v", err)
			}
			return
		}
		if k.Channel != casework.ChannelXihuCode || k.Category != in.Category {
			t.Fatalf("case channel %s category %s", k.Channel, k.Category)
		}
		// The columns kept as text (attributes travel as JSON, escaped).
		for _, s := range []string{k.Title, k.Details, k.Address, k.Reporter.Name, k.Reporter.Phone, media} {
			if !storable(s) {
				t.Fatalf("accepted text %q cannot be stored on PostgreSQL", s)
			}
		}
		// Attribute values travel as JSON, which would silently replace
		// invalid UTF-8: what is accepted must be kept as it was sent.
		for code, v := range k.Attributes {
			vals, _ := v.([]string)
			if s, ok := v.(string); ok {
				vals = append(vals, s)
			}
			for _, s := range vals {
				if !utf8.ValidString(s) {
					t.Fatalf("attribute %s value %q is not UTF-8", code, s)
				}
			}
		}
		// The store keeps the case and its attributes as JSON.
		if _, err := json.Marshal(k); err != nil {
			t.Fatalf("accepted case cannot be stored: %v", err)
		}
	})
}

// realQueries are GET requests query strings as clients send them.
var realQueries = []string{
	"",
	"service_code=0101",
	"service_code=0101,0201&status=open",
	"status=closed&start_date=2024-05-01T00:00:00Z&end_date=2024-06-11T00:00:00%2B08:00",
	"start_date=2024-06-01&end_date=2024-06-10&page=2&page_size=2",
	"start_date=2024-06-01T09:00&page_size=1000&jurisdiction_id=330106006",
	"start_date=2024-06-01T09:00:00+08:00",
	"service_code=0101&service_code=0201&page=3&page_size=1",
	"status=open,closed&page_size=5000",
	"status=pending",
	"start_date=yesterday",
	"start_date=2024-06-10&end_date=2024-06-01",
	"page=0",
	"page=1000001",
	"service_code=0101,0201,0102&page=10000&page_size=1000",
	"service_code=9999",
	"jurisdiction_id=nowhere",
	"service_request_id=A,B&status=%zz",
}

// FuzzRequestsQuery fuzzes GET requests' search parameters, run against
// the fixture's cases. A refused query gets a 4xx with both messages; an
// accepted one answers at most a page of cases, newest first, in the
// services, status and dates asked for.
func FuzzRequestsQuery(f *testing.F) {
	for _, q := range realQueries {
		f.Add(q)
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, "/open311/v2/requests.json", nil)
		r.URL.RawQuery = query
		c := e.call(r)
		if err := c.parseForm(); err != nil {
			checkProblem(t, err)
			return
		}
		if err := c.checkJurisdiction(); err != nil {
			checkProblem(t, err)
			return
		}
		cases, err := c.search()
		if err != nil {
			checkProblem(t, err)
			return
		}
		size := defaultPageSize
		if v := c.param("page_size"); v != "" {
			size, _ = strconv.Atoi(v)
			size = min(size, maxPageSize)
		}
		if len(cases) > size {
			t.Fatalf("%d cases on a page of %d", len(cases), size)
		}
		codes := c.splitList("service_code")
		statuses := map[string]bool{}
		for _, s := range c.splitList("status") {
			statuses[strings.ToLower(s)] = true
		}
		from, to, err := c.dateRange(defaultSpan)
		if err != nil {
			t.Fatalf("search accepted dates dateRange refuses: %v", err)
		}
		for i, k := range cases {
			if i > 0 {
				p := cases[i-1]
				if k.ReportedAt.After(p.ReportedAt) || (k.ReportedAt.Equal(p.ReportedAt) && k.ID > p.ID) {
					t.Fatalf("case %d out of order", i)
				}
			}
			if len(codes) > 0 && !slices.Contains(codes, k.Category) {
				t.Fatalf("case in %s, asked for %v", k.Category, codes)
			}
			if statuses["open"] != statuses["closed"] && k.Status.Open() != statuses["open"] {
				t.Fatalf("case %s status %s, asked for %v", k.Number, k.Status, statuses)
			}
			if k.ReportedAt.Before(from) || !k.ReportedAt.Before(to) {
				t.Fatalf("case reported %v outside [%v, %v)", k.ReportedAt, from, to)
			}
		}
	})
}
