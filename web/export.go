package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/table"
)

// Exports: the case list and the dashboard's tables as XLSX or CSV,
// streamed through package table (nothing is held but the row being
// written). Residents' contacts are masked unless the exporter may see
// them and gives a reason; every export is on the audit trail before its
// first byte (casework.Service.ExportCases, GrantExport).

// exportFormat is the format a download's path ends in.
func exportFormat(r *http.Request) table.Format {
	if strings.HasSuffix(r.URL.Path, ".csv") {
		return table.CSV
	}
	return table.XLSX
}

// ExportCases is the case list of a filter as XLSX or CSV:
// /cases/export.xlsx and /cases/export.csv, with the list's filters and
// contacts=full&reason=… for unmasked contacts.
func (h *Handler) ExportCases(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "")
	q := r.URL.Query()
	f, err := api.ParseFilter(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.names(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	format := exportFormat(r)
	x, err := h.Cases.ExportCases(r.Context(), a, f, api.ExportRequest(q, f, format))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.StreamCases(w, r, h.Log, x, format, p.T("案件", "cases"), api.CaseTable{L: p, Names: n.Names, Now: h.Cases.Now()})
}

// ExportDashboard is one of the dashboard's tables or charts as XLSX or
// CSV. Its figures name no resident; it is recorded like every export.
func (h *Handler) ExportDashboard(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "")
	d, err := h.dashData(r, a, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := r.URL.Query().Get("table")
	rows, err := dashboardRows(p, d, name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	format := exportFormat(r)
	req := casework.ExportRequest{Format: string(format), Query: r.URL.Query().Encode()}
	if _, err := h.Cases.GrantExport(r.Context(), a, casework.AuditExportDashboard, name, req, len(rows)-1, map[string]any{"year": d.Year}); err != nil {
		h.fail(w, r, err)
		return
	}
	dl := api.StartDownload(w, format, name+"-"+strconv.Itoa(d.Year))
	tw, err := table.NewWriter(dl, format, name)
	for i := 0; err == nil && i < len(rows); i++ {
		err = tw.Row(rows[i]...)
	}
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		dl.Abort(h.Log, r, err)
	}
}

// dashboardRows is a dashboard table, header first.
func dashboardRows(p *page, d *dashData, name string) ([][]any, error) {
	num := func(v *float64) any {
		if v == nil {
			return ""
		}
		return *v
	}
	evalRows := func(rows []evalRow) [][]any {
		out := [][]any{{p.T("名称", "Name"), p.T("当前超期", "Overdue now"), p.T("立案数", "Filed"), p.T("结案数", "Closed"),
			p.T("结案率%", "Close rate %"), p.T("按期结案率%", "On-time %"), p.T("返工率%", "Rework %"), p.T("签收及时率%", "Signed in time %"),
			p.T("满意率%", "Satisfied %"), p.T("平均处置时长(小时)", "Avg hours")}}
		for _, e := range rows {
			out = append(out, []any{e.Name, e.Overdue, e.Filed, e.Closed, num(e.CloseRate), num(e.OnTimeCloseRate), num(e.ReworkRate),
				num(e.SignTimelyRate), num(e.SatisfactionRate), num(e.AvgHandleHours)})
		}
		return out
	}
	switch name {
	case "subdistrict":
		out := [][]any{{p.T("街道", "Subdistrict"), p.T("案件数", "Cases"), p.T("立案数", "Filed"), p.T("按期结案率%", "On-time %"),
			p.T("满意率%", "Satisfied %"), p.T("当前超期", "Overdue now")}}
		for _, e := range d.Subdistricts {
			out = append(out, []any{e.Name, e.Cases, e.Filed, num(e.OnTimeCloseRate), num(e.SatisfactionRate), e.Overdue})
		}
		return out, nil
	case "unit":
		return evalRows(d.Units), nil
	case "community":
		return evalRows(d.Comms), nil
	case "figures":
		out := [][]any{{p.T("键", "Key"), p.T("指标", "Figure"), p.T("数值", "Value"), p.T("单位", "Unit"), p.T("上年", "Prior"), p.T("口径", "What is counted")}}
		for _, f := range d.Figures {
			out = append(out, []any{f.Key, p.T(f.Zh, f.En), f.Value.Value, f.Unit, num(f.Prior), f.Counts})
		}
		return out, nil
	}
	for _, c := range d.Charts {
		if c.ID == name {
			out := [][]any{{p.T(c.Zh, c.En), p.T("数值", "Value")}}
			for _, b := range c.Bars {
				out = append(out, []any{b.Label, b.Value})
			}
			return out, nil
		}
	}
	return nil, jiedao.Invalid("table", "没有这个表："+name, "no such table: "+name)
}
