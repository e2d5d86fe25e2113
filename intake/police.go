package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// PoliceEventInput is one non-police event the police pass on (警网协同).
type PoliceEventInput struct {
	EventNo  string           `json:"event_no"` // 接警编号: the police's own number
	Category string           `json:"category"`
	Urgency  casework.Urgency `json:"urgency,omitempty"`
	Title    string           `json:"title,omitempty"`
	Details  string           `json:"details"`
	Address  string           `json:"address,omitempty"`
	Lat      *float64         `json:"lat,omitempty"`
	Lon      *float64         `json:"lon,omitempty"`
	GCJ02    bool             `json:"gcj02,omitempty"`
	Reporter casework.Contact `json:"reporter"`
	// TransferredAt is when the police passed it on (移交时间), RFC 3339;
	// the arrival figure counts from it. Default: when jiedao received it.
	TransferredAt *time.Time `json:"transferred_at,omitempty"`
	// ClientID names, for a dispatcher keying in a transfer, the police
	// system it came through; a client posts for itself.
	ClientID int64 `json:"client_id,omitempty"`
}

// UnmarshalJSON reads a transfer strictly (unknown fields refused), with
// transferred_at read here so that a malformed time names its field.
func (in *PoliceEventInput) UnmarshalJSON(b []byte) error {
	type plain PoliceEventInput
	var x struct {
		plain
		TransferredAt json.RawMessage `json:"transferred_at,omitempty"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		return err
	}
	*in = PoliceEventInput(x.plain)
	if raw := x.TransferredAt; len(raw) > 0 && string(raw) != "null" {
		var s string
		t, err := time.Time{}, json.Unmarshal(raw, &s)
		if err == nil {
			t, err = time.Parse(time.RFC3339, s)
		}
		if err != nil {
			return jiedao.Invalid("transferred_at", "移交时间应为 RFC 3339 时间，如 2024-06-11T09:00:00+08:00",
				"transferred_at must be an RFC 3339 time such as 2024-06-11T09:00:00+08:00")
		}
		in.TransferredAt = &t
	}
	return nil
}

// PoliceResult answers a transfer.
type PoliceResult struct {
	Created bool           `json:"created"` // false: the event number had a case already
	Case    *casework.Case `json:"case"`
}

// maxEventNo bounds an event number, within a case's external id.
const maxEventNo = 64

// PoliceEvent takes in one transfer. The same event number always answers
// with the case it made first, so a retried delivery never makes two.
func (s *Service) PoliceEvent(ctx context.Context, a org.Actor, in PoliceEventInput) (*PoliceResult, error) {
	via, err := s.sourceClient(ctx, a, casework.ChannelPolice, in.ClientID)
	if err != nil {
		return nil, err
	}
	in.EventNo = strings.TrimSpace(in.EventNo)
	if err := checkText("event_no", in.EventNo, maxEventNo, true, "接警编号", "event number"); err != nil {
		return nil, err
	}
	now := s.now()
	source := now
	if in.TransferredAt != nil {
		if in.TransferredAt.After(now.Add(MaxSkew)) {
			return nil, jiedao.Invalid("transferred_at", "移交时间不能晚于当前时间", "transferred_at is in the future")
		}
		source = in.TransferredAt.Truncate(time.Microsecond).In(calendar.Zone())
	}
	if old, err := s.existing(ctx, a, casework.ChannelPolice, in.EventNo); err != nil {
		return nil, err
	} else if old != nil {
		return &PoliceResult{Case: old}, nil
	}
	rin := casework.ReportInput{Channel: casework.ChannelPolice, ExternalID: in.EventNo, Category: in.Category, Urgency: in.Urgency,
		Title: in.Title, Details: in.Details, Address: in.Address, Lat: in.Lat, Lon: in.Lon, GCJ02: in.GCJ02, Reporter: in.Reporter, ViaClient: via,
		SourceAt: &source}
	c, e, err := s.Cases.NewReport(ctx, a, rin, now)
	if err != nil {
		return nil, err
	}
	item := &Item{Case: c, Report: e, Channel: casework.ChannelPolice, ExternalID: in.EventNo, SourceAt: source}
	if err := s.Store.CreateItems(ctx, nil, []*Item{item}); err != nil {
		if jiedao.ErrorCode(err) == jiedao.ECONFLICT {
			// Another delivery of the same event won the race.
			if old, ferr := s.existing(ctx, a, casework.ChannelPolice, in.EventNo); ferr == nil && old != nil {
				return &PoliceResult{Case: old}, nil
			}
		}
		return nil, err
	}
	v, err := s.Cases.Get(ctx, a, c.ID)
	if err != nil {
		return nil, err
	}
	return &PoliceResult{Created: true, Case: v}, nil
}

// existing returns the case of the channel with the external id as the
// actor sees it, or nil when there is none. A case the actor may not see
// (another client's) is a conflict, never shown.
func (s *Service) existing(ctx context.Context, a org.Actor, ch casework.Channel, externalID string) (*casework.Case, error) {
	refs, err := s.Store.ExistingCases(ctx, ch, []string{externalID})
	if err != nil {
		return nil, err
	}
	ref, ok := refs[externalID]
	if !ok {
		return nil, nil
	}
	c, err := s.Cases.Get(ctx, a, ref.ID)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, &jiedao.Error{Code: jiedao.ECONFLICT, Zh: "该编号已由其他来源上报：" + externalID, En: "another source reported this number already: " + externalID, Field: "event_no"}
	}
	return c, err
}

// ArrivalFigures is the police-transfer figure of a period: how soon after
// the police passed an event on did a unit arrive (the start step, 到场).
type ArrivalFigures struct {
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Transferred int       `json:"transferred"` // police cases transferred in the period, not voided or merged
	Count       int       `json:"count"`       // of those, cases with an arrival
	NotArrived  int       `json:"not_arrived"` // of those, cases without one (yet)
	// Minutes from transfer to the first start, over the cases counted;
	// nil when there are none. Rounded to two decimals.
	MeanMinutes *float64 `json:"mean_minutes"`
	P90Minutes  *float64 `json:"p90_minutes"`
	MaxMinutes  *float64 `json:"max_minutes"`
}

// PoliceArrival computes the arrival figure of [from, to). Staff who see
// every case may read it.
func (s *Service) PoliceArrival(ctx context.Context, a org.Actor, from, to time.Time) (*ArrivalFigures, error) {
	if err := requireRoles(a, "您无权查看考核数据", "you may not see the evaluation figures", org.RoleAdmin, org.RoleDispatcher, org.RoleLeader); err != nil {
		return nil, err
	}
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return nil, jiedao.Invalid("from", "请给出有效的起止日期", "give a valid period")
	}
	rows, err := s.Store.Arrivals(ctx, casework.ChannelPolice, from, to)
	if err != nil {
		return nil, err
	}
	return arrivalFigures(from, to, rows), nil
}

// arrivalFigures computes the figure from its rows. The 90th percentile is
// the nearest-rank one: the smallest time within which at least 90% of
// the counted cases had arrived.
func arrivalFigures(from, to time.Time, rows []Arrival) *ArrivalFigures {
	f := &ArrivalFigures{From: from, To: to, Transferred: len(rows)}
	var mins []float64
	for _, r := range rows {
		if r.StartedAt == nil {
			continue
		}
		// A transfer time a little after the arrival (clocks of two
		// systems) counts as an arrival at once, not a negative time.
		mins = append(mins, max(r.StartedAt.Sub(r.SourceAt).Minutes(), 0))
	}
	f.Count, f.NotArrived = len(mins), len(rows)-len(mins)
	if len(mins) == 0 {
		return f
	}
	slices.Sort(mins)
	sum := 0.0
	for _, m := range mins {
		sum += m
	}
	round := func(v float64) *float64 { v = math.Round(v*100) / 100; return &v }
	f.MeanMinutes = round(sum / float64(len(mins)))
	f.P90Minutes = round(mins[int(math.Ceil(0.9*float64(len(mins))))-1])
	f.MaxMinutes = round(mins[len(mins)-1])
	return f
}
