package open311

import (
	"cmp"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// maxDescription is the spec's limit on a description.
const maxDescription = 4000

// Page sizes of GET requests, as FixMyStreet's page/page_size.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
	// maxMergedDepth bounds how deep a search over several service codes
	// may page: each code is read from its first result.
	maxMergedDepth = 10000
)

// defaultSpan is the window GET requests searches when given no dates:
// the spec's "most recent 90 days".
const defaultSpan = 90 * 24 * time.Hour

// attributeKeyRE reads attribute[CODE] and attribute[CODE][].
var attributeKeyRE = regexp.MustCompile(`^attribute\[([^\[\]]+)\](\[\])?$`)

// PostRequest answers POST requests.json and .xml: a machine client
// reports a problem. The case is reported by the client's actor, so that
// it records the client and comes in by the client's channel.
func (h *Handler) PostRequest(w http.ResponseWriter, r *http.Request) {
	c, _ := h.begin(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	actor, err := c.client()
	if err != nil {
		c.fail(err)
		return
	}
	if actor, err = c.filer(actor); err != nil {
		c.fail(err)
		return
	}
	in, media, err := c.reportInput()
	if err != nil {
		c.fail(err)
		return
	}
	if c.jur != nil {
		in.JurisdictionID = c.jur.ID // filed there; a place in another subdistrict is refused
	}
	k, err := h.Cases.Report(c.ctx, actor, in)
	if err != nil {
		c.fail(err)
		return
	}
	if media != "" {
		// A report carries no attachments, so the client's media is added
		// as the case's first note. The case exists whatever happens here:
		// failing the request now would make the client send it again and
		// create a second case, so a failure is logged instead.
		_, err := h.Cases.Step(c.ctx, actor, k.ID, casework.StepInput{Action: casework.ActComment,
			Reason: "上报时附带的图片或视频 / media attached to the report", Photos: []string{media}})
		if err != nil {
			h.Log.ErrorContext(c.ctx, "open311: attaching media_url", "case", k.Number, "err", err)
		}
	}
	zh, en := c.jurisdictionName()
	c.ok(doc{root: "service_requests", value: list{item: "request", items: []any{obj{
		{"service_request_id", k.Number},
		{"service_notice", "已收到，案件编号 " + k.Number + "，由" + zh + "综合信息指挥室受理 / received as case " + k.Number + " by the " + en + " command center"},
		{"account_id", nil},
	}}}})
}

// reportInput reads a POST requests form into a report, and the media URL.
func (c *call) reportInput() (casework.ReportInput, string, error) {
	var in casework.ReportInput
	code := c.param("service_code")
	if code == "" {
		return in, "", missing("service_code")
	}
	svc, err := c.offered(code)
	if err != nil {
		return in, "", err
	}
	if svc == nil {
		return in, "", badRequest("service_code 不存在："+code, "unknown service_code: "+code)
	}
	in.Category = svc.Code

	lat, long := c.param("lat"), c.param("long")
	address, addressID := c.param("address_string"), c.param("address_id")
	switch {
	case lat != "" || long != "":
		if lat == "" || long == "" {
			return in, "", badRequest("lat 和 long 须同时提供", "lat and long must be given together")
		}
		la, ok1 := geo.ParseDegrees(lat)
		lo, ok2 := geo.ParseDegrees(long)
		if !ok1 {
			return in, "", invalid("lat", lat)
		}
		if !ok2 {
			return in, "", invalid("long", long)
		}
		in.Lat, in.Lon = &la, &lo // WGS-84, as the spec says
	case address == "" && addressID == "":
		return in, "", badRequest("缺少位置：请提供 lat 和 long，或 address_string，或 address_id",
			"a location is required: lat and long, or address_string, or address_id")
	}
	// jiedao keeps no address register, so an address id is kept, named,
	// in the address text rather than dropped.
	switch {
	case addressID != "" && address != "":
		address += "（地址编号 " + addressID + "）"
	case addressID != "":
		address = "地址编号 " + addressID
	}
	in.Address = address

	desc := strings.TrimSpace(c.r.Form.Get("description"))
	if n := utf8.RuneCountInString(desc); n > maxDescription {
		return in, "", badRequest("description 不能超过4000字（现为"+strconv.Itoa(n)+"字）",
			"description must be at most 4000 characters (it has "+strconv.Itoa(n)+")")
	}
	if desc == "" {
		// A case needs details; the service's name and the place say what
		// the client reported.
		desc = svc.Name
		if address != "" {
			desc += "，" + address
		}
	}
	in.Details = desc

	in.Reporter = casework.Contact{Name: fullName(c.param("first_name"), c.param("last_name")), Phone: c.param("phone")}

	in.Attributes = map[string][]string{}
	for key, vals := range c.r.Form {
		if !strings.HasPrefix(key, "attribute[") {
			continue
		}
		m := attributeKeyRE.FindStringSubmatch(key)
		if m == nil {
			return in, "", badRequest("属性参数格式应为 attribute[代码] 或 attribute[代码][]："+key,
				"attribute parameters are attribute[CODE] or attribute[CODE][]: "+key)
		}
		in.Attributes[m[1]] = append(in.Attributes[m[1]], vals...)
	}
	// Only the attributes the service defines are checked; others, which
	// clients in the field add (FixMyStreet: its report id, title…), are
	// kept with the case for staff to read.
	in.Attributes, in.ExtraAttributes = svc.SplitAttributes(in.Attributes)

	media := c.param("media_url")
	if media != "" {
		if err := checkMediaURL(media); err != nil {
			return in, "", err
		}
	}
	return in, media, nil
}

// checkMediaURL accepts an absolute http or https URL, as the schemas'
// "format": "uri" asks of what jiedao later shows.
func checkMediaURL(s string) error {
	u, err := url.Parse(s)
	// Invalid UTF-8 passes url.Parse but not PostgreSQL (found by FuzzPostRequestForm).
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 1000 || !utf8.ValidString(s) {
		return badRequest("media_url 应为 http 或 https 开头的完整网址："+s, "media_url must be an absolute http or https URL: "+s)
	}
	return nil
}

// isMediaURL tells an attachment that is a URL from a stored file name.
func isMediaURL(s string) bool { return checkMediaURL(s) == nil }

// fullName joins a given and a family name: family name first and no
// space for Chinese names (王 + 小明 → 王小明), given name first otherwise.
func fullName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case hasHan(first) || hasHan(last):
		return last + first
	}
	return first + " " + last
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// lookups are what rendering requests needs besides the cases.
type lookups struct {
	cats    map[string]*casework.Category
	units   map[int64]string
	command string // who is responsible before a case is dispatched
}

func (c *call) lookups() (*lookups, error) {
	cats, err := c.h.Cases.Categories(c.ctx)
	if err != nil {
		return nil, err
	}
	units, err := c.h.Org.ListUnits(c.ctx)
	if err != nil {
		return nil, err
	}
	zh, _ := c.jurisdictionName()
	lk := &lookups{cats: map[string]*casework.Category{}, units: map[int64]string{}, command: zh + "综合信息指挥室"}
	for _, k := range cats {
		lk.cats[k.Code] = k
	}
	for _, u := range units {
		lk.units[u.ID] = u.Name
		if u.Kind == org.UnitCommand && (c.jur == nil || u.JurisdictionID == c.jur.ID) {
			lk.command = u.Name
		}
	}
	return lk, nil
}

// truncate cuts s to n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// requestObj renders one case as a request. Its events give the status
// notes and the media.
func (c *call) requestObj(lk *lookups, k *casework.Case) (obj, error) {
	events, err := c.h.Cases.PublicEvents(c.ctx, k)
	if err != nil {
		return nil, err
	}
	notes := k.Status.Zh() + "（" + string(k.Status) + "）"
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.To == k.Status && e.From != e.To {
			if e.Reason != "" {
				notes += "：" + e.Reason
			}
			break
		}
	}
	parent := ""
	if k.Status == casework.StatusMerged && k.MergedInto != 0 {
		if p, err := c.h.Cases.Get(c.ctx, org.SystemActor(), k.MergedInto); err == nil {
			parent = p.Number
			notes += "：与案件 " + p.Number + " 重复 / duplicate of " + p.Number
		} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return nil, err
		}
	}
	media := ""
	for _, e := range events {
		if i := slices.IndexFunc(e.Payload.Photos, isMediaURL); i >= 0 {
			media = e.Payload.Photos[i]
			break
		}
	}
	name := k.Category
	if cat := lk.cats[k.Category]; cat != nil {
		name = cat.Name
	}
	agency := lk.command
	if u, ok := lk.units[k.UnitID]; ok {
		agency = u
	}
	updated := k.UpdatedAt
	if !k.Status.Open() && k.ClosedAt != nil {
		updated = *k.ClosedAt // the spec: for a closed request, when it was closed
	}
	var expected *time.Time
	if k.Status.Open() && k.Status != casework.StatusHung && k.Deadlines.Close != nil {
		expected = &k.Deadlines.Close.Due
	}
	var lat, long any
	if k.Location != nil {
		lat, long = k.Location.Lat, k.Location.Lon
	}
	ext := obj{
		{"status", caseExtended(k)},
		{"jiedao_status", string(k.Status)},
		{"status_zh", k.Status.Zh()},
		{"title", k.Title},
		{"channel", string(k.Channel)},
	}
	if k.Rating != "" {
		ext = append(ext,
			field{"rating", string(k.Rating)},
			field{"rating_zh", ratingZh(k.Rating)},
			field{"rating_comment", str(k.RatingNote)},
			field{"rated_datetime", stampPtr(k.RatedAt)})
	}
	if parent != "" {
		ext = append(ext, field{"parent_service_request_id", parent})
	}
	return obj{
		{"service_request_id", k.Number},
		{"status", basic(k.Status)},
		{"status_notes", notes},
		{"service_name", name},
		{"service_code", k.Category},
		{"description", truncate(k.Details, maxDescription)},
		{"agency_responsible", agency},
		{"service_notice", nil},
		{"requested_datetime", stamp(k.ReportedAt)},
		{"updated_datetime", stamp(updated)},
		{"expected_datetime", stampPtr(expected)},
		{"address", str(k.Address)},
		{"address_id", nil},
		{"zipcode", nil},
		{"lat", lat},
		{"long", long},
		{"media_url", str(media)},
		{"extended_attributes", ext},
	}, nil
}

// ratingZh names a rating in Chinese.
func ratingZh(r casework.Rating) string {
	switch r {
	case casework.RatingSatisfied:
		return "满意"
	case casework.RatingBasic:
		return "基本满意"
	case casework.RatingUnsatisfied:
		return "不满意"
	}
	return string(r)
}

// requestsDoc renders cases as the spec's list of requests.
func (c *call) requestsDoc(cases []*casework.Case) (doc, error) {
	lk, err := c.lookups()
	if err != nil {
		return doc{}, err
	}
	items := make([]any, 0, len(cases))
	for _, k := range cases {
		o, err := c.requestObj(lk, k)
		if err != nil {
			return doc{}, err
		}
		items = append(items, o)
	}
	return doc{root: "service_requests", value: list{item: "request", items: items}}, nil
}

// Request answers requests/{id}.json and .xml: one request by its number.
func (h *Handler) Request(w http.ResponseWriter, r *http.Request) {
	c, a, number := h.beginRead(w, r, r.PathValue("id"))
	if c == nil {
		return
	}
	k, err := h.Cases.PublicGet(c.ctx, a, number)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !c.inScope(k)) {
		c.fail(notFound("service_request_id 不存在："+number, "service_request_id not found: "+number))
		return
	} else if err != nil {
		c.fail(err)
		return
	}
	d, err := c.requestsDoc([]*casework.Case{k})
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(d)
}

// Token answers tokens/{token}.json and .xml. jiedao makes the case while
// the client waits, so POST requests returns the service_request_id and
// no token (services are "realtime"); a client that asks anyway may use
// the case number as its token, which maps to itself.
func (h *Handler) Token(w http.ResponseWriter, r *http.Request) {
	c, a, token := h.beginRead(w, r, r.PathValue("token"))
	if c == nil {
		return
	}
	k, err := h.Cases.PublicGet(c.ctx, a, token)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !c.inScope(k)) {
		c.fail(notFound("token 不存在："+token, "token not found: "+token))
		return
	} else if err != nil {
		c.fail(err)
		return
	}
	c.ok(doc{root: "service_requests", value: list{item: "request", items: []any{obj{
		{"service_request_id", k.Number},
		{"token", token},
	}}}})
}

// splitList reads a comma-separated parameter, given once or repeated.
func (c *call) splitList(name string) []string {
	var out []string
	for _, v := range c.r.Form[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Requests answers GET requests.json and .xml: by service_request_id (a
// comma list, which overrides every other parameter, as the spec says), or
// a search by service_code, status, start_date and end_date, newest first,
// a page at a time (page from 1, page_size up to 1000, 50 by default).
// Without dates the search covers the most recent 90 days.
func (h *Handler) Requests(w http.ResponseWriter, r *http.Request) {
	c, a, _ := h.beginRead(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	var err error
	var cases []*casework.Case
	if ids := c.splitList("service_request_id"); len(ids) > 0 {
		if len(ids) > maxPageSize {
			c.fail(badRequest("service_request_id 一次最多1000个", "at most 1000 service_request_id at once"))
			return
		}
		for _, id := range ids {
			k, err := h.Cases.PublicGet(c.ctx, a, id)
			if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !c.inScope(k)) {
				continue // a list answers with what it found
			} else if err != nil {
				c.fail(err)
				return
			}
			cases = append(cases, k)
		}
	} else {
		cases, err = c.search()
		if err != nil {
			c.fail(err)
			return
		}
	}
	d, err := c.requestsDoc(cases)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(d)
}

// search runs the GET requests search.
func (c *call) search() ([]*casework.Case, error) {
	var f casework.Filter
	codes := c.splitList("service_code")
	if len(codes) > 0 {
		svcs, _, err := c.services()
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			if !slices.ContainsFunc(svcs, func(s *casework.Category) bool { return s.Code == code }) {
				return nil, badRequest("service_code 不存在："+code, "unknown service_code: "+code)
			}
		}
	}
	var open, closed bool
	for _, s := range c.splitList("status") {
		switch strings.ToLower(s) {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			return nil, badRequest("status 应为 open 或 closed："+s, "status must be open or closed: "+s)
		}
	}
	if open != closed {
		for _, s := range casework.Statuses() {
			if s.Open() == open {
				f.Statuses = append(f.Statuses, s)
			}
		}
	}
	from, to, err := c.dateRange(defaultSpan)
	if err != nil {
		return nil, err
	}
	f.From, f.To = from, to
	page, err := c.positive("page", 1)
	if err != nil {
		return nil, err
	}
	size, err := c.positive("page_size", defaultPageSize)
	if err != nil {
		return nil, err
	}
	size = min(size, maxPageSize)
	if page > 1_000_000 {
		return nil, invalid("page", c.param("page"))
	}
	f.Limit, f.Offset = size, (page-1)*size
	if c.jur != nil {
		f.Jurisdiction = c.jur.ID // the subdistrict jurisdiction_id selected (checkJurisdiction)
	}
	if len(codes) <= 1 {
		if len(codes) == 1 {
			f.Category = codes[0]
		}
		cases, _, err := c.h.Cases.PublicList(c.ctx, f)
		return cases, err
	}
	// The store filters by one category at a time: read the first
	// offset+limit of each and merge them in the store's order (newest
	// first, then the higher id).
	want := f.Offset + f.Limit
	if want > maxMergedDepth {
		return nil, badRequest("指定多个 service_code 时只能翻阅前10000条，请缩小日期范围",
			"with several service_code only the first 10000 results can be paged: narrow the dates")
	}
	var all []*casework.Case
	for _, code := range codes {
		each := f
		each.Category = code
		for got := 0; got < want; {
			each.Offset, each.Limit = got, min(want-got, maxPageSize)
			part, _, err := c.h.Cases.PublicList(c.ctx, each)
			if err != nil {
				return nil, err
			}
			all = append(all, part...)
			got += len(part)
			if len(part) < each.Limit {
				break
			}
		}
	}
	slices.SortFunc(all, func(a, b *casework.Case) int {
		if n := b.ReportedAt.Compare(a.ReportedAt); n != 0 {
			return n
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if f.Offset >= len(all) {
		return []*casework.Case{}, nil
	}
	return all[f.Offset:min(len(all), f.Offset+f.Limit)], nil
}

// positive reads an optional positive integer parameter.
func (c *call) positive(name string, def int) (int, error) {
	v := c.param(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badRequest(name+" 应为正整数："+strconv.Quote(v), name+" must be a positive integer: "+strconv.Quote(v))
	}
	return n, nil
}

// dateLayouts are the W3C datetime forms accepted, most complete first;
// those without a zone are China Standard Time.
var dateLayouts = []struct {
	layout string
	zoned  bool
	day    bool
}{
	{time.RFC3339Nano, true, false},
	{"2006-01-02T15:04:05Z0700", true, false},
	{"2006-01-02T15:04Z07:00", true, false},
	{"2006-01-02T15:04:05", false, false},
	{"2006-01-02T15:04", false, false},
	{"2006-01-02", false, true},
}

// parseDate reads start_date or end_date. A date without a time is the
// whole day; end is true for end_date, whose day ends at the next
// midnight and whose time is included.
func parseDate(name, v string, end bool) (time.Time, error) {
	// An unencoded "+" in a query string arrives as a space.
	v = strings.Replace(strings.TrimSpace(v), " ", "+", 1)
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, v)
		} else {
			t, err = time.ParseInLocation(l.layout, v, calendar.Zone())
		}
		if err != nil {
			continue
		}
		switch {
		case end && l.day:
			t = t.AddDate(0, 0, 1)
		case end:
			t = t.Add(time.Microsecond) // storage keeps microseconds
		}
		return t, nil
	}
	return time.Time{}, badRequest(name+" 应为 W3C 日期时间，如 2024-06-11T09:00:00+08:00："+strconv.Quote(v),
		name+" must be a W3C datetime such as 2024-06-11T09:00:00+08:00: "+strconv.Quote(v))
}

// dateRange reads start_date and end_date as [from, to). Without either,
// the range is the span before now; with one, it runs from it to now or
// up to it from the start.
func (c *call) dateRange(span time.Duration) (from, to time.Time, err error) {
	s, e := c.param("start_date"), c.param("end_date")
	if s != "" {
		if from, err = parseDate("start_date", s, false); err != nil {
			return
		}
	}
	if e != "" {
		if to, err = parseDate("end_date", e, true); err != nil {
			return
		}
	}
	switch {
	case s == "" && e == "":
		to = c.h.Cases.Now().Add(time.Microsecond)
		from = to.Add(-span)
	case e == "":
		to = c.h.Cases.Now().Add(time.Microsecond)
	case s == "":
		from = to.Add(-span)
	}
	if !from.Before(to) {
		return from, to, badRequest("start_date 须早于 end_date", "start_date must be before end_date")
	}
	return from, to, nil
}
