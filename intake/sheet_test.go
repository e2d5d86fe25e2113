package intake

import (
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
)

// TestSignVector checks Sign against a vector computed independently, the
// one docs/intake.md gives:
//
//	printf '%s' '1718067600.{…}' | openssl dgst -sha256 -hmac 'b7f3…0f'
func TestSignVector(t *testing.T) {
	body := `{"alarm_id":"A-1","device_id":"SD-0001","message":"烟雾浓度超标"}`
	got := Sign("b7f3c1d2e4a5968778695a4b3c2d1e0f", 1718067600, []byte(body))
	if want := "sha256=6d60701b1724834793a66d79d7c067f7b73d86a4cc0874512c3aeef919d6215f"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestParseTime(t *testing.T) {
	z := calendar.Zone()
	want := time.Date(2024, 6, 10, 8, 30, 0, 0, z)
	for _, v := range []string{
		"2024-06-10 08:30:00", "2024-06-10 08:30", "2024-6-10 8:30", "2024/06/10 08:30:00", "2024/6/10 8:30",
		"2024.6.10 08:30", "2024年6月10日 08:30", "2024年6月10日8:30:00", "2024年6月10日 8时30分", "20240610083000",
		"2024-06-10T08:30:00", "2024-06-10T08:30:00+08:00", "2024-06-10T00:30:00Z", "45453.354166666664", " 2024-06-10 08:30 ",
	} {
		got, ok := parseTime(v)
		if !ok || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v %v, want %v", v, got, ok, want)
		}
	}
	day := time.Date(2024, 6, 10, 0, 0, 0, 0, z)
	for _, v := range []string{"2024-06-10", "2024/6/10", "2024年6月10日", "20240610", "45453"} {
		if got, ok := parseTime(v); !ok || !got.Equal(day) {
			t.Errorf("parseTime(%q) = %v %v, want %v", v, got, ok, day)
		}
	}
	for _, v := range []string{"", "昨天下午", "2024-13-01", "10/06/2024", "12", "0.5", "2024", "2024-06-10 25:00"} {
		if got, ok := parseTime(v); ok {
			t.Errorf("parseTime(%q) = %v, want no time", v, got)
		}
	}
}

func TestNormalizeHeaderAndMapping(t *testing.T) {
	for in, want := range map[string]string{
		"工单编号": "工单编号", " 工单 编号 ": "工单编号", "*工单编号": "工单编号", "联系电话（必填）": "联系电话", "联系电话(选填)": "联系电话",
		"诉求内容：": "诉求内容", "【问题分类】": "【问题分类】", "经度[WGS84]": "经度", "Lng": "lng", "\uFEFF工单编号": "工单编号", "工单\u3000编号": "工单编号",
	} {
		if got := normalizeHeader(in); got != want {
			t.Errorf("normalizeHeader(%q) = %q, want %q", in, got, want)
		}
	}
	// The standard header wins over an alias; a column serves one field.
	m := hotlineLayout.mapColumns([]string{"编号", "工单编号", "内容", "诉求内容", "标题", "地址", "电话", "手机号码"})
	for f, i := range map[field]int{fExternalID: 1, fDetails: 3, fTitle: 4, fAddress: 5, fPhone: 7} {
		if m.index[f] != i {
			t.Errorf("%s at column %d, want %d (%v)", f, m.index[f], i, m.index)
		}
	}
	if _, ok := m.index[fCategory]; ok {
		t.Error("category found in a header without one")
	}
}

func TestCategoryResolve(t *testing.T) {
	cats := []*casework.Category{
		{Code: "01", Name: "市容环境", Active: true},
		{Code: "0101", ParentCode: "01", Name: "暴露垃圾", Active: true},
		{Code: "0199", ParentCode: "01", Name: "其他", Active: true},
		{Code: "02", Name: "街面秩序", Active: true},
		{Code: "0201", ParentCode: "02", Name: "占道经营", Active: true},
		{Code: "0299", ParentCode: "02", Name: "其他", Active: true},
		{Code: "0202", ParentCode: "02", Name: "停用的", Active: false},
	}
	ix := newCategoryIndex(cats)
	for in, want := range map[string]string{
		"0101": "0101", "暴露垃圾": "0101", " 暴露 垃圾 ": "0101", "城市管理/市容环境/暴露垃圾": "0101", "城市管理＞市容环境＞暴露垃圾": "0101",
		"市容环境-暴露垃圾": "0101", "0201 占道经营": "0201", "0201-占道经营": "0201", "市容环境/其他": "0199", "街面秩序|其他": "0299",
		"其他": "", "停用的": "", "外星人入侵": "", "市容环境": "01",
	} {
		got := ix.resolve(in)
		switch {
		case want == "" && got != nil:
			t.Errorf("resolve(%q) = %s, want none", in, got.Code)
		case want != "" && (got == nil || got.Code != want):
			t.Errorf("resolve(%q) = %v, want %s", in, got, want)
		}
	}
}

func TestValidPhoneAndUrgency(t *testing.T) {
	for _, p := range []string{"13812345678", "138 1234 5678", "+86 138-1234-5678", "0571-87654321", "(0571)87654321", "138****5678", "12345", "0571-87654321转808"} {
		if !validPhone(p) {
			t.Errorf("validPhone(%q) = false", p)
		}
	}
	for _, p := range []string{"abc", "1234", "138-1234-567a", "电话13812345678", "123456789012345678901"} {
		if validPhone(p) {
			t.Errorf("validPhone(%q) = true", p)
		}
	}
	for in, want := range map[string]casework.Urgency{"": casework.UrgencyNormal, "一般": casework.UrgencyNormal, "加急": casework.UrgencyUrgent,
		"Urgent": casework.UrgencyUrgent, "特急": casework.UrgencyCritical} {
		if got, ok := parseUrgency(in); !ok || got != want {
			t.Errorf("parseUrgency(%q) = %s %v", in, got, ok)
		}
	}
	if _, ok := parseUrgency("十万火急"); ok {
		t.Error("parseUrgency accepted 十万火急")
	}
}

func TestArrivalFigures(t *testing.T) {
	t0 := time.Date(2024, 6, 11, 9, 0, 0, 0, calendar.Zone())
	at := func(min float64) *time.Time { t := t0.Add(time.Duration(min * float64(time.Minute))); return &t }
	rows := []Arrival{{SourceAt: t0, StartedAt: at(12)}, {SourceAt: t0, StartedAt: at(3)}, {SourceAt: t0, StartedAt: nil},
		{SourceAt: t0, StartedAt: at(-2)}, {SourceAt: t0, StartedAt: at(7.5)}}
	f := arrivalFigures(t0, t0.Add(time.Hour), rows)
	// Minutes 0 (a start before the transfer counts as at once), 3, 7.5, 12.
	if f.Transferred != 5 || f.Count != 4 || f.NotArrived != 1 || *f.MeanMinutes != 5.63 || *f.P90Minutes != 12 || *f.MaxMinutes != 12 {
		t.Fatalf("%+v %v %v", f, *f.MeanMinutes, *f.P90Minutes)
	}
	// Nearest rank: of 20 values 1..20 the 90th percentile is the 18th.
	rows = nil
	for i := 20; i >= 1; i-- {
		rows = append(rows, Arrival{SourceAt: t0, StartedAt: at(float64(i))})
	}
	if f := arrivalFigures(t0, t0, rows); *f.P90Minutes != 18 || *f.MeanMinutes != 10.5 {
		t.Fatalf("p90 %v mean %v", *f.P90Minutes, *f.MeanMinutes)
	}
}
