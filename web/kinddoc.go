package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enforcement"
)

// kindDoc is a numbered enforcement document with its 送达 records.
type kindDoc struct {
	N        int
	Type     string
	Number   string
	At       time.Time
	Services []enforcement.Service
}

// docModel numbers the documents as the wired enforcement kind does.
func (h *Handler) docModel() enforcement.Model {
	if m, ok := h.Cases.Kinds[casework.KindEnforcement].(enforcement.Model); ok {
		return m
	}
	return enforcement.Model{}
}

func (h *Handler) kindDocs(c *casework.Case) []kindDoc {
	docs, err := h.docModel().Documents(c)
	if err != nil {
		return nil
	}
	var d enforcement.Data
	if c.KindState != nil {
		_ = json.Unmarshal(c.KindState.Data, &d)
	}
	out := make([]kindDoc, len(docs))
	for i, x := range docs {
		out[i] = kindDoc{N: i + 1, Type: x.Type, Number: x.Number, At: x.At.In(calendar.Zone())}
		for _, s := range d.Services {
			if s.Document == x.Type {
				out[i].Services = append(out[i].Services, s)
			}
		}
	}
	return out
}

// kindDocPage is the printable document's data.
type kindDocPage struct {
	Doc    kindDoc
	Case   *casework.Case
	Data   enforcement.Data
	Clocks []calendar.ClockState
}

// KindDocument shows an enforcement document as a printable page.
func (h *Handler) KindDocument(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	c, ok := h.deskCase(w, r, a)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	docs := h.kindDocs(c)
	if err != nil || n < 1 || n > len(docs) {
		h.fail(w, r, jiedao.NotFound("文书", "document"))
		return
	}
	var d enforcement.Data
	_ = json.Unmarshal(c.KindState.Data, &d)
	clocks, err := h.Cases.KindClocks(r.Context(), c, h.Cases.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, docs[n-1].Type+"|"+docs[n-1].Type)
	p.Body = "print-doc"
	p.Styles = append(p.Styles, "kinds.css")
	p.Data = kindDocPage{Doc: docs[n-1], Case: c, Data: d, Clocks: clocks}
	h.render(w, r, http.StatusOK, "kinddoc", p)
}
