package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// staffReportData is the report form of staff: a grid worker on patrol
// (网格通) with GPS and camera, or the command center keying in a call.
type staffReportData struct {
	Groups   []catGroup
	Grids    []*org.Grid
	Extra    *extraData
	Channels []casework.Channel
	// OnSpot offers 自行处置: reporting a small problem already handled.
	OnSpot bool
}

// StaffReportForm shows the staff report form.
// With ?year= the address is the work report's page instead
// (workreport.go).
func (h *Handler) StaffReportForm(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("year") {
		h.WorkReport(w, r)
		return
	}
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "上报|Report")
	p.Active = "/report"
	if len(a.GridIDs) == 1 {
		p.Form.Set("grid_id", strconv.FormatInt(a.GridIDs[0], 10))
	}
	if err := h.staffReportData(r, p, a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "staffreport", p)
}

func (h *Handler) staffReportData(r *http.Request, p *page, a org.Actor) error {
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return err
	}
	grids, err := h.Directory.Grids(r.Context(), a)
	if err != nil {
		return err
	}
	d := &staffReportData{Groups: groupCategories(cats)}
	for _, g := range grids {
		if !a.Is(org.RoleGridWorker) || a.InGrid(g.ID) {
			gg := *g
			gg.Geometry = nil
			d.Grids = append(d.Grids, &gg)
		}
	}
	d.OnSpot = casework.CheckStep(a, casework.ActSelfHandle, &casework.Case{Status: casework.StatusReported, ReporterID: a.ID}) == nil
	if a.Is(org.RoleDispatcher) {
		d.Channels = []casework.Channel{casework.ChannelHotline, casework.ChannelPolice, casework.ChannelPingan, casework.ChannelEnterprise, casework.ChannelOther}
	}
	if code := p.V("category"); code != "" {
		d.Extra = h.extra(r, p, code)
	}
	p.Data = d
	return nil
}

// StaffReport takes a staff member's report and opens its case page.
func (h *Handler) StaffReport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, maxReportForm) {
		return
	}
	p := h.newPage(w, r, "上报|Report")
	p.Active = "/report"
	p.Form = r.PostForm
	again := func(err error) {
		p.setError(err)
		if ferr := h.staffReportData(r, p, a); ferr != nil {
			h.fail(w, r, ferr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "staffreport", p)
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
	if ch := casework.Channel(p.V("channel")); ch != "" && a.Is(org.RoleDispatcher) {
		in.Channel = ch
	}
	// 自行处置: what was done and the photos of the result are checked
	// before the report is made, so that the one step does both or
	// neither as far as the form can tell.
	onSpot := p.V("on_spot") != ""
	var after []string
	if onSpot {
		if after, _, _, err = h.uploadPhotosAs(r.Context(), a, r, "after_photos", "after_claim"); err != nil {
			again(err)
			return
		}
		if err := h.checkOnSpot(r, a, in.Category, p.V("handling"), after); err != nil {
			again(err)
			return
		}
	}
	c, err := h.Cases.Report(r.Context(), a, in)
	if err != nil {
		again(err)
		return
	}
	if _, err := h.Photos.Attach(r.Context(), a, c.ID, claims); err != nil {
		h.Log.Error("attach photos to a new report", "case", c.Number, "err", err)
	}
	next := "/cases/" + strconv.FormatInt(c.ID, 10) + "?new=1"
	if onSpot {
		in := casework.StepInput{Action: casework.ActSelfHandle, Reason: p.V("handling")}
		ids, err := h.Photos.Attach(r.Context(), a, c.ID, after)
		for _, id := range ids {
			in.Photos = append(in.Photos, strconv.FormatInt(id, 10))
		}
		if err == nil {
			_, err = h.Cases.Step(r.Context(), a, c.ID, in)
		}
		if err != nil {
			// The report stands; the case page says why the handling
			// was not recorded, and offers 自行处置 again.
			h.Log.Warn("self-handle after report", "case", c.Number, "err", err)
			next = "/cases/" + strconv.FormatInt(c.ID, 10) + "?new=1&spot_failed=1"
		} else {
			next = "/cases/" + strconv.FormatInt(c.ID, 10) + "?done=" + string(casework.ActSelfHandle)
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkOnSpot checks a 自行处置 before the report: the reporter may take
// the step, says what was done, and sends the photo of the result that
// the category may require.
func (h *Handler) checkOnSpot(r *http.Request, a org.Actor, category, handling string, after []string) error {
	if err := casework.CheckStep(a, casework.ActSelfHandle, &casework.Case{Status: casework.StatusReported, ReporterID: a.ID}); err != nil {
		return err
	}
	if strings.TrimSpace(handling) == "" {
		return jiedao.Invalid("handling", "自行处置须填写处置情况", "say what was done")
	}
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return err
	}
	byCode := map[string]*casework.Category{}
	for _, c := range cats {
		byCode[c.Code] = c
	}
	if afterPhotoRequired(byCode, category) && len(after) == 0 {
		return jiedao.Invalid("after_photos", "此类问题须上传处置后照片", "this kind of problem needs a photo of the result")
	}
	return nil
}
