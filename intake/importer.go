package intake

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// File is an uploaded file.
type File struct {
	Name string
	Data []byte
}

// ImportOptions are the choices of one import.
type ImportOptions struct {
	// DryRun checks every row and reports what would be created, storing
	// nothing.
	DryRun bool
	// SkipInvalid imports the good rows of a file that has bad ones; by
	// default one bad row refuses the whole file, so that a file is
	// imported whole or not at all.
	SkipInvalid bool
	// DefaultCategory is the category of rows whose category cell is
	// empty or names no category; without it such rows are refused.
	DefaultCategory string
	// ClientID names the machine client (of the file's channel) the file
	// came from, for a dispatcher's upload; the cases record it.
	ClientID int64
	// GCJ02 says the file's coordinates are GCJ-02, as Chinese map
	// services give them, not WGS-84.
	GCJ02 bool
}

// RowAction is what an import does with a row.
type RowAction string

const (
	RowCreate  RowAction = "create"  // a new case (in a dry run: would be)
	RowExists  RowAction = "exists"  // the number has a case already: nothing new
	RowRefused RowAction = "refused" // the row is wrong: see its errors
)

// RowError is one thing wrong with a row, its row number in both messages.
type RowError struct {
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`    // Chinese
	MessageEn string `json:"message_en"` // English
}

// RowCase is the case a row makes or made, or the one it has already.
type RowCase struct {
	ID            int64            `json:"id,omitempty"`
	Number        string           `json:"number,omitempty"`
	Channel       casework.Channel `json:"channel"`
	ClientID      int64            `json:"client_id,omitempty"`
	Category      string           `json:"category"`
	CategoryName  string           `json:"category_name,omitempty"`
	Urgency       casework.Urgency `json:"urgency,omitempty"`
	Title         string           `json:"title,omitempty"`
	Address       string           `json:"address,omitempty"`
	GridID        int64            `json:"grid_id,omitempty"`
	CommunityID   int64            `json:"community_id,omitempty"`
	Unplaced      bool             `json:"unplaced,omitempty"`
	SuggestedUnit int64            `json:"suggested_unit_id,omitempty"`
	Status        casework.Status  `json:"status,omitempty"`
}

// RowResult is the report on one data row of a file.
type RowResult struct {
	Row        int        `json:"row"` // the row number Excel shows, or the CSV line
	ExternalID string     `json:"external_id,omitempty"`
	Action     RowAction  `json:"action"`
	Case       *RowCase   `json:"case,omitempty"`
	Errors     []RowError `json:"errors,omitempty"`
}

// ImportResult is the report on a file, row by row.
type ImportResult struct {
	Channel  casework.Channel  `json:"channel"`
	FileName string            `json:"file_name"`
	Format   string            `json:"format"`
	DryRun   bool              `json:"dry_run"`
	ImportID int64             `json:"import_id,omitempty"`
	Columns  map[string]string `json:"columns"`   // field → the header it was read from
	Rows     int               `json:"rows"`      // data rows (blank rows are skipped)
	ToCreate int               `json:"to_create"` // good new rows
	Created  int               `json:"created"`   // cases made by this import
	Existing int               `json:"existing"`
	Refused  int               `json:"refused"`
	Results  []RowResult       `json:"results"`
}

// ImportRefused is the error of an import that stored nothing because
// rows were wrong; Result says which and why.
type ImportRefused struct {
	Err    *jiedao.Error
	Result *ImportResult
}

func (e *ImportRefused) Error() string { return e.Err.Error() }
func (e *ImportRefused) Unwrap() error { return e.Err }

// ImportHotline imports a 12345 work-order file.
func (s *Service) ImportHotline(ctx context.Context, a org.Actor, f File, opts ImportOptions) (*ImportResult, error) {
	return s.importFile(ctx, a, hotlineLayout, f, opts)
}

// ImportPolice imports a file of police transfers.
func (s *Service) ImportPolice(ctx context.Context, a org.Actor, f File, opts ImportOptions) (*ImportResult, error) {
	return s.importFile(ctx, a, policeLayout, f, opts)
}

// pending is a data row on its way to a case.
type pending struct {
	res      *RowResult
	in       casework.ReportInput
	sourceAt *time.Time
	cells    []string
	c        *casework.Case
	e        *casework.Event
}

func (p *pending) refuse(field, zh, en string) {
	p.res.Action = RowRefused
	p.res.Errors = append(p.res.Errors, RowError{Field: field,
		Message: fmt.Sprintf("第%d行：%s", p.res.Row, zh), MessageEn: fmt.Sprintf("row %d: %s", p.res.Row, en)})
}

// importFile reads a file with a layout, checks every row, and unless told
// to only look, stores the good new rows' cases together, or nothing.
func (s *Service) importFile(ctx context.Context, a org.Actor, l layout, f File, opts ImportOptions) (*ImportResult, error) {
	via, err := s.sourceClient(ctx, a, l.channel, opts.ClientID)
	if err != nil {
		return nil, err
	}
	t, err := readTable(f.Data)
	if err != nil {
		return nil, err
	}
	m, hi, err := l.findHeader(t)
	if err != nil {
		return nil, err
	}
	data := t.Rows[hi+1:]
	if len(data) > MaxFileRows {
		return nil, tooManyRows()
	}
	cats, err := s.Cases.Categories(ctx)
	if err != nil {
		return nil, err
	}
	ix := newCategoryIndex(cats)
	var def *casework.Category
	if opts.DefaultCategory != "" {
		if def = ix.byCode[opts.DefaultCategory]; def == nil {
			return nil, jiedao.Invalid("default_category", "默认问题分类不存在："+opts.DefaultCategory, "unknown default category: "+opts.DefaultCategory)
		}
	}
	res := &ImportResult{Channel: l.channel, FileName: f.Name, Format: t.Format, DryRun: opts.DryRun, Columns: map[string]string{}, Rows: len(data)}
	for fld, i := range m.index {
		res.Columns[string(fld)] = m.headers[i]
	}
	now := s.now()
	rows := make([]*pending, len(data))
	seen := map[string]int{}
	for i, r := range data {
		p := &pending{res: &RowResult{Row: r.Num, Action: RowCreate}}
		rows[i] = p
		s.readRow(p, l, m, r, ix, def, opts, now)
		p.in.ViaClient = via
		if id := p.res.ExternalID; id != "" {
			if first, dup := seen[id]; dup {
				col := m.headers[m.index[fExternalID]]
				p.refuse(string(fExternalID), fmt.Sprintf("%s %s 与第%d行重复", col, id, first), fmt.Sprintf("%s %s repeats row %d", col, id, first))
			} else {
				seen[id] = r.Num
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	existing, err := s.Store.ExistingCases(ctx, l.channel, ids)
	if err != nil {
		return nil, err
	}
	var items []*Item
	for _, p := range rows {
		if p.res.Action != RowCreate {
			continue
		}
		if ref, ok := existing[p.res.ExternalID]; ok {
			p.res.Action = RowExists
			p.res.Case = &RowCase{ID: ref.ID, Number: ref.Number, Channel: l.channel}
			continue
		}
		// The case service's own checks: lengths, the category's
		// attributes, the place; a dry run reports what they say.
		p.in.SourceAt = cmp.Or(p.sourceAt, &now) // 移交时间, 来电时间: on the case too
		p.c, p.e, err = s.Cases.NewReport(ctx, a, p.in, now)
		if err != nil {
			if jiedao.ErrorCode(err) == jiedao.EINTERNAL {
				return nil, err
			}
			zh, en := jiedao.ErrorMessages(err)
			p.refuse(jiedao.ErrorField(err), zh, en)
			continue
		}
		p.res.Case = rowCase(p.c, ix)
		source := now
		if p.sourceAt != nil {
			source = *p.sourceAt
		}
		items = append(items, &Item{Case: p.c, Report: p.e, Channel: l.channel, ExternalID: p.res.ExternalID, SourceAt: source, Cells: p.cells})
	}
	for _, p := range rows {
		res.Results = append(res.Results, *p.res)
		switch p.res.Action {
		case RowCreate:
			res.ToCreate++
		case RowExists:
			res.Existing++
		case RowRefused:
			res.Refused++
		}
	}
	if opts.DryRun {
		return res, nil
	}
	if res.Refused > 0 && !opts.SkipInvalid {
		return res, &ImportRefused{Result: res, Err: jiedao.Errorf(jiedao.EINVALID,
			"未导入任何数据：%d行有错误，请修改后重新导入（或选择跳过错误行）", "nothing imported: %d rows have errors; fix them and import again (or skip them)", res.Refused)}
	}
	if len(items) == 0 {
		return res, nil
	}
	imp := &Import{Channel: l.channel, FileName: f.Name, Headers: m.headers, Created: len(items),
		ActorKind: string(a.Kind), ActorID: a.ID, ActorName: a.Name, CreatedAt: now}
	if err := s.Store.CreateItems(ctx, imp, items); err != nil {
		if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
			return nil, jiedao.Errorf(jiedao.ECONFLICT, "其中部分编号刚被另一次导入写入，本次未导入任何数据，请重新导入", "some of these numbers were just imported by another upload: nothing was imported, import again")
		}
		return nil, err
	}
	res.ImportID, res.Created = imp.ID, len(items)
	for i, p := range rows {
		if p.res.Action == RowCreate {
			res.Results[i].Case.ID, res.Results[i].Case.Number = p.c.ID, p.c.Number
			res.Results[i].Case.Status = p.c.Status
		}
	}
	return res, nil
}

// readRow reads one data row into a report, refusing what is wrong; every
// problem of the row is reported, not only the first.
func (s *Service) readRow(p *pending, l layout, m mapping, r tableRow, ix *categoryIndex, def *casework.Category, opts ImportOptions, now time.Time) {
	header := func(f field) string {
		if i, ok := m.index[f]; ok {
			return m.headers[i]
		}
		return l.column(f).header
	}
	// The row's cells as stored for the export: aligned with the header.
	p.cells = make([]string, len(m.headers))
	for i := range p.cells {
		if i < len(r.Cells) {
			p.cells[i] = strings.TrimSpace(r.Cells[i])
		}
	}
	get := func(f field) string { return m.cell(r, f) }

	id := get(fExternalID)
	p.res.ExternalID = id
	switch {
	case id == "":
		p.refuse(string(fExternalID), header(fExternalID)+"不能为空", header(fExternalID)+" ("+l.column(fExternalID).en+") is required")
	case len([]rune(id)) > maxEventNo || strings.ContainsAny(id, "\r\n\t"):
		p.refuse(string(fExternalID), fmt.Sprintf("%s过长或含换行（最多%d字）", header(fExternalID), maxEventNo),
			fmt.Sprintf("%s (%s) is too long or has line breaks (at most %d characters)", header(fExternalID), l.column(fExternalID).en, maxEventNo))
	}
	if v := get(fSourceAt); v != "" {
		t, ok := parseTime(v)
		switch {
		case !ok:
			p.refuse(string(fSourceAt), header(fSourceAt)+"无法识别："+v+"（应如 2024-06-11 09:30:00）",
				header(fSourceAt)+" ("+l.column(fSourceAt).en+") is not a time: "+v+" (write it as 2024-06-11 09:30:00)")
		case t.After(now.Add(MaxSkew)):
			p.refuse(string(fSourceAt), header(fSourceAt)+"晚于当前时间："+v, header(fSourceAt)+" ("+l.column(fSourceAt).en+") is in the future: "+v)
		default:
			p.sourceAt = &t
			p.cells[m.index[fSourceAt]] = formatTime(t)
		}
	}
	details := get(fDetails)
	if details == "" {
		p.refuse(string(fDetails), header(fDetails)+"不能为空", header(fDetails)+" ("+l.column(fDetails).en+") is required")
	}
	var cat *casework.Category
	if v := get(fCategory); v != "" {
		cat = ix.resolve(v)
		if cat == nil && def == nil {
			p.refuse(string(fCategory), header(fCategory)+"无法对应到本街道的问题分类："+v, header(fCategory)+" ("+l.column(fCategory).en+") matches no category here: "+v)
		}
	} else if def == nil {
		p.refuse(string(fCategory), header(fCategory)+"不能为空", header(fCategory)+" ("+l.column(fCategory).en+") is required")
	}
	if cat == nil {
		cat = def
	}
	urg, ok := parseUrgency(get(fUrgency))
	if !ok {
		p.refuse(string(fUrgency), header(fUrgency)+"应为一般、紧急或特急："+get(fUrgency), header(fUrgency)+" ("+l.column(fUrgency).en+") must be 一般, 紧急 or 特急: "+get(fUrgency))
	}
	phone := get(fPhone)
	if phone != "" && !validPhone(phone) {
		p.refuse(string(fPhone), header(fPhone)+"格式不正确："+phone, header(fPhone)+" ("+l.column(fPhone).en+") is malformed: "+phone)
	}
	var lat, lon *float64
	if vlat, vlon := get(fLat), get(fLon); vlat != "" || vlon != "" {
		la, ok1 := parseCoord(vlat)
		lo, ok2 := parseCoord(vlon)
		if !ok1 || !ok2 {
			p.refuse(string(fLat), header(fLat)+"和"+header(fLon)+"须同时填写且为数字", header(fLat)+" and "+header(fLon)+" must both be numbers")
		} else {
			lat, lon = &la, &lo
		}
	}
	if p.res.Action == RowRefused {
		return
	}
	p.in = casework.ReportInput{Channel: l.channel, ExternalID: id, Category: cat.Code, Urgency: urg, Title: get(fTitle), Details: details,
		Address: get(fAddress), Lat: lat, Lon: lon, GCJ02: opts.GCJ02, Reporter: casework.Contact{Name: get(fName), Phone: phone}}
}

func rowCase(c *casework.Case, ix *categoryIndex) *RowCase {
	rc := &RowCase{Channel: c.Channel, ClientID: c.ClientID, Category: c.Category, Urgency: c.Urgency, Title: c.Title, Address: c.Address,
		GridID: c.GridID, CommunityID: c.Community, Unplaced: c.Unplaced, SuggestedUnit: c.SuggestedUnit}
	if cat := ix.byCode[c.Category]; cat != nil {
		rc.CategoryName = cat.Name
	}
	return rc
}

// categoryIndex finds a category by what a file calls it.
type categoryIndex struct {
	byCode map[string]*casework.Category
	byName map[string][]*casework.Category
}

func newCategoryIndex(cats []*casework.Category) *categoryIndex {
	ix := &categoryIndex{byCode: map[string]*casework.Category{}, byName: map[string][]*casework.Category{}}
	for _, c := range cats {
		if !c.Active {
			continue
		}
		ix.byCode[c.Code] = c
		n := normalizeName(c.Name)
		ix.byName[n] = append(ix.byName[n], c)
	}
	return ix
}

func normalizeName(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// categorySeparators split a category path such as 城市管理/市容环境/暴露垃圾,
// as hotline systems give their multi-level classes, or a code and a name
// ("0101 暴露垃圾").
const categorySeparators = "/／\\>＞|｜、-－— \u3000"

// resolve finds the category a cell names: a code; a name; or, in a path,
// the most specific part that names exactly one category (a name shared
// by several is told apart by the part before it naming the parent).
func (ix *categoryIndex) resolve(v string) *casework.Category {
	v = strings.TrimSpace(v)
	if c := ix.byCode[strings.ToUpper(v)]; c != nil {
		return c
	}
	if cs := ix.byName[normalizeName(v)]; len(cs) == 1 {
		return cs[0]
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(categorySeparators, r) })
	for i := len(parts) - 1; i >= 0; i-- {
		part := strings.TrimSpace(parts[i])
		if c := ix.byCode[strings.ToUpper(part)]; c != nil {
			return c
		}
		cs := ix.byName[normalizeName(part)]
		if len(cs) == 1 {
			return cs[0]
		}
		if len(cs) > 1 && i > 0 {
			parent := normalizeName(parts[i-1])
			var match []*casework.Category
			for _, c := range cs {
				if p := ix.byCode[c.ParentCode]; p != nil && normalizeName(p.Name) == parent {
					match = append(match, c)
				}
			}
			if len(match) == 1 {
				return match[0]
			}
		}
	}
	return nil
}
