package enterprise

import (
	"context"
	"fmt"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// Figures is the registry's report.Source: the enterprise.* and
// buildings.* keys of shared/seed/figures.tsv, each defined once here
// (docs/enterprise.md says what each counts).
type Figures struct {
	Service *Service
	// Cases counts the demands, which are cases (casework.Service).
	Cases report.Counter
}

var _ report.Source = (*Figures)(nil)

func yearQuery(year int) string {
	from, to := YearBounds(year)
	return fmt.Sprintf("from=%s&to=%s", from, to)
}

// DemandsFilter is the cases of demands_resolved in a year: the
// enterprise channel's cases reported in the year and closed (结案).
func DemandsFilter(year int) casework.Filter {
	from, to := report.Period(year)
	return casework.Filter{Channel: casework.ChannelEnterprise, Statuses: []casework.Status{casework.StatusClosed}, From: from, To: to}
}

func certFigure(key string, kind CertKind, en, pattern string) report.Figure {
	return report.Figure{Key: key, Zh: kind.Zh(), En: en, Unit: "家", Section: report.SectionEconomy, Pattern: pattern,
		Counts: "当年新认定的" + kind.Zh() + "资质（按认定日期） / " + en + " certifications newly granted in the year (by date of award)",
		Records: func(year int) string {
			return fmt.Sprintf("/enterprises/certifications?kind=%s&%s", kind, yearQuery(year))
		}}
}

func tierFigure(key, tier, zh, en, counts, pattern string) report.Figure {
	return report.Figure{Key: key, Zh: zh, En: en, Unit: "幢", Section: report.SectionEconomy, Pattern: pattern, Counts: counts,
		Records: func(year int) string { return fmt.Sprintf("/buildings/economy?year=%d&tier=%s", year, tier) }}
}

// Figures are the registry's figures.
func (f *Figures) Figures() []report.Figure {
	return []report.Figure{
		{Key: "enterprise.onboarded", Zh: "企服平台云上安家企业", En: "Enterprises settled on the Xihu enterprise-service platform", Unit: "家",
			Section: report.SectionEconomy, Pattern: "帮助辖区%s家企业“云上安家”",
			Counts: "截至年末在西湖企服平台登记入驻（云上安家）的企业，累计 / enterprises onboarded on the platform by the end of the year, cumulative",
			Records: func(year int) string {
				_, to := YearBounds(year)
				return "/enterprises?onboarded_to=" + string(to)
			}},
		{Key: "enterprise.visits", Zh: "累计走访企业", En: "Enterprise visits", Unit: "家次", Section: report.SectionEconomy,
			Pattern: "累计走访企业%s家次",
			Counts:  "当年走访企业的次数（一家企业走访一次计一家次） / visits to enterprises in the year, each visit counted once",
			Records: func(year int) string { return "/enterprises/visits?" + yearQuery(year) }},
		{Key: "enterprise.demands_resolved", Zh: "帮助企业解决诉求", En: "Enterprise demands resolved", Unit: "个", Section: report.SectionEconomy,
			Pattern: "帮助企业解决各类诉求%s个",
			Counts:  "当年上报的企业诉求渠道案件中已结案的 / cases of the enterprise channel reported in the year and closed",
			Records: func(year int) string {
				from, to := YearBounds(year)
				return fmt.Sprintf("/cases?channel=%s&status=%s&from=%s&to=%s", casework.ChannelEnterprise, casework.StatusClosed, from, to)
			}},
		{Key: "enterprise.net_migration_tax", Zh: "迁入迁出企业净增税收规模", En: "Net tax of enterprises moved in and out", Unit: "元",
			Section: report.SectionEconomy, Pattern: "全年实现迁入迁出企业净增税收规模%s元",
			Counts:  "当年迁入企业的年度税收之和减去迁出企业的年度税收之和 / annual tax of enterprises moved in during the year minus that of those moved out",
			Records: func(year int) string { return "/enterprises/moves?" + yearQuery(year) }},
		{Key: "enterprise.new_entities", Zh: "新增市场主体", En: "New market entities", Unit: "家", Section: report.SectionEconomy,
			Pattern: "新增市场主体%s家",
			Counts:  "成立（登记）日期在当年的企业 / enterprises registered in the year",
			Records: func(year int) string {
				from, to := YearBounds(year)
				return fmt.Sprintf("/enterprises?registered_from=%s&registered_to=%s", from, to)
			}},
		{Key: "enterprise.hq_listed", Zh: "杭州市总部企业名单上榜", En: "Enterprises on Hangzhou's headquarters list", Unit: "家",
			Section: report.SectionEconomy, Pattern: "%s家企业上榜",
			Counts:  "带有“总部企业”标签（上榜杭州市总部企业名单，以最近导入的名单为准）的企业 / enterprises tagged hq_listed (the list as last imported)",
			Records: func(int) string { return "/enterprises?tag=" + string(TagHQListed) }},
		certFigure("enterprise.high_tech", CertHighTech, "National high-tech enterprises", "培育国家高新技术企业%s家"),
		certFigure("enterprise.sme_tech", CertTechSME, "Provincial tech SMEs", "省科技型中小企业%s家"),
		certFigure("enterprise.specialized", CertSpecialized, "Provincial specialised and sophisticated SMEs", "认定省专精特新企业%s家"),
		certFigure("enterprise.innovative_sme", CertInnovative, "Innovative SMEs", "创新型中小企业%s家"),
		tierFigure("buildings.tax_10m", Tier10M, "千万元楼宇", "Buildings with over 10 million yuan of tax",
			"当年入驻企业税收合计不低于1000万元的楼宇（含亿元楼宇），企业每月税收计入其当月所在楼宇 / buildings whose tenants paid at least 10,000,000 yuan of tax in the year (hundred-million buildings included), each month's tax counted where the tenant was", "培育千万元楼宇%s幢"),
		tierFigure("buildings.tax_100m", Tier100M, "亿元楼宇", "Buildings with over 100 million yuan of tax",
			"当年入驻企业税收合计不低于1亿元的楼宇 / buildings whose tenants paid at least 100,000,000 yuan of tax in the year", "亿元楼宇%s幢"),
		tierFigure("buildings.hq_100m", TierHQ100M, "总部亿元楼", "Headquarters hundred-million buildings",
			"亿元楼宇中税收过半来自一家总部企业（总部企业标签）的楼宇 / hundred-million buildings more than half of whose tax comes from one enterprise tagged hq_listed", "其中总部亿元楼%s幢"),
	}
}

// Measure computes one figure for a year.
func (f *Figures) Measure(ctx context.Context, a org.Actor, key string, year int) (report.Measurement, error) {
	s := f.Service
	if err := canRead(a); err != nil {
		return report.Measurement{}, err
	}
	from, to := YearBounds(year)
	// The actor's subdistrict's records (0: every subdistrict's, summed).
	j := a.JurisdictionID
	count := func(n int, err error) (report.Measurement, error) {
		return report.Measurement{Value: float64(n), OK: err == nil, Records: n}, err
	}
	switch key {
	case "enterprise.onboarded":
		return count(s.Store.CountEnterprises(ctx, Filter{OnboardedTo: to, Jurisdiction: j}))
	case "enterprise.visits":
		return count(s.Store.CountVisits(ctx, j, from, to))
	case "enterprise.demands_resolved":
		return count(f.Cases.Count(ctx, a, DemandsFilter(year)))
	case "enterprise.net_migration_tax":
		moves, err := s.Store.ListMoves(ctx, 0, from, to)
		if err != nil {
			return report.Measurement{}, err
		}
		moves = inScope(a, moves, func(m Move) int64 { return m.JurisdictionID })
		b := Balance(moves)
		return report.Measurement{Value: b.NetTax().Yuan(), OK: len(moves) > 0, Records: len(moves)}, nil
	case "enterprise.new_entities":
		return count(s.Store.CountEnterprises(ctx, Filter{RegisteredFrom: from, RegisteredTo: to, Jurisdiction: j}))
	case "enterprise.hq_listed":
		return count(s.Store.CountEnterprises(ctx, Filter{Tag: TagHQListed, Jurisdiction: j}))
	case "enterprise.high_tech", "enterprise.sme_tech", "enterprise.specialized", "enterprise.innovative_sme":
		kind := map[string]CertKind{"enterprise.high_tech": CertHighTech, "enterprise.sme_tech": CertTechSME,
			"enterprise.specialized": CertSpecialized, "enterprise.innovative_sme": CertInnovative}[key]
		return count(s.Store.CountCertifications(ctx, CertFilter{Kind: kind, AwardedFrom: from, AwardedTo: to, Jurisdiction: j}))
	case "buildings.tax_10m", "buildings.tax_100m", "buildings.hq_100m":
		tier := map[string]string{"buildings.tax_10m": Tier10M, "buildings.tax_100m": Tier100M, "buildings.hq_100m": TierHQ100M}[key]
		years, err := s.computeTiers(ctx, year)
		if err != nil {
			return report.Measurement{}, err
		}
		years = tiersIn(years, j)
		n, any := 0, false
		for _, y := range years {
			any = any || y.Tax != 0
			if y.Reaches(tier) {
				n++
			}
		}
		return report.Measurement{Value: float64(n), OK: any, Records: n}, nil
	}
	return report.Measurement{}, jiedao.NotFound("指标", "figure")
}
