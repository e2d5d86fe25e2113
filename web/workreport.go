package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// The work report's pages (docs/report.md): the report of a year with the
// year before side by side, every figure a link to its records; its
// downloads; the admins' editor of its words, with the versions; the
// overrides; and the check of a draft. Leaders and admins read them; the
// report service decides who may edit.

// reportFig is a figure of the report page.
type reportFig struct {
	report.Value
	Link, PriorLink string
	Text, PriorText string
	Change          string
}

type reportSection struct {
	Name    string
	Figures []reportFig
}

type workReportData struct {
	Year     int
	Years    []int
	Report   *report.Report
	Sections []reportSection
	Links    map[string]string // key → its records in the year
	Targets  []report.Target
	Editor   bool // an admin: the override form and the editor
	Keys     []report.Figure
	// Jur is the 街道 selector of a district deployment (district.go).
	Jur *jurChoice
}

// reportYear is the year asked for (?year=), else that of the newest case.
func (h *Handler) reportYear(r *http.Request, a org.Actor) int { return h.dashYear(r, a) }

func (h *Handler) reportReader(w http.ResponseWriter, r *http.Request) (org.Actor, bool) {
	a, ok := h.staff(w, r)
	if !ok {
		return a, false
	}
	if !report.CanRead(a) {
		h.fail(w, r, jiedao.Forbidden("只有领导和管理员可以查看工作报告", "only leaders and admins may read the work report"))
		return a, false
	}
	return a, true
}

// WorkReport is the report of a year: GET /report?year=.
func (h *Handler) WorkReport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.reportReader(w, r)
	if !ok {
		return
	}
	year := h.reportYear(r, a)
	p := h.newPage(w, r, "工作报告|Work report")
	p.Active = "/report?year="
	p.Body = "wide"
	if r.URL.Query().Get("ok") == "1" {
		p.Notice = p.T("已保存。", "Saved.")
	}
	h.showWorkReport(w, r, p, a, year, http.StatusOK)
}

func (h *Handler) showWorkReport(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, year, status int) {
	a, jur, err := h.narrowed(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := h.ReportDocs.Build(r.Context(), a, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &workReportData{Year: year, Report: rep, Links: map[string]string{}, Targets: report.Targets(rep.Next),
		Editor: a.Role == org.RoleAdmin && a.JurisdictionID == 0, Jur: jur}
	now := h.Cases.Now().Year()
	for y := now; y >= now-4 && y >= 2000; y-- {
		d.Years = append(d.Years, y)
	}
	if year < now-4 || year > now {
		d.Years = append(d.Years, year)
	}
	// A subdistrict's report links to its own cases (the case list takes
	// ?jurisdiction=, district.go).
	figureLink := func(f report.Figure, year int) string {
		l := api.FigureLink(f, year)
		if code := jur.Code(); code != "" && strings.HasPrefix(l, "/cases?") {
			l += "&jurisdiction=" + url.QueryEscape(code)
		}
		return l
	}
	bySection := map[string]int{}
	for _, v := range rep.Values {
		link := figureLink(v.Figure, year)
		d.Links[v.Key] = link
		if v.Kind == report.KindTarget {
			continue
		}
		d.Keys = append(d.Keys, v.Figure)
		f := reportFig{Value: v, Link: link, PriorLink: figureLink(v.Figure, year-1), Text: report.Plain(v.Value, v.IsRate()),
			PriorText: "—", Change: report.Change(v)}
		if v.Missing {
			f.Text = "—"
		}
		if v.Prior != nil {
			f.PriorText = report.Plain(*v.Prior, v.IsRate())
		}
		sec := v.Section
		if sec == "" {
			sec = p.T("其他", "Other")
		}
		i, ok := bySection[sec]
		if !ok {
			i = len(d.Sections)
			bySection[sec] = i
			d.Sections = append(d.Sections, reportSection{Name: sec})
		}
		d.Sections[i].Figures = append(d.Sections[i].Figures, f)
	}
	for _, t := range d.Targets {
		d.Links[t.Key] = api.FigureLink(t.Figure, year+1)
	}
	p.Data = d
	h.render(w, r, status, "workreport", p)
}

// ReportExport downloads the report: GET /report/export.{md,xlsx,docx}?year=.
func (h *Handler) ReportExport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.reportReader(w, r)
	if !ok {
		return
	}
	a, _, err := h.narrowed(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	year := h.reportYear(r, a)
	format := r.URL.Path[strings.LastIndex(r.URL.Path, ".")+1:]
	rep, err := h.ReportDocs.Build(r.Context(), a, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	types := map[string]string{
		"md":   "text/markdown; charset=utf-8",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	}
	w.Header().Set("Content-Type", types[format])
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "工作报告-" + strconv.Itoa(year) + "." + format}))
	w.Header().Set("Cache-Control", "no-store")
	switch format {
	case "xlsx":
		err = rep.Doc.WriteDocXLSX(w, rep.Values)
	case "docx":
		err = rep.Doc.WriteDOCX(w)
	default:
		err = rep.Doc.WriteMarkdown(w)
	}
	if err != nil {
		h.Log.Warn("report export", "format", format, "err", err)
	}
}

// ReportOverride sets or withdraws a figure's override: POST /report/override.
func (h *Handler) ReportOverride(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, maxForm) {
		return
	}
	f := r.PostForm
	year, _ := strconv.Atoi(f.Get("year"))
	var value *float64
	if s := strings.TrimSpace(f.Get("value")); s != "" && f.Get("withdraw") == "" {
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil {
			h.reportFormError(w, r, a, year, jiedao.Invalid("value", "数值应为数字", "the value must be a number"))
			return
		}
		value = &x
	} else if f.Get("withdraw") == "" {
		h.reportFormError(w, r, a, year, jiedao.Invalid("value", "请填写改写后的数值，或选择撤销改写", "give the value, or withdraw the override"))
		return
	}
	if _, err := h.ReportDocs.SetOverride(r.Context(), a, year, f.Get("key"), value, f.Get("reason")); err != nil {
		h.reportFormError(w, r, a, year, err)
		return
	}
	http.Redirect(w, r, "/report?year="+strconv.Itoa(year)+"&ok=1#overrides", http.StatusSeeOther)
}

func (h *Handler) reportFormError(w http.ResponseWriter, r *http.Request, a org.Actor, year int, err error) {
	if jiedao.ErrorCode(err) != jiedao.EINVALID {
		h.fail(w, r, err)
		return
	}
	if !report.CanRead(a) {
		h.fail(w, r, jiedao.Forbidden("只有领导和管理员可以查看工作报告", "only leaders and admins may read the work report"))
		return
	}
	p := h.newPage(w, r, "工作报告|Work report")
	p.Active = "/report?year="
	p.Body = "wide"
	p.Form = r.PostForm
	p.setError(err)
	if year < 2000 || year > 2100 {
		year = h.reportYear(r, a)
	}
	h.showWorkReport(w, r, p, a, year, http.StatusUnprocessableEntity)
}

type templateData struct {
	Current  report.TemplateVersion
	Shown    report.TemplateVersion // the version in the editor
	Versions []report.TemplateVersion
	Figures  []report.Figure
	Editor   bool
	Typed    []report.TypedFigure // numbers typed where a placeholder belongs
}

// ReportTemplate is the editor of the report's words with its versions:
// GET /report/template[?version=N].
func (h *Handler) ReportTemplate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.reportReader(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "报告模板|Report template")
	p.Active = "/report?year="
	if r.URL.Query().Get("ok") == "1" {
		p.Notice = p.T("已保存为新版本。", "Saved as a new version.")
	}
	h.showTemplate(w, r, p, a, http.StatusOK)
}

func (h *Handler) showTemplate(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, status int) {
	ctx := r.Context()
	cur, err := h.ReportDocs.Template(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vs, err := h.ReportDocs.Versions(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &templateData{Current: cur, Shown: cur, Versions: vs, Figures: h.ReportDocs.Figures(), Editor: a.Role == org.RoleAdmin}
	if n, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64); err == nil {
		for _, v := range vs {
			if v.Version == n {
				d.Shown = v
			}
		}
	}
	if !p.Form.Has("body") {
		p.Form.Set("body", d.Shown.Body)
	}
	d.Typed = report.TypedFigures(p.Form.Get("body"), d.Figures)
	p.Data = d
	h.render(w, r, status, "reporttemplate", p)
}

// SaveReportTemplate saves the words as a new version: POST /report/template.
func (h *Handler) SaveReportTemplate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 1<<20) {
		return
	}
	if _, err := h.ReportDocs.SaveTemplate(r.Context(), a, r.PostForm.Get("body"), r.PostForm.Get("note")); err != nil {
		if jiedao.ErrorCode(err) != jiedao.EINVALID {
			h.fail(w, r, err)
			return
		}
		p := h.newPage(w, r, "报告模板|Report template")
		p.Active = "/report?year="
		p.Form = r.PostForm
		p.setError(err)
		h.showTemplate(w, r, p, a, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/report/template?ok=1", http.StatusSeeOther)
}

type checkData struct {
	Year    int
	Years   []int
	Results []report.Checked
	Links   map[string]string
	Counts  map[string]int
	Checked bool
}

// ReportCheckPage is the page where a draft is pasted: GET /report/check.
func (h *Handler) ReportCheckPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.reportReader(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "核对文稿|Check a draft")
	p.Active = "/report?year="
	p.Body = "wide"
	year := h.reportYear(r, a)
	p.Data = &checkData{Year: year, Years: h.checkYears(year)}
	h.render(w, r, http.StatusOK, "reportcheck", p)
}

func (h *Handler) checkYears(year int) []int {
	now := h.Cases.Now().Year()
	var ys []int
	for y := now; y >= now-4 && y >= 2000; y-- {
		ys = append(ys, y)
	}
	if year < now-4 || year > now {
		ys = append(ys, year)
	}
	return ys
}

// ReportCheck checks a pasted draft against the records: POST /report/check.
func (h *Handler) ReportCheck(w http.ResponseWriter, r *http.Request) {
	a, ok := h.reportReader(w, r)
	if !ok || !h.postForm(w, r, 2<<20) {
		return
	}
	p := h.newPage(w, r, "核对文稿|Check a draft")
	p.Active = "/report?year="
	p.Body = "wide"
	p.Form = r.PostForm
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		year = h.reportYear(r, a)
	}
	d := &checkData{Year: year, Years: h.checkYears(year), Links: map[string]string{}, Counts: map[string]int{}}
	p.Data = d
	text := r.PostForm.Get("text")
	if strings.TrimSpace(text) == "" {
		p.setError(jiedao.Invalid("text", "请粘贴文稿", "paste the draft"))
		h.render(w, r, http.StatusUnprocessableEntity, "reportcheck", p)
		return
	}
	values, err := report.Compute(r.Context(), h.Cases, a, year, h.ReportDocs.Sources...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next, err := report.Compute(r.Context(), h.Cases, a, year+1, h.ReportDocs.Sources...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	values = report.CheckValues(values, next)
	for _, v := range values {
		d.Links[v.Key] = api.FigureLink(v.Figure, v.Year)
	}
	d.Results = report.Check(text, values)
	d.Checked = true
	for _, c := range d.Results {
		d.Counts[c.Verdict]++
	}
	h.render(w, r, http.StatusOK, "reportcheck", p)
}
