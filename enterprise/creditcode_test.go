package enterprise

import (
	"testing"

	"github.com/jiedao/jiedao"
)

func TestCheckCode(t *testing.T) {
	// 91350100M000100Y43 is the example of GB 32100-2015's annex.
	for _, c := range []struct {
		code, reason string
	}{
		{"91350100M000100Y43", ""},
		{"91350100M000100Y44", ReasonWrongCheck},
		{"91350100M000100Y4", ReasonMalformed},   // 17 characters
		{"91350100M000100Y430", ReasonMalformed}, // 19
		{"91350100MO00100Y43", ReasonMalformed},  // O is not in the alphabet
		{"91350100m000100y43", ReasonMalformed},  // not normalised
		{"", ReasonMalformed},
	} {
		reason, err := CheckCode(c.code)
		if reason != c.reason {
			t.Errorf("%q: reason %q, want %q (%v)", c.code, reason, c.reason, err)
		}
		if (err == nil) != (c.reason == "") {
			t.Errorf("%q: error %v", c.code, err)
		}
		if err != nil && jiedao.ErrorField(err) != "credit_code" {
			t.Errorf("%q: field %q", c.code, jiedao.ErrorField(err))
		}
	}
	if got, _ := CheckCode(NormalizeCode(" 91350100m000100y43 ")); got != "" {
		t.Errorf("normalised code refused: %s", got)
	}
}

// TestCheckCharWeights checks the weights as 3^i mod 31 and that a check
// character of 31 becomes 0.
func TestCheckCharWeights(t *testing.T) {
	w := 1
	for i := 0; i < 17; i++ {
		if creditWeights[i] != w {
			t.Fatalf("weight %d: %d, want %d", i, creditWeights[i], w)
		}
		w = w * 3 % 31
	}
	// All zeros: sum 0, 31 - 0 = 31 → 0.
	if c, ok := CheckChar("00000000000000000"); !ok || c != '0' {
		t.Errorf("all zeros: %c %v", c, ok)
	}
	// 1 at the first position: sum 1, check 30 = Y.
	if c, _ := CheckChar("10000000000000000"); c != 'Y' {
		t.Errorf("got %c, want Y", c)
	}
}

func TestValidateOverride(t *testing.T) {
	e := Enterprise{CreditCode: "91350100M000100Y44", Name: "试点企业"}
	if err := e.Validate(); err == nil {
		t.Fatal("wrong check character accepted without an override")
	}
	e.CodeOverride = "早期试点代码，登记机关核实"
	if err := e.Validate(); err != nil {
		t.Fatalf("override refused: %v", err)
	}
	e = Enterprise{CreditCode: "91350100MO00100Y43", Name: "x", CodeOverride: "试点"}
	if err := e.Validate(); err == nil {
		t.Fatal("malformed code accepted with an override")
	}
	e = Enterprise{CreditCode: "91350100M000100Y43", Name: "x", CodeOverride: "试点"}
	if err := e.Validate(); err == nil {
		t.Fatal("override of a valid code accepted")
	}
}
