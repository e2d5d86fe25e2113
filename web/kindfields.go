package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao/calendar"
)

// The case page shows a kind's fields as labelled Chinese fields: nested
// ones (a dispute's parties and sessions, an enforcement case's documents
// and 送达 records, a call-out's reports …) one line an item, each of its
// fields labelled; codes in Chinese; times in China time; a digest of an
// identity never.

// kindNestedZh names the fields of the kinds' nested records.
var kindNestedZh = map[string]string{
	"name": "姓名/名称", "org": "单位", "at": "时间", "mediator": "调解员", "note": "情况", "written": "书面协议",
	"signed_parties": "当事人已签名", "signed_mediator": "调解员已签名", "sealed": "已盖章", "effective_at": "生效时间",
	"performed": "已履行", "follow_ups": "回访次数", "confirm_applied_at": "申请司法确认", "opinion": "意见", "stage": "阶段",
	"number": "文号", "document": "文书", "method": "送达方式", "recipient": "受送达人", "type": "类型",
}

// kindValueZh names the kinds' codes.
var kindValueZh = map[string]string{
	"family": "家庭", "neighbour": "邻里", "labour": "劳动", "property_management": "物业管理", "consumer": "消费", "traffic": "交通",
	"contract": "合同", "other": "其他", "grid": "网格调解", "center": "中心调解", "agreement": "达成协议", "failed": "调解不成",
	"court": "引导诉讼", "arbitration": "引导仲裁", "national": "国家级", "provincial": "省级", "city": "市级", "district": "区级",
	"visit": "走访", "letter": "来信", "online": "网上信访", "phone": "电话", "hotline": "12345热线", "support": "支持",
	"explain": "解释说明", "reject": "不支持", "review": "复查", "recheck": "复核", "penalty": "行政处罚", "inspection": "赋权检查",
	"bikes": "共享单车清理", "hellobike": "哈啰", "meituan": "美团", "qingju": "青桔", "fire_alarm": "火警告警", "rescue": "抢险救援",
	"social_aid": "社会救助", "flood": "防汛", "followup": "续报", "final": "终报", "direct": "直接送达", "post": "邮寄送达",
	"left": "留置送达", "notice": "公告送达", "electronic": "电子送达",
}

// kindUnits are the units of the kinds' amounts.
var kindUnits = map[string]string{"amount": " 元", "fine": " 元", "proposed_fine": " 元", "late_fee": " 元", "bikes": " 辆"}

// kindStageZh: "initial" is 办理 for a petition, 初报 for a call-out's report.
var kindStageZh = map[string]string{"initial": "初报"}

// hidden fields: a digest of an identity says nothing to a reader.
func kindHidden(k string) bool { return k == "person" || k == "id" }

// kindFields renders the kind's JSON as labelled fields, in key order.
func kindFields(data json.RawMessage) []kindKV {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []kindKV
	for _, k := range keys {
		if kindHidden(k) {
			continue
		}
		label := k
		if zh, ok := kindFieldZh[k]; ok {
			label = zh
		}
		kv := kindKV{K: label, Key: k}
		switch v := m[k].(type) {
		case []any:
			for _, item := range v {
				kv.Items = append(kv.Items, kindValue(k, item, false))
			}
			if len(kv.Items) == 0 {
				kv.V = "—"
			}
		default:
			kv.V = kindValue(k, v, k == "stage" && m["reports"] == nil)
		}
		out = append(out, kv)
	}
	return out
}

// kindValue shows one value: a record as its labelled fields, a code in
// Chinese, a time in China time, a flag as 是/否.
func kindValue(key string, v any, petitionStage bool) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64) + kindUnits[key]
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.In(calendar.Zone()).Format("2006-01-02 15:04")
		}
		if key == "stage" || key == "" {
			if petitionStage && x == "initial" {
				return "办理"
			}
			if zh, ok := kindStageZh[x]; ok {
				return zh
			}
		}
		if zh, ok := kindValueZh[x]; ok {
			return zh
		}
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if !kindHidden(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		// The time first: a session, a document, a report is read by when.
		if i := slices.Index(keys, "at"); i > 0 {
			keys = append([]string{"at"}, slices.Delete(keys, i, i+1)...)
		}
		var parts []string
		for _, k := range keys {
			label := kindNestedZh[k]
			if label == "" {
				label = kindFieldZh[k]
			}
			if label == "" {
				label = k
			}
			parts = append(parts, label+"："+kindValue(k, x[k], false))
		}
		return strings.Join(parts, "；")
	case []any:
		var parts []string
		for _, item := range x {
			parts = append(parts, kindValue(key, item, false))
		}
		return strings.Join(parts, "、")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
