package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/dispute"
	"github.com/jiedao/jiedao/duty"
	"github.com/jiedao/jiedao/enforcement"
)

// The kinds' nested fields render as labelled Chinese fields, one line an
// item, with no JSON and no identity digest left.
func TestKindFieldsLabelled(t *testing.T) {
	at := time.Date(2023, 9, 28, 2, 30, 0, 0, time.UTC) // 10:30 China time
	yes := true
	for _, c := range []struct {
		name string
		data any
		want map[string][]string // field → lines (or the value)
	}{
		{"dispute", dispute.Data{Type: "neighbour", Amount: 52000, Level: "grid",
			Parties:  []dispute.Party{{Name: "张*", Person: "0123456789abcdef"}, {Name: "杭州某物业公司", Org: true}},
			Sessions: []dispute.Session{{At: at, Mediator: "陈调解", Note: "首次调解"}},
			Outcome:  "agreement", Agreement: &dispute.Agreement{Written: true, SignedParties: true, Sealed: true, Performed: &yes}},
			map[string][]string{
				"parties":   {"姓名/名称：张*", "姓名/名称：杭州某物业公司；单位：是"},
				"sessions":  {"时间：2023-09-28 10:30；调解员：陈调解；情况：首次调解"},
				"type":      {"邻里"},
				"outcome":   {"达成协议"},
				"agreement": {"已履行：是；已盖章：是；当事人已签名：是；书面协议：是"},
			}},
		{"enforcement", enforcement.Data{Subtype: "penalty", Party: "王*", Violation: "店外经营", Fine: 500,
			Documents: []enforcement.Document{{Type: "立案审批表", Number: "古综执立〔2023〕1号", At: at}},
			Services:  []enforcement.Service{{Document: "处罚决定书", At: at, Method: "direct", Recipient: "王*"}}},
			map[string][]string{
				"documents": {"时间：2023-09-28 10:30；文号：古综执立〔2023〕1号；类型：立案审批表"},
				"services":  {"时间：2023-09-28 10:30；文书：处罚决定书；送达方式：直接送达；受送达人：王*"},
				"subtype":   {"行政处罚"},
			}},
		{"duty", duty.Data{Type: "fire_alarm", Serious: true, CalledAt: at, DispatchedAt: &at,
			Reports: []duty.Report{{Stage: "initial", At: at}, {Stage: "final", At: at}}},
			map[string][]string{
				"called_at":     {"2023-09-28 10:30"},
				"dispatched_at": {"2023-09-28 10:30"},
				"reports":       {"时间：2023-09-28 10:30；阶段：初报", "时间：2023-09-28 10:30；阶段：终报"},
				"type":          {"火警告警"},
				"serious":       {"是"},
			}},
	} {
		b, _ := json.Marshal(c.data)
		fields := kindFields(b)
		got := map[string][]string{}
		for _, f := range fields {
			if f.Items != nil {
				got[f.Key] = f.Items
			} else {
				got[f.Key] = []string{f.V}
			}
			for _, s := range append([]string{f.V}, f.Items...) {
				if strings.ContainsAny(s, "{}\"") || strings.Contains(s, "0123456789abcdef") {
					t.Errorf("%s.%s shows raw JSON or a digest: %q", c.name, f.Key, s)
				}
			}
			if f.K == f.Key {
				t.Errorf("%s.%s has no Chinese label", c.name, f.Key)
			}
		}
		for k, want := range c.want {
			if strings.Join(got[k], "\n") != strings.Join(want, "\n") {
				t.Errorf("%s.%s:\n got %q\nwant %q", c.name, k, got[k], want)
			}
		}
	}
}
