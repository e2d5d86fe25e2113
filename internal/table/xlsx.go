package table

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xlsxWriter streams an Office Open XML workbook of one sheet. The zip
// archive is written forward only (data descriptors after each entry), the
// small parts first and the sheet last, its rows deflated as they come;
// text goes in inline strings, so no shared-string table has to be held
// until the end.
type xlsxWriter struct {
	dst   io.Writer
	zw    *zip.Writer
	fw    *flate.Writer // the sheet entry's compressor, kept to flush it
	sheet *bufio.Writer
	row   int
	cell  []byte
}

// The workbook's fixed parts.
const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	xlsxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`
	xlsxSheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`
	xlsxSheetTail = `</sheetData></worksheet>`
)

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	x := &xlsxWriter{dst: w, zw: zip.NewWriter(w)}
	// BestSpeed: a download is limited by deflate long before the disk
	// or the network; the file is about a fifth larger than at the default.
	x.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw, err := flate.NewWriter(out, flate.BestSpeed)
		x.fw = fw
		return fw, err
	})
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes},
		{"_rels/.rels", xlsxRels},
		{"xl/workbook.xml", workbookXML(sheet)},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStyles},
	} {
		pw, err := x.zw.Create(part.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(pw, part.body); err != nil {
			return nil, err
		}
	}
	sw, err := x.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	x.sheet = bufio.NewWriterSize(sw, 64<<10)
	_, err = x.sheet.WriteString(xlsxSheetHead)
	return x, err
}

// workbookXML names the one sheet: at most 31 characters, none of the
// seven Excel refuses.
func workbookXML(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "Sheet1"
	}
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="`)
	_ = xml.EscapeText(&b, []byte(name))
	b.WriteString(`" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	return b.String()
}

// Row writes one row; the first (the header) is bold.
func (x *xlsxWriter) Row(cells ...any) error {
	x.row++
	r := strconv.Itoa(x.row)
	b := append(x.cell[:0], `<row r="`...)
	b = append(b, r...)
	b = append(b, `">`...)
	for i, v := range cells {
		s, k := text(v)
		if s == "" {
			continue
		}
		b = append(b, `<c r="`...)
		b = appendColumn(b, i)
		b = append(b, r...)
		b = append(b, '"')
		if x.row == 1 {
			b = append(b, ` s="1"`...)
		}
		switch k {
		case textCell:
			b = append(b, ` t="inlineStr"><is><t xml:space="preserve">`...)
			b = appendEscaped(b, s)
			b = append(b, `</t></is></c>`...)
		default:
			b = append(b, `><v>`...)
			b = append(b, s...)
			b = append(b, `</v></c>`...)
		}
	}
	b = append(b, `</row>`...)
	x.cell = b
	_, err := x.sheet.Write(b)
	return err
}

// appendColumn writes a zero-based column index as letters: A … Z, AA …
func appendColumn(b []byte, i int) []byte {
	var tmp [4]byte
	n := len(tmp)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		tmp[n] = byte('A' + (i-1)%26)
	}
	return append(b, tmp[n:]...)
}

// appendEscaped escapes text for XML; characters XML 1.0 cannot hold
// (most control characters) become U+FFFD rather than spoil the file.
func appendEscaped(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\t' || r == '\n' || r == '\r':
			b = utf8.AppendRune(b, r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

func (x *xlsxWriter) Flush() error {
	if err := x.sheet.Flush(); err != nil {
		return err
	}
	if x.fw != nil {
		if err := x.fw.Flush(); err != nil {
			return err
		}
	}
	if err := x.zw.Flush(); err != nil {
		return err
	}
	if f, ok := x.dst.(flusher); ok {
		return f.Flush()
	}
	return nil
}

func (x *xlsxWriter) Close() error {
	if _, err := x.sheet.WriteString(xlsxSheetTail); err != nil {
		return err
	}
	if err := x.sheet.Flush(); err != nil {
		return err
	}
	if err := x.zw.Close(); err != nil {
		return err
	}
	if f, ok := x.dst.(flusher); ok {
		return f.Flush()
	}
	return nil
}
