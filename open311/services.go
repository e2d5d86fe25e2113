package open311

import (
	"cmp"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
)

// Specification is the discovery document's name for GeoReport v2;
// clients pick the endpoint by it.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// changeset dates this implementation of the API, for discovery: clients
// compare it to learn that something changed.
const changeset = "2024-06-11T00:00:00+08:00"

// Discovery answers discovery.json and discovery.xml: where the endpoint
// is and what it speaks.
func (h *Handler) Discovery(w http.ResponseWriter, r *http.Request) {
	c, _ := h.begin(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	zh, en := c.jurisdictionName()
	c.ok(doc{root: "discovery", value: obj{
		{"changeset", changeset},
		{"contact", zh + "综合信息指挥室 / " + en + " command center"},
		{"key_service", "API 密钥由街道系统管理员发放（jiedao apikey create）/ API keys are issued by the office's administrator (jiedao apikey create)"},
		{"endpoints", list{item: "endpoint", items: []any{obj{
			{"specification", Specification},
			{"url", c.baseURL()},
			{"changeset", changeset},
			{"type", "production"},
			{"formats", list{item: "format", items: []any{"text/xml", "application/json"}}},
		}}}},
	}})
}

// services returns the categories Open311 offers, each with its major
// category: the active minor categories (小类), ordered by code. Major
// categories only group them; reports name a minor one.
func (c *call) services() ([]*casework.Category, map[string]*casework.Category, error) {
	cats, err := c.h.Cases.Categories(c.ctx)
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]*casework.Category{}
	var out []*casework.Category
	for _, k := range cats {
		byCode[k.Code] = k
		if k.Level() == 2 && k.Active {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *casework.Category) int { return cmp.Compare(a.Code, b.Code) })
	return out, byCode, nil
}

// service finds one offered service by its code; another code is nil.
func (c *call) service(code string) (*casework.Category, map[string]*casework.Category, error) {
	svcs, byCode, err := c.services()
	if err != nil {
		return nil, nil, err
	}
	for _, s := range svcs {
		if s.Code == code {
			return s, byCode, nil
		}
	}
	return nil, byCode, nil
}

// offered finds one offered service by its code, as service does, but
// reads that category only: every report names one, and listing them all
// for each report was a sixth of its cost. Another code is nil.
func (c *call) offered(code string) (*casework.Category, error) {
	k, err := c.h.Cases.Store.GetCategory(c.ctx, code)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if k.Level() != 2 || !k.Active {
		return nil, nil
	}
	return k, nil
}

// Services answers services.json and services.xml: one service per active
// minor category, grouped by its major category.
func (h *Handler) Services(w http.ResponseWriter, r *http.Request) {
	c, _ := h.begin(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	svcs, byCode, err := c.services()
	if err != nil {
		c.fail(err)
		return
	}
	items := make([]any, 0, len(svcs))
	for _, s := range svcs {
		group := ""
		if p := byCode[s.ParentCode]; p != nil {
			group = p.Name
		}
		items = append(items, obj{
			{"service_code", s.Code},
			{"service_name", s.Name},
			{"description", str(s.Description)},
			{"metadata", len(s.Attributes) > 0},
			{"type", "realtime"}, // a case number comes back at once
			{"keywords", str(strings.Join(s.Keywords, ","))},
			{"group", str(group)},
		})
	}
	c.ok(doc{root: "services", value: list{item: "service", items: items}})
}

// datatypeDescription tells the user what to type for each datatype, with
// the limits casework.Category.CheckAttributes enforces.
func datatypeDescription(t casework.Datatype) string {
	switch t {
	case casework.TypeString:
		return "单行文字，最多200字 / one line of text, at most 200 characters"
	case casework.TypeText:
		return "文字，可换行，最多5000字 / text, line breaks allowed, at most 5000 characters"
	case casework.TypeNumber:
		return "数字，如 12.5 / a number, e.g. 12.5"
	case casework.TypeDatetime:
		return "日期时间，如 2024-06-12T09:30:00+08:00 / a date and time, e.g. 2024-06-12T09:30:00+08:00"
	case casework.TypeSingleList:
		return "从选项中选一项，提交选项的 key / one of the values: send its key"
	case casework.TypeMultiList:
		return "从选项中选一项或多项，以 attribute[代码][]=key 逐项提交 / one or more of the values: send each key as attribute[code][]=key"
	}
	return ""
}

// order is an attribute's order, null when none was set (the spec's
// orders are positive).
func order(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

// ServiceDefinition answers services/{code}.json and .xml: the category's
// attributes in their order.
func (h *Handler) ServiceDefinition(w http.ResponseWriter, r *http.Request) {
	c, code := h.begin(w, r, r.PathValue("code"))
	if c == nil {
		return
	}
	s, _, err := c.service(code)
	if err != nil {
		c.fail(err)
		return
	}
	if s == nil {
		c.fail(notFound("service_code 不存在："+code, "service_code not found: "+code))
		return
	}
	attrs := slices.Clone(s.Attributes)
	slices.SortStableFunc(attrs, func(a, b casework.AttributeDef) int { return cmp.Compare(a.Order, b.Order) })
	items := make([]any, 0, len(attrs))
	for _, a := range attrs {
		o := obj{
			{"variable", a.Variable},
			{"code", a.Code},
			{"datatype", string(a.Datatype)},
			{"required", a.Required},
			{"datatype_description", str(datatypeDescription(a.Datatype))},
			{"order", order(a.Order)},
			{"description", str(a.Description)},
		}
		if len(a.Values) > 0 {
			vals := make([]any, len(a.Values))
			for i, v := range a.Values {
				vals[i] = obj{{"key", v.Key}, {"name", v.Name}}
			}
			o = append(o, field{"values", list{item: "value", items: vals}})
		}
		items = append(items, o)
	}
	c.ok(doc{root: "service_definition", value: obj{
		{"service_code", s.Code},
		{"attributes", list{item: "attribute", items: items}},
	}})
}
