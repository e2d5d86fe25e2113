package enterprise

import (
	"fmt"
	"sort"
)

// The tiers of a building by its tenants' tax in a year.
const (
	Tier10M       = "tax_10m"  // 千万元楼宇: ≥ 10,000,000 yuan
	Tier100M      = "tax_100m" // 亿元楼宇: ≥ 100,000,000 yuan
	TierHQ100M    = "hq_100m"  // 总部亿元楼: a 亿元楼宇 whose tax is mostly one headquarters'
	Threshold10M  = Money(10_000_000 * 100)
	Threshold100M = Money(100_000_000 * 100)
)

// TierZh names a tier in Chinese.
func TierZh(t string) string {
	return map[string]string{Tier10M: "千万元楼宇", Tier100M: "亿元楼宇", TierHQ100M: "总部亿元楼", "": "—"}[t]
}

// MonthTax is an enterprise's tax in one month ("2023-05").
type MonthTax struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Month        string `json:"month"`
	Amount       Money  `json:"amount"`
}

// TenantTax is one tenant's part of a building's tax in a year.
type TenantTax struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Name         string `json:"name,omitempty"`
	HQ           bool   `json:"hq,omitempty"`
	Tax          Money  `json:"tax"`
}

// BuildingYear is a building's tax and tier in a year: computed from the
// monthly tax and the tenancies, never typed in.
type BuildingYear struct {
	Building
	Year    int         `json:"year"`
	Tax     Money       `json:"tax"`
	PerM2   float64     `json:"per_m2"` // yuan per m² of floor area (坪效); 0 without an area
	Tier    string      `json:"tier"`   // the highest tier reached, "" for none
	Rank    int         `json:"rank"`   // by tax, 1 the most
	Tenants []TenantTax `json:"tenants"`
	// Makers are the tenants that make the tier: the fewest of the largest
	// taxpayers whose tax alone reaches the tier's threshold.
	Makers []TenantTax `json:"makers,omitempty"`
	// Prior is last year's tax, and Change the percent change on it, when
	// the building had tax then.
	Prior  *Money   `json:"prior,omitempty"`
	Change *float64 `json:"change,omitempty"`
}

// Reaches reports whether the building is in the tier (a 亿元楼宇 is
// also a 千万元楼宇; a 总部亿元楼 also a 亿元楼宇).
func (b BuildingYear) Reaches(tier string) bool {
	switch tier {
	case Tier10M:
		return b.Tax >= Threshold10M
	case Tier100M:
		return b.Tax >= Threshold100M
	case TierHQ100M:
		return b.Tier == TierHQ100M
	}
	return false
}

// MonthOf returns the month ("2023-05") of a day.
func MonthOf(d Date) string { return string(d[:7]) }

// BuildingOfMonth returns the building whose tenant the enterprise was in
// a month, given its tenancies: the tenancy that covers the month's first
// day, else the first that starts in the month; among several at once the
// one that started first (then the lowest id). 0 when it was nobody's
// tenant that month.
func BuildingOfMonth(tenancies []Tenancy, month string) int64 {
	first := Date(month + "-01")
	next := DateOf(first.Time().AddDate(0, 1, 0))
	var best *Tenancy
	better := func(t *Tenancy) bool {
		if best == nil {
			return true
		}
		bc, tc := best.Covers(first), t.Covers(first)
		if bc != tc {
			return tc
		}
		if t.Start != best.Start {
			return t.Start < best.Start
		}
		return t.ID < best.ID
	}
	for i := range tenancies {
		t := &tenancies[i]
		if !(t.Start < next && (t.End == "" || t.End > first)) {
			continue
		}
		if better(t) {
			best = t
		}
	}
	if best == nil {
		return 0
	}
	return best.BuildingID
}

// Inputs are what the tiers of a year are computed from.
type Inputs struct {
	Year      int
	Buildings []Building
	// Tenancies by enterprise, each with BuildingID set.
	Tenancies map[int64][]Tenancy
	// Tax is every monthly tax row of the year and, for the change on last
	// year, of the year before.
	Tax []MonthTax
	// HQ are the enterprises tagged hq_listed; Names the enterprises'
	// names, for the tenants' lists.
	HQ    map[int64]bool
	Names map[int64]string
}

// ComputeYear computes every building's tax, tier, tax per m², rank,
// change on last year and the tenants that make its tier. A tenant's tax
// in a month counts for the building where it was a tenant that month
// (BuildingOfMonth).
func ComputeYear(in Inputs) []BuildingYear {
	cur := fmt.Sprintf("%04d", in.Year)
	prev := fmt.Sprintf("%04d", in.Year-1)
	type key struct{ b, e int64 }
	now := map[key]Money{}
	before := map[int64]Money{}
	hadBefore := map[int64]bool{}
	for _, t := range in.Tax {
		y := t.Month[:4]
		if y != cur && y != prev {
			continue
		}
		b := BuildingOfMonth(in.Tenancies[t.EnterpriseID], t.Month)
		if b == 0 {
			continue
		}
		if y == cur {
			now[key{b, t.EnterpriseID}] += t.Amount
		} else {
			before[b] += t.Amount
			hadBefore[b] = true
		}
	}
	byBuilding := map[int64][]TenantTax{}
	for k, v := range now {
		byBuilding[k.b] = append(byBuilding[k.b], TenantTax{EnterpriseID: k.e, Name: in.Names[k.e], HQ: in.HQ[k.e], Tax: v})
	}
	out := make([]BuildingYear, 0, len(in.Buildings))
	for _, b := range in.Buildings {
		y := BuildingYear{Building: b, Year: in.Year, Tenants: byBuilding[b.ID]}
		sort.Slice(y.Tenants, func(i, j int) bool {
			if y.Tenants[i].Tax != y.Tenants[j].Tax {
				return y.Tenants[i].Tax > y.Tenants[j].Tax
			}
			return y.Tenants[i].EnterpriseID < y.Tenants[j].EnterpriseID
		})
		for _, t := range y.Tenants {
			y.Tax += t.Tax
		}
		if b.FloorArea > 0 {
			y.PerM2 = float64(int64(y.Tax.Yuan()/b.FloorArea*100+0.5)) / 100
		}
		threshold := Money(0)
		switch {
		case y.Tax >= Threshold100M:
			y.Tier, threshold = Tier100M, Threshold100M
			// Mostly (more than half) from one headquarters.
			if len(y.Tenants) > 0 && y.Tenants[0].HQ && y.Tenants[0].Tax*2 > y.Tax {
				y.Tier = TierHQ100M
			}
		case y.Tax >= Threshold10M:
			y.Tier, threshold = Tier10M, Threshold10M
		}
		if threshold > 0 {
			var sum Money
			for _, t := range y.Tenants {
				y.Makers = append(y.Makers, t)
				if sum += t.Tax; sum >= threshold {
					break
				}
			}
		}
		if hadBefore[b.ID] {
			p := before[b.ID]
			y.Prior = &p
			if p != 0 {
				c := float64(int64((float64(y.Tax-p)/float64(p))*10000+sign(y.Tax-p)*0.5)) / 100
				y.Change = &c
			}
		}
		out = append(out, y)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Tax != out[j].Tax {
			return out[i].Tax > out[j].Tax
		}
		return out[i].ID < out[j].ID
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

func sign(m Money) float64 {
	if m < 0 {
		return -1
	}
	return 1
}
