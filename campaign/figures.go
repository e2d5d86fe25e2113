package campaign

import (
	"context"
	"fmt"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
)

// figures are the work report's figures that campaigns hold: units
// checked in the year in campaigns of a kind.
var figures = []struct {
	report.Figure
	kind Kind
}{
	{report.Figure{Key: "census.units_checked", Zh: "经济普查清查单位", En: "Census units checked", Unit: "家", Section: report.SectionEconomy,
		Kind: report.KindDerived, Pattern: "顺利完成%s家单位“地毯式”全面清查",
		Counts: "经济普查清查专项中当年完成检查（清查）的单位数 / units checked in the year in economic-census campaigns"}, Census},
	{report.Figure{Key: "safety.old_elevators", Zh: "老旧电梯健康检修", En: "Old elevators inspected", Unit: "台", Section: report.SectionSafety,
		Kind: report.KindDerived, Pattern: "一揽子对辖区%s台老旧电梯进行健康检修",
		Counts: "老旧电梯检修专项中当年完成健康检修（检查）的电梯数 / elevators checked in the year in old-elevator campaigns"}, Elevator},
}

// Figures is the report.Source of the campaigns' figures.
type Figures struct{ Service *Service }

var _ report.Source = Figures{}

// Figures lists the campaigns' figures.
func (f Figures) Figures() []report.Figure {
	var out []report.Figure
	for _, d := range figures {
		fig, kind := d.Figure, d.kind
		fig.Records = func(year int) string {
			return fmt.Sprintf("/campaign-units?kind=%s&status=checked&year=%d", kind, year)
		}
		out = append(out, fig)
	}
	return out
}

// Measure counts the units checked in the year.
func (f Figures) Measure(ctx context.Context, a org.Actor, key string, year int) (report.Measurement, error) {
	for _, d := range figures {
		if d.Key != key {
			continue
		}
		_, n, err := f.Service.Units(ctx, a, YearFilter(d.kind, year), 1, 0)
		if err != nil || n == 0 {
			return report.Measurement{}, err
		}
		return report.Measurement{Value: float64(n), OK: true, Records: n}, nil
	}
	return report.Measurement{}, jiedao.NotFound("指标 "+key, "figure "+key)
}

// YearFilter selects the units of campaigns of a kind checked in a year.
func YearFilter(kind Kind, year int) UnitFilter {
	return UnitFilter{Kind: kind, Status: Checked, From: fmt.Sprintf("%04d-01-01", year), To: fmt.Sprintf("%04d-01-01", year+1)}
}
