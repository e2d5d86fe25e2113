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
	// jur is the subdistrict jurisdiction_id selects; nil: every one (a
	// one-subdistrict deployment, or a district's code on a read).
	jur *org.Jurisdiction
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

// checkJurisdiction reads jurisdiction_id, the division code of a
// subdistrict. A deployment of one subdistrict takes it or not, as today;
// one serving several (a district) requires it on every call, as
// GeoReport v2 says of an endpoint serving several jurisdictions: 400
// without it. It selects the subdistrict: a new request is filed in it
// and reads are limited to it. A district's code selects every one of its
// subdistricts for a read, and is refused for a POST (a request is filed
// in a subdistrict). An unknown code is 404.
func (c *call) checkJurisdiction() error {
	js, err := c.h.Org.ListJurisdictions(c.ctx)
	if err != nil {
		return err
	}
	c.jurs = js
	id := c.param("jurisdiction_id")
	several := len(org.Subdistricts(js)) > 1
	if id == "" {
		if several {
			return badRequest("缺少 jurisdiction_id：本系统服务多个街道，每次调用须以 jurisdiction_id 指明街道的行政区划代码（如 330106007）",
				"jurisdiction_id is required: this endpoint serves several subdistricts, so every call names one by its division code (such as 330106007)")
		}
		return nil
	}
	for _, j := range js {
		if j.DivisionCode != id {
			continue
		}
		if j.IsDistrict() {
			if c.r.Method == http.MethodPost {
				return badRequest("jurisdiction_id 须为街道的区划代码："+id+" 是区，不能在区一级提交",
					"jurisdiction_id must be a subdistrict's division code: "+id+" is the district's, and nothing is filed at the district")
			}
			return nil // a read of the whole district
		}
		if several {
			c.jur = j
		}
		return nil
	}
	return notFound("jurisdiction_id 不存在："+id, "jurisdiction_id not found: "+id)
}

// inScope reports whether a case is in the subdistrict the call selected.
func (c *call) inScope(k *casework.Case) bool {
	return c.jur == nil || k.JurisdictionID == c.jur.ID
}

// filer is the client's actor filing into the selected subdistrict: a
// client of one subdistrict may file only into it (403).
func (c *call) filer(a org.Actor) (org.Actor, error) {
	if c.jur == nil {
		return a, nil
	}
	n, ok := a.Narrowed(c.jur.ID)
	if !ok {
		return a, forbidden("该 api_key 不属于 jurisdiction_id 指明的街道", "this api_key does not belong to the subdistrict jurisdiction_id names")
	}
	return n, nil
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
