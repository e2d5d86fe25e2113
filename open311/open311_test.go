package open311_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// latLong gives a grid's fixture point as Open311 form values.
func (e *env) latLong(gridID int64) (string, string) {
	p := e.fx.Points[gridID]
	return strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
}

var requestSchema = schemaRef{file: "requests.json", extra: "extended"}

func TestDiscoveryServicesAndDefinitions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		d := e.both("/open311/v2/discovery.{fmt}", nil, 200, schemaRef{own: "discovery"}, "discovery", "")
		ep := field(d, "endpoints", 0)
		if field(ep, "url") != e.url+"/open311/v2/" || field(ep, "type") != "production" {
			t.Fatalf("discovery endpoint: %v", ep)
		}
		if !strings.Contains(field(d, "contact").(string), "古荡街道") {
			t.Fatalf("discovery contact: %v", field(d, "contact"))
		}
		// jurisdiction_id is the division code; another is 404.
		e.both("/open311/v2/discovery.{fmt}", form("jurisdiction_id", "330106007"), 200, schemaRef{own: "discovery"}, "discovery", "")
		e.fails("GET", "/open311/v2/discovery.{fmt}?jurisdiction_id=330106999", nil, 404, "jurisdiction_id 不存在")

		svcs := e.both("/open311/v2/services.{fmt}", form("jurisdiction_id", "330106007"), 200, schemaRef{file: "services.json"}, "services", "service").([]any)
		var codes []string
		for _, s := range svcs {
			codes = append(codes, field(s, "service_code").(string))
		}
		// Minor categories only, in code order; the majors 01 and 02 group them.
		if want := []string{"0101", "0102", "0201", CatNoise}; !slices.Equal(codes, want) {
			t.Fatalf("services %v, want %v", codes, want)
		}
		trash, piled, noise := svcs[0], svcs[1], svcs[3]
		if field(trash, "service_name") != "暴露垃圾" || field(trash, "group") != "市容环境" || field(trash, "keywords") != "垃圾,垃圾桶" ||
			field(trash, "metadata") != false || field(trash, "type") != "realtime" || field(trash, "description") != nil {
			t.Fatalf("service 0101: %v", trash)
		}
		if field(piled, "metadata") != true || field(noise, "group") != "街面秩序" || field(noise, "description") != "施工、商铺、车辆等噪声扰民" {
			t.Fatalf("services 0102, 0202: %v %v", piled, noise)
		}
		e.fails("GET", "/open311/v2/services.{fmt}?jurisdiction_id=110101001", nil, 404, "jurisdiction_id")

		def := e.both("/open311/v2/services/0102.{fmt}", nil, 200, schemaRef{file: "service-definition.json"}, "service_definition", "")
		attr := field(def, "attributes", 0)
		if field(def, "service_code") != "0102" || field(attr, "code") != "material" || field(attr, "datatype") != "singlevaluelist" ||
			field(attr, "required") != true || field(attr, "variable") != true || field(attr, "order").(json.Number).String() != "1" ||
			field(attr, "description") != "堆放物料" || field(attr, "values", 1, "key") != "brick" || field(attr, "values", 1, "name") != "砖块" ||
			!strings.Contains(field(attr, "datatype_description").(string), "key") {
			t.Fatalf("definition of 0102: %v", def)
		}
		def = e.both("/open311/v2/services/"+CatNoise+".{fmt}", nil, 200, schemaRef{file: "service-definition.json"}, "service_definition", "")
		var order []string
		for _, a := range field(def, "attributes").([]any) {
			order = append(order, field(a, "code").(string)+":"+field(a, "datatype").(string))
		}
		if want := []string{"sources:multivaluelist", "level:number", "since:datetime", "note:text", "floor:string", "hint:string"}; !slices.Equal(order, want) {
			t.Fatalf("attributes in order %v, want %v", order, want)
		}
		if field(def, "attributes", 5, "variable") != false || field(def, "attributes", 5, "values") != nil {
			t.Fatalf("informational attribute: %v", field(def, "attributes", 5))
		}
		// A category without attributes has an empty list.
		def = e.both("/open311/v2/services/0101.{fmt}", nil, 200, schemaRef{file: "service-definition.json"}, "service_definition", "")
		if a := field(def, "attributes").([]any); len(a) != 0 {
			t.Fatalf("0101 attributes: %v", a)
		}
		// Without a suffix an item answers JSON.
		e.checkJSON(e.get("/open311/v2/services/0102", nil), 200, schemaRef{file: "service-definition.json"})

		e.fails("GET", "/open311/v2/services/9999.{fmt}", nil, 404, "service_code 不存在：9999")
		e.fails("GET", "/open311/v2/services/01.{fmt}", nil, 404, "service_code 不存在：01") // a major category
		e.fails("GET", "/open311/v2/services/0102.{fmt}?jurisdiction_id=x", nil, 404, "jurisdiction_id")
		e.fails("GET", "/open311/v2/nothing.{fmt}", nil, 404, "没有这个 Open311 资源")
		e.fails("PUT", "/open311/v2/requests.{fmt}", nil, 404, "没有这个 Open311 资源")
	})
}

func TestPostRequests(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW2.ID)

		// JSON, with a location, a reporter, media and a required attribute.
		f := form("api_key", e.key, "jurisdiction_id", "330106007", "service_code", fixture.CatPiledMaterial,
			"lat", lat, "long", long, "description", "文华路口人行道上堆了沙子，联系人王先生13900001111",
			"first_name", "小明", "last_name", "王", "phone", "13812345678", "email", "wang@example.cn",
			"device_id", "ios-1", "account_id", "42", "media_url", "https://img.example.cn/sand.jpg", "attribute[material]", "sand")
		v := e.checkJSON(e.post("/open311/v2/requests.json", f), 200, schemaRef{own: "post-requests"})
		number := field(v, 0, "service_request_id").(string)
		if !strings.HasPrefix(number, "20240611-") || field(v, 0, "token") != nil || !strings.Contains(field(v, 0, "service_notice").(string), number) {
			t.Fatalf("answer: %v", v)
		}
		c := e.staffCase(number)
		if c.Channel != casework.ChannelXihuCode || c.ClientID != e.client.ID || c.Category != fixture.CatPiledMaterial ||
			c.GridID != e.fx.GridW2.ID || c.Reporter.Name != "王小明" || c.Reporter.Phone != "13812345678" ||
			c.Attributes["material"] != "sand" || c.SuggestedUnit != e.fx.Chengguan.ID {
			t.Fatalf("stored case: %+v", c)
		}
		events, err := e.svc.Events(context.Background(), e.fx.Actor(org.RoleDispatcher), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].ActorKind != string(org.ActorClient) || events[0].ActorID != e.client.ID ||
			events[1].Action != casework.ActComment || !slices.Equal(events[1].Payload.Photos, []string{"https://img.example.cn/sand.jpg"}) {
			t.Fatalf("events: %+v %+v", events[0], events[len(events)-1])
		}

		// XML, with api_key and jurisdiction_id in the query string, an
		// address instead of a point, and a multi-value list in both forms.
		r := e.do("POST", "/open311/v2/requests.xml?api_key="+url.QueryEscape(e.otherKey)+"&jurisdiction_id=330106007",
			form("service_code", CatNoise, "address_string", "古荡街道文二路 188 号", "first_name", "John", "last_name", "Smith",
				"attribute[sources][]", "construction", "attribute[sources][]", "shop", "attribute[level]", "85.5",
				"attribute[since]", "2024-06-10T22:00:00+08:00", "attribute[floor]", "3楼"), nil)
		x := e.checkXML(r, 200, "service_requests")
		if len(x.kids) != 1 || x.kids[0].name != "request" || x.kids[0].kids[0].name != "service_request_id" {
			t.Fatalf("XML answer: %s", r.body)
		}
		noise := e.staffCase(x.kids[0].kids[0].text)
		if noise.Channel != casework.ChannelOther || noise.ClientID != e.other.ID || noise.Address != "古荡街道文二路 188 号" ||
			noise.Location != nil || noise.Reporter.Name != "John Smith" || noise.Details != "噪声扰民，古荡街道文二路 188 号" ||
			!sliceOfStrings(noise.Attributes["sources"], "construction", "shop") ||
			noise.Attributes["level"] != 85.5 {
			t.Fatalf("stored case: %+v", noise)
		}

		// address_id alone, and the key in a header.
		r = e.do("POST", "/open311/v2/requests.json", form("service_code", "0101", "address_id", "GD-0042", "description", "垃圾桶满溢"),
			map[string]string{"X-API-Key": e.key})
		v = e.checkJSON(r, 200, schemaRef{own: "post-requests"})
		if c := e.staffCase(field(v, 0, "service_request_id").(string)); c.Address != "地址编号 GD-0042" || c.ClientID != e.client.ID {
			t.Fatalf("address id: %+v", c)
		}
	})
}

// sliceOfStrings checks a decoded multi-value attribute.
func sliceOfStrings(v any, want ...string) bool {
	switch v := v.(type) {
	case []string:
		return slices.Equal(v, want)
	case []any:
		if len(v) != len(want) {
			return false
		}
		for i := range v {
			if v[i] != want[i] {
				return false
			}
		}
		return true
	}
	return false
}

func TestPostRequestErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lat, long := e.latLong(e.fx.GridW1.ID)
		base := func(kv ...string) url.Values {
			f := form("api_key", e.key, "service_code", fixture.CatExposedTrash, "lat", lat, "long", long, "description", "垃圾")
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					f.Del(kv[i])
				} else {
					f.Set(kv[i], kv[i+1])
				}
			}
			return f
		}
		p := "/open311/v2/requests.{fmt}"
		e.fails("POST", p, base("api_key", ""), 403, "缺少 api_key / api_key is required")
		e.fails("POST", p, base("api_key", "jd_not-a-key"), 403, "api_key 无效")
		e.fails("POST", p, base("api_key", e.revokedKey), 403, "api_key 无效或已吊销")

		e.fails("POST", p, base("jurisdiction_id", "330106999"), 404, "jurisdiction_id 不存在：330106999")
		e.fails("POST", p, base("service_code", ""), 400, "缺少 service_code / service_code is required")
		e.fails("POST", p, base("service_code", "9999"), 400, "service_code 不存在：9999")
		e.fails("POST", p, base("service_code", "01"), 400, "service_code 不存在：01")
		e.fails("POST", p, base("lat", "", "long", ""), 400, "缺少位置")
		e.fails("POST", p, base("long", ""), 400, "lat 和 long 须同时提供")
		e.fails("POST", p, base("lat", "北纬30度"), 400, "lat 无效")
		e.fails("POST", p, base("lat", "95"), 400, "经纬度超出范围")
		e.fails("POST", p, base("description", strings.Repeat("脏", 4001)), 400, "description 不能超过4000字")
		e.fails("POST", p, base("media_url", "sand.jpg"), 400, "media_url")
		e.fails("POST", p, base("phone", strings.Repeat("1", 31)), 400, "电话")
		// Attributes: missing required, a value not in the list, a malformed
		// name, a bad number or datetime (a code the service does not have is
		// kept: TestUnknownAttributesAreKeptWithTheCase).
		e.fails("POST", p, base("service_code", fixture.CatPiledMaterial), 400, "必填项未填写：堆放物料")
		e.fails("POST", p, base("service_code", fixture.CatPiledMaterial, "attribute[material]", "gold"), 400, "不是可选的值：gold")
		e.fails("POST", p, base("service_code", CatNoise, "attribute[sources][]", "aircraft"), 400, "不是可选的值：aircraft")
		e.fails("POST", p, base("service_code", CatNoise), 400, "必填项未填写：噪声来源")
		e.fails("POST", p, base("attribute[a][b]", "x"), 400, "attribute[代码]")
		e.fails("POST", p, base("service_code", CatNoise, "attribute[sources]", "shop", "attribute[level]", "loud"), 400, "应为数字")
		e.fails("POST", p, base("service_code", CatNoise, "attribute[sources]", "shop", "attribute[since]", "昨晚"), 400, "日期时间格式")
		twice := base("service_code", fixture.CatPiledMaterial, "attribute[material]", "sand")
		twice.Add("attribute[material]", "brick")
		e.fails("POST", p, twice, 400, "只能有一个值")
		if n := e.caseCount(); n != 0 {
			t.Fatalf("%d cases after refused reports", n)
		}
	})
}

// walk makes cases in every state and returns their numbers.
type walked struct {
	fixed, rejected, merged, voided, referred, hung, open, closedUnverified, old string
}

func (e *env) walk() walked {
	e.t.Helper()
	var w walked
	d, u := e.fx.Actor(org.RoleDispatcher), e.fx.Actor(org.RoleUnitHandler)
	lat, long := e.latLong(e.fx.GridW2.ID)
	report := func(code, desc string, kv ...string) string {
		f := form("service_code", code, "lat", lat, "long", long, "description", desc,
			"first_name", "小明", "last_name", "王", "phone", "13812345678")
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return e.report(f)
	}
	// A report 100 days ago: outside the default 90-day search.
	e.clock.Set(time.Date(2024, 3, 1, 10, 0, 0, 0, calendar.Zone()))
	w.old = report(fixture.CatExposedTrash, "旧案：垃圾桶破损")
	e.clock.Set(time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone()))

	w.fixed = report(fixture.CatPiledMaterial, "人行道堆沙，联系人王先生13900001111/13900002222，座机88001234", "attribute[material]", "sand", "media_url", "https://img.example.cn/sand.jpg")
	tick := func() { e.clock.Advance(10 * time.Minute) }
	tick()
	e.step(d, w.fixed, casework.StepInput{Action: casework.ActAccept})
	tick()
	e.step(d, w.fixed, casework.StepInput{Action: casework.ActDispatch, UnitID: e.fx.Chengguan.ID})
	tick()
	e.step(u, w.fixed, casework.StepInput{Action: casework.ActSign})
	tick()
	e.step(u, w.fixed, casework.StepInput{Action: casework.ActStart})
	tick()
	e.step(u, w.fixed, casework.StepInput{Action: casework.ActHandle, Reason: "已清理", Photos: []string{"after-2.jpg", "https://img.example.cn/after-1.jpg"}})
	tick()
	e.step(d, w.fixed, casework.StepInput{Action: casework.ActVerify})
	tick()
	e.step(d, w.fixed, casework.StepInput{Action: casework.ActClose})
	tick()
	e.step(d, w.fixed, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingSatisfied, Comment: "回访：满意"})

	tick()
	w.rejected = report(fixture.CatExposedTrash, "隔壁街道的垃圾")
	e.step(d, w.rejected, casework.StepInput{Action: casework.ActReject, Reason: "非本街道辖区，已告知报事人拨打12345"})
	tick()
	w.merged = report(fixture.CatPiledMaterial, "又是那堆沙子", "attribute[material]", "sand")
	e.step(d, w.merged, casework.StepInput{Action: casework.ActAccept})
	e.step(d, w.merged, casework.StepInput{Action: casework.ActMerge, MergeInto: e.staffCase(w.fixed).ID})
	tick()
	w.voided = report(fixture.CatExposedTrash, "测试")
	e.step(d, w.voided, casework.StepInput{Action: casework.ActVoid, Reason: "测试数据"})
	tick()
	w.referred = report(CatNoise, "工地夜间施工", "attribute[sources][]", "construction")
	e.step(d, w.referred, casework.StepInput{Action: casework.ActAccept})
	e.step(d, w.referred, casework.StepInput{Action: casework.ActEscalate, Reason: "涉及区级工地，需区建设局处理"})
	tick()
	w.hung = report(fixture.CatExposedTrash, "历史遗留的垃圾堆")
	e.step(d, w.hung, casework.StepInput{Action: casework.ActAccept})
	e.step(d, w.hung, casework.StepInput{Action: casework.ActHang, Reason: "产权不清，暂无法处置"})
	tick()
	w.closedUnverified = report(CatNoise, "商铺音响", "attribute[sources][]", "shop")
	e.step(d, w.closedUnverified, casework.StepInput{Action: casework.ActAccept})
	e.step(d, w.closedUnverified, casework.StepInput{Action: casework.ActEscalate, Reason: "转区综合执法局"})
	e.step(d, w.closedUnverified, casework.StepInput{Action: casework.ActClose})
	tick()
	w.open = report(fixture.CatStreetVendor, "占道摆摊")
	tick()
	return w
}

func ids(v any) []string {
	var out []string
	for _, r := range v.([]any) {
		out = append(out, field(r, "service_request_id").(string))
	}
	return out
}

func TestRequestsTokensAndStatuses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.walk()
		one := func(number string) any {
			t.Helper()
			v := e.both("/open311/v2/requests/"+number+".{fmt}", nil, 200, requestSchema, "service_requests", "request")
			if n := len(v.([]any)); n != 1 {
				t.Fatalf("requests/%s: %d requests", number, n)
			}
			return field(v, 0)
		}
		// The mapping of statuses, and the rating.
		for _, c := range []struct {
			number, status, extended, jiedao string
		}{
			{w.fixed, "closed", "FIXED", "closed"},
			{w.rejected, "closed", "NOT_COUNCILS_RESPONSIBILITY", "rejected"},
			{w.merged, "closed", "DUPLICATE", "merged"},
			{w.referred, "open", "INTERNAL_REFERRAL", "escalated"},
			{w.hung, "open", "UNABLE_TO_FIX", "hung"},
			{w.closedUnverified, "closed", "CLOSED", "closed"},
			{w.open, "open", "OPEN", "reported"},
		} {
			r := one(c.number)
			if field(r, "status") != c.status || field(r, "extended_attributes", "status") != c.extended ||
				field(r, "extended_attributes", "jiedao_status") != c.jiedao {
				t.Fatalf("%s: status %v / %v / %v, want %s / %s / %s", c.number, field(r, "status"),
					field(r, "extended_attributes", "status"), field(r, "extended_attributes", "jiedao_status"), c.status, c.extended, c.jiedao)
			}
		}
		fixed := one(w.fixed)
		closedAt := e.staffCase(w.fixed).ClosedAt.Format(time.RFC3339)
		if field(fixed, "extended_attributes", "rating") != "satisfied" || field(fixed, "extended_attributes", "rating_zh") != "满意" ||
			field(fixed, "extended_attributes", "rating_comment") != "回访：满意" || field(fixed, "agency_responsible") != "城管科" ||
			field(fixed, "updated_datetime") != closedAt || field(fixed, "requested_datetime") != "2024-06-11T09:00:00+08:00" ||
			field(fixed, "media_url") != "https://img.example.cn/sand.jpg" || field(fixed, "service_name") != "乱堆物料" ||
			field(fixed, "expected_datetime") != nil || field(fixed, "lat") == nil {
			t.Fatalf("fixed request: %v", fixed)
		}
		// The phone number in the text is masked; the reporter never shows.
		if d := field(fixed, "description").(string); !strings.Contains(d, "王先生139****1111/139****2222，座机88001234") {
			t.Fatalf("description %q: the phone number should be masked", d)
		}
		if r := one(w.rejected); !strings.Contains(field(r, "status_notes").(string), "非本街道辖区") {
			t.Fatalf("rejected: status_notes %v", field(r, "status_notes"))
		}
		if r := one(w.merged); field(r, "extended_attributes", "parent_service_request_id") != w.fixed {
			t.Fatalf("merged: %v", r)
		}
		if r := one(w.open); field(r, "expected_datetime") != nil || field(r, "agency_responsible") != "综合信息指挥室" {
			t.Fatalf("open request: %v", r)
		}
		if r := one(w.referred); field(r, "expected_datetime") == nil {
			t.Fatalf("an accepted case has a close deadline: %v", r)
		}

		// A voided case is not public, but its own client may look it up.
		e.fails("GET", "/open311/v2/requests/"+w.voided+".{fmt}", nil, 404, "service_request_id 不存在")
		e.fails("GET", "/open311/v2/requests/"+w.voided+".{fmt}?api_key="+url.QueryEscape(e.otherKey), nil, 404, "service_request_id 不存在")
		e.fails("GET", "/open311/v2/requests/"+w.voided+".{fmt}?api_key=jd_wrong", nil, 403, "api_key 无效")
		v := e.both("/open311/v2/requests/"+w.voided+".{fmt}", form("api_key", e.key), 200, requestSchema, "service_requests", "request")
		if field(v, 0, "extended_attributes", "status") != "NO_FURTHER_ACTION" || field(v, 0, "status") != "closed" {
			t.Fatalf("voided, to its client: %v", v)
		}
		e.fails("GET", "/open311/v2/requests/20240611-9999.{fmt}", nil, 404, "service_request_id 不存在：20240611-9999")

		// Tokens: the case number.
		tok := e.both("/open311/v2/tokens/"+w.open+".{fmt}", nil, 200, schemaRef{own: "tokens"}, "service_requests", "request")
		if field(tok, 0, "service_request_id") != w.open || field(tok, 0, "token") != w.open {
			t.Fatalf("token: %v", tok)
		}
		e.fails("GET", "/open311/v2/tokens/nope.{fmt}", nil, 404, "token 不存在")

		// Searching: by default the last 90 days, newest first, voided left out.
		all := e.both("/open311/v2/requests.{fmt}", nil, 200, requestSchema, "service_requests", "request")
		want := []string{w.open, w.closedUnverified, w.hung, w.referred, w.merged, w.rejected, w.fixed}
		if got := ids(all); !slices.Equal(got, want) {
			t.Fatalf("default search %v, want %v", got, want)
		}
		search := func(q url.Values, want ...string) {
			t.Helper()
			v := e.both("/open311/v2/requests.{fmt}", q, 200, requestSchema, "service_requests", "request")
			if got := ids(v); !slices.Equal(got, want) {
				t.Fatalf("search %v: %v, want %v", q, got, want)
			}
		}
		search(form("status", "open"), w.open, w.hung, w.referred)
		search(form("status", "closed"), w.closedUnverified, w.merged, w.rejected, w.fixed)
		search(form("status", "open,closed"), want...)
		search(form("status", "open", "status", "closed"), want...)
		search(form("service_code", fixture.CatPiledMaterial), w.merged, w.fixed)
		search(form("service_code", fixture.CatPiledMaterial+","+CatNoise), w.closedUnverified, w.referred, w.merged, w.fixed)
		search(form("service_code", fixture.CatPiledMaterial+","+CatNoise, "page_size", "2", "page", "2"), w.merged, w.fixed)
		search(form("service_code", fixture.CatPiledMaterial, "status", "open"))
		search(form("page_size", "3", "page", "2"), w.referred, w.merged, w.rejected)
		search(form("page_size", "3", "page", "4"))
		search(form("start_date", "2024-03-01", "end_date", "2024-03-01"), w.old)
		search(form("start_date", "2024-02-01T00:00:00Z", "end_date", "2024-06-11T09:00:00+08:00"), w.fixed, w.old)
		search(form("start_date", "2024-06-11T10:25:00+08:00", "end_date", "2024-06-11T10:45"), w.merged, w.rejected)
		search(form("end_date", "2024-03-02"), w.old) // 90 days up to the end
		search(form("start_date", "2024-02-01 00:00:00"[:10]), append(slices.Clone(want), w.old)...)
		// A "+" sent unencoded arrives as a space; it is read as the "+" it was.
		r := e.get("/open311/v2/requests.json?start_date=2024-06-11T09:00:00+08:00&end_date=2024-06-11T09:00:00+08:00", nil)
		if got := ids(e.checkJSON(r, 200, requestSchema)); !slices.Equal(got, []string{w.fixed}) {
			t.Fatalf("unencoded +: %v", got)
		}
		// service_request_id overrides everything else; unknown ids are skipped.
		search(form("service_request_id", w.fixed+","+w.voided+",20240611-9999", "status", "open", "start_date", "nonsense"), w.fixed)
		search(form("service_request_id", w.fixed+","+w.voided, "api_key", e.key), w.fixed, w.voided)

		for _, c := range []struct{ q, want string }{
			{"start_date=yesterday", "start_date 应为 W3C 日期时间"},
			{"end_date=2024-13-01", "end_date 应为 W3C 日期时间"},
			{"start_date=2024-06-12&end_date=2024-06-11", "start_date 须早于 end_date"},
			{"status=pending", "status 应为 open 或 closed"},
			{"service_code=9999", "service_code 不存在：9999"},
			{"service_code=0101,01", "service_code 不存在：01"},
			{"page=0", "page 应为正整数"},
			{"page_size=many", "page_size 应为正整数"},
			{"jurisdiction_id=330106000", "jurisdiction_id 不存在"},
			{"api_key=jd_revoked", "api_key 无效"},
		} {
			status := 400
			switch {
			case strings.HasPrefix(c.q, "jurisdiction"):
				status = 404
			case strings.HasPrefix(c.q, "api_key"):
				status = 403
			}
			e.fails("GET", "/open311/v2/requests.{fmt}?"+c.q, nil, status, c.want)
		}
		// page_size above 1000 is read as 1000.
		e.checkJSON(e.get("/open311/v2/requests.json?page_size=5000", nil), 200, requestSchema)

		// Nothing public names the reporter or shows the numbers.
		for _, path := range []string{"/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/requests/" + w.fixed + ".xml",
			"/open311/v2/servicerequestupdates.json?start_date=2024-06-10", "/open311/v2/servicerequestupdates.xml?service_request_id=" + w.fixed} {
			body := string(e.get(path, nil).body)
			for _, secret := range []string{"王小明", "13812345678", "13900001111", "13900002222", "李调度", "钱经办"} {
				if strings.Contains(body, secret) {
					t.Fatalf("%s shows %q:\n%.1000s", path, secret, body)
				}
			}
		}
	})
}

func TestServiceRequestUpdates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.walk()
		upd := schemaRef{own: "updates"}
		v := e.both("/open311/v2/servicerequestupdates.{fmt}", form("service_request_id", w.fixed), 200, upd, "service_requests_updates", "request_update")
		type row struct{ status, desc string }
		var got []row
		var updateIDs []string
		for _, u := range v.([]any) {
			if field(u, "service_request_id") != w.fixed {
				t.Fatalf("update of another request: %v", u)
			}
			got = append(got, row{field(u, "status").(string), field(u, "description").(string)})
			updateIDs = append(updateIDs, field(u, "update_id").(string))
		}
		want := []row{
			{"OPEN", "上报时附带的图片或视频 / media attached to the report"},
			{"INVESTIGATING", "受理"},
			{"ACTION_SCHEDULED", "派遣至城管科"},
			{"ACTION_SCHEDULED", "签收"},
			{"IN_PROGRESS", "开始处置"},
			{"IN_PROGRESS", "处置反馈：已清理"},
			{"FIXED", "核查通过"},
			{"FIXED", "结案"},
			{"FIXED", "评价：满意。回访：满意"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("updates of the fixed case:\n got %v\nwant %v", got, want)
		}
		if field(v, 0, "media_url") != "https://img.example.cn/sand.jpg" || field(v, 5, "media_url") != "https://img.example.cn/after-1.jpg" ||
			field(v, 1, "media_url") != nil || field(v, 5, "external_status_code") != "handled" || field(v, 1, "updated_datetime") != "2024-06-11T09:10:00+08:00" {
			t.Fatalf("update fields: %v", v)
		}
		// By id.
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", form("service_request_id", w.fixed, "update_id", updateIDs[2]+","+updateIDs[8]), 200, upd, "service_requests_updates", "request_update")
		if len(v.([]any)) != 2 || field(v, 0, "update_id") != updateIDs[2] {
			t.Fatalf("updates by id: %v", v)
		}
		// A window: the last 24 hours by default, which holds every step of
		// the walk but the old report; a rejection, an escalation, a hang.
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", nil, 200, upd, "service_requests_updates", "request_update")
		seen := map[string][]string{}
		for _, u := range v.([]any) {
			n := field(u, "service_request_id").(string)
			seen[n] = append(seen[n], field(u, "status").(string)+" "+field(u, "description").(string))
		}
		if len(seen[w.fixed]) != 9 || !slices.Equal(seen[w.rejected], []string{"NOT_COUNCILS_RESPONSIBILITY 不予受理：非本街道辖区，已告知报事人拨打12345"}) ||
			!slices.Equal(seen[w.closedUnverified], []string{"INVESTIGATING 受理", "INTERNAL_REFERRAL 上报上级：转区综合执法局", "CLOSED 结案"}) ||
			!slices.Equal(seen[w.hung], []string{"INVESTIGATING 受理", "UNABLE_TO_FIX 挂账：产权不清，暂无法处置"}) ||
			!slices.Equal(seen[w.merged], []string{"INVESTIGATING 受理", "DUPLICATE 合并"}) ||
			seen[w.voided] != nil || seen[w.open] != nil || seen[w.old] != nil {
			t.Fatalf("updates in the last day: %v", seen)
		}
		// A narrower window and the ids in it.
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", form("start_date", "2024-06-11T09:10:00+08:00", "end_date", "2024-06-11T09:20:00+08:00"), 200, upd, "service_requests_updates", "request_update")
		if len(v.([]any)) != 2 || field(v, 0, "description") != "受理" || field(v, 1, "description") != "派遣至城管科" {
			t.Fatalf("updates from 09:10 to 09:20: %v", v)
		}
		// Both ends are included, to the microsecond: the hung case's steps
		// were its last change, at 11:10 sharp.
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", form("start_date", "2024-06-11T11:10:00+08:00", "end_date", "2024-06-11T03:10:00Z"), 200, upd, "service_requests_updates", "request_update")
		if len(v.([]any)) != 2 || field(v, 0, "service_request_id") != w.hung || field(v, 1, "status") != "UNABLE_TO_FIX" {
			t.Fatalf("updates at 11:10: %v", v)
		}
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", form("start_date", "2024-06-11", "update_id", updateIDs[3]), 200, upd, "service_requests_updates", "request_update")
		if len(v.([]any)) != 1 || field(v, 0, "update_id") != updateIDs[3] {
			t.Fatalf("update by id in a window: %v", v)
		}
		for _, c := range []struct{ q, want string }{
			{"start_date=2024-01-01&end_date=2024-06-11", "最多90天"},
			{"start_date=soon", "start_date 应为 W3C 日期时间"},
			{"start_date=2024-06-11T10:00:00Z&end_date=2024-06-11T09:00:00Z", "start_date 须早于 end_date"},
			{"service_request_id=" + w.fixed + "&end_date=x", "end_date 应为 W3C 日期时间"},
		} {
			e.fails("GET", "/open311/v2/servicerequestupdates.{fmt}?"+c.q, nil, 400, c.want)
		}
		e.fails("GET", "/open311/v2/servicerequestupdates.{fmt}?jurisdiction_id=1", nil, 404, "jurisdiction_id 不存在")

		// A client adds a note to its own request.
		post := func(f url.Values, format string) resp { return e.post("/open311/v2/servicerequestupdates."+format, f) }
		e.clock.Advance(time.Hour)
		r := post(form("api_key", e.key, "jurisdiction_id", "330106007", "service_request_id", w.referred, "description", "噪声又出现了，凌晨两点",
			"status", "open", "updated_datetime", "2024-06-11T11:00:00+08:00", "media_url", "https://img.example.cn/night.mp4",
			"first_name", "小明", "email", "wang@example.cn"), "json")
		pv := e.checkJSON(r, 200, schemaRef{own: "post-updates"})
		id := field(pv, 0, "update_id").(string)
		v = e.both("/open311/v2/servicerequestupdates.{fmt}", form("service_request_id", w.referred, "update_id", id), 200, upd, "service_requests_updates", "request_update")
		if len(v.([]any)) != 1 || field(v, 0, "status") != "INTERNAL_REFERRAL" || field(v, 0, "media_url") != "https://img.example.cn/night.mp4" ||
			field(v, 0, "description") != "噪声又出现了，凌晨两点（客户端报告状态：OPEN / the client reports status OPEN）" {
			t.Fatalf("the note: %v", v)
		}
		ev, err := e.svc.Events(context.Background(), e.fx.Actor(org.RoleDispatcher), e.staffCase(w.referred).ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := ev[len(ev)-1]; last.Action != casework.ActComment || last.ActorKind != string(org.ActorClient) || last.ActorID != e.client.ID ||
			strings.Contains(last.Reason, "小明") {
			t.Fatalf("the note's event: %+v", last)
		}
		// In XML; a status equal to the current one adds nothing.
		x := e.checkXML(post(form("api_key", e.key, "service_request_id", w.referred, "description", "补充：工地在文三路", "status", "INTERNAL_REFERRAL"), "xml"), 200, "service_request_updates")
		if len(x.kids) != 1 || x.kids[0].name != "request_update" || x.kids[0].kids[0].name != "update_id" || x.kids[0].kids[0].text == "" {
			t.Fatalf("XML answer: %+v", x)
		}
		if c := e.staffCase(w.referred); c.Status != casework.StatusEscalated {
			t.Fatalf("a note changed the status to %s", c.Status)
		}
		p := "/open311/v2/servicerequestupdates.{fmt}"
		e.fails("POST", p, form("service_request_id", w.referred, "description", "x"), 403, "缺少 api_key")
		e.fails("POST", p, form("api_key", e.revokedKey, "service_request_id", w.referred, "description", "x"), 403, "api_key 无效")
		e.fails("POST", p, form("api_key", e.otherKey, "service_request_id", w.referred, "description", "x"), 404, "service_request_id 不存在")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", "20240611-9999", "description", "x"), 404, "service_request_id 不存在")
		e.fails("POST", p, form("api_key", e.key, "description", "x"), 400, "缺少 service_request_id")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred), 400, "缺少 description")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred, "description", strings.Repeat("吵", 1901)), 400, "description 不能超过1900字")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred, "description", "x", "status", "SOLVED"), 400, "status 无效：SOLVED")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred, "description", "x", "updated_datetime", "now"), 400, "updated_datetime")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred, "description", "x", "media_url", "ftp://x/y"), 400, "media_url")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.rejected, "description", "为什么不受理？"), 400, "不能补充说明")
		e.fails("POST", p, form("api_key", e.key, "service_request_id", w.referred, "description", "x", "jurisdiction_id", "9"), 404, "jurisdiction_id")
	})
}
