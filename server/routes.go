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
	handler http.HandlerFunc
	limit   rateClass // the rate limit per client address (ratelimit.go)
}

// routes is the route table: every URL jiedao answers, in one place.
// Authorisation beyond "signed in" is decided by the services, so that it
// holds whichever route a step comes through. The last column is the
// route's rate limit per client address: the public routes that write, or
// that check a password or a phone number (docs/security.md).
func (s *Server) routes() []route {
	a := s.api
	o := s.Open311
	w := s.Web
	return []route{
		{"GET /healthz", public, s.healthz, noLimit},
		{"GET /metrics", monitor, s.metricsHandler().ServeHTTP, noLimit},

		{"POST /api/v1/login", public, a.Login, limitLogin},
		{"POST /api/v1/logout", public, a.Logout, noLimit},
		{"GET /api/v1/me", signedIn, a.Me, noLimit},
		{"GET /api/v1/me/logins", signedIn, a.MyLogins, noLimit},
		{"GET /api/v1/me/sessions", signedIn, a.MySessions, noLimit},
		{"POST /api/v1/me/sessions/revoke", signedIn, a.RevokeMySessions, noLimit},

		{"POST /api/v1/cases", public, a.ReportCase, limitReport},
		{"GET /api/v1/cases", signedIn, a.ListCases, noLimit},
		{"GET /api/v1/cases/export", signedIn, a.ExportCases, noLimit},
		{"GET /api/v1/cases/{id}", signedIn, a.GetCase, noLimit},
		{"GET /api/v1/cases/{id}/events", signedIn, a.CaseEvents, noLimit},
		{"POST /api/v1/cases/{id}/steps", signedIn, a.Step, noLimit},
		{"POST /api/v1/cases/{id}/reveal", signedIn, a.RevealContact, noLimit},
		{"GET /api/v1/track/{number}", public, a.ResidentCase, limitTrack},
		{"POST /api/v1/track/{number}/rating", public, a.ResidentRate, limitTrack},
		{"GET /api/v1/evaluation", signedIn, a.Evaluation, noLimit},

		{"GET /api/v1/categories", public, a.Categories, noLimit},
		{"PUT /api/v1/categories/{code}", signedIn, a.PutCategory, noLimit},
		{"GET /api/v1/routing-rules", signedIn, a.RoutingRules, noLimit},
		{"POST /api/v1/routing-rules", signedIn, a.CreateRoutingRule, noLimit},
		{"DELETE /api/v1/routing-rules/{id}", signedIn, a.DeleteRoutingRule, noLimit},

		{"GET /api/v1/jurisdictions", signedIn, a.Jurisdictions, noLimit},
		{"POST /api/v1/jurisdictions", signedIn, a.CreateJurisdiction, noLimit},
		{"GET /api/v1/communities", signedIn, a.Communities, noLimit},
		{"POST /api/v1/communities", signedIn, a.SaveCommunity, noLimit},
		{"PUT /api/v1/communities/{id}", signedIn, a.SaveCommunity, noLimit},
		{"GET /api/v1/grids", signedIn, a.Grids, noLimit},
		{"POST /api/v1/grids", signedIn, a.SaveGrid, noLimit},
		{"PUT /api/v1/grids/{id}", signedIn, a.SaveGrid, noLimit},
		{"POST /api/v1/import/geojson", signedIn, a.ImportPlaces, noLimit},
		{"GET /api/v1/units", signedIn, a.Units, noLimit},
		{"POST /api/v1/units", signedIn, a.SaveUnit, noLimit},
		{"PUT /api/v1/units/{id}", signedIn, a.SaveUnit, noLimit},
		{"GET /api/v1/staff", signedIn, a.Staff, noLimit},
		{"POST /api/v1/staff", signedIn, a.SaveStaff, noLimit},
		{"PUT /api/v1/staff/{id}", signedIn, a.SaveStaff, noLimit},
		{"GET /api/v1/staff/{id}/logins", signedIn, a.StaffLogins, noLimit},
		{"GET /api/v1/staff/{id}/sessions", signedIn, a.StaffSessions, noLimit},
		{"POST /api/v1/staff/{id}/sessions/revoke", signedIn, a.RevokeStaffSessions, noLimit},
		{"GET /api/v1/api-clients", signedIn, a.APIClients, noLimit},
		{"POST /api/v1/api-clients", signedIn, a.CreateAPIClient, noLimit},
		{"DELETE /api/v1/api-clients/{id}", signedIn, a.RevokeAPIClient, noLimit},
		{"GET /api/v1/calendar", signedIn, a.CalendarDays, noLimit},
		{"PUT /api/v1/calendar", signedIn, a.PutCalendarDays, noLimit},
		{"DELETE /api/v1/calendar/{date}", signedIn, a.DeleteCalendarDay, noLimit},

		{"GET /api/v1/openapi.yaml", public, a.OpenAPI, noLimit},

		// Machine channels (package intake, docs/intake.md). The alarm
		// webhook is public because its credential is the HMAC signature
		// of the sender, checked by the handler; the rest need a session
		// or an API key, and the intake service decides who may do what.
		{"POST /api/v1/intake/iot/alarms", public, s.Intake.Alarm, noLimit},
		{"GET /api/v1/intake/iot/kinds", signedIn, s.Intake.Kinds, noLimit},
		{"PUT /api/v1/intake/iot/kinds/{kind}", signedIn, s.Intake.PutKind, noLimit},
		{"GET /api/v1/intake/iot/devices", signedIn, s.Intake.Devices, noLimit},
		{"POST /api/v1/intake/iot/devices", signedIn, s.Intake.CreateDevice, noLimit},
		{"GET /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.Device, noLimit},
		{"PUT /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.UpdateDevice, noLimit},
		{"DELETE /api/v1/intake/iot/devices/{id}", signedIn, s.Intake.DeleteDevice, noLimit},
		{"POST /api/v1/intake/clients/{id}/secret", signedIn, s.Intake.RotateSecret, noLimit},
		{"POST /api/v1/intake/police/events", signedIn, s.Intake.PoliceEvent, noLimit},
		{"POST /api/v1/intake/police/import", signedIn, s.Intake.PoliceImport, noLimit},
		{"GET /api/v1/intake/police/arrival", signedIn, s.Intake.PoliceArrival, noLimit},
		{"POST /api/v1/intake/hotline/import", signedIn, s.Intake.HotlineImport, noLimit},
		{"GET /api/v1/intake/hotline/export", signedIn, s.Intake.HotlineExport, noLimit},

		// Open311 GeoReport v2 and FixMyStreet's servicerequestupdates. The
		// suffix picks the format; ServeMux wildcards are whole segments, so
		// each file is named here and {code}, {id} and {token} carry theirs.
		// POSTs check their api_key themselves: Open311 sends it as a form
		// field, and a missing one is the spec's 403, not a 401.
		{"GET /open311/v2/discovery.json", public, o.Discovery, noLimit},
		{"GET /open311/v2/discovery.xml", public, o.Discovery, noLimit},
		{"GET /open311/v2/services.json", public, o.Services, noLimit},
		{"GET /open311/v2/services.xml", public, o.Services, noLimit},
		{"GET /open311/v2/services/{code}", public, o.ServiceDefinition, noLimit},
		{"POST /open311/v2/requests.json", public, o.PostRequest, limitOpen311},
		{"POST /open311/v2/requests.xml", public, o.PostRequest, limitOpen311},
		{"GET /open311/v2/requests.json", public, o.Requests, noLimit},
		{"GET /open311/v2/requests.xml", public, o.Requests, noLimit},
		{"GET /open311/v2/requests/{id}", public, o.Request, noLimit},
		{"GET /open311/v2/tokens/{token}", public, o.Token, noLimit},
		{"GET /open311/v2/servicerequestupdates.json", public, o.Updates, noLimit},
		{"GET /open311/v2/servicerequestupdates.xml", public, o.Updates, noLimit},
		{"POST /open311/v2/servicerequestupdates.json", public, o.PostUpdate, limitOpen311},
		{"POST /open311/v2/servicerequestupdates.xml", public, o.PostUpdate, limitOpen311},
		{"/open311/v2/", public, o.NotFound, noLimit}, // anything else there: the spec's 404

		// Pages (package web). Residents' pages are public; staff pages send
		// a browser without a session to /login. Every POST checks its CSRF
		// token in web.
		{"GET /{$}", public, w.Home, noLimit},
		{"GET /static/", public, w.Static, noLimit},
		{"GET /lang/{lang}", public, w.SetLang, noLimit},
		{"GET /login", public, w.LoginPage, noLimit},
		{"POST /login", public, w.Login, limitLogin},
		{"POST /logout", public, w.Logout, noLimit},
		{"GET /account", page, w.Account, noLimit},
		{"POST /account/sessions/revoke", page, w.RevokeMySessions, noLimit},
		{"GET /r", public, w.ResidentForm, noLimit},
		{"POST /r", public, w.ResidentSubmit, limitReport},
		{"GET /r/extra", public, w.ResidentExtra, noLimit},
		{"GET /r/done", public, w.ResidentDone, noLimit},
		{"POST /r/same/{number}", public, w.SameProblem, limitReport},
		{"GET /r/{grid}", public, w.ResidentForm, noLimit},
		{"POST /r/{grid}", public, w.ResidentSubmit, limitReport},
		{"GET /track", public, w.TrackPage, noLimit},
		{"POST /track", public, w.Track, limitTrack},
		{"POST /track/rate", public, w.TrackRate, limitTrack},
		{"GET /qr/{grid}", public, w.GridQR, noLimit},
		{"GET /qr", page, w.QRSheet, noLimit},
		{"GET /report", page, w.StaffReportForm, noLimit},
		{"POST /report", page, w.StaffReport, noLimit},
		{"GET /cases", page, w.CaseList, noLimit},
		{"GET /cases/{id}", page, w.CasePage, noLimit},
		{"POST /cases/{id}/step", page, w.CaseStep, noLimit},
		{"GET /photos/{id}", page, w.Photo, noLimit},
		{"GET /board", page, w.Board, noLimit},
		{"GET /board/rows", page, w.BoardRows, noLimit},
		{"GET /board/stream", page, w.BoardStream, noLimit},
		{"GET /inbox", page, w.Inbox, noLimit},
		{"GET /grid", page, w.GridHome, noLimit},
		{"GET /map", page, w.MapPage, noLimit},
		{"GET /map/grids.geojson", page, w.MapGrids, noLimit},
		{"GET /map/cases.json", page, w.MapCases, noLimit},
		{"GET /dashboard", page, w.Dashboard, noLimit},
		{"GET /dashboard/export.xlsx", page, w.ExportDashboard, noLimit},
		{"GET /dashboard/export.csv", page, w.ExportDashboard, noLimit},
		{"GET /cases/export.xlsx", page, w.ExportCases, noLimit},
		{"GET /cases/export.csv", page, w.ExportCases, noLimit},
		{"GET /admin", page, w.Admin, noLimit},
		{"GET /admin/calendar.tsv", page, w.CalendarTSV, noLimit},
		{"GET /admin/{section}", page, w.Admin, noLimit},
		{"POST /admin/{section}/{op}", page, w.AdminPost, noLimit},

		// Pages for the work of the day (issue 15: batch steps on the case
		// table, one-step dispatch on the board, field work).
		{"POST /cases/batch", page, w.CaseBatch, noLimit},
		// The enterprise registry and the building economy (package enterprise).
		{"GET /api/v1/enterprises", signedIn, a.ListEnterprises, noLimit},
		{"GET /api/v1/enterprises/{id}", signedIn, a.GetEnterprise, noLimit},
		{"POST /api/v1/enterprises/import", signedIn, a.ImportEnterprises, noLimit},
		{"POST /api/v1/enterprises/{id}/visits", signedIn, a.RecordVisit, noLimit},
		{"GET /api/v1/buildings", signedIn, a.ListBuildings, noLimit},
		{"GET /api/v1/buildings/{id}", signedIn, a.GetBuilding, noLimit},
		{"GET /enterprises", page, w.EnterpriseList, noLimit},
		{"GET /enterprises/{id}", page, w.EnterprisePage, noLimit},
		{"GET /enterprises/visits", page, w.VisitList, noLimit},
		{"GET /enterprises/moves", page, w.MoveList, noLimit},
		{"GET /enterprises/certifications", page, w.CertList, noLimit},
		{"GET /enterprises/plan", page, w.VisitPlan, noLimit},
		{"POST /enterprises/plan/visit", page, w.PostVisit, noLimit},
		{"GET /buildings/economy", page, w.Economy, noLimit},
		{"GET /buildings/{id}", page, w.BuildingPage, noLimit},
		{"GET /enterprises/import", page, w.EnterpriseImport, noLimit},
		{"POST /enterprises/import", page, w.PostEnterpriseImport, noLimit},
		{"POST /enterprises/{id}/move", page, w.PostEnterpriseMove, noLimit},
		{"POST /buildings/{id}/rooms", page, w.PostBuildingRoom, noLimit},
		// The office's books (issue 13, docs/books.md): ledgers, indicators,
		// targets, campaigns. The services decide who may read and write.
		{"GET /api/v1/ledgers/{code}/entries", signedIn, a.LedgerEntries, noLimit},
		{"POST /api/v1/ledgers/{code}/entries", signedIn, a.AddLedgerEntry, noLimit},
		{"GET /api/v1/ledgers/{code}/sums", signedIn, a.LedgerSums, noLimit},
		{"GET /api/v1/ledger-entries/{id}", signedIn, a.LedgerEntry, noLimit},
		{"PUT /api/v1/ledger-entries/{id}", signedIn, a.EditLedgerEntry, noLimit},
		{"GET /api/v1/indicators/{key}", signedIn, a.Indicator, noLimit},
		{"POST /api/v1/indicators/values", signedIn, a.EnterIndicators, noLimit},
		{"GET /api/v1/targets", signedIn, a.Targets, noLimit},
		{"GET /api/v1/campaigns/{code}/progress", signedIn, a.CampaignProgress, noLimit},
		{"POST /api/v1/campaign-units/{id}/check", signedIn, a.CheckCampaignUnit, noLimit},
		{"POST /api/v1/campaign-findings/{id}/recheck", signedIn, a.RecheckCampaignFinding, noLimit},
		{"GET /ledgers", page, w.Ledgers, noLimit},
		{"GET /ledgers/{code}", page, w.Ledger, noLimit},
		{"POST /ledgers/{code}", page, w.LedgerPost, noLimit},
		{"GET /ledgers/{code}/export.xlsx", page, w.LedgerExport, noLimit},
		{"GET /ledger-entries/{id}", page, w.LedgerEntry, noLimit},
		{"POST /ledger-entries/{id}", page, w.LedgerEntryPost, noLimit},
		{"GET /ledger-types", page, w.LedgerTypes, noLimit},
		{"POST /ledger-types", page, w.LedgerTypesPost, noLimit},
		{"GET /indicators", page, w.Indicators, noLimit},
		{"POST /indicators", page, w.IndicatorsPost, noLimit},
		{"GET /indicators/{key}", page, w.IndicatorPage, noLimit},
		{"GET /targets", page, w.Targets, noLimit},
		{"POST /targets", page, w.TargetsPost, noLimit},
		{"GET /campaigns", page, w.Campaigns, noLimit},
		{"GET /campaigns/{code}", page, w.Campaign, noLimit},
		{"GET /campaigns/{code}/units.json", page, w.CampaignUnitsJSON, noLimit},
		{"POST /campaigns/{code}/units", page, w.CampaignUnitsImport, noLimit},
		{"GET /campaign-units", page, w.CampaignUnits, noLimit},
		{"POST /campaign-units/{id}/check", page, w.CampaignCheck, noLimit},
		{"POST /campaign-findings/{id}/recheck", page, w.CampaignRecheck, noLimit},
		// The work report (package report, docs/report.md). Its page is
		// GET /report?year= (the staff report form's route, which hands a
		// request with ?year= to web.WorkReport); leaders and admins read,
		// admins edit the words and override figures.
		{"GET /report/export.md", page, w.ReportExport, noLimit},
		{"GET /report/export.xlsx", page, w.ReportExport, noLimit},
		{"GET /report/export.docx", page, w.ReportExport, noLimit},
		{"GET /report/template", page, w.ReportTemplate, noLimit},
		{"POST /report/template", page, w.SaveReportTemplate, noLimit},
		{"POST /report/override", page, w.ReportOverride, noLimit},
		{"GET /report/check", page, w.ReportCheckPage, noLimit},
		{"POST /report/check", page, w.ReportCheck, noLimit},
		{"GET /api/v1/report", signedIn, a.Report, noLimit},
		{"POST /board/dispatch", page, w.BoardDispatch, noLimit},
		{"GET /r/area.geojson", public, w.ResidentArea, noLimit},
		{"POST /account/password", page, w.ChangePassword, limitLogin},
		// The case kinds with legal clocks: disputes, petitions, enforcement, duty (docs/kinds.md).
		{"GET /api/v1/kinds", signedIn, a.Kinds, noLimit},
		{"GET /api/v1/cases/{id}/clocks", signedIn, a.CaseClocks, noLimit},
		{"GET /desk/{kind}", page, w.KindDesk, noLimit},
		{"POST /desk/{kind}", page, w.KindReport, noLimit},
		{"GET /desk/{kind}/{id}", page, w.KindCase, noLimit},
		{"POST /desk/{kind}/{id}/steps", page, w.KindStep, noLimit},
		{"GET /desk/{kind}/{id}/documents/{n}", page, w.KindDocument, noLimit},
		// the duty roster (issue 12, docs/kinds.md)
		{"GET /api/v1/duty/roster", signedIn, a.DutyRoster, noLimit},
		{"POST /api/v1/duty/roster/assign", signedIn, a.DutyRosterAssign, noLimit},
		{"POST /api/v1/duty/roster/exchange", signedIn, a.DutyRosterExchange, noLimit},
		{"POST /api/v1/duty/roster/generate", signedIn, a.DutyRosterGenerate, noLimit},
		{"GET /duty/roster", page, w.DutyRoster, noLimit},
		{"POST /duty/roster/{op}", page, w.DutyRosterPost, noLimit},
		// Sign-in, second round (issue 18, docs/dengbao.md): the second
		// step of a sign-in with two factors, the enrolment, and the
		// security administrator's reset. fence.go keeps the security
		// and audit administrators, and anyone with something to do
		// first, to their own routes.
		{"POST /api/v1/login/code", public, a.LoginCode, limitLogin},
		{"POST /login/code", public, w.LoginCode, limitLogin},
		{"GET /account/2fa", page, w.TwoFactor, noLimit},
		{"POST /account/2fa/{op}", page, w.TwoFactorPost, limitLogin},
		{"POST /api/v1/staff/{id}/two-factor/reset", signedIn, a.ResetTwoFactor, noLimit},
		{"GET /audit", page, w.AuditPage, noLimit},
		{"POST /audit/verify", page, w.AuditVerify, noLimit},
		{"GET /audit/export.csv", page, w.AuditExport, noLimit},
		{"GET /api/v1/audit", signedIn, a.AuditEntries, noLimit},
		{"POST /api/v1/audit/verify", signedIn, a.VerifyAudit, noLimit},
		{"POST /api/v1/me/two-factor", signedIn, a.StartTwoFactor, limitLogin},
		{"POST /api/v1/me/two-factor/confirm", signedIn, a.ConfirmTwoFactor, limitLogin},
		// The district (issue 17, docs/jurisdictions.md): 转办 of a case to
		// another subdistrict. Its page form posts to /cases/{id}/step.
		{"POST /api/v1/cases/{id}/transfer", signedIn, a.TransferCase, noLimit},
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
