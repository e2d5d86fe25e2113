// Package web is jiedao's pages: server-rendered html/template pages for
// every role, Chinese first with an English switch, over the same services
// as the JSON API. Handlers build the actor from the request (package
// server identified it) and call the services with it; they never read the
// store. The route table is in package server.
//
// JavaScript is used only where it pays: htmx for partial updates, Leaflet
// for maps, ECharts for charts, all vendored under static/vendor and
// embedded; our own scripts are files in static/, since the
// Content-Security-Policy allows no inline script or style.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

//go:embed templates
var templateFiles embed.FS

// DemoLogin is one account the login page offers on a demo database.
type DemoLogin struct {
	Username string
	Role     string
}

// Handler serves the pages. The caller sets its fields before the first
// request.
type Handler struct {
	Auth      *org.Auth
	Cases     *casework.Service
	Directory *org.Directory
	Photos    *casework.Photos
	Log       *slog.Logger
	// TileURL is the map tiles' URL template ({z}/{x}/{y}); empty draws
	// the grids and cases on a blank background.
	TileURL string
	// PublicURL is the address residents reach jiedao at (serve
	// --public-url, no trailing slash): QR codes encode it. Empty: the
	// address the request came to.
	PublicURL string
	// DemoLogins, when set, are shown on the login page with DemoPassword:
	// only `jiedao demo` sets them.
	DemoLogins   []DemoLogin
	DemoPassword string
	// Figures are the report's sources beside the case figures (the
	// enterprise registry, ledgers, indicators, legal case kinds).
	Figures []report.Source
	// Enterprises is the enterprise registry and the building economy
	// (enterprise.go); nil hides its pages.
	Enterprises *enterprise.Service
	// Books are the ledgers, indicators, targets and campaigns (books.go);
	// nil: their pages answer unavailable.
	Books *api.Books
	// AuditTrail is the audit administrator's reading and verifying of
	// the audit trail (issue 18); nil answers 404.
	AuditTrail *org.AuditTrail
	// ReportDocs is the work report's document service (workreport.go).
	ReportDocs *report.Docs
	// Roster is the duty desk's 24-hour roster (web/kinds.go); nil shows none.
	Roster duty.RosterStore
	// DutyRosters edits the roster (web/roster.go); nil: its page answers
	// unavailable.
	DutyRosters *duty.RosterService
	// CaseEvents, when set, wakes the board's stream as soon as a case
	// changes on any node (a subscription to the database's change
	// notices, store/events.go); nil: the stream polls.
	CaseEvents func() (<-chan string, func())

	pages map[string]*template.Template
	gate  *photoGate // photo decoding, process-wide (photogate.go)
}

// New returns a Handler with its templates parsed; it panics on a broken
// template, which is a bug caught by any test.
func New(h Handler) *Handler {
	h.pages = parseTemplates()
	h.gate = newPhotoGate(maxDecodePixels)
	return &h
}

func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html"))
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t := template.Must(base.Clone())
		template.Must(t.ParseFS(templateFiles, "templates/"+name))
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages
}

// page is what every template gets.
type page struct {
	Lang    string // "zh" or "en"
	Title   string
	Actor   org.Actor
	Staff   bool
	CSRF    string
	Path    string // the path and query, for the language switch to come back to
	Nav     []navItem
	Active  string
	Notice  string
	Errors  map[string]string // field → message
	Error   string            // a message not about one field
	Form    url.Values        // what was typed, shown again after an error
	TileURL string
	Scripts []string // vendored or own scripts this page needs
	Styles  []string
	Body    string // a class for <body>
	Data    any
	Now     time.Time
}

// T picks the text of the page's language.
func (p *page) T(zh, en string) string {
	if p.Lang == "en" {
		return en
	}
	return zh
}

// V is the value typed into a field, for re-rendering a form.
func (p *page) V(field string) string { return p.Form.Get(field) }

// Vs are the values typed into a multi-valued field.
func (p *page) Vs(field string) []string { return p.Form[field] }

// Has reports whether value was among the field's values.
func (p *page) Has(field, value string) bool {
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Err is the message about a field, if any.
func (p *page) Err(field string) string { return p.Errors[field] }

// ErrFor is the message about a field of the form of one action, on a
// page with several forms: only the form that was sent shows its errors.
func (p *page) ErrFor(action, field string) string {
	if p.V("action") != action {
		return ""
	}
	return p.Errors[field]
}

// VFor is a value typed into the form of one action.
func (p *page) VFor(action, field string) string {
	if p.V("action") != action {
		return ""
	}
	return p.V(field)
}

// Msg gives an error's message in the page's language.
func (p *page) Msg(err error) string {
	zh, en := jiedao.ErrorMessages(err)
	return p.T(zh, en)
}

// setError puts err next to its field, or at the top of the form.
// Errors joined with errors.Join (every missing field of a form at once)
// each go to their own field.
func (p *page) setError(err error) {
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			p.setError(e)
		}
		return
	}
	msg := p.Msg(err)
	if f := jiedao.ErrorField(err); f != "" {
		p.Errors[f] = msg
		return
	}
	p.Error = msg
}

func lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

// newPage starts the page data of a request; title is "中文|English".
func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, title string) *page {
	a := api.ActorFrom(r.Context())
	p := &page{Lang: lang(r), Title: title, Actor: a, Staff: a.Kind == org.ActorStaff, Path: r.URL.RequestURI(),
		CSRF: h.csrfToken(w, r), TileURL: h.TileURL, Form: url.Values{}, Now: h.Cases.Now()}
	if zh, en, ok := strings.Cut(title, "|"); ok {
		p.Title = p.T(zh, en)
	}
	if p.Staff {
		p.Nav = navFor(a)
		if duty.CanReadRoster(a) && !a.Is(org.RoleLeader) { // the duty roster (web/roster.go)
			p.Nav = append(p.Nav, navItem{"/duty/roster", "值班表", "Duty roster"})
		}
		if h.Books != nil {
			p.Nav = append(p.Nav, booksNav(a)...)
		}
	}
	return p
}

// render writes a page with the status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := h.pages[name]
	if t == nil {
		h.Log.Error("no template", "name", name)
		http.Error(w, "template missing", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	tmpl := "layout.html"
	if r.Header.Get("HX-Request") == "true" && t.Lookup("partial") != nil && r.Header.Get("HX-Boosted") == "" {
		tmpl = "partial"
	}
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		h.Log.Error("render", "page", name, "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Cookie, HX-Request")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page in the status its code maps to.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the reader went away (a map refetch cut short): nobody to answer
	}
	code := jiedao.ErrorCode(err)
	if code == jiedao.EINTERNAL {
		h.Log.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == jiedao.EUNAUTHORIZED {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := h.newPage(w, r, "出错了|Error")
	p.Error = p.Msg(err)
	p.Data = errorPage{Status: api.Status(code), Home: "/", Back: sameSiteReferer(r)}
	if p.Staff {
		p.Data = errorPage{Status: api.Status(code), Home: homeOf(p.Actor), Back: sameSiteReferer(r)}
	}
	api.SetRetryAfter(w, err)
	h.render(w, r, api.Status(code), "error", p)
}

// Fail answers a request with the error page in the reader's language and
// the status err's code maps to (404, 403, 405…): package server uses it
// for what no page handler answers (an unknown address, a wrong method).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	h.fail(w, r, err)
}

// errorPage is the error template's data: the status, the reader's home
// (their role's page for staff) and the page they came from, if it is on
// this site.
type errorPage struct {
	Status     int
	Home, Back string
}

// sameSiteReferer is the path of the page that linked here, when it is on
// this site and not the failing page itself; else "".
func sameSiteReferer(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return ""
	}
	back := localPath(ref.RequestURI(), "")
	if back == r.URL.RequestURI() {
		return ""
	}
	return back
}

// TooMany answers a form sent too often from one address (package
// server's rate limit; err says when to try again) with its page again:
// what was typed, the message at the top, status 429. Nothing of the form
// is acted on, so photos sent with a report must be chosen again.
func (h *Handler) TooMany(w http.ResponseWriter, r *http.Request, err error) {
	path := r.URL.Path
	var maxBytes int64 = maxForm
	if strings.HasPrefix(path, "/r/") || path == "/r" {
		maxBytes = maxReportForm
	}
	form := url.Values{}
	if parseForm(w, r, maxBytes) == nil && api.ValidUTF8(r.PostForm) == nil {
		form = r.PostForm
	}
	status := http.StatusTooManyRequests
	show := func(title string) *page {
		p := h.newPage(w, r, title)
		p.Body, p.Form = "narrow", form
		p.setError(err)
		return p
	}
	switch {
	case path == "/login":
		h.renderLogin(w, r, status, show("登录|Sign in"))
	case strings.HasPrefix(path, "/track"):
		h.render(w, r, status, "track", show("查询进度|Follow my report"))
	case strings.HasPrefix(path, "/r/") || path == "/r":
		p := show("我要上报|Report a problem")
		if ferr := h.residentFormData(r, p, r.PathValue("grid")); ferr != nil {
			h.fail(w, r, ferr)
			return
		}
		h.render(w, r, status, "resident", p)
	default:
		p := show("出错了|Error")
		p.Data = errorPage{Status: status, Home: "/", Back: sameSiteReferer(r)}
		h.render(w, r, status, "error", p)
	}
}

// staff returns the signed-in staff member, or answers with the login page
// (no session) or a refusal (a machine client) and false.
func (h *Handler) staff(w http.ResponseWriter, r *http.Request) (org.Actor, bool) {
	a := api.ActorFrom(r.Context())
	switch a.Kind {
	case org.ActorStaff:
		return a, true
	case org.ActorResident:
		h.fail(w, r, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in"))
	default:
		h.fail(w, r, jiedao.Forbidden("网页仅供工作人员使用", "pages are for staff"))
	}
	return a, false
}

// navItem is one link of the menu.
type navItem struct {
	Path, Zh, En string
}

// homeOf is the main page of each role.
func homeOf(a org.Actor) string {
	switch {
	case a.Pending == org.PendingEnrol:
		return "/account/2fa"
	case a.Pending == org.PendingPassword:
		return "/account#change-password"
	case a.Is(org.RoleSecurityAdmin):
		return "/admin/staff"
	case a.Is(org.RoleAuditAdmin):
		return "/audit"
	case a.Is(org.RoleDispatcher):
		return "/board"
	case a.Role.IsUnitRole():
		return "/inbox"
	case a.Is(org.RoleGridWorker):
		return "/grid"
	case a.Is(org.RoleLeader):
		return "/dashboard"
	case a.Is(org.RoleAdmin):
		return "/admin"
	case a.Is(org.RoleEnterpriseService):
		return "/enterprises/plan"
	case casework.KindOf(a.Role) != casework.KindOrdinary: // the case kinds' officers (web/kinds.go)
		return "/desk/" + string(casework.KindOf(a.Role))
	}
	return "/cases"
}

// navFor is the menu of a role: its own work first.
func navFor(a org.Actor) []navItem {
	cases := navItem{"/cases", "案件", "Cases"}
	mapn := navItem{"/map", "地图", "Map"}
	switch {
	case a.Pending != "":
		return nil // nothing but what he must do first
	case a.Is(org.RoleSecurityAdmin):
		return []navItem{{"/admin/staff", "人员与角色", "Staff and roles"}}
	case a.Is(org.RoleAuditAdmin):
		return []navItem{{"/audit", "审计记录", "Audit trail"}}
	case a.Is(org.RoleDispatcher):
		return []navItem{{"/board", "指挥台", "Board"}, mapn, cases, {"/report", "代录上报", "New report"}, {"/dashboard", "考核", "Dashboard"}, {"/qr", "西湖码", "QR codes"}}
	case a.Role.IsUnitRole():
		return []navItem{{"/inbox", "待办", "Inbox"}, cases}
	case a.Is(org.RoleGridWorker):
		return []navItem{{"/grid", "我的网格", "My grids"}, {"/report", "上报", "Report"}, cases, mapn}
	case a.Is(org.RoleCommunityStaff):
		return []navItem{cases, {"/report", "上报", "Report"}, mapn}
	case a.Is(org.RoleLeader):
		return []navItem{{"/dashboard", "驾驶舱", "Dashboard"}, {"/report?year=", "工作报告", "Work report"}, mapn, cases, {"/buildings/economy", "楼宇经济", "Buildings"}}
	case a.Is(org.RoleEnterpriseService):
		return []navItem{{"/enterprises/plan", "走访计划", "Visit plan"}, {"/enterprises", "企业", "Enterprises"}, {"/buildings/economy", "楼宇经济", "Buildings"}, cases}
	case a.Is(org.RoleAdmin):
		return []navItem{{"/admin", "系统管理", "Admin"}, {"/admin/grids", "网格", "Grids"}, {"/qr", "西湖码", "QR codes"}, cases, {"/dashboard", "考核", "Dashboard"}, {"/report?year=", "工作报告", "Work report"}}
	case casework.KindOf(a.Role) != casework.KindOrdinary: // the case kinds' officers (web/kinds.go)
		k := casework.KindOf(a.Role)
		return []navItem{{"/desk/" + string(k), k.Zh() + "工作台", "Desk"}, cases}
	}
	return []navItem{cases}
}

// Home sends staff to their role's page and shows everyone else the way in.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) {
	a := api.ActorFrom(r.Context())
	if a.Kind == org.ActorStaff {
		http.Redirect(w, r, homeOf(a), http.StatusSeeOther)
		return
	}
	p := h.newPage(w, r, "街道治理|Subdistrict governance")
	h.render(w, r, http.StatusOK, "home", p)
}

// SetLang switches the language (cookie lang) and goes back.
func (h *Handler) SetLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != "en" {
		l = "zh"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
}

// localPath returns p if it is a path on this site, else def: a "next"
// parameter must not send anyone elsewhere.
func localPath(p, def string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return def
	}
	return p
}
