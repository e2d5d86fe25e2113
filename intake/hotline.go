package intake

import (
	"context"
	"io"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	tables "github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// The columns the export adds after the file's own: what became of each
// work order in jiedao. A file exported and imported again carries them
// as columns of its own; the next export writes them afresh, once.
var exportAdded = []string{"街道案件编号", "办理状态", "办理结果", "办结时间"}

// Export is a 12345 export checked, recorded and ready to write.
type Export struct {
	s        *Service
	grant    casework.ExportGrant
	clientID int64
	from, to time.Time
	headers  []string           // the files' own columns
	layouts  map[int64][]string // each import's header row
}

// HotlineExport prepares the export of the work orders whose time of call
// is in [from, to), in the layout they were imported in. Staff who see
// every case export all of them; the 12345 platform's own client exports
// its own. Callers' names and phone numbers are masked unless req asks
// for them with the right and a reason (casework.Service.GrantExport);
// the export is on the audit trail before it is returned.
func (s *Service) HotlineExport(ctx context.Context, a org.Actor, from, to time.Time, req casework.ExportRequest) (*Export, error) {
	x := &Export{s: s, from: from, to: to, layouts: map[int64][]string{}}
	switch {
	case a.Kind == org.ActorClient && casework.Channel(a.Channel) == casework.ChannelHotline:
		x.clientID = a.ID
	case a.Kind == org.ActorResident:
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	case !a.SeesAll():
		return nil, jiedao.Forbidden("您无权导出12345工单", "you may not export the 12345 work orders")
	}
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return nil, jiedao.Invalid("from", "请给出有效的起止日期", "give a valid period")
	}
	layouts, err := s.Store.ExportLayouts(ctx, casework.ChannelHotline, x.clientID, from, to)
	if err != nil {
		return nil, err
	}
	for _, l := range layouts {
		x.layouts[l.ImportID] = l.Headers
	}
	x.headers = exportHeaders(layouts)
	n, err := s.Store.CountExportRows(ctx, casework.ChannelHotline, x.clientID, from, to)
	if err != nil {
		return nil, err
	}
	if x.grant, err = s.Cases.GrantExport(ctx, a, casework.AuditExportHotline, "hotline", req, n, nil); err != nil {
		return nil, err
	}
	return x, nil
}

// exportHeaders is the union of the imports' header rows, in the order
// first seen, without the export's own columns; with no import, the
// standard layout. A column that means what an earlier one means (工单号
// in one file, 工单编号 in another) is not repeated: its cells go under the
// earlier one, so that the export can be imported again.
func exportHeaders(layouts []Layout) []string {
	added := map[string]bool{}
	for _, h := range exportAdded {
		added[h] = true
	}
	var out []string
	seen := map[string]bool{}
	fields := map[field]bool{}
	for _, l := range layouts {
		meaning := fieldsOf(l.Headers)
		for i, h := range l.Headers {
			if h == "" || added[h] || seen[h] {
				continue
			}
			if f, ok := meaning[i]; ok {
				if fields[f] {
					continue
				}
				fields[f] = true
			}
			seen[h] = true
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		for _, c := range hotlineLayout.columns {
			out = append(out, c.header)
		}
	}
	return out
}

// FileName is the name the export is offered under, without its .xlsx.
func (x *Export) FileName() string {
	last := x.to.Add(-time.Nanosecond)
	return "12345工单_" + x.from.Format("20060102") + "-" + last.Format("20060102")
}

// WriteTo streams the XLSX: rows are read from the database and written
// on one at a time (package table), so a year exports in constant memory
// and its first bytes leave at once.
func (x *Export) WriteTo(ctx context.Context, w io.Writer) error {
	tw, err := tables.NewWriter(w, tables.XLSX, "12345工单")
	if err != nil {
		return err
	}
	head := make([]any, 0, len(x.headers)+len(exportAdded))
	for _, h := range append(append([]string{}, x.headers...), exportAdded...) {
		head = append(head, h)
	}
	if err := tw.Row(head...); err != nil {
		return err
	}
	// The columns of the callers' names and phones, masked as granted.
	mask := map[int]func(string) string{}
	if x.grant.Masked {
		for j, f := range fieldsOf(x.headers) {
			switch f {
			case fName:
				mask[j] = org.MaskName
			case fPhone:
				mask[j] = org.MaskPhone
			}
		}
	}
	// Per import: where each of its columns goes in the export.
	places := map[int64][]int{}
	n := 0
	err = x.s.Store.EachExportRow(ctx, casework.ChannelHotline, x.clientID, x.from, x.to, func(r *ExportRow) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		place, ok := places[r.ImportID]
		if !ok {
			place = placeColumns(x.layouts[r.ImportID], x.headers)
			places[r.ImportID] = place
		}
		row := make([]any, len(x.headers)+len(exportAdded))
		for i := range x.headers {
			row[i] = ""
		}
		for i, v := range r.Cells {
			if i < len(place) && place[i] >= 0 {
				if m := mask[place[i]]; m != nil {
					v = m(v)
				}
				row[place[i]] = v
			}
		}
		closed := ""
		if r.ClosedAt != nil {
			closed = formatTime(*r.ClosedAt)
		}
		k := len(x.headers)
		row[k], row[k+1], row[k+2], row[k+3] = r.CaseNumber, r.Status.Zh(), r.Result, closed
		if err := tw.Row(row...); err != nil {
			return err
		}
		if n++; n%casework.ExportPage == 0 {
			return tw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// fieldsOf says what each column of a header row means, where it means
// something to the hotline layout.
func fieldsOf(headers []string) map[int]field {
	out := map[int]field{}
	for f, i := range hotlineLayout.mapColumns(headers).index {
		out[i] = f
	}
	return out
}

// placeColumns says where each column of an import goes among the
// export's: under the column of the same meaning, else of the same name,
// else nowhere (-1).
func placeColumns(layout, export []string) []int {
	byField := map[field]int{}
	for j, f := range fieldsOf(export) {
		byField[f] = j
	}
	byName := map[string]int{}
	for j, h := range export {
		if _, ok := byName[h]; !ok {
			byName[h] = j
		}
	}
	meaning := fieldsOf(layout)
	place := make([]int, len(layout))
	for i, h := range layout {
		place[i] = -1
		if f, ok := meaning[i]; ok {
			if j, ok := byField[f]; ok {
				place[i] = j
				continue
			}
		}
		if j, ok := byName[h]; ok {
			place[i] = j
		}
	}
	return place
}
