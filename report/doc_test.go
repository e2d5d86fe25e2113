package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/org"
)

// docSource is a domain outside the case loop with two figures, one in
// a section the built-in template has no sentence for yet.
type docSource struct{}

func (docSource) Figures() []Figure {
	return []Figure{
		{Key: "test.money", Zh: "测试金额", Unit: "元", Section: SectionEconomy, Pattern: "实现测试金额%s亿元", Counts: "测试", Records: func(int) string { return "/test" }},
		{Key: "test.people", Zh: "测试人次", Unit: "人次", Section: SectionLivelihood, Pattern: "服务群众%s人次", Counts: "测试", Records: func(int) string { return "/test" }},
		{Key: "target.test.people", Zh: "测试目标", Unit: "人次", Kind: KindTarget, Counts: "至少", Records: func(int) string { return "/test" }},
	}
}

func (docSource) Measure(ctx context.Context, a org.Actor, key string, year int) (Measurement, error) {
	return Measurement{}, nil
}

func docValues() []Value {
	var out []Value
	for i, f := range AllFigures(docSource{}) {
		v := Value{Figure: f, Year: 2023, Value: float64(1000 + i)}
		switch f.Key {
		case "cases.xihu_code.satisfaction":
			v.Value = 98.63
		case "test.money":
			v.Value = 10120000000
		case "test.people":
			v.Value = 350000
		}
		p := v.Value / 2
		v.Prior = &p
		out = append(out, v)
	}
	return out
}

func nextValues() []Value {
	var out []Value
	for _, f := range AllFigures(docSource{}) {
		v := Value{Figure: f, Year: 2024, Value: 100}
		if f.Key == "target.test.people" {
			v.Value = 400
		}
		out = append(out, v)
	}
	return out
}

// The built-in template writes every figure in its sentence, in its
// section, scaled as the words after it ask; the tables follow.
func TestBuildDocDefault(t *testing.T) {
	values := docValues()
	d, err := BuildDoc(DefaultTemplate(AllFigures(docSource{})), 0, DocInput{Jurisdiction: "古荡街道", Year: 2023, Values: values, Next: nextValues()})
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := d.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	for _, want := range []string{
		"# 古荡街道2023年工作报告", "### （一）平安建设与基层治理", "全年累计流转签收西湖码1000件，评价满意率98.63%",
		"### （二）经济发展", "实现测试金额101.2亿元", "### （三）民生事业", "服务群众350000人次",
		"| 平安 | 流转签收西湖码 | 1000 | 500 | +100.00% |", "| 平安 | 西湖码评价满意率 | 98.63 | 49.31 | +49.31 个百分点 |",
		"## 四、2024年主要预期目标", "| 测试目标 | 400 | 人次 | 100 | 25.00% |",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(s)
	}
}

// Edited words keep their placeholders; a figure they do not mention is
// added at the end of its section (or in a new one); an overridden figure
// is marked, with both values and the reason in its note.
func TestBuildDocEditedWithOverride(t *testing.T) {
	values := docValues()
	v := 4320.0
	ApplyOverrides(values, map[string]Override{"cases.xihu_code.signed": {Key: "cases.xihu_code.signed", Value: &v, Reason: "补录线下签收", By: "王主任", At: time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)}})
	tpl := "# {{jurisdiction}}工作报告\n## 一、回顾\n### 平安古荡：网格通{{cases.grid.handled}}件\n今年累计流转签收西湖码{{cases.xihu_code.signed}}件。\n### 经济\n收入{{test.money}}万元，下降{{test.money|abs}}元。\n## 二、表\n{{compare}}\n"
	d, err := BuildDoc(tpl, 7, DocInput{Jurisdiction: "古荡街道", Year: 2023, Values: values})
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := d.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	for _, want := range []string{
		"### 平安古荡：网格通1003件\n\n今年累计流转签收西湖码4320※1件。\n\n评价满意率98.63%，处置平安通1002件，智慧三件套告警出警1004件", // the others at the end of 平安
		"收入1012000万元，下降10120000000元。", "### （三）民生事业\n\n服务群众350000人次。\n\n## 二、表",
		"4320※（计算值 1000）", "※1 流转签收西湖码（cases.xihu_code.signed）：系统按记录计算为 1000 件，改写为 4320 件。原因：补录线下签收（王主任，2024-01-10 09:00）",
		"template version 7",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(s)
	}
}

// A saved template whose figure is no longer wired still renders, and
// says which placeholder it cannot fill.
func TestBuildDocUnwired(t *testing.T) {
	d, err := BuildDoc("# 报告\n新增市场主体{{enterprise.new_entities}}家，网格通{{cases.grid.handled}}件。", 3, DocInput{Year: 2023, Values: docValues()})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "新增市场主体【未知数据项 enterprise.new_entities】家，网格通1003件。") {
		t.Fatal(b.String())
	}
}

// A template naming no figure, or unclosed, is refused with its line.
func TestTemplateErrors(t *testing.T) {
	figs := AllFigures(docSource{})
	for body, want := range map[string]string{
		"a\n西湖码{{cases.nope}}件":       "第2行：未知的数据占位符 {{cases.nope}}",
		"西湖码{{cases.xihu_code.signed": "第1行：“{{”没有对应的“}}”",
		"表 {{compare}}":               "第1行：{{compare}} 应单独成行",
		"{{test.money|round}}":        "未知的格式",
		"  \n":                        "模板不能为空",
	} {
		err := ValidateTemplate(body, figs)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
	if err := ValidateTemplate(DefaultTemplate(figs), figs); err != nil {
		t.Fatal(err)
	}
}

// The DOCX is a zip of well-formed WordprocessingML with the Chinese
// fonts, the figures in their sentences and the tables.
func TestWriteDOCX(t *testing.T) {
	values := docValues()
	v := 4320.0
	ApplyOverrides(values, map[string]Override{"cases.xihu_code.signed": {Value: &v, Reason: "补录线下签收", By: "王主任"}})
	d, err := BuildDoc(DefaultTemplate(AllFigures(docSource{})), 0, DocInput{Jurisdiction: "古荡街道", Year: 2023, Values: values, Next: nextValues()})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.WriteDOCX(&b); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, b.Bytes())
	doc := files["word/document.xml"]
	wellFormed(t, doc)
	wellFormed(t, files["word/styles.xml"])
	text := docxText(t, doc)
	for _, want := range []string{"全年累计流转签收西湖码4320※1件", "实现测试金额101.2亿元", "改写原因", "补录线下签收"} {
		if !strings.Contains(text, want) && !(want == "改写原因" && strings.Contains(text, "原因：")) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if n := strings.Count(doc, "<w:tbl>"); n != 2 { // compare, targets (no evaluation given)
		t.Errorf("%d tables, want 2", n)
	}
	if !strings.Contains(files["word/styles.xml"], `w:eastAsia="宋体"`) || !strings.Contains(files["word/styles.xml"], `w:eastAsia="黑体"`) {
		t.Error("styles lack the Chinese fonts")
	}
	if !strings.Contains(doc, `<w:highlight w:val="yellow"/>`) {
		t.Error("the overridden figure is not marked")
	}
}

// The workbook has the text, the figures with both values, the targets.
func TestWriteDocXLSX(t *testing.T) {
	values := docValues()
	d, err := BuildDoc(DefaultTemplate(AllFigures(docSource{})), 0, DocInput{Jurisdiction: "古荡街道", Year: 2023, Values: values, Next: nextValues()})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.WriteDocXLSX(&b, values); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); strings.Join(got, ",") != "报告 Report,数据 Figures,预期目标 Targets" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("数据 Figures")
	if len(rows) != len(values)+1 || rows[1][3] != "cases.xihu_code.signed" || rows[1][5] != "1000" || rows[1][7] != "500" || rows[1][8] != "+100.00%" {
		t.Fatalf("figures sheet: %v", rows[:2])
	}
	text, _ := f.GetRows("报告 Report")
	if !strings.Contains(text[3][0], "全年累计流转签收西湖码1000件") {
		t.Fatalf("report sheet: %v", text)
	}
}

func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = string(data)
	}
	for _, want := range []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/document.xml", "word/styles.xml"} {
		if _, ok := out[want]; !ok {
			t.Fatalf("docx lacks %s", want)
		}
	}
	return out
}

func wellFormed(t *testing.T, s string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

// docxText is the text of a document.xml, paragraphs on lines.
func docxText(t *testing.T, s string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.String()
		} else if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			inText = x.Name.Local == "t"
		case xml.EndElement:
			if x.Name.Local == "p" {
				b.WriteString("\n")
			}
			inText = false
		case xml.CharData:
			if inText {
				b.Write(x)
			}
		}
	}
}

// A number typed where a figure's placeholder belongs is pointed out with
// its line; the narrative's other numbers and the placeholders are not.
func TestTypedFigures(t *testing.T) {
	body := "# 报告\n今年累计流转签收西湖码4317件，评价满意率{{cases.xihu_code.satisfaction}}%。\n外出招商8次，对接项目28个。\n处置平安通{{cases.pingan.handled}}件、网格通7915件。"
	got := TypedFigures(body, AllFigures(docSource{}))
	if len(got) != 2 || got[0] != (TypedFigure{Line: 2, Written: "4317件", Key: "cases.xihu_code.signed", Zh: "流转签收西湖码"}) ||
		got[1] != (TypedFigure{Line: 4, Written: "7915件", Key: "cases.grid.handled", Zh: "网格通"}) {
		t.Fatalf("typed figures: %+v", got)
	}
	if got := TypedFigures(DefaultTemplate(AllFigures(docSource{})), AllFigures(docSource{})); len(got) != 0 {
		t.Fatalf("the built-in template has typed figures: %+v", got)
	}
}

// A Pattern is split at its verb, whichever a source wrote.
func TestPatternParts(t *testing.T) {
	for p, want := range map[string][3]string{
		"评价满意率%s%%":      {"评价满意率", "%", "true"},
		"信访件同比下降%.2f%%":  {"信访件同比下降", "%", "true"},
		"为%d户独居老人配备设备":   {"为", "户独居老人配备设备", "true"},
		"全年累计流转签收西湖码%s件": {"全年累计流转签收西湖码", "件", "true"},
		"没有数字":           {"没有数字", "", "false"},
	} {
		pre, post, ok := PatternParts(p)
		if pre != want[0] || post != want[1] || fmt.Sprint(ok) != want[2] {
			t.Errorf("%q: %q %q %v", p, pre, post, ok)
		}
	}
}
