package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// The work report as a document. Its words are a template the office
// edits (docs/report.md): lines of text in which the numbers are
// placeholders, never typed:
//
//	# 标题            a heading (#, ## or ###)
//	text {{key}}件    a paragraph; {{key}} is the figure's value
//	{{compare}}       the table of every figure with the year before and the change
//	{{evaluation}}    the evaluation table (考核指标)
//	{{targets}}       the next year's targets with progress
//
// A placeholder followed by 亿 or 万 writes the value in that multiple
// ("{{fiscal.total_revenue}}亿元" → 101.2亿元); {{key|abs}} writes it
// without its sign ("下降{{petitions.yoy_change|abs}}%"). {{year}},
// {{next_year}} and {{jurisdiction}} are the report's year, the next year
// and the subdistrict's name. A figure the template does not mention is
// added, in its Pattern's words, at the end of its section (the ### heading
// naming 平安, 经济, 民生 or 党建): a figure a new domain brings is in the
// document as soon as it is wired, before anyone edits the words.

// Override is a figure's value set by hand, with its reason: the document
// shows it marked, and keeps the computed value beside it.
type Override struct {
	ID     int64     `json:"id"`
	Year   int       `json:"year"`
	Key    string    `json:"key"`
	Value  *float64  `json:"value"` // nil: the override is withdrawn
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	// JurisdictionID is the subdistrict whose figure it overrides (0: the
	// deployment's own report).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// TemplateVersion is one saved version of the document's words.
type TemplateVersion struct {
	Version int64     `json:"version"` // 0 is the built-in template, never saved
	Body    string    `json:"body"`
	Note    string    `json:"note,omitempty"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	// JurisdictionID is the subdistrict whose words these are (0: the
	// deployment's own).
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Block is one part of the document.
type Block struct {
	Level int    // 1–3 for a heading, 0 for a paragraph or a table
	Runs  []Run  // a heading's or paragraph's text
	Table *Table // a table
}

// Run is text, or a figure's number as the document writes it.
type Run struct {
	Text string
	Fig  *DocFigure
}

// DocFigure is a figure where the document writes it.
type DocFigure struct {
	Value        // the figure, its computed value and the year before
	Text  string // the number as written ("101.2", "4317")
	Note  int    // the number of its note when it is overridden, else 0
}

// Table is a table of the document.
type Table struct {
	Title string
	Head  []string
	Rows  [][]string
	Links []string // per row, the figure's records (compare table), else empty
}

// Doc is the work report of a year.
type Doc struct {
	Title    string
	Year     int
	Template int64 // the version of the words
	Blocks   []Block
	Notes    []string // the overridden figures, both values and the reason
}

// DocInput is what a document is built from.
type DocInput struct {
	Jurisdiction string
	Year         int
	Values       []Value     // every figure of the year (Compute), overrides applied
	Next         []Value     // the figures of the next year, for the targets' progress; may be nil
	Eval         *Evaluation // may be nil
}

// placeholder is one {{…}} of a template line.
type placeholder struct {
	name string // a figure key or a built-in
	abs  bool
}

// tplLine is a template line split into text and placeholders.
type tplLine struct {
	level int
	parts []any // string or placeholder
}

var builtins = map[string]bool{"year": true, "next_year": true, "jurisdiction": true}
var directives = map[string]bool{"compare": true, "evaluation": true, "targets": true}

// parseTemplate splits a template into lines; known are the figure keys.
// It names the first line with an unknown or unclosed placeholder.
// With known nil, any name is taken (a saved template whose figure is no
// longer wired still renders).
func parseTemplate(body string, known map[string]bool) ([]tplLine, error) {
	var out []tplLine
	for i, raw := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		l := tplLine{}
		for l.level < 3 && strings.HasPrefix(line, "#") {
			l.level++
			line = line[1:]
		}
		line = strings.TrimLeft(line, "# ")
		for line != "" {
			open := strings.Index(line, "{{")
			if open < 0 {
				l.parts = append(l.parts, line)
				break
			}
			if open > 0 {
				l.parts = append(l.parts, line[:open])
			}
			end := strings.Index(line[open:], "}}")
			if end < 0 {
				return nil, jiedao.Invalid("body", fmt.Sprintf("第%d行：“{{”没有对应的“}}”", i+1), fmt.Sprintf("line %d: “{{” without “}}”", i+1))
			}
			name := strings.TrimSpace(line[open+2 : open+end])
			ph := placeholder{name: name}
			if k, mod, ok := strings.Cut(name, "|"); ok {
				if strings.TrimSpace(mod) != "abs" {
					return nil, jiedao.Invalid("body", fmt.Sprintf("第%d行：未知的格式“%s”（只有 abs）", i+1, mod), fmt.Sprintf("line %d: unknown modifier %q (only abs)", i+1, mod))
				}
				ph = placeholder{name: strings.TrimSpace(k), abs: true}
			}
			if known != nil && !known[ph.name] && !builtins[ph.name] && !directives[ph.name] {
				return nil, jiedao.Invalid("body", fmt.Sprintf("第%d行：未知的数据占位符 {{%s}}", i+1, ph.name), fmt.Sprintf("line %d: unknown placeholder {{%s}}", i+1, ph.name))
			}
			if directives[ph.name] && (len(l.parts) > 0 || strings.TrimSpace(line[open+end+2:]) != "" || l.level > 0) {
				return nil, jiedao.Invalid("body", fmt.Sprintf("第%d行：{{%s}} 应单独成行", i+1, ph.name), fmt.Sprintf("line %d: {{%s}} must be alone on its line", i+1, ph.name))
			}
			l.parts = append(l.parts, ph)
			line = line[open+end+2:]
		}
		out = append(out, l)
	}
	return out, nil
}

// ValidateTemplate checks a template's placeholders against the figures.
func ValidateTemplate(body string, figures []Figure) error {
	if strings.TrimSpace(body) == "" {
		return jiedao.Invalid("body", "模板不能为空", "the template is empty")
	}
	_, err := parseTemplate(body, keySet(figures))
	return err
}

func keySet(figures []Figure) map[string]bool {
	m := make(map[string]bool, len(figures))
	for _, f := range figures {
		m[f.Key] = true
	}
	return m
}

// Sections are the sections of the year's review, in the report's order.
func Sections() []string {
	return []string{SectionSafety, SectionEconomy, SectionLivelihood, SectionParty}
}

// sectionNames are the headings the built-in template gives the sections.
var sectionNames = map[string]string{
	SectionSafety:     "（一）平安建设与基层治理",
	SectionEconomy:    "（二）经济发展",
	SectionLivelihood: "（三）民生事业",
	SectionParty:      "（四）党建与作风建设",
}

// sentence is a figure's Pattern with the placeholder in place of %s.
func sentence(f Figure) string {
	if f.Pattern == "" {
		return f.Zh + "{{" + f.Key + "}}" + f.Unit
	}
	pre, post, ok := PatternParts(f.Pattern)
	if !ok {
		return f.Pattern + "{{" + f.Key + "}}" + f.Unit
	}
	return pre + "{{" + f.Key + "}}" + post
}

// DefaultTemplate is the built-in template: the report's structure, each
// section's figures in their Pattern's words, the tables.
func DefaultTemplate(figures []Figure) string {
	var b strings.Builder
	b.WriteString("# {{jurisdiction}}{{year}}年工作报告（数据部分）\n\n## 一、{{year}}年工作回顾\n\n")
	for _, s := range Sections() {
		var ss []string
		for _, f := range figures {
			if f.Section == s && f.Kind != KindTarget {
				ss = append(ss, sentence(f))
			}
		}
		if len(ss) == 0 {
			continue
		}
		b.WriteString("### " + sectionNames[s] + "\n\n" + strings.Join(ss, "，") + "。\n\n")
	}
	b.WriteString("## 二、数据对照（与上年比较）\n\n{{compare}}\n\n## 三、考核指标\n\n{{evaluation}}\n\n## 四、{{next_year}}年主要预期目标\n\n{{targets}}\n")
	return b.String()
}

// sectionOf is the section a heading names, if any.
func sectionOf(text string) string {
	for _, s := range Sections() {
		if strings.Contains(text, s) {
			return s
		}
	}
	return ""
}

// BuildDoc fills the template with the figures.
func BuildDoc(body string, version int64, in DocInput) (*Doc, error) {
	figs := make([]Figure, len(in.Values))
	byKey := make(map[string]Value, len(in.Values))
	for i, v := range in.Values {
		figs[i] = v.Figure
		byKey[v.Key] = v
	}
	lines, err := parseTemplate(body, nil)
	if err != nil {
		return nil, err
	}
	d := &Doc{Year: in.Year, Template: version}
	mentioned := map[string]bool{}
	notes := map[string]int{}
	sectionEnd := map[string]int{} // section → index after its last block
	current := ""
	reviewEnd := -1 // index of the second level-2 heading: the review ends there
	seenH2 := 0
	for _, l := range lines {
		if l.level > 0 {
			text := ""
			for i, p := range l.parts {
				switch p := p.(type) {
				case string:
					text += p
				case placeholder:
					if builtins[p.name] {
						text += builtin(p.name, in)
						continue
					}
					// A figure in a heading: its number, unmarked.
					next := ""
					if i+1 < len(l.parts) {
						next, _ = l.parts[i+1].(string)
					}
					if v, ok := byKey[p.name]; ok {
						text += WriteNumber(v, next, p.abs)
					} else {
						text += unwired(p.name)
					}
					mentioned[p.name] = true
				}
			}
			if l.level <= 2 {
				current = ""
				if l.level == 2 {
					seenH2++
					if seenH2 == 2 && reviewEnd < 0 {
						reviewEnd = len(d.Blocks)
					}
				}
			} else {
				current = sectionOf(text)
			}
			if l.level == 1 && d.Title == "" {
				d.Title = text
			}
			d.Blocks = append(d.Blocks, Block{Level: l.level, Runs: []Run{{Text: text}}})
			if current != "" {
				sectionEnd[current] = len(d.Blocks)
			}
			continue
		}
		if len(l.parts) == 1 {
			if ph, ok := l.parts[0].(placeholder); ok && directives[ph.name] {
				if t := directive(ph.name, in); t != nil {
					d.Blocks = append(d.Blocks, Block{Table: t})
				}
				continue
			}
		}
		var runs []Run
		for i, p := range l.parts {
			switch p := p.(type) {
			case string:
				runs = append(runs, Run{Text: p})
			case placeholder:
				if builtins[p.name] {
					runs = append(runs, Run{Text: builtin(p.name, in)})
					continue
				}
				v, ok := byKey[p.name]
				if !ok {
					runs = append(runs, Run{Text: unwired(p.name)})
					continue
				}
				mentioned[p.name] = true
				next := ""
				if i+1 < len(l.parts) {
					next, _ = l.parts[i+1].(string)
				}
				runs = append(runs, Run{Fig: d.figure(v, next, p.abs, notes)})
			}
		}
		d.Blocks = append(d.Blocks, Block{Runs: runs})
		if current != "" {
			sectionEnd[current] = len(d.Blocks)
		}
	}
	if reviewEnd < 0 {
		reviewEnd = len(d.Blocks)
	}
	// The figures the words do not mention: at the end of their section,
	// or in a section of their own at the end of the review.
	for _, s := range Sections() {
		var runs []Run
		for _, v := range in.Values {
			if v.Section != s || v.Kind == KindTarget || mentioned[v.Key] {
				continue
			}
			pre, post := splitPattern(sentence(v.Figure), v.Key)
			if len(runs) > 0 {
				runs = append(runs, Run{Text: "，"})
			}
			runs = append(runs, Run{Text: pre}, Run{Fig: d.figure(v, post, false, notes)}, Run{Text: post})
			mentioned[v.Key] = true
		}
		if len(runs) == 0 {
			continue
		}
		runs = append(runs, Run{Text: "。"})
		at, ok := sectionEnd[s]
		add := []Block{{Runs: runs}}
		if !ok {
			at = reviewEnd
			add = []Block{{Level: 3, Runs: []Run{{Text: sectionNames[s]}}}, {Runs: runs}}
		}
		d.Blocks = append(d.Blocks[:at], append(add, d.Blocks[at:]...)...)
		for k, e := range sectionEnd {
			if e >= at && k != s {
				sectionEnd[k] = e + len(add)
			}
		}
		if reviewEnd >= at {
			reviewEnd += len(add)
		}
		sectionEnd[s] = at + len(add)
	}
	if d.Title == "" {
		d.Title = fmt.Sprintf("%s%d年工作报告", in.Jurisdiction, in.Year)
	}
	return d, nil
}

// splitPattern splits a sentence at its placeholder.
func splitPattern(s, key string) (pre, post string) {
	pre, post, _ = strings.Cut(s, "{{"+key+"}}")
	return pre, post
}

func builtin(name string, in DocInput) string {
	switch name {
	case "year":
		return strconv.Itoa(in.Year)
	case "next_year":
		return strconv.Itoa(in.Year + 1)
	case "jurisdiction":
		return in.Jurisdiction
	}
	return ""
}

// figure writes a figure as the text after it asks (亿, 万), and notes its
// override.
func (d *Doc) figure(v Value, next string, abs bool, notes map[string]int) *DocFigure {
	f := &DocFigure{Value: v, Text: WriteNumber(v, next, abs)}
	if v.Override != nil {
		n, ok := notes[v.Key]
		if !ok {
			d.Notes = append(d.Notes, overrideNote(v))
			n = len(d.Notes)
			notes[v.Key] = n
		}
		f.Note = n
	}
	return f
}

// overrideNote says both values of an overridden figure and why.
func overrideNote(v Value) string {
	o := v.Override
	return fmt.Sprintf("%s（%s）：系统按记录计算为 %s %s，改写为 %s %s。原因：%s（%s，%s）/ computed %s, set to %s by hand",
		v.Zh, v.Key, Plain(v.Computed, v.IsRate()), v.Unit, Plain(v.Value, v.IsRate()), v.Unit, o.Reason, o.By,
		o.At.Format("2006-01-02 15:04"), Plain(v.Computed, v.IsRate()), Plain(v.Value, v.IsRate()))
}

// WriteNumber writes a figure's value as the text after it asks: in 亿 or
// 万 when the text goes on with them, to two decimals at most (a rate
// always with two).
func WriteNumber(v Value, next string, abs bool) string {
	if v.Missing {
		return "—"
	}
	x := v.Value
	if abs {
		x = math.Abs(x)
	}
	switch {
	case strings.HasPrefix(next, "亿"):
		x /= 1e8
	case strings.HasPrefix(next, "万"):
		x /= 1e4
	default:
		return Plain(x, v.IsRate())
	}
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}

// Plain writes a value: a rate with two decimals, a count whole (or with
// its decimals when it has any).
func Plain(x float64, rate bool) string {
	if rate {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}

// Change writes the change on the year before: a percentage for a count,
// the difference in points for a rate.
func Change(v Value) string {
	if v.Prior == nil || v.Missing {
		return "—"
	}
	if v.IsRate() {
		return fmt.Sprintf("%+.2f 个百分点", v.Value-*v.Prior)
	}
	if *v.Prior == 0 {
		return "—"
	}
	return fmt.Sprintf("%+.2f%%", (v.Value-*v.Prior) / *v.Prior * 100)
}

// priorText writes the year before.
func priorText(v Value) string {
	if v.Prior == nil {
		return "—"
	}
	return Plain(*v.Prior, v.IsRate())
}

func directive(name string, in DocInput) *Table {
	switch name {
	case "compare":
		t := &Table{Title: "数据对照 Figures against the year before",
			Head: []string{"板块", "指标", "本年 " + strconv.Itoa(in.Year), "上年 " + strconv.Itoa(in.Year-1), "增减", "单位", "口径"}}
		for _, s := range append(Sections(), "") {
			for _, v := range in.Values {
				if v.Kind == KindTarget || (s == "" && sectionKnown(v.Section)) || (s != "" && v.Section != s) {
					continue
				}
				val := Plain(v.Value, v.IsRate())
				if v.Missing {
					val = "—"
				}
				if v.Override != nil {
					val += "※（计算值 " + Plain(v.Computed, v.IsRate()) + "）"
				}
				t.Rows = append(t.Rows, []string{v.Section, v.Zh, val, priorText(v), Change(v), v.Unit, v.Counts})
			}
		}
		return t
	case "evaluation":
		if in.Eval == nil {
			return nil
		}
		t := &Table{Title: "考核指标 Evaluation", Head: []string{"单位"}}
		for _, c := range EvalColumns() {
			t.Head = append(t.Head, c.Head)
		}
		for _, r := range append([]EvalRow{in.Eval.Total}, in.Eval.Units...) {
			row := []string{r.Name}
			for _, c := range EvalColumns() {
				x := c.Value(r.Evaluation)
				if f, ok := x.(float64); ok {
					row = append(row, strconv.FormatFloat(f, 'f', 2, 64))
				} else {
					row = append(row, fmt.Sprint(x))
				}
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	case "targets":
		return targetsTable(in)
	}
	return nil
}

func sectionKnown(s string) bool {
	for _, x := range Sections() {
		if s == x {
			return true
		}
	}
	return false
}

// Target is a target of the next year with its progress so far.
type Target struct {
	Value             // the target (Kind target) of the next year
	Base     *Value   // the figure the target is set on (its key without "target."), next year so far
	Progress *float64 // Base / target in percent, when both are known and the target is not zero
}

// Targets pairs each target figure of the next year with the figure it
// is set on.
func Targets(next []Value) []Target {
	byKey := map[string]Value{}
	for _, v := range next {
		byKey[v.Key] = v
	}
	var out []Target
	for _, v := range next {
		if v.Kind != KindTarget {
			continue
		}
		t := Target{Value: v}
		if b, ok := byKey[strings.TrimPrefix(v.Key, "target.")]; ok && !b.Missing {
			t.Base = &b
			if !v.Missing && v.Value != 0 {
				p := math.Round(b.Value/v.Value*10000) / 100
				t.Progress = &p
			}
		}
		out = append(out, t)
	}
	return out
}

func targetsTable(in DocInput) *Table {
	t := &Table{Title: "预期目标 Targets", Head: []string{"目标", "目标值 " + strconv.Itoa(in.Year+1), "单位", "当前完成", "完成进度", "说明"}}
	for _, g := range Targets(in.Next) {
		row := []string{g.Zh, Plain(g.Value.Value, g.IsRate()), g.Unit, "—", "—", g.Counts}
		if g.Missing {
			row[1] = "—"
		}
		if g.Base != nil {
			row[3] = Plain(g.Base.Value, g.Base.IsRate())
		}
		if g.Progress != nil {
			row[4] = strconv.FormatFloat(*g.Progress, 'f', 2, 64) + "%"
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		t.Rows = append(t.Rows, []string{"尚未录入目标 / no targets entered", "", "", "", "", ""})
	}
	return t
}

// ApplyOverrides sets the overridden figures' values, keeping the
// computed ones in Computed; every value's Computed is set.
func ApplyOverrides(values []Value, overrides map[string]Override) {
	for i := range values {
		v := &values[i]
		v.Computed = v.Value
		if o, ok := overrides[v.Key]; ok && o.Value != nil {
			oo := o
			v.Override = &oo
			v.Value = *o.Value
			v.Missing = false
		}
	}
}

// TypedFigure is a number typed in the words of a template that reads as
// one of the figures: it should be the figure's placeholder.
type TypedFigure struct {
	Line    int
	Written string
	Key, Zh string
}

// TypedFigures finds the numbers typed in a template's words that the
// draft check (Check) matches to a figure. The office is told, not
// refused: a number of the narrative may look like a figure.
func TypedFigures(body string, figures []Figure) []TypedFigure {
	var text strings.Builder
	var lineAt []int // rune offset → line, by line starts
	line := 0
	for _, raw := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line++
		lineAt = append(lineAt, len([]rune(text.String())))
		for raw != "" {
			open := strings.Index(raw, "{{")
			end := strings.Index(raw, "}}")
			if open < 0 || end < open {
				text.WriteString(raw)
				break
			}
			text.WriteString(raw[:open] + "□")
			raw = raw[end+2:]
		}
		text.WriteString("\n")
	}
	values := make([]Value, len(figures))
	for i, f := range figures {
		values[i] = Value{Figure: f, Missing: true}
	}
	var out []TypedFigure
	for _, c := range Check(text.String(), values) {
		if c.Key == "" {
			continue
		}
		n := 0
		for n < len(lineAt) && lineAt[n] <= c.Offset {
			n++
		}
		out = append(out, TypedFigure{Line: n, Written: c.Written, Key: c.Key, Zh: c.Zh})
	}
	return out
}

// PatternParts splits a figure's Pattern at its value's verb (%s, or any
// other verb a source wrote: %d, %.2f …), with %% read as %.
func PatternParts(p string) (pre, post string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 < len(p) && p[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		for j < len(p) && strings.IndexByte("+-# 0123456789.", p[j]) >= 0 {
			j++
		}
		if j < len(p) && (p[j] >= 'a' && p[j] <= 'z' || p[j] >= 'A' && p[j] <= 'Z') && !ok {
			pre, ok = b.String(), true
			b.Reset()
			i = j
			continue
		}
		b.WriteByte('%')
	}
	if !ok {
		return b.String(), "", false
	}
	return pre, b.String(), true
}

// unwired writes a placeholder of a saved template whose figure is no
// longer among the figures: the document still renders, and says so.
func unwired(key string) string { return "【未知数据项 " + key + "】" }
