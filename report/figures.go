// Package report computes the figures a subdistrict reports each year from
// its own records. Every figure is defined once: the case figures here, in
// Figures, as a casework.Filter; the figures of the other domains
// (enterprises and buildings, ledgers, indicators, the legal case kinds) by
// the domain that keeps their records, as a Source. The annual report, the
// dashboards and the drill-down to the records behind a figure all use that
// one definition.
package report

import (
	"context"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Figure is one reported number. A case figure counts cases: a count is
// the number of cases matching Cases; a rate is the share, in percent, of
// the cases matching Of that also match Cases; both count cases reported in
// the period (by the report time, China Standard Time). Any other figure
// is measured by the Source that defines it, which says in Counts what it
// counts and gives in Records the list of the records behind it.
type Figure struct {
	Key     string // the key column of shared/seed/figures.tsv: a contract
	Zh      string
	En      string
	Unit    string
	Counts  string           // what is counted, in words, for the reader of the report
	Cases   casework.Filter  // a case figure's cases
	Of      *casework.Filter // for a case rate: the cases it is a share of
	Pattern string           // the sentence of the work report, %s the value
	// Section is the part of the work report the figure belongs to:
	// SectionSafety, SectionEconomy, SectionLivelihood or SectionParty.
	Section string
	// Kind is KindDerived (computed from records; the default), KindEntered
	// (an indicator typed or imported by a person) or KindTarget.
	Kind string
	// Percent marks a figure of another Source that is a percentage (a
	// rate or a change), printed with two decimals.
	Percent bool
	// Records returns the address of the page listing the records behind
	// the figure in the year, with the figure's own filters in its query;
	// nil for a case figure, whose list is /cases with its filter.
	Records func(year int) string `json:"-"`
}

// The sections of the work report, in its order.
const (
	SectionSafety     = "平安"
	SectionEconomy    = "经济"
	SectionLivelihood = "民生"
	SectionParty      = "党建"
)

// The kinds of figure, as the kind column of shared/seed/figures.tsv.
const (
	KindDerived = "derived"
	KindEntered = "entered"
	KindTarget  = "target"
)

// IsRate reports whether the figure is a percentage.
func (f Figure) IsRate() bool { return f.Of != nil || f.Percent }

// IsCase reports whether the figure counts cases (and is computed here,
// from its filter) rather than by another Source.
func (f Figure) IsCase() bool { return f.Records == nil }

// Source is a domain that reports figures from its own records: the
// enterprise registry, the ledgers, the indicators and targets, the legal
// case kinds. cmd/jiedao wires the sources into Compute; the report, the
// dashboards and the drill-down see their figures as they see the case
// figures.
type Source interface {
	// Figures are the source's figures, each defined once, with Records set.
	Figures() []Figure
	// Measure returns the value of one of its figures for a calendar year
	// (China Standard Time) as the actor sees it.
	Measure(ctx context.Context, a org.Actor, key string, year int) (Measurement, error)
}

// Measurement is a Source's value of a figure for a year.
type Measurement struct {
	Value float64
	// OK is false when there is nothing to measure: a rate with nothing to
	// count, an indicator not entered for the year.
	OK bool
	// Records is how many records the figure's drill-down lists (for a
	// sum, the records summed; for a rate, those of its numerator).
	Records int
	// By says who entered an entered figure, and when ("张三 2024-01-15").
	By string
	// Note qualifies the value in words: a target's progress, projection
	// and status (Chinese, then English).
	Note string
}

// Figures are the case figures of the work report.
func Figures() []Figure {
	xihu := casework.Filter{Channel: casework.ChannelXihuCode}
	rated := xihu
	rated.Rated = true
	satisfied := xihu
	satisfied.Ratings = []casework.Rating{casework.RatingSatisfied, casework.RatingBasic}
	return []Figure{
		{Key: "cases.xihu_code.signed", Zh: "流转签收西湖码", En: "Xihu-code reports signed for", Unit: "件",
			Counts: "西湖码渠道上报、至少被承办单位签收过一次的案件 / Xihu-code cases signed for by a unit at least once",
			Cases:  casework.Filter{Channel: casework.ChannelXihuCode, Signed: true}, Section: SectionSafety, Pattern: "全年累计流转签收西湖码%s件"},
		{Key: "cases.xihu_code.satisfaction", Zh: "西湖码评价满意率", En: "Xihu-code satisfaction", Unit: "%",
			Counts: "已评价的西湖码案件中，最终评价为满意或基本满意的比例 / of rated Xihu-code cases, the share whose last rating is satisfied or basically satisfied",
			Cases:  satisfied, Of: &rated, Section: SectionSafety, Pattern: "评价满意率%s%%"},
		{Key: "cases.pingan.handled", Zh: "处置平安通", En: "Ping'an Tong reports handled", Unit: "件",
			Counts: "平安通渠道上报、承办单位至少反馈办结一次的案件 / Ping'an Tong cases reported handled at least once",
			Cases:  casework.Filter{Channel: casework.ChannelPingan, Handled: true}, Section: SectionSafety, Pattern: "处置平安通%s件"},
		{Key: "cases.grid.handled", Zh: "网格通", En: "Grid Tong patrol reports handled", Unit: "件",
			Counts: "网格员巡查上报（网格通）、至少反馈办结一次的案件 / grid workers' patrol reports handled at least once",
			Cases:  casework.Filter{Channel: casework.ChannelGrid, Handled: true}, Section: SectionSafety, Pattern: "网格通%s件"},
		{Key: "cases.iot.dispatched", Zh: "智慧三件套告警出警", En: "Sensor alarms responded to", Unit: "件",
			Counts: "智慧三件套告警中派遣了处置力量（至少派遣一次）的案件 / sensor alarms to which a responder was dispatched",
			Cases:  casework.Filter{Channel: casework.ChannelIoT, Dispatched: true}, Section: SectionSafety, Pattern: "智慧三件套告警出警%s件"},
		{Key: "cases.police_linkage.handled", Zh: "联动处置非警务类事件", En: "Non-police events handled with the police", Unit: "件",
			Counts: "警网协同渠道移交的非警务类事件中至少反馈办结一次的案件 / non-police events passed on by the police and handled",
			Cases:  casework.Filter{Channel: casework.ChannelPolice, Handled: true}, Section: SectionSafety, Pattern: "联动处置非警务类事件%s件"},
	}
}

// AllFigures are the case figures and those of the sources, in order.
func AllFigures(sources ...Source) []Figure {
	out := Figures()
	for _, s := range sources {
		out = append(out, s.Figures()...)
	}
	return out
}

// Lookup returns the figure of a key among the case figures and those of
// the sources.
func Lookup(key string, sources ...Source) (Figure, bool) {
	for _, f := range AllFigures(sources...) {
		if f.Key == key {
			return f, true
		}
	}
	return Figure{}, false
}
