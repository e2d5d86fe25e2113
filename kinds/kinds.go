// Package kinds gathers the case kinds with legal clocks (dispute,
// petition, enforcement, duty) for wiring into casework.Service, and
// reports their figures to the annual report as one report.Source.
package kinds

import (
	"context"
	"fmt"
	"math"
	"net/url"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/dispute"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enforcement"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/petition"
	"github.com/jiedao/jiedao/report"
)

// Models are the kinds' packages; petitionKey keys the digest of a
// petitioner's identity.
func Models(petitionKey []byte) map[casework.Kind]casework.KindModel {
	return map[casework.Kind]casework.KindModel{
		casework.KindDispute:     dispute.Model{Key: petitionKey},
		casework.KindPetition:    petition.Model{Key: petitionKey},
		casework.KindEnforcement: enforcement.Model{DocPrefix: "古综执"},
		casework.KindDuty:        duty.Model{},
	}
}

// Counter is what the figures need of the case service.
type Counter interface {
	Count(ctx context.Context, a org.Actor, f casework.Filter) (int, error)
	SumKindAmount(ctx context.Context, a org.Actor, f casework.Filter) (float64, int, error)
}

// Source reports the kinds' figures.
type Source struct{ Cases Counter }

var _ report.Source = Source{}

// figure is one definition: the filter of the year's records, and how
// the value is made of them.
type figure struct {
	report.Figure
	filter func(year int) casework.Filter
	sum    bool // add up the amounts instead of counting
	yoy    bool // the change in percent on the year before
	// noteYoY counts, and says the change on the year before in the
	// measurement's note (a figure a target's change is set on).
	noteYoY bool
}

func tag(k string, year int) string { return fmt.Sprintf("%s:%d", k, year) }

// reported restricts a filter to the cases reported in the year.
func reported(f casework.Filter, year int) casework.Filter {
	f.From, f.To = report.Period(year)
	return f
}

func defs() []figure {
	safety := report.SectionSafety
	return []figure{
		{Figure: report.Figure{Key: "disputes.mediated", Zh: "受理并调处矛盾纠纷", En: "Disputes mediated", Unit: "件", Section: safety,
			Counts:  "当年登记调解结果（达成协议、调解不成或引导诉讼仲裁）的矛盾纠纷案件 / dispute cases whose mediation result was recorded in the year",
			Pattern: "累计受理并调处矛盾纠纷%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindDispute, KindTags: []string{tag("mediated", y)}}
			}},
		{Figure: report.Figure{Key: "disputes.amount", Zh: "调解标的", En: "Amount in dispute mediated", Unit: "元", Section: safety,
			Counts:  "当年调处的矛盾纠纷的标的金额之和 / sum of the amounts in dispute of the disputes mediated in the year",
			Pattern: "涉及调解标的%s元"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindDispute, KindTags: []string{tag("mediated", y)}}
			}, sum: true},
		{Figure: report.Figure{Key: "enforcement.filed", Zh: "街道立案", En: "Enforcement cases filed", Unit: "件", Section: safety,
			Counts:  "当年立案的行政处罚案件 / administrative penalty cases filed (立案) in the year",
			Pattern: "全年由街道立案%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindEnforcement, KindTags: []string{"sub:penalty", tag("filed", y)}}
			}},
		{Figure: report.Figure{Key: "enforcement.closed", Zh: "结案", En: "Enforcement cases closed", Unit: "件", Section: safety,
			Counts:  "当年立案且已结案的行政处罚案件 / penalty cases filed in the year and closed",
			Pattern: "结案%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindEnforcement, KindTags: []string{"sub:penalty", tag("filed", y)}, Statuses: []casework.Status{casework.StatusClosed}}
			}},
		{Figure: report.Figure{Key: "enforcement.delegated_inspections", Zh: "赋权检查认领", En: "Delegated inspections claimed", Unit: "件", Section: safety,
			Counts:  "当年认领的赋权检查事项 / delegated inspections (赋权检查) claimed in the year",
			Pattern: "完成赋权检查认领%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindEnforcement, KindTags: []string{"sub:inspection", tag("claimed", y)}}
			}},
		{Figure: report.Figure{Key: "bikes.handled", Zh: "处置共享单车", En: "Shared bikes cleared", Unit: "辆", Section: safety,
			Counts:  "当年登记的共享单车清理记录的车辆数之和（按运营企业） / bikes cleared, summed over the year's clearance records (by operator)",
			Pattern: "全年处置共享单车%s辆"},
			filter: func(y int) casework.Filter {
				return reported(casework.Filter{Kind: casework.KindEnforcement, KindTags: []string{"sub:bikes"}}, y)
			}, sum: true},
		{Figure: report.Figure{Key: "emergency.fire_alarm", Zh: "出警火警告警", En: "Fire-alarm call-outs", Unit: "起", Section: safety,
			Counts:  "值班室当年接警的火警告警出警 / fire-alarm call-outs of the duty desk in the year",
			Pattern: "已参与出警火警告警%s起"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindDuty, KindTags: []string{"type:fire_alarm", tag("called", y)}}
			}},
		{Figure: report.Figure{Key: "emergency.rescue", Zh: "抢险救援", En: "Rescues", Unit: "起", Section: safety,
			Counts:  "值班室当年接警的抢险救援出警 / rescue call-outs of the duty desk in the year",
			Pattern: "抢险救援%s起"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindDuty, KindTags: []string{"type:rescue", tag("called", y)}}
			}},
		{Figure: report.Figure{Key: "emergency.social_aid", Zh: "社会救助", En: "Social-aid call-outs", Unit: "起", Section: safety,
			Counts:  "值班室当年接警的社会救助出警 / social-aid call-outs of the duty desk in the year",
			Pattern: "社会救助%s起"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindDuty, KindTags: []string{"type:social_aid", tag("called", y)}}
			}},
		{Figure: report.Figure{Key: "petitions.national_backlog_cleared", Zh: "国家级信访积案清零", En: "National-level backlog petitions cleared", Unit: "件", Section: safety,
			Counts:  "当年化解的国家级信访积案 / national-level backlog petitions (积案) cleared in the year",
			Pattern: "清零国家级信访积案%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindPetition, KindTags: []string{"backlog", "level:national", tag("cleared", y)}}
			}},
		{Figure: report.Figure{Key: "petitions.provincial_backlog_cleared", Zh: "省级信访积案清零", En: "Provincial-level backlog petitions cleared", Unit: "件", Section: safety,
			Counts:  "当年化解的省级信访积案 / provincial-level backlog petitions cleared in the year",
			Pattern: "省级信访积案%s件"},
			filter: func(y int) casework.Filter {
				return casework.Filter{Kind: casework.KindPetition, KindTags: []string{"backlog", "level:provincial", tag("cleared", y)}}
			}},
		{Figure: report.Figure{Key: "petitions.yoy_change", Zh: "信访件同比", En: "Petitions, change on the year before", Unit: "%", Section: safety, Percent: true,
			Counts:  "当年收到的信访件数较上年的变化（%）；下钻列出当年的信访件 / petitions received in the year against the year before, in percent; the drill-down lists the year's petitions",
			Pattern: "信访件同比%s%%"},
			filter: func(y int) casework.Filter {
				return reported(casework.Filter{Kind: casework.KindPetition}, y)
			}, yoy: true},
		// The 2024 plan's 涉法涉诉 target (figures.tsv target.petitions.
		// litigation_yoy, −10 %) is measured on this figure by package
		// indicator's change_by comparison.
		{Figure: report.Figure{Key: "petitions.litigation", Zh: "涉法涉诉信访量", En: "Litigation-related petitions", Unit: "件", Section: safety,
			Counts:  "当年收到、经访诉分离导入法律程序（涉法涉诉）的信访件；附注为同比变化 / petitions received in the year and routed to the legal channel (涉法涉诉); the note gives the change on the year before",
			Pattern: "涉法涉诉信访%s件"},
			filter: func(y int) casework.Filter {
				return reported(casework.Filter{Kind: casework.KindPetition, KindTags: []string{"litigation"}}, y)
			}, noteYoY: true},
	}
}

// Figures are the kinds' figures, each with its drill-down.
func (Source) Figures() []report.Figure {
	var out []report.Figure
	for _, d := range defs() {
		f := d.Figure
		filter := d.filter
		f.Records = func(year int) string { return "/cases?" + query(filter(year)).Encode() }
		out = append(out, f)
	}
	return out
}

// query is the list's query of a filter (the parameters api.ParseFilter
// reads), without importing the HTTP layer.
func query(f casework.Filter) url.Values {
	q := url.Values{}
	q.Set("kind", string(f.Kind))
	for _, t := range f.KindTags {
		q.Add("tag", t)
	}
	for _, s := range f.Statuses {
		q.Add("status", string(s))
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.Format("2006-01-02"))
		q.Set("to", f.To.Format("2006-01-02"))
	}
	return q
}

// Measure computes one figure for a year as the actor sees it.
func (s Source) Measure(ctx context.Context, a org.Actor, key string, year int) (report.Measurement, error) {
	for _, d := range defs() {
		if d.Key != key {
			continue
		}
		f := d.filter(year)
		switch {
		case d.sum:
			v, n, err := s.Cases.SumKindAmount(ctx, a, f)
			return report.Measurement{Value: v, OK: true, Records: n}, err
		case d.yoy:
			n, err := s.Cases.Count(ctx, a, f)
			if err != nil {
				return report.Measurement{}, err
			}
			prev, err := s.Cases.Count(ctx, a, d.filter(year-1))
			if err != nil || prev == 0 {
				return report.Measurement{Records: n}, err
			}
			v := math.Round((float64(n)-float64(prev))/float64(prev)*10000) / 100
			return report.Measurement{Value: v, OK: true, Records: n}, nil
		case d.noteYoY:
			n, err := s.Cases.Count(ctx, a, f)
			if err != nil {
				return report.Measurement{}, err
			}
			m := report.Measurement{Value: float64(n), OK: true, Records: n}
			prev, err := s.Cases.Count(ctx, a, d.filter(year-1))
			if err == nil && prev > 0 {
				v := math.Round((float64(n)-float64(prev))/float64(prev)*10000) / 100
				m.Note = fmt.Sprintf("上年%d件，同比%+.2f%% / %d the year before, %+.2f%%", prev, v, prev, v)
			}
			return m, err
		default:
			n, err := s.Cases.Count(ctx, a, f)
			return report.Measurement{Value: float64(n), OK: true, Records: n}, err
		}
	}
	return report.Measurement{}, jiedao.NotFound("指标", "figure")
}
