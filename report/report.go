package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Counter counts the cases an actor may see; casework.Service is one.
type Counter interface {
	Count(ctx context.Context, a org.Actor, f casework.Filter) (int, error)
}

// Value is a figure's value for a year, with the prior year's when there
// are cases to compare with.
type Value struct {
	Figure
	Year      int      `json:"year"`
	Value     float64  `json:"value"`
	Num, Den  int      `json:"-"` // a rate's numerator and denominator; a count's Num
	Prior     *float64 `json:"prior,omitempty"`
	YoYChange *float64 `json:"yoy_change,omitempty"` // percent change on the prior year
	// Missing is true when a Source had nothing to measure for the year.
	Missing bool   `json:"missing,omitempty"`
	By      string `json:"by,omitempty"`   // who entered an entered figure
	Note    string `json:"note,omitempty"` // a target's progress (Measurement.Note)
	// Override is the value set by hand in place of the computed one
	// (ApplyOverrides), and Computed the value the records give.
	Override *Override `json:"override,omitempty"`
	Computed float64   `json:"computed"`
}

// Period returns the bounds of a calendar year in China Standard Time.
func Period(year int) (from, to time.Time) {
	z := calendar.Zone()
	return time.Date(year, 1, 1, 0, 0, 0, 0, z), time.Date(year+1, 1, 1, 0, 0, 0, 0, z)
}

// InPeriod returns the figure's filters restricted to the year, for
// counting and for listing the cases behind the figure.
func (f Figure) InPeriod(year int) (cases casework.Filter, of *casework.Filter) {
	from, to := Period(year)
	cases = f.Cases
	cases.From, cases.To = from, to
	if f.Of != nil {
		o := *f.Of
		o.From, o.To = from, to
		of = &o
	}
	return cases, of
}

// compute returns a figure's value for a year; ok is false when a rate has
// nothing to count.
func compute(ctx context.Context, c Counter, a org.Actor, f Figure, year int) (v float64, num, den int, ok bool, err error) {
	cases, of := f.InPeriod(year)
	if num, err = c.Count(ctx, a, cases); err != nil {
		return 0, 0, 0, false, err
	}
	if of == nil {
		return float64(num), num, 0, true, nil
	}
	if den, err = c.Count(ctx, a, *of); err != nil || den == 0 {
		return 0, num, den, false, err
	}
	return math.Round(float64(num)*10000/float64(den)) / 100, num, den, true, nil
}

// measureParallel bounds how many figures of the sources are measured at
// once. Each figure is a few small reads; one after another, a report of
// fifty figures (a hundred with the year before) waits for several
// hundred round trips in a row, which on PostgreSQL under load was most
// of the leader's dashboard. A few at once keep the database's pool and
// the machine's cores busy without taking every connection.
const measureParallel = 4

// Compute computes every figure for the year as the actor sees it, with
// the prior year where it has records: the case figures, then those of
// each source in order.
func Compute(ctx context.Context, c Counter, a org.Actor, year int, sources ...Source) ([]Value, error) {
	out, err := computeCases(ctx, c, a, year)
	if err != nil {
		return nil, err
	}
	type job struct {
		s Source
		f Figure
	}
	var jobs []job
	for _, s := range sources {
		for _, f := range s.Figures() {
			jobs = append(jobs, job{s, f})
		}
	}
	vals := make([]Value, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first error to happen is the one returned: the others it
	// causes are its cancellation.
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(measureParallel, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				v, err := measureSource(ctx, a, jobs[i].s, jobs[i].f, year)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				vals[i] = v
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return append(out, vals...), nil
}

// measureSource measures a source's figure for the year and, unless it is
// a target, the year before.
func measureSource(ctx context.Context, a org.Actor, s Source, f Figure, year int) (Value, error) {
	m, err := s.Measure(ctx, a, f.Key, year)
	if err != nil {
		return Value{}, err
	}
	val := Value{Figure: f, Year: year, Value: m.Value, Num: m.Records, Missing: !m.OK, By: m.By, Note: m.Note}
	if f.Kind != KindTarget {
		pm, err := s.Measure(ctx, a, f.Key, year-1)
		if err != nil {
			return Value{}, err
		}
		if pm.OK {
			pv := pm.Value
			val.Prior = &pv
			if pv != 0 && m.OK && !f.IsRate() {
				ch := math.Round((m.Value-pv)/pv*10000) / 100
				val.YoYChange = &ch
			}
		}
	}
	return val, nil
}

// Measure measures one figure of any kind for a year as the actor sees
// it: a case figure by counting, another by its source. ok is false when
// there is nothing to measure, or when no figure has the key (known says
// which).
func Measure(ctx context.Context, c Counter, a org.Actor, key string, year int, sources ...Source) (v float64, ok, known bool, err error) {
	for _, f := range Figures() {
		if f.Key == key {
			v, _, _, ok, err := compute(ctx, c, a, f, year)
			return v, ok, true, err
		}
	}
	for _, s := range sources {
		for _, f := range s.Figures() {
			if f.Key == key {
				m, err := s.Measure(ctx, a, key, year)
				return m.Value, m.OK, true, err
			}
		}
	}
	return 0, false, false, nil
}

// computeCases computes the case figures.
func computeCases(ctx context.Context, c Counter, a org.Actor, year int) ([]Value, error) {
	from, to := Period(year - 1)
	priorCases, err := c.Count(ctx, a, casework.Filter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, f := range Figures() {
		v, num, den, _, err := compute(ctx, c, a, f, year)
		if err != nil {
			return nil, err
		}
		val := Value{Figure: f, Year: year, Value: v, Num: num, Den: den}
		if priorCases > 0 {
			pv, _, _, ok, err := compute(ctx, c, a, f, year-1)
			if err != nil {
				return nil, err
			}
			if ok {
				val.Prior = &pv
				if pv != 0 && !f.IsRate() {
					ch := math.Round((v-pv)/pv*10000) / 100
					val.YoYChange = &ch
				}
			}
		}
		out = append(out, val)
	}
	return out, nil
}

// WriteJSON writes one object keyed by the figures' keys, each with its
// value, as the report contract asks. A figure with nothing to measure is
// left out rather than reported as zero.
func WriteJSON(w io.Writer, values []Value) error {
	obj := make(map[string]float64, len(values))
	for _, v := range values {
		if !v.Missing {
			obj[v.Key] = v.Value
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(obj)
}

// format prints a value as the report does: counts whole, rates to two places.
func format(v Value) string {
	if v.Missing {
		return "—"
	}
	if v.IsRate() {
		return fmt.Sprintf("%.2f", v.Value)
	}
	return fmt.Sprintf("%.0f", v.Value)
}

// WriteMarkdown writes the figures as the work report states them, then a
// table with each figure's definition and its year-on-year change.
func WriteMarkdown(w io.Writer, jurisdiction string, year int, values []Value) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %d 年度数字治理工作数据\n\n", jurisdiction, year)
	var sentences []string
	for _, v := range values {
		sentences = append(sentences, fmt.Sprintf(v.Pattern, format(v)))
	}
	b.WriteString(strings.Join(sentences, "，") + "。\n\n")
	b.WriteString("| 指标 Figure | 数值 Value | 上年 Prior | 同比 YoY | 口径 What is counted |\n|---|---|---|---|---|\n")
	for _, v := range values {
		prior, yoy := "—", "—"
		if v.Prior != nil {
			prior = fmt.Sprintf("%g", *v.Prior)
		}
		if v.YoYChange != nil {
			yoy = fmt.Sprintf("%+.2f%%", *v.YoYChange)
		}
		counts := v.Counts
		if v.By != "" {
			counts += "；录入 / entered by: " + v.By
		}
		if v.Note != "" {
			counts += "；" + v.Note
		}
		fmt.Fprintf(&b, "| %s（%s）`%s` | %s %s | %s | %s | %s |\n", v.Zh, v.En, v.Key, format(v), v.Unit, prior, yoy, counts)
	}
	fmt.Fprintf(&b, "\n统计口径：按案件上报时间（北京时间）计入 %d 年 1 月 1 日至 12 月 31 日。\nPeriod: cases reported from 1 January to 31 December %d, China Standard Time.\n", year, year)
	_, err := io.WriteString(w, b.String())
	return err
}
