package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/store"
)

// The current year: besides the seed's calibrated year, the demo builds
// the year it is now, from 1 January up to now, so that the board, the map
// and the dashboards open on work in hand. Its volumes are the seed year's
// scaled by the share of the year gone by; every case lives as in the seed
// year but stops where the clock stands, so old cases are closed and
// recent ones are still open, each in the state its last step left it,
// with the warnings and overdue marks the deadline job would have raised.
//
// On top of that natural flow, a few cases are placed so that each state
// a dispatcher works from has cases now (State): a report of minutes ago
// not yet accepted, a case accepted but not dispatched, and so on. Their
// count grows with the scale, with a floor so that a small demo has them
// too.

// State is a state of the loop that the demo makes sure has cases now:
// the piles of the command center's board.
type State string

const (
	StateNew         State = "new"         // 新上报待受理: reported, not accepted
	StateToDispatch  State = "to_dispatch" // 待派遣: accepted (or returned), not dispatched
	StateUnsigned    State = "unsigned"    // 已派遣未签收
	StateWarned      State = "warned"      // 预警: the running deadline is near
	StateOverdue     State = "overdue"     // 超期
	StateToVerify    State = "to_verify"   // 待核查: handled, not verified
	StateHung        State = "hung"        // 挂账
	StateUnsatisfied State = "unsatisfied" // closed and rated 不满意
)

// States lists them in the order of the loop.
func States() []State {
	return []State{StateNew, StateToDispatch, StateUnsigned, StateWarned, StateOverdue, StateToVerify, StateHung, StateUnsatisfied}
}

// Filter is the case filter that finds the state's cases at now.
func (s State) Filter(now time.Time) casework.Filter {
	f := casework.Filter{Now: now}
	switch s {
	case StateNew:
		f.Statuses = []casework.Status{casework.StatusReported}
	case StateToDispatch:
		f.Statuses = []casework.Status{casework.StatusAccepted, casework.StatusReturned}
	case StateUnsigned:
		f.Statuses = []casework.Status{casework.StatusDispatched}
	case StateWarned:
		f.Due = casework.DueWarning
	case StateOverdue:
		f.Due = casework.DueOverdue
	case StateToVerify:
		f.Statuses = []casework.Status{casework.StatusHandled}
	case StateHung:
		f.Statuses = []casework.Status{casework.StatusHung}
	case StateUnsatisfied:
		f.Statuses = []casework.Status{casework.StatusClosed}
		f.Ratings = []casework.Rating{casework.RatingUnsatisfied}
	}
	return f
}

// holds reports whether case c is in state s at now.
func (s State) holds(c *casework.Case, now time.Time) bool {
	switch s {
	case StateNew:
		return c.Status == casework.StatusReported
	case StateToDispatch:
		return c.Status == casework.StatusAccepted || c.Status == casework.StatusReturned
	case StateUnsigned:
		return c.Status == casework.StatusDispatched
	case StateWarned:
		return c.DueStateAt(now) == casework.DueWarning
	case StateOverdue:
		return c.DueStateAt(now) == casework.DueOverdue
	case StateToVerify:
		return c.Status == casework.StatusHandled
	case StateHung:
		return c.Status == casework.StatusHung
	case StateUnsatisfied:
		return c.Status == casework.StatusClosed && c.Rating == casework.RatingUnsatisfied
	}
	return false
}

// recipe says how a case is placed in a state: from which channels, where
// its life stops and how long before now it was reported (minutes).
type recipe struct {
	channels       []casework.Channel
	outcome        outcome
	rating         casework.Rating
	until          casework.Action
	fromMin, toMin float64
}

// placed says how many cases of each state are placed at scale 1 (at
// least two at any scale) and how: the k-th case of a state starts with
// its k-th recipe (so two cases use two recipes), then tries them in turn.
var placed = map[State]struct {
	perScale float64
	recipes  []recipe
}{
	StateNew:        {6, []recipe{{[]casework.Channel{casework.ChannelXihuCode, casework.ChannelPingan, casework.ChannelGrid, casework.ChannelHotline}, endClosed, "", casework.ActReport, 2, 40}}},
	StateToDispatch: {5, []recipe{{[]casework.Channel{casework.ChannelXihuCode, casework.ChannelHotline, casework.ChannelPolice}, endClosed, "", casework.ActAccept, 50, 300}}},
	StateUnsigned:   {8, []recipe{{[]casework.Channel{casework.ChannelXihuCode, casework.ChannelPingan, casework.ChannelGrid}, endClosed, "", casework.ActDispatch, 70, 400}}},
	// A warning lasts the last fifth of a limit: of a three-working-day
	// one, the morning-to-evening of its last day; of an alarm's two
	// hours, the last 24 minutes, at any hour.
	StateWarned: {6, []recipe{
		{[]casework.Channel{casework.ChannelXihuCode, casework.ChannelGrid, casework.ChannelHotline}, endClosed, "", casework.ActStart, 36 * 60, 6 * 24 * 60},
		{[]casework.Channel{casework.ChannelIoT}, endClosed, "", casework.ActStart, 90, 140},
	}},
	StateOverdue: {5, []recipe{{[]casework.Channel{casework.ChannelPingan, casework.ChannelHotline, casework.ChannelGrid}, endClosed, "", casework.ActStart, 6 * 24 * 60, 25 * 24 * 60}}},
	// Office cases wait days for their verification; an alarm is handled
	// within two hours and waits for the grid worker's check on the spot.
	StateToVerify: {10, []recipe{
		{[]casework.Channel{casework.ChannelXihuCode, casework.ChannelPingan, casework.ChannelGrid}, endClosed, "", casework.ActHandle, 12 * 60, 6 * 24 * 60},
		{[]casework.Channel{casework.ChannelIoT}, endClosed, "", casework.ActHandle, 60, 300},
	}},
	StateHung:        {4, []recipe{{[]casework.Channel{casework.ChannelHotline}, endHung, "", "", 3 * 24 * 60, 60 * 24 * 60}}},
	StateUnsatisfied: {6, []recipe{{[]casework.Channel{casework.ChannelXihuCode}, endClosed, casework.RatingUnsatisfied, "", 5 * 24 * 60, 40 * 24 * 60}}},
}

// placedTries bounds the attempts at a placed case: a life drawn at random
// may end in another state (signed late, say), and is drawn again. A
// warning lasts the last fifth of a limit, a few working hours of a
// three-day one, so most draws miss it; a draw is a few microseconds.
const placedTries = 400

// withCurrentYear adds the current year's cases to the plans of the seed
// year when now is after it; when now is in the seed year itself, that
// year is built up to now instead of whole.
func (gen *generator) withCurrentYear(ctx context.Context, plans []casePlan, opt Options, vol Volumes, sum *Summary) ([]casePlan, error) {
	now := opt.Now
	if now.IsZero() || now.Year() < gen.year {
		return plans, nil
	}
	now = now.Truncate(time.Microsecond).In(calendar.Zone())
	cur := *gen
	cur.year, cur.cutoff = now.Year(), now
	// Its own random stream: the seed year's draws stay as they were, so
	// its calibration holds whatever day the demo is built.
	cur.rng = rand.New(rand.NewPCG(uint64(now.Year())<<32^0x5eed^gen.salt, 0x2545f4914f6cdd1d))
	if now.Year() == gen.year {
		plans = nil
	}
	z := calendar.Zone()
	jan1 := time.Date(cur.year, 1, 1, 0, 0, 0, 0, z)
	share := now.Sub(jan1).Seconds() / time.Date(cur.year+1, 1, 1, 0, 0, 0, 0, z).Sub(jan1).Seconds()
	n := func(v int) int { return int(math.Round(float64(v) * share)) }
	part := Volumes{
		XihuSigned: n(vol.XihuSigned), XihuRated: n(vol.XihuRated), XihuSatisfied: n(vol.XihuSatisfied),
		PinganHandled: n(vol.PinganHandled), GridHandled: n(vol.GridHandled), IoTDispatched: n(vol.IoTDispatched),
		PoliceHandled: n(vol.PoliceHandled), Hotline: n(vol.Hotline), Enterprise: n(vol.Enterprise),
	}
	current := cur.plan(part)
	// Placed cases may reach back before 1 January (early in the year
	// there is no case of last week to be overdue), but never into the
	// seed year, whose figures are calibrated.
	from := time.Date(gen.year+1, 1, 1, 0, 0, 0, 0, z)
	if now.Year() == gen.year {
		from = jan1
	}
	for _, st := range States() {
		k := max(2, int(math.Round(placed[st].perScale*opt.Scale)))
		for i := 0; i < k; i++ {
			h, ok, err := cur.place(ctx, st, i, from)
			if err != nil {
				return nil, err
			}
			if ok {
				current = append(current, casePlan{at: h.Case.ReportedAt, channel: h.Case.Channel, done: h})
			}
		}
	}
	for i := range current {
		current[i].by = &cur
	}
	sortPlans(current)
	sum.Current, sum.CurrentYear = len(current), cur.year
	return append(plans, current...), nil
}

// place makes the k-th case that is in state st now, reported no earlier than
// from; ok is false when none came of placedTries draws (on 2 January of
// the year after the seed year, there is no case of last week to be
// overdue).
func (gen *generator) place(ctx context.Context, st State, k int, from time.Time) (*store.CaseHistory, bool, error) {
	recipes := placed[st].recipes
	for try := 0; try < placedTries; try++ {
		p := recipes[(k+try)%len(recipes)]
		ago := p.fromMin + gen.rng.Float64()*(p.toMin-p.fromMin)
		at := gen.cutoff.Add(-time.Duration(ago * float64(time.Minute)))
		if at.Before(from) {
			continue
		}
		ch := p.channels[gen.rng.IntN(len(p.channels))]
		plan := casePlan{channel: ch, at: at, category: gen.category(ch), outcome: p.outcome, rating: p.rating, until: p.until}
		l := &life{gen: gen, ctx: ctx, t: at, until: p.until}
		h, err := l.history(l.run(plan))
		if err != nil {
			return nil, false, err
		}
		if st.holds(h.Case, gen.cutoff) {
			return &h, true, nil
		}
	}
	return nil, false, nil
}
