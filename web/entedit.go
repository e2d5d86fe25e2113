package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// The enterprise service's own edits, without a spreadsheet sent to IT:
// the import page (each file kind's columns, a template sheet, a dry run
// that says row by row what would change), a move of an enterprise into
// another room on its page, and a new room on a building's page. The
// rules are the enterprise package's; these handlers only read forms.

// entImportData is the import page's data.
type entImportData struct {
	Kinds  []enterprise.ImportKind
	Kind   enterprise.ImportKind
	Layout []enterprise.Column
	Result *enterprise.ImportResult
	// Changes is the first rows of the result, for the page.
	Changes []enterprise.RowChange
	More    int
	// Subdistricts: what a district actor picks from (web/subdistricts.go).
	Subdistricts []*org.Jurisdiction
}

// maxChangesShown bounds the rows a dry run lists on the page.
const maxChangesShown = 200

// importKindOf reads ?kind= (enterprises when absent).
func importKindOf(v string) (enterprise.ImportKind, error) {
	if v == "" {
		return enterprise.ImportEnterprises, nil
	}
	k := enterprise.ImportKind(v)
	if enterprise.Layout(k) == nil {
		return "", jiedao.Invalid("kind", "导入类型无效："+v, "unknown kind of file: "+v)
	}
	return k, nil
}

// entWriter is entActor for the pages that change the registry.
func (h *Handler) entWriter(w http.ResponseWriter, r *http.Request) (org.Actor, bool) {
	a, ok := h.entActor(w, r)
	if ok && !enterprise.CanWrite(a) {
		h.fail(w, r, jiedao.Forbidden("您无权修改企业服务数据", "you may not change the enterprise registry"))
		return a, false
	}
	return a, ok
}

// EnterpriseImport is the import page: GET /enterprises/import?kind=,
// and with &format=xlsx the kind's template sheet (its header row).
func (h *Handler) EnterpriseImport(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.entWriter(w, r); !ok {
		return
	}
	kind, err := importKindOf(r.URL.Query().Get("kind"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wantsExport(r) {
		h.importTemplate(w, r, kind)
		return
	}
	p := h.newPage(w, r, "企业数据导入|Import enterprise data")
	p.Active = "/enterprises"
	h.renderImport(w, r, p, kind, nil, http.StatusOK)
}

// importTemplate writes the kind's header row as an XLSX sheet to fill in.
func (h *Handler) importTemplate(w http.ResponseWriter, r *http.Request, kind enterprise.ImportKind) {
	name := "导入模板-" + kind.Zh()
	dl := api.StartDownload(w, table.XLSX, name)
	tw, err := table.NewWriter(dl, table.XLSX, kind.Zh())
	if err == nil {
		var headers []any
		for _, c := range enterprise.Layout(kind) {
			headers = append(headers, c.Zh)
		}
		if err = tw.Row(headers...); err == nil {
			err = tw.Close()
		}
	}
	if err != nil {
		dl.Abort(h.Log, r, err)
	}
}

func (h *Handler) renderImport(w http.ResponseWriter, r *http.Request, p *page, kind enterprise.ImportKind, res *enterprise.ImportResult, status int) {
	d := &entImportData{Kinds: enterprise.ImportKinds(), Kind: kind, Layout: enterprise.Layout(kind), Result: res}
	subs, err := h.subdistrictChoice(r.Context(), p.Actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Subdistricts = subs
	if res != nil {
		d.Changes = res.Rows
		if len(d.Changes) > maxChangesShown {
			d.Changes, d.More = d.Changes[:maxChangesShown], len(res.Rows)-maxChangesShown
		}
	}
	p.Data = d
	h.render(w, r, status, "entimport", p)
}

// PostEnterpriseImport imports an uploaded file (multipart: kind, file,
// dry_run), all or nothing, and shows what it changed or would change,
// or every bad row and column.
func (h *Handler) PostEnterpriseImport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entWriter(w, r)
	if !ok || !h.postForm(w, r, enterprise.MaxFileBytes+1<<20) {
		return
	}
	p := h.newPage(w, r, "企业数据导入|Import enterprise data")
	p.Active = "/enterprises"
	p.Form = r.PostForm
	kind, err := importKindOf(r.PostForm.Get("kind"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		p.setError(jiedao.Invalid("file", "请选择要导入的 XLSX 或 CSV 文件", "choose the XLSX or CSV file to import"))
		h.renderImport(w, r, p, kind, nil, http.StatusUnprocessableEntity)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, enterprise.MaxFileBytes+1))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(data) > enterprise.MaxFileBytes {
		p.setError(jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "file larger than %d MB", enterprise.MaxFileBytes>>20))
		h.renderImport(w, r, p, kind, nil, http.StatusRequestEntityTooLarge)
		return
	}
	dry := r.PostForm.Get("dry_run") != ""
	res, err := h.Enterprises.ImportInto(r.Context(), a, formJurisdiction(r), kind, data, dry)
	if err != nil {
		p.setError(err)
		h.renderImport(w, r, p, kind, res, api.Status(jiedao.ErrorCode(err)))
		return
	}
	if dry {
		p.Notice = p.T(fmt.Sprintf("试导入：将新增 %d、更新 %d、不变 %d 行，尚未写入", res.Created, res.Updated, res.Unchanged),
			fmt.Sprintf("Dry run: %d new, %d updated, %d unchanged; nothing written yet", res.Created, res.Updated, res.Unchanged))
	} else {
		p.Notice = p.T(fmt.Sprintf("已导入：新增 %d、更新 %d、不变 %d 行", res.Created, res.Updated, res.Unchanged),
			fmt.Sprintf("Imported: %d new, %d updated, %d unchanged", res.Created, res.Updated, res.Unchanged))
	}
	h.renderImport(w, r, p, kind, res, http.StatusOK)
}

// maxEditForm bounds the small edit forms.
const maxEditForm = 16 << 10

// PostEnterpriseMove moves an enterprise into a room on a day (form:
// room_id, on): its tenancy lasting then ends, a new one starts, and the
// history is kept.
func (h *Handler) PostEnterpriseMove(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entWriter(w, r)
	if !ok || !h.postForm(w, r, maxEditForm) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("企业", "enterprise"))
		return
	}
	room, err := strconv.ParseInt(r.PostForm.Get("room_id"), 10, 64)
	if err != nil || room <= 0 {
		h.enterpriseWithError(w, r, a, id, jiedao.Invalid("room_id", "请选择房间", "choose a room"))
		return
	}
	if _, err := h.Enterprises.MoveTo(r.Context(), a, id, room, enterprise.Date(strings.TrimSpace(r.PostForm.Get("on")))); err != nil {
		h.enterpriseWithError(w, r, a, id, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/enterprises/%d?moved=1#tenancy", id), http.StatusSeeOther)
}

// enterpriseWithError shows the enterprise page again with the move form
// as it was sent and its error.
func (h *Handler) enterpriseWithError(w http.ResponseWriter, r *http.Request, a org.Actor, id int64, err error) {
	p := h.newPage(w, r, "企业|Enterprise")
	p.Form = r.PostForm
	p.setError(err)
	h.renderEnterprise(w, r, a, p, id, api.Status(jiedao.ErrorCode(err)))
}

// PostBuildingRoom adds a room to a building (form: floor, number, area).
func (h *Handler) PostBuildingRoom(w http.ResponseWriter, r *http.Request) {
	a, ok := h.entWriter(w, r)
	if !ok || !h.postForm(w, r, maxEditForm) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, jiedao.NotFound("楼宇", "building"))
		return
	}
	room := &enterprise.Room{BuildingID: id, Number: strings.TrimSpace(r.PostForm.Get("number"))}
	if room.Floor, err = strconv.Atoi(strings.TrimSpace(r.PostForm.Get("floor"))); err != nil {
		err = jiedao.Invalid("floor", "楼层应为整数（地下层为负数）", "the floor is a whole number (negative below ground)")
	} else if v := strings.TrimSpace(r.PostForm.Get("area")); v != "" {
		if room.Area, err = strconv.ParseFloat(v, 64); err != nil || room.Area < 0 {
			err = jiedao.Invalid("area", "面积应为不小于0的数字（平方米）", "the area is a number of square metres, not negative")
		}
	}
	if err == nil {
		err = h.Enterprises.SaveRoom(r.Context(), a, room)
	}
	if err != nil {
		p := h.newPage(w, r, "楼宇|Building")
		p.Form = r.PostForm
		p.setError(err)
		h.renderBuilding(w, r, a, p, id, api.Status(jiedao.ErrorCode(err)))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/buildings/%d?room=%s#rooms", id, url.QueryEscape(room.Number)), http.StatusSeeOther)
}
