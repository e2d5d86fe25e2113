package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/org"
)

// Live keeps a served demo subdistrict alive: at each tick one thing
// happens, as it would in Gudang on an ordinary day — a resident reports by
// the Xihu code, a grid worker reports from his patrol, a sensor alarms, the
// police pass on an event, a 12345 work order arrives, the command center
// accepts and dispatches, a unit signs for a case, starts and reports it
// handled, a grid worker verifies it, the command center closes it and
// calls the resident back. Every step goes through the real services
// (casework.Service, and intake.Service for alarms and police transfers)
// as the real actor, so the board's stream, the map and the dashboards
// move as they would. cmd/jiedao calls Start, then Tick on a ticker.
//
// Live needs the demo's organisation (Generate): its staff, units, grids
// and machine clients. It registers the demo's sensors on its first start
// (docs/demo.md).
type Live struct {
	Cases  *casework.Service
	Intake *intake.Service
	Org    LiveOrg
	// Now is the clock of the alarms' signatures; the services have their
	// own (wire the same clock into all of them).
	Now  func() time.Time
	Seed uint64

	rng        *rand.Rand
	admin      org.Actor
	dispatch   []org.Actor
	unitStaff  map[int64][]org.Actor
	gridWorker map[int64]org.Actor
	grids      []*org.Grid
	fallback   int64 // the unit a case goes to when routing suggests none
	clients    map[casework.Channel]org.Actor
	devices    []*intake.Device
	secret     string
	serial     int
}

// LiveOrg is what Live reads of the organisation (store.Org has it).
type LiveOrg interface {
	ListStaff(ctx context.Context) ([]*org.Staff, error)
	ListUnits(ctx context.Context) ([]*org.Unit, error)
	ListGrids(ctx context.Context) ([]*org.Grid, error)
	ListAPIClients(ctx context.Context) ([]*org.APIClient, error)
}

// ParsePace reads the --live flag: "off" (or 0, false, no), a duration
// between steps ("5s"), or a rate ("12/min", "1/s", "300/h"). The pace is
// the time between two steps; 0 is off.
func ParsePace(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	bad := func() (time.Duration, error) {
		return 0, jiedao.Invalid("live", "节奏应为 off、间隔（如 5s）或速率（如 12/min）："+s,
			"the pace must be off, an interval (5s) or a rate (12/min): "+s)
	}
	switch s {
	case "off", "0", "false", "no", "":
		return 0, nil
	}
	if n, per, ok := strings.Cut(s, "/"); ok {
		count, err := strconv.ParseFloat(n, 64)
		unit := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "m": time.Minute, "h": time.Hour, "hour": time.Hour}[per]
		if err != nil || count <= 0 || unit == 0 {
			return bad()
		}
		s = (time.Duration(float64(unit) / count)).String()
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return bad()
	}
	if d > 0 && d < time.Millisecond {
		return 0, jiedao.Invalid("live", "节奏不能快于每毫秒一步", "the pace cannot be faster than a step a millisecond")
	}
	return d, nil
}

// Start reads the organisation and registers the demo's sensors when none
// are. It fails on a database that is not a demo's.
func (l *Live) Start(ctx context.Context) error {
	l.rng = rand.New(rand.NewPCG(l.Seed, 0x11fe))
	staff, err := l.Org.ListStaff(ctx)
	if err != nil {
		return err
	}
	l.unitStaff, l.gridWorker = map[int64][]org.Actor{}, map[int64]org.Actor{}
	for _, s := range staff {
		if !s.Active {
			continue
		}
		a := org.StaffActor(s)
		switch {
		case s.Username == "admin":
			l.admin = a
		case s.Role == org.RoleDispatcher:
			l.dispatch = append(l.dispatch, a)
		case s.Role.IsUnitRole() && s.UnitID != 0:
			l.unitStaff[s.UnitID] = append(l.unitStaff[s.UnitID], a)
		case s.Role == org.RoleGridWorker && len(s.GridIDs) == 1:
			l.gridWorker[s.GridIDs[0]] = a
		}
	}
	// In a district (demo --district) the district's dispatchers act, who
	// see every subdistrict's cases; a subdistrict's would find another's
	// not found.
	var whole []org.Actor
	for _, a := range l.dispatch {
		if a.JurisdictionID == 0 {
			whole = append(whole, a)
		}
	}
	if len(whole) > 0 && len(whole) < len(l.dispatch) {
		l.dispatch = whole
	}
	units, err := l.Org.ListUnits(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Code == "chengguan" {
			l.fallback = u.ID
		}
	}
	grids, err := l.Org.ListGrids(ctx)
	if err != nil {
		return err
	}
	for _, g := range grids {
		if g.Kind == org.GridStandard && len(g.Geometry) > 0 {
			l.grids = append(l.grids, g)
		}
	}
	clients, err := l.Org.ListAPIClients(ctx)
	if err != nil {
		return err
	}
	l.clients = map[casework.Channel]org.Actor{}
	for _, c := range clients {
		if c.RevokedAt == nil {
			if _, ok := l.clients[casework.Channel(c.Channel)]; !ok {
				l.clients[casework.Channel(c.Channel)] = org.ClientActor(c)
			}
		}
	}
	if l.admin.ID == 0 || len(l.dispatch) == 0 || l.fallback == 0 || len(l.grids) == 0 || len(l.gridWorker) == 0 {
		return jiedao.Errorf(jiedao.ECONFLICT, "数据库不是演示数据（缺少演示机构或账号），无法运行实时演示",
			"the database is not a demo's (no demo organisation or accounts): the live demo cannot run")
	}
	for _, ch := range []casework.Channel{casework.ChannelIoT, casework.ChannelPolice, casework.ChannelHotline} {
		if _, ok := l.clients[ch]; !ok {
			return jiedao.Errorf(jiedao.ECONFLICT, "演示数据缺少 %s 渠道的接入客户端", "the demo has no API client of channel %s", string(ch))
		}
	}
	return l.sensors(ctx)
}

// demoKinds are the sensors of 智慧三件套 and the categories their alarms
// open.
var demoKinds = []struct {
	kind     intake.DeviceKind
	category string
	names    []string
}{
	{intake.KindSmoke, "0501", []string{"独居老人家中烟感", "老旧小区楼道烟感", "沿街商铺烟感"}},
	{intake.KindGas, "0502", []string{"餐饮店燃气报警器", "老年食堂燃气报警器"}},
	{intake.KindEbike, "0503", []string{"电动车集中充电棚", "楼道充电监测"}},
}

// sensors configures the alarm kinds and registers a sensor or two per
// community, once; it keeps the alarm platform's signing secret.
func (l *Live) sensors(ctx context.Context) error {
	iot := l.clients[casework.ChannelIoT]
	for _, k := range demoKinds {
		if _, err := l.Intake.Store.GetKind(ctx, k.kind); jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			if _, err := l.Intake.PutKind(ctx, l.admin, intake.KindConfig{Kind: k.kind, Category: k.category, Urgency: casework.UrgencyUrgent, StormMinutes: intake.DefaultStormMinutes}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	devs, _, err := l.Intake.ListDevices(ctx, l.admin, intake.DeviceFilter{ClientID: iot.ID, Limit: 200})
	if err != nil {
		return err
	}
	// Other parts of the demo register devices of their own (the books'
	// 安居守护 devices, whose alarms need a category an admin sets): the
	// driver alarms through the sensors of its own kinds only.
	own := func(k intake.DeviceKind) bool {
		for _, dk := range demoKinds {
			if dk.kind == k {
				return true
			}
		}
		return false
	}
	devs = slices.DeleteFunc(devs, func(d *intake.Device) bool { return !own(d.Kind) })
	if len(devs) == 0 {
		for i, g := range l.grids {
			if i%3 != 0 {
				continue
			}
			k := demoKinds[(i/3)%len(demoKinds)]
			c := g.Geometry.Bounds().Center()
			lat, lon := c.Lat, c.Lon
			d, err := l.Intake.CreateDevice(ctx, l.admin, intake.DeviceInput{ClientID: iot.ID, Code: fmt.Sprintf("GD-%s-%03d", strings.ToUpper(string(k.kind[:1])), i+1),
				Kind: k.kind, Name: g.Name + k.names[i%len(k.names)], Lat: &lat, Lon: &lon, Address: fmt.Sprintf("%s%d号", streets[i%len(streets)], 10+i*7)})
			if err != nil {
				return err
			}
			devs = append(devs, d)
		}
	}
	for _, d := range devs {
		if d.Active {
			l.devices = append(l.devices, d)
		}
	}
	secret, err := l.Intake.Store.Secret(ctx, iot.ID)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		out, err := l.Intake.RotateSecret(ctx, l.admin, iot.ID)
		if err != nil {
			return err
		}
		secret = out.Secret
	} else if err != nil {
		return err
	}
	l.secret = secret
	return nil
}

// liveStep is one kind of thing that happens, with how often.
type liveStep struct {
	name   string
	weight float64
	run    func(l *Live, ctx context.Context) (bool, error)
}

// liveSteps: reports and alarms come in at about the pace at which the
// office moves cases on, so the piles of the board stay about as they were
// built, and move.
var liveSteps = []liveStep{
	{"resident_report", 9, (*Live).residentReport},
	{"grid_report", 6, (*Live).gridReport},
	{"alarm", 5, (*Live).alarm},
	{"police_transfer", 3, (*Live).policeTransfer},
	{"hotline_order", 3, (*Live).hotlineOrder},
	{"accept", 12, (*Live).accept},
	{"dispatch", 11, (*Live).dispatchOne},
	{"sign", 10, (*Live).sign},
	{"start", 8, (*Live).start},
	{"handle", 8, (*Live).handle},
	{"verify", 8, (*Live).verify},
	{"close", 7, (*Live).closeOne},
	{"rate", 3, (*Live).rate},
}

// Tick makes one thing happen and says what. When the chosen step finds
// nothing to do (no case waits for it), a resident reports instead. Start
// must have run. A step that fails returns its error (a panic too, as an
// error): the demo never stops the server.
func (l *Live) Tick(ctx context.Context) (what string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("demo: live step %s panicked: %v", what, r)
		}
	}()
	weights := make([]float64, len(liveSteps))
	for i, s := range liveSteps {
		weights[i] = s.weight
	}
	s := weighted(l.rng, liveSteps, weights)
	what = s.name
	did, err := s.run(l, ctx)
	if err != nil || did {
		return what, err
	}
	what = "resident_report"
	_, err = l.residentReport(ctx)
	return what, err
}

// place draws a point in the area, near a grid's centre.
func (l *Live) place() (geo.Point, *org.Grid) {
	g := l.grids[l.rng.IntN(len(l.grids))]
	b := g.Geometry.Bounds()
	for range 20 {
		p := geo.Point{Lon: b.MinLon + l.rng.Float64()*(b.MaxLon-b.MinLon), Lat: b.MinLat + l.rng.Float64()*(b.MaxLat-b.MinLat)}
		if g.Geometry.Contains(p) {
			return p, g
		}
	}
	return b.Center(), g
}

func (l *Live) category(ch casework.Channel) (string, string) {
	m := categoryMix[ch]
	code := weighted(l.rng, m.codes, m.weights)
	texts := details[code]
	return code, texts[l.rng.IntN(len(texts))]
}

func (l *Live) address() string {
	return fmt.Sprintf("%s%d号附近", streets[l.rng.IntN(len(streets))], 1+l.rng.IntN(400))
}

// externalID is a source system's number for a new item: unique across
// restarts of the demo.
func (l *Live) externalID(prefix string) string {
	l.serial++
	return fmt.Sprintf("%s%s%02d%03d", prefix, l.Now().Format("20060102150405"), l.serial%100, l.rng.IntN(1000))
}

func (l *Live) residentReport(ctx context.Context) (bool, error) {
	ch := casework.ChannelXihuCode
	if l.rng.IntN(3) == 0 {
		ch = casework.ChannelPingan
	}
	code, text := l.category(ch)
	p, _ := l.place()
	gcj := geo.WGS84ToGCJ02(p) // phones give GCJ-02
	name := personName(l.rng)
	_, err := l.Cases.Report(ctx, org.ResidentActor(name), casework.ReportInput{Channel: ch, Category: code, Details: text,
		Address: l.address(), Lat: &gcj.Lat, Lon: &gcj.Lon, GCJ02: true, Reporter: casework.Contact{Name: name, Phone: phone(l.rng)}})
	return true, err
}

func (l *Live) gridReport(ctx context.Context) (bool, error) {
	p, g := l.place()
	w, ok := l.gridWorker[g.ID]
	if !ok {
		return false, nil
	}
	code, text := l.category(casework.ChannelGrid)
	gcj := geo.WGS84ToGCJ02(p)
	_, err := l.Cases.Report(ctx, w, casework.ReportInput{Category: code, Details: "巡查发现：" + text, Address: l.address(),
		Lat: &gcj.Lat, Lon: &gcj.Lon, GCJ02: true})
	return true, err
}

// alarm is a sensor's alarm, signed by the alarm platform as it signs its
// webhook deliveries.
func (l *Live) alarm(ctx context.Context) (bool, error) {
	if len(l.devices) == 0 {
		return false, nil
	}
	d := l.devices[l.rng.IntN(len(l.devices))]
	body, err := json.Marshal(intake.AlarmInput{AlarmID: l.externalID("ALM"), DeviceID: d.Code, Type: intake.AlarmRaised,
		Message: d.Kind.Zh() + "告警"})
	if err != nil {
		return false, err
	}
	ts := l.Now().Unix()
	iot := l.clients[casework.ChannelIoT]
	_, err = l.Intake.ReceiveAlarm(ctx, intake.SignedRequest{Client: strconv.FormatInt(iot.ID, 10), Timestamp: strconv.FormatInt(ts, 10),
		Signature: intake.Sign(l.secret, ts, body), Body: body})
	return true, err
}

func (l *Live) policeTransfer(ctx context.Context) (bool, error) {
	code, text := l.category(casework.ChannelPolice)
	p, _ := l.place()
	urgency := casework.UrgencyNormal
	if l.rng.Float64() < 0.1 {
		urgency = casework.UrgencyUrgent
	}
	_, err := l.Intake.PoliceEvent(ctx, l.clients[casework.ChannelPolice], intake.PoliceEventInput{EventNo: l.externalID("JQ"),
		Category: code, Urgency: urgency, Details: text, Address: l.address(), Lat: &p.Lat, Lon: &p.Lon,
		Reporter: casework.Contact{Name: personName(l.rng), Phone: phone(l.rng)}})
	return true, err
}

func (l *Live) hotlineOrder(ctx context.Context) (bool, error) {
	code, text := l.category(casework.ChannelHotline)
	p, _ := l.place()
	_, err := l.Cases.Report(ctx, l.clients[casework.ChannelHotline], casework.ReportInput{ExternalID: l.externalID("12345-"),
		Category: code, Details: "市民来电反映：" + text, Address: l.address(), Lat: &p.Lat, Lon: &p.Lon,
		Reporter: casework.Contact{Name: personName(l.rng), Phone: phone(l.rng)}})
	return true, err
}

func (l *Live) dispatcher() org.Actor { return l.dispatch[l.rng.IntN(len(l.dispatch))] }

// pick finds a case waiting in one of the statuses: half the time among
// the ten that have waited longest, else among the ten newest, as a
// dispatcher works the oldest first but picks up what just came in.
func (l *Live) pick(ctx context.Context, f casework.Filter, ok func(*casework.Case) bool) (*casework.Case, error) {
	f.Limit = 10
	if l.rng.IntN(2) == 0 {
		_, total, err := l.Cases.List(ctx, l.dispatch[0], casework.Filter{Statuses: f.Statuses, From: f.From, Limit: 1})
		if err != nil {
			return nil, err
		}
		f.Offset = max(0, total-f.Limit)
	}
	cases, _, err := l.Cases.List(ctx, l.dispatch[0], f)
	if err != nil {
		return nil, err
	}
	// The driver works the ordinary loop; the case kinds (disputes,
	// petitions, enforcement, duty) are their officers' work, on their
	// own steps and clocks.
	cases = slices.DeleteFunc(cases, func(c *casework.Case) bool {
		return c.Kind != casework.KindOrdinary || (ok != nil && !ok(c))
	})
	if len(cases) == 0 {
		return nil, nil
	}
	return cases[l.rng.IntN(len(cases))], nil
}

// step takes a step on a case waiting in status st, by the actor who
// would take it.
func (l *Live) step(ctx context.Context, st casework.Status, ok func(*casework.Case) bool, who func(*casework.Case) (org.Actor, bool), in func(*casework.Case) casework.StepInput) (bool, error) {
	c, err := l.pick(ctx, casework.Filter{Statuses: []casework.Status{st}}, ok)
	if err != nil || c == nil {
		return false, err
	}
	a, found := who(c)
	if !found {
		return false, nil
	}
	_, err = l.Cases.Step(ctx, a, c.ID, in(c))
	return true, err
}

func (l *Live) byDispatcher(*casework.Case) (org.Actor, bool) { return l.dispatcher(), true }

// byUnit is one of the staff of the case's unit.
func (l *Live) byUnit(c *casework.Case) (org.Actor, bool) {
	staff := l.unitStaff[c.UnitID]
	if len(staff) == 0 {
		return org.Actor{}, false
	}
	return staff[l.rng.IntN(len(staff))], true
}

func (l *Live) accept(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusReported, nil, l.byDispatcher, func(c *casework.Case) casework.StepInput {
		if l.rng.Float64() < 0.04 {
			return casework.StepInput{Action: casework.ActReject, Reason: "不属于受理范围，已告知反映人"}
		}
		return casework.StepInput{Action: casework.ActAccept}
	})
}

func (l *Live) dispatchOne(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusAccepted, nil, l.byDispatcher, func(c *casework.Case) casework.StepInput {
		unit := c.SuggestedUnit
		if unit == 0 {
			unit = l.fallback
		}
		return casework.StepInput{Action: casework.ActDispatch, UnitID: unit}
	})
}

func (l *Live) sign(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusDispatched, nil, l.byUnit, func(*casework.Case) casework.StepInput {
		return casework.StepInput{Action: casework.ActSign}
	})
}

func (l *Live) start(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusSigned, nil, l.byUnit, func(*casework.Case) casework.StepInput {
		return casework.StepInput{Action: casework.ActStart}
	})
}

// handleNotes are what a unit writes when it reports a case handled.
var handleNotes = []string{"已到现场处置完毕", "已清理完毕，现场恢复整洁", "已约谈当事人并整改到位", "已维修完成", "已协调物业处理完毕"}

func (l *Live) handle(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusHandling, nil, l.byUnit, func(*casework.Case) casework.StepInput {
		return casework.StepInput{Action: casework.ActHandle, Reason: handleNotes[l.rng.IntN(len(handleNotes))], Photos: []string{"处置后照片.jpg"}}
	})
}

// verify: the grid worker of the case's grid checks it on the spot (the
// command center when the case lies outside every grid); a few fail.
func (l *Live) verify(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusHandled, nil, func(c *casework.Case) (org.Actor, bool) {
		if w, ok := l.gridWorker[c.GridID]; ok {
			return w, true
		}
		return l.dispatcher(), true
	}, func(*casework.Case) casework.StepInput {
		if l.rng.Float64() < 0.05 {
			return casework.StepInput{Action: casework.ActRework, Reason: "现场复核仍未整改到位"}
		}
		return casework.StepInput{Action: casework.ActVerify}
	})
}

func (l *Live) closeOne(ctx context.Context) (bool, error) {
	return l.step(ctx, casework.StatusVerified, nil, l.byDispatcher, func(*casework.Case) casework.StepInput {
		return casework.StepInput{Action: casework.ActClose}
	})
}

// rate: the command center calls back the reporter of a case closed in
// the last week and records the verdict (电话回访).
func (l *Live) rate(ctx context.Context) (bool, error) {
	c, err := l.pick(ctx, casework.Filter{Statuses: []casework.Status{casework.StatusClosed}, From: l.Now().AddDate(0, 0, -7)},
		func(c *casework.Case) bool { return c.Rating == "" && c.Channel != casework.ChannelIoT })
	if err != nil || c == nil {
		return false, err
	}
	r := weighted(l.rng, []casework.Rating{casework.RatingSatisfied, casework.RatingBasic, casework.RatingUnsatisfied}, []float64{85, 10, 5})
	comment := map[casework.Rating]string{casework.RatingSatisfied: "电话回访：群众满意", casework.RatingBasic: "电话回访：基本满意", casework.RatingUnsatisfied: "电话回访：群众认为问题未根本解决"}[r]
	_, err = l.Cases.Step(ctx, l.dispatcher(), c.ID, casework.StepInput{Action: casework.ActRate, Rating: r, Comment: comment})
	return true, err
}
