package indicator

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// WorkReportKeys are the figure keys of the work report
// (shared/seed/figures.tsv, kinds derived and entered): a contract. A
// target may be set on any of them before the domain that measures it is
// wired in; it then shows "no figure" until it is.
var WorkReportKeys = []string{
	"cases.xihu_code.signed", "cases.xihu_code.satisfaction", "cases.pingan.handled", "cases.grid.handled", "cases.iot.dispatched",
	"cases.police_linkage.handled", "disputes.mediated", "disputes.amount", "enforcement.filed", "enforcement.closed",
	"enforcement.delegated_inspections", "bikes.handled", "enterprise.onboarded", "enterprise.visits", "enterprise.demands_resolved",
	"enterprise.net_migration_tax", "enterprise.new_entities", "enterprise.hq_listed", "enterprise.high_tech", "enterprise.sme_tech",
	"enterprise.specialized", "enterprise.innovative_sme", "census.units_checked", "buildings.tax_10m", "buildings.tax_100m",
	"buildings.hq_100m", "fiscal.total_revenue", "fiscal.general_budget", "industry.value_added", "industry.output", "services.revenue",
	"retail.sales", "investment.fixed_assets", "construction.output", "trade.exports", "investment.fdi", "elderly.canteen_served",
	"elderly.meal_deliveries", "elderly.meal_subsidy", "elderly.home_beds", "elderly.guardian_devices", "emergency.fire_alarm",
	"emergency.rescue", "emergency.social_aid", "emergency.trainings", "emergency.trainees", "safety.old_elevators",
	"petitions.national_backlog_cleared", "petitions.provincial_backlog_cleared", "petitions.yoy_change", "services.complex_events",
	"services.complex_people", "volunteers.registered", "volunteers.activities", "approvals.count", "approvals.amount",
	"integrity.risks", "integrity.inspections", "integrity.problems",
}

// Builtin is the catalogue jiedao ships: the ten indicators of the work
// report the statistics bureau and the finance office supply (monthly,
// cumulative since January, as their tables are), and the yearly counts
// that the 2024 targets are measured by and no other domain keeps yet
// (entered by the office answerable for them).
func Builtin() []*Indicator {
	m := func(key, name, en, unit, source string) *Indicator {
		return &Indicator{Key: key, Name: name, NameEn: en, Unit: unit, Frequency: Monthly, Cumulative: true, Source: source}
	}
	y := func(key, name, en, unit, source string) *Indicator {
		return &Indicator{Key: key, Name: name, NameEn: en, Unit: unit, Frequency: Yearly, Cumulative: true, Source: source}
	}
	return []*Indicator{
		m("fiscal.total_revenue", "财政总收入", "Total fiscal revenue", "元", "区财政局"),
		m("fiscal.general_budget", "一般公共预算收入", "General public budget revenue", "元", "区财政局"),
		m("industry.value_added", "规上工业增加值", "Value added of industry above designated size", "元", "区统计局"),
		m("industry.output", "规上工业产值", "Output of industry above designated size", "元", "区统计局"),
		m("services.revenue", "其他营利性服务业营收", "Revenue of other for-profit services", "元", "区统计局"),
		m("retail.sales", "社会消费品零售总额", "Retail sales of consumer goods", "元", "区统计局"),
		m("investment.fixed_assets", "固定资产投资", "Fixed-asset investment", "元", "区统计局"),
		m("construction.output", "省内建筑业产值", "Construction output in the province", "元", "区统计局"),
		m("trade.exports", "外贸出口", "Exports", "元", "区商务局"),
		m("investment.fdi", "实际到位外资", "Foreign direct investment received", "美元", "区商务局"),
		y("enterprise.listed", "新引进培育上市企业", "Listed enterprises attracted or grown", "家", "经济发展办"),
		y("enterprise.hq", "总部经济企业", "Headquarters enterprises", "家", "经济发展办"),
		y("enterprise.unicorn", "独角兽和准独角兽企业", "Unicorns and near-unicorns", "家", "经济发展办"),
		y("enterprise.waist", "腰部企业", "Mid-sized growth enterprises", "家", "经济发展办"),
		y("enterprise.micro", "小微企业", "Small and micro enterprises", "家", "经济发展办"),
		y("enterprise.net_migration_count", "迁入迁出企业净增家数", "Net enterprises moved in", "家", "经济发展办"),
		y("talent.leaders", "海内外领军人才", "Leading talents", "人", "人才办"),
		y("talent.high_level", "高层次人才", "High-level talents", "人", "人才办"),
		y("talent.teams", "创新创业团队", "Innovation teams", "个", "人才办"),
		y("talent.university_projects", "高校人才项目", "University talent projects", "个", "人才办"),
		y("petitions.litigation", "涉法涉诉信访量", "Litigation-related petitions", "件", "信访办"),
		y("sports.embedded_area", "嵌入式体育场地", "Embedded sports grounds", "平方米", "文体站"),
		y("culture.night_school", "青年夜校课程", "Youth night-school classes", "场", "文体站"),
		y("culture.mass_events", "群文主题活动", "Mass cultural events", "场", "文体站"),
		y("integrity.lectures", "理论授课", "Theory lectures", "场次", "党政办"),
	}
}

// EnsureBuiltin adds the shipped indicators missing from the catalogue.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	for _, i := range Builtin() {
		if _, err := s.Store.GetIndicator(ctx, i.Key); err == nil {
			continue
		} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return err
		}
		if err := s.CreateIndicator(ctx, org.SystemActor(), i); err != nil && jiedao.ErrorCode(err) != jiedao.ECONFLICT {
			return err
		}
	}
	return nil
}
