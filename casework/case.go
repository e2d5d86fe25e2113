// Package casework is the closed case loop: a report from any channel
// becomes a case that is accepted, dispatched to a unit, signed for,
// handled, verified, closed and rated, every step an append-only event.
//
// The package holds the types, the state machine (lifecycle.go), the
// deadlines (deadline.go), routing (routing.go), the evaluation figures
// (evaluation.go) and the Service that applies the rules and authorisation
// (service.go). Storage is behind the Store interface; package store
// implements it for SQLite and PostgreSQL.
package casework

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/jiedao/jiedao/org"
)

// Status is where a case stands in the loop.
type Status string

const (
	StatusReported   Status = "reported"   // 上报: waiting for the command center
	StatusAccepted   Status = "accepted"   // 受理/立案: a case, waiting to be dispatched
	StatusRejected   Status = "rejected"   // 不予受理 (final)
	StatusDispatched Status = "dispatched" // 派遣: waiting for the unit to sign for it
	StatusSigned     Status = "signed"     // 签收
	StatusReturned   Status = "returned"   // 退回: back at the command center
	StatusHandling   Status = "handling"   // 处置
	StatusHandled    Status = "handled"    // 反馈: the unit says it is done
	StatusRework     Status = "rework"     // 返工: verification failed
	StatusVerified   Status = "verified"   // 核查通过
	StatusClosed     Status = "closed"     // 结案
	StatusEscalated  Status = "escalated"  // 上报上级: with the district
	StatusHung       Status = "hung"       // 挂账: clock stopped
	StatusVoided     Status = "voided"     // 作废 (final)
	StatusMerged     Status = "merged"     // 合并: a duplicate of another case (final)
)

// Statuses lists every status in loop order.
func Statuses() []Status {
	return []Status{StatusReported, StatusAccepted, StatusRejected, StatusDispatched, StatusSigned,
		StatusReturned, StatusHandling, StatusHandled, StatusRework, StatusVerified, StatusClosed,
		StatusEscalated, StatusHung, StatusVoided, StatusMerged}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses() {
		if s == k {
			return true
		}
	}
	return false
}

// Zh returns the status's Chinese name.
func (s Status) Zh() string {
	switch s {
	case StatusReported:
		return "待受理"
	case StatusAccepted:
		return "已立案"
	case StatusRejected:
		return "不予受理"
	case StatusDispatched:
		return "待签收"
	case StatusSigned:
		return "已签收"
	case StatusReturned:
		return "已退回"
	case StatusHandling:
		return "处置中"
	case StatusHandled:
		return "待核查"
	case StatusRework:
		return "返工"
	case StatusVerified:
		return "待结案"
	case StatusClosed:
		return "已结案"
	case StatusEscalated:
		return "已上报上级"
	case StatusHung:
		return "挂账"
	case StatusVoided:
		return "已作废"
	case StatusMerged:
		return "已合并"
	}
	return string(s)
}

// Open reports whether the case still needs work. A closed case is not
// open, though an unsatisfied rating may reopen it.
func (s Status) Open() bool {
	switch s {
	case StatusRejected, StatusClosed, StatusVoided, StatusMerged:
		return false
	}
	return true
}

// Channel is how a case came in.
type Channel string

const (
	ChannelXihuCode   Channel = "xihu_code"  // 西湖码: residents by QR code
	ChannelPingan     Channel = "pingan"     // 平安通
	ChannelGrid       Channel = "grid"       // 网格通: grid workers' patrols
	ChannelIoT        Channel = "iot"        // 智慧三件套: sensor alarms
	ChannelPolice     Channel = "police"     // 警网协同: non-police events from the police
	ChannelHotline    Channel = "hotline"    // 12345
	ChannelEnterprise Channel = "enterprise" // 企业诉求
	ChannelOther      Channel = "other"      // walk-ins, letters, anything else
)

// Channels lists every channel.
func Channels() []Channel {
	return []Channel{ChannelXihuCode, ChannelPingan, ChannelGrid, ChannelIoT, ChannelPolice, ChannelHotline, ChannelEnterprise, ChannelOther}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels() {
		if c == k {
			return true
		}
	}
	return false
}

// Zh is the channel's Chinese name.
func (c Channel) Zh() string {
	switch c {
	case ChannelXihuCode:
		return "西湖码"
	case ChannelPingan:
		return "平安通"
	case ChannelGrid:
		return "网格通"
	case ChannelIoT:
		return "智慧三件套"
	case ChannelPolice:
		return "警网协同"
	case ChannelHotline:
		return "12345热线"
	case ChannelEnterprise:
		return "企业诉求"
	case ChannelOther:
		return "其他"
	}
	return string(c)
}

// Urgency picks the deadline policy of a category.
type Urgency string

const (
	UrgencyNormal   Urgency = "normal"   // 一般
	UrgencyUrgent   Urgency = "urgent"   // 紧急
	UrgencyCritical Urgency = "critical" // 特急
)

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool {
	return u == UrgencyNormal || u == UrgencyUrgent || u == UrgencyCritical
}

// Rating is a resident's verdict on a closed case.
type Rating string

const (
	RatingSatisfied   Rating = "satisfied"   // 满意
	RatingBasic       Rating = "basic"       // 基本满意
	RatingUnsatisfied Rating = "unsatisfied" // 不满意
)

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool {
	return r == RatingSatisfied || r == RatingBasic || r == RatingUnsatisfied
}

// Zh is the rating's Chinese name.
func (r Rating) Zh() string {
	switch r {
	case RatingSatisfied:
		return "满意"
	case RatingBasic:
		return "基本满意"
	case RatingUnsatisfied:
		return "不满意"
	}
	return string(r)
}

// Location is a WGS-84 point.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Contact is the reporting resident; masked for roles that do not need it.
// It is kept apart from the case's events (store: case_contacts), so that
// the retention job (retention.go) can erase it: AnonymisedAt is when it
// did, Name and Phone are empty from then on.
type Contact struct {
	Name         string     `json:"name,omitempty"`
	Phone        string     `json:"phone,omitempty"`
	AnonymisedAt *time.Time `json:"anonymised_at,omitempty"`
}

// Masked is the contact as roles that do not call residents back see it:
// the family name and the ends of the number.
func (c Contact) Masked() Contact {
	return Contact{Name: org.MaskName(c.Name), Phone: org.MaskPhone(c.Phone), AnonymisedAt: c.AnonymisedAt}
}

// ContactDigest is what a report event keeps of the reporter's contact:
// the hex HMAC-SHA256, keyed by the case's random salt, of the name, a 0
// byte and the phone number. The audit chain seals it, and so commits to
// the contact as reported, while the contact itself lives apart and can be
// erased; once the salt is erased too, the digest tells nothing. (Unkeyed,
// the hash of an 11-digit phone number would be found by trying them all.)
func ContactDigest(salt []byte, c Contact) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(c.Name))
	m.Write([]byte{0})
	m.Write([]byte(c.Phone))
	return hex.EncodeToString(m.Sum(nil))
}

// Deadline is one running limit: when it falls due, when to warn, and
// whether it counts working time (so that stopping the clock can move it
// in the same measure). Warned and Overdue record the marks the deadline
// job raised for it, so that a deadline that stops and runs again (the
// close deadline, while a unit works on the case) is marked only once.
type Deadline struct {
	Due     time.Time `json:"due"`
	Warn    time.Time `json:"warn"`
	Working bool      `json:"working,omitempty"`
	Warned  bool      `json:"warned,omitempty"`
	Overdue bool      `json:"overdue,omitempty"`
}

// Deadlines are the limits on a case. Each is nil when it does not apply
// (yet). What each counts from is stated in deadline.go.
type Deadlines struct {
	Sign   *Deadline `json:"sign,omitempty"`
	Start  *Deadline `json:"start,omitempty"`
	Finish *Deadline `json:"finish,omitempty"`
	Close  *Deadline `json:"close,omitempty"`
}

// Extension is a unit's request for more time.
type Extension struct {
	Days        int       `json:"days"` // working days asked for
	Reason      string    `json:"reason"`
	RequestedAt time.Time `json:"requested_at"`
	RequestedBy string    `json:"requested_by"`
}

// Case is one report and everything done about it. Its fields are a
// projection of its events: Replay(events) gives the same Case.
type Case struct {
	ID         int64   `json:"id"`
	Number     string  `json:"number"` // readable over the phone: 20240612-0042
	Channel    Channel `json:"channel"`
	ClientID   int64   `json:"client_id,omitempty"`   // the machine client it came from
	ExternalID string  `json:"external_id,omitempty"` // the sender's own number, unique per channel
	// SourceAt is the sender's own time: a police transfer's 移交时间, a
	// 12345 work order's 来电时间 (the arrival figure counts from it).
	SourceAt *time.Time `json:"source_at,omitempty"`
	// ExtraAttributes are the attributes the reporting client added that
	// the category does not define, as sent (ReportInput.ExtraAttributes).
	ExtraAttributes map[string][]string `json:"extra_attributes,omitempty"`
	// withheld marks a public copy whose words and place were withheld
	// (public.go): its events are read the same way.
	withheld  int8
	Category  string    `json:"category"` // category code
	Urgency   Urgency   `json:"urgency"`
	Title     string    `json:"title"`
	Details   string    `json:"details"`
	Address   string    `json:"address,omitempty"`
	Location  *Location `json:"location,omitempty"`
	GridID    int64     `json:"grid_id,omitempty"`
	Community int64     `json:"community_id,omitempty"`
	Unplaced  bool      `json:"unplaced,omitempty"` // had a location outside every grid
	// JurisdictionID is the subdistrict the case belongs to, set when it
	// is reported (its community's; else the reporter's; else the only
	// subdistrict) and changed only by a transfer (docs/jurisdictions.md).
	JurisdictionID int64          `json:"jurisdiction_id,omitempty"`
	Attributes     map[string]any `json:"attributes,omitempty"`
	Reporter       Contact        `json:"reporter"`
	ReporterID     int64          `json:"reporter_staff_id,omitempty"`
	// Person is the digest of a 12345 caller's phone (PersonDigest), set
	// when the work order is reported and kept by the store beside the
	// case (case_persons), never in its events or JSON: one identity with
	// the petitions and disputes of the same person.
	Person string `json:"-"`
	// SuggestedUnit is the unit routing picked when the case came in; the
	// dispatcher may choose another.
	SuggestedUnit int64 `json:"suggested_unit_id,omitempty"`

	Status     Status `json:"status"`
	HungFrom   Status `json:"hung_from,omitempty"` // where a hung case resumes
	UnitID     int64  `json:"unit_id,omitempty"`   // the unit it is dispatched to
	MergedInto int64  `json:"merged_into,omitempty"`

	ReportedAt   time.Time  `json:"reported_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	DispatchedAt *time.Time `json:"dispatched_at,omitempty"`
	SignedAt     *time.Time `json:"signed_at,omitempty"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	ArrivedAt    *time.Time `json:"arrived_at,omitempty"` // the first start (到场) ever: a re-dispatch clears StartedAt, not this
	ReturnedAt   *time.Time `json:"returned_at,omitempty"`
	HandledAt    *time.Time `json:"handled_at,omitempty"`
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	HungAt       *time.Time `json:"hung_at,omitempty"`
	Rating       Rating     `json:"rating,omitempty"`
	RatedAt      *time.Time `json:"rated_at,omitempty"`
	RatingNote   string     `json:"rating_comment,omitempty"`

	Deadlines Deadlines `json:"deadlines"`
	// ClosedOnTime is set when the case closes: was it by the close deadline?
	ClosedOnTime *bool `json:"closed_on_time,omitempty"`
	// WarnedDue and OverdueDue hold the due time of the running deadline
	// when a warning or an overdue mark was raised for it (its Warned and
	// Overdue), so that each deadline raises each at most once; nil when
	// the running deadline has no such mark.
	WarnedDue  *time.Time `json:"warned_due,omitempty"`
	OverdueDue *time.Time `json:"overdue_due,omitempty"`
	// EverOverdue stays set once any deadline was missed.
	EverOverdue bool `json:"ever_overdue,omitempty"`

	Assignments      int        `json:"assignments"` // dispatches so far; the current one is number Assignments
	SignedOnTime     *bool      `json:"signed_on_time,omitempty"`
	HandledCount     int        `json:"handled_count"` // reports back (反馈), reworks included
	ReturnCount      int        `json:"return_count"`
	ReworkCount      int        `json:"rework_count"`
	SupervisionCount int        `json:"supervision_count"`
	ReopenCount      int        `json:"reopen_count"`
	Extension        *Extension `json:"extension,omitempty"` // a pending request
	ExtensionDays    int        `json:"extension_days"`      // granted so far
	Escalated        bool       `json:"escalated,omitempty"`
	// SelfHandled: handled on the spot by the staff member who reported it
	// (自行处置); the command center verifies it.
	SelfHandled bool `json:"self_handled,omitempty"`
	// A case a device alarm opened (智慧三件套, 安居守护; package intake):
	// AlarmCount is how many alarms of the device it stands for, the first
	// included (0 for a case no alarm made), so that an alarm storm is one
	// case with a count; ClearedAt is when the device last reported the
	// alarm over (告警解除), cleared again by a later repeat.
	AlarmCount int        `json:"alarm_count,omitempty"`
	ClearedAt  *time.Time `json:"cleared_at,omitempty"`

	// Kind is the case's kind (kind.go): ordinary ("") or one with legal
	// clocks; KindState its fields and clocks.
	Kind      Kind       `json:"kind,omitempty"`
	KindState *KindState `json:"kind_state,omitempty"`

	EventCount int       `json:"event_count"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Event is one step on the record. Events are never changed or removed.
type Event struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Seq       int       `json:"seq"` // 1 for the report, then one more per step
	Action    Action    `json:"action"`
	ActorKind string    `json:"actor_kind"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	ActorRole string    `json:"actor_role,omitempty"`
	At        time.Time `json:"at"`
	From      Status    `json:"from,omitempty"`
	To        Status    `json:"to"`
	Reason    string    `json:"reason,omitempty"`
	Payload   Payload   `json:"payload"`
}

// Payload carries what a step decided, so that replay needs nothing else:
// computed deadlines are written into the event that started them.
type Payload struct {
	Report     *Case      `json:"report,omitempty"` // the case as reported (report only)
	UnitID     int64      `json:"unit_id,omitempty"`
	Category   string     `json:"category,omitempty"` // accept may correct it
	Urgency    Urgency    `json:"urgency,omitempty"`
	Deadlines  *Deadlines `json:"deadlines,omitempty"`
	Rating     Rating     `json:"rating,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	MergedInto int64      `json:"merged_into,omitempty"`
	Days       int        `json:"days,omitempty"`    // extension days asked or granted
	Photos     []string   `json:"photos,omitempty"`  // attachment references
	OnTime     *bool      `json:"on_time,omitempty"` // sign and close: met the deadline?
	Stage      Stage      `json:"stage,omitempty"`   // warning and overdue: which deadline
	Count      int        `json:"count,omitempty"`   // alarm_repeat: the case's alarm count after it
	// KindState is a kind case's state after the step, when it changed;
	// KindInput the step's kind input as given, for the record.
	KindState *KindState      `json:"kind_state,omitempty"`
	KindInput json.RawMessage `json:"kind_input,omitempty"`
	// Clock and Article name the statutory clock a warning or overdue
	// mark of the deadline job is about, and the provision it comes from
	// (its notice is the event's reason); empty for the loop's deadlines.
	Clock   string `json:"clock,omitempty"`
	Article string `json:"article,omitempty"`
	// FromJurisdiction and ToJurisdiction are the subdistricts of a
	// transfer (转办, transfer.go).
	FromJurisdiction int64 `json:"from_jurisdiction,omitempty"`
	ToJurisdiction   int64 `json:"to_jurisdiction,omitempty"`
	// SuggestedUnit is the unit routing picks for a transferred case in
	// its new subdistrict (0: none).
	SuggestedUnit int64 `json:"suggested_unit_id,omitempty"`

	// ReporterDigest stands for the report's contact in the stored event
	// (report only): see ContactDigest and MarshalPayload.
	ReporterDigest string `json:"reporter_digest,omitempty"`
}

// MarshalPayload is the stored form of a payload. It never holds the
// reporter's contact: the report's contact is left out, kept apart by the
// store and stood for by ReporterDigest, so that erasing it later changes
// no sealed event.
func MarshalPayload(p Payload) ([]byte, error) {
	if p.Report != nil && p.Report.Reporter != (Contact{}) {
		r := *p.Report
		r.Reporter = Contact{}
		p.Report = &r
	}
	return json.Marshal(p)
}
