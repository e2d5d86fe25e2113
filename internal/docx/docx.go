// Package docx writes small WordprocessingML documents (.docx) that open in
// Word and WPS: headings, paragraphs of runs, and tables with borders, with
// Chinese fonts (正文 宋体, headings 黑体). It writes only what jiedao's
// documents need, with archive/zip and encoding/xml from the standard
// library.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Run is a piece of text in one style.
type Run struct {
	Text  string
	Bold  bool
	Super bool   // superscript, for a note's mark
	Color string // hex RRGGBB, empty for black
	Mark  bool   // highlighted (yellow), for an overridden figure
}

// Document is a document being written; its zero value is empty.
type Document struct {
	body bytes.Buffer
}

// Heading adds a heading of level 1 to 3.
func (d *Document) Heading(level int, text string) {
	if level < 1 {
		level = 1
	}
	if level > 3 {
		level = 3
	}
	fmt.Fprintf(&d.body, `<w:p><w:pPr><w:pStyle w:val="Heading%d"/></w:pPr>`, level)
	d.run(Run{Text: text})
	d.body.WriteString(`</w:p>`)
}

// Paragraph adds a paragraph of runs.
func (d *Document) Paragraph(runs ...Run) {
	d.body.WriteString(`<w:p>`)
	for _, r := range runs {
		d.run(r)
	}
	d.body.WriteString(`</w:p>`)
}

// Table adds a table with a bold header row; rows shorter than the header
// are padded with empty cells.
func (d *Document) Table(head []string, rows [][]string) {
	d.body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid>`)
	for range head {
		fmt.Fprintf(&d.body, `<w:gridCol w:w="%d"/>`, 9000/max(len(head), 1))
	}
	d.body.WriteString(`</w:tblGrid>`)
	d.row(head, true)
	for _, r := range rows {
		for len(r) < len(head) {
			r = append(r, "")
		}
		d.row(r, false)
	}
	d.body.WriteString(`</w:tbl><w:p/>`)
}

func (d *Document) row(cells []string, header bool) {
	d.body.WriteString(`<w:tr>`)
	if header {
		d.body.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
	}
	for _, c := range cells {
		d.body.WriteString(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p>`)
		d.run(Run{Text: c, Bold: header})
		d.body.WriteString(`</w:p></w:tc>`)
	}
	d.body.WriteString(`</w:tr>`)
}

func (d *Document) run(r Run) {
	if r.Text == "" {
		return
	}
	d.body.WriteString(`<w:r>`)
	if r.Bold || r.Super || r.Color != "" || r.Mark {
		d.body.WriteString(`<w:rPr>`)
		if r.Bold {
			d.body.WriteString(`<w:b/>`)
		}
		if r.Color != "" {
			fmt.Fprintf(&d.body, `<w:color w:val="%s"/>`, attr(r.Color))
		}
		if r.Mark {
			d.body.WriteString(`<w:highlight w:val="yellow"/>`)
		}
		if r.Super {
			d.body.WriteString(`<w:vertAlign w:val="superscript"/>`)
		}
		d.body.WriteString(`</w:rPr>`)
	}
	// Lines of the text become breaks within the run.
	for i, line := range strings.Split(r.Text, "\n") {
		if i > 0 {
			d.body.WriteString(`<w:br/>`)
		}
		d.body.WriteString(`<w:t xml:space="preserve">`)
		_ = xml.EscapeText(&d.body, []byte(line))
		d.body.WriteString(`</w:t>`)
	}
	d.body.WriteString(`</w:r>`)
}

func attr(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// WriteTo writes the document as a .docx archive.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	z := zip.NewWriter(cw)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/styles.xml", stylesXML()},
		{"word/document.xml", xml.Header + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` +
			d.body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return cw.n, err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return cw.n, err
		}
	}
	err := z.Close()
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

const (
	nsW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`</Types>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`</Relationships>`

const documentRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

// styles: 正文 宋体 小四 (12 pt); headings 黑体; a table style with single
// borders on every cell.
func stylesXML() string {
	return xml.Header + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/>` +
		`<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		heading(1, 36) + heading(2, 32) + heading(3, 28) +
		`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
		`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr><w:tblPr><w:tblBorders>` +
		`<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
		`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
		`</w:tblBorders></w:tblPr></w:style>` +
		`</w:styles>`
}

func heading(level, size int) string {
	return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="Heading%d"><w:name w:val="heading %d"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>`+
		`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="%d"/></w:pPr>`+
		`<w:rPr><w:rFonts w:ascii="黑体" w:hAnsi="黑体" w:eastAsia="黑体"/><w:b/><w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr></w:style>`,
		level, level, level-1, size, size)
}
