package api

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// Exports of the case list: GET /api/v1/cases/export here, and the pages'
// /cases/export.xlsx and .csv (package web), with the same columns,
// written by CaseTable and streamed by StreamCases.

// CaseLabels names what a case row shows, in the reader's language: the
// pages pass their page (Chinese or English), the API Chinese.
type CaseLabels interface {
	T(zh, en string) string
	ChannelName(casework.Channel) string
	StatusName(casework.Status) string
	RatingName(casework.Rating) string
	DueName(casework.DueState) string
	CatName(cats map[string]*casework.Category, code string) string
}

// chinese names everything in Chinese, jiedao's first language.
type chinese struct{}

func (chinese) T(zh, _ string) string                 { return zh }
func (chinese) ChannelName(c casework.Channel) string { return c.Zh() }
func (chinese) StatusName(s casework.Status) string   { return s.Zh() }
func (chinese) RatingName(r casework.Rating) string   { return r.Zh() }
func (chinese) DueName(d casework.DueState) string    { return d.Zh() }
func (chinese) CatName(cats map[string]*casework.Category, code string) string {
	if c := cats[code]; c != nil {
		return c.Name
	}
	return code
}

// Names are the names of the categories and places case rows refer to.
type Names struct {
	Cats      map[string]*casework.Category
	Unit      map[int64]string
	Grid      map[int64]string
	Community map[int64]string
}

// NamesOf indexes the categories, units, grids and communities by code
// and id.
func NamesOf(cats []*casework.Category, units []*org.Unit, grids []*org.Grid, comms []*org.Community) Names {
	n := Names{Cats: make(map[string]*casework.Category, len(cats)), Unit: make(map[int64]string, len(units)),
		Grid: make(map[int64]string, len(grids)), Community: make(map[int64]string, len(comms))}
	for _, c := range cats {
		n.Cats[c.Code] = c
	}
	for _, u := range units {
		n.Unit[u.ID] = u.Name
	}
	for _, g := range grids {
		n.Grid[g.ID] = g.Name
	}
	for _, c := range comms {
		n.Community[c.ID] = c.Name
	}
	return n
}

// LoadNames reads the names an actor's case rows may refer to. Machine
// clients are not shown the directory (org.Directory), so their rows name
// categories only.
func LoadNames(ctx context.Context, cases *casework.Service, dir *org.Directory, a org.Actor) (Names, error) {
	cats, err := cases.Categories(ctx)
	if err != nil || a.Kind != org.ActorStaff {
		return NamesOf(cats, nil, nil, nil), err
	}
	units, err := dir.Units(ctx, a)
	if err != nil {
		return Names{}, err
	}
	grids, err := dir.Grids(ctx, a)
	if err != nil {
		return Names{}, err
	}
	comms, err := dir.Communities(ctx, a)
	if err != nil {
		return Names{}, err
	}
	return NamesOf(cats, units, grids, comms), nil
}

// CaseTable writes cases as rows of an export.
type CaseTable struct {
	L     CaseLabels
	Names Names
	Now   time.Time // for the deadline state
}

// Header is the export's first row.
func (t CaseTable) Header() []any {
	l := t.L
	return []any{l.T("编号", "Number"), l.T("上报时间", "Reported"), l.T("渠道", "Channel"), l.T("类型", "Kind"),
		l.T("标题", "Title"), l.T("状态", "Status"), l.T("社区", "Community"), l.T("网格", "Grid"), l.T("承办单位", "Unit"),
		l.T("地址", "Address"), l.T("报告人", "Reporter"), l.T("联系电话", "Phone"), l.T("结案时间", "Closed"),
		l.T("按期结案", "Closed on time"), l.T("评价", "Rating"), l.T("时限状态", "Deadline"),
		l.T("移交/来电时间", "Transferred / called at")}
}

// Row is one case's row, its contact as the export was granted.
func (t CaseTable) Row(c *casework.Case) []any {
	l, n := t.L, t.Names
	onTime := ""
	if c.ClosedOnTime != nil {
		onTime = l.T("否", "no")
		if *c.ClosedOnTime {
			onTime = l.T("是", "yes")
		}
	}
	return []any{c.Number, c.ReportedAt, l.ChannelName(c.Channel), l.CatName(n.Cats, c.Category), c.Title,
		l.StatusName(c.Status), n.Community[c.Community], n.Grid[c.GridID], n.Unit[c.UnitID], c.Address,
		c.Reporter.Name, c.Reporter.Phone, c.ClosedAt, onTime, l.RatingName(c.Rating), l.DueName(c.DueStateAt(t.Now)), c.SourceAt}
}

// ExportRequest reads what an export asks besides its filter:
// contacts=full with a reason; the format and the filter (as FilterQuery
// writes it) go on the record.
func ExportRequest(q url.Values, f casework.Filter, format table.Format) casework.ExportRequest {
	return casework.ExportRequest{Format: string(format), Query: FilterQuery(f).Encode(),
		FullContacts: q.Get("contacts") == "full", Reason: q.Get("reason")}
}

// StartDownload begins a streamed download: its headers, and a write
// deadline long enough for a year (the server's is meant for ordinary
// answers). The returned writer flushes each flush through to the client.
func StartDownload(w http.ResponseWriter, format table.Format, name string) *Download {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Minute))
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + string(format)}))
	w.Header().Set("Cache-Control", "no-store")
	return &Download{w: w, rc: rc}
}

// Download is a response being streamed.
type Download struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (d *Download) Write(b []byte) (int, error) { return d.w.Write(b) }

// Flush sends what was written to the client now.
func (d *Download) Flush() error { return d.rc.Flush() }

// Abort ends a download that failed after its first byte: the connection
// is cut, so that the client sees a broken transfer rather than a file
// that looks complete.
func (d *Download) Abort(log *slog.Logger, r *http.Request, err error) {
	log.ErrorContext(r.Context(), "download failed", "path", r.URL.Path, "err", err)
	panic(http.ErrAbortHandler)
}

// StreamCases writes an allowed export as a download, a page of rows at a
// time, each page flushed to the client before the next is read.
func StreamCases(w http.ResponseWriter, r *http.Request, log *slog.Logger, x *casework.CaseExport, format table.Format, name string, t CaseTable) {
	d := StartDownload(w, format, name)
	tw, err := table.NewWriter(d, format, name)
	if err == nil {
		err = tw.Row(t.Header()...)
	}
	n := 0
	if err == nil {
		err = x.Each(r.Context(), func(c *casework.Case) error {
			if err := tw.Row(t.Row(c)...); err != nil {
				return err
			}
			if n++; n%x.Page == 0 {
				return tw.Flush()
			}
			return nil
		})
	}
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		d.Abort(log, r, err)
	}
}

// ExportCases streams the cases the caller may see that match the list's
// filters: GET /api/v1/cases/export?format=csv|xlsx[&contacts=full&reason=…].
func (h *Handler) ExportCases(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f, err := ParseFilter(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	format, err := table.ParseFormat(q.Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, err := LoadNames(r.Context(), h.Cases, h.Directory, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	x, err := h.Cases.ExportCases(r.Context(), a, f, ExportRequest(q, f, format))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	StreamCases(w, r, h.Log, x, format, "案件", CaseTable{L: chinese{}, Names: names, Now: h.Cases.Now()})
}
