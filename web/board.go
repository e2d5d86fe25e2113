package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// boardSection is one pile of work on the command center's board.
type boardSection struct {
	Key, Zh, En string
	Filter      casework.Filter
	Cases       []caseView
	Total       int
	Link        string
}

// unsatisfiedDays is how far back the board looks for unsatisfied ratings.
const unsatisfiedDays = 90

func boardSections(base casework.Filter, now time.Time) []boardSection {
	with := func(f func(*casework.Filter)) casework.Filter {
		x := base
		f(&x)
		return x
	}
	return []boardSection{
		// The dispatch queues hold ordinary cases: a dispute, petition or
		// enforcement case "accepted" (立案) is its officer's, not waiting
		// for dispatch.
		{Key: "new", Zh: "新上报待受理", En: "New, to accept", Filter: with(func(f *casework.Filter) {
			f.Statuses, f.Ordinary = []casework.Status{casework.StatusReported}, true
		})},
		{Key: "returned", Zh: "待派遣（已立案、退回）", En: "To dispatch (accepted, returned)", Filter: with(func(f *casework.Filter) {
			f.Statuses, f.Ordinary = []casework.Status{casework.StatusReturned, casework.StatusAccepted}, true
		})},
		{Key: "unsigned", Zh: "已派遣未签收", En: "Dispatched, not signed for", Filter: with(func(f *casework.Filter) { f.Statuses = []casework.Status{casework.StatusDispatched} })},
		{Key: "warning", Zh: "预警", En: "Warning", Filter: with(func(f *casework.Filter) { f.Due = casework.DueWarning })},
		{Key: "overdue", Zh: "超期", En: "Overdue", Filter: with(func(f *casework.Filter) { f.Due = casework.DueOverdue })},
		{Key: "verify", Zh: "待核查、待结案", En: "To verify or close", Filter: with(func(f *casework.Filter) {
			f.Statuses = []casework.Status{casework.StatusHandled, casework.StatusVerified}
		})},
		{Key: "hung", Zh: "挂账", En: "On hold", Filter: with(func(f *casework.Filter) { f.Statuses = []casework.Status{casework.StatusHung} })},
		{Key: "unsatisfied", Zh: "不满意待复核", En: "Rated unsatisfied", Filter: with(func(f *casework.Filter) {
			f.Statuses = []casework.Status{casework.StatusClosed}
			f.Ratings = []casework.Rating{casework.RatingUnsatisfied}
			// Ratings come within weeks of the report: an unsatisfied
			// case older than this has been reviewed (or never will be),
			// and the bound spares the board a scan of every closed case.
			if f.From.IsZero() {
				f.From = now.AddDate(0, 0, -unsatisfiedDays)
			}
		})},
	}
}

type boardData struct {
	Sections []boardSection
	N        *names
	Channels []casework.Channel
	Groups   []catGroup
	Query    string // the filter, for the rows and the stream
	// Stream is the new reports waiting for acceptance, oldest first, as
	// the big screen's left column shows them.
	Stream []streamItem
	// Dispatcher may take 一键派单.
	Dispatcher bool
}

// streamItem is a new report on the board: how long it has waited, its
// first photo, whether it lies outside every grid, and the unit routing
// suggests for 一键派单.
type streamItem struct {
	caseView
	Photo     int64 // 0: none
	Waiting   time.Duration
	Outside   bool // a location outside every grid, or no place at all
	Suggested string
}

// boardFilter reads the board's filter: community, category, channel.
func boardFilter(q url.Values) casework.Filter {
	f, err := api.ParseFilter(url.Values{"community_id": {q.Get("community_id")}, "category": {q.Get("category")}, "channel": {q.Get("channel")}})
	if err != nil {
		return casework.Filter{}
	}
	return f
}

func (h *Handler) boardData(r *http.Request, a org.Actor) (*boardData, error) {
	q := r.URL.Query()
	base := boardFilter(q)
	d := &boardData{Sections: boardSections(base, h.Cases.Now()), Channels: casework.Channels(), Query: api.FilterQuery(base).Encode()}
	for i := range d.Sections {
		s := &d.Sections[i]
		s.Filter.Limit = 12
		cases, total, err := h.Cases.List(r.Context(), a, s.Filter)
		if err != nil {
			return nil, err
		}
		s.Total = total
		for _, c := range cases {
			s.Cases = append(s.Cases, h.view(c))
		}
		s.Filter.Limit = 0
		s.Link = "/cases?" + api.FilterQuery(s.Filter).Encode()
	}
	var err error
	if d.N, err = h.names(r.Context(), a); err != nil {
		return nil, err
	}
	d.Dispatcher = a.Is(org.RoleDispatcher)
	// The stream: the oldest new reports first, the longest waiting on top.
	sf := d.Sections[0].Filter
	sf.Sort, sf.Asc, sf.Limit = casework.SortReported, true, 12
	waiting, _, err := h.Cases.List(r.Context(), a, sf)
	if err != nil {
		return nil, err
	}
	now := h.Cases.Now()
	firstPhoto, err := h.Photos.FirstOf(r.Context(), a, waiting)
	if err != nil {
		return nil, err
	}
	for _, c := range waiting {
		it := streamItem{caseView: h.view(c), Waiting: now.Sub(c.ReportedAt), Outside: c.Unplaced || c.GridID == 0}
		if c.SuggestedUnit != 0 {
			it.Suggested = d.N.Unit[c.SuggestedUnit]
		}
		it.Photo = firstPhoto[c.ID]
		d.Stream = append(d.Stream, it)
	}
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	d.Groups = groupCategories(cats)
	return d, nil
}

// Board is the command center's live board: on a wall screen (1600 px
// and wider) a full-height layout with the map at its centre, the stream
// of new reports on the left and the piles of work on the right; on a
// desktop and a phone the same parts one under the other.
func (h *Handler) Board(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	p := h.newPage(w, r, "指挥台|Command board")
	if n := r.URL.Query().Get("dispatched"); n != "" {
		p.Notice = p.T("已一键派单：", "Dispatched: ") + n
	}
	h.showBoard(w, r, p, a, http.StatusOK)
}

func (h *Handler) showBoard(w http.ResponseWriter, r *http.Request, p *page, a org.Actor, status int) {
	d, err := h.boardData(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Active = "/board"
	p.Form = r.URL.Query()
	p.Data = d
	p.Styles = []string{"vendor/leaflet.css"}
	p.Scripts = []string{"vendor/leaflet.js", "board.js", "boardmap.js"}
	p.Body = "wide board-page"
	h.render(w, r, status, "board", p)
}

// BoardDispatch is 一键派单 from the board: the new report is accepted and
// dispatched to the unit routing suggests, in one press. The board comes
// back with a notice, or with the reason it could not be done.
func (h *Handler) BoardDispatch(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, maxForm) {
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	c, err := h.Cases.Get(r.Context(), a, id)
	if err == nil {
		c, err = h.dispatchNow(r.Context(), a, c, 0)
	}
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND && jiedao.ErrorField(err) == "" {
			h.fail(w, r, err)
			return
		}
		p := h.newPage(w, r, "指挥台|Command board")
		p.Error = p.Msg(err)
		status := http.StatusUnprocessableEntity
		if jiedao.ErrorCode(err) == jiedao.EFORBIDDEN {
			status = http.StatusForbidden
		} else if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
			status = http.StatusConflict
		}
		h.showBoard(w, r, p, a, status)
		return
	}
	http.Redirect(w, r, "/board?dispatched="+url.QueryEscape(c.Number), http.StatusSeeOther)
}

// streamEvery is how often the stream asks the database for changes when
// nothing wakes it; a test may shorten it. With change notices
// (Handler.CaseEvents) it asks when woken, and every streamFallback in
// case a notice was lost.
var streamEvery = 2 * time.Second

const streamFallback = 15 * time.Second

// BoardStream sends the board a server-sent event whenever cases it may
// see change. It reads the cases updated since it last looked from the
// database, because several serve processes may share one PostgreSQL and
// a step taken through any of them must reach every board: it looks when a
// change notice wakes it (NOTIFY on PostgreSQL, carrying the case's id
// only; in process on SQLite), and every so often in any case (a notice
// is a wake-up, never the record: what the board may see is read through
// its actor's access). Each query looks back a little past its last
// cursor, so that a transaction that committed late is not missed; the
// (case, event count) pairs already sent are skipped.
func (h *Handler) BoardStream(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return
	}
	base := boardFilter(r.URL.Query())
	cursor := h.Cases.Now()
	const lookBack = 10 * time.Second
	sent := map[string]time.Time{}
	every := streamEvery
	var events <-chan string
	if h.CaseEvents != nil {
		ch, cancel := h.CaseEvents()
		defer cancel()
		events, every = ch, max(streamEvery, streamFallback)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	wrote := time.Now()
	checked := time.Now()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		case <-events:
			// A burst of steps is one look: wait a moment, take what
			// else came.
			time.Sleep(50 * time.Millisecond)
			for len(events) > 0 {
				<-events
			}
		}
		// The session is checked again every minute, so that a stream
		// ends when its session does (signed out elsewhere, account
		// disabled). A board left open on the command center's wall screen
		// is in use: the check keeps its session from idling out.
		if time.Since(checked) > time.Minute {
			checked = time.Now()
			c, err := r.Cookie(api.SessionCookie)
			if err == nil {
				_, err = h.Auth.Authenticate(r.Context(), c.Value)
			}
			if err != nil {
				fmt.Fprint(w, "event: end\ndata: {}\n\n")
				_ = rc.Flush()
				return
			}
		}
		f := base
		f.UpdatedSince, f.Limit = cursor.Add(-lookBack), 200
		cases, _, err := h.Cases.List(r.Context(), a, f)
		if err != nil {
			if r.Context().Err() == nil {
				h.Log.Warn("board stream", "err", err)
			}
			return
		}
		var changed []map[string]any
		for _, c := range cases {
			key := fmt.Sprintf("%d/%d", c.ID, c.EventCount)
			if _, ok := sent[key]; ok {
				continue
			}
			sent[key] = c.UpdatedAt
			if c.UpdatedAt.After(cursor) {
				cursor = c.UpdatedAt
			}
			changed = append(changed, map[string]any{"id": c.ID, "number": c.Number, "status": c.Status})
		}
		for k, t := range sent {
			if t.Before(cursor.Add(-2 * lookBack)) {
				delete(sent, k)
			}
		}
		if len(changed) > 0 {
			b, _ := json.Marshal(changed)
			fmt.Fprintf(w, "event: cases\ndata: %s\n\n", b)
			wrote = time.Now()
		} else if time.Since(wrote) >= 15*time.Second {
			fmt.Fprint(w, ": keep-alive\n\n") // proxies close silent connections
			wrote = time.Now()
		} else {
			continue
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// BoardRows is the board's sections alone, which board.js fetches with
// htmx when the stream says something changed.
func (h *Handler) BoardRows(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	d, err := h.boardData(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "指挥台|Command board")
	p.Data = d
	h.render(w, r, http.StatusOK, "boardrows", p)
}
