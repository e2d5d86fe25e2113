package report

import (
	"io"
	"strconv"

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
