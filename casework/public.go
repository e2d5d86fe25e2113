package casework

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Public reads: what anyone may see of the cases without signing in, for
// Open311 GeoReport v2 readers and public pages. They differ from List and
// Get in three ways, each for a reason:
//
//   - The reporter is gone, not masked: Reporter and ReporterID are cleared,
//     so that no name, phone number or staff id of whoever reported reaches
//     the public, and mobile numbers written into the free text (details,
//     title, address, reasons, rating comments: "联系人王先生13812345678" is
//     common in case text) are masked as org.MaskPhone does.
//   - Who took a step is gone: events keep their kind of actor but lose the
//     actor's id and name, since the public learns what was done, not by
//     whom.
//   - A report's words wait for the command center: until a case is
//     accepted (立案) its title, details, address, attributes and photos
//     are withheld, since nobody has yet read what a resident wrote. A
//     case of a private-home category (Category.PrivateHome: a flat's
//     leak, a neighbour's noise) never shows them, and its place is
//     rounded to about 100 m. The public sees the category, the status
//     and the dates.
//   - Voided cases (作废: records the command center declared void — a
//     mistaken entry, a test, a prank) are left out: they are not reports of
//     a problem. The machine client that submitted one may still look it up
//     by its number (PublicGet), so that it learns what became of it.
//     Rejected and merged cases stay: the public should see that the office
//     declined a report, or that it duplicates another.

// publicLimit bounds one page of a public list (Open311's largest page).
const publicLimit = 1000

// PublicList returns one page of the cases matching f as the public sees
// them, newest first, and how many match in all. f.Scope is ignored: the
// public scope is every case but the voided ones.
func (s *Service) PublicList(ctx context.Context, f Filter) ([]*Case, int, error) {
	f.Scope = Scope{All: true}
	f.Statuses = publicStatuses(f.Statuses)
	if len(f.Statuses) == 0 {
		return []*Case{}, 0, nil // only voided cases were asked for
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, publicLimit)
	f.Offset = max(f.Offset, 0)
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	cases, total, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	private, err := s.privateCategories(ctx)
	if err != nil {
		return nil, 0, err
	}
	for i, c := range cases {
		cases[i] = publicCase(c, private)
	}
	return cases, total, nil
}

// publicStatuses narrows a status filter to the statuses the public sees;
// an empty filter means all of them.
func publicStatuses(want []Status) []Status {
	if len(want) == 0 {
		want = Statuses()
	}
	return slices.DeleteFunc(slices.Clone(want), func(s Status) bool { return s == StatusVoided })
}

// PublicGet returns a case by its number as the public sees it. A voided
// case is "not found", except to the machine client it came from.
func (s *Service) PublicGet(ctx context.Context, a org.Actor, number string) (*Case, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return nil, jiedao.NotFound("案件", "case")
	}
	c, err := s.Store.GetCaseByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusVoided && !(a.Kind == org.ActorClient && c.ClientID != 0 && c.ClientID == a.ID) {
		return nil, jiedao.NotFound("案件", "case")
	}
	private, err := s.privateCategories(ctx)
	if err != nil {
		return nil, err
	}
	return publicCase(c, private), nil
}

// PublicEvents returns the history of a case the caller got from
// PublicGet or PublicList, as the public sees it.
func (s *Service) PublicEvents(ctx context.Context, c *Case) ([]*Event, error) {
	events, err := s.Store.ListEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for i, e := range events {
		events[i] = publicEvent(e, c.withheld)
	}
	return events, nil
}

// History is a case with all its events, oldest first.
type History struct {
	Case   *Case
	Events []*Event
}

// publicScanPage is how many cases PublicUpdates reads at a time.
const publicScanPage = 500

// PublicUpdates returns, as the public sees them, the cases that had a step
// at a time in [from, to), each with its whole history (so that a reader
// can tell what each step meant in its context), oldest step first. Only
// cases changed since from are read (Filter.UpdatedSince, on an index), so
// its cost follows the number of cases that moved, not the size of the
// register.
func (s *Service) PublicUpdates(ctx context.Context, from, to time.Time) ([]History, error) {
	if !from.Before(to) {
		return nil, nil
	}
	var out []History
	// A case with a step in the window was reported before its end and
	// last changed at or after its start. Pages are read newest first
	// with a fixed upper bound on reported_at, so cases reported while
	// this runs cannot shift them. A case that first changes while this
	// runs joins the set and may shift a page: a case read twice is kept
	// once, and one skipped is in the next call over the same window.
	f := Filter{Scope: Scope{All: true}, Statuses: publicStatuses(nil), To: to,
		UpdatedSince: from.Add(-time.Microsecond), Limit: publicScanPage}
	private, err := s.privateCategories(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for {
		cases, _, err := s.Store.ListCases(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if c.UpdatedAt.Before(from) || seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			c = publicCase(c, private)
			events, err := s.PublicEvents(ctx, c)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(events, func(e *Event) bool { return !e.At.Before(from) && e.At.Before(to) }) {
				out = append(out, History{Case: c, Events: events})
			}
		}
		if len(cases) < f.Limit {
			break
		}
		f.Offset += len(cases)
	}
	return out, nil
}

// mobileRE finds mainland mobile numbers (11 digits from 13x to 19x) that
// are not part of a longer number.
var mobileRE = regexp.MustCompile(`(^|[^0-9])(1[3-9][0-9]{9})([^0-9]|$)`)

// maskPhones masks every mobile number in free text: 13812345678 →
// 138****5678.
func maskPhones(s string) string {
	if len(s) < 11 {
		return s
	}
	// The pattern consumes the characters around a number, so two numbers
	// one character apart need a second pass.
	for range 2 {
		s = mobileRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := mobileRE.FindStringSubmatch(m)
			return sub[1] + org.MaskPhone(sub[2]) + sub[3]
		})
	}
	return s
}

// privateCategories returns the codes of the private-home categories: those
// marked, and the minor classes of a marked major class.
func (s *Service) privateCategories(ctx context.Context) (map[string]bool, error) {
	cats, err := s.Store.ListCategories(ctx)
	if err != nil {
		return nil, err
	}
	marked := map[string]bool{}
	for _, c := range cats {
		if c.PrivateHome {
			marked[c.Code] = true
		}
	}
	out := map[string]bool{}
	for _, c := range cats {
		if marked[c.Code] || (c.ParentCode != "" && marked[c.ParentCode]) {
			out[c.Code] = true
		}
	}
	return out, nil
}

// publicCase is a copy of c without its reporter and with phone numbers
// masked in its text; its words, address, attributes and exact place are
// withheld before it is accepted or when its category is a private home
// (see the top of this file).
func publicCase(c *Case, private map[string]bool) *Case {
	v := publicCopy(c)
	switch {
	case private[c.Category]:
		withhold(v, withheldPrivate)
	case c.AcceptedAt == nil:
		withhold(v, withheldText)
	}
	return v
}

// publicCopy is a copy of c without its reporter and with phone numbers
// masked in its text: what the resident who reported it sees (Track).
func publicCopy(c *Case) *Case {
	v := *c
	v.Reporter, v.ReporterID = Contact{}, 0
	v.Title, v.Details, v.Address = maskPhones(c.Title), maskPhones(c.Details), maskPhones(c.Address)
	v.RatingNote = maskPhones(c.RatingNote)
	if c.Extension != nil {
		x := *c.Extension
		x.RequestedBy, x.Reason = "", maskPhones(x.Reason)
		v.Extension = &x
	}
	return &v
}

// What a public copy withholds (Case.withheld).
const (
	withheldNone    = iota
	withheldText    // not yet accepted: words, address, attributes, photos
	withheldPrivate // a private home: those, the steps' words, and the exact place
)

// withhold clears a public case's words, address and attributes; for a
// private home it also rounds the place to three decimals (about 100 m).
func withhold(v *Case, how int8) {
	v.withheld = how
	v.Title, v.Details, v.Address, v.RatingNote = "", "", "", ""
	v.Attributes, v.ExtraAttributes, v.Extension = nil, nil, nil
	if how == withheldPrivate && v.Location != nil {
		l := *v.Location
		l.Lat, l.Lon = math.Round(l.Lat*1000)/1000, math.Round(l.Lon*1000)/1000
		v.Location = &l
	}
}

// publicEvent is a copy of e without who took it and with the reporter of
// a report event removed; what its case withholds is withheld from the
// event too.
func publicEvent(e *Event, withheld int8) *Event {
	v := *e
	v.ActorID, v.ActorName = 0, ""
	v.Reason = maskPhones(e.Reason)
	v.Payload.Comment = maskPhones(e.Payload.Comment)
	if r := e.Payload.Report; r != nil {
		v.Payload.Report = publicCopy(r)
		if withheld != withheldNone {
			withhold(v.Payload.Report, withheld)
		}
	}
	if withheld != withheldNone {
		v.Payload.Photos = nil
	}
	if withheld == withheldPrivate {
		v.Reason, v.Payload.Comment = "", ""
	}
	// Worthless without the case's salt, but the public has no use for it.
	v.Payload.ReporterDigest = ""
	return &v
}
