package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/open311"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/server"
	"github.com/jiedao/jiedao/store"
)

// CatNoise is a category the tests add to the fixture's: it has an
// attribute of every datatype, a required multi-value list among them, and
// an informational one.
const CatNoise = "0202"

func noiseCategory() *casework.Category {
	return &casework.Category{Code: CatNoise, ParentCode: fixture.CatStreetOrder, Name: "噪声扰民", NameEn: "Noise",
		Description: "施工、商铺、车辆等噪声扰民", Keywords: []string{"噪声", "噪音", "扰民"}, Active: true,
		Attributes: []casework.AttributeDef{
			{Code: "hint", Datatype: casework.TypeString, Order: 6, Description: "夜间施工噪声请同时拨打12345", Variable: false},
			{Code: "sources", Datatype: casework.TypeMultiList, Required: true, Variable: true, Order: 1, Description: "噪声来源",
				Values: []casework.AttributeValue{{Key: "construction", Name: "施工"}, {Key: "shop", Name: "商铺"}, {Key: "traffic", Name: "车辆"}}},
			{Code: "level", Datatype: casework.TypeNumber, Variable: true, Order: 2, Description: "估计分贝数"},
			{Code: "since", Datatype: casework.TypeDatetime, Variable: true, Order: 3, Description: "开始时间"},
			{Code: "note", Datatype: casework.TypeText, Variable: true, Order: 4, Description: "补充说明"},
			{Code: "floor", Datatype: casework.TypeString, Variable: true, Order: 5, Description: "楼层"},
		}}
}

// env is a running server over the fixture organisation, with three
// machine clients: one for the tests' reports, another, and a revoked one.
type env struct {
	t     *testing.T
	url   string
	db    *store.DB
	fx    *fixture.Org
	clock *fixture.Clock
	svc   *casework.Service
	v     *validator

	key, otherKey, revokedKey string
	client, other             *org.APIClient
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	fx, err := fixture.Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Cases().PutCategory(ctx, noiseCategory()); err != nil {
		t.Fatal(err)
	}
	// Tuesday 2024-06-11 09:00, China time.
	clock := fixture.NewClock(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: clock.Now}
	svc := fx.Service(clock.Now)
	h := &api.Handler{Auth: auth, Cases: svc, Directory: &org.Directory{Store: db.Org()}, Log: log}
	srv := server.New(h, auth, db, log)
	srv.Open311 = &open311.Handler{Cases: svc, Auth: auth, Org: db.Org(), Log: log}
	srv.SetReady(true)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	srv.Open311.PublicURL = ts.URL // serve --public-url

	e := &env{t: t, url: ts.URL, db: db, fx: fx, clock: clock, svc: svc, v: newValidator(t)}
	if e.key, e.client, err = auth.CreateAPIClient(ctx, "随手拍小程序", "xihu_code"); err != nil {
		t.Fatal(err)
	}
	if e.otherKey, e.other, err = auth.CreateAPIClient(ctx, "FixMyStreet 试点", ""); err != nil {
		t.Fatal(err)
	}
	var revoked *org.APIClient
	if e.revokedKey, revoked, err = auth.CreateAPIClient(ctx, "已停用的客户端", "hotline"); err != nil {
		t.Fatal(err)
	}
	if err := db.Org().RevokeAPIClient(ctx, revoked.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// resp is an answer.
type resp struct {
	status int
	ctype  string
	body   []byte
}

func (r resp) String() string { return fmt.Sprintf("%d %s %.600s", r.status, r.ctype, r.body) }

// do sends a request; a POST's form is the body, a GET's the query.
func (e *env) do(method, path string, form url.Values, header map[string]string) resp {
	e.t.Helper()
	var body io.Reader
	u := e.url + path
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range header {
		req.Header.Set(k, v)
		if k == "Host" {
			req.Host = v // the client sends req.Host, not the header
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
}

func (e *env) get(path string, q url.Values) resp  { e.t.Helper(); return e.do("GET", path, q, nil) }
func (e *env) post(path string, f url.Values) resp { e.t.Helper(); return e.do("POST", path, f, nil) }

// schemaFor names the schema a JSON answer of a resource must meet: a file
// of the shared folder, or one of ownSchemas.
type schemaRef struct {
	file  string // request.json, services.json, …
	own   string // discovery, errors, …
	extra string // an ownSchemas name checked as well on each item (requests)
}

// checkJSON checks a JSON answer's status, type and schema, and returns it
// decoded (numbers as json.Number).
func (e *env) checkJSON(r resp, status int, s schemaRef) any {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r)
	}
	if r.ctype != "application/json; charset=utf-8" {
		e.t.Fatalf("content type %q: %s", r.ctype, r)
	}
	var err error
	switch {
	case s.file != "":
		err = e.v.validateFile(s.file, r.body)
	case s.own != "":
		err = e.v.validateDoc(own(e.t, s.own), r.body)
	default:
		e.t.Fatal("checkJSON: no schema named")
	}
	if err != nil {
		e.t.Fatalf("answer does not meet its schema: %v\n%s", err, r.body)
	}
	v := decode(e.t, r.body)
	if s.extra != "" {
		items, _ := v.([]any)
		for _, it := range items {
			b, _ := json.Marshal(it)
			if err := e.v.validateDoc(own(e.t, s.extra), b); err != nil {
				e.t.Fatalf("item does not meet %s: %v\n%s", s.extra, err, b)
			}
		}
	}
	return v
}

func decode(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// xnode is an XML element.
type xnode struct {
	name string
	kids []*xnode
	text string
}

// parseXML reads an XML answer into a tree, checking the declaration the
// spec asks for.
func parseXML(b []byte) (*xnode, error) {
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
		return nil, fmt.Errorf("no XML declaration with encoding utf-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(tok.Attr) > 0 {
				return nil, fmt.Errorf("<%s> has attributes: the spec's XML has none", tok.Name.Local)
			}
			n := &xnode{name: tok.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root != nil {
				return nil, fmt.Errorf("two root elements")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// sameContent checks that an XML element carries the same content as a
// JSON value, by the spec's mapping: an array is the element's children
// (each named item when item is given), an object its named children,
// null an empty element, a scalar its text.
func sameContent(x *xnode, j any, item, at string) error {
	at += "/" + x.name
	switch j := j.(type) {
	case nil:
		if len(x.kids) > 0 || x.text != "" {
			return fmt.Errorf("%s: want an empty element for null", at)
		}
	case string, json.Number, bool:
		want := fmt.Sprint(j)
		if len(x.kids) > 0 || x.text != want {
			return fmt.Errorf("%s: text %q, JSON has %q", at, x.text, want)
		}
	case []any:
		if len(x.kids) != len(j) {
			return fmt.Errorf("%s: %d children, JSON has %d items", at, len(x.kids), len(j))
		}
		for i, k := range x.kids {
			if item != "" && k.name != item {
				return fmt.Errorf("%s: child <%s>, want <%s>", at, k.name, item)
			}
			if i > 0 && k.name != x.kids[0].name {
				return fmt.Errorf("%s: mixed children <%s> and <%s> in a list", at, x.kids[0].name, k.name)
			}
			if err := sameContent(k, j[i], "", at); err != nil {
				return err
			}
		}
	case map[string]any:
		if len(x.kids) != len(j) {
			return fmt.Errorf("%s: %d children, JSON has %d fields", at, len(x.kids), len(j))
		}
		seen := map[string]bool{}
		for _, k := range x.kids {
			v, ok := j[k.name]
			if !ok || seen[k.name] {
				return fmt.Errorf("%s: child <%s> is not a JSON field (or is repeated)", at, k.name)
			}
			seen[k.name] = true
			if err := sameContent(k, v, "", at); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: unexpected JSON %T", at, j)
	}
	return nil
}

// checkXML checks an XML answer's status, type and root element, and
// returns its tree.
func (e *env) checkXML(r resp, status int, root string) *xnode {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r)
	}
	if r.ctype != "text/xml; charset=utf-8" {
		e.t.Fatalf("content type %q: %s", r.ctype, r)
	}
	x, err := parseXML(r.body)
	if err != nil {
		e.t.Fatalf("XML: %v\n%s", err, r.body)
	}
	if x.name != root {
		e.t.Fatalf("root <%s>, want <%s>:\n%s", x.name, root, r.body)
	}
	return x
}

// both GETs a resource as JSON and as XML ({fmt} in the path is the
// suffix), checks each, and checks that the two say the same. It returns
// the JSON.
func (e *env) both(path string, q url.Values, status int, s schemaRef, root, item string) any {
	e.t.Helper()
	j := e.checkJSON(e.get(strings.ReplaceAll(path, "{fmt}", "json"), q), status, s)
	x := e.checkXML(e.get(strings.ReplaceAll(path, "{fmt}", "xml"), q), status, root)
	if err := sameContent(x, j, item, ""); err != nil {
		e.t.Fatalf("%s: XML and JSON differ: %v", path, err)
	}
	return j
}

// fails checks that a request fails in both formats with the status and a
// description containing want; for a POST, that nothing was stored.
func (e *env) fails(method, path string, form url.Values, status int, want string) {
	e.t.Helper()
	before := e.caseCount()
	for _, f := range []string{"json", "xml"} {
		r := e.do(method, strings.ReplaceAll(path, "{fmt}", f), form, nil)
		var desc string
		if f == "json" {
			v := e.checkJSON(r, status, schemaRef{own: "errors"})
			item := v.([]any)[0].(map[string]any)
			if item["code"].(json.Number).String() != strconv.Itoa(status) {
				e.t.Fatalf("error code %v, want %d", item["code"], status)
			}
			desc = item["description"].(string)
		} else {
			x := e.checkXML(r, status, "errors")
			if len(x.kids) == 0 || x.kids[0].name != "error" || len(x.kids[0].kids) != 2 ||
				x.kids[0].kids[0].name != "code" || x.kids[0].kids[0].text != strconv.Itoa(status) || x.kids[0].kids[1].name != "description" {
				e.t.Fatalf("XML error is not <errors><error><code>%d</code><description>: %s", status, r.body)
			}
			desc = x.kids[0].kids[1].text
		}
		if !strings.Contains(desc, want) {
			e.t.Fatalf("%s %s (%s): description %q lacks %q", method, path, f, desc, want)
		}
		if !strings.Contains(desc, " / ") {
			e.t.Fatalf("description %q is not Chinese / English", desc)
		}
	}
	if after := e.caseCount(); after != before {
		e.t.Fatalf("%s %s failed but the cases went from %d to %d", method, path, before, after)
	}
}

// caseCount is how many cases there are, voided ones included.
func (e *env) caseCount() int {
	e.t.Helper()
	_, n, err := e.svc.List(context.Background(), e.fx.Actor(org.RoleDispatcher), casework.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// staffCase reads a case as the dispatcher sees it: unmasked.
func (e *env) staffCase(number string) *casework.Case {
	e.t.Helper()
	c, err := e.svc.GetByNumber(context.Background(), e.fx.Actor(org.RoleDispatcher), number)
	if err != nil {
		e.t.Fatalf("case %s: %v", number, err)
	}
	return c
}

// step takes a step as the role.
func (e *env) step(a org.Actor, number string, in casework.StepInput) *casework.Case {
	e.t.Helper()
	c, err := e.svc.Step(context.Background(), a, e.staffCase(number).ID, in)
	if err != nil {
		e.t.Fatalf("%s on %s: %v", in.Action, number, err)
	}
	return c
}

// report submits a report over Open311 as JSON and returns its number.
func (e *env) report(form url.Values) string {
	e.t.Helper()
	if form.Get("api_key") == "" {
		form.Set("api_key", e.key)
	}
	v := e.checkJSON(e.post("/open311/v2/requests.json", form), 200, schemaRef{own: "post-requests"})
	return v.([]any)[0].(map[string]any)["service_request_id"].(string)
}

// form builds url.Values from pairs.
func form(kv ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// field reads a path of object keys and array indexes from decoded JSON.
func field(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}
