package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

func sample() []Value {
	var out []Value
	for _, f := range Figures() {
		v := Value{Figure: f, Year: 2023, Value: 4317}
		if f.IsRate() {
			v.Value = 98.63
		}
		out = append(out, v)
	}
	prior := 3000.0
	out[0].Prior = &prior
	yoy := 43.9
	out[0].YoYChange = &yoy
	return out
}

// The JSON is one object keyed by the figures' keys, nothing else.
func TestWriteJSONKeys(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var obj map[string]float64
	if err := json.Unmarshal(b.Bytes(), &obj); err != nil {
		t.Fatal(err)
	}
	if len(obj) != len(Figures()) || obj["cases.xihu_code.satisfaction"] != 98.63 || obj["cases.xihu_code.signed"] != 4317 {
		t.Fatalf("json: %v", obj)
	}
}

// The Markdown states the figures as the work report does.
func TestWriteMarkdownSentences(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, "古荡街道", 2023, sample()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"全年累计流转签收西湖码4317件，评价满意率98.63%", "+43.90%", "| 3000 |"} {
		if !strings.Contains(md, want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// The workbook opens and holds the figures and the evaluation table.
func TestWriteXLSX(t *testing.T) {
	rate := 95.5
	ev := &Evaluation{Total: EvalRow{Name: "全街道 Whole subdistrict", Evaluation: casework.Evaluation{
		EvalCounts: casework.EvalCounts{Filed: 120}, CloseRate: &rate}}}
	var b bytes.Buffer
	if err := WriteXLSX(&b, "古荡街道", 2023, sample(), ev); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("数据 Figures")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+len(Figures()) || rows[2][2] != "cases.xihu_code.signed" || rows[2][3] != "4317" || rows[3][3] != "98.63" {
		t.Fatalf("figures sheet: %q", rows)
	}
	er, err := f.GetRows("考核 Evaluation")
	if err != nil {
		t.Fatal(err)
	}
	if len(er) != 2 || er[1][1] != "120" || er[1][2] != "95.5" || er[1][3] != "—" {
		t.Fatalf("evaluation sheet: %q", er)
	}
}

// fakeSource is a Source of two figures for the tests of Compute.
type fakeSource struct{ values map[int]float64 }

func (s fakeSource) Figures() []Figure {
	return []Figure{
		{Key: "enterprise.visits", Zh: "累计走访企业", Unit: "家次", Section: SectionEconomy, Pattern: "走访企业%s家次",
			Records: func(year int) string { return fmt.Sprintf("/enterprise/visits?year=%d", year) }},
		{Key: "fiscal.total_revenue", Zh: "财政总收入", Unit: "元", Kind: KindEntered, Section: SectionEconomy, Pattern: "财政总收入%s元",
			Records: func(year int) string { return fmt.Sprintf("/indicators?year=%d", year) }},
	}
}

func (s fakeSource) Measure(_ context.Context, _ org.Actor, key string, year int) (Measurement, error) {
	if key == "fiscal.total_revenue" {
		return Measurement{}, nil // not entered
	}
	v, ok := s.values[year]
	return Measurement{Value: v, OK: ok, Records: int(v)}, nil
}

// zeroCounter counts no cases.
type zeroCounter struct{}

func (zeroCounter) Count(context.Context, org.Actor, casework.Filter) (int, error) { return 0, nil }

// A source's figures follow the case figures, with the year before and the
// change on it; a figure with nothing to measure is left out of the JSON.
func TestComputeSources(t *testing.T) {
	src := fakeSource{values: map[int]float64{2023: 4387, 2022: 4000}}
	values, err := Compute(context.Background(), zeroCounter{}, org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, 2023, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != len(Figures())+2 {
		t.Fatalf("%d values", len(values))
	}
	visits := values[len(Figures())]
	if visits.Key != "enterprise.visits" || visits.Value != 4387 || visits.Prior == nil || *visits.Prior != 4000 ||
		visits.YoYChange == nil || *visits.YoYChange != 9.68 || visits.IsCase() {
		t.Fatalf("visits: %+v", visits)
	}
	if !values[len(values)-1].Missing {
		t.Fatalf("an indicator not entered is not missing: %+v", values[len(values)-1])
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, values); err != nil {
		t.Fatal(err)
	}
	var obj map[string]float64
	if err := json.Unmarshal(b.Bytes(), &obj); err != nil {
		t.Fatal(err)
	}
	if _, ok := obj["fiscal.total_revenue"]; ok || obj["enterprise.visits"] != 4387 {
		t.Fatalf("json: %v", obj)
	}
	if f, ok := Lookup("enterprise.visits", src); !ok || f.Records(2023) != "/enterprise/visits?year=2023" {
		t.Fatalf("lookup: %+v %v", f, ok)
	}
}

// TestMarkdownShowsWhoEnteredAndNotes: an entered figure says who entered
// it, a target its progress, in the definitions table.
func TestMarkdownShowsWhoEnteredAndNotes(t *testing.T) {
	values := []Value{
		{Figure: Figure{Key: "fiscal.total_revenue", Zh: "财政总收入", Unit: "元", Pattern: "实现财政总收入%s元", Kind: KindEntered}, Value: 10120000000, By: "张三 2024-01-15"},
		{Figure: Figure{Key: "target.fiscal.general_budget", Zh: "一般公共预算", Unit: "元", Pattern: "一般公共预算达%s元以上", Kind: KindTarget}, Value: 5100000000, Note: "状态：正常"},
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, "古荡街道", 2023, values); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"实现财政总收入10120000000元", "录入 / entered by: 张三 2024-01-15", "一般公共预算达5100000000元以上", "；状态：正常 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
