package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/kinds"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The permission matrix: every route of the route table, called by every
// kind of caller, on a target in the caller's own scope and on one in the
// other scope, through the whole server. The expected answers are the
// table below; the test fails for a route without a row and for a row
// without a route, so a new route cannot escape it.
//
// Scope A is 文华社区 (grid W1) and 城管科; scope B is 益乐社区 (grid Y1)
// and 市场监管所. Every caller but anon is signed in for scope A (admin,
// dispatcher and leader see the whole subdistrict). Scope B's cases carry
// markers (title, details, address, reporter's name and phone, case
// numbers); no answer to a caller who may not see scope B may contain one.
//
// Columns: anon (nobody signed in), admin, disp (dispatcher), leader, lead
// (unit_lead of 城管科), handler (unit_handler of 城管科), grid (grid_worker
// of W1), comm (community_staff of 文华), apikey (a machine client's key;
// "own" is a case it reported), secadm and audadm (the security and the
// audit administrator, issue 18: admin is the system administrator, and
// none of the three reaches another's routes; server/fence.go keeps the
// two new ones to their own).
//
// A cell is the status expected, "login" for a redirect to the login page,
// or "own/other" for a route whose target is in a scope: own is scope A's
// target (for apikey, its own case), other is scope B's. Cells that may
// surprise: every role may report (casework's rule table); Open311 reads
// and "same problem" notes are public, so only reporters' contacts are
// searched for in them; a machine key gets 401 where only staff are
// served and 403 where a role decides, as api/openapi.yaml says.
//
// A new route needs a row here, and, unless it is a GET without
// wildcards, a request in matrixRequests.
const matrixExpect = `
# route                                     anon     admin    disp     leader   lead     handler  grid     comm     apikey   secadm   audadm
GET /healthz                                200      200      200      200      200      200      200      200      200      200      200
GET /metrics                                200      200      200      200      200      200      200      200      200      200      200
POST /api/v1/login                          200      200      200      200      200      200      200      200      200      200      200
POST /api/v1/logout                         204      204      204      204      204      204      204      204      204      204      204
GET /api/v1/me                              401      200      200      200      200      200      200      200      200      200      200
GET /api/v1/me/logins                       401      200      200      200      200      200      200      200      403      200      200
GET /api/v1/me/sessions                     401      200      200      200      200      200      200      200      403      200      200
POST /api/v1/me/sessions/revoke             401      204      204      204      204      204      204      204      403      204      204
POST /api/v1/cases                          201/403  201/201  201/201  201/403  201/403  201/403  201/403  201/403  201/201  403/403  403/403
GET /api/v1/cases                           401      200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  403      403
GET /api/v1/cases/export                    401      200/200  200/200  200/403  200/403  200/403  200/403  200/403  200/403  403      403
GET /api/v1/cases/{id}                      401      200/200  200/200  200/200  200/404  200/404  200/404  200/404  200/404  403      403
GET /api/v1/cases/{id}/events               401      200/200  200/200  200/200  200/404  200/404  200/404  200/404  200/404  403      403
POST /api/v1/cases/{id}/steps               401      403/403  403/403  403/403  200/404  200/404  403/404  403/404  403/404  403      403
POST /api/v1/cases/{id}/reveal              401      200/200  200/200  403/403  200/404  200/404  200/404  403/404  401      403      403
GET /api/v1/track/{number}                  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404
POST /api/v1/track/{number}/rating          200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  403/403  403/403
GET /api/v1/evaluation                      401      200      200      200      403      403      403      403      403      403      403
GET /api/v1/categories                      200      200      200      200      200      200      200      200      200      200      200
PUT /api/v1/categories/{code}               401      200      403      403      403      403      403      403      403      403      403
GET /api/v1/routing-rules                   401      200      200      200      200      200      200      200      401      403      403
POST /api/v1/routing-rules                  401      201      403      403      403      403      403      403      403      403      403
DELETE /api/v1/routing-rules/{id}           401      204      403      403      403      403      403      403      403      403      403
GET /api/v1/jurisdictions                   401      200      200      200      200      200      200      200      401      403      403
POST /api/v1/jurisdictions                  401      201      403      403      403      403      403      403      403      403      403
GET /api/v1/communities                     401      200      200      200      200      200      200      200      401      403      403
POST /api/v1/communities                    401      200      403      403      403      403      403      403      403      403      403
PUT /api/v1/communities/{id}                401      200      403      403      403      403      403      403      403      403      403
GET /api/v1/grids                           401      200      200      200      200      200      200      200      401      403      403
POST /api/v1/grids                          401      200      403      403      403      403      403      403      403      403      403
PUT /api/v1/grids/{id}                      401      200      403      403      403      403      403      403      403      403      403
POST /api/v1/import/geojson                 401      200      403      403      403      403      403      403      403      403      403
GET /api/v1/units                           401      200      200      200      200      200      200      200      401      403      403
POST /api/v1/units                          401      200      403      403      403      403      403      403      403      403      403
PUT /api/v1/units/{id}                      401      200      403      403      403      403      403      403      403      403      403
GET /api/v1/staff                           401      403      403      403      403      403      403      403      403      200      403
POST /api/v1/staff                          401      403      403      403      403      403      403      403      403      200      403
PUT /api/v1/staff/{id}                      401      403      403      403      403      403      403      403      403      200      403
GET /api/v1/staff/{id}/logins               401      200/403  200/403  200/403  200/403  200/403  200/403  200/403  403/403  200      403
GET /api/v1/staff/{id}/sessions             401      200/403  200/403  200/403  200/403  200/403  200/403  200/403  403/403  200      403
POST /api/v1/staff/{id}/sessions/revoke     401      204/403  204/403  204/403  204/403  204/403  204/403  204/403  403/403  204      403
GET /api/v1/api-clients                     401      200      403      403      403      403      403      403      403      403      403
POST /api/v1/api-clients                    401      201      403      403      403      403      403      403      403      403      403
DELETE /api/v1/api-clients/{id}             401      204      403      403      403      403      403      403      403      403      403
GET /api/v1/calendar                        401      200      200      200      200      200      200      200      401      403      403
PUT /api/v1/calendar                        401      200      403      403      403      403      403      403      403      403      403
DELETE /api/v1/calendar/{date}              401      204      403      403      403      403      403      403      403      403      403
GET /api/v1/openapi.yaml                    200      200      200      200      200      200      200      200      200      200      200
POST /api/v1/intake/iot/alarms              401      401      401      401      401      401      401      401      401      403      403
GET /api/v1/intake/iot/kinds                401      200      200      200      403      403      403      403      403      403      403
PUT /api/v1/intake/iot/kinds/{kind}         401      200      403      403      403      403      403      403      403      403      403
GET /api/v1/intake/iot/devices              401      200      200      200      403      403      403      403      403      403      403
POST /api/v1/intake/iot/devices             401      201      403      403      403      403      403      403      403      403      403
GET /api/v1/intake/iot/devices/{id}         401      200      200      200      403      403      403      403      403      403      403
PUT /api/v1/intake/iot/devices/{id}         401      200      403      403      403      403      403      403      403      403      403
DELETE /api/v1/intake/iot/devices/{id}      401      204      403      403      403      403      403      403      403      403      403
POST /api/v1/intake/clients/{id}/secret     401      201      403      403      403      403      403      403      403      403      403
POST /api/v1/intake/police/events           401      403      201      403      403      403      403      403      403      403      403
POST /api/v1/intake/police/import           401      403      200      403      403      403      403      403      403      403      403
GET /api/v1/intake/police/arrival           401      200      200      200      403      403      403      403      403      403      403
POST /api/v1/intake/hotline/import          401      403      200      403      403      403      403      403      403      403      403
GET /api/v1/intake/hotline/export           401      200      200      200      403      403      403      403      403      403      403
GET /open311/v2/discovery.json              200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/discovery.xml               200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/services.json               200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/services.xml                200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/services/{code}             200      200      200      200      200      200      200      200      200      200      200
POST /open311/v2/requests.json              403      403      403      403      403      403      403      403      200      403      403
POST /open311/v2/requests.xml               403      403      403      403      403      403      403      403      200      403      403
GET /open311/v2/requests.json               200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/requests.xml                200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/requests/{id}               200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
GET /open311/v2/tokens/{token}              200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
GET /open311/v2/servicerequestupdates.json  200      200      200      200      200      200      200      200      200      200      200
GET /open311/v2/servicerequestupdates.xml   200      200      200      200      200      200      200      200      200      200      200
POST /open311/v2/servicerequestupdates.json 403      403      403      403      403      403      403      403      200/404  403      403
POST /open311/v2/servicerequestupdates.xml  403      403      403      403      403      403      403      403      200/404  403      403
/open311/v2/                                404      404      404      404      404      404      404      404      404      403      403
GET /{$}                                    200      303      303      303      303      303      303      303      200      303      303
GET /static/                                200      200      200      200      200      200      200      200      200      200      200
GET /lang/{lang}                            303      303      303      303      303      303      303      303      303      303      303
GET /login                                  200      200      200      200      200      200      200      200      200      200      200
POST /login                                 303      303      303      303      303      303      303      303      303      303      303
POST /logout                                login    login    login    login    login    login    login    login    login    login    login
GET /r                                      200      200      200      200      200      200      200      200      200      200      200
POST /r                                     303      303      303      303      303      303      303      303      303      403      403
GET /r/extra                                200      200      200      200      200      200      200      200      200      200      200
GET /r/done                                 200      200      200      200      200      200      200      200      200      200      200
POST /r/same/{number}                       200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  403/403  403/403
POST /r/{grid}                              303      303      303      303      303      303      303      303      303      403      403
GET /r/{grid}                               200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
GET /track                                  200      200      200      200      200      200      200      200      200      200      200
POST /track                                 200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  403/403  403/403
POST /track/rate                            200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  200/404  403/403  403/403
GET /qr/{grid}                              200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
GET /qr                                     login    200      200      200      200      200      200      200      403      403      403
GET /report                                 login    200      200      200      200      200      200      200      403      403      403
POST /report                                login    303      303      303      303      303      303      303      403      403      403
GET /cases                                  login    200      200      200      200      200      200      200      403      403      403
GET /cases/{id}                             login    200/200  200/200  200/200  200/404  200/404  200/404  200/404  403      403      403
POST /cases/{id}/step                       login    403/403  403/403  403/403  303/404  303/404  403/404  403/404  403      403      403
GET /photos/{id}                            login    200/200  200/200  200/200  200/404  200/404  200/404  200/404  403      403      403
GET /board                                  login    200      200      200      200      200      200      200      403      403      403
GET /board/rows                             login    200      200      200      200      200      200      200      403      403      403
GET /board/stream                           login    200      200      200      200      200      200      200      403      403      403
GET /inbox                                  login    200      200      200      200      200      200      200      403      403      403
GET /grid                                   login    200      200      200      200      200      200      200      403      403      403
GET /map                                    login    200      200      200      200      200      200      200      403      403      403
GET /map/grids.geojson                      login    200      200      200      200      200      200      200      403      403      403
GET /map/cases.json                         login    200      200      200      200      200      200      200      403      403      403
GET /account                                login    200      200      200      200      200      200      200      403      200      200
POST /account/sessions/revoke               login    login    login    login    login    login    login    login    403      login    login
GET /dashboard                              login    200      200      200      403      403      403      403      403      403      403
GET /dashboard/export.xlsx                  login    200      200      200      403      403      403      403      403      403      403
GET /dashboard/export.csv                   login    200      200      200      403      403      403      403      403      403      403
GET /cases/export.xlsx                      login    200      200      200      200      200      200      200      403      403      403
GET /cases/export.csv                       login    200      200      200      200      200      200      200      403      403      403
GET /admin                                  login    200      403      403      403      403      403      403      403      403      403
GET /admin/calendar.tsv                     login    200      200      200      200      200      200      200      403      403      403
GET /admin/{section}                        login    403      403      403      403      403      403      403      403      200      403
POST /admin/{section}/{op}                  login    303      403      403      403      403      403      403      403      403      403
# pages for the work of the day (issue 15)
POST /cases/batch                           login    200/200  200/200  200/200  200/200  200/200  200/200  200/200  403      403      403
# The enterprise registry and the building economy (package enterprise):
# admins (and the enterprise service) write, leaders and the command
# center read, no one else.
GET /api/v1/enterprises                     401      200      200      200      403      403      403      403      403      403      403
GET /api/v1/enterprises/{id}                401      200      200      200      403      403      403      403      403      403      403
POST /api/v1/enterprises/import             401      200      403      403      403      403      403      403      403      403      403
POST /api/v1/enterprises/{id}/visits        401      201      403      403      403      403      403      403      403      403      403
GET /api/v1/buildings                       401      200      200      200      403      403      403      403      403      403      403
GET /api/v1/buildings/{id}                  401      200      200      200      403      403      403      403      403      403      403
GET /enterprises                            login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/{id}                       login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/visits                     login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/moves                      login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/certifications             login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/plan                       login    200      200      200      403      403      403      403      403      403      403
POST /enterprises/plan/visit                login    303      403      403      403      403      403      403      403      403      403
GET /buildings/economy                      login    200      200      200      403      403      403      403      403      403      403
GET /buildings/{id}                         login    200      200      200      403      403      403      403      403      403      403
GET /enterprises/import                     login    200      403      403      403      403      403      403      403      403      403
POST /enterprises/import                    login    422      403      403      403      403      403      403      403      403      403
POST /enterprises/{id}/move                 login    303      403      403      403      403      403      403      403      403      403
POST /buildings/{id}/rooms                  login    303      403      403      403      403      403      403      403      403      403
# The office's books (issue 13)
GET /api/v1/ledgers/{code}/entries          401      200      200      200      403      403      403      200      403      403      403
POST /api/v1/ledgers/{code}/entries         401      201/201  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403      403
GET /api/v1/ledgers/{code}/sums             401      200      200      200      403      403      403      200      403      403      403
GET /api/v1/ledger-entries/{id}             401      200/200  200/200  200/200  404/404  404/404  404/404  200/404  404/404  403      403
PUT /api/v1/ledger-entries/{id}             401      200/200  403/403  403/403  404/404  404/404  404/404  200/404  404/404  403      403
GET /api/v1/indicators/{key}                401      200      200      200      200      200      200      200      403      403      403
POST /api/v1/indicators/values              401      200      403      403      200      200      403      403      403      403      403
GET /api/v1/targets                         401      200      200      200      200      200      200      200      403      403      403
GET /api/v1/campaigns/{code}/progress       401      200      200      200      200      200      200      200      403      403      403
POST /api/v1/campaign-units/{id}/check      401      200      200      403      200      200      403      403      403      403      403
POST /api/v1/campaign-findings/{id}/recheck 401      200      200      403      200      200      403      403      403      403      403
GET /ledgers                                login    200      200      200      200      200      200      200      403      403      403
GET /ledgers/{code}                         login    200      200      200      403      403      403      200      403      403      403
POST /ledgers/{code}                        login    303/303  403/403  403/403  403/403  403/403  403/403  303/403  403/403  403      403
GET /ledgers/{code}/export.xlsx             login    200      200      200      403      403      403      200      403      403      403
GET /ledger-entries/{id}                    login    200/200  200/200  200/200  404/404  404/404  404/404  200/404  403/403  403      403
POST /ledger-entries/{id}                   login    303/303  403/403  403/403  404/404  404/404  404/404  303/404  403/403  403      403
GET /ledger-types                           login    200      403      403      403      403      403      403      403      403      403
POST /ledger-types                          login    303      403      403      403      403      403      403      403      403      403
GET /indicators                             login    200      200      200      200      200      200      200      403      403      403
POST /indicators                            login    303      403      403      303      303      403      403      403      403      403
GET /indicators/{key}                       login    200      200      200      200      200      200      200      403      403      403
GET /targets                                login    200      200      200      200      200      200      200      403      403      403
POST /targets                               login    303      403      403      303      303      403      403      403      403      403
GET /campaigns                              login    200      200      200      200      200      200      200      403      403      403
GET /campaigns/{code}                       login    200      200      200      200      200      200      200      403      403      403
GET /campaigns/{code}/units.json            login    200      200      200      200      200      200      200      403      403      403
POST /campaigns/{code}/units                login    303      303      403      303      403      403      403      403      403      403
GET /campaign-units                         login    200      200      200      200      200      200      200      403      403      403
POST /campaign-units/{id}/check             login    303      303      403      303      303      403      403      403      403      403
POST /campaign-findings/{id}/recheck        login    303      303      403      303      303      403      403      403      403      403
# the work report (docs/report.md)
GET /report/export.md                       login    200      403      200      403      403      403      403      403      403      403
GET /report/export.xlsx                     login    200      403      200      403      403      403      403      403      403      403
GET /report/export.docx                     login    200      403      200      403      403      403      403      403      403      403
GET /report/template                        login    200      403      200      403      403      403      403      403      403      403
POST /report/template                       login    303      403      403      403      403      403      403      403      403      403
POST /report/override                       login    303      403      403      403      403      403      403      403      403      403
GET /report/check                           login    200      403      200      403      403      403      403      403      403      403
POST /report/check                          login    200      403      200      403      403      403      403      403      403      403
GET /api/v1/report                          401      200      403      200      403      403      403      403      403      403      403
POST /board/dispatch                        login    403/403  303/303  403/403  404/404  404/404  403/404  403/404  403      403      403
GET /r/area.geojson                         200      200      200      200      200      200      200      200      200      200      200
POST /account/password                      login    422      422      422      422      422      422      422      403      422      422
# The case kinds with legal clocks (docs/kinds.md): their cases lie in no
# scope; their officers' roles are tested in package kinds and web.
GET /api/v1/kinds                           401      200      200      200      200      200      200      200      200      403      403
GET /api/v1/cases/{id}/clocks               401      200/200  200/200  200/200  200/404  200/404  200/404  200/404  200/404  403      403
GET /desk/{kind}                            login    200      200      200      200      200      200      200      403      403      403
POST /desk/{kind}                           login    303      303      303      303      303      303      303      403      403      403
GET /desk/{kind}/{id}                       login    200      200      200      404      404      404      404      403      403      403
POST /desk/{kind}/{id}/steps                login    403      303      403      404      404      404      404      403      403      403
GET /desk/{kind}/{id}/documents/{n}         login    200      200      200      404      404      404      404      403      403      403
# Sign-in, second round (issue 18): the second step, enrolment, reset.
POST /api/v1/login/code                     401      401      401      401      401      401      401      401      401      401      401
POST /login/code                            401      401      401      401      401      401      401      401      401      401      401
GET /account/2fa                            login    200      200      200      200      200      200      200      403      200      200
POST /account/2fa/{op}                      login    303      303      303      303      303      303      303      403      303      303
POST /api/v1/staff/{id}/two-factor/reset    401      403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  204/204  403/403
# The audit administrator's trail (issue 18): his alone, every read recorded.
GET /audit                                  login    403      403      403      403      403      403      403      403      403      200
POST /audit/verify                          login    403      403      403      403      403      403      403      403      403      200
GET /audit/export.csv                       login    403      403      403      403      403      403      403      403      403      200
GET /api/v1/audit                           401      403      403      403      403      403      403      403      403      403      200
POST /api/v1/audit/verify                   401      403      403      403      403      403      403      403      403      403      200
# Enrolment through the API: the start answers a secret (201) to staff;
# a code that is not the authenticator's is refused at its field (400).
POST /api/v1/me/two-factor                  401      201      201      201      201      201      201      201      403      201      201
POST /api/v1/me/two-factor/confirm          401      400      400      400      400      400      400      400      403      400      400
# The duty roster (issue 12): the duty officers and leaders read, the admin
# and the command center edit (duty.CanManageRoster).
GET /api/v1/duty/roster                     401      200      200      200      403      403      403      403      403      403      403
POST /api/v1/duty/roster/assign             401      200      200      403      403      403      403      403      403      403      403
POST /api/v1/duty/roster/exchange           401      200      200      403      403      403      403      403      403      403      403
POST /api/v1/duty/roster/generate           401      200      200      403      403      403      403      403      403      403      403
GET /duty/roster                            login    200      200      200      403      403      403      403      403      403      403
POST /duty/roster/{op}                      login    303      303      403      403      403      403      403      403      403      403
# 转办 (the district, docs/jurisdictions.md). The fixture has one
# subdistrict, so the transfer names the case's own: those who may
# transfer a case they see are told it is there already (400); a leader,
# a unit, a grid and a client may not (403); a case not seen is 404.
POST /api/v1/cases/{id}/transfer            401      400/400  400/400  403/403  403/404  403/404  403/404  403/404  403/404  403      403
`

// matrixCallers are the table's columns, in order.
var matrixCallers = []string{"anon", "admin", "disp", "leader", "lead", "handler", "grid", "comm", "apikey", "secadm", "audadm"}

// seesScopeB tells the callers whose scope includes scope B; every other
// caller's answers are searched for scope B's markers.
var seesScopeB = map[string]bool{"admin": true, "disp": true, "leader": true}

// expectation is one cell: the answer for the own-scope target and, when
// the route has a scope, for the other-scope target ("" when not).
type expectation struct{ own, other string }

// parseMatrix reads matrixExpect: route → caller → expectation.
func parseMatrix(t *testing.T) map[string]map[string]expectation {
	t.Helper()
	out := map[string]map[string]expectation{}
	for n, line := range strings.Split(matrixExpect, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		pattern := f[0]
		if !strings.HasPrefix(pattern, "/") { // a method, then the path
			pattern, f = f[0]+" "+f[1], f[1:]
		}
		cells := f[1:]
		if len(cells) != len(matrixCallers) {
			t.Fatalf("matrixExpect line %d (%s): %d cells, want one per caller (%s)", n, pattern, len(cells), strings.Join(matrixCallers, " "))
		}
		if out[pattern] != nil {
			t.Fatalf("matrixExpect: %s has two rows", pattern)
		}
		row := map[string]expectation{}
		for i, c := range cells {
			own, other, _ := strings.Cut(c, "/")
			row[matrixCallers[i]] = expectation{own, other}
		}
		out[pattern] = row
	}
	return out
}

// Scope B's markers: distinctive text planted in its cases.
const (
	markTitle   = "乙方标记标题"
	markDetails = "乙方标记详情：益乐路窨井盖缺失"
	markAddress = "乙方标记地址益乐路99号"
	markName    = "乙标记"
	markPhone   = "13999990000"
	ownPhone    = "13811110001"
	// markWorkOrder is the external id of scope B's 12345 work order.
	markWorkOrder = "GD20240611-B001"
)

// matrixEnv is the server, its callers and the targets of the requests.
type matrixEnv struct {
	*env
	ctx     context.Context
	callers map[string]*matrixCaller
	apiKey  string
	client  *org.APIClient // the apikey caller's client
	iot     *org.APIClient // an alarm platform, owner of the devices
	// own and other are dispatched cases with a photo: own is in scope A,
	// reported by the apikey caller's client; other is scope B's.
	own, other           *casework.Case
	ownPhoto, otherPhoto int64
	device               *intake.Device
	bNumbers             []string // every scope B case's number
	seq                  int      // for fresh codes and names
	ent, building        int64    // the enterprise registry's (enterprise())
	requests             int
	// markersSeen counts answers to callers who see scope B that showed
	// its markers: none would mean the search for leaks finds nothing.
	markersSeen int
}

// matrixCaller is a caller with its own cookies.
type matrixCaller struct {
	name  string
	staff *org.Staff // nil for anon and apikey
	key   string     // apikey only
	http  *http.Client
	csrf  string // the token of its forms
}

func newMatrixEnv(t *testing.T, db *store.DB) *matrixEnv {
	t.Helper()
	m := &matrixEnv{env: newEnv(t, db), ctx: context.Background(), callers: map[string]*matrixCaller{}}
	fx, orgs := m.fx, db.Org()
	// Reveals of contacts are made only when they can be logged, as serve
	// wires it.
	m.cases.Audit = db.Audit()
	m.cases.Kinds = kinds.Models([]byte("matrix test key"))

	// The scoped roles of both scopes: 文华 needs community staff, 益乐 a
	// unit lead and a grid worker (its handler and community staff are
	// the fixture's).
	newStaff := func(s org.Staff) *org.Staff {
		s.Active, s.PasswordHash, s.CreatedAt = true, fx.Admin.PasswordHash, fx.Admin.CreatedAt
		if err := orgs.CreateStaff(m.ctx, &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	commA := newStaff(org.Staff{Username: "wenhua.staff", Name: "冯社工", Role: org.RoleCommunityStaff, CommunityID: fx.Wenhua.ID})
	newStaff(org.Staff{Username: "sj.lead", Name: "陈所长", Role: org.RoleUnitLead, UnitID: fx.Market.ID})
	gridB := newStaff(org.Staff{Username: "grid.y1", Name: "褚网格", Role: org.RoleGridWorker, GridIDs: []int64{fx.GridY1.ID}})

	var err error
	if m.apiKey, m.client, err = m.auth.CreateAPIClient(m.ctx, "平安通", string(casework.ChannelPingan)); err != nil {
		t.Fatal(err)
	}
	if _, m.iot, err = m.auth.CreateAPIClient(m.ctx, "烟感平台", string(casework.ChannelIoT)); err != nil {
		t.Fatal(err)
	}
	lat, lon := fx.LatLon(fx.GridY1.ID)
	m.device, err = m.intk.CreateDevice(m.ctx, fx.Actor(org.RoleAdmin), intake.DeviceInput{ClientID: m.iot.ID, Code: "SMOKE-Y1",
		Kind: intake.DeviceKind("smoke"), Lat: lat, Lon: lon, Address: markAddress, OwnerName: markName, OwnerPhone: markPhone})
	if err != nil {
		t.Fatal(err)
	}
	m.own, m.ownPhoto = m.dispatched(false, true)
	m.other, m.otherPhoto = m.dispatched(true, true)
	// Reported cases wait in both scopes' lists; scope B's grid worker
	// reported one of his grid's.
	m.report(false)
	m.reportAs(org.StaffActor(gridB), m.input(true))
	// A 12345 work order of scope B, whose number is easily guessed.
	hotline := m.input(true)
	hotline.Channel, hotline.ExternalID = casework.ChannelHotline, markWorkOrder
	m.reportAs(fx.Actor(org.RoleDispatcher), hotline)

	for _, name := range matrixCallers {
		c := &matrixCaller{name: name}
		jar, _ := cookiejar.New(nil)
		c.http = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		switch name {
		case "admin":
			c.staff = fx.Admin
		case "disp":
			c.staff = fx.Dispatcher
		case "leader":
			c.staff = fx.Leader
		case "lead":
			c.staff = fx.UnitLead
		case "handler":
			c.staff = fx.UnitHandler
		case "grid":
			c.staff = fx.GridWorker
		case "comm":
			c.staff = commA
		case "apikey":
			c.key = m.apiKey
		case "secadm":
			c.staff = fx.SecurityAdmin
		case "audadm":
			c.staff = fx.AuditAdmin
		}
		m.signIn(c)
		m.callers[name] = c
	}
	return m
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn signs a staff caller in through the login form, as a browser
// does, and reads the CSRF token of its forms.
func (m *matrixEnv) signIn(c *matrixCaller) {
	m.t.Helper()
	c.csrf = m.formToken(c)
	if c.staff == nil {
		return
	}
	st, _ := m.send(c, mreq{method: "POST", path: "/login", form: url.Values{"username": {c.staff.Username}, "password": {fixture.Password}}})
	if st != http.StatusSeeOther {
		m.t.Fatalf("signing %s in: status %d", c.name, st)
	}
	c.csrf = m.formToken(c) // a session has tokens of its own
}

// formToken reads the CSRF token of the caller's forms from a page that
// has one for everybody.
func (m *matrixEnv) formToken(c *matrixCaller) string {
	m.t.Helper()
	st, body := m.send(c, mreq{method: "GET", path: "/track"})
	tok := csrfField.FindStringSubmatch(body)
	if st != http.StatusOK || tok == nil {
		m.t.Fatalf("%s: no CSRF token on /track (status %d)", c.name, st)
	}
	return tok[1]
}

// mreq is one request of the matrix.
type mreq struct {
	method, path string
	json         string     // a JSON body
	raw, ctype   string     // another body and its type
	form         url.Values // a form, sent with the caller's CSRF token
	// fresh sends it from a browser of its own, signed in as the caller:
	// signing in and out replaces or ends a session.
	fresh bool
	// stream reads the answer's first bytes only: it never ends.
	stream bool
	// resign signs the caller in again afterwards: the request may end
	// every session of the caller's ("log out everywhere").
	resign bool
	// noneOutsideB is text that the answer to a caller outside scope B
	// must contain: a count of nothing, for a filter on scope B.
	noneOutsideB string
	// public marks an answer that shows cases as the public may see them
	// (Open311, or the number the caller typed): only reporters' contacts
	// are searched for, not the case's text and number.
	public bool
}

// send makes one request as the caller; it returns the status (a redirect
// to the login page as 0, which the table writes "login") and the body,
// unzipped when it is an XLSX file.
func (m *matrixEnv) send(c *matrixCaller, q mreq) (int, string) {
	m.t.Helper()
	client := c.http
	if q.fresh {
		fresh := &matrixCaller{name: c.name, staff: c.staff, key: c.key}
		jar, _ := cookiejar.New(nil)
		fresh.http = &http.Client{Jar: jar, CheckRedirect: c.http.CheckRedirect}
		m.signIn(fresh)
		c, client = fresh, fresh.http
	}
	var body io.Reader
	ctype := ""
	switch {
	case q.json != "":
		body, ctype = strings.NewReader(q.json), "application/json"
	case q.raw != "":
		body, ctype = strings.NewReader(q.raw), q.ctype
	case q.form != nil:
		f := url.Values{}
		for k, vs := range q.form {
			f[k] = vs
		}
		if c.csrf != "" {
			f.Set("csrf_token", c.csrf)
		}
		body, ctype = strings.NewReader(f.Encode()), "application/x-www-form-urlencoded"
	}
	ctx, cancel := context.WithCancel(m.ctx)
	defer cancel()
	path := q.path
	if strings.HasPrefix(path, "/open311/v2/") && path != "/open311/v2/" {
		// The matrix creates subdistricts (POST /api/v1/jurisdictions):
		// once there are several, every Open311 call names its own
		// (open311/doc.go).
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "jurisdiction_id=" + m.fx.Jurisdiction.DivisionCode
	}
	req, err := http.NewRequestWithContext(ctx, q.method, m.url+path, body)
	if err != nil {
		m.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.key != "" {
		req.Header.Set("X-API-Key", c.key)
	}
	if c.staff != nil && c.csrf != "" && q.method != "GET" && strings.HasPrefix(q.path, "/api/") {
		// A browser's script writes to the API with the session cookie
		// and the forms' token (issue 18: without it, 403).
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := client.Do(req)
	if err != nil {
		m.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer resp.Body.Close()
	var raw []byte
	if q.stream {
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		raw = buf[:n]
	} else if raw, err = io.ReadAll(resp.Body); err != nil {
		m.t.Fatalf("%s %s: reading: %v", q.method, q.path, err)
	}
	st := resp.StatusCode
	if st == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		st = 0
	}
	if q.resign {
		m.signIn(c)
	}
	return st, unzipped(m.t, raw)
}

// staffTarget is the staff member a request about accounts is about: the
// caller himself ("own"; the admin's account for callers without one), or
// a new member of scope B's unit.
func (m *matrixEnv) staffTarget(c *matrixCaller, other bool) int64 {
	if !other {
		if c.staff != nil {
			return c.staff.ID
		}
		return m.fx.Admin.ID
	}
	s := &org.Staff{Username: fmt.Sprintf("matrix.b%d", m.next()), Name: "矩阵乙", Role: org.RoleUnitHandler,
		UnitID: m.fx.Market.ID, Active: true, PasswordHash: m.fx.Admin.PasswordHash, CreatedAt: m.fx.Admin.CreatedAt}
	if err := m.fx.DB.Org().CreateStaff(m.ctx, s); err != nil {
		m.t.Fatal(err)
	}
	return s.ID
}

// unzipped returns the text of every file of a ZIP (XLSX) body, or the
// body itself: markers must be found inside spreadsheets too.
func unzipped(t *testing.T, b []byte) string {
	if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return string(b)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("a ZIP body that does not open: %v", err)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&sb, rc)
		rc.Close()
	}
	return sb.String()
}

// next returns a number no earlier call returned, for fresh codes.
func (m *matrixEnv) next() int {
	m.seq++
	return m.seq
}

// report makes a case: in scope A reported by the apikey caller's client,
// in scope B by a resident, with the markers.
func (m *matrixEnv) report(scopeB bool) *casework.Case {
	if scopeB {
		return m.reportAs(org.ResidentActor(markName), m.input(true))
	}
	return m.reportAs(org.ClientActor(m.client), m.input(false))
}

// input is a report in grid W1, or in grid Y1 with scope B's markers.
func (m *matrixEnv) input(scopeB bool) casework.ReportInput {
	if scopeB {
		return casework.ReportInput{Category: fixture.CatExposedTrash, Title: markTitle, Details: markDetails, Address: markAddress,
			GridID: m.fx.GridY1.ID, Reporter: casework.Contact{Name: markName, Phone: markPhone}}
	}
	return casework.ReportInput{Category: fixture.CatExposedTrash, Title: "文一路垃圾", Details: "文一路垃圾桶满溢",
		Address: "文一路1号", GridID: m.fx.GridW1.ID, Reporter: casework.Contact{Name: "王先生", Phone: ownPhone}}
}

// reportAs makes the case a reports, noting scope B's numbers.
func (m *matrixEnv) reportAs(a org.Actor, in casework.ReportInput) *casework.Case {
	m.t.Helper()
	c, err := m.cases.Report(m.ctx, a, in)
	if err != nil {
		m.t.Fatal(err)
	}
	if c.GridID == m.fx.GridY1.ID {
		m.bNumbers = append(m.bNumbers, c.Number)
	}
	return c
}

// dispatched makes a case and dispatches it to its scope's unit, with a
// photo when asked; it returns the case and the photo's id.
func (m *matrixEnv) dispatched(scopeB, photo bool) (*casework.Case, int64) {
	m.t.Helper()
	c := m.report(scopeB)
	unit := m.fx.Chengguan.ID
	if scopeB {
		unit = m.fx.Market.ID
	}
	d := m.fx.Actor(org.RoleDispatcher)
	c = m.step(d, c, casework.StepInput{Action: casework.ActAccept})
	c = m.step(d, c, casework.StepInput{Action: casework.ActDispatch, UnitID: unit})
	if !photo {
		return c, 0
	}
	photos := &casework.Photos{Store: m.fx.DB.Photos(), Cases: m.cases}
	claim, err := photos.Upload(m.ctx, d, &casework.Photo{Data: []byte("\xff\xd8\xff matrix photo"), Thumb: []byte("\xff\xd8\xff thumb")})
	if err != nil {
		m.t.Fatal(err)
	}
	ids, err := photos.Attach(m.ctx, d, c.ID, []string{claim})
	if err != nil || len(ids) != 1 {
		m.t.Fatalf("attaching a photo: %v %v", ids, err)
	}
	return c, ids[0]
}

// closed makes a case closed without a rating, for the residents' rating.
func (m *matrixEnv) closed(scopeB bool) *casework.Case {
	m.t.Helper()
	c, _ := m.dispatched(scopeB, false)
	unit := m.fx.Actor(org.RoleUnitHandler)
	if scopeB {
		unit = m.fx.MarketActor()
	}
	d := m.fx.Actor(org.RoleDispatcher)
	c = m.step(unit, c, casework.StepInput{Action: casework.ActSign})
	c = m.step(unit, c, casework.StepInput{Action: casework.ActHandle, Reason: "已清运"})
	c = m.step(d, c, casework.StepInput{Action: casework.ActVerify})
	return m.step(d, c, casework.StepInput{Action: casework.ActClose})
}

func (m *matrixEnv) step(a org.Actor, c *casework.Case, in casework.StepInput) *casework.Case {
	m.t.Helper()
	out, err := m.cases.Step(m.ctx, a, c.ID, in)
	if err != nil {
		m.t.Fatalf("%s on case %s: %v", in.Action, c.Number, err)
	}
	return out
}

// rosterDays sets 2 and 3 July 2024 afresh: the duty officer on the 2nd,
// the dispatcher on the 3rd, so that an exchange of the two stands alone.
func (m *matrixEnv) rosterDays() {
	m.t.Helper()
	svc := &duty.RosterService{Store: m.db.Roster(), Staff: m.db.Org()}
	admin := m.fx.Actor(org.RoleAdmin)
	for date, officer := range map[string]int64{"2024-07-02": m.fx.DutyOfficer.ID, "2024-07-03": m.fx.Dispatcher.ID} {
		if _, err := svc.Assign(m.ctx, admin, duty.AssignInput{Date: date, Leader: m.fx.Leader.ID, Officers: []int64{officer}}); err != nil {
			m.t.Fatal(err)
		}
	}
}

// target picks the own or the other scope's value.
func target[T any](other bool, own, theirs T) T {
	if other {
		return theirs
	}
	return own
}

// pathID writes an id as a path segment.
func pathID(n int64) string { return strconv.FormatInt(n, 10) }

// reportForm is a valid report in grid W1, as the report forms send it.
func (m *matrixEnv) reportForm() url.Values {
	p := m.fx.Points[m.fx.GridW1.ID]
	return url.Values{"category": {fixture.CatExposedTrash}, "details": {"文一路垃圾桶满溢"},
		"lat": {fmt.Sprint(p.Lat)}, "lon": {fmt.Sprint(p.Lon)}, "phone": {ownPhone}}
}

// matrixRequests builds the request of a route for a caller and a target
// (other: scope B's). A route missing here is called with its pattern's
// path when it is a GET without wildcards. Requests that change something
// work on fresh targets, so that every cell stands alone.
var matrixRequests = map[string]func(m *matrixEnv, c *matrixCaller, other bool) mreq{
	// The case kinds (docs/kinds.md).
	"GET /api/v1/cases/{id}/clocks": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/cases/" + pathID(target(other, m.own, m.other).ID) + "/clocks"}
	},
	"GET /desk/{kind}": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/desk/petition"} },
	"POST /desk/{kind}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/desk/petition", form: url.Values{"level": {"city"}, "channel": {"visit"}, "petitioner_name": {"王五"},
			"petitioner_id": {"330106199001011234"}, "details": {"反映小区加装电梯问题"}}}
	},
	"GET /desk/{kind}/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/desk/petition/" + pathID(m.kindCase(casework.KindPetition).ID)}
	},
	"POST /desk/{kind}/{id}/steps": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/desk/petition/" + pathID(m.kindCase(casework.KindPetition).ID) + "/steps", form: url.Values{"action": {"accept"}}}
	},
	"GET /desk/{kind}/{id}/documents/{n}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		c := m.kindCase(casework.KindEnforcement)
		m.step(m.fx.Actor(org.RoleDispatcher), c, casework.StepInput{Action: casework.ActAccept})
		return mreq{path: "/desk/enforcement/" + pathID(c.ID) + "/documents/1"}
	},
	// The duty roster (issue 12): each change stands alone on the same days.
	"POST /api/v1/duty/roster/assign": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"date":"2024-07-01","leader":%d,"officers":[%d]}`, m.fx.Leader.ID, m.fx.DutyOfficer.ID)}
	},
	"POST /api/v1/duty/roster/exchange": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.rosterDays()
		return mreq{json: fmt.Sprintf(`{"date_a":"2024-07-02","a":%d,"date_b":"2024-07-03","b":%d,"reason":"调休"}`, m.fx.DutyOfficer.ID, m.fx.Dispatcher.ID)}
	},
	"POST /api/v1/duty/roster/generate": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"from":"2024-07-08","to":"2024-07-14","leaders":[%d],"officers":[%d,%d],"per_shift":1}`, m.fx.Leader.ID, m.fx.DutyOfficer.ID, m.fx.Dispatcher.ID)}
	},
	"POST /duty/roster/{op}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/duty/roster/assign", form: url.Values{"date": {"2024-07-01"}, "leader": {pathID(m.fx.Leader.ID)}, "officers": {pathID(m.fx.DutyOfficer.ID)}}}
	},

	"POST /api/v1/login": func(m *matrixEnv, c *matrixCaller, _ bool) mreq {
		s := c.staff
		if s == nil {
			s = m.fx.CommunityStaff
		}
		return mreq{json: fmt.Sprintf(`{"username":%q,"password":%q}`, s.Username, fixture.Password), fresh: true}
	},
	"POST /api/v1/logout": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{fresh: true} },
	// The other scope's report repeats the external id of scope B's 12345
	// work order: only who may see that case gets it back.
	"POST /api/v1/cases": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		ext := ""
		if other {
			ext = fmt.Sprintf(`,"channel":"hotline","external_id":%q`, markWorkOrder)
		}
		return mreq{json: fmt.Sprintf(`{"category":%q,"details":"文一路垃圾桶满溢","grid_id":%d%s}`, fixture.CatExposedTrash, m.fx.GridW1.ID, ext)}
	},
	"GET /api/v1/cases": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		if !other {
			return mreq{path: "/api/v1/cases"}
		}
		return mreq{path: "/api/v1/cases?community_id=" + pathID(m.fx.Yile.ID), noneOutsideB: `"total":0`}
	},
	"GET /api/v1/cases/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/cases/" + pathID(target(other, m.own, m.other).ID)}
	},
	"GET /api/v1/cases/{id}/events": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/cases/" + pathID(target(other, m.own, m.other).ID) + "/events"}
	},
	"POST /api/v1/cases/{id}/steps": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		c, _ := m.dispatched(other, false)
		return mreq{path: "/api/v1/cases/" + pathID(c.ID) + "/steps", json: `{"action":"sign"}`}
	},
	"POST /api/v1/cases/{id}/reveal": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/cases/" + pathID(target(other, m.own, m.other).ID) + "/reveal", json: `{"reason":"回访核实情况"}`}
	},
	"GET /api/v1/track/{number}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/track/" + target(other, m.own, m.other).Number + "?phone=" + ownPhone, public: true}
	},
	"POST /api/v1/track/{number}/rating": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/track/" + m.closed(other).Number + "/rating", json: `{"phone":"` + ownPhone + `","rating":"satisfied"}`, public: true}
	},
	"GET /api/v1/evaluation": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/evaluation?from=2024-01-01&to=2025-01-01&group_by=community"}
	},
	"PUT /api/v1/categories/{code}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: fmt.Sprintf("/api/v1/categories/%d", 10+m.next()), json: `{"name":"矩阵测试分类","active":true}`}
	},
	"POST /api/v1/routing-rules": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"category":%q,"unit_id":%d,"grid_id":%d}`, fixture.CatPiledMaterial, m.fx.Chengguan.ID, m.fx.GridW2.ID)}
	},
	"DELETE /api/v1/routing-rules/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		r := casework.RoutingRule{Category: fixture.CatPiledMaterial, UnitID: m.fx.Market.ID, GridID: m.fx.GridY2.ID}
		if err := m.cases.CreateRoutingRule(m.ctx, m.fx.Actor(org.RoleAdmin), &r); err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/routing-rules/" + pathID(r.ID)}
	},
	"POST /api/v1/jurisdictions": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"division_code":"3301060%02d","name":"矩阵街道"}`, 50+m.next()%50)}
	},
	"POST /api/v1/communities": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"code":"m%d","name":"矩阵社区","jurisdiction_id":%d}`, m.next(), m.fx.Jurisdiction.ID)}
	},
	"PUT /api/v1/communities/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		c := &org.Community{JurisdictionID: m.fx.Jurisdiction.ID, Code: fmt.Sprintf("m%d", m.next()), Name: "矩阵社区"}
		if err := m.fx.DB.Org().CreateCommunity(m.ctx, c); err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/communities/" + pathID(c.ID), json: fmt.Sprintf(`{"code":%q,"name":"矩阵社区（改）","jurisdiction_id":%d}`, c.Code, c.JurisdictionID)}
	},
	"POST /api/v1/grids": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"code":"mg%d","name":"矩阵网格","community_id":%d,"geometry":%s}`, m.next(), m.fx.Yile.ID, farSquare(m.seq))}
	},
	"PUT /api/v1/grids/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		g := m.fx.GridY2
		return mreq{path: "/api/v1/grids/" + pathID(g.ID), json: fmt.Sprintf(`{"code":%q,"name":%q,"kind":%q,"community_id":%d,"geometry":%s}`,
			g.Code, g.Name, g.Kind, g.CommunityID, g.Geometry.MarshalGeoJSON())}
	},
	"POST /api/v1/import/geojson": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/import/geojson?kind=grids", ctype: "application/geo+json", raw: fmt.Sprintf(
			`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"mi%d","name":"矩阵导入网格","community":"yile"},"geometry":%s}]}`,
			m.next(), farSquare(m.seq))}
	},
	"POST /api/v1/units": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"code":"mu%d","name":"矩阵科","kind":"department"}`, m.next())}
	},
	"PUT /api/v1/units/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		u := &org.Unit{Code: fmt.Sprintf("mu%d", m.next()), Name: "矩阵科", Kind: org.UnitDepartment}
		if err := m.fx.DB.Org().CreateUnit(m.ctx, u); err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/units/" + pathID(u.ID), json: fmt.Sprintf(`{"code":%q,"name":"矩阵科（改）","kind":"department"}`, u.Code)}
	},
	"POST /api/v1/staff": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"username":"matrix.%d","name":"矩阵","role":"leader","active":true,"password":"Matrix-Test-2024!"}`, m.next())}
	},
	"PUT /api/v1/staff/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		s := &org.Staff{Username: fmt.Sprintf("matrix.%d", m.next()), Name: "矩阵", Role: org.RoleLeader, Active: true,
			PasswordHash: m.fx.Admin.PasswordHash, CreatedAt: m.fx.Admin.CreatedAt}
		if err := m.fx.DB.Org().CreateStaff(m.ctx, s); err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/staff/" + pathID(s.ID), json: fmt.Sprintf(`{"username":%q,"name":"矩阵（改）","role":"leader","active":true}`, s.Username)}
	},
	"POST /api/v1/api-clients": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{json: `{"name":"矩阵客户端","channel":"pingan"}`}
	},
	"DELETE /api/v1/api-clients/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		_, cl, err := m.auth.CreateAPIClient(m.ctx, "矩阵客户端", string(casework.ChannelPingan))
		if err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/api-clients/" + pathID(cl.ID)}
	},
	"PUT /api/v1/calendar": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{json: `{"days":[{"date":"2031-01-01","kind":"off","name":"元旦","schedule_year":2031}]}`}
	},
	"DELETE /api/v1/calendar/{date}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		date := fmt.Sprintf("2032-03-%02d", 1+m.next()%28)
		if err := m.cases.PutCalendarDays(m.ctx, m.fx.Actor(org.RoleAdmin), []calendar.Day{{Date: date, Kind: calendar.Off, Name: "矩阵", ScheduleYear: 2032}}); err != nil {
			m.t.Fatal(err)
		}
		return mreq{path: "/api/v1/calendar/" + date}
	},
	"POST /api/v1/intake/iot/alarms": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{json: `{"alarm_id":"A1","device_code":"SMOKE-Y1","kind":"smoke"}`}
	},
	"PUT /api/v1/intake/iot/kinds/{kind}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/intake/iot/kinds/smoke", json: `{"category":"` + fixture.CatExposedTrash + `","urgency":"urgent","storm_minutes":30}`}
	},
	"POST /api/v1/intake/iot/devices": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: m.deviceJSON()}
	},
	"GET /api/v1/intake/iot/devices/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/intake/iot/devices/" + pathID(m.device.ID)}
	},
	"PUT /api/v1/intake/iot/devices/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/intake/iot/devices/" + pathID(m.freshDevice()), json: m.deviceJSON()}
	},
	"DELETE /api/v1/intake/iot/devices/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/intake/iot/devices/" + pathID(m.freshDevice())}
	},
	"POST /api/v1/intake/clients/{id}/secret": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/intake/clients/" + pathID(m.iot.ID) + "/secret"}
	},
	"POST /api/v1/intake/police/events": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"event_no":"JJ%d","category":%q,"details":"文一路垃圾桶满溢，非警务事项"}`, m.next(), fixture.CatExposedTrash)}
	},
	"POST /api/v1/intake/police/import": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/intake/police/import?dry_run=1&file_name=transfers.csv", ctype: "text/csv",
			raw: "接警编号,移交时间,事件描述,事发地址,问题分类,报警人,联系电话,经度,纬度,移交单位\nJJ900,2024-06-11 08:30,文一路垃圾桶满溢,文一路1号,暴露垃圾,,,,,古荡派出所\n"}
	},
	"GET /api/v1/intake/police/arrival": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/intake/police/arrival?from=2024-06-01&to=2024-07-01"}
	},
	"POST /api/v1/intake/hotline/import": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/intake/hotline/import?dry_run=1&file_name=orders.csv", ctype: "text/csv",
			raw: "序号,工单编号,来电时间,工单标题,诉求内容,诉求地址,问题分类,联系人,联系电话,紧急程度,承办单位\n1,GD900,2024-06-11 08:30,,文一路垃圾桶满溢,文一路1号,暴露垃圾,,,一般,\n"}
	},
	"GET /api/v1/intake/hotline/export": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/intake/hotline/export?from=2024-06-01&to=2024-07-01"}
	},

	"GET /open311/v2/services/{code}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/open311/v2/services/" + fixture.CatExposedTrash + ".json"}
	},
	"POST /open311/v2/requests.json": open311Post("json"),
	"POST /open311/v2/requests.xml":  open311Post("xml"),
	"GET /open311/v2/requests.json": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/open311/v2/requests.json", public: true}
	},
	"GET /open311/v2/requests.xml": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/open311/v2/requests.xml", public: true}
	},
	"GET /open311/v2/requests/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/open311/v2/requests/" + target(other, m.own, m.other).Number + ".json", public: true}
	},
	"GET /open311/v2/tokens/{token}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/open311/v2/tokens/" + target(other, m.own, m.other).Number + ".json", public: true}
	},
	"GET /open311/v2/servicerequestupdates.json": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/open311/v2/servicerequestupdates.json", public: true}
	},
	"GET /open311/v2/servicerequestupdates.xml": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/open311/v2/servicerequestupdates.xml", public: true}
	},
	"POST /open311/v2/servicerequestupdates.json": open311Update("json"),
	"POST /open311/v2/servicerequestupdates.xml":  open311Update("xml"),
	"/open311/v2/": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{method: "GET", path: "/open311/v2/nothing.json"}
	},

	"GET /{$}":         func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/"} },
	"GET /static/":     func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/static/app.css"} },
	"GET /lang/{lang}": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/lang/zh?next=/track"} },
	"POST /login": func(m *matrixEnv, c *matrixCaller, _ bool) mreq {
		s := c.staff
		if s == nil {
			s = m.fx.CommunityStaff
		}
		return mreq{form: url.Values{"username": {s.Username}, "password": {fixture.Password}}, fresh: true}
	},
	"POST /logout": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{form: url.Values{}, fresh: true} },
	"POST /account/sessions/revoke": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{form: url.Values{}, resign: true}
	},
	"POST /api/v1/me/sessions/revoke": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{json: `{}`, resign: true}
	},
	"GET /api/v1/staff/{id}/logins": func(m *matrixEnv, c *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/staff/" + pathID(m.staffTarget(c, other)) + "/logins"}
	},
	"GET /api/v1/staff/{id}/sessions": func(m *matrixEnv, c *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/staff/" + pathID(m.staffTarget(c, other)) + "/sessions"}
	},
	"POST /api/v1/staff/{id}/sessions/revoke": func(m *matrixEnv, c *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/staff/" + pathID(m.staffTarget(c, other)) + "/sessions/revoke", json: `{}`, resign: !other}
	},
	"POST /r": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq { return mreq{form: m.reportForm()} },
	"POST /r/{grid}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/r/" + m.fx.GridW1.Code, form: m.reportForm()}
	},
	"POST /r/same/{number}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/r/same/" + target(other, m.own, m.other).Number, form: url.Values{"details": {"我也看到了"}}, public: true}
	},
	"GET /r/{grid}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/r/" + target(other, m.fx.GridW1, m.fx.GridY1).Code}
	},
	"POST /track": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{form: url.Values{"number": {target(other, m.own, m.other).Number}, "phone": {ownPhone}}, public: true}
	},
	"POST /track/rate": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{form: url.Values{"number": {m.closed(other).Number}, "phone": {ownPhone}, "rating": {"satisfied"}}, public: true}
	},
	"GET /qr/{grid}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/qr/" + target(other, m.fx.GridW1, m.fx.GridY1).Code}
	},
	"POST /report": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq { return mreq{form: m.reportForm()} },
	"GET /cases/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/cases/" + pathID(target(other, m.own, m.other).ID)}
	},
	"POST /cases/{id}/step": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		c, _ := m.dispatched(other, false)
		return mreq{path: "/cases/" + pathID(c.ID) + "/step", form: url.Values{"action": {"sign"}}}
	},
	"GET /photos/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/photos/" + pathID(target(other, m.ownPhoto, m.otherPhoto))}
	},
	"GET /dashboard/export.xlsx": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/dashboard/export.xlsx?table=community&year=2024"}
	},
	"GET /dashboard/export.csv": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/dashboard/export.csv?table=community&year=2024"}
	},
	// own: the export masked, as everyone gets it; other: with the
	// residents' contacts in full, which needs the right and a reason.
	"GET /api/v1/cases/export": func(_ *matrixEnv, _ *matrixCaller, other bool) mreq {
		if other {
			return mreq{path: "/api/v1/cases/export?format=csv&contacts=full&reason=" + url.QueryEscape("回访核实")}
		}
		return mreq{path: "/api/v1/cases/export?format=csv"}
	},
	"GET /board/stream": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/board/stream", stream: true} },
	"GET /admin/{section}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/admin/staff"}
	},
	"POST /admin/{section}/{op}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/admin/places/unit", form: url.Values{"code": {fmt.Sprintf("mp%d", m.next())}, "name": {"矩阵科"}, "kind": {"department"}}}
	},
	// Pages for the work of the day (issue 15). A batch answers the table
	// with a line per case: refused cases are said so there, not by status.
	// A wrong current password: refused at the field, nothing changed
	// (the change itself, which ends every session, is web's test).
	// Sign-in, second round (issue 18): a challenge that does not exist,
	// an enrolment started, a reset of the caller's own authenticator or
	// a member of scope B's.
	// The trail names the cases of every scope (a reveal names its case):
	// the audit administrator reads it all, but never a resident's
	// contact, which is never written there.
	"GET /audit":                         func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{public: true} },
	"GET /audit/export.csv":              func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{public: true} },
	"GET /api/v1/audit":                  func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{public: true} },
	"POST /audit/verify":                 func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{form: url.Values{}, public: true} },
	"POST /api/v1/audit/verify":          func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{json: `{}`} },
	"POST /api/v1/me/two-factor":         func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{json: `{}`} },
	"POST /api/v1/me/two-factor/confirm": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{json: `{"code":"000000"}`} },
	"POST /api/v1/login/code": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{json: `{"challenge":"c_none","code":"123456"}`}
	},
	"POST /login/code": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{form: url.Values{"challenge": {"c_none"}, "code": {"123456"}}}
	},
	"POST /account/2fa/{op}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/account/2fa/start", form: url.Values{}}
	},
	"POST /api/v1/staff/{id}/two-factor/reset": func(m *matrixEnv, c *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/staff/" + pathID(m.staffTarget(c, other)) + "/two-factor/reset", json: `{"reason":"矩阵：手机丢失"}`, resign: !other}
	},
	"POST /account/password": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/account/password", form: url.Values{"current_password": {"not-the-password"}, "new_password": {"Neues-Passwort-2026"}, "repeat_password": {"Neues-Passwort-2026"}}}
	},
	"POST /board/dispatch": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/board/dispatch", form: url.Values{"id": {pathID(m.report(other).ID)}}}
	},
	"POST /cases/batch": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		c, _ := m.dispatched(other, false)
		return mreq{path: "/cases/batch", form: url.Values{"id": {pathID(c.ID)}, "action": {"supervise"}, "reason": {"请尽快处置"}}}
	},
	// The enterprise registry: one enterprise in one building.
	"GET /api/v1/enterprises/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: fmt.Sprintf("/api/v1/enterprises/%d", m.enterprise())}
	},
	"POST /api/v1/enterprises/import": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/enterprises/import?kind=enterprises&dry_run=1", raw: "统一社会信用代码,企业名称\n91350100M000100Y43,矩阵企业\n", ctype: "text/csv"}
	},
	"POST /api/v1/enterprises/{id}/visits": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: fmt.Sprintf("/api/v1/enterprises/%d/visits", m.enterprise()), json: `{"on":"2024-06-11","findings":"矩阵走访"}`}
	},
	"GET /api/v1/buildings/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.enterprise()
		return mreq{path: fmt.Sprintf("/api/v1/buildings/%d", m.building)}
	},
	"GET /enterprises/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: fmt.Sprintf("/enterprises/%d", m.enterprise())}
	},
	"POST /enterprises/plan/visit": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/enterprises/plan/visit", form: url.Values{"enterprise_id": {fmt.Sprint(m.enterprise())}, "on": {"2024-06-11"}, "findings": {"矩阵走访"}}}
	},
	"GET /buildings/{id}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.enterprise()
		return mreq{path: fmt.Sprintf("/buildings/%d", m.building)}
	},
	// The enterprise service's edits: a file without its file (refused
	// after the permission check), a move into a new room on a later day,
	// a new room.
	"POST /enterprises/import": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/enterprises/import", form: url.Values{"kind": {"enterprises"}}}
	},
	"POST /enterprises/{id}/move": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		id, n := m.enterprise(), m.next()
		room := &enterprise.Room{BuildingID: m.building, Floor: 4, Number: fmt.Sprintf("4-%d", n)}
		if err := m.db.Enterprises().SaveRoom(m.ctx, room); err != nil {
			m.t.Fatal(err)
		}
		on := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format("2006-01-02")
		return mreq{path: fmt.Sprintf("/enterprises/%d/move", id), form: url.Values{"room_id": {fmt.Sprint(room.ID)}, "on": {on}}}
	},
	"POST /buildings/{id}/rooms": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.enterprise()
		return mreq{path: fmt.Sprintf("/buildings/%d/rooms", m.building), form: url.Values{"floor": {"5"}, "number": {fmt.Sprintf("5-%d", m.next())}, "area": {"80"}}}
	},
	// The office's books (issue 13): own is 文华's, other 益乐's (whose
	// entries carry scope B's marker name); writes work on fresh entries.
	"GET /api/v1/ledgers/{code}/entries": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.ledgerEntry(true)
		return mreq{path: "/api/v1/ledgers/volunteer/entries"}
	},
	"POST /api/v1/ledgers/{code}/entries": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/ledgers/volunteer/entries", json: fmt.Sprintf(`{"day":"2024-06-01","community_id":%d,"values":{"volunteer":"矩阵志愿者%d"}}`,
			target(other, m.fx.Wenhua, m.fx.Yile).ID, m.next())}
	},
	"GET /api/v1/ledgers/{code}/sums": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/ledgers/volunteer/sums?op=distinct&field=volunteer&group=community"}
	},
	"GET /api/v1/ledger-entries/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/ledger-entries/" + pathID(m.ledgerEntry(other))}
	},
	"PUT /api/v1/ledger-entries/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/api/v1/ledger-entries/" + pathID(m.ledgerEntry(other)), json: fmt.Sprintf(`{"day":"2024-06-02","community_id":%d,"values":{"volunteer":"改名"}}`,
			target(other, m.fx.Wenhua, m.fx.Yile).ID)}
	},
	"GET /api/v1/indicators/{key}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/api/v1/indicators/fiscal.total_revenue?year=2024"}
	},
	"POST /api/v1/indicators/values": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{json: fmt.Sprintf(`{"values":[{"key":"retail.sales","period":"2024-05","value":%d}]}`, m.next())}
	},
	"GET /api/v1/targets": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/api/v1/targets?year=2024"} },
	"GET /api/v1/campaigns/{code}/progress": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.campaignUnit()
		return mreq{path: "/api/v1/campaigns/matrix/progress?by=assignee"}
	},
	"POST /api/v1/campaign-units/{id}/check": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/campaign-units/" + pathID(m.campaignUnit()) + "/check",
			json: `{"items":[{"key":"exits","pass":true}]}`}
	},
	"POST /api/v1/campaign-findings/{id}/recheck": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/api/v1/campaign-findings/" + pathID(m.campaignFinding()) + "/recheck", json: `{"pass":true}`}
	},
	"GET /ledgers/{code}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.ledgerEntry(true)
		return mreq{path: "/ledgers/volunteer?year=2024"}
	},
	"POST /ledgers/{code}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/ledgers/volunteer", form: url.Values{"action": {"add"}, "day": {"2024-06-01"},
			"community_id": {pathID(target(other, m.fx.Wenhua, m.fx.Yile).ID)}, "f_volunteer": {fmt.Sprintf("表单志愿者%d", m.next())}}}
	},
	"GET /ledgers/{code}/export.xlsx": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.ledgerEntry(true)
		return mreq{path: "/ledgers/volunteer/export.xlsx?year=2024"}
	},
	"GET /ledger-entries/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/ledger-entries/" + pathID(m.ledgerEntry(other))}
	},
	"POST /ledger-entries/{id}": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		return mreq{path: "/ledger-entries/" + pathID(m.ledgerEntry(other)), form: url.Values{"action": {"edit"}, "day": {"2024-06-03"},
			"community_id": {pathID(target(other, m.fx.Wenhua, m.fx.Yile).ID)}, "f_volunteer": {"改名"}}}
	},
	"POST /ledger-types": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{form: url.Values{"code": {fmt.Sprintf("matrix_%d", m.next())}, "name": {"矩阵台账"}, "fields": {"who|人员|person|required|"}}}
	},
	"POST /indicators": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{form: url.Values{"action": {"enter"}, "year": {"2024"}, "key": {"retail.sales"}, "period": {"2024-04"}, "value": {fmt.Sprint(m.next())}}}
	},
	"GET /indicators/{key}": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{path: "/indicators/fiscal.total_revenue?year=2024"}
	},
	"POST /targets": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{form: url.Values{"year": {"2024"}, "level": {"community"}, "scope": {fmt.Sprintf("社区%d", m.next())}, "key": {"fiscal.general_budget"},
			"name": {"一般公共预算"}, "comparison": {"at_least"}, "value": {"100"}}}
	},
	"GET /campaigns/{code}": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.campaignUnit()
		return mreq{path: "/campaigns/matrix"}
	},
	"GET /campaigns/{code}/units.json": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		m.campaignUnit()
		return mreq{path: "/campaigns/matrix/units.json"}
	},
	// A one-unit list as XLSX, sent as a browser sends the form.
	"POST /campaigns/{code}/units": func(m *matrixEnv, c *matrixCaller, _ bool) mreq {
		m.campaignUnit()
		return m.unitsUpload(c)
	},
	"POST /campaign-units/{id}/check": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/campaign-units/" + pathID(m.campaignUnit()) + "/check", form: url.Values{"item_exits": {"pass"}}}
	},
	"POST /campaign-findings/{id}/recheck": func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		return mreq{path: "/campaign-findings/" + pathID(m.campaignFinding()) + "/recheck", form: url.Values{"result": {"pass"}}}
	},
	// The work report.
	"POST /report/template": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{form: url.Values{"body": {"# 报告\n今年累计流转签收西湖码{{cases.xihu_code.signed}}件。"}, "note": {"矩阵"}}}
	},
	"POST /report/override": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{form: url.Values{"year": {"2024"}, "key": {"cases.grid.handled"}, "value": {"12"}, "reason": {"矩阵测试改写"}}}
	},
	"POST /report/check": func(*matrixEnv, *matrixCaller, bool) mreq {
		return mreq{form: url.Values{"year": {"2024"}, "text": {"处置平安通3件、网格通2件。"}}}
	},
	"GET /api/v1/report": func(*matrixEnv, *matrixCaller, bool) mreq { return mreq{path: "/api/v1/report?year=2024"} },
	// 转办 (the district).
	"POST /api/v1/cases/{id}/transfer": func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		c := target(other, m.own, m.other)
		return mreq{path: "/api/v1/cases/" + pathID(c.ID) + "/transfer", json: fmt.Sprintf(`{"jurisdiction_id":%d,"reason":"矩阵测试转办"}`, c.JurisdictionID)}
	},
}

// enterprise makes, once, an enterprise renting a room of a building, and
// returns its id (the building's is m.building).
func (m *matrixEnv) enterprise() int64 {
	m.t.Helper()
	if m.ent != 0 {
		return m.ent
	}
	st := m.db.Enterprises()
	e := &enterprise.Enterprise{CreditCode: "91350100M000100Y43", Name: "矩阵测试企业", Status: enterprise.StatusActive, ContactPhone: "13912345678"}
	b := &enterprise.Building{Name: "矩阵大厦", FloorArea: 1000, Floors: 5}
	if err := st.SaveEnterprise(m.ctx, e); err != nil {
		m.t.Fatal(err)
	}
	if err := st.SaveBuilding(m.ctx, b); err != nil {
		m.t.Fatal(err)
	}
	room := &enterprise.Room{BuildingID: b.ID, Floor: 3, Number: "301", Area: 100}
	if err := st.SaveRoom(m.ctx, room); err != nil {
		m.t.Fatal(err)
	}
	if err := st.AddTenancy(m.ctx, &enterprise.Tenancy{EnterpriseID: e.ID, RoomID: room.ID, Start: "2020-01-01"}); err != nil {
		m.t.Fatal(err)
	}
	m.ent, m.building = e.ID, b.ID
	return m.ent
}

// ledgerEntry adds a volunteer entry in scope A's community (文华), or in
// scope B's (益乐) under scope B's marker name, and returns its id.
func (m *matrixEnv) ledgerEntry(other bool) int64 {
	m.t.Helper()
	c, name := m.fx.Wenhua, fmt.Sprintf("甲志愿者%d", m.next())
	if other {
		c, name = m.fx.Yile, markName
	}
	e, err := m.books.Ledgers.Add(m.ctx, m.fx.Actor(org.RoleAdmin), ledger.TypeVolunteer,
		ledger.EntryInput{Day: "2024-06-01", CommunityID: c.ID, Values: map[string]string{"volunteer": name}})
	if err != nil {
		m.t.Fatal(err)
	}
	return e.ID
}

// unitsUpload is the campaign page's import form with a one-unit sheet
// of a fresh key, multipart, with the caller's CSRF token.
func (m *matrixEnv) unitsUpload(c *matrixCaller) mreq {
	m.t.Helper()
	f := excelize.NewFile()
	must := func(err error) {
		if err != nil {
			m.t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"编号", "名称", "类型"}))
	must(f.SetSheetRow("Sheet1", "A2", &[]any{fmt.Sprintf("import-%d", m.next()), "导入单位", "企业"}))
	var xl bytes.Buffer
	must(f.Write(&xl))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(mw.WriteField("csrf_token", c.csrf))
	fw, err := mw.CreateFormFile("file", "units.xlsx")
	must(err)
	_, err = fw.Write(xl.Bytes())
	must(err)
	must(mw.Close())
	return mreq{path: "/campaigns/matrix/units", raw: body.String(), ctype: mw.FormDataContentType()}
}

// campaignUnit adds a pending unit, assigned to the fixture's unit
// handler, to the campaign "matrix" (made the first time).
func (m *matrixEnv) campaignUnit() int64 {
	m.t.Helper()
	admin := m.fx.Actor(org.RoleAdmin)
	if _, err := m.books.Campaigns.Campaign(m.ctx, admin, "matrix"); err != nil {
		if err := m.books.Campaigns.Create(m.ctx, admin, &campaign.Campaign{Code: "matrix", Name: "矩阵专项", Kind: campaign.Safety, Year: 2024,
			Checklist: []campaign.Item{{Key: "exits", Name: "安全出口畅通"}}, Category: fixture.CatExposedTrash}); err != nil {
			m.t.Fatal(err)
		}
	}
	key := fmt.Sprintf("unit-%d", m.next())
	if _, err := m.books.Campaigns.AddUnits(m.ctx, admin, "matrix", []campaign.UnitInput{{Key: key, Name: "矩阵单位", CommunityID: m.fx.Wenhua.ID}}, 2, false); err != nil {
		m.t.Fatal(err)
	}
	us, _, err := m.books.Campaigns.Units(m.ctx, admin, campaign.UnitFilter{CampaignID: 0}, 1000, 0)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, u := range us {
		if u.Key == key {
			if _, err := m.books.Campaigns.Assign(m.ctx, admin, "matrix", []int64{u.ID}, m.fx.UnitHandler.ID); err != nil {
				m.t.Fatal(err)
			}
			return u.ID
		}
	}
	m.t.Fatal("matrix: the new unit is not listed")
	return 0
}

// campaignFinding checks a new unit of the campaign "matrix" as its
// assignee, the one item failed for rectification, and returns the finding.
func (m *matrixEnv) campaignFinding() int64 {
	m.t.Helper()
	_, fs, err := m.books.Campaigns.Check(m.ctx, m.fx.Actor(org.RoleUnitHandler), m.campaignUnit(), campaign.CheckInput{
		Items: []campaign.ItemResult{{Key: "exits", Pass: false, Remark: "通道堵塞", Rectify: true}}})
	if err != nil || len(fs) != 1 {
		m.t.Fatalf("matrix finding: %v %d", err, len(fs))
	}
	return fs[0].ID
}

// farSquare is a small square far east of the fixture's grids, one per n,
// so that new grids change where no fixture case lies.
func farSquare(n int) string {
	lon := 120.30 + float64(n%100)*0.002
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%v,30.30],[%v,30.30],[%v,30.301],[%v,30.301],[%v,30.30]]]}`,
		lon, lon+0.001, lon+0.001, lon, lon)
}

func (m *matrixEnv) deviceJSON() string {
	p := m.fx.Points[m.fx.GridW1.ID]
	return fmt.Sprintf(`{"client_id":%d,"code":"MX-%d","kind":"smoke","lat":%v,"lon":%v}`, m.iot.ID, m.next(), p.Lat, p.Lon)
}

func (m *matrixEnv) freshDevice() int64 {
	m.t.Helper()
	lat, lon := m.fx.LatLon(m.fx.GridW1.ID)
	d, err := m.intk.CreateDevice(m.ctx, m.fx.Actor(org.RoleAdmin), intake.DeviceInput{ClientID: m.iot.ID,
		Code: fmt.Sprintf("MXD-%d", m.next()), Kind: intake.DeviceKind("smoke"), Lat: lat, Lon: lon})
	if err != nil {
		m.t.Fatal(err)
	}
	return d.ID
}

// open311Post is a new request as Open311 clients send it: a form whose
// api_key the apikey caller sends as its header.
func open311Post(format string) func(*matrixEnv, *matrixCaller, bool) mreq {
	return func(m *matrixEnv, _ *matrixCaller, _ bool) mreq {
		p := m.fx.Points[m.fx.GridW1.ID]
		f := url.Values{"service_code": {fixture.CatExposedTrash}, "lat": {fmt.Sprint(p.Lat)}, "long": {fmt.Sprint(p.Lon)},
			"description": {"文一路垃圾桶满溢"}}
		return mreq{path: "/open311/v2/requests." + format, raw: f.Encode(), ctype: "application/x-www-form-urlencoded", public: true}
	}
}

// open311Update is a note on a request: the apikey caller's own case, or
// scope B's.
func open311Update(format string) func(*matrixEnv, *matrixCaller, bool) mreq {
	return func(m *matrixEnv, _ *matrixCaller, other bool) mreq {
		f := url.Values{"service_request_id": {target(other, m.own, m.other).Number}, "description": {"补充：垃圾仍未清运"}}
		return mreq{path: "/open311/v2/servicerequestupdates." + format, raw: f.Encode(), ctype: "application/x-www-form-urlencoded", public: true}
	}
}

// request builds a route's request, with the method and path of its
// pattern unless the builder gives them.
func (m *matrixEnv) request(pattern string, c *matrixCaller, other bool) (mreq, error) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok { // a pattern for every method
		method, path = "GET", pattern
	}
	build := matrixRequests[pattern]
	if build == nil {
		if method != "GET" || strings.Contains(path, "{") {
			return mreq{}, fmt.Errorf("route %s needs a request: add one to matrixRequests in server/matrix_test.go", pattern)
		}
		return mreq{method: method, path: path}, nil
	}
	q := build(m, c, other)
	if q.method == "" {
		q.method = method
	}
	if q.path == "" {
		q.path = path
	}
	return q, nil
}

// leaks returns the scope B markers found in a body.
func (m *matrixEnv) leaks(body string, public bool) []string {
	marks := []string{markName, markPhone, org.MaskName(markName), org.MaskPhone(markPhone)}
	if !public {
		marks = append(marks, markTitle, markDetails, markAddress)
		marks = append(marks, m.bNumbers...)
	}
	var found []string
	for _, s := range marks {
		if strings.Contains(body, s) {
			found = append(found, s)
		}
	}
	return found
}

func statusName(st int) string {
	if st == 0 {
		return "login"
	}
	return strconv.Itoa(st)
}

// TestPermissionMatrix walks the route table: every route, every caller,
// own and other scope, against matrixExpect, and searches every answer to
// a caller outside scope B for scope B's data.
func TestPermissionMatrix(t *testing.T) {
	want := parseMatrix(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMatrixEnv(t, db)
		routes := m.srv.Routes()
		var patterns []string
		for _, rt := range routes {
			patterns = append(patterns, rt.Pattern)
			if want[rt.Pattern] == nil {
				t.Errorf("route %s (%s) has no row in matrixExpect (server/matrix_test.go): add one saying what each caller should get", rt.Pattern, rt.Access)
			}
		}
		for p := range want {
			if !slices.Contains(patterns, p) {
				t.Errorf("matrixExpect has a row for %s, which is not in the route table: remove it", p)
			}
		}
		cells := 0
		for _, rt := range routes {
			row := want[rt.Pattern]
			if row == nil {
				continue
			}
			for _, name := range matrixCallers {
				cell := row[name]
				// The table must agree with the route's access level for
				// a caller who is not signed in.
				if name == "anon" && ((rt.Access == "signed-in" && cell.own != "401") || (rt.Access == "page" && cell.own != "login")) {
					t.Errorf("%s is %s: anon must get %s, the table says %s", rt.Pattern, rt.Access,
						map[string]string{"signed-in": "401", "page": "login"}[rt.Access], cell.own)
				}
				cells++
				targets := []string{cell.own}
				if cell.other != "" {
					targets = append(targets, cell.other)
				}
				for i, exp := range targets {
					other := i == 1
					q, err := m.request(rt.Pattern, m.callers[name], other)
					if err != nil {
						t.Error(err)
						break
					}
					st, body := m.send(m.callers[name], q)
					m.requests++
					scope := "own"
					if other {
						scope = "other"
					}
					if got := statusName(st); got != exp {
						t.Errorf("%-40s %-8s %-5s: got %s, want %s (%s %s)\n\t%.300s", rt.Pattern, name, scope, got, exp, q.method, q.path, body)
					}
					switch found := m.leaks(body, q.public); {
					case seesScopeB[name]:
						if len(found) > 0 {
							m.markersSeen++
						}
					case len(found) > 0:
						t.Errorf("%s %s %s: scope B's data in the answer to %s: %q\n\t%.300s", rt.Pattern, name, scope, name, found, body)
					case q.noneOutsideB != "" && st == http.StatusOK && !strings.Contains(body, q.noneOutsideB):
						t.Errorf("%s %s %s: scope B counted for %s: want %s\n\t%.300s", rt.Pattern, name, scope, name, q.noneOutsideB, body)
					}
				}
			}
		}
		if m.markersSeen == 0 {
			t.Error("no answer to admin, dispatcher or leader showed scope B's markers: the search for leaks cannot find any")
		}
		t.Logf("permission matrix: %d routes × %d callers = %d cells, %d requests", len(routes), len(matrixCallers), cells, m.requests)
		fmt.Printf("permission matrix: %d routes × %d callers = %d cells, %d requests\n", len(routes), len(matrixCallers), cells, m.requests)
	})
}

// kindCase reports a fresh case of a kind (docs/kinds.md) as the command
// center: it lies in no scope.
func (m *matrixEnv) kindCase(k casework.Kind) *casework.Case {
	data := map[casework.Kind]string{
		casework.KindPetition:    `{"level":"city","channel":"visit","petitioner_name":"王五","petitioner_id":"330106199001011234"}`,
		casework.KindEnforcement: `{"subtype":"penalty","party":"某餐饮店","party_org":true,"violation":"店外经营"}`,
	}[k]
	return m.reportAs(m.fx.Actor(org.RoleDispatcher), casework.ReportInput{Kind: k, Details: "专项案件", KindData: []byte(data)})
}
