package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// The admins' pages: grids (GeoJSON import, shown on the map),
// communities and units, staff and roles, categories with their attributes
// and deadlines, routing rules, the holiday calendar (TSV in and out) and
// the API keys of machine clients. Each section is one page; its forms post
// to /admin/{section}/{op}; the services check that the actor is an admin.

var adminSections = []struct{ Key, Zh, En string }{
	{"grids", "网格", "Grids"}, {"places", "社区与单位", "Communities and units"}, {"staff", "人员与角色", "Staff and roles"},
	{"categories", "问题分类与时限", "Categories and deadlines"}, {"routing", "派遣规则", "Routing rules"},
	{"calendar", "节假日", "Holiday calendar"}, {"keys", "API 密钥", "API keys"},
}

type adminData struct {
	Section    string
	Sections   []struct{ Key, Zh, En string }
	N          *names
	Staff      []*org.Staff
	Cats       []*casework.Category
	CatJSON    map[string]string
	Rules      []casework.RoutingRule
	Days       []calendar.Day
	Keys       []*org.APIClient
	NewKey     string
	Roles      []org.Role
	UnitKinds  []org.UnitKind
	Channels   []casework.Channel
	Imported   *org.ImportResult
	GridCounts map[int64]int
	Account    *accountData // the sessions and logins of the staff member being edited
	// The lists as searchable, sortable, paged tables (docs/pages.md):
	// the words searched for, each list's page and its table.
	Query     string
	StaffPage []*org.Staff
	GridPage  []*org.Grid
	DayPage   []calendar.Day
	Table     *listTable
}

// adminPageSize is the rows of an admin list per page.
const adminPageSize = 30

var (
	staffColumns = []column{{Key: "username", Zh: "用户名", En: "Username"}, {Key: "name", Zh: "姓名", En: "Name"},
		{Key: "role", Zh: "角色", En: "Role"}, {Zh: "单位/社区/网格", En: "Unit, community, grids"}, {Key: "active", Zh: "状态", En: "State"}, {}}
	gridColumns = []column{{Key: "code", Zh: "编码", En: "Code"}, {Key: "name", Zh: "名称", En: "Name"}, {Key: "kind", Zh: "类型", En: "Kind"},
		{Key: "community", Zh: "社区", En: "Community"}, {Zh: "西湖码", En: "QR code"}}
	dayColumns = []column{{Key: "date", Zh: "日期", En: "Date"}, {Key: "kind", Zh: "类型", En: "Kind"}, {Key: "name", Zh: "名称", En: "Name"},
		{Key: "year", Zh: "所属年度", En: "Schedule year"}, {}}
)

// adminTables makes the section's list a searchable, sortable, paged
// table from the query string.
func adminTables(r *http.Request, p *page, d *adminData) {
	q := r.URL.Query()
	d.Query = strings.TrimSpace(q.Get("q"))
	path := "/admin/" + d.Section
	switch d.Section {
	case "staff":
		d.Table = readTable(path, q, staffColumns, "username", true, adminPageSize)
		var rows []*org.Staff
		for _, s := range d.Staff {
			if matches(d.Query, s.Username, s.Name, s.Phone, p.RoleName(s.Role), d.N.Unit[s.UnitID], d.N.Community[s.CommunityID]) {
				rows = append(rows, s)
			}
		}
		d.StaffPage = pageOf(d.Table, rows, map[string]func(a, b *org.Staff) bool{
			"username": func(a, b *org.Staff) bool { return a.Username < b.Username },
			"name":     func(a, b *org.Staff) bool { return a.Name < b.Name },
			"role":     func(a, b *org.Staff) bool { return a.Role < b.Role },
			"active":   func(a, b *org.Staff) bool { return !a.Active && b.Active },
		})
	case "grids":
		d.Table = readTable(path, q, gridColumns, "code", true, adminPageSize)
		var rows []*org.Grid
		for _, g := range d.N.Grids {
			if matches(d.Query, g.Code, g.Name, string(g.Kind), d.N.Community[g.CommunityID]) {
				rows = append(rows, g)
			}
		}
		d.GridPage = pageOf(d.Table, rows, map[string]func(a, b *org.Grid) bool{
			"code":      func(a, b *org.Grid) bool { return a.Code < b.Code },
			"name":      func(a, b *org.Grid) bool { return a.Name < b.Name },
			"kind":      func(a, b *org.Grid) bool { return a.Kind < b.Kind },
			"community": func(a, b *org.Grid) bool { return d.N.Community[a.CommunityID] < d.N.Community[b.CommunityID] },
		})
	case "calendar":
		d.Table = readTable(path, q, dayColumns, "date", false, adminPageSize)
		var rows []calendar.Day
		for _, day := range d.Days {
			if matches(d.Query, day.Date, day.Name, string(day.Kind), strconv.Itoa(day.ScheduleYear)) {
				rows = append(rows, day)
			}
		}
		d.DayPage = pageOf(d.Table, rows, map[string]func(a, b calendar.Day) bool{
			"date": func(a, b calendar.Day) bool { return a.Date < b.Date },
			"kind": func(a, b calendar.Day) bool { return a.Kind < b.Kind },
			"name": func(a, b calendar.Day) bool { return a.Name < b.Name },
			"year": func(a, b calendar.Day) bool { return a.ScheduleYear < b.ScheduleYear },
		})
	}
}

// Admin shows a section of the admin pages (the grids first).
func (h *Handler) Admin(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "系统管理|Administration")
	p.Active = "/admin"
	section := r.PathValue("section")
	if section == "" {
		section = "grids"
	}
	if ok := r.URL.Query().Get("ok"); ok != "" {
		p.Notice = p.T("已保存。", "Saved.")
	}
	h.showAdmin(w, r, p, a, section, http.StatusOK, nil)
}

func (h *Handler) showAdmin(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, section string, status int, extra func(*adminData)) {
	// 三权分立 (issue 18): staff and roles are the security
	// administrator's only section; the system administrator has the rest.
	sections := adminSections
	switch {
	case a.Is(org.RoleSecurityAdmin) && section == "staff":
		sections = sections[2:3]
	case a.Is(org.RoleAdmin) && section != "staff":
		sections = append(append([]struct{ Key, Zh, En string }{}, adminSections[:2]...), adminSections[3:]...)
	default:
		h.fail(w, r, org.Forbidden())
		return
	}
	ctx := r.Context()
	d := &adminData{Section: section, Sections: sections, Roles: rolesLeastFirst, Channels: casework.Channels(),
		UnitKinds: []org.UnitKind{org.UnitDepartment, org.UnitStation, org.UnitCommunity, org.UnitExternal, org.UnitCommand}}
	var err error
	if d.N, err = h.names(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	switch section {
	case "grids", "places":
	case "staff":
		d.Staff, err = h.Directory.Staff(ctx, a)
	case "categories":
		if d.Cats, err = h.Cases.Categories(ctx); err == nil {
			d.CatJSON = map[string]string{}
			for _, c := range d.Cats {
				b, _ := json.MarshalIndent(struct {
					Attributes []casework.AttributeDef              `json:"attributes"`
					Policies   map[casework.Urgency]casework.Policy `json:"policies"`
				}{c.Attributes, c.Policies}, "", "  ")
				d.CatJSON[c.Code] = string(b)
			}
		}
	case "routing":
		d.Rules, err = h.Cases.RoutingRules(ctx, a)
	case "calendar":
		d.Days, err = h.Cases.CalendarDays(ctx, a)
	case "keys":
		d.Keys, err = h.Directory.APIClients(ctx, a)
	default:
		err = jiedao.NotFound("页面", "page")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if extra != nil {
		extra(d)
	}
	adminTables(r, p, d)
	// ?edit= fills the section's form with a record to change.
	if edit := r.URL.Query().Get("edit"); edit != "" && len(p.Form) == 0 {
		switch section {
		case "staff":
			for _, st := range d.Staff {
				if strconv.FormatInt(st.ID, 10) != edit {
					continue
				}
				p.Form = url.Values{"id": {edit}, "username": {st.Username}, "name": {st.Name}, "phone": {st.Phone}, "role": {string(st.Role)},
					"unit_id": {strconv.FormatInt(st.UnitID, 10)}, "community_id": {strconv.FormatInt(st.CommunityID, 10)}, "active": {"1"},
					"jurisdiction_id": {strconv.FormatInt(st.JurisdictionID, 10)}}
				if !st.Active {
					p.Form.Set("active", "0")
				}
				for _, g := range st.GridIDs {
					p.Form.Add("grid_ids", strconv.FormatInt(g, 10))
				}
				if d.Account, err = h.loadAccount(r, a, st.ID); err != nil {
					h.fail(w, r, err)
					return
				}
			}
		case "categories":
			for _, c := range d.Cats {
				if c.Code == edit {
					p.Form = url.Values{"code": {c.Code}, "parent_code": {c.ParentCode}, "name": {c.Name}, "name_en": {c.NameEn}, "json": {d.CatJSON[c.Code]}}
					if c.Active {
						p.Form.Set("active", "1")
					}
					if c.AfterPhoto {
						p.Form.Set("after_photo", "1")
					}
					if c.PrivateHome {
						p.Form.Set("private_home", "1")
					}
				}
			}
		}
	}
	p.Data = d
	if section == "grids" {
		p.Styles = []string{"vendor/leaflet.css", "vendor/MarkerCluster.css", "vendor/MarkerCluster.Default.css"}
		p.Scripts = []string{"vendor/leaflet.js", "vendor/leaflet.markercluster.js", "map.js"}
	}
	h.render(w, r, status, "admin", p)
}

func formID(v url.Values, k string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(v.Get(k)), 10, 64)
	return n
}

// AdminPost runs one admin form.
func (h *Handler) AdminPost(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 16<<20) {
		return
	}
	ctx := r.Context()
	section, op := r.PathValue("section"), r.PathValue("op")
	f := r.PostForm
	var err error
	var extra func(*adminData)
	switch section + "/" + op {
	case "grids/import":
		var data []byte
		if data, err = formFile(r, "file"); err == nil {
			var feats []geo.Feature
			if feats, err = geo.ParseFeatureCollection(bytes.NewReader(data)); err == nil {
				var res org.ImportResult
				if res, err = h.Directory.ImportGrids(ctx, a, feats); err == nil {
					extra = func(d *adminData) { d.Imported = &res }
				}
			}
		}
		if err != nil && jiedao.ErrorField(err) != "" {
			zh, en := jiedao.ErrorMessages(err)
			err = jiedao.Invalid("file", zh, en)
		}
	case "places/community":
		js, jerr := h.Directory.Jurisdictions(ctx, a)
		if err = jerr; err == nil {
			c := &org.Community{ID: formID(f, "id"), Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")),
				JurisdictionID: formID(f, "jurisdiction_id")}
			// Without a choice (one subdistrict), the first subdistrict's.
			if subs := org.Subdistricts(js); c.JurisdictionID == 0 && len(subs) > 0 {
				c.JurisdictionID = subs[0].ID
			}
			err = h.Directory.SaveCommunity(ctx, a, c)
		}
	case "places/unit":
		err = h.Directory.SaveUnit(ctx, a, &org.Unit{ID: formID(f, "id"), Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")),
			Kind: org.UnitKind(f.Get("kind")), CommunityID: formID(f, "community_id"), JurisdictionID: formID(f, "jurisdiction_id")})
	case "staff/save":
		in := org.StaffInput{Staff: org.Staff{ID: formID(f, "id"), Username: f.Get("username"), Name: strings.TrimSpace(f.Get("name")),
			Phone: strings.TrimSpace(f.Get("phone")), Role: org.Role(f.Get("role")), UnitID: formID(f, "unit_id"),
			CommunityID: formID(f, "community_id"), JurisdictionID: formID(f, "jurisdiction_id"), Active: f.Get("active") != "0"}, Password: f.Get("password")}
		for _, g := range f["grid_ids"] {
			if id, perr := strconv.ParseInt(g, 10, 64); perr == nil {
				in.GridIDs = append(in.GridIDs, id)
			}
		}
		// Every required field that is empty, named at once next to itself;
		// the rest of the checks are the directory's.
		var missing []error
		for _, m := range []struct{ field, zh, en string }{{"username", "用户名", "the username"}, {"name", "姓名", "the name"}} {
			if strings.TrimSpace(f.Get(m.field)) == "" {
				missing = append(missing, jiedao.Invalid(m.field, "请填写"+m.zh, m.en+" is required"))
			}
		}
		if in.ID == 0 && in.Password == "" {
			missing = append(missing, jiedao.Invalid("password", "请设置初始密码", "an initial password is required"))
		}
		if in.Role == org.RoleGridWorker && len(in.GridIDs) == 0 {
			missing = append(missing, jiedao.Invalid("grid_ids", "网格员须选择负责网格", "a grid worker needs a grid"))
		}
		if len(missing) > 0 && a.Is(org.RoleSecurityAdmin) { // others are refused by the directory
			err = errors.Join(missing...)
			break
		}
		_, err = h.Directory.SaveStaff(ctx, a, in)
	case "categories/save":
		c := &casework.Category{Code: strings.TrimSpace(f.Get("code")), ParentCode: strings.TrimSpace(f.Get("parent_code")),
			Name: strings.TrimSpace(f.Get("name")), NameEn: strings.TrimSpace(f.Get("name_en")), Active: f.Get("active") == "1",
			AfterPhoto: f.Get("after_photo") == "1", PrivateHome: f.Get("private_home") == "1"}
		var extraJSON struct {
			Attributes []casework.AttributeDef              `json:"attributes"`
			Policies   map[casework.Urgency]casework.Policy `json:"policies"`
		}
		if js := strings.TrimSpace(f.Get("json")); js != "" {
			dec := json.NewDecoder(strings.NewReader(js))
			dec.DisallowUnknownFields()
			if derr := dec.Decode(&extraJSON); derr != nil {
				err = jiedao.Invalid("json", "属性与时限的 JSON 有误："+derr.Error(), "attributes and deadlines JSON: "+derr.Error())
			}
		}
		if err == nil {
			c.Attributes, c.Policies = extraJSON.Attributes, extraJSON.Policies
			err = h.Cases.PutCategory(ctx, a, c)
		}
	case "routing/add":
		err = h.Cases.CreateRoutingRule(ctx, a, &casework.RoutingRule{Category: strings.TrimSpace(f.Get("category")),
			CommunityID: formID(f, "community_id"), GridID: formID(f, "grid_id"), Channel: casework.Channel(f.Get("channel")), UnitID: formID(f, "unit_id")})
	case "routing/delete":
		err = h.Cases.DeleteRoutingRule(ctx, a, formID(f, "id"))
	case "calendar/import":
		data := []byte(f.Get("tsv"))
		if fd, ferr := formFile(r, "file"); ferr == nil && len(fd) > 0 {
			data = fd
		}
		var days []calendar.Day
		if days, err = calendar.ParseTSV(bytes.NewReader(data)); err == nil {
			err = h.Cases.PutCalendarDays(ctx, a, days)
		}
		if err != nil && jiedao.ErrorField(err) == "" {
			zh, en := jiedao.ErrorMessages(err)
			err = jiedao.Invalid("tsv", zh, en)
		}
	case "calendar/delete":
		err = h.Cases.DeleteCalendarDay(ctx, a, f.Get("date"))
	case "staff/revoke":
		err = h.Auth.RevokeSessions(ctx, a, formID(f, "id"))
	case "staff/reset2fa": // a lost authenticator (issue 18): the security administrator's, with a reason
		if err = h.Auth.ResetTwoFactor(ctx, a, formID(f, "id"), f.Get("reason")); jiedao.ErrorField(err) == "reason" {
			// The staff list comes back without the person's form: say it on top.
			zh, en := jiedao.ErrorMessages(err)
			err = &jiedao.Error{Code: jiedao.EINVALID, Zh: zh, En: en}
		}
	case "keys/create":
		var key string
		if key, _, err = h.Directory.CreateAPIClient(ctx, a, h.Auth, f.Get("name"), f.Get("channel")); err == nil {
			extra = func(d *adminData) { d.NewKey = key }
		}
	case "keys/rate":
		err = h.Directory.SetAPIClientRate(ctx, a, formID(f, "id"), f.Get("rate_limit"))
	case "keys/revoke":
		err = h.Directory.RevokeAPIClient(ctx, a, formID(f, "id"), h.Cases.Now())
	default:
		err = jiedao.NotFound("页面", "page")
	}
	p := h.newPage(w, r, "系统管理|Administration")
	p.Active = "/admin"
	if err != nil {
		if c := jiedao.ErrorCode(err); c == jiedao.EFORBIDDEN || (c == jiedao.ENOTFOUND && jiedao.ErrorField(err) == "") {
			h.fail(w, r, err)
			return
		}
		p.Form = f
		p.setError(err)
		h.showAdmin(w, r, p, a, section, http.StatusUnprocessableEntity, nil)
		return
	}
	if extra != nil {
		// What must be shown once (a new key, an import's counts) is
		// rendered now rather than after a redirect.
		p.Notice = p.T("已完成。", "Done.")
		h.showAdmin(w, r, p, a, section, http.StatusOK, extra)
		return
	}
	http.Redirect(w, r, "/admin/"+section+"?ok=1", http.StatusSeeOther)
}

// formFile reads an uploaded file of a form.
func formFile(r *http.Request, field string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, jiedao.Invalid(field, "请选择要导入的文件", "choose a file to import")
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 16<<20))
}

// CalendarTSV exports the holiday calendar in the TSV it imports.
func (h *Handler) CalendarTSV(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	days, err := h.Cases.CalendarDays(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/tab-separated-values; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="calendar.tsv"`)
	if err := calendar.WriteTSV(w, days); err != nil {
		h.Log.Warn("calendar export", "err", err)
	}
}

// rolesLeastFirst are the roles as the staff form offers them: the least
// privileged first, and chosen for a new account, so that a slip gives
// too little, never the keys (admin last).
var rolesLeastFirst = []org.Role{org.RoleCommunityStaff, org.RoleGridWorker, org.RoleUnitHandler, org.RoleUnitLead,
	org.RoleLeader, org.RoleDispatcher, org.RoleAdmin, org.RoleSecurityAdmin, org.RoleAuditAdmin}
