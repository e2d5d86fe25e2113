package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
)

// Exports: every table and list as XLSX. Rows go through excelize's
// StreamWriter, which keeps them on disk rather than in memory, so a list
// of a whole year's cases costs little memory; cases are read a page at a
// time.

// maxExportRows bounds one export (Excel's sheet holds 1,048,576 rows).
const maxExportRows = 1_000_000

type sheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newSheet(header []any) (*sheet, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	s := &sheet{f: f, sw: sw}
	return s, s.add(header)
}

func (s *sheet) add(row []any) error {
	s.row++
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	return s.sw.SetRow(cell, row)
}

// send finishes the workbook and writes it as a download.
func (s *sheet) send(w http.ResponseWriter, name string) error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := s.f.WriteTo(w)
	return err
}

// ExportCases is the case list of a filter as XLSX.
func (h *Handler) ExportCases(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "")
	f, err := api.ParseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.names(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := newSheet([]any{p.T("编号", "Number"), p.T("上报时间", "Reported"), p.T("渠道", "Channel"), p.T("类型", "Kind"),
		p.T("标题", "Title"), p.T("状态", "Status"), p.T("社区", "Community"), p.T("网格", "Grid"), p.T("承办单位", "Unit"),
		p.T("地址", "Address"), p.T("结案时间", "Closed"), p.T("按期结案", "Closed on time"), p.T("评价", "Rating"), p.T("时限状态", "Deadline")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Limit, f.Offset = casework.MaxPage, 0
	for f.Offset < maxExportRows {
		cases, _, err := h.Cases.List(r.Context(), a, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, c := range cases {
			v := h.view(c)
			onTime := ""
			if c.ClosedOnTime != nil {
				onTime = p.T("否", "no")
				if *c.ClosedOnTime {
					onTime = p.T("是", "yes")
				}
			}
			if err := s.add([]any{c.Number, p.Time(c.ReportedAt), p.ChannelName(c.Channel), p.CatName(n.Cats, c.Category), c.Title,
				p.StatusName(c.Status), n.Community[c.Community], n.Grid[c.GridID], n.Unit[c.UnitID], c.Address,
				p.TimeP(c.ClosedAt), onTime, p.RatingName(c.Rating), p.DueName(v.DueState)}); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		if len(cases) < f.Limit {
			break
		}
		f.Offset += len(cases)
	}
	if err := s.send(w, p.T("案件", "cases")+".xlsx"); err != nil {
		h.Log.Warn("export cases", "err", err)
	}
}

// ExportDashboard is one of the dashboard's tables or charts as XLSX.
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
	table := r.URL.Query().Get("table")
	var s *sheet
	evalHeader := []any{p.T("名称", "Name"), p.T("当前超期", "Overdue now"), p.T("立案数", "Filed"), p.T("结案数", "Closed"),
		p.T("结案率%", "Close rate %"), p.T("按期结案率%", "On-time %"), p.T("返工率%", "Rework %"), p.T("签收及时率%", "Signed in time %"),
		p.T("满意率%", "Satisfied %"), p.T("平均处置时长(小时)", "Avg hours")}
	num := func(v *float64) any {
		if v == nil {
			return ""
		}
		return *v
	}
	evalRows := func(rows []evalRow) error {
		var err error
		if s, err = newSheet(evalHeader); err != nil {
			return err
		}
		for _, e := range rows {
			if err := s.add([]any{e.Name, e.Overdue, e.Filed, e.Closed, num(e.CloseRate), num(e.OnTimeCloseRate), num(e.ReworkRate),
				num(e.SignTimelyRate), num(e.SatisfactionRate), num(e.AvgHandleHours)}); err != nil {
				return err
			}
		}
		return nil
	}
	switch table {
	case "unit":
		err = evalRows(d.Units)
	case "community":
		err = evalRows(d.Comms)
	case "figures":
		if s, err = newSheet([]any{p.T("键", "Key"), p.T("指标", "Figure"), p.T("数值", "Value"), p.T("单位", "Unit"), p.T("上年", "Prior"), p.T("口径", "What is counted")}); err == nil {
			for _, f := range d.Figures {
				if err = s.add([]any{f.Key, p.T(f.Zh, f.En), f.Value.Value, f.Unit, num(f.Prior), f.Counts}); err != nil {
					break
				}
			}
		}
	default:
		found := false
		for _, c := range d.Charts {
			if c.ID != table {
				continue
			}
			found = true
			if s, err = newSheet([]any{p.T(c.Zh, c.En), p.T("数值", "Value")}); err == nil {
				for _, b := range c.Bars {
					if err = s.add([]any{b.Label, b.Value}); err != nil {
						break
					}
				}
			}
		}
		if !found {
			h.fail(w, r, jiedao.Invalid("table", "没有这个表："+table, "no such table: "+table))
			return
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := s.send(w, fmt.Sprintf("%s-%s.xlsx", table, strconv.Itoa(d.Year))); err != nil {
		h.Log.Warn("export dashboard", "err", err)
	}
}
