package web

// The office's books (issue 13): ledgers, indicators, targets and
// campaigns, over api.Books' services. Every page computes what it shows
// in Go; the templates only lay it out.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
)

// maxSheet bounds an uploaded sheet.
const maxSheet = 20<<20 + maxForm

func (h *Handler) books(w http.ResponseWriter, r *http.Request) (*api.Books, org.Actor, bool) {
	a, ok := h.staff(w, r)
	if !ok {
		return nil, a, false
	}
	if h.Books == nil {
		h.fail(w, r, jiedao.Errorf(jiedao.EUNAVAILABLE, "台账服务未启用", "the books are not enabled"))
		return nil, a, false
	}
	return h.Books, a, true
}

// year reads ?year= (default: this year).
func (h *Handler) year(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	return h.Cases.Now().Year()
}

func (h *Handler) communityNames(ctx context.Context, a org.Actor) (map[int64]string, []*org.Community, error) {
	cs, err := h.Directory.Communities(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	m := map[int64]string{}
	for _, c := range cs {
		m[c.ID] = c.Name
	}
	return m, cs, nil
}

// num prints a number without needless decimals.
func num(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// booksNav are the books' menu items of a role.
func booksNav(a org.Actor) []navItem {
	ledgers := navItem{"/ledgers", "台账", "Ledgers"}
	switch {
	case a.Is(org.RoleLeader):
		return []navItem{{"/targets", "目标", "Targets"}, {"/indicators", "指标", "Indicators"}, ledgers, {"/campaigns", "专项", "Campaigns"}}
	case a.Is(org.RoleAdmin):
		return []navItem{ledgers, {"/ledger-types", "定义台账", "Ledger types"}, {"/indicators", "指标", "Indicators"}, {"/targets", "目标", "Targets"}, {"/campaigns", "专项", "Campaigns"}}
	case a.Is(org.RoleCommunityStaff):
		return []navItem{ledgers}
	case a.Is(org.RoleDispatcher, org.RoleUnitLead, org.RoleUnitHandler, org.RoleGridWorker):
		return []navItem{{"/campaigns", "专项", "Campaigns"}}
	}
	return nil
}

// amount prints a large sum of money as the work report does: in 亿 (1e8)
// or 万 (1e4) of its unit.
func amount(v float64, unit string) string {
	if unit == "元" || unit == "美元" {
		switch {
		case v >= 1e8:
			return strconv.FormatFloat(v/1e8, 'f', 2, 64) + " 亿"
		case v >= 1e4:
			return strconv.FormatFloat(v/1e4, 'f', 2, 64) + " 万"
		}
	}
	return num(v)
}

// ---- Ledgers ----

type ledgerIndex struct {
	Year  int
	Types []ledgerTypeRow
	Admin bool
}

type ledgerTypeRow struct {
	Code, Name string
	Entries    int
}

// Ledgers lists the ledger types the actor may read, with the year's entries.
func (h *Handler) Ledgers(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	year := h.year(r)
	types, err := b.Ledgers.Store.ListTypes(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &ledgerIndex{Year: year, Admin: ledger.CanDefine(a)}
	for _, t := range types {
		if _, ok := ledger.ViewScope(a, t); !ok {
			continue
		}
		rows, _, err := b.Ledgers.Aggregate(r.Context(), a, t.Code, ledger.YearQuery(ledger.Query{Op: ledger.OpCount}, year))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Types = append(d.Types, ledgerTypeRow{Code: t.Code, Name: t.Name, Entries: int(rows[0].Value)})
	}
	p := h.newPage(w, r, "台账|Ledgers")
	p.Active, p.Data = "/ledgers", d
	h.render(w, r, http.StatusOK, "ledgers", p)
}

type ledgerPage struct {
	Type        *ledger.Type
	Fields      []ledger.Field // not retired
	Query       url.Values
	QueryString string
	Year        int
	Total       int
	Entries     []entryRow
	Totals      []measureCell // the period's count and measure sums
	ByMonth     []sumRow
	ByCommunity []sumRow
	Heads       []string // the sum tables' measure headings
	CanAdd      bool
	Communities []*org.Community
	FixedComm   int64 // a community worker's own community
	// Subdistricts is what a district actor picks an entry of no
	// community from (web/subdistricts.go); nil: his own or the one.
	Subdistricts []*org.Jurisdiction
	Import       *ledger.ImportResult
	Prev, Next   string
}

type entryRow struct {
	ID        int64
	Day       string
	Community string
	Place     string
	Values    []string
	Version   int
	UpdatedBy string
}

type measureCell struct{ Name, Value string }

type sumRow struct {
	Label  string
	Link   string
	Values []string
}

// Ledger shows a ledger: its entries matching the query, sums by month and
// community, the form to add an entry (on a phone too), import and export.
func (h *Handler) Ledger(w http.ResponseWriter, r *http.Request) {
	h.ledgerPage(w, r, nil, http.StatusOK)
}

func (h *Handler) ledgerPage(w http.ResponseWriter, r *http.Request, p *page, status int) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	code := r.PathValue("code")
	uq := r.URL.Query()
	if uq.Get("year") == "" && uq.Get("from") == "" && uq.Get("to") == "" {
		uq.Set("year", strconv.Itoa(h.year(r)))
		r.URL.RawQuery = uq.Encode()
	}
	q, err := api.LedgerQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	off, _ := strconv.Atoi(uq.Get("offset"))
	off = max(off, 0)
	es, total, t, err := b.Ledgers.List(ctx, a, code, q, pageSize, off)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, comms, err := h.communityNames(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p == nil {
		p = h.newPage(w, r, t.Name+"|"+t.NameEn)
		if uq.Get("added") != "" {
			p.Notice = p.T("已保存（记录 "+uq.Get("added")+"）", "Saved (entry "+uq.Get("added")+")")
		}
	}
	uq.Del("added")
	p.Active = "/ledgers"
	p.Body = "wide"
	year, _ := strconv.Atoi(uq.Get("year"))
	d := &ledgerPage{Type: t, Query: uq, Year: year, Total: total}
	for _, f := range t.Fields {
		if !f.Retired {
			d.Fields = append(d.Fields, f)
		}
	}
	for _, e := range es {
		row := entryRow{ID: e.ID, Day: e.Day, Community: names[e.CommunityID], Place: e.Place, Version: e.Version, UpdatedBy: e.UpdatedBy}
		for _, f := range d.Fields {
			row.Values = append(row.Values, e.Values[f.Key])
		}
		d.Entries = append(d.Entries, row)
	}
	// Sums: entries, then each measure, by month and by community.
	base := q
	base.Field, base.Op = "", ledger.OpCount
	aggs := []ledger.Query{base}
	d.Heads = []string{p.T("条数", "Entries")}
	for _, f := range t.Fields {
		if f.Measure {
			mq := q
			mq.Field, mq.Op = f.Key, ledger.OpSum
			aggs = append(aggs, mq)
			d.Heads = append(d.Heads, f.Name)
		}
	}
	months, comm := map[string][]string{}, map[int64][]string{}
	for i, aq := range aggs {
		rows, _, err := b.Ledgers.Aggregate(ctx, a, code, aq)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Totals = append(d.Totals, measureCell{Name: d.Heads[i], Value: num(rows[0].Value)})
		aq.Group = ledger.ByMonth
		if rows, _, err = b.Ledgers.Aggregate(ctx, a, code, aq); err != nil {
			h.fail(w, r, err)
			return
		}
		for _, x := range rows {
			if months[x.Month] == nil {
				months[x.Month] = make([]string, len(aggs))
			}
			months[x.Month][i] = num(x.Value)
		}
		aq.Group = ledger.ByCommunity
		if rows, _, err = b.Ledgers.Aggregate(ctx, a, code, aq); err != nil {
			h.fail(w, r, err)
			return
		}
		for _, x := range rows {
			if comm[x.CommunityID] == nil {
				comm[x.CommunityID] = make([]string, len(aggs))
			}
			comm[x.CommunityID][i] = num(x.Value)
		}
	}
	var ms []string
	for m := range months {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	for _, m := range ms {
		d.ByMonth = append(d.ByMonth, sumRow{Label: m, Values: months[m]})
	}
	var cids []int64
	for c := range comm {
		cids = append(cids, c)
	}
	sort.Slice(cids, func(i, j int) bool { return cids[i] < cids[j] })
	for _, c := range cids {
		label := names[c]
		if c == 0 {
			label = p.T("街道（不分社区）", "Subdistrict (no community)")
		}
		lq := cloneValues(uq)
		lq.Set("community_id", strconv.FormatInt(c, 10))
		lq.Del("offset")
		link := ""
		if c != 0 {
			link = "/ledgers/" + code + "?" + lq.Encode()
		}
		d.ByCommunity = append(d.ByCommunity, sumRow{Label: label, Link: link, Values: comm[c]})
	}
	// Who may add here: a community worker in his community, the
	// ledger's unit, admins.
	switch {
	case a.Is(org.RoleCommunityStaff):
		d.CanAdd, d.FixedComm = ledger.CanEdit(a, t, a.CommunityID), a.CommunityID
		for _, c := range comms {
			if c.ID == a.CommunityID {
				d.Communities = []*org.Community{c}
			}
		}
	default:
		d.CanAdd = ledger.CanEdit(a, t, 0) || a.Is(org.RoleAdmin)
		d.Communities = comms
	}
	if d.CanAdd {
		if d.Subdistricts, err = h.subdistrictChoice(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	exp := cloneValues(uq)
	exp.Del("offset")
	d.QueryString = exp.Encode()
	if off > 0 {
		pq := cloneValues(exp)
		pq.Set("offset", strconv.Itoa(max(off-pageSize, 0)))
		d.Prev = "/ledgers/" + code + "?" + pq.Encode()
	}
	if off+pageSize < total {
		nq := cloneValues(exp)
		nq.Set("offset", strconv.Itoa(off+pageSize))
		d.Next = "/ledgers/" + code + "?" + nq.Encode()
	}
	if imp, ok := p.Data.(*ledger.ImportResult); ok {
		d.Import = imp
	}
	p.Data = d
	h.render(w, r, status, "ledger", p)
}

// LedgerPost adds an entry (action add) or imports a sheet (action import).
func (h *Handler) LedgerPost(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, maxSheet) {
		return
	}
	code := r.PathValue("code")
	p := h.newPage(w, r, "台账|Ledger")
	p.Form = r.PostForm
	if r.PostForm.Get("action") == "import" {
		file, _, err := r.FormFile("file")
		if err != nil {
			p.setError(jiedao.Invalid("file", "请选择要导入的 XLSX 文件", "choose the XLSX file to import"))
			h.ledgerPage(w, r, p, http.StatusUnprocessableEntity)
			return
		}
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, ledger.MaxImportBytes+1))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		res, err := b.Ledgers.Import(r.Context(), a, code, data, r.PostForm.Get("dry_run") != "")
		if err != nil {
			p.setError(err)
			h.ledgerPage(w, r, p, api.Status(jiedao.ErrorCode(err)))
			return
		}
		p.Data = res
		if res.Created > 0 {
			p.Notice = p.T(fmt.Sprintf("已导入 %d 条记录", res.Created), fmt.Sprintf("%d entries imported", res.Created))
		}
		h.ledgerPage(w, r, p, http.StatusOK)
		return
	}
	in := ledger.EntryInput{Day: r.PostForm.Get("day"), Place: r.PostForm.Get("place"), Values: map[string]string{}}
	if c, err := strconv.ParseInt(r.PostForm.Get("community_id"), 10, 64); err == nil {
		in.CommunityID = c
	}
	in.JurisdictionID = formJurisdiction(r)
	t, err := b.Ledgers.Type(r.Context(), code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, f := range t.Fields {
		if v := strings.TrimSpace(r.PostForm.Get("f_" + f.Key)); v != "" {
			in.Values[f.Key] = v
		}
	}
	e, err := b.Ledgers.Add(r.Context(), a, code, in)
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		p.setError(err)
		if f := jiedao.ErrorField(err); f != "" && f != "day" && f != "place" && f != "community_id" {
			p.Errors["f_"+f] = p.Errors[f]
		}
		h.ledgerPage(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/ledgers/%s?year=%s&added=%d", code, e.Day[:4], e.ID), http.StatusSeeOther)
}

// LedgerExport streams the entries of the query as XLSX.
func (h *Handler) LedgerExport(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	q, err := api.LedgerQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	if _, _, err := b.Ledgers.Aggregate(r.Context(), a, code, ledger.Query{Op: ledger.OpCount}); err != nil {
		h.fail(w, r, err) // unknown ledger or not allowed: before any byte is written
		return
	}
	w.Header().Set("Content-Type", table.XLSX.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, code))
	if err := b.Ledgers.Export(r.Context(), a, code, q, w, table.XLSX); err != nil {
		h.Log.ErrorContext(r.Context(), "ledger export", "err", err)
	}
}

type entryPage struct {
	Type        *ledger.Type
	Entry       *ledger.Entry
	Community   string
	History     []versionRow
	CanEdit     bool
	Communities []*org.Community
}

type versionRow struct {
	Version int
	At, By  string
	Deleted bool
	Changes []string // "field: old → new"
}

// LedgerEntry shows an entry and every version of it, with the edit form.
func (h *Handler) LedgerEntry(w http.ResponseWriter, r *http.Request) {
	h.entryPage(w, r, nil, http.StatusOK)
}

func (h *Handler) entryPage(w http.ResponseWriter, r *http.Request, p *page, status int) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("台账记录", "ledger entry"))
		return
	}
	e, t, hist, err := b.Ledgers.Entry(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, comms, err := h.communityNames(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p == nil {
		p = h.newPage(w, r, "台账记录|Ledger entry")
		p.Form = url.Values{"day": {e.Day}, "place": {e.Place}, "community_id": {strconv.FormatInt(e.CommunityID, 10)}}
		for k, v := range e.Values {
			p.Form.Set("f_"+k, v)
		}
	}
	p.Active = "/ledgers"
	d := &entryPage{Type: t, Entry: e, Community: names[e.CommunityID], CanEdit: ledger.CanEdit(a, t, e.CommunityID) && !e.Deleted, Communities: comms}
	if a.Is(org.RoleCommunityStaff) {
		d.Communities = nil
		for _, c := range comms {
			if c.ID == a.CommunityID {
				d.Communities = append(d.Communities, c)
			}
		}
	}
	var prev *ledger.Version
	for i := range hist {
		v := &hist[i]
		row := versionRow{Version: v.Version, At: v.At.Format("2006-01-02 15:04"), By: v.By, Deleted: v.Deleted}
		label := func(k string) string {
			if f, ok := t.Field(k); ok {
				return f.Name
			}
			return k
		}
		if prev == nil {
			row.Changes = append(row.Changes, p.T("新建", "created"))
		} else {
			if prev.Day != v.Day {
				row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → %s", p.T("日期", "day"), prev.Day, v.Day))
			}
			if prev.CommunityID != v.CommunityID {
				row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → %s", p.T("社区", "community"), names[prev.CommunityID], names[v.CommunityID]))
			}
			if prev.Place != v.Place {
				row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → %s", p.T("地点", "place"), prev.Place, v.Place))
			}
			for _, f := range t.Fields {
				if prev.Values[f.Key] != v.Values[f.Key] {
					row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → %s", label(f.Key), prev.Values[f.Key], v.Values[f.Key]))
				}
			}
			if v.Deleted && !prev.Deleted {
				row.Changes = append(row.Changes, p.T("删除", "deleted"))
			}
		}
		d.History = append(d.History, row)
		prev = v
	}
	p.Data = d
	h.render(w, r, status, "ledgerentry", p)
}

// LedgerEntryPost edits (action edit) or deletes (action delete) an entry.
func (h *Handler) LedgerEntryPost(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("台账记录", "ledger entry"))
		return
	}
	if r.PostForm.Get("action") == "delete" {
		if _, err := b.Ledgers.Delete(r.Context(), a, id); err != nil {
			h.fail(w, r, err)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/ledger-entries/%d", id), http.StatusSeeOther)
		return
	}
	e, _, _, err := b.Ledgers.Entry(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := b.Ledgers.Store.GetTypeByID(r.Context(), e.TypeID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := ledger.EntryInput{Day: r.PostForm.Get("day"), Place: r.PostForm.Get("place"), Values: map[string]string{}}
	if c, err := strconv.ParseInt(r.PostForm.Get("community_id"), 10, 64); err == nil {
		in.CommunityID = c
	}
	in.JurisdictionID = formJurisdiction(r)
	for _, f := range t.Fields {
		if v := strings.TrimSpace(r.PostForm.Get("f_" + f.Key)); v != "" {
			in.Values[f.Key] = v
		}
	}
	if _, err := b.Ledgers.Edit(r.Context(), a, id, in); err != nil {
		if c := jiedao.ErrorCode(err); c == jiedao.EFORBIDDEN || c == jiedao.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		p := h.newPage(w, r, "台账记录|Ledger entry")
		p.Form = r.PostForm
		p.setError(err)
		if f := jiedao.ErrorField(err); f != "" {
			p.Errors["f_"+f] = p.Errors[f]
		}
		h.entryPage(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/ledger-entries/%d", id), http.StatusSeeOther)
}

type typesPage struct {
	Types      []*ledger.Type
	FieldTypes []ledger.FieldType
	Edit       *ledger.Type
	Lines      string
}

// fieldLines writes a type's fields one a line, as the form reads them:
// key|名称|type|flags|choices (flags: measure, required, retired; choices
// separated by 、).
func fieldLines(t *ledger.Type) string {
	var b strings.Builder
	for _, f := range t.Fields {
		var flags []string
		if f.Measure {
			flags = append(flags, "measure")
		}
		if f.Required {
			flags = append(flags, "required")
		}
		if f.Retired {
			flags = append(flags, "retired")
		}
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s\n", f.Key, f.Name, f.Type, strings.Join(flags, ","), strings.Join(f.Choices, "、"))
	}
	return b.String()
}

// parseFieldLines reads the fields of the type form; errors name the line.
func parseFieldLines(s string) ([]ledger.Field, error) {
	var out []ledger.Field
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 3 {
			return nil, jiedao.Invalid("fields", fmt.Sprintf("字段第%d行应写作“编码|名称|类型|标记|选项”", i+1), fmt.Sprintf("field line %d: write key|name|type|flags|choices", i+1))
		}
		f := ledger.Field{Key: strings.TrimSpace(parts[0]), Name: strings.TrimSpace(parts[1]), Type: ledger.FieldType(strings.TrimSpace(parts[2]))}
		if len(parts) > 3 {
			for _, fl := range strings.Split(parts[3], ",") {
				switch strings.TrimSpace(fl) {
				case "measure":
					f.Measure = true
				case "required":
					f.Required = true
				case "retired":
					f.Retired = true
				}
			}
		}
		if len(parts) > 4 && strings.TrimSpace(parts[4]) != "" {
			for _, c := range strings.FieldsFunc(parts[4], func(r rune) bool { return r == '、' || r == ',' || r == '，' }) {
				f.Choices = append(f.Choices, strings.TrimSpace(c))
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// LedgerTypes is the admins' page defining ledger types.
func (h *Handler) LedgerTypes(w http.ResponseWriter, r *http.Request) {
	h.typesPage(w, r, nil, http.StatusOK)
}

func (h *Handler) typesPage(w http.ResponseWriter, r *http.Request, p *page, status int) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	if !ledger.CanDefine(a) {
		h.fail(w, r, jiedao.Forbidden("只有系统管理员可以定义台账", "only admins define ledgers"))
		return
	}
	types, err := b.Ledgers.Store.ListTypes(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &typesPage{Types: types, FieldTypes: ledger.FieldTypes()}
	if p == nil {
		p = h.newPage(w, r, "定义台账|Ledger types")
		if code := r.URL.Query().Get("edit"); code != "" {
			for _, t := range types {
				if t.Code == code {
					d.Edit = t
					p.Form = url.Values{"code": {t.Code}, "name": {t.Name}, "name_en": {t.NameEn}, "fields": {fieldLines(t)}}
				}
			}
		}
	}
	p.Active, p.Body, p.Data = "/ledger-types", "wide", d
	h.render(w, r, status, "ledgertypes", p)
}

// LedgerTypesPost creates a type, or changes one (losing nothing).
func (h *Handler) LedgerTypesPost(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	p := h.newPage(w, r, "定义台账|Ledger types")
	p.Form = r.PostForm
	fields, err := parseFieldLines(r.PostForm.Get("fields"))
	if err == nil {
		t := &ledger.Type{Code: strings.TrimSpace(r.PostForm.Get("code")), Name: strings.TrimSpace(r.PostForm.Get("name")),
			NameEn: strings.TrimSpace(r.PostForm.Get("name_en")), Fields: fields}
		if old, gerr := b.Ledgers.Store.GetType(r.Context(), t.Code); gerr == nil {
			t.UnitID = old.UnitID
			err = b.Ledgers.UpdateType(r.Context(), a, t)
		} else {
			err = b.Ledgers.CreateType(r.Context(), a, t)
		}
	}
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		p.setError(err)
		if p.Error == "" {
			p.Error = p.Msg(err)
		}
		h.typesPage(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/ledger-types", http.StatusSeeOther)
}

// ---- Indicators ----

type indicatorRow struct {
	Key, Name, Unit, Frequency, Source string
	Value, Through, YoY, Rank, By      string
}

type indicatorsPage struct {
	Year     int
	Rows     []indicatorRow
	Keys     []*indicator.Indicator
	CanEnter bool
	Admin    bool
	Import   *indicator.ImportResult
	Closed   []indicator.Closed
	// Subdistricts: what a district actor picks from (web/subdistricts.go).
	Subdistricts []*org.Jurisdiction
}

// Indicators shows the catalogue with the year's figures, the entry form
// and the statistics bureau's sheet import.
func (h *Handler) Indicators(w http.ResponseWriter, r *http.Request) {
	h.indicatorsPage(w, r, nil, http.StatusOK)
}

func (h *Handler) indicatorsPage(w http.ResponseWriter, r *http.Request, p *page, status int) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	cat, err := b.Indicators.Catalogue(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	year := h.year(r)
	if p == nil {
		p = h.newPage(w, r, "经济指标|Indicators")
	}
	d := &indicatorsPage{Year: year, Keys: cat, CanEnter: indicator.CanEnter(a), Admin: a.Is(org.RoleAdmin)}
	if d.CanEnter {
		if d.Subdistricts, err = h.subdistrictChoice(r.Context(), a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if imp, ok := p.Data.(*indicator.ImportResult); ok {
		d.Import = imp
	}
	for _, i := range cat {
		y, err := b.Indicators.YearOf(r.Context(), a, i.Key, year)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := indicatorRow{Key: i.Key, Name: i.Name, Unit: i.Unit, Frequency: p.T(i.Frequency.Zh(), string(i.Frequency)), Source: i.Source}
		if y.OK {
			row.Value, row.Through, row.By = amount(y.Value, i.Unit), y.Through, y.By
			if y.YoY != nil {
				row.YoY = fmt.Sprintf("%+.1f%%", *y.YoY)
				if y.YoYGiven {
					row.YoY += p.T("（报送）", " (given)")
				}
			}
			if y.Rank != nil {
				row.Rank = strconv.Itoa(*y.Rank)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Closed, err = b.Indicators.Store.ClosedPeriods(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Active, p.Body, p.Data = "/indicators", "wide", d
	h.render(w, r, status, "indicators", p)
}

// IndicatorsPost enters a value (action enter), imports the bureau's sheet
// (action import) or closes a period (action close).
func (h *Handler) IndicatorsPost(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, maxSheet) {
		return
	}
	p := h.newPage(w, r, "经济指标|Indicators")
	p.Form = r.PostForm
	var err error
	switch r.PostForm.Get("action") {
	case "import":
		year, _ := strconv.Atoi(r.PostForm.Get("year"))
		file, _, ferr := r.FormFile("file")
		if ferr != nil {
			err = jiedao.Invalid("file", "请选择要导入的 XLSX 文件", "choose the XLSX file to import")
			break
		}
		defer file.Close()
		data, rerr := io.ReadAll(io.LimitReader(file, 20<<20))
		if rerr != nil {
			h.fail(w, r, rerr)
			return
		}
		var res *indicator.ImportResult
		ia, perr := h.pickedActor(r.Context(), a, r)
		if perr != nil {
			err = perr
			break
		}
		if res, err = b.Indicators.Import(r.Context(), ia, year, data, r.PostForm.Get("dry_run") != ""); err == nil {
			p.Data = res
			if res.Stored {
				p.Notice = p.T(fmt.Sprintf("已导入 %d 个数值", res.Values), fmt.Sprintf("%d values imported", res.Values))
			}
			h.indicatorsPage(w, r, p, http.StatusOK)
			return
		}
	case "close":
		err = b.Indicators.Close(r.Context(), a, strings.TrimSpace(r.PostForm.Get("period")))
	default:
		in := indicator.Input{Key: r.PostForm.Get("key"), Period: strings.TrimSpace(r.PostForm.Get("period")), JurisdictionID: formJurisdiction(r)}
		v, perr := strconv.ParseFloat(strings.ReplaceAll(r.PostForm.Get("value"), ",", ""), 64)
		if perr != nil {
			err = jiedao.Invalid("value", "请填写数值", "enter a number")
			break
		}
		in.Value = v
		if s := strings.TrimSpace(r.PostForm.Get("yoy")); s != "" {
			y, yerr := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
			if yerr != nil {
				err = jiedao.Invalid("yoy", "同比应为数字", "the change must be a number")
				break
			}
			in.YoY = &y
		}
		if s := strings.TrimSpace(r.PostForm.Get("rank")); s != "" {
			k, kerr := strconv.Atoi(s)
			if kerr != nil || k < 1 {
				err = jiedao.Invalid("rank", "排名应为正整数", "the rank must be a positive whole number")
				break
			}
			in.Rank = &k
		}
		err = b.Indicators.Enter(r.Context(), a, []indicator.Input{in})
	}
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		p.setError(err)
		if p.Error == "" {
			p.Error = p.Msg(err)
		}
		h.indicatorsPage(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/indicators?year="+url.QueryEscape(r.PostForm.Get("year")), http.StatusSeeOther)
}

type indicatorPage struct {
	Year    *indicator.Year
	Periods []periodRow
}

type periodRow struct {
	Period, Value, YoY, Rank, By, At string
	Versions                         []string
}

// IndicatorPage is an indicator's year: every period, who entered it and
// when, and each earlier version.
func (h *Handler) IndicatorPage(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	y, err := b.Indicators.YearOf(r.Context(), a, r.PathValue("key"), h.year(r))
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.EINVALID {
			err = jiedao.NotFound("指标", "indicator")
		}
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, y.Indicator.Name+"|"+y.Indicator.NameEn)
	d := &indicatorPage{Year: y}
	for _, v := range y.Periods {
		row := periodRow{Period: v.Period, Value: num(v.Value), By: v.EnteredBy, At: v.EnteredAt.Format("2006-01-02 15:04")}
		if v.YoY != nil {
			row.YoY = fmt.Sprintf("%+.1f%%", *v.YoY)
		}
		if v.Rank != nil {
			row.Rank = strconv.Itoa(*v.Rank)
		}
		if v.Version > 1 {
			hist, err := b.Indicators.History(r.Context(), a, v.Key, v.Period)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, o := range hist[:len(hist)-1] {
				row.Versions = append(row.Versions, fmt.Sprintf("v%d %s（%s %s）", o.Version, num(o.Value), o.EnteredBy, o.EnteredAt.Format("2006-01-02")))
			}
		}
		d.Periods = append(d.Periods, row)
	}
	p.Active, p.Data = "/indicators", d
	h.render(w, r, http.StatusOK, "indicator", p)
}

// ---- Targets ----

type targetRow struct {
	ID                                                      int64
	Level, Scope, Name, Key, Comparison, Value, Unit, Owner string
	Live, Projection, Method, Status, StatusZh, Colour      string
	Share                                                   string
}

type targetsPage struct {
	Year        int
	Rows        []targetRow
	Counts      map[string]int
	CanSet      bool
	Comparisons []indicator.Comparison
	Levels      []indicator.Level
	// Subdistricts: what a district actor picks from (web/subdistricts.go).
	Subdistricts []*org.Jurisdiction
}

// Targets is the leader's page: the year's targets, each with the live
// figure, the year-end projection and its method, and a status colour.
func (h *Handler) Targets(w http.ResponseWriter, r *http.Request) {
	h.targetsPage(w, r, nil, http.StatusOK)
}

func (h *Handler) targetsPage(w http.ResponseWriter, r *http.Request, p *page, status int) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	year := h.year(r)
	ps, err := b.Indicators.Targets(r.Context(), a, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p == nil {
		p = h.newPage(w, r, "年度目标|Targets")
	}
	d := &targetsPage{Year: year, Counts: map[string]int{}, CanSet: indicator.CanEnter(a),
		Comparisons: []indicator.Comparison{indicator.AtLeast, indicator.AtMost, indicator.ChangeBy, indicator.BothPositive},
		Levels:      []indicator.Level{indicator.District, indicator.Subdistrict, indicator.CommunityLv}}
	if d.CanSet {
		if d.Subdistricts, err = h.subdistrictChoice(r.Context(), a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for _, pr := range ps {
		t := pr.Target
		row := targetRow{ID: t.ID, Level: p.T(t.Level.Zh(), string(t.Level)), Scope: t.Scope, Name: t.Name, Key: t.Key, Comparison: p.T(t.Comparison.Zh(), string(t.Comparison)),
			Value: num(t.Value), Unit: t.Unit, Owner: t.Owner, Method: pr.Method, Status: string(pr.Status), StatusZh: p.T(pr.Status.Zh(), string(pr.Status)), Colour: pr.Status.Colour()}
		if pr.Live != nil {
			row.Live = num(*pr.Live)
			if pr.Live2 != nil {
				row.Live += " / " + num(*pr.Live2)
			}
			if pr.Change != nil {
				row.Live += fmt.Sprintf("（%+.2f%%）", *pr.Change)
			}
		}
		if pr.Projection != nil {
			row.Projection = num(*pr.Projection)
			if t.Comparison == indicator.ChangeBy {
				row.Projection += "%"
			}
		}
		if pr.Share != nil {
			row.Share = fmt.Sprintf("%.0f%%", *pr.Share)
		}
		d.Counts[string(pr.Status)]++
		d.Rows = append(d.Rows, row)
	}
	p.Active, p.Body, p.Data = "/targets", "wide", d
	h.render(w, r, status, "targets", p)
}

// TargetsPost sets a target.
func (h *Handler) TargetsPost(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	f := r.PostForm
	year, _ := strconv.Atoi(f.Get("year"))
	v, verr := strconv.ParseFloat(f.Get("value"), 64)
	t := &indicator.Target{Year: year, Level: indicator.Level(f.Get("level")), Scope: strings.TrimSpace(f.Get("scope")), Key: strings.TrimSpace(f.Get("key")),
		Key2: strings.TrimSpace(f.Get("key2")), Name: strings.TrimSpace(f.Get("name")), Unit: strings.TrimSpace(f.Get("unit")),
		Comparison: indicator.Comparison(f.Get("comparison")), Value: v, Owner: strings.TrimSpace(f.Get("owner")), JurisdictionID: formJurisdiction(r)}
	var err error
	switch {
	case f.Get("action") == "delete":
		id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
		err = b.Indicators.DeleteTarget(r.Context(), a, year, id, f.Get("reason"))
	case verr != nil:
		// Checked before anything is stored: a value that is not a number
		// must not become a target of 0.
		if !indicator.CanEnter(a) {
			err = jiedao.Forbidden("无权设定目标", "you may not set targets")
		} else {
			err = jiedao.Invalid("value", "请填写目标值（数字）", "enter the target's value, a number")
		}
	default:
		err = b.Indicators.SetTarget(r.Context(), a, t)
	}
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			h.fail(w, r, err)
			return
		}
		p := h.newPage(w, r, "年度目标|Targets")
		p.Form = f
		p.setError(err)
		h.targetsPage(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/targets?year=%d", year), http.StatusSeeOther)
}

// ---- Campaigns ----

type campaignRow struct {
	Code, Name, Kind       string
	Year                   int
	Units, Checked, Failed int
	Percent                int
}

// Campaigns lists the campaigns with their progress.
func (h *Handler) Campaigns(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	if !campaign.CanRead(a) {
		h.fail(w, r, jiedao.Forbidden("无权查看专项行动", "you may not read campaigns"))
		return
	}
	cs, err := b.Campaigns.Campaigns(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "专项行动|Campaigns")
	var rows []campaignRow
	for _, c := range cs {
		pr, err := b.Campaigns.Progress(r.Context(), a, c.Code, "community")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := campaignRow{Code: c.Code, Name: c.Name, Kind: p.T(c.Kind.Zh(), string(c.Kind)), Year: c.Year}
		for _, x := range pr {
			row.Units += x.Units
			row.Checked += x.Checked
			row.Failed += x.Failed
		}
		if row.Units > 0 {
			row.Percent = row.Checked * 100 / row.Units
		}
		rows = append(rows, row)
	}
	p.Active, p.Data = "/campaigns", rows
	h.render(w, r, http.StatusOK, "campaigns", p)
}

type campaignPage struct {
	Campaign    *campaign.Campaign
	ByCommunity []progressRow
	ByAssignee  []progressRow
	Units       []unitRow
	Total       int
	Status      string
	Findings    []findingRow
	CanManage   bool
}

// findingRow is a finding on its campaign's page: what was wrong, the case
// it opened, the 整改 deadline (overdue while not re-checked as passed) and,
// for the inspector, the 复查 form.
type findingRow struct {
	*campaign.Finding
	Unit, Item string
	Status     string // open, failed (复查未通过), passed
	StatusText string
	Colour     string // tgt-yellow, tgt-red, tgt-green
	Overdue    bool
	CanRecheck bool
	Photos     []int64 // taken of the item at the check
}

type progressRow struct {
	Name                   string
	Units, Checked, Failed int
	Percent                int
}

type unitRow struct {
	ID                  int64
	Key, Name, Kind     string
	Community, Status   string
	CheckedDay, Checker string
	Failed              bool
	CanCheck            bool
}

func progressRows(p *page, rows []campaign.ProgressRow) []progressRow {
	var out []progressRow
	for _, x := range rows {
		r := progressRow{Name: x.Name, Units: x.Units, Checked: x.Checked, Failed: x.Failed}
		if r.Name == "" {
			r.Name = p.T("未分配", "unassigned")
		}
		if x.Units > 0 {
			r.Percent = x.Checked * 100 / x.Units
		}
		out = append(out, r)
	}
	return out
}

// Campaign shows a campaign's progress by community and assignee, its
// units on the map and in a list with the check form, and its findings.
func (h *Handler) Campaign(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := b.Campaigns.Campaign(ctx, a, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, c.Name+"|"+c.Name)
	d := &campaignPage{Campaign: c, Status: r.URL.Query().Get("status"), CanManage: campaign.CanManage(a)}
	if q := r.URL.Query(); q.Get("rows") != "" {
		p.Notice = p.T(fmt.Sprintf("读取 %s 个单位，加入 %s 个，错误 %s 处", q.Get("rows"), q.Get("imported"), q.Get("errors")),
			fmt.Sprintf("%s units read, %s added, %s errors", q.Get("rows"), q.Get("imported"), q.Get("errors")))
		p.Error = q.Get("first_error")
	}
	for _, by := range []string{"community", "assignee"} {
		rows, err := b.Campaigns.Progress(ctx, a, c.Code, by)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if by == "community" {
			d.ByCommunity = progressRows(p, rows)
		} else {
			d.ByAssignee = progressRows(p, rows)
		}
	}
	f := campaign.UnitFilter{CampaignID: c.ID, Status: campaign.Status(d.Status)}
	if a.Is(org.RoleGridWorker, org.RoleUnitHandler) && r.URL.Query().Get("all") == "" {
		f.AssigneeID = a.ID // an inspector's own list first
	}
	units, total, err := b.Campaigns.Units(ctx, a, f, 100, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, _, err := h.communityNames(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Total = total
	for _, u := range units {
		d.Units = append(d.Units, h.unitRow(p, a, u, names))
	}
	if d.Findings, err = h.findingRows(ctx, p, a, b, c); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Active, p.Body, p.Data = "/campaigns", "wide", d
	p.Styles = []string{"vendor/leaflet.css"}
	p.Scripts = []string{"vendor/leaflet.js", "campaignmap.js"}
	h.render(w, r, http.StatusOK, "campaign", p)
}

func (h *Handler) findingRows(ctx context.Context, p *page, a org.Actor, b *api.Books, c *campaign.Campaign) ([]findingRow, error) {
	fs, err := b.Campaigns.Store.ListFindings(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	items := map[string]string{}
	for _, it := range c.Checklist {
		items[it.Key] = it.Name
	}
	today := h.Cases.Now().In(calendar.Zone()).Format("2006-01-02")
	units := map[int64]*campaign.Unit{}
	var rows []findingRow
	for _, f := range fs {
		u, ok := units[f.UnitID]
		if !ok {
			if u, err = b.Campaigns.Store.GetUnit(ctx, f.UnitID); err != nil {
				return nil, err
			}
			units[f.UnitID] = u
		}
		row := findingRow{Finding: f, Unit: u.Name, Item: items[f.Item], Status: "open", StatusText: p.T("整改中", "rectifying"), Colour: "tgt-yellow"}
		if row.Item == "" {
			row.Item = f.Item
		}
		if u.Result != nil {
			for _, it := range u.Result.Items {
				if it.Key == f.Item {
					row.Photos = it.Photos
				}
			}
		}
		switch f.Recheck {
		case campaign.RecheckPass:
			row.Status, row.StatusText, row.Colour = "passed", p.T("复查通过", "re-check passed"), "tgt-green"
		case campaign.RecheckFail:
			row.Status, row.StatusText, row.Colour = "failed", p.T("复查未通过", "re-check failed"), "tgt-red"
		}
		row.Overdue = f.Recheck != campaign.RecheckPass && f.RectifyBy < today
		row.CanRecheck = f.Recheck != campaign.RecheckPass && campaign.CanCheck(a, u)
		rows = append(rows, row)
	}
	return rows, nil
}

// CampaignRecheck records a finding's 复查 from the campaign page's form:
// result pass|fail, note (required when it fails: a new case is opened).
func (h *Handler) CampaignRecheck(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("检查发现的问题", "finding"))
		return
	}
	var pass bool
	switch r.PostForm.Get("result") {
	case "pass":
		pass = true
	case "fail":
	default:
		h.fail(w, r, jiedao.Invalid("result", "请选择复查结果：通过或未通过", "choose the re-check's result: pass or fail"))
		return
	}
	f, err := b.Campaigns.Recheck(r.Context(), a, id, pass, r.PostForm.Get("note"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := b.Campaigns.CampaignOf(r.Context(), f.CampaignID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(c.Code)+"#finding-"+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
}

func (h *Handler) unitRow(p *page, a org.Actor, u *campaign.Unit, names map[int64]string) unitRow {
	row := unitRow{ID: u.ID, Key: u.Key, Name: u.Name, Kind: string(u.Kind), Community: names[u.CommunityID],
		Status: p.T("待检查", "pending"), CheckedDay: u.CheckedDay, Checker: u.CheckedBy, CanCheck: u.Status == campaign.Pending && campaign.CanCheck(a, u)}
	if u.Status == campaign.Checked {
		row.Status = p.T("已检查", "checked")
	}
	if u.Result != nil {
		for _, it := range u.Result.Items {
			row.Failed = row.Failed || !it.Pass
		}
	}
	return row
}

// CampaignUnitsJSON is a campaign's units with a place, for its map.
func (h *Handler) CampaignUnitsJSON(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	c, err := b.Campaigns.Campaign(r.Context(), a, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type pin struct {
		ID     int64   `json:"id"`
		Name   string  `json:"name"`
		Status string  `json:"status"`
		Failed bool    `json:"failed,omitempty"`
		Lat    float64 `json:"lat"`
		Lon    float64 `json:"lon"`
	}
	out := []pin{}
	for off := 0; off < 50000; off += 1000 {
		units, _, err := b.Campaigns.Units(r.Context(), a, campaign.UnitFilter{CampaignID: c.ID}, 1000, off)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, u := range units {
			if u.Lat == nil || u.Lon == nil {
				continue
			}
			pn := pin{ID: u.ID, Name: u.Name, Status: string(u.Status), Lat: *u.Lat, Lon: *u.Lon}
			if u.Result != nil {
				for _, it := range u.Result.Items {
					pn.Failed = pn.Failed || !it.Pass
				}
			}
			out = append(out, pn)
		}
		if len(units) < 1000 {
			break
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

type unitsPage struct {
	Units      []unitRow
	Total      int
	Title      string
	Prev, Next string
}

// CampaignUnits lists units across campaigns: the drill-down of the
// campaigns' figures (?kind=census&status=checked&year=2023).
func (h *Handler) CampaignUnits(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := campaign.UnitFilter{Kind: campaign.Kind(q.Get("kind")), Status: campaign.Status(q.Get("status"))}
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		f = campaign.YearFilter(f.Kind, y)
		f.Status = campaign.Status(q.Get("status"))
		if f.Status == "" {
			f.Status = campaign.Checked
		}
	}
	off, _ := strconv.Atoi(q.Get("offset"))
	off = max(off, 0)
	units, total, err := b.Campaigns.Units(r.Context(), a, f, pageSize, off)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, _, err := h.communityNames(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "检查单位|Campaign units")
	d := &unitsPage{Total: total, Title: p.T(f.Kind.Zh(), string(f.Kind))}
	for _, u := range units {
		d.Units = append(d.Units, h.unitRow(p, a, u, names))
	}
	if off > 0 {
		pq := cloneValues(q)
		pq.Set("offset", strconv.Itoa(max(off-pageSize, 0)))
		d.Prev = "/campaign-units?" + pq.Encode()
	}
	if off+pageSize < total {
		nq := cloneValues(q)
		nq.Set("offset", strconv.Itoa(off+pageSize))
		d.Next = "/campaign-units?" + nq.Encode()
	}
	p.Active, p.Data = "/campaigns", d
	h.render(w, r, http.StatusOK, "campaignunits", p)
}

// CampaignCheck records a unit's check from the campaign page's form:
// item_<key> pass|fail, remark_<key>, rectify_<key>.
func (h *Handler) CampaignCheck(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, casework.MaxPhotosPerAdd*maxUpload+maxForm) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("检查单位", "unit"))
		return
	}
	u, err := b.Campaigns.Store.GetUnit(r.Context(), id)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("检查单位", "unit"))
		return
	}
	cs, err := b.Campaigns.Campaigns(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var c *campaign.Campaign
	for _, x := range cs {
		if x.ID == u.CampaignID {
			c = x
		}
	}
	if c == nil {
		h.fail(w, r, jiedao.NotFound("专项行动", "campaign"))
		return
	}
	in := campaign.CheckInput{Note: r.PostForm.Get("note")}
	budget := newPixelBudget() // the pixels of all the items' photos together
	for _, it := range c.Checklist {
		v := r.PostForm.Get("item_" + it.Key)
		if v == "" {
			continue
		}
		in.Items = append(in.Items, campaign.ItemResult{Key: it.Key, Pass: v == "pass", Remark: r.PostForm.Get("remark_" + it.Key),
			Rectify: v == "fail" && r.PostForm.Get("rectify_"+it.Key) != ""})
		// photo_<key>: photos of the item, made small and stripped of
		// EXIF as the case pages do; the service attaches them to the
		// finding's case (or refuses them on an item that opens none).
		if r.MultipartForm == nil {
			continue
		}
		var files []*multipart.FileHeader
		for _, fh := range r.MultipartForm.File["photo_"+it.Key] {
			if fh.Size > 0 || fh.Filename != "" { // a form sends an empty part when no file is chosen
				files = append(files, fh)
			}
		}
		if len(files) > casework.MaxPhotosPerAdd {
			h.fail(w, r, jiedao.Invalid("photo_"+it.Key, fmt.Sprintf("检查项“%s”最多上传6张照片", it.Name), "at most 6 photos an item"))
			return
		}
		for _, fh := range files {
			if h.Photos == nil {
				h.fail(w, r, jiedao.Errorf(jiedao.EUNAVAILABLE, "照片服务未启用", "photos are not enabled"))
				return
			}
			pp, err := h.processUpload(r.Context(), fh, "photo_"+it.Key, budget)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			claim, err := h.Photos.Upload(r.Context(), a, &pp.photo)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if in.PhotoClaims == nil {
				in.PhotoClaims = map[string][]string{}
			}
			in.PhotoClaims[it.Key] = append(in.PhotoClaims[it.Key], claim)
		}
	}
	if _, _, err := b.Campaigns.Check(r.Context(), a, id, in); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(c.Code), http.StatusSeeOther)
}

// CampaignUnitsImport adds units to a campaign's list from an XLSX sheet
// (编号, 名称, 类型, 地址, 社区, 纬度, 经度), all or none, a dry run first
// when asked; the campaign page shows the rows refused.
func (h *Handler) CampaignUnitsImport(w http.ResponseWriter, r *http.Request) {
	b, a, ok := h.books(w, r)
	if !ok || !h.postForm(w, r, maxSheet) {
		return
	}
	if !campaign.CanManage(a) {
		h.fail(w, r, jiedao.Forbidden("无权维护专项清单", "you may not change a campaign's list"))
		return
	}
	code := r.PathValue("code")
	file, _, err := r.FormFile("file")
	if err != nil {
		h.fail(w, r, jiedao.Invalid("file", "请选择要导入的 XLSX 文件", "choose the XLSX file to import"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, 20<<20))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	comms, err := h.Directory.Communities(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := b.Campaigns.ImportUnits(r.Context(), a, code, data, r.PostForm.Get("dry_run") != "", comms)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := url.Values{"imported": {strconv.Itoa(res.Added)}, "rows": {strconv.Itoa(res.Units)}, "errors": {strconv.Itoa(len(res.Errors))}}
	if len(res.Errors) > 0 {
		first := res.Errors[0]
		q.Set("first_error", first.Zh)
	}
	http.Redirect(w, r, "/campaigns/"+url.PathEscape(code)+"?"+q.Encode(), http.StatusSeeOther)
}
