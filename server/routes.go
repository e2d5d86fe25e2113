package server

import "net/http"

// access says who may reach a route before the services decide the rest.
type access int

const (
	public   access = iota // anyone, signed in or not (residents, Open311 readers)
	signedIn               // a session or an API key
	page                   // a page for signed-in people: without a session, the login page
	monitor                // the monitoring scraper: from this machine, or with the metrics token
)

// route is one line of the route table.
type route struct {
	pattern string // method and path, as http.ServeMux reads them
	access  access
	limit   rateClass // the rate limit per client address (ratelimit.go)
	handler http.HandlerFunc
}

// routes is the route table: every URL jiedao answers, in one place.
// Authorisation beyond "signed in" is decided by the services, so that it
// holds whichever route a step comes through.
func (s *Server) routes() []route {
	a := s.api
	o := s.Open311
	w := s.Web
	return []route{
		{"GET /healthz", public, noLimit, s.healthz},
		{"GET /metrics", monitor, noLimit, s.metricsHandler().ServeHTTP},

		{"POST /api/v1/login", public, limitLogin, a.Login},
		{"POST /api/v1/logout", public, noLimit, a.Logout},
		{"GET /api/v1/me", signedIn, noLimit, a.Me},
		{"GET /api/v1/me/logins", signedIn, noLimit, a.MyLogins},
		{"GET /api/v1/me/sessions", signedIn, noLimit, a.MySessions},
		{"POST /api/v1/me/sessions/revoke", signedIn, noLimit, a.RevokeMySessions},

		{"POST /api/v1/cases", public, limitReport, a.ReportCase},
		{"GET /api/v1/cases", signedIn, noLimit, a.ListCases},
		{"GET /api/v1/cases/{id}", signedIn, noLimit, a.GetCase},
		{"GET /api/v1/cases/{id}/events", signedIn, noLimit, a.CaseEvents},
		{"POST /api/v1/cases/{id}/steps", signedIn, noLimit, a.Step},
		{"POST /api/v1/cases/{id}/reveal", signedIn, noLimit, a.RevealContact},
		{"GET /api/v1/track/{number}", public, limitTrack, a.ResidentCase},
		{"POST /api/v1/track/{number}/rating", public, limitTrack, a.ResidentRate},
		{"GET /api/v1/evaluation", signedIn, noLimit, a.Evaluation},

		{"GET /api/v1/categories", public, noLimit, a.Categories},
		{"PUT /api/v1/categories/{code}", signedIn, noLimit, a.PutCategory},
		{"GET /api/v1/routing-rules", signedIn, noLimit, a.RoutingRules},
		{"POST /api/v1/routing-rules", signedIn, noLimit, a.CreateRoutingRule},
		{"DELETE /api/v1/routing-rules/{id}", signedIn, noLimit, a.DeleteRoutingRule},

		{"GET /api/v1/jurisdictions", signedIn, noLimit, a.Jurisdictions},
		{"POST /api/v1/jurisdictions", signedIn, noLimit, a.CreateJurisdiction},
		{"GET /api/v1/communities", signedIn, noLimit, a.Communities},
		{"POST /api/v1/communities", signedIn, noLimit, a.SaveCommunity},
		{"PUT /api/v1/communities/{id}", signedIn, noLimit, a.SaveCommunity},
		{"GET /api/v1/grids", signedIn, noLimit, a.Grids},
		{"POST /api/v1/grids", signedIn, noLimit, a.SaveGrid},
		{"PUT /api/v1/grids/{id}", signedIn, noLimit, a.SaveGrid},
		{"POST /api/v1/import/geojson", signedIn, noLimit, a.ImportPlaces},
		{"GET /api/v1/units", signedIn, noLimit, a.Units},
		{"POST /api/v1/units", signedIn, noLimit, a.SaveUnit},
		{"PUT /api/v1/units/{id}", signedIn, noLimit, a.SaveUnit},
		{"GET /api/v1/staff", signedIn, noLimit, a.Staff},
		{"POST /api/v1/staff", signedIn, noLimit, a.SaveStaff},
		{"PUT /api/v1/staff/{id}", signedIn, noLimit, a.SaveStaff},
		{"GET /api/v1/staff/{id}/logins", signedIn, noLimit, a.StaffLogins},
		{"GET /api/v1/staff/{id}/sessions", signedIn, noLimit, a.StaffSessions},
		{"POST /api/v1/staff/{id}/sessions/revoke", signedIn, noLimit, a.RevokeStaffSessions},
		{"GET /api/v1/api-clients", signedIn, noLimit, a.APIClients},
		{"POST /api/v1/api-clients", signedIn, noLimit, a.CreateAPIClient},
		{"DELETE /api/v1/api-clients/{id}", signedIn, noLimit, a.RevokeAPIClient},
		{"GET /api/v1/calendar", signedIn, noLimit, a.CalendarDays},
		{"PUT /api/v1/calendar", signedIn, noLimit, a.PutCalendarDays},
		{"DELETE /api/v1/calendar/{date}", signedIn, noLimit, a.DeleteCalendarDay},

		{"GET /api/v1/openapi.yaml", public, noLimit, a.OpenAPI},

		// Machine channels (package intake, docs/intake.md). The alarm
		// webhook is public because its credential is the HMAC signature
		// of the sender, checked by the handler; the rest need a session
		// or an API key, and the intake service decides who may do what.
		{"POST /api/v1/intake/iot/alarms", public, noLimit, s.Intake.Alarm},
		{"GET /api/v1/intake/iot/kinds", signedIn, noLimit, s.Intake.Kinds},
		{"PUT /api/v1/intake/iot/kinds/{kind}", signedIn, noLimit, s.Intake.PutKind},
		{"GET /api/v1/intake/iot/devices", signedIn, noLimit, s.Intake.Devices},
		{"POST /api/v1/intake/iot/devices", signedIn, noLimit, s.Intake.CreateDevice},
		{"GET /api/v1/intake/iot/devices/{id}", signedIn, noLimit, s.Intake.Device},
		{"PUT /api/v1/intake/iot/devices/{id}", signedIn, noLimit, s.Intake.UpdateDevice},
		{"DELETE /api/v1/intake/iot/devices/{id}", signedIn, noLimit, s.Intake.DeleteDevice},
		{"POST /api/v1/intake/clients/{id}/secret", signedIn, noLimit, s.Intake.RotateSecret},
		{"POST /api/v1/intake/police/events", signedIn, noLimit, s.Intake.PoliceEvent},
		{"POST /api/v1/intake/police/import", signedIn, noLimit, s.Intake.PoliceImport},
		{"GET /api/v1/intake/police/arrival", signedIn, noLimit, s.Intake.PoliceArrival},
		{"POST /api/v1/intake/hotline/import", signedIn, noLimit, s.Intake.HotlineImport},
		{"GET /api/v1/intake/hotline/export", signedIn, noLimit, s.Intake.HotlineExport},

		// Open311 GeoReport v2 and FixMyStreet's servicerequestupdates. The
		// suffix picks the format; ServeMux wildcards are whole segments, so
		// each file is named here and {code}, {id} and {token} carry theirs.
		// POSTs check their api_key themselves: Open311 sends it as a form
		// field, and a missing one is the spec's 403, not a 401.
		{"GET /open311/v2/discovery.json", public, noLimit, o.Discovery},
		{"GET /open311/v2/discovery.xml", public, noLimit, o.Discovery},
		{"GET /open311/v2/services.json", public, noLimit, o.Services},
		{"GET /open311/v2/services.xml", public, noLimit, o.Services},
		{"GET /open311/v2/services/{code}", public, noLimit, o.ServiceDefinition},
		{"POST /open311/v2/requests.json", public, limitOpen311, o.PostRequest},
		{"POST /open311/v2/requests.xml", public, limitOpen311, o.PostRequest},
		{"GET /open311/v2/requests.json", public, noLimit, o.Requests},
		{"GET /open311/v2/requests.xml", public, noLimit, o.Requests},
		{"GET /open311/v2/requests/{id}", public, noLimit, o.Request},
		{"GET /open311/v2/tokens/{token}", public, noLimit, o.Token},
		{"GET /open311/v2/servicerequestupdates.json", public, noLimit, o.Updates},
		{"GET /open311/v2/servicerequestupdates.xml", public, noLimit, o.Updates},
		{"POST /open311/v2/servicerequestupdates.json", public, limitOpen311, o.PostUpdate},
		{"POST /open311/v2/servicerequestupdates.xml", public, limitOpen311, o.PostUpdate},
		{"/open311/v2/", public, noLimit, o.NotFound}, // anything else there: the spec's 404

		// Pages (package web). Residents' pages are public; staff pages send
		// a browser without a session to /login. Every POST checks its CSRF
		// token in web.
		{"GET /{$}", public, noLimit, w.Home},
		{"GET /static/", public, noLimit, w.Static},
		{"GET /lang/{lang}", public, noLimit, w.SetLang},
		{"GET /login", public, noLimit, w.LoginPage},
		{"POST /login", public, limitLogin, w.Login},
		{"POST /logout", public, noLimit, w.Logout},
		{"GET /account", page, noLimit, w.Account},
		{"POST /account/sessions/revoke", page, noLimit, w.RevokeMySessions},
		{"GET /r", public, noLimit, w.ResidentForm},
		{"POST /r", public, limitReport, w.ResidentSubmit},
		{"GET /r/extra", public, noLimit, w.ResidentExtra},
		{"GET /r/done", public, noLimit, w.ResidentDone},
		{"POST /r/same/{number}", public, limitReport, w.SameProblem},
		{"GET /r/{grid}", public, noLimit, w.ResidentForm},
		{"POST /r/{grid}", public, limitReport, w.ResidentSubmit},
		{"GET /track", public, noLimit, w.TrackPage},
		{"POST /track", public, limitTrack, w.Track},
		{"POST /track/rate", public, limitTrack, w.TrackRate},
		{"GET /qr/{grid}", public, noLimit, w.GridQR},
		{"GET /qr", page, noLimit, w.QRSheet},
		{"GET /report", page, noLimit, w.StaffReportForm},
		{"POST /report", page, noLimit, w.StaffReport},
		{"GET /cases", page, noLimit, w.CaseList},
		{"GET /cases/{id}", page, noLimit, w.CasePage},
		{"POST /cases/{id}/step", page, noLimit, w.CaseStep},
		{"GET /photos/{id}", page, noLimit, w.Photo},
		{"GET /board", page, noLimit, w.Board},
		{"GET /board/rows", page, noLimit, w.BoardRows},
		{"GET /board/stream", page, noLimit, w.BoardStream},
		{"GET /inbox", page, noLimit, w.Inbox},
		{"GET /grid", page, noLimit, w.GridHome},
		{"GET /map", page, noLimit, w.MapPage},
		{"GET /map/grids.geojson", page, noLimit, w.MapGrids},
		{"GET /map/cases.json", page, noLimit, w.MapCases},
		{"GET /dashboard", page, noLimit, w.Dashboard},
		{"GET /dashboard/export.xlsx", page, noLimit, w.ExportDashboard},
		{"GET /cases/export.xlsx", page, noLimit, w.ExportCases},
		{"GET /admin", page, noLimit, w.Admin},
		{"GET /admin/calendar.tsv", page, noLimit, w.CalendarTSV},
		{"GET /admin/{section}", page, noLimit, w.Admin},
		{"POST /admin/{section}/{op}", page, noLimit, w.AdminPost},
	}
}

// String names an access level as the route table's readers (tests, docs)
// call it.
func (a access) String() string {
	switch a {
	case public:
		return "public"
	case signedIn:
		return "signed-in"
	case page:
		return "page"
	}
	return "unknown"
}

// RouteInfo is one line of the route table without its handler.
type RouteInfo struct {
	Pattern string // method and path, as http.ServeMux reads them
	Access  string // "public", "signed-in" or "page"
}

// Routes lists the route table, so that a test can walk every route and
// no new route escapes it (server/matrix_test.go).
func (s *Server) Routes() []RouteInfo {
	rs := s.routes()
	out := make([]RouteInfo, len(rs))
	for i, rt := range rs {
		out[i] = RouteInfo{Pattern: rt.pattern, Access: rt.access.String()}
	}
	return out
}
