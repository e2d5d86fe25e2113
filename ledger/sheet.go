package ledger

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/sheet"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// Limits of one imported sheet: it is validated whole in memory before
// anything is stored.
const (
	MaxImportBytes = 20 << 20
	MaxImportRows  = 20000
)

// The columns every ledger sheet has before the type's fields.
const (
	colDay       = "日期"
	colCommunity = "社区"
	colPlace     = "地点"
)

// RowError is what is wrong with one row of an import.
type RowError struct {
	Row   int    `json:"row"` // the sheet's row number, as Excel shows it
	Field string `json:"field,omitempty"`
	Zh    string `json:"message"`
	En    string `json:"message_en"`
}

// ImportResult is the outcome of an import or of its dry run.
type ImportResult struct {
	Rows    int        `json:"rows"`    // data rows read
	Created int        `json:"created"` // entries stored (0 on a dry run or with errors)
	DryRun  bool       `json:"dry_run"`
	Errors  []RowError `json:"errors,omitempty"`
}

// Header is the header row of a type's sheet: day, community, place, then
// the fields not retired, by their Chinese names.
func Header(t *Type) []string {
	h := []string{colDay, colCommunity, colPlace}
	for _, f := range t.Fields {
		if !f.Retired {
			h = append(h, f.Name)
		}
	}
	return h
}

// Import reads an XLSX sheet of entries of a type (the layout of Header;
// columns found by their Chinese name or field key, in any order) and,
// unless dryRun or any row is wrong, stores them all in one transaction.
// Every wrong row is reported, naming its row and field; nothing is
// stored unless every row is right.
func (s *Service) Import(ctx context.Context, a org.Actor, code string, data []byte, dryRun bool) (*ImportResult, error) {
	t, err := s.Type(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "the file is larger than %d MB", MaxImportBytes>>20)
	}
	rows, err := readSheet(data)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, jiedao.Errorf(jiedao.EINVALID, "表格为空", "the sheet is empty")
	}
	if len(rows) > MaxImportRows+1 {
		return nil, jiedao.Errorf(jiedao.ETOOLARGE, "一次最多导入%d行，请拆分文件", "at most %d rows per import: split the file", MaxImportRows)
	}
	communities := map[string]int64{}
	if s.Communities != nil {
		cs, err := s.Communities(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			// Only the communities of the actor's subdistrict are known.
			if a.InJurisdiction(c.JurisdictionID) {
				communities[c.Name], communities[c.Code] = c.ID, c.ID
			}
		}
	}
	comms, err := s.communityJurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	// Map the header.
	col := map[string]int{}
	for i, h := range rows[0].Cells {
		h = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), "*"))
		switch h {
		case colDay, "day":
			col["day"] = i
		case colCommunity, "community":
			col["community"] = i
		case colPlace, "place":
			col["place"] = i
		default:
			for _, f := range t.Fields {
				if !f.Retired && (h == f.Name || h == f.Key) {
					col[f.Key] = i
				}
			}
		}
	}
	res := &ImportResult{DryRun: dryRun}
	if _, ok := col["day"]; !ok {
		res.Errors = append(res.Errors, RowError{Row: rows[0].Num, Field: "day", Zh: "第" + strconv.Itoa(rows[0].Num) + "行（表头）缺少“日期”列", En: "the header has no 日期 (day) column"})
	}
	for _, f := range t.Fields {
		if _, ok := col[f.Key]; f.Required && !ok {
			res.Errors = append(res.Errors, RowError{Row: rows[0].Num, Field: f.Key,
				Zh: fmt.Sprintf("第%d行（表头）缺少必填列“%s”", rows[0].Num, f.Name), En: fmt.Sprintf("the header has no column for the required field %s", nameEn(f))})
		}
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	cell := func(r sheetRow, key string) string {
		if i, ok := col[key]; ok && i < len(r.Cells) {
			return strings.TrimSpace(r.Cells[i])
		}
		return ""
	}
	var entries []*Entry
	var own *int64
	var ownErr error
	for _, r := range rows[1:] {
		res.Rows++
		in := EntryInput{Day: excelDay(cell(r, "day")), Place: cell(r, "place"), Values: map[string]string{}}
		if name := cell(r, "community"); name != "" {
			id, ok := communities[name]
			if !ok {
				res.Errors = append(res.Errors, RowError{Row: r.Num, Field: "community",
					Zh: fmt.Sprintf("第%d行“社区”：没有名为“%s”的社区", r.Num, name), En: fmt.Sprintf("row %d, community: no community named %q", r.Num, name)})
				continue
			}
			in.CommunityID = id
		}
		for _, f := range t.Fields {
			if v := cell(r, f.Key); v != "" {
				if f.Type == Date {
					v = excelDay(v)
				}
				in.Values[f.Key] = v
			}
		}
		e, err := t.Check(in)
		if err == nil && !CanEdit(a, t, in.CommunityID) {
			err = jiedao.Forbidden("只能登记本社区（或台账所属单位）的记录", "you may add entries of your own community (or the ledger's unit) only")
		}
		if err == nil {
			err = s.checkRefs(ctx, t, e)
		}
		if err == nil {
			if e.CommunityID == 0 && own == nil {
				// Entries of no community are the importer's subdistrict's:
				// looked up once.
				var x Entry
				ownErr = s.place(ctx, a, &x, 0, comms)
				own = &x.JurisdictionID
			}
			if e.CommunityID == 0 && ownErr != nil {
				err = ownErr
			} else if e.CommunityID == 0 {
				e.JurisdictionID = *own
			} else {
				err = s.place(ctx, a, &e, 0, comms)
			}
		}
		if err != nil {
			res.Errors = append(res.Errors, rowError(r.Num, t, err))
			continue
		}
		entries = append(entries, &e)
	}
	if len(res.Errors) > 0 || dryRun || len(entries) == 0 {
		return res, nil
	}
	if err := s.Store.CreateEntries(ctx, t, entries, a, s.now()); err != nil {
		return nil, err
	}
	res.Created = len(entries)
	return res, nil
}

// rowError names the row and the field of a check's error.
func rowError(row int, t *Type, err error) RowError {
	e, ok := err.(*jiedao.Error)
	if !ok {
		return RowError{Row: row, Zh: fmt.Sprintf("第%d行：%v", row, err), En: fmt.Sprintf("row %d: %v", row, err)}
	}
	name := map[string]string{"day": colDay, "community_id": colCommunity, "place": colPlace}[e.Field]
	if f, ok := t.Field(e.Field); ok {
		name = f.Name
	}
	zh := fmt.Sprintf("第%d行", row)
	if name != "" {
		zh += "“" + name + "”"
	}
	return RowError{Row: row, Field: e.Field, Zh: zh + "：" + e.Zh, En: fmt.Sprintf("row %d: %s", row, e.En)}
}

// excelDay turns an Excel date serial (a raw cell of a date) into a day;
// any other text is returned as it is.
func excelDay(s string) string {
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 20000 && n < 80000 {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(n*24) * time.Hour)
		return t.Format("2006-01-02")
	}
	return s
}

type sheetRow = sheet.Row

// readSheet reads an XLSX or CSV file (internal/sheet: the first sheet,
// raw cells, blank rows skipped, UTF-8 or GB18030 CSV) within the
// ledger's limits.
func readSheet(data []byte) ([]sheetRow, error) {
	t, err := sheet.ReadWithin(data, sheet.Limits{Bytes: MaxImportBytes, Rows: MaxImportRows})
	if err != nil {
		return nil, err
	}
	return t.Rows, nil
}

// Export writes the entries of q as a table in the layout Import reads,
// streamed page by page.
func (s *Service) Export(ctx context.Context, a org.Actor, code string, q Query, w io.Writer, format table.Format) error {
	t, err := s.Type(ctx, code)
	if err != nil {
		return err
	}
	if q, err = scope(a, t, q); err != nil {
		return err
	}
	names := map[int64]string{}
	if s.Communities != nil {
		cs, err := s.Communities(ctx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			names[c.ID] = c.Name
		}
	}
	tw, err := table.NewWriter(w, format, t.Name)
	if err != nil {
		return err
	}
	head := []any{}
	for _, h := range Header(t) {
		head = append(head, h)
	}
	head = append(head, "记录号", "版本", "最后修改人", "最后修改时间")
	if err := tw.Row(head...); err != nil {
		return err
	}
	const page = 1000
	for off := 0; ; off += page {
		es, _, err := s.Store.ListEntries(ctx, q, page, off)
		if err != nil {
			return err
		}
		for _, e := range es {
			row := []any{e.Day, names[e.CommunityID], e.Place}
			for _, f := range t.Fields {
				if f.Retired {
					continue
				}
				v := e.Values[f.Key]
				if n, err := strconv.ParseFloat(v, 64); err == nil && f.Type.Numeric() {
					row = append(row, n)
				} else {
					row = append(row, v)
				}
			}
			row = append(row, e.ID, e.Version, e.UpdatedBy, e.UpdatedAt)
			if err := tw.Row(row...); err != nil {
				return err
			}
		}
		if len(es) < page {
			break
		}
	}
	return tw.Close()
}
