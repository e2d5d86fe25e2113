package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

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
