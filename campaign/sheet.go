package campaign

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// unitKindNames reads a unit kind from its Chinese name or its code.
var unitKindNames = map[string]UnitKind{"企业": UnitEnterprise, "楼宇": UnitBuilding, "电梯": UnitElevator, "住户": UnitHousehold,
	"台账记录": UnitLedger, "其他": UnitOther}

// ImportUnits reads a list of units from an XLSX sheet — columns 编号
// (the unit's key: a credit code, an elevator's register number …), 名称,
// 类型 (企业, 楼宇, 电梯, 住户 …), 地址, 社区, 纬度, 经度 — and adds them
// all, or reports every wrong row and adds none (AddUnits).
func (s *Service) ImportUnits(ctx context.Context, a org.Actor, code string, data []byte, dryRun bool, communities []*org.Community) (*AddResult, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EINVALID, "无法读取 XLSX 文件", "cannot read the XLSX file")
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 2 {
		return nil, jiedao.Errorf(jiedao.EINVALID, "表格为空或无法读取", "the sheet is empty or unreadable")
	}
	if len(rows) > 50001 {
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "一次最多导入50000个单位", "at most 50000 units per import")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	if _, ok := col["编号"]; !ok {
		return nil, jiedao.Invalid("file", "第1行（表头）缺少“编号”列", "the header has no 编号 (key) column")
	}
	if _, ok := col["名称"]; !ok {
		return nil, jiedao.Invalid("file", "第1行（表头）缺少“名称”列", "the header has no 名称 (name) column")
	}
	byName := map[string]int64{}
	for _, c := range communities {
		byName[c.Name] = c.ID
	}
	var ins []UnitInput
	var pre []RowError
	for n, r := range rows[1:] {
		cell := func(h string) string {
			if i, ok := col[h]; ok && i < len(r) {
				return strings.TrimSpace(r[i])
			}
			return ""
		}
		in := UnitInput{Key: cell("编号"), Name: cell("名称"), Address: cell("地址"), Kind: UnitOther}
		if k := cell("类型"); k != "" {
			if uk, ok := unitKindNames[k]; ok {
				in.Kind = uk
			} else {
				in.Kind = UnitKind(k)
			}
		}
		row := n + 2
		if c := cell("社区"); c != "" {
			id, ok := byName[c]
			if !ok {
				pre = append(pre, RowError{Row: row, Zh: "第" + strconv.Itoa(row) + "行：没有名为“" + c + "”的社区", En: "row " + strconv.Itoa(row) + ": no community " + c})
			}
			in.CommunityID = id
		}
		lat, ok1 := geo.ParseDegrees(strings.TrimSpace(cell("纬度")))
		lon, ok2 := geo.ParseDegrees(strings.TrimSpace(cell("经度")))
		if ok1 && ok2 {
			in.Lat, in.Lon = &lat, &lon
		}
		ins = append(ins, in)
	}
	res, err := s.AddUnits(ctx, a, code, ins, 2, dryRun || len(pre) > 0)
	if err != nil {
		return nil, err
	}
	if len(pre) > 0 {
		res.Errors = append(pre, res.Errors...)
		res.DryRun = dryRun
	}
	return res, nil
}
