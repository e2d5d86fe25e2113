package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Checking a draft (docs/report.md, "Checking a draft"): every number with
// a unit in a Chinese text is found, matched to a figure by the words
// around it, and compared with the records.

// Verdicts of a checked number.
const (
	VerdictEqual     = "equal"
	VerdictDifferent = "different"
	VerdictUnknown   = "unknown"
)

// Qualifiers a number may carry.
const (
	QualMore   = "余" // 4400余位: 4400 or a little more
	QualOver   = "超" // 超2000人: more than 2000, a little
	QualNearly = "近" // 近2000人: a little less than 2000, or 2000
	QualAbout  = "约" // 约2000人: 2000 rounded to the number's last non-zero place
)

// Found is a number with its unit as a text writes it.
type Found struct {
	Start, End int     // rune offsets of the number with its qualifiers and unit
	Written    string  // as written: "460余万元"
	Value      float64 // in base units (元, 件, %…): 4600000; never negative
	Unit       string  // the base unit: 元, 美元, 件, %…
	Qualifier  string  // 余, 超, 近, 约 or ""
	Down       bool    // the words just before say it fell (下降, 减少): compared as negative
	// Step is the band of a qualified number and Precision the rounding
	// of a plain one, in base units (see Holds).
	Step, Precision float64
}

// Checked is one number of a draft with its verdict.
type Checked struct {
	Key     string   `json:"key"`   // the figure it speaks of, "" when unknown
	Text    string   `json:"text"`  // the words around it
	Found   float64  `json:"found"` // the number as written, in base units
	Value   *float64 `json:"value"` // the figure's value from the records
	Verdict string   `json:"verdict"`
	Written string   `json:"written"`
	Unit    string   `json:"unit"`
	Zh      string   `json:"zh,omitempty"`
	Offset  int      `json:"offset"` // rune offset in the text
}

// units are the units a figure may carry, longest first where one starts
// another. 万元 and 亿元 are 万/亿 followed by 元.
var checkUnits = []string{"平方米", "家次", "人次", "场次", "美元", "件", "家", "个", "元", "%", "％", "位", "名", "场", "幢", "台", "张", "户", "条", "次", "辆", "起", "人", "项", "量"}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// FindNumbers finds every number followed by a unit in a text.
func FindNumbers(text string) []Found {
	rs, orig := []rune(text), []rune(text)
	// Full-width digits and point (４３１７件, ９８．６３％) read as ASCII;
	// offsets do not move.
	for i, r := range rs {
		switch {
		case r >= '０' && r <= '９':
			rs[i] = '0' + (r - '０')
		case r == '．' && i > 0 && i+1 < len(rs) && (isDigit(rs[i-1]) || rs[i-1] >= '０' && rs[i-1] <= '９'):
			rs[i] = '.'
		}
	}
	var out []Found
	for i := 0; i < len(rs); i++ {
		if !isDigit(rs[i]) || (i > 0 && (isDigit(rs[i-1]) || rs[i-1] == '.' || unicode.IsLetter(rs[i-1]) && rs[i-1] < 0x80)) {
			continue
		}
		// The number: digits, thousands separators, one decimal point.
		j := i
		var num strings.Builder
		decimals := -1
		for j < len(rs) {
			switch {
			case isDigit(rs[j]):
				num.WriteRune(rs[j])
				if decimals >= 0 {
					decimals++
				}
			case rs[j] == ',' && j+3 < len(rs) && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) && decimals < 0:
			case rs[j] == '.' && decimals < 0 && j+1 < len(rs) && isDigit(rs[j+1]):
				num.WriteRune('.')
				decimals = 0
			default:
				goto numberDone
			}
			j++
		}
	numberDone:
		// The value from the digits, exactly: 36.2 as 362 / 10.
		digits := strings.ReplaceAll(num.String(), ".", "")
		mant, err := strconv.ParseInt(digits, 10, 64)
		x := float64(mant) / math.Pow(10, float64(max(decimals, 0)))
		if err != nil {
			i = j - 1
			continue
		}
		f := Found{Start: i, Value: x}
		// 余 (or 多) may come before or after 万/亿.
		mult := 1.0
		k := j
		for k < len(rs) {
			switch rs[k] {
			case '余', '多':
				f.Qualifier = QualMore
			case '万':
				if mult != 1 {
					goto multDone
				}
				mult = 1e4
			case '亿':
				if mult != 1 {
					goto multDone
				}
				mult = 1e8
			default:
				goto multDone
			}
			k++
		}
	multDone:
		unit := ""
		rest := string(rs[k:min(len(rs), k+4)]) // the longest unit is 3 characters
		for _, u := range checkUnits {
			if strings.HasPrefix(rest, u) {
				unit = u
				break
			}
		}
		if unit == "" {
			i = j - 1
			continue
		}
		f.End = k + len([]rune(unit))
		if unit == "％" {
			unit = "%"
		}
		f.Unit = unit
		// The precision of the last digit written, and the band of a
		// qualified number: one unit of its last non-zero place.
		prec := math.Pow(10, -float64(max(decimals, 0)))
		step := prec
		if decimals <= 0 {
			digits := strings.TrimLeft(strings.Split(num.String(), ".")[0], "0")
			zeros := len(digits) - len(strings.TrimRight(digits, "0"))
			if digits == "" {
				zeros = 0
			}
			step = math.Pow(10, float64(zeros))
		}
		f.Value = float64(mant) * mult / math.Pow(10, float64(max(decimals, 0)))
		f.Precision, f.Step = prec*mult, step*mult
		// Qualifiers and the word of a fall just before.
		b := i
		if b > 0 {
			switch rs[b-1] {
			case '超', '逾':
				f.Qualifier, b = QualOver, b-1
			case '近':
				f.Qualifier, b = QualNearly, b-1
			case '约':
				f.Qualifier, b = QualAbout, b-1
			}
			if b >= 2 && string(rs[b-2:b]) == "超过" {
				f.Qualifier, b = QualOver, b-2
			}
		}
		before := string(rs[max(0, b-4):b])
		f.Down = trimFall(before) != before
		f.Start = b
		f.Written = string(orig[b:f.End])
		out = append(out, f)
		i = f.End - 1
	}
	return out
}

// trimFall takes off the word of a fall (下降, 减少 …) ending the words.
func trimFall(s string) string {
	t := strings.TrimSuffix(s, "了")
	for _, w := range []string{"下降", "减少", "降低", "下滑", "回落"} {
		if strings.HasSuffix(t, w) {
			return strings.TrimSuffix(t, w)
		}
	}
	return s
}

// Holds reports whether a number as written holds for a value from the
// records. With s the number as written in base units (negative when the
// words say it fell), p the precision of its last written digit (1 for
// 4317, 0.1亿 for 101.2亿, 0.01 for 98.63%) and b its band, one unit of its
// last non-zero place (100 for 4400, 10万 for 460万, 1万 for 4万):
//
//	plain:  v rounds to s at the written precision: |v − s| ≤ p/2
//	余, 多: s ≤ v < s + b            (4400余: 4400 … 4499)
//	超, 逾: s < v < s + b            (超10: 11 … 19)
//	近:     s − b < v ≤ s            (近2000: 1001 … 2000)
//	约:     |v − s| ≤ b/2            (约2000: 1500 … 2500)
//
// With a fall (下降41.97%), the bands apply to −v against s.
func (f Found) Holds(v float64) bool {
	s := f.Value
	if f.Down {
		v = -v
	}
	const eps = 1e-9
	tol := eps * math.Max(1, math.Abs(s))
	switch f.Qualifier {
	case QualMore:
		return v >= s-tol && v < s+f.Step-tol
	case QualOver:
		return v > s+tol && v < s+f.Step-tol
	case QualNearly:
		return v > s-f.Step+tol && v <= s+tol
	case QualAbout:
		return math.Abs(v-s) <= f.Step/2+tol
	}
	return math.Abs(v-s) <= f.Precision/2+tol
}

// unitFamily groups units that measure the same thing.
func unitFamily(u string) string {
	switch u {
	case "元", "万元", "亿元":
		return "元"
	case "%", "％":
		return "%"
	}
	return u
}

// unitsMatch reports whether a number's unit can be a figure's.
func unitsMatch(found, figure string) bool {
	if found == "量" { // "4万余量": a count of anything
		return figure != "元" && figure != "%" && figure != "美元"
	}
	return unitFamily(found) == unitFamily(figure)
}

// matcher is a figure's words: the words of its Pattern before and after
// the number (the unit taken off), and the pairs of characters of its name.
type matcher struct {
	fig       Figure
	pre, post []rune
	namePairs []string
}

func newMatcher(f Figure) matcher {
	m := matcher{fig: f}
	if f.Pattern != "" {
		pre, post, _ := PatternParts(f.Pattern)
		post = strings.TrimLeft(post, "余多万亿")
		for _, u := range checkUnits {
			if strings.HasPrefix(post, u) {
				post = strings.TrimPrefix(post, u)
				break
			}
		}
		m.pre, m.post = []rune(trimClause(pre, true)), []rune(trimClause(post, false))
	}
	name := []rune(f.Zh)
	for i := 0; i+1 < len(name); i++ {
		m.namePairs = append(m.namePairs, string(name[i:i+2]))
	}
	return m
}

// trimClause keeps the words of a pattern's clause next to the number.
func trimClause(s string, before bool) string {
	if before {
		if i := strings.LastIndexAny(s, "，。；、,;：:"); i >= 0 {
			_, size := lastRune(s[i:])
			return s[i+size:]
		}
		return s
	}
	if i := strings.IndexAny(s, "，。；、,;：:"); i >= 0 {
		return s[:i]
	}
	return s
}

func lastRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// score says how well the words around a number speak of the figure: the
// characters its Pattern shares with the words just before and just after
// the number, plus the share of its name's pairs of characters found in
// the 24 characters before it (or, counted a little less, in those and
// the 24 after it). 0 is no match.
func (m matcher) score(before, after []rune, unit string) float64 {
	if !unitsMatch(unit, m.fig.Unit) {
		return 0
	}
	a := 0
	for a < len(m.pre) && a < len(before) && m.pre[len(m.pre)-1-a] == before[len(before)-1-a] {
		a++
	}
	b := 0
	for b < len(m.post) && b < len(after) && m.post[b] == after[b] {
		b++
	}
	near := string(before[max(0, len(before)-24):])
	name := math.Max(m.share(near), 0.85*m.share(near+"\x00"+string(after[:min(len(after), 24)])))
	// Two characters of the pattern next to the number, or most of the
	// name close before it.
	if a+b < 2 && name < 0.6 {
		return 0
	}
	return float64(a+b) + 4*name
}

// share is the share of the name's pairs of characters found in s.
func (m matcher) share(s string) float64 {
	if len(m.namePairs) == 0 {
		return 0
	}
	hit := 0
	for _, p := range m.namePairs {
		if strings.Contains(s, p) {
			hit++
		}
	}
	return float64(hit) / float64(len(m.namePairs))
}

// clauseDelims end the words that belong to a number.
func isDelim(r rune) bool { return strings.ContainsRune("。；！？\n;!?", r) }

// Check finds the numbers of a draft, matches each to a figure by its
// words (each figure at most once: the best match wins), and compares it
// with the figure's value. values are the year's figures (Compute, with
// overrides applied or not, as the caller decides) and, for a report
// that sets the next year's targets, the target figures of the next year
// (CheckValues).
func Check(text string, values []Value) []Checked {
	rs := []rune(text)
	found := FindNumbers(text)
	var ms []matcher
	for _, v := range values {
		ms = append(ms, newMatcher(v.Figure))
	}
	// A work report sets the next year's targets after its review: a
	// target matches only numbers after the next year is first named
	// ("2024年"), and a figure of the year is matched there only when
	// nothing before fits it better.
	boundary := 0
	for _, v := range values {
		if v.Kind == KindTarget && v.Year > 0 {
			if i := strings.Index(text, strconv.Itoa(v.Year)+"年"); i >= 0 {
				boundary = len([]rune(text[:i]))
			}
			break
		}
	}
	type cand struct {
		n, m  int
		score float64
	}
	var cands []cand
	for i, f := range found {
		// The words before: back to the previous number or the start of
		// the clause; after: to the next number or the end of the clause.
		lo := f.Start
		for lo > 0 && !isDelim(rs[lo-1]) && (i == 0 || lo > found[i-1].End) && f.Start-lo < 40 {
			lo--
		}
		hi := f.End
		for hi < len(rs) && !isDelim(rs[hi]) && (i+1 == len(found) || hi < found[i+1].Start) && hi-f.End < 30 {
			hi++
		}
		before, after := rs[lo:f.Start], rs[f.End:hi]
		if f.Down { // the word of the fall is not the figure's word
			before = []rune(trimFall(string(before)))
		}
		for j, m := range ms {
			target := m.fig.Kind == KindTarget
			if target && f.Start < boundary {
				continue
			}
			if s := m.score(before, after, f.Unit); s > 0 {
				if !target && boundary > 0 && f.Start >= boundary {
					s -= 0.5
				}
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	matched := map[int]int{} // number → matcher
	used := map[int]bool{}
	for _, c := range cands {
		if _, ok := matched[c.n]; ok || used[c.m] {
			continue
		}
		matched[c.n] = c.m
		used[c.m] = true
	}
	byKey := map[string]Value{}
	for _, v := range values {
		byKey[v.Key] = v
	}
	out := make([]Checked, 0, len(found))
	for i, f := range found {
		c := Checked{Text: string(rs[max(0, f.Start-14):min(len(rs), f.End+6)]), Found: f.Value, Verdict: VerdictUnknown,
			Written: f.Written, Unit: f.Unit, Offset: f.Start}
		if j, ok := matched[i]; ok {
			v := byKey[ms[j].fig.Key]
			c.Key, c.Zh = v.Key, v.Zh
			if !v.Missing {
				x := v.Value
				c.Value = &x
				c.Verdict = VerdictDifferent
				if f.Holds(x) {
					c.Verdict = VerdictEqual
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// CheckValues are the figures a draft of a year is checked against: the
// year's derived and entered figures, and the targets of the next year
// (a work report sets them in its last part).
func CheckValues(year, next []Value) []Value {
	var out []Value
	for _, v := range year {
		if v.Kind != KindTarget {
			out = append(out, v)
		}
	}
	for _, v := range next {
		if v.Kind == KindTarget {
			out = append(out, v)
		}
	}
	return out
}

// WriteCheck writes a check's results a line each, then how many of each
// verdict.
func WriteCheck(w io.Writer, res []Checked) error {
	var b strings.Builder
	n := map[string]int{}
	for _, c := range res {
		n[c.Verdict]++
		mark := map[string]string{VerdictEqual: "✓ 一致 equal    ", VerdictDifferent: "✗ 不符 different", VerdictUnknown: "? 未知 unknown  "}[c.Verdict]
		fmt.Fprintf(&b, "%s  %-12s", mark, c.Written)
		if c.Key != "" {
			fmt.Fprintf(&b, "  %s（%s）", c.Key, c.Zh)
		}
		if c.Value != nil {
			fmt.Fprintf(&b, "  记录 records: %s", strconv.FormatFloat(*c.Value, 'f', -1, 64))
		}
		fmt.Fprintf(&b, "  …%s…\n", strings.ReplaceAll(c.Text, "\n", " "))
	}
	fmt.Fprintf(&b, "\n共 %d 个数字：%d 一致，%d 不符，%d 未知 / %d numbers: %d equal, %d different, %d unknown\n",
		len(res), n[VerdictEqual], n[VerdictDifferent], n[VerdictUnknown], len(res), n[VerdictEqual], n[VerdictDifferent], n[VerdictUnknown])
	_, err := io.WriteString(w, b.String())
	return err
}
