package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// EnterpriseTargets are the economy's figures of the work report for the
// demo year (shared/seed/figures.tsv); the enterprise demands are the
// enterprise channel's closed cases (Volumes.Enterprise).
type EnterpriseTargets struct {
	Onboarded, Visits, NewEntities, HQListed int
	NetMigrationTax                          int64 // yuan
	HighTech, TechSME, Specialized, Innov    int
	Tax10M, Tax100M, HQ100M                  int
}

// GudangEnterprises are the 2023 figures of the Gudang work report.
var GudangEnterprises = EnterpriseTargets{
	Onboarded: 6597, Visits: 4387, NewEntities: 2810, HQListed: 11, NetMigrationTax: 39_250_000,
	HighTech: 38, TechSME: 84, Specialized: 6, Innov: 23, Tax10M: 24, Tax100M: 8, HQ100M: 1,
}

// demoBuildings are the buildings of the demo: the first five are named
// in the work report, the rest are made up.
var demoBuildings = []string{
	"天目里", "云州国际", "紫创商务中心", "源力科创中心", "浙财大金融科创园",
	"古荡湾科创大厦", "文三数字大厦", "益乐创意园", "嘉绿商务中心", "学院路金融港",
	"西溪数智中心", "竞舟科技园", "翠苑数智港", "万塘科创中心", "古墩商务楼",
	"文一金座", "骆家庄创业园", "杭大路科技楼", "天目山路智谷", "求是科创大厦",
	"教工路商务港", "马塍科技大楼", "紫金港创意楼", "嘉华数字大厦", "银马商务中心",
	"新湖数创园", "华门科创楼", "双龙科技大厦", "学院金座", "丰潭商务中心",
	"益乐数字港", "留下科创园", "翠柏商务楼", "骆驼桥创业楼", "五联科技楼",
	"界外创意园", "花园岗商务中心", "德加科创楼", "紫荆商务港", "申花数智楼",
}

var (
	companyWords = []string{"云帆", "数智", "天目", "启明", "星河", "远景", "致远", "青禾", "蓝湾", "明德", "恒信", "嘉禾", "瑞丰", "博观", "知行",
		"锦程", "新元", "合创", "卓越", "云栖", "西子", "钱塘", "之江", "灵隐", "宝石", "玉泉", "黄龙", "求是", "文澜", "湖畔"}
	companyTrades = []struct{ word, industry string }{
		{"网络科技", "I6420"}, {"信息技术", "I6513"}, {"软件", "I6513"}, {"数据服务", "I6450"}, {"电子商务", "F5292"},
		{"文化传媒", "R8710"}, {"投资管理", "L7212"}, {"咨询", "L7243"}, {"生物科技", "M7340"}, {"智能装备", "C3491"},
		{"设计", "M7484"}, {"教育科技", "P8399"}, {"供应链管理", "G5990"}, {"建筑工程", "E4890"}, {"健康管理", "Q8492"},
	}
	companySizes = []string{"大型", "中型", "小型", "微型"}
)

// creditCodeOf makes the n-th demo enterprise's credit code: 91 (a
// company), 330106 (西湖区), MA and seven symbols of n, and the check
// character.
func creditCodeOf(n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("91330106MA0000000")
	for i := 16; i >= 10 && n > 0; i-- {
		b[i] = alphabet[n%31]
		n /= 31
	}
	c, _ := enterprise.CheckChar(string(b))
	return string(b) + string(c)
}

// entGen holds what the enterprise generation needs.
type entGen struct {
	rng   *rand.Rand
	year  int
	st    *store.Enterprises
	ents  []*enterprise.Enterprise
	staff []*org.Staff
}

func (e *entGen) dayIn(year int) enterprise.Date {
	days := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return enterprise.DateOf(time.Date(year, 1, 1+e.rng.IntN(int(days)), 12, 0, 0, 0, calendar.Zone()))
}

// split divides total into k parts by the weights, exactly.
func split(total int64, weights []float64) []int64 {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	out := make([]int64, len(weights))
	var given int64
	big := 0
	for i, w := range weights {
		out[i] = int64(float64(total) * w / sum)
		given += out[i]
		if weights[i] > weights[big] {
			big = i
		}
	}
	out[big] += total - given
	return out
}

// generateEnterprises builds the demo's enterprise registry and building
// economy for the year and the year before, calibrated to t, and links
// every case of the enterprise channel to an enterprise as its demand.
// It draws from its own random source, so that it is the same whatever
// the volume of cases.
func generateEnterprises(ctx context.Context, db *store.DB, g *Gudang, opt Options, t EnterpriseTargets) error {
	e := &entGen{rng: rand.New(rand.NewPCG(opt.Seed, 0x51ed270b7a3c41f5)), year: opt.Year, st: db.Enterprises()}
	Y := opt.Year
	hash, err := org.HashPassword(Password)
	if err != nil {
		return err
	}
	for i := 1; i <= 6; i++ {
		s := &org.Staff{Username: fmt.Sprintf("qf.%d", i), Name: personName(e.rng), Phone: phone(e.rng), Role: org.RoleEnterpriseService,
			Active: true, PasswordHash: hash, CreatedAt: time.Date(2022, 12, 1, 9, 0, 0, 0, calendar.Zone())}
		if err := db.Org().CreateStaff(ctx, s); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
		g.Staff[s.Username] = s
		e.staff = append(e.staff, s)
	}
	return db.Atomic(ctx, func(ctx context.Context) error {
		if err := e.enterprises(ctx, t); err != nil {
			return err
		}
		tenants, err := e.buildings(ctx, g, t)
		if err != nil {
			return err
		}
		if err := e.certifications(ctx, t); err != nil {
			return err
		}
		if err := e.moves(ctx, t, tenants); err != nil {
			return err
		}
		if err := e.visits(ctx, db, Y-1, t.Visits*9/10, nil); err != nil {
			return err
		}
		demands, _, err := db.Cases().ListCases(ctx, casework.Filter{Channel: casework.ChannelEnterprise, Scope: casework.Scope{All: true}, Limit: 10_000_000})
		if err != nil {
			return err
		}
		return e.visits(ctx, db, Y, t.Visits, demands)
	})
}

// enterprises registers the market entities: those registered in the
// year (new entities), the year before, and earlier; exactly t.Onboarded
// of them settled on the platform by the year's end.
func (e *entGen) enterprises(ctx context.Context, t EnterpriseTargets) error {
	Y := e.year
	older, prior := 3790, 2650
	n := older + prior + t.NewEntities
	onboard := map[int]bool{}
	for _, i := range e.rng.Perm(n)[:t.Onboarded] {
		onboard[i] = true
	}
	for i := 0; i < n; i++ {
		var reg enterprise.Date
		switch {
		case i < older:
			reg = e.dayIn(2005 + e.rng.IntN(Y-2-2005+1))
		case i < older+prior:
			reg = e.dayIn(Y - 1)
		default:
			reg = e.dayIn(Y)
		}
		trade := companyTrades[e.rng.IntN(len(companyTrades))]
		size := weighted(e.rng, companySizes, []float64{5, 15, 40, 40})
		if i >= older {
			size = companySizes[2+e.rng.IntN(2)]
		}
		ent := &enterprise.Enterprise{CreditCode: creditCodeOf(i + 1),
			Name:     fmt.Sprintf("杭州%s%s有限公司", companyWords[i%len(companyWords)]+companyWords[(i/len(companyWords)+i+7)%len(companyWords)], trade.word),
			Industry: trade.industry, RegisteredOn: reg, Status: enterprise.StatusActive, Size: size,
			ContactName: personName(e.rng), ContactPhone: phone(e.rng)}
		if size == "微型" {
			ent.Tags = append(ent.Tags, enterprise.TagMicro)
		}
		if i%97 == 5 {
			ent.Tags = append(ent.Tags, enterprise.TagPlatform)
		}
		if i%13 == 0 {
			ent.FormerNames = []string{fmt.Sprintf("杭州%s%s有限公司", companyWords[(i+7)%len(companyWords)], trade.word)}
		}
		if onboard[i] {
			d := reg.AddDays(e.rng.IntN(120))
			if launch := enterprise.Date("2021-03-01"); d < launch {
				d = launch.AddDays(e.rng.IntN(600))
			}
			if last := enterprise.Date(fmt.Sprintf("%04d-12-31", Y)); d > last {
				d = last
			}
			ent.OnboardedOn = d
		}
		if err := e.st.SaveEnterprise(ctx, ent); err != nil {
			return err
		}
		e.ents = append(e.ents, ent)
	}
	return nil
}

// buildings makes the buildings, rooms and tenants, and a year of monthly
// tax for the year and the year before: the first building a 总部亿元楼,
// t.Tax100M 亿元楼宇 in all, t.Tax10M 千万元楼宇 in all (亿元楼宇
// included), the rest below. It returns the tenants' indexes.
func (e *entGen) buildings(ctx context.Context, g *Gudang, t EnterpriseTargets) (map[int]bool, error) {
	Y := e.year
	tenants := map[int]bool{}
	older := 3790
	pool := e.rng.Perm(older) // the tenants come from enterprises registered before the year before
	next := 0
	hqLeft := t.HQListed
	var tax []enterprise.MonthTax
	var grids []int64
	for id := range g.Centers {
		grids = append(grids, id)
	}
	sort.Slice(grids, func(a, b int) bool { return grids[a] < grids[b] })
	// Buildings that movers leave and join mid-year (below the tiers).
	type mover struct {
		ent  int
		tax  int64
		from int
	}
	var movers []mover
	var free [][]*enterprise.Room
	for k, name := range demoBuildings {
		var total int64 // yuan in the year
		switch {
		case k == 0:
			total = 320_000_000 + e.rng.Int64N(40_000_000)
		case k < t.Tax100M:
			total = 105_000_000 + e.rng.Int64N(150_000_000)
		case k < t.Tax10M:
			total = 11_000_000 + e.rng.Int64N(80_000_000)
			if k == t.Tax10M-1 {
				total = 96_500_000 // near the next tier
			}
		default:
			total = 2_000_000 + e.rng.Int64N(5_500_000)
			if k < t.Tax10M+3 {
				total = 9_300_000 + e.rng.Int64N(500_000) // near the threshold
			}
		}
		floors := 8 + e.rng.IntN(24)
		perFloor := 4 + e.rng.IntN(5)
		area := float64(floors*perFloor) * (180 + float64(e.rng.IntN(120)))
		grid := grids[(k*7)%len(grids)]
		c := g.Centers[grid]
		b := &enterprise.Building{Name: name, Address: fmt.Sprintf("西湖区古荡街道%s", name), Lat: c.Lat + (e.rng.Float64()-0.5)*0.002,
			Lon: c.Lon + (e.rng.Float64()-0.5)*0.002, FloorArea: float64(int(area)), Floors: floors, GridID: grid,
			Operator: "杭州" + companyWords[k%len(companyWords)] + "物业管理有限公司"}
		if err := e.st.SaveBuilding(ctx, b); err != nil {
			return nil, err
		}
		var rooms []*enterprise.Room
		for f := 1; f <= floors; f++ {
			for r := 1; r <= perFloor; r++ {
				room := &enterprise.Room{BuildingID: b.ID, Floor: f, Number: fmt.Sprintf("%d%02d", f, r), Area: float64(int(area / float64(floors*perFloor)))}
				if err := e.st.SaveRoom(ctx, room); err != nil {
					return nil, err
				}
				rooms = append(rooms, room)
			}
		}
		order := e.rng.Perm(len(rooms))
		var ks int
		switch {
		case k < t.Tax100M:
			ks = 40 + e.rng.IntN(20)
		case k < t.Tax10M:
			ks = 20 + e.rng.IntN(20)
		default:
			ks = 8 + e.rng.IntN(20)
		}
		ks = min(ks, len(rooms)-4)
		weights := make([]float64, ks)
		for i := range weights {
			weights[i] = 1 + 2*e.rng.Float64()
		}
		if k == 0 {
			// The headquarters pays more than half of the building's tax.
			weights[0] = 4 * float64(ks)
		}
		amounts := split(total, weights)
		for i := 0; i < ks; i++ {
			idx := pool[next]
			next++
			tenants[idx] = true
			ent := e.ents[idx]
			if (k == 0 && i == 0) || (hqLeft > 1 && i == 1 && k >= 1 && k <= t.HQListed-1) {
				// Headquarters: the 总部亿元楼's anchor, and one tenant
				// (never more than half of the tax) in each of the next buildings.
				ent.Tags = append(ent.Tags, enterprise.TagHQListed, enterprise.TagListed)
				ent.Size = "大型"
				if err := e.st.SaveEnterprise(ctx, ent); err != nil {
					return nil, err
				}
				hqLeft--
			}
			start := max(e.dayIn(2012+e.rng.IntN(Y-2-2012+1)), ent.RegisteredOn)
			ten := &enterprise.Tenancy{EnterpriseID: ent.ID, RoomID: rooms[order[i]].ID, Start: start}
			if err := e.st.AddTenancy(ctx, ten); err != nil {
				return nil, err
			}
			prior := amounts[i] * int64(80+e.rng.IntN(25)) / 100
			for m := 1; m <= 12; m++ {
				cur, pre := amounts[i]/12, prior/12
				if m == 12 {
					cur, pre = amounts[i]-cur*11, prior-pre*11
				}
				tax = append(tax, enterprise.MonthTax{EnterpriseID: ent.ID, Month: fmt.Sprintf("%04d-%02d", Y, m), Amount: enterprise.Yuan(cur)},
					enterprise.MonthTax{EnterpriseID: ent.ID, Month: fmt.Sprintf("%04d-%02d", Y-1, m), Amount: enterprise.Yuan(pre)})
			}
			if k >= t.Tax10M+4 && k < t.Tax10M+7 && i == 0 {
				movers = append(movers, mover{ent: idx, tax: amounts[i], from: k})
			}
		}
		var rest []*enterprise.Room
		for _, o := range order[ks:] {
			rest = append(rest, rooms[o])
		}
		free = append(free, rest)
	}
	if err := e.st.PutTax(ctx, tax); err != nil {
		return nil, err
	}
	// Movers: from one building below the tiers to another, on 1 July;
	// their tax counts where they were each month. The buildings they
	// join stay below the tier: at most 7.5 million yuan plus one tenant.
	for j, m := range movers {
		to := len(demoBuildings) - 1 - j
		ts, err := e.st.ListTenancies(ctx, e.ents[m.ent].ID, 0)
		if err != nil {
			return nil, err
		}
		on := enterprise.Date(fmt.Sprintf("%04d-07-01", Y))
		if err := e.st.EndTenancy(ctx, ts[len(ts)-1].ID, on); err != nil {
			return nil, err
		}
		room := free[to][0]
		free[to] = free[to][1:]
		if err := e.st.AddTenancy(ctx, &enterprise.Tenancy{EnterpriseID: e.ents[m.ent].ID, RoomID: room.ID, Start: on}); err != nil {
			return nil, err
		}
	}
	// Headquarters listed without being tenants of a tracked building.
	for i := 0; hqLeft > 0; i++ {
		ent := e.ents[pool[next+i]]
		ent.Tags = append(ent.Tags, enterprise.TagHQListed)
		if err := e.st.SaveEnterprise(ctx, ent); err != nil {
			return nil, err
		}
		hqLeft--
	}
	return tenants, nil
}

// certifications grants the titles of the year and the year before.
func (e *entGen) certifications(ctx context.Context, t EnterpriseTargets) error {
	Y := e.year
	for _, c := range []struct {
		kind       enterprise.CertKind
		now, prior int
	}{{enterprise.CertHighTech, t.HighTech, t.HighTech * 8 / 10}, {enterprise.CertTechSME, t.TechSME, t.TechSME * 9 / 10},
		{enterprise.CertSpecialized, t.Specialized, t.Specialized * 7 / 10}, {enterprise.CertInnovative, t.Innov, t.Innov * 8 / 10}} {
		picked := e.rng.Perm(3790)
		for i := 0; i < c.now+c.prior; i++ {
			year := Y
			if i >= c.now {
				year = Y - 1
			}
			award := e.dayIn(year)
			cert := &enterprise.Certification{EnterpriseID: e.ents[picked[i]].ID, Kind: c.kind, AwardedOn: award,
				ExpiresOn: enterprise.DateOf(award.Time().AddDate(3, 0, -1))}
			if err := e.st.AddCertification(ctx, cert); err != nil {
				return err
			}
		}
	}
	return nil
}

// moves records moves in and out in the year (net tax exactly
// t.NetMigrationTax) and the year before; movers are not tenants of the
// tracked buildings.
func (e *entGen) moves(ctx context.Context, t EnterpriseTargets, tenants map[int]bool) error {
	Y := e.year
	var cands []int
	for i := 0; i < 3790; i++ {
		if !tenants[i] && !e.ents[i].HasTag(enterprise.TagHQListed) {
			cands = append(cands, i)
		}
	}
	e.rng.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
	next := 0
	places := []string{"上城区", "拱墅区", "滨江区", "余杭区", "萧山区", "临平区", "钱塘区", "宁波市", "上海市", "蒋村街道", "翠苑街道", "文新街道"}
	for _, p := range []struct {
		year, in, out int
		net           int64
	}{{Y - 1, 38, 31, 21_400_000}, {Y, 46, 29, t.NetMigrationTax}} {
		outs := make([]int64, p.out)
		var sumOut int64
		for i := range outs {
			outs[i] = 200_000 + e.rng.Int64N(4_800_000)
			sumOut += outs[i]
		}
		weights := make([]float64, p.in)
		for i := range weights {
			weights[i] = 0.5 + e.rng.Float64()
		}
		ins := split(sumOut+p.net, weights)
		record := func(dir enterprise.Direction, amount int64) error {
			ent := e.ents[cands[next]]
			next++
			m := &enterprise.Move{EnterpriseID: ent.ID, Direction: dir, On: e.dayIn(p.year), AnnualTax: enterprise.Yuan(amount)}
			if dir == enterprise.MovedIn {
				m.From, m.To = places[e.rng.IntN(len(places))], "古荡街道"
			} else {
				m.From, m.To = "古荡街道", places[e.rng.IntN(len(places))]
				ent.Status = enterprise.StatusMovedOut
				if err := e.st.SaveEnterprise(ctx, ent); err != nil {
					return err
				}
			}
			return e.st.AddMove(ctx, m)
		}
		for _, a := range ins {
			if err := record(enterprise.MovedIn, a); err != nil {
				return err
			}
		}
		for _, a := range outs {
			if err := record(enterprise.MovedOut, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// visits records n visits in a year by the enterprise service: first one
// for each demand (case of the enterprise channel) reported that year, on
// its day, linked to it; then visits to enterprises on the platform on
// working days. In the demo year it also sets each staff member's plan.
func (e *entGen) visits(ctx context.Context, db *store.DB, year, n int, demands []*casework.Case) error {
	var onboarded []*enterprise.Enterprise
	for _, ent := range e.ents {
		if ent.OnboardedOn != "" && ent.RegisteredOn.Year() < year {
			onboarded = append(onboarded, ent)
		}
	}
	findings := []string{"经营正常，了解企业发展规划", "宣传惠企政策，企业表示将申报", "企业反映招聘困难，已对接人才服务", "企业计划扩租，推荐楼宇空间",
		"走访了解纳税及经营情况", "企业反映停车难", "协助企业办理高新技术企业认定材料", "企业关注融资政策，已转介银行"}
	visit := func(ent *enterprise.Enterprise, on enterprise.Date, what string) (*enterprise.Visit, error) {
		v := &enterprise.Visit{EnterpriseID: ent.ID, StaffID: e.staff[e.rng.IntN(len(e.staff))].ID, On: on, Findings: what}
		return v, e.st.AddVisit(ctx, v)
	}
	made := 0
	for _, c := range demands {
		if c.ReportedAt.In(calendar.Zone()).Year() != year {
			continue
		}
		ent := onboarded[e.rng.IntN(len(onboarded))]
		var visitID int64
		if made < n {
			v, err := visit(ent, enterprise.DateOf(c.ReportedAt), "企业提出诉求："+c.Title)
			if err != nil {
				return err
			}
			visitID = v.ID
			made++
		}
		if err := e.st.LinkDemand(ctx, enterprise.Demand{CaseID: c.ID, EnterpriseID: ent.ID, VisitID: visitID}); err != nil {
			return err
		}
	}
	for ; made < n; made++ {
		on := e.dayIn(year)
		for wd := on.Time().Weekday(); wd == time.Saturday || wd == time.Sunday; wd = on.Time().Weekday() {
			on = on.AddDays(1)
			if on.Year() != year {
				on = enterprise.Date(fmt.Sprintf("%04d-01-03", year))
			}
		}
		if _, err := visit(onboarded[e.rng.IntN(len(onboarded))], on, findings[e.rng.IntN(len(findings))]); err != nil {
			return err
		}
	}
	if year == e.year {
		for _, s := range e.staff {
			for j := 0; j < 30; j++ {
				p := &enterprise.VisitPlan{StaffID: s.ID, EnterpriseID: onboarded[e.rng.IntN(len(onboarded))].ID, EveryDays: []int{30, 60, 90}[e.rng.IntN(3)]}
				if err := e.st.SavePlan(ctx, p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
