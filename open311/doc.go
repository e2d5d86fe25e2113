// Package open311 is Open311 GeoReport v2 under /open311/v2/, with
// FixMyStreet's servicerequestupdates and extended statuses: the open
// standard by which apps and city systems that nobody here wrote report
// problems to the subdistrict and follow them. The handlers are thin over
// casework.Service; the route table is in package server.
//
// Resources (each in JSON and XML, chosen by the .json or .xml suffix; an
// item path without a suffix answers JSON):
//
//	GET  discovery             where the endpoint is (under serve --public-url,
//	                           else the address serve listens at;
//	                           never the request's Host header), what it speaks
//	GET  services              one service per active minor category (小类):
//	                           group = its major category's name, keywords =
//	                           its keywords joined by commas, metadata = it
//	                           has attributes, type = realtime
//	GET  services/{code}       the service definition: the category's
//	                           attributes (datatype, required, order,
//	                           description, values, variable,
//	                           datatype_description) in order
//	POST requests              a report, form-encoded; api_key required
//	GET  tokens/{token}        see "Tokens" below
//	GET  requests              by service_request_id, or a search
//	GET  requests/{id}         one request
//	GET  servicerequestupdates the updates of requests (FixMyStreet)
//	POST servicerequestupdates a note from a client (FixMyStreet); api_key required
//
// Identifiers. service_request_id is the case number (20240611-0042), a
// string; service_code is the category code ("0101"), a string;
// jurisdiction_id is the subdistrict's administrative division code
// (古荡街道: 330106007). A deployment of one subdistrict lets it be left
// out. A deployment of several (a district, docs/jurisdictions.md)
// requires it on every call, as GeoReport v2 says of an endpoint serving
// several jurisdictions: 400 without it, naming jurisdiction_id. There it
// selects the subdistrict: POST requests files the request in it (at a
// place in another subdistrict, 400; with a client registered for
// another, 403), and GET requests, requests/{id}, tokens and
// servicerequestupdates see its cases only (another's is 404, as one
// that does not exist). The district's own code reads the whole district
// and is refused (400) for a POST. An unknown code is 404 in any
// deployment. api_key and jurisdiction_id are read from the form body or the
// query string; an API key in an X-API-Key or Authorization: Bearer header
// also serves (a wrong one there is refused by the server's middleware,
// in the JSON API's error format, before Open311 sees the request).
//
// Reports. POST requests takes service_code; lat and long (WGS-84), or
// address_string, or address_id (jiedao keeps no address register, so the
// id is kept in the address text); description (at most 4,000
// characters; without one the service name and address describe the
// case); first_name, last_name and phone (the reporter, who is never
// shown to the public); media_url (an absolute http or https URL, kept as
// the case's first note); attribute[CODE]=value and, for multi-value
// lists, attribute[CODE][]=value, checked against the service definition;
// an attribute the service does not define (FixMyStreet sends its report
// id, title and more) is kept with the case as text, shown to staff, and
// bounded only (casework.CheckExtraAttributes).
// email, device_id and account_id are accepted and not stored: jiedao
// calls residents back by phone, and stores no more about them than it
// uses. The case is reported by the client (org.ClientActor), so it
// records the client and the client's channel.
//
// Tokens. jiedao makes the case while the client waits, so every service
// is "realtime" and POST requests answers with the service_request_id and,
// as the spec asks, no token. GET tokens/{token} still works for clients
// that call it: the token is the case number, and it answers with the
// same number as the service_request_id.
//
// Searching. GET requests with service_request_id (a comma list) returns
// those requests and ignores every other parameter, as the spec says.
// Otherwise it searches by service_code (a comma list), status (open,
// closed or both), start_date and end_date (W3C datetimes on the reported
// time; a date alone is its whole day; a time without a zone is China
// Standard Time; without dates the most recent 90 days), newest first, a
// page at a time: page (from 1) and page_size (default 50, at most 1000),
// as FixMyStreet's server pages.
//
// Statuses. status is open or closed (casework.Status.Open); the finer
// FixMyStreet status is in extended_attributes.status of a request and in
// each update's status. The mapping from each casework.Status is in
// status.go.
//
// Extended attributes. Each request carries extended_attributes (an object
// in JSON, an element in XML, as Chicago's and Bloomington's Open311
// servers carry theirs): status (the extended status), jiedao_status and
// status_zh (the case's own status), title, channel, and once the resident
// has rated the case rating (satisfied, basic or unsatisfied), rating_zh
// (满意, 基本满意, 不满意), rating_comment and rated_datetime; a merged
// case has parent_service_request_id, the case it duplicates.
//
// Updates. GET servicerequestupdates lists, oldest first, one update per
// step that changed a case's status, each note (comment) and each rating:
// update_id (the event id, a string), service_request_id, status (the
// extended status after the step), updated_datetime, description (the note,
// or the step's name with its reason), media_url (from the step's photos
// that are URLs) and external_status_code (jiedao's own status). It takes
// start_date and end_date (by default the last 24 hours, at most 90 days),
// or service_request_id (a comma list, dates optional), and update_id (a
// comma list) to pick updates by id. POST servicerequestupdates adds a
// note to one of the client's own requests: see PostUpdate.
//
// Privacy. Whatever is read without an API key is public: reporters'
// names, phone numbers and e-mail addresses never appear, mobile numbers
// written into case text are masked, who took each step is not named,
// voided cases are left out, a report's description, address, attributes
// and photos are withheld until the command center accepts it, and a
// private-home category's (the category's private_home flag, set by the
// admin) are never shown, with its place rounded to about 100 m
// (casework/public.go says why). A client that
// sends its api_key may also look up its own voided requests by id.
//
// Errors are the spec's list of {code, description}: a JSON array, or
// <errors><error><code/><description/></error></errors>. The code is the
// HTTP status, a number as in the spec's example: 404 for what does not
// exist (an unknown request id, service definition, token or
// jurisdiction_id), 403 for a missing, wrong or revoked api_key, 429
// (with Retry-After) for POSTs over the rate limit of the client's
// address (docs/security.md), and 400 for everything else (a missing service_code, an unknown code, a missing
// required attribute, a value not in a list, bad dates, and failures of
// the server, as the spec asks). The description is Chinese, then
// English: "缺少 service_code / service_code is required".
//
// Datetimes are W3C datetimes in China Standard Time with their zone:
// 2024-06-11T09:00:00+08:00.
package open311
