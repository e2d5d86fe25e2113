package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// Text is escaped, lines become breaks, short rows are padded, and every
// part of the package is well-formed XML.
func TestDocument(t *testing.T) {
	var d Document
	d.Heading(1, "古荡街道 <2023> & 工作报告")
	d.Paragraph(Run{Text: "第一行\n第二行"}, Run{Text: "4317", Bold: true, Mark: true}, Run{Text: "※1", Super: true, Color: "C00000"})
	d.Table([]string{"指标", "数值", "单位"}, [][]string{{"网格通", "7915"}})
	var b bytes.Buffer
	n, err := d.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo: %d of %d, %v", n, b.Len(), err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		parts[f.Name] = string(data)
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	if len(parts) != 5 {
		t.Fatalf("parts: %v", len(parts))
	}
	doc := parts["word/document.xml"]
	for _, want := range []string{
		`<w:pStyle w:val="Heading1"/>`, "古荡街道 &lt;2023&gt; &amp; 工作报告",
		`第一行</w:t><w:br/><w:t xml:space="preserve">第二行`,
		`<w:rPr><w:b/><w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">4317</w:t>`,
		`<w:color w:val="C00000"/><w:vertAlign w:val="superscript"/>`,
		`<w:tblHeader/>`, `<w:t xml:space="preserve">7915</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p></w:p></w:tc></w:tr></w:tbl>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if !strings.Contains(parts["[Content_Types].xml"], "wordprocessingml.document.main+xml") {
		t.Error("content types")
	}
}
