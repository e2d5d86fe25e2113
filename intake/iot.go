package intake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// DeviceKind is what a device watches.
type DeviceKind string

const (
	KindSmoke    DeviceKind = "smoke"          // 烟感 (智慧三件套)
	KindGas      DeviceKind = "gas"            // 燃气 (智慧三件套)
	KindEbike    DeviceKind = "ebike_charging" // 电动车充电 (智慧三件套)
	KindGuardian DeviceKind = "guardian"       // 安居守护: an elderly person living alone
)

// DeviceKinds lists every kind.
func DeviceKinds() []DeviceKind { return []DeviceKind{KindSmoke, KindGas, KindEbike, KindGuardian} }

// Valid reports whether k is a known kind.
func (k DeviceKind) Valid() bool {
	for _, x := range DeviceKinds() {
		if k == x {
			return true
		}
	}
	return false
}

// Zh names the kind in Chinese.
func (k DeviceKind) Zh() string {
	switch k {
	case KindSmoke:
		return "烟感"
	case KindGas:
		return "燃气"
	case KindEbike:
		return "电动车充电"
	case KindGuardian:
		return "安居守护"
	}
	return string(k)
}

// DefaultStormMinutes is the storm window when a kind sets none.
const DefaultStormMinutes = 30

// KindConfig says what case an alarm of a kind makes: its category, its
// urgency (urgent by default: the category's urgent policy counts its
// deadlines in minutes and hours) and the storm window.
type KindConfig struct {
	Kind         DeviceKind       `json:"kind"`
	Category     string           `json:"category"`
	Urgency      casework.Urgency `json:"urgency"`
	StormMinutes int              `json:"storm_minutes"`
}

// Device is one registered sensor or guardian.
type Device struct {
	ID          int64      `json:"id"`
	ClientID    int64      `json:"client_id"` // the alarm platform that sends its alarms
	Code        string     `json:"code"`      // the platform's own device id
	Kind        DeviceKind `json:"kind"`
	Name        string     `json:"name,omitempty"`
	Lat         float64    `json:"lat"` // WGS-84
	Lon         float64    `json:"lon"`
	GridID      int64      `json:"grid_id,omitempty"`
	CommunityID int64      `json:"community_id,omitempty"`
	Address     string     `json:"address,omitempty"`
	OwnerName   string     `json:"owner_name,omitempty"`
	OwnerPhone  string     `json:"owner_phone,omitempty"`
	Active      bool       `json:"active"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// The storm state: the case the device's alarms fold into, and when it
	// last alarmed.
	StormCaseID int64      `json:"storm_case_id,omitempty"`
	LastAlarmAt *time.Time `json:"last_alarm_at,omitempty"`
}

// DeviceInput registers or changes a device.
type DeviceInput struct {
	ClientID   int64      `json:"client_id"`
	Code       string     `json:"code"`
	Kind       DeviceKind `json:"kind"`
	Name       string     `json:"name,omitempty"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	GCJ02      bool       `json:"gcj02,omitempty"` // the point is in GCJ-02, as phone maps give it
	Address    string     `json:"address,omitempty"`
	OwnerName  string     `json:"owner_name,omitempty"`
	OwnerPhone string     `json:"owner_phone,omitempty"`
	Active     *bool      `json:"active,omitempty"` // default true
}

// DeviceFilter selects devices.
type DeviceFilter struct {
	ClientID int64
	Kind     DeviceKind
	Query    string // words in the code, name or address
	// Jurisdiction keeps the devices of one subdistrict (placed in its
	// communities; 0: every device). Set by the Service from the actor.
	Jurisdiction int64
	Limit        int
	Offset       int
}

// Device codes are what the platforms send: letters, digits and a little
// punctuation, never spaces, so that a code in a log is unambiguous.
var deviceCodeRE = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,64}$`)

// Alarm ids are the same, a little longer.
var alarmIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,80}$`)

// Kinds lists the kinds' settings; staff who see every case may read them.
func (s *Service) Kinds(ctx context.Context, a org.Actor) ([]*KindConfig, error) {
	if err := requireRoles(a, "您无权查看设备配置", "you may not see the device settings", org.RoleAdmin, org.RoleDispatcher, org.RoleLeader); err != nil {
		return nil, err
	}
	return s.Store.ListKinds(ctx)
}

// PutKind sets what case an alarm of a kind makes. Admins only.
func (s *Service) PutKind(ctx context.Context, a org.Actor, k KindConfig) (*KindConfig, error) {
	if err := requireRoles(a, "只有系统管理员可以配置设备类型", "only admins configure device kinds", org.RoleAdmin); err != nil {
		return nil, err
	}
	if !k.Kind.Valid() {
		return nil, jiedao.Invalid("kind", "设备类型应为 smoke、gas、ebike_charging 或 guardian", "kind must be smoke, gas, ebike_charging or guardian")
	}
	if k.Urgency == "" {
		k.Urgency = casework.UrgencyUrgent
	}
	if !k.Urgency.Valid() {
		return nil, jiedao.Invalid("urgency", "紧急程度应为 normal、urgent 或 critical", "urgency must be normal, urgent or critical")
	}
	if k.StormMinutes == 0 {
		k.StormMinutes = DefaultStormMinutes
	}
	if k.StormMinutes < 1 || k.StormMinutes > 24*60 {
		return nil, jiedao.Invalid("storm_minutes", "告警合并时间窗应在1到1440分钟之间", "storm_minutes must be between 1 and 1440")
	}
	cat, err := s.Cases.Store.GetCategory(ctx, k.Category)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND || (err == nil && !cat.Active) {
		return nil, jiedao.Invalid("category", "问题分类不存在："+k.Category, "unknown category: "+k.Category)
	} else if err != nil {
		return nil, err
	}
	var before any
	if ks, err := s.Store.ListKinds(ctx); err == nil {
		for _, old := range ks {
			if old.Kind == k.Kind {
				before = old
			}
		}
	}
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.PutKind(ctx, &k); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditKindPut, "iot_kind", string(k.Kind), before, &k, "")
	})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// readDevices is who may read the registry: staff who see every case.
func readDevices(a org.Actor) error {
	return requireRoles(a, "您无权查看设备登记", "you may not see the device registry", org.RoleAdmin, org.RoleDispatcher, org.RoleLeader)
}

func manageDevices(a org.Actor) error {
	return requireRoles(a, "只有系统管理员可以管理设备登记", "only admins manage the device registry", org.RoleAdmin)
}

// deviceView masks the owner's contact for roles that do not call back.
func deviceView(a org.Actor, d *Device) *Device {
	if a.SeesContacts() {
		return d
	}
	v := *d
	v.OwnerName, v.OwnerPhone = org.MaskName(d.OwnerName), org.MaskPhone(d.OwnerPhone)
	return &v
}

// CreateDevice registers a device, placed in its grid.
func (s *Service) CreateDevice(ctx context.Context, a org.Actor, in DeviceInput) (*Device, error) {
	if err := manageDevices(a); err != nil {
		return nil, err
	}
	now := s.now()
	d := &Device{CreatedAt: now}
	if err := s.fillDevice(ctx, d, in, now); err != nil {
		return nil, err
	}
	if err := s.deviceInScope(ctx, a, d); err != nil {
		return nil, jiedao.Invalid("lat", "该位置不在您所在街道的辖区内", "this place is outside your subdistrict")
	}
	err := org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.CreateDevice(ctx, d); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditDeviceCreate, "iot_device", d.ID, nil, auditDevice(d), "")
	})
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
			return nil, &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "该客户端已登记设备编号 " + d.Code, En: "the client has a device " + d.Code + " already", Field: "code"}
		}
		return nil, err
	}
	return d, nil
}

// UpdateDevice replaces a device's registry fields; its storm state stays.
func (s *Service) UpdateDevice(ctx context.Context, a org.Actor, id int64, in DeviceInput) (*Device, error) {
	if err := manageDevices(a); err != nil {
		return nil, err
	}
	d, err := s.Store.GetDevice(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.deviceInScope(ctx, a, d); err != nil {
		return nil, err
	}
	before := auditDevice(d)
	wasActive := d.Active
	now := s.now()
	if err := s.fillDevice(ctx, d, in, now); err != nil {
		return nil, err
	}
	if err := s.deviceInScope(ctx, a, d); err != nil {
		return nil, jiedao.Invalid("lat", "该位置不在您所在街道的辖区内", "this place is outside your subdistrict")
	}
	action := AuditDeviceUpdate
	if wasActive && !d.Active {
		action = AuditDeviceDeactivate
	}
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.UpdateDevice(ctx, d); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, action, "iot_device", d.ID, before, auditDevice(d), "")
	})
	if err != nil {
		if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
			return nil, &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "该客户端已登记设备编号 " + d.Code, En: "the client has a device " + d.Code + " already", Field: "code"}
		}
		return nil, err
	}
	return d, nil
}

// fillDevice checks the input and writes it into d.
func (s *Service) fillDevice(ctx context.Context, d *Device, in DeviceInput, now time.Time) error {
	in.Code = strings.TrimSpace(in.Code)
	if !deviceCodeRE.MatchString(in.Code) {
		return jiedao.Invalid("code", "设备编号应为1到64位字母、数字或 _ . : / -", "code must be 1-64 letters, digits or _ . : / -")
	}
	if !in.Kind.Valid() {
		return jiedao.Invalid("kind", "设备类型应为 smoke、gas、ebike_charging 或 guardian", "kind must be smoke, gas, ebike_charging or guardian")
	}
	if in.Lat == nil || in.Lon == nil {
		return jiedao.Invalid("lat", "请提供设备的经纬度", "give the device's latitude and longitude")
	}
	p := geo.Point{Lat: *in.Lat, Lon: *in.Lon}
	if !p.Valid() {
		return jiedao.Invalid("lat", "经纬度超出范围", "coordinates out of range")
	}
	if in.GCJ02 {
		p = geo.GCJ02ToWGS84(p)
	}
	in.Name, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	in.OwnerName, in.OwnerPhone = strings.TrimSpace(in.OwnerName), strings.TrimSpace(in.OwnerPhone)
	for _, f := range []struct {
		field, v string
		max      int
		zh, en   string
	}{
		{"name", in.Name, 100, "设备名称", "name"},
		{"address", in.Address, 200, "安装地址", "address"},
		{"owner_name", in.OwnerName, 50, "户主姓名", "owner name"},
		{"owner_phone", in.OwnerPhone, 30, "户主电话", "owner phone"},
	} {
		if err := checkText(f.field, f.v, f.max, false, f.zh, f.en); err != nil {
			return err
		}
	}
	if in.OwnerPhone != "" && !validPhone(in.OwnerPhone) {
		return jiedao.Invalid("owner_phone", "户主电话格式不正确", "the owner's phone number is malformed")
	}
	c, err := s.Store.Client(ctx, in.ClientID)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return jiedao.Invalid("client_id", "告警平台客户端不存在", "unknown alarm platform client")
	} else if err != nil {
		return err
	}
	if casework.Channel(c.Channel) != casework.ChannelIoT || c.RevokedAt != nil {
		return jiedao.Invalid("client_id", "告警平台客户端应属于 iot 渠道且未吊销", "the alarm platform client must be of the iot channel and not revoked")
	}
	grid, community, _, err := s.Cases.Places.Place(ctx, p)
	if err != nil {
		return err
	}
	d.ClientID, d.Code, d.Kind, d.Name = c.ID, in.Code, in.Kind, in.Name
	d.Lat, d.Lon, d.GridID, d.CommunityID = p.Lat, p.Lon, grid, community
	d.Address, d.OwnerName, d.OwnerPhone = in.Address, in.OwnerName, in.OwnerPhone
	d.Active = in.Active == nil || *in.Active
	d.UpdatedAt = now
	return nil
}

// GetDevice returns one device.
func (s *Service) GetDevice(ctx context.Context, a org.Actor, id int64) (*Device, error) {
	if err := readDevices(a); err != nil {
		return nil, err
	}
	d, err := s.Store.GetDevice(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.deviceInScope(ctx, a, d); err != nil {
		return nil, err
	}
	return deviceView(a, d), nil
}

// ListDevices returns one page of the registry and how many match.
func (s *Service) ListDevices(ctx context.Context, a org.Actor, f DeviceFilter) ([]*Device, int, error) {
	if err := readDevices(a); err != nil {
		return nil, 0, err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, 0, jiedao.Invalid("kind", "设备类型应为 smoke、gas、ebike_charging 或 guardian", "kind must be smoke, gas, ebike_charging or guardian")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit, f.Offset = min(f.Limit, 500), max(f.Offset, 0)
	f.Jurisdiction = a.JurisdictionID
	ds, total, err := s.Store.ListDevices(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for i, d := range ds {
		ds[i] = deviceView(a, d)
	}
	return ds, total, nil
}

// DeleteDevice removes a device that never alarmed.
func (s *Service) DeleteDevice(ctx context.Context, a org.Actor, id int64) error {
	if err := manageDevices(a); err != nil {
		return err
	}
	d, err := s.Store.GetDevice(ctx, id)
	if err != nil {
		return err
	}
	if err := s.deviceInScope(ctx, a, d); err != nil {
		return err
	}
	return org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.DeleteDevice(ctx, id); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditDeviceDelete, "iot_device", id, auditDevice(d), nil, "")
	})
}

// SecretOut is a new secret, shown once.
type SecretOut struct {
	ClientID  int64     `json:"client_id"`
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
}

// RotateSecret gives a machine client a new HMAC secret, replacing any
// earlier one at once. Admins only; the secret is shown this once.
func (s *Service) RotateSecret(ctx context.Context, a org.Actor, clientID int64) (*SecretOut, error) {
	if err := requireRoles(a, "只有系统管理员可以设置签名密钥", "only admins set signing secrets", org.RoleAdmin); err != nil {
		return nil, err
	}
	c, err := s.Store.Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if c.RevokedAt != nil {
		return nil, jiedao.Errorf(jiedao.ECONFLICT, "该客户端已吊销", "the client is revoked")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	out := &SecretOut{ClientID: c.ID, Secret: hex.EncodeToString(b), CreatedAt: s.now()}
	// The trail says that and when the secret changed, never the secret.
	err = org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.PutSecret(ctx, c.ID, out.Secret, out.CreatedAt); err != nil {
			return err
		}
		return org.AuditRecord(ctx, s.Audit, a, AuditSecretRotate, "api_client", c.ID, nil, map[string]any{"secret_created_at": out.CreatedAt}, "")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The signature scheme (docs/intake.md): the sender names itself, gives
// the time it signed, and signs that time and the exact body.
const (
	HeaderClient    = "X-Jiedao-Client"    // the sender's API client id
	HeaderTimestamp = "X-Jiedao-Timestamp" // Unix seconds
	HeaderSignature = "X-Jiedao-Signature" // "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body))
	// MaxSkew is how far the timestamp may be from jiedao's clock: an older
	// delivery is refused, so that a captured request cannot be replayed
	// later (within the window the alarm id makes a replay a no-op).
	MaxSkew = 5 * time.Minute
)

// Sign returns the signature header value for a body signed at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignedRequest is a delivery as the handler read it.
type SignedRequest struct {
	Client, Timestamp, Signature string
	Body                         []byte
}

var errBadSignature = jiedao.Errorf(jiedao.EUNAUTHORIZED, "签名无效", "invalid signature")

// authenticate checks a delivery's signature and returns its sender. An
// unknown sender, one without a secret and a wrong signature get the same
// answer, so that client ids cannot be probed.
func (s *Service) authenticate(ctx context.Context, r SignedRequest) (*org.APIClient, error) {
	if r.Client == "" || r.Timestamp == "" || r.Signature == "" {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "缺少签名：请提供 %s、%s 和 %s 请求头", "missing signature: send the %s, %s and %s headers",
			HeaderClient, HeaderTimestamp, HeaderSignature)
	}
	ts, err := strconv.ParseInt(r.Timestamp, 10, 64)
	if err != nil {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "签名时间戳应为 Unix 秒数", "the signature timestamp must be Unix seconds")
	}
	if d := s.Now().Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "签名已过期：时间戳与服务器时间相差超过5分钟", "stale signature: the timestamp is more than 5 minutes from the server's clock")
	}
	id, err := strconv.ParseInt(r.Client, 10, 64)
	if err != nil || id <= 0 {
		return nil, errBadSignature
	}
	c, err := s.Store.Client(ctx, id)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, errBadSignature
	} else if err != nil {
		return nil, err
	}
	secret, err := s.Store.Secret(ctx, id)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, errBadSignature
	} else if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(Sign(secret, ts, r.Body)), []byte(strings.TrimSpace(r.Signature))) {
		return nil, errBadSignature
	}
	if c.RevokedAt != nil {
		return nil, jiedao.Errorf(jiedao.EUNAUTHORIZED, "API 客户端已吊销", "API client revoked")
	}
	return c, nil
}

// AlarmType tells an alarm from its all-clear.
type AlarmType string

const (
	AlarmRaised  AlarmType = "alarm" // 告警
	AlarmCleared AlarmType = "clear" // 告警解除
)

// Outcome is what an alarm did.
type Outcome string

const (
	OutcomeOpened  Outcome = "opened"  // made a new case
	OutcomeRepeat  Outcome = "repeat"  // folded into the device's open case
	OutcomeCleared Outcome = "cleared" // recorded as the all-clear on the device's case
	OutcomeNoCase  Outcome = "no_case" // an all-clear with no case to record it on
)

// AlarmInput is the webhook's body.
type AlarmInput struct {
	AlarmID    string    `json:"alarm_id"`  // the platform's id of this alarm: the idempotency key
	DeviceID   string    `json:"device_id"` // the platform's device id (the registry's code)
	Type       AlarmType `json:"type,omitempty"`
	OccurredAt string    `json:"occurred_at,omitempty"` // RFC 3339, the device's time
	Message    string    `json:"message,omitempty"`
}

// Alarm is an alarm as the ledger keeps it.
type Alarm struct {
	ID         int64      `json:"-"`
	ClientID   int64      `json:"client_id"`
	AlarmID    string     `json:"alarm_id"`
	DeviceID   int64      `json:"device_id"`
	Type       AlarmType  `json:"type"`
	OccurredAt *time.Time `json:"occurred_at,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
	Message    string     `json:"message,omitempty"`
	Outcome    Outcome    `json:"outcome"`
	CaseID     int64      `json:"case_id,omitempty"`
	Duplicate  bool       `json:"duplicate"` // a retried delivery: nothing was done again
}

// AlarmDecider decides what an alarm does, given its device and the case
// the device's storm points to (nil when none), both locked.
type AlarmDecider func(dev *Device, storm *casework.Case) (*AlarmDecision, error)

// AlarmDecision is a new case with its report, or a step already applied to
// the storm case, or neither.
type AlarmDecision struct {
	Outcome Outcome
	NewCase *casework.Case
	Report  *casework.Event
	Step    *casework.Event
}

// AlarmResult answers a delivery.
type AlarmResult struct {
	AlarmID   string         `json:"alarm_id"`
	Type      AlarmType      `json:"type"`
	Outcome   Outcome        `json:"outcome"`
	Duplicate bool           `json:"duplicate"`
	Case      *casework.Case `json:"case,omitempty"` // as the sender sees it
}

// maxAlarmBody bounds a delivery: an alarm is a few hundred bytes.
const maxAlarmBody = 64 << 10

// ReceiveAlarm takes one signed delivery from an alarm platform: it checks
// the signature, then the alarm, and makes a case, folds a repeat into the
// device's open case, or records an all-clear; a delivery seen before
// changes nothing and answers as the first did. A refused delivery stores
// nothing.
func (s *Service) ReceiveAlarm(ctx context.Context, r SignedRequest) (*AlarmResult, error) {
	client, err := s.authenticate(ctx, r)
	if err != nil {
		return nil, err
	}
	if casework.Channel(client.Channel) != casework.ChannelIoT {
		return nil, jiedao.Forbidden("该客户端不属于智慧三件套（iot）渠道，不能发送告警", "this client is not of the iot channel and may not send alarms")
	}
	var in AlarmInput
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, jiedao.Errorf(jiedao.EINVALID, "请求内容只能是一个 JSON 对象", "the body must be one JSON object")
	}
	al, err := s.checkAlarm(client, in)
	if err != nil {
		return nil, err
	}
	dev, err := s.Store.FindDevice(ctx, client.ID, strings.TrimSpace(in.DeviceID))
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, &jiedao.Error{Code: jiedao.ENOTFOUND, Zh: "设备未登记：" + in.DeviceID, En: "device not registered: " + in.DeviceID, Field: "device_id"}
	} else if err != nil {
		return nil, err
	}
	if !dev.Active {
		return nil, &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "设备已停用：" + dev.Code, En: "device deactivated: " + dev.Code, Field: "device_id"}
	}
	kind, err := s.Store.GetKind(ctx, dev.Kind)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		// The platform should retry: the alarm is real, only the office's
		// settings are missing.
		return nil, jiedao.Errorf(jiedao.EUNAVAILABLE, "设备类型“%s”尚未配置问题分类，请系统管理员配置后重发", "device kind %s has no category yet: an admin must set it, then resend", string(dev.Kind))
	} else if err != nil {
		return nil, err
	}
	cal, err := s.Cases.Calendars.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	actor := org.ClientActor(client)
	al.DeviceID = dev.ID
	now := al.ReceivedAt
	window := time.Duration(kind.StormMinutes) * time.Minute
	decide := func(dev *Device, storm *casework.Case) (*AlarmDecision, error) {
		step := func(action casework.Action, outcome Outcome, reason string) (*AlarmDecision, error) {
			e, err := s.Cases.TakeStep(ctx, cal, s.Cases.Store.GetCategory, actor, storm, casework.StepInput{Action: action, Reason: reason}, now)
			if err != nil {
				return nil, err
			}
			return &AlarmDecision{Outcome: outcome, Step: e}, nil
		}
		if al.Type == AlarmCleared {
			if storm == nil || casework.CheckStep(actor, casework.ActAlarmClear, storm) != nil {
				return &AlarmDecision{Outcome: OutcomeNoCase}, nil
			}
			return step(casework.ActAlarmClear, OutcomeCleared, alarmReason("设备报告告警解除", al))
		}
		// The storm rule: a repeat within the window of the device's last
		// alarm, while the case that alarm made or joined is open.
		if storm != nil && storm.Status.Open() && dev.LastAlarmAt != nil && now.Sub(*dev.LastAlarmAt) <= window {
			return step(casework.ActAlarmRepeat, OutcomeRepeat, alarmReason("设备再次告警", al))
		}
		c, e, err := s.Cases.NewReport(ctx, actor, alarmReport(dev, kind, al), now)
		if err != nil {
			return nil, err
		}
		return &AlarmDecision{Outcome: OutcomeOpened, NewCase: c, Report: e}, nil
	}
	out, err := s.Store.IngestAlarm(ctx, al, decide)
	if err != nil {
		return nil, err
	}
	res := &AlarmResult{AlarmID: out.AlarmID, Type: out.Type, Outcome: out.Outcome, Duplicate: out.Duplicate}
	if out.CaseID != 0 {
		c, err := s.Cases.Get(ctx, actor, out.CaseID)
		if err != nil && jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return nil, err
		}
		res.Case = c
	}
	return res, nil
}

// checkAlarm validates a delivery's body and builds its ledger record.
func (s *Service) checkAlarm(client *org.APIClient, in AlarmInput) (*Alarm, error) {
	in.AlarmID, in.DeviceID = strings.TrimSpace(in.AlarmID), strings.TrimSpace(in.DeviceID)
	if !alarmIDRE.MatchString(in.AlarmID) {
		return nil, jiedao.Invalid("alarm_id", "告警编号应为1到80位字母、数字或 _ . : / -", "alarm_id must be 1-80 letters, digits or _ . : / -")
	}
	if !deviceCodeRE.MatchString(in.DeviceID) {
		return nil, jiedao.Invalid("device_id", "设备编号应为1到64位字母、数字或 _ . : / -", "device_id must be 1-64 letters, digits or _ . : / -")
	}
	if in.Type == "" {
		in.Type = AlarmRaised
	}
	if in.Type != AlarmRaised && in.Type != AlarmCleared {
		return nil, jiedao.Invalid("type", "告警类型应为 alarm 或 clear", "type must be alarm or clear")
	}
	in.Message = strings.TrimSpace(in.Message)
	if err := checkText("message", in.Message, 500, false, "告警内容", "message"); err != nil {
		return nil, err
	}
	al := &Alarm{ClientID: client.ID, AlarmID: in.AlarmID, Type: in.Type, Message: in.Message, ReceivedAt: s.now()}
	if in.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339, in.OccurredAt)
		if err != nil {
			return nil, jiedao.Invalid("occurred_at", "告警时间格式应为 2024-06-12T09:30:00+08:00", "occurred_at must be RFC 3339")
		}
		t = t.Truncate(time.Microsecond).In(calendar.Zone())
		al.OccurredAt = &t
	}
	return al, nil
}

// alarmExternalID is the case's external id: the platform's alarm id under
// the client's id, since two platforms may number their alarms alike.
func alarmExternalID(al *Alarm) string { return fmt.Sprintf("%d:%s", al.ClientID, al.AlarmID) }

// alarmReport is the report an alarm that opens a case makes: urgent (or
// as the kind says), at the device's place, the owner as the contact the
// command center calls back.
func alarmReport(dev *Device, k *KindConfig, al *Alarm) casework.ReportInput {
	where := dev.Address
	if where == "" {
		where = dev.Name
	}
	if where == "" {
		where = dev.Code
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s设备 %s 告警", dev.Kind.Zh(), dev.Code)
	if al.Message != "" {
		b.WriteString("：" + al.Message)
	}
	b.WriteString("。")
	if al.OccurredAt != nil {
		b.WriteString("告警时间 " + al.OccurredAt.Format("2006-01-02 15:04:05") + "。")
	}
	if dev.Name != "" {
		b.WriteString("设备名称：" + dev.Name + "。")
	}
	if dev.Address != "" {
		b.WriteString("安装地址：" + dev.Address + "。")
	}
	lat, lon := dev.Lat, dev.Lon
	return casework.ReportInput{
		Channel: casework.ChannelIoT, ExternalID: alarmExternalID(al), Category: k.Category, Urgency: k.Urgency,
		Title: firstRunes(dev.Kind.Zh()+"告警："+where, 90), Details: b.String(), Address: dev.Address,
		Lat: &lat, Lon: &lon, Reporter: casework.Contact{Name: dev.OwnerName, Phone: dev.OwnerPhone}, Alarms: 1,
	}
}

// alarmReason is the reason of a repeat or all-clear step: what happened,
// the alarm id, and the device's own words.
func alarmReason(what string, al *Alarm) string {
	r := what + "（告警编号 " + al.AlarmID + "）"
	if al.Message != "" {
		r += "：" + al.Message
	}
	return r
}

// jsonError turns a JSON decoding error into a bilingual one.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var je *jiedao.Error
	switch {
	case errors.As(err, &je):
		return je // a field's own reading (transferred_at)
	case errors.Is(err, io.EOF):
		return jiedao.Errorf(jiedao.EINVALID, "请求内容为空", "empty request body")
	case errors.As(err, &typ) && typ.Field == "":
		// The whole body has the wrong type: an array, a string.
		return jiedao.Invalid("body", "请求内容应为一个 JSON 对象，而不是"+typ.Value, "the body must be one JSON object, not "+typ.Value)
	case errors.As(err, &syntax):
		return jiedao.Errorf(jiedao.EINVALID, "JSON 格式错误（第%d字节）", "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return jiedao.Invalid(typ.Field, "字段类型错误："+typ.Field, "wrong type for field "+typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return jiedao.Invalid(f, "未知字段："+f, "unknown field: "+f)
	}
	return jiedao.Errorf(jiedao.EINVALID, "无法解析请求内容", "cannot parse the request body")
}

// deviceInScope refuses, as not found, a device of another subdistrict to
// an actor of a subdistrict (docs/jurisdictions.md): a device belongs to
// the subdistrict of the community it is placed in; an unplaced one to the
// whole deployment.
func (s *Service) deviceInScope(ctx context.Context, a org.Actor, d *Device) error {
	if a.JurisdictionID == 0 {
		return nil
	}
	var j int64
	if src, ok := s.Cases.Units.(casework.JurisdictionSource); ok && d.CommunityID != 0 {
		var err error
		if j, err = src.CommunityJurisdiction(ctx, d.CommunityID); err != nil {
			return err
		}
	}
	if !a.InJurisdiction(j) {
		return jiedao.NotFound("设备", "device")
	}
	return nil
}
