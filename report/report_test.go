package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/casework"
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
