package indicator

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// enteredFigures are the work report's indicators, with its words.
func enteredFigures() []report.Figure {
	e := func(key, zh, en, unit, pattern, counts string) report.Figure {
		return report.Figure{Key: key, Zh: zh, En: en, Unit: unit, Section: report.SectionEconomy, Kind: report.KindEntered, Pattern: pattern,
			Counts: counts + "；由统计局或财政局报送、经办人录入 / as supplied by the statistics bureau or the finance office and entered by a person"}
	}
	cum := "全年累计值（12月累计数，或已录入的最后一个月的累计数）"
	return []report.Figure{
		e("fiscal.total_revenue", "财政总收入", "Total fiscal revenue", "元", "实现财政总收入%s元", cum),
		e("fiscal.general_budget", "一般公共预算收入", "General public budget revenue", "元", "一般公共预算收入%s元", cum),
		e("industry.value_added", "规上工业增加值", "Industrial value added above size", "元", "全年实现规上工业增加值%s元", cum),
		e("industry.output", "规上工业产值", "Industrial output above size", "元", "实现规上工业产值%s元", cum),
		e("services.revenue", "其他营利性服务业营收", "Other for-profit services revenue", "元", "实现其他营利性服务业营收%s元", cum),
		e("retail.sales", "社会消费品零售总额", "Retail sales", "元", "实现社零总额%s元", cum),
		e("investment.fixed_assets", "固定资产投资", "Fixed-asset investment", "元", "实现固定资产投资%s元", cum),
		e("construction.output", "省内建筑业产值", "Construction output", "元", "实现省内建筑业产值%s元", cum),
		e("trade.exports", "外贸出口", "Exports", "元", "实现外贸出口%s元", cum),
		e("investment.fdi", "实际到位外资", "Foreign investment received", "美元", "实际到位外资%s美元", cum),
	}
}

// TargetFigure is one of the report's targets: its code, what it measures
// and the work report's words.
type TargetFigure struct {
	report.Figure
	Key, Key2  string
	Comparison Comparison
	Owner      string
}

// ReportTargets are the targets the work report sets for the year after
// it (its "2024年工作思路"), each measured by a figure key.
func ReportTargets() []TargetFigure {
	t := func(code, zh, en, unit, section, pattern, key string, cmp Comparison, owner string) TargetFigure {
		return TargetFigure{Figure: report.Figure{Key: code, Zh: zh, En: en, Unit: unit, Section: section, Pattern: pattern, Kind: report.KindTarget},
			Key: key, Comparison: cmp, Owner: owner}
	}
	E, L, S, P := report.SectionEconomy, report.SectionLivelihood, report.SectionSafety, report.SectionParty
	out := []TargetFigure{
		t("target.fiscal.general_budget", "一般公共预算", "General budget revenue target", "元", E, "一般公共预算达%s元以上", "fiscal.general_budget", AtLeast, "财政所"),
		t("target.buildings.tax_100m", "税收亿元楼宇", "Hundred-million buildings target", "幢", E, "努力实现税收亿元楼宇%s幢", "buildings.tax_100m", AtLeast, "楼宇办"),
		t("target.buildings.tax_10m", "税收千万元楼宇", "Ten-million buildings target", "幢", E, "千万元楼宇%s幢", "buildings.tax_10m", AtLeast, "楼宇办"),
		t("target.enterprise.listed", "新引进培育上市企业", "Listed enterprises target", "家", E, "力争新引进培育上市企业%s家", "enterprise.listed", AtLeast, "经济发展办"),
		t("target.enterprise.hq", "总部经济企业", "Headquarters enterprises target", "家", E, "总部经济企业%s家", "enterprise.hq", AtLeast, "经济发展办"),
		t("target.enterprise.unicorn", "独角兽和准独角兽企业", "Unicorns target", "家", E, "独角兽和准独角兽企业%s家", "enterprise.unicorn", AtLeast, "经济发展办"),
		t("target.enterprise.waist", "腰部企业", "Mid-sized enterprises target", "家", E, "腰部企业%s家", "enterprise.waist", AtLeast, "经济发展办"),
		t("target.enterprise.micro", "小微企业", "Small and micro enterprises target", "家", E, "小微企业%s家", "enterprise.micro", AtLeast, "经济发展办"),
		t("target.talent.leaders", "海内外领军人才", "Leading talents target", "人", E, "海内外领军人才%s人", "talent.leaders", AtLeast, "人才办"),
		t("target.talent.high_level", "高层次人才", "High-level talents target", "人", E, "高层次人才%s人", "talent.high_level", AtLeast, "人才办"),
		t("target.talent.teams", "创新创业团队", "Innovation teams target", "个", E, "创新创业团队%s个", "talent.teams", AtLeast, "人才办"),
		t("target.talent.university_projects", "高校人才项目", "University talent projects target", "个", E, "力争落地高校人才项目%s个以上", "talent.university_projects", AtLeast, "人才办"),
		t("target.enterprise.migration", "迁入迁出企业家数、税收双顺差", "Net moves in: count and tax both positive", "元", E, "力争实现迁入迁出企业家数、税收双顺差（净增大于%s）", "enterprise.net_migration_count", BothPositive, "经济发展办"),
		t("target.petitions.litigation_yoy", "涉法涉诉信访量同比", "Litigation-related petitions, change", "%", S, "实现“涉法涉诉”重点领域信访量同比%s%%", "petitions.litigation", ChangeBy, "信访办"),
		t("target.sports.embedded_area", "嵌入式体育场地", "Embedded sports grounds target", "平方米", L, "计划挖掘建设辖区嵌入式体育场地%s平方米", "sports.embedded_area", AtLeast, "文体站"),
		t("target.culture.night_school", "青年夜校课程", "Night-school classes target", "场", L, "开展夜校课程不少于%s场", "culture.night_school", AtLeast, "文体站"),
		t("target.culture.mass_events", "群文主题活动", "Mass cultural events target", "场", L, "举办%s场群文主题活动", "culture.mass_events", AtLeast, "文体站"),
		t("target.integrity.lectures", "理论授课", "Theory lectures target", "场次", P, "全年开展理论授课%s场次", "integrity.lectures", AtLeast, "党政办"),
	}
	for i := range out {
		out[i].Percent = out[i].Comparison == ChangeBy
		if out[i].Comparison == BothPositive {
			out[i].Key2 = "enterprise.net_migration_tax"
		}
		out[i].Counts = fmt.Sprintf("下一年度（报告年度+1）街道级目标：%s %s；进度取该年度实时数值 / the subdistrict's target for the year after the report's, %s; progress from the live figure of %s",
			out[i].Comparison.Zh(), out[i].Key, out[i].Comparison, out[i].Key)
		if out[i].Key2 != "" {
			out[i].Counts += " and " + out[i].Key2
		}
	}
	return out
}

// Figures is the report.Source of the indicators and the targets: the
// ten entered indicators measured for the report's year, and the targets
// of the year after the report's (a work report reviews its year and
// sets the next one's targets), with their progress in Note.
type Figures struct{ Service *Service }

var _ report.Source = Figures{}

// Figures lists the entered indicators and the targets.
func (f Figures) Figures() []report.Figure {
	var out []report.Figure
	for _, e := range enteredFigures() {
		key := e.Key
		e.Records = func(year int) string { return fmt.Sprintf("/indicators/%s?year=%d", key, year) }
		out = append(out, e)
	}
	for _, t := range ReportTargets() {
		fig := t.Figure
		fig.Records = func(year int) string { return fmt.Sprintf("/targets?year=%d", year+1) }
		out = append(out, fig)
	}
	return out
}

// Measure measures an indicator for the year, or the target of the year
// after.
func (f Figures) Measure(ctx context.Context, a org.Actor, key string, year int) (report.Measurement, error) {
	if strings.HasPrefix(key, "target.") {
		return f.measureTarget(ctx, a, key, year+1)
	}
	y, err := f.Service.YearOf(ctx, a, key, year)
	if jiedao.ErrorCode(err) == jiedao.EINVALID {
		return report.Measurement{}, nil // not in the catalogue
	}
	if err != nil || !y.OK {
		return report.Measurement{}, err
	}
	m := report.Measurement{Value: y.Value, OK: true, Records: len(y.Periods), By: y.By}
	var notes []string
	if y.YoY != nil && y.YoYGiven {
		notes = append(notes, fmt.Sprintf("同比%+.1f%%（统计局口径）/ %+.1f%% year on year (as given)", *y.YoY, *y.YoY))
	}
	if y.Rank != nil {
		notes = append(notes, fmt.Sprintf("全区排名第%d / rank %d in the district", *y.Rank, *y.Rank))
	}
	m.Note = strings.Join(notes, "；")
	return m, nil
}

// measureTarget finds the subdistrict's target of the code for the year
// and gives its value, with its progress in Note.
func (f Figures) measureTarget(ctx context.Context, a org.Actor, code string, year int) (report.Measurement, error) {
	ts, err := f.Service.Store.ListTargets(ctx, year)
	if err != nil {
		return report.Measurement{}, err
	}
	// The subdistrict targets of the code the actor sees: a subdistrict's
	// own; for the district, every subdistrict's, summed.
	var mine []*Target
	for _, t := range ts {
		if t.Code == code && t.Level == Subdistrict && Visible(a, t) {
			mine = append(mine, t)
		}
	}
	switch len(mine) {
	case 0:
		return report.Measurement{}, nil
	case 1:
		t := mine[0]
		p, err := f.Service.Progress(ctx, a, t)
		if err != nil {
			return report.Measurement{}, err
		}
		return report.Measurement{Value: t.Value, OK: true, Records: 1, By: t.Owner, Note: p.Summary()}, nil
	}
	var sum float64
	for _, t := range mine {
		sum += t.Value
	}
	return report.Measurement{Value: sum, OK: true, Records: len(mine),
		Note: fmt.Sprintf("%d个街道目标之和 / the sum of %d subdistricts' targets", len(mine), len(mine))}, nil
}

// Summary says a target's progress in a sentence, Chinese then English.
func (p Progress) Summary() string {
	t := p.Target
	if p.Live == nil {
		return fmt.Sprintf("%d年目标%s %s%s；状态：%s / status: %s (no figure yet)", t.Year, t.Comparison.Zh(), num(t.Value), t.Unit, NoFigure.Zh(), NoFigure)
	}
	s := fmt.Sprintf("%d年目标%s %s%s；当前 %s", t.Year, t.Comparison.Zh(), num(t.Value), t.Unit, num(*p.Live))
	if p.Live2 != nil {
		s += "、" + num(*p.Live2)
	}
	if p.Change != nil {
		s += fmt.Sprintf("（同比 %+.2f%%）", *p.Change)
	}
	if p.Projection != nil {
		s += "；年末预计 " + num(*p.Projection) + "（" + p.Method + "）"
	}
	return s + "；状态：" + p.Status.Zh() + " / status: " + string(p.Status)
}

// num prints a number without needless decimals.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
