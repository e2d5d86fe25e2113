package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/internal/docx"
)

// noteMark is how the document marks an overridden figure: ※ and the
// number of its note.
func noteMark(n int) string { return "※" + strconv.Itoa(n) }

// text writes a run as plain text, an overridden figure with its mark.
func (r Run) text() string {
	if r.Fig == nil {
		return r.Text
	}
	if r.Fig.Note > 0 {
		return r.Fig.Text + noteMark(r.Fig.Note)
	}
	return r.Fig.Text
}

// Text is a heading's or paragraph's text.
func (b Block) Text() string {
	var s strings.Builder
	for _, r := range b.Runs {
		s.WriteString(r.text())
	}
	return s.String()
}

func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// WriteMarkdown writes the document as Markdown.
func (d *Doc) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, bl := range d.Blocks {
		switch {
		case bl.Table != nil:
			t := bl.Table
			b.WriteString("| " + strings.Join(mapStrings(t.Head, mdCell), " | ") + " |\n|" + strings.Repeat("---|", len(t.Head)) + "\n")
			for _, r := range t.Rows {
				b.WriteString("| " + strings.Join(mapStrings(r, mdCell), " | ") + " |\n")
			}
			b.WriteString("\n")
		case bl.Level > 0:
			b.WriteString(strings.Repeat("#", bl.Level) + " " + bl.Text() + "\n\n")
		default:
			b.WriteString(bl.Text() + "\n\n")
		}
	}
	if len(d.Notes) > 0 {
		b.WriteString("---\n\n")
		for i, n := range d.Notes {
			fmt.Fprintf(&b, "%s %s\n\n", noteMark(i+1), n)
		}
	}
	fmt.Fprintf(&b, "<!-- jiedao: 文字模板第 %d 版 / template version %d; 数字均由记录计算 / every number computed from the records -->\n", d.Template, d.Template)
	_, err := io.WriteString(w, b.String())
	return err
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// WriteDOCX writes the document as a Word file (WPS and Word): headings in
// 黑体, text in 宋体, the tables with borders, overridden figures marked.
func (d *Doc) WriteDOCX(w io.Writer) error {
	var x docx.Document
	for _, bl := range d.Blocks {
		switch {
		case bl.Table != nil:
			x.Table(bl.Table.Head, bl.Table.Rows)
		case bl.Level > 0:
			x.Heading(bl.Level, bl.Text())
		default:
			var runs []docx.Run
			for _, r := range bl.Runs {
				if r.Fig == nil {
					runs = append(runs, docx.Run{Text: r.Text})
					continue
				}
				runs = append(runs, docx.Run{Text: r.Fig.Text, Bold: true, Mark: r.Fig.Note > 0})
				if r.Fig.Note > 0 {
					runs = append(runs, docx.Run{Text: noteMark(r.Fig.Note), Super: true, Color: "C00000"})
				}
			}
			x.Paragraph(runs...)
		}
	}
	if len(d.Notes) > 0 {
		x.Heading(3, "改写说明 Figures set by hand")
		for i, n := range d.Notes {
			x.Paragraph(docx.Run{Text: noteMark(i + 1), Color: "C00000"}, docx.Run{Text: " " + n})
		}
	}
	x.Paragraph(docx.Run{Text: fmt.Sprintf("文字模板第 %d 版；数字均由 jiedao 按记录计算。", d.Template), Color: "808080"})
	_, err := x.WriteTo(w)
	return err
}

// WriteDocXLSX writes the document as a workbook: the text, the figures
// with both years and their overrides, the evaluation, the targets.
func (d *Doc) WriteDocXLSX(w io.Writer, values []Value) error {
	f := excelize.NewFile()
	defer f.Close()
	const text = "报告 Report"
	if err := f.SetSheetName("Sheet1", text); err != nil {
		return err
	}
	var rows [][]any
	for _, bl := range d.Blocks {
		switch {
		case bl.Table != nil:
			rows = append(rows, []any{"（表格见工作表 / table: " + bl.Table.Title + "）"})
		case bl.Level > 0:
			rows = append(rows, []any{strings.Repeat("#", bl.Level) + " " + bl.Text()})
		default:
			rows = append(rows, []any{bl.Text()})
		}
	}
	for i, n := range d.Notes {
		rows = append(rows, []any{noteMark(i+1) + " " + n})
	}
	if err := writeRows(f, text, rows); err != nil {
		return err
	}
	if err := f.SetColWidth(text, "A", "A", 120); err != nil {
		return err
	}
	rows = [][]any{{"板块 Section", "指标", "Figure", "键 Key", "类别 Kind", "本年 Value", "计算值 Computed", "上年 Prior", "增减 Change", "单位 Unit", "改写原因 Override reason", "改写人 By", "口径 What is counted"}}
	for _, v := range values {
		var val, prior any = v.Value, "—"
		if v.Missing {
			val = "—"
		}
		if v.Prior != nil {
			prior = *v.Prior
		}
		reason, by := "", ""
		if v.Override != nil {
			reason, by = v.Override.Reason, v.Override.By+" "+v.Override.At.Format("2006-01-02 15:04")
		}
		kind := v.Kind
		if kind == "" {
			kind = KindDerived
		}
		rows = append(rows, []any{v.Section, v.Zh, v.En, v.Key, kind, val, v.Computed, prior, Change(v), v.Unit, reason, by, v.Counts})
	}
	if err := newSheet(f, "数据 Figures", rows); err != nil {
		return err
	}
	for _, bl := range d.Blocks {
		if bl.Table == nil || bl.Table.Title == "" || strings.HasPrefix(bl.Table.Title, "数据对照") {
			continue
		}
		rows := [][]any{anyRow(bl.Table.Head)}
		for _, r := range bl.Table.Rows {
			rows = append(rows, anyRow(r))
		}
		if err := newSheet(f, bl.Table.Title, rows); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func newSheet(f *excelize.File, name string, rows [][]any) error {
	if len([]rune(name)) > 31 {
		name = string([]rune(name)[:31])
	}
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	return writeRows(f, name, rows)
}

func anyRow(r []string) []any {
	out := make([]any, len(r))
	for i, s := range r {
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			out[i] = x
		} else {
			out[i] = s
		}
	}
	return out
}
