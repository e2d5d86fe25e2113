package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
)

// CSRF protection: every form carries a token in the field csrf_token (htmx
// sends it as the header X-CSRF-Token), and every POST is refused without
// the right one.
//
// The token is derived, not stored: it is SHA-256 over the session cookie
// (when signed in) and a random browser cookie, jiedao_csrf. Both are
// HttpOnly, so a page of another site can neither read them nor compute the
// token, and nothing needs to be shared between several serve processes:
// any of them computes the same token from the request. For a signed-in
// person it is a synchronizer token bound to the session (a new session
// after login gets a new token); for a resident, who has no session, it is
// a double-submit token (the form repeats, hashed, what the cookie holds).
// The Origin header, when the browser sends one, must be this site too, and
// the cookies are SameSite=Lax: three fences, any one of which stops a
// cross-site form.
const (
	csrfCookie = "jiedao_csrf"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// csrfToken returns the token for the forms of this response, setting the
// browser cookie first if the browser has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	seed := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 {
		seed = c.Value
	} else {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		seed = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: seed, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: 30 * 24 * 3600})
		// The token must match the cookie this very response sets.
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: seed})
	}
	return deriveToken(r, seed)
}

func deriveToken(r *http.Request, seed string) string {
	sess := ""
	if c, err := r.Cookie(api.SessionCookie); err == nil {
		sess = c.Value
	}
	sum := sha256.Sum256([]byte("jiedao-csrf\x00" + sess + "\x00" + seed))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var errCSRF = jiedao.Errorf(jiedao.EFORBIDDEN, "页面已过期或来源不明，请刷新页面后重新提交", "the form has expired or did not come from this site: reload the page and send it again")

// checkCSRF refuses a request whose token or origin is wrong.
func checkCSRF(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 20 {
		return errCSRF
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	want := deriveToken(r, c.Value)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// maxForm bounds a form without files; forms with photos have their own.
const maxForm = 1 << 20

// postForm parses a form (multipart too, up to maxBytes) and checks its
// CSRF token; on failure it has answered the request and returns false.
func (h *Handler) postForm(w http.ResponseWriter, r *http.Request, maxBytes int64) bool {
	if err := parseForm(w, r, maxBytes); err != nil {
		h.fail(w, r, err)
		return false
	}
	if err := checkCSRF(r); err != nil {
		h.fail(w, r, err)
		return false
	}
	if err := api.ValidUTF8(r.PostForm); err != nil {
		h.fail(w, r, err)
		return false
	}
	return true
}

// parseForm reads a form (multipart too, up to maxBytes; 0 is maxForm).
func parseForm(w http.ResponseWriter, r *http.Request, maxBytes int64) error {
	if maxBytes <= 0 {
		maxBytes = maxForm
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	var err error
	if ct := r.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jiedao.Errorf(jiedao.ETOOLARGE, "提交的内容过大（照片请少于6张、每张不超过10MB）", "the form is too large (fewer than 6 photos of at most 10 MB each)")
		}
		return jiedao.Errorf(jiedao.EINVALID, "无法读取提交的表单", "cannot read the form")
	}
	return nil
}

// ValidCSRFHeader reports whether a request carries the right CSRF token
// in the header X-CSRF-Token: the pages' scripts send it with their API
// writes (package server requires it, or a same-origin browser, for API
// writes authenticated by the session cookie).
func (h *Handler) ValidCSRFHeader(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	got := r.Header.Get(csrfHeader)
	if err != nil || len(c.Value) < 20 || got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(deriveToken(r, c.Value))) == 1
}
