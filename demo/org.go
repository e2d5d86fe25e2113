// Package demo generates a realistic year of a subdistrict like Gudang
// (古荡街道, Xihu District, Hangzhou): its communities and grids as
// polygons, its units and staff, the categories of digital city management
// and the local ones its work report names, and a year of cases from every
// channel, each taken step by step through the real case loop.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// Password is the password of every demo account; the demo prints it and
// the login page shows it. Never use the demo data for real work.
const Password = "Gudang-Demo-2023"

// The area: about 2.3 km east-west by 2.0 km north-south (4.6 km²) with its
// south-west corner near 30.271°N 120.108°E.
const (
	originLon = 120.1080
	originLat = 30.2710
	widthDeg  = 0.0239 // ≈ 2.3 km at this latitude
	heightDeg = 0.0180 // ≈ 2.0 km
)

// communityNames are the nine communities the work report names, laid out
// three by three from the south-west.
var communityNames = []struct{ code, name string }{
	{"gudong", "古荡东区社区（古东）"}, {"gubei", "古荡北区社区（古北）"}, {"wenhua", "文华社区"},
	{"yile", "益乐社区"}, {"jialvyuan", "嘉绿苑社区"}, {"lianhua", "莲花社区"},
	{"gudun", "古墩社区"}, {"huaxing", "华星社区"}, {"jiahe", "嘉荷社区"},
}

// Grids per community: four columns by three rows.
const gridCols, gridRows = 4, 3

// buildings are the office towers of the building grids (楼宇网格): a name
// and the community it stands in.
var buildings = []struct{ name, community string }{
	{"华星时代广场", "huaxing"}, {"华星科技大厦", "huaxing"}, {"世贸丽晶城欧美中心", "wenhua"},
	{"黄龙万科中心", "wenhua"}, {"西湖国际科技大厦", "gudong"}, {"浙江出版联合大厦", "gubei"},
	{"嘉绿苑商务楼", "jialvyuan"}, {"莲花商务中心", "lianhua"}, {"益乐创意园", "yile"},
	{"古墩路数字大厦", "gudun"}, {"嘉荷科创中心", "jiahe"}, {"文三数字生活街区", "huaxing"},
}

// Unit definitions: code, name, kind.
var unitDefs = []struct {
	code, name string
	kind       org.UnitKind
}{
	{"command", "综合信息指挥室", org.UnitCommand},
	{"chengguan", "城市管理科", org.UnitDepartment},
	{"zhifa", "综合行政执法队", org.UnitStation},
	{"pingan", "平安法治办", org.UnitDepartment},
	{"shehui", "社会事务科", org.UnitDepartment},
	{"chengjian", "城建管理科", org.UnitDepartment},
	{"jingji", "经济发展科", org.UnitDepartment},
	{"anquan", "应急管理站", org.UnitStation},
	{"shijian", "市场监管所", org.UnitStation},
	{"police", "古荡派出所", org.UnitExternal},
	{"fire", "消防救援站", org.UnitExternal},
	{"gas", "燃气公司", org.UnitExternal},
	{"power", "供电公司", org.UnitExternal},
}

// categoryDefs: the classes of digital city management used here, and the
// local classes the work report names. Each minor class names the unit it
// routes to.

// privateHomeCategories are the demo's categories about a private home:
// neighbours' disputes and noise, rented flats, requests for help, and the
// smoke and gas alarms installed in flats.
var privateHomeCategories = map[string]bool{"0401": true, "0402": true, "0403": true, "0404": true, "0405": true, "0501": true, "0502": true}

var categoryDefs = []struct {
	code, parent, name, nameEn, unit string
}{
	{"01", "", "市容环境", "City appearance", ""},
	{"0101", "01", "暴露垃圾", "Exposed rubbish", "chengguan"},
	{"0102", "01", "积存垃圾渣土", "Accumulated rubbish and muck", "chengguan"},
	{"0103", "01", "道路不洁", "Unclean road", "chengguan"},
	{"0104", "01", "乱堆物料", "Materials piled up", "chengguan"},
	{"0105", "01", "乱张贴", "Illegal posters", "chengguan"},
	{"02", "", "街面秩序", "Street order", ""},
	{"0201", "02", "占道经营", "Street vending", "zhifa"},
	{"0202", "02", "店外经营", "Trading outside the shop", "zhifa"},
	{"0203", "02", "非机动车乱停放", "Bicycles parked badly", "chengguan"},
	{"0204", "02", "共享单车堆积", "Shared bikes piled up", "chengguan"},
	{"03", "", "设施管理", "Public facilities", ""},
	{"0301", "03", "井盖破损", "Broken manhole cover", "chengjian"},
	{"0302", "03", "路灯不亮", "Street light out", "chengjian"},
	{"0303", "03", "道路破损", "Damaged road", "chengjian"},
	{"0304", "03", "老旧电梯故障", "Old lift out of order", "anquan"},
	{"04", "", "平安治理", "Public safety", ""},
	{"0401", "04", "邻里纠纷", "Neighbour dispute", "pingan"},
	{"0402", "04", "噪声扰民", "Noise nuisance", "pingan"},
	{"0403", "04", "出租房安全隐患", "Rented-housing hazard", "pingan"},
	{"0404", "04", "群租", "Overcrowded rental", "pingan"},
	{"0405", "04", "求助", "Request for help", "shehui"},
	{"05", "", "消防安全", "Fire safety", ""},
	{"0501", "05", "烟感告警", "Smoke alarm", "anquan"},
	{"0502", "05", "燃气泄漏告警", "Gas leak alarm", "gas"},
	{"0503", "05", "电动车违规充电", "E-bike charging alarm", "anquan"},
	{"0504", "05", "消防通道堵塞", "Blocked fire lane", "anquan"},
	{"06", "", "市场与民生", "Markets and livelihood", ""},
	{"0601", "06", "食品安全", "Food safety", "shijian"},
	{"0602", "06", "物业服务", "Property management", "shehui"},
	{"0603", "06", "停水停电", "Water or power cut", "power"},
	{"0604", "06", "企业诉求", "Enterprise demand", "jingji"},
}

// Gudang is the organisation the demo made, with what the case generator
// needs.
type Gudang struct {
	Jurisdiction *org.Jurisdiction
	Communities  []*org.Community
	Grids        []*org.Grid // standard grids first
	Units        map[string]*org.Unit
	Categories   []*casework.Category
	Staff        map[string]*org.Staff // by username
	// GridWorker maps a grid to its worker.
	GridWorker map[int64]*org.Staff
	// UnitStaff maps a unit code to its handlers.
	UnitStaff map[string][]*org.Staff
	// Centers are points of each standard grid, for placing cases.
	Centers map[int64]geo.Point
	spec    *subdistrict
}

// subdistrict describes a generated subdistrict: Gudang (gudangSpec), and
// the others of the district demo (district.go). Prefix is put before the
// usernames and unit codes of its staff and units ("" for Gudang, so that
// its accounts are the demo's known ones); the maps of the organisation
// the generator reads are keyed without it.
type subdistrict struct {
	code, name, nameEn, short string
	prefix                    string
	// The area: its south-west corner and size in degrees; communities
	// laid out cols × rows from the south-west, each with gridCols ×
	// gridRows grids.
	lon, lat, width, height float64
	cols, rows              int
	communities             []struct{ code, name string }
	buildings               []struct{ name, community string }
	landlords               []string // communities with a landlord grid
	police                  string   // the police station's name
	streets                 []string
	// parentID, when set, is the district the subdistrict belongs to
	// (district.go).
	parentID int64
	// staffJurisdiction sets the jurisdiction of its staff (a district
	// deployment's subdistrict staff see only their own).
	staffJurisdiction bool
}

// gudangSpec is Gudang as the demo has always generated it.
var gudangSpec = &subdistrict{code: "330106007", name: "古荡街道", nameEn: "Gudang Subdistrict", short: "古荡",
	lon: originLon, lat: originLat, width: widthDeg, height: heightDeg, cols: 3, rows: 3,
	communities: communityNames, buildings: buildings, landlords: []string{"gudong", "gudun", "lianhua"},
	police: "古荡派出所", streets: streets}

// corner returns the corner (i, j) of the area's lattice of ni × nj cells
// with its inner corners moved a little, so that the tiling looks drawn by
// hand while neighbours still share their edges exactly.
func (sd *subdistrict) corner(i, j, ni, nj int) geo.Point {
	lon := sd.lon + sd.width*float64(i)/float64(ni)
	lat := sd.lat + sd.height*float64(j)/float64(nj)
	if i > 0 && i < ni && j > 0 && j < nj {
		// A deterministic wobble of up to 12% of a cell.
		h := math.Sin(float64(i*131+j*71)) * 0.12
		lon += sd.width / float64(ni) * h
		lat += sd.height / float64(nj) * math.Cos(float64(i*37+j*113)) * 0.12
	}
	return geo.Point{Lon: round7(lon), Lat: round7(lat)}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func (sd *subdistrict) quad(i, j, ni, nj int) geo.MultiPolygon {
	a, b, c, d := sd.corner(i, j, ni, nj), sd.corner(i+1, j, ni, nj), sd.corner(i+1, j+1, ni, nj), sd.corner(i, j+1, ni, nj)
	return geo.MultiPolygon{geo.Polygon{geo.Ring{a, b, c, d, a}}}
}

func square(center geo.Point, half float64) geo.MultiPolygon {
	a := geo.Point{Lon: round7(center.Lon - half), Lat: round7(center.Lat - half)}
	b := geo.Point{Lon: round7(center.Lon + half), Lat: a.Lat}
	c := geo.Point{Lon: b.Lon, Lat: round7(center.Lat + half)}
	d := geo.Point{Lon: a.Lon, Lat: c.Lat}
	return geo.MultiPolygon{geo.Polygon{geo.Ring{a, b, c, d, a}}}
}

// buildSubdistrict creates a subdistrict's organisation: its jurisdiction,
// communities and grids, units and staff; first (Gudang) also creates the
// categories and the routing rules by category, which every subdistrict
// shares; another subdistrict gets routing rules by its communities to its
// own units.
func buildSubdistrict(ctx context.Context, db *store.DB, rng *rand.Rand, sd *subdistrict, first bool) (*Gudang, error) {
	g := &Gudang{Units: map[string]*org.Unit{}, Staff: map[string]*org.Staff{}, GridWorker: map[int64]*org.Staff{},
		UnitStaff: map[string][]*org.Staff{}, Centers: map[int64]geo.Point{}, spec: sd}
	os, cs := db.Org(), db.Cases()
	g.Jurisdiction = &org.Jurisdiction{DivisionCode: sd.code, Name: sd.name, NameEn: sd.nameEn}
	if sd.parentID != 0 {
		g.Jurisdiction.ParentID, g.Jurisdiction.Level = sd.parentID, org.LevelSubdistrict
	}
	if err := os.CreateJurisdiction(ctx, g.Jurisdiction); err != nil {
		return nil, err
	}
	// Communities cols×rows, grids 4×3 inside each: one lattice, so
	// community borders are grid borders.
	ni, nj := sd.cols*gridCols, sd.rows*gridRows
	communityOf := map[string]*org.Community{}
	for k, cn := range sd.communities {
		ci, cj := k%sd.cols, k/sd.cols
		var ring geo.Ring
		for i := 0; i < gridCols; i++ { // south edge, west to east
			ring = append(ring, sd.corner(ci*gridCols+i, cj*gridRows, ni, nj))
		}
		for j := 0; j < gridRows; j++ { // east edge
			ring = append(ring, sd.corner((ci+1)*gridCols, cj*gridRows+j, ni, nj))
		}
		for i := gridCols; i > 0; i-- { // north edge
			ring = append(ring, sd.corner(ci*gridCols+i, (cj+1)*gridRows, ni, nj))
		}
		for j := gridRows; j > 0; j-- { // west edge
			ring = append(ring, sd.corner(ci*gridCols, cj*gridRows+j, ni, nj))
		}
		ring = append(ring, ring[0])
		c := &org.Community{JurisdictionID: g.Jurisdiction.ID, Code: sd.prefix + cn.code, Name: cn.name, Geometry: geo.MultiPolygon{geo.Polygon{ring}}}
		if err := os.CreateCommunity(ctx, c); err != nil {
			return nil, fmt.Errorf("community %s: %w", cn.code, err)
		}
		g.Communities = append(g.Communities, c)
		communityOf[cn.code] = c
		short := strings.TrimSuffix(strings.SplitN(cn.name, "社区", 2)[0], "区")
		for j := 0; j < gridRows; j++ {
			for i := 0; i < gridCols; i++ {
				n := j*gridCols + i + 1
				shape := sd.quad(ci*gridCols+i, cj*gridRows+j, ni, nj)
				grid := &org.Grid{CommunityID: c.ID, Code: fmt.Sprintf("%s%s-%02d", sd.prefix, cn.code, n),
					Name: fmt.Sprintf("%s第%d网格", short, n), Kind: org.GridStandard, Geometry: shape}
				if err := os.CreateGrid(ctx, grid); err != nil {
					return nil, err
				}
				g.Grids = append(g.Grids, grid)
				g.Centers[grid.ID] = shape.Bounds().Center()
			}
		}
	}
	// Building grids: a 60 m square around a point inside a grid of the
	// tower's community; landlord grids: one rented-housing block in three
	// old estates.
	for k, b := range sd.buildings {
		c := communityOf[b.community]
		host := g.gridsOf(c.ID)[(k*5)%(gridCols*gridRows)]
		center := g.Centers[host.ID]
		grid := &org.Grid{CommunityID: c.ID, Code: fmt.Sprintf("%sbuilding-%02d", sd.prefix, k+1), Name: b.name + "楼宇网格",
			Kind: org.GridBuilding, Geometry: square(center, 0.0003)}
		if err := os.CreateGrid(ctx, grid); err != nil {
			return nil, err
		}
		g.Grids = append(g.Grids, grid)
	}
	for k, code := range sd.landlords {
		c := communityOf[code]
		host := g.gridsOf(c.ID)[7]
		center := g.Centers[host.ID]
		center.Lon += 0.0008
		grid := &org.Grid{CommunityID: c.ID, Code: fmt.Sprintf("%slandlord-%02d", sd.prefix, k+1), Name: strings.TrimSuffix(c.Name, "社区") + "房东网格",
			Kind: org.GridLandlord, Geometry: square(center, 0.0004)}
		if err := os.CreateGrid(ctx, grid); err != nil {
			return nil, err
		}
		g.Grids = append(g.Grids, grid)
	}

	for _, u := range unitDefs {
		unit := &org.Unit{Code: sd.prefix + u.code, Name: u.name, Kind: u.kind}
		if u.code == "police" {
			unit.Name = sd.police
		}
		if sd.prefix != "" && u.kind != org.UnitExternal {
			unit.Name = sd.short + unit.Name // 西溪城市管理科: told apart in the district's lists
		}
		if sd.staffJurisdiction {
			unit.JurisdictionID = g.Jurisdiction.ID
		}
		if err := os.CreateUnit(ctx, unit); err != nil {
			return nil, err
		}
		g.Units[u.code] = unit
	}
	for _, c := range g.Communities {
		code := strings.TrimPrefix(c.Code, sd.prefix)
		unit := &org.Unit{Code: sd.prefix + "community-" + code, Kind: org.UnitCommunity, CommunityID: c.ID}
		unit.Name = strings.TrimSuffix(strings.TrimSuffix(c.Name, "（古东）"), "（古北）") + "居委会"
		if sd.staffJurisdiction {
			unit.JurisdictionID = g.Jurisdiction.ID
		}
		if err := os.CreateUnit(ctx, unit); err != nil {
			return nil, err
		}
		g.Units["community-"+code] = unit
	}

	if err := g.createStaff(ctx, os, rng); err != nil {
		return nil, err
	}
	if !first {
		return g, g.routeCommunities(ctx, cs)
	}
	for _, d := range categoryDefs {
		cat := &casework.Category{Code: d.code, ParentCode: d.parent, Name: d.name, NameEn: d.nameEn, Active: true}
		if d.code == "0501" || d.code == "0502" || d.code == "0503" {
			// Alarms are answered in minutes, not days.
			cat.Policies = map[casework.Urgency]casework.Policy{casework.UrgencyUrgent: {
				SignFor: calendar.Limit{Amount: 5, Unit: calendar.Minutes}, Start: calendar.Limit{Amount: 15, Unit: calendar.Minutes},
				Finish: calendar.Limit{Amount: 2, Unit: calendar.NaturalHours}, Close: calendar.Limit{Amount: 24, Unit: calendar.NaturalHours}}}
		}
		// Reports about a private home: the public never reads their words
		// or exact place (issue 18).
		cat.PrivateHome = privateHomeCategories[d.code]
		if err := cs.PutCategory(ctx, cat); err != nil {
			return nil, fmt.Errorf("category %s: %w", d.code, err)
		}
		g.Categories = append(g.Categories, cat)
		if d.unit != "" {
			if err := cs.CreateRoutingRule(ctx, &casework.RoutingRule{Category: d.code, UnitID: g.Units[d.unit].ID}); err != nil {
				return nil, err
			}
		}
	}
	// Police transfers of non-police events go to the community first.
	for _, c := range g.Communities {
		if err := cs.CreateRoutingRule(ctx, &casework.RoutingRule{Category: "04", CommunityID: c.ID, Channel: casework.ChannelPolice,
			UnitID: g.Units["community-"+c.Code].ID}); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// routeCommunities gives another subdistrict's communities routing rules
// to its own units: each category to the unit of the same code (a rule of
// a community outranks Gudang's rules by category alone), and police
// transfers of the 04 classes to the community first, as in Gudang.
func (g *Gudang) routeCommunities(ctx context.Context, cs *store.Cases) error {
	for _, c := range g.Communities {
		code := strings.TrimPrefix(c.Code, g.spec.prefix)
		for _, d := range categoryDefs {
			if d.unit == "" {
				continue
			}
			if err := cs.CreateRoutingRule(ctx, &casework.RoutingRule{Category: d.code, CommunityID: c.ID, UnitID: g.Units[d.unit].ID}); err != nil {
				return err
			}
			if strings.HasPrefix(d.code, "04") {
				if err := cs.CreateRoutingRule(ctx, &casework.RoutingRule{Category: d.code, CommunityID: c.ID, Channel: casework.ChannelPolice,
					UnitID: g.Units["community-"+code].ID}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *Gudang) gridsOf(communityID int64) []*org.Grid {
	var out []*org.Grid
	for _, gr := range g.Grids {
		if gr.CommunityID == communityID && gr.Kind == org.GridStandard {
			out = append(out, gr)
		}
	}
	return out
}

var familyNames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文")
var givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "慧",
	"建国", "建华", "志强", "晓东", "海燕", "丽华", "玉兰", "桂英", "文杰", "晨", "宇", "浩", "佳", "欣怡", "子涵", "梓萱", "一鸣", "思远", "雨桐", "俊杰"}

func personName(rng *rand.Rand) string {
	return string(familyNames[rng.IntN(len(familyNames))]) + givenNames[rng.IntN(len(givenNames))]
}

func phone(rng *rand.Rand) string {
	prefixes := []string{"130", "131", "135", "136", "137", "138", "139", "150", "151", "157", "158", "159", "177", "180", "186", "187", "188", "189", "199"}
	return fmt.Sprintf("%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100000000))
}

// createStaff makes one account per role that the login page shows, and
// the rest of the staff: a worker per grid, handlers per unit.
func (g *Gudang) createStaff(ctx context.Context, os *store.Org, rng *rand.Rand) error {
	hash, err := org.HashPassword(Password)
	if err != nil {
		return err
	}
	created := time.Date(2022, 12, 1, 9, 0, 0, 0, calendar.Zone())
	sd := g.spec
	add := func(s org.Staff) (*org.Staff, error) {
		s.Active, s.PasswordHash, s.CreatedAt = true, hash, created
		if s.Phone == "" {
			s.Phone = phone(rng)
		}
		key := s.Username
		s.Username = sd.prefix + s.Username
		if sd.staffJurisdiction && s.Role != org.RoleSecurityAdmin && s.Role != org.RoleAuditAdmin {
			s.JurisdictionID = g.Jurisdiction.ID
		}
		if err := os.CreateStaff(ctx, &s); err != nil {
			return nil, fmt.Errorf("staff %s: %w", s.Username, err)
		}
		g.Staff[key] = &s
		return &s, nil
	}
	fixed := []org.Staff{
		{Username: "admin", Name: "系统管理员", Role: org.RoleAdmin},
		{Username: "dispatcher", Name: personName(rng), Role: org.RoleDispatcher, UnitID: g.Units["command"].ID},
		{Username: "dispatcher2", Name: personName(rng), Role: org.RoleDispatcher, UnitID: g.Units["command"].ID},
		{Username: "leader", Name: personName(rng), Role: org.RoleLeader},
		{Username: "community", Name: personName(rng), Role: org.RoleCommunityStaff, CommunityID: g.Communities[min(2, len(g.Communities)-1)].ID},
	}
	for _, s := range fixed {
		if _, err := add(s); err != nil {
			return err
		}
	}
	for _, u := range unitDefs {
		if u.kind == org.UnitCommand {
			continue
		}
		lead, err := add(org.Staff{Username: u.code + ".lead", Name: personName(rng), Role: org.RoleUnitLead, UnitID: g.Units[u.code].ID})
		if err != nil {
			return err
		}
		g.UnitStaff[u.code] = append(g.UnitStaff[u.code], lead)
		for k := 1; k <= 2; k++ {
			h, err := add(org.Staff{Username: fmt.Sprintf("%s.%d", u.code, k), Name: personName(rng), Role: org.RoleUnitHandler, UnitID: g.Units[u.code].ID})
			if err != nil {
				return err
			}
			g.UnitStaff[u.code] = append(g.UnitStaff[u.code], h)
		}
	}
	for _, c := range g.Communities {
		code := "community-" + strings.TrimPrefix(c.Code, sd.prefix)
		h, err := add(org.Staff{Username: strings.TrimPrefix(c.Code, sd.prefix) + ".staff", Name: personName(rng), Role: org.RoleUnitHandler, UnitID: g.Units[code].ID})
		if err != nil {
			return err
		}
		g.UnitStaff[code] = append(g.UnitStaff[code], h)
	}
	for _, gr := range g.Grids {
		if gr.Kind != org.GridStandard {
			continue
		}
		w, err := add(org.Staff{Username: "grid." + strings.TrimPrefix(gr.Code, sd.prefix), Name: personName(rng), Role: org.RoleGridWorker, GridIDs: []int64{gr.ID}})
		if err != nil {
			return err
		}
		g.GridWorker[gr.ID] = w
	}
	if sd.prefix != "" {
		return nil // one security and one audit administrator serve the deployment
	}
	// The security and the audit administrator (三权分立, issue 18),
	// last and with fixed names and numbers, so that the random draws of
	// everything before are unchanged.
	for _, s := range []org.Staff{
		{Username: "security", Name: "安全管理员", Role: org.RoleSecurityAdmin, Phone: "13900000001"},
		{Username: "audit", Name: "审计管理员", Role: org.RoleAuditAdmin, Phone: "13900000002"},
	} {
		if _, err := add(s); err != nil {
			return err
		}
	}
	return nil
}

// Logins lists one account per role for the login page and the console.
func Logins() []struct{ Username, Role string } {
	return []struct{ Username, Role string }{
		{"admin", "系统管理员 admin"}, {"dispatcher", "指挥中心调度员 dispatcher"}, {"chengguan.lead", "单位负责人 unit lead（城市管理科）"},
		{"chengguan.1", "单位经办人 unit handler（城市管理科）"}, {"grid.wenhua-01", "网格员 grid worker（文华第1网格）"},
		{"community", "社区工作人员 community staff（文华社区）"}, {"leader", "领导 leader"},
		{"qf.1", "企服专员 enterprise service"},
		{"security", "安全管理员 security admin"}, {"audit", "审计管理员 audit admin"},
	}
}
