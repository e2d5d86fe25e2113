package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The district demo (`jiedao demo --district`): 西湖区 with Gudang and two
// more subdistricts, each with its communities, grids, units and staff
// and a year of cases of its own, and the district's own staff, who see
// every subdistrict. Gudang is generated first and exactly as without the
// district (the same seed gives the same cases, so its 2023 figures are
// still the work report's); the others come after, each from a random
// stream of its own drawn from the seed and its division code, with
// volumes a share of Gudang's.

// District is the district row of the demo.
var District = struct{ Code, Name, NameEn string }{"330106", "西湖区", "Xihu District"}

// otherSubdistricts are the district's subdistricts besides Gudang: 西溪
// east of it, 北山 south of it (not where they lie, but apart on the
// map), each a share of Gudang's volume.
var otherSubdistricts = []struct {
	spec  subdistrict
	share float64
}{
	{subdistrict{code: "330106008", name: "西溪街道", nameEn: "Xixi Subdistrict", short: "西溪", prefix: "xixi.",
		lon: originLon + widthDeg + 0.004, lat: originLat, width: widthDeg * 2 / 3, height: heightDeg * 2 / 3, cols: 2, rows: 2,
		communities: []struct{ code, name string }{{"qingfeng", "庆丰社区"}, {"jianan", "嘉南社区"}, {"qiushi", "求是社区"}, {"huayuan", "花园新村社区"}},
		buildings:   []struct{ name, community string }{{"黄龙国际中心", "jianan"}, {"求是科技大厦", "qiushi"}},
		landlords:   []string{"qingfeng"}, police: "西溪派出所",
		streets: []string{"文三路", "学院路", "教工路", "庆丰路", "天目山路", "马塍路"}}, 0.6},
	{subdistrict{code: "330106004", name: "北山街道", nameEn: "Beishan Subdistrict", short: "北山", prefix: "beishan.",
		lon: originLon, lat: originLat - heightDeg*2/3 - 0.004, width: widthDeg * 2 / 3, height: heightDeg * 2 / 3, cols: 2, rows: 2,
		communities: []struct{ code, name string }{{"baochuta", "保俶塔社区"}, {"baoshi", "宝石社区"}, {"qingzhiwu", "青芝坞社区"}, {"shuguang", "曙光新村社区"}},
		buildings:   []struct{ name, community string }{{"曙光商务楼", "shuguang"}},
		landlords:   []string{"qingzhiwu"}, police: "北山派出所",
		streets: []string{"北山路", "保俶路", "曙光路", "宝石山路", "杭大路", "西山路"}}, 0.4},
}

// SubdistrictCodes are the division codes of the district demo's
// subdistricts, Gudang first.
func SubdistrictCodes() []string {
	out := []string{gudangSpec.code}
	for _, o := range otherSubdistricts {
		out = append(out, o.spec.code)
	}
	return out
}

// createDistrict makes the district's row, and returns Gudang's spec as
// a subdistrict of it whose staff and units are its own.
func createDistrict(ctx context.Context, db *store.DB) (*org.Jurisdiction, *subdistrict, error) {
	d := &org.Jurisdiction{DivisionCode: District.Code, Name: District.Name, NameEn: District.NameEn, Level: org.LevelDistrict}
	if err := db.Org().CreateJurisdiction(ctx, d); err != nil {
		return nil, nil, err
	}
	spec := *gudangSpec
	spec.parentID, spec.staffJurisdiction = d.ID, true
	return d, &spec, nil
}

// generateDistrict makes the other subdistricts and their years, then the
// district's own staff. gudang is Gudang's generator, whose calendar,
// categories and machine clients they share.
func (gudang *generator) generateDistrict(ctx context.Context, db *store.DB, district *org.Jurisdiction, opt Options, vol Volumes, sum *Summary, progress io.Writer) error {
	for _, o := range otherSubdistricts {
		spec := o.spec
		spec.parentID, spec.staffJurisdiction = district.ID, true
		h := fnv.New64a()
		h.Write([]byte(spec.code))
		rng := rand.New(rand.NewPCG(opt.Seed^h.Sum64(), 0x9e3779b97f4a7c15))
		g, err := buildSubdistrict(ctx, db, rng, &spec, false)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		rules, err := db.Cases().ListRoutingRules(ctx)
		if err != nil {
			return err
		}
		gen := &generator{g: g, cal: gudang.cal, rng: rng, year: gudang.year, cats: gudang.cats,
			clients: map[casework.Channel]org.Actor{}, jurisdiction: g.Jurisdiction.ID, salt: h.Sum64(),
			externalIDs: gudang.externalIDs} // unique per channel across the district
		g.Categories = gudang.g.Categories
		for ch, a := range gudang.clients {
			if n, ok := a.Narrowed(g.Jurisdiction.ID); ok {
				a = n
			}
			gen.clients[ch] = a
		}
		config := &fixedConfig{Store: db.Cases(), rules: rules, cats: gen.cats}
		gen.svc = &casework.Service{Store: config, Units: db.Org(), Calendars: gudang.svc.Calendars, CalendarEdit: gudang.svc.CalendarEdit,
			Places: org.NewPlaces(db.Org()), Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		gen.spots = gen.hotspots()
		v := scaleVolumes(vol, o.share)
		plans := gen.plan(v)
		var cur Summary
		if plans, err = gen.withCurrentYear(ctx, plans, opt, v, &cur); err != nil {
			return err
		}
		sum.Current += cur.Current
		if progress != nil {
			fmt.Fprintf(progress, "  %s / %s: %d 件 / cases…\n", spec.name, spec.nameEn, len(plans))
		}
		if err := gen.writeYear(ctx, db, plans, sum, progress, nil); err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
	}
	return createDistrictStaff(ctx, db)
}

// scaleVolumes is a share of the volumes, rounded.
func scaleVolumes(v Volumes, share float64) Volumes {
	n := func(x int) int { return int(math.Round(float64(x) * share)) }
	return Volumes{XihuSigned: n(v.XihuSigned), XihuRated: n(v.XihuRated), XihuSatisfied: n(v.XihuSatisfied),
		PinganHandled: n(v.PinganHandled), GridHandled: n(v.GridHandled), IoTDispatched: n(v.IoTDispatched),
		PoliceHandled: n(v.PoliceHandled), Hotline: n(v.Hotline), Enterprise: n(v.Enterprise)}
}

// createDistrictStaff makes the district's command center (a district
// unit, which every subdistrict may dispatch to) and its leader,
// dispatcher and admin, with no jurisdiction: they see the whole district.
func createDistrictStaff(ctx context.Context, db *store.DB) error {
	os := db.Org()
	unit := &org.Unit{Code: "district-command", Name: "西湖区社会治理中心", Kind: org.UnitCommand}
	if err := os.CreateUnit(ctx, unit); err != nil {
		return err
	}
	hash, err := org.HashPassword(Password)
	if err != nil {
		return err
	}
	created := time.Date(2022, 12, 1, 9, 0, 0, 0, calendar.Zone())
	for i, s := range []org.Staff{
		{Username: "district.leader", Name: "区领导", Role: org.RoleLeader},
		{Username: "district.dispatcher", Name: "区调度员", Role: org.RoleDispatcher, UnitID: unit.ID},
		{Username: "district.admin", Name: "区系统管理员", Role: org.RoleAdmin},
	} {
		s.Active, s.PasswordHash, s.CreatedAt, s.Phone = true, hash, created, fmt.Sprintf("1390000010%d", i+1)
		if err := os.CreateStaff(ctx, &s); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
	}
	return nil
}

// DistrictLogins lists the district demo's accounts beside Logins': the
// district's, then one subdistrict's.
func DistrictLogins() []struct{ Username, Role string } {
	return []struct{ Username, Role string }{
		{"district.leader", "区领导 district leader（全区）"}, {"district.dispatcher", "区调度员 district dispatcher（全区，可转办）"},
		{"district.admin", "区系统管理员 district admin"},
		{"xixi.leader", "西溪街道领导 Xixi leader"}, {"xixi.dispatcher", "西溪街道调度员 Xixi dispatcher"},
		{"beishan.leader", "北山街道领导 Beishan leader"}, {"beishan.dispatcher", "北山街道调度员 Beishan dispatcher"},
	}
}
