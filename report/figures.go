// Package report computes the figures a subdistrict reports each year from
// its own records. Every figure is defined once, in Figures: what it
// counts and over which cases, as a casework.Filter; the annual report,
// the dashboards and the drill-down to the cases behind a figure all use
// that one definition.
package report

import "github.com/jiedao/jiedao/casework"

// Figure is one reported number. A count is the number of cases matching
// Cases; a rate is the share, in percent, of the cases matching Of that
// also match Cases. Both count cases reported in the period (by the report
// time, China Standard Time).
type Figure struct {
	Key     string // the key column of shared/seed/figures.tsv: a contract
	Zh      string
	En      string
	Unit    string
	Counts  string // what is counted, in words, for the reader of the report
	Cases   casework.Filter
	Of      *casework.Filter // for a rate: the cases it is a share of
	Pattern string           // the sentence of the work report, %s the value
}

// IsRate reports whether the figure is a percentage.
func (f Figure) IsRate() bool { return f.Of != nil }

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
			Cases:  casework.Filter{Channel: casework.ChannelXihuCode, Signed: true}, Pattern: "全年累计流转签收西湖码%s件"},
		{Key: "cases.xihu_code.satisfaction", Zh: "西湖码评价满意率", En: "Xihu-code satisfaction", Unit: "%",
			Counts: "已评价的西湖码案件中，最终评价为满意或基本满意的比例 / of rated Xihu-code cases, the share whose last rating is satisfied or basically satisfied",
			Cases:  satisfied, Of: &rated, Pattern: "评价满意率%s%%"},
		{Key: "cases.pingan.handled", Zh: "处置平安通", En: "Ping'an Tong reports handled", Unit: "件",
			Counts: "平安通渠道上报、承办单位至少反馈办结一次的案件 / Ping'an Tong cases reported handled at least once",
			Cases:  casework.Filter{Channel: casework.ChannelPingan, Handled: true}, Pattern: "处置平安通%s件"},
		{Key: "cases.grid.handled", Zh: "网格通", En: "Grid Tong patrol reports handled", Unit: "件",
			Counts: "网格员巡查上报（网格通）、至少反馈办结一次的案件 / grid workers' patrol reports handled at least once",
			Cases:  casework.Filter{Channel: casework.ChannelGrid, Handled: true}, Pattern: "网格通%s件"},
		{Key: "cases.iot.dispatched", Zh: "智慧三件套告警出警", En: "Sensor alarms responded to", Unit: "件",
			Counts: "智慧三件套告警中派遣了处置力量（至少派遣一次）的案件 / sensor alarms to which a responder was dispatched",
			Cases:  casework.Filter{Channel: casework.ChannelIoT, Dispatched: true}, Pattern: "智慧三件套告警出警%s件"},
		{Key: "cases.police_linkage.handled", Zh: "联动处置非警务类事件", En: "Non-police events handled with the police", Unit: "件",
			Counts: "警网协同渠道移交的非警务类事件中至少反馈办结一次的案件 / non-police events passed on by the police and handled",
			Cases:  casework.Filter{Channel: casework.ChannelPolice, Handled: true}, Pattern: "联动处置非警务类事件%s件"},
	}
}

// Lookup returns the figure of a key.
func Lookup(key string) (Figure, bool) {
	for _, f := range Figures() {
		if f.Key == key {
			return f, true
		}
	}
	return Figure{}, false
}
