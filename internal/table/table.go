// Package table writes tables as CSV or XLSX straight to an io.Writer, a
// row at a time, in constant memory: nothing is kept once written, so a
// download of a million rows starts at once and costs what one of ten
// does. Only the standard library is used; excelize (used to read
// imports) needs the whole workbook, or a temporary file, before its
// first byte.
package table

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// Format is a table's file format.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat reads a format; empty means XLSX.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case "", XLSX:
		return XLSX, nil
	case CSV:
		return CSV, nil
	}
	return "", jiedao.Invalid("format", "导出格式应为 xlsx 或 csv", "the format must be xlsx or csv")
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Writer writes a table row by row. Cells are strings, integers, floats
// or times (written in China Standard Time as text); nil is an
// empty cell.
type Writer interface {
	Row(cells ...any) error
	// Flush sends what was written so far on to the destination, and
	// flushes the destination too if it can be (an HTTP response).
	Flush() error
	// Close ends the file; a table is not valid before.
	Close() error
}

// flusher is a destination that can send on what it holds.
type flusher interface{ Flush() error }

// NewWriter starts a table in the format on w; sheet names the XLSX's
// worksheet.
func NewWriter(w io.Writer, f Format, sheet string) (Writer, error) {
	if f == CSV {
		return newCSV(w)
	}
	return newXLSX(w, sheet)
}

// csvWriter writes UTF-8 CSV with a byte order mark, without which Excel
// reads the file in the system's code page and garbles Chinese.
type csvWriter struct {
	dst io.Writer
	buf *bufio.Writer
	cw  *csv.Writer
	rec []string
}

func newCSV(w io.Writer) (*csvWriter, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	if _, err := buf.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	return &csvWriter{dst: w, buf: buf, cw: csv.NewWriter(buf)}, nil
}

func (c *csvWriter) Row(cells ...any) error {
	c.rec = c.rec[:0]
	for _, v := range cells {
		s, k := text(v)
		if k == textCell {
			s = defuse(s)
		}
		c.rec = append(c.rec, s)
	}
	return c.cw.Write(c.rec)
}

func (c *csvWriter) Flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	if err := c.buf.Flush(); err != nil {
		return err
	}
	if f, ok := c.dst.(flusher); ok {
		return f.Flush()
	}
	return nil
}

func (c *csvWriter) Close() error { return c.Flush() }

// defuse keeps a text cell from being read as a formula by a spreadsheet
// (CSV injection): a resident's "=HYPERLINK(…)" stays text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// kind is what a cell holds.
type kind int

const (
	empty kind = iota
	textCell
	numberCell
)

// text renders a cell and says what it holds.
func text(v any) (string, kind) {
	switch x := v.(type) {
	case nil:
		return "", empty
	case string:
		return x, textCell
	case int:
		return strconv.Itoa(x), numberCell
	case int64:
		return strconv.FormatInt(x, 10), numberCell
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), numberCell
	case time.Time:
		return timeText(x), textCell
	case *time.Time:
		if x == nil {
			return "", empty
		}
		return timeText(*x), textCell
	}
	return fmt.Sprint(v), textCell
}

// timeText writes a time in China Standard Time, as the pages show it.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Zone()).Format("2006-01-02 15:04")
}
