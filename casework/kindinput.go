package casework

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
)

// DecodeKind reads a kind's JSON into v, refusing unknown fields, for the
// kind packages. Empty input leaves v as it is.
func DecodeKind(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		msg := err.Error()
		return &jiedao.Error{Code: jiedao.EINVALID, Field: "kind_data", Zh: "专项字段格式有误：" + msg, En: "the kind's fields are malformed: " + msg}
	}
	return nil
}

// KindDate is a date or time given in a kind's input: "2023-01-28",
// "2023-01-28 14:30" or RFC 3339, China time.
type KindDate struct{ time.Time }

// UnmarshalJSON reads the forms KindDate accepts.
func (d *KindDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Zone()); err == nil {
			d.Time = t
			return nil
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return jiedao.Invalid("kind_data", "日期格式应为 2023-01-28 或 2023-01-28 14:30："+s, "a date must look like 2023-01-28: "+s)
	}
	d.Time = t.In(calendar.Zone())
	return nil
}

// MarshalJSON writes the time in RFC 3339.
func (d KindDate) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(d.In(calendar.Zone()).Format(time.RFC3339))
}

// ActAt is when a kind's act took place: the date given (d), else now. A
// date after now is refused: nothing is recorded ahead of time. A bare date
// (midnight) of today is taken as now, so that its act orders after the
// case's earlier steps of the same day.
func ActAt(d *KindDate, now time.Time, field, zh string) (time.Time, error) {
	if d == nil || d.IsZero() {
		return now, nil
	}
	t := d.In(calendar.Zone())
	if t.After(now) {
		return now, jiedao.Invalid(field, zh+"不能晚于当前时间（"+now.Format("2006-01-02 15:04")+"）",
			field+" cannot be later than now")
	}
	return t, nil
}

// Refuse is a kind rule's refusal: an invalid input naming the field.
func Refuse(field, zh, en string) error { return jiedao.Invalid(field, zh, en) }

// ClockInput is the input of the clock steps (pause, resume, extend): the
// clock's name, the extension's days.
type ClockInput struct {
	Clock string    `json:"clock"`
	Days  int       `json:"days,omitempty"`
	At    *KindDate `json:"at,omitempty"`
}

// clockStep takes a clock step on a kind case: it is the same for every
// kind, the clocks being data. approver is who granted an extension: the
// actor of the step, whom the rule table allows to approve.
func clockStep(st *KindState, action Action, reason, approver string, raw json.RawMessage, now time.Time) (*KindState, error) {
	var in ClockInput
	if err := DecodeKind(raw, &in); err != nil {
		return nil, err
	}
	at, err := ActAt(in.At, now, "at", "时间")
	if err != nil {
		return nil, err
	}
	next := st.Clone()
	c := next.Clock(in.Clock)
	if c == nil {
		return nil, Refuse("clock", "本案没有名为“"+in.Clock+"”的时限", "the case has no clock "+in.Clock)
	}
	switch action {
	case ActClockPause:
		err = c.Pause(at, reason)
	case ActClockResume:
		err = c.Resume(at)
	case ActClockExtend:
		err = c.Extend(in.Days, reason, approver, at)
	}
	if err != nil {
		return nil, err
	}
	return next, nil
}
