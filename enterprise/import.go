package enterprise

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

func parseLayout(layout, v string) (string, error) {
	t, err := time.Parse(layout, v)
	if err != nil {
		return "", err
	}
	return t.Format("2006-01"), nil
}

// ImportKind is what a file holds.
type ImportKind string

const (
	ImportEnterprises ImportKind = "enterprises"
	ImportBuildings   ImportKind = "buildings" // buildings with their rooms
	ImportTenancies   ImportKind = "tenancies"
	ImportTax         ImportKind = "tax"
	ImportMoves       ImportKind = "moves"
)

// ImportKinds lists the kinds of file.
func ImportKinds() []ImportKind {
	return []ImportKind{ImportEnterprises, ImportBuildings, ImportTenancies, ImportTax, ImportMoves}
}

// What a row does to the records.
const (
	ActionCreate    = "新增"
	ActionUpdate    = "更新"
	ActionUnchanged = "不变"
)

// RowChange is what one row of a file would change (a dry run) or
// changed.
type RowChange struct {
	Row    int    `json:"row"`
	Action string `json:"action"` // 新增, 更新, 不变
	Key    string `json:"key"`    // the record: a credit code, building/room, code/month
	Detail string `json:"detail,omitempty"`
}

// RowError is a bad cell of a file.
type RowError struct {
	Row   int    `json:"row"`
	Field string `json:"field"` // the column's Chinese header
	Zh    string `json:"zh"`
	En    string `json:"en"`
}

// ImportResult says row by row what an import changes, or why it imported
// nothing.
type ImportResult struct {
	Kind      ImportKind  `json:"kind"`
	DryRun    bool        `json:"dry_run"`
	Rows      []RowChange `json:"rows,omitempty"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Errors    []RowError  `json:"errors,omitempty"`
}

func (r *ImportResult) add(c RowChange) {
	r.Rows = append(r.Rows, c)
	switch c.Action {
	case ActionCreate:
		r.Created++
	case ActionUpdate:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// maxListedErrors bounds the errors an import lists.
const maxListedErrors = 200

// rowErrs collects the bad cells of a file.
type rowErrs struct {
	list []RowError
	n    int
}

func (e *rowErrs) add(row int, col column, zh, en string) {
	e.n++
	if len(e.list) < maxListedErrors {
		e.list = append(e.list, RowError{Row: row, Field: col.zh, Zh: zh, En: en})
	}
}

// err is the one error of a file with bad rows: each row and column named.
func (e *rowErrs) err() error {
	if e.n == 0 {
		return nil
	}
	var zh, en []string
	for _, r := range e.list {
		zh = append(zh, fmt.Sprintf("第%d行「%s」：%s", r.Row, r.Field, r.Zh))
		en = append(en, fmt.Sprintf("row %d, %s: %s", r.Row, r.Field, r.En))
	}
	more, moreEn := "", ""
	if e.n > len(e.list) {
		more, moreEn = fmt.Sprintf("；另有%d处错误未列出", e.n-len(e.list)), fmt.Sprintf("; %d more not listed", e.n-len(e.list))
	}
	return &jiedao.Error{Code: jiedao.EINVALID, Field: "file",
		Zh: fmt.Sprintf("文件有%d处错误，未导入任何数据：", e.n) + strings.Join(zh, "；") + more,
		En: fmt.Sprintf("the file has %d errors; nothing was imported: ", e.n) + strings.Join(en, "; ") + moreEn}
}

// The layouts of the files, documented in docs/enterprise.md.
var (
	colCode      = column{"credit_code", "统一社会信用代码", "credit code", []string{"信用代码", "社会信用代码", "纳税人识别号", "code"}, true}
	colName      = column{"name", "企业名称", "name", []string{"名称", "纳税人名称", "单位名称"}, true}
	colFormer    = column{"former_names", "曾用名", "former names", nil, false}
	colIndustry  = column{"industry", "行业", "industry", []string{"行业分类", "国民经济行业"}, false}
	colRegOn     = column{"registered_on", "成立日期", "registered on", []string{"注册日期", "登记日期"}, false}
	colStatus    = column{"status", "登记状态", "status", []string{"状态", "经营状态"}, false}
	colSize      = column{"size", "企业规模", "size", []string{"规模"}, false}
	colTags      = column{"tags", "标签", "tags", []string{"企业标签"}, false}
	colOnboard   = column{"onboarded_on", "企服平台入驻日期", "onboarded on", []string{"云上安家日期", "入驻企服平台日期"}, false}
	colContact   = column{"contact_name", "联系人", "contact", nil, false}
	colPhone     = column{"contact_phone", "联系电话", "phone", []string{"手机号码", "电话"}, false}
	colOverride  = column{"code_override", "代码例外说明", "code override", []string{"例外说明"}, false}
	certColumns  = map[CertKind]column{}
	colBuilding  = column{"building", "楼宇名称", "building", []string{"楼宇", "楼宇名"}, true}
	colAddress   = column{"address", "地址", "address", []string{"楼宇地址"}, false}
	colLon       = column{"lon", "经度", "longitude", []string{"lng"}, false}
	colLat       = column{"lat", "纬度", "latitude", nil, false}
	colArea      = column{"floor_area", "建筑面积", "floor area", []string{"建筑面积（平方米）", "总面积"}, false}
	colFloors    = column{"floors", "楼层数", "floors", []string{"总层数"}, false}
	colGrid      = column{"grid_id", "网格编号", "grid", nil, false}
	colOperator  = column{"operator", "运营方", "operator", []string{"运营单位", "物业"}, false}
	colFloor     = column{"floor", "楼层", "floor", []string{"所在楼层"}, false}
	colRoom      = column{"room", "房间号", "room", []string{"房号", "房间"}, false}
	colRoomArea  = column{"room_area", "房间面积", "room area", []string{"使用面积"}, false}
	colStart     = column{"start", "入驻日期", "start", []string{"起租日期", "租赁开始日期"}, true}
	colEnd       = column{"end", "退租日期", "end", []string{"租赁结束日期"}, false}
	colMonth     = column{"month", "所属期", "month", []string{"税款所属期", "月份", "所属月份"}, true}
	colAmount    = column{"amount", "税额", "amount", []string{"税收", "纳税额", "入库税额", "金额"}, true}
	colDirection = column{"direction", "迁移方向", "direction", []string{"方向", "类型"}, true}
	colMovedOn   = column{"on", "迁移日期", "date", []string{"日期", "迁入迁出日期"}, true}
	colFrom      = column{"from", "迁出地", "from", []string{"原址"}, false}
	colTo        = column{"to", "迁入地", "to", []string{"新址"}, false}
	colAnnualTax = column{"annual_tax", "年度税收", "annual tax", []string{"年纳税额", "年税收"}, false}
)

func init() {
	for _, k := range CertKinds() {
		certColumns[k] = column{"cert_" + string(k), k.Zh(), string(k) + " (date of award)", nil, false}
	}
}

// Zh names what a file of the kind holds.
func (k ImportKind) Zh() string {
	switch k {
	case ImportEnterprises:
		return "企业名录"
	case ImportBuildings:
		return "楼宇与房间"
	case ImportTenancies:
		return "租赁（入驻）"
	case ImportTax:
		return "月度税收"
	case ImportMoves:
		return "迁入迁出"
	}
	return string(k)
}

// Column is a column of an import file as the office sees it: its header
// (or any of its other names), and whether every row needs it.
type Column struct {
	Zh, En   string
	Aliases  []string
	Required bool
}

// Layout lists the columns of a file of the kind, for the import page and
// its template sheet; nil for an unknown kind.
func Layout(kind ImportKind) []Column {
	var out []Column
	for _, c := range layoutOf(kind) {
		out = append(out, Column{Zh: c.zh, En: c.en, Aliases: c.aliases, Required: c.required})
	}
	return out
}

func layoutOf(kind ImportKind) []column {
	switch kind {
	case ImportEnterprises:
		cols := []column{colCode, colName, colFormer, colIndustry, colRegOn, colStatus, colSize, colTags, colOnboard, colContact, colPhone, colOverride}
		for _, k := range CertKinds() {
			cols = append(cols, certColumns[k])
		}
		return cols
	case ImportBuildings:
		return []column{colBuilding, colAddress, colLon, colLat, colArea, colFloors, colGrid, colOperator, colFloor, colRoom, colRoomArea}
	case ImportTenancies:
		tenancyFloor, tenancyRoom := colFloor, colRoom
		tenancyFloor.required, tenancyRoom.required = true, true
		return []column{colCode, colBuilding, tenancyFloor, tenancyRoom, colStart, colEnd}
	case ImportTax:
		return []column{colCode, colMonth, colAmount}
	case ImportMoves:
		return []column{colCode, colDirection, colMovedOn, colFrom, colTo, colAnnualTax}
	}
	return nil
}

// Import reads a file of a kind and merges it into the registry, all or
// nothing: a file with one bad row imports nothing and the error names
// every bad row and column (up to 200). A dry run writes nothing and says
// row by row what the file would change.
func (s *Service) Import(ctx context.Context, a org.Actor, kind ImportKind, data []byte, dryRun bool) (*ImportResult, error) {
	return s.ImportInto(ctx, a, 0, kind, data, dryRun)
}

// ImportInto imports a file into one subdistrict's registry
// (jurisdiction: the actor's own, or the one a district actor picks; 0
// with one subdistrict: that one). A row naming an enterprise or building
// of another subdistrict is an error of that row, as one that does not
// exist.
func (s *Service) ImportInto(ctx context.Context, a org.Actor, jurisdiction int64, kind ImportKind, data []byte, dryRun bool) (*ImportResult, error) {
	if err := canWrite(a); err != nil {
		return nil, err
	}
	j, err := org.RecordJurisdiction(ctx, s.Jurisdictions, a, jurisdiction)
	if err != nil {
		return nil, err
	}
	// What the file names is looked up as the importing subdistrict sees it.
	if n, ok := a.Narrowed(j); ok && j != 0 {
		a = n
	}
	layout := layoutOf(kind)
	if layout == nil {
		return nil, jiedao.Invalid("kind", "导入类型应为 enterprises、buildings、tenancies、tax 或 moves", "kind must be enterprises, buildings, tenancies, tax or moves")
	}
	rows, err := readSheet(data)
	if err != nil {
		return nil, err
	}
	t, err := findColumns(rows, layout)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Kind: kind, DryRun: dryRun}
	var apply func(ctx context.Context) error
	switch kind {
	case ImportEnterprises:
		apply, err = s.planEnterprises(ctx, a, t, res)
	case ImportBuildings:
		apply, err = s.planBuildings(ctx, a, t, res)
	case ImportTenancies:
		apply, err = s.planTenancies(ctx, a, t, res)
	case ImportTax:
		apply, err = s.planTax(ctx, a, t, res)
	case ImportMoves:
		apply, err = s.planMoves(ctx, a, t, res)
	}
	if err != nil {
		if je, ok := err.(*importErr); ok {
			res.Errors = je.rows
			return res, je.err
		}
		return nil, err
	}
	if dryRun {
		return res, nil
	}
	err = org.Atomically(ctx, s.auditor(), func(ctx context.Context) error {
		if err := apply(ctx); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditImport, "enterprise_import", string(kind), nil,
			map[string]int{"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}, "")
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// auditor is the audit log, or the store's own transactions without one.
func (s *Service) auditor() org.Auditor {
	if s.Audit != nil {
		return s.Audit
	}
	return storeAtomic{s.Store}
}

type storeAtomic struct{ Store }

func (storeAtomic) Record(context.Context, org.AuditEntry) error { return nil }

// importErr carries a file's bad rows with its error.
type importErr struct {
	rows []RowError
	err  error
}

func (e *importErr) Error() string { return e.err.Error() }

func (e *rowErrs) result() error {
	if e.n == 0 {
		return nil
	}
	return &importErr{rows: e.list, err: e.err()}
}

func codeCell(t *table, r sheetRow, errs *rowErrs, allowOverride bool) (string, string) {
	code := NormalizeCode(t.get(r, colCode.field))
	if code == "" {
		errs.add(r.Num, colCode, "不能为空", "is required")
		return "", ""
	}
	reason, err := CheckCode(code)
	if reason == ReasonWrongCheck && allowOverride && t.get(r, colOverride.field) != "" {
		return code, reason
	}
	if err != nil {
		zh, en := jiedao.ErrorMessages(err)
		errs.add(r.Num, colCode, zh, en)
		return "", reason
	}
	return code, ""
}

func (s *Service) planEnterprises(ctx context.Context, a org.Actor, t *table, res *ImportResult) (func(context.Context) error, error) {
	var errs rowErrs
	type item struct {
		row   int
		e     Enterprise
		certs []Certification
	}
	var items []item
	seen := map[string]int{}
	for _, r := range t.rows {
		code, _ := codeCell(t, r, &errs, true)
		if code != "" {
			if first, dup := seen[code]; dup {
				errs.add(r.Num, colCode, fmt.Sprintf("与第%d行重复：%s", first, code), fmt.Sprintf("duplicates row %d: %s", first, code))
				continue
			}
			seen[code] = r.Num
		}
		e := Enterprise{CreditCode: code, Name: t.get(r, colName.field), Industry: t.get(r, colIndustry.field),
			Size: t.get(r, colSize.field), ContactName: t.get(r, colContact.field), ContactPhone: t.get(r, colPhone.field),
			CodeOverride: t.get(r, colOverride.field), Status: Status(t.get(r, colStatus.field))}
		if e.Name == "" {
			errs.add(r.Num, colName, "不能为空", "is required")
		}
		if f := t.get(r, colFormer.field); f != "" {
			for _, n := range strings.FieldsFunc(f, func(r rune) bool { return r == ';' || r == '；' || r == '、' || r == '\n' }) {
				if n = strings.TrimSpace(n); n != "" {
					e.FormerNames = append(e.FormerNames, n)
				}
			}
		}
		if tags := t.get(r, colTags.field); tags != "" {
			for _, x := range strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
				tag, ok := ParseTag(x)
				if !ok {
					errs.add(r.Num, colTags, "未知标签："+x, "unknown tag: "+x)
					continue
				}
				if !e.HasTag(tag) {
					e.Tags = append(e.Tags, tag)
				}
			}
		}
		for _, dc := range []struct {
			col column
			dst *Date
		}{{colRegOn, &e.RegisteredOn}, {colOnboard, &e.OnboardedOn}} {
			if v := t.get(r, dc.col.field); v != "" {
				d, ok := cellDate(v)
				if !ok {
					errs.add(r.Num, dc.col, "日期无效："+v, "not a date: "+v)
				}
				*dc.dst = d
			}
		}
		var certs []Certification
		for _, k := range CertKinds() {
			col := certColumns[k]
			v := t.get(r, col.field)
			if v == "" {
				continue
			}
			award, expiry, _ := strings.Cut(strings.NewReplacer("～", "至", "~", "至").Replace(v), "至")
			c := Certification{Kind: k}
			var ok bool
			if c.AwardedOn, ok = cellDate(strings.TrimSpace(award)); !ok {
				errs.add(r.Num, col, "认定日期无效："+v, "not a date of award: "+v)
				continue
			}
			if expiry = strings.TrimSpace(expiry); expiry != "" {
				if c.ExpiresOn, ok = cellDate(expiry); !ok {
					errs.add(r.Num, col, "有效期截止日无效："+v, "not an expiry date: "+v)
					continue
				}
			}
			if err := c.Validate(); err != nil {
				zh, en := jiedao.ErrorMessages(err)
				errs.add(r.Num, col, zh, en)
				continue
			}
			certs = append(certs, c)
		}
		if code != "" && e.Name != "" {
			if err := e.Validate(); err != nil {
				zh, en := jiedao.ErrorMessages(err)
				col := column{zh: jiedao.ErrorField(err)}
				for _, c := range layoutOf(ImportEnterprises) {
					if c.field == jiedao.ErrorField(err) {
						col = c
					}
				}
				errs.add(r.Num, col, zh, en)
				continue
			}
		}
		items = append(items, item{row: r.Num, e: e, certs: certs})
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.e.CreditCode
	}
	existing, err := s.Store.EnterpriseIDs(ctx, codes, 0)
	if err != nil {
		return nil, err
	}
	for i := range items {
		it := &items[i]
		c := RowChange{Row: it.row, Key: it.e.CreditCode + " " + it.e.Name, Action: ActionCreate}
		it.e.JurisdictionID = a.JurisdictionID
		if id, ok := existing[it.e.CreditCode]; ok {
			old, err := s.Store.GetEnterprise(ctx, id)
			if err != nil {
				return nil, err
			}
			if !a.InJurisdiction(old.JurisdictionID) {
				errs.add(it.row, colCode, "该统一社会信用代码的企业已登记在其他街道", "an enterprise with this credit code is registered in another subdistrict")
				continue
			}
			it.e.JurisdictionID = old.JurisdictionID
			if diff := enterpriseDiff(old, &it.e); diff == "" && len(it.certs) == 0 {
				c.Action = ActionUnchanged
			} else {
				c.Action, c.Detail = ActionUpdate, diff
			}
		}
		if len(it.certs) > 0 {
			var ks []string
			for _, x := range it.certs {
				ks = append(ks, x.Kind.Zh()+" "+string(x.AwardedOn))
			}
			c.Detail = strings.TrimPrefix(c.Detail+"；资质："+strings.Join(ks, "、"), "；")
		}
		res.add(c)
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		for _, it := range items {
			e := it.e
			_, mayExist := existing[e.CreditCode]
			if err := s.saveEnterprise(ctx, a, &e, mayExist, false); err != nil {
				return rowError(it.row, err)
			}
			if len(it.certs) == 0 {
				continue
			}
			have, err := s.Store.ListCertifications(ctx, CertFilter{EnterpriseID: e.ID})
			if err != nil {
				return err
			}
		certs:
			for _, c := range it.certs {
				for _, h := range have {
					if h.Kind == c.Kind && h.AwardedOn == c.AwardedOn {
						continue certs
					}
				}
				c.EnterpriseID = e.ID
				if err := s.Store.AddCertification(ctx, &c); err != nil {
					return rowError(it.row, err)
				}
			}
		}
		return nil
	}, nil
}

// rowError names the row of an error met while writing.
func rowError(row int, err error) error {
	zh, en := jiedao.ErrorMessages(err)
	return &jiedao.Error{Code: jiedao.ErrorCode(err), Field: "file",
		Zh: fmt.Sprintf("第%d行：%s；未导入任何数据", row, zh), En: fmt.Sprintf("row %d: %s; nothing was imported", row, en)}
}

// enterpriseDiff names the fields an update changes.
func enterpriseDiff(old, new *Enterprise) string {
	var d []string
	cmp := func(zh, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s：%s → %s", zh, a, b))
		}
	}
	cmp("名称", old.Name, new.Name)
	cmp("曾用名", strings.Join(old.FormerNames, "、"), strings.Join(new.FormerNames, "、"))
	cmp("行业", old.Industry, new.Industry)
	cmp("成立日期", string(old.RegisteredOn), string(new.RegisteredOn))
	cmp("状态", string(old.Status), string(new.Status))
	cmp("规模", old.Size, new.Size)
	cmp("标签", tagsZh(old.Tags), tagsZh(new.Tags))
	cmp("入驻日期", string(old.OnboardedOn), string(new.OnboardedOn))
	cmp("联系人", org.MaskName(old.ContactName), org.MaskName(new.ContactName))
	if old.ContactPhone != new.ContactPhone {
		d = append(d, "联系电话："+org.MaskPhone(old.ContactPhone)+" → "+org.MaskPhone(new.ContactPhone))
	}
	cmp("代码例外说明", old.CodeOverride, new.CodeOverride)
	return strings.Join(d, "；")
}

func tagsZh(tags []Tag) string {
	var s []string
	for _, t := range tags {
		s = append(s, t.Zh())
	}
	sort.Strings(s)
	return strings.Join(s, "、")
}

func floatCell(t *table, r sheetRow, col column, errs *rowErrs, nonNegative bool) float64 {
	v := strings.ReplaceAll(t.get(r, col.field), ",", "")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		errs.add(r.Num, col, "应为数字："+v, "not a number: "+v)
		return 0
	}
	if nonNegative && f < 0 {
		errs.add(r.Num, col, "不能为负数："+v, "cannot be negative: "+v)
	}
	return f
}

func intCell(t *table, r sheetRow, col column, errs *rowErrs) (int, bool) {
	v := t.get(r, col.field)
	if v == "" {
		return 0, false
	}
	v = strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(v), "F"), "层")
	if strings.HasPrefix(v, "B") { // B1: the first basement
		v = "-" + v[1:]
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		errs.add(r.Num, col, "应为整数："+t.get(r, col.field), "not an integer: "+t.get(r, col.field))
		return 0, false
	}
	return n, true
}

func (s *Service) planBuildings(ctx context.Context, a org.Actor, t *table, res *ImportResult) (func(context.Context) error, error) {
	var errs rowErrs
	type item struct {
		row  int
		b    Building
		room *Room
	}
	var items []item
	seenRoom := map[string]int{}
	seenBuilding := map[string]Building{}
	for _, r := range t.rows {
		b := Building{Name: t.get(r, colBuilding.field), Address: t.get(r, colAddress.field), Operator: t.get(r, colOperator.field)}
		b.Lon = floatCell(t, r, colLon, &errs, false)
		b.Lat = floatCell(t, r, colLat, &errs, false)
		b.FloorArea = floatCell(t, r, colArea, &errs, true)
		floors, _ := intCell(t, r, colFloors, &errs)
		b.Floors = floors
		grid, _ := intCell(t, r, colGrid, &errs)
		b.GridID = int64(grid)
		if b.Name == "" {
			errs.add(r.Num, colBuilding, "不能为空", "is required")
			continue
		}
		if err := b.Validate(); err != nil && b.FloorArea >= 0 {
			zh, en := jiedao.ErrorMessages(err)
			errs.add(r.Num, colBuilding, zh, en)
			continue
		}
		// Building columns repeated on each room's row must agree.
		if prev, ok := seenBuilding[b.Name]; ok {
			if t.has(colArea.field) && t.get(r, colArea.field) != "" && prev.FloorArea != b.FloorArea {
				errs.add(r.Num, colArea, "同一楼宇的建筑面积前后不一致", "the building's floor area differs from an earlier row")
			}
			if t.get(r, colArea.field) == "" {
				b = prev
			}
		} else {
			seenBuilding[b.Name] = b
		}
		it := item{row: r.Num, b: b}
		if number := t.get(r, colRoom.field); number != "" {
			floor, ok := intCell(t, r, colFloor, &errs)
			if !ok && t.get(r, colFloor.field) == "" {
				errs.add(r.Num, colFloor, "有房间号时楼层不能为空", "a room needs its floor")
			}
			room := &Room{Floor: floor, Number: number, Area: floatCell(t, r, colRoomArea, &errs, true)}
			if err := room.Validate(); err != nil && room.Area >= 0 {
				zh, en := jiedao.ErrorMessages(err)
				errs.add(r.Num, colRoom, zh, en)
			}
			key := fmt.Sprintf("%s/%d/%s", b.Name, floor, number)
			if first, dup := seenRoom[key]; dup {
				errs.add(r.Num, colRoom, fmt.Sprintf("与第%d行重复：%s", first, key), fmt.Sprintf("duplicates row %d: %s", first, key))
			}
			seenRoom[key] = r.Num
			it.room = room
		}
		items = append(items, it)
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	old, err := s.Store.ListBuildings(ctx)
	if err != nil {
		return nil, err
	}
	oldByName := map[string]Building{}
	oldRooms := map[string]Room{}
	for _, b := range old {
		oldByName[b.Name] = b
	}
	for i := range items {
		it := &items[i]
		ob, exists := oldByName[it.b.Name]
		it.b.JurisdictionID = a.JurisdictionID
		if exists {
			if !a.InJurisdiction(ob.JurisdictionID) {
				errs.add(it.row, colBuilding, "同名楼宇已登记在其他街道", "a building of this name is registered in another subdistrict")
				continue
			}
			it.b.JurisdictionID = ob.JurisdictionID
		}
		if exists && it.room != nil {
			if _, loaded := oldRooms[it.b.Name+"/loaded"]; !loaded {
				rooms, err := s.Store.ListRooms(ctx, ob.ID)
				if err != nil {
					return nil, err
				}
				for _, r := range rooms {
					oldRooms[fmt.Sprintf("%s/%d/%s", it.b.Name, r.Floor, r.Number)] = r
				}
				oldRooms[it.b.Name+"/loaded"] = Room{}
			}
		}
		c := RowChange{Row: it.row, Key: it.b.Name, Action: ActionCreate}
		if exists {
			ob.ID = 0
			c.Action = ActionUnchanged
			if ob != it.b {
				c.Action, c.Detail = ActionUpdate, "楼宇信息变更"
			}
		}
		if it.room != nil {
			key := fmt.Sprintf("%s/%d/%s", it.b.Name, it.room.Floor, it.room.Number)
			c.Key = fmt.Sprintf("%s %d层 %s", it.b.Name, it.room.Floor, it.room.Number)
			if or, ok := oldRooms[key]; !ok {
				if c.Action == ActionUnchanged {
					c.Action = ActionUpdate
				}
				c.Detail = strings.TrimPrefix(c.Detail+"；新增房间", "；")
				if !exists {
					c.Action, c.Detail = ActionCreate, ""
				}
			} else if or.Area != it.room.Area {
				c.Action, c.Detail = ActionUpdate, strings.TrimPrefix(c.Detail+fmt.Sprintf("；房间面积：%g → %g", or.Area, it.room.Area), "；")
			}
		}
		res.add(c)
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		ids := map[string]int64{}
		for _, it := range items {
			b := it.b
			if _, done := ids[b.Name]; !done {
				if err := s.Store.SaveBuilding(ctx, &b); err != nil {
					return rowError(it.row, err)
				}
				ids[b.Name] = b.ID
			}
			if it.room != nil {
				room := *it.room
				room.BuildingID = ids[b.Name]
				if err := s.Store.SaveRoom(ctx, &room); err != nil {
					return rowError(it.row, err)
				}
			}
		}
		return nil
	}, nil
}

// knownCodes checks the code column of each row and maps the codes to the
// enterprises' ids, naming the rows whose enterprise is unknown.
func (s *Service) knownCodes(ctx context.Context, a org.Actor, t *table, errs *rowErrs) (map[string]int64, map[int]string, error) {
	codes := map[int]string{}
	var list []string
	seen := map[string]bool{}
	for _, r := range t.rows {
		code, _ := codeCell(t, r, errs, false)
		if code == "" {
			continue
		}
		codes[r.Num] = code
		if !seen[code] {
			seen[code] = true
			list = append(list, code)
		}
	}
	ids, err := s.Store.EnterpriseIDs(ctx, list, a.JurisdictionID)
	if err != nil {
		return nil, nil, err
	}
	// A pilot code registered with an override is known as it is.
	for _, r := range t.rows {
		if _, ok := codes[r.Num]; ok {
			continue
		}
		code := NormalizeCode(t.get(r, colCode.field))
		if reason, _ := CheckCode(code); reason == ReasonWrongCheck {
			more, err := s.Store.EnterpriseIDs(ctx, []string{code}, a.JurisdictionID)
			if err != nil {
				return nil, nil, err
			}
			if id, ok := more[code]; ok {
				ids[code] = id
				codes[r.Num] = code
				// Undo the error codeCell recorded for this row.
				errs.drop(r.Num, colCode)
			}
		}
	}
	for _, r := range t.rows {
		if code, ok := codes[r.Num]; ok {
			if _, known := ids[code]; !known {
				errs.add(r.Num, colCode, "企业不存在，请先导入企业名录："+code, "unknown enterprise, import it first: "+code)
			}
		}
	}
	return ids, codes, nil
}

// drop removes the error recorded for a row and column.
func (e *rowErrs) drop(row int, col column) {
	for i, r := range e.list {
		if r.Row == row && r.Field == col.zh {
			e.list = append(e.list[:i], e.list[i+1:]...)
			e.n--
			return
		}
	}
}

func (s *Service) planTenancies(ctx context.Context, a org.Actor, t *table, res *ImportResult) (func(context.Context) error, error) {
	var errs rowErrs
	ids, codes, err := s.knownCodes(ctx, a, t, &errs)
	if err != nil {
		return nil, err
	}
	buildings, err := s.Store.ListBuildings(ctx)
	if err != nil {
		return nil, err
	}
	buildings = inScope(a, buildings, func(b Building) int64 { return b.JurisdictionID })
	roomIDs := map[string]int64{}
	for _, b := range buildings {
		rooms, err := s.Store.ListRooms(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rooms {
			roomIDs[fmt.Sprintf("%s/%d/%s", b.Name, r.Floor, r.Number)] = r.ID
		}
	}
	existing, err := s.Store.ListTenancies(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	byRoom := map[int64][]Tenancy{}
	for _, x := range existing {
		byRoom[x.RoomID] = append(byRoom[x.RoomID], x)
	}
	type item struct {
		row int
		t   Tenancy
		key string
	}
	var items []item
	fileRows := map[int64][]int{}
	for _, r := range t.rows {
		floor, _ := intCell(t, r, column{"floor", "楼层", "floor", nil, true}, &errs)
		key := fmt.Sprintf("%s/%d/%s", t.get(r, colBuilding.field), floor, t.get(r, colRoom.field))
		room, ok := roomIDs[key]
		if !ok {
			errs.add(r.Num, colRoom, "楼宇房间不存在，请先导入楼宇："+key, "no such room, import the building first: "+key)
		}
		ten := Tenancy{RoomID: room}
		var good bool
		if ten.Start, good = cellDate(t.get(r, colStart.field)); !good {
			errs.add(r.Num, colStart, "日期无效："+t.get(r, colStart.field), "not a date: "+t.get(r, colStart.field))
		}
		if v := t.get(r, colEnd.field); v != "" {
			if ten.End, good = cellDate(v); !good {
				errs.add(r.Num, colEnd, "日期无效："+v, "not a date: "+v)
			} else if ten.End <= ten.Start {
				errs.add(r.Num, colEnd, "退租日期应晚于入驻日期", "the end must be after the start")
			}
		}
		if !ok || ten.Start == "" {
			continue
		}
		ten.EnterpriseID = ids[codes[r.Num]]
		dup := false
		for _, x := range byRoom[room] {
			if x.EnterpriseID == ten.EnterpriseID && x.Start == ten.Start && x.End == ten.End {
				dup = true // already recorded: unchanged
				break
			}
			if x.Overlaps(ten) {
				end := string(x.End)
				if end == "" {
					end = "至今"
				}
				errs.add(r.Num, colStart, fmt.Sprintf("与该房间已有租约重叠（%s，%s 至 %s）", x.Enterprise, x.Start, end),
					fmt.Sprintf("overlaps a tenancy of the room (%s, %s to %s)", x.Enterprise, x.Start, end))
			}
		}
		for _, i := range fileRows[room] {
			if items[i].t.Overlaps(ten) {
				errs.add(r.Num, colStart, fmt.Sprintf("与第%d行的租约在同一房间重叠", items[i].row), fmt.Sprintf("overlaps the tenancy of row %d in the same room", items[i].row))
			}
		}
		c := RowChange{Row: r.Num, Key: codes[r.Num] + " " + key, Action: ActionCreate}
		if dup {
			c.Action = ActionUnchanged
		} else {
			fileRows[room] = append(fileRows[room], len(items))
			items = append(items, item{row: r.Num, t: ten, key: key})
		}
		res.add(c)
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		for _, it := range items {
			ten := it.t
			if err := s.Store.AddTenancy(ctx, &ten); err != nil {
				return rowError(it.row, err)
			}
		}
		return nil
	}, nil
}

func (s *Service) planTax(ctx context.Context, a org.Actor, t *table, res *ImportResult) (func(context.Context) error, error) {
	var errs rowErrs
	ids, codes, err := s.knownCodes(ctx, a, t, &errs)
	if err != nil {
		return nil, err
	}
	var rows []MonthTax
	rowNums := []int{}
	seen := map[string]int{}
	minMonth, maxMonth := "9999-99", "0000-00"
	for _, r := range t.rows {
		month, ok := cellMonth(t.get(r, colMonth.field))
		if !ok {
			errs.add(r.Num, colMonth, "所属期无效（如 2023-05）："+t.get(r, colMonth.field), "not a month (2023-05): "+t.get(r, colMonth.field))
		}
		amount, err := ParseMoney(t.get(r, colAmount.field))
		if err != nil {
			errs.add(r.Num, colAmount, "税额应为数字："+t.get(r, colAmount.field), "the amount is not a number: "+t.get(r, colAmount.field))
		}
		code := codes[r.Num]
		if code == "" || !ok || err != nil {
			continue
		}
		key := code + " " + month
		if first, dup := seen[key]; dup {
			errs.add(r.Num, colMonth, fmt.Sprintf("与第%d行重复（同一企业同一所属期）：%s", first, key), fmt.Sprintf("duplicates row %d (same enterprise and month): %s", first, key))
			continue
		}
		seen[key] = r.Num
		minMonth, maxMonth = min(minMonth, month), max(maxMonth, month)
		if id, known := ids[code]; known {
			rows = append(rows, MonthTax{EnterpriseID: id, Month: month, Amount: amount})
			rowNums = append(rowNums, r.Num)
		}
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	type key struct {
		e int64
		m string
	}
	old := map[key]Money{}
	if len(rows) > 0 {
		prev, err := s.Store.ListTax(ctx, 0, minMonth, maxMonth+"~")
		if err != nil {
			return nil, err
		}
		for _, p := range prev {
			old[key{p.EnterpriseID, p.Month}] = p.Amount
		}
	}
	codeOf := map[int64]string{}
	for c, id := range ids {
		codeOf[id] = c
	}
	for i, r := range rows {
		c := RowChange{Row: rowNums[i], Key: codeOf[r.EnterpriseID] + " " + r.Month, Action: ActionCreate, Detail: r.Amount.String()}
		if a, ok := old[key{r.EnterpriseID, r.Month}]; ok {
			if a == r.Amount {
				c.Action = ActionUnchanged
			} else {
				c.Action, c.Detail = ActionUpdate, a.String()+" → "+r.Amount.String()
			}
		}
		res.add(c)
	}
	return func(ctx context.Context) error { return s.Store.PutTax(ctx, rows) }, nil
}

func (s *Service) planMoves(ctx context.Context, a org.Actor, t *table, res *ImportResult) (func(context.Context) error, error) {
	var errs rowErrs
	ids, codes, err := s.knownCodes(ctx, a, t, &errs)
	if err != nil {
		return nil, err
	}
	type item struct {
		row int
		m   Move
	}
	var items []item
	seen := map[string]int{}
	for _, r := range t.rows {
		m := Move{From: t.get(r, colFrom.field), To: t.get(r, colTo.field)}
		var ok bool
		if m.Direction, ok = ParseDirection(t.get(r, colDirection.field)); !ok {
			errs.add(r.Num, colDirection, "应为迁入或迁出："+t.get(r, colDirection.field), "must be 迁入 or 迁出: "+t.get(r, colDirection.field))
		}
		if m.On, ok = cellDate(t.get(r, colMovedOn.field)); !ok {
			errs.add(r.Num, colMovedOn, "日期无效："+t.get(r, colMovedOn.field), "not a date: "+t.get(r, colMovedOn.field))
		}
		if v := t.get(r, colAnnualTax.field); v != "" {
			if m.AnnualTax, err = ParseMoney(v); err != nil {
				errs.add(r.Num, colAnnualTax, "应为数字："+v, "not a number: "+v)
			} else if m.AnnualTax < 0 {
				errs.add(r.Num, colAnnualTax, "不能为负数："+v, "cannot be negative: "+v)
			}
		}
		code := codes[r.Num]
		if code == "" || m.Direction == "" || m.On == "" {
			continue
		}
		key := fmt.Sprintf("%s %s %s", code, m.Direction.Zh(), m.On)
		if first, dup := seen[key]; dup {
			errs.add(r.Num, colMovedOn, fmt.Sprintf("与第%d行重复：%s", first, key), fmt.Sprintf("duplicates row %d: %s", first, key))
			continue
		}
		seen[key] = r.Num
		m.EnterpriseID = ids[code]
		items = append(items, item{row: r.Num, m: m})
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	// A move already recorded (same enterprise, direction and day) is
	// unchanged, so that a file imported twice records each move once.
	have := map[string]bool{}
	if len(items) > 0 {
		prev, err := s.Store.ListMoves(ctx, 0, "0000-01-01", "9999-12-31")
		if err != nil {
			return nil, err
		}
		for _, p := range prev {
			have[fmt.Sprintf("%d %s %s", p.EnterpriseID, p.Direction, p.On)] = true
		}
	}
	var todo []item
	for _, it := range items {
		c := RowChange{Row: it.row, Key: fmt.Sprintf("%s %s %s", codes[it.row], it.m.Direction.Zh(), it.m.On), Action: ActionCreate, Detail: it.m.AnnualTax.String()}
		if have[fmt.Sprintf("%d %s %s", it.m.EnterpriseID, it.m.Direction, it.m.On)] {
			c.Action = ActionUnchanged
		} else {
			todo = append(todo, it)
		}
		res.add(c)
	}
	return func(ctx context.Context) error {
		for _, it := range todo {
			m := it.m
			if err := s.Store.AddMove(ctx, &m); err != nil {
				return rowError(it.row, err)
			}
		}
		return nil
	}, nil
}
