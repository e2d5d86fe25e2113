package ledger

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// figure is a work-report figure counted from one ledger type.
type figure struct {
	report.Figure
	typ   string
	op    Op
	field string
}

// figures are the work report's figures that ledgers hold, each defined
// once here: its type, how it aggregates (entries, a sum, distinct
// values), its section and the report's own words.
func figures() []figure {
	mk := func(key, zh, en, unit, section, pattern, counts, typ string, op Op, field string) figure {
		return figure{Figure: report.Figure{Key: key, Zh: zh, En: en, Unit: unit, Section: section, Pattern: pattern, Counts: counts, Kind: report.KindDerived},
			typ: typ, op: op, field: field}
	}
	L, P, S := report.SectionLivelihood, report.SectionParty, report.SectionSafety
	return []figure{
		mk("elderly.canteen_served", "老年食堂常态化服务老人", "Elders served by canteens", "位", L, "辖区老年食堂常态化服务老人%s余位",
			"老年食堂服务台账中当年有用餐记录的不同老人数 / distinct elders with a canteen record in the year", TypeCanteen, OpDistinct, "elder"),
		mk("elderly.meal_deliveries", "配送餐服务", "Meal deliveries", "人次", L, "为孤寡独居高龄老人开展配送餐服务%s人次",
			"配送餐服务台账当年的记录数（每条一人次）/ meal-delivery entries in the year, one per delivery", TypeMealDelivery, OpCount, ""),
		mk("elderly.meal_subsidy", "助餐补贴", "Meal subsidies paid", "元", L, "累计发放助餐补贴%s元",
			"助餐补贴发放台账当年补贴金额之和 / sum of subsidy amounts paid in the year", TypeMealSubsidy, OpSum, "amount"),
		mk("elderly.home_beds", "新建家庭养老床位", "New home care beds", "张", L, "新建家庭养老床位%s张",
			"家庭养老床位台账当年新建的床位记录数 / home care beds set up in the year", TypeHomeBed, OpCount, ""),
		mk("elderly.guardian_devices", "安居守护智能检测设备", "Homes with guardian devices", "户", L, "为%s户独居老人配备“安居守护”智能检测设备",
			"安居守护设备台账当年配备设备的不同户数；设备告警作为物联网（iot）渠道案件进入闭环 / distinct households given a guardian device in the year; their alarms arrive as iot cases", TypeGuardian, OpDistinct, "household"),
		mk("emergency.trainings", "应急安全教育培训", "Safety trainings", "场次", S, "已开展应急安全教育培训共%s场次",
			"应急安全教育培训台账当年的场次数 / safety trainings and visits held in the year", TypeTraining, OpCount, ""),
		mk("emergency.trainees", "参观体验人数", "Safety training participants", "人次", S, "参观、体验人数达到%s人次",
			"应急安全教育培训台账当年参观体验人数之和 / sum of participants of those trainings", TypeTraining, OpSum, "visitors"),
		mk("services.complex_events", "民生综合体服务活动", "Community-complex events", "场", L, "全年开展各类大型综合性服务活动%s余场",
			"民生综合体服务活动台账当年的活动场数 / events held at the community complexes in the year", TypeComplexEvent, OpCount, ""),
		mk("services.complex_people", "民生综合体服务群众", "People served at the complexes", "人次", L, "服务群众%s余人次",
			"民生综合体服务活动台账当年服务人次之和 / sum of people served at those events", TypeComplexEvent, OpSum, "people"),
		mk("volunteers.registered", "亚运城市志愿者", "Volunteers registered", "名", L, "招募亚运城市志愿者%s余名",
			"志愿者台账当年登记的不同志愿者数 / distinct volunteers registered in the year", TypeVolunteer, OpDistinct, "volunteer"),
		mk("volunteers.activities", "志愿活动", "Volunteer activities", "场次", L, "开展志愿活动%s余场次",
			"志愿活动台账当年的活动场次数 / volunteer activities held in the year", TypeVolActivity, OpCount, ""),
		mk("approvals.count", "内控数字化审批单据", "Internal approval forms", "条", P, "全年内控数字化审批单据%s条",
			"内控审批单据台账当年的单据数 / internal approval forms in the year", TypeApproval, OpCount, ""),
		mk("approvals.amount", "内控审批合计金额", "Internal approvals' amount", "元", P, "合计%s元",
			"内控审批单据台账当年金额之和 / sum of the amounts of those forms", TypeApproval, OpSum, "amount"),
		mk("integrity.risks", "梳理廉政风险", "Integrity risks listed", "条", P, "梳理廉政风险%s条",
			"廉政风险点台账当年梳理的风险点数 / integrity risk points listed in the year", TypeRisk, OpCount, ""),
		mk("integrity.inspections", "监督检查", "Inspections", "次", P, "开展各类监督检查%s次",
			"监督检查台账当年的检查次数 / inspections made in the year", TypeInspection, OpCount, ""),
		mk("integrity.problems", "发现问题", "Problems found", "个", P, "发现问题%s个",
			"监督检查台账当年发现问题数之和 / sum of problems found by those inspections", TypeInspection, OpSum, "problems"),
	}
}

// Figures is the report.Source of the ledgers' figures.
type Figures struct{ Service *Service }

var _ report.Source = Figures{}

// Records is the drill-down address of a ledger figure: the ledger's list
// for the year, restricted to the entries the figure counted.
func recordsURL(typ, field string) func(year int) string {
	return func(year int) string {
		q := url.Values{"year": {fmt.Sprint(year)}}
		if field != "" {
			q.Set("field", field)
		}
		return "/ledgers/" + typ + "?" + q.Encode()
	}
}

// Figures lists the ledgers' figures.
func (f Figures) Figures() []report.Figure {
	var out []report.Figure
	for _, d := range figures() {
		fig := d.Figure
		field := d.field
		if d.op == OpCount {
			field = ""
		}
		fig.Records = recordsURL(d.typ, field)
		out = append(out, fig)
	}
	return out
}

// Measure aggregates the figure's ledger over the year as the actor sees
// it. A ledger with no entries in the year, or a type that does not
// exist, has nothing to measure.
func (f Figures) Measure(ctx context.Context, a org.Actor, key string, year int) (report.Measurement, error) {
	for _, d := range figures() {
		if d.Key != key {
			continue
		}
		rows, _, err := f.Service.Aggregate(ctx, a, d.typ, YearQuery(Query{Op: d.op, Field: d.field}, year))
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return report.Measurement{}, nil
		}
		if err != nil {
			return report.Measurement{}, err
		}
		if len(rows) == 0 || rows[0].Entries == 0 {
			// Nothing kept for the year: nothing to measure.
			return report.Measurement{}, nil
		}
		return report.Measurement{Value: rows[0].Value, OK: true, Records: rows[0].Entries}, nil
	}
	return report.Measurement{}, jiedao.NotFound("指标 "+key, "figure "+key)
}
