package open311

import (
	"errors"
	"net/http"
	"path"
	"strconv"

	"github.com/jiedao/jiedao"
)

// problem is one error as the spec lists it: a code and a description for
// the user. The spec asks for 404 for what does not exist, 403 for a wrong
// or missing api_key and 400 for everything else a request cannot do, a
// failure of the server included ("eg CRM is down"); jiedao answers a
// failure of the server 503 with Retry-After instead, as on every other
// interface, since clients read 400 as "do not retry". The code in the
// body is the HTTP status.
type problem struct {
	status int
	zh, en string
}

func (p *problem) Error() string { return p.zh + " / " + p.en }

func badRequest(zh, en string) *problem { return &problem{http.StatusBadRequest, zh, en} }
func notFound(zh, en string) *problem   { return &problem{http.StatusNotFound, zh, en} }
func forbidden(zh, en string) *problem  { return &problem{http.StatusForbidden, zh, en} }

// toProblem maps any error to the spec's statuses, keeping a domain
// error's messages (Chinese, then English). Faults of ours are logged by
// the caller and shown only as a generic message.
func toProblem(err error) (p *problem, internal bool) {
	if errors.As(err, &p) {
		return p, false
	}
	zh, en := jiedao.ErrorMessages(err)
	switch jiedao.ErrorCode(err) {
	case jiedao.ENOTFOUND:
		return &problem{http.StatusNotFound, zh, en}, false
	case jiedao.EFORBIDDEN, jiedao.EUNAUTHORIZED:
		return &problem{http.StatusForbidden, zh, en}, false
	case jiedao.ETOOMANY:
		return &problem{http.StatusTooManyRequests, zh, en}, false
	case jiedao.EINTERNAL:
		// A failure of ours (the database gone): 503 with Retry-After, not
		// the spec's 400, which clients read as "do not retry".
		return &problem{http.StatusServiceUnavailable, "系统暂时无法处理，请稍后重试", "the service is unavailable, please try again later"}, true
	case jiedao.EUNAVAILABLE:
		return &problem{http.StatusServiceUnavailable, zh, en}, false
	}
	return &problem{http.StatusBadRequest, zh, en}, false
}

// errorsDoc is the spec's error list.
func errorsDoc(ps ...*problem) doc {
	items := make([]any, len(ps))
	for i, p := range ps {
		items[i] = obj{{"code", p.status}, {"description", p.zh + " / " + p.en}}
	}
	return doc{root: "errors", value: list{item: "error", items: items}}
}

// fail writes err as the spec's error list.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f format, err error) {
	p, internal := toProblem(err)
	if internal {
		h.Log.ErrorContext(r.Context(), "open311 request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(jiedao.RetryAfterSeconds))
	}
	write(w, f, p.status, errorsDoc(p))
}

// Fail writes err as the spec's error list in the format the path asks
// for; package server uses it for what it refuses before the handler runs
// (a rate limit).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	_, f := splitFormat(path.Base(r.URL.Path))
	h.fail(w, r, f, err)
}

// missing is the 400 for a required parameter not given.
func missing(field string) *problem {
	return badRequest("缺少 "+field, field+" is required")
}

// invalid is the 400 for a parameter whose value cannot be read.
func invalid(field, value string) *problem {
	return badRequest(field+" 无效："+strconv.Quote(value), "invalid "+field+": "+strconv.Quote(value))
}
