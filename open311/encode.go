package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/jiedao/jiedao/calendar"
)

// Every answer is built once as a small ordered tree and then written as
// JSON or XML, so that the two formats cannot drift apart. The tree follows
// the spec's own mapping between them (the Spark convention): an XML
// element with one kind of repeated child is a JSON array, the root element
// of a list is dropped in JSON, and an empty element is JSON null.

// obj is an element with named children, in order.
type obj []field

type field struct {
	name  string
	value any // string, bool, int, float64, nil, obj or list
}

// list is a repeated element: in XML each item is an element named item.
type list struct {
	item  string
	items []any
}

// doc is a whole answer: the XML root element and the value under it.
type doc struct {
	root  string
	value any
}

// format is the answer's format, chosen by the file suffix.
type format int

const (
	formatJSON format = iota
	formatXML
)

// write sends d in the format with the status.
func write(w http.ResponseWriter, f format, status int, d doc) {
	var buf bytes.Buffer
	if f == formatXML {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
		writeXML(&buf, d.root, d.value)
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeJSON(&buf, d.value)
	}
	buf.WriteByte('\n')
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		b.Truncate(b.Len() - 1) // Encode adds a newline
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case obj:
		b.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, f.name)
			b.WriteByte(':')
			writeJSON(b, f.value)
		}
		b.WriteByte('}')
	case list:
		b.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it)
		}
		b.WriteByte(']')
	default:
		panic("open311: cannot encode " + strconv.Quote(typeName(v)))
	}
}

func writeXML(b *bytes.Buffer, name string, v any) {
	b.WriteString("<" + name + ">")
	switch v := v.(type) {
	case nil:
	case string:
		_ = xml.EscapeText(b, []byte(v))
	case bool, int, float64:
		writeJSON(b, v) // numbers and booleans read the same in both
	case obj:
		for _, f := range v {
			writeXML(b, f.name, f.value)
		}
	case list:
		for _, it := range v.items {
			writeXML(b, v.item, it)
		}
	default:
		panic("open311: cannot encode " + strconv.Quote(typeName(v)))
	}
	b.WriteString("</" + name + ">")
}

func typeName(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// str is a nullable string: "" is null.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stamp formats a time as the spec asks (W3C datetime with its zone), in
// China Standard Time: 2024-06-11T09:00:00+08:00.
func stamp(t time.Time) string {
	return t.In(calendar.Zone()).Format(time.RFC3339)
}

// stampPtr is stamp for an optional time: nil is null.
func stampPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return stamp(*t)
}
