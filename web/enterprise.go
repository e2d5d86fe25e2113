package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// The pages of the enterprise registry and the building economy
// (docs/enterprise.md): lists that the report's figures drill down to,
// each exported to XLSX with ?format=xlsx; the enterprise and building
// profiles; the building-economy dashboard; the enterprise service's
// visit plan with its visit form.

// cell is one cell of a list, linked when Href is set.
type cell struct {
	Text string
	Href string
}

// entTable is a list page: what the "enttable" template shows.
type entTable struct {
	Heading  string
	Note     string
	Summary  []cell // figures above the list
	Headers  []string
	Rows     [][]cell
	Total    int
	Offset   int
	Prev     string
	Next     string
	Export   string // the list's XLSX address
	Filters  bool   // show the enterprise filter form
	Import   bool   // link the import page (the enterprise service)
	Tags     []enterprise.Tag
	CertKind []enterprise.CertKind
}

const entPageSize = 100

func (h *Handler) entActor(w http.ResponseWriter, r *http.Request) (org.Actor, bool) {
	a, ok := h.staff(w, r)
	if !ok {
		return a, false
	}
	if h.Enterprises == nil {
		h.fail(w, r, jiedao.NotFound("页面", "page"))
		return a, false
	}
	if !enterprise.CanRead(a) {
		h.fail(w, r, jiedao.Forbidden("您无权查看企业服务数据", "you may not read the enterprise registry"))
		return a, false
	}
	return a, true
}

// wantsExport reports whether the list is asked for as a file.
func wantsExport(r *http.Request) bool { return r.URL.Query().Get("format") == "xlsx" }

// exportRows writes a list as XLSX, header first, and audits it.
func (h *Handler) exportRows(w http.ResponseWriter, r *http.Request, a org.Actor, name string, headers []string, rows [][]cell) {
	if err := org.AuditRecord(r.Context(), h.Enterprises.Audit, a, "enterprise.export", "enterprise_list", name, nil,
		map[string]any{"query": r.URL.RawQuery, "rows": len(rows)}, ""); err != nil {
		h.fail(w, r, err)
		return
	}
	dl := api.StartDownload(w, table.XLSX, name)
	tw, err := table.NewWriter(dl, table.XLSX, name)
	if err == nil {
		hs := make([]any, len(headers))
		for i, x := range headers {
			hs[i] = x
		}
		err = tw.Row(hs...)
	}
	for i := 0; err == nil && i < len(rows); i++ {
		cs := make([]any, len(rows[i]))
		for j, c := range rows[i] {
			cs[j] = c.Text
		}
		err = tw.Row(cs...)
	}
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		dl.Abort(h.Log, r, err)
	}
}

// showTable renders a list page or exports it; rows are all the rows,
// paged here.
func (h *Handler) showTable(w http.ResponseWriter, r *http.Request, a org.Actor, p *page, name string, d *entTable) {
	if wantsExport(r) {
		h.exportRows(w, r, a, name, d.Headers, d.Rows)
		return
	}
	q := r.URL.Query()
	off, _ := strconv.Atoi(q.Get("offset"))
	off = max(0, min(off, len(d.Rows)))
	d.Total, d.Offset = len(d.Rows), off
	link := func(o int) string {
		v := cloneValues(q)
		v.Set("offset", strconv.Itoa(o))
		return r.URL.Path + "?" + v.Encode()
	}
	if off > 0 {
		d.Prev = link(max(off-entPageSize, 0))
	}
	if off+entPageSize < len(d.Rows) {
		d.Next = link(off + entPageSize)
	}
	d.Rows = d.Rows[off:min(off+entPageSize, len(d.Rows))]
	ex := cloneValues(q)
	ex.Del("offset")
	ex.Set("format", "xlsx")
	d.Export = r.URL.Path + "?" + ex.Encode()
	p.Data = d
	h.render(w, r, http.StatusOK, "enttable", p)
}

func enterpriseRow(e enterprise.Enterprise) []cell {
	var tags []string
	for _, t := range e.Tags {
		tags = append(tags, t.Zh())
	}
	return []cell{{Text: e.CreditCode}, {Text: e.Name, Href: "/enterprises/" + strconv.FormatInt(e.ID, 10)}, {Text: e.Industry},
		{Text: string(e.RegisteredOn)}, {Text: string(e.Status)}, {Text: strings.Join(tags, "、")}, {Text: string(e.OnboardedOn)},
		{Text: e.ContactName}, {Text: e.ContactPhone}}
}

// EnterpriseList lists the enterprises a filter selects; the figures
// onboarded, new_entities and hq_listed drill down here.
func (h *Handler) EnterpriseList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "企业|Enterprises")
	p.Active = "/enterprises"
	p.Form = r.URL.Query()
	f, err := api.EnterpriseFilter(r.URL.Query())
	if err != nil {
		p.setError(err)
		f = enterprise.Filter{}
	}
	f.Limit, f.Offset = 0, 0
	list, err := h.Enterprises.List(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &entTable{Heading: p.T("企业名录", "Enterprises"), Filters: true, Tags: enterprise.Tags(), Import: enterprise.CanWrite(a),
		Headers: []string{"统一社会信用代码", "企业名称", "行业", "成立日期", "状态", "标签", "企服平台入驻", "联系人", "联系电话"}}
	for _, e := range list {
		d.Rows = append(d.Rows, enterpriseRow(e))
	}
	h.showTable(w, r, a, p, "enterprises", d)
}

// periodOf reads the page's period (from, to, year).
func periodOf(p *page, r *http.Request) (enterprise.Date, enterprise.Date) {
	from, to, err := api.EnterprisePeriod(r.URL.Query())
	if err != nil {
		p.setError(err)
		return "0001-01-01", "9999-12-31"
	}
	return from, to
}

// VisitList lists the visits of a period: the figure visits drills down here.
func (h *Handler) VisitList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "企业走访|Visits")
	p.Active = "/enterprises"
	p.Form = r.URL.Query()
	from, to := periodOf(p, r)
	visits, err := h.Enterprises.Visits(r.Context(), a, 0, from, to, 0, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &entTable{Heading: p.T("企业走访", "Enterprise visits"), Note: periodNote(p, from, to),
		Headers: []string{"走访日期", "企业", "走访人", "走访情况"}}
	for _, v := range visits {
		d.Rows = append(d.Rows, []cell{{Text: string(v.On)}, {Text: v.Enterprise, Href: fmt.Sprintf("/enterprises/%d", v.EnterpriseID)}, {Text: v.Staff}, {Text: v.Findings}})
	}
	d.Summary = []cell{{Text: fmt.Sprintf(p.T("共 %d 家次", "%d visits"), len(visits))}}
	h.showTable(w, r, a, p, "visits", d)
}

func periodNote(p *page, from, to enterprise.Date) string {
	if from == "0001-01-01" && to == "9999-12-31" {
		return p.T("全部时间", "All time")
	}
	return fmt.Sprintf(p.T("%s 至 %s（不含）", "%s to %s (exclusive)"), from, to)
}

// MoveList lists the moves of a period with their balance: the figure
// net_migration_tax drills down here.
func (h *Handler) MoveList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "企业迁入迁出|Moves")
	p.Active = "/enterprises"
	p.Form = r.URL.Query()
	from, to := periodOf(p, r)
	moves, bal, err := h.Enterprises.Moves(r.Context(), a, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &entTable{Heading: p.T("企业迁入迁出", "Enterprises moved in and out"), Note: periodNote(p, from, to),
		Headers: []string{"日期", "方向", "企业", "迁出地", "迁入地", "年度税收（元）"}}
	for _, m := range moves {
		d.Rows = append(d.Rows, []cell{{Text: string(m.On)}, {Text: m.Direction.Zh()}, {Text: m.Enterprise, Href: fmt.Sprintf("/enterprises/%d", m.EnterpriseID)},
			{Text: m.From}, {Text: m.To}, {Text: m.AnnualTax.String()}})
	}
	surplus := p.T("否", "no")
	if bal.DoubleSurplus() {
		surplus = p.T("是", "yes")
	}
	d.Summary = []cell{
		{Text: fmt.Sprintf(p.T("迁入 %d 家，税收 %s 元", "moved in: %d, tax %s yuan"), bal.In, bal.TaxIn)},
		{Text: fmt.Sprintf(p.T("迁出 %d 家，税收 %s 元", "moved out: %d, tax %s yuan"), bal.Out, bal.TaxOut)},
		{Text: fmt.Sprintf(p.T("净增 %d 家，净增税收 %s 元", "net: %d enterprises, %s yuan of tax"), bal.NetCount(), bal.NetTax())},
		{Text: p.T("双顺差：", "Double surplus: ") + surplus},
	}
	h.showTable(w, r, a, p, "moves", d)
}

// CertList lists certifications granted in a period: the certification
// figures drill down here.
func (h *Handler) CertList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "企业资质|Certifications")
	p.Active = "/enterprises"
	p.Form = r.URL.Query()
	from, to := periodOf(p, r)
	f := enterprise.CertFilter{AwardedFrom: from, AwardedTo: to}
	if k := r.URL.Query().Get("kind"); k != "" {
		kind, ok := enterprise.ParseCertKind(k)
		if !ok {
			p.setError(jiedao.Invalid("kind", "未知的资质类型", "unknown certification"))
		}
		f.Kind = kind
	}
	certs, err := h.Enterprises.Certifications(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &entTable{Heading: p.T("企业资质认定", "Certifications granted"), Note: periodNote(p, from, to),
		Headers: []string{"认定日期", "资质", "企业", "有效期至"}}
	if f.Kind != "" {
		d.Heading = f.Kind.Zh()
	}
	for _, c := range certs {
		d.Rows = append(d.Rows, []cell{{Text: string(c.AwardedOn)}, {Text: c.Kind.Zh()}, {Text: c.Enterprise, Href: fmt.Sprintf("/enterprises/%d", c.EnterpriseID)}, {Text: string(c.ExpiresOn)}})
	}
	d.Summary = []cell{{Text: fmt.Sprintf(p.T("共 %d 项", "%d certifications"), len(certs))}}
	h.showTable(w, r, a, p, "certifications", d)
}

// entProfile is the enterprise page's data.
type entProfile struct {
	*api.EnterpriseProfile
	Years    []int
	Rate     string
	Statuses map[int64]string
	CanWrite bool
	// The move form (writers only): the buildings, the one chosen and its
	// rooms.
	MoveBuildings []enterprise.Building
	MoveBuilding  int64
	MoveRooms     []enterprise.Room
	Today         enterprise.Date
}

// EnterprisePage shows an enterprise: tenancy history, tax by year,
// visits, demands (cases), certifications, moves; for the enterprise
// service, the form that moves it into another room.
func (h *Handler) EnterprisePage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("企业", "enterprise"))
		return
	}
	p := h.newPage(w, r, "企业|Enterprise")
	if r.URL.Query().Get("moved") != "" {
		p.Notice = p.T("已记录搬迁，租赁历史已保留", "Move recorded; the tenancy history is kept")
	}
	h.renderEnterprise(w, r, a, p, id, http.StatusOK)
}

func (h *Handler) renderEnterprise(w http.ResponseWriter, r *http.Request, a org.Actor, p *page, id int64, status int) {
	prof, err := api.Profile(r, h.Enterprises, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title = prof.Name
	p.Active = "/enterprises"
	d := &entProfile{EnterpriseProfile: prof, CanWrite: enterprise.CanWrite(a), Statuses: map[int64]string{}}
	for y := range prof.TaxByYear {
		d.Years = append(d.Years, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(d.Years)))
	for _, dm := range prof.Demands {
		d.Statuses[dm.CaseID] = dm.Status.Zh()
	}
	if rate, ok := enterprise.ResolutionRate(prof.Demands); ok {
		d.Rate = fmt.Sprintf("%.2f%%", rate)
	}
	if d.CanWrite {
		// The move form: the building first, then its rooms.
		if d.MoveBuildings, err = h.Enterprises.Buildings(r.Context(), a); err != nil {
			h.fail(w, r, err)
			return
		}
		pick := r.URL.Query().Get("move_building")
		if v := p.Form.Get("building_id"); v != "" {
			pick = v
		}
		if d.MoveBuilding, _ = strconv.ParseInt(pick, 10, 64); d.MoveBuilding != 0 {
			if d.MoveRooms, err = h.Enterprises.Rooms(r.Context(), a, d.MoveBuilding); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		d.Today = enterprise.DateOf(p.Now)
	}
	p.Data = d
	h.render(w, r, status, "enterprise", p)
}

// economyData is the building-economy dashboard's data.
type economyData struct {
	Year      int
	Tier      string // the drill-down's tier, "" for all
	Buildings []enterprise.BuildingYear
	Counts    map[string]int
	Prior     map[string]int
	Near      []enterprise.BuildingYear // within 10 % below a threshold
	ByPerM2   []enterprise.BuildingYear
	MapJSON   string
	More      int // buildings ranked beyond the first economyTop
}

// economyTop is how many buildings the dashboard's rankings show.
const economyTop = 50

func yearOf(r *http.Request, p *page) int {
	y := p.Now.Year() - 1
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			p.setError(jiedao.Invalid("year", "年份无效", "invalid year"))
		} else {
			y = n
		}
	}
	return y
}

// Economy is the building-economy dashboard: tiers with their change on
// last year, buildings ranked by tax and tax per m² and on the map,
// buildings near a threshold. With ?tier= it lists exactly the buildings
// a tier's figure counts.
func (h *Handler) Economy(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "楼宇经济|Building economy")
	p.Active = "/buildings/economy"
	p.Form = r.URL.Query()
	year := yearOf(r, p)
	d := &economyData{Year: year, Tier: r.URL.Query().Get("tier"), Counts: map[string]int{}, Prior: map[string]int{}}
	switch d.Tier {
	case "", enterprise.Tier10M, enterprise.Tier100M, enterprise.TierHQ100M:
	default:
		p.setError(jiedao.Invalid("tier", "层级应为 tax_10m、tax_100m 或 hq_100m", "tier must be tax_10m, tax_100m or hq_100m"))
		d.Tier = ""
	}
	years, err := h.Enterprises.Tiers(r.Context(), a, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	prior, err := h.Enterprises.Tiers(r.Context(), a, year-1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tiers := []string{enterprise.Tier10M, enterprise.Tier100M, enterprise.TierHQ100M}
	for _, y := range prior {
		for _, t := range tiers {
			if y.Reaches(t) {
				d.Prior[t]++
			}
		}
	}
	var points []string
	for _, y := range years {
		for _, t := range tiers {
			if y.Reaches(t) {
				d.Counts[t]++
			}
		}
		if d.Tier == "" || y.Reaches(d.Tier) {
			d.Buildings = append(d.Buildings, y)
		}
		if (y.Tax < enterprise.Threshold10M && y.Tax*10 >= enterprise.Threshold10M*9) || (y.Tax < enterprise.Threshold100M && y.Tax*10 >= enterprise.Threshold100M*9) {
			d.Near = append(d.Near, y)
		}
		if y.Lat != 0 || y.Lon != 0 {
			points = append(points, fmt.Sprintf(`{"id":%d,"name":%q,"lat":%v,"lon":%v,"tax":%q,"per_m2":%v,"tier":%q}`,
				y.ID, y.Name, y.Lat, y.Lon, y.Tax.String(), y.PerM2, enterprise.TierZh(y.Tier)))
		}
	}
	d.ByPerM2 = append([]enterprise.BuildingYear(nil), years...)
	sort.SliceStable(d.ByPerM2, func(i, j int) bool { return d.ByPerM2[i].PerM2 > d.ByPerM2[j].PerM2 })
	d.ByPerM2 = d.ByPerM2[:min(len(d.ByPerM2), economyTop)]
	d.MapJSON = "[" + strings.Join(points, ",") + "]"
	if wantsExport(r) {
		headers := []string{"排名", "楼宇", "年度税收（元）", "坪效（元/㎡）", "层级", "上年税收（元）", "同比（%）", "入驻企业数"}
		var rows [][]cell
		for _, y := range d.Buildings {
			prior, change := "", ""
			if y.Prior != nil {
				prior = y.Prior.String()
			}
			if y.Change != nil {
				change = fmt.Sprintf("%.2f", *y.Change)
			}
			rows = append(rows, []cell{{Text: strconv.Itoa(y.Rank)}, {Text: y.Name}, {Text: y.Tax.String()}, {Text: fmt.Sprintf("%.2f", y.PerM2)},
				{Text: enterprise.TierZh(y.Tier)}, {Text: prior}, {Text: change}, {Text: strconv.Itoa(len(y.Tenants))}})
		}
		h.exportRows(w, r, a, fmt.Sprintf("buildings-%d", year), headers, rows)
		return
	}
	// The overview ranks the first economyTop; a tier's drill-down and
	// the export list every building.
	if d.Tier == "" && len(d.Buildings) > economyTop {
		d.More = len(d.Buildings) - economyTop
		d.Buildings = d.Buildings[:economyTop]
	}
	p.Styles = []string{"vendor/leaflet.css"}
	p.Scripts = []string{"vendor/leaflet.js", "economy.js"}
	p.Data = d
	h.render(w, r, http.StatusOK, "economy", p)
}

// buildingData is the building page's data.
type buildingData struct {
	Year     int
	B        *enterprise.Building
	This     *enterprise.BuildingYear
	History  []enterprise.BuildingYear // earlier years, newest first
	Floors   []floorTenants
	Current  int
	Upcoming []enterprise.Tenancy
	// For the enterprise service: every room, and the form to add one.
	CanWrite bool
	Rooms    []enterprise.Room
}

type floorTenants struct {
	Floor   int
	Tenants []enterprise.Tenancy
}

// BuildingPage shows a building: its tenants by floor now, its tax and
// tier in the year with the tenants that make it, and its tier history.
func (h *Handler) BuildingPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("楼宇", "building"))
		return
	}
	p := h.newPage(w, r, "楼宇|Building")
	if room := r.URL.Query().Get("room"); room != "" {
		p.Notice = p.T("已添加房间 "+room, "Room "+room+" added")
	}
	h.renderBuilding(w, r, a, p, id, http.StatusOK)
}

func (h *Handler) renderBuilding(w http.ResponseWriter, r *http.Request, a org.Actor, p *page, id int64, status int) {
	b, err := h.Enterprises.Building(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Title = b.Name
	p.Active = "/buildings/economy"
	year := yearOf(r, p)
	d := &buildingData{Year: year, B: b}
	for y := year; y >= year-4; y-- {
		all, err := h.Enterprises.Tiers(r.Context(), a, y)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for i := range all {
			if all[i].ID == id && (y == year || all[i].Tax != 0) {
				if y == year {
					d.This = &all[i]
				} else {
					d.History = append(d.History, all[i])
				}
			}
		}
	}
	ts, err := h.Enterprises.Tenancies(r.Context(), a, 0, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	today := enterprise.DateOf(p.Now)
	byFloor := map[int][]enterprise.Tenancy{}
	for _, t := range ts {
		if t.Covers(today) {
			byFloor[t.Floor] = append(byFloor[t.Floor], t)
			d.Current++
		}
	}
	for f, list := range byFloor {
		d.Floors = append(d.Floors, floorTenants{Floor: f, Tenants: list})
	}
	sort.Slice(d.Floors, func(i, j int) bool { return d.Floors[i].Floor > d.Floors[j].Floor })
	if d.CanWrite = enterprise.CanWrite(a); d.CanWrite {
		if d.Rooms, err = h.Enterprises.Rooms(r.Context(), a, id); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p.Data = d
	h.render(w, r, status, "building", p)
}

// planData is the visit plan's data.
type planData struct {
	Plans  []enterprise.VisitPlan
	Today  enterprise.Date
	Done   string // the enterprise just visited
	Case   string // the number of the demand just raised
	Visit  *enterprise.VisitPlan
	Groups []catGroup
}

// VisitPlan is the enterprise service worker's plan on a phone: the
// enterprises to visit, the most overdue first, each with a visit form.
func (h *Handler) VisitPlan(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "走访计划|Visit plan")
	p.Active = "/enterprises/plan"
	h.renderPlan(w, r, a, p, http.StatusOK)
}

func (h *Handler) renderPlan(w http.ResponseWriter, r *http.Request, a org.Actor, p *page, status int) {
	plans, err := h.Enterprises.Plan(r.Context(), a, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := &planData{Plans: plans, Today: enterprise.DateOf(p.Now), Done: q.Get("done"), Case: q.Get("case")}
	visit := q.Get("visit")
	if r.Method == http.MethodPost {
		visit = r.PostForm.Get("enterprise_id")
	}
	for i := range plans {
		if strconv.FormatInt(plans[i].EnterpriseID, 10) == visit {
			d.Visit = &plans[i]
		}
	}
	if d.Visit != nil {
		cats, err := h.Cases.Categories(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Groups = groupCategories(cats)
	}
	p.Data = d
	h.render(w, r, status, "plan", p)
}

// maxVisitForm bounds the visit form.
const maxVisitForm = 64 << 10

// PostVisit records a visit from the plan's form, with a demand (a case
// of the enterprise channel) when one is described.
func (h *Handler) PostVisit(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entActor(w, r)
	if !ok || !h.postForm(w, r, maxVisitForm) {
		return
	}
	if !enterprise.CanWrite(a) {
		h.fail(w, r, jiedao.Forbidden("您无权记录走访", "you may not record visits"))
		return
	}
	p := h.newPage(w, r, "走访计划|Visit plan")
	p.Active = "/enterprises/plan"
	p.Form = r.PostForm
	id, err := strconv.ParseInt(r.PostForm.Get("enterprise_id"), 10, 64)
	if err != nil {
		p.setError(jiedao.Invalid("enterprise_id", "请选择企业", "choose an enterprise"))
		h.renderPlan(w, r, a, p, http.StatusUnprocessableEntity)
		return
	}
	v := &enterprise.Visit{EnterpriseID: id, On: enterprise.Date(r.PostForm.Get("on")), Findings: strings.TrimSpace(r.PostForm.Get("findings"))}
	if strings.TrimSpace(r.PostForm.Get("demand")) != "" && r.PostForm.Get("category") == "" {
		p.setError(jiedao.Invalid("category", "提出诉求时请选择问题类型", "choose the kind of problem of the demand"))
		h.renderPlan(w, r, a, p, http.StatusUnprocessableEntity)
		return
	}
	if err := h.Enterprises.RecordVisit(r.Context(), a, v); err != nil {
		p.setError(err)
		h.renderPlan(w, r, a, p, http.StatusUnprocessableEntity)
		return
	}
	done := url.Values{"done": {strconv.FormatInt(id, 10)}}
	if demand := strings.TrimSpace(r.PostForm.Get("demand")); demand != "" {
		c, err := h.Enterprises.RaiseDemand(r.Context(), a, id, v.ID, casework.ReportInput{Category: r.PostForm.Get("category"), Details: demand})
		if err != nil {
			p.setError(err)
			h.renderPlan(w, r, a, p, http.StatusUnprocessableEntity)
			return
		}
		done.Set("case", c.Number)
	}
	http.Redirect(w, r, "/enterprises/plan?"+done.Encode(), http.StatusSeeOther)
}
