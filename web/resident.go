package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// The residents' pages (西湖码): no sign-in. A grid's QR code opens
// /r/{grid code}, a report form already placed in that grid; /r places the
// report by the phone's location instead. Afterwards the resident follows
// the case at /track with its number and his phone number.

type residentForm struct {
	Grid      *org.Grid
	Community *org.Community
	// Subdistrict is the 街道 the page names.
	Subdistrict *org.Jurisdiction
	Groups      []catGroup
	Extra       *extraData
	Action      string
}

// extraData is the part of the form that depends on the category: its
// attributes, and the open cases of the same kind nearby.
type extraData struct {
	Category *casework.Category
	Nearby   []*casework.Case
	Where    string // where "nearby" is: the grid's name
}

// ExtraData is the category part of the resident's form, on the form
// page and in its htmx partial.
func (p *page) ExtraData() *extraData {
	switch d := p.Data.(type) {
	case *extraData:
		return d
	case *residentForm:
		return d.Extra
	case *staffReportData:
		return d.Extra
	}
	return nil
}

func openStatuses() []casework.Status {
	var out []casework.Status
	for _, s := range casework.Statuses() {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// ResidentForm shows the report form of a grid's QR code, or of the
// phone's location (/r).
func (h *Handler) ResidentForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(w, r, "我要上报|Report a problem")
	if err := h.residentFormData(r, p, r.PathValue("grid")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "resident", p)
}

func (h *Handler) residentFormData(r *http.Request, p *page, gridCode string) error {
	p.Body = "narrow"
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return err
	}
	d := &residentForm{Groups: groupCategories(cats), Action: "/r"}
	if gridCode != "" {
		g, c, err := h.Directory.PublicGrid(r.Context(), gridCode)
		if err != nil {
			return err
		}
		d.Grid, d.Community, d.Action = g, c, "/r/"+url.PathEscape(g.Code)
		p.Form.Set("grid_id", strconv.FormatInt(g.ID, 10))
	}
	var jid int64
	if d.Community != nil {
		jid = d.Community.JurisdictionID
	}
	if d.Subdistrict, err = h.Directory.PublicJurisdiction(r.Context(), jid); err != nil {
		return err
	}
	if d.Grid == nil {
		// Without a grid code, a map to drop a pin on.
		p.Styles = []string{"vendor/leaflet.css"}
		p.Scripts = []string{"vendor/leaflet.js", "pinmap.js"}
	}
	if code := p.V("category"); code != "" {
		d.Extra = h.extra(r, p, code)
	}
	p.Data = d
	return nil
}

// extra finds the category and the open cases like it near the report.
func (h *Handler) extra(r *http.Request, p *page, code string) *extraData {
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return nil
	}
	cat := categoryMap(cats)[code]
	if cat == nil {
		return nil
	}
	x := &extraData{Category: cat}
	gridID, _ := strconv.ParseInt(p.V("grid_id"), 10, 64)
	if gridID == 0 {
		lat, ok1 := geo.ParseDegrees(p.V("lat"))
		lon, ok2 := geo.ParseDegrees(p.V("lon"))
		if ok1 && ok2 {
			if g, _, found, err := h.Cases.Places.Place(r.Context(), geo.Point{Lat: lat, Lon: lon}); err == nil && found {
				gridID = g
			}
		}
	}
	if gridID == 0 {
		return x
	}
	// The public view: no reporter, phone numbers in the text masked.
	// Shown to strangers: nothing another resident wrote (title, details,
	// address, attributes) goes with it, only what kind it is, its state
	// and when — enough to recognise the same problem.
	near, _, err := h.Cases.PublicList(r.Context(), casework.Filter{Category: code, GridID: gridID, Statuses: openStatuses(), Limit: 5})
	if err == nil {
		for _, c := range near {
			x.Nearby = append(x.Nearby, &casework.Case{ID: c.ID, Number: c.Number, Category: c.Category, Status: c.Status,
				ReportedAt: c.ReportedAt, GridID: c.GridID, Community: c.Community})
		}
	}
	return x
}

// ResidentExtra is the htmx partial of the category's fields and the
// nearby cases, fetched when the category or the location changes.
func (h *Handler) ResidentExtra(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(w, r, "")
	p.Form = r.URL.Query()
	p.Data = h.extra(r, p, p.V("category"))
	h.render(w, r, http.StatusOK, "extra", p)
}

// ResidentSubmit takes a resident's report. On an error the form comes
// back with everything typed, and photos already sent are kept (by their
// claims) so they need not be chosen again.
func (h *Handler) ResidentSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, maxReportForm) {
		return
	}
	a := org.ResidentActor("居民")
	p := h.newPage(w, r, "我要上报|Report a problem")
	p.Form = r.PostForm
	again := func(err error) {
		p.setError(err)
		if ferr := h.residentFormData(r, p, r.PathValue("grid")); ferr != nil {
			h.fail(w, r, ferr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "resident", p)
	}
	claims, lat, lon, err := h.uploadPhotos(r.Context(), a, r)
	if err != nil {
		again(err)
		return
	}
	in, err := readReport(r)
	if err != nil {
		again(err)
		return
	}
	h.photoPlace(r, &in, lat, lon)
	in.Channel = casework.ChannelXihuCode
	if name := strings.TrimSpace(in.Reporter.Name); name != "" {
		a.Name = org.MaskName(name)
	}
	c, err := h.Cases.Report(r.Context(), a, in)
	if err != nil {
		again(err)
		return
	}
	if _, err := h.Photos.Attach(r.Context(), a, c.ID, claims); err != nil {
		h.Log.Error("attach photos to a new report", "case", c.Number, "err", err)
	}
	q := url.Values{"n": {c.Number}}
	if in.Reporter.Phone != "" {
		q.Set("p", "1")
	}
	http.Redirect(w, r, "/r/done?"+q.Encode(), http.StatusSeeOther)
}

// photoPlace uses where a photo was taken (its EXIF GPS) as the report's
// location when none was given. A report from a grid's QR code keeps its
// grid: the photo's point is used only if it lies in that grid, since a
// photo from the gallery may have been taken anywhere.
func (h *Handler) photoPlace(r *http.Request, in *casework.ReportInput, lat, lon *float64) {
	if in.Lat != nil || lat == nil {
		return
	}
	if in.GridID != 0 {
		g, _, found, err := h.Cases.Places.Place(r.Context(), geo.Point{Lat: *lat, Lon: *lon})
		if err != nil || !found || g != in.GridID {
			return
		}
	}
	in.Lat, in.Lon = lat, lon
}

// ResidentDone tells the resident his case number.
func (h *Handler) ResidentDone(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(w, r, "上报成功|Report sent")
	p.Body = "narrow"
	p.Form = r.URL.Query()
	h.render(w, r, http.StatusOK, "done", p)
}

// SameProblem adds the resident's description to an open case nearby
// instead of making a new one ("is this yours too?").
func (h *Handler) SameProblem(w http.ResponseWriter, r *http.Request) {
	// The report form posts here whole, photos and all.
	if !h.postForm(w, r, maxReportForm) {
		return
	}
	a := org.ResidentActor("居民")
	c, err := h.Cases.PublicGet(r.Context(), a, r.PathValue("number"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	note := strings.TrimSpace(r.PostFormValue("details"))
	if note == "" {
		note = "居民扫码反映了同一问题 / a resident reported the same problem"
	}
	if _, err := h.Cases.Step(r.Context(), a, c.ID, casework.StepInput{Action: casework.ActComment, Reason: note}); err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "已补充|Added")
	p.Body = "narrow"
	p.Form.Set("n", c.Number)
	p.Form.Set("same", "1")
	h.render(w, r, http.StatusOK, "done", p)
}

// trackData is what the follow page shows.
type trackData struct {
	Case     *casework.Case
	Events   []*casework.Event
	Photos   []trackedPhoto // thumbnails inline: no photo URL for residents
	Cats     map[string]*casework.Category
	CanRate  bool
	SentBack bool // rated unsatisfied, waiting for the command center
	Reopened bool
}

// TrackPage asks for the case number and phone number.
func (h *Handler) TrackPage(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(w, r, "查询进度|Follow my report")
	p.Body = "narrow"
	p.Form.Set("number", r.URL.Query().Get("number"))
	h.render(w, r, http.StatusOK, "track", p)
}

// Track shows a case to the resident who proves it is his. It is a POST
// so that the phone number stays out of addresses and logs.
func (h *Handler) Track(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, 0) {
		return
	}
	h.showTrack(w, r, "")
}

func (h *Handler) showTrack(w http.ResponseWriter, r *http.Request, notice string) {
	p := h.newPage(w, r, "查询进度|Follow my report")
	p.Body = "narrow"
	p.Form = r.PostForm
	number, phone := p.V("number"), p.V("phone")
	c, events, err := h.Cases.Track(r.Context(), number, phone)
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			err = jiedao.Invalid("phone", "案件编号或手机号不正确", "wrong case number or phone number")
		}
		p.setError(err)
		h.render(w, r, http.StatusNotFound, "track", p)
		return
	}
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &trackData{Case: c, Events: events, Cats: categoryMap(cats),
		CanRate:  c.Status == casework.StatusClosed && c.Rating == "",
		SentBack: c.Status == casework.StatusClosed && c.Rating == casework.RatingUnsatisfied,
		Reopened: c.ReopenCount > 0 && c.Status.Open()}
	if photos, err := h.Photos.Tracked(r.Context(), number, phone); err == nil {
		for _, ph := range photos {
			d.Photos = append(d.Photos, trackedPhoto{Src: template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(ph.Thumb)), Stage: ph.Stage})
		}
	}
	p.Notice = notice
	p.Data = d
	h.render(w, r, http.StatusOK, "tracked", p)
}

// TrackRate takes the resident's rating of his closed case, or a note.
func (h *Handler) TrackRate(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, 0) {
		return
	}
	in := casework.StepInput{Action: casework.ActRate, Rating: casework.Rating(r.PostFormValue("rating")), Comment: r.PostFormValue("comment")}
	notice := "感谢您的评价！"
	if r.PostFormValue("action") == "comment" {
		in = casework.StepInput{Action: casework.ActComment, Reason: r.PostFormValue("note")}
		notice = "补充说明已送达指挥中心。"
	}
	c, err := h.Cases.TrackStep(r.Context(), r.PostFormValue("number"), r.PostFormValue("phone"), in)
	if err != nil {
		if jiedao.ErrorField(err) == "reason" {
			err = jiedao.Invalid("note", "请填写补充说明", "write the note")
		}
		// Show the case again with the error next to the rating.
		h.showTrackError(w, r, err)
		return
	}
	if lang(r) == "en" {
		notice = "Thank you for your rating!"
		if in.Action == casework.ActComment {
			notice = "Your note was sent to the command center."
		}
	}
	if c.Rating == casework.RatingUnsatisfied {
		notice += " " + (&page{Lang: lang(r)}).T("您的不满意评价已退回指挥中心复核，必要时将重新办理。", "Your case was sent back to the command center, which may reopen it.")
	}
	h.showTrack(w, r, notice)
}

func (h *Handler) showTrackError(w http.ResponseWriter, r *http.Request, err error) {
	p := h.newPage(w, r, "查询进度|Follow my report")
	p.Body = "narrow"
	p.Form = r.PostForm
	c, events, terr := h.Cases.Track(r.Context(), p.V("number"), p.V("phone"))
	if terr != nil {
		p.setError(terr)
		h.render(w, r, http.StatusNotFound, "track", p)
		return
	}
	cats, _ := h.Cases.Categories(r.Context())
	p.Data = &trackData{Case: c, Events: events, Cats: categoryMap(cats),
		CanRate: c.Status == casework.StatusClosed && c.Rating == ""}
	p.setError(err)
	h.render(w, r, http.StatusUnprocessableEntity, "tracked", p)
}

// trackedPhoto is a thumbnail on the follow page, with its stage.
type trackedPhoto struct {
	Src   template.URL
	Stage casework.PhotoStage
}

// ResidentArea is the subdistrict's outline (its grids, without names) as
// a GeoJSON FeatureCollection, for the resident's pin map.
func (h *Handler) ResidentArea(w http.ResponseWriter, r *http.Request) {
	area, err := h.Directory.PublicArea(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, m := range area {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"Feature","properties":{},"geometry":`)
		b.Write(m.MarshalGeoJSON())
		b.WriteByte('}')
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write([]byte(b.String()))
}
