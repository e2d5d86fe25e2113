package web

import (
	"net/http"
	"strconv"

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
	c, err := h.Cases.Report(r.Context(), a, in)
	if err != nil {
		again(err)
		return
	}
	if _, err := h.Photos.Attach(r.Context(), a, c.ID, claims); err != nil {
		h.Log.Error("attach photos to a new report", "case", c.Number, "err", err)
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10)+"?new=1", http.StatusSeeOther)
}
