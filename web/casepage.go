package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// names resolves the ids a case carries to names, for one request.
type names struct {
	api.Names
	Units       []*org.Unit
	Grids       []*org.Grid // without their polygons
	Communities []*org.Community
	// Subdistricts are the subdistricts an actor of the whole deployment
	// chooses among on the admin pages' forms, when there are several
	// (docs/jurisdictions.md); empty otherwise.
	Subdistricts []*org.Jurisdiction
}

func (h *Handler) names(ctx context.Context, a org.Actor) (*names, error) {
	n := &names{}
	cats, err := h.Cases.Categories(ctx)
	if err != nil {
		return nil, err
	}
	if n.Units, err = h.Directory.Units(ctx, a); err != nil {
		return nil, err
	}
	grids, err := h.Directory.Grids(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		gg := *g
		gg.Geometry = nil
		n.Grids = append(n.Grids, &gg)
	}
	comms, err := h.Directory.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range comms {
		cc := *c
		cc.Geometry = nil
		n.Communities = append(n.Communities, &cc)
	}
	n.Names = api.NamesOf(cats, n.Units, n.Grids, n.Communities)
	if a.JurisdictionID == 0 && a.Kind == org.ActorStaff {
		js, err := h.Directory.Jurisdictions(ctx, a)
		if err != nil {
			return nil, err
		}
		if subs := org.Subdistricts(js); len(subs) > 1 {
			n.Subdistricts = subs
		}
	}
	return n, nil
}

// caseView is a case with what a page shows at a glance, computed for now.
type caseView struct {
	*casework.Case
	DueStage casework.Stage
	DueAt    *casework.Deadline
	DueState casework.DueState
}

func (h *Handler) view(c *casework.Case) caseView {
	v := caseView{Case: c}
	if st, d := c.Running(); d != nil {
		v.DueStage, v.DueAt, v.DueState = st, d, c.DueStateAt(h.Cases.Now())
	}
	return v
}

// actionForm is one step the actor may take now, with the fields it asks.
type actionForm struct {
	Action  casework.Action
	Reason  bool // a reason field
	Needed  bool // the reason is required
	Unit    bool // a unit to dispatch to
	Days    bool
	Rating  bool
	Merge   bool
	Photos  bool
	Accept  bool // category and urgency may be corrected
	Primary bool // the step the case waits for from this actor
	Danger  bool
}

// stepOrder is the order the actions are offered in: the loop first.
var stepOrder = []casework.Action{
	casework.ActAccept, casework.ActSelfHandle, casework.ActDispatch, casework.ActSign, casework.ActStart, casework.ActHandle,
	casework.ActVerify, casework.ActRework, casework.ActClose, casework.ActReopen, casework.ActRate,
	casework.ActReturn, casework.ActRequestExtension, casework.ActApproveExtension, casework.ActDenyExtension,
	casework.ActSupervise, casework.ActEscalate, casework.ActMerge, casework.ActHang, casework.ActResume,
	casework.ActReject, casework.ActVoid, casework.ActComment,
}

// actionsFor lists the steps the actor may take on the case now, by the
// rule table (casework.CheckStep): the page offers exactly what the
// service would accept.
func actionsFor(a org.Actor, c *casework.Case) []actionForm {
	var out []actionForm
	for _, act := range stepOrder {
		if casework.CheckStep(a, act, c) != nil {
			continue
		}
		switch act {
		case casework.ActReopen:
			if c.Rating != casework.RatingUnsatisfied {
				continue
			}
		case casework.ActRate:
			if c.Rating != "" {
				continue
			}
		case casework.ActRequestExtension:
			if c.Extension != nil {
				continue
			}
		case casework.ActApproveExtension, casework.ActDenyExtension:
			if c.Extension == nil {
				continue
			}
		case casework.ActMerge, casework.ActVoid, casework.ActHang:
			if !c.Status.Open() {
				continue
			}
		}
		f := actionForm{Action: act, Reason: true, Needed: casework.ReasonRequired(act)}
		switch act {
		case casework.ActDispatch:
			f.Unit = true
		case casework.ActRequestExtension:
			f.Days = true
		case casework.ActApproveExtension:
			f.Days = true
		case casework.ActRate:
			f.Rating, f.Reason = true, false
		case casework.ActMerge:
			f.Merge = true
		case casework.ActHandle, casework.ActSelfHandle, casework.ActVerify, casework.ActRework:
			f.Photos = true
		case casework.ActAccept:
			f.Accept = true
		}
		switch act {
		case casework.ActReject, casework.ActVoid, casework.ActReturn, casework.ActRework:
			f.Danger = true
		}
		switch {
		case act == casework.ActAccept && c.Status == casework.StatusReported,
			act == casework.ActDispatch && (c.Status == casework.StatusAccepted || c.Status == casework.StatusReturned),
			act == casework.ActSign, act == casework.ActHandle && c.Status != casework.StatusSigned,
			act == casework.ActStart, act == casework.ActVerify, act == casework.ActClose,
			act == casework.ActReopen, act == casework.ActApproveExtension:
			f.Primary = true
		}
		out = append(out, f)
	}
	return out
}

type caseData struct {
	caseView
	Events    []*casework.Event
	Photos    []*casework.Photo
	Actions   []actionForm
	N         *names
	Suggested int64
	Back      string
	// AfterPhoto: the case's category requires a photo of the result.
	AfterPhoto bool
	// Nav are links that open the case's place in a phone's map app.
	Nav *navLinks
	// Transfer are the subdistricts the viewer may transfer the case to
	// (转办, a district deployment's); empty when he may not.
	Transfer []*org.Jurisdiction
	// Jurisdictions name the subdistricts in the history's transfers.
	Jurisdictions map[int64]string
}

// navLinks open a place in a map app for directions: geo: (the phone's
// own map app) and 高德地图's URI API, which takes WGS-84 as it is stored.
// They are links the reader follows, not anything the page loads.
type navLinks struct {
	Geo  template.URL // a geo: URI, which html/template would otherwise refuse
	Amap string
}

func navLinksFor(c *casework.Case) *navLinks {
	if c.Location == nil {
		return nil
	}
	lat, lon := strconv.FormatFloat(c.Location.Lat, 'f', 6, 64), strconv.FormatFloat(c.Location.Lon, 'f', 6, 64)
	name := url.QueryEscape(c.Number)
	return &navLinks{
		Geo:  template.URL("geo:" + lat + "," + lon + "?q=" + lat + "," + lon + "(" + name + ")"),
		Amap: "https://uri.amap.com/marker?position=" + lon + "," + lat + "&name=" + name + "&coordinate=wgs84&callnative=1",
	}
}

// afterPhotoRequired reports whether the category, or its major class,
// requires a photo of the result.
func afterPhotoRequired(cats map[string]*casework.Category, code string) bool {
	for code != "" {
		c := cats[code]
		if c == nil {
			return false
		}
		if c.AfterPhoto {
			return true
		}
		code = c.ParentCode
	}
	return false
}

// CasePage shows one case to the staff who may see it: its facts, photos,
// history and the steps the viewer may take now. A case out of the
// viewer's scope is "not found" (the service says so), so a unit cannot
// open another unit's case.
func (h *Handler) CasePage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "案件|Case")
	if d := r.URL.Query().Get("done"); d != "" {
		act := casework.Action(d)
		if act.Known() {
			p.Notice = p.T("已完成：", "Done: ") + p.ActionName(act)
		}
	}
	if r.URL.Query().Get("new") != "" {
		p.Notice = p.T("已上报，案件已生成。", "Reported: the case is open.")
	}
	if r.URL.Query().Get("spot_failed") != "" {
		p.Error = p.T("已上报，但自行处置未能记录，请在下方“自行处置”中重试。", "Reported, but the handling on the spot was not recorded: try again under “Handled on the spot” below.")
	}
	h.showCase(w, r, p, a, http.StatusOK)
}

func (h *Handler) showCase(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, status int) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, jiedao.NotFound("案件", "case"))
		return
	}
	ctx := r.Context()
	c, err := h.Cases.Get(ctx, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	events, err := h.Cases.Events(ctx, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	photos, err := h.Photos.List(ctx, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.names(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A case is dispatched to its subdistrict's units or the district's
	// (docs/jurisdictions.md): the form offers those only; the names of
	// every unit stay for its history.
	n.Units = slices.DeleteFunc(slices.Clone(n.Units), func(u *org.Unit) bool {
		return u.JurisdictionID != 0 && u.JurisdictionID != c.JurisdictionID
	})
	d := &caseData{caseView: h.view(c), Events: events, Photos: photos, Actions: actionsFor(a, c), N: n,
		Suggested: c.SuggestedUnit, Back: homeOf(a), AfterPhoto: afterPhotoRequired(n.Cats, c.Category), Nav: navLinksFor(c)}
	if err := h.transferData(ctx, a, c, d); err != nil {
		h.fail(w, r, err)
		return
	}
	if c.Location != nil {
		p.Styles = []string{"vendor/leaflet.css"}
		p.Scripts = []string{"vendor/leaflet.js", "casemap.js"}
	}
	if p.V("unit_id") == "" && c.SuggestedUnit != 0 {
		p.Form.Set("unit_id", strconv.FormatInt(c.SuggestedUnit, 10))
	}
	p.Title = c.Number + " " + c.Title
	p.Data = d
	h.render(w, r, status, "case", p)
}

// CaseStep takes one step on a case from the case page's forms. On an
// error the page comes back with the message next to the field and the
// values typed.
func (h *Handler) CaseStep(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, maxReportForm) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, jiedao.NotFound("案件", "case"))
		return
	}
	p := h.newPage(w, r, "案件|Case")
	p.Form = r.PostForm
	in, claims, err := h.readStep(r, a, id)
	if err == nil && len(claims) > 0 {
		// Photos join the case first, so that the step can name them.
		var ids []int64
		if ids, err = h.Photos.Attach(r.Context(), a, id, claims); err == nil {
			for _, pid := range ids {
				in.Photos = append(in.Photos, strconv.FormatInt(pid, 10))
			}
		}
	}
	if err == nil && in.Action == casework.ActTransfer {
		// 转办: its own service call, with the target subdistrict.
		var to int64
		if to, err = strconv.ParseInt(r.PostForm.Get("jurisdiction_id"), 10, 64); err != nil {
			err = jiedao.Invalid("jurisdiction_id", "请选择转办到的街道", "choose the subdistrict to transfer to")
		} else {
			_, err = h.Cases.Transfer(r.Context(), a, id, to, in.Reason)
		}
	} else if err == nil {
		_, err = h.Cases.Step(r.Context(), a, id, in)
	}
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND && jiedao.ErrorField(err) == "" {
			h.fail(w, r, err)
			return
		}
		// A step the viewer's role may not take is refused, not mistyped:
		// the page comes back with the reason as a 403, as the admin
		// pages and the API answer it.
		status := http.StatusUnprocessableEntity
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			status = http.StatusForbidden
		}
		p.setError(err)
		h.showCase(w, r, p, a, status)
		return
	}
	next := localPath(r.PostFormValue("next"), "")
	if next == "" {
		next = "/cases/" + strconv.FormatInt(id, 10) + "?done=" + string(in.Action)
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", next)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// readStep reads a step form.
func (h *Handler) readStep(r *http.Request, a org.Actor, caseID int64) (casework.StepInput, []string, error) {
	f := r.PostForm
	in := casework.StepInput{Action: casework.Action(f.Get("action")), Reason: f.Get("reason"),
		Category: f.Get("category"), Urgency: casework.Urgency(f.Get("urgency")),
		Rating: casework.Rating(f.Get("rating")), Comment: f.Get("comment")}
	if v := f.Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, nil, jiedao.Invalid("unit_id", "请选择承办单位", "choose a unit")
		}
		in.UnitID = id
	}
	if v := strings.TrimSpace(f.Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, nil, jiedao.Invalid("days", "延期天数应为整数", "days must be a whole number")
		}
		in.Days = n
	}
	if in.Action == casework.ActRequestExtension && in.Days == 0 {
		return in, nil, jiedao.Invalid("days", "请填写延期天数", "give the number of days")
	}
	if v := strings.TrimSpace(f.Get("merge_into")); v != "" {
		t, err := h.Cases.GetByNumber(r.Context(), a, v)
		if err != nil {
			return in, nil, jiedao.Invalid("merge_into", "要合并到的案件编号不存在", "no case with that number")
		}
		in.MergeInto = t.ID
	}
	claims, _, _, err := h.uploadPhotos(r.Context(), a, r)
	return in, claims, err
}

// Photo serves a photo (or its thumbnail) to those who may see its case.
func (h *Handler) Photo(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("照片", "photo"))
		return
	}
	ph, err := h.Photos.Get(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := ph.Data
	if r.URL.Query().Get("thumb") != "" {
		body = ph.Thumb
	}
	w.Header().Set("Content-Type", ph.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
