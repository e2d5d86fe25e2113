package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the figures and the evaluation table as a workbook a
// leader can open in Excel or WPS: one sheet each.
func WriteXLSX(w io.Writer, jurisdiction string, year int, values []Value, ev *Evaluation) error {
	f := excelize.NewFile()
	defer f.Close()
	const figures, evaluation = "数据 Figures", "考核 Evaluation"
	if err := f.SetSheetName("Sheet1", figures); err != nil {
		return err
	}
	rows := [][]any{{jurisdiction + " " + strconv.Itoa(year) + " 年度数据 / figures of " + strconv.Itoa(year)},
		{"指标", "Figure", "键 Key", "数值 Value", "单位 Unit", "上年 Prior", "同比% YoY", "口径 What is counted"}}
	for _, v := range values {
		var prior, yoy any = "—", "—"
		if v.Prior != nil {
			prior = *v.Prior
		}
		if v.YoYChange != nil {
			yoy = *v.YoYChange
		}
		rows = append(rows, []any{v.Zh, v.En, v.Key, v.Value, v.Unit, prior, yoy, v.Counts})
	}
	if err := writeRows(f, figures, rows); err != nil {
		return err
	}
	if ev != nil {
		if _, err := f.NewSheet(evaluation); err != nil {
			return err
		}
		head := []any{"单位 Unit"}
		for _, c := range EvalColumns() {
			head = append(head, c.Head)
		}
		rows := [][]any{head}
		for _, r := range append([]EvalRow{ev.Total}, ev.Units...) {
			row := []any{r.Name}
			for _, c := range EvalColumns() {
				row = append(row, c.Value(r.Evaluation))
			}
			rows = append(rows, row)
		}
		if err := writeRows(f, evaluation, rows); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	return f.SetColWidth(sheet, "A", "H", 18)
}

// WriteDocXLSX writes the document as a workbook: the text, the figures
// with both years and their overrides, the evaluation, the targets.
func (d *Doc) WriteDocXLSX(w io.Writer, values []Value) error {
	f := excelize.NewFile()
	defer f.Close()
	const text = "报告 Report"
	if err := f.SetSheetName("Sheet1", text); err != nil {
		return err
	}
	var rows [][]any
	for _, bl := range d.Blocks {
		switch {
		case bl.Table != nil:
			rows = append(rows, []any{"（表格见工作表 / table: " + bl.Table.Title + "）"})
		case bl.Level > 0:
			rows = append(rows, []any{strings.Repeat("#", bl.Level) + " " + bl.Text()})
		default:
			rows = append(rows, []any{bl.Text()})
		}
	}
	for i, n := range d.Notes {
		rows = append(rows, []any{noteMark(i+1) + " " + n})
	}
	if err := writeRows(f, text, rows); err != nil {
		return err
	}
	if err := f.SetColWidth(text, "A", "A", 120); err != nil {
		return err
	}
	rows = [][]any{{"板块 Section", "指标", "Figure", "键 Key", "类别 Kind", "本年 Value", "计算值 Computed", "上年 Prior", "增减 Change", "单位 Unit", "改写原因 Override reason", "改写人 By", "口径 What is counted"}}
	for _, v := range values {
		var val, prior any = v.Value, "—"
		if v.Missing {
			val = "—"
		}
		if v.Prior != nil {
			prior = *v.Prior
		}
		reason, by := "", ""
		if v.Override != nil {
			reason, by = v.Override.Reason, v.Override.By+" "+v.Override.At.Format("2006-01-02 15:04")
		}
		kind := v.Kind
		if kind == "" {
			kind = KindDerived
		}
		rows = append(rows, []any{v.Section, v.Zh, v.En, v.Key, kind, val, v.Computed, prior, Change(v), v.Unit, reason, by, v.Counts})
	}
	if err := newSheet(f, "数据 Figures", rows); err != nil {
		return err
	}
	for _, bl := range d.Blocks {
		if bl.Table == nil || bl.Table.Title == "" || strings.HasPrefix(bl.Table.Title, "数据对照") {
			continue
		}
		rows := [][]any{anyRow(bl.Table.Head)}
		for _, r := range bl.Table.Rows {
			rows = append(rows, anyRow(r))
		}
		if err := newSheet(f, bl.Table.Title, rows); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func newSheet(f *excelize.File, name string, rows [][]any) error {
	if len([]rune(name)) > 31 {
		name = string([]rune(name)[:31])
	}
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	return writeRows(f, name, rows)
}

func anyRow(r []string) []any {
	out := make([]any, len(r))
	for i, s := range r {
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			out[i] = x
		} else {
			out[i] = s
		}
	}
	return out
}
