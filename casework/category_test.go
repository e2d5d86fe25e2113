package casework_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

func attrCategory() *casework.Category {
	vals := func(keys ...string) []casework.AttributeValue {
		var out []casework.AttributeValue
		for _, k := range keys {
			out = append(out, casework.AttributeValue{Key: k, Name: "值" + k})
		}
		return out
	}
	return &casework.Category{Code: "0102", ParentCode: "01", Name: "乱堆物料", Active: true, Attributes: []casework.AttributeDef{
		{Code: "count", Datatype: casework.TypeNumber, Required: true, Variable: true, Description: "数量"},
		{Code: "seen_at", Datatype: casework.TypeDatetime, Variable: true, Description: "发现时间"},
		{Code: "material", Datatype: casework.TypeSingleList, Required: true, Variable: true, Description: "物料", Values: vals("sand", "brick")},
		{Code: "tags", Datatype: casework.TypeMultiList, Variable: true, Description: "标签", Values: vals("x", "y", "z")},
		{Code: "note", Datatype: casework.TypeString, Variable: true, Description: "备注"},
		{Code: "long_note", Datatype: casework.TypeText, Variable: true, Description: "详细说明"},
		{Code: "notice", Datatype: casework.TypeString, Required: true, Variable: false, Description: "请注意安全"},
	}}
}

func TestCheckAttributes(t *testing.T) {
	c := attrCategory()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	base := func() map[string][]string {
		return map[string][]string{"count": {" 3.5 "}, "material": {"sand"}}
	}
	got, err := c.CheckAttributes(map[string][]string{
		"count": {"3.5"}, "seen_at": {"2024-06-12T01:30:00Z"}, "material": {" brick "}, "tags": {"y", "x", "y", " "},
		"note": {"  门口  "}, "long_note": {strings.Repeat("长", 5000)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"count": 3.5, "seen_at": "2024-06-12T01:30:00Z", "material": "brick", "tags": []string{"y", "x"},
		"note": "门口", "long_note": strings.Repeat("长", 5000)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("typed attributes:\n got %#v\nwant %#v", got, want)
	}
	// Optional attributes left out are left out; a datetime keeps its offset.
	in := base()
	in["seen_at"] = []string{"2024-06-12T09:30:00+08:00"}
	got, err = c.CheckAttributes(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]any{"count": 3.5, "material": "sand", "seen_at": "2024-06-12T09:30:00+08:00"}) {
		t.Errorf("got %#v", got)
	}

	for _, tc := range []struct {
		name  string
		edit  func(m map[string][]string)
		field string
	}{
		{"required number missing", func(m map[string][]string) { delete(m, "count") }, "attribute[count]"},
		{"required list blank", func(m map[string][]string) { m["material"] = []string{"  "} }, "attribute[material]"},
		{"not a number", func(m map[string][]string) { m["count"] = []string{"three"} }, "attribute[count]"},
		{"not RFC 3339", func(m map[string][]string) { m["seen_at"] = []string{"2024-06-12 09:30"} }, "attribute[seen_at]"},
		{"not one of the values", func(m map[string][]string) { m["material"] = []string{"gold"} }, "attribute[material]"},
		{"two values for a single list", func(m map[string][]string) { m["material"] = []string{"sand", "brick"} }, "attribute[material]"},
		{"two values for a number", func(m map[string][]string) { m["count"] = []string{"1", "2"} }, "attribute[count]"},
		{"a multi list value not offered", func(m map[string][]string) { m["tags"] = []string{"x", "w"} }, "attribute[tags]"},
		{"a string too long", func(m map[string][]string) { m["note"] = []string{strings.Repeat("字", 201)} }, "attribute[note]"},
		{"a text too long", func(m map[string][]string) { m["long_note"] = []string{strings.Repeat("字", 5001)} }, "attribute[long_note]"},
		{"an unknown code", func(m map[string][]string) { m["colour"] = []string{"red"} }, "attribute[colour]"},
	} {
		in := base()
		tc.edit(in)
		_, err := c.CheckAttributes(in)
		if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != tc.field {
			t.Errorf("%s: got %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	in = base()
	in["note"] = []string{strings.Repeat("字", 200)}
	if _, err := c.CheckAttributes(in); err != nil {
		t.Errorf("200 characters is within the limit: %v", err)
	}
	// A category without attributes takes none.
	plain := &casework.Category{Code: "01", Name: "市容环境"}
	if got, err := plain.CheckAttributes(nil); err != nil || len(got) != 0 {
		t.Errorf("no attributes: %v %v", got, err)
	}
}

func TestCategoryValidate(t *testing.T) {
	good := attrCategory()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid category: %v", err)
	}
	if err := (&casework.Category{Code: "A1", Name: "大类"}).Validate(); err != nil {
		t.Errorf("valid major class: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(c *casework.Category)
		field string
	}{
		{"major code of 3 digits", func(c *casework.Category) { c.Code, c.ParentCode = "011", "" }, "code"},
		{"major code in lower case", func(c *casework.Category) { c.Code, c.ParentCode = "ab", "" }, "code"},
		{"minor code not under its parent", func(c *casework.Category) { c.Code = "0201" }, "code"},
		{"minor code of 3 characters", func(c *casework.Category) { c.Code = "010" }, "code"},
		{"empty name", func(c *casework.Category) { c.Name = "  " }, "name"},
		{"attribute code starting with a digit", func(c *casework.Category) { c.Attributes[0].Code = "1count" }, "attributes"},
		{"list without values", func(c *casework.Category) { c.Attributes[2].Values = nil }, "attributes"},
		{"string with values", func(c *casework.Category) { c.Attributes[4].Values = c.Attributes[2].Values }, "attributes"},
		{"unknown datatype", func(c *casework.Category) { c.Attributes[0].Datatype = "integer" }, "attributes"},
		{"attribute without description", func(c *casework.Category) { c.Attributes[1].Description = "" }, "attributes"},
		{"duplicate attribute code", func(c *casework.Category) { c.Attributes[1].Code = "count" }, "attributes"},
		{"unknown urgency", func(c *casework.Category) {
			c.Policies = map[casework.Urgency]casework.Policy{"whenever": {}}
		}, "policies"},
		{"bad limit unit", func(c *casework.Category) {
			c.Policies = map[casework.Urgency]casework.Policy{casework.UrgencyUrgent: {Finish: calendar.Limit{Amount: 3, Unit: "fortnights"}}}
		}, "unit"},
		{"limit too large", func(c *casework.Category) {
			c.Policies = map[casework.Urgency]casework.Policy{casework.UrgencyNormal: {Close: calendar.Limit{Amount: 5000, Unit: calendar.WorkingDays}}}
		}, "amount"},
	} {
		c := attrCategory()
		tc.edit(c)
		err := c.Validate()
		if jiedao.ErrorCode(err) != jiedao.EINVALID || jiedao.ErrorField(err) != tc.field {
			t.Errorf("%s: got %v, want invalid %s", tc.name, err, tc.field)
		}
	}
}

func TestCategoryPolicy(t *testing.T) {
	urgent := casework.Policy{SignFor: calendar.Limit{Amount: 30, Unit: calendar.Minutes}}
	c := &casework.Category{Code: "0201", ParentCode: "02", Name: "占道经营", Policies: map[casework.Urgency]casework.Policy{casework.UrgencyUrgent: urgent}}
	if got := c.Policy(casework.UrgencyUrgent); got != urgent {
		t.Errorf("overridden policy: %+v", got)
	}
	def := casework.DefaultPolicies()
	if got := c.Policy(casework.UrgencyNormal); got != def[casework.UrgencyNormal] {
		t.Errorf("default policy: %+v", got)
	}
	want := casework.Policy{SignFor: calendar.Limit{Amount: 2, Unit: calendar.WorkingHoursUnit}, Start: calendar.Limit{Amount: 4, Unit: calendar.WorkingHoursUnit},
		Finish: calendar.Limit{Amount: 3, Unit: calendar.WorkingDays}, Close: calendar.Limit{Amount: 5, Unit: calendar.WorkingDays}}
	if def[casework.UrgencyNormal] != want {
		t.Errorf("default normal policy: %+v", def[casework.UrgencyNormal])
	}
	for u, p := range def {
		if err := p.Validate(); err != nil {
			t.Errorf("default policy %s: %v", u, err)
		}
	}
	if c.Level() != 2 || (&casework.Category{Code: "02"}).Level() != 1 {
		t.Error("Level is wrong")
	}
}
