package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

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
		{Key: "new", Zh: "新上报待受理", En: "New, to accept", Filter: with(func(f *casework.Filter) { f.Statuses = []casework.Status{casework.StatusReported} })},
		{Key: "returned", Zh: "待派遣（已立案、退回）", En: "To dispatch (accepted, returned)", Filter: with(func(f *casework.Filter) {
			f.Statuses = []casework.Status{casework.StatusReturned, casework.StatusAccepted}
		})},
		{Key: "unsigned", Zh: "已派遣未签收", En: "Dispatched, not signed for", Filter: with(func(f *casework.Filter) { f.Statuses = []casework.Status{casework.StatusDispatched} })},
		{Key: "warning", Zh: "预警", En: "Warning", Filter: with(func(f *casework.Filter) { f.Due = casework.DueWarning })},
		{Key: "overdue", Zh: "超期", En: "Overdue", Filter: with(func(f *casework.Filter) { f.Due = casework.DueOverdue })},
		{Key: "verify", Zh: "待核查、待结案", En: "To verify or close", Filter: with(func(f *casework.Filter) {
			f.Statuses = []casework.Status{casework.StatusHandled, casework.StatusVerified}
		})},
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
	cats, err := h.Cases.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	d.Groups = groupCategories(cats)
	return d, nil
}

// Board is the command center's live board.
func (h *Handler) Board(w http.ResponseWriter, r *http.Request) {
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
	p.Active = "/board"
	p.Form = r.URL.Query()
	p.Data = d
	p.Scripts = []string{"board.js"}
	p.Body = "wide"
	h.render(w, r, http.StatusOK, "board", p)
}

// streamEvery is how often the stream asks the database for changes; a
// test may shorten it.
var streamEvery = 2 * time.Second

// BoardStream sends the board a server-sent event whenever cases it may
// see change. It polls the database (every streamEvery) for cases updated
// since it last looked, rather than listening in memory, because several
// serve processes may share one PostgreSQL and a step taken through any of
// them must reach every board. Each query looks back a little past its
// last cursor, so that a transaction that committed late is not missed;
// the (case, event count) pairs already sent are skipped.
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
	tick := time.NewTicker(streamEvery)
	defer tick.Stop()
	idle := 0
	checked := time.Now()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
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
			idle = 0
		} else if idle++; idle*int(streamEvery/time.Second) >= 15 {
			fmt.Fprint(w, ": keep-alive\n\n") // proxies close silent connections
			idle = 0
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
