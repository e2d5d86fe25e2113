package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// ParseFilter reads a case filter from query parameters: the case list of
// the JSON API, the pages' list and every export. The names are status
// (repeated or comma-separated), channel, category, community_id, grid_id,
// unit_id, due, q, number, from, to, and the drill-down fields of the
// report's figures (dispatched, signed, handled, rated, rating; self_handled for 自行处置), so that
// every figure links to the list of its cases. Paging (limit, offset) is
// the caller's: the page, the API and an export page differently.
func ParseFilter(q url.Values) (casework.Filter, error) {
	if err := ValidUTF8(q); err != nil {
		return casework.Filter{}, err
	}
	f := casework.Filter{Channel: casework.Channel(q.Get("channel")), Category: strings.TrimSpace(q.Get("category")),
		Number: strings.TrimSpace(q.Get("number")), Query: strings.TrimSpace(q.Get("q")), Due: casework.DueState(q.Get("due"))}
	for _, name := range []string{"q", "number", "category", "tag"} {
		if err := FilterText(q, name); err != nil {
			return f, err
		}
	}
	if f.Channel != "" && !f.Channel.Valid() {
		return f, jiedao.Invalid("channel", "渠道无效", "unknown channel")
	}
	switch f.Due {
	case casework.DueNone, casework.DueOK, casework.DueWarning, casework.DueOverdue:
	default:
		return f, jiedao.Invalid("due", "due 应为 ok、warning 或 overdue", "due must be ok, warning or overdue")
	}
	var err error
	if f.Statuses, err = listParam(q, "status", casework.Status.Valid, "状态无效：", "unknown status: "); err != nil {
		return f, err
	}
	if f.Ratings, err = listParam(q, "rating", casework.Rating.Valid, "评价无效：", "unknown rating: "); err != nil {
		return f, err
	}
	for _, x := range []struct {
		name string
		dst  *int64
	}{{"community_id", &f.CommunityID}, {"grid_id", &f.GridID}, {"unit_id", &f.UnitID}} {
		if *x.dst, err = NonNegative(q, x.name); err != nil {
			return f, err
		}
	}
	for _, x := range []struct {
		name string
		dst  *bool
	}{{"dispatched", &f.Dispatched}, {"signed", &f.Signed}, {"handled", &f.Handled}, {"rated", &f.Rated}, {"self_handled", &f.SelfHandled}, {"ordinary", &f.Ordinary}} {
		if *x.dst, err = Flag(q, x.name); err != nil {
			return f, err
		}
	}
	if f.From, err = ParseDate(q.Get("from"), "from"); err != nil {
		return f, err
	}
	if f.To, err = ParseDate(q.Get("to"), "to"); err != nil {
		return f, err
	}
	// The case kinds (casework/kind.go): kind, and tag (repeated) for the
	// drill-down of their figures.
	if f.Kind = casework.Kind(q.Get("kind")); !f.Kind.Valid() {
		return f, jiedao.Invalid("kind", "案件类型无效："+q.Get("kind"), "unknown case kind: "+q.Get("kind"))
	}
	if f.KindTags, err = listParam(q, "tag", casework.ValidTag, "标签无效：", "invalid tag: "); err != nil {
		return f, err
	}
	return f, nil
}

// MaxFilterRunes bounds a text filter (a search, a number, a code): a
// longer one is 400, not a pattern the database refuses as too complex.
const MaxFilterRunes = 200

// FilterText refuses a text filter longer than MaxFilterRunes, naming it.
func FilterText(q url.Values, name string) error {
	for _, v := range q[name] {
		if utf8.RuneCountInString(v) > MaxFilterRunes {
			return jiedao.Invalid(name, fmt.Sprintf("查询条件 %s 不能超过%d字", name, MaxFilterRunes),
				fmt.Sprintf("the filter %s is longer than %d characters", name, MaxFilterRunes))
		}
	}
	return nil
}

// Flag reads an on/off filter: absent, "", "0" or "false" is off, "1" or
// "true" on; any other value is 400 rather than silently off.
func Flag(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, jiedao.Invalid(name, "参数 "+name+" 应为 1 或 0", name+" must be 1 or 0")
}

// listParam reads a parameter given once with commas, several times, or
// both, refusing any value valid does not know.
func listParam[T ~string](q url.Values, name string, valid func(T) bool, zh, en string) ([]T, error) {
	var out []T
	for _, v := range q[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if !valid(T(s)) {
				return nil, jiedao.Invalid(name, zh+s, en+s)
			}
			out = append(out, T(s))
		}
	}
	return out, nil
}

// NonNegative reads an optional non-negative integer parameter (0 when
// absent), for every handler that takes one.
func NonNegative(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, jiedao.Invalid(name, "参数应为非负整数："+name, name+" must be a non-negative integer")
	}
	return n, nil
}

// FilterQuery writes a filter back as the query parameters ParseFilter
// reads: the link from a figure to its cases, from the list to its export.
// A day's midnight (China time) is written as the date; any other time in
// full, so that the filter reads back the same.
func FilterQuery(f casework.Filter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("channel", string(f.Channel))
	set("category", f.Category)
	set("number", f.Number)
	set("q", f.Query)
	set("due", string(f.Due))
	set("status", joinValues(f.Statuses))
	set("rating", joinValues(f.Ratings))
	set("kind", string(f.Kind))
	for _, t := range f.KindTags {
		q.Add("tag", t)
	}
	for k, v := range map[string]int64{"community_id": f.CommunityID, "grid_id": f.GridID, "unit_id": f.UnitID} {
		if v != 0 {
			q.Set(k, strconv.FormatInt(v, 10))
		}
	}
	for k, v := range map[string]bool{"dispatched": f.Dispatched, "signed": f.Signed, "handled": f.Handled, "rated": f.Rated, "self_handled": f.SelfHandled, "ordinary": f.Ordinary} {
		if v {
			q.Set(k, "1")
		}
	}
	for k, t := range map[string]time.Time{"from": f.From, "to": f.To} {
		if t.IsZero() {
			continue
		}
		if day := t.In(calendar.Zone()); day.Equal(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, calendar.Zone())) {
			q.Set(k, day.Format("2006-01-02"))
		} else {
			q.Set(k, t.Format(time.RFC3339Nano))
		}
	}
	return q
}

func joinValues[T ~string](vs []T) string {
	ss := make([]string, len(vs))
	for i, v := range vs {
		ss[i] = string(v)
	}
	return strings.Join(ss, ",")
}

// ParseDate reads a date (YYYY-MM-DD, China time) or an RFC 3339 time.
func ParseDate(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, calendar.Zone()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, jiedao.Invalid(field, "日期格式应为 2024-06-12", "date must look like 2024-06-12")
}

// ValidUTF8 refuses parameters that are not UTF-8 or hold a NUL: PostgreSQL
// would refuse to store or compare them, and the answer would be a fault
// of ours rather than the caller's. The server checks every query string
// with it, the pages and Open311 every form.
// The error names the parameter, or "query" when its name is empty or
// not text itself.
func ValidUTF8(v url.Values) error {
	for k, vs := range v {
		for _, s := range append([]string{k}, vs...) {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				field := k
				if field == "" || !utf8.ValidString(field) || strings.IndexByte(field, 0) >= 0 {
					field = "query"
				}
				return jiedao.Invalid(field, "提交的内容含有无效字符（空字符或非 UTF-8 编码）："+field,
					"the input holds a NUL or text that is not UTF-8: "+field)
			}
		}
	}
	return nil
}
