package ledger

import (
	"context"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// The codes of the ledger types jiedao ships: those the work report's
// figures are counted from.
const (
	TypeCanteen      = "elderly_canteen"    // 老年食堂服务
	TypeMealDelivery = "meal_delivery"      // 配送餐服务
	TypeMealSubsidy  = "meal_subsidy"       // 助餐补贴发放
	TypeHomeBed      = "home_care_bed"      // 家庭养老床位
	TypeGuardian     = "guardian_device"    // 安居守护智能检测设备
	TypeTraining     = "safety_training"    // 应急安全教育培训
	TypeComplexEvent = "complex_event"      // 民生综合体服务活动
	TypeVolunteer    = "volunteer"          // 志愿者
	TypeVolActivity  = "volunteer_activity" // 志愿活动
	TypeApproval     = "internal_approval"  // 内控审批单据
	TypeRisk         = "integrity_risk"     // 廉政风险点
	TypeInspection   = "inspection"         // 监督检查
)

// Complexes are the five 民生综合体 the demo's events take place in.
var Complexes = []string{"古荡民生综合体", "文新民生综合体", "嘉绿民生综合体", "益乐民生综合体", "华星民生综合体"}

// Builtin returns the ledger types jiedao ships, new (no ids).
func Builtin() []*Type {
	elder := Field{Key: "elder", Name: "老人", NameEn: "elder", Type: Person, Required: true}
	return []*Type{
		{Code: TypeCanteen, Name: "老年食堂服务", NameEn: "Elderly canteen service", Fields: []Field{
			elder,
			{Key: "canteen", Name: "食堂", NameEn: "canteen", Type: Place, Required: true},
			{Key: "meals", Name: "用餐次数", NameEn: "meals", Type: Number, Measure: true},
		}},
		{Code: TypeMealDelivery, Name: "配送餐服务", NameEn: "Meal deliveries", Fields: []Field{
			elder,
			{Key: "group", Name: "对象类别", NameEn: "group", Type: Choice, Choices: []string{"孤寡", "独居", "高龄"}},
			{Key: "meals", Name: "份数", NameEn: "portions", Type: Number, Measure: true},
		}},
		{Code: TypeMealSubsidy, Name: "助餐补贴发放", NameEn: "Meal subsidies paid", Fields: []Field{
			{Key: "canteen", Name: "食堂", NameEn: "canteen", Type: Place, Required: true},
			{Key: "amount", Name: "补贴金额（元）", NameEn: "amount (yuan)", Type: Money, Measure: true, Required: true},
			{Key: "elders", Name: "受益人次", NameEn: "beneficiaries", Type: Number, Measure: true},
		}},
		{Code: TypeHomeBed, Name: "家庭养老床位", NameEn: "Home care beds", Fields: []Field{
			elder,
			{Key: "address", Name: "住址", NameEn: "address", Type: Place, Required: true},
			{Key: "provider", Name: "服务机构", NameEn: "provider", Type: Enterprise},
		}},
		{Code: TypeGuardian, Name: "安居守护智能检测设备", NameEn: "Guardian devices", Fields: []Field{
			{Key: "household", Name: "户", NameEn: "household", Type: Place, Required: true},
			elder,
			{Key: "device", Name: "设备编号", NameEn: "device", Type: Device, Required: true},
		}},
		{Code: TypeTraining, Name: "应急安全教育培训", NameEn: "Safety trainings and visits", Fields: []Field{
			{Key: "topic", Name: "主题", NameEn: "topic", Type: Text, Required: true},
			{Key: "kind", Name: "形式", NameEn: "kind", Type: Choice, Choices: []string{"培训", "参观体验", "演练"}},
			{Key: "visitors", Name: "参观体验人数", NameEn: "participants", Type: Number, Measure: true, Required: true},
		}},
		{Code: TypeComplexEvent, Name: "民生综合体服务活动", NameEn: "Community-complex events", Fields: []Field{
			{Key: "complex", Name: "综合体", NameEn: "complex", Type: Choice, Choices: Complexes, Required: true},
			{Key: "title", Name: "活动名称", NameEn: "title", Type: Text, Required: true},
			{Key: "people", Name: "服务人次", NameEn: "people served", Type: Number, Measure: true, Required: true},
		}},
		{Code: TypeVolunteer, Name: "志愿者", NameEn: "Volunteers", Fields: []Field{
			{Key: "volunteer", Name: "志愿者", NameEn: "volunteer", Type: Person, Required: true},
			{Key: "team", Name: "队伍", NameEn: "team", Type: Text},
			{Key: "program", Name: "项目", NameEn: "programme", Type: Choice, Choices: []string{"亚运城市志愿者", "社区志愿者"}},
		}},
		{Code: TypeVolActivity, Name: "志愿活动", NameEn: "Volunteer activities", Fields: []Field{
			{Key: "title", Name: "活动名称", NameEn: "title", Type: Text, Required: true},
			{Key: "team", Name: "队伍", NameEn: "team", Type: Text},
			{Key: "participants", Name: "参与人次", NameEn: "participants", Type: Number, Measure: true},
		}},
		{Code: TypeApproval, Name: "内控审批单据", NameEn: "Internal approvals", Fields: []Field{
			{Key: "form_no", Name: "单据号", NameEn: "form number", Type: Text, Required: true},
			{Key: "subject", Name: "事项", NameEn: "subject", Type: Text, Required: true},
			{Key: "kind", Name: "类别", NameEn: "kind", Type: Choice, Choices: []string{"采购", "小额工程", "报销", "其他"}},
			{Key: "amount", Name: "金额（元）", NameEn: "amount (yuan)", Type: Money, Measure: true, Required: true},
		}},
		{Code: TypeRisk, Name: "廉政风险点", NameEn: "Integrity risks", Fields: []Field{
			{Key: "post", Name: "岗位", NameEn: "post", Type: Text, Required: true},
			{Key: "risk", Name: "风险点", NameEn: "risk", Type: Text, Required: true},
			{Key: "level", Name: "等级", NameEn: "level", Type: Choice, Choices: []string{"高", "中", "低"}},
			{Key: "control", Name: "防控措施", NameEn: "control", Type: Text},
		}},
		{Code: TypeInspection, Name: "监督检查", NameEn: "Inspections", Fields: []Field{
			{Key: "subject", Name: "检查对象", NameEn: "subject", Type: Text, Required: true},
			{Key: "problems", Name: "发现问题数", NameEn: "problems found", Type: Number, Measure: true, Required: true},
		}},
	}
}

// EnsureBuiltin creates the shipped types that do not exist yet; types an
// admin has since changed are left as they are.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	for _, t := range Builtin() {
		if _, err := s.Store.GetType(ctx, t.Code); err == nil {
			continue
		} else if jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			return err
		}
		if err := s.CreateType(ctx, org.SystemActor(), t); err != nil && jiedao.ErrorCode(err) != jiedao.ECONFLICT {
			return err
		}
	}
	return nil
}
