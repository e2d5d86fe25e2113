package report

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// Evaluator computes the evaluation figures; casework.Service is one.
type Evaluator interface {
	Evaluate(ctx context.Context, a org.Actor, q casework.EvalQuery) ([]casework.Evaluation, error)
}

// EvalRow is one row of the year's evaluation table, named.
type EvalRow struct {
	Name string
	casework.Evaluation
}

// Evaluation is the year's evaluation figures (考核指标): the whole
// jurisdiction, then each unit, with the formulas of casework/evaluation.go.
type Evaluation struct {
	Total EvalRow
	Units []EvalRow
}

// EvaluateYear computes the evaluation table of a year; unitNames names the
// rows (unknown ids keep their number).
func EvaluateYear(ctx context.Context, e Evaluator, a org.Actor, year int, unitNames map[int64]string) (*Evaluation, error) {
	from, to := Period(year)
	all, err := e.Evaluate(ctx, a, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByAll})
	if err != nil {
		return nil, err
	}
	out := &Evaluation{Total: EvalRow{Name: "全街道 Whole subdistrict"}}
	if len(all) > 0 {
		out.Total.Evaluation = all[0]
	}
	units, err := e.Evaluate(ctx, a, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByUnit})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		name := unitNames[u.Key]
		if name == "" {
			name = fmt.Sprintf("#%d", u.Key)
			if u.Key == 0 {
				name = "未派遣 Not dispatched"
			}
		}
		out.Units = append(out.Units, EvalRow{Name: name, Evaluation: u})
	}
	return out, nil
}

// EvalColumns are the evaluation table's columns, in order, with how to
// read each from a row: one list for the Markdown and the XLSX alike.
func EvalColumns() []struct {
	Head  string
	Value func(casework.Evaluation) any
} {
	rate := func(p *float64) any {
		if p == nil {
			return "—"
		}
		return *p
	}
	return []struct {
		Head  string
		Value func(casework.Evaluation) any
	}{
		{"立案数 Filed", func(e casework.Evaluation) any { return e.Filed }},
		{"结案率% Close rate", func(e casework.Evaluation) any { return rate(e.CloseRate) }},
		{"按期结案率% On time", func(e casework.Evaluation) any { return rate(e.OnTimeCloseRate) }},
		{"返工率% Rework", func(e casework.Evaluation) any { return rate(e.ReworkRate) }},
		{"签收及时率% Signed in time", func(e casework.Evaluation) any { return rate(e.SignTimelyRate) }},
		{"满意率% Satisfaction", func(e casework.Evaluation) any { return rate(e.SatisfactionRate) }},
		{"平均处置时长(小时) Avg hours", func(e casework.Evaluation) any { return rate(e.AvgHandleHours) }},
	}
}

// WriteEvaluationMarkdown writes the evaluation table.
func WriteEvaluationMarkdown(w io.Writer, ev *Evaluation) error {
	var b strings.Builder
	b.WriteString("\n## 考核指标 Evaluation\n\n| 单位 Unit |")
	cols := EvalColumns()
	for _, c := range cols {
		b.WriteString(" " + c.Head + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(cols)) + "\n")
	for _, r := range append([]EvalRow{ev.Total}, ev.Units...) {
		b.WriteString("| " + r.Name + " |")
		for _, c := range cols {
			fmt.Fprintf(&b, " %v |", c.Value(r.Evaluation))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n口径见 docs/casework.md：立案数按受理时间计入当年；签收及时率、平均处置时长按派遣时间计入。\n" +
		"Formulas in docs/casework.md: cases count by the year they were accepted; sign-for and handling figures by the year of dispatch.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
