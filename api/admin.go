package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// maxImport bounds an uploaded GeoJSON or TSV file.
const maxImport = 32 << 20

// do runs fn for the request's actor and writes its result as JSON with
// the status, or the error. It keeps the configuration handlers to the
// decoding that differs between them.
func (h *Handler) do(w http.ResponseWriter, r *http.Request, status int, fn func(a org.Actor) (any, error)) {
	v, err := fn(ActorFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	WriteJSON(w, status, v)
}

func (h *Handler) Jurisdictions(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Directory.Jurisdictions(r.Context(), a) })
}

func (h *Handler) CreateJurisdiction(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, func(a org.Actor) (any, error) {
		var j org.Jurisdiction
		if err := decode(w, r, &j); err != nil {
			return nil, err
		}
		j.ID = 0
		return &j, h.Directory.CreateJurisdiction(r.Context(), a, &j)
	})
}

// placeJSON is a community or grid with its geometry as GeoJSON.
type placeJSON struct {
	ID          int64           `json:"id"`
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	Kind        org.GridKind    `json:"kind,omitempty"`
	CommunityID int64           `json:"community_id,omitempty"`
	Jurisdict   int64           `json:"jurisdiction_id,omitempty"`
	Geometry    jsonRawGeometry `json:"geometry,omitempty"`
}

// jsonRawGeometry holds GeoJSON as it came or goes.
type jsonRawGeometry []byte

func (g jsonRawGeometry) MarshalJSON() ([]byte, error) {
	if len(g) == 0 {
		return []byte("null"), nil
	}
	return g, nil
}

func (g *jsonRawGeometry) UnmarshalJSON(b []byte) error {
	if !bytes.Equal(b, []byte("null")) {
		*g = append((*g)[:0], b...)
	}
	return nil
}

func geometryOf(raw jsonRawGeometry) (geo.MultiPolygon, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	m, err := geo.ParseGeometry(raw)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func rawOf(m geo.MultiPolygon) jsonRawGeometry {
	if len(m) == 0 {
		return nil
	}
	return m.MarshalGeoJSON()
}

func (h *Handler) Communities(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		cs, err := h.Directory.Communities(r.Context(), a)
		out := make([]placeJSON, len(cs))
		for i, c := range cs {
			out[i] = placeJSON{ID: c.ID, Code: c.Code, Name: c.Name, Jurisdict: c.JurisdictionID, Geometry: rawOf(c.Geometry)}
		}
		return out, err
	})
}

// SaveCommunity creates (POST) or updates (PUT …/{id}) a community.
func (h *Handler) SaveCommunity(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var p placeJSON
		if err := decode(w, r, &p); err != nil {
			return nil, err
		}
		id, err := optionalPathID(r)
		if err != nil {
			return nil, err
		}
		m, err := geometryOf(p.Geometry)
		if err != nil {
			return nil, err
		}
		c := &org.Community{ID: id, JurisdictionID: p.Jurisdict, Code: p.Code, Name: p.Name, Geometry: m}
		if err := h.Directory.SaveCommunity(r.Context(), a, c); err != nil {
			return nil, err
		}
		p.ID = c.ID
		return p, nil
	})
}

func optionalPathID(r *http.Request) (int64, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	return pathID(r, "id")
}

func (h *Handler) Grids(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		gs, err := h.Directory.Grids(r.Context(), a)
		out := make([]placeJSON, len(gs))
		for i, g := range gs {
			out[i] = placeJSON{ID: g.ID, Code: g.Code, Name: g.Name, Kind: g.Kind, CommunityID: g.CommunityID, Geometry: rawOf(g.Geometry)}
		}
		return out, err
	})
}

// SaveGrid creates (POST) or updates (PUT …/{id}) a grid.
func (h *Handler) SaveGrid(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var p placeJSON
		if err := decode(w, r, &p); err != nil {
			return nil, err
		}
		id, err := optionalPathID(r)
		if err != nil {
			return nil, err
		}
		m, err := geometryOf(p.Geometry)
		if err != nil {
			return nil, err
		}
		g := &org.Grid{ID: id, CommunityID: p.CommunityID, Code: p.Code, Name: p.Name, Kind: p.Kind, Geometry: m}
		if g.Kind == "" {
			g.Kind = org.GridStandard
		}
		if err := h.Directory.SaveGrid(r.Context(), a, g); err != nil {
			return nil, err
		}
		p.ID, p.Kind = g.ID, g.Kind
		return p, nil
	})
}

// ImportPlaces imports a GeoJSON FeatureCollection of communities
// (?kind=communities&jurisdiction_id=N) or grids (?kind=grids).
func (h *Handler) ImportPlaces(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		if a.Kind != org.ActorStaff {
			return nil, org.Forbidden()
		}
		features, err := geo.ParseFeatureCollection(http.MaxBytesReader(w, r.Body, maxImport))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "file larger than %d MB", maxImport>>20)
		} else if err != nil {
			return nil, err
		}
		switch r.URL.Query().Get("kind") {
		case "communities":
			jid, err := NonNegative(r.URL.Query(), "jurisdiction_id")
			if err != nil {
				return nil, err
			}
			if jid == 0 {
				return nil, jiedao.Invalid("jurisdiction_id", "请指定街道", "jurisdiction_id is required")
			}
			return h.Directory.ImportCommunities(r.Context(), a, jid, features)
		case "grids":
			return h.Directory.ImportGrids(r.Context(), a, features)
		}
		return nil, jiedao.Invalid("kind", "kind 应为 communities 或 grids", "kind must be communities or grids")
	})
}

func (h *Handler) Units(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Directory.Units(r.Context(), a) })
}

// SaveUnit creates (POST) or updates (PUT …/{id}) a unit.
func (h *Handler) SaveUnit(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var u org.Unit
		if err := decode(w, r, &u); err != nil {
			return nil, err
		}
		id, err := optionalPathID(r)
		if err != nil {
			return nil, err
		}
		u.ID = id
		return &u, h.Directory.SaveUnit(r.Context(), a, &u)
	})
}

func (h *Handler) Staff(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Directory.Staff(r.Context(), a) })
}

// SaveStaff creates (POST) or updates (PUT …/{id}) a staff record.
func (h *Handler) SaveStaff(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var in org.StaffInput
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		id, err := optionalPathID(r)
		if err != nil {
			return nil, err
		}
		in.ID = id
		return h.Directory.SaveStaff(r.Context(), a, in)
	})
}

func (h *Handler) APIClients(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Directory.APIClients(r.Context(), a) })
}

// CreateAPIClient returns the new key once.
func (h *Handler) CreateAPIClient(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, func(a org.Actor) (any, error) {
		var in struct {
			Name    string           `json:"name"`
			Channel casework.Channel `json:"channel"`
		}
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		if in.Channel != "" && !in.Channel.Valid() {
			return nil, jiedao.Invalid("channel", "渠道无效", "unknown channel")
		}
		key, c, err := h.Directory.CreateAPIClient(r.Context(), a, h.Auth, in.Name, string(in.Channel))
		if err != nil {
			return nil, err
		}
		return map[string]any{"api_key": key, "client": c}, nil
	})
}

func (h *Handler) RevokeAPIClient(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nil, h.Directory.RevokeAPIClient(r.Context(), a, id, h.Auth.Now())
	})
}

// Categories lists the categories; public, as residents choose one.
func (h *Handler) Categories(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Cases.Categories(r.Context()) })
}

// PutCategory creates or replaces the category of the path's code.
func (h *Handler) PutCategory(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var c casework.Category
		if err := decode(w, r, &c); err != nil {
			return nil, err
		}
		c.Code = r.PathValue("code")
		return &c, h.Cases.PutCategory(r.Context(), a, &c)
	})
}

func (h *Handler) RoutingRules(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Cases.RoutingRules(r.Context(), a) })
}

func (h *Handler) CreateRoutingRule(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, func(a org.Actor) (any, error) {
		var rule casework.RoutingRule
		if err := decode(w, r, &rule); err != nil {
			return nil, err
		}
		rule.ID = 0
		return &rule, h.Cases.CreateRoutingRule(r.Context(), a, &rule)
	})
}

func (h *Handler) DeleteRoutingRule(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nil, h.Cases.DeleteRoutingRule(r.Context(), a, id)
	})
}

// CalendarDays lists the holidays and make-up workdays, as JSON or, with
// ?format=tsv, in the official TSV layout.
func (h *Handler) CalendarDays(w http.ResponseWriter, r *http.Request) {
	days, err := h.Cases.CalendarDays(r.Context(), ActorFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "tsv" {
		w.Header().Set("Content-Type", "text/tab-separated-values; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="calendar.tsv"`)
		_ = calendar.WriteTSV(w, days)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"days": days})
}

// PutCalendarDays adds or replaces days: a JSON {"days": [...]} or a TSV
// file in the official layout (Content-Type text/tab-separated-values).
func (h *Handler) PutCalendarDays(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var days []calendar.Day
		if ct := r.Header.Get("Content-Type"); len(ct) >= 25 && ct[:25] == "text/tab-separated-values" {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImport))
			if err != nil {
				return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件过大", "file too large")
			}
			if days, err = calendar.ParseTSV(bytes.NewReader(b)); err != nil {
				return nil, err
			}
		} else {
			var in struct {
				Days []calendar.Day `json:"days"`
			}
			if err := decode(w, r, &in); err != nil {
				return nil, err
			}
			days = in.Days
		}
		if err := h.Cases.PutCalendarDays(r.Context(), a, days); err != nil {
			return nil, err
		}
		return map[string]int{"saved": len(days)}, nil
	})
}

func (h *Handler) DeleteCalendarDay(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		return nil, h.Cases.DeleteCalendarDay(r.Context(), a, r.PathValue("date"))
	})
}
