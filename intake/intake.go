// Package intake takes in the cases that other systems send rather than
// people at a screen: the alarms of IoT devices (智慧三件套 smoke, gas and
// e-bike charging sensors; 安居守护 guardians of elderly people living
// alone), signed per sender with HMAC-SHA256; the non-police events the
// police pass on (警网协同), one by one or as a file; and the work orders of
// the 12345 hotline, imported from their XLSX or CSV files and exported
// back in the same layout with what became of each.
//
// Every path makes its cases through casework.Service, so that the case
// loop's rules hold for them as for any report, and records on each case
// its channel and the machine client it came from. The package holds the
// rules (who may post what, when an alarm folds into an open case, how a
// file's columns are read) and the HTTP handlers; storage is behind the
// Store interface, implemented by package store. docs/intake.md describes
// the signature scheme, the column mapping, the storm rule and the arrival
// figure.
package intake

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Service runs the machine channels over the case service.
type Service struct {
	Store Store
	Cases *casework.Service
	Now   func() time.Time
	// Audit records the admins' changes to the machine channels (a
	// signing secret rotated, an alarm kind set, a device registered,
	// changed, deactivated or deleted), each with its change in one
	// transaction (docs/audit.md); nil records nothing.
	Audit org.Auditor
}

// Audit actions of the machine channels.
const (
	AuditSecretRotate     = "api_client.secret_rotate"
	AuditKindPut          = "iot_kind.put"
	AuditDeviceCreate     = "iot_device.create"
	AuditDeviceUpdate     = "iot_device.update"
	AuditDeviceDeactivate = "iot_device.deactivate"
	AuditDeviceDelete     = "iot_device.delete"
)

// auditDevice is a device as the trail keeps it: the owner's phone
// masked, as staff who do not call back see it.
func auditDevice(d *Device) any {
	if d == nil {
		return nil
	}
	v := *d
	v.OwnerPhone = org.MaskPhone(d.OwnerPhone)
	return &v
}

func (s *Service) now() time.Time {
	// Storage keeps microseconds, as casework does.
	return s.Now().Truncate(time.Microsecond).In(calendar.Zone())
}

// Store keeps the device registry, the alarm ledger, the senders' secrets
// and the ledger of transfers and work orders. Implemented by package store
// for SQLite and PostgreSQL. Missing things are ENOTFOUND, duplicates
// ECONFLICT.
type Store interface {
	// Client returns a machine client, revoked or not.
	Client(ctx context.Context, id int64) (*org.APIClient, error)
	// Secret returns the HMAC secret of a client; ENOTFOUND when none is set.
	Secret(ctx context.Context, clientID int64) (string, error)
	// PutSecret sets or replaces a client's secret.
	PutSecret(ctx context.Context, clientID int64, secret string, at time.Time) error

	ListKinds(ctx context.Context) ([]*KindConfig, error)
	GetKind(ctx context.Context, kind DeviceKind) (*KindConfig, error)
	PutKind(ctx context.Context, k *KindConfig) error

	CreateDevice(ctx context.Context, d *Device) error
	// UpdateDevice writes the registry fields of a device, never its storm
	// state, which only IngestAlarm changes.
	UpdateDevice(ctx context.Context, d *Device) error
	GetDevice(ctx context.Context, id int64) (*Device, error)
	FindDevice(ctx context.Context, clientID int64, code string) (*Device, error)
	ListDevices(ctx context.Context, f DeviceFilter) ([]*Device, int, error)
	// DeleteDevice removes a device that never alarmed; one with alarms on
	// record is ECONFLICT (deactivate it instead).
	DeleteDevice(ctx context.Context, id int64) error

	// IngestAlarm records an alarm once and lets decide act on it, all in
	// one transaction. It first claims the alarm's (client, alarm id): if
	// that was claimed before, it returns the first record with Duplicate
	// set and writes nothing. Otherwise it locks the device and the case
	// the device's storm points to (nil when none), calls decide, writes
	// the new case or the step it returns, moves the device's storm state
	// (an alarm sets its last alarm time, and its storm case to a new case)
	// and completes the record. An error from decide writes nothing.
	IngestAlarm(ctx context.Context, a *Alarm, decide AlarmDecider) (*Alarm, error)

	// ExistingCases returns, of the external ids given, those a case of the
	// channel has already, with that case.
	ExistingCases(ctx context.Context, ch casework.Channel, externalIDs []string) (map[string]CaseRef, error)
	// CreateItems stores, in one transaction, the import (when not nil,
	// giving it its ID) and each item's case with its report event and its
	// ledger row. A case whose (channel, external id) exists already makes
	// the whole call ECONFLICT and stores nothing.
	CreateItems(ctx context.Context, imp *Import, items []*Item) error
	// Arrivals returns, for each case of the channel (not voided or merged)
	// whose sender's time (the item's source time, else the case's report
	// time) is in [from, to), that time and the first start event's time,
	// nil when it never started.
	Arrivals(ctx context.Context, ch casework.Channel, from, to time.Time) ([]Arrival, error)
	// ExportLayouts returns the header rows of the imports that items of
	// the channel in [from, to) came from, oldest import first. clientID,
	// when not 0, keeps the cases of that client.
	ExportLayouts(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time) ([]Layout, error)
	// EachExportRow calls fn for each item of the channel whose source time
	// is in [from, to), in source time order, reading them from the
	// database one at a time.
	EachExportRow(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time, fn func(*ExportRow) error) error
	// CountExportRows counts the items EachExportRow would give.
	CountExportRows(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time) (int, error)
}

// CaseRef names a case that an item made.
type CaseRef struct {
	ID     int64  `json:"case_id"`
	Number string `json:"case_number"`
}

// Item is one police transfer or work order to store with its case.
type Item struct {
	Case       *casework.Case
	Report     *casework.Event
	Channel    casework.Channel
	ExternalID string
	SourceAt   time.Time // the sender's own time: 移交时间, 来电时间
	ImportID   int64     // set by the store
	Cells      []string  // a file row as read, aligned with the import's headers
}

// Import is one imported file.
type Import struct {
	ID        int64
	Channel   casework.Channel
	FileName  string
	Headers   []string
	Created   int
	ActorKind string
	ActorID   int64
	ActorName string
	CreatedAt time.Time
}

// Arrival is one case of the arrival figure.
type Arrival struct {
	CaseID    int64
	SourceAt  time.Time
	StartedAt *time.Time
}

// Layout is the header row of one import.
type Layout struct {
	ImportID int64
	Headers  []string
}

// ExportRow is one item as the export writes it.
type ExportRow struct {
	ImportID   int64
	Cells      []string
	ExternalID string
	SourceAt   time.Time
	CaseNumber string
	Status     casework.Status
	ClosedAt   *time.Time
	Result     string // the reason of the last report back (处置反馈)
}

// requireRoles refuses everyone but staff of the roles.
func requireRoles(a org.Actor, zh, en string, roles ...org.Role) error {
	if a.Kind == org.ActorResident {
		return jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	if !a.Is(roles...) {
		return jiedao.Forbidden(zh, en)
	}
	return nil
}

// sourceClient decides which machine client a report of the channel comes
// from: a client posts only to its own channel and for itself; a
// dispatcher may name the client a file or a call came through (0: none).
// It returns the client id the case records.
func (s *Service) sourceClient(ctx context.Context, a org.Actor, ch casework.Channel, named int64) (int64, error) {
	switch {
	case a.Kind == org.ActorClient:
		if casework.Channel(a.Channel) != ch {
			return 0, jiedao.Forbidden("该客户端不属于"+channelZh(ch)+"渠道，不能提交", "this client does not belong to the "+string(ch)+" channel")
		}
		if named != 0 && named != a.ID {
			return 0, jiedao.Forbidden("客户端只能以自己的名义提交", "a client posts only for itself")
		}
		return a.ID, nil
	case a.Kind == org.ActorResident:
		return 0, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	case !a.Is(org.RoleDispatcher):
		return 0, jiedao.Forbidden("只有指挥中心调度员可以录入或导入"+channelZh(ch)+"事件", "only dispatchers enter or import "+string(ch)+" cases")
	}
	if named == 0 {
		return 0, nil
	}
	c, err := s.Store.Client(ctx, named)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return 0, jiedao.Invalid("client_id", "客户端不存在", "unknown client")
	} else if err != nil {
		return 0, err
	}
	if c.RevokedAt != nil || casework.Channel(c.Channel) != ch {
		return 0, jiedao.Invalid("client_id", "该客户端已吊销或不属于"+channelZh(ch)+"渠道", "the client is revoked or not of the "+string(ch)+" channel")
	}
	return c.ID, nil
}

func channelZh(ch casework.Channel) string {
	switch ch {
	case casework.ChannelIoT:
		return "智慧三件套"
	case casework.ChannelPolice:
		return "警网协同"
	case casework.ChannelHotline:
		return "12345热线"
	}
	return string(ch)
}

// checkText bounds a text field; its messages name the field in both
// languages.
func checkText(field, v string, max int, required bool, zh, en string) error {
	if required && strings.TrimSpace(v) == "" {
		return jiedao.Invalid(field, "请填写"+zh, en+" is required")
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		e := jiedao.Errorf(jiedao.EINVALID, zh+"不能超过%d字", en+" must be at most %d characters", max)
		e.Field = field
		return e
	}
	return nil
}

// firstRunes cuts s to n runes, marking the cut.
func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
