package open311

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Directory is what Open311 reads of the organisation: the jurisdictions
// (for jurisdiction_id and discovery) and the units (for
// agency_responsible). org.Store has both.
type Directory interface {
	ListJurisdictions(ctx context.Context) ([]*org.Jurisdiction, error)
	ListUnits(ctx context.Context) ([]*org.Unit, error)
}

// Handler answers GeoReport v2. Its methods are the handlers the route
// table in package server names, one per resource.
type Handler struct {
	Cases *casework.Service
	Auth  *org.Auth
	Org   Directory
	Log   *slog.Logger
	// PublicURL is the address clients reach jiedao at (serve
	// --public-url, no trailing slash, or else the address serve listens
	// at): discovery names the endpoint under it. Empty: discovery gives
	// the endpoint's path only. Never an address taken from the request's
	// Host header, which the client chooses.
	PublicURL string
}

// maxForm bounds a POST body: the spec's longest field is a 4,000
// character description; media travel as URLs, never as uploads.
const maxForm = 1 << 20

// call is one request being answered.
type call struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context
	f    format
	jurs []*org.Jurisdiction
}

// splitFormat cuts the format suffix off a file name; without one the
// answer is JSON.
func splitFormat(name string) (string, format) {
	switch {
	case strings.HasSuffix(name, ".xml"):
		return strings.TrimSuffix(name, ".xml"), formatXML
	case strings.HasSuffix(name, ".json"):
		return strings.TrimSuffix(name, ".json"), formatJSON
	}
	return name, formatJSON
}

// begin reads the parameters (query string, and the form body of a POST),
// and checks jurisdiction_id. file is the last path segment, whose suffix
// picks the format; begin returns it without the suffix (a service code,
// a request id, a token). On failure it has answered and returns nil.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, file string) (*call, string) {
	name, f := splitFormat(file)
	c := &call{h: h, w: w, r: r, ctx: r.Context(), f: f}
	if err := c.parseForm(); err != nil {
		h.fail(w, r, f, err)
		return nil, ""
	}
	// Every field is text: a NUL or invalid UTF-8 is 400 (the query
	// string is checked by the server already; this is the body).
	if err := api.ValidUTF8(r.PostForm); err != nil {
		h.fail(w, r, f, err)
		return nil, ""
	}
	if err := c.checkJurisdiction(); err != nil {
		h.fail(w, r, f, err)
		return nil, ""
	}
	return c, name
}

func (c *call) parseForm() error {
	if c.r.Method == http.MethodPost {
		c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxForm)
		ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
		if ct == "multipart/form-data" {
			if err := c.r.ParseMultipartForm(maxForm); err != nil {
				return formError(err)
			}
			return nil
		}
	}
	if err := c.r.ParseForm(); err != nil {
		return formError(err)
	}
	return nil
}

func formError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return badRequest("请求内容过大（最多1MB）", "request body too large (at most 1 MB)")
	}
	return badRequest("无法解析请求参数", "cannot parse the request parameters")
}

// param returns a parameter from the body or the query string, trimmed.
func (c *call) param(name string) string {
	return strings.TrimSpace(c.r.Form.Get(name))
}

// checkJurisdiction accepts a missing jurisdiction_id (the spec requires it
// only of endpoints serving several) and a known division code; another is
// 404. One jiedao deployment serves one subdistrict's cases, so the id
// selects nothing further.
func (c *call) checkJurisdiction() error {
	js, err := c.h.Org.ListJurisdictions(c.ctx)
	if err != nil {
		return err
	}
	c.jurs = js
	id := c.param("jurisdiction_id")
	if id == "" {
		return nil
	}
	for _, j := range js {
		if j.DivisionCode == id {
			return nil
		}
	}
	return notFound("jurisdiction_id 不存在："+id, "jurisdiction_id not found: "+id)
}

// jurisdictionName names the subdistrict for texts that need one, in
// Chinese and English: the one jurisdiction_id names, else the first.
func (c *call) jurisdictionName() (zh, en string) {
	id := c.param("jurisdiction_id")
	for _, j := range c.jurs {
		if id == "" || j.DivisionCode == id {
			en = j.NameEn
			if en == "" {
				en = j.Name
			}
			return j.Name, en
		}
	}
	return "街道", "the subdistrict"
}

// apiKey is the request's API key: the api_key parameter (body or query
// string, as Open311 clients send it), else an X-API-Key header or a
// bearer token that is an API key, as jiedao's JSON API takes them.
func (c *call) apiKey() string {
	if k := c.param("api_key"); k != "" {
		return k
	}
	if k := strings.TrimSpace(c.r.Header.Get("X-API-Key")); k != "" {
		return k
	}
	if h := c.r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer jd_") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	return ""
}

// client returns the machine client the request's API key belongs to.
// None, or a wrong or revoked one, is the spec's 403.
func (c *call) client() (org.Actor, error) {
	key := c.apiKey()
	if key == "" {
		return org.Actor{}, forbidden("缺少 api_key", "api_key is required")
	}
	cl, err := c.h.Auth.AuthenticateClient(c.ctx, key)
	if jiedao.ErrorCode(err) == jiedao.EUNAUTHORIZED {
		return org.Actor{}, forbidden("api_key 无效或已吊销", "invalid or revoked api_key")
	} else if err != nil {
		return org.Actor{}, err
	}
	return org.ClientActor(cl), nil
}

// reader returns who reads: the client of an API key when one is given
// (a wrong one is 403, so that a client is told its key is bad rather than
// served as the public), else the public.
// beginRead starts a read: begin, then the reader. On an error it has
// answered already and returns a nil call.
func (h *Handler) beginRead(w http.ResponseWriter, r *http.Request, file string) (*call, org.Actor, string) {
	c, name := h.begin(w, r, file)
	if c == nil {
		return nil, org.Actor{}, ""
	}
	a, err := c.reader()
	if err != nil {
		c.fail(err)
		return nil, org.Actor{}, ""
	}
	return c, a, name
}

func (c *call) reader() (org.Actor, error) {
	if c.apiKey() != "" {
		return c.client()
	}
	return org.ResidentActor("公众"), nil
}

// ok writes an answer with status 200.
func (c *call) ok(d doc) { write(c.w, c.f, http.StatusOK, d) }

// fail writes an error.
func (c *call) fail(err error) { c.h.fail(c.w, c.r, c.f, err) }

// baseURL is the endpoint's URL under the configured public address.
func (c *call) baseURL() string {
	return strings.TrimRight(c.h.PublicURL, "/") + "/open311/v2/"
}

// NotFound answers any other path under /open311/v2/ with the spec's 404.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	_, f := splitFormat(path.Base(r.URL.Path))
	h.fail(w, r, f, notFound("没有这个 Open311 资源："+r.Method+" "+r.URL.Path+"（地址须以 .json 或 .xml 结尾）",
		"no such Open311 resource: "+r.Method+" "+r.URL.Path+" (paths end in .json or .xml)"))
}
