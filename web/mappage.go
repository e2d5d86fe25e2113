package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
)

// The map: grids (their polygons from the directory) and the open cases
// over them, clustered. Tiles come from --tile-url when one is set (it
// must serve WGS-84 tiles, as OpenStreetMap and 天地图 do, since jiedao
// stores WGS-84); without one the grids and cases are drawn on a blank
// background, so the map works on an intranet with no tile server.

type mapData struct {
	N        *names
	Channels []casework.Channel
	Groups   []catGroup
	Query    string
}

// MapPage shows the map.
func (h *Handler) MapPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	n, err := h.names(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "地图|Map")
	p.Active = "/map"
	p.Form = r.URL.Query()
	p.Data = &mapData{N: n, Channels: casework.Channels(), Groups: groupCategories(cats), Query: api.FilterQuery(boardFilter(r.URL.Query())).Encode()}
	p.Styles = []string{"vendor/leaflet.css", "vendor/MarkerCluster.css", "vendor/MarkerCluster.Default.css"}
	p.Scripts = []string{"vendor/leaflet.js", "vendor/leaflet.markercluster.js", "map.js"}
	p.Body = "wide"
	h.render(w, r, http.StatusOK, "map", p)
}

// MapGrids is the grids as a GeoJSON FeatureCollection.
func (h *Handler) MapGrids(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	grids, err := h.Directory.Grids(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	comms, err := h.Directory.Communities(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cname := map[int64]string{}
	for _, c := range comms {
		cname[c.ID] = c.Name
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, g := range grids {
		if i > 0 {
			b.WriteByte(',')
		}
		props, _ := json.Marshal(map[string]any{"id": g.ID, "code": g.Code, "name": g.Name, "kind": g.Kind, "community": cname[g.CommunityID]})
		b.WriteString(`{"type":"Feature","properties":`)
		b.Write(props)
		b.WriteString(`,"geometry":`)
		b.Write(g.Geometry.MarshalGeoJSON())
		b.WriteByte('}')
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, max-age=60")
	_, _ = w.Write(b.Bytes())
}

// mapCase is a case as the map draws it.
type mapCase struct {
	ID     int64   `json:"id"`
	Number string  `json:"number"`
	Title  string  `json:"title"`
	Status string  `json:"status"`
	State  string  `json:"state"` // the status code, for the map's colours
	Due    string  `json:"due,omitempty"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Approx bool    `json:"approx,omitempty"` // at its grid's middle
}

// mapLimit bounds the cases one map shows.
const mapLimit = 5000

// MapCases is the open cases with a location, as JSON.
func (h *Handler) MapCases(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "")
	// A case placed by its grid's QR code has no point of its own: it is
	// drawn at the middle of its grid, marked as approximate.
	grids, err := h.Directory.Grids(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	middle := map[int64][2]float64{}
	for _, g := range grids {
		if len(g.Geometry) == 0 || len(g.Geometry[0]) == 0 || len(g.Geometry[0][0]) == 0 {
			continue
		}
		minLat, minLon, maxLat, maxLon := 90.0, 180.0, -90.0, -180.0
		for _, pt := range g.Geometry[0][0] {
			minLat, maxLat = min(minLat, pt.Lat), max(maxLat, pt.Lat)
			minLon, maxLon = min(minLon, pt.Lon), max(maxLon, pt.Lon)
		}
		middle[g.ID] = [2]float64{(minLat + maxLat) / 2, (minLon + maxLon) / 2}
	}
	f := boardFilter(r.URL.Query())
	f.Statuses = openStatuses()
	if r.URL.Query().Get("all") == "1" {
		f.Statuses = nil
	}
	// days=N: every case reported in the last N days (1–31), open or
	// not, for the board's heat layer.
	if n, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && n >= 1 && n <= 31 {
		f.Statuses, f.From = nil, h.Cases.Now().AddDate(0, 0, -n)
	}
	f.Limit = casework.MaxPage
	out := []mapCase{}
	for len(out) < mapLimit {
		cases, _, err := h.Cases.List(r.Context(), a, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, c := range cases {
			mc := mapCase{ID: c.ID, Number: c.Number, Title: c.Title, Status: p.StatusName(c.Status), State: string(c.Status), Due: string(c.DueStateAt(h.Cases.Now()))}
			if c.Location != nil {
				mc.Lat, mc.Lon = c.Location.Lat, c.Location.Lon
			} else if m, ok := middle[c.GridID]; ok {
				mc.Lat, mc.Lon, mc.Approx = m[0], m[1], true
			} else {
				continue
			}
			out = append(out, mc)
		}
		if len(cases) < f.Limit {
			break
		}
		f.Offset += len(cases)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Total", strconv.Itoa(len(out)))
	_ = json.NewEncoder(w).Encode(out)
}
