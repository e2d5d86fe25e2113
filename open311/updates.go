package open311

import (
	"cmp"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
)

// FixMyStreet's servicerequestupdates: one update per step of a case that a
// reporter would want to hear of — a step that changed the status, a note
// (comment) and the resident's rating — never the first report (that is
// the request itself) nor internal steps (warnings, overdue marks,
// supervision, extensions, a re-dispatch to the same status). update_id is
// the event's id.

// Windows of GET servicerequestupdates.
const (
	defaultUpdateSpan = 24 * time.Hour
	maxUpdateSpan     = 90 * 24 * time.Hour
)

// maxUpdateDescription leaves room in a step's reason (2000 characters at
// most) for the note on the client's status.
const maxUpdateDescription = 1900

// isUpdate says whether an event is an update.
func isUpdate(e *casework.Event) bool {
	if e.Seq <= 1 {
		return false
	}
	switch e.Action {
	case casework.ActComment, casework.ActRate:
		return true
	case casework.ActWarn, casework.ActOverdue, casework.ActSupervise,
		casework.ActRequestExtension, casework.ActApproveExtension, casework.ActDenyExtension:
		return false
	}
	return e.From != e.To
}

// update is one update ready to render.
type update struct {
	e      *casework.Event
	number string
	status string
}

// collect picks the updates of the histories within [from, to) (a zero
// bound is open) and, when ids are given, with one of those update ids;
// oldest first.
func collect(hs []casework.History, from, to time.Time, ids []string) []update {
	var out []update
	for _, h := range hs {
		verified := false // whether the last close followed a verification
		for _, e := range h.Events {
			if e.Action == casework.ActClose {
				verified = e.From == casework.StatusVerified
			}
			if !isUpdate(e) || (!from.IsZero() && e.At.Before(from)) || (!to.IsZero() && !e.At.Before(to)) {
				continue
			}
			if len(ids) > 0 && !slices.Contains(ids, strconv.FormatInt(e.ID, 10)) {
				continue
			}
			out = append(out, update{e: e, number: h.Case.Number, status: Extended(e.To, verified)})
		}
	}
	slices.SortFunc(out, func(a, b update) int {
		if n := a.e.At.Compare(b.e.At); n != 0 {
			return n
		}
		return cmp.Compare(a.e.ID, b.e.ID)
	})
	return out
}

// description says what an update did: a note is its text; a rating its
// verdict and comment; another step its name, its reason, and for a
// dispatch the unit.
func (lk *lookups) description(e *casework.Event) string {
	switch e.Action {
	case casework.ActComment:
		return e.Reason
	case casework.ActRate:
		s := "评价：" + ratingZh(e.Payload.Rating)
		if e.Payload.Comment != "" {
			s += "。" + e.Payload.Comment
		}
		return s
	}
	s := e.Action.Zh()
	if e.Action == casework.ActDispatch {
		if u, ok := lk.units[e.Payload.UnitID]; ok {
			s += "至" + u
		}
	}
	if e.Reason != "" {
		s += "：" + e.Reason
	}
	return s
}

// Updates answers GET servicerequestupdates.json and .xml: the updates
// between start_date and end_date (by default the last 24 hours; at most
// 90 days), oldest first. service_request_id (a comma list) narrows them to
// those requests, and then the dates are optional; update_id (a comma
// list) picks updates by id.
func (h *Handler) Updates(w http.ResponseWriter, r *http.Request) {
	c, a, _ := h.beginRead(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	var err error
	var hs []casework.History
	var from, to time.Time
	if numbers := c.splitList("service_request_id"); len(numbers) > 0 {
		if len(numbers) > maxPageSize {
			c.fail(badRequest("service_request_id 一次最多1000个", "at most 1000 service_request_id at once"))
			return
		}
		if s := c.param("start_date"); s != "" {
			if from, err = parseDate("start_date", s, false); err != nil {
				c.fail(err)
				return
			}
		}
		if e := c.param("end_date"); e != "" {
			if to, err = parseDate("end_date", e, true); err != nil {
				c.fail(err)
				return
			}
		}
		if !from.IsZero() && !to.IsZero() && !from.Before(to) {
			c.fail(badRequest("start_date 须早于 end_date", "start_date must be before end_date"))
			return
		}
		for _, n := range numbers {
			k, err := h.Cases.PublicGet(c.ctx, a, n)
			if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !c.inScope(k)) {
				continue
			} else if err != nil {
				c.fail(err)
				return
			}
			events, err := h.Cases.PublicEvents(c.ctx, k)
			if err != nil {
				c.fail(err)
				return
			}
			hs = append(hs, casework.History{Case: k, Events: events})
		}
	} else {
		if from, to, err = c.dateRange(defaultUpdateSpan); err != nil {
			c.fail(err)
			return
		}
		if to.Sub(from) > maxUpdateSpan+time.Microsecond {
			c.fail(badRequest("start_date 到 end_date 最多90天", "start_date to end_date may span at most 90 days"))
			return
		}
		if hs, err = h.Cases.PublicUpdates(c.ctx, from, to); err != nil {
			c.fail(err)
			return
		}
		hs = slices.DeleteFunc(hs, func(h casework.History) bool { return !c.inScope(h.Case) })
	}
	lk, err := c.lookups()
	if err != nil {
		c.fail(err)
		return
	}
	ups := collect(hs, from, to, c.splitList("update_id"))
	items := make([]any, 0, len(ups))
	for _, u := range ups {
		media := ""
		if i := slices.IndexFunc(u.e.Payload.Photos, isMediaURL); i >= 0 {
			media = u.e.Payload.Photos[i]
		}
		items = append(items, obj{
			{"update_id", strconv.FormatInt(u.e.ID, 10)},
			{"service_request_id", u.number},
			{"status", u.status},
			{"updated_datetime", stamp(u.e.At)},
			{"description", truncate(lk.description(u.e), maxDescription)},
			{"media_url", str(media)},
			{"external_status_code", string(u.e.To)},
		})
	}
	c.ok(doc{root: "service_requests_updates", value: list{item: "request_update", items: items}})
}

// PostUpdate answers POST servicerequestupdates.json and .xml: a client
// adds a note to one of its own requests, as the casework step "comment"
// (补充说明) with the description as its text. Clients cannot change a
// case's status: a status they send (FixMyStreet sends OPEN, CLOSED or
// FIXED as the reporter sees it) is kept in the note for the command
// center to act on. updated_datetime, when sent, must be a datetime but
// does not date the step: every step is stamped when jiedao records it.
// Names and e-mail addresses of whoever wrote the update are not stored,
// since notes are public.
func (h *Handler) PostUpdate(w http.ResponseWriter, r *http.Request) {
	c, _ := h.begin(w, r, path.Base(r.URL.Path))
	if c == nil {
		return
	}
	a, err := c.client()
	if err != nil {
		c.fail(err)
		return
	}
	number := c.param("service_request_id")
	if number == "" {
		c.fail(missing("service_request_id"))
		return
	}
	desc := strings.TrimSpace(c.r.Form.Get("description"))
	if desc == "" {
		c.fail(missing("description"))
		return
	}
	if n := utf8.RuneCountInString(desc); n > maxUpdateDescription {
		c.fail(badRequest("description 不能超过1900字（现为"+strconv.Itoa(n)+"字）",
			"description must be at most 1900 characters (it has "+strconv.Itoa(n)+")"))
		return
	}
	status := strings.ToUpper(c.param("status"))
	if status != "" && !slices.Contains(ExtendedStatuses(), status) {
		c.fail(badRequest("status 无效："+status+"（可用："+strings.Join(ExtendedStatuses(), ", ")+"）",
			"invalid status: "+status+" (use one of "+strings.Join(ExtendedStatuses(), ", ")+")"))
		return
	}
	if v := c.param("updated_datetime"); v != "" {
		if _, err := parseDate("updated_datetime", v, false); err != nil {
			c.fail(err)
			return
		}
	}
	var photos []string
	if m := c.param("media_url"); m != "" {
		if err := checkMediaURL(m); err != nil {
			c.fail(err)
			return
		}
		photos = []string{m}
	}
	unknown := notFound("service_request_id 不存在："+number, "service_request_id not found: "+number)
	k, err := h.Cases.PublicGet(c.ctx, a, number)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !c.inScope(k)) {
		c.fail(unknown)
		return
	} else if err != nil {
		c.fail(err)
		return
	}
	reason := desc
	if status != "" && status != caseExtended(k) {
		reason += "（客户端报告状态：" + status + " / the client reports status " + status + "）"
	}
	k, err = h.Cases.Step(c.ctx, a, k.ID, casework.StepInput{Action: casework.ActComment, Reason: reason, Photos: photos})
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		c.fail(unknown) // another client's request
		return
	} else if err != nil {
		c.fail(err)
		return
	}
	events, err := h.Cases.PublicEvents(c.ctx, k)
	if err != nil {
		c.fail(err)
		return
	}
	// The case Step returned counts the note as its last event.
	i := slices.IndexFunc(events, func(e *casework.Event) bool { return e.Seq == k.EventCount })
	if i < 0 {
		c.fail(fmt.Errorf("open311: the note on case %s is not among its events", k.Number))
		return
	}
	c.ok(doc{root: "service_request_updates", value: list{item: "request_update", items: []any{obj{
		{"update_id", strconv.FormatInt(events[i].ID, 10)},
	}}}})
}
