package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
)

// Fences the route table's access levels do not draw (issue 18,
// docs/dengbao.md): the separated administrators reach their own routes
// only, a staff member with something to do first (enrol two factors,
// change his password) reaches only that, and a write to the API
// authenticated by the browser's cookie must come from this site.

// ownRoutes are the routes every signed-in person keeps: his account,
// signing out, the language, static files.
var ownRoutes = []string{
	"GET /account", "POST /account/password", "POST /account/sessions/revoke", "GET /account/2fa", "POST /account/2fa/{op}",
	"POST /logout", "POST /api/v1/logout", "GET /api/v1/me", "GET /api/v1/me/logins", "GET /api/v1/me/sessions",
	"POST /api/v1/me/sessions/revoke", "POST /api/v1/me/two-factor", "POST /api/v1/me/two-factor/confirm", "GET /static/", "GET /lang/{lang}", "GET /login", "POST /login", "POST /login/code",
	"POST /api/v1/login", "POST /api/v1/login/code", "GET /{$}", "GET /healthz", "GET /api/v1/openapi.yaml",
}

// adminRoutes are, beyond ownRoutes, all that the security and the audit
// administrator may reach: none of the case loop, the books or the
// configuration, which are the system administrator's and the staff's.
var adminRoutes = map[org.Role][]string{
	org.RoleSecurityAdmin: {"GET /admin/{section}", "POST /admin/{section}/{op}", "GET /api/v1/staff", "POST /api/v1/staff",
		"PUT /api/v1/staff/{id}", "GET /api/v1/staff/{id}/logins", "GET /api/v1/staff/{id}/sessions",
		"POST /api/v1/staff/{id}/sessions/revoke", "POST /api/v1/staff/{id}/two-factor/reset"},
	org.RoleAuditAdmin: {"GET /audit", "POST /audit/verify", "GET /audit/export.csv", "GET /api/v1/audit", "POST /api/v1/audit/verify"},
}

// fenced answers a request the fences refuse, and reports whether it did.
func (s *Server) fenced(w http.ResponseWriter, r *http.Request, rt route, a org.Actor) bool {
	if a.Kind != org.ActorStaff {
		return false
	}
	// Public reads (a resident's form, the track page, Open311) are no
	// one's in particular: anyone may read them.
	own := contains(ownRoutes, rt.pattern) || (rt.access == public && strings.HasPrefix(rt.pattern, "GET "))
	if a.Pending != "" && !own {
		if !isAPIPath(r.URL.Path) && r.Method == http.MethodGet {
			to := "/account/2fa"
			if a.Pending == org.PendingPassword {
				to = "/account#change-password"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return true
		}
		err := jiedao.Forbidden("请先启用双因素认证（我的账号）", "enrol two-factor sign-in first (my account)")
		if a.Pending == org.PendingPassword {
			err = jiedao.Forbidden("请先修改密码（我的账号）", "change your password first (my account)")
		}
		s.failRoute(w, r, err)
		return true
	}
	if allowed, ok := adminRoutes[a.Role]; ok && !own && !contains(allowed, rt.pattern) {
		s.failRoute(w, r, jiedao.Forbidden("三权分立：此功能不属于您的管理员角色", "separation of duties: this is not your administrator role's"))
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// failRoute answers an error in the route's own format.
func (s *Server) failRoute(w http.ResponseWriter, r *http.Request, err error) {
	if !isAPIPath(r.URL.Path) && s.Web != nil {
		s.Web.Fail(w, r, err)
		return
	}
	api.WriteError(w, r, s.log, err)
}

var errCrossSite = jiedao.Forbidden("跨站请求被拒绝：网页请求须带 X-CSRF-Token，其他客户端请用 Authorization: Bearer 令牌",
	"cross-site request refused: pages send X-CSRF-Token, other clients use an Authorization: Bearer token")

// crossSiteAPIWrite reports a write to the API whose credential is the
// browser's session cookie and that did not come from this site: neither
// the CSRF token of the pages' forms (header X-CSRF-Token) nor a
// same-origin browser (Sec-Fetch-Site: same-origin, or an Origin that is
// this server's host or the configured public address). Clients with a
// bearer token or an API key send no cookie credential and are not
// concerned. SameSite=Lax does not stop another port of the same host,
// hence this.
func (s *Server) crossSiteAPIWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	if !isAPIPath(r.URL.Path) || r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" {
		return false
	}
	if c, err := r.Cookie(api.SessionCookie); err != nil || c.Value == "" {
		return false
	}
	if s.Web != nil && s.Web.ValidCSRFHeader(r) {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return false
	case "":
	default:
		return true // cross-site, same-site (another port or subdomain), none
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return true
	}
	if strings.EqualFold(u.Host, r.Host) {
		return false
	}
	if s.Web != nil && s.Web.PublicURL != "" {
		if p, err := url.Parse(s.Web.PublicURL); err == nil && strings.EqualFold(p.Host, u.Host) && p.Scheme == u.Scheme {
			return false
		}
	}
	return true
}
