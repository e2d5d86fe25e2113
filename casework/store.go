package casework

import (
	"context"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/geo"
)

// Store keeps cases, their events and the casework configuration.
// Implemented by package store for SQLite and PostgreSQL.
type Store interface {
	// CreateCase stores a new case with its report event, giving the case
	// its ID and Number. A duplicate (channel, external id) is ECONFLICT.
	CreateCase(ctx context.Context, c *Case, e *Event) error
	// UpdateCase loads a case, locked against other writers, and calls fn.
	// If fn returns an event, the event is appended and the case (which fn
	// has changed by applying it) saved, in one transaction. If fn returns
	// nil and no error, nothing is written.
	UpdateCase(ctx context.Context, id int64, fn func(c *Case) (*Event, error)) (*Case, *Event, error)
	GetCase(ctx context.Context, id int64) (*Case, error)
	GetCaseByNumber(ctx context.Context, number string) (*Case, error)
	FindByExternalID(ctx context.Context, ch Channel, externalID string) (*Case, error)
	ListCases(ctx context.Context, f Filter) ([]*Case, int, error)
	// CountCases counts the cases matching the filter.
	CountCases(ctx context.Context, f Filter) (int, error)
	// EachCase calls fn with every case matching the filter, in the
	// list's order (newest reported first), reading f.Limit cases at a
	// time (0: ExportPage), each page its own query after the last row of
	// the one before (keyset, never OFFSET), so that no read transaction
	// is held for the length of the walk. f.Offset is ignored. An error
	// from fn ends the walk and is returned.
	EachCase(ctx context.Context, f Filter, fn func(*Case) error) error
	ListEvents(ctx context.Context, caseID int64) ([]*Event, error)
	// WasAssigned reports whether the case was ever dispatched to the unit.
	WasAssigned(ctx context.Context, caseID, unitID int64) (bool, error)
	// DueCases returns open cases whose running deadline has reached its
	// warning or due time without the matching mark, oldest first.
	DueCases(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// OpenKindCases returns the open cases of the kinds with legal clocks
	// whose id is above afterID, by id, at most limit: the deadline job
	// checks their clocks (an indexed query of the open kind cases only).
	OpenKindCases(ctx context.Context, afterID int64, limit int) ([]*Case, error)
	Evaluate(ctx context.Context, q EvalQuery) ([]EvalCounts, error)

	ListCategories(ctx context.Context) ([]*Category, error)
	GetCategory(ctx context.Context, code string) (*Category, error)
	// PutCategory creates or replaces a category.
	PutCategory(ctx context.Context, c *Category) error

	ListRoutingRules(ctx context.Context) ([]RoutingRule, error)
	CreateRoutingRule(ctx context.Context, r *RoutingRule) error
	DeleteRoutingRule(ctx context.Context, id int64) error
}

// CalendarSource gives the official calendar in force; an admin can edit
// it while jiedao runs.
type CalendarSource interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Placer finds the grid and community of a point.
type Placer interface {
	Place(ctx context.Context, p geo.Point) (gridID, communityID int64, found bool, err error)
}

// NearPlacer is a Placer that also tells whether a point lies in or near
// the jurisdiction (org.Places does): reports far outside it are refused.
type NearPlacer interface {
	Placer
	Near(ctx context.Context, p geo.Point, metres float64) (bool, error)
}

// JurisdictionMargin is how far beyond the box around every grid a report
// may lie: a little outside is a gap between grids or a GPS error, placed
// in no grid; further is another subdistrict, refused.
const JurisdictionMargin = 1000.0

// UnitSource tells whether a unit exists and what it is.
type UnitSource interface {
	UnitExists(ctx context.Context, id int64) (bool, error)
	GridCommunity(ctx context.Context, gridID int64) (communityID int64, err error)
}

// Filter selects cases. The Scope fields are set by the Service from the
// actor and cannot be widened by a caller.
type Filter struct {
	Statuses    []Status
	Channel     Channel
	Category    string // a major class code matches its minor classes
	CommunityID int64
	GridID      int64
	UnitID      int64
	Number      string
	// Query keeps the cases whose title, details, address or number
	// holds the words (a substring; Latin letters in either case). The
	// total of a list with words is counted up to SearchTotalCap only.
	Query    string
	Due      DueState
	From, To time.Time // reported in [From, To)
	// UpdatedSince keeps the cases changed after the time, for the live
	// board that polls for changes.
	UpdatedSince time.Time
	// What happened to the case at least once, for the report's figures
	// and their drill-down: dispatched to a unit, signed for, reported
	// handled, rated (with one of Ratings, when given).
	Dispatched, Signed, Handled, Rated bool
	// SelfHandled keeps the cases handled on the spot by their reporter
	// (自行处置), counted apart from units' handling.
	SelfHandled bool
	Ratings     []Rating
	Now         time.Time // for Due
	// Kind keeps the cases of one kind; KindTags those whose kind state
	// carries every tag. Ordinary keeps ordinary cases only: the dispatch
	// queues, where a kind's cases (its officers' work) do not wait.
	Kind     Kind
	KindTags []string
	Ordinary bool
	// Person keeps the cases of one identity (PersonDigest: petitions,
	// disputes' parties, 12345 callers), by the store's person index. Set
	// by Go callers only, never from a request.
	Person string
	// Jurisdiction keeps the cases of one subdistrict (0: every one). Set
	// by the Service from the actor (Actor.JurisdictionID) or a narrowed
	// actor, never straight from a request.
	Jurisdiction int64
	Limit        int
	Offset       int
	// Sort orders the list (SortReported, newest first, when empty); Asc
	// turns it. Ties are broken by the case's id in the same direction,
	// so that offset paging is stable.
	Sort CaseSort
	Asc  bool
	// After, when set and the sort allows it (KeysetSort), lists the
	// cases that follow this case in the list's order, in place of
	// Offset: a page at any depth costs what the first does (keyset
	// paging). The total still counts the whole match.
	After int64
	// Before is After's other way (上一页 by cursor): the page of cases
	// just before this case in the list's order.
	Before int64

	Scope Scope
}

// KeysetSort reports whether a list sorted by s can be paged with After:
// its key is a column that is never NULL.
func KeysetSort(s CaseSort) bool {
	switch s {
	case "", SortReported, SortNumber, SortUpdated, SortStatus, SortCategory:
		return true
	}
	return false
}

// CaseSort is a column a list of cases can be sorted by.
type CaseSort string

// The sort keys of a list of cases.
const (
	SortReported CaseSort = "reported" // reported at (the default)
	SortNumber   CaseSort = "number"
	SortDue      CaseSort = "due" // deadline; cases without one last
	SortStatus   CaseSort = "status"
	SortCategory CaseSort = "category"
	SortUpdated  CaseSort = "updated" // last change
	SortUrgency  CaseSort = "urgency"
)

// Valid reports whether k is a known sort key ("" is the default).
func (k CaseSort) Valid() bool {
	switch k {
	case "", SortReported, SortNumber, SortDue, SortStatus, SortCategory, SortUpdated, SortUrgency:
		return true
	}
	return false
}

// Scope limits a query to what one actor may see.
type Scope struct {
	All     bool
	UnitID  int64 // cases ever dispatched to this unit
	GridIDs []int64
	// ReporterID adds, to the grids, the cases this staff member reported
	// wherever they lie: a grid worker may open a case he reported
	// outside his grids (canSee), so his list shows it too.
	ReporterID  int64
	CommunityID int64
	ClientID    int64
	// Kind: the cases of this kind (a kind's officer).
	Kind Kind
	None bool // sees nothing
}

// SearchTotalCap is how far a list with words (Filter.Query) counts its
// matches: a common word's every case would be read to count them. Past
// it, ListCases gives SearchTotalCap+1 for "more than SearchTotalCap".
const SearchTotalCap = 1000

// TotalCapped tells whether total, ListCases' count for f, is a capped
// count: more than SearchTotalCap cases match.
func TotalCapped(f Filter, total int) bool {
	return total > SearchTotalCap && strings.TrimSpace(f.Query) != ""
}
