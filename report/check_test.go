package report

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/internal/seedfile"
)

// seedFile reads a file of shared/seed, beside the repository.
func seedFile(t testing.TB, name string) string { return seedfile.Read(t, name) }

const seedReport = "000_c350e6e318b4c32f.txt"

// tsvRow is a line of figures.tsv.
type tsvRow struct {
	key, zh, unit, kind string
	value               float64
}

func figuresTSV(t testing.TB) []tsvRow {
	var out []tsvRow
	for _, f := range seedfile.MustFigures(t) {
		out = append(out, tsvRow{key: f.Key, zh: f.Zh, unit: f.Unit, kind: f.Kind, value: f.Value})
	}
	return out
}

// caseValues are the case figures at the work report's values.
func caseValues(t *testing.T) []Value {
	t.Helper()
	want := map[string]float64{}
	for _, r := range figuresTSV(t) {
		want[r.key] = r.value
	}
	var out []Value
	for _, f := range Figures() {
		v, ok := want[f.Key]
		if !ok {
			t.Fatalf("figures.tsv lacks %s", f.Key)
		}
		out = append(out, Value{Figure: f, Year: 2023, Value: v})
	}
	return out
}

// Every number with a unit of the seed report is found, in base units.
func TestFindNumbersSeed(t *testing.T) {
	text := seedFile(t, seedReport)
	found := FindNumbers(text)
	// An independent count: digits, then 余/多 and 万/亿 in any order, then
	// a unit.
	re := regexp.MustCompile(`(^|[^0-9.A-Za-z])[0-9][0-9,]*(\.[0-9]+)?[余多]?[万亿]?[余多]?(平方米|家次|人次|场次|美元|件|家|个|元|%|％|位|名|场|幢|台|张|户|条|次|辆|起|人|项|量)`)
	if n := len(re.FindAllString(text, -1)); n != len(found) || n < 140 {
		t.Fatalf("found %d numbers with units, the pattern finds %d", len(found), n)
	}
	type want struct {
		value     float64
		unit, q   string
		down      bool
		precision float64
	}
	got := map[string]Found{}
	for _, f := range found {
		if _, ok := got[f.Written]; !ok {
			got[f.Written] = f
		}
	}
	for written, w := range map[string]want{
		"460余万元":    {4600000, "元", QualMore, false, 1e4},
		"101.2亿元":   {10120000000, "元", "", false, 1e7},
		"41.97%":    {41.97, "%", "", true, 0.01},
		"98.63%":    {98.63, "%", "", false, 0.01},
		"4400余位":    {4400, "位", QualMore, false, 1},
		"35万余人次":    {350000, "人次", QualMore, false, 1e4},
		"4万余量":      {40000, "量", QualMore, false, 1e4},
		"2.1万人次":    {21000, "人次", "", false, 1000},
		"3710万美元":   {37100000, "美元", "", false, 1e4},
		"4744.89万元": {47448900, "元", "", false, 100},
		"157.3万元":   {1573000, "元", "", false, 1000},
		"超2000人":    {2000, "人", QualOver, false, 1},
		"超10个":      {10, "个", QualOver, false, 1},
		"34536件":    {34536, "件", "", false, 1},
		"4387家次":    {4387, "家次", "", false, 1},
		"139场次":     {139, "场次", "", false, 1},
		"2700平方米":   {2700, "平方米", "", false, 1},
		"36.2亿元":    {3620000000, "元", "", false, 1e7},
	} {
		f, ok := got[written]
		if !ok {
			t.Errorf("%s not found", written)
			continue
		}
		if f.Value != w.value || f.Unit != w.unit || f.Qualifier != w.q || f.Down != w.down || f.Precision != w.precision {
			t.Errorf("%s: got %v %s %q down=%v precision %v, want %+v", written, f.Value, f.Unit, f.Qualifier, f.Down, f.Precision, w)
		}
	}
	// Numbers without a unit are not figures.
	for _, f := range found {
		if strings.HasPrefix(f.Written, "2023") || strings.HasPrefix(f.Written, "141") || strings.HasPrefix(f.Written, "511") {
			t.Errorf("%q taken for a figure", f.Written)
		}
	}
}

// When a number as written holds for a value (docs/report.md).
func TestHolds(t *testing.T) {
	at := func(s string) Found {
		t.Helper()
		fs := FindNumbers(s)
		if len(fs) != 1 {
			t.Fatalf("%q: %d numbers", s, len(fs))
		}
		return fs[0]
	}
	for _, c := range []struct {
		text string
		v    float64
		want bool
	}{
		{"4400余位", 4400, true}, {"4400余位", 4499, true}, {"4400余位", 4500, false}, {"4400余位", 4399, false},
		{"460余万元", 4600000, true}, {"460余万元", 4699999, true}, {"460余万元", 4700000, false}, {"460余万元", 4590000, false},
		{"4万余量", 40000, true}, {"4万余量", 49999, true}, {"4万余量", 50000, false},
		{"150余件", 150, true}, {"150余件", 159, true}, {"150余件", 160, false},
		{"101.2亿元", 10120000000, true}, {"101.2亿元", 10124999999, true}, {"101.2亿元", 10126000000, false},
		{"2.1万人次", 21000, true}, {"2.1万人次", 21400, true}, {"2.1万人次", 21600, false},
		{"98.63%", 98.63, true}, {"98.63%", 98.634, true}, {"98.63%", 98.64, false},
		{"4317件", 4317, true}, {"4317件", 4318, false},
		{"超10个", 10, false}, {"超10个", 11, true}, {"超10个", 19, true}, {"超10个", 20, false},
		{"近2000人", 2000, true}, {"近2000人", 1001, true}, {"近2000人", 1000, false}, {"近2000人", 2001, false},
		{"约2000人", 2500, true}, {"约2000人", 1500, true}, {"约2000人", 2501, false},
		{"下降41.97%", -41.97, true}, {"下降41.97%", 41.97, false}, {"同比41.97%", -41.97, false},
		{"４３１７件", 4317, true}, {"９８．６３％", 98.63, true}, {"1,088件", 1088, true}, {"1,088件", 1089, false},
	} {
		if got := at(c.text).Holds(c.v); got != c.want {
			t.Errorf("%s holds for %v: got %v, want %v", c.text, c.v, got, c.want)
		}
	}
}

// On the seed report, each of the case figures is found in its sentence
// and equal at the work report's values; nothing else is taken for one.
func TestCheckSeedCaseFigures(t *testing.T) {
	res := Check(seedFile(t, seedReport), caseValues(t))
	byKey := map[string][]Checked{}
	for _, c := range res {
		if c.Key != "" {
			byKey[c.Key] = append(byKey[c.Key], c)
		}
	}
	want := map[string]string{
		"cases.xihu_code.signed": "4317件", "cases.xihu_code.satisfaction": "98.63%", "cases.pingan.handled": "34536件",
		"cases.grid.handled": "7915件", "cases.iot.dispatched": "12657件", "cases.police_linkage.handled": "6233件",
	}
	if len(byKey) != len(want) {
		t.Errorf("%d keys matched, want %d: %v", len(byKey), len(want), byKey)
	}
	for k, w := range want {
		cs := byKey[k]
		if len(cs) != 1 || cs[0].Written != w || cs[0].Verdict != VerdictEqual || cs[0].Value == nil || *cs[0].Value != cs[0].Found {
			t.Errorf("%s: %+v, want %s equal", k, cs, w)
		}
	}
}

// Three wrong numbers planted in a copy are reported as different, each
// with the record's value, and nothing else is.
func TestCheckPlantedWrong(t *testing.T) {
	text := seedFile(t, seedReport)
	for old, planted := range map[string]string{"西湖码4317件": "西湖码4371件", "满意率98.63%": "满意率99.63%", "网格通7915件": "网格通7951件"} {
		if strings.Count(text, old) != 1 {
			t.Fatalf("%q not once in the seed", old)
		}
		text = strings.Replace(text, old, planted, 1)
	}
	var diff []string
	for _, c := range Check(text, caseValues(t)) {
		switch c.Verdict {
		case VerdictDifferent:
			diff = append(diff, c.Key+"="+c.Written+"≠"+strconv.FormatFloat(*c.Value, 'f', -1, 64))
		case VerdictUnknown:
			if c.Key != "" {
				t.Errorf("%s unknown", c.Key)
			}
		}
	}
	got := strings.Join(diff, " ")
	if got != "cases.xihu_code.signed=4371件≠4317 cases.xihu_code.satisfaction=99.63%≠98.63 cases.grid.handled=7951件≠7915" {
		t.Fatalf("different: %s", got)
	}
}

// The matching is driven by the figures' words only: with nothing but the
// names and units of figures.tsv (the other domains' figures as they will
// be wired, before their Patterns are known), the seed report's derived
// figures are found and equal, and none is called different.
func TestCheckSeedByNamesOnly(t *testing.T) {
	var values []Value
	count := map[string]int{}
	for _, r := range figuresTSV(t) {
		count[r.kind]++
		year := 2023
		if r.kind == KindTarget {
			year = 2024
		}
		values = append(values, Value{Figure: Figure{Key: r.key, Zh: r.zh, Unit: r.unit, Kind: r.kind}, Year: year, Value: r.value})
	}
	equal := map[string]int{}
	for _, c := range Check(seedFile(t, seedReport), values) {
		if c.Verdict == VerdictDifferent {
			t.Errorf("%s (%s) called different from %v", c.Written, c.Key, *c.Value)
		}
		for _, r := range figuresTSV(t) {
			if r.key == c.Key && c.Verdict == VerdictEqual {
				equal[r.kind]++
			}
		}
	}
	if count[KindDerived] != 49 || equal[KindDerived] < 45 {
		t.Fatalf("%d of %d derived figures found and equal by their names alone", equal[KindDerived], count[KindDerived])
	}
	t.Logf("found and equal by their names alone: %d of %d derived, %d of %d entered, %d of %d targets",
		equal[KindDerived], count[KindDerived], equal[KindEntered], count[KindEntered], equal[KindTarget], count[KindTarget])
}
