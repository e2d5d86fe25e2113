package ledger

import (
	"strings"
	"testing"

	"github.com/jiedao/jiedao"
)

func TestCheckValues(t *testing.T) {
	typ := &Type{Code: "t", Name: "测试", Fields: []Field{
		{Key: "amount", Name: "金额", Type: Money, Measure: true},
		{Key: "n", Name: "人数", Type: Number},
		{Key: "on", Name: "日期", Type: Date},
		{Key: "kind", Name: "类别", Type: Choice, Choices: []string{"甲", "乙"}},
		{Key: "old", Name: "旧字段", Type: Text, Retired: true},
	}}
	if err := typ.Validate(); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"amount": "1,234.50元", "n": "12", "on": "2023/5/1", "kind": "乙"}
	e, err := typ.Check(EntryInput{Day: "2023.05.02", Values: good})
	if err != nil {
		t.Fatal(err)
	}
	if e.Day != "2023-05-02" || e.Values["amount"] != "1234.5" || e.Values["on"] != "2023-05-01" || e.Values["n"] != "12" {
		t.Fatalf("normalised: %+v", e)
	}
	for _, c := range []struct {
		field, value, zh string
	}{
		{"amount", "1.234", "金额最多保留两位小数"},
		{"amount", "-5", "金额不能为负"},
		{"n", "NaN", "应为数字"},
		{"on", "明天", "应为日期"},
		{"kind", "丙", "不在可选项"},
		{"old", "x", "已停用"},
		{"nope", "x", "没有字段"},
	} {
		v := map[string]string{c.field: c.value}
		_, err := typ.Check(EntryInput{Day: "2023-05-02", Values: v})
		je, ok := err.(*jiedao.Error)
		if !ok || je.Field != c.field || !strings.Contains(je.Zh, c.zh) {
			t.Errorf("%s=%q: %v, want %q on the field", c.field, c.value, err, c.zh)
		}
	}
	if _, err := typ.Check(EntryInput{Day: "2023-02-30"}); jiedao.ErrorField(err) != "day" {
		t.Errorf("30 February: %v", err)
	}
}

func TestValidateAndChange(t *testing.T) {
	bad := []*Type{
		{Code: "T", Name: "x", Fields: []Field{{Key: "a", Name: "a", Type: Text}}},
		{Code: "t", Name: "x", Fields: []Field{{Key: "day", Name: "a", Type: Text}}},
		{Code: "t", Name: "x", Fields: []Field{{Key: "a", Name: "a", Type: Text, Measure: true}}},
		{Code: "t", Name: "x", Fields: []Field{{Key: "a", Name: "a", Type: Choice}}},
		{Code: "t", Name: "x", Fields: []Field{{Key: "a", Name: "a", Type: "color"}}},
		{Code: "t", Name: "x", Fields: []Field{{Key: "a", Name: "a", Type: Text}, {Key: "a", Name: "b", Type: Text}}},
	}
	for i, typ := range bad {
		if err := typ.Validate(); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Errorf("type %d: %v", i, err)
		}
	}
	old := &Type{Code: "t", Name: "x", Fields: []Field{{Key: "k", Name: "类别", Type: Choice, Choices: []string{"甲", "乙"}}}}
	more := &Type{Code: "t", Name: "y", Fields: []Field{{Key: "k", Name: "类别", Type: Choice, Choices: []string{"甲", "乙", "丙"}, Required: true},
		{Key: "n", Name: "数", Type: Number}}}
	if err := CheckChange(old, more); err != nil {
		t.Errorf("adding a field and a choice: %v", err)
	}
	less := &Type{Code: "t", Name: "x", Fields: []Field{{Key: "k", Name: "类别", Type: Choice, Choices: []string{"甲"}}}}
	if err := CheckChange(old, less); err == nil || !strings.Contains(err.(*jiedao.Error).Zh, "不能删除字段“类别”的选项“乙”") {
		t.Errorf("removing a choice: %v", err)
	}
	retired := &Type{Code: "t", Name: "x", Fields: []Field{{Key: "k", Name: "类别", Type: Choice, Choices: []string{"甲", "乙"}, Retired: true}}}
	if err := CheckChange(old, retired); err != nil {
		t.Errorf("retiring a field: %v", err)
	}
}
