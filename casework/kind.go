package casework

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// Kind is what sort of case a case is. Ordinary cases (the empty kind) are
// the city-management reports the loop began with; the other kinds follow
// the same loop (numbering, audit chain, board, permissions, evaluation,
// exports) on clocks set by law, each adding its fields and its steps to
// the rule table (lifecycle.go). What a kind's fields mean and which
// statutory clocks run is the kind's package (dispute, petition,
// enforcement, duty), plugged in as a KindModel (docs/kinds.md).
type Kind string

const (
	KindOrdinary    Kind = ""            // 一般案件
	KindDispute     Kind = "dispute"     // 矛盾纠纷（人民调解）
	KindPetition    Kind = "petition"    // 信访
	KindEnforcement Kind = "enforcement" // 综合行政执法
	KindDuty        Kind = "duty"        // 应急值守出警
)

// Kinds lists the case kinds other than ordinary.
func Kinds() []Kind { return []Kind{KindDispute, KindPetition, KindEnforcement, KindDuty} }

// Valid reports whether k is a known kind (ordinary included).
func (k Kind) Valid() bool { return k == KindOrdinary || slices.Contains(Kinds(), k) }

// Zh is the kind's Chinese name.
func (k Kind) Zh() string {
	switch k {
	case KindOrdinary:
		return "一般案件"
	case KindDispute:
		return "矛盾纠纷"
	case KindPetition:
		return "信访"
	case KindEnforcement:
		return "行政执法"
	case KindDuty:
		return "应急值守"
	}
	return string(k)
}

// Officer is the role that acts as the command center for cases of the
// kind: it may take every dispatcher's step on them, and sees them all.
func (k Kind) Officer() org.Role {
	switch k {
	case KindDispute:
		return org.RoleMediator
	case KindPetition:
		return org.RolePetitionOfficer
	case KindEnforcement:
		return org.RoleEnforcementOfficer
	case KindDuty:
		return org.RoleDutyOfficer
	}
	return ""
}

// KindOf is the kind whose officer the role is ("" for any other role).
func KindOf(r org.Role) Kind {
	for _, k := range Kinds() {
		if k.Officer() == r {
			return k
		}
	}
	return KindOrdinary
}

// KindState is what a kind adds to a case: its fields (Data, the kind
// package's JSON), its statutory clocks, and what the queries need of it
// (Tags, each a word the list filters by, such as "level:national" or
// "cleared:2023"; Amount, a sum the figures add up, such as the amount in
// dispute). A step that changes it carries the whole new state in its
// event's payload, so that replay needs nothing else.
type KindState struct {
	Data   json.RawMessage  `json:"data,omitempty"`
	Clocks []calendar.Clock `json:"clocks,omitempty"`
	Tags   []string         `json:"tags,omitempty"`
	Amount float64          `json:"amount,omitempty"`
}

// Clock returns the clock of the name, or nil.
func (s *KindState) Clock(name string) *calendar.Clock {
	if s == nil {
		return nil
	}
	for i := range s.Clocks {
		if s.Clocks[i].Def.Name == name {
			return &s.Clocks[i]
		}
	}
	return nil
}

// Mark is the deadline job's mark on the state's running clocks, for the
// board: DueOverdue when a clock that is neither met nor a party's window
// was marked overdue, else DueWarning when one that is also not paused
// was warned, else DueNone.
func (s *KindState) Mark() DueState {
	if s == nil {
		return DueNone
	}
	m := DueNone
	for i := range s.Clocks {
		c := &s.Clocks[i]
		switch {
		case c.Met != nil || c.Def.Window:
		case c.Overdue:
			return DueOverdue
		case c.Warned && !c.Paused():
			m = DueWarning
		}
	}
	return m
}

// HasTag reports whether the state carries the tag.
func (s *KindState) HasTag(tag string) bool { return s != nil && slices.Contains(s.Tags, tag) }

// Clone is a deep copy, for a kind package to change.
func (s *KindState) Clone() *KindState {
	if s == nil {
		return &KindState{}
	}
	b, _ := json.Marshal(s)
	var c KindState
	_ = json.Unmarshal(b, &c)
	return &c
}

// KindEnv is what a kind's rules may consult besides the case: the
// calendar in force and a count of the cases of a kind with a tag (repeat
// detection across petitions).
type KindEnv struct {
	Calendar *calendar.Calendar
	Count    func(ctx context.Context, k Kind, tags ...string) (int, error)
}

// KindModel is the package of a kind: it checks the kind's fields when a
// case is reported and each step taken on a case of the kind, and says
// what the step makes of the kind's state. It never stores anything.
type KindModel interface {
	Kind() Kind
	// New checks the kind's fields of a new case (raw, the kind's JSON)
	// and returns its first state.
	New(ctx context.Context, env KindEnv, c *Case, raw json.RawMessage, at time.Time) (*KindState, error)
	// Step checks a step on a case of the kind (raw, the step's kind
	// input) and returns the state after it, or nil when the step leaves
	// it as it is. An error refuses the step; nothing changes.
	Step(ctx context.Context, env KindEnv, c *Case, action Action, reason string, raw json.RawMessage, at time.Time) (*KindState, error)
	// Clocks are the kind's clock definitions: its table.
	Clocks() []calendar.ClockDef
}

// kindModel returns the model of the case's kind.
func (s *Service) kindModel(k Kind) (KindModel, error) {
	if m, ok := s.Kinds[k]; ok && m != nil {
		return m, nil
	}
	return nil, jiedao.Invalid("kind", "不支持的案件类型："+string(k), "this case kind is not available: "+string(k))
}

func (s *Service) kindEnv(cal *calendar.Calendar) KindEnv {
	return KindEnv{Calendar: cal, Count: func(ctx context.Context, k Kind, tags ...string) (int, error) {
		f := Filter{Kind: k, Scope: Scope{All: true}}
		for _, t := range tags {
			// A person is looked up by the index of identities
			// (case_persons), which holds 12345 callers too.
			if p, ok := strings.CutPrefix(t, "person:"); ok && f.Person == "" {
				f.Person = p
			} else {
				f.KindTags = append(f.KindTags, t)
			}
		}
		return s.Store.CountCases(ctx, f)
	}}
}

// KindClocks returns the state of each clock of a case at now, for the
// case page and the API: every notice names its article.
func (s *Service) KindClocks(ctx context.Context, c *Case, now time.Time) ([]calendar.ClockState, error) {
	if c.KindState == nil || len(c.KindState.Clocks) == 0 {
		return nil, nil
	}
	cal, err := s.Calendars.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	if !c.Status.Open() && c.ClosedAt != nil && c.ClosedAt.Before(now) {
		now = *c.ClosedAt // a closed case's clocks as they stood when it closed
	}
	out := make([]calendar.ClockState, len(c.KindState.Clocks))
	for i := range c.KindState.Clocks {
		out[i] = c.KindState.Clocks[i].State(cal, now)
	}
	return out, nil
}

// KindAmountSummer sums the kinds' amounts; package store implements it.
type KindAmountSummer interface {
	SumKindAmount(ctx context.Context, f Filter) (float64, int, error)
}

// SumKindAmount adds up the Amount of the kind cases matching the filter
// that the actor may see, with how many they are.
func (s *Service) SumKindAmount(ctx context.Context, a org.Actor, f Filter) (float64, int, error) {
	sm, ok := s.Store.(KindAmountSummer)
	if !ok {
		return 0, 0, jiedao.Errorf(jiedao.EUNSUPPORTED, "存储不支持金额汇总", "the store cannot sum amounts")
	}
	f = scoped(a, f)
	return sm.SumKindAmount(ctx, f)
}

// ValidTag reports whether a tag can be stored and matched: words of
// letters, digits and ":_-.", no spaces.
func ValidTag(t string) bool {
	if t == "" || len(t) > 80 {
		return false
	}
	return !strings.ContainsFunc(t, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":_-.", r))
	})
}

// isKindAction reports whether the rule belongs to some kinds only.
func (r rule) forKind(k Kind) bool { return r.kinds == nil || slices.Contains(r.kinds, k) }

func kindName(k Kind) string {
	if k == KindOrdinary {
		return "ordinary"
	}
	return string(k)
}

// checkKindState refuses a state whose tags could not be matched.
func checkKindState(st *KindState) error {
	if st == nil {
		return nil
	}
	for _, t := range st.Tags {
		if !ValidTag(t) {
			return jiedao.Invalid("kind_data", "专项标签无效："+t, "invalid kind tag: "+t)
		}
	}
	return nil
}

// kindStep lets the kind's package check a step on a kind case and
// records the state it leads to in the event. A kind's own step on an
// ordinary case was refused by CheckStep; kind input on an ordinary case
// is refused here.
func (s *Service) kindStep(ctx context.Context, cal *calendar.Calendar, c *Case, in StepInput, e *Event, now time.Time) error {
	raw := in.KindData
	if string(raw) == "null" {
		raw = nil
	}
	if c.Kind == KindOrdinary {
		if len(raw) > 0 {
			return jiedao.Invalid("kind_data", "一般案件没有专项字段", "an ordinary case has no kind data")
		}
		return nil
	}
	m, err := s.kindModel(c.Kind)
	if err != nil {
		return err
	}
	var st *KindState
	switch in.Action {
	case ActClockPause, ActClockResume, ActClockExtend:
		st, err = clockStep(c.KindState, in.Action, strings.TrimSpace(in.Reason), e.ActorName, raw, now)
	default:
		st, err = m.Step(ctx, s.kindEnv(cal), c, in.Action, strings.TrimSpace(in.Reason), raw, now)
	}
	if err != nil {
		return err
	}
	if err := checkKindState(st); err != nil {
		return err
	}
	e.Payload.KindState = st
	if len(raw) > 0 {
		e.Payload.KindInput = append(json.RawMessage(nil), raw...)
	}
	switch in.Action {
	case ActConclude, ActPetitionDecline, ActLegalRoute, ActBacklogClear:
		after := c.KindState
		if st != nil {
			after = st
		}
		e.Payload.OnTime = boolp(clocksOnTime(cal, after, now))
	}
	return nil
}

// clocksOnTime reports whether every clock of the state was met in time
// (or is not yet due at now).
func clocksOnTime(cal *calendar.Calendar, st *KindState, now time.Time) bool {
	if st == nil {
		return true
	}
	for i := range st.Clocks {
		if st.Clocks[i].Def.Window {
			continue // the party's time, not the office's
		}
		switch st.Clocks[i].State(cal, now).Status {
		case calendar.ClockLate, calendar.ClockOverdue:
			return false
		}
	}
	return true
}

// ForKinds reports whether the action is a step of the case kinds only.
func (a Action) ForKinds() bool { return rules[a].kinds != nil }

// PersonDigest is the digest that stands for a person's identity (an ID
// number or a phone number) across the case kinds: 16 hex digits of
// HMAC-SHA256 keyed by the installation's secret, so that one person is
// one identity across petitions and disputes (tag "person:<digest>")
// without the identity being kept, and cannot be found by trying numbers
// without the key.
func PersonDigest(key []byte, identity string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(NormalIdentity(identity)))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// NormalIdentity is an identity as digested: an ID number without spaces,
// in upper case; a phone number as its digits, without +86 or 0086, so
// that "138-0000-1234" given to a petition officer and "+86 138 0000 1234"
// in a 12345 file are one person.
func NormalIdentity(identity string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(identity), ""))
	phone := s != ""
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '-' || r == '+' || r == '(' || r == ')' || r == '（' || r == '）':
		default:
			phone = false
		}
	}
	if !phone {
		return s
	}
	d := digits.String()
	for _, p := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(d, p); ok && len(rest) == 11 && rest[0] == '1' {
			return rest
		}
	}
	return d
}

// HotlinePerson is the digest of a 12345 caller's phone, or "" when the
// phone is missing or masked (a "138****1234" says who it is not).
func HotlinePerson(key []byte, phone string) string {
	phone = strings.TrimSpace(phone)
	if len(key) == 0 || phone == "" || strings.ContainsAny(phone, "*＊") {
		return ""
	}
	return PersonDigest(key, phone)
}

// The kinds' shared helpers (dispute, petition, enforcement, duty): a
// kind's data is read from and written into its KindState the same way,
// and each step begins the same way.

// ReadKind decodes the kind state's data into a D (the zero D when there
// is none).
func ReadKind[D any](st *KindState) (D, error) {
	var d D
	if st == nil || len(st.Data) == 0 {
		return d, nil
	}
	return d, json.Unmarshal(st.Data, &d)
}

// WriteKind returns a copy of st (a new state when nil) holding the data d
// and the tags.
func WriteKind(st *KindState, d any, tags []string) *KindState {
	next := st.Clone()
	next.Data, _ = json.Marshal(d)
	next.Tags = tags
	return next
}

// YearTag is the tag "name:YEAR" of a time's year in China time: the
// figures count a kind's cases by such tags.
func YearTag(name string, t time.Time) string {
	return name + ":" + strconv.Itoa(t.In(calendar.Zone()).Year())
}

// BeginKindStep begins a step on a case of a kind: the case's kind data as
// a D, the step's input decoded into in (unknown fields refused), and the
// time of the act, the input's "at" (not after now; named zh in the
// refusal) or else now.
func BeginKindStep[D any](c *Case, raw json.RawMessage, in any, now time.Time, zh string) (D, time.Time, error) {
	d, err := ReadKind[D](c.KindState)
	if err != nil {
		return d, now, err
	}
	if err := DecodeKind(raw, in); err != nil {
		return d, now, err
	}
	var when struct {
		At *KindDate `json:"at"`
	}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &when) // DecodeKind has read it already
	}
	at, err := ActAt(when.At, now, "at", zh)
	return d, at, err
}

// MeetClock records that the act the clock of the name waits for was done
// at at; a clock the state does not run, or met already, is left alone.
func MeetClock(st *KindState, name string, at time.Time) error {
	if c := st.Clock(name); c != nil && c.Met == nil {
		return c.MeetAt(at)
	}
	return nil
}
