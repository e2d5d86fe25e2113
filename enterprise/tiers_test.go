package enterprise

import "testing"

func TestBuildingOfMonth(t *testing.T) {
	ts := []Tenancy{
		{ID: 1, BuildingID: 10, Start: "2022-03-01", End: "2023-06-15"},
		{ID: 2, BuildingID: 20, Start: "2023-06-15"},
	}
	for month, want := range map[string]int64{
		"2022-02": 0, "2022-03": 10, "2023-01": 10,
		"2023-06": 10, // on the 1st it was in building 10
		"2023-07": 20, "2024-01": 20,
	} {
		if got := BuildingOfMonth(ts, month); got != want {
			t.Errorf("%s: building %d, want %d", month, got, want)
		}
	}
	// Starting mid-month with nothing on the 1st: that building.
	if got := BuildingOfMonth([]Tenancy{{ID: 3, BuildingID: 30, Start: "2023-02-10"}}, "2023-02"); got != 30 {
		t.Errorf("mid-month start: %d", got)
	}
}

func TestComputeYearThresholds(t *testing.T) {
	var bs []Building
	tenancies := map[int64][]Tenancy{}
	var tax []MonthTax
	amounts := []Money{Yuan(9_999_999), Yuan(10_000_000), Yuan(99_999_999), Yuan(100_000_000), Yuan(100_000_000)}
	for i, a := range amounts {
		id := int64(i + 1)
		bs = append(bs, Building{ID: id, Name: "B", FloorArea: 1000})
		tenancies[id] = []Tenancy{{ID: id, EnterpriseID: id, BuildingID: id, Start: "2020-01-01"}}
		tax = append(tax, MonthTax{EnterpriseID: id, Month: "2023-05", Amount: a})
	}
	hq := map[int64]bool{5: true}
	got := map[int64]BuildingYear{}
	for _, y := range ComputeYear(Inputs{Year: 2023, Buildings: bs, Tenancies: tenancies, Tax: tax, HQ: hq}) {
		got[y.ID] = y
	}
	want := map[int64]string{1: "", 2: Tier10M, 3: Tier10M, 4: Tier100M, 5: TierHQ100M}
	for id, tier := range want {
		if got[id].Tier != tier {
			t.Errorf("building %d (tax %v): tier %q, want %q", id, got[id].Tax, got[id].Tier, tier)
		}
	}
	if !got[4].Reaches(Tier10M) || got[1].Reaches(Tier10M) || got[4].Reaches(TierHQ100M) {
		t.Error("Reaches wrong")
	}
	if got[2].PerM2 != 10000 {
		t.Errorf("per m²: %v", got[2].PerM2)
	}
	if got[4].Rank > 2 || got[1].Rank != 5 {
		t.Errorf("ranks: %d %d", got[4].Rank, got[1].Rank)
	}
}

func TestParseMoney(t *testing.T) {
	for s, want := range map[string]Money{"12345": 1234500, "12,345.6": 1234560, "¥0.01": 1, "-3.5": -350, "1.005": 101} {
		got, err := ParseMoney(s)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "1.2.3"} {
		if _, err := ParseMoney(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
