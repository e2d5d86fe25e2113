package indicator

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// RowError is what is wrong with one row of an import.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Zh     string `json:"message"`
	En     string `json:"message_en"`
}

// ImportResult is the outcome of an import or its dry run.
type ImportResult struct {
	Rows   int        `json:"rows"`
	Values int        `json:"values"` // values read (stored unless a dry run)
	DryRun bool       `json:"dry_run"`
	Stored bool       `json:"stored"`
	Errors []RowError `json:"errors,omitempty"`
}

var (
	monthCol   = regexp.MustCompile(`^(\d{1,2})月(份)?(累计)?$`)
	isoMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterCol = map[string]int{"一季度": 1, "二季度": 2, "三季度": 3, "四季度": 4, "Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4}
)

// Import reads the statistics bureau's layout — one sheet, a row per
// indicator (named by 指标名称 or 指标编码), a column per month of the year
// (1月 … 12月, or 2023-01 …), a column per quarter (一季度 …) or 全年 for
// yearly indicators, and optional 同比(%) and 排名 columns that apply to
// the last period filled in the row — and stores every value in one
// transaction unless dryRun or any cell is wrong. Wrong cells are reported
// by row and column, in Chinese first.
func (s *Service) Import(ctx context.Context, a org.Actor, year int, data []byte, dryRun bool) (*ImportResult, error) {
	if !CanEnter(a) {
		return nil, jiedao.Forbidden("无权录入指标", "you may not enter indicators")
	}
	if year < 2000 || year > 2100 {
		return nil, jiedao.Invalid("year", "年份无效", "invalid year")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件", "cannot read the XLSX file")
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件", "cannot read the XLSX file")
	}
	cat, err := s.Store.ListIndicators(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Indicator{}
	for _, i := range cat {
		byName[i.Name], byName[i.Key] = i, i
	}
	// The header is the first row naming 指标名称 or 指标编码.
	head := -1
	var nameCol = -1
	cols := map[int]string{} // column → period suffix ("-03", "-Q1", "")
	yoyCol, rankCol := -1, -1
	for r, row := range rows {
		for c, h := range row {
			h = strings.TrimSpace(h)
			switch {
			case h == "指标名称" || h == "指标编码" || h == "指标":
				if nameCol < 0 {
					nameCol, head = c, r
				}
			case monthCol.MatchString(h):
				m, _ := strconv.Atoi(monthCol.FindStringSubmatch(h)[1])
				if m >= 1 && m <= 12 {
					cols[c] = fmt.Sprintf("-%02d", m)
				}
			case isoMonth.MatchString(h) && h[:4] == strconv.Itoa(year):
				cols[c] = h[4:]
			case quarterCol[h] != 0:
				cols[c] = fmt.Sprintf("-Q%d", quarterCol[h])
			case h == "全年" || h == "本年" || h == strconv.Itoa(year):
				cols[c] = ""
			case strings.HasPrefix(h, "同比"):
				yoyCol = c
			case strings.Contains(h, "排名") || strings.Contains(h, "位次"):
				rankCol = c
			}
		}
		if head >= 0 {
			break
		}
		cols, yoyCol, rankCol = map[int]string{}, -1, -1
	}
	res := &ImportResult{DryRun: dryRun}
	if head < 0 || len(cols) == 0 {
		res.Errors = append(res.Errors, RowError{Row: 1, Zh: "没有找到表头：需要“指标名称”列和月份（1月…12月）、季度或“全年”列",
			En: "no header: an 指标名称 column and month (1月…12月), quarter or 全年 columns are needed"})
		return res, nil
	}
	header := rows[head]
	closed, err := s.closedSet(ctx)
	if err != nil {
		return nil, err
	}
	var ins []Input
	for r := head + 1; r < len(rows); r++ {
		row := rows[r]
		cell := func(c int) string {
			if c >= 0 && c < len(row) {
				return strings.TrimSpace(row[c])
			}
			return ""
		}
		name := cell(nameCol)
		if name == "" {
			continue
		}
		res.Rows++
		num := r + 1
		ind := byName[name]
		if ind == nil {
			res.Errors = append(res.Errors, RowError{Row: num, Column: header[nameCol], Zh: fmt.Sprintf("第%d行：指标“%s”不在指标目录中", num, name),
				En: fmt.Sprintf("row %d: indicator %q is not in the catalogue", num, name)})
			continue
		}
		var rowIns []Input
		for c := 0; c < len(row); c++ {
			suffix, ok := cols[c]
			if !ok || cell(c) == "" {
				continue
			}
			period := strconv.Itoa(year) + suffix
			v, err := strconv.ParseFloat(strings.ReplaceAll(cell(c), ",", ""), 64)
			if err != nil {
				res.Errors = append(res.Errors, RowError{Row: num, Column: header[c], Zh: fmt.Sprintf("第%d行“%s”：“%s”不是数字", num, header[c], cell(c)),
					En: fmt.Sprintf("row %d, %s: %q is not a number", num, header[c], cell(c))})
				continue
			}
			if _, err := ind.CheckPeriod(period); err != nil {
				res.Errors = append(res.Errors, RowError{Row: num, Column: header[c], Zh: fmt.Sprintf("第%d行“%s”：%s是%s指标，不能填在这一列", num, header[c], ind.Name, ind.Frequency.Zh()),
					En: fmt.Sprintf("row %d, %s: %s is %s and has no such period", num, header[c], ind.Key, ind.Frequency)})
				continue
			}
			if isClosed(closed, period) {
				res.Errors = append(res.Errors, RowError{Row: num, Column: header[c], Zh: fmt.Sprintf("第%d行“%s”：%s 期间已关账，不能再录入", num, header[c], period),
					En: fmt.Sprintf("row %d, %s: period %s is closed", num, header[c], period)})
				continue
			}
			rowIns = append(rowIns, Input{Key: ind.Key, Period: period, Value: v})
		}
		if len(rowIns) > 0 {
			last := &rowIns[len(rowIns)-1]
			if y := cell(yoyCol); y != "" {
				v, err := strconv.ParseFloat(strings.TrimSuffix(y, "%"), 64)
				if err != nil {
					res.Errors = append(res.Errors, RowError{Row: num, Column: header[yoyCol], Zh: fmt.Sprintf("第%d行“%s”：“%s”不是数字", num, header[yoyCol], y), En: fmt.Sprintf("row %d: year-on-year %q is not a number", num, y)})
				} else {
					last.YoY = &v
				}
			}
			if k := cell(rankCol); k != "" {
				v, err := strconv.Atoi(k)
				if err != nil || v < 1 {
					res.Errors = append(res.Errors, RowError{Row: num, Column: header[rankCol], Zh: fmt.Sprintf("第%d行“%s”：“%s”不是名次", num, header[rankCol], k), En: fmt.Sprintf("row %d: rank %q is not a rank", num, k)})
				} else {
					last.Rank = &v
				}
			}
		}
		ins = append(ins, rowIns...)
	}
	res.Values = len(ins)
	if len(res.Errors) > 0 || dryRun || len(ins) == 0 {
		return res, nil
	}
	if err := s.Enter(ctx, a, ins); err != nil {
		return nil, err
	}
	res.Stored = true
	return res, nil
}

func (s *Service) closedSet(ctx context.Context) (map[string]bool, error) {
	cs, err := s.Store.ClosedPeriods(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, c := range cs {
		m[c.Period] = true
	}
	return m, nil
}
