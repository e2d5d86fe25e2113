package casework

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
)

// Category is a kind of case, in two levels (大类/小类) following the
// classes of digital city management: a major class has a two-character
// code ("01"), a minor class its parent's code and two more ("0103").
// Its attributes are what Open311 calls a service definition.
type Category struct {
	Code        string             `json:"code"`
	ParentCode  string             `json:"parent_code,omitempty"`
	Name        string             `json:"name"`
	NameEn      string             `json:"name_en,omitempty"`
	Description string             `json:"description,omitempty"`
	Keywords    []string           `json:"keywords,omitempty"`
	Active      bool               `json:"active"`
	Attributes  []AttributeDef     `json:"attributes,omitempty"`
	Policies    map[Urgency]Policy `json:"policies,omitempty"` // empty: DefaultPolicies
	// AfterPhoto requires a photo of the result (处置后照片) with the
	// handling report of a case of this class; set on a major class, it
	// holds for its minor classes.
	AfterPhoto bool `json:"after_photo,omitempty"`
	// PrivateHome marks reports about a private home (入户: a flat's leak,
	// a neighbour's noise, an elderly resident's request): the public
	// reads (Open311) never show such a report's text or exact address,
	// only its category, status and a place rounded to about 100 m.
	PrivateHome bool `json:"private_home,omitempty"`
}

var (
	majorCodeRE = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	minorCodeRE = regexp.MustCompile(`^[0-9A-Z]{4}$`)
)

// Level is 1 for a major class and 2 for a minor one.
func (c *Category) Level() int {
	if c.ParentCode == "" {
		return 1
	}
	return 2
}

// Validate checks the codes, names, attributes and deadline policies.
func (c *Category) Validate() error {
	if c.ParentCode == "" {
		if !majorCodeRE.MatchString(c.Code) {
			return jiedao.Invalid("code", "大类编码应为2位数字或大写字母", "a major class code is 2 digits or capital letters")
		}
	} else if !minorCodeRE.MatchString(c.Code) || !strings.HasPrefix(c.Code, c.ParentCode) {
		return jiedao.Invalid("code", "小类编码应为所属大类编码加2位", "a minor class code is its major class code and 2 more characters")
	}
	if strings.TrimSpace(c.Name) == "" {
		return jiedao.Invalid("name", "分类名称不能为空", "name is required")
	}
	seen := map[string]bool{}
	for i := range c.Attributes {
		a := &c.Attributes[i]
		if err := a.Validate(); err != nil {
			return err
		}
		if seen[a.Code] {
			return jiedao.Invalid("attributes", "属性编码重复："+a.Code, "duplicate attribute code: "+a.Code)
		}
		seen[a.Code] = true
	}
	for u, p := range c.Policies {
		if !u.Valid() {
			return jiedao.Invalid("policies", "紧急程度无效："+string(u), "unknown urgency: "+string(u))
		}
		if err := p.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Policy returns the deadline policy for an urgency.
func (c *Category) Policy(u Urgency) Policy {
	if p, ok := c.Policies[u]; ok {
		return p
	}
	return DefaultPolicies()[u]
}

// Datatype is an attribute's type, named as Open311 names them.
type Datatype string

const (
	TypeString     Datatype = "string"
	TypeNumber     Datatype = "number"
	TypeDatetime   Datatype = "datetime"
	TypeText       Datatype = "text"
	TypeSingleList Datatype = "singlevaluelist"
	TypeMultiList  Datatype = "multivaluelist"
)

// AttributeValue is one choice of a list attribute.
type AttributeValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// AttributeDef is a field a category asks for beyond the common ones.
type AttributeDef struct {
	Code        string           `json:"code"`
	Datatype    Datatype         `json:"datatype"`
	Required    bool             `json:"required"`
	Order       int              `json:"order"`
	Description string           `json:"description"`
	Values      []AttributeValue `json:"values,omitempty"`
	// Variable false marks an informational attribute that takes no input.
	Variable bool `json:"variable"`
}

var attrCodeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

// Validate checks an attribute definition.
func (a *AttributeDef) Validate() error {
	if !attrCodeRE.MatchString(a.Code) {
		return jiedao.Invalid("attributes", "属性编码应以字母开头，由字母、数字、下划线组成："+a.Code, "attribute code must start with a letter: "+a.Code)
	}
	switch a.Datatype {
	case TypeString, TypeNumber, TypeDatetime, TypeText:
		if len(a.Values) > 0 {
			return jiedao.Invalid("attributes", "只有列表类属性可以有选项："+a.Code, "only list attributes have values: "+a.Code)
		}
	case TypeSingleList, TypeMultiList:
		if len(a.Values) == 0 {
			return jiedao.Invalid("attributes", "列表类属性至少要有一个选项："+a.Code, "a list attribute needs values: "+a.Code)
		}
	default:
		return jiedao.Invalid("attributes", "属性类型无效："+string(a.Datatype), "unknown datatype: "+string(a.Datatype))
	}
	if strings.TrimSpace(a.Description) == "" {
		return jiedao.Invalid("attributes", "属性说明不能为空："+a.Code, "attribute needs a description: "+a.Code)
	}
	return nil
}

func (a *AttributeDef) hasValue(k string) bool {
	return slices.ContainsFunc(a.Values, func(v AttributeValue) bool { return v.Key == k })
}

// SplitAttributes parts submitted attributes into those the category
// defines and the others: a channel that keeps unknown attributes with
// the case (Open311, whose clients add their own) checks only the first.
func (c *Category) SplitAttributes(in map[string][]string) (defined, unknown map[string][]string) {
	for code, vs := range in {
		if slices.ContainsFunc(c.Attributes, func(a AttributeDef) bool { return a.Code == code }) {
			if defined == nil {
				defined = map[string][]string{}
			}
			defined[code] = vs
		} else {
			if unknown == nil {
				unknown = map[string][]string{}
			}
			unknown[code] = vs
		}
	}
	return defined, unknown
}

// Bounds of the attributes a client adds that its category does not
// define (Case.ExtraAttributes): kept as text, never interpreted.
const (
	MaxExtraAttributes = 30
	MaxExtraCodeRunes  = 64
	MaxExtraValues     = 10
	MaxExtraValueRunes = 1000
)

// CheckExtraAttributes bounds a client's own attributes and returns them
// without empty values, or nil when none are left.
func CheckExtraAttributes(in map[string][]string) (map[string][]string, error) {
	if len(in) > MaxExtraAttributes {
		return nil, jiedao.Invalid("attribute", fmt.Sprintf("附加属性过多（最多%d个）", MaxExtraAttributes), fmt.Sprintf("too many extra attributes (at most %d)", MaxExtraAttributes))
	}
	var out map[string][]string
	for code, vs := range in {
		field := "attribute[" + code + "]"
		if !utf8.ValidString(code) || utf8.RuneCountInString(code) > MaxExtraCodeRunes || strings.ContainsRune(code, 0) {
			return nil, jiedao.Invalid(field, "附加属性代码无效："+code, "invalid extra attribute code: "+code)
		}
		vals := slices.DeleteFunc(slices.Clone(vs), func(s string) bool { return strings.TrimSpace(s) == "" })
		if len(vals) == 0 {
			continue
		}
		if len(vals) > MaxExtraValues {
			return nil, jiedao.Invalid(field, fmt.Sprintf("附加属性的值过多（最多%d个）：%s", MaxExtraValues, code), fmt.Sprintf("too many values (at most %d): %s", MaxExtraValues, code))
		}
		for i, v := range vals {
			v = strings.TrimSpace(v)
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || utf8.RuneCountInString(v) > MaxExtraValueRunes {
				return nil, jiedao.Invalid(field, fmt.Sprintf("附加属性的值无效或过长（最多%d字）：%s", MaxExtraValueRunes, field),
					fmt.Sprintf("extra attribute value invalid or too long (at most %d characters): %s", MaxExtraValueRunes, field))
			}
			vals[i] = v
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[code] = vals
	}
	return out, nil
}

// CheckAttributes validates submitted attribute values, each given as the
// strings a form sends, against the category's definitions, and returns
// them typed: numbers as float64, datetimes as RFC 3339 strings, multi
// lists as []string. Unknown codes are refused, so nothing is silently lost.
func (c *Category) CheckAttributes(in map[string][]string) (map[string]any, error) {
	out := map[string]any{}
	for code := range in {
		if !slices.ContainsFunc(c.Attributes, func(a AttributeDef) bool { return a.Code == code }) {
			return nil, jiedao.Invalid("attribute["+code+"]", "该分类没有属性 "+code, "this category has no attribute "+code)
		}
	}
	for i := range c.Attributes {
		a := &c.Attributes[i]
		vals := slices.DeleteFunc(slices.Clone(in[a.Code]), func(s string) bool { return strings.TrimSpace(s) == "" })
		field := "attribute[" + a.Code + "]"
		if len(vals) == 0 {
			if a.Required && a.Variable {
				return nil, jiedao.Invalid(field, "必填项未填写："+a.Description, "required attribute missing: "+a.Code)
			}
			continue
		}
		if a.Datatype != TypeMultiList && len(vals) > 1 {
			return nil, jiedao.Invalid(field, "属性只能有一个值："+a.Description, "attribute takes one value: "+a.Code)
		}
		v := strings.TrimSpace(vals[0])
		switch a.Datatype {
		case TypeString, TypeText:
			limit := 200
			if a.Datatype == TypeText {
				limit = 5000
			}
			// JSON, which keeps the attributes, would silently replace
			// invalid UTF-8 (found by open311's FuzzPostRequestForm).
			if !utf8.ValidString(v) {
				return nil, jiedao.Invalid(field, "内容不是有效的 UTF-8 文本："+a.Description, "not valid UTF-8 text: "+a.Code)
			}
			if len([]rune(v)) > limit {
				return nil, jiedao.Invalid(field, fmt.Sprintf("内容过长（最多%d字）：%s", limit, a.Description), fmt.Sprintf("too long (at most %d characters): %s", limit, a.Code))
			}
			out[a.Code] = v
		case TypeNumber:
			f, err := strconv.ParseFloat(v, 64)
			// ParseFloat reads "NaN" and "Inf", which JSON cannot hold: the
			// case would fail to store (found by open311's FuzzPostRequestForm).
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, jiedao.Invalid(field, "应为数字："+a.Description, "must be a number: "+a.Code)
			}
			out[a.Code] = f
		case TypeDatetime:
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, jiedao.Invalid(field, "日期时间格式应为 2024-06-12T09:30:00+08:00："+a.Description, "datetime must be RFC 3339: "+a.Code)
			}
			out[a.Code] = t.Format(time.RFC3339)
		case TypeSingleList:
			if !a.hasValue(v) {
				return nil, jiedao.Invalid(field, "不是可选的值："+v, "not one of the values: "+v)
			}
			out[a.Code] = v
		case TypeMultiList:
			keys := make([]string, 0, len(vals))
			for _, k := range vals {
				k = strings.TrimSpace(k)
				if !a.hasValue(k) {
					return nil, jiedao.Invalid(field, "不是可选的值："+k, "not one of the values: "+k)
				}
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
			out[a.Code] = keys
		}
	}
	return out, nil
}
