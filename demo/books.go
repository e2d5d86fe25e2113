package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// BookFigures are the values the demo's books give for the year, those of
// the Gudang work report (shared/seed/figures.tsv; the report's "余"
// figures exactly as the table has them).
var BookFigures = map[string]float64{
	"elderly.canteen_served": 4400, "elderly.meal_deliveries": 1633, "elderly.meal_subsidy": 1573000, "elderly.home_beds": 21,
	"elderly.guardian_devices": 63, "emergency.trainings": 139, "emergency.trainees": 21000, "services.complex_events": 260,
	"services.complex_people": 350000, "volunteers.registered": 10000, "volunteers.activities": 600, "approvals.count": 1196,
	"approvals.amount": 47448900, "integrity.risks": 283, "integrity.inspections": 469, "integrity.problems": 171,
	"census.units_checked": 10486, "safety.old_elevators": 203,
}

// indicatorFigures are the year's indicators (December's cumulative
// value), with the year-on-year change the report gives (0: none given)
// and the district rank it gives (0: none).
var indicatorFigures = []struct {
	key   string
	value float64
	yoy   float64
	rank  int
}{
	{"fiscal.total_revenue", 10_120_000_000, 0, 1},
	{"fiscal.general_budget", 4_660_000_000, 0, 1},
	{"industry.value_added", 860_000_000, 14.7, 0},
	{"industry.output", 3_620_000_000, 18.2, 0},
	{"services.revenue", 3_170_000_000, 23.8, 0},
	{"retail.sales", 4_860_000_000, 12.4, 0},
	{"investment.fixed_assets", 1_180_000_000, 0, 0},
	{"construction.output", 1_160_000_000, 10.3, 0},
	{"trade.exports", 1_890_000_000, 77.6, 0},
	{"investment.fdi", 37_100_000, 0, 0},
}

// nextYearTargets are the targets the report sets for the year after it
// (figures.tsv's target.* rows), and the figure each extra catalogue
// indicator reached in that year in the demo (some met, some not, so that
// the leader's page shows every colour).
var nextYearTargets = map[string]struct{ value, reached float64 }{
	"target.fiscal.general_budget":      {5_100_000_000, 0},
	"target.buildings.tax_100m":         {7, 0},
	"target.buildings.tax_10m":          {26, 0},
	"target.enterprise.listed":          {1, 1},
	"target.enterprise.hq":              {1, 2},
	"target.enterprise.unicorn":         {2, 1},
	"target.enterprise.waist":           {30, 33},
	"target.enterprise.micro":           {200, 214},
	"target.talent.leaders":             {10, 11},
	"target.talent.high_level":          {470, 452},
	"target.talent.teams":               {14, 15},
	"target.talent.university_projects": {30, 31},
	"target.enterprise.migration":       {0, 12},
	"target.petitions.litigation_yoy":   {-10, 0},
	"target.sports.embedded_area":       {2800, 2950},
	"target.culture.night_school":       {50, 56},
	"target.culture.mass_events":        {100, 104},
	"target.integrity.lectures":         {28, 28},
}

// split divides total into n positive parts at random, summing exactly.
func splitSum(rng *rand.Rand, total, n int) []int {
	ws := make([]float64, n)
	var sum float64
	for i := range ws {
		ws[i] = 0.5 + rng.Float64()
		sum += ws[i]
	}
	out := make([]int, n)
	left := total
	for i := range out {
		out[i] = max(1, int(math.Floor(float64(total)*ws[i]/sum)))
		left -= out[i]
	}
	for i := 0; left != 0; i = (i + 1) % n {
		if left > 0 {
			out[i]++
			left--
		} else if out[i] > 1 {
			out[i]--
			left++
		}
	}
	return out
}

// books is the state of the books' generator.
type booksGen struct {
	gen    *generator
	db     *store.DB
	rng    *rand.Rand
	year   int
	types  map[string]*ledger.Type
	keeper map[int64]org.Actor // a community's ledger keeper
	office org.Actor           // the subdistrict's own ledgers' keeper
	// pending entries by (community, month), written in batches.
	pending map[[2]int64][]*ledger.Entry
	ptype   map[[2]int64]*ledger.Type
}

// generateBooks fills the books of the demo's year: ledger entries,
// indicators (with who entered them), campaigns, and the next year's
// targets; deterministic from the seed, calibrated to BookFigures.
func generateBooks(ctx context.Context, db *store.DB, gen *generator, seed uint64) error {
	b := &booksGen{gen: gen, db: db, rng: rand.New(rand.NewPCG(seed, 0xb00c5)), year: gen.year,
		types: map[string]*ledger.Type{}, keeper: map[int64]org.Actor{}}
	lsvc := &ledger.Service{Store: db.Ledger()}
	if err := lsvc.EnsureBuiltin(ctx); err != nil {
		return err
	}
	for _, t := range ledger.Builtin() {
		st, err := db.Ledger().GetType(ctx, t.Code)
		if err != nil {
			return err
		}
		b.types[t.Code] = st
	}
	// Each community's ledgers are kept by a community worker of its own.
	hash, err := org.HashPassword(Password)
	if err != nil {
		return err
	}
	for _, c := range gen.g.Communities {
		if s := gen.g.Staff["community"]; s != nil && s.CommunityID == c.ID {
			b.keeper[c.ID] = org.StaffActor(s)
			continue
		}
		s := &org.Staff{Username: c.Code + ".books", Name: personName(b.rng), Role: org.RoleCommunityStaff, CommunityID: c.ID,
			Active: true, PasswordHash: hash, CreatedAt: time.Date(b.year-1, 12, 1, 9, 0, 0, 0, calendar.Zone()), Phone: phone(b.rng)}
		if err := db.Org().CreateStaff(ctx, s); err != nil {
			return fmt.Errorf("demo: books keeper %s: %w", s.Username, err)
		}
		gen.g.Staff[s.Username] = s
		b.keeper[c.ID] = org.StaffActor(s)
	}
	b.office = org.StaffActor(gen.g.Staff["admin"])
	for _, step := range []func(context.Context) error{b.ledgers, b.indicators, b.targets, b.campaigns} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// day draws a day of the year (months lo..hi), as YYYY-MM-DD.
func (b *booksGen) day(lo, hi int) string {
	m := lo + b.rng.IntN(hi-lo+1)
	d := 1 + b.rng.IntN(28)
	return fmt.Sprintf("%04d-%02d-%02d", b.year, m, d)
}

// add checks an entry against its type and queues it.
func (b *booksGen) add(code, day string, communityID int64, place string, values map[string]string) error {
	t := b.types[code]
	e, err := t.Check(ledger.EntryInput{Day: day, CommunityID: communityID, Place: place, Values: values})
	if err != nil {
		return fmt.Errorf("demo: %s entry: %w", code, err)
	}
	if b.pending == nil {
		b.pending, b.ptype = map[[2]int64][]*ledger.Entry{}, map[[2]int64]*ledger.Type{}
	}
	k := [2]int64{communityID, t.ID*100 + int64(day[5]-'0')*10 + int64(day[6]-'0')}
	b.pending[k] = append(b.pending[k], &e)
	b.ptype[k] = t
	return nil
}

// flush writes the queued entries, a batch per community, type and month,
// each by the community's keeper (or the office) at the month's end.
func (b *booksGen) flush(ctx context.Context) error {
	for k, es := range b.pending {
		by := b.office
		if k[0] != 0 {
			by = b.keeper[k[0]]
		}
		month := int(k[1] % 100)
		at := time.Date(b.year, time.Month(month)+1, 1, 9, 30, 0, 0, calendar.Zone()).Add(-15 * time.Hour)
		if err := b.db.Ledger().ImportEntries(ctx, b.ptype[k], es, by, at); err != nil {
			return err
		}
	}
	b.pending = nil
	return nil
}

func (b *booksGen) ledgers(ctx context.Context) error {
	cs := b.gen.g.Communities
	n := func(i int) string { return fmt.Sprint(i) }
	// Canteens: every elder served has one to three records in the year.
	elders := int(BookFigures["elderly.canteen_served"])
	for i := range elders {
		c := cs[i%len(cs)]
		elder := fmt.Sprintf("%s（%s-%04d）", personName(b.rng), c.Code, i+1)
		for range 1 + b.rng.IntN(3) {
			if err := b.add(ledger.TypeCanteen, b.day(1, 12), c.ID, "", map[string]string{"elder": elder, "canteen": c.Name + "老年食堂", "meals": n(4 + b.rng.IntN(26))}); err != nil {
				return err
			}
		}
	}
	groups := []string{"孤寡", "独居", "高龄"}
	for i := range int(BookFigures["elderly.meal_deliveries"]) {
		c := cs[b.rng.IntN(len(cs))]
		elder := fmt.Sprintf("%s（%s-%04d）", personName(b.rng), c.Code, 1+b.rng.IntN(elders))
		if err := b.add(ledger.TypeMealDelivery, b.day(1, 12), c.ID, "", map[string]string{"elder": elder, "group": groups[i%3], "meals": n(1 + b.rng.IntN(2))}); err != nil {
			return err
		}
	}
	// Subsidies: one payment per community and month.
	amounts := splitSum(b.rng, int(BookFigures["elderly.meal_subsidy"]), 12*len(cs))
	for i, amt := range amounts {
		c := cs[i%len(cs)]
		if err := b.add(ledger.TypeMealSubsidy, fmt.Sprintf("%04d-%02d-25", b.year, 1+i/len(cs)), c.ID, "", map[string]string{"canteen": c.Name + "老年食堂", "amount": n(amt), "elders": n(40 + b.rng.IntN(200))}); err != nil {
			return err
		}
	}
	for i := range int(BookFigures["elderly.home_beds"]) {
		c := cs[i%len(cs)]
		if err := b.add(ledger.TypeHomeBed, b.day(3, 12), c.ID, "", map[string]string{"elder": personName(b.rng), "address": fmt.Sprintf("%s%d幢%d单元%d室", c.Name, 1+b.rng.IntN(30), 1+b.rng.IntN(4), 101+b.rng.IntN(1500)), "provider": "杭州颐乐居家养老服务有限公司"}); err != nil {
			return err
		}
	}
	// Guardian devices: registered with the alarm platform, whose alarms
	// arrive as iot cases.
	iot := b.gen.clients[casework.ChannelIoT]
	for i := range int(BookFigures["elderly.guardian_devices"]) {
		c := cs[i%len(cs)]
		grids := b.gen.g.gridsOf(c.ID)
		p := b.gen.g.Centers[grids[i%len(grids)].ID]
		household := fmt.Sprintf("%s%d幢%d单元%d室", c.Name, 1+b.rng.IntN(30), 1+b.rng.IntN(4), 101+b.rng.IntN(1500))
		code := fmt.Sprintf("AJSH-%d-%04d", b.year, i+1)
		elder := personName(b.rng)
		at := time.Date(b.year, time.Month(1+i%12), 10, 10, 0, 0, 0, calendar.Zone())
		if err := b.db.Intake().CreateDevice(ctx, &intake.Device{ClientID: iot.ID, Code: code, Kind: intake.KindGuardian, Name: "安居守护 " + elder,
			Lat: p.Lat, Lon: p.Lon, CommunityID: c.ID, Address: household, OwnerName: elder, Active: true, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		if err := b.add(ledger.TypeGuardian, at.Format("2006-01-02"), c.ID, household, map[string]string{"household": household, "elder": elder, "device": code}); err != nil {
			return err
		}
	}
	kinds := []string{"培训", "参观体验", "演练"}
	for i, v := range splitSum(b.rng, int(BookFigures["emergency.trainees"]), int(BookFigures["emergency.trainings"])) {
		if err := b.add(ledger.TypeTraining, b.day(1, 12), 0, "古荡应急安全宣教体验馆", map[string]string{"topic": []string{"消防安全", "燃气安全", "防汛防台", "电动车安全", "急救技能"}[i%5], "kind": kinds[i%3], "visitors": n(v)}); err != nil {
			return err
		}
	}
	for i, v := range splitSum(b.rng, int(BookFigures["services.complex_people"]), int(BookFigures["services.complex_events"])) {
		cx := ledger.Complexes[i%len(ledger.Complexes)]
		if err := b.add(ledger.TypeComplexEvent, b.day(1, 12), 0, cx, map[string]string{"complex": cx, "title": []string{"邻里节", "健康义诊", "亚运文化周", "便民集市", "亲子阅读会"}[i%5], "people": n(v)}); err != nil {
			return err
		}
	}
	for i := range int(BookFigures["volunteers.registered"]) {
		c := cs[i%len(cs)]
		if err := b.add(ledger.TypeVolunteer, b.day(3, 9), c.ID, "", map[string]string{"volunteer": fmt.Sprintf("%s（V%05d）", personName(b.rng), i+1), "team": fmt.Sprintf("古荡志愿服务%d队", 1+i%11), "program": "亚运城市志愿者"}); err != nil {
			return err
		}
	}
	for i, v := range splitSum(b.rng, 8000, int(BookFigures["volunteers.activities"])) {
		c := cs[i%len(cs)]
		if err := b.add(ledger.TypeVolActivity, b.day(1, 12), c.ID, "", map[string]string{"title": []string{"亚运服务站值守", "文明劝导", "垃圾分类宣传", "关爱老人"}[i%4], "team": fmt.Sprintf("古荡志愿服务%d队", 1+i%11), "participants": n(v)}); err != nil {
			return err
		}
	}
	akinds := []string{"采购", "小额工程", "报销", "其他"}
	for i, v := range splitSum(b.rng, int(BookFigures["approvals.amount"]), int(BookFigures["approvals.count"])) {
		if err := b.add(ledger.TypeApproval, b.day(1, 12), 0, "", map[string]string{"form_no": fmt.Sprintf("NK%d%05d", b.year, i+1), "subject": akinds[i%4] + "审批", "kind": akinds[i%4], "amount": n(v)}); err != nil {
			return err
		}
	}
	for i := range int(BookFigures["integrity.risks"]) {
		if err := b.add(ledger.TypeRisk, b.day(2, 5), 0, "", map[string]string{"post": []string{"财务", "采购", "工程", "执法", "民政"}[i%5], "risk": fmt.Sprintf("风险点%03d", i+1), "level": []string{"高", "中", "低"}[i%3], "control": "建立防控措施和制度"}); err != nil {
			return err
		}
	}
	problems := make([]int, int(BookFigures["integrity.inspections"]))
	for _, i := range b.rng.Perm(len(problems))[:120] {
		problems[i] = 1
	}
	for k := range int(BookFigures["integrity.problems"]) - 120 {
		problems[k%120]++ // more problems at some of the inspections that found any
	}
	for i, p := range problems {
		if err := b.add(ledger.TypeInspection, b.day(1, 12), 0, "", map[string]string{"subject": []string{"作风效能", "四风问题", "重点资金", "重点工程"}[i%4], "problems": n(p)}); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// indicators enters the year's monthly cumulative values and the year
// before's (for the year-on-year change), each month's by the economic
// office's clerk on the 15th of the month after; the year before is then
// closed.
func (b *booksGen) indicators(ctx context.Context) error {
	isvc := &indicator.Service{Store: b.db.Indicators()}
	if err := isvc.EnsureBuiltin(ctx); err != nil {
		return err
	}
	clerk := org.StaffActor(b.gen.g.UnitStaff["jingji"][1])
	admin := org.StaffActor(b.gen.g.Staff["admin"])
	// Monthly shares of the year, cumulative.
	cum := make([]float64, 12)
	var s float64
	for m := range cum {
		s += 0.8 + 0.4*b.rng.Float64()
		cum[m] = s
	}
	for m := range cum {
		cum[m] /= s
	}
	enter := func(year int, month int, ins []indicator.Input) error {
		isvc.Now = func() time.Time { return time.Date(year, time.Month(month)+1, 15, 10, 0, 0, 0, calendar.Zone()) }
		return isvc.Enter(ctx, clerk, ins)
	}
	for _, y := range []int{b.year - 1, b.year} {
		for m := range 12 {
			var ins []indicator.Input
			for _, f := range indicatorFigures {
				total := f.value
				if y < b.year {
					if f.yoy == 0 {
						total = f.value / 1.08
					} else {
						total = f.value / (1 + f.yoy/100)
					}
				}
				v := math.Round(total * cum[m])
				in := indicator.Input{Key: f.key, Period: fmt.Sprintf("%04d-%02d", y, m+1), Value: v}
				if y == b.year && m == 11 && f.rank != 0 {
					r := f.rank
					in.Rank = &r
				}
				ins = append(ins, in)
			}
			if err := enter(y, m+1, ins); err != nil {
				return err
			}
		}
	}
	isvc.Now = func() time.Time { return time.Date(b.year, 2, 1, 9, 0, 0, 0, calendar.Zone()) }
	if err := isvc.Close(ctx, admin, fmt.Sprint(b.year-1)); err != nil {
		return err
	}
	// The next year: the extra indicators the targets are measured by,
	// and the general budget month by month.
	next := b.year + 1
	var ins []indicator.Input
	for _, t := range indicator.ReportTargets() {
		// t.Key is the figure the target is measured by.
		if want := nextYearTargets[t.Figure.Key]; want.reached != 0 {
			ins = append(ins, indicator.Input{Key: t.Key, Period: fmt.Sprint(next), Value: want.reached})
		}
	}
	ins = append(ins, indicator.Input{Key: "petitions.litigation", Period: fmt.Sprint(b.year), Value: 120},
		indicator.Input{Key: "petitions.litigation", Period: fmt.Sprint(next), Value: 102})
	if err := enter(next, 12, ins); err != nil {
		return err
	}
	for m := range 12 {
		v := math.Round(5_230_000_000 * cum[m])
		if err := enter(next, m+1, []indicator.Input{{Key: "fiscal.general_budget", Period: fmt.Sprintf("%04d-%02d", next, m+1), Value: v}}); err != nil {
			return err
		}
	}
	return nil
}

// targets sets the report's targets for the year after the demo's, at
// the subdistrict level.
func (b *booksGen) targets(ctx context.Context) error {
	isvc := &indicator.Service{Store: b.db.Indicators(), Now: func() time.Time { return time.Date(b.year+1, 1, 20, 9, 0, 0, 0, calendar.Zone()) }}
	admin := org.StaffActor(b.gen.g.Staff["admin"])
	for _, t := range indicator.ReportTargets() {
		want, ok := nextYearTargets[t.Figure.Key]
		if !ok {
			return fmt.Errorf("demo: no value for %s", t.Figure.Key)
		}
		if err := isvc.SetTarget(ctx, admin, &indicator.Target{Year: b.year + 1, Level: indicator.Subdistrict, Scope: b.gen.g.Jurisdiction.Name,
			Code: t.Figure.Key, Key: t.Key, Key2: t.Key2, Name: t.Zh, Unit: t.Unit, Comparison: t.Comparison, Value: want.value, Owner: t.Owner}); err != nil {
			return fmt.Errorf("demo: target %s: %w", t.Figure.Key, err)
		}
	}
	return nil
}

// campaigns: the economic census's unit check, the old-elevator campaign
// (both imported as they were carried out) and the safety inspection,
// whose checks go through the service so that its findings open cases.
func (b *booksGen) campaigns(ctx context.Context) error {
	g := b.gen.g
	cs := g.Communities
	csvc := &campaign.Service{Store: b.db.Campaigns()}
	admin := org.StaffActor(g.Staff["admin"])
	point := func(c *org.Community) geo.Point {
		grids := g.gridsOf(c.ID)
		p := g.Centers[grids[b.rng.IntN(len(grids))].ID]
		return geo.Point{Lon: p.Lon + (b.rng.Float64()-0.5)*0.002, Lat: p.Lat + (b.rng.Float64()-0.5)*0.0016}
	}
	mk := func(code, name string, kind campaign.Kind, items []campaign.Item, category string) (*campaign.Campaign, error) {
		csvc.Now = func() time.Time { return time.Date(b.year, 3, 1, 9, 0, 0, 0, calendar.Zone()) }
		c := &campaign.Campaign{Code: fmt.Sprintf("%s-%d", code, b.year), Name: name, Kind: kind, Year: b.year, Checklist: items, Category: category}
		return c, csvc.Create(ctx, admin, c)
	}
	imported := func(c *campaign.Campaign, n, pending int, kind campaign.UnitKind, key, name func(i int) string, lo, hi int) error {
		units := make([]*campaign.Unit, 0, n+pending)
		for i := range n + pending {
			cm := cs[i%len(cs)]
			p := point(cm)
			grids := g.gridsOf(cm.ID)
			worker := g.GridWorker[grids[i%len(grids)].ID]
			u := &campaign.Unit{Key: key(i), Kind: kind, Name: name(i), Address: cm.Name, CommunityID: cm.ID, Lat: &p.Lat, Lon: &p.Lon,
				AssigneeID: worker.ID, Status: campaign.Pending}
			if i < n {
				res := &campaign.Result{}
				for _, it := range c.Checklist {
					res.Items = append(res.Items, campaign.ItemResult{Key: it.Key, Pass: b.rng.IntN(50) != 0})
				}
				u.Status, u.Result, u.CheckedDay, u.CheckedBy = campaign.Checked, res, b.day(lo, hi), worker.Name
			}
			units = append(units, u)
		}
		return b.db.Campaigns().ImportUnits(ctx, c.ID, units)
	}
	census, err := mk("census", "第五次全国经济普查单位清查", campaign.Census, []campaign.Item{{Key: "exists", Name: "单位存在并正常经营"}, {Key: "info", Name: "名称、地址、行业信息核实"}}, "")
	if err != nil {
		return err
	}
	if err := imported(census, int(BookFigures["census.units_checked"]), 37, campaign.UnitEnterprise,
		func(i int) string { return fmt.Sprintf("913301%012d", 600000000+i) },
		func(i int) string {
			return fmt.Sprintf("杭州古荡%s科技有限公司", []string{"数智", "云栖", "星河", "文新", "天目", "华星"}[i%6]) + fmt.Sprint(i+1)
		}, 8, 12); err != nil {
		return err
	}
	elev, err := mk("elevator", "老旧电梯健康检修", campaign.Elevator, []campaign.Item{{Key: "traction", Name: "曳引系统"}, {Key: "doors", Name: "门锁装置"}, {Key: "brake", Name: "制动器"}, {Key: "rescue", Name: "应急救援装置"}}, "0304")
	if err != nil {
		return err
	}
	if err := imported(elev, int(BookFigures["safety.old_elevators"]), 0, campaign.UnitElevator,
		func(i int) string { return fmt.Sprintf("3110330106%04d%04d", 2003+i%10, i+1) },
		func(i int) string { return fmt.Sprintf("%d号老旧电梯", i+1) }, 4, 11); err != nil {
		return err
	}
	// The safety inspection: a list of enterprises, assigned to the
	// emergency station's staff, checked through the service.
	safety, err := mk("safety", "安全生产大检查", campaign.Safety, []campaign.Item{{Key: "exits", Name: "安全出口和疏散通道畅通"}, {Key: "extinguisher", Name: "灭火器材完好有效"}, {Key: "wiring", Name: "电气线路规范"}}, "0504")
	if err != nil {
		return err
	}
	var ins []campaign.UnitInput
	for i := range 120 {
		cm := cs[i%len(cs)]
		p := point(cm)
		ins = append(ins, campaign.UnitInput{Key: fmt.Sprintf("913301%012d", 700000000+i), Kind: campaign.UnitEnterprise,
			Name: fmt.Sprintf("古荡%s商户%d", []string{"餐饮", "零售", "仓储", "维修"}[i%4], i+1), Address: cm.Name, CommunityID: cm.ID, Lat: &p.Lat, Lon: &p.Lon})
	}
	if _, err := csvc.AddUnits(ctx, admin, safety.Code, ins, 2, false); err != nil {
		return err
	}
	units, _, err := csvc.Units(ctx, admin, campaign.UnitFilter{CampaignID: safety.ID}, 1000, 0)
	if err != nil {
		return err
	}
	inspectors := g.UnitStaff["anquan"][1:]
	for i, u := range units {
		if _, err := csvc.Assign(ctx, admin, safety.Code, []int64{u.ID}, inspectors[i%len(inspectors)].ID); err != nil {
			return err
		}
	}
	for i, u := range units[:100] {
		at := time.Date(b.year, time.Month(4+i%6), 3+i%20, 10, 0, 0, 0, calendar.Zone())
		now := func() time.Time { return at }
		csvc.Now = now
		csvc.Cases = &casework.Service{Store: b.db.Cases(), Units: b.db.Org(), Calendars: b.db.Calendar(calendar.DefaultWorkingHours()),
			Places: org.NewPlaces(b.db.Org()), Now: now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		inspector := org.StaffActor(inspectors[i%len(inspectors)])
		in := campaign.CheckInput{Items: []campaign.ItemResult{{Key: "exits", Pass: true}, {Key: "extinguisher", Pass: true}, {Key: "wiring", Pass: true}}}
		if i%12 == 5 {
			in.Items[1] = campaign.ItemResult{Key: "extinguisher", Pass: false, Remark: "灭火器压力不足、过期未检", Rectify: true, RectifyDays: 15}
		}
		_, fs, err := csvc.Check(ctx, inspector, u.ID, in)
		if err != nil {
			return fmt.Errorf("demo: safety check %s: %w", u.Name, err)
		}
		for _, f := range fs {
			if err := b.rectify(ctx, f.CaseID, at); err != nil {
				return fmt.Errorf("demo: the finding at %s: %w", u.Name, err)
			}
			at = at.AddDate(0, 0, 16)
			if _, err := csvc.Recheck(ctx, inspector, f.ID, true, "已更换灭火器"); err != nil {
				return err
			}
		}
	}
	return nil
}

// rectify takes the case a finding opened through the loop to its close
// within the rectification period, as the office would: the command center
// dispatches it to the safety station, whose staff sign, rectify and
// report back, and the command center verifies and closes it. A year of
// the demo leaves no finding open.
func (b *booksGen) rectify(ctx context.Context, caseID int64, found time.Time) error {
	g := b.gen.g
	station := g.Units["anquan"]
	handler := org.StaffActor(g.UnitStaff["anquan"][0])
	disp := org.StaffActor(g.Staff["dispatcher"])
	steps := []struct {
		after time.Duration
		who   org.Actor
		in    casework.StepInput
	}{
		{30 * time.Minute, disp, casework.StepInput{Action: casework.ActDispatch, UnitID: station.ID}},
		{2 * time.Hour, handler, casework.StepInput{Action: casework.ActSign}},
		{26 * time.Hour, handler, casework.StepInput{Action: casework.ActStart}},
		{9 * 24 * time.Hour, handler, casework.StepInput{Action: casework.ActHandle, Reason: "已督促商户更换灭火器并完成检测", Photos: []string{"整改后照片.jpg"}}},
		{10*24*time.Hour + 2*time.Hour, disp, casework.StepInput{Action: casework.ActVerify}},
		{10*24*time.Hour + 3*time.Hour, disp, casework.StepInput{Action: casework.ActClose}},
	}
	for _, st := range steps {
		at := found.Add(st.after)
		svc := &casework.Service{Store: b.db.Cases(), Units: b.db.Org(), Calendars: b.db.Calendar(calendar.DefaultWorkingHours()),
			Places: org.NewPlaces(b.db.Org()), Now: func() time.Time { return at }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		c, err := svc.Get(ctx, disp, caseID)
		if err != nil {
			return err
		}
		if st.in.Action == casework.ActDispatch && c.Status == casework.StatusReported {
			if _, err := svc.Step(ctx, disp, caseID, casework.StepInput{Action: casework.ActAccept}); err != nil {
				return err
			}
		}
		if _, err := svc.Step(ctx, st.who, caseID, st.in); err != nil {
			return fmt.Errorf("%s: %w", st.in.Action, err)
		}
	}
	return nil
}
