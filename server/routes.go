package server

import "net/http"

// access says who may reach a route before the services decide the rest.
type access int

const (
	public   access = iota // anyone, signed in or not (residents, Open311 readers)
	signedIn               // a session or an API key
	page                   // a page for signed-in people: without a session, the login page
)

// route is one line of the route table.
type route struct {
	pattern string // method and path, as http.ServeMux reads them
	access  access
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
		{"GET /healthz", public, s.healthz},
		{"GET /metrics", public, s.metricsHandler().ServeHTTP},

		{"POST /api/v1/login", public, a.Login},
		{"POST /api/v1/logout", public, a.Logout},
		{"GET /api/v1/me", signedIn, a.Me},

		{"POST /api/v1/cases", public, a.ReportCase},
		{"GET /api/v1/cases", signedIn, a.ListCases},
		{"GET /api/v1/cases/export", signedIn, a.ExportCases},
		{"GET /api/v1/cases/{id}", signedIn, a.GetCase},
		{"GET /api/v1/cases/{id}/events", signedIn, a.CaseEvents},
		{"POST /api/v1/cases/{id}/steps", signedIn, a.Step},
		{"POST /api/v1/cases/{id}/reveal", signedIn, a.RevealContact},
		{"GET /api/v1/track/{number}", public, a.ResidentCase},
		{"POST /api/v1/track/{number}/rating", public, a.ResidentRate},
		{"GET /api/v1/evaluation", signedIn, a.Evaluation},

		{"GET /api/v1/categories", public, a.Categories},
		{"PUT /api/v1/categories/{code}", signedIn, a.PutCategory},
		{"GET /api/v1/routing-rules", signedIn, a.RoutingRules},
		{"POST /api/v1/routing-rules", signedIn, a.CreateRoutingRule},
		{"DELETE /api/v1/routing-rules/{id}", signedIn, a.DeleteRoutingRule},

		{"GET /api/v1/jurisdictions", signedIn, a.Jurisdictions},
		{"POST /api/v1/jurisdictions", signedIn, a.CreateJurisdiction},
		{"GET /api/v1/communities", signedIn, a.Communities},
		{"POST /api/v1/communities", signedIn, a.SaveCommunity},
		{"PUT /api/v1/communities/{id}", signedIn, a.SaveCommunity},
		{"GET /api/v1/grids", signedIn, a.Grids},
		{"POST /api/v1/grids", signedIn, a.SaveGrid},
		{"PUT /api/v1/grids/{id}", signedIn, a.SaveGrid},
		{"POST /api/v1/import/geojson", signedIn, a.ImportPlaces},
		{"GET /api/v1/units", signedIn, a.Units},
		{"POST /api/v1/units", signedIn, a.SaveUnit},
		{"PUT /api/v1/units/{id}", signedIn, a.SaveUnit},
		{"GET /api/v1/staff", signedIn, a.Staff},
		{"POST /api/v1/staff", signedIn, a.SaveStaff},
		{"PUT /api/v1/staff/{id}", signedIn, a.SaveStaff},
		{"GET /api/v1/api-clients", signedIn, a.APIClients},
		{"POST /api/v1/api-clients", signedIn, a.CreateAPIClient},
		{"DELETE /api/v1/api-clients/{id}", signedIn, a.RevokeAPIClient},
		{"GET /api/v1/calendar", signedIn, a.CalendarDays},
		{"PUT /api/v1/calendar", signedIn, a.PutCalendarDays},
		{"DELETE /api/v1/calendar/{date}", signedIn, a.DeleteCalendarDay},

		{"GET /api/v1/openapi.yaml", public, a.OpenAPI},

		// Machine channels (package intake, docs/intake.md). The alarm
		// webhook is public because its credential is the HMAC signature
		// of the sender, checked by the handler; the rest need a session
		// or an API key, and the intake service decides who may do what.
		{"POST /api/v1/intake/iot/alarms", public, s.Intake.Alarm},
		{"GET /api/v1/intake/iot/kinds", signedIn, s.Intake.Kinds},
		{"PUT /api/v1/intake/iot/kinds/{kind}", signedIn, s.Intake.PutKind},
		{"GET /api/v1/intake/iot/devices", signedIn, s.Intake.Devices},
		{"POST /api/v1/intake/iot/devices", signedIn, s.Intake.CreateDevice},
		{"GET /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.Device},
		{"PUT /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.UpdateDevice},
		{"DELETE /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.DeleteDevice},
		{"POST /api/v1/intake/clients/{id}/secret", signedIn, s.Intake.RotateSecret},
		{"POST /api/v1/intake/police/events", signedIn, s.Intake.PoliceEvent},
		{"POST /api/v1/intake/police/import", signedIn, s.Intake.PoliceImport},
		{"GET /api/v1/intake/police/arrival", signedIn, s.Intake.PoliceArrival},
		{"POST /api/v1/intake/hotline/import", signedIn, s.Intake.HotlineImport},
		{"GET /api/v1/intake/hotline/export", signedIn, s.Intake.HotlineExport},

		// Open311 GeoReport v2 and FixMyStreet's servicerequestupdates. The
		// suffix picks the format; ServeMux wildcards are whole segments, so
		// each file is named here and {code}, {id} and {token} carry theirs.
		// POSTs check their api_key themselves: Open311 sends it as a form
		// field, and a missing one is the spec's 403, not a 401.
		{"GET /open311/v2/discovery.json", public, o.Discovery},
		{"GET /open311/v2/discovery.xml", public, o.Discovery},
		{"GET /open311/v2/services.json", public, o.Services},
		{"GET /open311/v2/services.xml", public, o.Services},
		{"GET /open311/v2/services/{code}", public, o.ServiceDefinition},
		{"POST /open311/v2/requests.json", public, o.PostRequest},
		{"POST /open311/v2/requests.xml", public, o.PostRequest},
		{"GET /open311/v2/requests.json", public, o.Requests},
		{"GET /open311/v2/requests.xml", public, o.Requests},
		{"GET /open311/v2/requests/{id}", public, o.Request},
		{"GET /open311/v2/tokens/{token}", public, o.Token},
		{"GET /open311/v2/servicerequestupdates.json", public, o.Updates},
		{"GET /open311/v2/servicerequestupdates.xml", public, o.Updates},
		{"POST /open311/v2/servicerequestupdates.json", public, o.PostUpdate},
		{"POST /open311/v2/servicerequestupdates.xml", public, o.PostUpdate},
		{"/open311/v2/", public, o.NotFound}, // anything else there: the spec's 404

		// Pages (package web). Residents' pages are public; staff pages send
		// a browser without a session to /login. Every POST checks its CSRF
		// token in web.
		{"GET /{$}", public, w.Home},
		{"GET /static/", public, w.Static},
		{"GET /lang/{lang}", public, w.SetLang},
		{"GET /login", public, w.LoginPage},
		{"POST /login", public, w.Login},
		{"POST /logout", public, w.Logout},
		{"GET /r", public, w.ResidentForm},
		{"POST /r", public, w.ResidentSubmit},
		{"GET /r/extra", public, w.ResidentExtra},
		{"GET /r/done", public, w.ResidentDone},
		{"POST /r/same/{number}", public, w.SameProblem},
		{"GET /r/{grid}", public, w.ResidentForm},
		{"POST /r/{grid}", public, w.ResidentSubmit},
		{"GET /track", public, w.TrackPage},
		{"POST /track", public, w.Track},
		{"POST /track/rate", public, w.TrackRate},
		{"GET /qr/{grid}", public, w.GridQR},
		{"GET /qr", page, w.QRSheet},
		{"GET /report", page, w.StaffReportForm},
		{"POST /report", page, w.StaffReport},
		{"GET /cases", page, w.CaseList},
		{"GET /cases/{id}", page, w.CasePage},
		{"POST /cases/{id}/step", page, w.CaseStep},
		{"GET /photos/{id}", page, w.Photo},
		{"GET /board", page, w.Board},
		{"GET /board/rows", page, w.BoardRows},
		{"GET /board/stream", page, w.BoardStream},
		{"GET /inbox", page, w.Inbox},
		{"GET /grid", page, w.GridHome},
		{"GET /map", page, w.MapPage},
		{"GET /map/grids.geojson", page, w.MapGrids},
		{"GET /map/cases.json", page, w.MapCases},
		{"GET /dashboard", page, w.Dashboard},
		{"GET /dashboard/export.xlsx", page, w.ExportDashboard},
		{"GET /dashboard/export.csv", page, w.ExportDashboard},
		{"GET /cases/export.xlsx", page, w.ExportCases},
		{"GET /cases/export.csv", page, w.ExportCases},
		{"GET /admin", page, w.Admin},
		{"GET /admin/calendar.tsv", page, w.CalendarTSV},
		{"GET /admin/{section}", page, w.Admin},
		{"POST /admin/{section}/{op}", page, w.AdminPost},
	}
}
